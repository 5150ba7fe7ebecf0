// What the app keeps between runs, driven through the window offscreen: command-line model
// folders never reach the saved settings; the Images list, captions and chats come back after a
// restart; indexing state and counts survive a restart.
#include <gtest/gtest.h>

#include <QApplication>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStatusBar>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <optional>

#include "imagespage.h"
#include "inference/inferenceclient.h"
#include "io/files.h"
#include "librarypage.h"
#include "mainwindow.h"
#include "modelsdialog.h"
#include "settingsdialog.h"
#include "window_fixture.h"

using namespace glimpse::ui;
using glimpse::Task;
using glimpse::inference::InferenceClient;
using glimpse::inference::JobProgress;
using glimpse::inference::JobSummary;
using namespace glimpse::test;

namespace {

const QString kTinyModel = tinyModelDir();

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

// Folders given with --caption-model / --ask-model are this session's: neither the Settings
// dialog's OK (which changed only the threads) nor removing a model in the Models dialog writes
// them, or anything else about those tasks, into the saved settings.
TEST(SessionOverrides, NoActionSavesACommandLineFolder) {
  QSettings().clear();
  ScopedModelsDir dir;
  const QString mine = copyTinyModel(dir.filePath("models/mine"));
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
  QSettings().clear();
}

QPushButton* buttonNamed(QWidget* parent, const QString& text) {
  for (auto* b : parent->findChildren<QPushButton*>())
    if (b->text() == text) return b;
  return nullptr;
}

// Pause stops after the photo in flight; the next start shows the index paused (not running, not
// forgotten), Resume continues it and counts the whole library, and an index with nothing new
// says so next to a full bar.
TEST(SessionIndexing, APausedIndexStaysPausedAcrossARestart) {
  QSettings().clear();
  QTemporaryDir dir;
  constexpr int kPhotos = 150;
  QDir().mkpath(dir.filePath("photos"));
  for (int i = 0; i < kPhotos; ++i)
    QFile::copy(kTinyModel + "/images/grad_97x61.png", dir.filePath(QStringLiteral("photos/g%1.png").arg(i)));
  const QString db = dir.filePath("lib.glimpse");
  int doneAtPause = 0;
  {
    MainWindow w;
    showWithTinyModels(w);
    auto* lib = w.libraryPage();
    QSignalSpy opened(w.client(), &InferenceClient::libraryOpened);
    lib->openLibrary(db);
    lib->addFolder(dir.filePath("photos"));
    ASSERT_TRUE(waitUntil([&] { return opened.size() >= 3; }));  // the app's library, this one, the folder
    QSignalSpy progress(w.client(), &InferenceClient::jobProgress);
    lib->startOrPauseIndexing();
    ASSERT_TRUE(waitUntil([&] { return !progress.isEmpty() && progress.last()[1].value<JobProgress>().done > 0; }));
    lib->startOrPauseIndexing();  // Pause
    ASSERT_TRUE(waitUntil([&] { return lib->indexState() == LibraryPage::IndexState::Paused; }));
    doneAtPause = progress.last()[1].value<JobProgress>().done;
    EXPECT_LT(doneAtPause, kPhotos);
    EXPECT_FALSE(QSettings().value("library/indexing").toBool());
  }
  MainWindow w;
  showWithTinyModels(w);
  auto* lib = w.libraryPage();
  QSignalSpy opened(w.client(), &InferenceClient::libraryOpened);
  lib->openLibrary(db);
  const auto progressText = [&] {
    for (QLabel* l : lib->findChildren<QLabel*>())
      if (l->text().startsWith(QStringLiteral("Paused at")) || l->text().startsWith(QStringLiteral("Done")) ||
          l->text().startsWith(QStringLiteral("Up to date")))
        return l->text();
    return QString();
  };
  ASSERT_TRUE(waitUntil([&] {
    return progressText().endsWith(QStringLiteral("of 150 photos; everything done is saved."));
  })) << progressText().toStdString();
  EXPECT_EQ(lib->indexState(), LibraryPage::IndexState::Paused);  // not running by itself
  EXPECT_TRUE(progressText().startsWith(QStringLiteral("Paused at %1 ").arg(doneAtPause)))
      << progressText().toStdString();
  QDir().mkpath(QStringLiteral(GLIMPSE_BUILD_DIR "/screenshots"));
  w.showLibrary();
  w.grab().save(QStringLiteral(GLIMPSE_BUILD_DIR "/screenshots/session_paused_after_restart.png"));
  QPushButton* resume = buttonNamed(lib, QStringLiteral("Resume"));
  ASSERT_TRUE(resume);
  QSignalSpy progress(w.client(), &InferenceClient::jobProgress);
  QSignalSpy finished(w.client(), &InferenceClient::jobFinished);
  QTest::mouseClick(resume, Qt::LeftButton);
  ASSERT_TRUE(finished.wait(120000));
  for (const auto& p : progress) {
    const auto jp = p[1].value<JobProgress>();
    if (jp.total == 0) continue;   // scanning
    EXPECT_EQ(jp.total, kPhotos);  // the library, not what was left
    EXPECT_GE(jp.done, doneAtPause);
  }
  const auto summary = finished[0][1].value<JobSummary>();
  EXPECT_EQ(summary.done, kPhotos - doneAtPause);
  auto* bar = lib->findChild<QProgressBar*>();
  ASSERT_TRUE(bar);
  EXPECT_EQ(bar->value(), bar->maximum());
  EXPECT_EQ(progressText(), (kPhotos - doneAtPause == 1 ? QStringLiteral("Done: %1 photo indexed.")
                                                        : QStringLiteral("Done: %1 photos indexed."))
                                .arg(kPhotos - doneAtPause));
  // Nothing new: said in words next to a full bar, never "Done: 0 photos" at 0%.
  lib->startOrPauseIndexing();
  ASSERT_TRUE(finished.wait(60000));
  EXPECT_EQ(progressText(), QStringLiteral("Up to date: all 150 photos are searchable."));
  EXPECT_EQ(bar->value(), bar->maximum());
  EXPECT_GT(bar->maximum(), 1);
  QSettings().clear();
}

QStringList g_warnings;
void keepWarnings(QtMsgType type, const QMessageLogContext&, const QString& message) {
  if (type == QtWarningMsg) g_warnings << message;
}

// The Images list, its captions (with the settings that made them), chats and selection come back
// after a restart; a photo deleted meanwhile is dropped with a note; a damaged session file is
// set aside with a log line and the window starts empty.
TEST(Session, ImagesCaptionsAndChatsSurviveARestart) {
  QTemporaryDir dir;
  QStringList photos;
  for (const char* n : {"grad_97x61.png", "gray_50x80.png", "photo_120x90.jpg"}) {  // as the list sorts them
    photos << dir.filePath(QString::fromLatin1(n));
    ASSERT_TRUE(QFile::copy(kTinyModel + "/images/" + n, photos.back())) << n;
  }
  const QString file = dir.filePath("state/Glimpse/session.json");
  QString path0, path1, caption0, caption1, parameters0;
  QList<QPair<QString, QString>> chat1;
  {
    MainWindow w;
    useTinyModels(w);
    w.restoreSession(file);  // no file yet: the first start
    w.show();
    auto* page = w.imagesPage();
    QSignalSpy ready(w.client(), &InferenceClient::captionReady);
    ASSERT_EQ(w.addPaths(photos), 3);
    ASSERT_TRUE(waitUntil([&] { return !page->model()->item(0).caption.isEmpty(); }));  // the selected one
    page->selectRow(1);
    ASSERT_TRUE(waitUntil([&] { return !page->model()->item(1).caption.isEmpty(); }));
    auto* question = page->findChild<QLineEdit*>(QString(), Qt::FindChildrenRecursively);
    for (auto* e : page->findChildren<QLineEdit*>())
      if (e->accessibleName() == QStringLiteral("Question")) question = e;
    question->setText(QStringLiteral("what color is it?"));
    page->askQuestion();
    ASSERT_TRUE(waitUntil([&] {
      const auto& c = page->model()->item(1).chat;
      return !c.isEmpty() && !c.back().second.isEmpty();
    }));
    path0 = page->model()->item(0).path;
    path1 = page->model()->item(1).path;
    caption0 = page->model()->item(0).caption;
    caption1 = page->model()->item(1).caption;
    parameters0 = page->model()->item(0).captionParameters;
    chat1 = page->model()->item(1).chat;
    w.close();
  }
  EXPECT_TRUE(parameters0.contains(QStringLiteral("\"num_beams\""))) << parameters0.toStdString();
  ASSERT_TRUE(QFileInfo::exists(file));
  ASSERT_TRUE(QFile::remove(photos[2]));  // deleted while Glimpse was closed (sorted last)
  {
    MainWindow w;
    useTinyModels(w);
    QSignalSpy requests(w.client(), &InferenceClient::captionReady);
    w.restoreSession(file);
    w.show();
    auto* model = w.imagesPage()->model();
    ASSERT_EQ(model->rowCount(), 2);
    EXPECT_EQ(model->item(0).path, path0);
    EXPECT_EQ(model->item(1).path, path1);
    EXPECT_EQ(model->item(0).caption, caption0);
    EXPECT_EQ(model->item(0).captionParameters, parameters0);
    EXPECT_EQ(model->item(1).caption, caption1);
    EXPECT_EQ(model->item(1).chat, chat1);
    EXPECT_EQ(w.imagesPage()->currentPath(), path1);  // selected as it was left
    EXPECT_FALSE(model->item(1).working);             // a kept caption is not made again
    EXPECT_TRUE(w.statusBar()->currentMessage().contains(QStringLiteral("photo_120x90.jpg")))
        << w.statusBar()->currentMessage().toStdString();
    w.grab().save(QStringLiteral(GLIMPSE_BUILD_DIR "/screenshots/session_restored.png"));
    QTest::qWait(200);
    EXPECT_TRUE(requests.isEmpty());
  }
  // A damaged file: ignored with a log line, kept aside, never a crash.
  QFile bad(file);
  ASSERT_TRUE(bad.open(QIODevice::WriteOnly | QIODevice::Truncate));
  bad.write("{\"version\": 1, \"images\": [{\"path\": ");
  bad.close();
  g_warnings.clear();
  const auto previous = qInstallMessageHandler(keepWarnings);
  {
    MainWindow w;
    w.restoreSession(file);
    EXPECT_EQ(w.imagesPage()->model()->rowCount(), 0);
  }
  qInstallMessageHandler(previous);
  EXPECT_TRUE(QFileInfo::exists(file + ".bad"));
  EXPECT_FALSE(QFileInfo::exists(file));
  EXPECT_TRUE(std::any_of(g_warnings.begin(), g_warnings.end(), [](const QString& m) {
    return m.contains(QStringLiteral("ignoring the session file"));
  })) << g_warnings.join('\n').toStdString();
}

// The session is on disk shortly after each change while the window stays open, so a crash loses
// at most the last moments: images added and removed, a caption with its self-check, a chat
// answer, the selection. A window started from that file shows the scores beside the caption
// again. A damaged file is still set aside, and the next change writes a fresh session.
// What a caption was made of comes from the file as integers; numbers out of range (a damaged
// file) count as not known, and the caption itself still loads.
TEST(Session, CaptionFileNumbersOutOfRangeAreIgnored) {
  const auto load = [](const char* size, const char* mtime) {
    const QByteArray json = QByteArray(R"({"version":)") + QByteArray::number(kSessionVersion) +
                            R"(,"images":[{"path":"/p/a.jpg","caption":"a dog","caption_file":{"size":)" + size +
                            R"(,"mtime_ms":)" + mtime + "}}]}";
    const Session s = sessionFromJson(json);
    EXPECT_EQ(s.images.size(), 1u);
    return s.images.empty() ? SessionImage{} : s.images.front();
  };
  const SessionImage ok = load("1234", "1700000000123");
  EXPECT_EQ(ok.caption, QStringLiteral("a dog"));
  EXPECT_EQ(ok.captionSize, 1234);
  EXPECT_EQ(ok.captionMtimeMs, 1700000000123);
  for (const auto& [size, mtime] : {std::pair{"1e300", "1700000000123"}, std::pair{"1234", "-1e300"},
                                    std::pair{"1234", "\"x\""}, std::pair{"-5", "1700000000123"}}) {
    const SessionImage bad = load(size, mtime);
    EXPECT_EQ(bad.caption, QStringLiteral("a dog")) << size << " " << mtime;
    EXPECT_EQ(bad.captionSize, -1) << size << " " << mtime;
    EXPECT_EQ(bad.captionMtimeMs, -1) << size << " " << mtime;
  }
}

TEST(Session, SavedAsItChangesWithTheSelfCheck) {
  QTemporaryDir dir;
  QStringList photos;
  for (const char* n : {"grad_97x61.png", "gray_50x80.png"}) {  // as the list sorts them
    photos << dir.filePath(QString::fromLatin1(n));
    ASSERT_TRUE(QFile::copy(kTinyModel + "/images/" + n, photos.back())) << n;
  }
  const QString file = dir.filePath("state/Glimpse/session.json");
  // The file as a reader finds it now; nothing while it is missing or not a session.
  const auto onDisk = [](const QString& f) -> std::optional<Session> {
    try {
      return sessionFromJson(glimpse::io::readRegularFile(f, 1 << 20));
    } catch (const std::exception&) {
      return std::nullopt;
    }
  };
  ImageItem shown;
  QString checkText;
  QByteArray crashed;  // the file as it was while the window was still open
  {
    MainWindow w;
    useTinyModels(w);
    w.restoreSession(file);
    w.show();
    auto* page = w.imagesPage();
    ASSERT_EQ(w.addPaths(photos), 2);
    ASSERT_TRUE(waitUntil([&] { return onDisk(file) && onDisk(file)->images.size() == 2; }));
    // The selected photo is captioned and checked by the search model.
    ASSERT_TRUE(waitUntil([&] { return !page->model()->item(0).caption.isEmpty(); }));
    ASSERT_GE(page->model()->item(0).itm, 0.0);
    ASSERT_TRUE(page->checkLabel()->isVisibleTo(page));
    checkText = page->checkLabel()->text();
    EXPECT_TRUE(checkText.startsWith(QStringLiteral("Match "))) << checkText.toStdString();
    ASSERT_TRUE(waitUntil([&] {
      const auto s = onDisk(file);
      return s && s->images.size() == 2 && s->images[0].caption == page->model()->item(0).caption;
    }));
    {
      const Session s = *onDisk(file);
      const ImageItem& it = page->model()->item(0);
      EXPECT_EQ(s.images[0].path, it.path);
      EXPECT_EQ(s.images[0].itm, it.itm);
      EXPECT_EQ(s.images[0].itc, it.itc);
      EXPECT_EQ(s.images[0].regenerated, it.regenerated);
      EXPECT_EQ(s.images[0].captionParameters, it.captionParameters);
      EXPECT_EQ(s.images[1].itm, -1.0);  // not captioned, not checked
      EXPECT_EQ(s.current, 0);
    }
    // A chat answer.
    for (auto* e : page->findChildren<QLineEdit*>())
      if (e->accessibleName() == QStringLiteral("Question")) e->setText(QStringLiteral("what color is it?"));
    page->askQuestion();
    ASSERT_TRUE(waitUntil([&] {
      const auto s = onDisk(file);
      return s && !s->images[0].chat.isEmpty();
    }));
    EXPECT_EQ(onDisk(file)->images[0].chat, page->model()->item(0).chat);
    EXPECT_FALSE(onDisk(file)->images[0].chat[0].second.isEmpty());
    // A photo removed from the list.
    page->selectRow(1);
    page->removeSelected();
    ASSERT_EQ(page->model()->rowCount(), 1);
    ASSERT_TRUE(waitUntil([&] { return onDisk(file) && onDisk(file)->images.size() == 1; }));
    shown = page->model()->item(0);
    crashed = glimpse::io::readRegularFile(file, 1 << 20);
  }
  // A start from the file as it was before the window went away.
  const QString after = dir.filePath("after/session.json");
  QDir().mkpath(QFileInfo(after).absolutePath());
  glimpse::io::writeFile(after, crashed);
  {
    MainWindow w;
    useTinyModels(w);
    w.restoreSession(after);
    w.show();
    auto* page = w.imagesPage();
    ASSERT_EQ(page->model()->rowCount(), 1);
    const ImageItem& it = page->model()->item(0);
    EXPECT_EQ(it.path, shown.path);
    EXPECT_EQ(it.caption, shown.caption);
    EXPECT_EQ(it.itm, shown.itm);
    EXPECT_EQ(it.itc, shown.itc);
    EXPECT_EQ(it.chat, shown.chat);
    EXPECT_FALSE(it.working);  // not captioned again
    ASSERT_TRUE(page->checkLabel()->isVisibleTo(page));
    EXPECT_EQ(page->checkLabel()->text(), checkText);
    QDir().mkpath(QStringLiteral(GLIMPSE_BUILD_DIR "/screenshots"));
    w.grab().save(QStringLiteral(GLIMPSE_BUILD_DIR "/screenshots/session_scores_restored.png"));
  }
  // A damaged file: set aside, and the next change writes a fresh session; the damaged one stays.
  const QByteArray damaged = "{\"version\": 1, \"images\": [{\"path\": ";
  glimpse::io::writeFile(file, damaged);
  {
    MainWindow w;
    w.restoreSession(file);
    EXPECT_EQ(w.imagesPage()->model()->rowCount(), 0);
    EXPECT_FALSE(QFileInfo::exists(file));
    ASSERT_EQ(w.addPaths({photos[1]}), 1);
    ASSERT_TRUE(waitUntil([&] { return onDisk(file).has_value(); }));
    ASSERT_EQ(onDisk(file)->images.size(), 1);
    EXPECT_EQ(onDisk(file)->images[0].path, photos[1]);
  }
  EXPECT_EQ(glimpse::io::readRegularFile(file + ".bad", 1 << 20), damaged);
}

// Tools → Models → Import folder with a large checkpoint: the window keeps working while it copies
// (the progress bar moves, events are served), Stop removes the partial copy, a second try lands.
TEST(ModelsImport, ALargeFolderCopiesWhileTheWindowWorks) {
  ScopedModelsDir dir;
  const QString src = copyTinyModel(dir.filePath("big-blip"));
  const QString bigFile = src + "/extra_weights.bin";
  // The stopped import copies 8 GiB, a sparse file (no disk space until copied), so that it cannot
  // finish before the click however loaded the machine: with 160 MB it once did (0.2 s), and the
  // wait for "stopped" ran out. Stopped within a few hundred MB, it writes no more than that.
  {
    QFile big(bigFile);
    ASSERT_TRUE(big.open(QIODevice::WriteOnly));
    ASSERT_TRUE(big.resize(qint64{8} << 30));
  }
  MainWindow w;
  showWithTinyModels(w);
  w.openModels();
  auto* dialog = w.findChild<ModelsDialog*>();
  ASSERT_TRUE(dialog);
  auto* bar = dialog->findChild<QProgressBar*>();
  auto* stop = buttonNamed(dialog, QStringLiteral("&Stop import"));
  EXPECT_FALSE(stop);  // only while importing
  dialog->importFolder(src);
  stop = buttonNamed(dialog, QStringLiteral("&Stop import"));
  ASSERT_TRUE(stop);
  EXPECT_TRUE(stop->isEnabled());
  EXPECT_TRUE(bar->isVisible());
  // The GUI thread serves events mid-copy: the bar moves while the copy is not done. Stop at once:
  // on a loaded machine even grabbing the dialog for a screenshot took long enough for the whole
  // copy to finish before the click (the screenshot comes from the second import below).
  ASSERT_TRUE(waitUntil([&] { return bar->maximum() == 1000 && bar->value() > 0; }, 60000));
  EXPECT_LT(bar->value(), 1000);
  QTest::mouseClick(stop, Qt::LeftButton);
  const auto statusText = [&] {
    for (QLabel* l : dialog->findChildren<QLabel*>())
      if (l->text().startsWith(QStringLiteral("Import")) || l->text().startsWith(QStringLiteral("Cannot")))
        return l->text();
    return QString();
  };
  ASSERT_TRUE(waitUntil([&] { return statusText().contains(QStringLiteral("stopped")); }, 60000))
      << statusText().toStdString();
  EXPECT_FALSE(QFileInfo::exists(dir.filePath("models/big-blip")));
  EXPECT_FALSE(QFileInfo::exists(dir.filePath("models/big-blip.download")));
  EXPECT_FALSE(bar->isVisible());
  // The second import, of 160 MB of weights, lands.
  {
    QFile big(bigFile);
    ASSERT_TRUE(big.open(QIODevice::WriteOnly | QIODevice::Truncate));
    QByteArray block(1 << 20, 'w');
    for (int i = 0; i < 160; ++i) {
      block[0] = static_cast<char>(i);
      ASSERT_EQ(big.write(block), block.size());
    }
  }
  dialog->importFolder(src);
  if (waitUntil([&] { return (bar->maximum() == 1000 && bar->value() > 0) || !bar->isVisible(); }, 60000))
    dialog->grab().save(QStringLiteral(GLIMPSE_BUILD_DIR "/screenshots/models_import_progress.png"));
  ASSERT_TRUE(waitUntil([&] { return statusText().startsWith(QStringLiteral("Imported")); }, 120000))
      << statusText().toStdString();
  EXPECT_EQ(QFileInfo(dir.filePath("models/big-blip/extra_weights.bin")).size(), qint64{160} << 20);
  dialog->reject();
}

}  // namespace
