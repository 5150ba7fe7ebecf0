// What the app keeps between runs, driven through the window offscreen: command-line model
// folders never reach the saved settings; the Images list, captions and chats come back after a
// restart; indexing state and counts survive a restart.
#include <gtest/gtest.h>

#include <QApplication>
#include <QDir>
#include <QFile>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include "inference/inferenceclient.h"
#include "mainwindow.h"
#include "modelsdialog.h"
#include "settingsdialog.h"

using namespace glimpse::ui;
using glimpse::Task;

namespace {

const QString kTinyModel = QStringLiteral(GLIMPSE_TEST_DATA_DIR "/tiny");

template <typename Pred>
bool waitFor(Pred pred, int ms = 30000) {
  QElapsedTimer t;
  t.start();
  while (!pred() && t.elapsed() < ms) QTest::qWait(20);
  return pred();
}

// Runs `act` on the next modal dialog of type D once it shows.
template <typename D, typename F>
void whenShown(F act) {
  auto* timer = new QTimer;
  timer->setInterval(20);
  QObject::connect(timer, &QTimer::timeout, [timer, act] {
    for (QWidget* w : QApplication::topLevelWidgets())
      if (auto* d = qobject_cast<D*>(w); d && d->isVisible()) {
        timer->stop();
        timer->deleteLater();
        act(d);
        return;
      }
  });
  timer->start();
}

void copyTinyModel(const QString& to) {
  QDir().mkpath(to);
  for (const char* n : {"config.json", "preprocessor_config.json", "vocab.txt", "added_tokens.json", "model.safetensors"})
    ASSERT_TRUE(QFile::copy(kTinyModel + "/" + n, to + "/" + n)) << n;
}

// Folders given with --caption-model / --ask-model are this session's: neither the Settings
// dialog's OK (which changed only the threads) nor removing a model in the Models dialog writes
// them, or anything else about those tasks, into the saved settings.
TEST(SessionOverrides, NoActionSavesACommandLineFolder) {
  QSettings().clear();
  QTemporaryDir dir;
  qputenv("GLIMPSE_MODELS_DIR", dir.filePath("models").toUtf8());
  const QString mine = dir.filePath("models/mine");
  copyTinyModel(mine);
  {
    MainWindow w;
    auto* store = w.settingsStore();
    store->setModel(Task::Ask, kTinyModel);  // saved earlier by the person
    // As main.cpp passes them: an absolute path, here one that ends in a space, and a model that
    // is installed in the models folder.
    store->overrideModel(Task::Caption, QStringLiteral("/broken/folder "));
    store->overrideModel(Task::Ask, mine);
    w.show();

    whenShown<SettingsDialog>([](SettingsDialog* d) {
      d->findChild<QSpinBox*>()->setValue(1);  // the threads: the only change
      d->accept();
    });
    w.openSettings();
    EXPECT_EQ(store->current().threads, 1);
    EXPECT_EQ(store->current().model(Task::Caption), QStringLiteral("/broken/folder "));
    EXPECT_EQ(store->current().model(Task::Ask), mine);
    AppSettings saved = AppSettings::loadSaved();
    EXPECT_EQ(saved.threads, 1);
    EXPECT_TRUE(saved.model(Task::Caption).isEmpty()) << saved.model(Task::Caption).toStdString();
    EXPECT_EQ(saved.model(Task::Ask), kTinyModel);

    // Models → Remove of the folder the command line gave for questions: the session goes back
    // to the saved folder, which stays saved; the caption override is untouched.
    w.openModels();
    auto* models = w.findChild<ModelsDialog*>();
    ASSERT_TRUE(models);
    int row = -1;
    for (int r = 0; r < models->table()->rowCount(); ++r)
      if (models->table()->item(r, 0)->text() == QStringLiteral("mine")) row = r;
    ASSERT_GE(row, 0);
    models->table()->selectRow(row);
    whenShown<QMessageBox>([](QMessageBox* box) { box->button(QMessageBox::Yes)->click(); });
    models->removeSelected();
    EXPECT_FALSE(QFileInfo::exists(mine));
    EXPECT_EQ(store->current().model(Task::Ask), kTinyModel);
    EXPECT_EQ(store->current().model(Task::Caption), QStringLiteral("/broken/folder "));
    saved = AppSettings::loadSaved();
    EXPECT_EQ(saved.model(Task::Ask), kTinyModel);
    EXPECT_TRUE(saved.model(Task::Caption).isEmpty());
    models->reject();
  }
  // The next start runs with what was saved, and nothing of the command line.
  const AppSettings next = glimpse::SettingsStore().current();
  EXPECT_TRUE(next.model(Task::Caption).isEmpty());
  EXPECT_EQ(next.model(Task::Ask), kTinyModel);
  qunsetenv("GLIMPSE_MODELS_DIR");
  QSettings().clear();
}

}  // namespace
