#pragma once
// Embeds the library's photos with BLIP's ITC image features: decoding and preprocessing run in
// parallel on a thread pool (QtConcurrent) while the vision model runs on the calling thread, up
// to blip::kImagesPerVisionPass photos per call (the cancel flag is checked between calls, so a
// pause stops after the photos in flight); vectors are written in batched transactions, stamped
// with the model id.
// Killing the process loses at most the batch in flight; a rerun continues where it stopped.
#include <QString>
#include <atomic>
#include <functional>
#include <memory>

#include "blip.h"
#include "imaging/imagedecoder.h"
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
  int kept = 0;  // changed files whose pixels were the same (metadata written): vectors kept, no model run
  int failed = 0;
  bool cancelled = false;
  double seconds = 0.0;
  double decodeSeconds = 0.0;  // summed over decode threads
  double modelSeconds = 0.0;   // vision model + projection, on the calling thread
  double waitSeconds = 0.0;    // calling thread waiting for decodes (0 = perfect overlap)
  int peakDecodeMiB = 0;       // most decode memory (estimated) leased from the budget at one time
};

struct IndexOptions {
  // Photos per step: decoded together (the next step's while the model runs), embedded, and
  // committed in one transaction. One vision pass by default, so that the app's other requests,
  // which wait for the step in flight, wait for one model call.
  int batchSize = blip::kImagesPerVisionPass;
  int decodeThreads = 0;  // 0: one per core
  // Memory that the parallel decodes may use together (estimated from each image's header); a
  // photo larger than this waits until it can be decoded alone. Pixel values of a batch come on top.
  qint64 decodeMemoryBytes = qint64{1} << 30;
  // Called on the indexing thread after each photo's vector is computed (before its batch is
  // committed), with the photo's path. A cancel flag set here stops the step before the next
  // model call.
  std::function<void(const QString&)> photoEmbedded;
};

// SHA-256 (hex) of decoded pixels as the model gets them: width, height, then the RGB bytes.
QString pixelHash(const blip::Rgb8Image& rgb);

// Reads a photo for the library: the file's hash, its pixels decoded (and their hash), capture
// time and metadata descriptions, and the model's pixel values. Throws (std::exception) when the
// file cannot be read or decoded.
struct PhotoContent {
  LibraryDatabase::Content content;
  blip::PixelValues pixels;
};
PhotoContent readPhotoContent(const QString& path, const blip::BlipImageProcessor& processor,
                              imaging::DecodeBudget* budget = nullptr);

// Identifies a checkpoint's vectors: folder name plus a hash of its config and weights header, so
// a changed model re-embeds.
QString modelIdentity(const blip::BlipModel& model);
// The same identity from the checkpoint's folder, without loading it (the library's counts per
// search model).
QString modelIdentity(const QString& folder);

// Runs in steps so that a caller can do other work between batches (the app's worker serves
// captions and searches between them) without nested event loops: step() does one batch, run()
// steps until done. The indexer keeps the model and the database it uses alive while it exists.
class Indexer {
 public:
  // The model must have a retrieval head (BlipForImageTextRetrieval).
  Indexer(std::shared_ptr<LibraryDatabase> db, std::shared_ptr<const blip::BlipModel> model, IndexOptions options = {});
  ~Indexer();  // waits for the decodes in flight
  Indexer(const Indexer&) = delete;
  Indexer& operator=(const Indexer&) = delete;

  // One batch: its photos were decoded on the pool while the previous batch ran; embeds them,
  // commits them in one transaction and starts decoding the next batch. Returns false when no
  // photo is left or *cancel is set (nothing half-done is written).
  bool step(const std::atomic<bool>* cancel = nullptr);
  const IndexProgress& progress() const;
  const IndexReport& report() const;
  // step() until done, calling `progress` after each batch (and once at the start). Each run
  // starts afresh with the photos that have no vector now; its report is that run's.
  IndexReport run(const std::function<void(const IndexProgress&)>& progress = {},
                  const std::atomic<bool>* cancel = nullptr);
  const QString& modelId() const { return m_modelId; }

 private:
  void begin(const std::atomic<bool>* cancel);
  void startBatch(const std::atomic<bool>* cancel);
  struct State;
  std::shared_ptr<LibraryDatabase> m_db;
  std::shared_ptr<const blip::BlipModel> m_model;
  IndexOptions m_options;
  QString m_modelId;
  std::unique_ptr<State> m_state;  // declared last: destroyed (decodes awaited) before the model
};

}  // namespace glimpse::library
