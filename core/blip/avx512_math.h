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

// GELU, x Phi(x) (Phi the standard normal CDF, as x (1 + erf(x / sqrt 2)) / 2), with Phi on
// [-6, 6] from a table: 32 intervals of 0.375, a polynomial of degree 5 in each, its coefficients
// picked by the interval's number with vpermt2ps (scripts/gelu_table.py prints the table: Chebyshev
// interpolation of Phi, |error| at most 2.8e-8 in double; about 1.6e-7 of max(1, |x|) in float32).
// Outside [-6, 6] it takes Phi(+-6): x for large x (Phi(6) = 1 - 1e-9), x * 1e-9 for large -x
// (where x Phi(x) is smaller still; -inf gives -inf). About 0.6 of gelu()'s time (no division, no
// exponential), and closer to exact: on [-6, 6] in steps of 5e-5 its values round to bfloat16 as
// the exact GELU's do for all but 114 of 239,999, where gelu()'s miss 30,149
// (Bf16Gelu.TableIsWithinTwoTenMillionthsOfTheExactGeluAndRoundsAsIt). For the bfloat16 products'
// own GELU pass (bf16_gelu.h).
alignas(64) inline constexpr float kGeluPhiTable[6][32] = {
    {9.864387085e-10f, 9.274559787e-09f, 7.604565866e-08f, 5.440269319e-07f, 3.397624596e-06f, 1.853661706e-05f,
     8.841705858e-05f, 3.690781887e-04f, 1.349898055e-03f, 4.332449287e-03f, 1.222447399e-02f, 3.039636277e-02f,
     6.680720299e-02f, 1.302945167e-01f, 2.266273499e-01f, 3.538302183e-01f, 5.000000000e-01f, 6.461697817e-01f,
     7.733726501e-01f, 8.697054982e-01f, 9.331927896e-01f, 9.696036577e-01f, 9.877755046e-01f, 9.956675768e-01f,
     9.986500740e-01f, 9.996309280e-01f, 9.999116063e-01f, 9.999814630e-01f, 9.999966025e-01f, 9.999994636e-01f,
     9.999999404e-01f, 1.000000000e+00f},
    {2.289145318e-09f, 2.020983558e-08f, 1.551011479e-07f, 1.034581942e-06f, 5.997394510e-06f, 3.021138400e-05f,
     1.322394819e-04f, 5.029377062e-04f, 1.661941176e-03f, 4.771511536e-03f, 1.190224756e-02f, 2.579473145e-02f,
     4.856910557e-02f, 7.945395261e-02f, 1.129268482e-01f, 1.394458264e-01f, 1.496032327e-01f, 1.394453496e-01f,
     1.129262969e-01f, 7.945370674e-02f, 4.856920987e-02f, 2.579498105e-02f, 1.190243661e-02f, 4.771575797e-03f,
     1.661926159e-03f, 5.029025488e-04f, 1.322136377e-04f, 3.019861106e-05f, 5.992578281e-06f, 1.033128228e-06f,
     1.547412296e-07f, 2.013569933e-08f},
    {2.440668778e-09f,  2.055994841e-08f,  1.491372927e-07f,  9.319462038e-07f,  5.017033800e-06f,  2.325898276e-05f,
     9.278248035e-05f,  3.180417116e-04f,  9.348618332e-04f,  2.349159680e-03f,  5.022726953e-03f,  9.069929831e-03f,
     1.365998015e-02f,  1.675729826e-02f,  1.587667316e-02f,  9.802828543e-03f,  1.425366918e-06f,  -9.801228531e-03f,
     -1.587747410e-02f, -1.675930992e-02f, -1.366134640e-02f, -9.070001543e-03f, -5.022101570e-03f, -2.348602982e-03f,
     -9.346454754e-04f, -3.180541389e-04f, -9.285502892e-05f, -2.331203177e-05f, -5.041697477e-06f, -9.405133028e-07f,
     -1.514909087e-07f, -2.108587260e-08f},
    {2.373869545e-09f,  1.732703403e-08f, 1.098994460e-07f,  6.043317171e-07f,  2.872689720e-06f,  1.176055139e-05f,
     4.127124703e-05f,  1.233855728e-04f, 3.115708241e-04f,  6.560529000e-04f,  1.127300551e-03f,  1.514720847e-03f,
     1.423064852e-03f,  5.050013424e-04f, -1.142489258e-03f, -2.800106071e-03f, -3.512110561e-03f, -2.823701361e-03f,
     -1.170132193e-03f, 4.924499081e-04f, 1.428317162e-03f,  1.527289511e-03f,  1.136725536e-03f,  6.592308637e-04f,
     3.107831872e-04f,  1.216184246e-04f, 3.998406100e-05f,  1.112838800e-05f,  2.635625833e-06f,  5.331465331e-07f,
     9.236596554e-08f,  1.373384340e-08f},
    {8.180982974e-11f,  1.955459128e-09f,  1.921530313e-08f,  1.327309178e-07f,  7.106151543e-07f,  3.045438234e-06f,
     1.055537268e-05f,  2.952473005e-05f,  6.568434037e-05f,  1.120552406e-04f,  1.326919009e-04f,  6.682852836e-05f,
     -1.196246158e-04f, -3.598472103e-04f, -4.833827843e-04f, -3.459657601e-04f, 1.003658326e-05f,  3.572233254e-04f,
     4.777195863e-04f,  3.456828417e-04f,  1.100304071e-04f,  -6.730257883e-05f, -1.282810699e-04f, -1.081456867e-04f,
     -6.417407712e-05f, -2.961821701e-05f, -1.106631771e-05f, -3.417234211e-06f, -8.829161970e-07f, -1.924082511e-07f,
     -3.556399619e-08f, -5.598175701e-09f},
    {1.103274028e-09f,  6.721712076e-09f,  3.463858533e-08f,  1.500370530e-07f,  5.413238000e-07f,  1.604175850e-06f,
     3.812568821e-06f,  6.929869869e-06f,  8.492269444e-06f,  3.245166454e-06f,  -1.307786442e-05f, -3.537178782e-05f,
     -4.521164374e-05f, -2.357447556e-05f, 2.523188959e-05f,  6.718583609e-05f,  6.718582881e-05f,  2.523188959e-05f,
     -2.357447556e-05f, -4.521164374e-05f, -3.537178782e-05f, -1.307786442e-05f, 3.245166454e-06f,  8.492269444e-06f,
     6.929869869e-06f,  3.812568821e-06f,  1.604175850e-06f,  5.413238000e-07f,  1.500370530e-07f,  3.463859599e-08f,
     6.721703194e-09f,  1.103272473e-09f},
};

struct GeluTable {
  __m512 low[6], high[6];  // coefficient j of intervals 0-15 and 16-31
};

__attribute__((target("avx512f"))) inline GeluTable gelu_table() {
  GeluTable t;
  for (int j = 0; j < 6; ++j) {
    t.low[j] = _mm512_load_ps(kGeluPhiTable[j]);
    t.high[j] = _mm512_load_ps(kGeluPhiTable[j] + 16);
  }
  return t;
}

__attribute__((target("avx512f,avx512dq"))) inline __m512 gelu_by_table(__m512 x, const GeluTable& t) {
  // f = 16 + x / 0.375 on [0, 32): the interval's number and the position in it (vreduceps)
  const __m512 f = _mm512_min_ps(
      _mm512_max_ps(_mm512_fmadd_ps(x, _mm512_set1_ps(32.0f / 12.0f), _mm512_set1_ps(16.0f)), _mm512_setzero_ps()),
      _mm512_set1_ps(31.999998f));
  const __m512i i = _mm512_cvt_roundps_epi32(f, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
  const __m512 w = _mm512_reduce_ps(f, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
  __m512 p = _mm512_permutex2var_ps(t.low[5], i, t.high[5]);
  for (int j = 4; j >= 0; --j) p = _mm512_fmadd_ps(p, w, _mm512_permutex2var_ps(t.low[j], i, t.high[j]));
  return _mm512_mul_ps(x, p);
}

// Lane i of the result holds the sum of the 16 lanes of v[i]: sixteen horizontal sums in 15
// additions and 30 shuffles, where one _mm512_reduce_add_ps each would take 4 dependent steps.
// The loops unrolled: rolled, GCC 12 kept a[] and b[] on the stack, and a beam-3 step's
// cross-attentions took 0.73-0.84 ms instead of 0.89-0.95 (paired with a read of their 21 MB:
// 1.93-2.01x against 2.18-2.28x; docs/performance.md, thirty-second round).
__attribute__((target("avx512f"))) inline __m512 sum16(const __m512 (&v)[16]) {
  // Pairs: in each 128-bit lane, [x0 + x2, y0 + y2, x1 + x3, y1 + y3].
  __m512 a[8];
#pragma GCC unroll 8
  for (int i = 0; i < 8; ++i)
    a[i] = _mm512_add_ps(_mm512_unpacklo_ps(v[2 * i], v[2 * i + 1]), _mm512_unpackhi_ps(v[2 * i], v[2 * i + 1]));
  // Fours: each 128-bit lane q holds, for v[4i .. 4i + 3], the sums of their lane q.
  __m512 b[4];
#pragma GCC unroll 4
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
