#pragma once
// float32 products of many rows (the vision encoder, prompt and retrieval text passes): routed to
// the faster of libtorch's BLAS and oneDNN's sgemm on the running CPU. Debian 12's OpenBLAS 0.3.21
// does not know newer CPUs and falls back to its Haswell kernels, about half of what oneDNN's
// JIT kernels reach there; on CPUs OpenBLAS knows the two are close. Which one wins is measured
// once, at the first product (a few milliseconds), never guessed from the CPU's model name.
#include <ATen/ATen.h>

#include <functional>
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
  double fma_peak_gflops = 0;  // the CPU's float32 FMA rate, measured on registers (no memory)
  std::string warning;         // set when the chosen product runs far below fma_peak_gflops
};

// Whether dnnl_sgemm is linked into this build.
bool onednn_gemm_available();

// Measures (once per process; later calls return the cached result) and returns the choice.
// GLIMPSE_FP32_GEMM=blas|onednn forces one (benchmarks and tests compare both); the rates are
// still measured. The first call that finds a warning hands it to the warning sink, once.
const Fp32GemmChoice& fp32_gemm_choice();

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

}  // namespace glimpse::blip
