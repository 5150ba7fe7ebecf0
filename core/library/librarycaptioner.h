#pragma once
// Captions the library's photos with a BLIP captioning model, one photo per step: each caption is
// committed as soon as it is made, so a cancel or a killed process loses at most the photo in
// hand and a rerun continues with the rest. Captions are stored with source "generated", the
// model folder's name and the generation settings as JSON.
#include <QList>
#include <QString>
#include <QStringList>
#include <atomic>
#include <functional>
#include <memory>
#include <vector>

#include "blip.h"
#include "captions/selfcheck.h"
#include "imaging/captionwriter.h"
#include "librarydatabase.h"

namespace glimpse::library {

struct CaptionRunOptions {
  QStringList folders;     // library folder paths to restrict to; empty: the whole library
  bool overwrite = false;  // caption photos that have a generated caption too, replacing it
  blip::GenerationConfig generation = blip::default_generation_config();
  QString prompt;  // the start of every caption (empty: none)
  // Set: every caption is self-checked with this retrieval model (captions/selfcheck.h), made
  // again when degenerate, and stored with its ITM and ITC scores. May be the captioning model.
  std::shared_ptr<const blip::BlipModel> checker;
  captions::SelfCheckOptions selfCheck;
};

struct CaptionFailure {
  QString path;
  QString error;
};

struct CaptionProgress {
  int done = 0;   // photos finished in this run (captioned or failed)
  int total = 0;  // photos this run has to do
  int failed = 0;
  double imagesPerSecond = 0.0;
  double etaSeconds = -1.0;  // < 0 while unknown
  QString current;           // last photo finished
};

struct CaptionRunReport {
  int captioned = 0;
  int skipped = 0;      // photos in scope that keep the generated caption they have
  int regenerated = 0;  // self-check: captions replaced by a better candidate
  QList<CaptionFailure> failed;
  bool cancelled = false;
  double seconds = 0.0;
};

// After a caption was written into a library photo's files: an embedded write changed the file
// but (as the writer checked) not its pixels, so the library records the file's new size, time,
// hash and descriptions instead of taking the photo for a changed one at the next index.
void recordCaptionWrites(LibraryDatabase& db, const Photo& photo, const std::vector<imaging::TargetResult>& results);

// The generation settings as stored with a caption (JSON object, compact).
QString generationParameters(const blip::GenerationConfig& config, const QString& prompt);

class LibraryCaptioner {
 public:
  // The model must have a captioning head (BlipForConditionalGeneration).
  LibraryCaptioner(std::shared_ptr<LibraryDatabase> db, std::shared_ptr<const blip::BlipModel> model,
                   CaptionRunOptions options = {});
  LibraryCaptioner(const LibraryCaptioner&) = delete;
  LibraryCaptioner& operator=(const LibraryCaptioner&) = delete;

  // Captions one photo and commits it. Returns false when no photo is left or *cancel is set
  // (checked before the photo: the photo in hand is always finished).
  bool step(const std::atomic<bool>* cancel = nullptr);
  const CaptionProgress& progress() const { return m_progress; }
  const CaptionRunReport& report() const { return m_report; }
  // step() until done, calling `progress` after each photo (and once at the start).
  CaptionRunReport run(const std::function<void(const CaptionProgress&)>& progress = {},
                       const std::atomic<bool>* cancel = nullptr);
  const QString& modelName() const { return m_modelName; }

 private:
  void begin();
  std::shared_ptr<LibraryDatabase> m_db;
  std::shared_ptr<const blip::BlipModel> m_model;
  CaptionRunOptions m_options;
  QString m_modelName;
  QString m_parameters;
  bool m_begun = false;
  QList<Photo> m_todo;
  qsizetype m_next = 0;
  qint64 m_startMs = 0;
  CaptionProgress m_progress;
  CaptionRunReport m_report;
};

}  // namespace glimpse::library
