#include "duplicates.h"

#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>

#include <algorithm>
#include <cstring>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "desktop/thumbnails.h"

namespace glimpse::library {
namespace {

// A tile is kTileRows rows of the matrix, transposed so that one row of the matrix against the
// whole tile is a run of contiguous multiply-adds the compiler vectorises; kBlock rows of the
// matrix are multiplied at once so each load of the tile feeds kBlock accumulators.
constexpr int kTileRows = 64;
constexpr int kBlock = 4;
// Pairs a thread collects before it takes the lock and joins them.
constexpr size_t kPairBuffer = 4096;

// out[r * kTileRows + c] = dot(a[r], tile column c) for r < kBlock; `tile` is [dim][kTileRows].
__attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default"))) void dotBlock(const float* a, int64_t lda,
                                                                                            const float* tile, int dim,
                                                                                            float* out) {
  float acc[kBlock][kTileRows] = {};
  for (int k = 0; k < dim; ++k) {
    const float* t = tile + static_cast<int64_t>(k) * kTileRows;
    for (int r = 0; r < kBlock; ++r) {
      const float x = a[r * lda + k];
      for (int c = 0; c < kTileRows; ++c) acc[r][c] += x * t[c];
    }
  }
  std::memcpy(out, acc, sizeof acc);
}

struct PairEdge {
  int64_t a;
  int64_t b;
};

}  // namespace

DisjointSets::DisjointSets(int64_t n) : m_parent(static_cast<size_t>(n)), m_size(static_cast<size_t>(n), 1) {
  for (int64_t i = 0; i < n; ++i) m_parent[static_cast<size_t>(i)] = i;
}

int64_t DisjointSets::find(int64_t x) {
  while (m_parent[static_cast<size_t>(x)] != x) {
    auto& p = m_parent[static_cast<size_t>(x)];
    p = m_parent[static_cast<size_t>(p)];
    x = p;
  }
  return x;
}

void DisjointSets::join(int64_t a, int64_t b) {
  a = find(a);
  b = find(b);
  if (a == b) return;
  if (m_size[static_cast<size_t>(a)] < m_size[static_cast<size_t>(b)]) std::swap(a, b);
  m_parent[static_cast<size_t>(b)] = a;
  m_size[static_cast<size_t>(a)] += m_size[static_cast<size_t>(b)];
}

PairScanReport joinSimilarRows(const float* data, int64_t rows, int dim, DisjointSets& sets,
                               const PairScanOptions& options) {
  if (sets.size() < rows) throw std::invalid_argument("the sets do not cover the rows");
  PairScanReport report;
  if (rows < 2 || dim <= 0) return report;
  const int64_t tiles = (rows + kTileRows - 1) / kTileRows;
  int threads = options.threads > 0 ? options.threads : static_cast<int>(std::thread::hardware_concurrency());
  threads = static_cast<int>(std::clamp<int64_t>(threads, 1, tiles));
  // Tiles are handed out from the last (most rows before it: the most work) to the first.
  std::atomic<int64_t> nextTile{tiles - 1};
  std::atomic<bool> cancelled{false};
  std::mutex joinMutex;
  std::atomic<int64_t> pairs{0};
  const float threshold = options.threshold;

  auto work = [&] {
    std::vector<float> tile(static_cast<size_t>(dim) * kTileRows);
    std::vector<float> block(static_cast<size_t>(dim) * kBlock);
    float out[kBlock * kTileRows];
    std::vector<PairEdge> found;
    found.reserve(kPairBuffer);
    auto flush = [&] {
      if (found.empty()) return;
      std::lock_guard lock(joinMutex);
      for (const PairEdge& e : found) sets.join(e.a, e.b);
      pairs += static_cast<int64_t>(found.size());
      found.clear();
    };
    for (;;) {
      const int64_t t = nextTile.fetch_sub(1);
      if (t < 0) break;
      if (options.cancel && options.cancel->load()) {
        cancelled = true;
        break;
      }
      // Columns of the tile: rows j0..j1-1, zero-padded to kTileRows.
      const int64_t j0 = t * kTileRows, j1 = std::min(rows, j0 + kTileRows);
      std::fill(tile.begin(), tile.end(), 0.0f);
      for (int64_t j = j0; j < j1; ++j)
        for (int k = 0; k < dim; ++k) tile[static_cast<size_t>(k) * kTileRows + (j - j0)] = data[j * dim + k];
      // Every row before the tile's last one: each pair i < j is seen once.
      for (int64_t i0 = 0; i0 < j1; i0 += kBlock) {
        const int64_t n = std::min<int64_t>(kBlock, j1 - i0);
        const float* a = data + i0 * dim;
        if (n < kBlock) {
          std::fill(block.begin(), block.end(), 0.0f);
          std::memcpy(block.data(), a, static_cast<size_t>(n * dim) * sizeof(float));
          a = block.data();
        }
        dotBlock(a, dim, tile.data(), dim, out);
        for (int64_t r = 0; r < n; ++r)
          for (int64_t c = 0; c < j1 - j0; ++c) {
            if (i0 + r >= j0 + c || out[r * kTileRows + c] < threshold) continue;
            found.push_back({i0 + r, j0 + c});
            if (found.size() == kPairBuffer) flush();
          }
      }
      flush();
    }
    flush();
  };
  std::vector<std::thread> pool;
  for (int i = 1; i < threads; ++i) pool.emplace_back(work);
  work();
  for (auto& th : pool) th.join();
  report.pairs = pairs.load();
  report.cancelled = cancelled.load();
  return report;
}

namespace {

double dotOf(const float* a, const float* b, int dim) {
  double s = 0;
  for (int k = 0; k < dim; ++k) s += static_cast<double>(a[k]) * b[k];
  return s;
}

// Groups larger than this report the lowest cosine among their first kExactLimit photos (the
// exact minimum needs every pair).
constexpr int kExactLimit = 2000;

}  // namespace

DuplicateReport findDuplicates(LibraryDatabase& db, const QString& modelId, double threshold,
                               const std::atomic<bool>* cancel) {
  DuplicateReport report;
  report.model = modelId;
  if (report.model.isEmpty()) {
    const auto models = db.embeddingModels();
    if (!models.isEmpty()) report.model = models.front().first;
  }
  int dim = 0;
  std::vector<float> data;
  std::vector<LibraryDatabase::VectorRow> rows;
  if (!report.model.isEmpty()) rows = db.allEmbeddings(report.model, &dim, &data);
  report.vectors = static_cast<int64_t>(rows.size());

  // Rows: photos with a vector first (in the matrix's order), then photos known only by content.
  std::map<qint64, int64_t> rowOf;
  std::vector<qint64> photoOf;
  for (const auto& r : rows) {
    rowOf.emplace(r.photoId, static_cast<int64_t>(photoOf.size()));
    photoOf.push_back(r.photoId);
  }
  const auto sameContent = db.sameContentPairs();
  auto rowFor = [&](qint64 photoId) {
    const auto [it, added] = rowOf.emplace(photoId, static_cast<int64_t>(photoOf.size()));
    if (added) photoOf.push_back(photoId);
    return it->second;
  };
  std::vector<std::pair<int64_t, int64_t>> contentEdges;
  for (const auto& [a, b] : sameContent) contentEdges.push_back({rowFor(a), rowFor(b)});

  // Vector rows are the first rows of the sets.
  DisjointSets sets(static_cast<int64_t>(photoOf.size()));
  PairScanOptions o;
  o.threshold = static_cast<float>(threshold);
  o.cancel = cancel;
  if (joinSimilarRows(data.data(), report.vectors, dim, sets, o).cancelled) {
    report.cancelled = true;
    return report;
  }
  for (const auto& [a, b] : contentEdges) sets.join(a, b);

  std::map<int64_t, std::vector<int64_t>> members;
  for (int64_t i = 0; i < sets.size(); ++i) members[sets.find(i)].push_back(i);
  for (const auto& [root, group] : members) {
    if (group.size() < 2) continue;
    DuplicateGroup g;
    bool sameHash = true;
    std::vector<int64_t> kept;  // the row of each photo of g
    for (int64_t row : group) {
      const auto photo = db.photoById(photoOf[static_cast<size_t>(row)]);
      if (!photo) continue;
      DuplicatePhoto d;
      d.photoId = photo->id;
      d.path = photo->path;
      d.size = photo->size;
      d.dateMs = photo->takenAtMs.value_or(photo->mtimeMs);
      d.width = photo->width;
      d.height = photo->height;
      d.hash = photo->hash;
      d.offline = photo->status == PhotoStatus::Offline;
      if (!g.photos.isEmpty() && (d.hash.isEmpty() || d.hash != g.photos.front().hash)) sameHash = false;
      g.photos << d;
      kept.push_back(row);
    }
    if (g.photos.size() < 2) continue;
    g.exact = sameHash && !g.photos.front().hash.isEmpty();
    // The lowest cosine between two of its photos that have vectors and differ in content.
    const size_t limit = std::min<size_t>(kept.size(), kExactLimit);
    for (size_t x = 0; x < limit; ++x)
      for (size_t y = x + 1; y < limit; ++y) {
        const int64_t a = kept[x], b = kept[y];
        if (a >= report.vectors || b >= report.vectors) continue;
        const QString& ha = g.photos[static_cast<int>(x)].hash;
        if (!ha.isEmpty() && ha == g.photos[static_cast<int>(y)].hash) continue;
        g.similarity = std::min(g.similarity, dotOf(data.data() + a * dim, data.data() + b * dim, dim));
      }
    std::sort(g.photos.begin(), g.photos.end(),
              [](const DuplicatePhoto& p, const DuplicatePhoto& q) { return p.path < q.path; });
    report.groups << g;
  }
  std::sort(report.groups.begin(), report.groups.end(), [](const DuplicateGroup& a, const DuplicateGroup& b) {
    if (a.photos.size() != b.photos.size()) return a.photos.size() > b.photos.size();
    return a.photos.front().path < b.photos.front().path;
  });
  return report;
}

double sharpness(const QImage& image) {
  const QImage grey = image.convertToFormat(QImage::Format_Grayscale8);
  const int w = grey.width(), h = grey.height();
  if (w < 3 || h < 3) return 0.0;
  double sum = 0, sumSq = 0;
  for (int y = 1; y < h - 1; ++y) {
    const uchar* up = grey.constScanLine(y - 1);
    const uchar* row = grey.constScanLine(y);
    const uchar* down = grey.constScanLine(y + 1);
    for (int x = 1; x < w - 1; ++x) {
      const double l = up[x] + down[x] + row[x - 1] + row[x + 1] - 4.0 * row[x];
      sum += l;
      sumSq += l * l;
    }
  }
  const double n = static_cast<double>(w - 2) * (h - 2);
  return sumSq / n - (sum / n) * (sum / n);
}

TrashReport moveToTrash(LibraryDatabase& db, const QStringList& paths) {
  TrashReport report;
  for (const QString& path : paths) {
    const QFileInfo info(path);
    if (!info.exists() && !info.isSymLink()) {
      report.errors << QCoreApplication::translate("glimpse::library", "%1: the file is not there").arg(path);
      continue;
    }
    if (!info.isFile()) {
      report.errors << QCoreApplication::translate("glimpse::library", "%1: not a regular file").arg(path);
      continue;
    }
    QFile file(path);
    if (!file.moveToTrash()) {
      report.errors << QCoreApplication::translate("glimpse::library", "%1: could not be moved to the trash (%2)")
                           .arg(path, file.errorString());
      continue;
    }
    report.moved << path;
    // The specification: a deleted file's thumbnails go too (a restored file gets new ones).
    desktop::removeThumbnails(path);
    if (const auto photo = db.photoByPath(path)) db.deletePhoto(photo->id);
  }
  return report;
}

}  // namespace glimpse::library
