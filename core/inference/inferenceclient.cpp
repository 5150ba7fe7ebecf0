#include "inferenceclient.h"

#include "inferenceworker.h"
#include "translation/language.h"

namespace glimpse::inference {
namespace {

// The rules, one row per request: its lane, whether a new one makes the older ones of the lane
// stale (they are skipped, or stopped at the next decoder step), and whether its failures go to
// the status bar (no page shows them) or only to failed().
struct Rule {
  Request request;
  Channel channel;
  bool supersedes;
  bool failuresToStatusBar;
};
constexpr Rule kRules[] = {
    {Request::Caption, Channel::Caption, true, false},  // the Images page shows it on the photo
    {Request::Ask, Channel::Ask, true, false},          // the chat shows it
    {Request::Search, Channel::Search, true, false},    // the Library page shows it
    {Request::Similar, Channel::Search, true, false},
    {Request::Browse, Channel::Search, true, false},  // the Library page shows it
    {Request::DirectoryCounts, Channel::Library, false, false},
    {Request::PhotoDetails, Channel::Details, true, true},
    {Request::OpenLibrary, Channel::Library, false, true},
    {Request::AddFolder, Channel::Library, false, true},
    {Request::RemoveFolder, Channel::Library, false, true},
    {Request::SaveCaption, Channel::Library, false, true},
    {Request::CaptionRows, Channel::Library, false, false},     // the review dialog shows it
    {Request::LeastConfident, Channel::Search, true, false},    // the Library page's grid shows it
    {Request::FindDuplicates, Channel::Library, false, false},  // the similar photos dialog shows them
    {Request::TrashPhotos, Channel::Library, false, false},
};

const Rule& ruleOf(Request r) {
  for (const Rule& rule : kRules)
    if (rule.request == r) return rule;
  return kRules[0];
}

struct Registrar {
  Registrar() {
    qRegisterMetaType<blip::GenerationConfig>();
    qRegisterMetaType<library::SearchOptions>();
    qRegisterMetaType<library::SearchResult>();
    qRegisterMetaType<QList<library::SearchResult>>();
    qRegisterMetaType<library::DuplicateGroup>();
    qRegisterMetaType<QList<library::DuplicateGroup>>();
    qRegisterMetaType<library::TrashReport>();
    qRegisterMetaType<PrecisionSupport>();
    qRegisterMetaType<CaptionRequest>();
    qRegisterMetaType<CaptionResult>();
    qRegisterMetaType<TranslationSettings>();
    qRegisterMetaType<Translated>();
    qRegisterMetaType<LibraryInfo>();
    qRegisterMetaType<PhotoDetails>();
    qRegisterMetaType<BrowseResult>();
    qRegisterMetaType<DirectoryCounts>();
    qRegisterMetaType<CaptionFileRow>();
    qRegisterMetaType<QList<CaptionFileRow>>();
    qRegisterMetaType<CaptionWriteReport>();
    qRegisterMetaType<JobKind>();
    qRegisterMetaType<JobState>();
    qRegisterMetaType<JobProgress>();
    qRegisterMetaType<JobSummary>();
  }
};

}  // namespace

InferenceClient::InferenceClient(QObject* parent) : QObject(parent), m_state(std::make_shared<SharedState>()) {
  static Registrar registrar;
  m_worker = new InferenceWorker(m_state);
  m_worker->moveToThread(&m_thread);
  connect(&m_thread, &QThread::started, m_worker, &InferenceWorker::init);
  connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
  m_thread.setObjectName(QStringLiteral("glimpse-inference"));

  auto* w = m_worker;
  connect(w, &InferenceWorker::stateChanged, this, &InferenceClient::stateChanged);
  connect(w, &InferenceWorker::notice, this, &InferenceClient::notice);
  connect(w, &InferenceWorker::precisionSupportKnown, this, [this](const PrecisionSupport& support) {
    m_precisionSupport = support;
    Q_EMIT precisionSupportChanged(support);
  });
  connect(w, &InferenceWorker::captionProgress, this, &InferenceClient::captionProgress);
  connect(w, &InferenceWorker::translated, this, &InferenceClient::translated);
  // Results end a request; a job's captions end nothing (the job ends with jobFinished).
  connect(w, &InferenceWorker::captionReady, this, [this](quint64 id, const CaptionResult& r) {
    settle(id);
    Q_EMIT captionReady(id, r);
  });
  connect(w, &InferenceWorker::captionFailed, this, [this](quint64 id, const QString& path, const QString& message) {
    settle(id);
    Q_EMIT captionFailed(id, path, message);
  });
  connect(w, &InferenceWorker::answerReady, this,
          [this](quint64 id, const QString& path, const QString& q, const QString& a) {
            settle(id);
            Q_EMIT answerReady(id, path, q, a);
          });
  connect(w, &InferenceWorker::libraryOpened, this, [this](quint64 id, const LibraryInfo& info) {
    settle(id);
    Q_EMIT libraryOpened(id, info);
  });
  connect(w, &InferenceWorker::searchReady, this, [this](quint64 id, const QList<library::SearchResult>& results) {
    settle(id);
    Q_EMIT searchReady(id, results);
  });
  connect(w, &InferenceWorker::browseReady, this, [this](quint64 id, const BrowseResult& r) {
    settle(id);
    Q_EMIT browseReady(id, r);
  });
  connect(w, &InferenceWorker::directoryCountsReady, this, [this](quint64 id, const DirectoryCounts& counts) {
    settle(id);
    Q_EMIT directoryCountsReady(id, counts);
  });
  connect(w, &InferenceWorker::photoDetailsReady, this, [this](quint64 id, const PhotoDetails& d) {
    settle(id);
    Q_EMIT photoDetailsReady(id, d);
  });
  connect(w, &InferenceWorker::captionRowsReady, this, [this](quint64 id, const QList<CaptionFileRow>& rows) {
    settle(id);
    Q_EMIT captionRowsReady(id, rows);
  });
  connect(w, &InferenceWorker::duplicatesReady, this, [this](quint64 id, const QList<library::DuplicateGroup>& groups) {
    settle(id);
    Q_EMIT duplicatesReady(id, groups);
  });
  connect(w, &InferenceWorker::photosTrashed, this, [this](quint64 id, const library::TrashReport& report) {
    settle(id);
    Q_EMIT photosTrashed(id, report);
  });
  connect(w, &InferenceWorker::captionWritten, this, &InferenceClient::captionWritten);
  connect(w, &InferenceWorker::resultAnswered, this, &InferenceClient::resultAnswered);
  connect(w, &InferenceWorker::cancelled, this, [this](quint64 id) {
    settle(id);
    Q_EMIT cancelled(id);
  });
  connect(w, &InferenceWorker::failed, this, [this](quint64 id, const QString& message) {
    const auto it = m_pending.constFind(id);
    const bool toStatusBar = it != m_pending.constEnd() && ruleOf(*it).failuresToStatusBar;
    settle(id);
    Q_EMIT failed(id, message);
    if (toStatusBar) Q_EMIT notice(message);
  });
  connect(w, &InferenceWorker::jobStarted, this, &InferenceClient::jobStarted);
  connect(w, &InferenceWorker::jobProgress, this, &InferenceClient::jobProgress);
  connect(w, &InferenceWorker::jobStateChanged, this, [this](quint64 job, JobState state) {
    m_jobs[job] = state;
    Q_EMIT jobStateChanged(job, state);
  });
  connect(w, &InferenceWorker::jobFinished, this, [this](quint64 job, const JobSummary& s) {
    m_jobs.remove(job);
    m_jobKinds.remove(job);
    Q_EMIT jobFinished(job, s);
    if (s.state == JobState::Failed) Q_EMIT notice(s.error);
  });
  m_thread.start();
}

InferenceClient::~InferenceClient() {
  for (auto& c : m_state->cancel) c.store(true);
  for (auto it = m_jobs.constBegin(); it != m_jobs.constEnd(); ++it) m_state->interrupt(it.key())->store(true);
  m_thread.quit();
  m_thread.wait();
}

void InferenceClient::settle(quint64 id) {
  m_pending.remove(id);
}

template <typename Call>
quint64 InferenceClient::submit(Request request, Call call) {
  const Rule& rule = ruleOf(request);
  const quint64 id = m_nextId++;
  const int lane = static_cast<int>(rule.channel);
  if (rule.supersedes) {
    m_state->latest[lane].store(id);
    // Stop what runs now in this lane; the worker clears the flag when it starts the new one.
    m_state->cancel[lane].store(true);
  }
  m_pending.insert(id, request);
  QMetaObject::invokeMethod(
      m_worker, [w = m_worker, id, call] { call(w, id); }, Qt::QueuedConnection);
  return id;
}

bool InferenceClient::isCurrent(Channel c, quint64 id) const {
  return m_state->latest[static_cast<int>(c)].load() == id;
}

void InferenceClient::cancel(Channel c) {
  m_state->cancel[static_cast<int>(c)].store(true);
}

void InferenceClient::applySettings(const AppSettings& s) {
  QStringList folders;
  for (Task t : kTasks) folders << s.model(t);
  TranslationSettings translation;
  translation.queryLanguage = s.queryLanguage;
  translation.queryModel = s.queryTranslationModel;
  translation.outputLanguage = translation::interfaceLanguage();
  translation.outputModel = s.outputTranslationModel;
  translation.translateOutput = s.translateOutput;
  auto* w = m_worker;
  QMetaObject::invokeMethod(
      w,
      [w, folders, threads = s.threads, precision = s.precision, translation] {
        w->setModelFolders(folders);
        w->setThreads(threads);
        w->setPrecision(precision);
        w->setTranslation(translation);
      },
      Qt::QueuedConnection);
  setIdleUnloadSeconds(s.idleUnloadMinutes * 60);
}

void InferenceClient::setIdleUnloadSeconds(int seconds) {
  QMetaObject::invokeMethod(
      m_worker, [w = m_worker, seconds] { w->setIdleUnloadSeconds(seconds); }, Qt::QueuedConnection);
}

quint64 InferenceClient::caption(const QString& path, const CaptionRequest& request) {
  return submit(Request::Caption, [path, request](InferenceWorker* w, quint64 id) { w->caption(id, path, request); });
}

quint64 InferenceClient::ask(const QString& path, const QString& question, const blip::GenerationConfig& config,
                             bool translate) {
  return submit(Request::Ask, [path, question, config, translate](InferenceWorker* w, quint64 id) {
    w->ask(id, path, question, config, translate);
  });
}

quint64 InferenceClient::search(const QString& query, const library::SearchOptions& options, bool translate) {
  return submit(Request::Search, [query, options, translate](InferenceWorker* w, quint64 id) {
    w->search(id, query, options, translate);
  });
}

quint64 InferenceClient::similar(const QString& path, const library::SearchOptions& options) {
  return submit(Request::Similar, [path, options](InferenceWorker* w, quint64 id) { w->similar(id, path, options); });
}

quint64 InferenceClient::browse(const library::SearchOptions& options) {
  return submit(Request::Browse, [options](InferenceWorker* w, quint64 id) { w->browse(id, options); });
}

quint64 InferenceClient::directoryCounts() {
  return submit(Request::DirectoryCounts, [](InferenceWorker* w, quint64 id) { w->directoryCounts(id); });
}

quint64 InferenceClient::photoDetails(const QString& path) {
  return submit(Request::PhotoDetails, [path](InferenceWorker* w, quint64 id) { w->photoDetails(id, path); });
}

quint64 InferenceClient::openLibrary(const QString& dbPath) {
  return submit(Request::OpenLibrary, [dbPath](InferenceWorker* w, quint64 id) { w->openLibrary(id, dbPath); });
}

quint64 InferenceClient::addLibraryFolder(const QString& folder) {
  return submit(Request::AddFolder, [folder](InferenceWorker* w, quint64 id) { w->addLibraryFolder(id, folder); });
}

quint64 InferenceClient::removeLibraryFolder(const QString& folder) {
  return submit(Request::RemoveFolder,
                [folder](InferenceWorker* w, quint64 id) { w->removeLibraryFolder(id, folder); });
}

template <typename Start>
quint64 InferenceClient::startJob(JobKind kind, Start start) {
  const quint64 id = m_nextId++;
  m_jobs.insert(id, JobState::Running);
  m_jobKinds.insert(id, kind);
  m_state->interrupt(id);
  QMetaObject::invokeMethod(
      m_worker, [w = m_worker, id, start] { start(w, id); }, Qt::QueuedConnection);
  return id;
}

quint64 InferenceClient::saveCaption(const QString& path, const QString& text) {
  return submit(Request::SaveCaption, [path, text](InferenceWorker* w, quint64 id) { w->saveCaption(id, path, text); });
}

quint64 InferenceClient::captionRows() {
  return submit(Request::CaptionRows, [](InferenceWorker* w, quint64 id) { w->captionRows(id); });
}

quint64 InferenceClient::findDuplicates(double threshold) {
  return submit(Request::FindDuplicates,
                [threshold](InferenceWorker* w, quint64 id) { w->findDuplicates(id, threshold); });
}

quint64 InferenceClient::trashPhotos(const QStringList& paths) {
  return submit(Request::TrashPhotos, [paths](InferenceWorker* w, quint64 id) { w->trashPhotos(id, paths); });
}

quint64 InferenceClient::leastConfidentCaptions(int limit) {
  return submit(Request::LeastConfident, [limit](InferenceWorker* w, quint64 id) { w->leastConfident(id, limit); });
}

quint64 InferenceClient::startIndexing() {
  // One index job at a time: asking again resumes it.
  for (auto it = m_jobKinds.constBegin(); it != m_jobKinds.constEnd(); ++it)
    if (*it == JobKind::Index && !isEnded(jobState(it.key()))) {
      resumeJob(it.key());
      return it.key();
    }
  return startJob(JobKind::Index, [](InferenceWorker* w, quint64 id) { w->startIndexing(id); });
}

quint64 InferenceClient::captionAll(const QStringList& paths, const CaptionRequest& request) {
  return startJob(JobKind::CaptionAll,
                  [paths, request](InferenceWorker* w, quint64 id) { w->startCaptionAll(id, paths, request); });
}

quint64 InferenceClient::captionLibrary(const CaptionRequest& request, bool overwrite) {
  return startJob(JobKind::CaptionLibrary, [request, overwrite](InferenceWorker* w, quint64 id) {
    w->startCaptionLibrary(id, request, overwrite);
  });
}

quint64 InferenceClient::askResults(const QString& question, const QStringList& paths,
                                    const blip::GenerationConfig& config) {
  return startJob(JobKind::AskResults, [question, paths, config](InferenceWorker* w, quint64 id) {
    w->startAskResults(id, question, paths, config);
  });
}

quint64 InferenceClient::writeCaptions(const QList<CaptionFileRow>& rows, const QStringList& targets, bool overwrite) {
  return startJob(JobKind::WriteCaptions, [rows, targets, overwrite](InferenceWorker* w, quint64 id) {
    w->startWriteCaptions(id, rows, targets, overwrite);
  });
}

void InferenceClient::pauseJob(quint64 job) {
  if (jobState(job) != JobState::Running) return;
  m_state->interrupt(job)->store(true);  // stops the step in flight at its next check
  m_jobs[job] = JobState::Pausing;
  Q_EMIT jobStateChanged(job, JobState::Pausing);
  QMetaObject::invokeMethod(
      m_worker, [w = m_worker, job] { w->pauseJob(job); }, Qt::QueuedConnection);
}

void InferenceClient::resumeJob(quint64 job) {
  QMetaObject::invokeMethod(
      m_worker, [w = m_worker, job] { w->resumeJob(job); }, Qt::QueuedConnection);
}

void InferenceClient::cancelJob(quint64 job) {
  if (!m_jobs.contains(job)) return;
  m_state->interrupt(job)->store(true);
  QMetaObject::invokeMethod(
      m_worker, [w = m_worker, job] { w->cancelJob(job); }, Qt::QueuedConnection);
}

void InferenceClient::warmEngine() {
  QMetaObject::invokeMethod(
      m_worker, [w = m_worker] { w->warmEngine(); }, Qt::QueuedConnection);
}

JobState InferenceClient::jobState(quint64 job) const {
  return m_jobs.value(job, JobState::Finished);
}

}  // namespace glimpse::inference
