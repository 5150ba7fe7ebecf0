#include "window_fixture.h"

#include <QApplication>
#include <QDir>
#include <QFile>
#include <QSignalSpy>

#include "inference/inferenceclient.h"
#include "librarypage.h"
#include "mainwindow.h"
#include "translations.h"

namespace glimpse::test {

using glimpse::inference::InferenceClient;

QString tinyModelDir() {
  return QStringLiteral(GLIMPSE_TEST_DATA_DIR "/tiny");
}

void useTinyModels(ui::MainWindow& w) {
  for (Task t : kTasks) w.settingsStore()->overrideModel(t, tinyModelDir());
}

void showWithTinyModels(ui::MainWindow& w, QSize size) {
  useTinyModels(w);
  if (size.isValid()) w.resize(size);
  w.show();
}

QString copyTinyModel(const QString& to, const QString& weights) {
  QDir().mkpath(to);
  for (const char* n : {"config.json", "preprocessor_config.json", "vocab.txt", "added_tokens.json",
                        "special_tokens_map.json", "tokenizer_config.json"})
    EXPECT_TRUE(QFile::copy(tinyModelDir() + "/" + n, to + "/" + n)) << n << " to " << to.toStdString();
  const QString from = weights.isEmpty() ? tinyModelDir() + "/model.safetensors" : weights;
  EXPECT_TRUE(QFile::copy(from, to + "/model.safetensors")) << from.toStdString() << " to " << to.toStdString();
  return to;
}

ScopedModelsDir::ScopedModelsDir() {
  qputenv("GLIMPSE_MODELS_DIR", models().toUtf8());
}

ScopedModelsDir::~ScopedModelsDir() {
  qunsetenv("GLIMPSE_MODELS_DIR");
}

QString ScopedModelsDir::models() const {
  return m_dir.filePath(QStringLiteral("models"));
}

QString ScopedModelsDir::filePath(const QString& name) const {
  return m_dir.filePath(name);
}

::testing::AssertionResult openLibrary(ui::MainWindow& w, const QString& file) {
  w.showLibrary();
  QSignalSpy opened(w.client(), &InferenceClient::libraryOpened);
  w.libraryPage()->openLibrary(file);
  const bool open = waitUntil([&] {
    for (const auto& args : opened)
      if (args[1].value<glimpse::inference::LibraryInfo>().path == file) return true;
    return false;
  });
  if (!open) return ::testing::AssertionFailure() << "the library " << file.toStdString() << " did not open";
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult addLibraryFolders(ui::MainWindow& w, const QStringList& folders) {
  for (const QString& folder : folders) {
    QSignalSpy opened(w.client(), &InferenceClient::libraryOpened);
    w.libraryPage()->addFolder(folder);
    if (!opened.wait(10000))
      return ::testing::AssertionFailure() << "adding the folder " << folder.toStdString() << " was not answered";
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult indexLibrary(ui::MainWindow& w) {
  QSignalSpy finished(w.client(), &InferenceClient::jobFinished);
  w.libraryPage()->startOrPauseIndexing();
  if (!finished.wait(30000)) return ::testing::AssertionFailure() << "indexing did not finish";
  return ::testing::AssertionSuccess();
}

ScopedLocale::ScopedLocale(const QLocale& locale) : m_previous(QLocale()) {
  QLocale::setDefault(locale);
  m_translations = std::make_unique<ui::Translations>(locale);
}

ScopedLocale::~ScopedLocale() {
  m_translations.reset();
  QLocale::setDefault(m_previous);
}

bool ScopedLocale::translated() const {
  return m_translations->hasAppTranslation();
}

int runWidgetTests(int argc, char** argv) {
  // Widget tests run offscreen (also when ctest lists them, before its environment applies).
  if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
  QTemporaryDir home;
  qputenv("XDG_CONFIG_HOME", home.filePath("config").toUtf8());
  qputenv("XDG_DATA_HOME", home.filePath("data").toUtf8());
  qputenv("XDG_CACHE_HOME", home.filePath("cache").toUtf8());
  qputenv("XDG_STATE_HOME", home.filePath("state").toUtf8());
  QApplication app(argc, argv);
  QApplication::setOrganizationName(QStringLiteral("GlimpseTests"));
  QApplication::setApplicationName(QStringLiteral("GlimpseTests"));
  // The translations the app installs: English counts read "1 photo", "3 photos".
  const ui::Translations translations;
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}

}  // namespace glimpse::test
