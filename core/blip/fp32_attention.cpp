#include "fp32_attention.h"

#include <array>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "aligned_vector.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

#include "avx512_math.h"
#define GLIMPSE_FP32_ATTENTION_KERNEL 1
#endif

namespace glimpse::blip {

#ifdef GLIMPSE_FP32_ATTENTION_KERNEL
namespace {

#define GLIMPSE_FP32_ATTENTION_TARGET __attribute__((target("avx512f,avx512dq")))

constexpr int kD = static_cast<int>(kFp32AttentionHeadSize);
constexpr int kRows = 6;   // query rows per block: 6 x 4 accumulators of 16 keys or 16 columns
constexpr int kKeys = 64;  // keys per block of scores

// A head's keys transposed (keys[d][j] = k[j][d], zero from key t on) and one block's scores,
// which become its exponentials in place; on cache lines (aligned_vector.h), so that a load of 16
// floats reads one line.
struct Work {
  AlignedVector<float> keys;
  AlignedVector<float> scores;
};

// The raw scores q k^T of NR query rows against NC x 16 keys from key j0, stored at s + r * tk + j0,
// and each row's running maximum in mx[r]; lanes at or past key t (zero keys) stay out of it.
template <int NR, int NC>
GLIMPSE_FP32_ATTENTION_TARGET inline void score_block(const float* q, int64_t ldq, int64_t t, int64_t tk,
                                                      const float* keys, int64_t j0, float* s, __m512 (&mx)[NR]) {
  __m512 acc[NR][NC];
#pragma GCC unroll 8
  for (int r = 0; r < NR; ++r)
#pragma GCC unroll 4
    for (int c = 0; c < NC; ++c) acc[r][c] = _mm512_setzero_ps();
  for (int d = 0; d < kD; ++d) {
    const float* kr = keys + d * tk + j0;
    __m512 kc[NC];
#pragma GCC unroll 4
    for (int c = 0; c < NC; ++c) kc[c] = _mm512_loadu_ps(kr + 16 * c);
#pragma GCC unroll 8
    for (int r = 0; r < NR; ++r) {
      const __m512 x = _mm512_set1_ps(q[r * ldq + d]);
#pragma GCC unroll 4
      for (int c = 0; c < NC; ++c) acc[r][c] = _mm512_fmadd_ps(x, kc[c], acc[r][c]);
    }
  }
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

// NR (<= kRows) query rows: scores against all keys, softmax, times the values. The softmax is one
// pass over a row's scores: the maximum comes with the scores, each exponential is summed as it is
// written over its score, and the division by the sum is applied to the NR x 64 outputs instead of
// to every probability. The scale alpha and log2(e) are one multiplier of the scores inside 2^x.
template <int NR>
GLIMPSE_FP32_ATTENTION_TARGET void attend_rows(const float* q, int64_t ldq, const float* v, int64_t ldv, int64_t t,
                                               int64_t tk, const float* keys, float alpha, float* s, float* out,
                                               int64_t ldo) {
  const int64_t vectors = (t + 15) / 16;  // of 16 keys, the last one partly past t
  __m512 mx[NR];
#pragma GCC unroll 8
  for (int r = 0; r < NR; ++r) mx[r] = _mm512_set1_ps(-INFINITY);
  int64_t j0 = 0;
  for (; j0 + kKeys <= 16 * vectors; j0 += kKeys) score_block<NR, 4>(q, ldq, t, tk, keys, j0, s, mx);
  switch (vectors - j0 / 16) {  // a last block of fewer than 4 vectors
    case 3:
      score_block<NR, 3>(q, ldq, t, tk, keys, j0, s, mx);
      break;
    case 2:
      score_block<NR, 2>(q, ldq, t, tk, keys, j0, s, mx);
      break;
    case 1:
      score_block<NR, 1>(q, ldq, t, tk, keys, j0, s, mx);
      break;
    default:
      break;
  }
  const auto last = static_cast<__mmask16>(t % 16 ? (1u << (t % 16)) - 1 : 0xffffu);
  const float log2e_alpha = 1.44269504088896341f * alpha;
  const __m512 scale = _mm512_set1_ps(log2e_alpha);
  float inv[NR];
  for (int r = 0; r < NR; ++r) {
    float* x = s + r * tk;
    // 2^((x - max) alpha log2 e) as one multiply-add of x
    const __m512 shift = _mm512_set1_ps(-_mm512_reduce_max_ps(mx[r]) * log2e_alpha);
    __m512 sum = _mm512_setzero_ps();
    for (int64_t i = 0; i + 1 < vectors; ++i) {
      const __m512 e = avx512::exp2_nonpositive(_mm512_fmadd_ps(_mm512_loadu_ps(x + 16 * i), scale, shift));
      _mm512_storeu_ps(x + 16 * i, e);
      sum = _mm512_add_ps(sum, e);
    }
    const int64_t i = vectors - 1;  // zero past t
    const __m512 e =
        _mm512_maskz_mov_ps(last, avx512::exp2_nonpositive(_mm512_fmadd_ps(_mm512_loadu_ps(x + 16 * i), scale, shift)));
    _mm512_storeu_ps(x + 16 * i, e);
    sum = _mm512_add_ps(sum, e);
    inv[r] = 1.0f / _mm512_reduce_add_ps(sum);
  }
  // The exponentials times the values, one token per step (the t real ones only), then divided by
  // the sums.
  __m512 acc[NR][4];
#pragma GCC unroll 8
  for (int r = 0; r < NR; ++r)
#pragma GCC unroll 4
    for (int c = 0; c < 4; ++c) acc[r][c] = _mm512_setzero_ps();
  for (int64_t j = 0; j < t; ++j) {
    const float* vr = v + j * ldv;
    __m512 vc[4];
#pragma GCC unroll 4
    for (int c = 0; c < 4; ++c) vc[c] = _mm512_loadu_ps(vr + 16 * c);
#pragma GCC unroll 8
    for (int r = 0; r < NR; ++r) {
      const __m512 e = _mm512_set1_ps(s[r * tk + j]);
#pragma GCC unroll 4
      for (int c = 0; c < 4; ++c) acc[r][c] = _mm512_fmadd_ps(e, vc[c], acc[r][c]);
    }
  }
#pragma GCC unroll 8
  for (int r = 0; r < NR; ++r) {
    const __m512 ir = _mm512_set1_ps(inv[r]);
#pragma GCC unroll 4
    for (int c = 0; c < 4; ++c) _mm512_storeu_ps(out + r * ldo + 16 * c, _mm512_mul_ps(acc[r][c], ir));
  }
}

// keys[d][tk] = k[j][d] at column j (zero from t on): a transpose, sixteen keys per gather (ldk at
// most kFp32AttentionMaxKeyStride, so 15 ldk fits in 31 bits).
GLIMPSE_FP32_ATTENTION_TARGET void pack_keys(const float* k, int64_t ldk, int64_t t, int64_t tk, float* keys) {
  const __m512i rows = _mm512_mullo_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                                          _mm512_set1_epi32(static_cast<int>(ldk)));
  for (int64_t j0 = 0; j0 < tk; j0 += 16) {
    const int64_t left = t - j0;
    if (left <= 0) {
      for (int d = 0; d < kD; ++d) _mm512_storeu_ps(keys + d * tk + j0, _mm512_setzero_ps());
      continue;
    }
    const auto real = static_cast<__mmask16>(left >= 16 ? 0xffffu : (1u << left) - 1);
    const float* base = k + j0 * ldk;
    for (int d = 0; d < kD; ++d)  // index i * ldk values, 4 bytes each
      _mm512_storeu_ps(keys + d * tk + j0, _mm512_mask_i32gather_ps(_mm512_setzero_ps(), real, rows, base + d, 4));
  }
}

GLIMPSE_FP32_ATTENTION_TARGET void attend_head(const float* q, const float* k, const float* v, int64_t ldq, int64_t ldk,
                                               int64_t ldv, int64_t t, float alpha, float* out, int64_t ldo) {
  thread_local Work w;
  const int64_t tk = (t + kKeys - 1) / kKeys * kKeys;
  w.keys.resize(static_cast<size_t>(kD * tk));
  w.scores.resize(static_cast<size_t>(kRows * tk));
  pack_keys(k, ldk, t, tk, w.keys.data());
  const float* keys = w.keys.data();
  float* s = w.scores.data();
  int64_t i = 0;
  for (; i + kRows <= t; i += kRows)
    attend_rows<kRows>(q + i * ldq, ldq, v, ldv, t, tk, keys, alpha, s, out + i * ldo, ldo);
  // the last t % 6 rows
  using Rows = decltype(&attend_rows<kRows>);
  static constexpr std::array<Rows, kRows> kTail{nullptr,        attend_rows<1>, attend_rows<2>,
                                                 attend_rows<3>, attend_rows<4>, attend_rows<5>};
  if (i < t) kTail[static_cast<size_t>(t - i)](q + i * ldq, ldq, v, ldv, t, tk, keys, alpha, s, out + i * ldo, ldo);
}

}  // namespace
#endif

bool fp32_attention_available() {
#ifdef GLIMPSE_FP32_ATTENTION_KERNEL
  static const bool available = [] {
    const char* env = std::getenv("GLIMPSE_FP32_ATTENTION");
    if (env && std::strcmp(env, "onednn") == 0) return false;
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq");
  }();
  return available;
#else
  return false;
#endif
}

void fp32_attention_head64(const float* q, const float* k, const float* v, int64_t ldq, int64_t ldk, int64_t ldv,
                           int64_t t, float alpha, float* out, int64_t ldo) {
#ifdef GLIMPSE_FP32_ATTENTION_KERNEL
  if (t > 0) attend_head(q, k, v, ldq, ldk, ldv, t, alpha, out, ldo);
#else
  (void)q, (void)k, (void)v, (void)ldq, (void)ldk, (void)ldv, (void)t, (void)alpha, (void)out, (void)ldo;
#endif
}

}  // namespace glimpse::blip
