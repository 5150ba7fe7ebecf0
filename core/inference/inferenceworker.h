#pragma once
// The inference worker: one long-lived thread that owns the models (loaded lazily inside it, kept
// warm, unloaded after an idle time) and the library database. Requests come in as queued calls
// with ids, results go out as signals; every failure becomes failed(id, message). Cancellation
// is an atomic the GUI thread sets directly, checked between images and between decoder steps.
#include <QElapsedTimer>
#include <QHash>
#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QThread>
#include <QTimer>
#include <atomic>
#include <memory>

#include "blip.h"
#include "library/searcher.h"

Q_DECLARE_METATYPE(glimpse::blip::GenerationConfig)
Q_DECLARE_METATYPE(glimpse::library::SearchOptions)
Q_DECLARE_METATYPE(glimpse::library::SearchResult)

namespace glimpse::library {
class LibraryDatabase;
}

namespace glimpse::inference {

// Requests of one channel supersede each other: a new caption request makes the running one
// stale and stops it. Indexing has its own channel so searches never stop it.
enum class Channel { Caption = 0, Ask = 1, Index = 2, Search = 3 };
constexpr int kChannels = 4;

// State shared by the client (GUI thread) and the worker: the newest request id of each channel
// (older ones are stale) and the cancel flags.
struct SharedState {
  std::atomic<quint64> latest[kChannels] = {};
  std::atomic<bool> cancel[kChannels] = {};
};

class InferenceWorker : public QObject {
  Q_OBJECT
 public:
  explicit InferenceWorker(std::shared_ptr<SharedState> state, QObject* parent = nullptr);
  ~InferenceWorker() override;

 public Q_SLOTS:
  void init();  // runs in the worker thread when it starts
  void setModelFolders(const QString& caption, const QString& ask, const QString& search);
  void setIdleUnloadSeconds(int seconds);
  void setThreads(int threads);
  // Numeric mode of every model ("fp32", "bf16", "int8"); loaded models are reloaded on next use.
  // Unknown names mean fp32.
  void setPrecision(const QString& precision);
  void unloadModels();

  // Caption one image; captionProgress() streams the text so far.
  void caption(quint64 id, const QString& path, const QString& prompt, const glimpse::blip::GenerationConfig& config);
  // Caption several images one after the other (cancellable between images and steps).
  void captionAll(quint64 id, const QStringList& paths, const QString& prompt, const glimpse::blip::GenerationConfig& config);
  // Answer a question; the image is encoded once and reused for follow-up questions.
  void ask(quint64 id, const QString& path, const QString& question, const glimpse::blip::GenerationConfig& config);

  void openLibrary(quint64 id, const QString& dbPath);
  void addLibraryFolder(quint64 id, const QString& folder);
  void removeLibraryFolder(quint64 id, const QString& folder);
  void indexLibrary(quint64 id);
  void search(quint64 id, const QString& query, const glimpse::library::SearchOptions& options);
  void similar(quint64 id, const QString& path, const glimpse::library::SearchOptions& options);
  void photoDetails(quint64 id, const QString& path);

 Q_SIGNALS:
  void stateChanged(const QString& state);  // for the status bar
  void captionProgress(quint64 id, const QString& path, const QString& partialText);
  void captionReady(quint64 id, const QString& path, const QString& text, double seconds);
  void captionAllFinished(quint64 id, int done, bool cancelled);
  void answerReady(quint64 id, const QString& path, const QString& question, const QString& answer);
  void libraryOpened(quint64 id, const QStringList& folders, int photos, int indexed);
  void indexProgress(quint64 id, int done, int total, double imagesPerSecond, double etaSeconds);
  void indexFinished(quint64 id, int embedded, int failed, bool cancelled, const QStringList& warnings);
  void searchReady(quint64 id, const QList<glimpse::library::SearchResult>& results);
  void photoDetailsReady(quint64 id, const QString& path, qint64 size, qint64 dateMs, const QString& caption);
  void cancelled(quint64 id);
  void failed(quint64 id, const QString& message);

 private:
  const blip::BlipModel& model(Channel task);
  bool stale(Channel c, quint64 id) const;
  void touch();
  glimpse::library::LibraryDatabase& library();
  glimpse::library::Searcher& searcher();  // created on first use for the search model
  void emitFolders(quint64 id);

  std::shared_ptr<SharedState> m_state;
  QString m_folders[kChannels];
  // Models by folder: one load serves every task that uses the same checkpoint.
  std::map<QString, std::unique_ptr<blip::BlipModel>> m_models;
  QTimer* m_idle = nullptr;
  int m_idleSeconds = 300;
  blip::Precision m_precision = blip::Precision::Float32;
  // The image encoded for the last question (path + modification time).
  QString m_askKey;
  blip::ImageState m_askState;
  std::unique_ptr<glimpse::library::LibraryDatabase> m_library;
  std::unique_ptr<glimpse::library::Searcher> m_searcher;
  bool m_indexing = false;
};

// Owns the worker thread; lives in the GUI thread. Its methods return at once with a request id.
class InferenceClient : public QObject {
  Q_OBJECT
 public:
  explicit InferenceClient(QObject* parent = nullptr);
  ~InferenceClient() override;

  InferenceWorker* worker() const { return m_worker; }
  void setModelFolders(const QString& caption, const QString& ask, const QString& search);
  void setIdleUnloadSeconds(int seconds);
  void setThreads(int threads);
  void setPrecision(const QString& precision);

  quint64 caption(const QString& path, const QString& prompt, const blip::GenerationConfig& config);
  quint64 captionAll(const QStringList& paths, const QString& prompt, const blip::GenerationConfig& config);
  quint64 ask(const QString& path, const QString& question, const blip::GenerationConfig& config);
  quint64 openLibrary(const QString& dbPath);
  quint64 addLibraryFolder(const QString& folder);
  quint64 removeLibraryFolder(const QString& folder);
  quint64 indexLibrary();
  quint64 search(const QString& query, const library::SearchOptions& options);
  quint64 similar(const QString& path, const library::SearchOptions& options);
  quint64 photoDetails(const QString& path);

  // Stops the running request of a channel (the worker sees it between steps or images).
  void cancel(Channel c);
  // True when `id` is the newest request of its channel (results of older ones are stale).
  bool isCurrent(Channel c, quint64 id) const { return m_state->latest[static_cast<int>(c)].load() == id; }

 private:
  quint64 next(Channel c, bool supersede);
  std::shared_ptr<SharedState> m_state;
  QThread m_thread;
  InferenceWorker* m_worker = nullptr;
  quint64 m_nextId = 1;
};

}  // namespace glimpse::inference
