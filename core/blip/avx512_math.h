#pragma once
// Vector math shared by the AVX-512 kernels (bf16_attention.cpp, fp32_attention.cpp,
// bf16_layer_norm.cpp, small_gemm.cpp). Only for functions compiled with the extensions each
// function names enabled (target attribute: AVX-512F, and DQ for the exp2 functions), on CPUs that
// have them.
#include <immintrin.h>

#include <cstddef>
#include <cstdint>

// GCC 12's AVX-512 headers start masked loads from _mm512_undefined_*, which it then reports as
// uninitialised where they are inlined (GCC bug 105593, fixed in 13), and its own
// _mm512_reduce_add_ps as possibly uninitialised: off in the kernel files that include this.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

namespace glimpse::blip::avx512 {

// Whether this CPU runs the bfloat16 kernels (AVX-512F, BW, VL, DQ and BF16); checked once.
inline bool cpu_has_bf16() {
  static const bool has = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq") &&
           __builtin_cpu_supports("avx512bf16");
  }();
  return has;
}

// exp(x) for x <= 0 (a score minus its row's maximum), within 2 float32 ulps: x = n ln2 + r,
// |r| <= ln2 / 2, e^r by Cephes' degree-6 polynomial, times 2^n by vscalefps, which underflows to 0.
__attribute__((target("avx512f"))) inline __m512 exp_nonpositive(__m512 x) {
  x = _mm512_max_ps(_mm512_set1_ps(-104.0f), x);  // NaN stays NaN: vmaxps returns its second operand
  const __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504088896341f)),
                                        _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f), x);  // ln2 in two parts: n * hi is exact
  r = _mm512_fnmadd_ps(n, _mm512_set1_ps(-2.12194440e-4f), r);
  __m512 p = _mm512_set1_ps(1.9875691500e-4f);
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.3981999507e-3f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(8.3334519073e-3f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(4.1665795894e-2f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.6666665459e-1f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(5.0000001201e-1f));
  p = _mm512_fmadd_ps(p, _mm512_mul_ps(r, r), _mm512_add_ps(r, _mm512_set1_ps(1.0f)));
  return _mm512_scalef_ps(p, n);
}

// 2^y for y <= 0 with 2^f on [0, 1] by the polynomial of coefficients c (highest degree first):
// y = n + f with n = floor(y) and 0 <= f <= 1 in one vreduceps, times 2^n by vscalefps, which takes
// the floor of y itself and underflows to 0. -inf gives f = 0 and so 0; NaN stays NaN. Needs
// AVX-512DQ.
template <size_t N>
__attribute__((target("avx512f,avx512dq"))) inline __m512 exp2_by_polynomial(__m512 y, const float (&c)[N]) {
  const __m512 f = _mm512_reduce_ps(y, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
  __m512 p = _mm512_set1_ps(c[0]);
  for (size_t i = 1; i < N; ++i) p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(c[i]));
  return _mm512_scalef_ps(p, y);
}

// 2^y for y <= 0 (a scaled score minus its row's maximum), 2^f by a degree-5 polynomial (minimax
// on [0, 1], relative error 7.5e-8; evaluated in float32, within 1.5e-7 of 2^y, two ulps at most).
// Cheaper than exp_nonpositive by the reduction to ln2 and a polynomial term; the attention folds
// its scale and log2(e) into y. The reduction in one instruction, where a clamp, a rounding and a
// subtraction took three, made one AMX attention head 9 % faster (docs/performance.md,
// twenty-sixth round).
__attribute__((target("avx512f,avx512dq"))) inline __m512 exp2_nonpositive(__m512 y) {
  static constexpr float kC[] = {1.8775766734e-3f, 8.9893400947e-3f, 5.5826318050e-2f,
                                 2.4015361705e-1f, 6.9315307320e-1f, 9.9999992506e-1f};
  return exp2_by_polynomial(y, kC);
}

// 2^y for y <= 0 as exp2_nonpositive, with a degree-4 polynomial (minimax on [0, 1], relative
// error 2.6e-6): for the bfloat16 attention, whose exponentials are rounded to bfloat16 (relative
// steps of 2^-8) before they multiply the values, so the polynomial's error stays under a
// thousandth of that rounding. One multiply-add fewer: an AMX head took 121-122 us against 124-129 (with the
// exponentials rounded two vectors at a time either way; docs/performance.md, twenty-eighth round).
__attribute__((target("avx512f,avx512dq"))) inline __m512 exp2_nonpositive_for_bf16(__m512 y) {
  static constexpr float kC[] = {1.3534167912e-2f, 5.2011460619e-2f, 2.4144275689e-1f, 6.9300383447e-1f, 1.0000025934f};
  return exp2_by_polynomial(y, kC);
}

// GELU, x * (1 + erf(x / sqrt 2)) / 2, with erf by Abramowitz and Stegun 7.1.26 (absolute error
// at most 1.5e-7), the approximation libtorch's own vectorised erf uses: the few-row products
// apply it to their outputs where at::gelu would cost a separate pass over them.
__attribute__((target("avx512f"))) inline __m512 gelu(__m512 x) {
  const __m512 z = _mm512_mul_ps(x, _mm512_set1_ps(0.70710678118654752f));
  const __m512 a = _mm512_abs_ps(z);
  const __m512 t =
      _mm512_div_ps(_mm512_set1_ps(1.0f), _mm512_fmadd_ps(_mm512_set1_ps(0.3275911f), a, _mm512_set1_ps(1.0f)));
  __m512 r = _mm512_fmadd_ps(_mm512_set1_ps(1.061405429f), t, _mm512_set1_ps(-1.453152027f));
  r = _mm512_fmadd_ps(r, t, _mm512_set1_ps(1.421413741f));
  r = _mm512_fmadd_ps(r, t, _mm512_set1_ps(-0.284496736f));
  r = _mm512_fmadd_ps(r, t, _mm512_set1_ps(0.254829592f));
  // erf(|z|) = 1 - r t exp(-z^2), then the sign of z
  const __m512 e = exp_nonpositive(_mm512_sub_ps(_mm512_setzero_ps(), _mm512_mul_ps(z, z)));
  const __m512 erf_abs = _mm512_fnmadd_ps(_mm512_mul_ps(r, t), e, _mm512_set1_ps(1.0f));
  const __m512 erf = _mm512_castsi512_ps(_mm512_or_si512(
      _mm512_castps_si512(erf_abs), _mm512_and_si512(_mm512_castps_si512(z), _mm512_set1_epi32(INT32_MIN))));
  return _mm512_mul_ps(_mm512_mul_ps(x, _mm512_set1_ps(0.5f)), _mm512_add_ps(erf, _mm512_set1_ps(1.0f)));
}

// Lane i of the result holds the sum of the 16 lanes of v[i]: sixteen horizontal sums in 15
// additions and 30 shuffles, where one _mm512_reduce_add_ps each would take 4 dependent steps.
__attribute__((target("avx512f"))) inline __m512 sum16(const __m512 (&v)[16]) {
  // Pairs: in each 128-bit lane, [x0 + x2, y0 + y2, x1 + x3, y1 + y3].
  __m512 a[8];
  for (int i = 0; i < 8; ++i)
    a[i] = _mm512_add_ps(_mm512_unpacklo_ps(v[2 * i], v[2 * i + 1]), _mm512_unpackhi_ps(v[2 * i], v[2 * i + 1]));
  // Fours: each 128-bit lane q holds, for v[4i .. 4i + 3], the sums of their lane q.
  __m512 b[4];
  for (int i = 0; i < 4; ++i)
    b[i] = _mm512_add_ps(_mm512_shuffle_ps(a[2 * i], a[2 * i + 1], _MM_SHUFFLE(1, 0, 1, 0)),
                         _mm512_shuffle_ps(a[2 * i], a[2 * i + 1], _MM_SHUFFLE(3, 2, 3, 2)));
  // Across the 128-bit lanes: lane group g ends up with the totals of v[4g .. 4g + 3].
  const __m512 s01 = _mm512_add_ps(_mm512_shuffle_f32x4(b[0], b[1], _MM_SHUFFLE(1, 0, 1, 0)),
                                   _mm512_shuffle_f32x4(b[0], b[1], _MM_SHUFFLE(3, 2, 3, 2)));
  const __m512 s23 = _mm512_add_ps(_mm512_shuffle_f32x4(b[2], b[3], _MM_SHUFFLE(1, 0, 1, 0)),
                                   _mm512_shuffle_f32x4(b[2], b[3], _MM_SHUFFLE(3, 2, 3, 2)));
  return _mm512_add_ps(_mm512_shuffle_f32x4(s01, s23, _MM_SHUFFLE(2, 0, 2, 0)),
                       _mm512_shuffle_f32x4(s01, s23, _MM_SHUFFLE(3, 1, 3, 1)));
}

}  // namespace glimpse::blip::avx512
