// The window driven as a person would, offscreen: drop files, wait for the caption, ask a
// question, add a library folder, index it and search. Plus the real `glimpse` binary under Xvfb
// taking a screenshot of a finished caption.
#include <gtest/gtest.h>

#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QStandardItemModel>
#include <QStatusBar>

#include <QApplication>
#include <QClipboard>
#include <QDir>
#include <QDropEvent>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLineEdit>
#include <QListView>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QProcess>
#include <QProgressBar>
#include <QPushButton>
#include <QRegularExpression>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBrowser>
#include <QXmlStreamReader>

#include <QTableWidget>
#include <algorithm>
#include "../models/hubserver.h"
#include "askresultsbar.h"
#include "cli_runner.h"
#include "desktop/paths.h"
#include "desktop/thumbnails.h"
#include "imagespage.h"
#include "inference/inferenceclient.h"
#include "library/resultasker.h"
#include "librarypage.h"
#include "mainwindow.h"
#include "marian.h"
#include "modelsdialog.h"
#include "settingsdialog.h"
#include "thumbnailloader.h"
#include "window_fixture.h"
#include "writecaptionsdialog.h"

using namespace glimpse::ui;
using namespace glimpse::test;

namespace {

const QString kTiny = tinyModelDir();

using glimpse::inference::InferenceClient;
using glimpse::inference::JobSummary;

void dropFiles(QWidget* target, const QStringList& files) {
  auto* mime = new QMimeData;
  QList<QUrl> urls;
  for (const QString& f : files) urls << QUrl::fromLocalFile(f);
  mime->setUrls(urls);
  QDragEnterEvent enter(QPoint(10, 10), Qt::CopyAction, mime, Qt::LeftButton, Qt::NoModifier);
  QApplication::sendEvent(target, &enter);
  ASSERT_TRUE(enter.isAccepted());
  QDropEvent drop(QPointF(10, 10), Qt::CopyAction, mime, Qt::LeftButton, Qt::NoModifier);
  QApplication::sendEvent(target, &drop);
  delete mime;
}

// Four photos of the tiny set in `folder`, added to the library on the Library page.
void addFourPhotos(MainWindow& w, const QString& folder) {
  for (const char* f : {"grad_97x61.png", "checker_200x120.png", "photo_120x90.jpg", "rgba_70x70.png"})
    QFile::copy(kTiny + "/images/" + f, folder + "/" + f);
  // A library of these photos only: the app's library keeps what earlier tests added.
  ASSERT_TRUE(openLibrary(w, folder + "/library.glimpse"));
  ASSERT_TRUE(addLibraryFolders(w, {folder}));
}

// A library of its own in `dir` (the shared one holds the photos of MainWindow.LibraryIndexAndSearch)
// with four photos, indexed, and all four as the results of a search.
void indexFourAndSearch(MainWindow& w, const QTemporaryDir& dir) {
  auto* lib = w.libraryPage();
  ASSERT_NO_FATAL_FAILURE(addFourPhotos(w, dir.path()));
  ASSERT_TRUE(indexLibrary(w));
  lib->search(QStringLiteral("a photo"));
  ASSERT_TRUE(waitUntil([&] { return lib->resultsModel()->rowCount() == 4; })) << lib->resultsModel()->rowCount();
}

// The window with the tiny models, shown, starting with the library `file` of its own: the
// photos earlier tests indexed (now offline) are not among its results.
std::unique_ptr<MainWindow> windowWithLibrary(const QString& file) {
  QSettings().setValue(QStringLiteral("library/file"), file);
  auto w = std::make_unique<MainWindow>();
  QSettings().remove(QStringLiteral("library/file"));
  showWithTinyModels(*w, QSize(1280, 800));
  return w;
}

// A German interface with the tiny random Marian as every translation model: captions and answers
// shown in German, German queries and questions read in English. translate() is what the model
// gives for a text on its own (the pipeline is checked against it). The settings and the locale
// are put back at the end of the test.
class GermanSession {
 public:
  GermanSession() : m_translator(glimpse::marian::MarianModel::load(kMarian.toStdString())) {
    QLocale::setDefault(QLocale(QLocale::German, QLocale::Germany));
  }
  // The translation settings saved before (the window is gone by now: through a store of its own).
  ~GermanSession() {
    glimpse::SettingsStore store;
    AppSettings restored = store.current();
    restored.translateOutput = m_saved.translateOutput;
    restored.outputTranslationModel = m_saved.outputTranslationModel;
    restored.queryTranslationModel = m_saved.queryTranslationModel;
    store.apply(restored);
    QLocale::setDefault(m_before);
  }
  GermanSession(const GermanSession&) = delete;
  GermanSession& operator=(const GermanSession&) = delete;
  // The window's models: the tiny BLIP for every task, the tiny Marian both ways.
  void use(MainWindow& w) {
    useTinyModels(w);
    AppSettings edited = w.settingsStore()->current();
    m_saved = edited;
    edited.translateOutput = true;
    edited.outputTranslationModel = kMarian;
    edited.queryTranslationModel = kMarian;
    w.settingsStore()->apply(edited);
  }
  QString translate(const QString& text) const {
    return QString::fromStdString(
               m_translator->translate({text.toStdString()}, m_translator->generation_defaults()).front().front().text)
        .trimmed();
  }
  inline static const QString kMarian = QStringLiteral(GLIMPSE_TEST_DATA_DIR "/marian/tiny");

 private:
  std::unique_ptr<glimpse::marian::MarianModel> m_translator;
  const QLocale m_before;
  AppSettings m_saved;
};

TEST(MainWindow, DropCaptionAndAsk) {
  MainWindow w;
  showWithTinyModels(w);
  dropFiles(&w, {kTiny + "/images/grad_97x61.png", kTiny + "/images/photo_120x90.jpg"});
  auto* page = w.imagesPage();
  ASSERT_EQ(page->model()->rowCount(), 2);
  // The first image is selected and captioned at once.
  auto* caption = page->findChild<QPlainTextEdit*>();
  ASSERT_TRUE(caption);
  ASSERT_TRUE(waitUntil([&] { return !page->model()->item(0).caption.isEmpty(); }));
  EXPECT_EQ(caption->toPlainText(), page->model()->item(0).caption);
  // The BLIP preset's prompt is not repeated in the caption.
  EXPECT_FALSE(caption->toPlainText().startsWith(QStringLiteral("a picture of")));
  // Ask a question in the chat pane.
  auto* question = page->findChild<QLineEdit*>(QString(), Qt::FindChildrenRecursively);
  QLineEdit* q = nullptr;
  for (auto* e : page->findChildren<QLineEdit*>())
    if (e->accessibleName() == QStringLiteral("Question")) q = e;
  ASSERT_TRUE(q);
  (void)question;
  QTest::keyClicks(q, QStringLiteral("what color is the car?"));
  QTest::keyClick(q, Qt::Key_Return);
  ASSERT_TRUE(waitUntil([&] {
    const auto& chat = page->model()->item(0).chat;
    return !chat.isEmpty() && !chat.back().second.isEmpty();
  }));
  auto* chat = page->findChild<QTextBrowser*>();
  EXPECT_TRUE(chat->toPlainText().contains(QStringLiteral("what color is the car?")));
  EXPECT_TRUE(chat->toPlainText().contains(page->model()->item(0).chat.back().second));
  // Selecting the other image captions it too; Ctrl+Shift+C copies its caption.
  page->selectRow(1);
  ASSERT_TRUE(waitUntil([&] { return !page->model()->item(1).caption.isEmpty(); }));
  QTest::keySequence(&w, QKeySequence(QStringLiteral("Ctrl+Shift+C")));
  EXPECT_EQ(QApplication::clipboard()->text(), page->model()->item(1).caption);
}

// "Show captions and answers in German" with an en->de model (the tiny random Marian here): the
// caption and the answer shown are its translation of BLIP's English, which stays a hover away;
// a German question is read by BLIP in English, and the chat says what it read.
TEST(MainWindow, CaptionsAndAnswersInTheInterfaceLanguage) {
  GermanSession german;
  const auto translate = [&](const QString& text) { return german.translate(text); };
  MainWindow w;
  german.use(w);
  w.show();
  auto* page = w.imagesPage();
  // Short captions: the tiny Marian reads at most 64 pieces (a longer caption stays English and the
  // status bar says why).
  for (auto* box : page->findChildren<QSpinBox*>())
    if (box->accessibleName() == QStringLiteral("Maximum length:")) box->setValue(8);
  // A photo whose answer to the question below is short enough too (answers are made with
  // blip::vqa_generation_config(), up to 20 tokens).
  dropFiles(&w, {kTiny + "/images/rgba_70x70.png"});
  ASSERT_TRUE(waitUntil([&] { return !page->model()->item(0).caption.isEmpty(); }));
  const auto& item = page->model()->item(0);
  ASSERT_FALSE(item.captionEnglish.isEmpty())
      << item.caption.toStdString() << " / " << w.statusBar()->currentMessage().toStdString();
  EXPECT_EQ(item.caption, translate(item.captionEnglish));
  auto* caption = page->findChild<QPlainTextEdit*>();
  EXPECT_EQ(caption->toPlainText(), item.caption);
  EXPECT_TRUE(caption->toolTip().contains(item.captionEnglish)) << caption->toolTip().toStdString();

  QLineEdit* q = nullptr;
  for (auto* e : page->findChildren<QLineEdit*>())
    if (e->accessibleName() == QStringLiteral("Question")) q = e;
  ASSERT_TRUE(q);
  const QString frage = QStringLiteral("Wie viele Hunde sind auf dem Bild?");
  QTest::keyClicks(q, frage);
  QTest::keyClick(q, Qt::Key_Return);
  ASSERT_TRUE(waitUntil([&] { return !item.chat.isEmpty() && !item.chat.back().second.isEmpty(); }));
  ASSERT_EQ(item.chatEnglish.size(), item.chat.size());
  const auto english = item.chatEnglish.back();
  EXPECT_EQ(item.chat.back().first, frage);
  EXPECT_EQ(english.first, translate(frage));
  ASSERT_FALSE(english.second.isEmpty());
  EXPECT_EQ(item.chat.back().second, translate(english.second));
  const QString chat = page->findChild<QTextBrowser*>()->toPlainText();
  EXPECT_TRUE(chat.contains(english.first)) << chat.toStdString();
  EXPECT_TRUE(chat.contains(english.second)) << chat.toStdString();
}

// What a file manager sends: text/uri-list with escaped names, a folder, and a URL that is not a
// local file; with Shift it proposes a move. The drop adds the photos and is a copy all the same.
TEST(MainWindow, ADropFromAFileManagerAddsThePhotosAndIsAlwaysACopy) {
  MainWindow w;
  w.show();
  QTemporaryDir dir;
  const QString spaced = dir.filePath("summer photo.jpg");
  ASSERT_TRUE(QFile::copy(kTiny + "/images/photo_120x90.jpg", spaced));
  QDir(dir.path()).mkdir("folder");
  ASSERT_TRUE(QFile::copy(kTiny + "/images/grad_97x61.png", dir.filePath("folder/grad.png")));
  ASSERT_TRUE(QFile::copy(kTiny + "/images/gray_50x80.png", dir.filePath("folder/gray.png")));
  QMimeData mime;
  mime.setData("text/uri-list", QUrl::fromLocalFile(spaced).toEncoded() + "\r\n" +
                                    QUrl::fromLocalFile(dir.filePath("folder")).toEncoded() +
                                    "\r\nhttps://example.org/remote.jpg\r\n");
  const auto actions = Qt::CopyAction | Qt::MoveAction | Qt::LinkAction;
  QDragEnterEvent enter(QPoint(40, 40), actions, &mime, Qt::LeftButton, Qt::ShiftModifier);
  enter.setDropAction(Qt::MoveAction);
  QApplication::sendEvent(&w, &enter);
  EXPECT_TRUE(enter.isAccepted());
  EXPECT_EQ(enter.dropAction(), Qt::CopyAction);
  QDragMoveEvent move(QPoint(50, 50), actions, &mime, Qt::LeftButton, Qt::ShiftModifier);
  move.setDropAction(Qt::MoveAction);
  QApplication::sendEvent(&w, &move);
  EXPECT_TRUE(move.isAccepted());
  EXPECT_EQ(move.dropAction(), Qt::CopyAction);
  QDropEvent drop(QPointF(50, 50), actions, &mime, Qt::LeftButton, Qt::ShiftModifier);
  drop.setDropAction(Qt::MoveAction);
  QApplication::sendEvent(&w, &drop);
  EXPECT_TRUE(drop.isAccepted());
  EXPECT_EQ(drop.dropAction(), Qt::CopyAction);
  EXPECT_EQ(w.imagesPage()->model()->paths(),
            (QStringList{dir.filePath("folder/grad.png"), dir.filePath("folder/gray.png"), spaced}));
  for (const char* f : {"summer photo.jpg", "folder/grad.png", "folder/gray.png"})
    EXPECT_TRUE(QFileInfo::exists(dir.filePath(f))) << f;

  // Nothing local (a web page's link), or a source that only allows a move: refused.
  QMimeData remote;
  remote.setUrls({QUrl("https://example.org/a.jpg")});
  QDropEvent remoteDrop(QPointF(50, 50), Qt::CopyAction, &remote, Qt::LeftButton, Qt::NoModifier);
  QApplication::sendEvent(&w, &remoteDrop);
  EXPECT_FALSE(remoteDrop.isAccepted());
  QMimeData moveOnly;
  moveOnly.setUrls({QUrl::fromLocalFile(kTiny + "/images/rgba_70x70.png")});
  QDropEvent moveDrop(QPointF(50, 50), Qt::MoveAction, &moveOnly, Qt::LeftButton, Qt::NoModifier);
  QApplication::sendEvent(&w, &moveDrop);
  EXPECT_FALSE(moveDrop.isAccepted());
  EXPECT_EQ(w.imagesPage()->model()->rowCount(), 3);
}

// A pasted image is kept in the state folder while it is on the list and deleted with its row.
TEST(MainWindow, APastedImageGoesWhenItLeavesTheList) {
  MainWindow w;
  QImage img(64, 48, QImage::Format_RGB32);
  img.fill(Qt::darkCyan);
  QApplication::clipboard()->setImage(img);
  w.paste();
  auto* model = w.imagesPage()->model();
  ASSERT_EQ(model->rowCount(), 1);
  const QString pasted = model->item(0).path;
  EXPECT_TRUE(glimpse::desktop::isPastedImage(pasted));
  EXPECT_TRUE(pasted.startsWith(qEnvironmentVariable("XDG_STATE_HOME") + "/Glimpse/pasted/"));
  EXPECT_EQ(QImage(pasted).size(), QSize(64, 48));
  // A photo of the person's own removed from the list stays on disk.
  const QString own = kTiny + "/images/photo_120x90.jpg";
  w.addPaths({own});
  model->removeRow(model->indexOf(own));
  EXPECT_TRUE(QFileInfo::exists(own));
  model->removeRow(model->indexOf(pasted));
  EXPECT_FALSE(QFileInfo::exists(pasted));
  QApplication::clipboard()->clear();
}

TEST(MainWindow, CaptionAllAndCancel) {
  MainWindow w;
  showWithTinyModels(w);
  QTemporaryDir dir;
  for (const char* f :
       {"grad_97x61.png", "checker_200x120.png", "photo_120x90.jpg", "rgba_70x70.png", "gray_50x80.png"})
    QFile::copy(kTiny + "/images/" + f, dir.filePath(f));
  w.addPaths({dir.path()});  // a folder: every image in it
  auto* page = w.imagesPage();
  ASSERT_EQ(page->model()->rowCount(), 5);
  QSignalSpy finished(w.client(), &InferenceClient::jobFinished);
  page->captionAll();
  ASSERT_TRUE(finished.wait(30000));
  EXPECT_EQ(finished[0][1].value<JobSummary>().state, glimpse::inference::JobState::Finished);
  EXPECT_EQ(finished[0][1].value<JobSummary>().done, 5);
  for (int r = 0; r < 5; ++r) EXPECT_FALSE(page->model()->item(r).caption.isEmpty()) << r;
}

TEST(MainWindow, LibraryIndexAndSearch) {
  MainWindow w;
  showWithTinyModels(w);
  QTemporaryDir dir;
  auto* lib = w.libraryPage();
  ASSERT_NO_FATAL_FAILURE(addFourPhotos(w, dir.path()));
  QSignalSpy indexed(w.client(), &InferenceClient::jobFinished);
  lib->startOrPauseIndexing();
  EXPECT_EQ(lib->indexState(), LibraryPage::IndexState::Running);
  ASSERT_TRUE(indexed.wait(30000));
  EXPECT_EQ(indexed[0][1].value<JobSummary>().done, 4);
  EXPECT_EQ(lib->indexState(), LibraryPage::IndexState::Idle);
  QLineEdit* query = nullptr;
  for (auto* e : lib->findChildren<QLineEdit*>())
    if (e->accessibleName() == QStringLiteral("Search")) query = e;
  ASSERT_TRUE(query);
  QTest::keyClicks(query, QStringLiteral("the checker"));
  QTest::keyClick(query, Qt::Key_Return);
  ASSERT_TRUE(waitUntil([&] { return lib->resultsModel()->rowCount() == 4; }));
  // File-name matches come first.
  EXPECT_TRUE(lib->resultsModel()->item(0)->text().startsWith(QStringLiteral("checker_200x120.png")));
  // Thumbnails arrive off the GUI thread; keep a picture of the page for people to look at.
  lib->resultsView()->setCurrentIndex(lib->resultsModel()->index(0, 0));
  waitUntil([&] { return !lib->resultsModel()->item(3)->icon().isNull(); }, 5000);
  QTest::qWait(200);
  QDir().mkpath(QStringLiteral(GLIMPSE_BUILD_DIR "/screenshots"));
  w.grab().save(QStringLiteral(GLIMPSE_BUILD_DIR "/screenshots/library.png"));
  // More like this, from the selected result.
  lib->resultsView()->setCurrentIndex(lib->resultsModel()->index(0, 0));
  lib->moreLikeThis();
  ASSERT_TRUE(waitUntil([&] {
    return lib->resultsModel()->rowCount() == 3 &&
           !lib->resultsModel()->item(0)->text().startsWith(QStringLiteral("checker"));
  }));
}

// A German query: the page translates it with the query model (the tiny random Marian here), says
// what it searched for, and searches the original words on request.
TEST(LibraryPage, GermanSearchShowsTheTranslationAndSearchesTheOriginal) {
  const QString marian = QStringLiteral(GLIMPSE_TEST_DATA_DIR "/marian/tiny");
  const QString german = QStringLiteral("Strand bei Sonnenuntergang");
  const auto translator = glimpse::marian::MarianModel::load(marian.toStdString());
  const QString english =
      QString::fromStdString(
          translator->translate({german.toStdString()}, translator->generation_defaults()).front().front().text)
          .trimmed();
  MainWindow w;
  useTinyModels(w);
  AppSettings edited = w.settingsStore()->current();
  edited.queryLanguage = QStringLiteral("auto");
  edited.queryTranslationModel = marian;
  w.settingsStore()->apply(edited);
  w.resize(1100, 700);
  w.show();
  QTemporaryDir dir;
  for (const char* f : {"grad_97x61.png", "checker_200x120.png"}) QFile::copy(kTiny + "/images/" + f, dir.filePath(f));
  // A file named in German: searching the original words finds it by its name.
  QFile::copy(kTiny + "/images/photo_120x90.jpg", dir.filePath("strand_bei_sonnenuntergang.jpg"));
  auto* lib = w.libraryPage();
  ASSERT_TRUE(openLibrary(w, dir.filePath("library.db")));
  ASSERT_TRUE(addLibraryFolders(w, {dir.path()}));
  ASSERT_TRUE(indexLibrary(w));

  QLineEdit* query = nullptr;
  for (auto* e : lib->findChildren<QLineEdit*>())
    if (e->accessibleName() == QStringLiteral("Search")) query = e;
  ASSERT_TRUE(query);
  EXPECT_FALSE(lib->searchedForLabel()->isVisibleTo(lib));
  QSignalSpy results(w.client(), &InferenceClient::searchReady);
  QTest::keyClicks(query, german);
  QTest::keyClick(query, Qt::Key_Return);
  ASSERT_TRUE(results.wait(30000));
  ASSERT_TRUE(waitUntil([&] { return lib->resultsModel()->rowCount() == 3; }));
  EXPECT_TRUE(lib->searchedForLabel()->isVisibleTo(lib));
  EXPECT_EQ(lib->searchedForLabel()->text(), QStringLiteral("Searched for: ") + english);
  EXPECT_TRUE(lib->searchOriginalButton()->isVisibleTo(lib));
  // The page's results are those of the English text, searched as it is, with names and captions
  // also matched by the words as typed: the German file name comes first.
  QStringList shown;
  for (int r = 0; r < 3; ++r) shown << lib->resultsModel()->item(r)->data(Qt::UserRole + 1).toString();
  EXPECT_EQ(shown.value(0), dir.filePath("strand_bei_sonnenuntergang.jpg"));
  QSignalSpy direct(w.client(), &InferenceClient::searchReady);
  glimpse::library::SearchOptions o;
  o.limit = 60;
  o.originalText = german;
  w.client()->search(english, o, /*translate=*/false);
  ASSERT_TRUE(direct.wait(30000));
  QStringList expected;
  for (const auto& r : direct[0][1].value<QList<glimpse::library::SearchResult>>()) expected << r.path;
  EXPECT_EQ(shown, expected);
  QSignalSpy again(w.client(), &InferenceClient::searchReady);
  lib->search(german);  // the page's own search again, for the picture
  ASSERT_TRUE(again.wait(30000));
  ASSERT_TRUE(lib->searchedForLabel()->isVisibleTo(lib));
  waitUntil([&] { return !lib->resultsModel()->item(2)->icon().isNull(); }, 5000);
  QTest::qWait(200);
  QDir().mkpath(QStringLiteral(GLIMPSE_BUILD_DIR "/screenshots"));
  w.grab().save(QStringLiteral(GLIMPSE_BUILD_DIR "/screenshots/library-translated.png"));

  // "Search the original instead": the German words as typed; the file name matches them.
  QSignalSpy original(w.client(), &InferenceClient::searchReady);
  QSignalSpy translations(w.client(), &InferenceClient::translated);
  QTest::mouseClick(lib->searchOriginalButton(), Qt::LeftButton);
  ASSERT_TRUE(original.wait(30000));
  EXPECT_TRUE(translations.isEmpty());
  EXPECT_FALSE(lib->searchedForLabel()->isVisibleTo(lib));
  ASSERT_TRUE(waitUntil([&] { return lib->resultsModel()->rowCount() == 3; }));
  EXPECT_TRUE(lib->resultsModel()->item(0)->text().startsWith(QStringLiteral("strand_bei_sonnenuntergang.jpg")));
  EXPECT_EQ(query->text(), german);

  // An English query is never translated.
  QSignalSpy english2(w.client(), &InferenceClient::searchReady);
  lib->search(QStringLiteral("the checker"));
  ASSERT_TRUE(english2.wait(30000));
  EXPECT_TRUE(translations.isEmpty());
  EXPECT_FALSE(lib->searchedForLabel()->isVisibleTo(lib));
  edited.queryTranslationModel.clear();
  w.settingsStore()->apply(edited);
}

// Ask across results: the answers stream into the grid under each photo, and the filter shows
// one answer's photos. The Images page shows a caption's self-check beside it, and the Library
// page lists the checked captions least confident first.
TEST(LibraryPage, AskTheResultsAndReviewCheckedCaptions) {
  QTemporaryDir own;
  const auto window = windowWithLibrary(own.filePath(QStringLiteral("ask.glimpse")));
  MainWindow& w = *window;
  QTemporaryDir dir;
  auto* lib = w.libraryPage();
  ASSERT_NO_FATAL_FAILURE(indexFourAndSearch(w, dir));
  auto* bar = lib->askBar();
  QTest::keyClicks(bar->questionEdit(), QStringLiteral("is it red?"));
  QTest::keyClick(bar->questionEdit(), Qt::Key_Return);
  ASSERT_TRUE(bar->running());
  ASSERT_TRUE(waitUntil([&] { return !bar->running(); }));
  QStringList answers;
  for (int r = 0; r < 4; ++r) {
    const QString text = lib->resultsModel()->item(r)->text();
    ASSERT_TRUE(text.contains(QStringLiteral("→ "))) << text.toStdString();
    answers << text.section(QStringLiteral("→ "), 1);
  }
  // The filter lists each answer; choosing one hides the others' photos.
  ASSERT_GT(bar->filter()->count(), 1);
  bar->filter()->setCurrentIndex(1);
  int shown = 0;
  for (int r = 0; r < 4; ++r)
    if (!lib->resultsView()->isRowHidden(r)) {
      ++shown;
      EXPECT_EQ(answers[r].trimmed().toLower(), bar->filter()->currentData().toString());
    }
  int same = 0;
  for (const QString& a : answers) same += a.trimmed().toLower() == bar->filter()->currentData().toString() ? 1 : 0;
  EXPECT_EQ(shown, same);
  EXPECT_GT(shown, 0);
  QDir().mkpath(QStringLiteral(GLIMPSE_BUILD_DIR "/screenshots"));
  w.grab().save(QStringLiteral(GLIMPSE_BUILD_DIR "/screenshots/ask_results_filtered.png"));
  bar->filter()->setCurrentIndex(0);
  waitUntil([&] { return !lib->resultsModel()->item(3)->icon().isNull(); }, 5000);
  QTest::qWait(200);
  QDir().mkpath(QStringLiteral(GLIMPSE_BUILD_DIR "/screenshots"));
  w.grab().save(QStringLiteral(GLIMPSE_BUILD_DIR "/screenshots/ask_results.png"));
  // A new search clears the answers.
  lib->search(QStringLiteral("checker"));
  ASSERT_TRUE(waitUntil([&] {
    return lib->resultsModel()->rowCount() == 4 && !lib->resultsModel()->item(0)->text().contains(QStringLiteral("→"));
  }));
  EXPECT_FALSE(bar->filter()->isEnabled());

  // The Images page: with a search model set the caption is checked and its score shown.
  w.addPaths({dir.filePath("checker_200x120.png")});
  w.showImages();
  auto* page = w.imagesPage();
  ASSERT_TRUE(waitUntil([&] { return page->model()->rowCount() == 1 && page->model()->item(0).itm >= 0; }));
  EXPECT_TRUE(page->checkLabel()->isVisible());
  EXPECT_TRUE(page->checkLabel()->text().contains(QStringLiteral("%"))) << page->checkLabel()->text().toStdString();
  QTest::qWait(200);
  w.grab().save(QStringLiteral(GLIMPSE_BUILD_DIR "/screenshots/self_check.png"));
  // The Library page: least confident first, scored by the caption's match.
  w.showLibrary();
  lib->showLeastConfident();
  ASSERT_TRUE(waitUntil([&] { return lib->resultsModel()->rowCount() == 1; }));
  EXPECT_TRUE(lib->resultsModel()->item(0)->text().startsWith(QStringLiteral("checker_200x120.png")));
}

// One question about one photo gets one answer wherever it is asked: the chat, "Ask the results",
// `glimpse-cli ask` and `glimpse-cli search --ask` all answer with blip::vqa_generation_config().
// The tiny model answers this photo differently under BLIP's evaluation recipe (beam 3, max 10),
// so a path with decoding settings of its own shows here.
TEST(LibraryPage, OneQuestionGetsOneAnswerInTheChatTheResultsAndTheCli) {
  QTemporaryDir own;
  const auto window = windowWithLibrary(own.filePath(QStringLiteral("answers.glimpse")));
  MainWindow& w = *window;
  QTemporaryDir dir;
  auto* lib = w.libraryPage();
  ASSERT_NO_FATAL_FAILURE(indexFourAndSearch(w, dir));
  const QString question = QStringLiteral("what is in the picture?");
  // The engine itself, with the one definition and with BLIP's recipe.
  const QString path = dir.filePath(QStringLiteral("photo_120x90.jpg"));
  glimpse::library::ResultAsker direct(glimpse::blip::BlipModel::load(kTiny.toStdString()));
  direct.start(question, {path}, glimpse::blip::vqa_generation_config());
  const auto expected = direct.step();
  ASSERT_TRUE(expected && expected->error.isEmpty());
  direct.start(question, {path}, glimpse::blip::blip_vqa_preset());
  const auto recipe = direct.step();
  ASSERT_TRUE(recipe && recipe->error.isEmpty());
  ASSERT_NE(recipe->text, expected->text);
  // Ask the results.
  auto* bar = lib->askBar();
  QTest::keyClicks(bar->questionEdit(), question);
  QTest::keyClick(bar->questionEdit(), Qt::Key_Return);
  ASSERT_TRUE(waitUntil([&] { return !bar->running(); }));
  QString fromResults;
  for (int r = 0; r < lib->resultsModel()->rowCount(); ++r)
    if (lib->resultsModel()->item(r)->data(Qt::UserRole + 1).toString() == path)
      fromResults = lib->resultsModel()->item(r)->text().section(QStringLiteral("→ "), 1);
  EXPECT_EQ(fromResults, expected->text);
  // The chat on the Images page.
  w.addPaths({path});
  w.showImages();
  auto* page = w.imagesPage();
  const int row = page->model()->indexOf(path);
  ASSERT_GE(row, 0);
  page->selectRow(row);
  QLineEdit* q = nullptr;
  for (auto* e : page->findChildren<QLineEdit*>())
    if (e->accessibleName() == QStringLiteral("Question")) q = e;
  ASSERT_TRUE(q);
  QTest::keyClicks(q, question);
  QTest::keyClick(q, Qt::Key_Return);
  ASSERT_TRUE(waitUntil([&] {
    const auto& chat = page->model()->item(row).chat;
    return !chat.isEmpty() && !chat.back().second.isEmpty();
  }));
  EXPECT_EQ(page->model()->item(row).chat.back().second, expected->text);
  // glimpse-cli ask, and search --ask on the same library.
  auto [code, out, err] = runCli({"ask", "--model", kTiny, "--question", question, "--json", path});
  ASSERT_EQ(code, 0) << err;
  const auto asked = nlohmann::json::parse(out);
  EXPECT_EQ(asked["results"][0]["text"].get<std::string>(), expected->text.toStdString());
  auto [searchCode, searchOut, searchErr] =
      runCli({"search", "--library", dir.filePath(QStringLiteral("library.glimpse")), "--model", kTiny, "--ask",
              question, "--ask-model", kTiny, "--json", "a photo"});
  ASSERT_EQ(searchCode, 0) << searchErr;
  const auto searched = nlohmann::json::parse(searchOut);
  std::string fromSearch;
  for (const auto& r : searched["results"])
    if (r["path"].get<std::string>() == path.toStdString()) fromSearch = r["answer"].get<std::string>();
  EXPECT_EQ(fromSearch, expected->text.toStdString()) << searchOut;
}

// Ask the results in German, as the chat does: the question is translated on the worker and the
// bar says to what, every photo is asked the English, and with "Show captions and answers in
// German" the answers are shown translated (the English in the tooltip). Some of the tiny random
// BLIP's answers are longer than the tiny Marian reads (64 pieces): they stay English and the
// status bar says why, once.
TEST(LibraryPage, AskTheResultsTranslatesTheQuestionAndTheAnswers) {
  GermanSession german;
  const auto translate = [&](const QString& text) { return german.translate(text); };
  QTemporaryDir own;
  QSettings().setValue(QStringLiteral("library/file"), own.filePath(QStringLiteral("ask-de.glimpse")));
  MainWindow w;
  QSettings().remove(QStringLiteral("library/file"));
  german.use(w);
  w.resize(1280, 800);
  w.show();
  QTemporaryDir dir;
  auto* lib = w.libraryPage();
  ASSERT_NO_FATAL_FAILURE(indexFourAndSearch(w, dir));
  auto* bar = lib->askBar();
  EXPECT_FALSE(bar->askedInEnglish()->isVisibleTo(bar));
  const QString frage = QStringLiteral("Wie viele Hunde sind auf dem Bild?");
  const QString question = translate(frage);
  QSignalSpy notices(w.client(), &InferenceClient::notice);
  QTest::keyClicks(bar->questionEdit(), frage);
  QTest::keyClick(bar->questionEdit(), Qt::Key_Return);
  ASSERT_TRUE(bar->running());
  ASSERT_TRUE(waitUntil([&] { return !bar->running(); }));
  EXPECT_TRUE(bar->askedInEnglish()->isVisibleTo(bar));
  EXPECT_EQ(bar->askedInEnglish()->text(), QStringLiteral("Asked in English: ") + question);
  // Each photo was asked the English question, as `glimpse-cli ask` would ask it, and shows the
  // answer in German with the English in its tooltip; an answer longer than the tiny Marian reads
  // stays English.
  glimpse::library::ResultAsker direct(glimpse::blip::BlipModel::load(kTiny.toStdString()));
  QStringList paths;
  for (int r = 0; r < 4; ++r) paths << lib->resultsModel()->item(r)->data(Qt::UserRole + 1).toString();
  direct.start(question, paths);
  int translated = 0;
  QStringList labels;  // the filter's entries for the answers as the grid shows them
  for (int r = 0; r < 4; ++r) {
    const auto a = direct.step();
    ASSERT_TRUE(a && a->error.isEmpty());
    const QStandardItem* item = lib->resultsModel()->item(r);
    const QString shown = item->text().section(QStringLiteral("→ "), 1);
    labels << QLatin1Char('"') + shown + QLatin1Char('"');
    if (item->toolTip().contains(QStringLiteral("English original"))) {
      ++translated;
      EXPECT_EQ(shown, translate(a->text)) << item->text().toStdString();
      EXPECT_TRUE(item->toolTip().endsWith(QStringLiteral("English original: ") + a->text))
          << item->toolTip().toStdString();
    } else {
      EXPECT_EQ(shown, a->text) << item->text().toStdString();
    }
  }
  EXPECT_GT(translated, 0);
  ASSERT_GT(bar->filter()->count(), 1);
  for (int i = 1; i < bar->filter()->count(); ++i) {
    const QString label = bar->filter()->itemText(i);
    EXPECT_TRUE(label.startsWith(QStringLiteral("Only ")) ||
                std::any_of(labels.begin(), labels.end(), [&](const QString& l) { return label.startsWith(l); }))
        << label.toStdString();
  }
  int tooLong = 0;
  for (const auto& n : notices) tooLong += n[0].toString().contains(QStringLiteral("tokens long")) ? 1 : 0;
  EXPECT_EQ(tooLong, translated < 4 ? 1 : 0);
  waitUntil([&] { return !lib->resultsModel()->item(3)->icon().isNull(); }, 5000);
  QTest::qWait(200);
  QDir().mkpath(QStringLiteral(GLIMPSE_BUILD_DIR "/screenshots"));
  w.grab().save(QStringLiteral(GLIMPSE_BUILD_DIR "/screenshots/ask_results_translated.png"));

  // An English question is asked as typed: no "Asked in English".
  bar->questionEdit()->setText(QStringLiteral("is it red?"));
  QSignalSpy translations(w.client(), &InferenceClient::translated);
  bar->ask();
  ASSERT_TRUE(waitUntil([&] { return !bar->running(); }));
  EXPECT_FALSE(bar->askedInEnglish()->isVisibleTo(bar));
  for (const auto& args : translations)
    EXPECT_NE(args[1].value<glimpse::inference::Translated>().kind, glimpse::inference::Translated::Kind::Query);
}

// Pause and resume as a person clicks them: the button says what a click will do, the state is a
// value the page keeps, and a failure (no search model) never leaves a busy bar running.
TEST(LibraryPage, PauseResumeAndFailureStates) {
  MainWindow w;
  showWithTinyModels(w);
  QTemporaryDir dir;
  for (int i = 0; i < 150; ++i)
    QFile::copy(kTiny + "/images/grad_97x61.png", dir.filePath(QStringLiteral("g%1.png").arg(i)));
  auto* lib = w.libraryPage();
  w.showLibrary();
  EXPECT_TRUE(w.statusBar()->currentMessage().isEmpty())
      << w.statusBar()->currentMessage().toStdString();  // models are set
  QSignalSpy opened(w.client(), &InferenceClient::libraryOpened);
  lib->addFolder(dir.path());
  ASSERT_TRUE(opened.wait(10000));
  QPushButton* index = nullptr;
  for (auto* b : lib->findChildren<QPushButton*>())
    if (b->text() == QStringLiteral("Index")) index = b;
  ASSERT_TRUE(index);
  QSignalSpy progress(w.client(), &InferenceClient::jobProgress);
  QSignalSpy finished(w.client(), &InferenceClient::jobFinished);
  QTest::mouseClick(index, Qt::LeftButton);
  EXPECT_EQ(index->text(), QStringLiteral("Pause"));
  ASSERT_TRUE(waitUntil(
      [&] { return !progress.isEmpty() && progress.last()[1].value<glimpse::inference::JobProgress>().done > 0; }));
  QTest::mouseClick(index, Qt::LeftButton);
  ASSERT_TRUE(waitUntil([&] { return lib->indexState() == LibraryPage::IndexState::Paused; }));
  EXPECT_EQ(index->text(), QStringLiteral("Resume"));
  EXPECT_TRUE(index->isEnabled());
  EXPECT_FALSE(QSettings().value(QStringLiteral("library/indexing")).toBool());  // paused stays paused after a restart
  QDir().mkpath(QStringLiteral(GLIMPSE_BUILD_DIR "/screenshots"));
  w.grab().save(QStringLiteral(GLIMPSE_BUILD_DIR "/screenshots/library_paused.png"));
  QTest::mouseClick(index, Qt::LeftButton);
  EXPECT_TRUE(QSettings().value(QStringLiteral("library/indexing")).toBool());  // running: continues after a restart
  ASSERT_TRUE(finished.wait(60000));
  EXPECT_EQ(finished[0][1].value<JobSummary>().state, glimpse::inference::JobState::Finished);
  EXPECT_EQ(finished[0][1].value<JobSummary>().done, 150);
  EXPECT_EQ(index->text(), QStringLiteral("Index"));
  // No search model: indexing fails, says why, and the bar stops.
  w.settingsStore()->overrideModel(glimpse::Task::Search, QString());
  QTest::mouseClick(index, Qt::LeftButton);
  ASSERT_TRUE(finished.wait(30000));
  EXPECT_EQ(finished[1][1].value<JobSummary>().state, glimpse::inference::JobState::Failed);
  EXPECT_EQ(lib->indexState(), LibraryPage::IndexState::Idle);
  auto* bar = lib->findChild<QProgressBar*>();
  ASSERT_TRUE(bar);
  EXPECT_GT(bar->maximum(), 0);  // not the endless busy indicator
  EXPECT_TRUE(w.statusBar()->currentMessage().contains(QStringLiteral("No model")))
      << w.statusBar()->currentMessage().toStdString();
}

QString exivRead(const QString& file, const char* key) {
  QProcess p;
  p.start(QStringLiteral("exiv2"), {"-q", "-K", QString::fromLatin1(key), "-Pt", file});
  p.waitForFinished(20000);
  return QString::fromUtf8(p.readAllStandardOutput()).trimmed();
}

QByteArray fileBytes(const QString& path) {
  QFile f(path);
  return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// Captions that last, as a person makes them: caption the library's photos, correct one caption
// in the details panel, review everything in "Write captions to files…" (nothing written before
// Write), edit one row there, write, and read the files back with the exiv2 tool.
// Captions made with "Show captions and answers in German" are kept with their translation: the
// details panel shows the German with the English original below it, and a word that only the
// German caption holds finds its photo by text (the full-text index holds translations, v6).
TEST(LibraryPage, TranslatedCaptionsInTheDetailsPanelAndTheTextSearch) {
  GermanSession german;
  const auto translate = [&](const QString& text) { return german.translate(text); };
  MainWindow w;
  german.use(w);
  w.resize(1280, 800);
  w.show();
  // Short captions: the tiny Marian reads at most 64 pieces.
  for (auto* box : w.imagesPage()->findChildren<QSpinBox*>())
    if (box->accessibleName() == QStringLiteral("Maximum length:")) box->setValue(8);
  QTemporaryDir dir;
  for (const char* f : {"grad_97x61.png", "checker_200x120.png"}) QFile::copy(kTiny + "/images/" + f, dir.filePath(f));
  auto* lib = w.libraryPage();
  ASSERT_TRUE(openLibrary(w, dir.filePath("library.db")));
  ASSERT_TRUE(addLibraryFolders(w, {dir.path()}));
  ASSERT_TRUE(indexLibrary(w));
  QSignalSpy finished(w.client(), &InferenceClient::jobFinished);
  lib->startOrPauseCaptioning();
  ASSERT_TRUE(finished.wait(60000));
  ASSERT_EQ(finished[0][1].value<JobSummary>().done, 2);

  // Both photos' details, as the worker reads them from the library.
  QSignalSpy details(w.client(), &InferenceClient::photoDetailsReady);
  QMap<QString, glimpse::inference::PhotoDetails> of;
  for (const char* f : {"grad_97x61.png", "checker_200x120.png"}) {
    w.client()->photoDetails(dir.filePath(f));
    ASSERT_TRUE(details.wait(10000));
    of[f] = details.last()[1].value<glimpse::inference::PhotoDetails>();
    ASSERT_EQ(of[f].captionSource, QStringLiteral("generated"));
    ASSERT_FALSE(of[f].captionTranslation.isEmpty()) << w.statusBar()->currentMessage().toStdString();
    EXPECT_EQ(of[f].captionTranslation, translate(of[f].caption));
    EXPECT_EQ(of[f].captionTranslationLanguage, QStringLiteral("de"));
  }
  const auto& grad = of["grad_97x61.png"];

  // The details panel: the German caption, the English original below it.
  lib->search(QStringLiteral("grad_97x61"));
  ASSERT_TRUE(waitUntil([&] {
    return lib->resultsModel()->rowCount() == 2 &&
           lib->resultsModel()->item(0)->text().startsWith(QStringLiteral("grad_97x61.png"));
  }));
  lib->resultsView()->setCurrentIndex(lib->resultsModel()->index(0, 0));
  ASSERT_TRUE(waitUntil([&] { return lib->captionOriginal()->isVisibleTo(lib); }));
  EXPECT_EQ(lib->captionEditor()->toPlainText(), grad.captionTranslation);
  EXPECT_EQ(lib->captionOriginal()->text(), QStringLiteral("English original: ") + grad.caption);
  waitUntil([&] { return !lib->resultsModel()->item(1)->icon().isNull(); }, 5000);
  QTest::qWait(200);
  QDir().mkpath(QStringLiteral(GLIMPSE_BUILD_DIR "/screenshots"));
  w.grab().save(QStringLiteral(GLIMPSE_BUILD_DIR "/screenshots/library_translated_caption.png"));

  // A word of the gradient's German caption that no English caption and no file name holds finds,
  // by text, exactly the photos whose German caption holds it (the random Marian may write the
  // same words for both).
  const QRegularExpression separators(QStringLiteral("[^\\p{L}\\p{N}]+"));
  const auto words = [&](const QString& text) { return text.toLower().split(separators, Qt::SkipEmptyParts); };
  const auto& checker = of["checker_200x120.png"];
  const QStringList elsewhere =
      words(grad.caption + QLatin1Char(' ') + checker.caption + QLatin1Char(' ') + dir.filePath("grad_97x61.png") +
            QLatin1Char(' ') + dir.filePath("checker_200x120.png"));
  const auto startsOne = [](const QStringList& list, const QString& prefix) {
    return std::any_of(list.begin(), list.end(), [&](const QString& e) { return e.startsWith(prefix); });
  };
  QString word;
  for (const QString& candidate : words(grad.captionTranslation)) {
    static const QRegularExpression kPlain(QStringLiteral("^[a-z]{2,}$"));
    if (kPlain.match(candidate).hasMatch() && !startsOne(elsewhere, candidate)) word = candidate;
  }
  ASSERT_FALSE(word.isEmpty()) << grad.captionTranslation.toStdString() << " / " << grad.caption.toStdString();
  QSignalSpy results(w.client(), &InferenceClient::searchReady);
  lib->search(word);
  ASSERT_TRUE(results.wait(30000));
  const auto found = results.last()[1].value<QList<glimpse::library::SearchResult>>();
  ASSERT_EQ(found.size(), 2);
  for (const auto& r : found) {
    const bool inTranslation = startsOne(words(of[QFileInfo(r.path).fileName()].captionTranslation), word);
    EXPECT_EQ(r.textMatch, inTranslation) << r.path.toStdString() << ": " << word.toStdString();
  }
  EXPECT_TRUE(found[0].textMatch);
  if (!found[1].textMatch) {
    EXPECT_EQ(found[0].path, dir.filePath("grad_97x61.png"));
  }

  // In an English interface the German translation is not shown: the caption is the English one.
  QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
  const int gradRow = found[0].path == dir.filePath("grad_97x61.png") ? 0 : 1;
  ASSERT_TRUE(waitUntil([&] { return lib->resultsModel()->rowCount() == 2; }));
  lib->resultsView()->setCurrentIndex(lib->resultsModel()->index(1 - gradRow, 0));
  ASSERT_TRUE(waitUntil([&] { return lib->captionEditor()->toPlainText() == checker.caption; }));
  lib->resultsView()->setCurrentIndex(lib->resultsModel()->index(gradRow, 0));
  ASSERT_TRUE(waitUntil([&] { return lib->captionEditor()->toPlainText() == grad.caption; }));
  EXPECT_FALSE(lib->captionOriginal()->isVisibleTo(lib));
}

TEST(LibraryPage, CaptionEditReviewAndWriteToFiles) {
  MainWindow w;
  showWithTinyModels(w);
  QTemporaryDir dir;
  for (const char* f : {"grad_97x61.png", "checker_200x120.png", "photo_120x90.jpg"})
    QFile::copy(kTiny + "/images/" + f, dir.filePath(f));
  auto* lib = w.libraryPage();
  ASSERT_TRUE(openLibrary(w, dir.filePath("library.db")));  // its own library, not the other tests' one
  ASSERT_TRUE(addLibraryFolders(w, {dir.path()}));
  QSignalSpy finished(w.client(), &InferenceClient::jobFinished);
  lib->startOrPauseIndexing();
  ASSERT_TRUE(finished.wait(30000));

  // Caption photos: every indexed photo gets a generated caption, kept in the library.
  QPushButton* captionButton = nullptr;
  for (auto* b : lib->findChildren<QPushButton*>())
    if (b->text() == QStringLiteral("Caption photos")) captionButton = b;
  ASSERT_TRUE(captionButton);
  QTest::mouseClick(captionButton, Qt::LeftButton);
  EXPECT_EQ(lib->captionState(), LibraryPage::IndexState::Running);
  ASSERT_TRUE(finished.wait(60000));
  EXPECT_EQ(finished[1][1].value<JobSummary>().kind, glimpse::inference::JobKind::CaptionLibrary);
  EXPECT_EQ(finished[1][1].value<JobSummary>().done, 3);
  EXPECT_EQ(finished[1][1].value<JobSummary>().failed, 0);
  EXPECT_EQ(lib->captionState(), LibraryPage::IndexState::Idle);
  EXPECT_EQ(captionButton->text(), QStringLiteral("Caption photos"));
  // Again: nothing left to caption.
  QTest::mouseClick(captionButton, Qt::LeftButton);
  ASSERT_TRUE(finished.wait(30000));
  EXPECT_EQ(finished[2][1].value<JobSummary>().done, 0);

  // The details panel shows the generated caption; the user corrects it.
  lib->search(QStringLiteral("photo_120x90"));
  ASSERT_TRUE(waitUntil([&] { return lib->resultsModel()->rowCount() == 3; }));
  ASSERT_TRUE(lib->resultsModel()->item(0)->text().startsWith(QStringLiteral("photo_120x90.jpg")));
  QSignalSpy details(w.client(), &InferenceClient::photoDetailsReady);
  lib->resultsView()->setCurrentIndex(lib->resultsModel()->index(0, 0));
  ASSERT_TRUE(details.wait(10000));
  const auto generated = details.last()[1].value<glimpse::inference::PhotoDetails>();
  EXPECT_EQ(generated.captionSource, QStringLiteral("generated"));
  EXPECT_FALSE(generated.caption.isEmpty());
  EXPECT_EQ(lib->captionEditor()->toPlainText(), generated.caption);
  lib->captionEditor()->setPlainText(QStringLiteral("a lighthouse on zanzibar"));
  lib->saveCaption();
  ASSERT_TRUE(details.wait(10000));
  const auto edited = details.last()[1].value<glimpse::inference::PhotoDetails>();
  EXPECT_EQ(edited.caption, QStringLiteral("a lighthouse on zanzibar"));
  EXPECT_EQ(edited.captionSource, QStringLiteral("edited"));
  EXPECT_EQ(edited.captions.size(), 2);  // the generated one stays beside it
  QDir().mkpath(QStringLiteral(GLIMPSE_BUILD_DIR "/screenshots"));
  w.grab().save(QStringLiteral(GLIMPSE_BUILD_DIR "/screenshots/library_caption.png"));
  // The edited words find the photo.
  lib->search(QStringLiteral("zanzibar"));
  ASSERT_TRUE(waitUntil([&] {
    return lib->resultsModel()->rowCount() > 0 &&
           lib->resultsModel()->item(0)->text().startsWith(QStringLiteral("photo_120x90.jpg"));
  }));

  // The review: one row per captioned photo, nothing written before Write.
  const QString jpg = dir.filePath("photo_120x90.jpg");
  const QByteArray before = fileBytes(jpg);
  lib->writeCaptionsToFiles();
  WriteCaptionsDialog* dialog = nullptr;
  ASSERT_TRUE(waitUntil([&] {
    dialog = lib->findChild<WriteCaptionsDialog*>();
    return dialog && dialog->isReady();
  }));
  QTableWidget* table = dialog->table();
  ASSERT_EQ(table->rowCount(), 3);
  dialog->txtBox()->setChecked(true);
  int jpgRow = -1, checkerRow = -1;
  for (int r = 0; r < table->rowCount(); ++r) {
    const QString name = table->item(r, WriteCaptionsDialog::PhotoColumn)->text();
    if (name == QStringLiteral("photo_120x90.jpg")) jpgRow = r;
    if (name == QStringLiteral("checker_200x120.png")) checkerRow = r;
  }
  ASSERT_GE(jpgRow, 0);
  ASSERT_GE(checkerRow, 0);
  EXPECT_EQ(table->item(jpgRow, WriteCaptionsDialog::CaptionColumn)->text(),
            QStringLiteral("a lighthouse on zanzibar"));
  EXPECT_TRUE(
      table->item(jpgRow, WriteCaptionsDialog::PlanColumn)->text().contains(QStringLiteral("photo_120x90.txt")));
  // The user edits one caption in the table and leaves another photo out.
  table->item(jpgRow, WriteCaptionsDialog::CaptionColumn)->setText(QStringLiteral("a lighthouse on zanzibar at dusk"));
  table->item(checkerRow, WriteCaptionsDialog::PhotoColumn)->setCheckState(Qt::Unchecked);
  EXPECT_EQ(dialog->writeButton()->text(), QStringLiteral("Write 2 captions"));
  QTest::qWait(300);
  EXPECT_EQ(fileBytes(jpg), before);
  EXPECT_FALSE(QFile::exists(dir.filePath("photo_120x90.txt")));
  QDir().mkpath(QStringLiteral(GLIMPSE_BUILD_DIR "/screenshots"));
  dialog->grab().save(QStringLiteral(GLIMPSE_BUILD_DIR "/screenshots/write_captions_review.png"));

  QTest::mouseClick(dialog->writeButton(), Qt::LeftButton);
  ASSERT_TRUE(finished.wait(30000));
  const auto written = finished.last()[1].value<JobSummary>();
  EXPECT_EQ(written.kind, glimpse::inference::JobKind::WriteCaptions);
  EXPECT_EQ(written.done, 2);
  EXPECT_EQ(written.failed, 0);
  EXPECT_TRUE(table->item(jpgRow, WriteCaptionsDialog::ResultColumn)->text().contains(QStringLiteral("written")))
      << table->item(jpgRow, WriteCaptionsDialog::ResultColumn)->text().toStdString();
  EXPECT_EQ(table->item(jpgRow, WriteCaptionsDialog::CaptionColumn)->text(),
            QStringLiteral("a lighthouse on zanzibar at dusk"));
  dialog->grab().save(QStringLiteral(GLIMPSE_BUILD_DIR "/screenshots/write_captions_done.png"));
  // Read back by an independent reader, and the text file.
  EXPECT_EQ(exivRead(jpg, "Xmp.dc.description"), QStringLiteral("lang=\"x-default\" a lighthouse on zanzibar at dusk"));
  EXPECT_EQ(exivRead(jpg, "Exif.Image.ImageDescription"), QStringLiteral("a lighthouse on zanzibar at dusk"));
  EXPECT_EQ(fileBytes(dir.filePath("photo_120x90.txt")), QByteArray("a lighthouse on zanzibar at dusk\n"));
  // The photo left out is untouched.
  EXPECT_FALSE(QFile::exists(dir.filePath("checker_200x120.txt")));
  EXPECT_EQ(fileBytes(dir.filePath("checker_200x120.png")), fileBytes(kTiny + "/images/checker_200x120.png"));
  dialog->close();
}

TEST(SettingsDialog, DescribesModelFoldersInWords) {
  EXPECT_TRUE(SettingsDialog::describe(kTiny, "BlipForConditionalGeneration").startsWith(QStringLiteral("Ready")))
      << SettingsDialog::describe(kTiny, "BlipForConditionalGeneration").toStdString();
  EXPECT_TRUE(SettingsDialog::describe(kTiny + "/caption_bin", "BlipForImageTextRetrieval")
                  .contains(QStringLiteral("does not do this task")));
  EXPECT_TRUE(SettingsDialog::describe(QStringLiteral("/nonexistent"), "BlipForConditionalGeneration")
                  .startsWith(QStringLiteral("Cannot be used")));
  EXPECT_EQ(SettingsDialog::describe(QString(), "BlipForConditionalGeneration"), QStringLiteral("Not set."));
}

TEST(MainWindow, AFasterPrecisionIsShownInTheStatusBar) {
  MainWindow w;
  AppSettings s = w.settingsStore()->current();
  s.precision = QStringLiteral("int8");
  w.settingsStore()->apply(s);
  QLabel* badge = nullptr;
  for (auto* label : w.statusBar()->findChildren<QLabel*>())
    if (label->accessibleName() == QStringLiteral("Precision")) badge = label;
  ASSERT_NE(badge, nullptr);
  EXPECT_FALSE(badge->isHidden());
  EXPECT_EQ(badge->text(), QStringLiteral("Precision: int8"));
  s.precision = QStringLiteral("fp32");
  w.settingsStore()->apply(s);
  EXPECT_TRUE(badge->isHidden());
}

TEST(ModelsDialog, FirstRunOpensItAndADownloadIsUsableAtOnce) {
  ScopedModelsDir dir;
  // A local server with the Hub's layout serves the tiny model as a catalogue repo.
  HubServer server(copyTinyModel(dir.filePath("served")));
  server.repo = QStringLiteral("Salesforce/blip-itm-base-coco");
  qputenv("HF_ENDPOINT", server.endpoint().toUtf8());

  MainWindow w;  // no models set in this fresh profile
  w.show();
  ModelsDialog* dialog = nullptr;
  ASSERT_TRUE(waitUntil([&] { return (dialog = w.findChild<ModelsDialog*>()) && dialog->isVisible(); }, 5000));
  QTableWidget* table = dialog->table();
  int row = -1;
  for (int r = 0; r < table->rowCount(); ++r)
    if (table->item(r, 0)->text() == server.repo) row = r;
  ASSERT_GE(row, 0);
  table->selectRow(row);
  QSignalSpy changed(w.settingsStore(), &glimpse::SettingsStore::changed);
  dialog->downloadSelected();
  ASSERT_TRUE(changed.wait(30000));
  const QString folder = dir.filePath("models/Salesforce/blip-itm-base-coco");
  EXPECT_EQ(w.settingsStore()->current().model(glimpse::Task::Search), folder);
  EXPECT_TRUE(
      waitUntil([&] { return table->item(row, 3) && table->item(row, 3)->text() == QStringLiteral("In use"); }, 5000));
  QDir().mkpath(QStringLiteral(GLIMPSE_BUILD_DIR "/screenshots"));
  dialog->grab().save(QStringLiteral(GLIMPSE_BUILD_DIR "/screenshots/models.png"));
  // The window uses it right away: index and search with the downloaded model.
  QTemporaryDir photos;
  QFile::copy(kTiny + "/images/grad_97x61.png", photos.filePath("grad.png"));
  QSignalSpy opened(w.client(), &InferenceClient::libraryOpened);
  QSignalSpy failures(w.client(), &InferenceClient::failed);
  w.libraryPage()->addFolder(photos.path());
  ASSERT_TRUE(waitUntil([&] { return !opened.isEmpty() || !failures.isEmpty(); }, 30000));
  ASSERT_TRUE(failures.isEmpty()) << failures[0][1].toString().toStdString();
  QSignalSpy indexed(w.client(), &InferenceClient::jobFinished);
  w.libraryPage()->startOrPauseIndexing();
  ASSERT_TRUE(indexed.wait(30000));
  EXPECT_EQ(indexed[0][1].value<JobSummary>().done, 1);
  // Import of a folder the person has, then removal.
  QTemporaryDir mine;
  for (const char* n : {"config.json", "preprocessor_config.json", "vocab.txt", "model.safetensors"})
    QFile::copy(kTiny + "/caption_bin/" + QString::fromLatin1(n).replace("model.safetensors", "pytorch_model.bin"),
                mine.filePath(n == std::string("model.safetensors") ? "pytorch_model.bin" : n));
  dialog->importFolder(mine.path());  // copies on a worker thread
  EXPECT_TRUE(waitUntil([&] {
    return QFileInfo::exists(dir.filePath("models/") + QFileInfo(mine.path()).fileName() + "/pytorch_model.bin");
  }));
  ASSERT_TRUE(waitUntil([&] { return !w.settingsStore()->current().model(glimpse::Task::Caption).isEmpty(); }, 10000));
  EXPECT_FALSE(w.settingsStore()->current().model(glimpse::Task::Caption).isEmpty());  // it captions, and none was set
  qunsetenv("HF_ENDPOINT");
}

// The Images page's BLIP style is BLIP's evaluation setting, exactly as the CLI spells it: the
// same tokens as `glimpse-cli caption --beams 3 --min-length 5 --prompt "a picture of"`.
TEST(MainWindow, BlipStyleCaptionEqualsTheCli) {
  MainWindow w;
  showWithTinyModels(w);
  QSignalSpy ready(w.client(), &InferenceClient::captionReady);
  const QString image = kTiny + "/images/photo_120x90.jpg";
  dropFiles(&w, {image});
  ASSERT_TRUE(waitUntil([&] { return !ready.isEmpty(); }));
  const auto gui = ready[0][1].value<glimpse::inference::CaptionResult>();
  const CliRun cli = runCli(
      {"caption", "--model", kTiny, "--beams", "3", "--min-length", "5", "--prompt", "a picture of", "--json", image});
  ASSERT_EQ(cli.code, 0) << cli.err;
  const QJsonObject result =
      QJsonDocument::fromJson(QByteArray::fromStdString(cli.out)).object()["results"].toArray()[0].toObject();
  QList<qint64> tokens;
  for (const auto& v : result["token_ids"].toArray()) tokens << v.toInteger();
  EXPECT_EQ(gui.tokenIds, tokens);
  EXPECT_EQ(gui.fullText, result["text"].toString());
  // The page shows the caption without the prompt.
  EXPECT_EQ(w.imagesPage()->model()->item(0).caption, gui.text);
  EXPECT_FALSE(gui.text.startsWith(QStringLiteral("a picture of")));
}

// One owner of the settings: folders from the command line are for the session only, and a
// Models action or the Settings dialog saves only what it changed.
TEST(SettingsStore, SavesOnlyWhatWasChosen) {
  QSettings().clear();
  {
    glimpse::SettingsStore store;
    store.overrideModel(glimpse::Task::Ask, QStringLiteral("/broken/folder"));
    EXPECT_EQ(store.current().model(glimpse::Task::Ask), QStringLiteral("/broken/folder"));
    store.setModel(glimpse::Task::Search, kTiny);  // "Use for its task" in Models
    AppSettings edited = store.current();
    edited.precision = QStringLiteral("bf16");  // the Settings dialog changed only this
    store.apply(edited);
    EXPECT_EQ(store.current().model(glimpse::Task::Ask), QStringLiteral("/broken/folder"));
    EXPECT_EQ(store.current().precision, QStringLiteral("bf16"));
  }
  const AppSettings saved = AppSettings::loadSaved();
  EXPECT_TRUE(saved.model(glimpse::Task::Ask).isEmpty());
  EXPECT_EQ(saved.model(glimpse::Task::Search), kTiny);
  EXPECT_EQ(saved.precision, QStringLiteral("bf16"));
  glimpse::SettingsStore fresh;
  EXPECT_EQ(fresh.current(), saved);
  QSettings().clear();
}

// Thumbnails and previews decode the photo formats the engine decodes, by content: an SVG named
// .jpg shows no picture (its plugin never sees the bytes), a FIFO never blocks.
TEST(Thumbnails, OnlyPhotoFormatsByContent) {
  EXPECT_FALSE(ThumbnailLoader::load(kTiny + "/images/photo_120x90.jpg", QSize(80, 60)).isNull());
  QTemporaryDir dir;
  QFile svg(dir.filePath("text.jpg"));
  ASSERT_TRUE(svg.open(QIODevice::WriteOnly));
  svg.write(R"(<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><text x="1" y="8">hi</text></svg>)");
  svg.close();
  EXPECT_TRUE(ThumbnailLoader::load(svg.fileName(), QSize(80, 60)).isNull());
  const QString fifo = dir.filePath("pipe.png");
  ASSERT_EQ(QProcess::execute(QStringLiteral("mkfifo"), {fifo}), 0);
  QElapsedTimer t;
  t.start();
  EXPECT_TRUE(ThumbnailLoader::load(fifo, QSize(80, 60)).isNull());
  EXPECT_LT(t.elapsed(), 2000);
}

// Every user-visible string has a German text (the .ts is filled by scripts/translations_de.py).
// The filmstrip's thumbnails: made once into the shared freedesktop cache, and in memory only up
// to the loader's bound (the least recently loaded go first; asking again reads the disk cache).
TEST(Thumbnails, TheLoaderSharesTheDiskCacheAndBoundsItsMemory) {
  const qint64 bound = 150 * 1024;
  ThumbnailLoader loader(QSize(160, 120), nullptr, bound);
  QStringList paths;
  for (const char* f : {"large_3000x2000.png", "checker_200x120.png", "photo_120x90.jpg", "grad_97x61.png",
                        "rgba_70x70.png", "gray_50x80.png", "exact_64x64.png", "palette_33x47.png"})
    paths << kTiny + "/images/" + f;
  QStringList loaded;
  QMap<QString, QSize> sizes;
  QObject::connect(&loader, &ThumbnailLoader::loaded, [&](const QString& p, const QImage& img) {
    loaded << p;
    sizes.insert(p, img.size());
  });
  for (const QString& p : paths) {
    loader.request(p);
    ASSERT_TRUE(waitUntil([&] { return loaded.contains(p); }));
  }
  qint64 inMemory = 0;
  int cached = 0;
  for (const QString& p : paths) {
    EXPECT_TRUE(QFileInfo::exists(glimpse::desktop::thumbnailPath(p, glimpse::desktop::ThumbnailFlavor::Large)))
        << p.toStdString();
    if (loader.isCached(p)) {
      ++cached;
      inMemory += loader.cached(p).sizeInBytes();
    }
  }
  EXPECT_LE(inMemory, bound);
  EXPECT_LT(cached, paths.size());
  EXPECT_FALSE(loader.isCached(paths.front()));  // the oldest went first
  EXPECT_TRUE(loader.isCached(paths.back()));
  // Asked again, an evicted one comes back from the disk cache (the large flavour, 256 pixels,
  // scaled to the box).
  const QSize first = sizes.value(paths.front());
  EXPECT_EQ(first.width(), 160);
  loaded.clear();
  loader.request(paths.front());
  ASSERT_TRUE(waitUntil([&] { return loaded.contains(paths.front()); }));
  EXPECT_EQ(loader.cached(paths.front()).width(), 160);
  EXPECT_NEAR(loader.cached(paths.front()).height(), first.height(), 1);
}

TEST(Translations, GermanIsComplete) {
  QFile ts(QStringLiteral(GLIMPSE_SOURCE_DIR "/translations/glimpse_de.ts"));
  ASSERT_TRUE(ts.open(QIODevice::ReadOnly));
  QXmlStreamReader xml(&ts);
  int messages = 0, unfinished = 0, badNumerus = 0, numerusForms = 0;
  bool numerus = false;
  while (!xml.atEnd()) {
    xml.readNext();
    if (xml.isStartElement() && xml.name() == QLatin1String("message")) {
      ++messages;
      numerus = xml.attributes().value(QLatin1String("numerus")) == QLatin1String("yes");
      numerusForms = 0;
    }
    if (xml.isStartElement() && xml.name() == QLatin1String("translation")) {
      const auto type = xml.attributes().value(QLatin1String("type"));
      if (type == QLatin1String("unfinished") || type == QLatin1String("vanished")) ++unfinished;
    }
    if (xml.isStartElement() && xml.name() == QLatin1String("numerusform")) ++numerusForms;
    if (xml.isEndElement() && xml.name() == QLatin1String("message") && numerus && numerusForms != 2) ++badNumerus;
  }
  EXPECT_FALSE(xml.hasError()) << xml.errorString().toStdString();
  EXPECT_GT(messages, 100);
  EXPECT_EQ(unfinished, 0);
  EXPECT_EQ(badNumerus, 0);
}

// Two real launches of the app: the second hands its photo to the first window and ends.
TEST(GlimpseBinary, ASecondLaunchAddsItsPhotoToTheFirstWindow) {
  QTemporaryDir home;
  QProcessEnvironment env = isolatedEnvironment(home.path());
  QDir().mkpath(home.filePath("runtime"));
  QFile::setPermissions(home.filePath("runtime"),
                        QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
  env.insert("XDG_RUNTIME_DIR", home.filePath("runtime"));
  env.insert("QT_QPA_PLATFORM", "offscreen");
  env.insert("QT_LOGGING_RULES", "glimpse.instance.info=true");
  QProcess first, second;
  first.setProcessEnvironment(env);
  second.setProcessEnvironment(env);
  first.start(QStringLiteral(GLIMPSE_GUI_PATH), {});
  ASSERT_TRUE(first.waitForStarted());
  ASSERT_TRUE(waitUntil(
      [&] { return !QDir(home.filePath("runtime")).entryList({"glimpse-photos-*.socket"}, QDir::System).isEmpty(); },
      60000));
  const QString photo = kTiny + "/images/photo_120x90.jpg";
  second.start(QStringLiteral(GLIMPSE_GUI_PATH), {photo});
  ASSERT_TRUE(second.waitForFinished(60000));
  EXPECT_EQ(second.exitCode(), 0) << second.readAllStandardError().toStdString();
  EXPECT_TRUE(second.readAllStandardError().contains("handed 1 file(s) to the running window"));
  QByteArray log;
  EXPECT_TRUE(waitUntil([&] {
    log += first.readAllStandardError();
    return log.contains("another launch opened 1 file(s), 1 added");
  })) << log.toStdString();
  EXPECT_EQ(first.state(), QProcess::Running);
  first.terminate();
  if (!first.waitForFinished(10000)) first.kill();
}

// The real binary under Xvfb: it captions an image and saves a screenshot in the build folder,
// once in English and once in German.
TEST(GlimpseBinary, CaptionScreenshotUnderXvfb) {
  for (const char* lang : {"C", "de"}) {
    const QString shot = QStringLiteral(GLIMPSE_BUILD_DIR "/screenshots/caption%1.png")
                             .arg(lang == std::string("de") ? QStringLiteral("_de") : QString());
    QDir().mkpath(QFileInfo(shot).absolutePath());
    QFile::remove(shot);
    QTemporaryDir home;
    RunOptions o;
    o.env = isolatedEnvironment(home.path());
    o.env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("xcb"));
    o.env.insert(QStringLiteral("LANG"),
                 lang == std::string("de") ? QStringLiteral("de_DE.UTF-8") : QStringLiteral("C.UTF-8"));
    o.env.insert(QStringLiteral("LANGUAGE"), QString::fromLatin1(lang));
    const CliRun r =
        runProgram(QStringLiteral("xvfb-run"),
                   {"-a", "-s", "-screen 0 1400x900x24", QStringLiteral(GLIMPSE_GUI_PATH), "--caption-model", kTiny,
                    "--ask-model", kTiny, "--search-model", kTiny, "--screenshot", shot,
                    kTiny + "/images/photo_120x90.jpg", kTiny + "/images/exif6_40x24.jpg"},
                   o);
    ASSERT_EQ(r.code, 0) << r.err;
    QImage img(shot);
    ASSERT_FALSE(img.isNull()) << "no screenshot at " << shot.toStdString();
    EXPECT_GE(img.width(), 800);
    EXPECT_GE(img.height(), 500);
    // Not a blank frame: many distinct colours.
    QSet<QRgb> colours;
    for (int y = 0; y < img.height(); y += 7)
      for (int x = 0; x < img.width(); x += 7) colours.insert(img.pixel(x, y));
    EXPECT_GT(colours.size(), 50);
  }
}

}  // namespace

int main(int argc, char** argv) {
  return runWidgetTests(argc, argv);
}
