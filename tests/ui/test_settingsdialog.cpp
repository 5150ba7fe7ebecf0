// Tools → Settings and the engine: the dialog never loads libtorch on the GUI thread, and offers
// the numeric modes this computer runs once the inference worker has found them out. This program
// links no libtorch (unlike the other test programs), so whether the process holds it is the
// witness; each test runs in a process of its own under ctest.
#include <gtest/gtest.h>

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QTabWidget>
#include <QTimer>

#include "inference/inferenceclient.h"
#include "mainwindow.h"
#include "settingsdialog.h"
#include "window_fixture.h"

using namespace glimpse::ui;

namespace {

// Whether libtorch is mapped into this process (the engine module links it).
bool torchLoaded() {
  QFile maps(QStringLiteral("/proc/self/maps"));
  return maps.open(QIODevice::ReadOnly) && maps.readAll().contains("libtorch_cpu.so");
}

// What the worker reports after warming the engine (here asked of the engine directly).
glimpse::inference::PrecisionSupport supportOfThisComputer() {
  glimpse::inference::PrecisionSupport support;
  support.known = true;
  for (const auto mode : {glimpse::blip::Precision::BFloat16, glimpse::blip::Precision::Int8})
    if (const std::string problem = glimpse::blip::precision_problem(mode); !problem.empty())
      support.problems.insert(QString::fromLatin1(glimpse::blip::precision_name(mode)),
                              QString::fromStdString(problem));
  return support;
}

// Each mode of the Precision box is enabled exactly when this computer runs it.
void expectPrecisionsOfThisComputer(QComboBox* combo) {
  auto* items = qobject_cast<QStandardItemModel*>(combo->model());
  ASSERT_NE(items, nullptr);
  ASSERT_EQ(combo->count(), 3);
  for (int i = 0; i < combo->count(); ++i) {
    const auto mode = glimpse::blip::parse_precision(combo->itemData(i).toString().toStdString());
    ASSERT_TRUE(mode.has_value());
    EXPECT_EQ(items->item(i)->isEnabled(), glimpse::blip::precision_problem(*mode).empty()) << i;
  }
}

// Neither the window (a saved fast mode in the status bar) nor opening Settings loads libtorch on
// the GUI thread: until the worker has warmed the engine (the app does it at its first expose)
// the dialog offers every mode and says it is still checking; then it offers exactly the modes
// this computer runs.
TEST(SettingsDialog, OpensWithoutLoadingTheEngine) {
  if (torchLoaded()) GTEST_SKIP() << "an earlier test of this process loaded libtorch (ctest runs each test alone)";
  QSettings().clear();
  MainWindow w;
  AppSettings s = w.settingsStore()->current();
  s.precision = QStringLiteral("int8");
  w.settingsStore()->apply(s);
  w.show();
  EXPECT_FALSE(torchLoaded());
  bool looked = false;
  QTimer::singleShot(0, &w, [&] {
    auto* dialog = w.findChild<SettingsDialog*>();
    ASSERT_NE(dialog, nullptr);
    ASSERT_TRUE(dialog->isVisible());
    EXPECT_FALSE(torchLoaded());
    EXPECT_TRUE(dialog->precisionNote()->text().contains(QStringLiteral("still being checked")))
        << dialog->precisionNote()->text().toStdString();
    auto* items = qobject_cast<QStandardItemModel*>(dialog->precisionBox()->model());
    for (int i = 0; i < dialog->precisionBox()->count(); ++i) EXPECT_TRUE(items->item(i)->isEnabled()) << i;
    QSignalSpy known(w.client(), &glimpse::inference::InferenceClient::precisionSupportChanged);
    w.client()->warmEngine();
    ASSERT_TRUE(known.wait(60000));
    EXPECT_TRUE(torchLoaded());  // by the worker thread
    EXPECT_TRUE(w.client()->precisionSupport().known);
    expectPrecisionsOfThisComputer(dialog->precisionBox());
    EXPECT_FALSE(dialog->precisionNote()->text().contains(QStringLiteral("still being checked")));
    looked = true;
    dialog->reject();
  });
  w.openSettings();
  EXPECT_TRUE(looked);
  QSettings().clear();
}

TEST(SettingsDialog, OffersThePrecisionsThisComputerRuns) {
  AppSettings s;
  for (glimpse::Task t : glimpse::kTasks) s.model(t) = glimpse::test::tinyModelDir();
  s.precision = QStringLiteral("bf16");
  const glimpse::inference::PrecisionSupport support = supportOfThisComputer();
  SettingsDialog dialog(s, support);
  QComboBox* combo = nullptr;
  for (auto* box : dialog.findChildren<QComboBox*>())
    if (box->accessibleName() == QStringLiteral("Precision")) combo = box;
  ASSERT_NE(combo, nullptr);
  EXPECT_EQ(combo, dialog.precisionBox());
  expectPrecisionsOfThisComputer(combo);
  // The chosen mode round-trips, its description is shown, and Exact says it matches the reference.
  if (glimpse::blip::precision_problem(glimpse::blip::Precision::BFloat16).empty()) {
    EXPECT_EQ(dialog.settings().precision, QStringLiteral("bf16"));
  }
  combo->setCurrentIndex(combo->findData(QStringLiteral("fp32")));
  EXPECT_EQ(dialog.settings().precision, QStringLiteral("fp32"));
  EXPECT_TRUE(SettingsDialog::describePrecision(QStringLiteral("fp32"), support)
                  .contains(QStringLiteral("same words and scores")));
  EXPECT_TRUE(SettingsDialog::describePrecision(QStringLiteral("int8"), support).contains(QStringLiteral("8-bit")));
  combo->setCurrentIndex(combo->findData(QStringLiteral("bf16")));
  dialog.show();
  QDir().mkpath(QStringLiteral(GLIMPSE_BUILD_DIR "/screenshots"));
  EXPECT_TRUE(dialog.grab().save(QStringLiteral(GLIMPSE_BUILD_DIR "/screenshots/settings.png")));
}

// The text of every row label of the dialog's forms (what a person reads left of a field).
QStringList formLabels(const QWidget* dialog) {
  QStringList out;
  for (QFormLayout* form : dialog->findChildren<QFormLayout*>())
    for (int r = 0; r < form->rowCount(); ++r)
      if (QLayoutItem* item = form->itemAt(r, QFormLayout::LabelRole); item && item->widget())
        if (auto* label = qobject_cast<QLabel*>(item->widget()); label && !label->text().isEmpty())
          out << label->text();
  return out;
}

// The German dialog was about 830 pixels tall, taller than a 768-pixel laptop screen: it fits in
// 1280x720 with room to spare in both languages, and every setting is on one of its tabs.
TEST(SettingsDialog, FitsASmallScreenInEveryLanguage) {
  for (const auto language : {QLocale::English, QLocale::German}) {
    SCOPED_TRACE(QLocale::languageToString(language).toStdString());
    glimpse::test::ScopedLocale locale{QLocale(language)};
    EXPECT_EQ(locale.translated(), language != QLocale::English);
    AppSettings s;
    for (glimpse::Task t : glimpse::kTasks) s.model(t) = glimpse::test::tinyModelDir();
    SettingsDialog dialog(s);
    dialog.show();
    EXPECT_LE(dialog.sizeHint().height(), 680);
    EXPECT_LE(dialog.sizeHint().width(), 1100);
    EXPECT_LE(dialog.height(), 680);
    ASSERT_EQ(dialog.tabs()->count(), 3);
    // Every setting is on a tab: the model folders, threads, precision, idle unloading, languages.
    for (QWidget* field : dialog.findChildren<QWidget*>())
      if (qobject_cast<QLineEdit*>(field) || qobject_cast<QComboBox*>(field) || qobject_cast<QSpinBox*>(field) ||
          qobject_cast<QCheckBox*>(field)) {
        bool onTab = false;
        for (int i = 0; i < dialog.tabs()->count(); ++i) onTab = onTab || dialog.tabs()->widget(i)->isAncestorOf(field);
        EXPECT_TRUE(onTab) << field->accessibleName().toStdString();
      }
    const QString name = language == QLocale::English ? QStringLiteral("settings-en") : QStringLiteral("settings-de");
    QDir().mkpath(QStringLiteral(GLIMPSE_BUILD_DIR "/screenshots"));
    for (int i = 0; i < dialog.tabs()->count(); ++i) {
      dialog.tabs()->setCurrentIndex(i);
      dialog.grab().save(QStringLiteral(GLIMPSE_BUILD_DIR "/screenshots/%1-%2.png").arg(name).arg(i));
    }
  }
}

// The German check line of a model folder said "Bereit: … (ViT 32/2 layers, 384 px; text 32/2
// layers; …)": the folder's summary is in the interface language too.
TEST(SettingsDialog, TheModelCheckLineIsTranslated) {
  EXPECT_EQ(
      SettingsDialog::summaryText(QStringLiteral("ViT 768/12 layers, 384 px; text 768/12 layers; 895 MB float32")),
      QStringLiteral("ViT 768/12 layers, 384 px; text 768/12 layers; 895 MB float32"));
  glimpse::test::ScopedLocale de{QLocale(QLocale::German)};
  EXPECT_EQ(SettingsDialog::summaryText(QStringLiteral("Marian 512/6+6 layers, 58101 pieces; 298 MB")),
            QStringLiteral("Marian 512/6+6 Schichten, 58101 Wortteile; 298 MB"));
  AppSettings s;
  for (glimpse::Task t : glimpse::kTasks) s.model(t) = glimpse::test::tinyModelDir();
  SettingsDialog dialog(s);
  for (glimpse::Task t : glimpse::kTasks) {
    const QString line = dialog.checkLabel(t)->toolTip();
    EXPECT_TRUE(line.startsWith(QStringLiteral("Bereit: "))) << line.toStdString();
    EXPECT_TRUE(line.contains(QStringLiteral("Schichten"))) << line.toStdString();
    EXPECT_FALSE(line.contains(QStringLiteral("layers"))) << line.toStdString();
  }
}

// Two rows were both labelled "Translate them with:" (one for queries, one for captions): no two
// labels of the dialog are the same, in English or in German.
TEST(SettingsDialog, NoTwoRowsHaveTheSameLabel) {
  for (const auto language : {QLocale::English, QLocale::German}) {
    SCOPED_TRACE(QLocale::languageToString(language).toStdString());
    glimpse::test::ScopedLocale locale{QLocale(language)};
    SettingsDialog dialog(AppSettings{});
    const QStringList labels = formLabels(&dialog);
    EXPECT_GE(labels.size(), 8) << labels.join(" | ").toStdString();
    for (const QString& label : labels) EXPECT_EQ(labels.count(label), 1) << label.toStdString();
  }
}

}  // namespace

int main(int argc, char** argv) {
  return glimpse::test::runWidgetTests(argc, argv);
}
