#pragma once
// The machine's limits, measured in the benchmark's own process so every figure can be given as
// a ratio to a bound taken under the same conditions.
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <benchmark/benchmark.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include <immintrin.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "blip.h"
#include "fp32_gemm.h"
#include "nn_layers.h"

namespace glimpse::bench {

namespace detail {
// GCC 12 reports its own _mm512_reduce_add_ps as possibly uninitialised.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
// Sum of n floats (n a multiple of 64, p 64-byte aligned) in vector loads with four independent
// accumulators: the loads, not the adds, are the limit. A scalar loop with four float chains was
// the reader before; it stopped at 45-55 GB/s on the development machine, where these loads read
// 85-99 GB/s (docs/performance.md, eighth round).
__attribute__((target("avx512f"))) inline float sumAvx512(const float* p, int64_t n) {
  __m512 a = _mm512_setzero_ps(), b = a, c = a, d = a;
  for (int64_t i = 0; i < n; i += 64) {
    a = _mm512_add_ps(a, _mm512_load_ps(p + i));
    b = _mm512_add_ps(b, _mm512_load_ps(p + i + 16));
    c = _mm512_add_ps(c, _mm512_load_ps(p + i + 32));
    d = _mm512_add_ps(d, _mm512_load_ps(p + i + 48));
  }
  return _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(a, b), _mm512_add_ps(c, d)));
}
#pragma GCC diagnostic pop
__attribute__((target("avx2"))) inline float sumAvx2(const float* p, int64_t n) {
  __m256 a = _mm256_setzero_ps(), b = a, c = a, d = a;
  for (int64_t i = 0; i < n; i += 32) {
    a = _mm256_add_ps(a, _mm256_load_ps(p + i));
    b = _mm256_add_ps(b, _mm256_load_ps(p + i + 8));
    c = _mm256_add_ps(c, _mm256_load_ps(p + i + 16));
    d = _mm256_add_ps(d, _mm256_load_ps(p + i + 24));
  }
  alignas(32) float out[8];
  _mm256_store_ps(out, _mm256_add_ps(_mm256_add_ps(a, b), _mm256_add_ps(c, d)));
  return out[0] + out[1] + out[2] + out[3] + out[4] + out[5] + out[6] + out[7];
}
inline float sumScalar(const float* p, int64_t n) {
  float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  for (int64_t i = 0; i < n; i += 4) {
    s0 += p[i];
    s1 += p[i + 1];
    s2 += p[i + 2];
    s3 += p[i + 3];
  }
  return s0 + s1 + s2 + s3;
}
}  // namespace detail

// A tensor of `elements` values of `type` on 2 MiB pages where the kernel gives them (advised
// before it is filled: at once, at a cost a benchmark's setup may pay).
inline at::Tensor onHugePages(int64_t elements, at::ScalarType type) {
  constexpr size_t kHuge = size_t{2} << 20;
  const size_t length = (static_cast<size_t>(elements) * c10::elementSize(type) + kHuge - 1) / kHuge * kHuge;
  void* p = std::aligned_alloc(kHuge, std::max(length, kHuge));
  if (!p) throw std::bad_alloc();
  madvise(p, std::max(length, kHuge), MADV_HUGEPAGE);
  return at::from_blob(
      p, {elements}, [](void* q) { std::free(q); }, at::TensorOptions().dtype(type));
}

// Anonymous memory of this process on transparent huge pages, in MiB (/proc/self/smaps_rollup).
inline double anonHugePagesMiB() {
  std::ifstream f("/proc/self/smaps_rollup");
  for (std::string line; std::getline(f, line);)
    if (line.rfind("AnonHugePages:", 0) == 0) return std::stod(line.substr(14)) / 1024.0;
  return 0;
}

constexpr int64_t kReadBlock = 64;  // floats per step of every reader: one 256-byte stretch

// Seconds of one read of `bytes` at p (64-byte aligned; whole 256-byte stretches, the rest left
// out) with all of torch's threads in the widest vector loads the CPU has. Any bytes will do: they
// are read as floats, whatever they hold.
inline double readSeconds(const void* p, size_t bytes) {
  static const auto sum = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") ? detail::sumAvx512
           : __builtin_cpu_supports("avx2")  ? detail::sumAvx2
                                             : detail::sumScalar;
  }();
  const auto* buf = static_cast<const float*>(p);
  const auto n = static_cast<int64_t>(bytes / sizeof(float) / kReadBlock * kReadBlock);
  const auto t0 = std::chrono::steady_clock::now();
  std::atomic<double> total{0};
  at::parallel_for(0, n / kReadBlock, 1 << 12, [&](int64_t b, int64_t e) {
    const double s = sum(buf + b * kReadBlock, (e - b) * kReadBlock);
    double cur = total.load();
    while (!total.compare_exchange_weak(cur, cur + s)) {
    }
  });
  benchmark::DoNotOptimize(total.load());
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// One buffer of `bytes` on 2 MiB pages where the kernel gives them (as the bf16 step's weights,
// nn_layers.h: a bound is the best read the machine does, not one slowed by 4 KiB pages' TLB
// misses), read as readSeconds reads.
class BandwidthReader {
 public:
  explicit BandwidthReader(size_t bytes)
      : n_(static_cast<int64_t>(bytes / sizeof(float) / kReadBlock * kReadBlock)), block_(onHugePages(n_, at::kFloat)) {
    float* buf = block_.data_ptr<float>();
    std::fill(buf, buf + n_, 1.0f);
  }
  size_t bytes() const { return static_cast<size_t>(n_) * sizeof(float); }
  // Seconds of one read of the whole buffer.
  double readSeconds() const { return bench::readSeconds(block_.data_ptr(), bytes()); }

 private:
  int64_t n_;
  at::Tensor block_;
};

// The middle value (the upper one of an even count); 0 for none.
inline double median(std::vector<double> v) {
  if (v.empty()) return 0.0;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
  return v[v.size() / 2];
}

// The process's one reader of `bytes`, made on first use and kept: benchmarks that read again
// between their runs (the captions' paired bound) share it with readBandwidth, so a size is
// allocated once. `huge_mib`: the 2 MiB pages its buffer took when made, for benchmarks that report
// the process's huge pages.
inline const BandwidthReader& sharedReader(size_t bytes, double* huge_mib = nullptr) {
  struct Made {
    std::unique_ptr<BandwidthReader> reader;
    double huge_mib = 0;
  };
  static std::map<size_t, Made> readers;
  Made& made = readers[bytes];
  if (!made.reader) {
    const double before = anonHugePagesMiB();
    made.reader = std::make_unique<BandwidthReader>(bytes);
    made.huge_mib = anonHugePagesMiB() - before;
  }
  if (huge_mib) *huge_mib = made.huge_mib;
  return *made.reader;
}

// Read bandwidth (bytes/s) over a buffer of `bytes`, read again and again (best of 5 reads after
// one warm-up pass), once per process and size. The default 1 GiB is main memory; a decoder step's
// weights (246 MB in bf16) are a smaller working set that the last-level cache (508 MiB on the
// tenth round's Xeon) may partly hold, so the decode bounds read a buffer of their size.
inline double readBandwidth(size_t bytes = size_t{1} << 30) {
  static std::map<size_t, double> cache;
  if (auto it = cache.find(bytes); it != cache.end()) return it->second;
  const BandwidthReader& reader = sharedReader(bytes);
  double best = 0;
  for (int rep = 0; rep < 6; ++rep) {
    const double sec = reader.readSeconds();
    if (rep > 0) best = std::max(best, static_cast<double>(reader.bytes()) / sec);  // round 0 warms up
  }
  return cache[bytes] = best;
}

namespace detail {

// The vision encoder's MLP product, [577 x 768] x [768 x 3072], one way of running it: libtorch's
// BLAS (at::mm into a preallocated output), oneDNN's sgemm, oneDNN's matmul on a weight packed
// once (packed_linear, the engine's path for linear layers when the first-use measurement picks
// it), or the engine's own linear layer in a precision (bfloat16 rows in the bf16 mode). Made on
// first use and kept, so every rate of one way below runs the same operands.
struct MlpProduct {
  enum class Way { Blas, Sgemm, Packed, Linear };
  static constexpr double kFlops = 2.0 * 577 * 768 * 3072;

  MlpProduct(Way way, blip::Precision p) : way(way) {
    a = at::randn({577, 768});
    w = at::randn({3072, 768}) * 0.02;
    switch (way) {
      case Way::Blas:
        b = w.t().contiguous();
        c = at::mm(a, b);
        break;
      case Way::Sgemm:
        available = blip::onednn_gemm_available();
        break;
      case Way::Packed:
        packed = blip::make_packed_weight(w, at::Tensor());
        available = packed != nullptr;
        break;
      case Way::Linear:
        linear = blip::Linear(768, 3072, /*with_bias=*/false);
        linear->weight.copy_(w);
        linear->set_precision(p);
        if (p == blip::Precision::BFloat16) a = a.to(at::kBFloat16);
        break;
    }
  }
  // One product; false when this way cannot run it here.
  bool run() {
    switch (way) {
      case Way::Blas:
        at::mm_out(c, a, b);
        return true;
      case Way::Sgemm:
        benchmark::DoNotOptimize(blip::fp32_linear(a, w, at::Tensor(), blip::Fp32Gemm::OneDnn));
        return true;
      case Way::Packed: {
        const at::Tensor y = blip::packed_linear(*packed, a, blip::Epilogue::None, at::Tensor());
        benchmark::DoNotOptimize(y);
        return y.defined();
      }
      case Way::Linear:
        benchmark::DoNotOptimize(linear->forward(a));
        return true;
    }
    return false;
  }
  // The best rate (FLOP/s) of `rounds` rounds of `per_round` products each, after `warmups` rounds
  // left out (the first packs and warms up); 0 when this way cannot run here.
  double bestRate(int rounds, int per_round, int warmups) {
    if (!available) return 0;
    double best = 0;
    for (int rep = 0; rep < warmups + rounds; ++rep) {
      const auto t0 = std::chrono::steady_clock::now();
      for (int k = 0; k < per_round; ++k)
        if (!run()) return 0;
      const double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      if (rep >= warmups) best = std::max(best, per_round * kFlops / sec);
    }
    return best;
  }

  Way way;
  bool available = true;
  at::Tensor a, w, b, c;
  std::shared_ptr<blip::PackedWeight> packed;
  blip::Linear linear{nullptr};
};

// The process's one product of each way (and, for the linear layer, precision).
inline MlpProduct& mlpProduct(MlpProduct::Way way, blip::Precision p = blip::Precision::Float32) {
  static std::map<std::pair<MlpProduct::Way, blip::Precision>, std::unique_ptr<MlpProduct>> products;
  auto& made = products[{way, way == MlpProduct::Way::Linear ? p : blip::Precision::Float32}];
  if (!made) made = std::make_unique<MlpProduct>(way, p);
  return *made;
}

// A rate of one way, measured once per process: the best of 10 rounds of 5 after one round left out.
inline double cachedMlpRate(MlpProduct::Way way, blip::Precision p = blip::Precision::Float32) {
  static std::map<std::pair<MlpProduct::Way, blip::Precision>, double> rates;
  const auto key = std::make_pair(way, p);
  if (auto it = rates.find(key); it != rates.end()) return it->second;
  return rates[key] = mlpProduct(way, p).bestRate(10, 5, 1);
}

// The fastest of the float32 ways, by their rates above.
inline MlpProduct::Way fastestFp32Way() {
  using Way = MlpProduct::Way;
  Way best = Way::Blas;
  for (const Way w : {Way::Sgemm, Way::Packed})
    if (cachedMlpRate(w) > cachedMlpRate(best)) best = w;
  return best;
}

}  // namespace detail

// float32 GEMM rate (FLOP/s) of one implementation on the encoder's MLP product: libtorch's BLAS
// or oneDNN's sgemm (0 when not built in).
inline double fp32GemmFlops(blip::Fp32Gemm g) {
  return detail::cachedMlpRate(g == blip::Fp32Gemm::Blas ? detail::MlpProduct::Way::Blas
                                                         : detail::MlpProduct::Way::Sgemm);
}

// The same product through oneDNN's matmul with the weight packed once; 0 without oneDNN.
inline double fp32PackedGemmFlops() {
  return detail::cachedMlpRate(detail::MlpProduct::Way::Packed);
}

// GEMM rate (FLOP/s) on that product: the compute bound of the vision encoder. fp32: the best of
// libtorch's BLAS, oneDNN's sgemm and oneDNN's matmul on a packed weight (all measured, whichever
// the engine chose); bf16 and int8: the engine's own linear layer in that mode (oneDNN), i.e. the
// fastest product that mode can use.
inline double gemmFlops(blip::Precision p = blip::Precision::Float32) {
  if (p == blip::Precision::Float32) return detail::cachedMlpRate(detail::fastestFp32Way());
  return detail::cachedMlpRate(detail::MlpProduct::Way::Linear, p);
}

// The GEMM rate of this minute: the product gemmFlops measures, through whichever way gave its
// best, `rounds` times right now, the best of them (FLOP/s). The encoder benchmarks take it beside
// each iteration: this machine's rate drifts 2-3x from one minute to the next (twenty-second
// round), so a bound measured once per process may come from another minute than the encode.
inline double gemmFlopsNow(blip::Precision p, int rounds = 3) {
  gemmFlops(p);  // the once-per-process rates first: they choose the way and warm it up
  const detail::MlpProduct::Way way =
      p == blip::Precision::Float32 ? detail::fastestFp32Way() : detail::MlpProduct::Way::Linear;
  return detail::mlpProduct(way, p).bestRate(rounds, 1, 0);
}

// The counters every encoder figure carries: both fp32 products, the engine's choice, the CPU's
// FMA peak (all measured in this process).
inline void addGemmCounters(benchmark::State& state) {
  state.counters["blas_GFLOPs"] = fp32GemmFlops(blip::Fp32Gemm::Blas) / 1e9;
  state.counters["onednn_GFLOPs"] = fp32GemmFlops(blip::Fp32Gemm::OneDnn) / 1e9;
  state.counters["packed_GFLOPs"] = fp32PackedGemmFlops() / 1e9;
  state.counters["chose_onednn"] = blip::fp32_gemm_choice().chosen == blip::Fp32Gemm::OneDnn ? 1 : 0;
  state.counters["chose_packed"] = blip::fp32_gemm_choice().packed ? 1 : 0;
  // What decided `packed`: the chosen and the packed product on an encoder MLP shape (first use).
  state.counters["choice_mlp_GFLOPs"] = blip::fp32_gemm_choice().mlp_gflops;
  state.counters["choice_packed_mlp_GFLOPs"] = blip::fp32_gemm_choice().packed_mlp_gflops;
  state.counters["fma_peak_GFLOPs"] = blip::fp32_gemm_choice().fma_peak_gflops;
}

inline void addPeakRss(benchmark::State& state) {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  state.counters["peak_rss_MiB"] = static_cast<double>(ru.ru_maxrss) / 1024.0;
}

// Minor page faults of this process so far. Per iteration they show what an operation costs in
// fresh pages: on a virtual machine each costs microseconds (docs/performance.md).
inline long minorFaults() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_minflt;
}

// main() of the benchmark programs: torch on every core, then Google Benchmark.
// Benchmarks link the engine, and with it libgomp, at start: when the process does not run with the
// OpenMP settings the app and glimpse-cli set before they load the engine (set_openmp_defaults), it
// starts again with them, so the figures are the ones users get. First thing in main().
inline void restartWithAppOpenMpSettings(char** argv) {
  if (blip::set_openmp_defaults()) execv("/proc/self/exe", argv);
}

inline int runBenchmarks(int argc, char** argv, void (*initThreads)()) {
  initThreads();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

}  // namespace glimpse::bench
