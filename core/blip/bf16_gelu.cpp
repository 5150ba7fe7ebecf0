#include "bf16_gelu.h"

#include <ATen/Parallel.h>

#include <algorithm>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

#include "avx512_math.h"
#define GLIMPSE_BF16_GELU_KERNEL 1
#endif

namespace glimpse::blip {

#ifdef GLIMPSE_BF16_GELU_KERNEL
namespace {

#define GLIMPSE_BF16_TARGET __attribute__((target("avx512f,avx512dq,avx512bw,avx512vl,avx512bf16")))

// One row: 32 values to one 64-byte store where they are whole, then the tail under a mask.
GLIMPSE_BF16_TARGET void gelu_row(const float* x, int64_t n, const avx512::GeluTable& table, uint16_t* out) {
  int64_t j = 0;
  for (; j + 32 <= n; j += 32) {
    const __m512 a = avx512::gelu_by_table(_mm512_loadu_ps(x + j), table);
    const __m512 b = avx512::gelu_by_table(_mm512_loadu_ps(x + j + 16), table);
    _mm512_storeu_si512(out + j, reinterpret_cast<__m512i>(_mm512_cvtne2ps_pbh(b, a)));
  }
  for (; j < n; j += 16) {
    const auto m = static_cast<__mmask16>(n - j >= 16 ? 0xffffu : (1u << (n - j)) - 1);
    const __m512 a = avx512::gelu_by_table(_mm512_maskz_loadu_ps(m, x + j), table);
    _mm256_mask_storeu_epi16(out + j, m, reinterpret_cast<__m256i>(_mm512_cvtneps_pbh(a)));
  }
}

GLIMPSE_BF16_TARGET void gelu_rows(const float* x, int64_t begin, int64_t end, int64_t n, uint16_t* out) {
  const avx512::GeluTable table = avx512::gelu_table();
  for (int64_t r = begin; r < end; ++r) gelu_row(x + r * n, n, table, out + r * n);
}

}  // namespace
#endif

bool bf16_gelu_available() {
#ifdef GLIMPSE_BF16_GELU_KERNEL
  return avx512::cpu_has_bf16();
#else
  return false;
#endif
}

void bf16_gelu(const float* x, int64_t rows, int64_t n, uint16_t* out) {
#ifdef GLIMPSE_BF16_GELU_KERNEL
  // about 16K values per task: a row of ViT-B's fc1 is 3072 (1024 in the MLP's slices)
  const int64_t grain = std::max<int64_t>(1, 16384 / std::max<int64_t>(n, 1));
  at::parallel_for(0, rows, grain, [&](int64_t begin, int64_t end) { gelu_rows(x, begin, end, n, out); });
#else
  (void)x, (void)rows, (void)n, (void)out;
#endif
}

}  // namespace glimpse::blip
