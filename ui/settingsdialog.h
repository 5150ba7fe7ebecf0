#pragma once
// Tools → Settings, on three tabs: a checkpoint folder for each task, checked and described in
// words as it is chosen; worker threads, precision and idle unloading; the languages of queries
// and captions with their translation models. The dialog edits a copy; the main
// window hands the result to the SettingsStore (core/settings/settings.h). Which precisions this
// computer runs comes from the inference worker (InferenceClient::precisionSupport): opening the
// dialog never loads the engine.
#include <QDialog>

#include "inference/types.h"
#include "settings/settings.h"

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QSpinBox;
class QTabWidget;

namespace glimpse::ui {

using glimpse::AppSettings;

class SettingsDialog : public QDialog {
  Q_OBJECT
 public:
  explicit SettingsDialog(const AppSettings& settings, const inference::PrecisionSupport& support = {},
                          QWidget* parent = nullptr);
  AppSettings settings() const;
  // What checking a folder for a task found: one line to show, the whole report on demand.
  struct Check {
    QString text;
    QString details;  // empty when the line says it all
    bool ok = false;
  };
  static Check verify(const QString& folder, const char* wantedHead);
  // A model folder's summary ("ViT 768/12 layers, 384 px; …", models::describe) in the interface
  // language.
  static QString summaryText(const QString& summary);
  // The line shown for a folder (for tests and the first-run hint).
  static QString describe(const QString& folder, const char* wantedHead);
  QLabel* checkLabel(Task task) const { return m_checks[static_cast<int>(task)]; }
  QString checkDetails(Task task) const { return m_details[static_cast<int>(task)]; }
  // What a numeric mode does, in words, including why this machine cannot run it (or that this
  // is still being found out).
  static QString describePrecision(const QString& precision, const inference::PrecisionSupport& support);
  // The modes this computer cannot run are shown disabled, with the reason; while the support is
  // not known every mode can be chosen.
  void setPrecisionSupport(const inference::PrecisionSupport& support);
  QComboBox* precisionBox() const { return m_precision; }
  QLabel* precisionNote() const { return m_precisionNote; }
  // The description shown for a translation model folder; empty `folder`: the installed OPUS-MT
  // model for from -> to that will be used, or that none is installed.
  static QString describeTranslation(const QString& folder, const QString& from, const QString& to);
  QComboBox* queryLanguageBox() const { return m_queryLanguage; }
  QCheckBox* translateOutputBox() const { return m_translateOutput; }
  // Models, Performance, Language.
  QTabWidget* tabs() const { return m_tabs; }

 private:
  AppSettings m_initial;  // what the dialog showed: a field left as it was returns this value
  QLineEdit* m_paths[kTaskCount];
  QLabel* m_checks[kTaskCount];
  QString m_details[kTaskCount];
  QSpinBox* m_threads;
  QComboBox* m_precision;
  QLabel* m_precisionNote;
  inference::PrecisionSupport m_support;
  QSpinBox* m_idle;
  QComboBox* m_queryLanguage;
  QLineEdit* m_queryModel;
  QLineEdit* m_outputModel;
  QCheckBox* m_translateOutput;
  QTabWidget* m_tabs;
};

}  // namespace glimpse::ui
