// First run, model changes, a library in a place that cannot be written, caption states and
// visible errors, driven offscreen as a person meets them (issue 15, items 1-6).
#include <gtest/gtest.h>

#include <QApplication>
#include <QDir>
#include <QFile>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBrowser>
#include <QTextDocument>

#include "../models/hubserver.h"
#include "imagespage.h"
#include "inference/inferenceclient.h"
#include "library/librarydatabase.h"
#include "librarypage.h"
#include "mainwindow.h"
#include "messagebar.h"
#include "models/modelstore.h"
#include "modelsdialog.h"
#include "settingsdialog.h"
#include "window_fixture.h"

// Readable failures.
inline void PrintTo(const QString& s, std::ostream* os) {
  *os << '"' << s.toStdString() << '"';
}

using namespace glimpse::ui;
using glimpse::Task;
using glimpse::inference::InferenceClient;
using glimpse::inference::JobState;
using glimpse::inference::JobSummary;
using namespace glimpse::test;

namespace {

const QString kTiny = tinyModelDir();
const QString kShots = QStringLiteral(GLIMPSE_BUILD_DIR "/screenshots");

void shot(QWidget* w, const QString& name) {
  QDir().mkpath(kShots);
  w->grab().save(kShots + "/" + name + ".png");
}

int rowOf(QTableWidget* table, const QString& name) {
  for (int r = 0; r < table->rowCount(); ++r)
    if (table->item(r, 0)->text() == name) return r;
  return -1;
}

void clearSavedModels() {
  QSettings s;
  s.clear();
}

// Item 1: the first-run page offers the recommended set in one click with its size; buttons are
// enabled only when a click does something; an empty failed download is not "Partly downloaded".
TEST(FirstRun, RecommendedSetInOneClickAndHonestButtons) {
  clearSavedModels();
  ScopedModelsDir md;
  // Two of the recommended set are on disk already; the Hub serves the third.
  copyTinyModel(md.models() + "/Salesforce/blip-image-captioning-base");
  copyTinyModel(md.models() + "/Salesforce/blip-vqa-base");
  const QString served = copyTinyModel(md.filePath("served"));
  HubServer server(served);
  server.repo = QStringLiteral("Salesforce/blip-itm-base-coco");
  qputenv("HF_ENDPOINT", server.endpoint().toUtf8());
  // A download that failed before its first byte, and one that stopped part way.
  QDir().mkpath(md.models() + "/Salesforce/blip-vqa-capfilt-large.download");
  QDir().mkpath(md.models() + "/Salesforce/blip-itm-large-coco.download");
  {
    QFile part(md.models() + "/Salesforce/blip-itm-large-coco.download/model.safetensors.part");
    ASSERT_TRUE(part.open(QIODevice::WriteOnly));
    part.write(QByteArray(2000, 'x'));
  }

  MainWindow w;
  w.show();
  EXPECT_EQ(w.statusBar()->currentMessage(),
            QStringLiteral("No models yet: download or import them in Tools → Models."));
  bool modelsInTools = false;
  for (QAction* menu : w.menuBar()->actions())
    if (menu->text() == QStringLiteral("&Tools"))
      for (QAction* a : menu->menu()->actions())
        modelsInTools = modelsInTools || a->text() == QStringLiteral("&Models…");
  EXPECT_TRUE(modelsInTools);
  ModelsDialog* dialog = nullptr;
  ASSERT_TRUE(waitUntil([&] { return (dialog = w.findChild<ModelsDialog*>()) && dialog->isVisible(); }, 5000));
  QTableWidget* table = dialog->table();
  // Nothing selected: no button pretends to do something.
  EXPECT_TRUE(table->selectionModel()->selectedRows().isEmpty());
  EXPECT_FALSE(dialog->downloadButton()->isEnabled());
  EXPECT_FALSE(dialog->useButton()->isEnabled());
  EXPECT_FALSE(dialog->removeButton()->isEnabled());
  // Statuses: installed, partly downloaded with its size, and nothing for the empty failed one.
  EXPECT_EQ(table->item(rowOf(table, "Salesforce/blip-vqa-base"), 3)->text(), QStringLiteral("Installed"));
  EXPECT_EQ(table->item(rowOf(table, "Salesforce/blip-vqa-capfilt-large"), 3)->text(), QString());
  EXPECT_TRUE(table->item(rowOf(table, "Salesforce/blip-itm-large-coco"), 3)->text().startsWith("Partly downloaded ("));
  // Selecting rows enables what applies.
  table->selectRow(rowOf(table, "Salesforce/blip-itm-large-flickr"));
  EXPECT_TRUE(dialog->downloadButton()->isEnabled());
  EXPECT_FALSE(dialog->useButton()->isEnabled());
  EXPECT_FALSE(dialog->removeButton()->isEnabled());
  table->selectRow(rowOf(table, "Salesforce/blip-vqa-base"));
  EXPECT_FALSE(dialog->downloadButton()->isEnabled());
  EXPECT_TRUE(dialog->useButton()->isEnabled());
  EXPECT_TRUE(dialog->removeButton()->isEnabled());
  table->clearSelection();
  // The first-run panel: the set, what it costs (only the search model is still to fetch).
  ASSERT_TRUE(dialog->firstRunPanel()->isVisible());
  EXPECT_EQ(dialog->recommendedToDownload().size(), 1);
  EXPECT_EQ(dialog->recommendedButton()->text(),
            QStringLiteral("Download the recommended models (%1)")
                .arg(QLocale().formattedDataSize(895LL * 1000 * 1000, 1, QLocale::DataSizeSIFormat)));
  // Each thing is said once: where models come from (download or import) and that every task needs one.
  QString words;
  for (QLabel* label : dialog->findChildren<QLabel*>())
    if (label->isVisible()) {
      QTextDocument doc;
      doc.setHtml(label->text());
      words += (label->textFormat() == Qt::RichText ? doc.toPlainText() : label->text()) + QLatin1Char('\n');
    }
  EXPECT_EQ(words.count(QStringLiteral("import"), Qt::CaseInsensitive), 1) << words.toStdString();
  EXPECT_EQ(words.count(QStringLiteral("per task")) + words.count(QStringLiteral("each task")), 1)
      << words.toStdString();
  shot(dialog, "firstrun-models");
  QSignalSpy changed(w.settingsStore(), &glimpse::SettingsStore::changed);
  QTest::mouseClick(dialog->recommendedButton(), Qt::LeftButton);
  ASSERT_TRUE(waitUntil([&] { return !w.settingsStore()->current().model(Task::Search).isEmpty(); }));
  const auto& s = w.settingsStore()->current();
  EXPECT_EQ(s.model(Task::Caption), md.models() + "/Salesforce/blip-image-captioning-base");
  EXPECT_EQ(s.model(Task::Ask), md.models() + "/Salesforce/blip-vqa-base");
  EXPECT_EQ(s.model(Task::Search), md.models() + "/Salesforce/blip-itm-base-coco");
  EXPECT_TRUE(waitUntil([&] { return dialog->firstRunPanel()->isHidden(); }, 5000));
  EXPECT_EQ(table->item(rowOf(table, "Salesforce/blip-itm-base-coco"), 3)->text(), QStringLiteral("In use"));
  // In use everywhere it can be: nothing to "use" again.
  table->selectRow(rowOf(table, "Salesforce/blip-itm-base-coco"));
  EXPECT_FALSE(dialog->useButton()->isEnabled());
  shot(dialog, "firstrun-models-done");
  qunsetenv("HF_ENDPOINT");
  clearSavedModels();
}

// Item 1: a folder that holds every head serves every task it can.
TEST(FirstRun, ImportedFolderServesEveryTaskItsHeadsDo) {
  clearSavedModels();
  ScopedModelsDir md;
  const QString mine = copyTinyModel(md.filePath("mine/all-heads"));
  glimpse::SettingsStore store;
  ModelsDialog dialog(&store);
  dialog.importFolder(mine);  // copies on a worker thread
  const QString target = md.models() + "/all-heads";
  waitUntil([&] { return store.current().model(Task::Search) == target; });
  for (Task t : glimpse::kTasks) EXPECT_EQ(store.current().model(t), target) << static_cast<int>(t);
  const int row = rowOf(dialog.table(), "all-heads");
  ASSERT_GE(row, 0);
  const QString all =
      QStringList{glimpse::taskLabel(Task::Caption), glimpse::taskLabel(Task::Ask), glimpse::taskLabel(Task::Search)}
          .join(QStringLiteral(", "));
  EXPECT_EQ(dialog.table()->item(row, 1)->text(), all);
  EXPECT_EQ(dialog.table()->item(row, 3)->text(), QStringLiteral("In use for ") + all);
  clearSavedModels();
}

// Item 6: a folder is verified when chosen; a broken one is one line, with the details on demand.
TEST(FirstRun, BrokenModelFoldersAreOneLineWithDetails) {
  QTemporaryDir dir;
  // Weights of another shape than config.json says, and weights cut short.
  const QString wide = copyTinyModel(dir.filePath("wide"), kTiny + "/vision_wide/model.safetensors");
  const QString cut = copyTinyModel(dir.filePath("cut"));
  {
    QFile f(cut + "/model.safetensors");
    ASSERT_TRUE(f.resize(f.size() / 2));
  }
  // One tensor deep in the vision tower stored transposed ([40, 16] -> [16, 40]): config.json fits,
  // the header fits the file, and only the layer shapes tell.
  const QString odd = copyTinyModel(dir.filePath("odd"));
  {
    QFile f(odd + "/model.safetensors");
    ASSERT_TRUE(f.open(QIODevice::ReadWrite));
    QByteArray bytes = f.readAll();
    const int key = bytes.indexOf("\"vision_model.encoder.layers.1.mlp.fc1.weight\"");
    ASSERT_GT(key, 0);
    const int shape = bytes.indexOf("[40,16]", key);
    ASSERT_GT(shape, key);
    bytes.replace(shape, 7, "[16,40]");
    f.seek(0);
    f.write(bytes);
  }
  glimpse::AppSettings s;
  s.model(Task::Caption) = wide;
  s.model(Task::Ask) = cut;
  s.model(Task::Search) = odd;
  SettingsDialog dialog(s);
  dialog.show();
  for (Task t : {Task::Caption, Task::Ask, Task::Search}) {
    const QString shown = dialog.checkLabel(t)->toolTip();
    EXPECT_TRUE(shown.startsWith(QStringLiteral("Cannot be used: "))) << shown.toStdString();
    EXPECT_FALSE(shown.contains(QLatin1Char('\n'))) << shown.toStdString();
    EXPECT_LE(shown.size(), 200);
  }
  EXPECT_TRUE(dialog.checkLabel(Task::Search)->toolTip().contains(QStringLiteral("layers.1.mlp.fc1.weight")));
  EXPECT_TRUE(SettingsDialog::describe(kTiny, "BlipForConditionalGeneration").startsWith(QStringLiteral("Ready")));
  shot(&dialog, "firstrun-settings-verify");
}

// Item 6: a question to a model that cannot load gets one line in the chat, never its tensors.
TEST(FirstRun, AModelThatCannotLoadIsOneLineInTheChat) {
  QTemporaryDir dir;
  const QString wide = copyTinyModel(dir.filePath("wide"), kTiny + "/vision_wide/model.safetensors");
  MainWindow w;
  useTinyModels(w);
  w.settingsStore()->overrideModel(Task::Ask, wide);
  w.show();
  w.addPaths({kTiny + "/images/photo_120x90.jpg"});
  auto* page = w.imagesPage();
  QLineEdit* q = nullptr;
  for (auto* e : page->findChildren<QLineEdit*>())
    if (e->accessibleName() == QStringLiteral("Question")) q = e;
  ASSERT_TRUE(q);
  QTest::keyClicks(q, QStringLiteral("what is it?"));
  QTest::keyClick(q, Qt::Key_Return);
  ASSERT_TRUE(waitUntil([&] {
    const auto& chat = page->model()->item(0).chat;
    return !chat.isEmpty() && !chat.back().second.isEmpty();
  }));
  const QString answer = page->model()->item(0).chat.back().second;
  EXPECT_TRUE(answer.startsWith(QStringLiteral("(no answer: "))) << answer.toStdString();
  EXPECT_FALSE(answer.contains(QLatin1Char('\n'))) << answer.toStdString();
  EXPECT_LE(answer.size(), 220);
  // The whole report is in the log.
  QFile log(applog::path());
  ASSERT_TRUE(waitUntil([&] { return log.exists(); }, 5000)) << applog::path().toStdString();
}

// Item 4 and 5: per-photo caption state, counts that add up, failures named and badged; Cancel
// keeps the previous caption.
TEST(FirstRun, CaptionStatesBadgesAndCounts) {
  MainWindow w;
  showWithTinyModels(w);
  QTemporaryDir dir;
  for (const char* f : {"grad_97x61.png", "photo_120x90.jpg"}) QFile::copy(kTiny + "/images/" + f, dir.filePath(f));
  {
    QFile broken(dir.filePath("broken.jpg"));
    ASSERT_TRUE(broken.open(QIODevice::WriteOnly));
    broken.write("not a photo at all");
  }
  w.addPaths({dir.path()});
  auto* page = w.imagesPage();
  auto* model = page->model();
  ASSERT_EQ(model->rowCount(), 3);
  const int brokenRow = model->indexOf(dir.filePath("broken.jpg"));
  const int photoRow = model->indexOf(dir.filePath("photo_120x90.jpg"));
  // The first photo (broken.jpg) is selected and fails; select the good one and let it caption.
  page->selectRow(photoRow);
  ASSERT_TRUE(waitUntil([&] { return !model->item(photoRow).caption.isEmpty(); }));
  const QString before = model->item(photoRow).caption;
  EXPECT_EQ(page->captionView()->toPlainText(), before);
  EXPECT_EQ(model->item(photoRow).state(), CaptionState::Done);

  QSignalSpy finished(w.client(), &InferenceClient::jobFinished);
  QSignalSpy statuses(page, &ImagesPage::status);
  page->captionAll();
  // While it runs the selected photo keeps showing its caption.
  EXPECT_EQ(page->captionView()->toPlainText(), before);
  ASSERT_TRUE(finished.wait(30000));
  EXPECT_EQ(page->captionView()->toPlainText(), model->item(photoRow).caption);
  EXPECT_FALSE(page->captionView()->toPlainText().isEmpty());
  EXPECT_EQ(model->item(brokenRow).state(), CaptionState::Failed);
  EXPECT_EQ(model->data(model->index(brokenRow), ImageListModel::StateRole).toInt(),
            static_cast<int>(CaptionState::Failed));
  const QString badge = model->data(model->index(brokenRow), ImageListModel::BadgeRole).toString();
  EXPECT_TRUE(badge.startsWith(QStringLiteral("Could not caption this photo: "))) << badge.toStdString();
  EXPECT_TRUE(model->data(model->index(brokenRow), Qt::ToolTipRole).toString().contains(badge));
  EXPECT_TRUE(model->data(model->index(photoRow), ImageListModel::BadgeRole).toString().isEmpty());
  // 2 + 1 = 3: the failure is not counted as captioned.
  ASSERT_FALSE(statuses.isEmpty());
  EXPECT_EQ(statuses.last()[0].toString(), QStringLiteral("Captioned 2 images; 1 could not be captioned"));
  // The message bar names the photo; Dismiss hides it.
  MessageBar* bar = w.messageBar();
  EXPECT_TRUE(bar->isVisible());
  EXPECT_TRUE(bar->text().contains(QStringLiteral("broken.jpg"))) << bar->text().toStdString();
  EXPECT_TRUE(bar->detailsButton()->isVisible());
  page->selectRow(brokenRow);
  EXPECT_TRUE(page->captionStateLabel()->text().startsWith(QStringLiteral("Could not caption this photo")));
  QTest::qWait(300);
  shot(&w, "firstrun-caption-failure");
  QTest::mouseClick(bar->closeButton(), Qt::LeftButton);
  EXPECT_FALSE(bar->isVisible());

  // Cancel: the previous caption stays, nothing is left "…".
  page->selectRow(photoRow);
  page->captionCurrent();
  EXPECT_EQ(page->captionView()->toPlainText(), before);
  EXPECT_EQ(page->captionStateLabel()->text(), QStringLiteral("Captioning…"));
  page->cancel();
  ASSERT_TRUE(waitUntil([&] { return !model->item(photoRow).working; }));
  EXPECT_EQ(page->captionView()->toPlainText(), model->item(photoRow).caption);
  EXPECT_FALSE(page->captionView()->toPlainText().contains(QStringLiteral("…")));
  EXPECT_EQ(model->item(photoRow).state(), CaptionState::Done);
  EXPECT_TRUE(page->captionStateLabel()->text().isEmpty());
  // Every message went to the log a person can open (Help → Show log).
  QFile log(applog::path());
  ASSERT_TRUE(log.open(QIODevice::ReadOnly));
  EXPECT_TRUE(log.readAll().contains("broken.jpg"));
}

// Item 2: a new search model never finds 0 photos silently: the page counts per model, says the
// library needs indexing again and offers it; old vectors stay until the new ones are made.
TEST(FirstRun, ChangedSearchModelAsksForReindexing) {
  QTemporaryDir dir;
  const QString other = copyTinyModel(dir.filePath("other-search"));
  QTemporaryDir photos;
  for (const char* f : {"grad_97x61.png", "checker_200x120.png", "photo_120x90.jpg"})
    QFile::copy(kTiny + "/images/" + f, photos.filePath(f));
  MainWindow w;
  showWithTinyModels(w);
  w.showLibrary();
  auto* lib = w.libraryPage();
  QSignalSpy opened(w.client(), &InferenceClient::libraryOpened);
  lib->addFolder(photos.path());
  ASSERT_TRUE(opened.wait(10000));
  QSignalSpy finished(w.client(), &InferenceClient::jobFinished);
  lib->startOrPauseIndexing();
  ASSERT_TRUE(finished.wait(30000));
  ASSERT_EQ(finished[0][1].value<JobSummary>().state, JobState::Finished);

  opened.clear();
  w.settingsStore()->overrideModel(Task::Search, other);
  ASSERT_TRUE(opened.wait(10000));
  const auto info = opened.last()[1].value<glimpse::inference::LibraryInfo>();
  EXPECT_EQ(info.searchable, 0);
  EXPECT_EQ(info.needEmbedding, 3);
  EXPECT_TRUE(lib->indexText()->text().contains(QStringLiteral("0 searchable with other-search")))
      << lib->indexText()->text().toStdString();
  MessageBar* bar = w.messageBar();
  EXPECT_EQ(bar->key(), QStringLiteral("reembed"));
  EXPECT_TRUE(bar->text().contains(QStringLiteral("3 photos need indexing again"))) << bar->text().toStdString();
  EXPECT_EQ(bar->actionButton()->text(), QStringLiteral("Index now"));
  // A search now says why it finds nothing, and the offer to index stays.
  QSignalSpy failures(w.client(), &InferenceClient::failed);
  QSignalSpy statuses(lib, &LibraryPage::status);
  lib->search(QStringLiteral("a gradient"));
  ASSERT_TRUE(failures.wait(10000));
  EXPECT_TRUE(failures.last()[1].toString().contains(QStringLiteral("indexed with another search model")));
  // Showing the reason and the offer again must not search again (that would fail again, forever).
  QTest::qWait(500);
  EXPECT_EQ(failures.size(), 1);
  EXPECT_TRUE(statuses.last()[0].toString().contains(QStringLiteral("indexed with another search model")))
      << statuses.size() << " " << (statuses.isEmpty() ? std::string() : statuses.last()[0].toString().toStdString());
  EXPECT_EQ(bar->key(), QStringLiteral("reembed"));
  shot(&w, "firstrun-reembed");
  QTest::mouseClick(bar->actionButton(), Qt::LeftButton);
  EXPECT_EQ(lib->indexState(), LibraryPage::IndexState::Running);
  ASSERT_TRUE(finished.wait(30000));
  EXPECT_EQ(finished.last()[1].value<JobSummary>().state, JobState::Finished);
  EXPECT_EQ(finished.last()[1].value<JobSummary>().done, 3);
  EXPECT_FALSE(bar->isVisible());
  QSignalSpy results(w.client(), &InferenceClient::searchReady);
  lib->search(QStringLiteral("a gradient"));
  ASSERT_TRUE(results.wait(10000));
  EXPECT_EQ(results.last()[1].value<QList<glimpse::library::SearchResult>>().size(), 3);
  // The first model's vectors were kept beside the new ones.
  glimpse::library::LibraryDatabase db(QSettings().value("library/file", glimpse::defaultLibraryFile()).toString());
  EXPECT_EQ(db.embeddingModels().size(), 2);
}

// Item 3: a library that cannot be opened says what and where, offers another place, leaves no
// busy bar, and does not index at the next start.
TEST(FirstRun, LibraryInAPlaceThatCannotBeWritten) {
  QTemporaryDir dir;
  {
    QFile file(dir.filePath("not-a-folder"));
    ASSERT_TRUE(file.open(QIODevice::WriteOnly));
  }
  const QString bad = dir.filePath("not-a-folder/library.glimpse");
  QSettings().setValue("library/file", bad);
  QSettings().setValue("library/indexing", true);  // it was indexing when the app closed
  MainWindow w;
  showWithTinyModels(w);
  w.showLibrary();
  auto* lib = w.libraryPage();
  ASSERT_TRUE(waitUntil([&] { return !lib->libraryError().isEmpty(); }, 10000));
  MessageBar* bar = w.messageBar();
  EXPECT_EQ(bar->key(), QStringLiteral("library"));
  EXPECT_TRUE(bar->text().contains(bad)) << bar->text().toStdString();
  EXPECT_EQ(bar->actionButton()->text(), QStringLiteral("Choose another location…"));
  EXPECT_FALSE(QSettings().value("library/indexing").toBool());
  EXPECT_EQ(lib->indexState(), LibraryPage::IndexState::Idle);
  EXPECT_GT(lib->indexProgress()->maximum(), 0);  // never the endless busy bar
  // Adding a folder or indexing says why nothing happens; nothing starts.
  QSignalSpy started(w.client(), &InferenceClient::jobStarted);
  bar->closeButton()->click();
  lib->addFolder(dir.path());
  EXPECT_TRUE(bar->isVisible());
  lib->startOrPauseIndexing();
  QTest::qWait(200);
  EXPECT_TRUE(started.isEmpty());
  EXPECT_EQ(lib->indexState(), LibraryPage::IndexState::Idle);
  EXPECT_GT(lib->indexProgress()->maximum(), 0);
  QTest::qWait(200);
  shot(&w, "firstrun-readonly-library");
  // Another place: it opens there and is remembered.
  const QString good = dir.filePath("elsewhere/photos.glimpse");
  QSignalSpy opened(w.client(), &InferenceClient::libraryOpened);
  lib->chooseLibraryLocation(good);
  ASSERT_TRUE(opened.wait(10000));
  EXPECT_TRUE(lib->libraryError().isEmpty());
  EXPECT_FALSE(bar->isVisible());
  EXPECT_EQ(QSettings().value("library/file").toString(), good);
  EXPECT_TRUE(QFileInfo::exists(good));
  QSettings().remove("library/file");
}

}  // namespace

int main(int argc, char** argv) {
  return runWidgetTests(argc, argv);
}
