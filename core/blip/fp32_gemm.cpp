#include "fp32_gemm.h"

#include <ATen/Parallel.h>
#include <immintrin.h>

#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <thread>
#include <type_traits>
#include <vector>

#ifdef GLIMPSE_HAVE_DNNL
#include <dnnl.h>
#include <dnnl.hpp>
#endif

#include "bf16_attention.h"
#include "bf16_gelu.h"
#include "engine_api.h"
#include "fp32_attention.h"
#include "kept_files.h"

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

#ifdef GLIMPSE_HAVE_DNNL
// The CPU engine every oneDNN primitive of this file runs on.
const dnnl::engine& cpu_engine() {
  static const dnnl::engine e(dnnl::engine::kind::cpu, 0);
  return e;
}

// oneDNN's reference kernels are correct but many times slower than the libtorch path they would
// replace: a primitive that got one is not used.
bool reference_kernel(const dnnl::primitive_desc& pd) {
  return std::string(pd.impl_info_str()).find("ref") != std::string::npos;
}
#endif

}  // namespace

class PackedWeight {
 public:
  PackedWeight(at::Tensor weight, at::Tensor bias, at::Tensor into)
      : weight_(std::move(weight)),
        bias_(std::move(bias)),
        into_(std::move(into)),
        k_(weight_.size(1)),
        n_(weight_.size(0)),
        type_(weight_.scalar_type()) {}

#ifdef GLIMPSE_HAVE_DNNL
  // `add`: the product added into `residual` itself (oneDNN's sum post-op), which is the result.
  at::Tensor run(const at::Tensor& x, Epilogue e, const at::Tensor& residual, bool add = false) {
    const int64_t k = k_, n = n_;
    // bfloat16 weights take bfloat16 rows (as at::linear would be given them)
    const at::Tensor x2 = x.reshape({-1, k}).to(type_).contiguous();
    const int64_t m = x2.size(0);
    at::Tensor r2;
    if (residual.defined()) {
      if (residual.scalar_type() != at::kFloat || residual.numel() != m * n) return {};
      if (add && (!residual.is_contiguous() || e != Epilogue::None)) return {};
      r2 = residual.reshape({m, n}).contiguous();
    } else if (add) {
      return {};
    }
    const bool res = residual.defined();
    // A bfloat16 product with GELU writes float32 without it; bf16_gelu then rounds GELU of each
    // value once (bf16_gelu.h).
    const bool own_gelu = type_ == at::kBFloat16 && e == Epilogue::Gelu && !res && !add && bf16_gelu_available();
    const Epilogue ke = own_gelu ? Epilogue::None : e;
    // (the whole product's kernel first: the first one made chooses the packed layout)
    const Kernel* whole = this->kernel(m, ke, res, add, own_gelu);
    if (!whole) return {};
    // In AMX tiles, rows past the last multiple of 32 go to a product of their own (kAmxRowBlock)
    const int64_t tail = whole->amx && m > kAmxRowBlock ? m % kAmxRowBlock : 0;
    const Kernel* head = tail ? this->kernel(m - tail, ke, res, add, own_gelu) : nullptr;
    const Kernel* rest = head ? this->kernel(tail, ke, res, add, own_gelu) : nullptr;
    // float32 out, except a bfloat16 product without a residual: bfloat16, as the bf16 mode's
    // other products of many rows (the residual stream stays float32).
    at::Tensor y = add ? r2 : at::empty({m, n}, x.options().dtype(out_type(res || own_gelu)));
    if (add) r2 = at::Tensor();  // (read as the output itself, not as a second operand)
    if (head && rest) {
      execute(*head, x2, y, r2, 0, m - tail);
      execute(*rest, x2, y, r2, m - tail, tail);
    } else {
      execute(*whole, x2, y, r2, 0, m);
    }
    if (own_gelu) {
      at::Tensor g = at::empty({m, n}, x.options().dtype(at::kBFloat16));
      bf16_gelu(y.data_ptr<float>(), m, n, static_cast<uint16_t*>(g.data_ptr()));
      y = g;
    }
    products_run().fetch_add(1, std::memory_order_relaxed);
    auto shape = x.sizes().vec();
    shape.back() = n;
    return y.view(shape);
  }
#endif

  // Whether its product of m rows runs in AMX tiles (and so splits), making the kernel if needed.
  bool in_amx(int64_t m) {
#ifdef GLIMPSE_HAVE_DNNL
    const Kernel* k = kernel(m, Epilogue::None, false, false);
    return k && k->amx;
#else
    (void)m;
    return false;
#endif
  }

  size_t bytes() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return packed_.defined() ? static_cast<size_t>(packed_.numel()) : 0;
  }

 private:
#ifdef GLIMPSE_HAVE_DNNL
  static dnnl::memory::data_type dnnl_type(at::ScalarType t) {
    return t == at::kBFloat16 ? dnnl::memory::data_type::bf16 : dnnl::memory::data_type::f32;
  }
  at::ScalarType out_type(bool residual) const {
    return type_ == at::kBFloat16 && !residual ? at::kBFloat16 : at::kFloat;
  }

  struct Kernel {
    dnnl::matmul::primitive_desc pd;
    dnnl::matmul primitive;
    int residual_index = -1;
    bool amx = false;  // oneDNN runs it in AMX tiles
  };

  // On a CPU with AMX, oneDNN 2.6's products of a row count that is not a multiple of 32 ran
  // slower than the multiple below it and a second product of the rest, in one run of the bf16
  // ViT-B layer's four products: 577 rows (one image at 384 px) 6.2-7.2 ms against 4.8-5.4 ms, 197
  // rows (224 px) 1.98 against 1.76 ms, 1154 (two images) 11.0-11.6 against 10.1-10.6 ms; 1731
  // and 2308 the same either way (docs/performance.md, twenty-fifth round). The rest's rows go
  // through oneDNN's kernel for a few rows, whose float32 sums may differ from the whole
  // product's in their last bit.
  static constexpr int64_t kAmxRowBlock = 32;
  // Where a product of fewer rows than go packed (pack_min_rows) comes first, the weight's layout
  // is chosen for this many rows instead (kernel). oneDNN 2.6 chose the same one for 1 to 2308 rows
  // of the ViT-B layer's products on an AMX Xeon (bf16 and float32), but the choice may depend on
  // the row count elsewhere, and a layout chosen for a few rows could leave the products of many
  // rows unpacked.
  static constexpr int64_t kLayoutRows = 512;

  // The kernel's product of `rows` rows of x2 from row r0 into y (and the residual r2's rows).
  void execute(const Kernel& kernel, const at::Tensor& x2, const at::Tensor& y, const at::Tensor& r2, int64_t r0,
               int64_t rows) const {
    using dnnl::memory;
    const dnnl::engine& eng = cpu_engine();
    auto row = [r0](const at::Tensor& t) {
      return static_cast<char*>(t.data_ptr()) + r0 * t.size(1) * static_cast<int64_t>(t.element_size());
    };
    at::Tensor scratch = at::empty({static_cast<int64_t>(kernel.pd.scratchpad_desc().get_size())}, at::kByte);
    std::unordered_map<int, memory> args{
        {DNNL_ARG_SRC, memory(kernel.pd.src_desc(), eng, row(x2))},
        {DNNL_ARG_WEIGHTS, memory(packed_md_, eng, packed_.data_ptr())},
        {DNNL_ARG_DST, memory(kernel.pd.dst_desc(), eng, row(y))},
        {DNNL_ARG_SCRATCHPAD, memory(kernel.pd.scratchpad_desc(), eng, scratch.data_ptr())}};
    if (bias_.defined()) args.emplace(DNNL_ARG_BIAS, memory(kernel.pd.bias_desc(), eng, bias_.data_ptr()));
    if (r2.defined())
      args.emplace(DNNL_ARG_ATTR_MULTIPLE_POST_OP(kernel.residual_index) | DNNL_ARG_SRC_1,
                   memory(memory::desc({rows, n_}, memory::data_type::f32, memory::format_tag::ab), eng, row(r2)));
    dnnl::stream stream(eng);
    kernel.primitive.execute(stream, args);
    stream.wait();
  }

  static std::atomic<int64_t>& products_run() {
    static std::atomic<int64_t> n{0};
    return n;
  }

 public:
  static int64_t products() {
    return products_run().load();
  }

 private:
  // The primitive for m rows with this epilogue (with the residual as a second operand, or, with
  // `add`, added into the output itself; float32 out where `wide`), made once. The first one
  // chooses the packed layout (format any) and packs the weight; later ones must read that layout
  // with a fast kernel, or the product runs unpacked (null).
  const Kernel* kernel(int64_t m, Epilogue e, bool residual, bool add, bool wide = false) {
    using dnnl::memory;
    std::lock_guard<std::mutex> lock(mutex_);
    const auto key = std::make_tuple(m, static_cast<int>(e), residual, add, wide);
    if (auto it = kernels_.find(key); it != kernels_.end()) return it->second.get();
    std::unique_ptr<Kernel>& slot = kernels_[key];
    const int64_t k = k_, n = n_;
    try {
      const memory::data_type wt = dnnl_type(type_);
      // The primitive for `rows` rows reading weights laid out as `weights` (format any: its choice).
      int residual_index = -1;
      auto make = [&](int64_t rows, const memory::desc& weights) {
        dnnl::post_ops ops;
        if (add) ops.append_sum(1.0f);
        if (e == Epilogue::Gelu) ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_gelu_erf, 0.0f, 0.0f);
        if (residual && !add) {
          residual_index = ops.len();
          ops.append_binary(dnnl::algorithm::binary_add,
                            memory::desc({rows, n}, memory::data_type::f32, memory::format_tag::ab));
        }
        dnnl::primitive_attr attr;
        attr.set_post_ops(ops);
        attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
        const memory::desc src({rows, k}, wt, memory::format_tag::ab);
        const memory::desc dst({rows, n}, dnnl_type(out_type(residual || wide)), memory::format_tag::ab);
        const memory::desc bias =
            bias_.defined() ? memory::desc({1, n}, memory::data_type::f32, memory::format_tag::ab) : memory::desc();
        return dnnl::matmul::primitive_desc(dnnl::matmul::desc(src, weights, bias, dst), attr, cpu_engine());
      };
      const memory::desc any({k, n}, wt, memory::format_tag::any);
      std::optional<dnnl::matmul::primitive_desc> pd;
      if (!packed_.defined()) {
        // The layout this product chooses, or a product of many rows where this one has a few
        // (the last vision layer's for ITC embeddings, BlipVisionModel::first_token, may come first).
        const int64_t rows = m < pack_min_rows() ? kLayoutRows : m;
        const dnnl::matmul::primitive_desc layout = make(rows, any);
        if (reference_kernel(layout)) return nullptr;
        if (rows == m) pd = layout;  // this product's own, reading the layout it chose
        // W [N, K] row-major is W^T [K, N] stored column by column ("ba"); a slice of a wider
        // weight's columns has a longer row stride.
        const memory::desc plain({k, n}, wt, memory::dims{1, weight_.stride(0)});
        const memory::desc packed_md = layout.weights_desc();
        const auto bytes = static_cast<int64_t>(packed_md.get_size());
        const at::Tensor packed =
            into_.defined() && into_.numel() >= bytes ? into_.narrow(0, 0, bytes) : at::empty({bytes}, at::kByte);
        memory from(plain, cpu_engine(), weight_.data_ptr()), to(packed_md, cpu_engine(), packed.data_ptr());
        dnnl::stream stream(cpu_engine());
        dnnl::reorder(from, to).execute(stream, from, to);
        stream.wait();
        // (only once the bytes are there: a reorder that throws leaves the weight unpacked)
        packed_md_ = packed_md;
        packed_ = packed;
        into_ = at::Tensor();
        weight_ = at::Tensor();  // read only to pack: the caller decides whether its copy stays
      }
      if (!pd) pd = make(m, packed_md_);
      if (reference_kernel(*pd) || pd->weights_desc() != packed_md_) return nullptr;
      slot = std::make_unique<Kernel>(Kernel{*pd, dnnl::matmul(*pd), residual_index,
                                             std::string(pd->impl_info_str()).find("amx") != std::string::npos});
    } catch (const dnnl::error&) {
      return nullptr;
    }
    return slot.get();
  }

  dnnl::memory::desc packed_md_;
  std::map<std::tuple<int64_t, int, bool, bool, bool>, std::unique_ptr<Kernel>> kernels_;
#endif
  at::Tensor weight_;  // float32 or bfloat16, columns contiguous; only until it is packed
  at::Tensor bias_;    // float32
  at::Tensor into_;    // where to pack, if the packed copy fits (make_packed_weight); until it is packed
  const int64_t k_, n_;
  const at::ScalarType type_;
  at::Tensor packed_;  // the packed weight's bytes
  mutable std::mutex mutex_;
};

std::shared_ptr<PackedWeight> make_packed_weight(const at::Tensor& weight, const at::Tensor& bias,
                                                 const at::Tensor& into) {
#ifdef GLIMPSE_HAVE_DNNL
  if ((weight.scalar_type() != at::kFloat && weight.scalar_type() != at::kBFloat16) || weight.dim() != 2 ||
      weight.stride(1) != 1 || weight.stride(0) < weight.size(1) || !weight.device().is_cpu() || weight.numel() == 0 ||
      (bias.defined() && (bias.scalar_type() != at::kFloat || bias.numel() != weight.size(0))))
    return nullptr;
  return std::make_shared<PackedWeight>(
      weight, bias.defined() ? bias.contiguous() : bias,
      into.defined() && into.scalar_type() == at::kByte && into.dim() == 1 && into.is_contiguous() ? into
                                                                                                   : at::Tensor());
#else
  (void)weight;
  (void)bias;
  (void)into;
  return nullptr;
#endif
}

bool packed_linear_in_amx(PackedWeight& w, int64_t rows) {
  return w.in_amx(rows);
}

namespace {
// The packed product of x where it can run (float32 or bfloat16 rows on the CPU), else undefined.
at::Tensor run_packed(PackedWeight& w, const at::Tensor& x, Epilogue e, const at::Tensor& residual, bool add) {
#ifdef GLIMPSE_HAVE_DNNL
  if ((x.scalar_type() != at::kFloat && x.scalar_type() != at::kBFloat16) || !x.device().is_cpu() || x.numel() == 0)
    return {};
  return w.run(x, e, residual, add);
#else
  (void)w;
  (void)x;
  (void)e;
  (void)residual;
  (void)add;
  return {};
#endif
}
}  // namespace

at::Tensor packed_linear(PackedWeight& w, const at::Tensor& x, Epilogue e, const at::Tensor& residual) {
  return run_packed(w, x, e, residual, /*add=*/false);
}

bool packed_linear_add(PackedWeight& w, const at::Tensor& x, const at::Tensor& y) {
  return y.defined() && run_packed(w, x, Epilogue::None, y, /*add=*/true).defined();
}

#ifdef GLIMPSE_HAVE_DNNL
namespace {

// Softmax along the rows of a float32 [rows, cols] block, in place, with oneDNN's softmax kernel
// for this CPU. at::softmax's kernel in Debian's libtorch took three times as long on BLIP's
// attention scores (bench_engine BM_EncoderLayerParts, softmax_ms against attention_fused_ms).
// The primitives are made once per thread and shape; so is the finding that there is none (the
// caller then runs at::softmax).
bool softmax_rows_in_place(float* data, int64_t rows, int64_t cols) {
  using dnnl::memory;
  thread_local std::map<std::pair<int64_t, int64_t>, std::unique_ptr<dnnl::softmax_forward>> kernels;
  const memory::desc md({rows, cols}, memory::data_type::f32, memory::format_tag::ab);
  const auto [it, made] = kernels.try_emplace({rows, cols});
  if (made) {
    try {
      dnnl::softmax_forward::primitive_desc pd(
          dnnl::softmax_forward::desc(dnnl::prop_kind::forward_inference, md, /*axis=*/1), cpu_engine());
      if (!reference_kernel(pd)) it->second = std::make_unique<dnnl::softmax_forward>(pd);
    } catch (const dnnl::error&) {
    }
  }
  const dnnl::softmax_forward* kernel = it->second.get();
  if (!kernel) return false;
  const dnnl::engine& engine = cpu_engine();
  memory block(md, engine, data);
  dnnl::stream stream(engine);
  kernel->execute(stream, {{DNNL_ARG_SRC, block}, {DNNL_ARG_DST, block}});
  stream.wait();
  return true;
}

// Query rows per block, so that one block of scores (float32) stays within 2 MiB, in a core's L2
// or near it, from the first product through the softmax into the second. ViT-B's 577 x 577 scores
// of one head (1.3 MB) are one block: on the development machine's AVX-512 EPYC (1 MiB of L2 per
// core) blocks of 193 or 289 rows ran no faster with two threads (bench_engine
// BM_EncoderLayerParts, attention_fused_ms), only longer sequences are split.
int64_t attention_block_rows(int64_t t) {
  constexpr int64_t kBlockBytes = 2 << 20;
  const int64_t blocks =
      std::max<int64_t>(1, (t * t * static_cast<int64_t>(sizeof(float)) + kBlockBytes - 1) / kBlockBytes);
  return (t + blocks - 1) / blocks;
}

// The three steps of one block of bfloat16 attention as oneDNN primitives, made once per thread
// and shape: scores in float32 (alpha q k^T), their softmax rounded to bfloat16, and the
// probabilities times v, written into the merged layout. Null when a step would run on a
// reference kernel.
struct Bf16AttentionKernels {
  dnnl::matmul scores, context;
  dnnl::softmax_v2_forward softmax;
  dnnl::memory::desc q, kt, s, p, v, o;
};

const Bf16AttentionKernels* bf16_attention_kernels(int64_t rows, int64_t t, int64_t d, int64_t ldq, int64_t ldk,
                                                   int64_t ldv, int64_t ldo, float alpha) {
  using dnnl::memory;
  using Key = std::tuple<int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, float>;
  thread_local std::map<Key, std::unique_ptr<Bf16AttentionKernels>> cache;
  const Key key{rows, t, d, ldq, ldk, ldv, ldo, alpha};
  if (auto it = cache.find(key); it != cache.end()) return it->second.get();
  std::unique_ptr<Bf16AttentionKernels>& slot = cache[key];
  const auto bf16 = memory::data_type::bf16;
  const memory::desc q({rows, d}, bf16, memory::dims{ldq, 1}), kt({d, t}, bf16, memory::dims{1, ldk}),
      s({rows, t}, memory::data_type::f32, memory::format_tag::ab), p({rows, t}, bf16, memory::format_tag::ab),
      v({t, d}, bf16, memory::dims{ldv, 1}), o({rows, d}, bf16, memory::dims{ldo, 1});
  try {
    dnnl::primitive_attr scaled;
    scaled.set_output_scales(0, {alpha});
    const dnnl::matmul::primitive_desc scores(dnnl::matmul::desc(q, kt, s), scaled, cpu_engine());
    const dnnl::softmax_v2_forward::primitive_desc softmax(
        dnnl::softmax_v2_forward::desc(dnnl::prop_kind::forward_inference, dnnl::algorithm::softmax_accurate, s, p, 1),
        cpu_engine());
    const dnnl::matmul::primitive_desc context(dnnl::matmul::desc(p, v, o), cpu_engine());
    if (!reference_kernel(scores) && !reference_kernel(softmax) && !reference_kernel(context))
      slot.reset(new Bf16AttentionKernels{dnnl::matmul(scores), dnnl::matmul(context),
                                          dnnl::softmax_v2_forward(softmax), q, kt, s, p, v, o});
  } catch (const dnnl::error&) {
  }
  return slot.get();
}

}  // namespace
#endif

at::Tensor fused_attention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, double scale) {
#ifdef GLIMPSE_HAVE_DNNL
  const at::ScalarType type = q.scalar_type();
  if (type == at::kFloat) {
    const Fp32GemmChoice& choice = fp32_gemm_choice();
    if (choice.chosen != Fp32Gemm::OneDnn && !choice.packed) return {};
  } else if (type != at::kBFloat16) {
    return {};
  }
  for (const at::Tensor* t : {&q, &k, &v})
    if (t->dim() != 4 || t->scalar_type() != type || !t->device().is_cpu() || t->stride(3) != 1 ||
        t->sizes() != q.sizes())
      return {};
  const int64_t batch = q.size(0), heads = q.size(1), t = q.size(2), d = q.size(3);
  if (q.numel() == 0 || q.stride(2) < d || k.stride(2) < d || v.stride(2) < d) return {};
  const int64_t block = attention_block_rows(t);
  const auto alpha = static_cast<float>(scale);
  // A one-pass kernel of head size 64 (bf16_attention.h, fp32_attention.h), one head per task.
  auto per_head = [&](auto* element, auto kernel) {
    using T = std::remove_pointer_t<decltype(element)>;
    at::Tensor out = at::empty({batch, t, heads * d}, q.options());
    const auto* pq = static_cast<const T*>(q.data_ptr());
    const auto* pk = static_cast<const T*>(k.data_ptr());
    const auto* pv = static_cast<const T*>(v.data_ptr());
    auto* po = static_cast<T*>(out.data_ptr());
    at::parallel_for(0, batch * heads, 1, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) {
        const int64_t b = i / heads, h = i % heads;
        kernel(pq + b * q.stride(0) + h * q.stride(1), pk + b * k.stride(0) + h * k.stride(1),
               pv + b * v.stride(0) + h * v.stride(1), q.stride(2), k.stride(2), v.stride(2), t, alpha,
               po + b * t * heads * d + h * d, heads * d);
      }
    });
    return out;
  };
  // Both take each row's maximum of the unscaled scores: a positive scale only (the models' 1/sqrt(d)).
  if (type == at::kBFloat16 && d == kBf16AttentionHeadSize && k.stride(2) <= kBf16AttentionMaxKeyStride && alpha > 0 &&
      bf16_attention_available())
    return per_head(static_cast<uint16_t*>(nullptr),
                    static_cast<void (*)(const uint16_t*, const uint16_t*, const uint16_t*, int64_t, int64_t, int64_t,
                                         int64_t, float, uint16_t*, int64_t)>(bf16_attention_head64));
  if (type == at::kFloat && d == kFp32AttentionHeadSize && k.stride(2) <= kFp32AttentionMaxKeyStride && alpha > 0 &&
      fp32_attention_available())
    return per_head(static_cast<float*>(nullptr), fp32_attention_head64);
  if (type == at::kBFloat16) {
    // every block shape this call runs must have fast kernels, or none of it runs here
    for (const int64_t rows : {block, t - (t - 1) / block * block})
      if (!bf16_attention_kernels(rows, t, d, q.stride(2), k.stride(2), v.stride(2), heads * d, alpha)) return {};
  }
  at::Tensor out = at::empty({batch, t, heads * d}, q.options());
  auto* pq = static_cast<const char*>(q.data_ptr());
  auto* pk = static_cast<const char*>(k.data_ptr());
  auto* pv = static_cast<const char*>(v.data_ptr());
  auto* po = static_cast<char*>(out.data_ptr());
  const int64_t size = static_cast<int64_t>(q.element_size());
  at::parallel_for(0, batch * heads, 1, [&](int64_t begin, int64_t end) {
    at::Tensor scores = at::empty({block, t}, q.options().dtype(at::kFloat));
    at::Tensor probs = type == at::kBFloat16 ? at::empty({block, t}, q.options()) : scores;
    float* s = scores.data_ptr<float>();
    dnnl::stream stream(cpu_engine());
    for (int64_t i = begin; i < end; ++i) {
      const int64_t b = i / heads, h = i % heads;
      const char* ki = pk + (b * k.stride(0) + h * k.stride(1)) * size;
      const char* vi = pv + (b * v.stride(0) + h * v.stride(1)) * size;
      for (int64_t r0 = 0; r0 < t; r0 += block) {
        const int64_t rows = std::min(block, t - r0);
        const char* qi = pq + (b * q.stride(0) + h * q.stride(1) + r0 * q.stride(2)) * size;
        char* oi = po + ((b * t + r0) * heads * d + h * d) * size;
        if (type == at::kBFloat16) {
          const Bf16AttentionKernels* kern =
              bf16_attention_kernels(rows, t, d, q.stride(2), k.stride(2), v.stride(2), heads * d, alpha);
          const dnnl::engine& e = cpu_engine();
          using dnnl::memory;
          memory mq(kern->q, e, const_cast<char*>(qi)), mk(kern->kt, e, const_cast<char*>(ki)), ms(kern->s, e, s),
              mp(kern->p, e, probs.data_ptr()), mv(kern->v, e, const_cast<char*>(vi)), mo(kern->o, e, oi);
          kern->scores.execute(stream, {{DNNL_ARG_SRC, mq}, {DNNL_ARG_WEIGHTS, mk}, {DNNL_ARG_DST, ms}});
          kern->softmax.execute(stream, {{DNNL_ARG_SRC, ms}, {DNNL_ARG_DST, mp}});
          kern->context.execute(stream, {{DNNL_ARG_SRC, mp}, {DNNL_ARG_WEIGHTS, mv}, {DNNL_ARG_DST, mo}});
          stream.wait();
          continue;
        }
        // scores = alpha q k^T: k [T, hd] row by row is k^T [hd, T] column by column
        TORCH_CHECK(dnnl_sgemm('N', 'T', rows, t, d, alpha, reinterpret_cast<const float*>(qi), q.stride(2),
                               reinterpret_cast<const float*>(ki), k.stride(2), 0.0f, s, t) == dnnl_success,
                    "dnnl_sgemm failed");
        if (!softmax_rows_in_place(s, rows, t)) {
          at::Tensor view = scores.narrow(0, 0, rows);
          view.copy_(at::softmax(view, -1));
        }
        TORCH_CHECK(dnnl_sgemm('N', 'N', rows, d, t, 1.0f, s, t, reinterpret_cast<const float*>(vi), v.stride(2), 0.0f,
                               reinterpret_cast<float*>(oi), heads * d) == dnnl_success,
                    "dnnl_sgemm failed");
      }
    }
  });
  return out;
#else
  (void)q;
  (void)k;
  (void)v;
  (void)scale;
  return {};
#endif
}

size_t packed_bytes(const PackedWeight& w) {
  return w.bytes();
}

int64_t packed_products() {
#ifdef GLIMPSE_HAVE_DNNL
  return PackedWeight::products();
#else
  return 0;
#endif
}

bool pack_now(const Fp32GemmChoice& c, double& lost_seconds, int64_t rows, int64_t k, int64_t n) {
  if (!c.packed) return false;
  // No cost measured (forced packing), or rates that show no gain: packed at once, as a choice
  // that packs always was.
  if (c.pack_seconds_per_byte <= 0 || c.mlp_gflops <= 0 || c.packed_mlp_gflops <= c.mlp_gflops) return true;
  lost_seconds += 2.0 * static_cast<double>(rows) * static_cast<double>(k) * static_cast<double>(n) *
                  (1.0 / c.mlp_gflops - 1.0 / c.packed_mlp_gflops) / 1e9;
  return lost_seconds >= c.pack_seconds_per_byte * static_cast<double>(k * n * static_cast<int64_t>(sizeof(float)));
}

int64_t pack_min_rows() {
  static const int64_t rows = [] {
    const char* env = std::getenv("GLIMPSE_FP32_GEMM");
    return env && std::strcmp(env, "packed-all") == 0 ? int64_t{1} : int64_t{32};
  }();
  return rows;
}

namespace {

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

// How much faster than the chosen product the packed one must run on the MLP shape (measure_choice).
constexpr double kPackedMustWin = 1.03;

Fp32GemmChoice measure_choice() {
  Fp32GemmChoice c;
  // A ViT-B product ([577 x 768] x [768 x 768]^T, 0.68 GFLOP): a few milliseconds per call.
  const int64_t m = 577, k = 768, n = 768;
  // Values in a repeating pattern (a product's speed does not depend on them): at::randn took
  // 12 of the measurement's 140 ms on a Xeon (docs/performance.md, eleventh round).
  auto pattern = [](int64_t rows, int64_t cols, double step) {
    return at::arange(rows * cols, at::kFloat).remainder_(13.0).sub_(6.0).mul_(step).view({rows, cols});
  };
  at::Tensor x = pattern(m, k, 0.15), w = pattern(n, k, 0.003), b = at::zeros({n});
  const double flop = 2.0 * m * n * k;
  auto rate = [&](Fp32Gemm g) {
    const auto t0 = std::chrono::steady_clock::now();
    at::Tensor y = fp32_linear(x, w, b, g);
    return flop / seconds_since(t0) / 1e9;
  };
  const bool dnnl = onednn_gemm_available();
  const std::shared_ptr<PackedWeight> packed = make_packed_weight(w, b);
  auto packed_rate = [&] {
    const auto t0 = std::chrono::steady_clock::now();
    const at::Tensor y = packed_linear(*packed, x, Epilogue::None, at::Tensor());
    return y.defined() ? flop / seconds_since(t0) / 1e9 : 0.0;
  };
  rate(Fp32Gemm::Blas);  // warm-up: thread pools, oneDNN's JIT, caches (and packs the weight)
  if (dnnl) rate(Fp32Gemm::OneDnn);
  if (packed) packed_rate();
  for (int rep = 0; rep < 3; ++rep) {
    // A BLAS at under half oneDNN's rate cannot be chosen, whatever later calls give: on CPUs its
    // release does not know (Prescott kernels on a Xeon, 11 ms a call) it is not timed again.
    if (rep == 0 || !dnnl || c.blas_gflops >= 0.5 * c.onednn_gflops)
      c.blas_gflops = std::max(c.blas_gflops, rate(Fp32Gemm::Blas));
    if (dnnl) c.onednn_gflops = std::max(c.onednn_gflops, rate(Fp32Gemm::OneDnn));
    if (packed) c.packed_gflops = std::max(c.packed_gflops, packed_rate());
  }
  // oneDNN must win clearly: on CPUs where both are tuned they are within noise of each other,
  // and libtorch's BLAS is what the golden tests were first made with.
  c.chosen = dnnl && c.onednn_gflops > 1.05 * c.blas_gflops ? Fp32Gemm::OneDnn : Fp32Gemm::Blas;
  // Packing is decided on an encoder MLP product, where it matters. On an AVX-512 EPYC the packed
  // product was 1.1-1.3x sgemm there (it also folds GELU and the residual adds into its output
  // pass); on a Xeon without AMX (family 6 model 207) the two measured alike in isolation, but a
  // single image's encode took 432-449 ms with sgemm against 455-471 with packing (batches of four
  // 2-5 % the other way; docs/performance.md, thirteenth round), and the probe's small weight had
  // picked packing by noise. So packing must win clearly here. Two warm-up calls each (the first
  // ran at 60-90 % of the later ones), then the best of three: about 100 ms, kept between processes
  // (set_fp32_gemm_cache_file).
  if (packed) {
    const int64_t wide = 3072;
    const at::Tensor mlp_w = pattern(wide, k, 0.003), mlp_b = at::zeros({wide});
    const std::shared_ptr<PackedWeight> mlp_packed = make_packed_weight(mlp_w, mlp_b);
    const double mlp_flop = 2.0 * m * wide * k;
    auto mlp_rate = [&](bool pack) {
      const auto t0 = std::chrono::steady_clock::now();
      const at::Tensor y =
          pack ? packed_linear(*mlp_packed, x, Epilogue::None, at::Tensor()) : fp32_linear(x, mlp_w, mlp_b, c.chosen);
      return y.defined() ? mlp_flop / seconds_since(t0) / 1e9 : 0.0;
    };
    if (mlp_packed) {
      double first_packed_seconds = 0;  // the first packed product packs the weight
      for (int rep = 0; rep < 5; ++rep) {
        const double plain = mlp_rate(false), pack = mlp_rate(true);
        if (rep == 0 && pack > 0) first_packed_seconds = mlp_flop / (pack * 1e9);
        if (rep < 2) continue;
        c.mlp_gflops = std::max(c.mlp_gflops, plain);
        c.packed_mlp_gflops = std::max(c.packed_mlp_gflops, pack);
      }
      if (c.packed_mlp_gflops > 0)
        c.pack_seconds_per_byte = std::max(0.0, first_packed_seconds - mlp_flop / (c.packed_mlp_gflops * 1e9)) /
                                  static_cast<double>(mlp_w.numel() * static_cast<int64_t>(sizeof(float)));
    }
  }
  c.packed = c.packed_mlp_gflops > 0 && c.packed_mlp_gflops >= kPackedMustWin * c.mlp_gflops;
  if (const char* env = std::getenv("GLIMPSE_FP32_GEMM")) {
    if (std::strcmp(env, "blas") == 0) c.chosen = Fp32Gemm::Blas;
    if (std::strcmp(env, "onednn") == 0 && dnnl) c.chosen = Fp32Gemm::OneDnn;
    c.packed = (std::strcmp(env, "packed") == 0 || std::strcmp(env, "packed-all") == 0) && c.packed_gflops > 0;
    if (c.packed) c.pack_seconds_per_byte = 0;  // forced: packed from the first product
  }
  c.fma_peak_gflops = measure_fma_peak_gflops();
  c.warning = fp32_gemm_warning(c);
  if (!c.warning.empty()) {
    // Before claiming the product is slow, measure it again: on a busy machine one preempted
    // call of a few milliseconds looks like a slow kernel, where the short FMA bursts do not.
    double& chosen = c.packed ? c.packed_gflops : c.chosen == Fp32Gemm::OneDnn ? c.onednn_gflops : c.blas_gflops;
    for (int rep = 0; rep < 5; ++rep) chosen = std::max(chosen, c.packed ? packed_rate() : rate(c.chosen));
    c.warning = fp32_gemm_warning(c);
  }
  return c;
}

}  // namespace

std::string fp32_gemm_warning(const Fp32GemmChoice& c) {
  const double chosen = c.packed ? c.packed_gflops : c.chosen == Fp32Gemm::OneDnn ? c.onednn_gflops : c.blas_gflops;
  if (c.fma_peak_gflops <= 0 || chosen >= kFarBelowPeak * c.fma_peak_gflops) return {};
  std::ostringstream s;
  s.precision(0);
  s << std::fixed << "float32 products run at " << chosen << " GFLOP/s with "
    << (c.packed ? "oneDNN matmul (packed weights)" : fp32_gemm_name(c.chosen)) << " (libtorch BLAS " << c.blas_gflops
    << ", oneDNN ";
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
  // About 2 ms per round. Plain threads, each timing its own chains after a common start: torch's
  // OpenMP pool gave about one core's rate here with two threads, where the packed GEMM reached
  // twice that.
  const int64_t iterations = 1 << 20;
  const double flop_per_thread = 2.0 * lanes * chains * static_cast<double>(iterations);
  double best = 0;
  for (int rep = 0; rep < 4; ++rep) {
    std::vector<double> seconds(static_cast<size_t>(threads));
    std::atomic<int> arrived{0};
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t)
      pool.emplace_back([&, t] {
        arrived.fetch_add(1);
        while (arrived.load() < threads) std::this_thread::yield();  // a common start
        const auto t0 = std::chrono::steady_clock::now();
        volatile double keep = kernel(iterations);
        (void)keep;
        seconds[static_cast<size_t>(t)] = seconds_since(t0);
      });
    for (std::thread& t : pool) t.join();
    double rate = 0;
    for (double sec : seconds) rate += flop_per_thread / sec / 1e9;
    best = std::max(best, rate);
  }
  return best;
}

namespace {

std::mutex& cache_file_mutex() {
  static std::mutex m;
  return m;
}
std::filesystem::path& cache_file() {
  static std::filesystem::path f;
  return f;
}

// "path size mtime" of a file, or its path alone when it cannot be looked at.
std::string file_identity(const std::string& path) {
  struct stat st {};
  if (path.empty() || ::stat(path.c_str(), &st) != 0) return path;
  return path + " " + std::to_string(st.st_size) + " " + std::to_string(st.st_mtim.tv_sec) + "." +
         std::to_string(st.st_mtim.tv_nsec);
}

// The file `symbol` was loaded from, as an absolute path (dladdr gives a program's as it was run).
std::string library_of(const void* symbol) {
  Dl_info info{};
  if (!dladdr(symbol, &info) || !info.dli_fname) return {};
  std::error_code ec;
  const std::filesystem::path path = std::filesystem::weakly_canonical(info.dli_fname, ec);
  return ec ? std::string(info.dli_fname) : path.string();
}

}  // namespace

void set_fp32_gemm_cache_file(const std::filesystem::path& file) {
  std::lock_guard<std::mutex> lock(cache_file_mutex());
  cache_file() = file;
}

std::filesystem::path fp32_gemm_cache_file() {
  std::lock_guard<std::mutex> lock(cache_file_mutex());
  return cache_file();
}

std::string fp32_gemm_cache_key() {
  std::ostringstream key;
  std::ifstream cpuinfo("/proc/cpuinfo");
  for (std::string line; std::getline(cpuinfo, line) && !line.empty();) {
    const std::string field = line.substr(0, line.find_first_of("\t:"));
    for (const char* wanted : {"vendor_id", "cpu family", "model", "model name", "stepping", "flags"})
      if (field == wanted) key << line << '\n';
  }
  key << "threads " << at::get_num_threads() << '\n';
  // Settings that change what the libraries run.
  for (const char* var : {"ONEDNN_MAX_CPU_ISA", "DNNL_MAX_CPU_ISA", "OPENBLAS_CORETYPE", "OMP_WAIT_POLICY",
                          "GOMP_SPINCOUNT", "GOMP_CPU_AFFINITY", "OMP_PROC_BIND"})
    if (const char* value = std::getenv(var)) key << var << '=' << value << '\n';
  key << "engine " << file_identity(library_of(reinterpret_cast<const void*>(&fp32_gemm_cache_key))) << '\n';
  key << "blas " << file_identity(detail::engine_blas_backend().path) << '\n';
#ifdef GLIMPSE_HAVE_DNNL
  key << "onednn " << file_identity(library_of(reinterpret_cast<const void*>(&dnnl_sgemm))) << '\n';
#endif
  return key.str();
}

namespace {

using Json = nlohmann::json;

constexpr int kFp32GemmFileVersion = 2;

std::optional<Fp32GemmChoice> parse_entry(const Json& e) {
  Fp32GemmChoice c;
  const auto rate = [&](const char* name, double& out) {
    if (!e.contains(name) || !e[name].is_number()) return false;
    out = e[name].get<double>();
    return std::isfinite(out) && out >= 0 && out < 1e7;
  };
  if (!rate("blas_gflops", c.blas_gflops) || !rate("onednn_gflops", c.onednn_gflops) ||
      !rate("packed_gflops", c.packed_gflops) || !rate("mlp_gflops", c.mlp_gflops) ||
      !rate("packed_mlp_gflops", c.packed_mlp_gflops) || !rate("fma_peak_gflops", c.fma_peak_gflops) ||
      !rate("pack_seconds_per_byte", c.pack_seconds_per_byte) || c.pack_seconds_per_byte > 1e-3 ||
      c.fma_peak_gflops <= 0)
    return std::nullopt;
  if (!e.contains("chosen") || !e["chosen"].is_string() || !e.contains("packed") || !e["packed"].is_boolean())
    return std::nullopt;
  const std::string chosen = e["chosen"].get<std::string>();
  if (chosen == "onednn" && onednn_gemm_available())
    c.chosen = Fp32Gemm::OneDnn;
  else if (chosen == "blas")
    c.chosen = Fp32Gemm::Blas;
  else
    return std::nullopt;
  c.packed = e["packed"].get<bool>();
  if (c.packed && (c.packed_gflops <= 0 || c.packed_mlp_gflops <= 0)) return std::nullopt;
  c.warning = fp32_gemm_warning(c);
  if (!c.warning.empty()) return std::nullopt;  // never written so; measure again
  return c;
}

}  // namespace

std::optional<Fp32GemmChoice> read_cached_fp32_gemm(const std::filesystem::path& file, const std::string& key,
                                                    std::chrono::system_clock::time_point now) {
  for (const Json& e : read_kept_entries(file, kFp32GemmFileVersion)) {
    if (e["key"].get<std::string>() != key) continue;
    if (!e.contains("measured") || !kept_entry_fresh(e["measured"], now, kFp32GemmCacheDays)) return std::nullopt;
    return parse_entry(e);
  }
  return std::nullopt;
}

bool write_cached_fp32_gemm(const std::filesystem::path& file, const std::string& key, const Fp32GemmChoice& c,
                            std::chrono::system_clock::time_point now) {
  if (!c.warning.empty() || !fp32_gemm_warning(c).empty()) return false;
  return write_kept_entries(file, kFp32GemmFileVersion,
                            {{"key", key},
                             {"measured", unix_seconds(now)},
                             {"chosen", c.chosen == Fp32Gemm::OneDnn ? "onednn" : "blas"},
                             {"packed", c.packed},
                             {"blas_gflops", c.blas_gflops},
                             {"onednn_gflops", c.onednn_gflops},
                             {"packed_gflops", c.packed_gflops},
                             {"mlp_gflops", c.mlp_gflops},
                             {"packed_mlp_gflops", c.packed_mlp_gflops},
                             {"pack_seconds_per_byte", c.pack_seconds_per_byte},
                             {"fma_peak_gflops", c.fma_peak_gflops}});
}

const Fp32GemmChoice& fp32_gemm_choice() {
  static const Fp32GemmChoice choice = [] {
    std::filesystem::path file;
    {
      std::lock_guard<std::mutex> lock(cache_file_mutex());
      file = cache_file();
    }
    // A forced product is for benchmarks and tests, which measure.
    if (std::getenv("GLIMPSE_FP32_GEMM")) file.clear();
    const std::string key = file.empty() ? std::string() : fp32_gemm_cache_key();
    const auto now = std::chrono::system_clock::now();
    // The file is only a shortcut: whatever goes wrong with it, the product is measured.
    try {
      if (!file.empty())
        if (std::optional<Fp32GemmChoice> cached = read_cached_fp32_gemm(file, key, now)) return *cached;
    } catch (const std::exception&) {
    }
    Fp32GemmChoice c = measure_choice();
    if (!c.warning.empty()) {
      std::lock_guard<std::mutex> lock(sink_mutex());
      if (sink()) sink()(c.warning);
    }
    try {
      if (!file.empty()) write_cached_fp32_gemm(file, key, c, now);
    } catch (const std::exception&) {
    }
    return c;
  }();
  return choice;
}

const Bf16GemmRate& bf16_gemm_rate() {
  static const Bf16GemmRate rate = [] {
    Bf16GemmRate r;
    // The probe's shape, as in measure_choice, both ways back to back: oneDNN's packed bfloat16
    // product, and what a bf16 layer runs instead (the weight widened into a float32 buffer, then
    // the chosen float32 product). One warm-up each (packing, JIT), then the best of three.
    const int64_t m = 577, k = 768, n = 768;
    const double flop = 2.0 * m * n * k;
    const at::Tensor x = at::randn({m, k}), xb = x.to(at::kBFloat16), b = at::zeros({n});
    const at::Tensor wb = (at::randn({n, k}) * 0.02).to(at::kBFloat16), widened = at::empty({n, k});
    const std::shared_ptr<PackedWeight> packed = make_packed_weight(wb, b);
    for (int rep = 0; rep < 4; ++rep) {
      auto t0 = std::chrono::steady_clock::now();
      const at::Tensor y = packed ? packed_linear(*packed, xb, Epilogue::None, at::Tensor()) : at::Tensor();
      if (y.defined() && rep > 0) r.bf16_gflops = std::max(r.bf16_gflops, flop / seconds_since(t0) / 1e9);
      t0 = std::chrono::steady_clock::now();
      widened.copy_(wb);
      const at::Tensor z = fp32_linear(x, widened, b);
      if (rep > 0) r.fp32_gflops = std::max(r.fp32_gflops, flop / seconds_since(t0) / 1e9);
    }
    // Without a packed bfloat16 product here (no oneDNN in this build) nothing is compared: the
    // layers keep libtorch's bfloat16 path.
    r.bf16_faster = r.bf16_gflops == 0 || r.bf16_gflops >= 0.8 * r.fp32_gflops;
    if (const char* env = std::getenv("GLIMPSE_BF16_GEMM")) {
      if (std::strcmp(env, "bf16") == 0) r.bf16_faster = true;
      if (std::strcmp(env, "fp32") == 0) r.bf16_faster = false;
    }
    return r;
  }();
  return rate;
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
