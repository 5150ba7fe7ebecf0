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
  // What checking a folder for a task found: one line to show, the whole report on demand.
  struct Check {
    QString text;
    QString details;  // empty when the line says it all
    bool ok = false;
  };
  static Check verify(const QString& folder, const char* wantedHead);
  // The line shown for a folder (for tests and the first-run hint).
  static QString describe(const QString& folder, const char* wantedHead);
  QLabel* checkLabel(Task task) const { return m_checks[static_cast<int>(task)]; }
  QString checkDetails(Task task) const { return m_details[static_cast<int>(task)]; }
  // What a numeric mode does, in words, including why this machine cannot run it.
  static QString describePrecision(const QString& precision);

 private:
  AppSettings m_initial;  // what the dialog showed: a field left as it was returns this value
  QLineEdit* m_paths[kTaskCount];
  QLabel* m_checks[kTaskCount];
  QString m_details[kTaskCount];
  QSpinBox* m_threads;
  QComboBox* m_precision;
  QLabel* m_precisionNote;
  QSpinBox* m_idle;
};

}  // namespace glimpse::ui
