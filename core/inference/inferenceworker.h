#pragma once
// The inference worker: one long-lived thread that owns the models (loaded lazily inside it,
// shared with the jobs that use them, unloaded after an idle time) and the library connection.
// The app never talks to it directly: InferenceClient (inferenceclient.h) posts requests here as
// queued calls and re-emits the results.
//
// Every request slot ends in exactly one terminal signal for its id: its result, failed(id, ...)
// or cancelled(id) (also when it was superseded before it started). Long work runs as a Job (jobs.h):
// one step per queued call, so requests queued meanwhile are served between steps; there is no
// nested event loop anywhere in the worker.
#include <QHash>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QTimer>
#include <array>
#include <atomic>
#include <map>
#include <memory>
#include <mutex>

#include "blip.h"
#include "marian.h"
#include "settings/task.h"
#include "types.h"

namespace glimpse::library {
class LibraryDatabase;
class ResultAsker;
class Searcher;
}  // namespace glimpse::library

namespace glimpse::inference {

class Job;

// State the client (GUI thread) and the worker share without a queued call: the newest request
// id of each lane (older ones are stale), the lanes' cancel flags and each job's interrupt flag.
class SharedState {
 public:
  std::atomic<quint64> latest[kChannels] = {};
  std::atomic<bool> cancel[kChannels] = {};
  // The interrupt flag of a job: set to stop the step in flight (pause or cancel).
  std::shared_ptr<std::atomic<bool>> interrupt(quint64 job);
  void forget(quint64 job);

 private:
  std::mutex m_mutex;
  std::map<quint64, std::shared_ptr<std::atomic<bool>>> m_interrupts;
};

class InferenceWorker : public QObject {
  Q_OBJECT
 public:
  explicit InferenceWorker(std::shared_ptr<SharedState> state, QObject* parent = nullptr);
  ~InferenceWorker() override;

  // For jobs, on the worker thread: the model of a task (loaded on first use; throws with a
  // message in words when none is set or it cannot be loaded) and the open library.
  std::shared_ptr<const blip::BlipModel> model(Task task);
  std::shared_ptr<library::LibraryDatabase> library();
  // Captions one photo and reports it (captionProgress, then captionReady or captionFailed; a
  // cancelled run reports nothing): the one path of single captions and batch captioning.
  enum class CaptionOutcome { Done, Failed, Cancelled };
  CaptionOutcome runCaption(quint64 id, const QString& path, const CaptionRequest& request,
                            const std::atomic<bool>* cancel);
  // New vectors are in the library: the next search reads them.
  void vectorsChanged();
  // For AskResultsJob: the asker of the question model, kept between questions (its cache of
  // encoded photos is what makes a second question over the same results cheap); a fresh one
  // when another job holds it.
  std::shared_ptr<library::ResultAsker> resultAsker();
  // The English of a query or question: itself when it is English (or translate is false), else
  // its translation, reported with translated(id, ...). Without a model for its language it is
  // used as typed and the status bar says why. A cancel throws blip::GenerationCancelled.
  QString toEnglish(quint64 id, const QString& text, bool translate, const std::atomic<bool>* cancel);
  // BLIP's English output in the interface language when the settings ask for it (else ""); the
  // interface language's code is outputLanguage(). Throws with a message in words when no model
  // translates English to it.
  QString fromEnglish(const QString& english, const std::atomic<bool>* cancel);
  QString outputLanguage() const { return m_translation.outputLanguage; }

 public Q_SLOTS:
  void init();  // runs in the worker thread when it starts
  // Checkpoint folder per Task (index = Task). Jobs using a model that changed continue or
  // restart on the new one and say so (notice()).
  void setModelFolders(const QStringList& folders);
  void setIdleUnloadSeconds(int seconds);
  void setThreads(int threads);
  // Loads the engine module (not the models); a failure is a notice. Then says which precisions
  // run here (precisionSupportKnown).
  void warmEngine();
  // Numeric mode of every model ("fp32", "bf16", "int8"; unknown names mean fp32). Models are
  // reloaded in the new mode on next use; running jobs continue on them.
  void setPrecision(const QString& precision);
  // Query and output translation (models loaded on first use, unloaded with the others).
  void setTranslation(const glimpse::inference::TranslationSettings& settings);
  void unloadModels();

  void caption(quint64 id, const QString& path, const glimpse::inference::CaptionRequest& request);
  // Answers a question; the image is encoded once and reused for follow-up questions.
  // A question not in English is translated first (translated(), unless `translate` is false).
  void ask(quint64 id, const QString& path, const QString& question, const glimpse::blip::GenerationConfig& config,
           bool translate = true);
  void openLibrary(quint64 id, const QString& dbPath);
  void addLibraryFolder(quint64 id, const QString& folder);
  void removeLibraryFolder(quint64 id, const QString& folder);
  void search(quint64 id, const QString& query, const glimpse::library::SearchOptions& options, bool translate = true);
  void similar(quint64 id, const QString& path, const glimpse::library::SearchOptions& options);
  void browse(quint64 id, const glimpse::library::SearchOptions& options);
  void directoryCounts(quint64 id);
  void photoDetails(quint64 id, const QString& path);
  void saveCaption(quint64 id, const QString& path, const QString& text);
  void captionRows(quint64 id);
  // Groups near-duplicates (library/duplicates.h) with the search model's vectors (the model
  // with most vectors in the library when no search model is set); multi-threaded, off the GUI.
  void findDuplicates(quint64 id, double threshold);
  void trashPhotos(quint64 id, const QStringList& paths);
  void leastConfident(quint64 id, int limit);

  void startIndexing(quint64 job);
  void startCaptionAll(quint64 job, const QStringList& paths, const glimpse::inference::CaptionRequest& request);
  void startCaptionLibrary(quint64 job, const glimpse::inference::CaptionRequest& request, bool overwrite);
  // Asks `question` of each photo (search results), one photo per step (resultAnswered).
  void startAskResults(quint64 job, const QString& question, const QStringList& paths,
                       const glimpse::blip::GenerationConfig& config = blip::vqa_generation_config());
  void startWriteCaptions(quint64 job, const QList<glimpse::inference::CaptionFileRow>& rows,
                          const QStringList& targets, bool overwrite);
  void pauseJob(quint64 job);
  void resumeJob(quint64 job);
  void cancelJob(quint64 job);

 Q_SIGNALS:
  void stateChanged(const QString& state);  // what the worker does now, for the status bar
  void notice(const QString& message);      // something the user should read (status bar)
  // After warmEngine: which precisions this computer runs.
  void precisionSupportKnown(const glimpse::inference::PrecisionSupport& support);
  void captionProgress(quint64 id, const QString& path, const QString& partialText);
  void translated(quint64 id, const glimpse::inference::Translated& translation);
  void captionReady(quint64 id, const glimpse::inference::CaptionResult& result);
  void captionFailed(quint64 id, const QString& path, const QString& message);
  void answerReady(quint64 id, const QString& path, const QString& question, const QString& answer);
  void libraryOpened(quint64 id, const glimpse::inference::LibraryInfo& info);
  void searchReady(quint64 id, const QList<glimpse::library::SearchResult>& results);
  void photoDetailsReady(quint64 id, const glimpse::inference::PhotoDetails& details);
  void browseReady(quint64 id, const glimpse::inference::BrowseResult& result);
  void directoryCountsReady(quint64 id, const glimpse::inference::DirectoryCounts& counts);
  void captionRowsReady(quint64 id, const QList<glimpse::inference::CaptionFileRow>& rows);
  void duplicatesReady(quint64 id, const QList<glimpse::library::DuplicateGroup>& groups);
  void photosTrashed(quint64 id, const glimpse::library::TrashReport& report);
  void captionWritten(quint64 job, const glimpse::inference::CaptionWriteReport& report);
  // An AskResults job's answer for photo `index` of its list (`error` when it could not be read).
  void resultAnswered(quint64 job, int index, const QString& path, const QString& answer, const QString& error);
  void cancelled(quint64 id);
  void failed(quint64 id, const QString& message);
  void jobStarted(quint64 job, glimpse::inference::JobKind kind);
  void jobProgress(quint64 job, const glimpse::inference::JobProgress& progress);
  void jobStateChanged(quint64 job, glimpse::inference::JobState state);
  void jobFinished(quint64 job, const glimpse::inference::JobSummary& summary);

 private:
  // A caption of a photo in the open library is kept there (it feeds search by words).
  void keepInLibrary(const CaptionResult& result, const CaptionRequest& request);
  PhotoDetails details(const QString& path);
  // The OPUS-MT model of a folder, loaded on first use (precision as the BLIP models; int8 runs
  // translation in fp32).
  std::shared_ptr<const marian::MarianModel> translator(const QString& folder);
  bool stale(Channel c, quint64 id) const;
  void touch();
  void ready();
  library::Searcher& searcher();
  LibraryInfo libraryInfo();
  // Refuses a search that would find nothing because every vector is of another search model
  // (unless an index job is making the new vectors).
  void requireVectorsOfSearchModel();
  void startJob(std::unique_ptr<Job> job);
  // A job that could not start ends at once as Failed, saying why.
  void failToStart(quint64 job, JobKind kind, const std::exception& e);
  void schedule();
  void runStep();
  void finishJob(quint64 id, JobState state, const QString& error = {});
  bool jobsRunning() const;
  void forgetModels(bool all);

  std::shared_ptr<SharedState> m_state;
  std::array<QString, kTaskCount> m_folders;
  // Models by folder: one load serves every task that uses the same checkpoint. Jobs and the
  // searcher hold their own references, so dropping one here never pulls it from under them.
  std::map<QString, std::shared_ptr<const blip::BlipModel>> m_models;
  std::map<QString, std::shared_ptr<const marian::MarianModel>> m_translators;  // by folder
  TranslationSettings m_translation;
  QTimer* m_idle = nullptr;
  int m_idleSeconds = 300;
  blip::Precision m_precision = blip::Precision::Float32;
  // The image encoded for the last question, by the model that encoded it.
  QString m_askKey;
  blip::ImageState m_askState;
  std::shared_ptr<const blip::BlipModel> m_askModel;
  std::shared_ptr<library::ResultAsker> m_resultAsker;
  std::shared_ptr<library::LibraryDatabase> m_library;
  std::unique_ptr<library::Searcher> m_searcher;
  bool m_searcherStale = false;
  std::map<quint64, std::unique_ptr<Job>> m_jobs;
  quint64 m_lastStepped = 0;  // round robin between running jobs
  bool m_stepQueued = false;
};

}  // namespace glimpse::inference
