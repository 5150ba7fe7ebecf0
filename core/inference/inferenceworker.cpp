#include "inferenceworker.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <algorithm>
#include <iterator>
#include <new>

#include "captions/selfcheck.h"
#include "errors.h"
#include "imaging/captionwriter.h"
#include "imaging/imagedecoder.h"
#include "jobs.h"
#include "library/duplicates.h"
#include "library/indexer.h"
#include "library/librarycaptioner.h"
#include "library/librarydatabase.h"
#include "library/resultasker.h"
#include "library/scanner.h"
#include "library/searcher.h"
#include "models/modelstore.h"
#include "translation/language.h"

namespace glimpse::inference {
namespace {

// An exception as the user reads it: allocation failures (std::bad_alloc, or libtorch's
// allocator, whose message carries a C++ backtrace) in words.
QString qs(const std::exception& e) {
  const QString what = QString::fromUtf8(e.what());
  if (blip::is_out_of_memory(e))
    return QCoreApplication::translate(
        "glimpse::inference::InferenceWorker",
        "There is not enough memory for this. Close other programs or choose a smaller model.");
  return what;
}

}  // namespace

std::shared_ptr<std::atomic<bool>> SharedState::interrupt(quint64 job) {
  std::lock_guard lock(m_mutex);
  auto& flag = m_interrupts[job];
  if (!flag) flag = std::make_shared<std::atomic<bool>>(false);
  return flag;
}

void SharedState::forget(quint64 job) {
  std::lock_guard lock(m_mutex);
  m_interrupts.erase(job);
}

InferenceWorker::InferenceWorker(std::shared_ptr<SharedState> state, QObject* parent)
    : QObject(parent), m_state(std::move(state)) {}

InferenceWorker::~InferenceWorker() {
  // Jobs first: they hold the models and the library.
  m_jobs.clear();
  m_searcher.reset();
}

void InferenceWorker::init() {
  // Torch's thread settings are per thread: this is the thread that runs every model, and the one
  // that loads the engine module, which applies them (engine.cpp).
  blip::init_torch_threads();
  m_idle = new QTimer(this);
  m_idle->setSingleShot(true);
  connect(m_idle, &QTimer::timeout, this, &InferenceWorker::unloadModels);
  ready();
}

void InferenceWorker::ready() {
  Q_EMIT stateChanged(jobsRunning() ? tr("Working in the background…") : tr("Ready"));
}

bool InferenceWorker::stale(Channel c, quint64 id) const {
  return m_state->latest[static_cast<int>(c)].load() != id;
}

void InferenceWorker::touch() {
  if (m_idle && m_idleSeconds > 0) m_idle->start(m_idleSeconds * 1000);
}

bool InferenceWorker::jobsRunning() const {
  for (const auto& [id, job] : m_jobs)
    if (job->state == JobState::Running) return true;
  return false;
}

// ---- models ----

std::shared_ptr<const blip::BlipModel> InferenceWorker::model(Task task) {
  const QString folder = m_folders[static_cast<size_t>(task)];
  if (folder.isEmpty())
    throw blip::BlipError(
        tr("No model is set for %1. Choose one in Tools → Models.").arg(taskLabel(task).toLower()).toStdString());
  auto it = m_models.find(folder);
  if (it != m_models.end() && it->second->precision() != m_precision) {
    m_models.erase(it);  // loaded in another mode; whoever still holds it keeps it until done
    it = m_models.end();
  }
  if (it == m_models.end()) {
    if (const std::string problem = blip::precision_problem(m_precision); !problem.empty())
      throw blip::BlipError(
          tr("The %1 precision cannot run here (%2). Choose “Exact” in Tools → Settings.")
              .arg(QString::fromLatin1(blip::precision_name(m_precision)), QString::fromStdString(problem))
              .toStdString());
    Q_EMIT stateChanged(
        m_precision == blip::Precision::Float32
            ? tr("Loading model %1…").arg(QFileInfo(folder).fileName())
            : tr("Loading model %1 (%2)…")
                  .arg(QFileInfo(folder).fileName(), QString::fromLatin1(blip::precision_name(m_precision))));
    blip::LoadOptions options;
    options.precision = m_precision;
    std::shared_ptr<const blip::BlipModel> loaded = blip::BlipModel::load(folder.toStdString(), options);
    it = m_models.emplace(folder, std::move(loaded)).first;
  }
  return it->second;
}

void InferenceWorker::forgetModels(bool all) {
  for (auto it = m_models.begin(); it != m_models.end();) {
    const bool used = std::find(m_folders.begin(), m_folders.end(), it->first) != m_folders.end();
    it = all || !used ? m_models.erase(it) : std::next(it);
  }
}

void InferenceWorker::setModelFolders(const QStringList& folders) {
  std::array<QString, kTaskCount> next;
  for (Task t : kTasks) next[static_cast<size_t>(t)] = folders.value(static_cast<int>(t));
  std::vector<Task> changed;
  for (Task t : kTasks)
    if (next[static_cast<size_t>(t)] != m_folders[static_cast<size_t>(t)]) changed.push_back(t);
  m_folders = next;
  if (changed.empty()) return;
  forgetModels(/*all=*/false);  // models no task uses any more; the others stay warm
  for (Task t : changed) {
    if (t == Task::Ask) {
      m_askKey.clear();
      m_askState = {};
      m_askModel.reset();
    }
    if (t == Task::Search) {
      m_searcher.reset();
      // The page's counts are per search model: they change with it.
      if (m_library) {
        try {
          Q_EMIT libraryOpened(0, libraryInfo());
        } catch (const std::exception& e) {
          Q_EMIT notice(qs(e));
        }
      }
    }
    for (auto& [id, job] : m_jobs)
      if (!isEnded(job->state))
        if (const QString message = job->modelChanged(t); !message.isEmpty()) Q_EMIT notice(message);
  }
}

void InferenceWorker::setIdleUnloadSeconds(int seconds) {
  m_idleSeconds = seconds;
}

void InferenceWorker::setThreads(int threads) {
  blip::init_torch_threads(threads);
}

void InferenceWorker::warmEngine() {
  try {
    blip::load_engine();
  } catch (const std::exception& e) {
    Q_EMIT notice(tr("The inference engine could not be loaded: %1").arg(QString::fromStdString(e.what())));
  }
  // Here, not in the Settings dialog: asking needs the engine, which must not load on the GUI
  // thread. Without an engine each mode says why (precision_problem gives the loader's error).
  PrecisionSupport support;
  support.known = true;
  for (const blip::Precision p : {blip::Precision::BFloat16, blip::Precision::Int8})
    if (const std::string problem = blip::precision_problem(p); !problem.empty())
      support.problems.insert(QString::fromLatin1(blip::precision_name(p)), QString::fromStdString(problem));
  Q_EMIT precisionSupportKnown(support);
}

void InferenceWorker::setPrecision(const QString& precision) {
  const blip::Precision next = blip::parse_precision(precision.toStdString()).value_or(blip::Precision::Float32);
  if (next == m_precision) return;
  m_precision = next;
  // Loaded models are reloaded in the new mode on next use.
  forgetModels(/*all=*/true);
  m_askKey.clear();
  m_askState = {};
  m_askModel.reset();
  m_searcher.reset();
  m_translators.clear();
  for (auto& [id, job] : m_jobs)
    if (!isEnded(job->state))
      for (Task t : kTasks)
        if (const QString message = job->modelChanged(t); !message.isEmpty()) Q_EMIT notice(message);
}

void InferenceWorker::unloadModels() {
  if (jobsRunning()) {
    touch();  // a running job uses them; try again later
    return;
  }
  m_searcher.reset();
  m_askState = {};
  m_askKey.clear();
  m_askModel.reset();
  m_models.clear();
  m_translators.clear();
  Q_EMIT stateChanged(tr("Ready (models unloaded to free memory)"));
}

void InferenceWorker::setTranslation(const TranslationSettings& settings) {
  if (settings == m_translation) return;
  m_translation = settings;
  m_translators.clear();  // loaded again on next use, from the folders now chosen
}

// ---- translation ----

std::shared_ptr<const marian::MarianModel> InferenceWorker::translator(const QString& folder) {
  const blip::Precision precision =
      m_precision == blip::Precision::BFloat16 ? blip::Precision::BFloat16 : blip::Precision::Float32;
  auto it = m_translators.find(folder);
  if (it != m_translators.end() && it->second->precision() != precision) {
    m_translators.erase(it);
    it = m_translators.end();
  }
  if (it == m_translators.end()) {
    Q_EMIT stateChanged(tr("Loading translation model %1…").arg(QFileInfo(folder).fileName()));
    marian::MarianLoadOptions options;
    options.precision = precision;
    std::shared_ptr<const marian::MarianModel> loaded = marian::MarianModel::load(folder.toStdString(), options);
    it = m_translators.emplace(folder, std::move(loaded)).first;
  }
  return it->second;
}

namespace {

QString translateWith(const marian::MarianModel& model, const QString& text, const std::atomic<bool>* cancel) {
  marian::TranslateControl control;
  control.cancel = cancel;
  const auto out = model.translate({text.toStdString()}, model.generation_defaults(), control);
  return QString::fromStdString(out.front().front().text).trimmed();
}

}  // namespace

QString InferenceWorker::toEnglish(quint64 id, const QString& text, bool translate, const std::atomic<bool>* cancel) {
  if (!translate) return text;
  const QString from = translation::queryLanguage(text, m_translation.queryLanguage);
  if (from == QLatin1String("en")) return text;
  const QString folder = !m_translation.queryModel.isEmpty()
                             ? m_translation.queryModel
                             : models::installedTranslationModel(from, QStringLiteral("en"));
  if (folder.isEmpty()) {
    Q_EMIT notice(tr("“%1” looks %2, and no model that translates %2 to English is installed (Tools → Models); "
                     "it was used as typed.")
                      .arg(text, translation::languageName(from)));
    return text;
  }
  Q_EMIT stateChanged(tr("Translating…"));
  const QString english = translateWith(*translator(folder), text, cancel);
  Q_EMIT translated(id, Translated{Translated::Kind::Query, text, english, from, QStringLiteral("en")});
  return english;
}

QString InferenceWorker::fromEnglish(const QString& english, const std::atomic<bool>* cancel) {
  const QString to = m_translation.outputLanguage;
  if (!m_translation.translateOutput || to.isEmpty() || to == QLatin1String("en") || english.trimmed().isEmpty())
    return {};
  const QString folder = !m_translation.outputModel.isEmpty()
                             ? m_translation.outputModel
                             : models::installedTranslationModel(QStringLiteral("en"), to);
  if (folder.isEmpty())
    throw blip::BlipError(tr("No model that translates English to %1 is installed: add one in Tools → Models, or "
                             "turn off showing captions and answers in %1 in Tools → Settings.")
                              .arg(translation::languageName(to))
                              .toStdString());
  return translateWith(*translator(folder), english, cancel);
}

// ---- captions and questions ----

InferenceWorker::CaptionOutcome InferenceWorker::runCaption(quint64 id, const QString& path,
                                                            const CaptionRequest& request,
                                                            const std::atomic<bool>* cancel) {
  touch();
  try {
    const auto m = model(Task::Caption);
    Q_EMIT stateChanged(tr("Captioning %1…").arg(QFileInfo(path).fileName()));
    QElapsedTimer t;
    t.start();
    const blip::PixelValues pixels = m->preprocess(imaging::decodeImageFile(path).rgb);
    blip::RunControl control;
    control.cancel = cancel;
    control.on_text = [&](const blip::GeneratedText& g) {
      Q_EMIT captionProgress(id, path, QString::fromStdString(request.keepPrompt ? g.text : g.continuation));
    };
    std::vector<std::string> prompts;
    if (!request.prompt.trimmed().isEmpty()) prompts.push_back(request.prompt.trimmed().toStdString());
    CaptionResult r;
    blip::GeneratedText out;
    // With a search model set, the caption is scored against its photo (captions/selfcheck.h).
    std::shared_ptr<const blip::BlipModel> checker;
    if (!m_folders[static_cast<size_t>(Task::Search)].isEmpty()) {
      try {
        checker = model(Task::Search);
      } catch (const std::exception& e) {
        Q_EMIT notice(tr("The caption is not checked: %1").arg(qs(e)));
      }
    }
    if (checker && checker->has_retrieval()) {
      const blip::PixelValues checkPixels =
          captions::sameProcessing(*m, *checker) ? pixels : checker->preprocess(imaging::decodeImageFile(path).rgb);
      captions::SelfCheckOptions options;
      if (!request.fixDegenerate) options.candidates = 1;  // scored only
      const auto check = captions::selfCheckCaption(
          *m, pixels, *checker, checkPixels, request.prompt.trimmed().toStdString(), request.config, options, control);
      out = check.best().generated;
      r.checked = true;
      r.itm = check.best().score.itm;
      r.itc = check.best().score.itc;
      r.regenerated = check.regenerated();
      if (r.regenerated) r.config = captions::candidateConfig(request.config, static_cast<int>(check.chosen), 1);
    } else {
      out = m->caption({pixels}, prompts, request.config, control).front().front();
    }
    r.path = path;
    r.text = QString::fromStdString(request.keepPrompt ? out.text : out.continuation);
    r.fullText = QString::fromStdString(out.text);
    for (int64_t tok : out.token_ids) r.tokenIds << tok;
    r.seconds = static_cast<double>(t.elapsed()) / 1000.0;
    r.model = QString::fromStdString(m->dir().string());
    try {
      r.translation = fromEnglish(r.text, cancel);
      if (!r.translation.isEmpty()) r.translationLanguage = m_translation.outputLanguage;
    } catch (const blip::GenerationCancelled&) {
      throw;
    } catch (const std::exception& e) {
      // The English caption stands; the status bar says why there is no translation.
      Q_EMIT notice(qs(e));
    }
    keepInLibrary(r, request);
    Q_EMIT captionReady(id, r);
    touch();
    return CaptionOutcome::Done;
  } catch (const blip::GenerationCancelled&) {
    return CaptionOutcome::Cancelled;
  } catch (const std::exception& e) {
    Q_EMIT captionFailed(id, path, qs(e));
    return CaptionOutcome::Failed;
  }
}

void InferenceWorker::keepInLibrary(const CaptionResult& r, const CaptionRequest& request) {
  if (!m_library) return;
  try {
    const auto photo = m_library->photoByPath(r.path);
    if (!photo) return;
    library::Transaction t(*m_library);
    m_library->deleteCaptions(photo->id, library::CaptionSource::Generated);
    std::optional<library::CaptionCheck> check;
    if (r.checked) check = library::CaptionCheck{r.itm, r.itc};
    const qint64 caption = m_library->addCaption(
        photo->id, r.text, library::CaptionSource::Generated, QFileInfo(r.model).fileName(),
        library::generationParameters(r.regenerated ? r.config : request.config, request.prompt), {}, check);
    if (!r.translation.isEmpty()) m_library->setCaptionTranslation(caption, r.translation, r.translationLanguage);
    t.commit();
  } catch (const std::exception& e) {
    // The caption itself is fine; the library could not keep it (read-only, disk full).
    Q_EMIT notice(
        tr("The caption of %1 could not be kept in the library: %2").arg(QFileInfo(r.path).fileName(), qs(e)));
  }
}

void InferenceWorker::caption(quint64 id, const QString& path, const CaptionRequest& request) {
  if (stale(Channel::Caption, id)) {
    Q_EMIT cancelled(id);  // a newer request replaced it while it waited
    return;
  }
  m_state->cancel[static_cast<int>(Channel::Caption)].store(false);
  if (runCaption(id, path, request, &m_state->cancel[static_cast<int>(Channel::Caption)]) == CaptionOutcome::Cancelled)
    Q_EMIT cancelled(id);
  ready();
}

void InferenceWorker::ask(quint64 id, const QString& path, const QString& question,
                          const blip::GenerationConfig& config, bool translate) {
  if (stale(Channel::Ask, id)) {
    Q_EMIT cancelled(id);
    return;
  }
  auto& cancel = m_state->cancel[static_cast<int>(Channel::Ask)];
  cancel.store(false);
  touch();
  try {
    const auto m = model(Task::Ask);
    const QFileInfo info(path);
    const QString key =
        info.absoluteFilePath() + QLatin1Char('@') + QString::number(info.lastModified().toMSecsSinceEpoch());
    if (key != m_askKey || m_askModel != m || !m_askState.valid()) {
      Q_EMIT stateChanged(tr("Looking at %1…").arg(info.fileName()));
      m_askState = m->encode_image(m->preprocess(imaging::decodeImageFile(path).rgb), /*for_questions=*/true);
      m_askKey = key;
      m_askModel = m;
    }
    const QString english = toEnglish(id, question, translate, &cancel);
    Q_EMIT stateChanged(tr("Answering…"));
    blip::RunControl control;
    control.cancel = &cancel;
    const auto out = m->answer({m_askState}, {english.toStdString()}, config, control);
    const QString answer = QString::fromStdString(out.front().front().text);
    try {
      if (const QString shown = fromEnglish(answer, &cancel); !shown.isEmpty())
        Q_EMIT translated(id, Translated{Translated::Kind::Answer, answer, shown, QStringLiteral("en"),
                                         m_translation.outputLanguage});
    } catch (const blip::GenerationCancelled&) {
      throw;
    } catch (const std::exception& e) {
      Q_EMIT notice(qs(e));  // the English answer stands
    }
    Q_EMIT answerReady(id, path, question, answer);
  } catch (const blip::GenerationCancelled&) {
    Q_EMIT cancelled(id);
  } catch (const std::exception& e) {
    Q_EMIT failed(id, qs(e));
  }
  ready();
  touch();
}

// ---- library ----

std::shared_ptr<library::LibraryDatabase> InferenceWorker::library() {
  if (!m_library) throw library::LibraryError(tr("No library is open.").toStdString());
  return m_library;
}

library::Searcher& InferenceWorker::searcher() {
  auto db = library();
  if (!m_searcher) m_searcher = std::make_unique<library::Searcher>(db, model(Task::Search));
  if (m_searcherStale) {
    m_searcher->reload();
    m_searcherStale = false;
  }
  return *m_searcher;
}

void InferenceWorker::vectorsChanged() {
  m_searcherStale = true;
}

LibraryInfo InferenceWorker::libraryInfo() {
  LibraryInfo info;
  info.path = m_library->path();
  for (const auto& f : m_library->folders()) info.folders << f.path;
  const library::LibraryStatus status = m_library->status();
  info.photos = status.photos;
  info.failed = status.failed;
  // Searchable: photos with a vector of the current search model (counted per model: vectors of
  // another model are never mixed in, and never silently ignored).
  const QString folder = m_folders[static_cast<size_t>(Task::Search)];
  if (!folder.isEmpty() && QFileInfo::exists(folder + QStringLiteral("/config.json"))) {
    const QString identity = library::modelIdentity(folder);
    info.searchModel = QFileInfo(folder).fileName();
    info.searchable = m_library->status(identity).embedded;
    info.needEmbedding = m_library->photosOnlyEmbeddedByOthers(identity);
  }
  return info;
}

void InferenceWorker::requireVectorsOfSearchModel() {
  // While an index job runs, the new model's vectors are on their way: search what there is.
  for (const auto& [id, job] : m_jobs)
    if (job->kind() == JobKind::Index && !isEnded(job->state)) return;
  const LibraryInfo info = libraryInfo();
  if (info.searchable == 0 && info.needEmbedding > 0)
    throw library::LibraryError(
        tr("The library was indexed with another search model: index it again (Library → Index) to search with %1. "
           "Its %n photo(s) keep their old vectors until then.",
           nullptr, info.needEmbedding)
            .arg(info.searchModel)
            .toStdString());
}

void InferenceWorker::openLibrary(quint64 id, const QString& dbPath) {
  try {
    auto next = std::make_shared<library::LibraryDatabase>(dbPath);
    // Jobs on the old library stop; what they finished is saved there.
    std::vector<quint64> ending;
    for (const auto& [jobId, job] : m_jobs)
      if (job->database() && job->database() != next.get()) ending.push_back(jobId);
    for (quint64 jobId : ending) {
      m_state->interrupt(jobId)->store(true);
      finishJob(jobId, JobState::Cancelled);
    }
    m_searcher.reset();
    m_library = std::move(next);
    Q_EMIT libraryOpened(id, libraryInfo());
  } catch (const std::exception& e) {
    Q_EMIT failed(id, qs(e));
  }
}

void InferenceWorker::addLibraryFolder(quint64 id, const QString& folder) {
  try {
    auto db = library();
    db->addFolder(folder);
    // Its photos are known at once (a stat of each file, nothing read), so the counts and the
    // folder tree include them as not indexed yet; indexing reads them.
    Q_EMIT stateChanged(tr("Scanning folders…"));
    library::Scanner(*db).scan();  // what it cannot read, indexing reports
    ready();
    m_searcher.reset();
    // A running index job looks again: the new folder's photos are part of what it does.
    for (auto& [jobId, job] : m_jobs)
      if (!isEnded(job->state)) job->libraryChanged();
    Q_EMIT libraryOpened(id, libraryInfo());
  } catch (const std::exception& e) {
    Q_EMIT failed(id, qs(e));
  }
}

void InferenceWorker::removeLibraryFolder(quint64 id, const QString& folder) {
  try {
    library()->forgetFolder(folder);
    m_searcher.reset();
    // A running index job re-reads what is left to do; the photos of that folder are gone.
    for (auto& [jobId, job] : m_jobs)
      if (!isEnded(job->state)) job->libraryChanged();
    Q_EMIT libraryOpened(id, libraryInfo());
  } catch (const std::exception& e) {
    Q_EMIT failed(id, qs(e));
  }
}

void InferenceWorker::search(quint64 id, const QString& query, const library::SearchOptions& options, bool translate) {
  if (stale(Channel::Search, id)) {
    Q_EMIT cancelled(id);
    return;
  }
  auto& cancel = m_state->cancel[static_cast<int>(Channel::Search)];
  cancel.store(false);
  touch();
  try {
    const QString english = toEnglish(id, query, translate, &cancel);
    Q_EMIT stateChanged(tr("Searching…"));
    requireVectorsOfSearchModel();
    library::SearchOptions o = options;
    if (english != query) o.originalText = query;  // a German word still finds a German caption
    o.queryLanguage = translation::queryLanguage(query, m_translation.queryLanguage);
    const auto results = searcher().search(english, o);
    if (stale(Channel::Search, id))
      Q_EMIT cancelled(id);
    else
      Q_EMIT searchReady(id, results);
  } catch (const blip::GenerationCancelled&) {
    Q_EMIT cancelled(id);
  } catch (const std::exception& e) {
    Q_EMIT failed(id, qs(e));
  }
  ready();
}

void InferenceWorker::similar(quint64 id, const QString& path, const library::SearchOptions& options) {
  if (stale(Channel::Search, id)) {
    Q_EMIT cancelled(id);
    return;
  }
  touch();
  try {
    auto& s = searcher();
    auto vec = s.vectorOf(path);
    if (!vec) {
      const auto m = model(Task::Search);
      vec = m->embed_images({m->preprocess(imaging::decodeImageFile(path).rgb)}).front();
    }
    const auto photo = library()->photoByPath(path);
    const auto results = s.similar(*vec, options, photo ? photo->id : 0);
    if (stale(Channel::Search, id))
      Q_EMIT cancelled(id);
    else
      Q_EMIT searchReady(id, results);
  } catch (const std::exception& e) {
    Q_EMIT failed(id, qs(e));
  }
  ready();
}

void InferenceWorker::browse(quint64 id, const library::SearchOptions& options) {
  if (stale(Channel::Search, id)) {
    Q_EMIT cancelled(id);
    return;
  }
  try {
    auto db = library();
    BrowseResult r;
    r.photos = library::browse(*db, options, &r.total);
    if (stale(Channel::Search, id))
      Q_EMIT cancelled(id);
    else
      Q_EMIT browseReady(id, r);
  } catch (const std::exception& e) {
    Q_EMIT failed(id, qs(e));
  }
}

void InferenceWorker::directoryCounts(quint64 id) {
  try {
    Q_EMIT directoryCountsReady(id, library::photosPerDirectory(*library()));
  } catch (const std::exception& e) {
    Q_EMIT failed(id, qs(e));
  }
}

PhotoDetails InferenceWorker::details(const QString& path) {
  auto db = library();
  const auto photo = db->photoByPath(path);
  if (!photo) throw library::LibraryError(tr("%1 is not in the library").arg(path).toStdString());
  PhotoDetails d;
  d.path = path;
  d.size = photo->size;
  d.dateMs = photo->takenAtMs.value_or(photo->mtimeMs);
  for (const library::Caption& c : db->captions(photo->id))
    d.captions << CaptionInfo{c.text, library::captionSourceKey(c.source), c.model, c.origin};
  if (const auto preferred = db->preferredCaption(photo->id)) {
    d.caption = preferred->text;
    d.captionSource = library::captionSourceKey(preferred->source);
    d.captionTranslation = preferred->translation;
    d.captionTranslationLanguage = preferred->translationLanguage;
  }
  return d;
}

void InferenceWorker::photoDetails(quint64 id, const QString& path) {
  if (stale(Channel::Details, id)) {
    Q_EMIT cancelled(id);
    return;
  }
  try {
    Q_EMIT photoDetailsReady(id, details(path));
  } catch (const std::exception& e) {
    Q_EMIT failed(id, qs(e));
  }
}

void InferenceWorker::saveCaption(quint64 id, const QString& path, const QString& text) {
  try {
    auto db = library();
    const auto photo = db->photoByPath(path);
    if (!photo) throw library::LibraryError(tr("%1 is not in the library").arg(path).toStdString());
    db->setEditedCaption(photo->id, text.trimmed());
    Q_EMIT photoDetailsReady(id, details(path));
  } catch (const std::exception& e) {
    Q_EMIT failed(id, tr("The caption of %1 could not be saved: %2").arg(QFileInfo(path).fileName(), qs(e)));
  }
}

void InferenceWorker::captionRows(quint64 id) {
  try {
    QList<CaptionFileRow> rows;
    for (const library::CaptionRow& r : library()->preferredCaptions({})) {
      CaptionFileRow row;
      row.path = r.photo.path;
      row.caption = r.caption.text;
      row.source = library::captionSourceKey(r.caption.source);
      // What the photo itself says now (the review shows what a write would replace or keep).
      row.current = imaging::currentText(row.path, imaging::CaptionTarget::Embedded);
      rows << row;
    }
    Q_EMIT captionRowsReady(id, rows);
  } catch (const std::exception& e) {
    Q_EMIT failed(id, qs(e));
  }
}

void InferenceWorker::findDuplicates(quint64 id, double threshold) {
  touch();
  try {
    auto db = library();
    // The search model's vectors when one is set; else the library's most common ones.
    QString modelId;
    if (!m_folders[static_cast<size_t>(Task::Search)].isEmpty()) {
      const auto m = model(Task::Search);
      if (m->has_retrieval()) modelId = library::modelIdentity(*m);
    }
    Q_EMIT stateChanged(tr("Looking for similar photos…"));
    // The review stops the pass when it closes (InferenceClient::cancel(Channel::Library)).
    auto& cancel = m_state->cancel[static_cast<int>(Channel::Library)];
    cancel.store(false);
    const library::DuplicateReport r = library::findDuplicates(*db, modelId, threshold, &cancel);
    if (r.cancelled)
      Q_EMIT cancelled(id);
    else
      Q_EMIT duplicatesReady(id, r.groups);
  } catch (const std::exception& e) {
    Q_EMIT failed(id, qs(e));
  }
  ready();
}

void InferenceWorker::leastConfident(quint64 id, int limit) {
  if (stale(Channel::Search, id)) {
    Q_EMIT cancelled(id);
    return;
  }
  try {
    QList<library::SearchResult> results;
    for (const library::CaptionRow& r : library()->checkedCaptions(limit)) {
      library::SearchResult s;
      s.photoId = r.photo.id;
      s.path = r.photo.path;
      s.score = r.caption.itm.value_or(0.0);
      s.itm = r.caption.itm;
      s.itc = r.caption.itc.value_or(0.0);
      s.offline = r.photo.status == library::PhotoStatus::Offline;
      results << s;
    }
    Q_EMIT searchReady(id, results);
  } catch (const std::exception& e) {
    Q_EMIT failed(id, qs(e));
  }
  ready();
}

void InferenceWorker::trashPhotos(quint64 id, const QStringList& paths) {
  try {
    const library::TrashReport r = library::moveToTrash(*library(), paths);
    if (!r.moved.isEmpty()) m_searcher.reset();  // their vectors are gone
    Q_EMIT photosTrashed(id, r);
  } catch (const std::exception& e) {
    Q_EMIT failed(id, qs(e));
  }
}

// ---- jobs ----

void InferenceWorker::startJob(std::unique_ptr<Job> job) {
  const quint64 id = job->id();
  const JobKind kind = job->kind();
  m_jobs.emplace(id, std::move(job));
  Q_EMIT jobStarted(id, kind);
  Q_EMIT jobStateChanged(id, JobState::Running);
  schedule();
}

void InferenceWorker::startIndexing(quint64 job) {
  try {
    // One index job at a time: the client resumes the one there is instead of starting another.
    for (auto& [id, j] : m_jobs)
      if (j->kind() == JobKind::Index && !isEnded(j->state))
        throw library::LibraryError(tr("The library is being indexed already.").toStdString());
    startJob(std::make_unique<IndexJob>(job, *this, m_state->interrupt(job)));
  } catch (const std::exception& e) {
    failToStart(job, JobKind::Index, e);
  }
}

void InferenceWorker::failToStart(quint64 job, JobKind kind, const std::exception& e) {
  JobSummary s;
  s.kind = kind;
  s.state = JobState::Failed;
  s.error = qs(e);
  m_state->forget(job);
  Q_EMIT jobFinished(job, s);
}

void InferenceWorker::startCaptionAll(quint64 job, const QStringList& paths, const CaptionRequest& request) {
  startJob(std::make_unique<CaptionAllJob>(job, *this, m_state->interrupt(job), paths, request));
}

void InferenceWorker::startAskResults(quint64 job, const QString& question, const QStringList& paths,
                                      const blip::GenerationConfig& config) {
  startJob(std::make_unique<AskResultsJob>(job, *this, m_state->interrupt(job), question, paths, config));
}

std::shared_ptr<library::ResultAsker> InferenceWorker::resultAsker() {
  const auto m = model(Task::Ask);
  if (!m_resultAsker || m_resultAsker->model() != m) {
    m_resultAsker = std::make_shared<library::ResultAsker>(m);
    return m_resultAsker;
  }
  if (m_resultAsker.use_count() > 1) return std::make_shared<library::ResultAsker>(m);  // another job asks now
  return m_resultAsker;
}

void InferenceWorker::startCaptionLibrary(quint64 job, const CaptionRequest& request, bool overwrite) {
  try {
    auto db = library();
    QStringList paths;
    for (const library::Photo& p : db->captionablePhotos({}, overwrite)) paths << p.path;
    startJob(
        std::make_unique<CaptionAllJob>(job, *this, m_state->interrupt(job), paths, request, JobKind::CaptionLibrary));
  } catch (const std::exception& e) {
    failToStart(job, JobKind::CaptionLibrary, e);
  }
}

void InferenceWorker::startWriteCaptions(quint64 job, const QList<CaptionFileRow>& rows, const QStringList& targets,
                                         bool overwrite) {
  startJob(std::make_unique<WriteCaptionsJob>(job, *this, m_state->interrupt(job), rows, targets, overwrite));
}

void InferenceWorker::pauseJob(quint64 id) {
  auto it = m_jobs.find(id);
  if (it == m_jobs.end() || it->second->state != JobState::Running) return;
  it->second->state = JobState::Paused;
  Q_EMIT jobStateChanged(id, JobState::Paused);
  Q_EMIT jobProgress(id, it->second->progress);
  ready();
}

void InferenceWorker::resumeJob(quint64 id) {
  auto it = m_jobs.find(id);
  if (it == m_jobs.end() || it->second->state != JobState::Paused) return;
  it->second->clearInterrupt();
  it->second->restartClock();
  it->second->state = JobState::Running;
  Q_EMIT jobStateChanged(id, JobState::Running);
  schedule();
}

void InferenceWorker::cancelJob(quint64 id) {
  if (m_jobs.count(id)) finishJob(id, JobState::Cancelled);
}

void InferenceWorker::finishJob(quint64 id, JobState state, const QString& error) {
  auto it = m_jobs.find(id);
  if (it == m_jobs.end()) return;
  std::unique_ptr<Job> job = std::move(it->second);
  m_jobs.erase(it);
  JobSummary s;
  s.kind = job->kind();
  s.state = state;
  s.done = job->progress.done - job->progress.before - job->progress.failed;
  s.failed = job->progress.failed;
  s.last = job->progress;
  s.warnings = job->warnings;
  s.error = error;
  job.reset();  // before the signal: whoever reacts sees the models and library free
  m_state->forget(id);
  Q_EMIT jobStateChanged(id, state);
  Q_EMIT jobFinished(id, s);
  ready();
  touch();
}

void InferenceWorker::schedule() {
  if (m_stepQueued || !jobsRunning()) return;
  m_stepQueued = true;
  // Queued: whatever the app asked meanwhile runs first.
  QMetaObject::invokeMethod(this, &InferenceWorker::runStep, Qt::QueuedConnection);
}

void InferenceWorker::runStep() {
  m_stepQueued = false;
  // Round robin: the first running job after the one stepped last.
  Job* job = nullptr;
  for (int pass = 0; pass < 2 && !job; ++pass)
    for (auto& [id, j] : m_jobs)
      if (j->state == JobState::Running && !j->interrupted() && (pass == 1 || id > m_lastStepped)) {
        job = j.get();
        break;
      }
  if (!job) return;
  const quint64 id = job->id();
  m_lastStepped = id;
  bool more = false;
  try {
    more = job->step();
  } catch (const std::exception& e) {
    finishJob(id, JobState::Failed, qs(e));
    schedule();
    return;
  }
  Q_EMIT jobProgress(id, job->progress);
  if (!more && !job->interrupted()) finishJob(id, JobState::Finished);
  schedule();
}

}  // namespace glimpse::inference
