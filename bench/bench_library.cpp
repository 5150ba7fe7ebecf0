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
#include <random>

#include "blip.h"
#include "bounds.h"
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
    last = library::Indexer(db, model, library::IndexOptions{static_cast<int>(state.range(0)), 0}).run();
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
  QCoreApplication app(argc, argv);
  return bench::runBenchmarks(argc, argv, [] { blip::init_torch_threads(); });
}
