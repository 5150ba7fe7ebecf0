#include "inferenceworker.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QFileInfo>

#include "errors.h"
#include "imaging/imagedecoder.h"
#include "library/indexer.h"
#include "library/librarydatabase.h"
#include "library/scanner.h"

namespace glimpse::inference {
namespace {

int index(Channel c) { return static_cast<int>(c); }

QString taskName(Channel c) {
  switch (c) {
    case Channel::Caption: return QObject::tr("captioning");
    case Channel::Ask: return QObject::tr("questions");
    default: return QObject::tr("search");
  }
}

struct Registrar {
  Registrar() {
    qRegisterMetaType<glimpse::blip::GenerationConfig>();
    qRegisterMetaType<glimpse::library::SearchOptions>();
    qRegisterMetaType<glimpse::library::SearchResult>();
    qRegisterMetaType<QList<glimpse::library::SearchResult>>();
  }
};

}  // namespace

InferenceWorker::InferenceWorker(std::shared_ptr<SharedState> state, QObject* parent) : QObject(parent), m_state(std::move(state)) {}

InferenceWorker::~InferenceWorker() = default;

void InferenceWorker::init() {
  // Torch's thread settings are per thread: this is the thread that runs every model.
  blip::init_torch_threads();
  m_idle = new QTimer(this);
  m_idle->setSingleShot(true);
  connect(m_idle, &QTimer::timeout, this, &InferenceWorker::unloadModels);
  Q_EMIT stateChanged(tr("Ready"));
}

void InferenceWorker::setModelFolders(const QString& caption, const QString& ask, const QString& search) {
  m_folders[index(Channel::Caption)] = caption;
  m_folders[index(Channel::Ask)] = ask;
  m_folders[index(Channel::Search)] = search;
  m_folders[index(Channel::Index)] = search;
  // Models no task uses any more are dropped; the others stay warm.
  for (auto it = m_models.begin(); it != m_models.end();) {
    if (it->first != caption && it->first != ask && it->first != search) {
      if (m_searcher) m_searcher.reset();
      it = m_models.erase(it);
    } else {
      ++it;
    }
  }
  m_askKey.clear();
  m_askState = {};
  m_searcher.reset();
}

void InferenceWorker::setIdleUnloadSeconds(int seconds) { m_idleSeconds = seconds; }

void InferenceWorker::setThreads(int threads) { blip::init_torch_threads(threads); }

void InferenceWorker::setPrecision(const QString& precision) {
  // Models loaded in another mode are reloaded when next used (model()).
  m_precision = blip::parse_precision(precision.toStdString()).value_or(blip::Precision::Float32);
}

void InferenceWorker::unloadModels() {
  if (m_indexing) return;
  m_searcher.reset();
  m_askState = {};
  m_askKey.clear();
  m_models.clear();
  Q_EMIT stateChanged(tr("Ready (models unloaded to free memory)"));
}

void InferenceWorker::touch() {
  if (m_idle && m_idleSeconds > 0) m_idle->start(m_idleSeconds * 1000);
}

bool InferenceWorker::stale(Channel c, quint64 id) const { return m_state->latest[index(c)].load() != id; }

const blip::BlipModel& InferenceWorker::model(Channel task) {
  const QString folder = m_folders[index(task)];
  if (folder.isEmpty())
    throw blip::BlipError(tr("No model is set for %1. Choose one in Settings → Models.").arg(taskName(task)).toStdString());
  auto it = m_models.find(folder);
  if (it != m_models.end() && it->second->precision() != m_precision && !m_indexing) {
    // The precision changed (a running index keeps its model until it ends).
    m_searcher.reset();
    m_askState = {};
    m_askKey.clear();
    m_models.erase(it);
    it = m_models.end();
  }
  if (it == m_models.end()) {
    Q_EMIT stateChanged(m_precision == blip::Precision::Float32
                            ? tr("Loading model %1…").arg(QFileInfo(folder).fileName())
                            : tr("Loading model %1 (%2)…").arg(QFileInfo(folder).fileName(), QString::fromLatin1(blip::precision_name(m_precision))));
    blip::LoadOptions options;
    options.precision = m_precision;
    if (const std::string problem = blip::precision_problem(m_precision); !problem.empty())
      throw blip::BlipError(tr("The %1 precision cannot run here (%2). Choose “Exact” in Settings → Performance.")
                                .arg(QString::fromLatin1(blip::precision_name(m_precision)), QString::fromStdString(problem))
                                .toStdString());
    it = m_models.emplace(folder, blip::BlipModel::load(folder.toStdString(), options)).first;
  }
  return *it->second;
}

library::Searcher& InferenceWorker::searcher() {
  auto& db = library();
  const auto& m = model(Channel::Search);
  if (!m_searcher) m_searcher = std::make_unique<library::Searcher>(db, m);
  return *m_searcher;
}

library::LibraryDatabase& InferenceWorker::library() {
  if (!m_library) throw library::LibraryError(tr("No library is open.").toStdString());
  return *m_library;
}

void InferenceWorker::caption(quint64 id, const QString& path, const QString& prompt, const blip::GenerationConfig& config) {
  if (stale(Channel::Caption, id)) return;  // a newer request replaced it while it waited
  m_state->cancel[index(Channel::Caption)].store(false);
  touch();
  try {
    const auto& m = model(Channel::Caption);
    Q_EMIT stateChanged(tr("Captioning %1…").arg(QFileInfo(path).fileName()));
    QElapsedTimer t;
    t.start();
    const auto pixels = m.preprocess(imaging::decodeImageFile(path).rgb);
    const auto state = m.encode_image(pixels, /*for_questions=*/false);
    const blip::BertTokenizer& tok = m.tokenizer();
    blip::StepCallback progress = [&](const blip::StepScores& s) {
      // The best row so far (greedy: the only row; beam search: the leading beam).
      std::vector<int64_t> ids(s.sequences, s.sequences + s.length);
      Q_EMIT captionProgress(id, path, QString::fromStdString(tok.decode(ids, true)));
    };
    const auto out = m.caption_state(state, prompt.toStdString(), config, &m_state->cancel[index(Channel::Caption)], &progress);
    Q_EMIT captionReady(id, path, QString::fromStdString(out.front().text), t.elapsed() / 1000.0);
    Q_EMIT stateChanged(tr("Ready"));
  } catch (const blip::GenerationCancelled&) {
    Q_EMIT cancelled(id);
    Q_EMIT stateChanged(tr("Ready"));
  } catch (const std::exception& e) {
    Q_EMIT failed(id, QString::fromUtf8(e.what()));
    Q_EMIT stateChanged(tr("Ready"));
  }
  touch();
}

void InferenceWorker::captionAll(quint64 id, const QStringList& paths, const QString& prompt, const blip::GenerationConfig& config) {
  if (stale(Channel::Caption, id)) return;
  auto& cancel = m_state->cancel[index(Channel::Caption)];
  cancel.store(false);
  int done = 0;
  for (const QString& path : paths) {
    if (cancel.load() || stale(Channel::Caption, id)) {
      Q_EMIT captionAllFinished(id, done, true);
      Q_EMIT stateChanged(tr("Ready"));
      return;
    }
    touch();
    try {
      const auto& m = model(Channel::Caption);
      Q_EMIT stateChanged(tr("Captioning %1 of %2…").arg(done + 1).arg(paths.size()));
      QElapsedTimer t;
      t.start();
      const auto out = m.caption({m.preprocess(imaging::decodeImageFile(path).rgb)},
                                 prompt.isEmpty() ? std::vector<std::string>{} : std::vector<std::string>{prompt.toStdString()},
                                 config, &cancel);
      Q_EMIT captionReady(id, path, QString::fromStdString(out.front().front().text), t.elapsed() / 1000.0);
    } catch (const blip::GenerationCancelled&) {
      Q_EMIT captionAllFinished(id, done, true);
      Q_EMIT stateChanged(tr("Ready"));
      return;
    } catch (const std::exception& e) {
      Q_EMIT failed(id, QFileInfo(path).fileName() + QStringLiteral(": ") + QString::fromUtf8(e.what()));
    }
    ++done;
  }
  Q_EMIT captionAllFinished(id, done, false);
  Q_EMIT stateChanged(tr("Ready"));
}

void InferenceWorker::ask(quint64 id, const QString& path, const QString& question, const blip::GenerationConfig& config) {
  if (stale(Channel::Ask, id)) return;
  m_state->cancel[index(Channel::Ask)].store(false);
  touch();
  try {
    const auto& m = model(Channel::Ask);
    const QFileInfo info(path);
    const QString key = info.absoluteFilePath() + QLatin1Char('@') + QString::number(info.lastModified().toMSecsSinceEpoch()) +
                        QLatin1Char('@') + m_folders[index(Channel::Ask)];
    if (key != m_askKey || !m_askState.valid()) {
      Q_EMIT stateChanged(tr("Looking at %1…").arg(info.fileName()));
      m_askState = m.encode_image(m.preprocess(imaging::decodeImageFile(path).rgb), /*for_questions=*/true);
      m_askKey = key;
    }
    Q_EMIT stateChanged(tr("Answering…"));
    const auto out = m.answer_about(m_askState, question.toStdString(), config, &m_state->cancel[index(Channel::Ask)]);
    Q_EMIT answerReady(id, path, question, QString::fromStdString(out.front().text));
  } catch (const blip::GenerationCancelled&) {
    Q_EMIT cancelled(id);
  } catch (const std::exception& e) {
    Q_EMIT failed(id, QString::fromUtf8(e.what()));
  }
  Q_EMIT stateChanged(tr("Ready"));
  touch();
}

void InferenceWorker::openLibrary(quint64 id, const QString& dbPath) {
  if (m_indexing) {
    Q_EMIT failed(id, tr("The library is being indexed; pause indexing first."));
    return;
  }
  try {
    m_searcher.reset();
    m_library.reset();
    m_library = std::make_unique<library::LibraryDatabase>(dbPath);
    QStringList folders;
    for (const auto& f : m_library->folders()) folders << f.path;
    const auto st = m_library->status();
    int indexed = 0;
    const auto models = m_library->embeddingModels();
    if (!models.isEmpty()) indexed = models.front().second;
    Q_EMIT libraryOpened(id, folders, st.photos, indexed);
  } catch (const std::exception& e) {
    Q_EMIT failed(id, QString::fromUtf8(e.what()));
  }
}

void InferenceWorker::emitFolders(quint64 id) {
  QStringList folders;
  for (const auto& f : library().folders()) folders << f.path;
  Q_EMIT libraryOpened(id, folders, library().status().photos, 0);
}

void InferenceWorker::addLibraryFolder(quint64 id, const QString& folder) {
  try {
    library().addFolder(folder);
    emitFolders(id);
  } catch (const std::exception& e) {
    Q_EMIT failed(id, QString::fromUtf8(e.what()));
  }
}

void InferenceWorker::removeLibraryFolder(quint64 id, const QString& folder) {
  if (m_indexing) {
    Q_EMIT failed(id, tr("The library is being indexed; pause indexing first."));
    return;
  }
  try {
    library().forgetFolder(folder);
    m_searcher.reset();
    emitFolders(id);
  } catch (const std::exception& e) {
    Q_EMIT failed(id, QString::fromUtf8(e.what()));
  }
}

void InferenceWorker::indexLibrary(quint64 id) {
  if (m_indexing) return;
  auto& cancel = m_state->cancel[index(Channel::Index)];
  cancel.store(false);
  m_indexing = true;
  try {
    auto& db = library();
    const auto& m = model(Channel::Index);
    Q_EMIT stateChanged(tr("Scanning folders…"));
    const library::ScanReport scan = library::Scanner(db).scan(&cancel);
    library::Indexer indexer(db, m);
    QElapsedTimer sinceEvents;
    sinceEvents.start();
    const auto report = indexer.run(
        [&](const library::IndexProgress& p) {
          Q_EMIT indexProgress(id, p.done, p.total, p.imagesPerSecond, p.etaSeconds);
          Q_EMIT stateChanged(tr("Indexing %1 of %2…").arg(p.done).arg(p.total));
          // Serve searches, captions and questions between batches: indexing may take hours.
          QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
        },
        &cancel);
    m_searcher.reset();  // new vectors
    Q_EMIT indexFinished(id, report.embedded, report.failed, report.cancelled || cancel.load(), scan.warnings);
  } catch (const std::exception& e) {
    Q_EMIT failed(id, QString::fromUtf8(e.what()));
  }
  m_indexing = false;
  Q_EMIT stateChanged(tr("Ready"));
  touch();
}

void InferenceWorker::search(quint64 id, const QString& query, const library::SearchOptions& options) {
  if (stale(Channel::Search, id)) return;
  touch();
  try {
    Q_EMIT stateChanged(tr("Searching…"));
    const auto results = searcher().search(query, options);
    if (!stale(Channel::Search, id)) Q_EMIT searchReady(id, results);
  } catch (const std::exception& e) {
    Q_EMIT failed(id, QString::fromUtf8(e.what()));
  }
  Q_EMIT stateChanged(tr("Ready"));
}

void InferenceWorker::similar(quint64 id, const QString& path, const library::SearchOptions& options) {
  if (stale(Channel::Search, id)) return;
  touch();
  try {
    auto& s = searcher();
    auto vec = s.vectorOf(path);
    const auto& m = model(Channel::Search);
    if (!vec) vec = m.embed_images({m.preprocess(imaging::decodeImageFile(path).rgb)}).front();
    const auto photo = library().photoByPath(path);
    const auto results = s.similar(*vec, options, photo ? photo->id : 0);
    if (!stale(Channel::Search, id)) Q_EMIT searchReady(id, results);
  } catch (const std::exception& e) {
    Q_EMIT failed(id, QString::fromUtf8(e.what()));
  }
}

void InferenceWorker::photoDetails(quint64 id, const QString& path) {
  try {
    const auto photo = library().photoByPath(path);
    if (!photo) throw library::LibraryError(tr("%1 is not in the library").arg(path).toStdString());
    const auto caps = library().captions(photo->id);
    Q_EMIT photoDetailsReady(id, path, photo->size, photo->takenAtMs.value_or(photo->mtimeMs), caps.isEmpty() ? QString() : caps.back().text);
  } catch (const std::exception& e) {
    Q_EMIT failed(id, QString::fromUtf8(e.what()));
  }
}

InferenceClient::InferenceClient(QObject* parent) : QObject(parent), m_state(std::make_shared<SharedState>()) {
  static Registrar registrar;
  m_worker = new InferenceWorker(m_state);
  m_worker->moveToThread(&m_thread);
  connect(&m_thread, &QThread::started, m_worker, &InferenceWorker::init);
  connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
  m_thread.setObjectName(QStringLiteral("glimpse-inference"));
  m_thread.start();
}

InferenceClient::~InferenceClient() {
  for (auto& c : m_state->cancel) c.store(true);
  m_thread.quit();
  m_thread.wait();
}

quint64 InferenceClient::next(Channel c, bool supersede) {
  const quint64 id = m_nextId++;
  if (supersede) {
    m_state->latest[static_cast<int>(c)].store(id);
    // Stop what runs now in this channel; the worker clears the flag when it starts the new one.
    m_state->cancel[static_cast<int>(c)].store(true);
  }
  return id;
}

void InferenceClient::cancel(Channel c) { m_state->cancel[static_cast<int>(c)].store(true); }

void InferenceClient::setModelFolders(const QString& caption, const QString& ask, const QString& search) {
  QMetaObject::invokeMethod(m_worker, "setModelFolders", Qt::QueuedConnection, Q_ARG(QString, caption), Q_ARG(QString, ask),
                            Q_ARG(QString, search));
}

void InferenceClient::setIdleUnloadSeconds(int seconds) {
  QMetaObject::invokeMethod(m_worker, "setIdleUnloadSeconds", Qt::QueuedConnection, Q_ARG(int, seconds));
}

void InferenceClient::setThreads(int threads) {
  QMetaObject::invokeMethod(m_worker, "setThreads", Qt::QueuedConnection, Q_ARG(int, threads));
}

void InferenceClient::setPrecision(const QString& precision) {
  QMetaObject::invokeMethod(m_worker, "setPrecision", Qt::QueuedConnection, Q_ARG(QString, precision));
}

quint64 InferenceClient::caption(const QString& path, const QString& prompt, const blip::GenerationConfig& config) {
  const quint64 id = next(Channel::Caption, true);
  QMetaObject::invokeMethod(m_worker, [w = m_worker, id, path, prompt, config] { w->caption(id, path, prompt, config); }, Qt::QueuedConnection);
  return id;
}

quint64 InferenceClient::captionAll(const QStringList& paths, const QString& prompt, const blip::GenerationConfig& config) {
  const quint64 id = next(Channel::Caption, true);
  QMetaObject::invokeMethod(m_worker, [w = m_worker, id, paths, prompt, config] { w->captionAll(id, paths, prompt, config); }, Qt::QueuedConnection);
  return id;
}

quint64 InferenceClient::ask(const QString& path, const QString& question, const blip::GenerationConfig& config) {
  const quint64 id = next(Channel::Ask, true);
  QMetaObject::invokeMethod(m_worker, [w = m_worker, id, path, question, config] { w->ask(id, path, question, config); }, Qt::QueuedConnection);
  return id;
}

quint64 InferenceClient::openLibrary(const QString& dbPath) {
  const quint64 id = next(Channel::Search, false);
  QMetaObject::invokeMethod(m_worker, [w = m_worker, id, dbPath] { w->openLibrary(id, dbPath); }, Qt::QueuedConnection);
  return id;
}

quint64 InferenceClient::addLibraryFolder(const QString& folder) {
  const quint64 id = next(Channel::Search, false);
  QMetaObject::invokeMethod(m_worker, [w = m_worker, id, folder] { w->addLibraryFolder(id, folder); }, Qt::QueuedConnection);
  return id;
}

quint64 InferenceClient::removeLibraryFolder(const QString& folder) {
  const quint64 id = next(Channel::Search, false);
  QMetaObject::invokeMethod(m_worker, [w = m_worker, id, folder] { w->removeLibraryFolder(id, folder); }, Qt::QueuedConnection);
  return id;
}

quint64 InferenceClient::indexLibrary() {
  const quint64 id = next(Channel::Index, false);
  m_state->latest[static_cast<int>(Channel::Index)].store(id);
  m_state->cancel[static_cast<int>(Channel::Index)].store(false);
  QMetaObject::invokeMethod(m_worker, [w = m_worker, id] { w->indexLibrary(id); }, Qt::QueuedConnection);
  return id;
}

quint64 InferenceClient::search(const QString& query, const library::SearchOptions& options) {
  const quint64 id = next(Channel::Search, false);
  m_state->latest[static_cast<int>(Channel::Search)].store(id);
  QMetaObject::invokeMethod(m_worker, [w = m_worker, id, query, options] { w->search(id, query, options); }, Qt::QueuedConnection);
  return id;
}

quint64 InferenceClient::similar(const QString& path, const library::SearchOptions& options) {
  const quint64 id = next(Channel::Search, false);
  m_state->latest[static_cast<int>(Channel::Search)].store(id);
  QMetaObject::invokeMethod(m_worker, [w = m_worker, id, path, options] { w->similar(id, path, options); }, Qt::QueuedConnection);
  return id;
}

quint64 InferenceClient::photoDetails(const QString& path) {
  const quint64 id = next(Channel::Search, false);
  QMetaObject::invokeMethod(m_worker, [w = m_worker, id, path] { w->photoDetails(id, path); }, Qt::QueuedConnection);
  return id;
}

}  // namespace glimpse::inference
