// Library benchmarks: vector search latency (10k / 100k / 1M vectors, text encode excluded and
// included) against the memory-bandwidth bound measured in the same process, index throughput
// on a generated folder with decode/model overlap, and peak RSS.
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <QCoreApplication>
#include <QDir>
#include <QImage>
#include <QPainter>
#include <QTemporaryDir>
#include <chrono>
#include <fstream>
#include <random>
#include <set>
#include <string>
#include <thread>

#include "blip.h"
#include "bounds.h"
#include "library/duplicates.h"
#include "library/indexer.h"
#include "library/librarydatabase.h"
#include "library/scanner.h"
#include "library/vectorindex.h"
#include "random_model.h"

using namespace glimpse;

namespace {

constexpr int kDim = 256;  // image_text_hidden_size of the released BLIP checkpoints

std::vector<float> randomVectors(int64_t rows, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> n;
  std::vector<float> v(static_cast<size_t>(rows) * kDim);
  for (int64_t r = 0; r < rows; ++r) {
    float* row = v.data() + r * kDim;
    double s = 0;
    for (int d = 0; d < kDim; ++d) {
      row[d] = n(rng);
      s += row[d] * row[d];
    }
    const float inv = static_cast<float>(1.0 / std::sqrt(s));
    for (int d = 0; d < kDim; ++d) row[d] *= inv;
  }
  return v;
}

using bench::addPeakRss;
using bench::readBandwidth;

void BM_VectorSearch(benchmark::State& state) {
  const int64_t rows = state.range(0);
  library::VectorIndex index(randomVectors(rows, 1), kDim);
  const auto query = randomVectors(1, 2);
  for (auto _ : state) benchmark::DoNotOptimize(index.topK(query, 20));
  const double bytes = static_cast<double>(rows) * kDim * sizeof(float);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
  state.counters["bound_ms"] = bytes / readBandwidth() * 1e3;  // reading the matrix once
  state.counters["read_GBps_bound"] = readBandwidth() / 1e9;
  addPeakRss(state);
}
BENCHMARK(BM_VectorSearch)->Arg(10'000)->Arg(100'000)->Arg(1'000'000)->Unit(benchmark::kMillisecond)->UseRealTime();

// Memory of this process from /proc/self/status (kB fields), in MiB; "VmHWM" is the peak.
double procStatusMiB(const std::string& field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(field + ":", 0) == 0) return std::stod(line.substr(field.size() + 1)) / 1024.0;
  return 0;
}

// Resets the peak RSS to the current RSS (Linux: /proc/self/clear_refs, "5").
void resetPeakRss() {
  std::ofstream("/proc/self/clear_refs") << "5";
}

// Near-duplicates over `rows` random unit vectors (256-d) with 20 planted groups of 2-4 near
// copies (cosine > 0.999): the blocked all-pairs scan plus union-find, on every core. The bound is
// the scan's FLOP count (rows^2 / 2 dot products of 256 multiply-adds) at the machine's float32
// GEMM rate measured in this run; memory is the peak RSS above the vectors themselves.
void BM_Duplicates(benchmark::State& state) {
  const int64_t rows = state.range(0);
  auto v = randomVectors(rows, 3);
  std::mt19937 rng(9);
  std::normal_distribution<float> noise(0.0f, 0.001f);
  std::set<std::set<int64_t>> planted;
  std::set<int64_t> used;  // every planted row is in one group only
  auto pick = [&] {
    int64_t r;
    do r = static_cast<int64_t>(rng() % static_cast<uint32_t>(rows));
    while (!used.insert(r).second);
    return r;
  };
  for (int g = 0; g < 20; ++g) {
    const int64_t from = pick();
    std::set<int64_t> group{from};
    for (int c = 0, n = 1 + g % 3; c < n; ++c) {
      const int64_t to = pick();
      for (int d = 0; d < kDim; ++d)
        v[static_cast<size_t>(to * kDim + d)] = v[static_cast<size_t>(from * kDim + d)] + noise(rng);
      group.insert(to);
    }
    planted.insert(group);
  }
  const double flops = static_cast<double>(rows) * static_cast<double>(rows - 1) / 2.0 * 2.0 * kDim;
  const double gemm = bench::gemmFlops();
  const double before = procStatusMiB("VmRSS");
  resetPeakRss();
  library::PairScanReport last;
  std::set<std::set<int64_t>> found;
  for (auto _ : state) {
    library::DisjointSets sets(rows);
    library::PairScanOptions o;
    o.threshold = static_cast<float>(library::kDuplicateThreshold);
    last = library::joinSimilarRows(v.data(), rows, kDim, sets, o);
    state.PauseTiming();
    std::map<int64_t, std::set<int64_t>> groups;
    for (int64_t i = 0; i < rows; ++i) groups[sets.find(i)].insert(i);
    found.clear();
    for (auto& [root, g] : groups)
      if (g.size() > 1) found.insert(g);
    state.ResumeTiming();
  }
  if (found != planted) state.SkipWithError("the groups found are not the planted ones");
  state.counters["groups"] = static_cast<double>(found.size());
  state.counters["pairs"] = static_cast<double>(last.pairs);
  state.counters["GFLOPs"] =
      benchmark::Counter(flops * static_cast<double>(state.iterations()) / 1e9, benchmark::Counter::kIsRate);
  state.counters["gemm_GFLOPs_bound"] = gemm / 1e9;
  state.counters["bound_s"] = flops / gemm;
  state.counters["vectors_MiB"] = static_cast<double>(v.size() * sizeof(float)) / (1 << 20);
  state.counters["peak_above_vectors_MiB"] = procStatusMiB("VmHWM") - before;
  // What the scan allocates: the union-find (two int64 per row) and per thread a transposed tile,
  // a block of rows and the pair buffer.
  state.counters["scan_alloc_MiB"] =
      (static_cast<double>(rows) * 16 +
       std::thread::hardware_concurrency() * (64.0 * kDim * 4 + 4.0 * kDim * 4 + 4096 * 16)) /
      (1 << 20);
  state.counters["threads"] = static_cast<double>(std::thread::hardware_concurrency());
}
BENCHMARK(BM_Duplicates)->Arg(10'000)->Arg(100'000)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);

std::shared_ptr<const blip::BlipModel> tinyRetrieval() {
  static std::shared_ptr<const blip::BlipModel> m =
      blip::BlipModel::load(std::filesystem::path(GLIMPSE_TEST_DATA_DIR) / "tiny");
  return m;
}

// A base-size retrieval model (random weights): BERT-base text encoder + 256-d projection.
const blip::BlipModel& baseRetrieval() {
  static auto m = blip::BlipModel::load(
      bench::randomBaseModel(std::filesystem::path(GLIMPSE_TEST_DATA_DIR) / "tiny", {blip::BlipHead::Retrieval}));
  return *m;
}

void BM_TextEncodeBase(benchmark::State& state) {
  const auto& model = baseRetrieval();
  for (auto _ : state) benchmark::DoNotOptimize(model.embed_texts({"kids on a beach at sunset"}, 35));
  addPeakRss(state);
}
BENCHMARK(BM_TextEncodeBase)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_SearchWithTextEncode(benchmark::State& state) {
  const int64_t rows = state.range(0);
  library::VectorIndex index(randomVectors(rows, 1), kDim);
  const auto& model = baseRetrieval();
  for (auto _ : state) {
    const auto q = model.embed_texts({"kids on a beach at sunset"}, 35).front();
    benchmark::DoNotOptimize(index.topK(q, 20));
  }
  addPeakRss(state);
}
BENCHMARK(BM_SearchWithTextEncode)
    ->Arg(10'000)
    ->Arg(100'000)
    ->Arg(1'000'000)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

QString makeFolder(QTemporaryDir& dir, int count) {
  const QString root = dir.filePath("photos");
  QDir().mkpath(root);
  std::mt19937 rng(5);
  for (int i = 0; i < count; ++i) {
    QImage img(640, 480, QImage::Format_RGB888);
    img.fill(QColor::fromHsv(static_cast<int>(rng() % 360), 160, 200));
    QPainter p(&img);
    for (int k = 0; k < 12; ++k) {
      p.setBrush(QColor::fromHsv(static_cast<int>(rng() % 360), 255, 255));
      p.drawEllipse(static_cast<int>(rng() % 640), static_cast<int>(rng() % 480), 40, 60);
    }
    p.end();
    img.save(root + QStringLiteral("/p_%1.jpg").arg(i, 4, 10, QLatin1Char('0')), "JPEG", 90);
  }
  return root;
}

// 200 generated 640x480 JPEGs with the tiny retrieval model: decode + preprocess on the pool
// overlap the batched vision model on the calling thread.
void BM_IndexFolder(benchmark::State& state) {
  QTemporaryDir dir;
  const QString root = makeFolder(dir, 200);
  const auto model = tinyRetrieval();
  library::IndexReport last;
  int run = 0;
  for (auto _ : state) {
    state.PauseTiming();
    const QString dbPath = dir.filePath(QStringLiteral("lib_%1.db").arg(run++));
    auto db = std::make_shared<library::LibraryDatabase>(dbPath);
    db->addFolder(root);
    library::Scanner(*db).scan();
    state.ResumeTiming();
    library::IndexOptions options;
    options.batchSize = static_cast<int>(state.range(0));
    last = library::Indexer(db, model, options).run();
  }
  state.counters["images_per_s"] = benchmark::Counter(200.0 * state.iterations(), benchmark::Counter::kIsRate);
  state.counters["decode_cpu_s"] = last.decodeSeconds;
  state.counters["model_s"] = last.modelSeconds;
  state.counters["waiting_for_decode_s"] = last.waitSeconds;
  state.counters["wall_s"] = last.seconds;
  // Serial time would be decode (on one thread) + model; the pipeline hides most of the decode.
  state.counters["serial_estimate_s"] = last.decodeSeconds + last.modelSeconds;
  addPeakRss(state);
}
BENCHMARK(BM_IndexFolder)->Arg(8)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);

}  // namespace

int main(int argc, char** argv) {
  bench::restartWithAppOpenMpSettings(argv);
  QCoreApplication app(argc, argv);
  return bench::runBenchmarks(argc, argv, [] { blip::init_torch_threads(); });
}
