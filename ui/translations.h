#pragma once
// The translations the app runs with, installed the same way by glimpse-photos and the widget
// tests: Qt's own strings for the locale, the English plural forms ("1 photo", "3 photos" for
// "%n photo(s)"; glimpse_en.qm holds nothing else) and Glimpse's own for the locale's language.
// The English forms are installed first, so a language without its own falls back to correct
// English, not to the source text.
#include <QLocale>
#include <QTranslator>

namespace glimpse::ui {

class Translations {
 public:
  // Loads and installs them into the running application (a QCoreApplication must exist).
  explicit Translations(const QLocale& locale = QLocale());
  // Removes what it installed.
  ~Translations();
  Translations(const Translations&) = delete;
  Translations& operator=(const Translations&) = delete;

  // Whether Glimpse's own translation for the locale is installed (never for English).
  bool hasAppTranslation() const { return m_appInstalled; }
  // Whether the English plural forms are installed (they are built into the program).
  bool hasEnglishPlurals() const { return m_pluralsInstalled; }

 private:
  QTranslator m_qt, m_englishPlurals, m_app;
  bool m_qtInstalled = false, m_pluralsInstalled = false, m_appInstalled = false;
};

}  // namespace glimpse::ui
