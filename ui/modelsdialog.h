#pragma once
// Tools → Models: the supported checkpoints with their size and purpose, download (progress,
// rate, ETA, cancel; a later download resumes), import of a folder the person already has,
// removal, and which model each task uses. Opens by itself on first run when no model is set, with
// the recommended set (one checkpoint per task) offered in one click with its total size.
#include <QDialog>
#include <QPointer>
#include <optional>

#include "models/modelstore.h"

#include "settingsdialog.h"

class QGroupBox;
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
  QPushButton* downloadButton() const { return m_download; }
  QPushButton* useButton() const { return m_use; }
  QPushButton* removeButton() const { return m_remove; }
  QPushButton* recommendedButton() const { return m_recommended; }
  QGroupBox* firstRunPanel() const { return m_firstRun; }
  QLabel* statusLabel() const { return m_status; }
  // The recommended checkpoints a click on the first-run button fetches: those whose task has no
  // model yet and that are not installed.
  QList<models::CatalogueEntry> recommendedToDownload() const;

 public Q_SLOTS:
  void downloadSelected();
  void cancelDownload();  // also stops an import (its partial copy is removed)
  void removeSelected();
  // Copies the folder into the models folder on a worker thread, with progress; returns at once.
  void importFolder(const QString& folder = {});
  void useSelected();
  // Uses the installed recommended models for tasks without one, then downloads the rest one
  // after the other (each is used as soon as it is ready).
  void downloadRecommended();

 private:
  void refresh();
  void updateButtons();
  void updateFirstRun();
  void startDownload(const models::CatalogueEntry& entry);
  int selectedRow() const;
  QString rowFolder(int row) const;
  QList<Task> rowTasks(int row) const;
  bool rowUsable(int row) const;
  void assign(const QList<Task>& tasks, const QString& folder, bool onlyIfEmpty);

  SettingsStore* m_store;
  QTableWidget* m_table;
  QPushButton* m_download;
  QPushButton* m_cancel;
  QPushButton* m_remove;
  QPushButton* m_use;
  QPushButton* m_import;
  QGroupBox* m_firstRun;
  QLabel* m_firstRunText;
  QPushButton* m_recommended;
  QProgressBar* m_progress;
  QLabel* m_status;
  QPointer<models::HubDownloader> m_downloader;
  QPointer<models::ModelImporter> m_importer;  // an import copying on its worker thread
  QList<Task> m_downloadTasks;
  QList<models::CatalogueEntry> m_queue;  // recommended downloads still to start
};

}  // namespace glimpse::ui
