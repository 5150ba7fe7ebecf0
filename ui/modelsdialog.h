#pragma once
// Tools → Models: the supported checkpoints with their size and purpose, download (progress,
// rate, ETA, cancel; a later download resumes), import of a folder the person already has,
// removal, and which model each task uses. Opens by itself on first run when no model is set.
#include <QDialog>
#include <QPointer>
#include <optional>

#include "settingsdialog.h"

class QLabel;
class QProgressBar;
class QPushButton;
class QTableWidget;

namespace glimpse::models {
class HubDownloader;
class ModelImporter;
}  // namespace glimpse::models

namespace glimpse::ui {

class ModelsDialog : public QDialog {
  Q_OBJECT
 public:
  // Reads and writes the models in use through `store` (one task at a time).
  explicit ModelsDialog(SettingsStore* store, QWidget* parent = nullptr);
  ~ModelsDialog() override;
  QTableWidget* table() const { return m_table; }

 public Q_SLOTS:
  void downloadSelected();
  void cancelDownload();  // also stops an import (its partial copy is removed)
  void removeSelected();
  // Copies the folder into the models folder on a worker thread, with progress; returns at once.
  void importFolder(const QString& folder = {});
  void useSelected();

 private:
  void refresh();
  int selectedRow() const;
  QString rowFolder(int row) const;
  std::optional<Task> rowTask(int row) const;
  void assign(std::optional<Task> task, const QString& folder, bool onlyIfEmpty);

  SettingsStore* m_store;
  QTableWidget* m_table;
  QPushButton* m_download;
  QPushButton* m_cancel;
  QPushButton* m_remove;
  QPushButton* m_use;
  QPushButton* m_import;
  QProgressBar* m_progress;
  QLabel* m_status;
  QPointer<models::HubDownloader> m_downloader;
  QPointer<models::ModelImporter> m_importer;  // an import copying on its worker thread
  std::optional<Task> m_downloadTask;
};

}  // namespace glimpse::ui
