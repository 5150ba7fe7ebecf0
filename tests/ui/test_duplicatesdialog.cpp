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
#include "duplicatesdialog.h"
#include "inference/inferenceclient.h"
#include "library/indexer.h"
#include "library/librarydatabase.h"
#include "library/scanner.h"
#include "librarypage.h"
#include "window_fixture.h"

using namespace glimpse;

namespace {

const QString kTiny = QStringLiteral(GLIMPSE_TEST_DATA_DIR "/tiny");

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
  {
    auto db = std::make_shared<library::LibraryDatabase>(dbPath);
    db->addFolder(root);
    library::Scanner(*db).scan();
    ASSERT_EQ(library::Indexer(db, blip::BlipModel::load(kTiny.toStdString())).run().embedded, 6);
  }

  inference::InferenceClient client;
  AppSettings settings;
  settings.model(Task::Search) = kTiny;
  client.applySettings(settings);
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
  EXPECT_TRUE(labelTexts().contains(QStringLiteral("Moved 2 photo(s) to the trash.")));
  if (const QByteArray shots = qgetenv("GLIMPSE_SHOTS_DIR"); !shots.isEmpty()) {
    QTRY_VERIFY_WITH_TIMEOUT(!labelTexts().contains(QStringLiteral("Sharpness: …")), 30000);
    dialog.grab().save(QString::fromLocal8Bit(shots) + "/dups-after-trash.png");
  }
  qunsetenv("XDG_DATA_HOME");
}

TEST(DuplicatesDialog, OpensFromTheLibraryPage) {
  inference::InferenceClient client;
  ui::LibraryPage page(&client);
  QPushButton* open = nullptr;
  for (QPushButton* b : page.findChildren<QPushButton*>())
    if (b->text() == QStringLiteral("Similar photos…")) open = b;
  ASSERT_NE(open, nullptr);
  QTest::mouseClick(open, Qt::LeftButton);
  auto* dialog = page.findChild<ui::DuplicatesDialog*>();
  ASSERT_NE(dialog, nullptr);
  // No library is open: the review says so instead of showing groups.
  QSignalSpy updated(dialog, &ui::DuplicatesDialog::updated);
  ASSERT_TRUE(updated.wait(30000));
  EXPECT_EQ(dialog->groupCount(), 0);
  bool said = false;
  for (const QLabel* l : dialog->findChildren<QLabel*>())
    said |= l->text().contains(QStringLiteral("No library is open"));
  EXPECT_TRUE(said);
  dialog->close();
}

}  // namespace

// QT_QPA_PLATFORM=xcb under Xvfb for the screenshots.
int main(int argc, char** argv) {
  return glimpse::test::runWidgetTests(argc, argv);
}
