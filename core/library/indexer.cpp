#include "indexer.h"

#include <QCryptographicHash>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QThreadPool>
#include <QtConcurrent/QtConcurrentMap>
#include <algorithm>
#include <mutex>

#include "imaging/descriptions.h"
#include "imaging/imagedecoder.h"
#include "imaging/metadata.h"
#include "io/files.h"

namespace glimpse::library {

QString modelIdentity(const blip::BlipModel& model) {
  return modelIdentity(QString::fromStdString(model.dir().string()));
}

QString modelIdentity(const QString& dir) {
  QCryptographicHash h(QCryptographicHash::Sha256);
  QFile config(dir + QStringLiteral("/config.json"));
  if (config.open(QIODevice::ReadOnly)) h.addData(config.readAll());
  for (const char* name : {"model.safetensors", "pytorch_model.bin"}) {
    QFile w(dir + QLatin1Char('/') + QLatin1String(name));
    if (!w.open(QIODevice::ReadOnly)) continue;
    h.addData(QByteArray::number(w.size()));
    // The header names every tensor and its offsets; the first MiB also holds weight data.
    h.addData(w.read(1 << 20));
    break;
  }
  const QString folder = QFileInfo(dir).fileName();
  return folder + QLatin1Char('@') + QString::fromLatin1(h.result().toHex().left(16));
}

QString pixelHash(const blip::Rgb8Image& rgb) {
  QCryptographicHash h(QCryptographicHash::Sha256);
  const qint32 size[2] = {rgb.width, rgb.height};
  h.addData(QByteArrayView(reinterpret_cast<const char*>(size), sizeof size));
  h.addData(
      QByteArrayView(reinterpret_cast<const char*>(rgb.pixels.data()), static_cast<qsizetype>(rgb.pixels.size())));
  return QString::fromLatin1(h.result().toHex());
}

PhotoContent readPhotoContent(const QString& path, const blip::BlipImageProcessor& processor,
                              imaging::DecodeBudget* budget) {
  PhotoContent out;
  const QByteArray bytes = io::readRegularFile(path, qint64{2} << 30);
  LibraryDatabase::Content& c = out.content;
  c.hash = QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
  imaging::DecodeOptions options;
  options.budget = budget;
  const auto img = imaging::decodeImageData(bytes, path, options);
  c.width = img.rgb.width;
  c.height = img.rgb.height;
  c.pixelHash = pixelHash(img.rgb);
  c.takenAtMs = imaging::exifCaptureTime(bytes);
  for (const auto& d : imaging::readDescriptions(bytes, path)) c.descriptions.push_back({d.text, d.origin});
  out.pixels = processor.preprocess(img.rgb);
  return out;
}

namespace {

struct Decoded {
  Photo photo;
  QString error;  // set: the file could not be used
  bool vanished = false;
  bool stopped = false;  // not decoded: the cancel flag was set when its turn came
  LibraryDatabase::Content content;
  blip::PixelValues pixels;
  double seconds = 0.0;
};

Decoded decodeOne(const Photo& photo, const blip::BlipImageProcessor& processor, imaging::DecodeBudget* budget,
                  const std::atomic<bool>* cancel) {
  Decoded d;
  d.photo = photo;
  if (cancel && cancel->load()) {
    d.stopped = true;
    return d;
  }
  QElapsedTimer timer;
  timer.start();
  if (!io::pathExists(photo.path)) {
    d.vanished = true;
    return d;
  }
  try {
    PhotoContent c = readPhotoContent(photo.path, processor, budget);
    d.content = std::move(c.content);
    d.pixels = std::move(c.pixels);
  } catch (const std::bad_alloc&) {
    d.error = QStringLiteral("not enough memory to decode this image");
  } catch (const std::exception& e) {
    d.error = QString::fromUtf8(e.what());
  }
  d.seconds = static_cast<double>(timer.nsecsElapsed()) * 1e-9;
  return d;
}

}  // namespace

struct Indexer::State {
  explicit State(const IndexOptions& options) : budget(options.decodeMemoryBytes) {
    if (options.decodeThreads > 0) pool.setMaxThreadCount(options.decodeThreads);
  }
  bool begun = false;
  QList<Photo> todo;
  qsizetype next = 0;  // first photo of the batch being decoded
  IndexProgress progress;
  IndexReport report;
  QElapsedTimer clock;
  imaging::DecodeBudget budget;  // before the pool: outlives its tasks
  QThreadPool pool;
  QFuture<Decoded> pending;
  ~State() { pending.waitForFinished(); }
};

Indexer::Indexer(std::shared_ptr<LibraryDatabase> db, std::shared_ptr<const blip::BlipModel> model,
                 IndexOptions options)
    : m_db(std::move(db)), m_model(std::move(model)), m_options(options) {
  if (!m_db || !m_model) throw LibraryError("indexing needs a library and a model");
  if (!m_model->has_retrieval())
    throw LibraryError("indexing needs a BLIP retrieval model (BlipForImageTextRetrieval, e.g. blip-itm-base-coco)");
  m_modelId = modelIdentity(*m_model);
  if (m_options.batchSize < 1) m_options.batchSize = 1;
  m_state = std::make_unique<State>(m_options);
}

Indexer::~Indexer() = default;

const IndexProgress& Indexer::progress() const {
  return m_state->progress;
}
const IndexReport& Indexer::report() const {
  return m_state->report;
}

void Indexer::begin(const std::atomic<bool>* cancel) {
  State& s = *m_state;
  if (s.begun) return;
  s.begun = true;
  s.clock.start();
  s.todo = m_db->photosWithoutEmbedding(m_modelId);
  s.progress.total = static_cast<int>(s.todo.size());
  if (!s.todo.isEmpty()) startBatch(cancel);
}

void Indexer::startBatch(const std::atomic<bool>* cancel) {
  State& s = *m_state;
  const QList<Photo> batch = s.todo.mid(s.next, m_options.batchSize);
  const blip::BlipImageProcessor& processor = m_model->processor();
  imaging::DecodeBudget* budget = &s.budget;
  s.pending = QtConcurrent::mapped(&s.pool, batch, [&processor, budget, cancel](const Photo& ph) {
    return decodeOne(ph, processor, budget, cancel);
  });
}

bool Indexer::step(const std::atomic<bool>* cancel) {
  State& s = *m_state;
  begin(cancel);
  if (s.next >= s.todo.size()) return false;
  if (cancel && cancel->load()) {
    s.report.cancelled = true;
    return false;
  }
  QElapsedTimer wait;
  wait.start();
  s.pending.waitForFinished();
  s.report.waitSeconds += static_cast<double>(wait.nsecsElapsed()) * 1e-9;
  const QList<Decoded> batch = s.pending.results();
  if (cancel && cancel->load()) {
    s.report.cancelled = true;
    return false;
  }
  // Decodes stopped by a flag that is clear again (a pause, then resume): decode the batch again.
  if (std::any_of(batch.begin(), batch.end(), [](const Decoded& d) { return d.stopped; })) {
    startBatch(cancel);
    return true;
  }
  const qsizetype from = s.next;
  s.next += m_options.batchSize;
  // Decode the next batch while the model works on this one.
  if (s.next < s.todo.size()) startBatch(cancel);
  // A changed file whose pixels hash as before (metadata written into it) keeps its vector: the
  // model does not run for it.
  std::vector<blip::PixelValues> pixels;
  std::vector<bool> embed(static_cast<size_t>(batch.size()), false);
  for (qsizetype i = 0; i < batch.size(); ++i) {
    const Decoded& d = batch[i];
    s.report.decodeSeconds += d.seconds;
    if (d.vanished || !d.error.isEmpty()) continue;
    const bool keeps = d.photo.changed && !d.photo.pixelHash.isEmpty() && d.photo.pixelHash == d.content.pixelHash &&
                       m_db->embeddingModelsOf(d.photo.id).contains(m_modelId);
    if (keeps) continue;
    embed[static_cast<size_t>(i)] = true;
    pixels.push_back(d.pixels);
  }
  // As many photos per call as the vision model takes in one pass (the most images/s), checking
  // the flag between calls: a pause or cancel keeps the photos embedded so far and leaves the rest.
  std::vector<std::vector<float>> vectors;
  qsizetype stop = batch.size();  // photos from here on are left for the next run
  size_t next = 0;
  QElapsedTimer model;
  model.start();
  for (qsizetype i = 0; i < batch.size();) {
    if (!embed[static_cast<size_t>(i)]) {
      ++i;
      continue;
    }
    if (cancel && cancel->load()) {
      stop = i;
      break;
    }
    // the photos of this call: batch[i, end), of which `part` are embedded
    std::vector<blip::PixelValues> part;
    qsizetype end = i;
    for (; end < batch.size() && part.size() < static_cast<size_t>(blip::kImagesPerVisionPass); ++end)
      if (embed[static_cast<size_t>(end)]) part.push_back(std::move(pixels[next++]));
    for (auto& v : m_model->embed_images(part)) vectors.push_back(std::move(v));
    if (m_options.photoEmbedded)
      for (qsizetype j = i; j < end; ++j)
        if (embed[static_cast<size_t>(j)]) m_options.photoEmbedded(batch[j].photo.path);
    i = end;
  }
  s.report.modelSeconds += static_cast<double>(model.nsecsElapsed()) * 1e-9;
  Transaction tx(*m_db);
  size_t k = 0;
  for (qsizetype i = 0; i < stop; ++i) {
    const Decoded& d = batch[i];
    if (d.vanished) continue;  // the next scan removes it
    if (!d.error.isEmpty()) {
      m_db->setError(d.photo.id, d.error);
      ++s.report.failed;
      ++s.progress.failed;
      continue;
    }
    m_db->settleContent(d.photo, d.content);
    if (embed[static_cast<size_t>(i)]) {
      m_db->putEmbedding(d.photo.id, m_modelId, vectors[k++]);
      ++s.report.embedded;
    } else {
      ++s.report.kept;
    }
  }
  tx.commit();
  IndexProgress& p = s.progress;
  p.done = static_cast<int>(std::min<qsizetype>(from + stop, s.todo.size()));
  p.current = stop > 0 ? batch[stop - 1].photo.path : QString();
  const double elapsed = static_cast<double>(s.clock.nsecsElapsed()) * 1e-9;
  p.imagesPerSecond = elapsed > 0 ? p.done / elapsed : 0.0;
  p.etaSeconds = p.imagesPerSecond > 0 ? (p.total - p.done) / p.imagesPerSecond : -1.0;
  s.report.seconds = elapsed;
  s.report.peakDecodeMiB = s.budget.peakMiB();
  if (stop < batch.size()) {
    s.report.cancelled = true;
    return false;
  }
  return s.next < s.todo.size();
}

IndexReport Indexer::run(const std::function<void(const IndexProgress&)>& progress, const std::atomic<bool>* cancel) {
  // Each run starts afresh: it does what is left now (after a cancel, or files that changed).
  if (m_state->begun) {
    m_state = std::make_unique<State>(m_options);
  }
  begin(cancel);
  if (progress) progress(m_state->progress);
  while (step(cancel))
    if (progress) progress(m_state->progress);
  // The last batch, unless cancelled before it.
  if (progress && !m_state->report.cancelled && m_state->progress.done > 0 &&
      m_state->progress.done == m_state->progress.total)
    progress(m_state->progress);
  m_state->pending.waitForFinished();
  m_state->report.peakDecodeMiB = m_state->budget.peakMiB();
  m_state->report.seconds = static_cast<double>(m_state->clock.nsecsElapsed()) * 1e-9;
  return m_state->report;
}

}  // namespace glimpse::library
