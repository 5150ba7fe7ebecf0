#include "librarycaptioner.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <algorithm>
#include <limits>

#include "imaging/descriptions.h"
#include "indexer.h"
#include "io/files.h"

namespace glimpse::library {

void recordCaptionWrites(LibraryDatabase& db, const Photo& photo, const std::vector<imaging::TargetResult>& results) {
  const bool embedded = std::any_of(results.begin(), results.end(), [](const imaging::TargetResult& r) {
    return r.target == imaging::CaptionTarget::Embedded && r.outcome == imaging::WriteOutcome::Written;
  });
  const bool sidecar = std::any_of(results.begin(), results.end(), [](const imaging::TargetResult& r) {
    return r.target != imaging::CaptionTarget::Txt && r.outcome == imaging::WriteOutcome::Written;
  });
  if (!sidecar) return;  // nothing the library reads changed
  QByteArray bytes;
  try {
    bytes = io::readRegularFile(photo.path, std::numeric_limits<qint64>::max());
  } catch (const io::FileError&) {
    return;  // gone meanwhile: the next scan sees it
  }
  const auto state = imaging::fileState(photo.path);
  if (!state) return;
  QList<QPair<QString, QString>> descriptions;
  for (const auto& d : imaging::readDescriptions(bytes, photo.path)) descriptions << qMakePair(d.text, d.origin);
  const QString hash =
      embedded ? QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex()) : photo.hash;
  db.recordMetadataWrite(photo.id, state->size, state->mtimeMs, hash, descriptions);
}

QString generationParameters(const blip::GenerationConfig& c, const QString& prompt) {
  QJsonObject o{{QStringLiteral("prompt"), prompt},
                {QStringLiteral("num_beams"), c.num_beams},
                {QStringLiteral("max_length"), c.max_length},
                {QStringLiteral("min_length"), c.min_length},
                {QStringLiteral("length_penalty"), c.length_penalty},
                {QStringLiteral("early_stopping"), c.early_stopping},
                {QStringLiteral("do_sample"), c.do_sample},
                {QStringLiteral("repetition_penalty"), c.repetition_penalty},
                {QStringLiteral("no_repeat_ngram_size"), c.no_repeat_ngram_size}};
  if (c.max_new_tokens) o.insert(QStringLiteral("max_new_tokens"), *c.max_new_tokens);
  if (c.do_sample) {
    o.insert(QStringLiteral("top_k"), c.top_k);
    o.insert(QStringLiteral("top_p"), c.top_p);
    o.insert(QStringLiteral("temperature"), c.temperature);
    if (c.seed) o.insert(QStringLiteral("seed"), QString::number(*c.seed));  // 64 bits: as text
  }
  return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

LibraryCaptioner::LibraryCaptioner(std::shared_ptr<LibraryDatabase> db, std::shared_ptr<const blip::BlipModel> model,
                                   CaptionRunOptions options)
    : m_db(std::move(db)), m_model(std::move(model)), m_options(std::move(options)) {
  if (!m_db || !m_model) throw LibraryError("captioning needs a library and a model");
  if (!m_model->has_captioning())
    throw LibraryError(
        "captioning needs a BLIP captioning model (BlipForConditionalGeneration, e.g. blip-image-captioning-base)");
  m_modelName = QFileInfo(QString::fromStdString(m_model->dir().string())).fileName();
  // One caption per photo: the best sequence.
  m_options.generation.num_return_sequences = 1;
  m_parameters = generationParameters(m_options.generation, m_options.prompt);
  if (m_options.checker && !m_options.checker->has_retrieval())
    throw LibraryError("the self-check needs a retrieval model (BlipForImageTextRetrieval, e.g. blip-itm-base-coco)");
}

void LibraryCaptioner::begin() {
  if (m_begun) return;
  m_begun = true;
  m_startMs = QDateTime::currentMSecsSinceEpoch();
  m_todo = m_db->captionablePhotos(m_options.folders, m_options.overwrite);
  if (!m_options.overwrite)
    m_report.skipped = static_cast<int>(m_db->captionablePhotos(m_options.folders, true).size() - m_todo.size());
  m_progress.total = static_cast<int>(m_todo.size());
}

bool LibraryCaptioner::step(const std::atomic<bool>* cancel) {
  begin();
  if (m_next >= m_todo.size()) return false;
  if (cancel && cancel->load()) {
    m_report.cancelled = true;
    return false;
  }
  const Photo photo = m_todo[m_next++];
  if (io::pathExists(photo.path)) {
    QString error;
    PhotoContent content;
    try {
      content = readPhotoContent(photo.path, m_model->processor());
    } catch (const std::bad_alloc&) {
      error = QStringLiteral("not enough memory to decode this image");
    } catch (const std::exception& e) {
      error = QString::fromUtf8(e.what());
    }
    if (!error.isEmpty()) {
      // Recorded like the indexer does: the photo is skipped until the file changes.
      m_db->setError(photo.id, error);
      m_report.failed.push_back({photo.path, error});
      ++m_progress.failed;
    } else {
      // A changed file: whether its generated caption still holds is decided here.
      const bool keptDerived =
          photo.changed && !photo.pixelHash.isEmpty() && photo.pixelHash == content.content.pixelHash;
      bool hasGenerated = false;
      if (keptDerived && !m_options.overwrite)
        for (const Caption& c : m_db->captions(photo.id))
          if (c.source == CaptionSource::Generated) hasGenerated = true;
      if (hasGenerated) {
        Transaction tx(*m_db);
        m_db->settleContent(photo, content.content);
        tx.commit();
        ++m_report.skipped;
      } else {
        std::vector<std::string> prompts;
        if (!m_options.prompt.isEmpty()) prompts.push_back(m_options.prompt.toStdString());
        std::vector<std::vector<blip::GeneratedText>> out;
        std::optional<CaptionCheck> check;
        QString parameters = m_parameters;
        auto generation = m_options.generation;
        if (m_options.checker) {
          // The checker sees the photo through its own preprocessing when it differs.
          const blip::PixelValues checkPixels =
              captions::sameProcessing(*m_model, *m_options.checker)
                  ? content.pixels
                  : m_options.checker->preprocess(imaging::decodeImageFile(photo.path).rgb);
          const auto result =
              captions::selfCheckCaption(*m_model, content.pixels, *m_options.checker, checkPixels,
                                         m_options.prompt.toStdString(), m_options.generation, m_options.selfCheck);
          out = {{result.best().generated}};
          check = CaptionCheck{result.best().score.itm, result.best().score.itc};
          if (result.regenerated()) {
            ++m_report.regenerated;
            generation = captions::candidateConfig(m_options.generation, static_cast<int>(result.chosen),
                                                   m_options.selfCheck.seed);
            parameters = generationParameters(generation, m_options.prompt);
          }
        } else {
          out = m_model->caption(blip::image_inputs({content.pixels}), prompts, m_options.generation);
        }
        const QString text =
            out.empty() || out.front().empty() ? QString() : QString::fromStdString(out.front().front().text);
        Transaction tx(*m_db);
        m_db->settleContent(photo, content.content);
        m_db->deleteCaptions(photo.id, CaptionSource::Generated);
        std::optional<double> score;
        if (generation.num_beams > 1 && !out.empty() && !out.front().empty())
          score = static_cast<double>(out.front().front().score);
        m_db->addCaption(photo.id, text, CaptionSource::Generated, m_modelName, parameters, score, check);
        tx.commit();
        ++m_report.captioned;
      }
    }
  }  // a file that vanished is left to the next scan
  m_progress.done = static_cast<int>(m_next);
  m_progress.current = photo.path;
  const double elapsed = static_cast<double>(QDateTime::currentMSecsSinceEpoch() - m_startMs) / 1000.0;
  m_progress.imagesPerSecond = elapsed > 0 ? m_progress.done / elapsed : 0.0;
  m_progress.etaSeconds =
      m_progress.imagesPerSecond > 0 ? (m_progress.total - m_progress.done) / m_progress.imagesPerSecond : -1.0;
  m_report.seconds = elapsed;
  return m_next < m_todo.size();
}

CaptionRunReport LibraryCaptioner::run(const std::function<void(const CaptionProgress&)>& progress,
                                       const std::atomic<bool>* cancel) {
  begin();
  if (progress) progress(m_progress);
  while (step(cancel))
    if (progress) progress(m_progress);
  if (progress && !m_report.cancelled && m_progress.done > 0 && m_progress.done == m_progress.total)
    progress(m_progress);
  m_report.seconds = static_cast<double>(QDateTime::currentMSecsSinceEpoch() - m_startMs) / 1000.0;
  return m_report;
}

}  // namespace glimpse::library
