// The "Similar photos" review driven as a user would: groups of copies shown with their facts,
// Reject marks, and "Move rejects to Trash" moving the files into the freedesktop trash of a test
// XDG_DATA_HOME (never deleting them). GLIMPSE_SHOTS_DIR=DIR saves a picture of the review there.
#include <gtest/gtest.h>

#include <QApplication>
#include <QDir>
#include <QFile>
#include <QImage>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include "../library/library_fixtures.h"
#include "blip.h"
#include "desktop/thumbnails.h"
#include "duplicatesdialog.h"
#include "imagespage.h"
#include "inference/inferenceclient.h"
#include "library/indexer.h"
#include "library/librarydatabase.h"
#include "library/scanner.h"
#include "librarypage.h"
#include "window_fixture.h"

using namespace glimpse;

namespace {

const QString kTiny = QStringLiteral(GLIMPSE_TEST_DATA_DIR "/tiny");

// The photos below `root` indexed into a new library with the tiny model; how many got vectors.
int indexPhotos(const QString& dbPath, const QString& root) {
  auto db = std::make_shared<library::LibraryDatabase>(dbPath);
  db->addFolder(root);
  library::Scanner(*db).scan();
  return library::Indexer(db, blip::BlipModel::load(kTiny.toStdString())).run().embedded;
}

// The review as the Library page's "Similar photos…" opens it; null when the button is missing.
ui::DuplicatesDialog* openReview(ui::LibraryPage& page) {
  for (QPushButton* b : page.findChildren<QPushButton*>())
    if (b->text() == QStringLiteral("Similar photos…")) {
      QTest::mouseClick(b, Qt::LeftButton);
      return page.findChild<ui::DuplicatesDialog*>();
    }
  return nullptr;
}

// A client whose search model is the tiny one.
void useTinySearchModel(inference::InferenceClient& client) {
  AppSettings settings;
  settings.model(Task::Search) = kTiny;
  client.applySettings(settings);
}

TEST(DuplicatesDialog, ReviewMarksAndMovesRejectsToTheTrash) {
  QTemporaryDir dir;
  const QString data = dir.filePath("data"), root = dir.filePath("photos");
  ASSERT_TRUE(QDir().mkpath(data));
  qputenv("XDG_DATA_HOME", data.toUtf8());
  ASSERT_TRUE(test::writePhoto(root + "/beach.png", 1, 640, 480));
  ASSERT_TRUE(test::writePhoto(root + "/forest.png", 5, 640, 480));
  ASSERT_TRUE(test::writePhoto(root + "/city.png", 9, 640, 480));
  ASSERT_TRUE(QDir().mkpath(root + "/copies"));
  ASSERT_TRUE(QFile::copy(root + "/beach.png", root + "/copies/beach (1).png"));
  const QImage beach(root + "/beach.png");
  ASSERT_TRUE(
      beach.scaled(320, 240, Qt::KeepAspectRatio, Qt::SmoothTransformation).save(root + "/copies/beach_small.png"));
  ASSERT_TRUE(beach.save(root + "/copies/beach_q70.jpg", "JPEG", 70));
  const QString dbPath = dir.filePath("lib.glimpse");
  ASSERT_EQ(indexPhotos(dbPath, root), 6);

  inference::InferenceClient client;
  useTinySearchModel(client);
  QSignalSpy opened(&client, &inference::InferenceClient::libraryOpened);
  client.openLibrary(dbPath);
  ASSERT_TRUE(opened.wait(30000));

  ui::DuplicatesDialog dialog(&client);
  QSignalSpy updated(&dialog, &ui::DuplicatesDialog::updated);
  dialog.show();
  ASSERT_TRUE(updated.wait(60000));
  ASSERT_EQ(dialog.groupCount(), 1);
  EXPECT_FALSE(dialog.trashButton()->isEnabled());  // nothing rejected yet
  // Each photo shows its resolution and, once measured off the GUI thread, its sharpness.
  auto labelTexts = [&] {
    QStringList texts;
    for (const QLabel* l : dialog.findChildren<QLabel*>()) texts << l->text();
    return texts.join(QLatin1Char('\n'));
  };
  EXPECT_TRUE(labelTexts().contains(QStringLiteral("640 × 480 px")));
  EXPECT_TRUE(labelTexts().contains(QStringLiteral("320 × 240 px")));
  QTRY_VERIFY_WITH_TIMEOUT(!labelTexts().contains(QStringLiteral("Sharpness: …")), 30000);
  EXPECT_FALSE(dialog.setRejected(root + "/forest.png", true));  // not in a group
  ASSERT_TRUE(dialog.setRejected(root + "/copies/beach (1).png", true));
  ASSERT_TRUE(dialog.setRejected(root + "/copies/beach_small.png", true));
  EXPECT_EQ(dialog.rejected(), QStringList({root + "/copies/beach (1).png", root + "/copies/beach_small.png"}));
  EXPECT_TRUE(dialog.trashButton()->isEnabled());
  if (const QByteArray shots = qgetenv("GLIMPSE_SHOTS_DIR"); !shots.isEmpty()) {
    QApplication::processEvents();
    dialog.grab().save(QString::fromLocal8Bit(shots) + "/dups-review.png");
  }

  updated.clear();
  QTest::mouseClick(dialog.trashButton(), Qt::LeftButton);
  ASSERT_TRUE(updated.wait(60000));  // moved, and the groups read again
  for (const QString name : {"beach (1).png", "beach_small.png"}) {
    EXPECT_FALSE(QFile::exists(root + "/copies/" + name));
    EXPECT_TRUE(QFile::exists(data + "/Trash/files/" + name)) << name.toStdString();
    EXPECT_TRUE(QFile::exists(data + "/Trash/info/" + name + ".trashinfo")) << name.toStdString();
  }
  EXPECT_TRUE(QFile::exists(root + "/beach.png"));
  EXPECT_TRUE(QFile::exists(root + "/copies/beach_q70.jpg"));
  // What is left of the group: the photo and its re-encoded copy.
  ASSERT_EQ(dialog.groupCount(), 1);
  EXPECT_TRUE(dialog.rejected().isEmpty());
  EXPECT_TRUE(labelTexts().contains(QStringLiteral("Moved 2 photos to the trash.")));
  if (const QByteArray shots = qgetenv("GLIMPSE_SHOTS_DIR"); !shots.isEmpty()) {
    QTRY_VERIFY_WITH_TIMEOUT(!labelTexts().contains(QStringLiteral("Sharpness: …")), 30000);
    dialog.grab().save(QString::fromLocal8Bit(shots) + "/dups-after-trash.png");
  }
  qunsetenv("XDG_DATA_HOME");
}

// A photo moved to the trash from the review loses its freedesktop thumbnails (every flavour, and
// the failure records of any program) and the one the Library page keeps in memory; the kept
// photo's stay. The grid's thumbnail is the one the app itself wrote into the test's cache.
TEST(DuplicatesDialog, TrashedPhotosLoseTheirThumbnails) {
  using desktop::ThumbnailFlavor;
  QTemporaryDir dir;
  const QString data = dir.filePath("data"), root = dir.filePath("photos");
  ASSERT_TRUE(QDir().mkpath(data));
  qputenv("XDG_DATA_HOME", data.toUtf8());
  const QString keep = root + "/lake.png", reject = root + "/copies/lake (1).png";
  ASSERT_TRUE(test::writePhoto(keep, 3, 640, 480));
  ASSERT_TRUE(test::writePhoto(root + "/hills.png", 7, 640, 480));
  ASSERT_TRUE(QDir().mkpath(root + "/copies"));
  ASSERT_TRUE(QFile::copy(keep, reject));
  const QString dbPath = dir.filePath("lib.glimpse");
  ASSERT_EQ(indexPhotos(dbPath, root), 3);
  inference::InferenceClient client;
  useTinySearchModel(client);
  ui::LibraryPage page(&client);
  page.resize(1100, 800);
  page.show();
  page.openLibrary(dbPath);
  // The grid browses the library and its thumbnails go through the freedesktop cache; the Images
  // page lists the copy too.
  QTRY_VERIFY_WITH_TIMEOUT(page.thumbnails().isCached(reject) && page.thumbnails().isCached(keep), 60000);
  ui::ImagesPage images(&client);
  images.show();
  ASSERT_EQ(images.addPaths({reject}), 1);
  QTRY_VERIFY_WITH_TIMEOUT(images.model()->thumbnails().isCached(reject), 60000);
  const auto flavors = {ThumbnailFlavor::Normal, ThumbnailFlavor::Large, ThumbnailFlavor::XLarge,
                        ThumbnailFlavor::XXLarge};
  const auto onDisk = [&](const QString& path) {
    QStringList files;
    for (ThumbnailFlavor f : flavors)
      if (QFile::exists(desktop::thumbnailPath(path, f))) files << desktop::thumbnailPath(path, f);
    return files;
  };
  ASSERT_FALSE(onDisk(reject).isEmpty());  // written by the grid
  ASSERT_FALSE(onDisk(keep).isEmpty());
  // The other flavours, as a file manager on a larger screen would have made them, and another
  // program's record that it could not thumbnail the file.
  for (ThumbnailFlavor f : flavors) {
    ASSERT_TRUE(desktop::writeThumbnail(reject, f, QImage(reject)));
    ASSERT_TRUE(desktop::writeThumbnail(keep, f, QImage(keep)));
  }
  const QString otherFail =
      desktop::thumbnailsDir() + "/fail/gnome-thumbnail-factory/" + desktop::thumbnailKey(reject) + ".png";
  ASSERT_TRUE(QDir().mkpath(QFileInfo(otherFail).absolutePath()));
  ASSERT_TRUE(QFile::copy(desktop::thumbnailPath(reject, ThumbnailFlavor::Normal), otherFail));
  ASSERT_TRUE(desktop::writeFailedThumbnail(reject));
  ASSERT_EQ(onDisk(reject).size(), 4);

  auto* dialog = openReview(page);
  ASSERT_NE(dialog, nullptr);
  QSignalSpy updated(dialog, &ui::DuplicatesDialog::updated);
  ASSERT_TRUE(updated.wait(60000));
  ASSERT_EQ(dialog->groupCount(), 1);
  ASSERT_TRUE(dialog->setRejected(reject, true));
  updated.clear();
  QTest::mouseClick(dialog->trashButton(), Qt::LeftButton);
  ASSERT_TRUE(updated.wait(60000));
  ASSERT_TRUE(QFile::exists(data + "/Trash/files/lake (1).png"));
  EXPECT_TRUE(onDisk(reject).isEmpty()) << onDisk(reject).join(' ').toStdString();
  EXPECT_FALSE(QFile::exists(desktop::failedThumbnailPath(reject)));
  EXPECT_FALSE(QFile::exists(otherFail));
  EXPECT_FALSE(page.thumbnails().isCached(reject));
  // The Images page drops its picture and shows the row as a file it cannot read.
  EXPECT_TRUE(images.model()->thumbnails().cached(reject).isNull());
  QTRY_VERIFY_WITH_TIMEOUT(images.model()->item(0).unreadable, 30000);
  EXPECT_TRUE(images.model()->thumbnails().cached(reject).isNull());
  EXPECT_EQ(onDisk(keep).size(), 4);  // the photo kept keeps its thumbnails
  EXPECT_TRUE(page.thumbnails().isCached(keep));
  dialog->close();
  qunsetenv("XDG_DATA_HOME");
}

TEST(DuplicatesDialog, OpensFromTheLibraryPage) {
  inference::InferenceClient client;
  ui::LibraryPage page(&client);
  auto* dialog = openReview(page);
  ASSERT_NE(dialog, nullptr);
  // No library is open: the review says so instead of showing groups.
  QSignalSpy updated(dialog, &ui::DuplicatesDialog::updated);
  ASSERT_TRUE(updated.wait(30000));
  EXPECT_EQ(dialog->groupCount(), 0);
  bool said = false;
  for (const QLabel* l : dialog->findChildren<QLabel*>())
    said |= l->text().contains(QStringLiteral("No library is open"));
  EXPECT_TRUE(said);
  // Nothing to mark, so no request to mark rejects.
  for (const QLabel* l : dialog->findChildren<QLabel*>())
    EXPECT_FALSE(l->text().contains(QStringLiteral("Reject"))) << l->text().toStdString();
  dialog->close();
}

}  // namespace

// QT_QPA_PLATFORM=xcb under Xvfb for the screenshots.
int main(int argc, char** argv) {
  return glimpse::test::runWidgetTests(argc, argv);
}
