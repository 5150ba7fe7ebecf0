#pragma once
// One question asked of many photos (the results of a search): BLIP's question-answering head
// runs on each photo in turn, one photo per step, so a job can stream the answers and stop between
// photos. The vision model's output of each photo is cached (by path, size and modification time)
// and reused by the next question over the same photos: a photo is encoded once per question
// batch, and not again while it stays in the cache.
#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>
#include <atomic>
#include <memory>
#include <optional>

#include "blip.h"

namespace glimpse::library {

// How an answer can sort results: yes and no filter them, anything else groups them.
enum class AnswerKind { Yes, No, Other };
AnswerKind answerKind(const QString& answer);
// The results' answers grouped: groups in order of first appearance, each with the indexes of the
// results that gave that answer (compared without case and surrounding space).
QList<QPair<QString, QList<int>>> groupAnswers(const QStringList& answers);

struct ResultAnswer {
  int index = 0;  // of the photo in the list asked about
  QString path;
  QString text;   // the answer as `glimpse-cli ask` prints it; empty on error
  QString error;  // the photo could not be read
};

class ResultAsker {
 public:
  // The model must have a question-answering head. `cacheSize`: encoded photos kept.
  explicit ResultAsker(std::shared_ptr<const blip::BlipModel> model, int cacheSize = 64);
  const std::shared_ptr<const blip::BlipModel>& model() const { return m_model; }

  // A new question over `paths`; the cache of encoded photos stays. Answers are generated with
  // the settings of every answer (blip::vqa_generation_config()) unless given.
  void start(const QString& question, const QStringList& paths,
             const blip::GenerationConfig& config = blip::vqa_generation_config());
  // Answers the next photo; nothing when every photo is done or *cancel is set (checked before
  // the photo, so a cancel stops between photos). Model errors throw (blip::BlipError).
  std::optional<ResultAnswer> step(const std::atomic<bool>* cancel = nullptr);
  int done() const { return static_cast<int>(m_next); }
  int total() const { return static_cast<int>(m_paths.size()); }
  // Times the vision model ran, over the asker's life.
  int encodings() const { return m_encodings; }

 private:
  blip::ImageState encoded(const QString& path);
  std::shared_ptr<const blip::BlipModel> m_model;
  int m_cacheSize;
  QString m_question;
  QStringList m_paths;
  blip::GenerationConfig m_config;
  qsizetype m_next = 0;
  int m_encodings = 0;
  QHash<QString, blip::ImageState> m_cache;
  QStringList m_order;  // cache keys, oldest first
};

}  // namespace glimpse::library
