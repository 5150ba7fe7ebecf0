#include "resultasker.h"

#include <QDateTime>
#include <QFileInfo>
#include <algorithm>

#include "errors.h"
#include "imaging/imagedecoder.h"

namespace glimpse::library {

AnswerKind answerKind(const QString& answer) {
  const QString a = answer.trimmed().toLower();
  if (a == QLatin1String("yes")) return AnswerKind::Yes;
  if (a == QLatin1String("no")) return AnswerKind::No;
  return AnswerKind::Other;
}

QList<QPair<QString, QList<int>>> groupAnswers(const QStringList& answers) {
  QList<QPair<QString, QList<int>>> groups;
  QHash<QString, qsizetype> at;
  for (int i = 0; i < answers.size(); ++i) {
    const QString key = answers[i].trimmed().toLower();
    auto it = at.find(key);
    if (it == at.end()) {
      it = at.insert(key, groups.size());
      groups.push_back({answers[i].trimmed(), {}});
    }
    groups[*it].second.push_back(i);
  }
  return groups;
}

ResultAsker::ResultAsker(std::shared_ptr<const blip::BlipModel> model, int cacheSize)
    : m_model(std::move(model)), m_cacheSize(std::max(1, cacheSize)) {
  if (!m_model || !m_model->has_question_answering())
    throw blip::BlipError(
        "asking needs a BLIP question answering model (BlipForQuestionAnswering, e.g. blip-vqa-base)");
}

void ResultAsker::start(const QString& question, const QStringList& paths, const blip::GenerationConfig& config) {
  m_question = question;
  m_paths = paths;
  m_config = config;
  m_config.num_return_sequences = 1;
  m_next = 0;
}

blip::ImageState ResultAsker::encoded(const QString& path) {
  const QFileInfo info(path);
  const QString key = path + QLatin1Char('\n') + QString::number(info.size()) + QLatin1Char('\n') +
                      QString::number(info.lastModified().toMSecsSinceEpoch());
  if (auto it = m_cache.constFind(key); it != m_cache.constEnd()) return *it;
  const auto rgb = imaging::decodeImageFile(path).rgb;
  blip::ImageState state = m_model->encode_image(m_model->preprocess(rgb), true);
  ++m_encodings;
  m_cache.insert(key, state);
  m_order.push_back(key);
  while (m_order.size() > m_cacheSize) m_cache.remove(m_order.takeFirst());
  return state;
}

std::optional<ResultAnswer> ResultAsker::step(const std::atomic<bool>* cancel) {
  if (m_next >= m_paths.size() || (cancel && cancel->load())) return std::nullopt;
  ResultAnswer a;
  a.index = static_cast<int>(m_next);
  a.path = m_paths[m_next++];
  blip::ImageState state;
  try {
    state = encoded(a.path);
  } catch (const imaging::ImageDecodeError& e) {
    a.error = QString::fromUtf8(e.what());
    return a;
  } catch (const std::bad_alloc&) {
    a.error = a.path + QStringLiteral(": not enough memory to decode this image");
    return a;
  }
  const auto out = m_model->answer({state}, {m_question.toStdString()}, m_config);
  if (!out.empty() && !out.front().empty()) a.text = QString::fromStdString(out.front().front().text);
  return a;
}

}  // namespace glimpse::library
