// Names from outside are shown as written: Qt takes a text whose first line looks like HTML for
// rich text, so a photo named "<b>bold.jpg" was drawn in bold, without its name, in the tooltips
// of the Images list and the Library grid, and model folders, captions and errors in labels and
// message bars could be markup too.
#include <gtest/gtest.h>

#include <QApplication>
#include <QDir>
#include <QFile>
#include <QHelpEvent>
#include <QLabel>
#include <QListView>
#include <QPlainTextEdit>
#include <QStandardItemModel>
#include <QStatusBar>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTextDocument>
#include <QToolTip>
#include <QTreeWidget>

#include "imagespage.h"
#include "librarypage.h"
#include "mainwindow.h"
#include "messagebar.h"
#include "modelsdialog.h"
#include "settingsdialog.h"
#include "window_fixture.h"

using namespace glimpse::ui;
using namespace glimpse::test;

namespace {

const QString kImages = tinyModelDir() + "/images";
const QString kBold = QStringLiteral("<b>bold.jpg");
const QString kImg = QStringLiteral("<img src=x>.jpg");

// What a person reads of a text shown in this format: markup rendered, as QLabel and QToolTip do.
QString shown(const QString& text, Qt::TextFormat format = Qt::AutoText) {
  if (format == Qt::PlainText || (format == Qt::AutoText && !Qt::mightBeRichText(text))) return text;
  QTextDocument doc;
  doc.setHtml(text);
  return doc.toPlainText();
}

QString shown(const QLabel* label) {
  return shown(label->text(), label->textFormat());
}

// The tooltip Qt shows when the pointer rests at `pos` of `w`, as read; empty when none shows.
QString toolTipAt(QWidget* w, QPoint pos) {
  // A tooltip hidden keeps its text a while: one that is not replaced is no answer.
  const QString none = QStringLiteral("(no tooltip)");
  QToolTip::showText(w->mapToGlobal(pos), none, w);
  QHelpEvent event(QEvent::ToolTip, pos, w->mapToGlobal(pos));
  QApplication::sendEvent(w, &event);
  const QString text = QToolTip::isVisible() ? QToolTip::text() : QString();
  QToolTip::hideText();
  return text == none ? QString() : shown(text);
}

QString toolTipOf(QWidget* w) {
  return toolTipAt(w, w->rect().center());
}

QString toolTipOf(QAbstractItemView* view, const QModelIndex& index) {
  view->scrollTo(index);
  return toolTipAt(view->viewport(), view->visualRect(index).center());
}

// A copy of a test photo under `name`.
void photo(const QTemporaryDir& dir, const QString& name, const char* from = "photo_120x90.jpg") {
  ASSERT_TRUE(QFile::copy(kImages + "/" + from, dir.filePath(name))) << name.toStdString();
}

TEST(Markup, FileNamesInTheImagesListAndThePanelAreShownAsWritten) {
  QTemporaryDir dir;
  photo(dir, kBold);
  photo(dir, kImg);
  {
    QFile broken(dir.filePath("<i>broken.jpg"));
    ASSERT_TRUE(broken.open(QIODevice::WriteOnly));
    broken.write("not a photo at all");
  }
  MainWindow w;
  showWithTinyModels(w, {1000, 700});
  ASSERT_EQ(w.addPaths({dir.path()}), 3);
  ImagesPage* page = w.imagesPage();
  QListView* strip = page->filmstrip();
  for (const QString& name : {kBold, kImg, QStringLiteral("<i>broken.jpg")}) {
    const int row = page->model()->indexOf(dir.filePath(name));
    ASSERT_GE(row, 0);
    const QString tip = toolTipOf(strip, page->model()->index(row));
    EXPECT_TRUE(tip.startsWith(dir.filePath(name))) << tip.toStdString();
  }
  // The photo that cannot be read: the reason below the caption, on hover and in the list.
  const int brokenRow = page->model()->indexOf(dir.filePath("<i>broken.jpg"));
  page->selectRow(brokenRow);
  ASSERT_TRUE(waitUntil([&] { return !page->model()->item(brokenRow).error.isEmpty(); }));
  const QString reason = toolTipOf(page->captionStateLabel());
  EXPECT_TRUE(reason.contains(QStringLiteral("<i>broken.jpg"))) << reason.toStdString();
  EXPECT_TRUE(toolTipOf(strip, page->model()->index(brokenRow)).contains(QStringLiteral("<i>broken.jpg")));
  // A caption from the model is outside text too: its English original on hover, as written.
  const int row = page->model()->indexOf(dir.filePath(kBold));
  page->selectRow(row);
  ASSERT_TRUE(waitUntil([&] { return page->model()->item(row).state() == CaptionState::Done; }));
  auto& item = page->model()->item(row);
  item.caption = QStringLiteral("eine Katze");
  item.captionEnglish = QStringLiteral("<b>a cat</b> on a mat");
  page->selectRow(brokenRow);
  page->selectRow(row);
  EXPECT_EQ(page->captionView()->toPlainText(), QStringLiteral("eine Katze"));
  EXPECT_EQ(toolTipOf(page->captionView()), QStringLiteral("English original: <b>a cat</b> on a mat"));
}

TEST(Markup, MessagesAndTheStatusBarShowNamesAsWritten) {
  MainWindow w;
  showWithTinyModels(w);
  MessageBar* bar = w.messageBar();
  bar->show({QStringLiteral("test"),
             QStringLiteral("<b>bold.jpg could not be read"),
             QStringLiteral("<img src=x>.jpg: not a photo"),
             {},
             {}});
  QLabel* text = nullptr;
  for (QLabel* l : bar->findChildren<QLabel*>())
    if (l->text() == bar->text()) text = l;
  ASSERT_NE(text, nullptr);
  EXPECT_EQ(shown(text), QStringLiteral("<b>bold.jpg could not be read"));
  EXPECT_EQ(toolTipOf(text), QStringLiteral("<img src=x>.jpg: not a photo"));
  // The worker's state in the status bar ("Loading model NAME…").
  for (QLabel* l : w.statusBar()->findChildren<QLabel*>())
    if (l->accessibleName() == QStringLiteral("Worker state")) {
      l->setText(QStringLiteral("Loading model <b>mine…"));
      EXPECT_EQ(shown(l), QStringLiteral("Loading model <b>mine…"));
    }
}

TEST(Markup, FileNamesInTheLibraryGridAndFoldersAreShownAsWritten) {
  QTemporaryDir dir;
  ASSERT_TRUE(QDir(dir.path()).mkpath("<b>trip"));
  const QString folder = dir.filePath("<b>trip");
  ASSERT_TRUE(QFile::copy(kImages + "/photo_120x90.jpg", folder + "/" + kBold));
  MainWindow w;
  showWithTinyModels(w, {1200, 800});
  ASSERT_TRUE(openLibrary(w, dir.filePath("lib.glimpse")));
  ASSERT_TRUE(addLibraryFolders(w, {folder}));
  ASSERT_TRUE(indexLibrary(w));
  LibraryPage* lib = w.libraryPage();
  ASSERT_TRUE(waitUntil([&] { return lib->resultsModel()->rowCount() == 1; }, 10000));
  const QString tip = toolTipOf(lib->resultsView(), lib->resultsModel()->index(0, 0));
  EXPECT_TRUE(tip.startsWith(folder + "/" + kBold)) << tip.toStdString();
  // The folder tree: the library folder's tooltip is its path.
  QTreeWidget* tree = lib->folderTree();
  QTreeWidgetItem* item = nullptr;
  for (int i = 0; i < tree->topLevelItemCount(); ++i)
    if (tree->topLevelItem(i)->toolTip(0).contains(QStringLiteral("trip"))) item = tree->topLevelItem(i);
  ASSERT_NE(item, nullptr);
  EXPECT_EQ(toolTipOf(tree, tree->indexFromItem(item)), folder);
}

TEST(Markup, ModelFoldersInTheDialogsAreShownAsWritten) {
  ScopedModelsDir md;
  // An installed folder that is no model: its report names it.
  const QString odd = md.models() + "/<b>mine";
  ASSERT_TRUE(QDir().mkpath(odd));
  {
    QFile config(odd + "/config.json");
    ASSERT_TRUE(config.open(QIODevice::WriteOnly));
    config.write("{}");
  }
  glimpse::SettingsStore store;
  ModelsDialog models(&store);
  models.show();
  QTableWidget* table = models.table();
  int row = -1;
  for (int r = 0; r < table->rowCount(); ++r)
    if (table->item(r, 0)->text() == QStringLiteral("<b>mine")) row = r;
  ASSERT_GE(row, 0);
  const QString about = toolTipOf(table, table->model()->index(row, 0));
  EXPECT_TRUE(about.contains(QStringLiteral("<b>mine"))) << about.toStdString();
  // Settings: the check of that folder, on hover and in the line.
  glimpse::AppSettings s;
  s.model(glimpse::Task::Caption) = odd;
  SettingsDialog settings(s);
  settings.show();
  QLabel* check = settings.checkLabel(glimpse::Task::Caption);
  EXPECT_TRUE(shown(check).contains(QStringLiteral("<b>mine"))) << check->text().toStdString();
  EXPECT_TRUE(toolTipOf(check).contains(QStringLiteral("<b>mine"))) << check->toolTip().toStdString();
}

}  // namespace
