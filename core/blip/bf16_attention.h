#pragma once
// One head of bfloat16 self-attention without a mask, for head size 64 (every BLIP vision model),
// with AVX-512 BF16 dot products. fused_attention (fp32_gemm.h) runs it per head instead of its
// three oneDNN steps when the CPU has AVX-512 BF16: those write a head's 577 x 577 float32 scores
// out and read them back twice, which left the bf16 attention at about 3x its FLOP bound; here a
// block of six query rows goes from the scores through the softmax to its output while its scores
// (15 KB) stay in the first-level cache (docs/performance.md, performance II sixth round).
// Hand-written because oneDNN 2.6, the one libtorch 1.13 loads, has no fused attention.
#include <cstdint>

namespace glimpse::blip {

constexpr int64_t kBf16AttentionHeadSize = 64;
// The largest key row stride (in values) it takes: sixteen rows' offsets are gathered in 32 bits.
constexpr int64_t kBf16AttentionMaxKeyStride = int64_t{1} << 26;

// Whether this CPU runs it (AVX-512 BF16, BW, VL and DQ). GLIMPSE_BF16_ATTENTION=onednn turns it off,
// for benchmarks that compare the two.
bool bf16_attention_available();

// Which unit multiplies: AVX-512 BF16 dot products, or AMX tiles (16 query rows at a time;
// 2.3-3.6x faster on a Xeon with AMX, docs/performance.md twenty-second round). Both round alike;
// their sums are added in different orders.
enum class Bf16AttentionUnit { Avx512, Amx };

// Whether it runs in AMX tiles here: the CPU has AMX-BF16 and the kernel grants this process the
// tile state (requested on the first call). GLIMPSE_BF16_ATTENTION=avx512 keeps the dot products.
bool bf16_attention_amx_available();
// Whether this process may use AMX tiles: the CPU has AMX-BF16 and the kernel grants the tile
// state (requested on the first call), whatever GLIMPSE_BF16_ATTENTION says. oneDNN's bfloat16
// products run in them then too.
bool amx_bf16_granted();

// out[i] = softmax(alpha q[i] k^T) v for i < t and alpha > 0 (each row's maximum is taken before
// the scaling): q, k, v and out rows of 64 bfloat16 values with
// row strides ldq, ldk (at most kBf16AttentionMaxKeyStride), ldv and ldo (in values). Scores and sums in float32; the
// exponentials are rounded to bfloat16 for the product with v, and that product is divided by their float32 sum
// (oneDNN's path rounds the divided probabilities instead: the same one rounding of each factor).
// The result is rounded to nearest even. Uses a thread-local work area of about 0.25 KB per token
// (0.34 KB in AMX tiles). Runs in AMX tiles where bf16_attention_amx_available(), else in dot
// products. Call it only where bf16_attention_available().
void bf16_attention_head64(const uint16_t* q, const uint16_t* k, const uint16_t* v, int64_t ldq, int64_t ldk,
                           int64_t ldv, int64_t t, float alpha, uint16_t* out, int64_t ldo);
// The same on the given unit, whatever GLIMPSE_BF16_ATTENTION says (Amx where this process has no
// tiles: the dot products). Call it only on a CPU with AVX-512 BF16, BW and VL.
void bf16_attention_head64(const uint16_t* q, const uint16_t* k, const uint16_t* v, int64_t ldq, int64_t ldk,
                           int64_t ldv, int64_t t, float alpha, uint16_t* out, int64_t ldo, Bf16AttentionUnit unit);

}  // namespace glimpse::blip
