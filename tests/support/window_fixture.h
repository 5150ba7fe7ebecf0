#pragma once
// The main window as the widget tests set it up: settings and XDG folders in a temporary
// directory, the tiny reference model for every task, models folders of their own, a library of
// the test's photos. No torch: the window loads the engine as the app does.
#include <gtest/gtest.h>

#include <QElapsedTimer>
#include <QLocale>
#include <QSize>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>
#include <QTest>
#include <memory>

namespace glimpse::ui {
class MainWindow;
class Translations;
}  // namespace glimpse::ui

namespace glimpse::test {

// The tiny reference model (every head): tests/data/tiny.
QString tinyModelDir();

// Serves events until pred() holds or `ms` have passed; returns pred().
template <typename Pred>
bool waitUntil(Pred pred, int ms = 30000) {
  QElapsedTimer t;
  t.start();
  while (!pred() && t.elapsed() < ms) QTest::qWait(20);
  return pred();
}

// The tiny model for every task, for this session only (as --caption-model etc. do).
void useTinyModels(ui::MainWindow& w);

// useTinyModels, then the window shown (at `size` where given).
void showWithTinyModels(ui::MainWindow& w, QSize size = {});

// A copy of the tiny model's files in `to` (made as needed); `weights` replaces its
// model.safetensors. Returns `to`; a file that cannot be copied fails the test.
QString copyTinyModel(const QString& to, const QString& weights = {});

// GLIMPSE_MODELS_DIR set to a temporary folder while this lives.
class ScopedModelsDir {
 public:
  ScopedModelsDir();
  ~ScopedModelsDir();
  ScopedModelsDir(const ScopedModelsDir&) = delete;
  ScopedModelsDir& operator=(const ScopedModelsDir&) = delete;
  // The models folder (not made yet).
  QString models() const;
  // A path in the temporary folder, beside the models folder.
  QString filePath(const QString& name) const;

 private:
  QTemporaryDir m_dir;
};

// Opens `file` as the window's library on the Library page and waits until that library is open
// (the app's own library may still be opening).
::testing::AssertionResult openLibrary(ui::MainWindow& w, const QString& file);

// Adds `folders` to the open library, waiting for each.
::testing::AssertionResult addLibraryFolders(ui::MainWindow& w, const QStringList& folders);

// Starts indexing the open library and waits until the job has finished.
::testing::AssertionResult indexLibrary(ui::MainWindow& w);

// The interface in the language of `locale` while this lives, as glimpse-photos runs under
// LANG=de_DE.UTF-8: QLocale's default and the app's translations for it. Widgets made before it
// keep their texts.
class ScopedLocale {
 public:
  explicit ScopedLocale(const QLocale& locale);
  ~ScopedLocale();
  ScopedLocale(const ScopedLocale&) = delete;
  ScopedLocale& operator=(const ScopedLocale&) = delete;
  // Whether Glimpse has its own translation for the locale (none for English).
  bool translated() const;

 private:
  QLocale m_previous;
  std::unique_ptr<ui::Translations> m_translations;
};

// main() of a widget test program: offscreen unless a platform is set, the XDG folders in a
// temporary directory (so the person's settings, models and library are never touched),
// QSettings of organisation and application "GlimpseTests", and the translations the app installs
// for the locale (ui/translations.h).
int runWidgetTests(int argc, char** argv);

}  // namespace glimpse::test
