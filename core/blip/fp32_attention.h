#pragma once
// One head of float32 self-attention without a mask, for head size 64 (every BLIP vision model),
// with AVX-512F and DQ. fused_attention (fp32_gemm.h) runs it per head instead of its three oneDNN steps
// per block of query rows (sgemm for the scores, the softmax, sgemm for the output): a block of six
// query rows goes from the scores through the softmax to its output while its scores (14 KB for
// 577 tokens) stay in the first-level cache, as bf16_attention.h does for bfloat16
// (docs/performance.md, performance II thirteenth round). Hand-written because oneDNN 2.6, the one
// libtorch 1.13 loads, has no fused attention. Its loops mirror bf16_attention.cpp's: the two are
// compiled for different instruction sets (GCC's target attributes), and one template for both would
// leave calls in the inner loops.
#include <cstdint>

namespace glimpse::blip {

constexpr int64_t kFp32AttentionHeadSize = 64;
// The largest key row stride (in values) it takes: sixteen rows' offsets are gathered in 32 bits.
constexpr int64_t kFp32AttentionMaxKeyStride = int64_t{1} << 26;

// Whether this CPU runs it (AVX-512F and DQ). GLIMPSE_FP32_ATTENTION=onednn turns it off, for benchmarks
// and tests that compare the two.
bool fp32_attention_available();

// out[i] = softmax(alpha q[i] k^T) v for i < t and alpha > 0 (each row's maximum is taken before
// the scaling): q, k, v and out rows of 64 float32 values with row
// strides ldq, ldk (at most kFp32AttentionMaxKeyStride), ldv and ldo (in values). Each row's
// exponentials are summed in float32, multiplied by the values, and that product is divided by the
// sum (softmax then product divides each probability first: the same terms, rounded in another
// order). Uses a thread-local work area of about 0.3 KB per token.
void fp32_attention_head64(const float* q, const float* k, const float* v, int64_t ldq, int64_t ldk, int64_t ldv,
                           int64_t t, float alpha, float* out, int64_t ldo);

}  // namespace glimpse::blip
