#include "bf16_attention.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "aligned_vector.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>
#include <immintrin.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "avx512_math.h"
#define GLIMPSE_BF16_ATTENTION_KERNEL 1
#endif

namespace glimpse::blip {

#ifdef GLIMPSE_BF16_ATTENTION_KERNEL
namespace {

#define GLIMPSE_BF16_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx512bf16")))

constexpr int kD = static_cast<int>(kBf16AttentionHeadSize);
constexpr int kRows = 6;   // query rows per block: 6 x 4 accumulators of 16 keys or 16 columns
constexpr int kKeys = 64;  // keys per block of scores

// float32 to bfloat16, to nearest with ties to even (vcvtneps2bf16)
GLIMPSE_BF16_TARGET inline __m256i to_bf16(__m512 y) {
  return reinterpret_cast<__m256i>(_mm512_cvtneps_pbh(y));
}

// Two bfloat16 values (one 32-bit pair) in every lane, for vdpbf16ps.
GLIMPSE_BF16_TARGET inline __m512bh broadcast_pair(const uint16_t* p) {
  return reinterpret_cast<__m512bh>(_mm512_broadcastss_ps(_mm_load_ss(reinterpret_cast<const float*>(p))));
}

GLIMPSE_BF16_TARGET inline __m512bh load_pairs(const uint32_t* p) {
  return reinterpret_cast<__m512bh>(_mm512_loadu_si512(p));
}

// acc[r][c] (NR rows, NC x 16 columns) += the products of `steps` bfloat16 pairs: row r's pair i
// at a + r * lda + 2 * i, broadcast, against the NC x 16 columns of pairs at b + i * ldb. Both
// products of the attention have this shape: a the queries and b the keys, a the probabilities
// and b the values.
template <int NR, int NC>
GLIMPSE_BF16_TARGET inline void accumulate(__m512 (&acc)[NR][NC], const uint16_t* a, int64_t lda, const uint32_t* b,
                                           int64_t ldb, int64_t steps) {
#pragma GCC unroll 8
  for (int r = 0; r < NR; ++r)
#pragma GCC unroll 4
    for (int c = 0; c < NC; ++c) acc[r][c] = _mm512_setzero_ps();
  for (int64_t i = 0; i < steps; ++i) {
    const uint32_t* br = b + i * ldb;
    __m512bh bc[NC];
#pragma GCC unroll 4
    for (int c = 0; c < NC; ++c) bc[c] = load_pairs(br + 16 * c);
#pragma GCC unroll 8
    for (int r = 0; r < NR; ++r) {
      const __m512bh x = broadcast_pair(a + r * lda + 2 * i);
#pragma GCC unroll 4
      for (int c = 0; c < NC; ++c) acc[r][c] = _mm512_dpbf16_ps(acc[r][c], x, bc[c]);
    }
  }
}

// A head's keys and values, repacked for vdpbf16ps (pairs of bfloat16 in 32-bit lanes):
// keys[d / 2][tk] holds (k[j][d], k[j][d + 1]) at column j, values[j / 2][64] holds
// (v[j][c], v[j + 1][c]) at column c; zero past the last token. Plus one block's scores and
// probabilities (the AMX path: two rounds' 16 x 32 of each).
// Each on a cache line (aligned_vector.h): a tile's rows are whole lines, and the AMX path's
// aligned vector loads and stores of the scores and probabilities need it.
struct Work {
  AlignedVector<uint32_t> keys, values;
  AlignedVector<float> scores;
  AlignedVector<uint16_t> probs;
  // the AMX path's last (short) block of queries, zero-padded, and a block's 16 x 64 outputs
  AlignedVector<uint16_t> queries;
  AlignedVector<float> outputs;
};

// The raw scores q k^T of NR query rows against NC x 16 keys from key j0, stored at s + r * tk + j0,
// and each row's running maximum in mx[r]; lanes at or past key t (zero keys) stay out of it.
template <int NR, int NC>
GLIMPSE_BF16_TARGET inline void score_block(const uint16_t* q, int64_t ldq, int64_t t, int64_t tk, const Work& w,
                                            int64_t j0, float* s, __m512 (&mx)[NR]) {
  __m512 acc[NR][NC];
  accumulate<NR, NC>(acc, q, ldq, w.keys.data() + j0, tk, kD / 2);
#pragma GCC unroll 4
  for (int c = 0; c < NC; ++c) {
    const int64_t left = t - (j0 + 16 * c);
    const auto real = static_cast<__mmask16>(left >= 16 ? 0xffffu : (1u << left) - 1);
#pragma GCC unroll 8
    for (int r = 0; r < NR; ++r) {
      _mm512_storeu_ps(s + r * tk + j0 + 16 * c, acc[r][c]);
      mx[r] = _mm512_mask_max_ps(mx[r], real, mx[r], acc[r][c]);
    }
  }
}

// One row of scores x (`vectors` of 16, the last masked by `last`; `mx` their maximum) to its
// exponentials 2^((x - mx) alpha log2 e) (exp2_nonpositive_for_bf16), rounded to bfloat16 into pr
// (zero past the last token), two vectors to one 64-byte store where both are whole; returns 1 /
// their float32 sum (of the unrounded values, in the order of the keys).
GLIMPSE_BF16_TARGET inline float exponentials_row(const float* x, float mx, int64_t vectors, __mmask16 last,
                                                  float log2e_alpha, uint16_t* pr) {
  // 2^((x - max) alpha log2 e) as one multiply-add of x
  const __m512 scale = _mm512_set1_ps(log2e_alpha), shift = _mm512_set1_ps(-mx * log2e_alpha);
  auto exponential = [&](int64_t i) GLIMPSE_BF16_TARGET {
    return avx512::exp2_nonpositive_for_bf16(_mm512_fmadd_ps(_mm512_loadu_ps(x + 16 * i), scale, shift));
  };
  __m512 sum = _mm512_setzero_ps();
  int64_t i = 0;
  for (; i + 2 < vectors; i += 2) {  // two whole vectors, rounded in one instruction
    const __m512 e0 = exponential(i), e1 = exponential(i + 1);
    _mm512_storeu_si512(pr + 16 * i, reinterpret_cast<__m512i>(_mm512_cvtne2ps_pbh(e1, e0)));
    sum = _mm512_add_ps(_mm512_add_ps(sum, e0), e1);
  }
  if (i + 2 == vectors) {
    const __m512 e = exponential(i);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(pr + 16 * i), to_bf16(e));
    sum = _mm512_add_ps(sum, e);
    ++i;
  }
  const __m512 e = _mm512_maskz_mov_ps(last, exponential(i));  // the last vector: zero past t
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(pr + 16 * i), to_bf16(e));
  sum = _mm512_add_ps(sum, e);
  return 1.0f / _mm512_reduce_add_ps(sum);
}

// NR (<= kRows) query rows: scores against all keys, softmax, times the values. The softmax is
// one pass over a row's scores: the maximum comes with the scores, each exponential is rounded to
// bfloat16 as it is summed in float32, and the division by the sum is applied to the NR x 64
// outputs instead of to every probability. The scale alpha and log2(e) are one multiplier of the
// scores inside 2^x.
template <int NR>
GLIMPSE_BF16_TARGET void attend_rows(const uint16_t* q, int64_t ldq, int64_t t, int64_t tk, const Work& w, float alpha,
                                     float* s, uint16_t* p, uint16_t* out, int64_t ldo) {
  const int64_t vectors = (t + 15) / 16;  // of 16 keys, the last one partly past t
  __m512 mx[NR];
#pragma GCC unroll 8
  for (int r = 0; r < NR; ++r) mx[r] = _mm512_set1_ps(-INFINITY);
  int64_t j0 = 0;
  for (; j0 + kKeys <= 16 * vectors; j0 += kKeys) score_block<NR, 4>(q, ldq, t, tk, w, j0, s, mx);
  switch (vectors - j0 / 16) {  // a last block of fewer than 4 vectors
    case 3:
      score_block<NR, 3>(q, ldq, t, tk, w, j0, s, mx);
      break;
    case 2:
      score_block<NR, 2>(q, ldq, t, tk, w, j0, s, mx);
      break;
    case 1:
      score_block<NR, 1>(q, ldq, t, tk, w, j0, s, mx);
      break;
    default:
      break;
  }
  const auto last = static_cast<__mmask16>(t % 16 ? (1u << (t % 16)) - 1 : 0xffffu);
  const float log2e_alpha = 1.44269504088896341f * alpha;
  float inv[NR];
  for (int r = 0; r < NR; ++r)
    inv[r] = exponentials_row(s + r * tk, _mm512_reduce_max_ps(mx[r]), vectors, last, log2e_alpha, p + r * tk);
  // The exponentials times the values, a pair of tokens per step, then divided by the sums.
  __m512 acc[NR][4];
  accumulate<NR, 4>(acc, p, tk, w.values.data(), kD, 8 * vectors);
#pragma GCC unroll 8
  for (int r = 0; r < NR; ++r) {
    const __m512 ir = _mm512_set1_ps(inv[r]);
#pragma GCC unroll 4
    for (int c = 0; c < 4; ++c)
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + r * ldo + 16 * c), to_bf16(_mm512_mul_ps(acc[r][c], ir)));
  }
}

// keys[d / 2][tk] = the 32-bit pair d / 2 of key j at column j (zero from t on): a transpose of
// 32-bit values, sixteen keys per gather (ldk at most kBf16AttentionMaxKeyStride, so 15 ldk fits in 31 bits).
GLIMPSE_BF16_TARGET void pack_keys(const uint16_t* k, int64_t ldk, int64_t t, int64_t tk, uint32_t* keys) {
  const __m512i rows = _mm512_mullo_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                                          _mm512_set1_epi32(static_cast<int>(ldk)));
  for (int64_t j0 = 0; j0 < tk; j0 += 16) {
    const int64_t left = t - j0;
    if (left <= 0) {
      for (int d = 0; d < kD / 2; ++d) _mm512_storeu_si512(keys + d * tk + j0, _mm512_setzero_si512());
      continue;
    }
    const auto real = static_cast<__mmask16>(left >= 16 ? 0xffffu : (1u << left) - 1);
    const uint16_t* base = k + j0 * ldk;
    for (int d = 0; d < kD / 2; ++d)  // index i * ldk values, 2 bytes each
      _mm512_storeu_si512(keys + d * tk + j0,
                          _mm512_mask_i32gather_epi32(_mm512_setzero_si512(), real, rows, base + 2 * d, 2));
  }
}

// values[j / 2][c] = (v[j][c], v[j + 1][c]) for `pairs` pairs of tokens (zero from t on): two
// rows of 64 bfloat16 interleaved by four two-source permutes.
GLIMPSE_BF16_TARGET void pack_values(const uint16_t* v, int64_t ldv, int64_t t, int64_t pairs, uint32_t* values) {
  // 16-bit lanes 2m and 2m + 1 of the result: element m of the first source and of the second
  // (index 32 + m); `high` starts at element 16
  const __m512i low = _mm512_set_epi16(47, 15, 46, 14, 45, 13, 44, 12, 43, 11, 42, 10, 41, 9, 40, 8, 39, 7, 38, 6, 37,
                                       5, 36, 4, 35, 3, 34, 2, 33, 1, 32, 0);
  const __m512i high = _mm512_add_epi16(low, _mm512_set1_epi16(16));
  const __m512i zero = _mm512_setzero_si512();
  for (int64_t jj = 0; jj < pairs; ++jj) {
    const int64_t j0 = 2 * jj, j1 = j0 + 1;
    const __m512i a0 = j0 < t ? _mm512_loadu_si512(v + j0 * ldv) : zero;
    const __m512i a1 = j0 < t ? _mm512_loadu_si512(v + j0 * ldv + 32) : zero;
    const __m512i b0 = j1 < t ? _mm512_loadu_si512(v + j1 * ldv) : zero;
    const __m512i b1 = j1 < t ? _mm512_loadu_si512(v + j1 * ldv + 32) : zero;
    uint32_t* row = values + jj * kD;
    _mm512_storeu_si512(row, _mm512_permutex2var_epi16(a0, low, b0));
    _mm512_storeu_si512(row + 16, _mm512_permutex2var_epi16(a0, high, b0));
    _mm512_storeu_si512(row + 32, _mm512_permutex2var_epi16(a1, low, b1));
    _mm512_storeu_si512(row + 48, _mm512_permutex2var_epi16(a1, high, b1));
  }
}

// ---- The same attention in AMX tiles (Sapphire Rapids and later Xeons). ----
// tdpbf16ps multiplies a 16 x 32 block of bfloat16 by a 32 x 16 block (its pairs laid out as
// `keys` and `values` above already are) into 16 x 16 float32 sums: on a Xeon with AMX (family 6
// model 207) 1.6 TFLOP/s a core against 80 GFLOP/s for vdpbf16ps, which left the attention two
// fifths of a bf16 image encode whose products ran in AMX through oneDNN (docs/performance.md,
// twenty-second round). The softmax between the two products is the one above.
#define GLIMPSE_AMX_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx512bf16,amx-tile,amx-bf16")))

constexpr int kAmxRows = 16;  // query rows per block: the rows of a tile

// ldtilecfg's operand, palette 1: every tile 16 rows of 64 bytes. tmm0-3 sum the 16 x 64 outputs,
// tmm4-5 a round's 16 x 32 scores (float32), tmm6 queries or probabilities (16 x 32 bfloat16),
// tmm7 keys or values.
struct alignas(64) TileConfig {
  uint8_t palette = 1;
  uint8_t start_row = 0;
  uint8_t reserved[14] = {};
  uint16_t bytes_per_row[16] = {};
  uint8_t rows[16] = {};
};

// GCC's tile load is an asm statement that does not tell the compiler which memory it reads: a
// barrier keeps the vector stores of a buffer before the tile load of it (and, beside the tile
// store, the vector loads of a result after it).
inline void memory_barrier() {
  asm volatile("" ::: "memory");
}

// How far above a row's shift (2^kLazyShift) the exponentials may grow before the shift moves up
// (attend_block_amx). A row's outputs stay below 2^16 t max|v| (finite while |v| < 9e30 at 577
// tokens, where a shift at the maximum kept them finite up to 5e35), and a shift moves only where a
// later scaled score (alpha q k) lies about 11 (16 / log2 e) above the largest so far.
constexpr float kLazyShift = 16.0f;

// Sixteen query rows (q with row stride ldq; `rows` of them real, the rest of the tile zeros)
// against the packed keys and values in w, alpha > 0: out[r] for r < rows. One pass over the keys,
// 32 a round: the round's 16 x 32 scores (two tiles, stored), their exponentials rounded to
// bfloat16 (one tile of probabilities), times the round's values into four tiles of 16 x 16 output
// sums that stay in the tiles to the end (but for a moved shift). The scores of the next round are
// computed before this round's exponentials, so the tiles multiply while the vector units take the
// exponentials. The softmax's shift: each row's is the ceiling of its largest scaled score among
// the first 32 keys (an integer, so that 2^(y - shift) differs from 2^(y - max) by a power of two,
// which the division by the sum takes out), and moves up only where a later score's exponential
// would exceed 2^kLazyShift: then the row's sum and its outputs so far (stored, scaled, loaded
// back; rare) are multiplied by 2^(old - new), exactly. Each row's sum is of its exponentials as rounded to
// bfloat16: the weights of a row sum to one, and a row that one key dominates gets that key's
// value exactly, as a shift at the maximum (exponential 1) gave it; the AVX-512 path sums the
// unrounded ones. The block's whole scores had been stored first, with their maxima, and read back
// for the exponentials and the values' product: 119-122 us a head against 106-107 for this
// (docs/performance.md, twenty-ninth round).
GLIMPSE_AMX_TARGET void attend_block_amx(const uint16_t* q, int64_t ldq, int64_t rows, int64_t t, int64_t tk, Work& w,
                                         float alpha, uint16_t* out, int64_t ldo) {
  if (rows < kAmxRows) {  // the tile would read past the last query row
    std::fill(w.queries.begin(), w.queries.end(), uint16_t{0});
    for (int64_t r = 0; r < rows; ++r) std::memcpy(w.queries.data() + r * kD, q + r * ldq, kD * sizeof(uint16_t));
    q = w.queries.data();
    ldq = kD;
  }
  const int64_t vectors = (t + 15) / 16, rounds = (t + 31) / 32;
  const auto last = static_cast<__mmask16>(t % 16 ? (1u << (t % 16)) - 1 : 0xffffu);
  // The keys of vector i that count: all, those before t (the last vector), none (past it).
  auto real = [&](int64_t i) { return i + 1 < vectors ? __mmask16{0xffff} : i + 1 == vectors ? last : __mmask16{0}; };
  const uint32_t* keys = w.keys.data();
  const int64_t key_row = tk * 4;              // bytes from one pair of dimensions to the next
  const uint32_t* upper = keys + kD / 4 * tk;  // pairs of dimensions 32-63
  // Round c's scores into tiles 4 and 5 (keys 32c to 32c + 15, and the next 16), stored at the
  // round's half of the scores (row r of tile 4 at s + 16 r, of tile 5 at s + 256 + 16 r); the
  // queries' two halves go through tile 6, the keys through tile 7.
  auto scores = [&](int64_t c) GLIMPSE_AMX_TARGET {
    const int64_t j0 = 32 * c;
    float* s = w.scores.data() + 512 * (c & 1);
    memory_barrier();
    _tile_zero(4);
    _tile_zero(5);
    _tile_loadd(6, q, ldq * 2);  // dimensions 0-31
    _tile_loadd(7, keys + j0, key_row);
    _tile_dpbf16ps(4, 6, 7);
    _tile_loadd(7, keys + j0 + 16, key_row);
    _tile_dpbf16ps(5, 6, 7);
    _tile_loadd(6, q + 32, ldq * 2);  // dimensions 32-63
    _tile_loadd(7, upper + j0, key_row);
    _tile_dpbf16ps(4, 6, 7);
    _tile_loadd(7, upper + j0 + 16, key_row);
    _tile_dpbf16ps(5, 6, 7);
    _tile_stored(4, s, 64);
    _tile_stored(5, s + 256, 64);
  };
  // The largest of a row's real scores x0 (mask m0) and x1 (m1).
  auto largest = [](__mmask16 m0, __m512 x0, __mmask16 m1, __m512 x1) GLIMPSE_AMX_TARGET {
    const __m512 none = _mm512_set1_ps(-INFINITY);
    return _mm512_reduce_max_ps(_mm512_max_ps(_mm512_mask_mov_ps(none, m0, x0), _mm512_mask_mov_ps(none, m1, x1)));
  };
  const float log2e_alpha = 1.44269504088896341f * alpha;
  const __m512 scale = _mm512_set1_ps(log2e_alpha);
  const auto ones = reinterpret_cast<__m512bh>(_mm512_set1_epi16(0x3f80));  // bfloat16 1.0
  // Each row's shift (an integer, negated) and the score above which it moves; the factors of a round.
  alignas(64) float shift[kAmxRows], limit[kAmxRows], factor[kAmxRows];
  __m512 sum[kAmxRows];
  for (auto& x : sum) x = _mm512_setzero_ps();
  float* o = w.outputs.data();
  // The 16 x 64 output sums from tiles 0-3 into o (row stride 64).
  auto store_outputs = [&] GLIMPSE_AMX_TARGET {
    memory_barrier();
    _tile_stored(0, o, kD * 4);
    _tile_stored(1, o + 16, kD * 4);
    _tile_stored(2, o + 32, kD * 4);
    _tile_stored(3, o + 48, kD * 4);
    memory_barrier();
  };
  const uint32_t* values = w.values.data();
  _tile_zero(0);
  _tile_zero(1);
  _tile_zero(2);
  _tile_zero(3);
  scores(0);
  for (int64_t c = 0; c < rounds; ++c) {
    if (c + 1 < rounds) scores(c + 1);
    memory_barrier();
    const float* s = w.scores.data() + 512 * (c & 1);
    uint16_t* p = w.probs.data() + 512 * (c & 1);
    // Both vectors of the round are read whole: the tiles stored scores for all tk keys (zero keys
    // score 0, finite); the lanes past t are left out of the maxima and the sums and stored as
    // zeros.
    const __mmask16 m0 = real(2 * c), m1 = real(2 * c + 1);
    const auto both = static_cast<__mmask32>(m0 | static_cast<uint32_t>(m1) << 16);
    if (c == 0) {
      for (int r = 0; r < kAmxRows; ++r) {
        const float m = largest(m0, _mm512_load_ps(s + 16 * r), m1, _mm512_load_ps(s + 256 + 16 * r));
        // (first keys whose scores all overflowed to -inf: a shift of 0, which a later finite
        // score moves; -inf would make every exponential NaN)
        shift[r] = m > -INFINITY ? -std::ceil(m * log2e_alpha) : 0.0f;
        limit[r] = (kLazyShift - shift[r]) / log2e_alpha;
      }
    }
    unsigned moved = 0;  // rows whose shift moved this round
    for (int r = 0; r < kAmxRows; ++r) {
      const __m512 x0 = _mm512_load_ps(s + 16 * r), x1 = _mm512_load_ps(s + 256 + 16 * r);
      const __m512 above = _mm512_set1_ps(limit[r]);
      if (_mm512_mask_cmp_ps_mask(m0, x0, above, _CMP_GT_OQ) | _mm512_mask_cmp_ps_mask(m1, x1, above, _CMP_GT_OQ)) {
        const float next = -std::ceil(largest(m0, x0, m1, x1) * log2e_alpha);
        factor[r] = std::exp2(next - shift[r]);
        sum[r] = _mm512_mul_ps(sum[r], _mm512_set1_ps(factor[r]));
        shift[r] = next;
        limit[r] = (kLazyShift - next) / log2e_alpha;
        moved |= 1u << r;
      }
      const __m512 sh = _mm512_set1_ps(shift[r]);
      const __m512 e0 = avx512::exp2_nonpositive_for_bf16(_mm512_fmadd_ps(x0, scale, sh));
      const __m512 e1 = avx512::exp2_nonpositive_for_bf16(_mm512_fmadd_ps(x1, scale, sh));
      // row r of the round's probability tile, its 32 tokens rounded in one instruction, and
      // their sum as rounded (pairs of them, times ones)
      const __m512bh pr = _mm512_maskz_cvtne2ps_pbh(both, e1, e0);
      _mm512_store_si512(p + 32 * r, reinterpret_cast<__m512i>(pr));
      sum[r] = _mm512_dpbf16_ps(sum[r], pr, ones);
    }
    if (moved) {  // the outputs so far of the rows whose shift moved, times their factors
      store_outputs();
      for (int r = 0; r < kAmxRows; ++r)
        if (moved >> r & 1)
          for (int j = 0; j < kD; j += 16)
            _mm512_store_ps(o + r * kD + j, _mm512_mul_ps(_mm512_load_ps(o + r * kD + j), _mm512_set1_ps(factor[r])));
      memory_barrier();
      _tile_loadd(0, o, kD * 4);
      _tile_loadd(1, o + 16, kD * 4);
      _tile_loadd(2, o + 32, kD * 4);
      _tile_loadd(3, o + 48, kD * 4);
    }
    // The round's probabilities times its 16 pairs of tokens' values, 64 columns each.
    memory_barrier();
    _tile_loadd(6, p, 64);
    const uint32_t* vc = values + 16 * c * kD;
    _tile_loadd(7, vc, kD * 4);
    _tile_dpbf16ps(0, 6, 7);
    _tile_loadd(7, vc + 16, kD * 4);
    _tile_dpbf16ps(1, 6, 7);
    _tile_loadd(7, vc + 32, kD * 4);
    _tile_dpbf16ps(2, 6, 7);
    _tile_loadd(7, vc + 48, kD * 4);
    _tile_dpbf16ps(3, 6, 7);
  }
  store_outputs();
  for (int64_t r = 0; r < rows; ++r) {
    const __m512 ir = _mm512_set1_ps(1.0f / _mm512_reduce_add_ps(sum[r]));
#pragma GCC unroll 4
    for (int c = 0; c < 4; ++c)
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + r * ldo + 16 * c),
                          to_bf16(_mm512_mul_ps(_mm512_loadu_ps(o + r * kD + 16 * c), ir)));
  }
}

// Whether this process may use AMX tiles: the CPU has AMX-BF16 and the kernel grants the tile
// state (Linux 5.16 and later, on request; a hypervisor may not pass it through).
bool amx_granted() {
  static const bool granted = [] {
    // CPUID leaf 7: AMX-BF16 is bit 22 of EDX, AMX-TILE bit 24 (read directly: Debian 12's clang,
    // which builds the fuzzers, knows neither name for __builtin_cpu_supports)
    unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
    if (!avx512::cpu_has_bf16() || !__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx) || !(edx >> 22 & 1) ||
        !(edx >> 24 & 1))
      return false;
    constexpr long kReqXcompPerm = 0x1023, kXfeatureXtiledata = 18;  // arch_prctl, asm/prctl.h
    return syscall(SYS_arch_prctl, kReqXcompPerm, kXfeatureXtiledata) == 0;
  }();
  return granted;
}

GLIMPSE_AMX_TARGET void attend_blocks_amx(const uint16_t* q, int64_t ldq, int64_t t, int64_t tk, Work& w, float alpha,
                                          uint16_t* out, int64_t ldo) {
  w.scores.resize(2 * 512);  // two rounds' 16 x 32 scores, and probabilities
  w.probs.resize(2 * 512);
  w.queries.resize(static_cast<size_t>(kAmxRows * kD));
  w.outputs.resize(static_cast<size_t>(kAmxRows * kD));
  static const TileConfig config = [] {
    TileConfig c;
    for (int i = 0; i < 8; ++i) {
      c.bytes_per_row[i] = 64;
      c.rows[i] = kAmxRows;
    }
    return c;
  }();
  // The configuration is the thread's until released (oneDNN loads its own before its kernels);
  // releasing it after the head spares the tiles' 8 KB in every context switch.
  _tile_loadconfig(&config);
  for (int64_t i = 0; i < t; i += kAmxRows)
    attend_block_amx(q + i * ldq, ldq, std::min<int64_t>(kAmxRows, t - i), t, tk, w, alpha, out + i * ldo, ldo);
  _tile_release();
}

GLIMPSE_BF16_TARGET void attend_head(const uint16_t* q, const uint16_t* k, const uint16_t* v, int64_t ldq, int64_t ldk,
                                     int64_t ldv, int64_t t, float alpha, uint16_t* out, int64_t ldo, bool amx) {
  thread_local Work w;
  const int64_t tk = (t + kKeys - 1) / kKeys * kKeys;
  w.keys.resize(static_cast<size_t>(kD / 2 * tk));
  w.values.resize(static_cast<size_t>(tk / 2 * kD));
  pack_keys(k, ldk, t, tk, w.keys.data());
  pack_values(v, ldv, t, tk / 2, w.values.data());
  if (amx) {
    attend_blocks_amx(q, ldq, t, tk, w, alpha, out, ldo);
    return;
  }
  w.scores.resize(static_cast<size_t>(kRows * tk));
  w.probs.resize(static_cast<size_t>(kRows * tk));
  float* s = w.scores.data();
  uint16_t* p = w.probs.data();
  int64_t i = 0;
  for (; i + kRows <= t; i += kRows) attend_rows<kRows>(q + i * ldq, ldq, t, tk, w, alpha, s, p, out + i * ldo, ldo);
  // the last t % 6 rows
  using Rows = decltype(&attend_rows<kRows>);
  static constexpr std::array<Rows, kRows> kTail{nullptr,        attend_rows<1>, attend_rows<2>,
                                                 attend_rows<3>, attend_rows<4>, attend_rows<5>};
  if (i < t) kTail[static_cast<size_t>(t - i)](q + i * ldq, ldq, t, tk, w, alpha, s, p, out + i * ldo, ldo);
}

}  // namespace
#endif

bool bf16_attention_available() {
#ifdef GLIMPSE_BF16_ATTENTION_KERNEL
  static const bool available = [] {
    const char* env = std::getenv("GLIMPSE_BF16_ATTENTION");
    if (env && std::strcmp(env, "onednn") == 0) return false;
    return avx512::cpu_has_bf16();
  }();
  return available;
#else
  return false;
#endif
}

bool amx_bf16_granted() {
#ifdef GLIMPSE_BF16_ATTENTION_KERNEL
  return amx_granted();
#else
  return false;
#endif
}

bool bf16_attention_amx_available() {
#ifdef GLIMPSE_BF16_ATTENTION_KERNEL
  static const bool available = [] {
    const char* env = std::getenv("GLIMPSE_BF16_ATTENTION");
    if (env && std::strcmp(env, "avx512") == 0) return false;
    return bf16_attention_available() && amx_granted();
  }();
  return available;
#else
  return false;
#endif
}

void bf16_attention_head64(const uint16_t* q, const uint16_t* k, const uint16_t* v, int64_t ldq, int64_t ldk,
                           int64_t ldv, int64_t t, float alpha, uint16_t* out, int64_t ldo) {
  bf16_attention_head64(q, k, v, ldq, ldk, ldv, t, alpha, out, ldo,
                        bf16_attention_amx_available() ? Bf16AttentionUnit::Amx : Bf16AttentionUnit::Avx512);
}

void bf16_attention_head64(const uint16_t* q, const uint16_t* k, const uint16_t* v, int64_t ldq, int64_t ldk,
                           int64_t ldv, int64_t t, float alpha, uint16_t* out, int64_t ldo, Bf16AttentionUnit unit) {
#ifdef GLIMPSE_BF16_ATTENTION_KERNEL
  if (t > 0) attend_head(q, k, v, ldq, ldk, ldv, t, alpha, out, ldo, unit == Bf16AttentionUnit::Amx && amx_granted());
#else
  (void)q, (void)k, (void)v, (void)ldq, (void)ldk, (void)ldv, (void)t, (void)alpha, (void)out, (void)ldo, (void)unit;
#endif
}

}  // namespace glimpse::blip
