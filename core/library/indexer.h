#pragma once
// Embeds the library's photos with BLIP's ITC image features: decoding and preprocessing run in
// parallel on a thread pool (QtConcurrent) while the vision model runs batched on the calling
// thread; vectors are written in batched transactions, stamped with the model id. Killing the
// process loses at most the batch in flight; a rerun continues where it stopped.
#include <QString>
#include <atomic>
#include <functional>

#include "blip.h"
#include "librarydatabase.h"

namespace glimpse::library {

struct IndexProgress {
  int done = 0;   // photos finished in this run (embedded or failed)
  int total = 0;  // photos this run has to do
  int failed = 0;
  double imagesPerSecond = 0.0;
  double etaSeconds = -1.0;  // < 0 while unknown
  QString current;           // last photo finished
};

struct IndexReport {
  int embedded = 0;
  int failed = 0;
  bool cancelled = false;
  double seconds = 0.0;
  double decodeSeconds = 0.0;  // summed over decode threads
  double modelSeconds = 0.0;   // vision model + projection, on the calling thread
  double waitSeconds = 0.0;    // calling thread waiting for decodes (0 = perfect overlap)
};

struct IndexOptions {
  int batchSize = 8;
  int decodeThreads = 0;  // 0: one per core
  // Memory that the parallel decodes may use together (estimated from each image's header); a
  // photo larger than this waits until it can be decoded alone. Pixel values of a batch come on top.
  qint64 decodeMemoryBytes = qint64{1} << 30;
};

// Identifies a checkpoint's vectors: folder name plus a hash of its config and weights header, so
// a changed model re-embeds.
QString modelIdentity(const blip::BlipModel& model);

class Indexer {
 public:
  // The model must have a retrieval head (BlipForImageTextRetrieval).
  Indexer(LibraryDatabase& db, const blip::BlipModel& model, IndexOptions options = {});
  IndexReport run(const std::function<void(const IndexProgress&)>& progress = {}, const std::atomic<bool>* cancel = nullptr);
  const QString& modelId() const { return m_modelId; }

 private:
  LibraryDatabase& m_db;
  const blip::BlipModel& m_model;
  IndexOptions m_options;
  QString m_modelId;
};

}  // namespace glimpse::library
