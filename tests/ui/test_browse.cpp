// The library browsed as a person does (no query: folder tree with counts, newest first, filters),
// results opened for captioning and asking, the preview fitted, zoomed and full screen, the
// filmstrip's cells, menus and selection, icons and shortcuts. Offscreen, real widgets, the tiny
// model and real files; part of test_ui (its main() is in test_mainwindow.cpp).
#include <gtest/gtest.h>

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QDateEdit>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QMessageBox>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardItemModel>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QToolBar>
#include <QTreeWidget>
#include <QWheelEvent>

#include "desktop.h"
#include "imagespage.h"
#include "inference/inferenceclient.h"
#include "librarypage.h"
#include "mainwindow.h"
#include "photoview.h"
#include "thumbnaildelegate.h"
#include "thumbnailloader.h"
#include "window_fixture.h"

using namespace glimpse::ui;
using glimpse::inference::InferenceClient;
using glimpse::inference::JobSummary;
using namespace glimpse::test;

namespace {

const QString kImages = QStringLiteral(GLIMPSE_TEST_DATA_DIR "/tiny/images");

void copyTo(const QString& image, const QString& target, const QDate& date = {}) {
  QDir().mkpath(QFileInfo(target).absolutePath());
  ASSERT_TRUE(QFile::copy(kImages + "/" + image, target)) << target.toStdString();
  if (date.isValid()) {
    QFile f(target);
    ASSERT_TRUE(f.open(QIODevice::ReadWrite));
    ASSERT_TRUE(f.setFileTime(QDateTime(date, QTime(12, 0), Qt::UTC), QFileDevice::FileModificationTime));
  }
}

// A picture of the window for people to look at (build/screenshots; "@2x" when the screen is).
void saveShot(QWidget* w, const QString& name) {
  QTest::qWait(300);  // thumbnails and the preview arrive off the GUI thread
  QDir().mkpath(QStringLiteral(GLIMPSE_BUILD_DIR "/screenshots"));
  const QString suffix = w->devicePixelRatioF() > 1 ? QStringLiteral("@2x") : QString();
  w->grab().save(QStringLiteral(GLIMPSE_BUILD_DIR "/screenshots/%1%2.png").arg(name, suffix));
}

QStringList gridTexts(LibraryPage* lib) {
  QStringList out;
  for (int r = 0; r < lib->resultsModel()->rowCount(); ++r) out << lib->resultsModel()->item(r)->text();
  return out;
}

QTreeWidgetItem* treeItem(LibraryPage* lib, const QString& startsWith) {
  for (QTreeWidgetItemIterator it(lib->folderTree()); *it; ++it)
    if ((*it)->text(0).startsWith(startsWith)) return *it;
  return nullptr;
}

QPushButton* button(QWidget* in, const QString& text) {
  for (auto* b : in->findChildren<QPushButton*>())
    if (b->text() == text) return b;
  return nullptr;
}

// The window with the tiny models on the Library page, showing a library of this test's photos only
// (in `dir`; the app's own library may still be opening) with `folders` added and indexed.
void showLibraryOf(MainWindow& w, const QTemporaryDir& dir, const QStringList& folders, QSize size = {}) {
  showWithTinyModels(w, size);
  ASSERT_TRUE(openLibrary(w, dir.filePath("library.glimpse")));
  ASSERT_TRUE(addLibraryFolders(w, folders));
  ASSERT_TRUE(indexLibrary(w));
}

// No two cells of a grid overlap, and each is as tall as its picture box and text lines.
void expectCellsApart(QListView* view, int lines) {
  const int n = view->model()->rowCount();
  ASSERT_GT(n, 1);
  const QFontMetrics fm(view->font());
  for (int i = 0; i < n; ++i) {
    const QRect a = view->visualRect(view->model()->index(i, 0));
    EXPECT_GE(a.height(), 120 + lines * fm.lineSpacing()) << i;
    for (int j = i + 1; j < n; ++j)
      EXPECT_FALSE(a.intersects(view->visualRect(view->model()->index(j, 0)))) << i << " and " << j;
  }
}

TEST(LibraryBrowse, WithoutAQueryFolderTreeDatesAndRemove) {
  QTemporaryDir dir;
  const QString one = dir.filePath("one");
  const QString two = dir.filePath("two");
  copyTo("grad_97x61.png", one + "/a/x.png", QDate(2020, 3, 1));
  copyTo("photo_120x90.jpg", one + "/a/photo.jpg", QDate(2021, 6, 1));
  copyTo("checker_200x120.png", one + "/a/sub/checker.png", QDate(2022, 1, 1));
  copyTo("grad_97x61.png", one + "/b/x.png", QDate(2019, 7, 1));
  copyTo("gray_50x80.png", two + "/portrait.png", QDate(2018, 1, 1));
  MainWindow w;
  ASSERT_NO_FATAL_FAILURE(showLibraryOf(w, dir, {one, two}, QSize(1440, 900)));
  auto* lib = w.libraryPage();
  // Indexed, and no query: the grid shows the photos, newest first.
  ASSERT_TRUE(waitUntil([&] { return lib->resultsModel()->rowCount() == 5; }))
      << gridTexts(lib).join('|').toStdString() << lib->resultsSummary().toStdString();
  const QStringList texts = gridTexts(lib);
  EXPECT_TRUE(texts[0].startsWith(QStringLiteral("checker.png"))) << texts.join('|').toStdString();
  EXPECT_TRUE(texts[1].startsWith(QStringLiteral("photo.jpg")));
  EXPECT_TRUE(texts[4].startsWith(QStringLiteral("portrait.png")));
  // Two x.png: each says which folder it is in.
  EXPECT_TRUE(texts[2].startsWith(QStringLiteral("x.png (a)"))) << texts[2].toStdString();
  EXPECT_TRUE(texts[3].startsWith(QStringLiteral("x.png (b)"))) << texts[3].toStdString();
  EXPECT_TRUE(lib->resultsSummary().contains(QStringLiteral("5 photo"))) << lib->resultsSummary().toStdString();
  // The tree: everything, each library folder and its subfolders, with counts.
  ASSERT_TRUE(treeItem(lib, "All photos (5)"));
  EXPECT_EQ(lib->folderTree()->topLevelItem(0), treeItem(lib, "All photos"));
  EXPECT_EQ(lib->folderTree()->topLevelItem(1)->toolTip(0), one);
  ASSERT_TRUE(treeItem(lib, "one (4)"));
  ASSERT_TRUE(treeItem(lib, "two (1)"));
  ASSERT_TRUE(treeItem(lib, "a (3)"));
  ASSERT_TRUE(treeItem(lib, "sub (1)"));
  ASSERT_TRUE(treeItem(lib, "b (1)"));
  EXPECT_EQ(treeItem(lib, "sub (1)")->parent(), treeItem(lib, "a (3)"));
  lib->resultsView()->setCurrentIndex(lib->resultsModel()->index(2, 0));
  saveShot(&w, QStringLiteral("library_browse"));
  // A subfolder narrows the grid; it cannot be removed (only folders of the library can).
  QPushButton* remove = button(lib, QStringLiteral("Remove"));
  ASSERT_TRUE(remove);
  lib->folderTree()->setCurrentItem(treeItem(lib, "a (3)"));
  EXPECT_FALSE(remove->isEnabled());
  ASSERT_TRUE(waitUntil([&] { return lib->resultsModel()->rowCount() == 3; }));
  for (const QString& t : gridTexts(lib)) EXPECT_FALSE(t.startsWith(QStringLiteral("portrait")));
  EXPECT_TRUE(lib->resultsSummary().startsWith(QStringLiteral("In a:"))) << lib->resultsSummary().toStdString();
  // Dates, within that folder: 2020 and 2021 only.
  lib->setDateFilter(QDate(2020, 1, 1), QDate(2021, 12, 31));
  ASSERT_TRUE(waitUntil([&] { return lib->resultsModel()->rowCount() == 2; }));
  EXPECT_TRUE(gridTexts(lib)[0].startsWith(QStringLiteral("photo.jpg")));
  saveShot(&w, QStringLiteral("library_browse_filtered"));
  lib->setDateFilter({}, {});
  ASSERT_TRUE(waitUntil([&] { return lib->resultsModel()->rowCount() == 3; }));
  // Remove the second library folder: only it goes; the first keeps its four photos.
  lib->folderTree()->setCurrentItem(treeItem(lib, "two (1)"));
  ASSERT_TRUE(remove->isEnabled());
  QSignalSpy opened(w.client(), &InferenceClient::libraryOpened);
  QTest::mouseClick(remove, Qt::LeftButton);
  ASSERT_TRUE(opened.wait(10000));
  lib->setFolderFilter(QString());
  ASSERT_TRUE(waitUntil([&] { return lib->resultsModel()->rowCount() == 4 && treeItem(lib, "All photos (4)"); }));
  EXPECT_TRUE(treeItem(lib, "one (4)"));
  EXPECT_FALSE(treeItem(lib, "two"));
  saveShot(&w, QStringLiteral("library_browse_removed"));
}

// A file indexing could not read is in the grid saying so, with the reason in its tooltip, and
// the status line says where to look.
TEST(LibraryBrowse, AnUnreadablePhotoSaysSoInItsCell) {
  QTemporaryDir dir;
  const QString folder = dir.filePath("photos");
  copyTo("photo_120x90.jpg", folder + "/good.jpg", QDate(2021, 6, 1));
  {
    QFile bad(folder + "/broken.jpg");
    ASSERT_TRUE(bad.open(QIODevice::WriteOnly));
    bad.write("this is not a JPEG at all");
  }
  MainWindow w;
  ASSERT_NO_FATAL_FAILURE(showLibraryOf(w, dir, {folder}, QSize(1440, 900)));
  auto* lib = w.libraryPage();
  ASSERT_TRUE(waitUntil([&] { return lib->resultsModel()->rowCount() == 2; }))
      << gridTexts(lib).join('|').toStdString();
  ASSERT_TRUE(waitUntil([&] { return gridTexts(lib).join('|').contains(QStringLiteral("Cannot be read")); }))
      << gridTexts(lib).join('|').toStdString();
  for (int r = 0; r < lib->resultsModel()->rowCount(); ++r) {
    const QStandardItem* item = lib->resultsModel()->item(r);
    const bool broken = item->text().startsWith(QStringLiteral("broken.jpg"));
    EXPECT_EQ(item->text().endsWith(QStringLiteral("Cannot be read")), broken) << item->text().toStdString();
    EXPECT_EQ(item->toolTip().contains(QStringLiteral("Cannot be read: ")), broken) << item->toolTip().toStdString();
  }
  bool said = false;
  for (auto* label : lib->findChildren<QLabel*>())
    said = said || label->text().contains(QStringLiteral("marked “Cannot be read” in the grid"));
  EXPECT_TRUE(said);
  saveShot(&w, QStringLiteral("library_unreadable"));
}

TEST(LibraryBrowse, RelevanceInOrderWithoutNegativeNumbers) {
  QList<glimpse::library::SearchResult> rs(4);
  rs[0].score = 0.2;  // a name match ranks first with a lower score
  rs[1].score = 0.5;
  rs[2].score = -0.3;
  rs[3].score = -1.7;
  EXPECT_EQ(LibraryPage::relevances(rs), (QList<int>{60, 60, 35, 0}));
  EXPECT_DOUBLE_EQ(LibraryPage::scoreOfRelevance(35), -0.3);
  EXPECT_EQ(LibraryPage::displayNames({"/p/2023/a/IMG_1.jpg", "/p/2024/a/IMG_1.jpg", "/p/b/IMG_2.jpg"}),
            (QStringList{"IMG_1.jpg (2023/a)", "IMG_1.jpg (2024/a)", "IMG_2.jpg"}));

  QTemporaryDir dir;
  for (const char* f : {"grad_97x61.png", "checker_200x120.png", "photo_120x90.jpg", "rgba_70x70.png"})
    copyTo(f, dir.filePath(f));
  MainWindow w;
  ASSERT_NO_FATAL_FAILURE(showLibraryOf(w, dir, {dir.path()}, QSize(1440, 900)));
  auto* lib = w.libraryPage();
  lib->search(QStringLiteral("a checker board"));
  ASSERT_TRUE(waitUntil([&] { return lib->resultsModel()->rowCount() == 4; }));
  // The folder tree counts what indexing found, though a search followed at once.
  EXPECT_TRUE(waitUntil([&] { return treeItem(lib, QFileInfo(dir.path()).fileName() + " (4)") != nullptr; }));
  int previous = 101;
  for (const QString& t : gridTexts(lib)) {
    const QString second = t.section('\n', 1);
    EXPECT_FALSE(second.contains('-')) << t.toStdString();
    ASSERT_TRUE(second.endsWith(QStringLiteral("% relevant"))) << t.toStdString();
    const int percent = second.section('%', 0, 0).toInt();
    EXPECT_LE(percent, previous) << t.toStdString();
    previous = percent;
  }
  lib->resultsView()->setCurrentIndex(lib->resultsModel()->index(0, 0));
  saveShot(&w, QStringLiteral("library_search"));
  // A minimum relevance between the best and the worst leaves out the worst (the CLI's --min-score).
  const int best = gridTexts(lib).first().section('\n', 1).section('%', 0, 0).toInt();
  const int worst = previous;
  if (best > worst) {
    lib->setMinimumRelevance(worst + 1);
    ASSERT_TRUE(waitUntil([&] {
      const int n = lib->resultsModel()->rowCount();
      return n > 0 && n < 4;
    }));
    for (const QString& t : gridTexts(lib)) EXPECT_GT(t.section('\n', 1).section('%', 0, 0).toInt(), worst);
    lib->setMinimumRelevance(0);
  }
  // More like this: cells of the same size, none overlapping.
  ASSERT_TRUE(waitUntil([&] { return lib->resultsModel()->rowCount() == 4; }));
  lib->resultsView()->setCurrentIndex(lib->resultsModel()->index(0, 0));
  lib->moreLikeThis();
  ASSERT_TRUE(waitUntil([&] { return lib->resultsModel()->rowCount() == 3; }));
  expectCellsApart(lib->resultsView(), 2);
  saveShot(&w, QStringLiteral("library_more_like_this"));
  // Clearing the query (it is empty after "more like this") and pressing Return browses again.
  auto* query = lib->findChild<QLineEdit*>();
  QTest::keyClick(query, Qt::Key_Return);
  ASSERT_TRUE(waitUntil([&] { return lib->resultsModel()->rowCount() == 4; }));
  EXPECT_FALSE(gridTexts(lib)[0].contains(QStringLiteral("relevant")));
}

TEST(LibraryBrowse, CaptionAndAskOpenTheResultOnTheImagesPage) {
  QTemporaryDir dir;
  copyTo("photo_120x90.jpg", dir.filePath("photo.jpg"));
  copyTo("grad_97x61.png", dir.filePath("grad.png"));
  MainWindow w;
  ASSERT_NO_FATAL_FAILURE(showLibraryOf(w, dir, {dir.path()}));
  auto* lib = w.libraryPage();
  ASSERT_TRUE(waitUntil([&] { return lib->resultsModel()->rowCount() == 2; }));
  QPushButton* ask = button(lib, QStringLiteral("Ask about this photo"));
  QPushButton* caption = button(lib, QStringLiteral("Caption"));
  ASSERT_TRUE(ask && caption);
  EXPECT_FALSE(ask->isEnabled());
  lib->resultsView()->setCurrentIndex(lib->resultsModel()->index(1, 0));
  const QString path = lib->resultsModel()->item(1)->data(Qt::UserRole + 1).toString();
  ASSERT_TRUE(ask->isEnabled());
  QTest::mouseClick(ask, Qt::LeftButton);
  auto* images = w.imagesPage();
  saveShot(&w, QStringLiteral("library_ask_opened"));
  EXPECT_TRUE(images->isVisible());
  EXPECT_EQ(images->currentPath(), path);
  auto* tabs = images->findChild<QTabWidget*>();
  ASSERT_TRUE(tabs);
  EXPECT_EQ(tabs->currentIndex(), 1);  // the Ask tab, with its chat
  // Caption on the other result: it joins the list, is selected and gets its caption.
  w.showLibrary();
  lib->resultsView()->setCurrentIndex(lib->resultsModel()->index(0, 0));
  const QString other = lib->resultsModel()->item(0)->data(Qt::UserRole + 1).toString();
  QTest::mouseClick(caption, Qt::LeftButton);
  EXPECT_EQ(images->currentPath(), other);
  EXPECT_EQ(tabs->currentIndex(), 0);
  EXPECT_EQ(images->model()->rowCount(), 2);
  const int row = images->model()->indexOf(other);
  ASSERT_TRUE(waitUntil([&] { return !images->model()->item(row).caption.isEmpty(); }));
}

TEST(PhotoViewer, FitsZoomsAndGoesFullScreen) {
  PhotoView view;
  view.resize(200, 150);
  view.show();
  // the zoom keys work where the preview has the focus
  ASSERT_TRUE(QTest::qWaitForWindowActive(&view));
  view.setFocus();
  QImage img(400, 300, QImage::Format_RGB32);
  img.fill(Qt::darkGreen);
  view.setImage(img);
  const double dpr = view.devicePixelRatioF();
  EXPECT_TRUE(view.isFitted());
  EXPECT_NEAR(view.zoom(), 0.5 * dpr, 1e-9);
  EXPECT_NEAR(view.photoRect().width(), 200, 1e-6);
  // The fitted photo follows the widget's size (window, splitter).
  view.resize(300, 300);
  EXPECT_NEAR(view.photoRect().width(), 300, 1e-6);
  EXPECT_NEAR(view.photoRect().height(), 225, 1e-6);
  EXPECT_NEAR(view.photoRect().top(), 37.5, 1e-6);  // centred
  view.actualSize();
  EXPECT_FALSE(view.isFitted());
  EXPECT_DOUBLE_EQ(view.zoom(), 1.0);
  QTest::keyClick(&view, Qt::Key_Plus);
  EXPECT_DOUBLE_EQ(view.zoom(), 1.25);
  QTest::keyClick(&view, Qt::Key_Minus);
  QTest::keyClick(&view, Qt::Key_Minus);
  EXPECT_DOUBLE_EQ(view.zoom(), 0.8);
  QWheelEvent wheel(QPointF(50, 50), view.mapToGlobal(QPointF(50, 50)), QPoint(), QPoint(0, 120), Qt::NoButton,
                    Qt::ControlModifier, Qt::NoScrollPhase, false);
  QApplication::sendEvent(&view, &wheel);
  EXPECT_DOUBLE_EQ(view.zoom(), 1.0);
  QTest::keyClick(&view, Qt::Key_0);
  EXPECT_TRUE(view.isFitted());
  // Double click: full screen; Esc leaves it.
  QSignalSpy full(&view, &PhotoView::fullScreenRequested);
  QTest::mouseDClick(&view, Qt::LeftButton);
  EXPECT_EQ(full.size(), 1);
  QPointer<PhotoView> copy = view.showFullScreenCopy();
  ASSERT_TRUE(copy);
  EXPECT_TRUE(copy->windowState() & Qt::WindowFullScreen);
  EXPECT_EQ(copy->image().size(), img.size());
  QTest::keyClick(copy, Qt::Key_Escape);
  EXPECT_TRUE(waitUntil([&] { return copy.isNull(); }, 2000));
}

TEST(ImagesPage, FilmstripCellsMenusSelectionAndFullScreen) {
  QTemporaryDir dir;
  for (const char* f : {"photo_120x90.jpg", "gray_50x80.png", "checker_200x120.png", "large_3000x2000.png"})
    copyTo(f, dir.filePath(QStringLiteral("a rather long file name of a photo %1").arg(f)));
  MainWindow w;
  showWithTinyModels(w, QSize(1440, 900));
  auto* page = w.imagesPage();
  ASSERT_EQ(w.addPaths({dir.path()}), 4);
  // 4:3, portrait and wide photos: the same cells, apart, each with room for its name.
  expectCellsApart(page->filmstrip(), 1);
  saveShot(&w, QStringLiteral("images_filmstrip"));
  // The preview shows the photo's own pixels, fitted to the pane, rescaled when the pane changes.
  const int large = page->model()->indexOf(dir.filePath("a rather long file name of a photo large_3000x2000.png"));
  ASSERT_GE(large, 0);
  page->selectRow(large);
  ASSERT_TRUE(waitUntil([&] { return page->preview()->image().width() == 3000; }));
  const double before = page->preview()->photoRect().width();
  page->preview()->actualSize();
  page->preview()->zoomIn();
  saveShot(&w, QStringLiteral("images_zoomed"));
  page->preview()->fitToWindow();
  w.resize(1000, 700);
  ASSERT_TRUE(waitUntil([&] { return page->preview()->photoRect().width() < before; }, 3000));
  EXPECT_LE(page->preview()->photoRect().width(), page->preview()->width() + 1e-6);
  // F11: full screen; Esc leaves it. View → Full screen is checked exactly while it is on.
  QAction* fullAction = nullptr;
  for (QAction* a : w.findChildren<QAction*>())
    if (a->shortcut() == QKeySequence(Qt::Key_F11)) fullAction = a;
  ASSERT_TRUE(fullAction);
  EXPECT_TRUE(fullAction->isCheckable());
  EXPECT_FALSE(fullAction->isChecked());
  QTest::keySequence(&w, QKeySequence(Qt::Key_F11));
  auto* full = qobject_cast<PhotoView*>(QApplication::activeWindow());
  PhotoView* found = nullptr;
  for (QWidget* top : QApplication::topLevelWidgets())
    if (top->objectName() == QStringLiteral("fullScreenPhoto") && top->isVisible())
      found = qobject_cast<PhotoView*>(top);
  (void)full;
  ASSERT_TRUE(found);
  saveShot(found, QStringLiteral("images_fullscreen"));
  EXPECT_TRUE(fullAction->isChecked());
  QPointer<PhotoView> guard = found;
  QTest::keyClick(found, Qt::Key_Escape);
  EXPECT_TRUE(waitUntil([&] { return guard.isNull(); }, 2000));
  EXPECT_FALSE(fullAction->isChecked());
  // A double click on the preview: the same, once however often; the menu item leaves it.
  QTest::mouseDClick(page->preview(), Qt::LeftButton);
  QTest::mouseDClick(page->preview(), Qt::LeftButton);
  int copies = 0;
  for (QWidget* top : QApplication::topLevelWidgets())
    if (top->objectName() == QStringLiteral("fullScreenPhoto") && top->isVisible()) {
      ++copies;
      guard = qobject_cast<PhotoView*>(top);
    }
  EXPECT_EQ(copies, 1);
  EXPECT_TRUE(fullAction->isChecked());
  fullAction->trigger();
  EXPECT_TRUE(waitUntil([&] { return guard.isNull(); }, 2000));
  EXPECT_FALSE(fullAction->isChecked());
  // Multi-select: copy both paths, then remove both from the list (the files stay).
  page->filmstrip()->selectionModel()->clearSelection();
  page->filmstrip()->selectionModel()->select(page->model()->index(0), QItemSelectionModel::Select);
  page->filmstrip()->selectionModel()->select(page->model()->index(2), QItemSelectionModel::Select);
  const QStringList chosen = {page->model()->item(0).path, page->model()->item(2).path};
  EXPECT_EQ(page->selectedPaths(), chosen);
  page->copySelectedPaths();
  EXPECT_EQ(QApplication::clipboard()->text(), chosen.join('\n'));
  const QString kept1 = page->model()->item(1).path;
  const QString kept3 = page->model()->item(3).path;
  page->removeSelected();
  ASSERT_EQ(page->model()->rowCount(), 2);
  EXPECT_EQ(page->model()->paths(), (QStringList{kept1, kept3}));
  for (const QString& p : chosen) EXPECT_TRUE(QFile::exists(p));
  EXPECT_FALSE(page->currentPath().isEmpty());
}

TEST(MainWindow, ToolbarIconsShortcutsAndPaste) {
  MainWindow w;
  showWithTinyModels(w);
  auto* bar = w.findChild<QToolBar*>();
  ASSERT_TRUE(bar);
  bool models = false;
  for (QAction* a : bar->actions()) {
    if (a->isSeparator()) continue;
    // The theme's icon, or the bundled one: never a toolbar without icons.
    EXPECT_FALSE(a->icon().pixmap(QSize(24, 24)).isNull()) << a->text().toStdString();
    models = models || a->text() == QStringLiteral("&Models…");
  }
  EXPECT_TRUE(models);
  QTemporaryDir dir;
  copyTo("photo_120x90.jpg", dir.filePath("photo.jpg"));
  w.addPaths({dir.filePath("photo.jpg")});
  auto* tabs = w.imagesPage()->findChild<QTabWidget*>();
  ASSERT_TRUE(tabs);
  EXPECT_EQ(tabs->currentIndex(), 0);
  // Focus in a text field (they take Ctrl+K and the like for themselves): the shortcut still works.
  w.imagesPage()->findChild<QLineEdit*>()->setFocus();
  ASSERT_TRUE(QTest::qWaitForWindowActive(&w));
  QTest::keySequence(&w, QKeySequence(QStringLiteral("Ctrl+Shift+A")));
  EXPECT_EQ(tabs->currentIndex(), 1);
  // A pasted image is added and selected, though another one was selected before.
  QImage img(64, 48, QImage::Format_RGB32);
  img.fill(Qt::red);
  QApplication::clipboard()->setImage(img);
  w.paste();
  ASSERT_EQ(w.imagesPage()->model()->rowCount(), 2);
  EXPECT_TRUE(QFileInfo(w.imagesPage()->currentPath()).fileName().startsWith(QStringLiteral("pasted-")));
}

TEST(Thumbnails, MadeAtDevicePixels) {
  const QImage two = ThumbnailLoader::load(kImages + "/checker_200x120.png", QSize(80, 60), 2.0);
  EXPECT_EQ(two.size(), QSize(160, 96));
  EXPECT_DOUBLE_EQ(two.devicePixelRatio(), 2.0);
  const QImage one = ThumbnailLoader::load(kImages + "/checker_200x120.png", QSize(80, 60), 1.0);
  EXPECT_EQ(one.size(), QSize(80, 48));
  // Never enlarged beyond the photo's own pixels.
  EXPECT_EQ(ThumbnailLoader::load(kImages + "/exif6_40x24.jpg", QSize(160, 120), 2.0).size(), QSize(24, 40));
}

TEST(Desktop, SaysSoWhenNothingCanOpenAFile) {
  QWidget parent;
  parent.show();
  const QString file = kImages + "/photo_120x90.jpg";
  if (openWithDesktop(file, &parent)) GTEST_SKIP() << "this session can open files";
  QMessageBox* box = nullptr;
  ASSERT_TRUE(waitUntil(
      [&] {
        box = parent.findChild<QMessageBox*>(QStringLiteral("openFailedMessage"));
        return box && box->isVisible();
      },
      2000));
  EXPECT_TRUE(box->informativeText().contains(file));
  EXPECT_TRUE(box->text().contains(QStringLiteral("No application")));
}

}  // namespace
