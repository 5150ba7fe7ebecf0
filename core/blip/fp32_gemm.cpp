#include "fp32_gemm.h"

#include <ATen/Parallel.h>
#include <immintrin.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <mutex>
#include <sstream>
#include <vector>

#ifdef GLIMPSE_HAVE_DNNL
#include <dnnl.h>
#endif

namespace glimpse::blip {

const char* fp32_gemm_name(Fp32Gemm g) {
  return g == Fp32Gemm::OneDnn ? "oneDNN sgemm" : "libtorch BLAS";
}

bool onednn_gemm_available() {
#ifdef GLIMPSE_HAVE_DNNL
  return true;
#else
  return false;
#endif
}

namespace {

// ---- The CPU's FMA peak: independent chains of FMAs on registers, so the only limit is the
// number and width of the FMA units. Enough chains to cover 4-5 cycles of latency on 2 units.

// Written out per instruction set: the intrinsics must sit in the function that carries the
// target attribute (a lambda or template would not inherit it).
__attribute__((target("avx512f"))) double fma_avx512(int64_t iterations) {
  constexpr int kChains = 16;
  __m512 acc[kChains];
  for (int i = 0; i < kChains; ++i) acc[i] = _mm512_set1_ps(static_cast<float>(i) * 1e-3f);
  const __m512 m = _mm512_set1_ps(0.999999f), a = _mm512_set1_ps(1e-7f);
  for (int64_t n = 0; n < iterations; ++n)
#pragma GCC unroll 16
    for (int i = 0; i < kChains; ++i) acc[i] = _mm512_fmadd_ps(acc[i], m, a);
  for (int i = 1; i < kChains; ++i) acc[0] = _mm512_add_ps(acc[0], acc[i]);
  float out[16];
  _mm512_storeu_ps(out, acc[0]);
  return static_cast<double>(out[0]);  // returned so the loop is not removed
}

__attribute__((target("avx2,fma"))) double fma_avx2(int64_t iterations) {
  constexpr int kChains = 12;
  __m256 acc[kChains];
  for (int i = 0; i < kChains; ++i) acc[i] = _mm256_set1_ps(static_cast<float>(i) * 1e-3f);
  const __m256 m = _mm256_set1_ps(0.999999f), a = _mm256_set1_ps(1e-7f);
  for (int64_t n = 0; n < iterations; ++n)
#pragma GCC unroll 16
    for (int i = 0; i < kChains; ++i) acc[i] = _mm256_fmadd_ps(acc[i], m, a);
  for (int i = 1; i < kChains; ++i) acc[0] = _mm256_add_ps(acc[0], acc[i]);
  float out[8];
  _mm256_storeu_ps(out, acc[0]);
  return static_cast<double>(out[0]);
}

// SSE2 (every x86-64 CPU): a multiply and an add, the same two flops per lane.
double fma_sse(int64_t iterations) {
  constexpr int kChains = 12;
  __m128 acc[kChains];
  for (int i = 0; i < kChains; ++i) acc[i] = _mm_set1_ps(static_cast<float>(i) * 1e-3f);
  const __m128 m = _mm_set1_ps(0.999999f), a = _mm_set1_ps(1e-7f);
  for (int64_t n = 0; n < iterations; ++n)
#pragma GCC unroll 16
    for (int i = 0; i < kChains; ++i) acc[i] = _mm_add_ps(_mm_mul_ps(acc[i], m), a);
  for (int i = 1; i < kChains; ++i) acc[0] = _mm_add_ps(acc[0], acc[i]);
  return static_cast<double>(_mm_cvtss_f32(acc[0]));
}

// ---- Operands of dnnl_sgemm (row-major): a [rows, cols] view either stored row by row
// ('N', leading dimension = row stride) or column by column ('T', a transposed view).
struct Operand {
  char trans = 'N';
  int64_t ld = 0;
};

bool describe(int64_t rows, int64_t cols, int64_t s0, int64_t s1, Operand& op) {
  if (s1 == 1 && (s0 >= cols || rows == 1)) {
    op = {'N', std::max<int64_t>({s0, cols, 1})};
    return true;
  }
  if (s0 == 1 && (s1 >= rows || cols == 1)) {
    op = {'T', std::max<int64_t>({s1, rows, 1})};
    return true;
  }
  return false;
}

// Element offsets of every matrix of a batched tensor (all dimensions but the last two).
std::vector<int64_t> batch_offsets(const at::Tensor& t) {
  const int64_t nb = t.dim() - 2;
  int64_t count = 1;
  for (int64_t d = 0; d < nb; ++d) count *= t.size(d);
  std::vector<int64_t> offsets(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i) {
    int64_t rest = i, off = 0;
    for (int64_t d = nb - 1; d >= 0; --d) {
      off += (rest % t.size(d)) * t.stride(d);
      rest /= t.size(d);
    }
    offsets[static_cast<size_t>(i)] = off;
  }
  return offsets;
}

#ifdef GLIMPSE_HAVE_DNNL
void sgemm(const Operand& oa, const Operand& ob, int64_t m, int64_t n, int64_t k, const float* a, const float* b,
           float beta, float* c, int64_t ldc) {
  const dnnl_status_t st = dnnl_sgemm(oa.trans, ob.trans, m, n, k, 1.0f, a, oa.ld, b, ob.ld, beta, c, ldc);
  TORCH_CHECK(st == dnnl_success, "dnnl_sgemm failed with status ", static_cast<int>(st));
}
#endif

// a [batch..., M, K] @ b [batch..., K, N] with oneDNN; undefined when the operands do not fit.
at::Tensor onednn_matmul(const at::Tensor& a, const at::Tensor& b) {
#ifdef GLIMPSE_HAVE_DNNL
  if (a.dim() < 2 || a.dim() != b.dim() || a.scalar_type() != at::kFloat || b.scalar_type() != at::kFloat ||
      a.device() != b.device() || !a.device().is_cpu())
    return {};
  for (int64_t d = 0; d + 2 < a.dim(); ++d)
    if (a.size(d) != b.size(d)) return {};
  const int64_t m = a.size(-2), k = a.size(-1), n = b.size(-1);
  if (b.size(-2) != k || m == 0 || n == 0 || k == 0) return {};
  at::Tensor ac = a, bc = b;
  Operand oa, ob;
  if (!describe(m, k, a.stride(-2), a.stride(-1), oa)) {
    ac = a.contiguous();
    describe(m, k, k, 1, oa);
  }
  if (!describe(k, n, b.stride(-2), b.stride(-1), ob)) {
    bc = b.contiguous();
    describe(k, n, n, 1, ob);
  }
  auto shape = a.sizes().vec();
  shape.back() = n;
  at::Tensor c = at::empty(shape, a.options());
  const std::vector<int64_t> offa = batch_offsets(ac), offb = batch_offsets(bc);
  const float* pa = ac.data_ptr<float>();
  const float* pb = bc.data_ptr<float>();
  float* pc = c.data_ptr<float>();
  const auto count = static_cast<int64_t>(offa.size());
  if (count == 1) {
    sgemm(oa, ob, m, n, k, pa, pb, 0.0f, pc, n);
  } else {
    // One matrix per task (attention heads): inside torch's parallel region oneDNN runs each
    // product on the calling thread, so the heads spread over the cores without oversubscribing.
    at::parallel_for(0, count, 1, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i)
        sgemm(oa, ob, m, n, k, pa + offa[static_cast<size_t>(i)], pb + offb[static_cast<size_t>(i)], 0.0f,
              pc + i * m * n, n);
    });
  }
  return c;
#else
  (void)a;
  (void)b;
  return {};
#endif
}

at::Tensor onednn_linear(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias) {
#ifdef GLIMPSE_HAVE_DNNL
  const int64_t k = x.size(-1), n = weight.size(0);
  if (x.scalar_type() != at::kFloat || weight.scalar_type() != at::kFloat || weight.dim() != 2 || weight.size(1) != k ||
      (bias.defined() && (bias.scalar_type() != at::kFloat || bias.numel() != n)) || !x.device().is_cpu() ||
      x.numel() == 0 || n == 0)
    return {};
  const at::Tensor x2 = x.reshape({-1, k});
  const int64_t m = x2.size(0);
  at::Tensor xc = x2, wc = weight;
  Operand ox, ow;
  if (!describe(m, k, x2.stride(0), x2.stride(1), ox)) {
    xc = x2.contiguous();
    describe(m, k, k, 1, ox);
  }
  // W^T [K, N] as a view of W [N, K]
  if (!describe(k, n, weight.stride(1), weight.stride(0), ow)) {
    wc = weight.contiguous();
    describe(k, n, 1, k, ow);
  }
  auto shape = x.sizes().vec();
  shape.back() = n;
  at::Tensor y = at::empty({m, n}, x.options());
  float beta = 0.0f;
  if (bias.defined()) {
    y.copy_(bias.reshape({1, n}).expand({m, n}));
    beta = 1.0f;
  }
  sgemm(ox, ow, m, n, k, xc.data_ptr<float>(), wc.data_ptr<float>(), beta, y.data_ptr<float>(), n);
  return y.view(shape);
#else
  (void)x;
  (void)weight;
  (void)bias;
  return {};
#endif
}

std::mutex& sink_mutex() {
  static std::mutex m;
  return m;
}
std::function<void(const std::string&)>& sink() {
  static std::function<void(const std::string&)> s = [](const std::string& w) {
    std::cerr << "warning: " << w << "\n";
  };
  return s;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Below half of the FMA peak the product wastes most of the CPU: a tuned GEMM reaches 0.7-0.9 of
// it (oneDNN 0.79 on the development machine's AVX-512 EPYC), OpenBLAS's Haswell kernels on that
// CPU 0.37-0.47.
constexpr double kFarBelowPeak = 0.5;

Fp32GemmChoice measure_choice() {
  Fp32GemmChoice c;
  // A ViT-B product ([577 x 768] x [768 x 768]^T, 0.68 GFLOP): a few milliseconds per call.
  const int64_t m = 577, k = 768, n = 768;
  at::Tensor x = at::randn({m, k}), w = at::randn({n, k}) * 0.02, b = at::zeros({n});
  const double flop = 2.0 * m * n * k;
  auto rate = [&](Fp32Gemm g) {
    const auto t0 = std::chrono::steady_clock::now();
    at::Tensor y = fp32_linear(x, w, b, g);
    return flop / seconds_since(t0) / 1e9;
  };
  const bool dnnl = onednn_gemm_available();
  rate(Fp32Gemm::Blas);  // warm-up: thread pools, oneDNN's JIT, caches
  if (dnnl) rate(Fp32Gemm::OneDnn);
  for (int rep = 0; rep < 3; ++rep) {
    c.blas_gflops = std::max(c.blas_gflops, rate(Fp32Gemm::Blas));
    if (dnnl) c.onednn_gflops = std::max(c.onednn_gflops, rate(Fp32Gemm::OneDnn));
  }
  // oneDNN must win clearly: on CPUs where both are tuned they are within noise of each other,
  // and libtorch's BLAS is what the golden tests were first made with.
  c.chosen = dnnl && c.onednn_gflops > 1.05 * c.blas_gflops ? Fp32Gemm::OneDnn : Fp32Gemm::Blas;
  if (const char* env = std::getenv("GLIMPSE_FP32_GEMM")) {
    if (std::strcmp(env, "blas") == 0) c.chosen = Fp32Gemm::Blas;
    if (std::strcmp(env, "onednn") == 0 && dnnl) c.chosen = Fp32Gemm::OneDnn;
  }
  c.fma_peak_gflops = measure_fma_peak_gflops();
  c.warning = fp32_gemm_warning(c);
  if (!c.warning.empty()) {
    // Before claiming the product is slow, measure it again: on a busy machine one preempted
    // call of a few milliseconds looks like a slow kernel, where the short FMA bursts do not.
    double& chosen = c.chosen == Fp32Gemm::OneDnn ? c.onednn_gflops : c.blas_gflops;
    for (int rep = 0; rep < 5; ++rep) chosen = std::max(chosen, rate(c.chosen));
    c.warning = fp32_gemm_warning(c);
  }
  return c;
}

}  // namespace

std::string fp32_gemm_warning(const Fp32GemmChoice& c) {
  const double chosen = c.chosen == Fp32Gemm::OneDnn ? c.onednn_gflops : c.blas_gflops;
  if (c.fma_peak_gflops <= 0 || chosen >= kFarBelowPeak * c.fma_peak_gflops) return {};
  std::ostringstream s;
  s.precision(0);
  s << std::fixed << "float32 products run at " << chosen << " GFLOP/s with " << fp32_gemm_name(c.chosen)
    << " (libtorch BLAS " << c.blas_gflops << ", oneDNN ";
  if (onednn_gemm_available())
    s << c.onednn_gflops;
  else
    s << "not built in";
  s << "), far below this CPU's " << c.fma_peak_gflops << " GFLOP/s; images will be slower than this machine allows. ";
  if (onednn_gemm_available())
    s << "Other programs may be using the processor, or it runs at a reduced clock";
  else
    s << "Build with libdnnl-dev (scripts/install-deps.sh) or use a BLAS that knows this CPU";
  return s.str();
}

double measure_fma_peak_gflops(int threads) {
  if (threads <= 0) threads = at::get_num_threads();
  int lanes = 4;
  double (*kernel)(int64_t) = fma_sse;
  int chains = 12;
  if (__builtin_cpu_supports("avx512f")) {
    kernel = fma_avx512;
    lanes = 16;
    chains = 16;
  } else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    kernel = fma_avx2;
    lanes = 8;
  }
  // About 2 ms per round: long enough that waking torch's threads does not count.
  const int64_t iterations = 1 << 20;
  const double flop_per_thread = 2.0 * lanes * chains * static_cast<double>(iterations);
  double best = 0;
  for (int rep = 0; rep < 4; ++rep) {
    std::vector<double> sink_values(static_cast<size_t>(threads));
    const auto t0 = std::chrono::steady_clock::now();
    at::parallel_for(0, threads, 1, [&](int64_t begin, int64_t end) {
      for (int64_t t = begin; t < end; ++t) sink_values[static_cast<size_t>(t)] = kernel(iterations);
    });
    const double sec = seconds_since(t0);
    volatile double keep = sink_values[0];
    (void)keep;
    best = std::max(best, threads * flop_per_thread / sec / 1e9);
  }
  return best;
}

const Fp32GemmChoice& fp32_gemm_choice() {
  static const Fp32GemmChoice choice = [] {
    Fp32GemmChoice c = measure_choice();
    if (!c.warning.empty()) {
      std::lock_guard<std::mutex> lock(sink_mutex());
      if (sink()) sink()(c.warning);
    }
    return c;
  }();
  return choice;
}

void set_fp32_gemm_warning_sink(std::function<void(const std::string&)> s) {
  std::lock_guard<std::mutex> lock(sink_mutex());
  sink() = std::move(s);
}

at::Tensor fp32_linear(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias, Fp32Gemm g) {
  if (g == Fp32Gemm::OneDnn)
    if (at::Tensor y = onednn_linear(x, weight, bias); y.defined()) return y;
  return at::linear(x, weight, bias);
}

at::Tensor fp32_linear(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias) {
  return fp32_linear(x, weight, bias, fp32_gemm_choice().chosen);
}

at::Tensor fp32_matmul(const at::Tensor& a, const at::Tensor& b, Fp32Gemm g) {
  if (g == Fp32Gemm::OneDnn)
    if (at::Tensor y = onednn_matmul(a, b); y.defined()) return y;
  return at::matmul(a, b);
}

at::Tensor fp32_matmul(const at::Tensor& a, const at::Tensor& b) {
  if (a.scalar_type() != at::kFloat || b.scalar_type() != at::kFloat) return at::matmul(a, b);
  return fp32_matmul(a, b, fp32_gemm_choice().chosen);
}

}  // namespace glimpse::blip
