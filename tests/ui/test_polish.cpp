// What a new user met on a first walk through the app: buttons that did nothing, a question field
// squeezed to a few letters, an empty library "up to date", English language names in the German
// interface, a stale zoom. Offscreen, real widgets, the tiny model and real files; part of test_ui
// (its main() is in test_mainwindow.cpp).
#include <gtest/gtest.h>

#include <QAction>
#include <QApplication>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QPushButton>
#include <QStandardItemModel>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTest>
#include <QXmlStreamReader>

#include "askresultsbar.h"
#include "imagespage.h"
#include "librarypage.h"
#include "mainwindow.h"
#include "translation/language.h"
#include "translations.h"
#include "window_fixture.h"

using namespace glimpse::ui;
using namespace glimpse::test;

namespace {

const QString kImages = QStringLiteral(GLIMPSE_TEST_DATA_DIR "/tiny/images");

QPushButton* buttonNamed(QWidget* in, const QString& text) {
  for (auto* b : in->findChildren<QPushButton*>())
    if (b->text() == text) return b;
  return nullptr;
}

QAction* actionNamed(QWidget* in, const QString& text) {
  for (auto* a : in->findChildren<QAction*>())
    if (a->text() == text) return a;
  return nullptr;
}

QLineEdit* questionOf(ImagesPage* page) {
  for (auto* e : page->findChildren<QLineEdit*>())
    if (e->accessibleName() == QStringLiteral("Question")) return e;
  return nullptr;
}

QLabel* zoomOf(ImagesPage* page) {
  for (auto* l : page->findChildren<QLabel*>())
    if (l->accessibleName() == QStringLiteral("Zoom")) return l;
  return nullptr;
}

}  // namespace

// With no photo, Caption, Caption all, Copy and Ask did nothing when pressed: now they are greyed
// out (buttons and the menu and toolbar actions alike) until there is something to act on, and
// the question field says what to do first.
TEST(Polish, ActionsWithNothingToActOnAreDisabled) {
  MainWindow w;
  showWithTinyModels(w);
  auto* page = w.imagesPage();
  ASSERT_EQ(page->model()->rowCount(), 0);
  QPushButton* caption = buttonNamed(page, QStringLiteral("&Caption"));
  QPushButton* all = buttonNamed(page, QStringLiteral("Caption &all"));
  QPushButton* copy = buttonNamed(page, QStringLiteral("C&opy"));
  QPushButton* ask = buttonNamed(page, QStringLiteral("As&k"));
  QLineEdit* question = questionOf(page);
  QAction* captionAct = actionNamed(&w, QStringLiteral("&Caption selected image"));
  QAction* copyAct = actionNamed(&w, QStringLiteral("Co&py caption"));
  QAction* askAct = actionNamed(&w, QStringLiteral("As&k about the image"));
  ASSERT_TRUE(caption && all && copy && ask && question && captionAct && copyAct && askAct);
  EXPECT_FALSE(caption->isEnabled());
  EXPECT_FALSE(all->isEnabled());
  EXPECT_FALSE(copy->isEnabled());
  EXPECT_FALSE(ask->isEnabled());
  EXPECT_FALSE(question->isEnabled());
  EXPECT_TRUE(question->placeholderText().startsWith(QStringLiteral("Add a photo first")))
      << question->placeholderText().toStdString();
  EXPECT_FALSE(captionAct->isEnabled());
  EXPECT_FALSE(copyAct->isEnabled());
  EXPECT_FALSE(askAct->isEnabled());
  // No photo, no zoom to show.
  QLabel* zoom = zoomOf(page);
  ASSERT_TRUE(zoom);
  EXPECT_TRUE(zoom->text().isEmpty()) << zoom->text().toStdString();

  // A photo: everything that acts on it is there, Copy once its caption is.
  w.addPaths({kImages + "/grad_97x61.png"});
  ASSERT_TRUE(waitUntil([&] { return !page->model()->item(0).caption.isEmpty(); }));
  EXPECT_TRUE(caption->isEnabled());
  EXPECT_TRUE(all->isEnabled());
  EXPECT_TRUE(copy->isEnabled());
  EXPECT_TRUE(ask->isEnabled());
  EXPECT_TRUE(question->isEnabled());
  EXPECT_TRUE(captionAct->isEnabled());
  EXPECT_TRUE(copyAct->isEnabled());
  EXPECT_TRUE(askAct->isEnabled());
  ASSERT_TRUE(waitUntil([&] { return !zoom->text().isEmpty(); }));

  // A file that is no photo: the preview says so and the zoom of the photo before is gone.
  QTemporaryDir dir;
  QFile notes(dir.filePath("notes.txt"));
  ASSERT_TRUE(notes.open(QIODevice::WriteOnly));
  notes.write("hello\n");
  notes.close();
  w.addPaths({notes.fileName()});
  const int row = page->model()->indexOf(notes.fileName());
  ASSERT_GE(row, 0);
  page->selectRow(row);
  ASSERT_TRUE(waitUntil([&] { return zoom->text().isEmpty(); })) << zoom->text().toStdString();
  // Why it could not be captioned names the photo once, not again with its whole path.
  ASSERT_TRUE(waitUntil([&] { return !page->model()->item(row).error.isEmpty(); }));
  const QString state = page->captionStateLabel()->text();
  EXPECT_TRUE(state.startsWith(QStringLiteral("Could not caption this photo: not an image"))) << state.toStdString();
  EXPECT_FALSE(state.contains(dir.path())) << state.toStdString();
  EXPECT_TRUE(w.statusBar()->currentMessage().startsWith(QStringLiteral("Could not caption notes.txt: not an image")))
      << w.statusBar()->currentMessage().toStdString();

  // Delete on the filmstrip removes the selected photos from the list (the files stay); the list
  // emptied, everything is greyed out again.
  page->filmstrip()->setFocus();
  page->filmstrip()->selectAll();
  QTest::keyClick(page->filmstrip(), Qt::Key_Delete);
  ASSERT_EQ(page->model()->rowCount(), 0);
  EXPECT_TRUE(QFile::exists(notes.fileName()));
  EXPECT_FALSE(caption->isEnabled());
  EXPECT_FALSE(all->isEnabled());
  EXPECT_FALSE(ask->isEnabled());
  EXPECT_FALSE(captionAct->isEnabled());
}

// Index on a library without folders reported "Up to date: all 0 photos are searchable"; it now
// says to add a folder and starts no job.
TEST(Polish, IndexWithoutFoldersSaysToAddOne) {
  QTemporaryDir dir;
  MainWindow w;
  showWithTinyModels(w);
  ASSERT_TRUE(openLibrary(w, dir.filePath("empty.glimpse")));
  auto* lib = w.libraryPage();
  lib->startOrPauseIndexing();
  EXPECT_EQ(lib->indexState(), LibraryPage::IndexState::Idle);
  EXPECT_TRUE(w.statusBar()->currentMessage().startsWith(QStringLiteral("Add a folder first")))
      << w.statusBar()->currentMessage().toStdString();
  bool said = false;
  for (auto* l : lib->findChildren<QLabel*>())
    said = said || l->text().startsWith(QStringLiteral("Add a folder first"));
  EXPECT_TRUE(said);
}

// At 1024 x 700 the "Ask the results" question was squeezed to a few letters by the answer count
// beside it; it keeps room for its words, and the count goes on the line below.
TEST(Polish, AskTheResultsKeepsRoomForTheQuestionInASmallWindow) {
  QTemporaryDir dir;
  for (const char* f : {"grad_97x61.png", "checker_200x120.png", "photo_120x90.jpg"})
    ASSERT_TRUE(QFile::copy(kImages + "/" + f, dir.filePath(QString::fromLatin1(f))));
  MainWindow w;
  showWithTinyModels(w, QSize(1024, 700));
  ASSERT_TRUE(openLibrary(w, dir.filePath("lib.glimpse")));
  ASSERT_TRUE(addLibraryFolders(w, {dir.path()}));
  ASSERT_TRUE(indexLibrary(w));
  auto* lib = w.libraryPage();
  lib->search(QStringLiteral("a colourful picture"));
  ASSERT_TRUE(waitUntil([&] { return lib->resultsModel()->rowCount() == 3; }));
  AskResultsBar* bar = lib->askBar();
  QTest::keyClicks(bar->questionEdit(), QStringLiteral("is there a car?"));
  QTest::keyClick(bar->questionEdit(), Qt::Key_Return);
  ASSERT_TRUE(waitUntil([&] { return !bar->running(); }));
  QApplication::processEvents();
  QLabel* progress = nullptr;
  for (auto* l : bar->findChildren<QLabel*>())
    if (l->text().contains(QStringLiteral("answered"))) progress = l;
  ASSERT_TRUE(progress);
  EXPECT_TRUE(progress->isVisible());
  const QFontMetrics fm(bar->questionEdit()->font());
  EXPECT_GE(bar->questionEdit()->width(), fm.horizontalAdvance(QStringLiteral("is there a car?")) + 20)
      << bar->questionEdit()->width();
  // Below the question, not beside it.
  EXPECT_GE(progress->mapTo(bar, QPoint(0, 0)).y(),
            bar->questionEdit()->mapTo(bar, QPoint(0, bar->questionEdit()->height())).y());
}

// The German interface named languages in English ("Kein OPUS-MT-Modell für German nach English").
TEST(Polish, LanguageNamesAreTranslated) {
  QString german, english;
  {
    ScopedLocale de(QLocale(QLocale::German, QLocale::Germany));
    ASSERT_TRUE(de.translated());
    german = glimpse::translation::languageName(QStringLiteral("de"));
    english = glimpse::translation::languageName(QStringLiteral("en"));
  }
  EXPECT_EQ(german, QStringLiteral("Deutsch"));
  EXPECT_EQ(english, QStringLiteral("Englisch"));
  EXPECT_EQ(glimpse::translation::languageName(QStringLiteral("de")), QStringLiteral("German"));
}

// The Library's details panel had a blank space where a digiKam or Lightroom user looks for the
// photo; a file that could not be read looked like any other. The selected photo is shown there,
// and a file that cannot be decoded says so.
TEST(Polish, TheDetailsPanelShowsTheSelectedPhotoOrWhyNot) {
  QTemporaryDir dir;
  ASSERT_TRUE(QFile::copy(kImages + "/checker_200x120.png", dir.filePath("checker.png")));
  QFile garbage(dir.filePath("garbage.png"));
  ASSERT_TRUE(garbage.open(QIODevice::WriteOnly));
  garbage.write(QByteArray(400, 'x'));
  garbage.close();
  MainWindow w;
  showWithTinyModels(w);
  ASSERT_TRUE(openLibrary(w, dir.filePath("lib.glimpse")));
  ASSERT_TRUE(addLibraryFolders(w, {dir.path()}));
  ASSERT_TRUE(indexLibrary(w));
  auto* lib = w.libraryPage();
  ASSERT_TRUE(waitUntil([&] { return lib->resultsModel()->rowCount() == 2; }));
  QLabel* preview = lib->detailsPreview();
  ASSERT_TRUE(preview);
  EXPECT_FALSE(preview->isVisible());  // nothing selected yet
  const auto rowOf = [&](const QString& name) {
    for (int r = 0; r < lib->resultsModel()->rowCount(); ++r)
      if (lib->resultsModel()->item(r)->text().startsWith(name)) return r;
    return -1;
  };
  ASSERT_GE(rowOf(QStringLiteral("checker.png")), 0);
  lib->resultsView()->setCurrentIndex(lib->resultsModel()->index(rowOf(QStringLiteral("checker.png")), 0));
  ASSERT_TRUE(waitUntil([&] { return preview->isVisible() && !preview->pixmap().isNull(); }));
  EXPECT_GT(preview->pixmap().width(), 100);
  ASSERT_GE(rowOf(QStringLiteral("garbage.png")), 0);
  lib->resultsView()->setCurrentIndex(lib->resultsModel()->index(rowOf(QStringLiteral("garbage.png")), 0));
  ASSERT_TRUE(waitUntil([&] { return preview->text() == QStringLiteral("Cannot show garbage.png"); }))
      << preview->text().toStdString();
  EXPECT_TRUE(preview->pixmap().isNull());
}

// Counts said "1 photo(s)" and "3 result(s)": the English plural forms come from glimpse_en.qm,
// which the app installs before the locale's own translation (ui/translations.h), and so do the
// widget tests (runWidgetTests).
TEST(Polish, EnglishCountsUseSingularAndPlural) {
  EXPECT_TRUE(glimpse::ui::Translations(QLocale(QLocale::English)).hasEnglishPlurals());
  const char* page = "glimpse::ui::LibraryPage";
  const QString one = QCoreApplication::translate(page, "%n result(s)", nullptr, 1);
  const QString three = QCoreApplication::translate(page, "%n result(s)", nullptr, 3);
  const QString gone = QCoreApplication::translate("glimpse::ui::MainWindow",
                                                   "%n photo(s) of the last session are gone: %1", nullptr, 1);
  EXPECT_EQ(one, QStringLiteral("1 result"));
  EXPECT_EQ(three, QStringLiteral("3 results"));
  EXPECT_EQ(gone, QStringLiteral("1 photo of the last session is gone: %1"));
}

// Every message with %n has its two English forms, none still says "(s)", and no other message
// has English text (the source is shown as written).
TEST(Translations, EnglishHasEveryPluralForm) {
  QFile ts(QStringLiteral(GLIMPSE_SOURCE_DIR "/translations/glimpse_en.ts"));
  ASSERT_TRUE(ts.open(QIODevice::ReadOnly));
  QXmlStreamReader xml(&ts);
  int numerusMessages = 0, badForms = 0, withText = 0, forms = 0;
  bool numerus = false;
  QString source;
  while (!xml.atEnd()) {
    xml.readNext();
    if (xml.isStartElement() && xml.name() == QLatin1String("message")) {
      numerus = xml.attributes().value(QLatin1String("numerus")) == QLatin1String("yes");
      numerusMessages += numerus;
      forms = 0;
    }
    if (xml.isStartElement() && xml.name() == QLatin1String("source")) source = xml.readElementText();
    if (xml.isStartElement() && xml.name() == QLatin1String("numerusform")) {
      ++forms;
      if (xml.readElementText().contains(QLatin1String("(s)"))) ++badForms;
    }
    if (xml.isStartElement() && xml.name() == QLatin1String("translation") && !numerus &&
        !xml.readElementText().isEmpty())
      ++withText;
    if (xml.isEndElement() && xml.name() == QLatin1String("message")) {
      if (numerus && forms != 2) ++badForms;
      if (!numerus && source.contains(QLatin1String("(s)"))) ++badForms;  // a count not written with %n
    }
  }
  EXPECT_FALSE(xml.hasError()) << xml.errorString().toStdString();
  EXPECT_GE(numerusMessages, 20);
  EXPECT_EQ(badForms, 0);
  EXPECT_EQ(withText, 0);
}
