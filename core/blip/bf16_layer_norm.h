#pragma once
// LayerNorm of float32 rows straight into bfloat16, for the bf16 mode's vision layers, whose
// LayerNorms feed bfloat16 products: at::layer_norm wrote float32 rows that the product then read
// again to round them (two passes over 577 x 768 values per LayerNorm, 0.15-0.2 ms each on the
// development machine). Hand-written because libtorch 1.13 has no LayerNorm with a bfloat16
// output for a float32 input.
#include <cstdint>

namespace glimpse::blip {

// Whether this CPU runs it (AVX-512 BF16, BW and VL).
bool bf16_layer_norm_available();

// out[r] = bfloat16((x[r] - mean) / sqrt(var + eps) * weight + bias) for r < rows, rows of d
// float32 values (row stride d) into rows of d bfloat16 values, rounded to nearest even. The mean
// and the (biased) variance are float32 sums over the row in two passes, as exact as
// at::layer_norm's; runs at::parallel_for over the rows.
void bf16_layer_norm(const float* x, int64_t rows, int64_t d, const float* weight, const float* bias, float eps,
                     uint16_t* out);

// The same normalisation with float32 output, on the calling thread: the bf16 mode's decoder
// steps (text_decoder_step.h), whose LayerNorm outputs are both the next product's input and a
// residual. Differs from at::layer_norm in the last bits (its sums run in another order).
void layer_norm_rows_f32(const float* x, int64_t rows, int64_t d, const float* weight, const float* bias, float eps,
                         float* out);

}  // namespace glimpse::blip
