#pragma once
// float32 products of many rows (the vision encoder, prompt and retrieval text passes): routed to
// the faster of libtorch's BLAS and oneDNN's sgemm on the running CPU. Debian 12's OpenBLAS 0.3.21
// does not know newer CPUs and falls back to its Haswell kernels, about half of what oneDNN's
// JIT kernels reach there; on CPUs OpenBLAS knows the two are close. Which one wins is measured
// once, at the first product (a few milliseconds), never guessed from the CPU's model name.
#include <ATen/ATen.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace glimpse::blip {

enum class Fp32Gemm { Blas, OneDnn };

const char* fp32_gemm_name(Fp32Gemm g);

// What the first-use measurement found. Rates in GFLOP/s on a ViT-B-shaped product with all of
// torch's threads; onednn is 0 when oneDNN is not available in this build.
struct Fp32GemmChoice {
  Fp32Gemm chosen = Fp32Gemm::Blas;
  double blas_gflops = 0;
  double onednn_gflops = 0;
  double packed_gflops = 0;  // oneDNN's matmul on a weight packed once (0 when not available)
  // On an encoder MLP product ([577 x 768] x [3072 x 768]^T, 2.7 GFLOP), which decides `packed`
  // (packed at least 1.03x the chosen one): the two rates (both 0 when packing is not available).
  double mlp_gflops = 0;
  double packed_mlp_gflops = 0;
  bool packed = false;  // linear layers pack their weights (packed_linear), once it pays (pack_now)
  // What packing costs per byte of a float32 weight: the MLP weight's first packed product (its
  // reorder into fresh memory, its primitive) less a later one. 0 where GLIMPSE_FP32_GEMM forces
  // packing: layers then pack at their first product.
  double pack_seconds_per_byte = 0;
  double fma_peak_gflops = 0;  // the CPU's float32 FMA rate, measured on registers (no memory)
  std::string warning;         // set when the chosen product runs far below fma_peak_gflops
};

// Whether a float32 layer whose products run unpacked should pack its weight now, rent or buy: each
// product of `rows` x `k` by `n` x `k` adds to `lost_seconds` what the packed product would have
// saved it at the choice's MLP rates, and the layer packs once its losses reach what packing its
// n x k floats costs (pack_seconds_per_byte). Its losses then stay within about the cost of
// packing, however many products follow. A single image runs unpacked: packing a base model's
// 344 MB of vision weights made its first caption 0.6-0.7 s slower on the development machine, for
// about 0.04 s saved an image (docs/performance.md, thirtieth round). False where the choice does
// not pack; true at once where it packs without a measured cost (GLIMPSE_FP32_GEMM) or with rates
// that show no gain.
bool pack_now(const Fp32GemmChoice& c, double& lost_seconds, int64_t rows, int64_t k, int64_t n);

// Whether dnnl_sgemm is linked into this build.
bool onednn_gemm_available();

// Measures (once per process; later calls return the cached result) and returns the choice.
// GLIMPSE_FP32_GEMM=blas|onednn|packed forces one for benchmarks and tests (onednn: sgemm without
// packing; packed-all: packed at any number of rows); the rates are still measured. The first call that finds a warning
// hands it to the warning sink, once. With a measurement file (set_fp32_gemm_cache_file) and no
// GLIMPSE_FP32_GEMM, a measurement made on this computer before is taken from it (below).
const Fp32GemmChoice& fp32_gemm_choice();

// The measurement kept between processes. It took 50-80 ms of each process's first image, about
// 0.1 s more since packing is decided on the MLP shape (docs/performance.md, thirteenth round),
// and every glimpse-cli command is a new process. An
// entry holds for the same key (fp32_gemm_cache_key: the CPU, the thread count and the libraries
// measured) for kFp32GemmCacheDays; a measurement that found a warning is not kept, so a machine
// that was busy then is measured again. The file holds the entries of the last few keys (thread
// counts); anything unreadable in it counts as no entry.
constexpr int kFp32GemmCacheDays = 30;
// Set before the first image (the CLI and the app set their cache folder's file); empty: none.
void set_fp32_gemm_cache_file(const std::filesystem::path& file);
// The file set, or empty. (Beside it the decoder steps keep their ways: step_choice.h.)
std::filesystem::path fp32_gemm_cache_file();
// What a measurement depends on: the CPU's vendor, family, model, stepping and flags (as the kernel
// reports them), torch's thread count, and the path, size and time of the engine module, libtorch's
// BLAS and oneDNN.
std::string fp32_gemm_cache_key();
// The entry for `key` in `file` measured less than kFp32GemmCacheDays before `now`, or nothing.
std::optional<Fp32GemmChoice> read_cached_fp32_gemm(const std::filesystem::path& file, const std::string& key,
                                                    std::chrono::system_clock::time_point now);
// Writes `c` as the entry for `key` (replacing it, keeping up to seven others), through a temporary
// file and a rename. Returns false (and writes nothing) for a choice with a warning or on an error.
bool write_cached_fp32_gemm(const std::filesystem::path& file, const std::string& key, const Fp32GemmChoice& c,
                            std::chrono::system_clock::time_point now);

// bfloat16 against float32 products of many rows on this CPU, measured once (on first call) on
// the probe's shape through the packed paths the linear layers use. AVX-512 BF16 is not always
// the faster unit: on a Xeon without AMX (family 6 model 207) vdpbf16ps runs at half the rate of
// float32 FMAs, and a bf16 image encode took 1.6x the float32 one; on AMD's Zen 4 it runs at
// twice that rate. Where bf16 is the slower, the bf16 mode's products of many rows (the vision
// encoder, an image's cross-attention keys and values) widen the bfloat16 weight and run in
// float32 (nn_layers.h); decoder steps read their weights once and stay on the bfloat16 kernel,
// and the cross-attention keys and values they read are kept in bfloat16.
struct Bf16GemmRate {
  double bf16_gflops = 0;   // oneDNN's matmul on a packed bfloat16 weight (0: not available)
  double fp32_gflops = 0;   // the weight widened to float32, then the chosen float32 product
  bool bf16_faster = true;  // bf16 at least 0.8x the widened rate, or bf16 not measurable here
};
// GLIMPSE_BF16_GEMM=bf16|fp32 forces bf16_faster for tests and benchmarks (the rates are still
// measured).
const Bf16GemmRate& bf16_gemm_rate();

// The warning for a choice (empty when the chosen product runs at or above half of the FMA peak).
std::string fp32_gemm_warning(const Fp32GemmChoice& c);

// Where that one warning goes (the CLI prints it, the app logs it). Default: standard error.
void set_fp32_gemm_warning_sink(std::function<void(const std::string&)> sink);

// The CPU's float32 FMA peak in GFLOP/s with `threads` threads (0 = torch's), measured on
// register-only FMA chains of the widest vector unit the CPU reports (AVX-512F, AVX2+FMA, SSE).
double measure_fma_peak_gflops(int threads = 0);

// y = x W^T + b: x [..., K] float32, W [N, K] float32, b [N] float32 or undefined. Uses the
// chosen product; `g` overrides the choice.
at::Tensor fp32_linear(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias);
at::Tensor fp32_linear(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias, Fp32Gemm g);

// a @ b for float32 tensors of the same rank >= 2 and the same leading (batch) sizes, as
// at::matmul; operands may be transposed views (attention's k^T) and are not copied then. Other
// dtypes or shapes go to at::matmul.
at::Tensor fp32_matmul(const at::Tensor& a, const at::Tensor& b);
at::Tensor fp32_matmul(const at::Tensor& a, const at::Tensor& b, Fp32Gemm g);

// Self-attention without a mask, heads merged: softmax(scale * q k^T) v for float32 or bfloat16
// q, k, v [B, heads, T, hd] (views of one qkv product; each row of hd values contiguous), returned
// as [B, T, heads * hd] in their dtype, the layout the output projection reads. One head per
// thread (a block of query rows at a time for long sequences): its scores stay in that core's
// cache from the first product through oneDNN's softmax, in place, into the second, and the
// second writes straight into the merged layout. bfloat16 keeps the scores in float32 and rounds the probabilities.
// Undefined when the products do not go to oneDNN on this CPU or the operands do not fit (the caller then runs the
// unfused path).
at::Tensor fused_attention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, double scale);

// What a linear layer does to its product before returning it. On the packed path it happens in
// the product's own output pass instead of in separate passes over the output.
enum class Epilogue { None, Gelu };

// A float32 or bfloat16 weight [N, K] and its float32 bias, reordered once into the blocked layout
// oneDNN's matmul kernel reads. sgemm packs the whole weight again on every call (about 1 ms for a
// ViT-B MLP matrix, a sixth of the product); a packed weight is read as it is. A bfloat16 weight
// takes bfloat16 rows (x is rounded) and gives bfloat16, or float32 when a residual is added.
// Thread-safe.
class PackedWeight;

// The weight's rows may be a slice of a wider matrix's (row stride above K, its columns contiguous).
// Null when this build has no oneDNN. Nothing is packed until the first product.
// `into` (bytes, contiguous), if given, is where the packed copy goes when it fits: the slices
// of one weight (LinearImpl::forward_part) packed into one block, as the whole weight would be.
std::shared_ptr<PackedWeight> make_packed_weight(const at::Tensor& weight, const at::Tensor& bias,
                                                 const at::Tensor& into = at::Tensor());

// epilogue(x W^T + b) + residual, x [..., K] float32 or bfloat16, residual undefined or float32 of
// the result's shape.
// Undefined when this product cannot run packed (no fast kernel for it on this CPU): the caller
// then runs it unpacked. The first call packs the weight.
at::Tensor packed_linear(PackedWeight& w, const at::Tensor& x, Epilogue e, const at::Tensor& residual);
// y += x W^T + b in place, y float32, contiguous, of the result's shape: the same sums as
// packed_linear(w, x, Epilogue::None, y) without a second buffer (a product writing into the one
// it reads found it in cache: the bf16 MLP's later slices, docs/performance.md, twenty-seventh
// round). False where it cannot run packed (y is then unchanged).
bool packed_linear_add(PackedWeight& w, const at::Tensor& x, const at::Tensor& y);
// Whether oneDNN runs w's product of `rows` rows in AMX tiles here: a bfloat16 product of more than
// 32 rows, not a multiple of 32, then runs as two (the rows up to the last multiple, then the
// rest), which oneDNN 2.6 does faster (docs/performance.md, twenty-fifth round).
bool packed_linear_in_amx(PackedWeight& w, int64_t rows);

// The packed copy's size in bytes (0 before the first product).
size_t packed_bytes(const PackedWeight& w);

// How many products this process ran packed (tests check the path they force is taken).
int64_t packed_products();

// Linear layers pack their weights for products of at least this many rows (the vision
// encoder's 577 tokens, the cross-attention keys and values of an image); fewer rows stay on the
// paths above. GLIMPSE_FP32_GEMM=packed-all makes it 1 (tests run the tiny models packed).
int64_t pack_min_rows();

}  // namespace glimpse::blip
