#include "indexer.h"

#include <QCryptographicHash>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QThreadPool>
#include <QtConcurrent/QtConcurrentMap>
#include <mutex>

#include "imaging/imagedecoder.h"
#include "imaging/metadata.h"
#include "io/files.h"

namespace glimpse::library {

QString modelIdentity(const blip::BlipModel& model) {
  QCryptographicHash h(QCryptographicHash::Sha256);
  const auto dir = QString::fromStdString(model.dir().string());
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

namespace {

struct Decoded {
  qint64 id = 0;
  QString path;
  QString error;  // set: the file could not be used
  bool vanished = false;
  QString hash;
  int width = 0, height = 0;
  std::optional<qint64> takenAt;
  blip::PixelValues pixels;
  double seconds = 0.0;
};

Decoded decodeOne(const Photo& photo, const blip::BlipImageProcessor& processor, imaging::DecodeBudget* budget,
                  const std::atomic<bool>* cancel) {
  Decoded d;
  d.id = photo.id;
  d.path = photo.path;
  if (cancel && cancel->load()) return d;
  QElapsedTimer timer;
  timer.start();
  if (!io::pathExists(photo.path)) {
    d.vanished = true;
    return d;
  }
  try {
    const QByteArray bytes = io::readRegularFile(photo.path, qint64{2} << 30);
    d.hash = QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
    imaging::DecodeOptions options;
    options.budget = budget;
    const auto img = imaging::decodeImageData(bytes, photo.path, options);
    d.width = img.rgb.width;
    d.height = img.rgb.height;
    d.takenAt = imaging::exifCaptureTime(bytes);
    d.pixels = processor.preprocess(img.rgb);
  } catch (const std::bad_alloc&) {
    d.error = QStringLiteral("not enough memory to decode this image");
  } catch (const std::exception& e) {
    d.error = QString::fromUtf8(e.what());
  }
  d.seconds = static_cast<double>(timer.nsecsElapsed()) * 1e-9;
  return d;
}

}  // namespace

Indexer::Indexer(LibraryDatabase& db, const blip::BlipModel& model, IndexOptions options)
    : m_db(db), m_model(model), m_options(options), m_modelId(modelIdentity(model)) {
  if (!model.has_retrieval())
    throw LibraryError("indexing needs a BLIP retrieval model (BlipForImageTextRetrieval, e.g. blip-itm-base-coco)");
  if (m_options.batchSize < 1) m_options.batchSize = 1;
}

IndexReport Indexer::run(const std::function<void(const IndexProgress&)>& progress, const std::atomic<bool>* cancel) {
  IndexReport report;
  QElapsedTimer clock;
  clock.start();
  const QList<Photo> todo = m_db.photosWithoutEmbedding(m_modelId);
  IndexProgress p;
  p.total = static_cast<int>(todo.size());
  if (progress) progress(p);
  if (todo.isEmpty()) return report;

  imaging::DecodeBudget budget(m_options.decodeMemoryBytes);  // before the pool: outlives its tasks
  QThreadPool pool;
  if (m_options.decodeThreads > 0) pool.setMaxThreadCount(m_options.decodeThreads);
  const blip::BlipImageProcessor& processor = m_model.processor();
  auto startBatch = [&](qsizetype from) {
    const QList<Photo> batch = todo.mid(from, m_options.batchSize);
    return QtConcurrent::mapped(&pool, batch, [&processor, &budget, cancel](const Photo& ph) {
      return decodeOne(ph, processor, &budget, cancel);
    });
  };

  QFuture<Decoded> next = startBatch(0);
  for (qsizetype from = 0; from < todo.size(); from += m_options.batchSize) {
    QElapsedTimer wait;
    wait.start();
    next.waitForFinished();
    report.waitSeconds += static_cast<double>(wait.nsecsElapsed()) * 1e-9;
    const QList<Decoded> batch = next.results();
    // Decode the next batch while the model works on this one.
    if (from + m_options.batchSize < todo.size() && !(cancel && cancel->load())) next = startBatch(from + m_options.batchSize);
    if (cancel && cancel->load()) {
      report.cancelled = true;
      break;
    }
    std::vector<blip::PixelValues> pixels;
    std::vector<const Decoded*> ok;
    for (const Decoded& d : batch) {
      report.decodeSeconds += d.seconds;
      if (!d.vanished && d.error.isEmpty()) {
        pixels.push_back(d.pixels);
        ok.push_back(&d);
      }
    }
    std::vector<std::vector<float>> vectors;
    if (!pixels.empty()) {
      QElapsedTimer model;
      model.start();
      vectors = m_model.embed_images(pixels);
      report.modelSeconds += static_cast<double>(model.nsecsElapsed()) * 1e-9;
    }
    Transaction tx(m_db);
    size_t k = 0;
    for (const Decoded& d : batch) {
      if (d.vanished) continue;  // the next scan removes it
      if (!d.error.isEmpty()) {
        m_db.setError(d.id, d.error);
        ++report.failed;
        ++p.failed;
        continue;
      }
      m_db.setContentInfo(d.id, d.hash, d.width, d.height, d.takenAt);
      m_db.putEmbedding(d.id, m_modelId, vectors[k++]);
      ++report.embedded;
    }
    tx.commit();
    p.done = static_cast<int>(std::min<qsizetype>(from + m_options.batchSize, todo.size()));
    p.current = batch.isEmpty() ? QString() : batch.back().path;
    const double elapsed = static_cast<double>(clock.nsecsElapsed()) * 1e-9;
    p.imagesPerSecond = elapsed > 0 ? p.done / elapsed : 0.0;
    p.etaSeconds = p.imagesPerSecond > 0 ? (p.total - p.done) / p.imagesPerSecond : -1.0;
    if (progress) progress(p);
  }
  next.waitForFinished();
  report.seconds = static_cast<double>(clock.nsecsElapsed()) * 1e-9;
  return report;
}

}  // namespace glimpse::library
