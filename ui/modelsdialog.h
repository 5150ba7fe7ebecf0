#pragma once
// Tools → Models: the supported checkpoints with their size and purpose, download (progress,
// rate, ETA, cancel; a later download resumes), import of a folder the person already has,
// removal, and which model each task uses. Opens by itself on first run when no model is set.
#include <QDialog>
#include <QPointer>

#include "settingsdialog.h"

class QLabel;
class QProgressBar;
class QPushButton;
class QTableWidget;

namespace glimpse::models {
class HubDownloader;
}

namespace glimpse::ui {

class ModelsDialog : public QDialog {
  Q_OBJECT
 public:
  explicit ModelsDialog(const AppSettings& settings, QWidget* parent = nullptr);
  ~ModelsDialog() override;
  const AppSettings& settings() const { return m_settings; }
  QTableWidget* table() const { return m_table; }

 public Q_SLOTS:
  void downloadSelected();
  void cancelDownload();
  void removeSelected();
  void importFolder(const QString& folder = {});
  void useSelected();

 Q_SIGNALS:
  // The models in use changed (a download finished, a model was picked or removed).
  void settingsChanged(const glimpse::ui::AppSettings& settings);

 private:
  void refresh();
  int selectedRow() const;
  QString rowFolder(int row) const;
  QString rowTask(int row) const;
  void assign(const QString& task, const QString& folder, bool onlyIfEmpty);

  AppSettings m_settings;
  QTableWidget* m_table;
  QPushButton* m_download;
  QPushButton* m_cancel;
  QPushButton* m_remove;
  QPushButton* m_use;
  QPushButton* m_import;
  QProgressBar* m_progress;
  QLabel* m_status;
  QPointer<models::HubDownloader> m_downloader;
  QString m_downloadTask;
};

}  // namespace glimpse::ui
