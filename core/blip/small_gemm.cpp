#include "small_gemm.h"

#include <ATen/Parallel.h>
#include <ATen/record_function.h>
#include <immintrin.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "avx512_math.h"
#include "step_team.h"

namespace glimpse::blip {

namespace {
// The kernels below read their weights once, in one stream per thread; they ask for the line
// 4 KiB ahead of the one they load. Intel's stream prefetchers stop at every 4 KiB page, which
// the weights (4 KiB pages here) cross every 1-2 rows: on a Xeon (family 6 model 207) a bf16
// step's products went from 1.5-2.3x to 1.1-1.4x of the weight-bytes / read-bandwidth bound
// (docs/performance.md, tenth round). 2 and 8 KiB ahead were slower there.
constexpr int kPrefetchBytes = 4096;
// And into L2 further ahead: the L2's own streamer also stops at every 4 KiB, and L2 keeps more
// misses in flight than L1. On that Xeon, asking 16 KiB ahead into L2 as well took 9-13 % off
// the time of a bf16 step's products (one row or three, weights on 2 MiB pages) and 6-16 % off a
// float32 step's (docs/performance.md, fifteenth round).
constexpr int kPrefetchL2Bytes = 16384;

std::atomic<int> g_bf16_ahead{bf16_weights_ahead_fixed() >= 0 ? bf16_weights_ahead_fixed() : kWeightsAheadL1AndL2};

// Asks for the line kPrefetchBytes ahead of `p` into L1 only.
__attribute__((always_inline)) inline void prefetch_line_ahead_l1(const void* p) {
  _mm_prefetch(reinterpret_cast<const char*>(reinterpret_cast<uintptr_t>(p) + kPrefetchBytes), _MM_HINT_T0);
}

// Asks for the line at both distances ahead of `p`. The addresses are formed as integers: past the
// end of the weights or keys they name no object, and a prefetch never dereferences (or faults).
__attribute__((always_inline)) inline void prefetch_line_ahead(const void* p) {
  const auto at = reinterpret_cast<uintptr_t>(p);
  _mm_prefetch(reinterpret_cast<const char*>(at + kPrefetchBytes), _MM_HINT_T0);
  _mm_prefetch(reinterpret_cast<const char*>(at + kPrefetchL2Bytes), _MM_HINT_T1);
}

// Output columns [j0, j1) of every row: y[r, j] = sum_k x[r, k] * w[j, k] + b[j]. Each weight
// row is read once for all rows.
template <int Rows>
__attribute__((target("avx512f"))) void rows_f32(const float* x, int64_t k, const float* w, const float* b, float* y,
                                                 int64_t n, int64_t j0, int64_t j1) {
  const int64_t kv = k / 16 * 16;
  const __mmask16 tail = static_cast<__mmask16>((1u << (k - kv)) - 1);
  for (int64_t j = j0; j < j1; ++j) {
    const float* wr = w + j * k;
    __m512 acc[Rows], acc2[Rows];
#pragma GCC unroll 4
    for (int r = 0; r < Rows; ++r) acc[r] = acc2[r] = _mm512_set1_ps(0.0f);
    int64_t i = 0;
    for (; i + 32 <= kv; i += 32) {  // two accumulators per row hide the FMA latency
      prefetch_line_ahead(wr + i);
      prefetch_line_ahead(wr + i + 16);
      const __m512 w0 = _mm512_loadu_ps(wr + i), w1 = _mm512_loadu_ps(wr + i + 16);
#pragma GCC unroll 4
      for (int r = 0; r < Rows; ++r) {
        acc[r] = _mm512_fmadd_ps(w0, _mm512_loadu_ps(x + r * k + i), acc[r]);
        acc2[r] = _mm512_fmadd_ps(w1, _mm512_loadu_ps(x + r * k + i + 16), acc2[r]);
      }
    }
    for (; i < kv; i += 16) {
      const __m512 w0 = _mm512_loadu_ps(wr + i);
#pragma GCC unroll 4
      for (int r = 0; r < Rows; ++r) acc[r] = _mm512_fmadd_ps(w0, _mm512_loadu_ps(x + r * k + i), acc[r]);
    }
    if (tail) {
      const __m512 w0 = _mm512_maskz_loadu_ps(tail, wr + kv);
#pragma GCC unroll 4
      for (int r = 0; r < Rows; ++r) acc[r] = _mm512_fmadd_ps(w0, _mm512_maskz_loadu_ps(tail, x + r * k + kv), acc[r]);
    }
    const float bj = b ? b[j] : 0.0f;
#pragma GCC unroll 4
    for (int r = 0; r < Rows; ++r) y[r * n + j] = _mm512_reduce_add_ps(_mm512_add_ps(acc[r], acc2[r])) + bj;
  }
}

// The same with bfloat16 weights in tiles (small_gemm.h: four output columns side by side, 32
// values of each a line) and the rows rounded to bfloat16 (xb), products summed in float32. The
// tiles are one stream of lines, and each load of a row's 32 values serves the four columns. Rows
// of weights read one at a time had to load each row's values again for every column: from cache
// three rows took 5.1 TSC ticks a weight line on an AMD EPYC (family 25 model 17), tiled 2.6; and
// reading four weight rows side by side in the plain layout (four streams) was slower from memory
// than one (docs/performance.md, seventeenth round). Columns [4 * t0, 4 * t1) of every row, those
// below n stored.
// Group by group, chunk by chunk of lines, as the tiles lie: a tile's sums of one chunk wait in
// `part` for its next chunk (the same additions in the same order as one pass over the tile).
template <int Rows, int Ahead>
__attribute__((target("avx512f,avx512bw,avx512bf16"))) void tiles_bf16(const uint16_t* xb, int64_t k, const uint16_t* w,
                                                                       const float* b, float* y, int64_t n, int64_t t0,
                                                                       int64_t t1) {
  const int64_t lines = bf16_tile_lines(k), full = k / kTileDepth, tiles = (n + kTileColumns - 1) / kTileColumns;
  const __mmask32 tail = static_cast<__mmask32>((1ull << (k - full * kTileDepth)) - 1);
  __m512 part[kTileGroup][kTileColumns][Rows];
  for (int64_t g0 = t0; g0 < t1;) {
    const int64_t group = g0 / kTileGroup * kTileGroup, group_tiles = std::min(kTileGroup, tiles - group);
    const int64_t g1 = std::min(t1, group + group_tiles);
    for (int64_t l0 = 0; l0 < lines; l0 += kTileChunkLines) {
      const int64_t l1 = std::min(lines, l0 + kTileChunkLines);
      for (int64_t t = g0; t < g1; ++t) {
        const uint16_t* wt = w + bf16_tile_line(t, l0, tiles, lines);
        __m512(&held)[kTileColumns][Rows] = part[t - group];
        __m512 acc[kTileColumns][Rows];
#pragma GCC unroll 4
        for (int c = 0; c < kTileColumns; ++c)
#pragma GCC unroll 4
          for (int r = 0; r < Rows; ++r) acc[c][r] = l0 == 0 ? _mm512_setzero_ps() : held[c][r];
        for (int64_t l = l0; l < l1; ++l) {
          const uint16_t* wl = wt + (l - l0) * kTileColumns * kTileDepth;
          // every line (one of the four was slower than none on the EPYC)
          if (Ahead == kWeightsAheadL1AndL2) {
#pragma GCC unroll 4
            for (int c = 0; c < kTileColumns; ++c) prefetch_line_ahead(wl + c * kTileDepth);
          } else if (Ahead == kWeightsAheadL1) {
#pragma GCC unroll 4
            for (int c = 0; c < kTileColumns; ++c) prefetch_line_ahead_l1(wl + c * kTileDepth);
          }
          // the last line's values past k masked (the padding's weights are zeros)
          const __mmask32 mask = l < full ? ~__mmask32{0} : tail;
          __m512bh xv[Rows];
#pragma GCC unroll 4
          for (int r = 0; r < Rows; ++r) xv[r] = (__m512bh)_mm512_maskz_loadu_epi16(mask, xb + r * k + l * kTileDepth);
#pragma GCC unroll 4
          for (int c = 0; c < kTileColumns; ++c) {
            // kept in a register: GCC 12 would otherwise load the weight line again for every row
            __m512i wi = _mm512_loadu_si512(wl + c * kTileDepth);
            __asm__("" : "+v"(wi));
#pragma GCC unroll 4
            for (int r = 0; r < Rows; ++r) acc[c][r] = _mm512_dpbf16_ps(acc[c][r], (__m512bh)wi, xv[r]);
          }
        }
        if (l1 < lines) {  // more chunks to come
#pragma GCC unroll 4
          for (int c = 0; c < kTileColumns; ++c)
#pragma GCC unroll 4
            for (int r = 0; r < Rows; ++r) held[c][r] = acc[c][r];
          continue;
        }
#pragma GCC unroll 4
        for (int c = 0; c < kTileColumns; ++c) {
          const int64_t j = t * kTileColumns + c;
          if (j >= n) break;
          const float bj = b ? b[j] : 0.0f;
#pragma GCC unroll 4
          for (int r = 0; r < Rows; ++r) y[r * n + j] = _mm512_reduce_add_ps(acc[c][r]) + bj;
        }
      }
    }
    g0 = g1;
  }
}

// float32 to bfloat16, to nearest with ties to even (vcvtneps2bf16), as libtorch's x.to(kBFloat16)
// and oneDNN round; NaN stays NaN.
__attribute__((target("avx512f,avx512bw,avx512bf16"))) void round_to_bf16(const float* x, int64_t n, uint16_t* out) {
  int64_t i = 0;
  for (; i + 16 <= n; i += 16)
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i),
                        reinterpret_cast<__m256i>(_mm512_cvtneps_pbh(_mm512_loadu_ps(x + i))));
  if (i < n) {
    const auto m = static_cast<__mmask16>((1u << (n - i)) - 1);
    uint16_t last[16];
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(last),
                        reinterpret_cast<__m256i>(_mm512_cvtneps_pbh(_mm512_maskz_loadu_ps(m, x + i))));
    std::memcpy(out + i, last, static_cast<size_t>(n - i) * sizeof(uint16_t));
  }
}

// Rows of a weight as contiguous bfloat16 (float32 rounded as weight.to(kBFloat16) rounds).
at::Tensor to_bf16_rows(const at::Tensor& w) {
  return (w.scalar_type() == at::kBFloat16 ? w : w.to(at::kBFloat16)).contiguous();
}

// Enough output columns per task that a task reads ~64 KiB of weights.
int64_t grain(int64_t k, int64_t item_size) {
  return std::max<int64_t>(16, (64 << 10) / std::max<int64_t>(1, k * item_size));
}

}  // namespace

int bf16_weights_ahead_fixed() {
  static const int fixed = environment_switch("GLIMPSE_STEP_AHEAD", kWeightsAheadL1AndL2);
  return fixed;
}

void set_bf16_weights_ahead(int level) {
  TORCH_CHECK(level >= kWeightsAheadNone && level <= kWeightsAheadL1AndL2,
              "set_bf16_weights_ahead: a level of 0, 1 or 2");
  g_bf16_ahead = level;
}

int bf16_weights_ahead() {
  return g_bf16_ahead;
}

bool small_gemm_available(at::ScalarType weight_type) {
  static const bool f32 = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") != 0;
  }();
  return weight_type == at::kFloat ? f32 : weight_type == at::kBFloat16 ? avx512::cpu_has_bf16() : false;
}

namespace {
// GELU in place on y[r * n + j] for every row r < m and column j in [j0, j1).
__attribute__((target("avx512f"))) void gelu_columns(float* y, int64_t m, int64_t n, int64_t j0, int64_t j1) {
  for (int64_t r = 0; r < m; ++r) {
    float* row = y + r * n;
    int64_t j = j0;
    for (; j + 16 <= j1; j += 16) _mm512_storeu_ps(row + j, avx512::gelu(_mm512_loadu_ps(row + j)));
    if (j < j1) {
      const auto m16 = static_cast<__mmask16>((1u << (j1 - j)) - 1);
      _mm512_mask_storeu_ps(row + j, m16, avx512::gelu(_mm512_maskz_loadu_ps(m16, row + j)));
    }
  }
}
}  // namespace

void small_rows_product(const float* x, int64_t m, int64_t k, const void* weight, at::ScalarType weight_type, int64_t n,
                        const float* bias, float* y, bool gelu) {
  TORCH_CHECK(m >= 0 && m <= kSmallGemmMaxRows && k > 0 && n >= 0, "small_rows_product: bad shape");
  if (m == 0 || n == 0) return;
  // Output columns (bfloat16: tiles of them) split across threads, each task reading ~64 KiB of
  // weights; the rows in groups of at most four per kernel call.
  if (weight_type == at::kFloat) {
    using Kernel = decltype(&rows_f32<1>);
    static constexpr std::array<Kernel, 4> kernels{rows_f32<1>, rows_f32<2>, rows_f32<3>, rows_f32<4>};
    const auto* wp = static_cast<const float*>(weight);
    step_parallel_for(
        0, n, grain(k, 4),
        [&](int64_t j0, int64_t j1) {
          for (int64_t r0 = 0; r0 < m; r0 += 4)
            kernels[static_cast<size_t>(std::min<int64_t>(4, m - r0) - 1)](x + r0 * k, k, wp, bias, y + r0 * n, n, j0,
                                                                           j1);
          if (gelu) gelu_columns(y, m, n, j0, j1);
        },
        StepReads{wp, k * 4});
  } else {
    TORCH_CHECK(weight_type == at::kBFloat16, "small_rows_linear: weight must be float32 or bfloat16");
    // The rows rounded to bfloat16 in a buffer of this thread, not a tensor: a decoder step makes
    // 74 of these, and x.to() is four ATen calls each. Cache-line aligned: the kernel's 64-byte
    // loads of the rows would otherwise each touch two lines (3-row steps ran 30 % slower).
    struct alignas(64) Line {
      uint16_t v[32];
    };
    thread_local std::vector<Line> lines;
    lines.resize(static_cast<size_t>((m * k + 31) / 32));
    auto* xb = reinterpret_cast<uint16_t*>(lines.data());
    round_to_bf16(x, m * k, xb);
    using Kernel = decltype(&tiles_bf16<1, kWeightsAheadNone>);
    using Kernels = std::array<Kernel, 4>;
    // by bf16_weights_ahead(), then by rows
    static constexpr std::array<Kernels, 3> by_level{
        Kernels{tiles_bf16<1, kWeightsAheadNone>, tiles_bf16<2, kWeightsAheadNone>, tiles_bf16<3, kWeightsAheadNone>,
                tiles_bf16<4, kWeightsAheadNone>},
        Kernels{tiles_bf16<1, kWeightsAheadL1>, tiles_bf16<2, kWeightsAheadL1>, tiles_bf16<3, kWeightsAheadL1>,
                tiles_bf16<4, kWeightsAheadL1>},
        Kernels{tiles_bf16<1, kWeightsAheadL1AndL2>, tiles_bf16<2, kWeightsAheadL1AndL2>,
                tiles_bf16<3, kWeightsAheadL1AndL2>, tiles_bf16<4, kWeightsAheadL1AndL2>}};
    const auto& kernels = by_level[static_cast<size_t>(g_bf16_ahead.load(std::memory_order_relaxed))];
    const auto* wp = static_cast<const uint16_t*>(weight);
    const int64_t tile_bytes = bf16_tile_elements(kTileColumns, k) * 2;
    // (where a tile has several chunks, pieces of whole groups, so that parts that start on a group
    // are read in one stream; a part that starts inside a group, as a split over another number
    // of threads may cut it, is read right, in more streams, and the team's read-ahead hint
    // (tile t at t * tile_bytes) then names some of the neighbours' lines)
    int64_t tiles_per_task = std::max<int64_t>(4, (64 << 10) / tile_bytes);
    if (bf16_tile_lines(k) > kTileChunkLines)
      tiles_per_task = (tiles_per_task + kTileGroup - 1) / kTileGroup * kTileGroup;
    step_parallel_for(
        0, (n + kTileColumns - 1) / kTileColumns, tiles_per_task,
        [&](int64_t t0, int64_t t1) {
          for (int64_t r0 = 0; r0 < m; r0 += 4)
            kernels[static_cast<size_t>(std::min<int64_t>(4, m - r0) - 1)](xb + r0 * k, k, wp, bias, y + r0 * n, n, t0,
                                                                           t1);
          if (gelu) gelu_columns(y, m, n, t0 * kTileColumns, std::min(n, t1 * kTileColumns));
        },
        // balanced: the two threads of an AMD EPYC (family 25 model 17) read their halves at
        // different speeds, one idle 0.1-0.4 ms a step waiting for the other; beam-3 steps
        // 1-4 % faster, one-row steps the same (float32 products: no gain measured)
        StepReads{wp, tile_bytes}, /*balanced=*/true);
  }
}

void write_bf16_tiles(const at::Tensor& weight, const at::Tensor& dest) {
  TORCH_CHECK(weight.dim() == 2 && (weight.scalar_type() == at::kFloat || weight.scalar_type() == at::kBFloat16),
              "write_bf16_tiles: weight must be a float32 or bfloat16 matrix");
  const int64_t n = weight.size(0), k = weight.size(1);
  TORCH_CHECK(dest.scalar_type() == at::kBFloat16 && dest.is_contiguous() && dest.numel() == bf16_tile_elements(n, k),
              "write_bf16_tiles: dest must be contiguous bfloat16 of the tiles' size");
  const int64_t lines = bf16_tile_lines(k), tiles = (n + kTileColumns - 1) / kTileColumns;
  auto* out = static_cast<uint16_t*>(dest.data_ptr());
  // 64 tiles at a time rounded into a small buffer (a plain bfloat16 copy of the whole weight at
  // once would raise the peak memory of a bf16 load: the LM head's alone is 47 MB)
  constexpr int64_t kBlock = 64;
  at::parallel_for(0, (tiles + kBlock - 1) / kBlock, 1, [&](int64_t b0, int64_t b1) {
    for (int64_t block = b0; block < b1; ++block) {
      const int64_t t0 = block * kBlock, t1 = std::min(tiles, t0 + kBlock), first = t0 * kTileColumns;
      const at::Tensor rows = to_bf16_rows(weight.narrow(0, first, std::min(n, t1 * kTileColumns) - first));
      const auto* plain = static_cast<const uint16_t*>(rows.data_ptr());
      for (int64_t t = t0; t < t1; ++t)
        for (int64_t l = 0; l < lines; ++l) {
          uint16_t* line = out + bf16_tile_line(t, l, tiles, lines);
          std::fill(line, line + kTileColumns * kTileDepth, uint16_t{0});
          for (int64_t j = t * kTileColumns; j < std::min(n, (t + 1) * kTileColumns); ++j)
            std::memcpy(line + j % kTileColumns * kTileDepth, plain + (j - first) * k + l * kTileDepth,
                        static_cast<size_t>(std::min(kTileDepth, k - l * kTileDepth)) * sizeof(uint16_t));
        }
    }
  });
}

Bf16Tiles bf16_tiles(const at::Tensor& weight) {
  TORCH_CHECK(weight.dim() == 2, "bf16_tiles: weight must be a matrix");
  Bf16Tiles tiles{at::empty({bf16_tile_elements(weight.size(0), weight.size(1))}, at::kBFloat16), weight.size(0),
                  weight.size(1)};
  write_bf16_tiles(weight, tiles.data);
  return tiles;
}

at::Tensor bf16_untiled(const Bf16Tiles& tiles) {
  const int64_t n = tiles.n, k = tiles.k, lines = bf16_tile_lines(k), count = (n + kTileColumns - 1) / kTileColumns;
  TORCH_CHECK(tiles.defined() && tiles.data.is_contiguous() && tiles.data.numel() == bf16_tile_elements(n, k),
              "bf16_untiled: not the tiles of an [n, k] weight");
  at::Tensor plain = at::empty({n, k}, at::kBFloat16);
  const auto* in = static_cast<const uint16_t*>(tiles.data.data_ptr());
  auto* out = static_cast<uint16_t*>(plain.data_ptr());
  at::parallel_for(0, n, 64, [&](int64_t j0, int64_t j1) {
    for (int64_t j = j0; j < j1; ++j)
      for (int64_t l = 0; l < lines; ++l)
        std::memcpy(out + j * k + l * kTileDepth,
                    in + bf16_tile_line(j / kTileColumns, l, count, lines) + j % kTileColumns * kTileDepth,
                    static_cast<size_t>(std::min(kTileDepth, k - l * kTileDepth)) * sizeof(uint16_t));
  });
  return plain;
}

namespace {
at::Tensor rows_linear(const at::Tensor& x, const void* weight, at::ScalarType type, int64_t n, int64_t k,
                       const at::Tensor& bias, bool gelu) {
  RECORD_FUNCTION("glimpse::small_rows_linear", std::vector<c10::IValue>());
  const int64_t m = x.numel() / k;
  TORCH_CHECK(x.scalar_type() == at::kFloat && x.is_contiguous() && x.size(-1) == k, "small_rows_linear: bad input");
  TORCH_CHECK(!bias.defined() || (bias.scalar_type() == at::kFloat && bias.numel() == n),
              "small_rows_linear: bad bias");
  auto shape = x.sizes().vec();
  shape.back() = n;
  at::Tensor y = at::empty(shape, x.options());
  const at::Tensor bc = bias.defined() ? bias.contiguous() : bias;
  for (int64_t r0 = 0; r0 < m; r0 += kSmallGemmMaxRows)  // more rows: kSmallGemmMaxRows at a time
    small_rows_product(x.data_ptr<float>() + r0 * k, std::min(kSmallGemmMaxRows, m - r0), k, weight, type, n,
                       bc.defined() ? bc.data_ptr<float>() : nullptr, y.data_ptr<float>() + r0 * n, gelu);
  return y;
}
}  // namespace

at::Tensor small_rows_linear(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias, bool gelu) {
  TORCH_CHECK(weight.dim() == 2 && weight.is_contiguous(), "small_rows_linear: bad weight");
  if (weight.scalar_type() == at::kBFloat16) return small_rows_linear(x, bf16_tiles(weight), bias, gelu);
  return rows_linear(x, weight.data_ptr(), weight.scalar_type(), weight.size(0), weight.size(1), bias, gelu);
}

at::Tensor small_rows_linear(const at::Tensor& x, const Bf16Tiles& weight, const at::Tensor& bias, bool gelu) {
  TORCH_CHECK(weight.defined() && weight.data.is_contiguous() && weight.data.scalar_type() == at::kBFloat16 &&
                  weight.data.numel() == bf16_tile_elements(weight.n, weight.k),
              "small_rows_linear: bad weight tiles");
  return rows_linear(x, weight.data.data_ptr(), at::kBFloat16, weight.n, weight.k, bias, gelu);
}

namespace {

// Keys and values are float32, or bfloat16 (the bf16 mode's cross-attention cache: its products
// give bfloat16, so widening it once for the cache changed no value and doubled what every step
// reads).
inline float widen(float x) {
  return x;
}
inline float widen(uint16_t x) {
  const uint32_t bits = static_cast<uint32_t>(x) << 16;
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

// One (batch, head) of small_attention. Generic: any head size, in plain loops.
template <typename KV>
void attend_generic(const float* qi, const KV* kb, int64_t ks, const KV* vb, int64_t vs, const float* mi, int64_t S,
                    int64_t D, float div, float* p, float* oi) {
  float mx = -INFINITY;
  for (int64_t s = 0; s < S; ++s) {
    float dot = 0.0f;
    for (int64_t d = 0; d < D; ++d) dot += qi[d] * widen(kb[s * ks + d]);
    p[s] = dot / div + (mi ? mi[s] : 0.0f);
    mx = std::max(mx, p[s]);
  }
  float sum = 0.0f;
  for (int64_t s = 0; s < S; ++s) sum += (p[s] = std::exp(p[s] - mx));
  for (int64_t d = 0; d < D; ++d) oi[d] = 0.0f;
  for (int64_t s = 0; s < S; ++s) {
    const float w = p[s] / sum;
    for (int64_t d = 0; d < D; ++d) oi[d] += w * widen(vb[s * vs + d]);
  }
}

__attribute__((target("avx512f"))) inline __m512 load16(const float* x) {
  return _mm512_loadu_ps(x);
}
__attribute__((target("avx512f"))) inline __m512 load16(const uint16_t* x) {
  const __m512i wide = _mm512_cvtepu16_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(x)));
  return _mm512_castsi512_ps(_mm512_slli_epi32(wide, 16));
}

// The same for head sizes of 16 to 128 in steps of 16 (BLIP's 64), in AVX-512 registers.
template <typename KV>
__attribute__((target("avx512f"))) void attend_avx512(const float* qi, const KV* kb, int64_t ks, const KV* vb,
                                                      int64_t vs, const float* mi, int64_t S, int64_t D, float div,
                                                      float* p, float* oi) {
  const int64_t nv = D / 16;
  __m512 qv[8], acc[8];
  for (int64_t c = 0; c < nv; ++c) qv[c] = _mm512_loadu_ps(qi + 16 * c);
  float mx = -INFINITY;
  for (int64_t s = 0; s < S; ++s) {
    const KV* kr = kb + s * ks;
    __m512 dot = _mm512_mul_ps(qv[0], load16(kr));
    for (int64_t c = 1; c < nv; ++c) dot = _mm512_fmadd_ps(qv[c], load16(kr + 16 * c), dot);
    p[s] = _mm512_reduce_add_ps(dot) / div + (mi ? mi[s] : 0.0f);
    mx = std::max(mx, p[s]);
  }
  float sum = 0.0f;
  for (int64_t s = 0; s < S; ++s) sum += (p[s] = std::exp(p[s] - mx));
  for (int64_t c = 0; c < nv; ++c) acc[c] = _mm512_set1_ps(0.0f);
  for (int64_t s = 0; s < S; ++s) {
    const __m512 w = _mm512_set1_ps(p[s] / sum);
    const KV* vr = vb + s * vs;
    for (int64_t c = 0; c < nv; ++c) acc[c] = _mm512_fmadd_ps(w, load16(vr + 16 * c), acc[c]);
  }
  for (int64_t c = 0; c < nv; ++c) _mm512_storeu_ps(oi + 16 * c, acc[c]);
}

// Head size 64 (BLIP's), all Lq query rows of one (batch, head) at once. Each 64-value key or
// value row is read as two 32-value halves split into even and odd positions (bfloat16: a shift
// and a mask; float32: two permutes), so a bfloat16 row widens in two instructions per half and
// both types give the same sums in the same order. Scores go 16 keys at a time into one vector
// (sum16), the softmax runs on vectors, and each value row is read once for all query rows.
template <typename KV>
struct EvenOdd;
template <>
struct EvenOdd<uint16_t> {
  __attribute__((target("avx512f"))) static void load(const uint16_t* p, __m512& even, __m512& odd) {
    const __m512i x = _mm512_loadu_si512(p);
    even = _mm512_castsi512_ps(_mm512_slli_epi32(x, 16));
    odd = _mm512_castsi512_ps(_mm512_and_si512(x, _mm512_set1_epi32(static_cast<int>(0xFFFF0000u))));
  }
};
template <>
struct EvenOdd<float> {
  __attribute__((target("avx512f"))) static void load(const float* p, __m512& even, __m512& odd) {
    const __m512 a = _mm512_loadu_ps(p), b = _mm512_loadu_ps(p + 16);
    even = _mm512_permutex2var_ps(a, _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30), b);
    odd = _mm512_permutex2var_ps(a, _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31), b);
  }
};

// Rows of 64 as four vectors: even and odd positions of each half.
template <typename T>
__attribute__((target("avx512f"))) inline void load64(const T* p, __m512 (&v)[4]) {
  EvenOdd<T>::load(p, v[0], v[1]);
  EvenOdd<T>::load(p + 32, v[2], v[3]);
}

// Asks for the lines of a key or value row as far ahead as the products ask for their weights,
// where a head's keys are a long stream (`ahead`: at least kPrefetchL2Bytes of them). The
// cross-attention's are (577 image positions: bf16, 1.8 MB a layer, 21 MB a step, head after
// head); a caption's self-attention cache is not, until its caption grows long. On the Xeon of the
// fifteenth round a step's cross-attentions from memory took 0.84-0.93 ms instead of 1.14-1.37
// (one row) and 1.53-1.56 instead of 1.94-2.08 (three), bound 0.65-0.74 ms (docs/performance.md).
template <typename T>
__attribute__((always_inline)) inline void prefetch_row_ahead(const T* row, bool ahead) {
  if (!ahead) return;
  const auto at = reinterpret_cast<uintptr_t>(row);
  for (uintptr_t line = 0; line < 64 * sizeof(T); line += 64)
    prefetch_line_ahead(reinterpret_cast<const void*>(at + line));
}

// Scores of one query row (qv, even/odd halves) against N keys from kb (N = 16, or n < 16 when
// N is 0: the rest padded with zero dot products), divided by div, plus the mask row mi if any,
// stored at pi. The 16 dot products stay in registers: N is known at compile time for full blocks.
template <typename KV, int N>
__attribute__((target("avx512f"))) inline void score16(const __m512 (&qv)[4], const KV* kb, int64_t ks, __m512 div,
                                                       const float* mi, float* pi, bool ahead, int64_t n = 16) {
  __m512 dots[16];
#pragma GCC unroll 16
  for (int t = 0; t < 16; ++t) {
    if (N == 0 && t >= n) {
      dots[t] = _mm512_setzero_ps();
      continue;
    }
    __m512 kv[4];
    prefetch_row_ahead(kb + t * ks, ahead);
    load64(kb + t * ks, kv);
    __m512 d = _mm512_mul_ps(qv[0], kv[0]);
    d = _mm512_fmadd_ps(qv[1], kv[1], d);
    d = _mm512_fmadd_ps(qv[2], kv[2], d);
    dots[t] = _mm512_fmadd_ps(qv[3], kv[3], d);
  }
  const auto m = static_cast<__mmask16>(N == 16 ? 0xFFFFu : (1u << n) - 1);
  __m512 sc = _mm512_div_ps(avx512::sum16(dots), div);
  if (mi) sc = _mm512_add_ps(sc, _mm512_maskz_loadu_ps(m, mi));
  _mm512_mask_storeu_ps(pi, m, sc);
}

// acc[r] += p[r * S] * v for one value row v (R query rows).
template <typename KV, int R>
__attribute__((target("avx512f"))) inline void weigh_value_row(__m512 (&acc)[R][4], const float* p, int64_t S,
                                                               const KV* v, bool ahead) {
  __m512 vv[4];
  prefetch_row_ahead(v, ahead);
  load64(v, vv);
#pragma GCC unroll 4
  for (int r = 0; r < R; ++r) {
    const __m512 w = _mm512_set1_ps(p[r * S]);
#pragma GCC unroll 4
    for (int c = 0; c < 4; ++c) acc[r][c] = _mm512_fmadd_ps(w, vv[c], acc[r][c]);
  }
}

// out[r * os] = sum over s of p[r * S + s] * v[s] for R query rows, the R x 4 sums in registers
// (a row count known at compile time: with a runtime one they went through the stack at every
// key), then back from even/odd positions to the row's order.
template <typename KV, int R>
__attribute__((target("avx512f"))) void weigh_values(const float* p, int64_t S, const KV* vb, int64_t vs, float* out,
                                                     int64_t os, bool ahead) {
  __m512 acc[R][4];
#pragma GCC unroll 4
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 4
    for (int c = 0; c < 4; ++c) acc[r][c] = _mm512_setzero_ps();
  for (int64_t s = 0; s < S; ++s) weigh_value_row<KV, R>(acc, p + s, S, vb + s * vs, ahead);
  const __m512i lo = _mm512_setr_epi32(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
  const __m512i hi = _mm512_setr_epi32(8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
#pragma GCC unroll 4
  for (int r = 0; r < R; ++r) {
    float* o = out + r * os;
    const __m512(&a)[4] = acc[r];
    _mm512_storeu_ps(o, _mm512_permutex2var_ps(a[0], lo, a[1]));
    _mm512_storeu_ps(o + 16, _mm512_permutex2var_ps(a[0], hi, a[1]));
    _mm512_storeu_ps(o + 32, _mm512_permutex2var_ps(a[2], lo, a[3]));
    _mm512_storeu_ps(o + 48, _mm512_permutex2var_ps(a[2], hi, a[3]));
  }
}

template <typename KV>
__attribute__((target("avx512f"))) void attend64(const float* q, int64_t qs, int64_t lq, const KV* kb, int64_t ks,
                                                 const KV* vb, int64_t vs, const float* mask, int64_t S, float div,
                                                 float* p, float* out, int64_t os) {
  const int64_t full = S / 16 * 16;
  const auto tail = static_cast<__mmask16>((1u << (S - full)) - 1);
  const __m512 vdiv = _mm512_set1_ps(div);
  const bool ahead = S * ks * static_cast<int64_t>(sizeof(KV)) >= kPrefetchL2Bytes;
  for (int64_t i = 0; i < lq; ++i) {
    __m512 qv[4];
    load64(q + i * qs, qv);
    float* pi = p + i * S;
    const float* mi = mask ? mask + i * S : nullptr;
    // scores, 16 keys at a time (the last block padded with zero dot products)
    for (int64_t s0 = 0; s0 < full; s0 += 16)
      score16<KV, 16>(qv, kb + s0 * ks, ks, vdiv, mi ? mi + s0 : nullptr, pi + s0, ahead);
    if (tail) score16<KV, 0>(qv, kb + full * ks, ks, vdiv, mi ? mi + full : nullptr, pi + full, ahead, S - full);
    // softmax
    __m512 mx = _mm512_set1_ps(-INFINITY);
    for (int64_t s0 = 0; s0 < full; s0 += 16) mx = _mm512_max_ps(mx, _mm512_loadu_ps(pi + s0));
    if (tail) mx = _mm512_mask_max_ps(mx, tail, mx, _mm512_maskz_loadu_ps(tail, pi + full));
    mx = _mm512_set1_ps(_mm512_reduce_max_ps(mx));
    __m512 sum = _mm512_setzero_ps();
    for (int64_t s0 = 0; s0 < full; s0 += 16) {
      const __m512 e = avx512::exp_nonpositive(_mm512_sub_ps(_mm512_loadu_ps(pi + s0), mx));
      _mm512_storeu_ps(pi + s0, e);
      sum = _mm512_add_ps(sum, e);
    }
    if (tail) {
      const __m512 e =
          _mm512_maskz_mov_ps(tail, avx512::exp_nonpositive(_mm512_sub_ps(_mm512_maskz_loadu_ps(tail, pi + full), mx)));
      _mm512_mask_storeu_ps(pi + full, tail, e);
      sum = _mm512_add_ps(sum, e);
    }
    const __m512 inv = _mm512_set1_ps(1.0f / _mm512_reduce_add_ps(sum));
    for (int64_t s0 = 0; s0 < full; s0 += 16) _mm512_storeu_ps(pi + s0, _mm512_mul_ps(_mm512_loadu_ps(pi + s0), inv));
    if (tail) _mm512_mask_storeu_ps(pi + full, tail, _mm512_mul_ps(_mm512_maskz_loadu_ps(tail, pi + full), inv));
  }
  // probabilities times the values, up to four query rows per pass over the values
  for (int64_t i0 = 0; i0 < lq; i0 += 4) {
    const float* pr = p + i0 * S;
    float* o = out + i0 * os;
    switch (std::min<int64_t>(4, lq - i0)) {
      case 1:
        weigh_values<KV, 1>(pr, S, vb, vs, o, os, ahead);
        break;
      case 2:
        weigh_values<KV, 2>(pr, S, vb, vs, o, os, ahead);
        break;
      case 3:
        weigh_values<KV, 3>(pr, S, vb, vs, o, os, ahead);
        break;
      default:
        weigh_values<KV, 4>(pr, S, vb, vs, o, os, ahead);
        break;
    }
  }
}

template <typename KV>
void attend_all(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, const float* mp, float div,
                at::Tensor& out) {
  const int64_t B = q.size(0), H = q.size(1), Lq = q.size(2), D = q.size(3), S = k.size(2);
  const float* qp = q.data_ptr<float>();
  const KV* kp = static_cast<const KV*>(k.data_ptr());
  const KV* vp = static_cast<const KV*>(v.data_ptr());
  float* op = out.data_ptr<float>();
  const bool vectorised = D % 16 == 0 && D <= 128 && small_gemm_available(at::kFloat);
  // A decoder step's self-attention over a few dozen positions is less work for all heads than
  // starting a parallel region (about 5 us here): tasks of at least ~64K products each.
  const int64_t grain = std::max<int64_t>(1, (64 << 10) / std::max<int64_t>(1, Lq * S * D));
  // task t reads head t's keys and values where the heads lie one after another (the
  // cross-attention cache)
  StepReads reads;
  if (k.stride(0) == H * k.stride(1) && v.strides() == k.strides())
    reads = StepReads{kp, k.stride(1) * static_cast<int64_t>(sizeof(KV)), vp};
  step_parallel_for(
      0, B * H, grain,
      [&](int64_t t0, int64_t t1) {
        std::vector<float> p(static_cast<size_t>(S * (D == 64 ? Lq : 1)));
        for (int64_t t = t0; t < t1; ++t) {
          const int64_t b = t / H, h = t % H;
          const KV* kb = kp + b * k.stride(0) + h * k.stride(1);
          const KV* vb = vp + b * v.stride(0) + h * v.stride(1);
          if (vectorised && D == 64) {
            attend64(qp + b * q.stride(0) + h * q.stride(1), q.stride(2), Lq, kb, k.stride(2), vb, v.stride(2),
                     mp ? mp + b * Lq * S : nullptr, S, div, p.data(), op + (b * H + h) * Lq * D, D);
            continue;
          }
          for (int64_t i = 0; i < Lq; ++i) {
            const float* qi = qp + b * q.stride(0) + h * q.stride(1) + i * q.stride(2);
            const float* mi = mp ? mp + (b * Lq + i) * S : nullptr;
            float* oi = op + ((b * H + h) * Lq + i) * D;
            if (vectorised)
              attend_avx512(qi, kb, k.stride(2), vb, v.stride(2), mi, S, D, div, p.data(), oi);
            else
              attend_generic(qi, kb, k.stride(2), vb, v.stride(2), mi, S, D, div, p.data(), oi);
          }
        }
      },
      reads);
}

}  // namespace

at::Tensor small_attention(const at::Tensor& q_in, const at::Tensor& k_in, const at::Tensor& v_in,
                           const at::Tensor& mask_in, double divisor) {
  RECORD_FUNCTION("glimpse::small_attention", std::vector<c10::IValue>());
  auto last_contiguous = [](const at::Tensor& t) { return t.stride(-1) == 1 ? t : t.contiguous(); };
  const at::Tensor q = last_contiguous(q_in), k = last_contiguous(k_in), v = last_contiguous(v_in);
  const at::ScalarType kv = k.scalar_type();
  TORCH_CHECK(q.scalar_type() == at::kFloat && v.scalar_type() == kv && (kv == at::kFloat || kv == at::kBFloat16),
              "small_attention: float32 queries, float32 or bfloat16 keys and values");
  const int64_t B = q.size(0), Lq = q.size(2), S = k.size(2);
  at::Tensor mask;
  if (mask_in.defined()) mask = mask_in.to(at::kFloat).expand({B, 1, Lq, S}).contiguous();
  at::Tensor out = at::empty(q.sizes(), q.options());
  const float* mp = mask.defined() ? mask.data_ptr<float>() : nullptr;
  const auto div = static_cast<float>(divisor);
  if (kv == at::kFloat)
    attend_all<float>(q, k, v, mp, div, out);
  else
    attend_all<uint16_t>(q, k, v, mp, div, out);
  return out;
}

void self_attention_step_rows(const float* qp, int64_t q_row, int64_t q_pos, const float* kp, int64_t k_row,
                              int64_t k_pos, const float* vp, int64_t v_row, int64_t v_pos, int64_t rows, int64_t L,
                              int64_t H, float* kc, float* vc, int64_t cap, int64_t past, const float* mp,
                              float divisor, float* op, const int32_t* history, int64_t history_len) {
  constexpr int64_t D = 64;
  const int64_t S = past + L;
  TORCH_CHECK(past >= 0 && S <= cap, "small_self_attention_step: the caches hold too few positions");
  TORCH_CHECK(!history || history_len <= past, "small_self_attention_step: a history past the cached positions");
  // the rows whose history lies (partly) in other rows: their positions are gathered per head
  std::vector<char> elsewhere(history ? static_cast<size_t>(rows) : 0, 0);  // (read by the team's threads)
  if (history)
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t p = 0; p < history_len; ++p) {
        const int32_t from = history[r * history_len + p];
        TORCH_CHECK(from >= 0 && from < rows, "small_self_attention_step: a history names a row the caches lack");
        if (from != r) elsewhere[static_cast<size_t>(r)] = 1;
      }
  // this step's keys and values into the caches: [rows, L, H, D] -> [rows, H, past + i, D]
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t i = 0; i < L; ++i)
      for (int64_t h = 0; h < H; ++h) {
        const int64_t at_cache = ((r * H + h) * cap + past + i) * D;
        std::memcpy(kc + at_cache, kp + r * k_row + i * k_pos + h * D, D * sizeof(float));
        std::memcpy(vc + at_cache, vp + r * v_row + i * v_pos + h * D, D * sizeof(float));
      }
  // small_attention's kernel, the output written with the heads side by side. Its task size keeps
  // a short cache's heads on one thread where a split starts a parallel region (about 5 us); a
  // step's team hands one over for much less, and there the heads go to every thread: each head
  // waits on its keys and values from memory (the step's weights went through the caches since
  // the last step). Beam-3 steps spent 0.28-0.35 ms a step in self-attention instead of
  // 0.40-0.48, greedy ones 0.15-0.17 instead of 0.18-0.23 (docs/performance.md, twenty-first
  // round).
  const int64_t grain = in_step_team() ? 1 : std::max<int64_t>(1, (64 << 10) / std::max<int64_t>(1, L * S * D));
  step_parallel_for(0, rows * H, grain, [&](int64_t t0, int64_t t1) {
    thread_local std::vector<float> p, gathered;
    p.resize(static_cast<size_t>(S * L));
    for (int64_t t = t0; t < t1; ++t) {
      const int64_t r = t / H, h = t % H;
      const float* kb = kc + (r * H + h) * cap * D;
      const float* vb = vc + (r * H + h) * cap * D;
      if (history && elsewhere[static_cast<size_t>(r)]) {
        // this head's keys and values, each position from the row that holds it: the reads the
        // attention makes anyway, into a buffer it then reads from the first-level cache
        gathered.resize(static_cast<size_t>(2 * S * D));
        float* gk = gathered.data();
        float* gv = gk + S * D;
        for (int64_t i = 0; i < S; ++i) {
          const int64_t from = i < history_len ? history[r * history_len + i] : r;
          std::memcpy(gk + i * D, kc + ((from * H + h) * cap + i) * D, D * sizeof(float));
          std::memcpy(gv + i * D, vc + ((from * H + h) * cap + i) * D, D * sizeof(float));
        }
        kb = gk;
        vb = gv;
      }
      attend64<float>(qp + r * q_row + h * D, q_pos, L, kb, D, vb, D, mp ? mp + r * L * S : nullptr, S, divisor,
                      p.data(), op + r * L * H * D + h * D, H * D);
    }
  });
}

void cross_attention_rows(const float* q, int64_t q_row, int64_t rows, int64_t rows_per_item, const void* keys,
                          const void* values, at::ScalarType kv_type, int64_t items, int64_t H, int64_t S,
                          float divisor, float* out, int64_t out_row) {
  constexpr int64_t D = 64;
  TORCH_CHECK(items * rows_per_item == rows && (kv_type == at::kFloat || kv_type == at::kBFloat16),
              "cross_attention_rows: rows do not match the keys' items");
  auto run = [&](const auto* kp, const auto* vp) {
    using KV = std::remove_const_t<std::remove_pointer_t<decltype(kp)>>;
    // small_attention's tasks for the folded query [items, heads, rows_per_item, 64]: one per
    // (item, head), the same grain, the same reads named
    const int64_t grain = std::max<int64_t>(1, (64 << 10) / std::max<int64_t>(1, rows_per_item * S * D));
    step_parallel_for(
        0, items * H, grain,
        [&](int64_t t0, int64_t t1) {
          thread_local std::vector<float> p;
          p.resize(static_cast<size_t>(S * rows_per_item));
          for (int64_t t = t0; t < t1; ++t) {
            const int64_t b = t / H, h = t % H;
            attend64<KV>(q + b * rows_per_item * q_row + h * D, q_row, rows_per_item, kp + t * S * D, D, vp + t * S * D,
                         D, nullptr, S, divisor, p.data(), out + b * rows_per_item * out_row + h * D, out_row);
          }
        },
        StepReads{kp, S * D * static_cast<int64_t>(sizeof(KV)), vp});
  };
  if (kv_type == at::kFloat)
    run(static_cast<const float*>(keys), static_cast<const float*>(values));
  else
    run(static_cast<const uint16_t*>(keys), static_cast<const uint16_t*>(values));
}

bool small_self_attention_step_available(int64_t head_dim) {
  return head_dim == 64 && small_gemm_available(at::kFloat);
}

at::Tensor small_self_attention_step(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                                     const at::Tensor& key_cache, const at::Tensor& value_cache, int64_t past,
                                     const at::Tensor& mask, double divisor) {
  RECORD_FUNCTION("glimpse::small_self_attention_step", std::vector<c10::IValue>());
  const int64_t rows = q.size(0), L = q.size(1), H = key_cache.size(1), cap = key_cache.size(2), D = 64, S = past + L;
  for (const at::Tensor* x : {&q, &k, &v})
    TORCH_CHECK(
        x->dim() == 3 && x->scalar_type() == at::kFloat && x->size(0) == rows && x->size(1) == L &&
            x->size(2) == H * D && x->stride(2) == 1,
        "small_self_attention_step: q, k and v must be float32 [rows, L, heads * 64], last dimension contiguous");
  for (const at::Tensor* c : {&key_cache, &value_cache})
    TORCH_CHECK(c->scalar_type() == at::kFloat && c->is_contiguous() && c->dim() == 4 && c->size(0) == rows &&
                    c->size(1) == H && c->size(2) == cap && c->size(3) == D,
                "small_self_attention_step: caches must be contiguous float32 [rows, heads, capacity, 64]");
  TORCH_CHECK(past >= 0 && S <= cap, "small_self_attention_step: the caches hold too few positions");
  TORCH_CHECK(small_self_attention_step_available(D), "small_self_attention_step: needs AVX-512F");
  at::Tensor m;
  if (mask.defined()) {
    m = mask.scalar_type() == at::kFloat && mask.is_contiguous() && mask.dim() == 4 && mask.size(0) == rows &&
                mask.size(1) == 1 && mask.size(2) == L && mask.size(3) == S
            ? mask
            : mask.to(at::kFloat).expand({rows, 1, L, S}).contiguous();
  }
  at::Tensor out = at::empty({rows, L, H * D}, q.options());
  self_attention_step_rows(q.data_ptr<float>(), q.stride(0), q.stride(1), k.data_ptr<float>(), k.stride(0), k.stride(1),
                           v.data_ptr<float>(), v.stride(0), v.stride(1), rows, L, H, key_cache.data_ptr<float>(),
                           value_cache.data_ptr<float>(), cap, past, m.defined() ? m.data_ptr<float>() : nullptr,
                           static_cast<float>(divisor), out.data_ptr<float>());
  return out;
}

}  // namespace glimpse::blip
