#pragma once
// Minimal layers whose parameters are created empty (no random init: every value comes from the
// checkpoint) and registered under PyTorch's names (weight, bias).
#include <ATen/ATen.h>
#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include <memory>
#include <mutex>

#include "fp32_gemm.h"
#include "precision.h"
#include "small_gemm.h"

namespace glimpse::blip {

// x in dtype t, without a dispatcher call when it already is (decoder steps call this often).
inline at::Tensor to_dtype(const at::Tensor& x, at::ScalarType t) {
  return x.scalar_type() == t ? x : x.to(t);
}

// torch.nn.Linear. In the bf16 and int8 modes (set_precision) it keeps a low-precision copy of
// its weight next to the float32 parameter and computes with that.
struct LinearImpl : torch::nn::Module {
  LinearImpl(int64_t in_features, int64_t out_features, bool with_bias = true) {
    weight = register_parameter("weight", at::empty({out_features, in_features}), /*requires_grad=*/false);
    if (with_bias) bias = register_parameter("bias", at::empty({out_features}), /*requires_grad=*/false);
  }
  // float32 input: float32 output. bf16 mode: bfloat16 output for many rows (float32 where they
  // run widened, see widened_product), float32 for a few (decoder steps); callers widen where it
  // matters.
  at::Tensor forward(const at::Tensor& x) { return forward(x, Epilogue::None, at::Tensor()); }
  // Same with another bias (the LM head's bias is a separate parameter).
  at::Tensor forward(const at::Tensor& x, const at::Tensor& b);
  // epilogue(x W^T + b) + residual (residual undefined: none). float32 and bf16 products of many
  // rows run with the weight packed once for oneDNN's matmul and the epilogue and the residual
  // add inside the product (fp32_gemm.h); otherwise the same operations one after the other.
  at::Tensor forward(const at::Tensor& x, Epilogue e, const at::Tensor& residual);
  // The same with the packed product for any number of rows where the layer packs its weight (bf16,
  // and float32 where the first-use measurement chose packing): the vision layers' products of a
  // few rows (BlipVisionModel::first_token), which would otherwise make the weight's tiles, a second
  // copy kept beside the packed one.
  at::Tensor forward_packed(const at::Tensor& x, Epilogue e, const at::Tensor& residual);
  // bf16 mode: epilogue(x W_p^T + b_p) + residual for the slice `part` of `parts` equal slices of
  // the weight, each packed once (fp32_gemm.h) at the first call and kept in place of the whole
  // weight's packed copy: along Outputs, the rows of its output features with their biases; along
  // Inputs, the columns of its input features (x holds only those), the bias with part 0 only.
  // Any number of rows. Undefined where the slices cannot run packed (the caller then runs the
  // whole product, and may drop_slices). One way of slicing per layer.
  enum class Slice { Outputs, Inputs };
  at::Tensor forward_part(const at::Tensor& x, Slice along, int64_t part, int64_t parts, Epilogue e,
                          const at::Tensor& residual);
  // bf16 mode: y += x W_p^T (+ the bias with part 0) for the slice `part` of `parts` slices of the
  // input features, in place (y float32, contiguous, of the result's shape): forward_part along
  // Inputs with y as the residual, the same sums, without a second buffer. False where it cannot
  // run packed (y then unchanged).
  bool add_part(const at::Tensor& x, int64_t part, int64_t parts, const at::Tensor& y);
  // Frees forward_part's slices, which will not be made again (the whole product, if it runs, makes
  // the plain copy again); set_precision allows them again.
  void drop_slices();
  // Whether forward_part's slices were given up (drop_slices, or they could not be made) since the
  // last set_precision.
  bool slices_given_up() const {
    std::lock_guard<std::mutex> lock(pack_mutex_);
    return slices_failed_;
  }
  // Prepares the weight for `p`; call after the weights are loaded. Float32 drops the copies. A
  // layer whose tiles lie in a gathered block (set_bf16_tiles_in) keeps them when asked for the
  // bf16 mode again.
  void set_precision(Precision p);
  // The bf16 mode with the weight's tiles (small_gemm.h) made in `dest` (contiguous bfloat16 of
  // bf16_tile_elements, a view of a larger block: gather_bf16_tiles), kept there; no plain copy;
  // the float32 weight's mapped pages given back.
  void set_bf16_tiles_in(const at::Tensor& dest);
  Precision precision() const { return precision_; }
  // Whether a product of `rows` rows runs in the few-row kernel (small_gemm.h) on this CPU.
  bool runs_few_rows(int64_t rows) const;
  // bf16 mode: whether the plain bfloat16 copy of the weight is held (made by set_precision; a
  // layer drops it when its first product of many rows ran packed, when it made the slices of
  // forward_part or when it made its tiles, and makes it again from them where a product needs it).
  bool holds_plain_bf16() const {
    std::lock_guard<std::mutex> lock(pack_mutex_);
    return weight_bf16_.defined();
  }
  // bf16 mode: whether the weight's tiles, which few-row products read, are held.
  bool holds_bf16_tiles() const {
    std::lock_guard<std::mutex> lock(pack_mutex_);
    return tiles_.defined();
  }
  // bf16 mode: the plain bfloat16 copy of the weight (made again if the layer dropped it), kept
  // from now on.
  at::Tensor plain_bf16_weight();
  // bf16 mode: the weight in tiles as the few-row kernel reads them, made at the first call (the
  // plain copy then dropped unless plain_bf16_weight kept it) and kept.
  Bf16Tiles bf16_weight_tiles();
  // bf16 mode: takes `tiles` (this layer's weight, a view of a larger matrix's tiles) as its tiles
  // (fuse_bf16_tiles).
  void share_bf16_tiles(const Bf16Tiles& tiles);
  // Frees the packed copy (and forward_part's packed slices) and gives the mapped float32 weight's
  // pages back; products of many rows pack it again from the checkpoint (float32 once packing pays
  // again, the losses counted from zero: pack_now). Returns the packed bytes freed. Not while a
  // product of this layer runs.
  size_t release_packed();
  at::Tensor weight, bias;

 private:
  Precision precision_ = Precision::Float32;
  at::Tensor weight_bf16_, bias_bf16_;  // BFloat16
  Bf16Tiles tiles_;                     // BFloat16 in tiles, for few-row products
  bool keep_plain_bf16_ = false;        // a product has read weight_bf16_ itself
  bool gathered_ = false;               // tiles_ is a view of a gathered block (set_bf16_tiles_in)
  c10::IValue packed_int8_;             // Int8: oneDNN packed per-channel int8 weight
  // x W^T + b (then GELU) through the few-row kernel when x has few rows and the kernel runs
  // here; undefined otherwise.
  at::Tensor few_rows(const at::Tensor& x, const at::Tensor& b, bool gelu);
  // bf16 mode, many rows, on a CPU that multiplies bfloat16 slower than float32 (fp32_gemm.h's
  // bf16_gemm_rate): the float32 product of x and the bfloat16 weight widened.
  at::Tensor widened_product(const at::Tensor& x, Epilogue e, const at::Tensor& residual);
  // The plain bfloat16 copy for one product of many rows: a layer with tiles (decoder steps) makes
  // it from them for this product only; otherwise the held copy (made if it was dropped), kept
  // from now on with `keep` (plain_bf16_weight).
  at::Tensor plain_bf16_for_product(bool keep);
  // The plain bfloat16 copy, made from the tiles or the float32 weight if it was dropped;
  // pack_mutex_ held.
  const at::Tensor& bf16_rows_locked();
  // Float32 or bf16, made at the first product of many rows; float32 only once packing pays
  // (pack_now: `rows` is this product's). Null: not chosen, not yet, or not possible.
  PackedWeight* packed_weight(int64_t rows);
  // Slice `part` of `parts` along `along`, all made at the first call (forward_part); null where
  // they cannot be made or x does not fit.
  std::shared_ptr<PackedWeight> slice_of(const at::Tensor& x, Slice along, int64_t part, int64_t parts);
  // The product through the packed weight (made if need be), or undefined where it cannot run.
  at::Tensor try_packed(const at::Tensor& x, Epilogue e, const at::Tensor& residual);
  mutable std::mutex pack_mutex_;
  bool pack_tried_ = false;
  double unpacked_loss_seconds_ = 0;  // float32: what running unpacked lost so far (pack_now)
  std::shared_ptr<PackedWeight> packed_;
  std::vector<std::shared_ptr<PackedWeight>> slices_;  // forward_part's, made at its first call
  Slice slice_along_ = Slice::Outputs;
  bool slices_failed_ = false;  // given up: not made, or drop_slices (set_precision allows them again)
};
TORCH_MODULE(Linear);

// bf16 mode: the weights of `layers` (same input size) stacked into one matrix in tiles and their
// float32 biases into one vector, so that a decoder step reads them in one few-row product, one
// parallel region instead of one per layer. Each layer's own tiles become a view of the matrix's:
// it costs no memory. Tiles that already lie one after another in one block (gather_bf16_tiles)
// are not copied again: the matrix is a view of them. Undefined (no fused product) where a layer's
// output size is not a multiple of kTileColumns (its tiles are padded), or, for an input size of
// several chunks of lines (small_gemm.h), of kTileColumns * kTileGroup (a group of tiles would
// hold two layers' lines in another order than the stacked matrix's).
struct FusedBf16Linear {
  Bf16Tiles weight;
  at::Tensor bias;
};
FusedBf16Linear fuse_bf16_tiles(const std::vector<LinearImpl*>& layers);

// bf16 mode: the tiles of `layers`, in this order, made in one block of memory
// (set_bf16_tiles_in), for the layers a decoder step reads, in the order it reads them. The block starts
// on a 2 MiB boundary, and once it is filled the kernel is asked to back it with transparent huge
// pages (madvise MADV_HUGEPAGE, which Debian's default "madvise" mode honours), and the block is
// kept for move_gathered_weights_onto_huge_pages. A bf16 step streams 246 MB of weights, 60,000
// pages of 4 KiB; its products ran 10-16 % faster from huge pages (docs/performance.md, fourteenth
// round), whole steps 8-25 % (nineteenth). Asked for before the fill, the pages cost up to a
// second at load on a virtual machine whose host backs fresh memory lazily; after it, nothing.
// Layers still in float32 are put in the bf16 mode; layers already in it keep their values.
// GLIMPSE_HUGE_PAGES=0 asks for plain pages instead, and GLIMPSE_HUGE_PAGES=advise only advises
// them (nothing is moved), to compare.
void gather_bf16_tiles(const std::vector<LinearImpl*>& layers);

// Moves the blocks gathered since the last call onto huge pages now (MADV_COLLAPSE, Linux 6.1),
// from a thread of the lowest nice priority, each once. Khugepaged alone moves 16 MiB every 10 s
// (a base model's block after 2.5 minutes). Generation calls it when a caption or answer is done:
// during a load and the first caption the move made a one-shot bf16 caption 0.24 s slower
// (docs/performance.md); after it, the app is usually idle. Nothing where the machine's
// transparent huge pages are "never".
void move_gathered_weights_onto_huge_pages() noexcept;

// The moves onto huge pages of this process: bytes moved so far, how many are still going, and
// how many have started.
struct HugePageMoves {
  int64_t bytes_moved = 0;
  int running = 0;
  int64_t started = 0;
};
HugePageMoves huge_page_moves();

// torch.nn.LayerNorm over the last dimension
struct LayerNormImpl : torch::nn::Module {
  LayerNormImpl(int64_t dim, double eps) : dim_(dim), eps_(eps) {
    weight = register_parameter("weight", at::empty({dim}), false);
    bias = register_parameter("bias", at::empty({dim}), false);
  }
  // Always in float32 (a bfloat16 input from a linear layer is widened first).
  at::Tensor forward(const at::Tensor& x) {
    return at::layer_norm(to_dtype(x, weight.scalar_type()), {dim_}, weight, bias, eps_);
  }
  // The same as the next product takes it: in the bf16 mode, bfloat16 rows made straight from the
  // float32 ones where this CPU runs bf16_layer_norm.h (the product would round them anyway);
  // otherwise forward(x).
  at::Tensor forward_for(const at::Tensor& x, Precision consumer);
  at::Tensor weight, bias;
  int64_t dim_;
  double eps_;
};
TORCH_MODULE(LayerNorm);

// torch.nn.Embedding
struct EmbeddingImpl : torch::nn::Module {
  EmbeddingImpl(int64_t num, int64_t dim) { weight = register_parameter("weight", at::empty({num, dim}), false); }
  at::Tensor forward(const at::Tensor& ids) { return at::embedding(weight, ids); }
  at::Tensor weight;
};
TORCH_MODULE(Embedding);

// torch.nn.Conv2d with kernel == stride (patch embedding), run as the product it is: each patch's
// in_channels x patch x patch values (in the weight's order) times the weight viewed as
// [out_channels, in_channels x patch x patch]. oneDNN's convolution reordered the weight on every
// call and its output back to rows; in the bf16 mode the product runs in a bf16 linear layer
// (packed; AMX tiles where the CPU has them), as transformers' bfloat16 model casts the pixels to
// the weight's dtype. Taking turns in one process (bench_engine's BM_PatchEmbedding): bf16 0.39 ms
// against the convolution's 2.25, float32 1.86 against 2.24 (docs/performance.md, twenty-sixth
// round). Float32 outside the bf16 mode, int8 included (dynamic quantization leaves convolutions
// alone).
struct PatchConv2dImpl : torch::nn::Module {
  PatchConv2dImpl(int64_t in_channels, int64_t out_channels, int64_t patch) : patch_(patch) {
    weight = register_parameter("weight", at::empty({out_channels, in_channels, patch, patch}), false);
    bias = register_parameter("bias", at::empty({out_channels}), false);
  }
  // x [B, C, H, W] float32 -> [B, (H / patch) x (W / patch), out_channels], patches row by row
  // (the convolution's output flattened and transposed). Float32, or bfloat16 where the bf16 mode's
  // product runs packed (LinearImpl::forward).
  at::Tensor forward(const at::Tensor& x);
  // Called by set_linear_precision after the weights are loaded.
  void set_precision(Precision p);
  // The bf16 layer's packed copy (release_packed_weights); 0 in float32.
  size_t release_packed();
  at::Tensor weight, bias;
  int64_t patch_;

 private:
  Linear linear_{nullptr};  // the bf16 mode's product (not a submodule: the checkpoint has no such weight)
};
TORCH_MODULE(PatchConv2d);

// Sets the precision of every Linear under `root` (the caller checks precision_problem first).
void set_linear_precision(torch::nn::Module& root, Precision p);

// release_packed() for every Linear under `root`; the bytes freed.
size_t release_packed_weights(torch::nn::Module& root);

// Softmax over the last dimension in float32, returned in `like`'s dtype (attention
// probabilities meet the values in the values' dtype).
inline at::Tensor softmax_like(const at::Tensor& scores, const at::Tensor& like) {
  return to_dtype(at::softmax(to_dtype(scores, at::kFloat), -1), like.scalar_type());
}

}  // namespace glimpse::blip
