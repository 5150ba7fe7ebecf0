#pragma once
// Tools → Settings: a checkpoint folder for each task, checked and described in words as it is
// chosen; worker threads, precision and idle unloading. The dialog edits a copy; the main
// window hands the result to the SettingsStore (core/settings/settings.h).
#include <QDialog>

#include "settings/settings.h"

class QComboBox;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace glimpse::ui {

using glimpse::AppSettings;

class SettingsDialog : public QDialog {
  Q_OBJECT
 public:
  explicit SettingsDialog(const AppSettings& settings, QWidget* parent = nullptr);
  AppSettings settings() const;
  // The description shown for a folder (for tests and the first-run hint).
  static QString describe(const QString& folder, const char* wantedHead);
  // What a numeric mode does, in words, including why this machine cannot run it.
  static QString describePrecision(const QString& precision);

 private:
  AppSettings m_initial;  // what the dialog showed: a field left as it was returns this value
  QLineEdit* m_paths[kTaskCount];
  QLabel* m_checks[kTaskCount];
  QSpinBox* m_threads;
  QComboBox* m_precision;
  QLabel* m_precisionNote;
  QSpinBox* m_idle;
};

}  // namespace glimpse::ui
