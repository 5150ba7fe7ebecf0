#pragma once
// GELU of float32 rows straight into bfloat16, for the bf16 mode's products with GELU: oneDNN's
// product writes float32 without its GELU, and this pass rounds GELU of each value once. oneDNN
// 2.6's GELU inside the product's output pass cost 0.35-0.39 ms of a ViT-B fc1 (1.8 M values) on
// the development machine's Xeon; this pass with its table (avx512::gelu_by_table) costs less, and
// its results round as the exact GELU's do (docs/performance.md, twenty-ninth round).
// Hand-written because libtorch 1.13 has no GELU with a bfloat16 output for a float32 input.
#include <cstdint>

namespace glimpse::blip {

// Whether this CPU runs it (AVX-512 F, DQ, BW, VL and BF16).
bool bf16_gelu_available();

// out[r][j] = bfloat16(GELU(x[r][j])) for rows of n float32 values (row stride n) into rows of n
// bfloat16 values (row stride n), rounded to nearest even; runs at::parallel_for over the rows.
void bf16_gelu(const float* x, int64_t rows, int64_t n, uint16_t* out);

}  // namespace glimpse::blip
