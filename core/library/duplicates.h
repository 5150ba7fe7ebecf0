#pragma once
// Near-duplicate photos: groups of photos whose ITC image vectors have a cosine at or above a
// threshold, joined with photos of the same content (file or pixel SHA-256). The pass over all
// pairs is blocked dot products in plain C++ on a pool of threads; memory stays at the vectors
// plus one tile per thread and a union-find over the rows, whatever the number of pairs found.
#include <QImage>
#include <QList>
#include <QString>
#include <QStringList>
#include <atomic>
#include <cstdint>
#include <optional>
#include <vector>

#include "librarydatabase.h"

namespace glimpse::library {

// The default cosine threshold of `glimpse-cli library duplicates` and the app's review (how it
// was chosen: docs/performance.md, "Near-duplicates").
constexpr double kDuplicateThreshold = 0.995;

// Disjoint sets over rows 0..n-1 (union by size, path halving).
class DisjointSets {
 public:
  explicit DisjointSets(int64_t n = 0);
  int64_t find(int64_t x);
  void join(int64_t a, int64_t b);
  int64_t size() const { return static_cast<int64_t>(m_parent.size()); }

 private:
  std::vector<int64_t> m_parent;
  std::vector<int64_t> m_size;
};

struct PairScanOptions {
  float threshold = static_cast<float>(kDuplicateThreshold);
  int threads = 0;                            // 0: every core
  const std::atomic<bool>* cancel = nullptr;  // checked between tiles
};

struct PairScanReport {
  int64_t pairs = 0;  // pairs at or above the threshold
  bool cancelled = false;
};

// Joins in `sets` every two rows i < j of the row-major [rows x dim] matrix `data` whose dot
// product is at least the threshold (cosines, for unit vectors). `sets` must have `rows` rows.
PairScanReport joinSimilarRows(const float* data, int64_t rows, int dim, DisjointSets& sets,
                               const PairScanOptions& options = {});

struct DuplicatePhoto {
  qint64 photoId = 0;
  QString path;
  qint64 size = 0;
  qint64 dateMs = 0;  // taken-at, else the file's mtime
  int width = 0;
  int height = 0;
  QString hash;
  bool offline = false;
};

struct DuplicateGroup {
  QList<DuplicatePhoto> photos;  // in path order
  // The lowest cosine between two photos of the group (1 for photos of the same content; pairs
  // without a vector are left out); 1 when every photo has the same content.
  double similarity = 1.0;
  bool exact = false;  // every photo has the same file content
};

struct DuplicateReport {
  QList<DuplicateGroup> groups;  // most photos first, then by first path
  QString model;                 // the vectors compared ("" when the library has none)
  int64_t vectors = 0;
  bool cancelled = false;
};

// Groups the library's photos: vectors of `modelId` (empty: the model with most vectors) with a
// cosine of at least `threshold`, and photos of the same content.
DuplicateReport findDuplicates(LibraryDatabase& db, const QString& modelId, double threshold,
                               const std::atomic<bool>* cancel = nullptr);

// Sharpness of a photo: the variance of the Laplacian (4-neighbour) of its grey levels, 0-255.
// Higher is sharper; compare copies of one photo at one size (the review scales each to fit
// 512 x 512 first).
double sharpness(const QImage& image);

struct TrashReport {
  QStringList moved;   // paths now in the trash
  QStringList errors;  // "path: reason", in words
};

// Moves each file to the freedesktop trash ($XDG_DATA_HOME/Trash, or the trash of the file's
// volume; QFile::moveToTrash), never deleting it, removes its freedesktop thumbnails (every
// flavour and failure record) and forgets the moved photos in `db`. A file that cannot be moved
// is reported and stays where it is.
TrashReport moveToTrash(LibraryDatabase& db, const QStringList& paths);

}  // namespace glimpse::library
