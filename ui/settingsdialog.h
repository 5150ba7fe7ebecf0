#pragma once
// Settings → Models: a checkpoint folder for each task (caption, ask, search), checked and
// described in words as it is chosen; worker threads and idle unloading. Stored in QSettings.
#include <QDialog>

class QComboBox;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace glimpse::ui {

struct AppSettings {
  QString captionModel, askModel, searchModel;
  int threads = 0;  // 0: all cores
  QString precision = QStringLiteral("fp32");  // numeric mode: fp32 (exact), bf16, int8
  int idleUnloadMinutes = 5;
  static AppSettings load();
  void save() const;
};

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
  QLineEdit* m_paths[3];
  QLabel* m_checks[3];
  QSpinBox* m_threads;
  QComboBox* m_precision;
  QLabel* m_precisionNote;
  QSpinBox* m_idle;
};

}  // namespace glimpse::ui
