#pragma once
// Linear layers on a few rows (decoder steps: one row per beam). Hand-written because libtorch
// 1.13 has no good kernel for this shape: OpenBLAS repacks the whole weight matrix for every
// GEMM with M > 1, and oneDNN's bfloat16 path pays a fixed cost per call that is larger than the
// product itself. These kernels read each weight once for all rows, at memory speed.
#include <ATen/ATen.h>

namespace glimpse::blip {

constexpr int64_t kSmallGemmMaxRows = 8;

// Whether this CPU runs the kernels (AVX-512F for float32 weights; AVX-512 BF16, BW, VL and DQ for
// bfloat16).
bool small_gemm_available(at::ScalarType weight_type);

// bfloat16 weights as the kernel reads them: tiles of kTileColumns output rows (columns of the
// product) side by side, each cut into lines of kTileDepth values (64 bytes). Tile t, line l,
// column c of the tile holds W[kTileColumns * t + c, kTileDepth * l + i] for i < kTileDepth at
// element bf16_tile_line(t, l, tiles, lines) + c * kTileDepth, lines = ceil(K / kTileDepth),
// tiles = ceil(N / kTileColumns); the padding past N and K is zero. Each load of a row's values
// serves all the tile's columns.
// The lines lie in the order the kernel reads them, one stream of memory: tiles in groups of
// kTileGroup, and within a group the first kTileChunkLines lines of each tile, then the next
// kTileChunkLines of each, and so on. The kernel reuses a row's values of one chunk (1.5 KB a
// row, at most four rows a pass) across the group's tiles while they stay in L1; a whole tile's
// worth of a row was evicted by the tile itself where K is large (three rows of 3,072 values,
// 18 KB, beside a 24 KiB tile: the MLP's second product of a beam-3 step took 1.17-1.29x the
// time of its first, the same bytes; 1.05-1.06x now; docs/performance.md, twenty-first round).
// Where K has one chunk (768 or less) a tile's lines are simply one after another, tile after
// tile.
constexpr int64_t kTileColumns = 4;
constexpr int64_t kTileDepth = 32;
constexpr int64_t kTileGroup = 4;
constexpr int64_t kTileChunkLines = 24;
// Lines of a tile column for an input size k, and elements of the tiles of an [n, k] weight.
constexpr int64_t bf16_tile_lines(int64_t k) {
  return (k + kTileDepth - 1) / kTileDepth;
}
constexpr int64_t bf16_tile_elements(int64_t n, int64_t k) {
  return (n + kTileColumns - 1) / kTileColumns * bf16_tile_lines(k) * kTileColumns * kTileDepth;
}
// The element where line l of tile t starts (its column 0), in the tiles of a weight of `tiles`
// tiles of `lines` lines each (a group or chunk at the end may be shorter).
constexpr int64_t bf16_tile_line(int64_t t, int64_t l, int64_t tiles, int64_t lines) {
  const int64_t group = t / kTileGroup * kTileGroup, chunk = l / kTileChunkLines * kTileChunkLines;
  const int64_t group_tiles = tiles - group < kTileGroup ? tiles - group : kTileGroup;
  const int64_t chunk_lines = lines - chunk < kTileChunkLines ? lines - chunk : kTileChunkLines;
  return (group * lines + chunk * group_tiles + (t - group) * chunk_lines + (l - chunk)) * kTileColumns * kTileDepth;
}
// An [n, k] weight in tiles: data is a contiguous bfloat16 tensor of bf16_tile_elements(n, k).
struct Bf16Tiles {
  at::Tensor data;
  int64_t n = 0, k = 0;
  bool defined() const { return data.defined(); }
};
// `weight` [n, k] (float32, rounded as weight.to(kBFloat16) rounds, or bfloat16) written as tiles
// into `dest` (contiguous bfloat16 of bf16_tile_elements(n, k), its padding written with zeros).
void write_bf16_tiles(const at::Tensor& weight, const at::Tensor& dest);
// The same into new memory.
Bf16Tiles bf16_tiles(const at::Tensor& weight);
// The plain [n, k] bfloat16 weight the tiles hold (exact).
at::Tensor bf16_untiled(const Bf16Tiles& tiles);

// How far the bfloat16 kernel asks for every weight line ahead: not at all, 4 KiB ahead into L1,
// or that and 16 KiB ahead into L2 as well. CPUs differ: on a Xeon (family 6 model 207) asking
// ahead into both took a bf16 step's products from 1.5-2.3x to 1.1-1.4x of the weight-bytes /
// read-bandwidth bound (docs/performance.md, tenth and fifteenth rounds); on an AMD EPYC (family
// 25 model 17) one-row steps ran 1-5 % faster without than with both once the weights were on huge
// pages, and slower without on 4 KiB pages (seventeenth round); on an AMD EPYC of family 26 captions'
// steps ran 3-10 % faster asking into L1 only than into both, and 1-13 % faster than not asking
// (thirty-third round). Decoder steps choose it by timing (step_choice.h; both at start, the ways
// taking turns while they choose), unless GLIMPSE_STEP_AHEAD=0|1|2 fixes it (the level).
constexpr int kWeightsAheadNone = 0;
constexpr int kWeightsAheadL1 = 1;
constexpr int kWeightsAheadL1AndL2 = 2;
// (any other level is refused)
void set_bf16_weights_ahead(int level);
int bf16_weights_ahead();
// GLIMPSE_STEP_AHEAD: 0, 1 or 2 where it fixes the choice, else -1 (read once).
int bf16_weights_ahead_fixed();

// y = x W^T + b for x [..., K] float32 contiguous, W [N, K] contiguous float32 or bfloat16, b [N]
// float32 or undefined. Returns float32 [..., N]; with `gelu`, GELU(y) (avx512::gelu, computed by
// the task that made each output). Rows past kSmallGemmMaxRows run kSmallGemmMaxRows at a time,
// each group reading the weights again. A bfloat16 W is put in tiles for this call (tests, and
// products run once); layers keep theirs (the overload).
at::Tensor small_rows_linear(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias, bool gelu = false);
at::Tensor small_rows_linear(const at::Tensor& x, const Bf16Tiles& weight, const at::Tensor& bias, bool gelu = false);

// The same product on memory the caller holds (a decoder step without tensors between its
// products, text_decoder_step.h): x [m, k] float32, m <= kSmallGemmMaxRows; weight [n, k]
// float32, or bfloat16 in tiles (weight_type; n is the tiles' own: where k has several chunks of
// lines, the first columns of tiles are not the tiles of a narrower weight); bias [n] or null;
// y [m, n].
void small_rows_product(const float* x, int64_t m, int64_t k, const void* weight, at::ScalarType weight_type, int64_t n,
                        const float* bias, float* y, bool gelu = false);

// softmax(q k^T / divisor + mask) v for a few query rows (a decoder step), in float32:
// q [B, H, Lq, D] float32, k and v [B, H, S, D] both float32 or both bfloat16 (widened as they are
// read; rows may be strided, the last dimension contiguous),
// mask undefined or broadcastable to [B, 1, Lq, S]. Returns [B, H, Lq, D]. One task per (B, H)
// reads its keys and values once (tasks of at least ~64K products: a step's self-attention over a
// few dozen positions stays on the calling thread); libtorch's bmm runs one BLAS call per head
// with more overhead than work at this size.
at::Tensor small_attention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, const at::Tensor& mask,
                           double divisor);

// A decoder step's self-attention over a cache that grows in place: writes the step's keys and
// values k, v at positions [past, past + L) of key_cache and value_cache, then computes what
// small_attention computes for q over positions [0, past + L) (the same kernel, the same values),
// written as the layer's output product reads it. q, k, v: float32 [rows, L, heads * 64], last
// dimension contiguous (views of one q|k|v product); the caches: contiguous float32 [rows, heads,
// capacity, 64] with capacity >= past + L; mask: additive, broadcastable to [rows, 1, L, past + L],
// or undefined. Returns [rows, L, heads * 64]. Saves the ATen calls that split the heads, grow the
// cache and join the heads again (about 20 a layer).
bool small_self_attention_step_available(int64_t head_dim);
// small_self_attention_step on memory the caller holds: row r, position i of q at q + r * q_row +
// i * q_pos (k, v likewise), heads of 64 side by side; caches [rows, H, cap, 64]; mask [rows, L,
// past + L] or null; out [rows, L, H * 64]. The same kernel, the same values.
// `history` (beams reordered without copies, TextCache::reorder_by_history): row r's positions
// p < history_len are those the caches hold in row history[r * history_len + p]; null, or
// positions from history_len on, a row's own. The step's keys and values go to each row's own.
void self_attention_step_rows(const float* q, int64_t q_row, int64_t q_pos, const float* k, int64_t k_row,
                              int64_t k_pos, const float* v, int64_t v_row, int64_t v_pos, int64_t rows, int64_t L,
                              int64_t H, float* key_cache, float* value_cache, int64_t cap, int64_t past,
                              const float* mask, float divisor, float* out, const int32_t* history = nullptr,
                              int64_t history_len = 0);
// A decoder step's cross-attention as small_attention computes it for the rows of each item
// folded into its query, on memory the caller holds: one position per row, row r at q + r * q_row
// (heads of 64 side by side), rows_per_item consecutive rows per item; keys and values contiguous
// [items, H, S, 64] float32 or bfloat16 (kv_type); no mask; out row r at out + r * out_row.
void cross_attention_rows(const float* q, int64_t q_row, int64_t rows, int64_t rows_per_item, const void* keys,
                          const void* values, at::ScalarType kv_type, int64_t items, int64_t H, int64_t S,
                          float divisor, float* out, int64_t out_row);
at::Tensor small_self_attention_step(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                                     const at::Tensor& key_cache, const at::Tensor& value_cache, int64_t past,
                                     const at::Tensor& mask, double divisor);

}  // namespace glimpse::blip
