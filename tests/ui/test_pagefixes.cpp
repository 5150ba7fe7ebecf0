// The Images and Library pages as a person meets them after changes outside Glimpse and between
// pages: a photo changed or deleted on disk, a folder added to an indexed library, the toolbar of
// each page, and Help → Keyboard shortcuts. Offscreen, real widgets, the tiny model, real files.
#include <gtest/gtest.h>

#include <QAction>
#include <QApplication>
#include <QDir>
#include <QFile>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QStackedWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QToolBar>
#include <QTranslator>
#include <QTreeWidget>
#include <thread>

#include "imagespage.h"
#include "inference/inferenceclient.h"
#include "librarypage.h"
#include "mainwindow.h"
#include "session.h"
#include "shortcutsdialog.h"
#include "window_fixture.h"

using namespace glimpse::ui;
using namespace glimpse::test;
using glimpse::inference::InferenceClient;

namespace {

const QString kImages = tinyModelDir() + QStringLiteral("/images");

void copyPhoto(const char* name, const QString& to) {
  QFile::remove(to);
  ASSERT_TRUE(QFile::copy(kImages + QLatin1Char('/') + QString::fromLatin1(name), to)) << name;
  QFile::setPermissions(to, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
}

// Writes another picture over `path` in place (as an editor or `convert` does): a different size
// and colour, and a later modification time than the one Glimpse saw.
void overwrite(const QString& path, QSize size, QColor colour) {
  QImage img(size, QImage::Format_RGB32);
  img.fill(colour);
  QFile f(path);
  ASSERT_TRUE(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
  ASSERT_TRUE(img.save(&f, "JPG"));
  f.close();
  QFile touch(path);
  ASSERT_TRUE(touch.open(QIODevice::ReadWrite));
  ASSERT_TRUE(touch.setFileTime(QDateTime::currentDateTime().addSecs(5), QFileDevice::FileModificationTime));
}

QStringList toolbarTexts(MainWindow& w) {
  QStringList out;
  for (QAction* a : w.findChild<QToolBar*>()->actions())
    if (!a->isSeparator()) out << a->text();
  return out;
}

QAction* menuAction(MainWindow& w, const QString& text) {
  for (QAction* top : w.menuBar()->actions())
    if (top->menu())
      for (QAction* a : top->menu()->actions())
        if (a->text() == text) return a;
  return nullptr;
}

}  // namespace

// A photo overwritten on disk kept its old thumbnail, preview and caption as if nothing happened.
// Now the list notices (it watches its files), makes the thumbnail and preview again, keeps the
// caption greyed and marked as made for an earlier version, and captions it again in one click. A
// photo deleted on disk stays in the list and says so.
TEST(PageFixes, APhotoChangedOnDiskIsReloadedAndItsCaptionMarkedStale) {
  QTemporaryDir dir;
  const QString photo = dir.filePath("a.jpg");
  copyPhoto("photo_120x90.jpg", photo);
  MainWindow w;
  showWithTinyModels(w);
  ImagesPage* page = w.imagesPage();
  ImageListModel* model = page->model();
  ASSERT_EQ(w.addPaths({photo}), 1);
  ASSERT_TRUE(waitUntil([&] { return !model->item(0).caption.isEmpty() && !model->item(0).working; }));
  ASSERT_TRUE(waitUntil([&] { return model->thumbnails().isCached(photo) && !page->preview()->image().isNull(); }));
  const QString caption = model->item(0).caption;
  const QSize oldThumb = model->thumbnails().cached(photo).size();
  EXPECT_EQ(page->preview()->image().size(), QSize(120, 90));
  EXPECT_FALSE(model->item(0).captionStale());
  EXPECT_FALSE(page->recaptionButton()->isVisibleTo(page));
  EXPECT_TRUE(page->checkLabel()->isVisibleTo(page));  // the self-check (a search model is set)
  const QColor normalText = page->captionView()->palette().color(QPalette::Text);

  overwrite(photo, QSize(60, 200), Qt::red);
  // Noticed without selecting anything: the watcher, then a short wait for the writes to settle.
  ASSERT_TRUE(waitUntil([&] { return model->item(0).captionStale(); }, 5000));
  EXPECT_EQ(model->item(0).caption, caption);  // kept, never silently dropped
  EXPECT_EQ(model->data(model->index(0), ImageListModel::CaptionRole).toString(), caption);
  EXPECT_TRUE(model->data(model->index(0), ImageListModel::StaleRole).toBool());
  EXPECT_TRUE(model->data(model->index(0), Qt::ToolTipRole)
                  .toString()
                  .contains(QStringLiteral("The photo changed since this caption was made.")));
  EXPECT_TRUE(page->captionStateLabel()->text().contains(QStringLiteral("changed since this caption was made")))
      << page->captionStateLabel()->text().toStdString();
  EXPECT_TRUE(page->recaptionButton()->isVisibleTo(page));
  EXPECT_EQ(page->captionView()->toPlainText(), caption);
  EXPECT_NE(page->captionView()->palette().color(QPalette::Text), normalText);  // greyed
  EXPECT_FALSE(page->checkLabel()->isVisibleTo(page));                          // its self-check was of the old picture
  // The thumbnail and the preview are the new picture (tall now, it was wide).
  ASSERT_TRUE(waitUntil([&] {
    const QImage t = model->thumbnails().cached(photo);
    return !t.isNull() && t.height() > t.width();
  }));
  EXPECT_NE(model->thumbnails().cached(photo).size(), oldThumb);
  ASSERT_TRUE(waitUntil([&] { return page->preview()->image().size() == QSize(60, 200); }));
  model->data(model->index(0), Qt::DecorationRole);  // the delegate's view: no failure badge
  EXPECT_TRUE(model->data(model->index(0), ImageListModel::BadgeRole).toString().isEmpty());

  // One click captions the photo as it is now; the mark goes.
  QSignalSpy ready(w.client(), &InferenceClient::captionReady);
  QTest::mouseClick(page->recaptionButton(), Qt::LeftButton);
  ASSERT_TRUE(waitUntil([&] { return !ready.isEmpty() && !model->item(0).working; }));
  EXPECT_FALSE(model->item(0).captionStale());
  EXPECT_EQ(model->item(0).captionFile, FileStamp::of(photo));
  EXPECT_FALSE(page->recaptionButton()->isVisibleTo(page));
  EXPECT_EQ(page->captionView()->palette().color(QPalette::Text), normalText);
  EXPECT_FALSE(page->captionStateLabel()->text().contains(QStringLiteral("changed")));

  // Deleted on disk: the entry stays with its caption, and says the file is gone.
  const QString kept = model->item(0).caption;
  ASSERT_TRUE(QFile::remove(photo));
  ASSERT_TRUE(waitUntil([&] { return model->item(0).missing; }, 5000));
  ASSERT_EQ(model->rowCount(), 1);
  EXPECT_EQ(model->item(0).caption, kept);
  EXPECT_EQ(model->data(model->index(0), ImageListModel::BadgeRole).toString(),
            QStringLiteral("This file is no longer on disk."));
  EXPECT_TRUE(page->captionStateLabel()->text().contains(QStringLiteral("no longer on disk")));
  EXPECT_FALSE(page->recaptionButton()->isVisibleTo(page));
  QPushButton* captionButton = nullptr;
  QPushButton* allButton = nullptr;
  for (auto* b : page->findChildren<QPushButton*>()) {
    if (b->text() == QStringLiteral("&Caption")) captionButton = b;
    if (b->text() == QStringLiteral("Caption &all")) allButton = b;
  }
  ASSERT_TRUE(captionButton && allButton);
  EXPECT_FALSE(captionButton->isEnabled());  // nothing on disk to caption
  EXPECT_FALSE(allButton->isEnabled());
  EXPECT_TRUE(page->preview()->image().isNull());
  // Put back: shown again, and its caption is of the photo as it was when captioned.
  copyPhoto("gray_50x80.png", photo);
  ASSERT_TRUE(waitUntil([&] { return !model->item(0).missing; }, 5000));
  EXPECT_TRUE(model->item(0).captionStale());
  EXPECT_TRUE(captionButton->isEnabled());
}

// A photo changed while Glimpse was closed: its caption is still known as made for an earlier
// version after the restart (the session keeps the size and time of the file it was made of); a
// session written before that was kept still loads, its captions taken as of the files as they are.
TEST(PageFixes, AStaleCaptionIsStillStaleAfterARestart) {
  QTemporaryDir dir;
  const QString a = dir.filePath("a.jpg");
  const QString b = dir.filePath("b.jpg");
  copyPhoto("photo_120x90.jpg", a);
  copyPhoto("exif6_40x24.jpg", b);
  const QString file = dir.filePath("state/session.json");
  {
    MainWindow w;
    useTinyModels(w);
    w.restoreSession(file);
    w.show();
    ASSERT_EQ(w.addPaths({a, b}), 2);
    auto* model = w.imagesPage()->model();
    ASSERT_TRUE(waitUntil([&] { return !model->item(0).caption.isEmpty() && !model->item(0).working; }));
    w.imagesPage()->selectRow(1);
    ASSERT_TRUE(waitUntil([&] { return !model->item(1).caption.isEmpty() && !model->item(1).working; }));
    w.imagesPage()->selectRow(0);
    w.close();
  }
  const Session saved = sessionFromJson([&] {
    QFile f(file);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
  }());
  ASSERT_EQ(saved.images.size(), 2);
  EXPECT_EQ(saved.images[0].captionSize, QFileInfo(a).size());
  EXPECT_EQ(saved.images[0].captionMtimeMs, QFileInfo(a).lastModified().toMSecsSinceEpoch());
  overwrite(a, QSize(80, 80), Qt::blue);  // while Glimpse is closed
  {
    MainWindow w;
    useTinyModels(w);
    QSignalSpy requests(w.client(), &InferenceClient::captionReady);
    w.restoreSession(file);
    w.show();
    auto* model = w.imagesPage()->model();
    ASSERT_EQ(model->rowCount(), 2);
    EXPECT_TRUE(model->item(0).captionStale());
    EXPECT_FALSE(model->item(1).captionStale());
    EXPECT_EQ(w.imagesPage()->currentPath(), a);
    EXPECT_TRUE(w.imagesPage()->captionStateLabel()->text().contains(QStringLiteral("changed since")));
    EXPECT_TRUE(w.imagesPage()->recaptionButton()->isVisibleTo(w.imagesPage()));
    QTest::qWait(200);
    EXPECT_TRUE(requests.isEmpty());  // marked, not made again behind the person's back
    // Still stale in the next session file: what the caption was made of is kept as it was.
    w.saveSession();
  }
  {
    MainWindow w;
    useTinyModels(w);
    w.restoreSession(file);
    EXPECT_TRUE(w.imagesPage()->model()->item(0).captionStale());
  }
  // A session of an earlier Glimpse (no "caption_file"): loads, nothing marked.
  const QJsonObject old{
      {QStringLiteral("version"), 1},
      {QStringLiteral("current"), 0},
      {QStringLiteral("images"),
       QJsonArray{QJsonObject{{QStringLiteral("path"), a}, {QStringLiteral("caption"), QStringLiteral("a cat")}}}}};
  QFile f(file);
  ASSERT_TRUE(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
  f.write(QJsonDocument(old).toJson());
  f.close();
  {
    MainWindow w;
    useTinyModels(w);
    w.restoreSession(file);
    auto* model = w.imagesPage()->model();
    ASSERT_EQ(model->rowCount(), 1);
    EXPECT_EQ(model->item(0).caption, QStringLiteral("a cat"));
    EXPECT_FALSE(model->item(0).captionStale());
    EXPECT_EQ(model->item(0).captionFile, FileStamp::of(a));
  }
}

// After indexing to the end, a second folder of photos left the bar at 100 %. Now the bar and its
// text count the library as it is: indexed (and unreadable, which indexing skips) of all photos,
// new ones included; photos that cannot be read never hold it below 100 %.
TEST(PageFixes, TheLibraryBarCountsAFolderAddedAfterIndexing) {
  QTemporaryDir dir;
  QDir().mkpath(dir.filePath("one"));
  QDir().mkpath(dir.filePath("two"));
  copyPhoto("photo_120x90.jpg", dir.filePath("one/a.jpg"));
  copyPhoto("grad_97x61.png", dir.filePath("one/b.png"));
  {
    QFile broken(dir.filePath("one/broken.jpg"));
    ASSERT_TRUE(broken.open(QIODevice::WriteOnly));
    broken.write("\xff\xd8\xff not really a photo");
  }
  copyPhoto("gray_50x80.png", dir.filePath("two/c.png"));
  copyPhoto("exif6_40x24.jpg", dir.filePath("two/d.jpg"));
  copyPhoto("rgba_70x70.png", dir.filePath("two/e.png"));
  MainWindow w;
  showWithTinyModels(w);
  w.showLibrary();
  ASSERT_TRUE(openLibrary(w, dir.filePath("library.db")));
  LibraryPage* page = w.libraryPage();
  ASSERT_TRUE(addLibraryFolders(w, {dir.filePath("one")}));
  // Known at once, not indexed yet.
  EXPECT_EQ(page->indexProgress()->maximum(), 3);
  EXPECT_EQ(page->indexProgress()->value(), 0);
  EXPECT_TRUE(page->indexText()->text().contains(QStringLiteral("3 not indexed yet")))
      << page->indexText()->text().toStdString();
  ASSERT_TRUE(indexLibrary(w));
  EXPECT_EQ(page->indexProgress()->value(), page->indexProgress()->maximum());

  ASSERT_TRUE(addLibraryFolders(w, {dir.filePath("two")}));
  EXPECT_EQ(page->indexProgress()->maximum(), 6);
  EXPECT_EQ(page->indexProgress()->value(), 3);  // 2 indexed + 1 unreadable
  EXPECT_LT(page->indexProgress()->value(), page->indexProgress()->maximum());
  const QString text = page->indexText()->text();
  EXPECT_TRUE(text.contains(QStringLiteral("6 photos, 2 searchable"))) << text.toStdString();
  EXPECT_TRUE(text.contains(QStringLiteral("1 could not be read"))) << text.toStdString();
  EXPECT_TRUE(text.contains(QStringLiteral("3 not indexed yet"))) << text.toStdString();

  ASSERT_TRUE(indexLibrary(w));
  EXPECT_EQ(page->indexProgress()->value(), page->indexProgress()->maximum());
  // The counts said again (the library opened anew): still full, the unreadable photo included.
  ASSERT_TRUE(openLibrary(w, dir.filePath("library.db")));
  EXPECT_EQ(page->indexProgress()->maximum(), 6);
  EXPECT_EQ(page->indexProgress()->value(), 6);
  EXPECT_FALSE(page->indexText()->text().contains(QStringLiteral("not indexed")));
}

// The Library page's toolbar showed the Images page's Caption, Copy and Ask. Now each page's
// toolbar holds what acts on it (Ctrl+1 / Ctrl+2 switch it), and the menus grey out what acts on
// the Images page's photos while the Library page is shown.
TEST(PageFixes, EachPageHasItsOwnToolbar) {
  QTemporaryDir dir;
  copyPhoto("photo_120x90.jpg", dir.filePath("a.jpg"));
  MainWindow w;
  showWithTinyModels(w);
  ASSERT_TRUE(QTest::qWaitForWindowActive(&w));
  w.addPaths({dir.filePath("a.jpg")});
  const QStringList imagesOnly{QStringLiteral("&Caption selected image"), QStringLiteral("Co&py caption"),
                               QStringLiteral("As&k about the image")};
  QStringList images = toolbarTexts(w);
  for (const QString& t : imagesOnly) EXPECT_TRUE(images.contains(t)) << t.toStdString();
  EXPECT_FALSE(images.contains(QStringLiteral("Add folder to &library…")));
  EXPECT_TRUE(menuAction(w, QStringLiteral("&Caption selected image"))->isEnabled());

  QTest::keySequence(&w, QKeySequence(QStringLiteral("Ctrl+2")));
  ASSERT_EQ(w.findChild<QStackedWidget*>()->currentWidget(), w.libraryPage());
  const QStringList library = toolbarTexts(w);
  for (const QString& t : imagesOnly) EXPECT_FALSE(library.contains(t)) << t.toStdString();
  EXPECT_FALSE(library.contains(QStringLiteral("&Open images…")));
  for (const char* t : {"Add folder to &library…", "Caption library &photos", "&Images", "&Library", "&Models…"})
    EXPECT_TRUE(library.contains(QString::fromUtf8(t))) << t;
  for (QAction* a : w.findChild<QToolBar*>()->actions()) {
    if (!a->isSeparator()) {
      EXPECT_FALSE(a->icon().pixmap(QSize(24, 24)).isNull()) << a->text().toStdString();
    }
  }
  // Still in the menus, greyed out, and their keys do nothing here.
  for (const QString& t : imagesOnly) {
    QAction* a = menuAction(w, t);
    ASSERT_TRUE(a) << t.toStdString();
    EXPECT_FALSE(a->isEnabled()) << t.toStdString();
  }
  EXPECT_FALSE(menuAction(w, QStringLiteral("C&ancel"))->isEnabled());
  EXPECT_TRUE(menuAction(w, QStringLiteral("Caption library &photos"))->isEnabled());
  QTest::keySequence(&w, QKeySequence(QStringLiteral("Ctrl+Shift+A")));
  EXPECT_EQ(w.findChild<QStackedWidget*>()->currentWidget(), w.libraryPage());

  QTest::keySequence(&w, QKeySequence(QStringLiteral("Ctrl+1")));
  ASSERT_EQ(w.findChild<QStackedWidget*>()->currentWidget(), w.imagesPage());
  EXPECT_EQ(toolbarTexts(w), images);
  EXPECT_TRUE(menuAction(w, QStringLiteral("&Caption selected image"))->isEnabled());
  EXPECT_TRUE(menuAction(w, QStringLiteral("C&ancel"))->isEnabled());
}

// Help listed no keyboard shortcuts. Help → Keyboard shortcuts (F1) lists every action that has
// one, read from the actions, under its menu, with a filter; in German too.
TEST(PageFixes, KeyboardShortcutsListsEveryActionsKeys) {
  MainWindow w;
  showWithTinyModels(w);
  ASSERT_TRUE(QTest::qWaitForWindowActive(&w));
  QTest::keyClick(&w, Qt::Key_F1);
  ShortcutsDialog* dialog = nullptr;
  ASSERT_TRUE(waitUntil([&] {
    dialog = w.findChild<ShortcutsDialog*>();
    return dialog && dialog->isVisible();
  }));
  QTreeWidget* list = dialog->list();
  // Every row: group title -> (action text -> keys).
  QHash<QString, QHash<QString, QString>> rows;
  for (int g = 0; g < list->topLevelItemCount(); ++g)
    for (int i = 0; i < list->topLevelItem(g)->childCount(); ++i)
      rows[list->topLevelItem(g)->text(0)].insert(list->topLevelItem(g)->child(i)->text(0),
                                                  list->topLevelItem(g)->child(i)->text(1));
  int withKeys = 0;
  for (QAction* a : w.findChildren<QAction*>()) {
    if (a->shortcut().isEmpty() || a->isSeparator()) continue;
    ++withKeys;
    const QString name = ShortcutsDialog::plainText(a->text());
    bool found = false;
    for (const auto& group : rows)
      if (group.contains(name) &&
          group.value(name).split(QStringLiteral(", ")).contains(a->shortcut().toString(QKeySequence::NativeText)))
        found = true;
    EXPECT_TRUE(found) << name.toStdString() << " " << a->shortcut().toString().toStdString();
  }
  EXPECT_GE(withKeys, 15);
  // Under their menus, with the keys as the person types them.
  EXPECT_EQ(rows.value(QStringLiteral("Caption")).value(QStringLiteral("Caption selected image")),
            QKeySequence(QStringLiteral("Ctrl+Return")).toString(QKeySequence::NativeText));
  EXPECT_EQ(rows.value(QStringLiteral("View")).value(QStringLiteral("Library")), QStringLiteral("Ctrl+2"));
  EXPECT_EQ(rows.value(QStringLiteral("Help")).value(QStringLiteral("Keyboard shortcuts")),
            QStringLiteral("F1, Ctrl+/"));
  EXPECT_EQ(rows.value(QStringLiteral("File")).value(QStringLiteral("Open images")), QStringLiteral("Ctrl+O"));
  EXPECT_EQ(rows.value(QStringLiteral("Images")).value(QStringLiteral("Remove from list")), QStringLiteral("Del"));
  // the preview's zoom keys, under its name
  EXPECT_EQ(rows.value(QStringLiteral("Preview")).value(QStringLiteral("Zoom in")), QStringLiteral("+, ="));
  EXPECT_EQ(rows.value(QStringLiteral("Preview")).value(QStringLiteral("Zoom out")), QStringLiteral("-"));
  EXPECT_EQ(rows.value(QStringLiteral("Preview")).value(QStringLiteral("Fit to window")), QStringLiteral("0"));
  EXPECT_EQ(rows.value(QStringLiteral("Preview")).value(QStringLiteral("Actual size, 100%")), QStringLiteral("1"));

  // The filter: by action or key; groups without a match go.
  QTest::keyClicks(dialog->filterField(), QStringLiteral("copy"));
  int shown = 0;
  for (int g = 0; g < list->topLevelItemCount(); ++g) {
    QTreeWidgetItem* group = list->topLevelItem(g);
    for (int i = 0; i < group->childCount(); ++i)
      if (!group->isHidden() && !group->child(i)->isHidden()) {
        ++shown;
        EXPECT_TRUE(group->child(i)->text(0).contains(QStringLiteral("copy"), Qt::CaseInsensitive));
      }
  }
  EXPECT_EQ(shown, 1);  // Copy caption
  dialog->filterField()->setText(QStringLiteral("F11"));
  const auto fullScreen = list->findItems(QStringLiteral("Full screen"), Qt::MatchExactly | Qt::MatchRecursive);
  const auto quit = list->findItems(QStringLiteral("Open images"), Qt::MatchExactly | Qt::MatchRecursive);
  ASSERT_EQ(fullScreen.size(), 1);
  ASSERT_EQ(quit.size(), 1);
  EXPECT_FALSE(fullScreen[0]->isHidden());
  EXPECT_TRUE(quit[0]->isHidden());
  dialog->close();

  // German: the dialog, its menus and its keys in the interface language.
  {
    glimpse::test::ScopedLocale de{QLocale(QLocale::German, QLocale::Germany)};
    ASSERT_TRUE(de.translated());
    MainWindow german;
    ShortcutsDialog d(&german);
    EXPECT_EQ(d.windowTitle(), QStringLiteral("Tastenkürzel"));
    EXPECT_FALSE(d.filterField()->placeholderText().contains(QStringLiteral("Filter by")));
    EXPECT_FALSE(d.list()->findItems(QStringLiteral("Tastenkürzel"), Qt::MatchExactly | Qt::MatchRecursive).isEmpty());
  }
}

int main(int argc, char** argv) {
  return runWidgetTests(argc, argv);
}
