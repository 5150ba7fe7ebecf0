#pragma once
// The one object the app's widgets talk to for inference and the library. It owns the worker
// thread; every call returns at once with an id, and the results come back as this object's
// signals (re-emitted from the worker, in the GUI thread). The rules of which request replaces
// which, and where a failure is shown, are one table in inferenceclient.cpp.
#include <QHash>
#include <QObject>
#include <QThread>
#include <memory>

#include "settings/settings.h"
#include "types.h"

namespace glimpse::inference {

class InferenceWorker;
class SharedState;

// What the app asks for: one row of the rule table each.
enum class Request {
  Caption,
  Ask,
  Search,
  Similar,
  PhotoDetails,
  OpenLibrary,
  AddFolder,
  RemoveFolder,
  SaveCaption,
  CaptionRows,
  Browse,
  DirectoryCounts,
  LeastConfident,
  FindDuplicates,
  TrashPhotos
};

class InferenceClient : public QObject {
  Q_OBJECT
 public:
  explicit InferenceClient(QObject* parent = nullptr);
  ~InferenceClient() override;

  // Models per task, threads, precision and idle unloading.
  void applySettings(const AppSettings& settings);
  // Unloads idle models after this many seconds (0: never); applySettings sets it in minutes.
  void setIdleUnloadSeconds(int seconds);

  quint64 caption(const QString& path, const CaptionRequest& request);
  // Questions and queries not in English are translated first (translated() says to what);
  // translate = false uses them as typed ("Search the original instead"). Answers are generated
  // with blip::vqa_generation_config() unless a test or tool gives other settings.
  quint64 ask(const QString& path, const QString& question,
              const blip::GenerationConfig& config = blip::vqa_generation_config(), bool translate = true);
  quint64 search(const QString& query, const library::SearchOptions& options, bool translate = true);
  quint64 similar(const QString& path, const library::SearchOptions& options);
  // The library's photos without a query, newest first, filtered (browseReady).
  quint64 browse(const library::SearchOptions& options);
  // Photos per directory of the library (directoryCountsReady); never superseded by a search.
  quint64 directoryCounts();
  quint64 photoDetails(const QString& path);
  quint64 openLibrary(const QString& dbPath);
  quint64 addLibraryFolder(const QString& folder);
  quint64 removeLibraryFolder(const QString& folder);
  // Stores the user's caption of a library photo (source "edited"; empty text removes it) and
  // answers with photoDetailsReady for that photo.
  quint64 saveCaption(const QString& path, const QString& text);
  // Every library photo with a caption, and what its file holds now (captionRowsReady).
  quint64 captionRows();
  // Groups of near-duplicate photos of the library (duplicatesReady): vectors of the search
  // model with a cosine of at least `threshold`, and copies with the same content.
  quint64 findDuplicates(double threshold);
  // Moves the files to the freedesktop trash and forgets them in the library (photosTrashed).
  quint64 trashPhotos(const QStringList& paths);
  // The library's self-checked captions, least confident (lowest ITM) first, as search results
  // (searchReady) whose score is the caption's ITM probability.
  quint64 leastConfidentCaptions(int limit);
  // Stops the running request of a lane (the worker sees it between decoder steps).
  void cancel(Channel c);
  // True when `id` is the newest request of its lane (results of older ones are stale).
  bool isCurrent(Channel c, quint64 id) const;

  // Jobs: long work with progress, pause, resume and cancel (jobs.h).
  quint64 startIndexing();
  quint64 captionAll(const QStringList& paths, const CaptionRequest& request);
  // Captions the library's photos that have no generated caption yet (every photo with
  // `overwrite`, replacing its generated caption); each caption is kept as it is done.
  quint64 captionLibrary(const CaptionRequest& request, bool overwrite);
  // Writes each row's caption into its photo's files (targets: captionwriter.h keys); one
  // captionWritten per photo, then jobFinished.
  quint64 writeCaptions(const QList<CaptionFileRow>& rows, const QStringList& targets, bool overwrite);
  // Asks `question` of each photo (the top search results): one resultAnswered per photo as it
  // is answered, then jobFinished. Cancel (cancelJob) stops between photos. A question not in
  // English is translated first, and answers are translated when the settings ask for it (as
  // ask() does: translated(job, ...)). `config`: the generation settings, those of every
  // answer (blip::vqa_generation_config()) unless given.
  quint64 askResults(const QString& question, const QStringList& paths,
                     const blip::GenerationConfig& config = blip::vqa_generation_config());
  void pauseJob(quint64 job);
  void resumeJob(quint64 job);
  void cancelJob(quint64 job);
  // The state of a job as last reported (Finished for unknown ids).
  JobState jobState(quint64 job) const;

  // Loads the engine module (libtorch) on the worker thread now, not the models: the app calls it
  // once its window shows, so the first caption does not wait for it. A module that cannot be
  // loaded is reported through notice(). Then the worker asks it which precisions this computer
  // runs (precisionSupportChanged).
  void warmEngine();
  // What the worker found when it warmed the engine; not known before.
  const PrecisionSupport& precisionSupport() const { return m_precisionSupport; }

 Q_SIGNALS:
  void stateChanged(const QString& state);
  // The precisions this computer runs became known (after warmEngine).
  void precisionSupportChanged(const glimpse::inference::PrecisionSupport& support);
  // A message for the status bar: failures that no page shows, and what jobs have to say.
  void notice(const QString& message);
  void captionProgress(quint64 id, const QString& path, const QString& partialText);
  void captionReady(quint64 id, const glimpse::inference::CaptionResult& result);
  void captionFailed(quint64 id, const QString& path, const QString& message);
  void answerReady(quint64 id, const QString& path, const QString& question, const QString& answer);
  // A query, question or answer of request `id` was translated (before its result arrives).
  void translated(quint64 id, const glimpse::inference::Translated& translation);
  void libraryOpened(quint64 id, const glimpse::inference::LibraryInfo& info);
  void searchReady(quint64 id, const QList<glimpse::library::SearchResult>& results);
  void photoDetailsReady(quint64 id, const glimpse::inference::PhotoDetails& details);
  void browseReady(quint64 id, const glimpse::inference::BrowseResult& result);
  void directoryCountsReady(quint64 id, const glimpse::inference::DirectoryCounts& counts);
  void captionRowsReady(quint64 id, const QList<glimpse::inference::CaptionFileRow>& rows);
  void duplicatesReady(quint64 id, const QList<glimpse::library::DuplicateGroup>& groups);
  void photosTrashed(quint64 id, const glimpse::library::TrashReport& report);
  void captionWritten(quint64 job, const glimpse::inference::CaptionWriteReport& report);
  void resultAnswered(quint64 job, int index, const QString& path, const QString& answer, const QString& error);
  void cancelled(quint64 id);
  void failed(quint64 id, const QString& message);
  void jobStarted(quint64 job, glimpse::inference::JobKind kind);
  void jobProgress(quint64 job, const glimpse::inference::JobProgress& progress);
  void jobStateChanged(quint64 job, glimpse::inference::JobState state);
  void jobFinished(quint64 job, const glimpse::inference::JobSummary& summary);

 private:
  template <typename Call>
  quint64 submit(Request request, Call call);
  template <typename Start>
  quint64 startJob(JobKind kind, Start start);
  void settle(quint64 id);
  std::shared_ptr<SharedState> m_state;
  QThread m_thread;
  InferenceWorker* m_worker = nullptr;
  quint64 m_nextId = 1;
  QHash<quint64, Request> m_pending;  // requests without their terminal signal yet
  QHash<quint64, JobState> m_jobs;
  QHash<quint64, JobKind> m_jobKinds;
  PrecisionSupport m_precisionSupport;
};

}  // namespace glimpse::inference
