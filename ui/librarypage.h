#pragma once
// The library page: folders, indexing with progress (pause/resume, cancel), search with a
// thumbnail grid of scored results, details of the selected photo, and "more like this".
#include <QStandardItemModel>
#include <QWidget>

#include "library/searcher.h"
#include "thumbnailloader.h"

class QLabel;
class QLineEdit;
class QListView;
class QListWidget;
class QProgressBar;
class QPushButton;

namespace glimpse::inference {
class InferenceClient;
}

namespace glimpse::ui {

class LibraryPage : public QWidget {
  Q_OBJECT
 public:
  LibraryPage(inference::InferenceClient* client, QWidget* parent = nullptr);
  void openLibrary(const QString& dbPath);
  // Indexing, as the page shows it: a value, never read back from a button label.
  enum class IndexState { Idle, Running, Pausing, Paused };
  IndexState indexState() const { return m_indexState; }
  QListView* resultsView() const { return m_results; }
  QStandardItemModel* resultsModel() const { return m_resultsModel; }

 public Q_SLOTS:
  void addFolder(const QString& folder = {});
  void removeSelectedFolder();
  void startOrPauseIndexing();
  void cancelIndexing();
  void search(const QString& query = {});
  void moreLikeThis();
  void openSelected();
  void showSelectedInFolder();

 Q_SIGNALS:
  void status(const QString& message);

 private:
  QString selectedPath() const;
  void setResults(const QList<library::SearchResult>& results);
  void setIndexState(IndexState state);

  inference::InferenceClient* m_client;
  QListWidget* m_folders;
  QPushButton* m_add;
  QPushButton* m_remove;
  QPushButton* m_index;
  QPushButton* m_cancel;
  QProgressBar* m_progress;
  QLabel* m_progressText;
  QLineEdit* m_query;
  QListView* m_results;
  QStandardItemModel* m_resultsModel;
  ThumbnailLoader m_thumbs;
  QLabel* m_details;
  QPushButton* m_open;
  QPushButton* m_reveal;
  QPushButton* m_similar;
  IndexState m_indexState = IndexState::Idle;
  quint64 m_indexJob = 0;
  quint64 m_searchId = 0;
  quint64 m_detailsId = 0;
};

}  // namespace glimpse::ui
