#pragma once
// The library page: a folder tree with photo counts, indexing with progress (pause/resume,
// cancel), a thumbnail grid that browses the library newest first without a query or shows
// search results with their relevance, filters (folder, date range, minimum relevance), details
// of the selected photo, "more like this", and Caption / Ask, which open the photo on the Images
// page.
#include <QStandardItemModel>
#include <QWidget>
#include <functional>

#include "inference/types.h"
#include "library/searcher.h"
#include "messagebar.h"
#include "thumbnailloader.h"

class QCheckBox;
class QDateEdit;
class QLabel;
class QSpinBox;
class QTimer;
class QTreeWidget;
class QTreeWidgetItem;
class QLineEdit;
class QListView;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;

namespace glimpse::inference {
class InferenceClient;
}

namespace glimpse::ui {

class AskResultsBar;

class LibraryPage : public QWidget {
  Q_OBJECT
 public:
  LibraryPage(inference::InferenceClient* client, QWidget* parent = nullptr);
  void openLibrary(const QString& dbPath);
  // At start: indexing that was running when the app closed continues (when `canIndex`: a search
  // model is set); one that was paused shows as paused, with Resume.
  void restoreIndexing(bool canIndex);
  // Indexing, as the page shows it: a value, never read back from a button label.
  enum class IndexState { Idle, Running, Pausing, Paused };
  IndexState indexState() const { return m_indexState; }
  IndexState captionState() const { return m_captionState; }
  QPlainTextEdit* captionEditor() const { return m_captionEdit; }
  // Under the caption of the details panel when it is shown translated: the English original.
  QLabel* captionOriginal() const { return m_captionOriginal; }
  // The selected photo above its details (a pixmap, or the reason it cannot be shown).
  QLabel* detailsPreview() const { return m_detailsPreview; }
  // Where "Caption photos" takes its prompt and generation settings from (the Images page's).
  void setCaptionRequestSource(std::function<inference::CaptionRequest()> source) {
    m_captionRequest = std::move(source);
  }
  QListView* resultsView() const { return m_results; }
  const ThumbnailLoader& thumbnails() const { return m_thumbs; }
  // "Searched for: <English>" after a query was translated, and its "Search the original instead".
  QLabel* searchedForLabel() const { return m_searchedFor; }
  QPushButton* searchOriginalButton() const { return m_searchOriginal; }
  AskResultsBar* askBar() const { return m_askBar; }
  QStandardItemModel* resultsModel() const { return m_resultsModel; }
  QTreeWidget* folderTree() const { return m_folders; }
  // The folder the grid is narrowed to ("" for the whole library).
  QString folderFilter() const;
  // What the grid shows now, in words ("12 results for …", "The newest 2000 of 5120 photos").
  QString resultsSummary() const;
  // A relevance in percent (0-100) for each score, never higher than the one before it: the
  // grid shows results in this order. Cosines (-1..1) map to 0..100%.
  static QList<int> relevances(const QList<library::SearchResult>& results);
  // What the grid calls each path: the file name, followed by as much of its folder as tells it
  // apart from the other paths of the same name.
  static QStringList displayNames(const QStringList& paths);
  // The minimum score a minimum relevance (percent) stands for, as SearchOptions::minScore.
  static double scoreOfRelevance(int percent);
  // Most photos the grid shows when browsing.
  static constexpr int kBrowseLimit = 2000;
  QProgressBar* indexProgress() const { return m_progress; }
  QLabel* indexText() const { return m_progressText; }
  // Why the library could not be opened ("" when it is open or opening).
  QString libraryError() const { return m_libraryError; }

 public Q_SLOTS:
  void addFolder(const QString& folder = {});
  void removeSelectedFolder();
  void startOrPauseIndexing();
  void cancelIndexing();
  void search(const QString& query = {});
  // Runs the last query again as typed, without translating it.
  void searchOriginal();
  void moreLikeThis();
  // The library's self-checked captions in the grid, least confident first.
  void showLeastConfident();
  void openSelected();
  void showSelectedInFolder();
  // Shows the library without a query: the newest photos that pass the filters.
  void browse();
  // Runs the query again (or browses without one) with the filters as they are now.
  void refresh();
  void setFolderFilter(const QString& folder);
  void setDateFilter(const QDate& from, const QDate& to);  // invalid dates: no bound
  void setMinimumRelevance(int percent);                   // 0: any
  void captionSelected();
  void askAboutSelected();
  // Captions the photos without a generated caption; pauses or resumes when it runs.
  void startOrPauseCaptioning();
  void stopCaptioning();
  // Stores the details panel's caption for the selected photo (as edited by the user).
  void saveCaption();
  void writeCaptionsToFiles();
  // Keeps the library in `file` from now on (asks where when empty) and opens it there.
  void chooseLibraryLocation(const QString& file = {});
  // Opens the review of near-duplicate photos.
  void showSimilarPhotos();

 Q_SIGNALS:
  void status(const QString& message);
  // Caption or Ask on a result: the main window opens it on the Images page.
  void openInImages(const QString& path, bool ask);
  // Problems that need the person (the main window's message bar), and their end.
  void message(const glimpse::ui::Message& message);
  void messageResolved(const QString& key);

 private:
  QString selectedPath() const;
  void setResults(const QList<library::SearchResult>& results, bool scored);
  library::SearchOptions filters() const;
  void rebuildFolderTree();
  void requestVisibleThumbnails();
  bool eventFilter(QObject* watched, QEvent* event) override;
  void setIndexState(IndexState state);
  void setCaptionState(IndexState state);
  void showDetails(const inference::PhotoDetails& d);
  void showDetailsPreview(const QString& path);
  // refreshView: run the grid's query again (the library changed); false when only the counts and
  // the offer to index are shown again (after a failed search, which must not search again).
  void showLibraryInfo(const inference::LibraryInfo& info, bool refreshView = true);
  void libraryFailed(const QString& what, const QString& why);
  bool libraryUsable();  // false (and says why) when the library could not be opened

  inference::InferenceClient* m_client;
  QTreeWidget* m_folders;
  QStringList m_libraryFolders;
  QList<QPair<QString, int>> m_directoryCounts;
  QCheckBox* m_fromOn;
  QDateEdit* m_from;
  QCheckBox* m_toOn;
  QDateEdit* m_to;
  QSpinBox* m_minRelevance;
  QLabel* m_summary;
  QPushButton* m_captionThis;
  QPushButton* m_askThis;
  QString m_lastQuery;  // empty while browsing
  QTimer* m_thumbTimer;
  bool m_browsedAfterScan = false;
  bool m_probabilities = false;  // the grid's scores are match probabilities (least confident)
  QPushButton* m_add;
  QPushButton* m_remove;
  QPushButton* m_index;
  QPushButton* m_cancel;
  QProgressBar* m_progress;
  QLabel* m_progressText;
  QLineEdit* m_query;
  QWidget* m_translationRow;
  QLabel* m_searchedFor;
  QPushButton* m_searchOriginal;
  QString m_typedQuery;  // the last query as typed ("Search the original instead")
  QListView* m_results;
  QStandardItemModel* m_resultsModel;
  ThumbnailLoader m_thumbs;
  QPushButton* m_captionJobButton;
  QPushButton* m_captionStop;
  QPushButton* m_writeFiles;
  QPushButton* m_duplicates;
  QProgressBar* m_captionProgress;
  QLabel* m_captionProgressText;
  QLabel* m_details;
  QLabel* m_detailsPreview;  // the selected photo, or why it cannot be shown
  QString m_previewPath;     // the photo it shows (or is decoding)
  QLabel* m_captionSource;
  QPlainTextEdit* m_captionEdit;
  QLabel* m_captionOriginal;
  QPushButton* m_saveCaption;
  QString m_detailsPath;
  std::function<inference::CaptionRequest()> m_captionRequest;
  QPushButton* m_open;
  QPushButton* m_reveal;
  QPushButton* m_similar;
  QPushButton* m_leastConfident;
  AskResultsBar* m_askBar;
  IndexState m_indexState = IndexState::Idle;
  quint64 m_indexJob = 0;
  inference::JobProgress m_indexProgress;  // the index job's last counts
  IndexState m_captionState = IndexState::Idle;
  quint64 m_captionJob = 0;
  quint64 m_searchId = 0;
  quint64 m_detailsId = 0;
  QString m_libraryPath;
  QString m_libraryError;
  quint64 m_openId = 0;          // the library being opened, 0 once it answered
  quint64 m_folderId = 0;        // the last folder added or removed
  bool m_folderPending = false;  // that change is not answered yet (its folders not known here)
  bool m_indexWhenOpen = false;
  inference::LibraryInfo m_info;  // as last reported
};

}  // namespace glimpse::ui
