#include "bf16_layer_norm.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

#include "avx512_math.h"
#define GLIMPSE_BF16_LAYER_NORM_KERNEL 1
#endif

namespace glimpse::blip {

#ifdef GLIMPSE_BF16_LAYER_NORM_KERNEL
namespace {

#define GLIMPSE_BF16_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512bf16")))

// Stores 16 (or the tail's) normalised values as bfloat16 or float32.
GLIMPSE_BF16_TARGET inline void store16(uint16_t* out, __m512 y) {
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(out), reinterpret_cast<__m256i>(_mm512_cvtneps_pbh(y)));
}
GLIMPSE_BF16_TARGET inline void store16(uint16_t* out, __mmask16 m, __m512 y) {
  _mm256_mask_storeu_epi16(out, m, reinterpret_cast<__m256i>(_mm512_cvtneps_pbh(y)));
}
GLIMPSE_BF16_TARGET inline void store16(float* out, __m512 y) {
  _mm512_storeu_ps(out, y);
}
GLIMPSE_BF16_TARGET inline void store16(float* out, __mmask16 m, __m512 y) {
  _mm512_mask_storeu_ps(out, m, y);
}

template <typename Out>
GLIMPSE_BF16_TARGET void normalize_row(const float* x, int64_t d, const float* weight, const float* bias, float eps,
                                       Out* out) {
  const int64_t full = d / 16 * 16;
  const auto tail = static_cast<__mmask16>((1u << (d % 16)) - 1);
  __m512 sum = _mm512_setzero_ps();
  for (int64_t i = 0; i < full; i += 16) sum = _mm512_add_ps(sum, _mm512_loadu_ps(x + i));
  if (tail) sum = _mm512_add_ps(sum, _mm512_maskz_loadu_ps(tail, x + full));
  const float mean = _mm512_reduce_add_ps(sum) / static_cast<float>(d);
  const __m512 m = _mm512_set1_ps(mean);
  __m512 sq = _mm512_setzero_ps();
  for (int64_t i = 0; i < full; i += 16) {
    const __m512 c = _mm512_sub_ps(_mm512_loadu_ps(x + i), m);
    sq = _mm512_fmadd_ps(c, c, sq);
  }
  if (tail) {
    const __m512 c = _mm512_maskz_sub_ps(tail, _mm512_maskz_loadu_ps(tail, x + full), m);
    sq = _mm512_fmadd_ps(c, c, sq);
  }
  const __m512 rstd = _mm512_set1_ps(1.0f / std::sqrt(_mm512_reduce_add_ps(sq) / static_cast<float>(d) + eps));
  for (int64_t i = 0; i < full; i += 16) {
    const __m512 y = _mm512_fmadd_ps(_mm512_mul_ps(_mm512_sub_ps(_mm512_loadu_ps(x + i), m), rstd),
                                     _mm512_loadu_ps(weight + i), _mm512_loadu_ps(bias + i));
    store16(out + i, y);
  }
  if (tail) {
    const __m512 y =
        _mm512_fmadd_ps(_mm512_mul_ps(_mm512_sub_ps(_mm512_maskz_loadu_ps(tail, x + full), m), rstd),
                        _mm512_maskz_loadu_ps(tail, weight + full), _mm512_maskz_loadu_ps(tail, bias + full));
    store16(out + full, tail, y);
  }
}

}  // namespace
#endif

bool bf16_layer_norm_available() {
#ifdef GLIMPSE_BF16_LAYER_NORM_KERNEL
  return avx512::cpu_has_bf16();
#else
  return false;
#endif
}

void bf16_layer_norm(const float* x, int64_t rows, int64_t d, const float* weight, const float* bias, float eps,
                     uint16_t* out) {
#ifdef GLIMPSE_BF16_LAYER_NORM_KERNEL
  // about 16K values per task: a row of ViT-B is 768
  const int64_t grain = std::max<int64_t>(1, 16384 / std::max<int64_t>(d, 1));
  at::parallel_for(0, rows, grain, [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) normalize_row(x + r * d, d, weight, bias, eps, out + r * d);
  });
#else
  (void)x, (void)rows, (void)d, (void)weight, (void)bias, (void)eps, (void)out;
#endif
}

void layer_norm_rows_f32(const float* x, int64_t rows, int64_t d, const float* weight, const float* bias, float eps,
                         float* out) {
#ifdef GLIMPSE_BF16_LAYER_NORM_KERNEL
  for (int64_t r = 0; r < rows; ++r) normalize_row(x + r * d, d, weight, bias, eps, out + r * d);
#else
  (void)x, (void)rows, (void)d, (void)weight, (void)bias, (void)eps, (void)out;
#endif
}

}  // namespace glimpse::blip
