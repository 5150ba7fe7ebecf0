#include "translations.h"

#include <QCoreApplication>
#include <QLibraryInfo>

namespace glimpse::ui {

Translations::Translations(const QLocale& locale) {
  if (m_qt.load(locale, QStringLiteral("qtbase"), QStringLiteral("_"),
                QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
    m_qtInstalled = QCoreApplication::installTranslator(&m_qt);
  // The resources of glimpse_ui (qt_add_translations in ui/CMakeLists.txt).
  if (m_englishPlurals.load(QStringLiteral(":/i18n/glimpse_en.qm")))
    m_pluralsInstalled = QCoreApplication::installTranslator(&m_englishPlurals);
  if (locale.language() != QLocale::English &&
      m_app.load(locale, QStringLiteral("glimpse"), QStringLiteral("_"), QStringLiteral(":/i18n")))
    m_appInstalled = QCoreApplication::installTranslator(&m_app);
}

Translations::~Translations() {
  if (m_appInstalled) QCoreApplication::removeTranslator(&m_app);
  if (m_pluralsInstalled) QCoreApplication::removeTranslator(&m_englishPlurals);
  if (m_qtInstalled) QCoreApplication::removeTranslator(&m_qt);
}

}  // namespace glimpse::ui
