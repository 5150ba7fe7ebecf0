// The float32 product routing (fp32_gemm.h): oneDNN's sgemm against libtorch's products on the
// shapes and views the engine passes, and the first-use measurement that picks one of them.
#include <ATen/Parallel.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <limits>
#include <nlohmann/json.hpp>
#include <tuple>
#include <vector>

#include "aligned_vector.h"
#include "avx512_math.h"
#include "bf16_attention.h"
#include "blip.h"
#include "fp32_attention.h"
#include "fp32_gemm.h"
#include "nn_layers.h"
#include "scratch_file.h"

using namespace glimpse::blip;

namespace {

// |a - b| relative to the largest |b|.
double rel_diff(const at::Tensor& a, const at::Tensor& b) {
  return (a.to(at::kDouble) - b.to(at::kDouble)).abs().max().item<double>() /
         std::max(1e-12, b.abs().max().item<double>());
}

// One head of bf16_attention_head64 on `unit`: q, k, v [t, 64] bfloat16 with rows of any stride.
at::Tensor bf16_head64(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, Bf16AttentionUnit unit) {
  const int64_t t = q.size(0), d = kBf16AttentionHeadSize;
  at::Tensor out = at::empty({t, d}, at::kBFloat16);
  bf16_attention_head64(static_cast<const uint16_t*>(q.data_ptr()), static_cast<const uint16_t*>(k.data_ptr()),
                        static_cast<const uint16_t*>(v.data_ptr()), q.stride(0), k.stride(0), v.stride(0), t, 0.125f,
                        static_cast<uint16_t*>(out.data_ptr()), d, unit);
  return out;
}

TEST(Fp32Gemm, OneDnnLinearMatchesLibtorch) {
  if (!onednn_gemm_available()) GTEST_SKIP() << "built without oneDNN";
  at::manual_seed(1);
  const at::Tensor w = at::randn({300, 96}), b = at::randn({300});
  const at::Tensor x = at::randn({2, 37, 96});
  for (const at::Tensor& in : {x, x.transpose(0, 1), x[0], at::randn({96, 37}).t(), x.slice(1, 0, 1)}) {
    for (const at::Tensor& bias : {b, at::Tensor()}) {
      const at::Tensor got = fp32_linear(in, w, bias, Fp32Gemm::OneDnn);
      const at::Tensor want = at::linear(in, w, bias);
      ASSERT_EQ(got.sizes(), want.sizes());
      EXPECT_LT(rel_diff(got, want), 1e-5) << in.sizes();
    }
  }
  // A transposed weight view (W stored as [K, N]) is read in place as well.
  const at::Tensor wt = at::randn({96, 300}).t();
  EXPECT_LT(rel_diff(fp32_linear(x, wt, b, Fp32Gemm::OneDnn), at::linear(x, wt, b)), 1e-5);
}

TEST(Fp32Gemm, OneDnnMatmulMatchesLibtorchOnAttentionViews) {
  if (!onednn_gemm_available()) GTEST_SKIP() << "built without oneDNN";
  at::manual_seed(2);
  // q, k, v as the vision attention slices them out of one [3, B, heads, T, hd] permutation.
  const at::Tensor mixed = at::randn({2, 41, 3, 4, 16}).permute({2, 0, 3, 1, 4});
  const at::Tensor q = mixed[0], k = mixed[1], v = mixed[2];
  const at::Tensor scores = fp32_matmul(q, k.transpose(-1, -2), Fp32Gemm::OneDnn);
  EXPECT_LT(rel_diff(scores, at::matmul(q, k.transpose(-1, -2))), 1e-5);
  const at::Tensor p = at::softmax(scores, -1);
  EXPECT_LT(rel_diff(fp32_matmul(p, v, Fp32Gemm::OneDnn), at::matmul(p, v)), 1e-5);
  // Neither rows nor columns contiguous: copied, still right.
  const at::Tensor odd = at::randn({2, 41, 8}).slice(2, 0, 8, 2);
  const at::Tensor rhs = at::randn({2, 4, 5});
  EXPECT_LT(rel_diff(fp32_matmul(odd, rhs, Fp32Gemm::OneDnn), at::matmul(odd, rhs)), 1e-5);
  // Broadcast batches and other dtypes are left to libtorch.
  const at::Tensor bq = at::randn({2, 3, 5, 8}), bk = at::randn({1, 3, 8, 6});
  EXPECT_TRUE(at::allclose(fp32_matmul(bq, bk, Fp32Gemm::OneDnn), at::matmul(bq, bk)));
  const at::Tensor hq = bq.to(at::kBFloat16), hk = at::randn({2, 3, 8, 6}).to(at::kBFloat16);
  EXPECT_EQ(fp32_matmul(hq, hk).scalar_type(), at::kBFloat16);
}

TEST(Fp32Gemm, PackedLinearMatchesLibtorchWithItsEpilogues) {
  if (!onednn_gemm_available()) GTEST_SKIP() << "built without oneDNN";
  at::manual_seed(3);
  const at::Tensor w = at::randn({300, 96}) * 0.1, b = at::randn({300});
  for (const at::Tensor& bias : {b, at::Tensor()}) {
    const std::shared_ptr<PackedWeight> p = make_packed_weight(w, bias);
    ASSERT_TRUE(p);
    EXPECT_EQ(packed_bytes(*p), 0u);  // nothing packed before the first product
    // Row counts after the first reuse the packed layout; the input may be a non-contiguous view.
    for (const at::Tensor& x :
         {at::randn({1, 577, 96}), at::randn({37, 96}), at::randn({96, 5}).t(), at::randn({1, 96})}) {
      const at::Tensor plain = at::linear(x, w, bias);
      const at::Tensor residual = at::randn(plain.sizes());
      const int64_t runs = packed_products();
      const at::Tensor y = packed_linear(*p, x, Epilogue::None, at::Tensor());
      const at::Tensor g = packed_linear(*p, x, Epilogue::Gelu, at::Tensor());
      const at::Tensor r = packed_linear(*p, x, Epilogue::None, residual);
      const at::Tensor gr = packed_linear(*p, x, Epilogue::Gelu, residual);
      ASSERT_TRUE(y.defined() && g.defined() && r.defined() && gr.defined()) << x.sizes();
      EXPECT_EQ(packed_products() - runs, 4);
      EXPECT_EQ(y.sizes(), plain.sizes());
      EXPECT_LT(rel_diff(y, plain), 1e-5) << x.sizes();
      EXPECT_LT(rel_diff(g, at::gelu(plain)), 1e-5) << x.sizes();
      EXPECT_LT(rel_diff(r, plain + residual), 1e-5) << x.sizes();
      EXPECT_LT(rel_diff(gr, at::gelu(plain) + residual), 1e-5) << x.sizes();
    }
    EXPECT_GE(packed_bytes(*p), static_cast<size_t>(w.numel()) * sizeof(float));
  }
  // A residual of the wrong size is refused (the caller then runs the product unpacked).
  const std::shared_ptr<PackedWeight> p = make_packed_weight(w, b);
  EXPECT_FALSE(packed_linear(*p, at::randn({4, 96}), Epilogue::None, at::randn({3, 300})).defined());
  EXPECT_FALSE(make_packed_weight(w.to(at::kDouble), b));
  // bfloat16 weights (the bf16 mode): bfloat16 rows and out, float32 out when a residual is added,
  // float32 sums of the rounded operands.
  const at::Tensor wb = w.to(at::kBFloat16);
  const std::shared_ptr<PackedWeight> pb = make_packed_weight(wb, b);
  ASSERT_TRUE(pb);
  const at::Tensor xb = at::randn({64, 96});
  const at::Tensor yb = packed_linear(*pb, xb, Epilogue::None, at::Tensor());
  if (!yb.defined()) GTEST_SKIP() << "no fast bfloat16 kernel on this CPU";
  EXPECT_EQ(yb.scalar_type(), at::kBFloat16);
  const at::Tensor rounded = at::linear(xb.to(at::kBFloat16).to(at::kFloat), wb.to(at::kFloat), b);
  EXPECT_LT(rel_diff(yb.to(at::kFloat), rounded), 1e-2);  // one bfloat16 rounding of the result
  const at::Tensor residual = at::randn({64, 300});
  const at::Tensor rb = packed_linear(*pb, xb, Epilogue::Gelu, residual);
  ASSERT_TRUE(rb.defined());
  EXPECT_EQ(rb.scalar_type(), at::kFloat);
  EXPECT_LT(rel_diff(rb, at::gelu(rounded) + residual), 1e-5);
}

// A packed weight whose first product has one row (the last vision layer's, for ITC embeddings)
// is laid out as for many rows: its products of many rows still run packed, with the same values
// as those of a weight whose first product had many rows; and the other way round. Both precisions
// the packed path takes.
TEST(Fp32Gemm, PackedWeightsFirstProductOfOneRowLeavesManyRowsPacked) {
  if (!onednn_gemm_available()) GTEST_SKIP() << "built without oneDNN";
  at::manual_seed(13);
  for (const auto type : {at::kFloat, at::kBFloat16}) {
    const at::Tensor w = (at::randn({3072, 768}) * 0.02).to(type), b = at::randn({3072});
    const at::Tensor one = at::randn({1, 768}), many = at::randn({577, 768});
    const auto few_first = make_packed_weight(w, b), many_first = make_packed_weight(w, b);
    const at::Tensor a1 = packed_linear(*few_first, one, Epilogue::Gelu, at::Tensor());
    const at::Tensor am = packed_linear(*few_first, many, Epilogue::Gelu, at::Tensor());
    const at::Tensor bm = packed_linear(*many_first, many, Epilogue::Gelu, at::Tensor());
    const at::Tensor b1 = packed_linear(*many_first, one, Epilogue::Gelu, at::Tensor());
    if (!bm.defined()) continue;  // no fast kernel for this precision here
    ASSERT_TRUE(a1.defined() && am.defined() && b1.defined()) << at::toString(type);
    EXPECT_TRUE(at::equal(am, bm)) << at::toString(type);
    EXPECT_TRUE(at::equal(a1, b1)) << at::toString(type);
    EXPECT_EQ(packed_bytes(*few_first), packed_bytes(*many_first)) << at::toString(type);
  }
}

// A packed weight of a slice of a wider weight's columns (its rows strided, as the bf16 MLP's fc2
// slices are, LinearImpl::forward_part) gives the products of the slice copied out, bit for bit,
// and packs into the block it is given where the packed copy fits.
TEST(Fp32Gemm, PackedWeightOfStridedRowsIsTheSlicesOwnAndPacksIntoItsBlock) {
  if (!onednn_gemm_available()) GTEST_SKIP() << "built without oneDNN";
  at::manual_seed(14);
  for (const auto type : {at::kFloat, at::kBFloat16}) {
    const at::Tensor wide = (at::randn({256, 3 * 192}) * 0.05).to(type), b = at::randn({256});
    const at::Tensor slice = wide.narrow(1, 192, 192), x = at::randn({577, 192}), residual = at::randn({577, 256});
    ASSERT_FALSE(slice.is_contiguous());
    const std::shared_ptr<PackedWeight> copied = make_packed_weight(slice.contiguous(), b);
    const size_t bytes = static_cast<size_t>(slice.numel() * slice.element_size());
    const at::Tensor block = at::full({static_cast<int64_t>(2 * bytes)}, 0xab, at::kByte);
    const std::shared_ptr<PackedWeight> strided = make_packed_weight(slice, b, block.narrow(0, 0, 2 * bytes));
    ASSERT_TRUE(copied && strided) << at::toString(type);
    const at::Tensor want = packed_linear(*copied, x, Epilogue::None, residual);
    if (!want.defined()) continue;  // no fast kernel for this precision here
    EXPECT_TRUE(at::equal(packed_linear(*strided, x, Epilogue::None, residual), want)) << at::toString(type);
    EXPECT_LT(rel_diff(want, at::linear(x.to(type).to(at::kFloat), slice.to(at::kFloat), b) + residual), 1e-5)
        << at::toString(type);
    // the packed copy lies in the block (the rest of it untouched)
    ASSERT_EQ(packed_bytes(*strided), packed_bytes(*copied));
    const at::Tensor used = block.narrow(0, 0, static_cast<int64_t>(packed_bytes(*strided)));
    EXPECT_FALSE(at::equal(used, at::full_like(used, 0xab))) << at::toString(type);
  }
  // a weight whose rows overlap, or whose columns are not contiguous, is refused
  const at::Tensor w = at::randn({64, 64});
  EXPECT_FALSE(make_packed_weight(w.t(), at::Tensor()));
  EXPECT_FALSE(make_packed_weight(w.as_strided({64, 64}, {32, 1}), at::Tensor()));
}

// bf16 products of row counts on both sides of multiples of 32, each epilogue: every row, the
// last ones too, against the float32 product of the rounded operands. Where oneDNN runs them in
// AMX tiles the rows past the last multiple of 32 are a product of their own (PackedWeight): the
// two parts then equal the products of their rows alone, bit for bit. Each count is the first
// product of its own packed weight (the first product chooses the packed layout).
TEST(Fp32Gemm, Bf16PackedLinearOfEveryRowCountAroundTheTileRows) {
  if (!onednn_gemm_available()) GTEST_SKIP() << "built without oneDNN";
  at::manual_seed(12);
  const at::Tensor w = (at::randn({256, 192}) * 0.1).to(at::kBFloat16), b = at::randn({256});
  for (const int64_t m : {31, 32, 33, 63, 64, 65, 197, 577}) {
    const std::shared_ptr<PackedWeight> p = make_packed_weight(w, b);
    ASSERT_TRUE(p);
    const at::Tensor x = at::randn({m, 192}).to(at::kBFloat16), residual = at::randn({m, 256});
    const at::Tensor plain = at::linear(x.to(at::kFloat), w.to(at::kFloat), b);
    for (const Epilogue e : {Epilogue::None, Epilogue::Gelu}) {
      const at::Tensor want = e == Epilogue::Gelu ? at::gelu(plain) : plain;
      const at::Tensor y = packed_linear(*p, x, e, at::Tensor()), r = packed_linear(*p, x, e, residual);
      if (!y.defined()) GTEST_SKIP() << "no fast bfloat16 kernel on this CPU";
      ASSERT_TRUE(r.defined()) << m;
      for (int64_t i = 0; i < m; ++i) {
        // one bfloat16 rounding of the result; float32 sums in another order
        EXPECT_LT(rel_diff(y[i].to(at::kFloat), want[i]), 1e-2) << m << " rows, row " << i;
        EXPECT_LT(rel_diff(r[i], want[i] + residual[i]), 1e-5) << m << " rows, row " << i;
      }
      const int64_t head = m > 32 ? m - m % 32 : m;
      if (!packed_linear_in_amx(*p, m) || head == m) continue;
      for (const auto& [from, rows] : {std::pair<int64_t, int64_t>{0, head}, {head, m - head}}) {
        const at::Tensor part = x.narrow(0, from, rows), part_residual = residual.narrow(0, from, rows).contiguous();
        EXPECT_TRUE(at::equal(y.narrow(0, from, rows), packed_linear(*p, part, e, at::Tensor())))
            << m << " rows from " << from;
        EXPECT_TRUE(at::equal(r.narrow(0, from, rows), packed_linear(*p, part, e, part_residual)))
            << m << " rows from " << from;
      }
    }
  }
  // float32 weights never run in AMX tiles
  const std::shared_ptr<PackedWeight> f = make_packed_weight(w.to(at::kFloat), b);
  EXPECT_FALSE(packed_linear_in_amx(*f, 577));
}

TEST(Fp32Gemm, FusedAttentionEqualsSoftmaxOfScaledScoresTimesValues) {
  if (!onednn_gemm_available()) GTEST_SKIP() << "built without oneDNN";
  const Fp32GemmChoice& c = fp32_gemm_choice();
  if (c.chosen != Fp32Gemm::OneDnn && !c.packed) GTEST_SKIP() << "float32 products do not go to oneDNN on this CPU";
  at::manual_seed(4);
  // As the vision attention slices q, k, v out of one qkv product: [3, B, heads, T, hd] views.
  for (const auto& [b, t, heads, d, scale] : std::vector<std::tuple<int64_t, int64_t, int64_t, int64_t, double>>{
           {1, 577, 12, 64, 0.125},
           {2, 41, 4, 16, 0.25},
           // two images through the head-64 kernel; a negative scale takes the oneDNN steps
           {2, 40, 3, 64, 0.125},
           {1, 40, 2, 64, -0.125},
           {1, 5, 3, 10, 1.0 / std::sqrt(10.0)},
           // scores in the hundreds: the softmax must subtract each row's maximum
           {1, 300, 2, 32, 3.0},
           // more tokens than one block of scores holds: two blocks of query rows
           {1, 800, 2, 32, 0.125}}) {
    const at::Tensor mixed = at::randn({b, t, 3, heads, d}).permute({2, 0, 3, 1, 4});
    const at::Tensor q = mixed[0], k = mixed[1], v = mixed[2];
    const at::Tensor got = fused_attention(q, k, v, scale);
    ASSERT_TRUE(got.defined());
    const at::Tensor want = at::matmul(at::softmax(at::matmul(q, k.transpose(-1, -2)) * scale, -1), v)
                                .permute({0, 2, 1, 3})
                                .reshape({b, t, heads * d});
    ASSERT_EQ(got.sizes(), want.sizes());
    EXPECT_LT(rel_diff(got, want), 1e-5) << t << " tokens, " << heads << " heads";
  }
  // Operands it cannot read in place are left to the caller.
  const at::Tensor odd = at::randn({1, 2, 7, 8}).transpose(2, 3);
  EXPECT_FALSE(fused_attention(odd, odd, odd, 1.0).defined());
  const at::Tensor half = at::randn({1, 2, 7, 8}).to(at::kHalf);
  EXPECT_FALSE(fused_attention(half, half, half, 1.0).defined());
}

// BLIP's head size 64 goes to the AVX-512 BF16 kernel of bf16_attention.h where the CPU has it:
// every count of leftover query rows (blocks of 6) and of keys past a block of 64, one token, and
// more tokens than the oneDNN path puts in one block.
TEST(Fp32Gemm, Bf16AttentionOfHeadSize64ForEveryRowAndKeyTail) {
  if (!onednn_gemm_available()) GTEST_SKIP() << "built without oneDNN";
  at::manual_seed(6);
  for (const int64_t t : {1, 2, 3, 4, 5, 6, 7, 40, 63, 64, 65, 100, 577, 800}) {
    const int64_t heads = 2, d = kBf16AttentionHeadSize;
    const at::Tensor mixed = (at::randn({1, t, 3, heads, d}) * 2).to(at::kBFloat16).permute({2, 0, 3, 1, 4});
    const at::Tensor q = mixed[0], k = mixed[1], v = mixed[2];
    const at::Tensor got = fused_attention(q, k, v, 0.125);
    if (!got.defined()) GTEST_SKIP() << "no fast bfloat16 kernels on this CPU";
    const at::Tensor qf = q.to(at::kFloat), kf = k.to(at::kFloat), vf = v.to(at::kFloat);
    const at::Tensor probs = at::softmax(at::matmul(qf, kf.transpose(-1, -2)) * 0.125, -1).to(at::kBFloat16);
    const at::Tensor want = at::matmul(probs.to(at::kFloat), vf).permute({0, 2, 1, 3}).reshape({1, t, heads * d});
    EXPECT_LT(rel_diff(got.to(at::kFloat), want), 1e-2) << t << " tokens";
    if (!bf16_attention_available()) continue;
    // the fused attention's result is the kernel's, head by head
    at::Tensor head1 = at::empty({t, d}, at::kBFloat16);
    bf16_attention_head64(static_cast<const uint16_t*>(q[0][1].data_ptr()),
                          static_cast<const uint16_t*>(k[0][1].data_ptr()),
                          static_cast<const uint16_t*>(v[0][1].data_ptr()), q.stride(2), k.stride(2), v.stride(2), t,
                          0.125f, static_cast<uint16_t*>(head1.data_ptr()), d);
    EXPECT_TRUE(at::equal(got[0].narrow(1, d, d), head1)) << t << " tokens";
    // Its own rounding, in double: the exponentials rounded to bfloat16 for the product with v,
    // the product divided by their unrounded sum, then one rounding of the result.
    const at::Tensor s = at::matmul(q.to(at::kDouble), k.to(at::kDouble).transpose(-1, -2)) * 0.125;
    const at::Tensor e = at::exp(s - std::get<0>(s.max(-1, true)));
    const at::Tensor exact = (at::matmul(e.to(at::kBFloat16).to(at::kDouble), v.to(at::kDouble)) / e.sum(-1, true))
                                 .permute({0, 2, 1, 3})
                                 .reshape({1, t, heads * d});
    // the result's rounding alone reaches half a bfloat16 step, 2^-8 = 0.0039 of the largest
    // output, and the exponentials' rounding adds to it: 2^-7, as in the AMX test below, held for
    // 41 seeds, where the earlier 3e-3 failed 17 of them
    EXPECT_LT(rel_diff(got.to(at::kDouble), exact), std::ldexp(1.0, -7)) << t << " tokens";
  }
}

// The AMX path (16 query rows a tile, 32 tokens a product) against the same rounding in double and
// against the dot-product kernel: every tail of 16 query rows and of 16, 32 and 64 keys, the
// values a strided view of one qkv product, and rows whose scores lie far from zero (the zero
// keys past the last token must stay out of the maximum).
TEST(Fp32Gemm, Bf16AttentionInAmxTilesEqualsTheDotProductsRounding) {
  if (!bf16_attention_amx_available()) GTEST_SKIP() << "no AMX-BF16 granted on this CPU";
  at::manual_seed(10);
  const int64_t heads = 2, d = kBf16AttentionHeadSize;
  for (const int64_t t : {1, 2, 15, 16, 17, 31, 32, 33, 47, 63, 64, 65, 96, 100, 577, 800}) {
    for (const double shift : {0.0, -30.0, 30.0}) {
      const at::Tensor mixed = (at::randn({1, t, 3, heads, d}) * 2).to(at::kBFloat16).permute({2, 0, 3, 1, 4});
      const at::Tensor q = (mixed[0][0][1] + shift).to(at::kBFloat16), k = mixed[1][0][1], v = mixed[2][0][1];
      const at::Tensor amx = bf16_head64(q, k.abs(), v, Bf16AttentionUnit::Amx);
      const at::Tensor dots = bf16_head64(q, k.abs(), v, Bf16AttentionUnit::Avx512);
      ASSERT_TRUE(at::isfinite(amx.to(at::kFloat)).all().item<bool>()) << t << " tokens, shift " << shift;
      // The exponentials rounded to bfloat16, the product divided by their unrounded sum, one rounding.
      const at::Tensor s = at::matmul(q.to(at::kDouble), k.abs().to(at::kDouble).t()) * 0.125;
      const at::Tensor e = at::exp(s - std::get<0>(s.max(-1, true)));
      const at::Tensor exact = at::matmul(e.to(at::kBFloat16).to(at::kDouble), v.to(at::kDouble)) / e.sum(-1, true);
      const double amx_err = rel_diff(amx.to(at::kDouble), exact), dots_err = rel_diff(dots.to(at::kDouble), exact);
      // the exponentials' rounding and the result's, each up to half a bfloat16 step (2^-8 of a
      // value: 8 significant bits); the result's alone came to 0.0039 with other seeds
      EXPECT_LT(amx_err, std::ldexp(1.0, -7)) << t << " tokens, shift " << shift;
      // The AMX path's own rounding: its shift is an integer in the exponent of 2 (the ceiling of
      // the largest scaled score; a shift moved by whole powers of two gives the same roundings),
      // and it divides by the sum of the rounded exponentials. Against that, as close as the dot
      // products are to theirs (the sums in another order: a rounding of the result here and there).
      const at::Tensor y = s / std::log(2.0);
      const at::Tensor e2 = at::exp2(y - at::ceil(std::get<0>(y.max(-1, true)))).to(at::kBFloat16).to(at::kDouble);
      const at::Tensor own = at::matmul(e2, v.to(at::kDouble)) / e2.sum(-1, true);
      const double own_err = rel_diff(amx.to(at::kDouble), own);
      EXPECT_LT(own_err, 1.5 * dots_err + 1e-4) << t << " tokens, shift " << shift << ", dot products " << dots_err;
      // (one step apart at the largest output: up to 2^-7)
      EXPECT_LT(rel_diff(amx.to(at::kDouble), dots.to(at::kDouble)), std::ldexp(1.0, -7))
          << t << " tokens, shift " << shift;
    }
  }
}

// Scores that rise far above the first 32 keys' along each row (from about 0 up to 8 x 25 = 200,
// then down again): the AMX path's shift moves up, by more than 2^16 at a time, several times a row, and
// each move scales the row's sum and outputs so far by the same power of two. Against the
// attention in double with the AMX path's roundings (shift at the true maximum), within a rounding
// of the result; leaving either the outputs or the sum unscaled fails it. And first keys whose
// scores are all -inf.
TEST(Fp32Gemm, Bf16AttentionInAmxTilesMovesItsShiftWhereLaterScoresGrow) {
  if (!bf16_attention_amx_available()) GTEST_SKIP() << "no AMX-BF16 granted on this CPU";
  at::manual_seed(14);
  const int64_t d = kBf16AttentionHeadSize;
  for (const int64_t t : {40, 100, 577}) {
    // 0 for the first 32 keys, then a bump to 25 and back
    const at::Tensor rise =
        at::sin((at::arange(t, at::kDouble) - 32).clamp_min(0) * (M_PI / static_cast<double>(t - 32))) * 25;
    const at::Tensor q = (1 + 0.3 * at::randn({t, d})).to(at::kBFloat16);
    const at::Tensor k = (rise.unsqueeze(1) * (1 + 0.05 * at::randn({t, d}, at::kDouble))).to(at::kBFloat16);
    const at::Tensor v = at::randn({t, d}).to(at::kBFloat16);
    const at::Tensor amx = bf16_head64(q, k, v, Bf16AttentionUnit::Amx).to(at::kDouble);
    const at::Tensor y = at::matmul(q.to(at::kDouble), k.to(at::kDouble).t()) * (0.125 / std::log(2.0));
    ASSERT_GT((std::get<0>(y.max(-1)) - std::get<0>(y.narrow(1, 0, 32).max(-1))).min().item<double>(), 64)
        << "the first 32 keys' scores must lie far below the row's largest";
    const at::Tensor e = at::exp2(y - at::ceil(std::get<0>(y.max(-1, true)))).to(at::kBFloat16).to(at::kDouble);
    const at::Tensor own = at::matmul(e, v.to(at::kDouble)) / e.sum(-1, true);
    ASSERT_TRUE(at::isfinite(amx).all().item<bool>()) << t << " tokens";
    EXPECT_LT(rel_diff(amx, own), std::ldexp(1.0, -8)) << t << " tokens";
  }
  // The first 32 keys' scores all overflowing to -inf (1e20 x -1e20), the rest 1 each: the mean
  // of the rest's values, as the dot products give it, not NaN.
  const int64_t t = 100;
  const at::Tensor q = at::zeros({t, d}), k = at::zeros({t, d}), v = at::randn({t, d}).to(at::kBFloat16);
  q.select(1, 0).fill_(1e20);
  k.select(1, 0).narrow(0, 0, 32).fill_(-1e20);
  k.select(1, 0).narrow(0, 32, t - 32).fill_(8e-20);
  const at::Tensor qb = q.to(at::kBFloat16), kb = k.to(at::kBFloat16);
  const at::Tensor amx = bf16_head64(qb, kb, v, Bf16AttentionUnit::Amx).to(at::kDouble);
  const at::Tensor mean = v.narrow(0, 32, t - 32).to(at::kDouble).mean(0, true).expand({t, d});
  ASSERT_TRUE(at::isfinite(amx).all().item<bool>());
  EXPECT_LT(rel_diff(amx, mean), std::ldexp(1.0, -7));
  EXPECT_TRUE(at::equal(bf16_head64(qb, kb, v, Bf16AttentionUnit::Avx512).to(at::kDouble).isfinite(), amx.isfinite()));
}

// The probabilities past the last token, up to the next 32 (the width the AMX product reads), are
// zeroed for every head: a head whose last block went to NaN (a NaN query) must leave nothing in
// the thread's work area that a shorter head after it reads.
TEST(Fp32Gemm, Bf16AttentionInAmxTilesReadsNothingAnEarlierHeadLeft) {
  if (!bf16_attention_amx_available()) GTEST_SKIP() << "no AMX-BF16 granted on this CPU";
  at::manual_seed(11);
  const int64_t d = kBf16AttentionHeadSize;
  auto head = [](const at::Tensor& q, const at::Tensor& k, const at::Tensor& v) {
    return bf16_head64(q, k, v, Bf16AttentionUnit::Amx);
  };
  auto rand = [&](int64_t t) { return at::randn({t, d}).to(at::kBFloat16); };
  const at::Tensor q = rand(33), k = rand(33), v = rand(33);
  const at::Tensor clean = head(q, k, v);
  ASSERT_TRUE(at::isfinite(clean.to(at::kFloat)).all().item<bool>());
  at::Tensor poisoned = rand(64);
  poisoned.narrow(0, 48, 16).fill_(std::numeric_limits<float>::quiet_NaN());
  head(poisoned, rand(64), rand(64));
  EXPECT_TRUE(at::equal(head(q, k, v), clean));
}

// The float32 kernel against the attention in double, for every tail of six query rows and of 16
// and 64 keys, on strided views of one qkv product as the vision model passes them; and the fused
// attention's result is the kernel's, head by head. oneDNN's three steps are held to the same bound.
TEST(Fp32Gemm, Fp32AttentionOfHeadSize64ForEveryRowAndKeyTail) {
  if (!fp32_attention_available()) GTEST_SKIP() << "no AVX-512F and DQ on this CPU";
  at::manual_seed(8);
  const int64_t heads = 2, d = kFp32AttentionHeadSize;
  // 40 and 100 tokens end in a block of three vectors of 16 keys, 577 in one of one.
  for (const int64_t t : {1, 2, 5, 6, 7, 13, 16, 17, 40, 63, 64, 65, 100, 577, 800}) {
    for (const double spread : {1.0, 6.0}) {  // scores of a few units, and in the tens (peaked rows)
      const at::Tensor mixed = (at::randn({1, t, 3, heads, d}) * spread).permute({2, 0, 3, 1, 4});
      const at::Tensor q = mixed[0], k = mixed[1], v = mixed[2];
      const at::Tensor s = at::matmul(q.to(at::kDouble), k.to(at::kDouble).transpose(-1, -2)) * 0.125;
      const at::Tensor exact =
          at::matmul(at::softmax(s, -1), v.to(at::kDouble)).permute({0, 2, 1, 3}).reshape({1, t, heads * d});
      at::Tensor head1 = at::empty({t, d});
      fp32_attention_head64(q[0][1].data_ptr<float>(), k[0][1].data_ptr<float>(), v[0][1].data_ptr<float>(),
                            q.stride(2), k.stride(2), v.stride(2), t, 0.125f, head1.data_ptr<float>(), d);
      // libtorch's float32 steps (Hugging Face's attention) against the same exact values: the
      // kernel may differ from exact by about as much, never by more than float32's rounding allows.
      // In peaked rows (scores in the tens) both land a few float32 epsilons of the largest score
      // away, and which lands closer is luck of the draw (13 tokens on an AMD EPYC, libtorch
      // through OpenBLAS's kernels there: 3.7e-7, the kernel 4.1e-6), so the bound also allows
      // two epsilons of head 1's largest |score| (8-50e-6 in the peaked rows here): an allowance
      // found by measurement, the kernel's error was at most a third of it in every case here.
      const at::Tensor steps = at::matmul(at::softmax(at::matmul(q, k.transpose(-1, -2)) * 0.125, -1), v)
                                   .permute({0, 2, 1, 3})
                                   .reshape({1, t, heads * d});
      const double kernel_err = rel_diff(head1.to(at::kDouble), exact[0].narrow(1, d, d));
      const double steps_err = rel_diff(steps.to(at::kDouble)[0].narrow(1, d, d), exact[0].narrow(1, d, d));
      const double largest_score = s[0][1].abs().max().item<double>();
      const double score_rounding = 2 * std::numeric_limits<float>::epsilon() * std::max(1.0, largest_score);
      EXPECT_LT(kernel_err, std::max(3 * steps_err, score_rounding) + 1e-6)
          << t << " tokens, " << spread << ", libtorch " << steps_err << ", scores up to " << largest_score;
      if (!onednn_gemm_available()) continue;
      const Fp32GemmChoice& c = fp32_gemm_choice();
      if (c.chosen != Fp32Gemm::OneDnn && !c.packed) continue;
      const at::Tensor got = fused_attention(q, k, v, 0.125);
      ASSERT_TRUE(got.defined());
      EXPECT_TRUE(at::equal(got[0].narrow(1, d, d), head1)) << t << " tokens";
    }
  }
}

// A row whose real keys all score far below zero: the zero keys past the last token must stay out
// of its maximum (or every exponential underflows); and scores in the hundreds the other way.
TEST(Fp32Gemm, Fp32AttentionSubtractsTheMaximumOfTheRealKeysOnly) {
  if (!fp32_attention_available()) GTEST_SKIP() << "no AVX-512F and DQ on this CPU";
  at::manual_seed(9);
  const int64_t d = kFp32AttentionHeadSize;
  for (const int64_t t : {1, 17, 65, 577}) {
    for (const double sign : {-1.0, 1.0}) {
      const at::Tensor k = at::randn({t, d}).abs() + 1.0;
      const at::Tensor q = at::full({t, d}, 30.0 * sign);
      const at::Tensor v = at::randn({t, d});
      at::Tensor out = at::empty({t, d});
      fp32_attention_head64(q.data_ptr<float>(), k.data_ptr<float>(), v.data_ptr<float>(), d, d, d, t, 0.125f,
                            out.data_ptr<float>(), d);
      const at::Tensor exact =
          at::matmul(at::softmax(at::matmul(q.to(at::kDouble), k.to(at::kDouble).t()) * 0.125, -1), v.to(at::kDouble));
      ASSERT_TRUE(at::isfinite(out).all().item<bool>()) << t << " tokens, sign " << sign;
      // Scores in the hundreds keep float32's absolute rounding of a few 1e-5: libtorch's float32
      // steps are the measure.
      const double steps_err =
          rel_diff(at::matmul(at::softmax(at::matmul(q, k.t()) * 0.125, -1), v).to(at::kDouble), exact);
      EXPECT_LT(rel_diff(out.to(at::kDouble), exact), 3 * steps_err + 1e-6)
          << t << " tokens, sign " << sign << ", libtorch " << steps_err;
    }
  }
}

// The kernels' work areas start on a cache line whatever their size and element type, also after
// growing (malloc's blocks start 16 bytes past one): the attention heads' tile loads of them ran
// six times slower from rows that straddle two lines.
TEST(Fp32Gemm, KernelWorkAreasStartOnACacheLine) {
  auto on_line = [](const void* p) { return reinterpret_cast<uintptr_t>(p) % 64 == 0; };
  for (const size_t n : {1, 3, 17, 1000, 40960, 1 << 20}) {
    AlignedVector<float> f(n);
    AlignedVector<uint16_t> h(n);
    EXPECT_TRUE(on_line(f.data())) << n << " floats";
    EXPECT_TRUE(on_line(h.data())) << n << " halves";
    h.resize(3 * n + 5);
    EXPECT_TRUE(on_line(h.data())) << n << " halves grown";
  }
  std::vector<AlignedVector<uint32_t>> many(50, AlignedVector<uint32_t>(777));
  for (const auto& v : many) EXPECT_TRUE(on_line(v.data()));
}

// 2^y for y in `in` through one of the attentions' exponentials (avx512_math.h), 16 at a time: the
// float32 attention's, or the bfloat16 attention's with its shorter polynomial.
__attribute__((target("avx512f,avx512dq"))) std::vector<float> exp2_nonpositive_of(std::vector<float> in,
                                                                                   bool for_bf16 = false) {
  in.resize((in.size() + 15) / 16 * 16, 0.0f);
  std::vector<float> out(in.size());
  for (size_t i = 0; i < in.size(); i += 16) {
    const __m512 y = _mm512_loadu_ps(in.data() + i);
    _mm512_storeu_ps(out.data() + i, for_bf16 ? glimpse::blip::avx512::exp2_nonpositive_for_bf16(y)
                                              : glimpse::blip::avx512::exp2_nonpositive(y));
  }
  return out;
}

// One exponential within `bound` (relative) of 2^y wherever 2^y is a normal float, within
// `subnormal_bound` of it plus two of the smallest subnormals below that, 0 past it and for -inf,
// within `at_zero` of 1 at 0, NaN for NaN. Its reduction takes y apart as floor(y) + f with f in
// [0, 1], so the points just below each integer (f rounds to 1) are checked as well as a dense grid.
void expect_exp2_within(bool for_bf16, double bound, double subnormal_bound, float at_zero) {
  std::vector<float> in;
  for (int i = 0; i <= 1600000; ++i) in.push_back(-160.0f * static_cast<float>(i) / 1600000.0f);
  for (int n = 0; n >= -150; --n)
    for (const float e : {0.0f, 1e-30f, 1e-7f, 3e-6f})
      in.push_back(std::nextafter(static_cast<float>(n) - e, -INFINITY)), in.push_back(static_cast<float>(n) + e);
  const std::vector<float> got = exp2_nonpositive_of(in, for_bf16);
  double worst = 0;
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] > 0) continue;  // the just-above-integer points at n = 0
    const double want = std::exp2(static_cast<double>(in[i]));
    if (want >= std::numeric_limits<float>::min()) {
      const double rel = std::abs(got[i] - want) / want;
      worst = std::max(worst, rel);
      ASSERT_LE(rel, bound) << "2^" << in[i] << ": " << got[i] << " against " << want;
    } else {
      ASSERT_LE(std::abs(got[i] - want), subnormal_bound * want + 2 * std::numeric_limits<float>::denorm_min())
          << "2^" << in[i];
    }
  }
  std::cout << "largest relative error " << worst << " over " << in.size() << " points\n";
  const std::vector<float> edge = exp2_nonpositive_of({-INFINITY, -1e30f, -200.0f, -0.0f, NAN}, for_bf16);
  EXPECT_EQ(edge[0], 0.0f);
  EXPECT_EQ(edge[1], 0.0f);
  EXPECT_EQ(edge[2], 0.0f);
  EXPECT_NEAR(edge[3], 1.0f, at_zero);
  EXPECT_TRUE(std::isnan(edge[4]));
}

// The float32 attention's exponential: within 2.5e-7 (two float32 ulps at most).
TEST(Fp32Gemm, AttentionExponentialIsWithinTwoUlpsDownToUnderflow) {
  if (!__builtin_cpu_supports("avx512f") || !__builtin_cpu_supports("avx512dq"))
    GTEST_SKIP() << "no AVX-512DQ on this CPU";
  expect_exp2_within(/*for_bf16=*/false, 2.5e-7, /*subnormal_bound=*/0.0, /*at_zero=*/1.2e-7f);
}

// The bfloat16 attention's: its degree-4 polynomial's 2.6e-6 and the float32 rounding, 3e-6, under
// a thousandth of the bfloat16 step (2^-8 relative) the exponentials are rounded to; and not the
// float32 one's polynomial either (the float32 bound fails it).
TEST(Fp32Gemm, Bf16AttentionExponentialIsWithinAThousandthOfABf16Step) {
  if (!__builtin_cpu_supports("avx512f") || !__builtin_cpu_supports("avx512dq"))
    GTEST_SKIP() << "no AVX-512DQ on this CPU";
  expect_exp2_within(/*for_bf16=*/true, 3e-6, /*subnormal_bound=*/3e-6, /*at_zero=*/3e-6f);
  const std::vector<float> y = {-0.1f, -0.37f, -0.5f, -0.81f};
  const std::vector<float> bf = exp2_nonpositive_of(y, true), f32 = exp2_nonpositive_of(y, false);
  double worst = 0;
  for (size_t i = 0; i < y.size(); ++i) worst = std::max(worst, std::abs(bf[i] - std::exp2(double{y[i]})));
  EXPECT_GT(worst, 2.5e-7) << "the bfloat16 attention's exponential is the float32 one";
  EXPECT_NE(bf, f32);
}

// Every score of a row far below zero: the keys past the last token (zeros, so scores of 0) must
// stay out of the row's maximum, or every exponential underflows. Scores in the hundreds the other
// way round.
TEST(Fp32Gemm, Bf16AttentionSubtractsTheMaximumOfTheRealKeysOnly) {
  if (!bf16_attention_available()) GTEST_SKIP() << "no AVX-512 BF16 on this CPU";
  at::manual_seed(7);
  const int64_t d = kBf16AttentionHeadSize;
  for (const int64_t t : {1, 17, 65, 577}) {
    for (const double sign : {-1.0, 1.0}) {
      // q k^T = sign * (1600 + small) / 8 for every pair: the scores lie around -200 or +200
      const at::Tensor q = at::full({t, d}, 5.0).to(at::kBFloat16);
      const at::Tensor k = (sign * (at::full({t, d}, 5.0) + at::rand({t, d}) * 0.25)).to(at::kBFloat16);
      const at::Tensor v = at::randn({t, d}).to(at::kBFloat16);
      at::Tensor out = at::empty({t, d}, at::kBFloat16);
      bf16_attention_head64(static_cast<const uint16_t*>(q.data_ptr()), static_cast<const uint16_t*>(k.data_ptr()),
                            static_cast<const uint16_t*>(v.data_ptr()), d, d, d, t, 0.125f,
                            static_cast<uint16_t*>(out.data_ptr()), d);
      const at::Tensor want =
          at::matmul(at::softmax(at::matmul(q.to(at::kDouble), k.to(at::kDouble).t()) * 0.125, -1), v.to(at::kDouble));
      ASSERT_TRUE(at::isfinite(out.to(at::kFloat)).all().item<bool>()) << t << " tokens, sign " << sign;
      EXPECT_LT(rel_diff(out.to(at::kDouble), want), 1e-2) << t << " tokens, sign " << sign;
    }
  }
}

TEST(Fp32Gemm, FusedBf16AttentionKeepsScoresInFloat32) {
  if (!onednn_gemm_available()) GTEST_SKIP() << "built without oneDNN";
  at::manual_seed(5);
  for (const auto& [t, heads, d] :
       std::vector<std::tuple<int64_t, int64_t, int64_t>>{{577, 12, 64}, {41, 4, 16}, {300, 2, 32}, {800, 2, 32}}) {
    const at::Tensor mixed = at::randn({1, t, 3, heads, d}).to(at::kBFloat16).permute({2, 0, 3, 1, 4});
    const at::Tensor q = mixed[0], k = mixed[1], v = mixed[2];
    const at::Tensor got = fused_attention(q, k, v, 0.125);
    if (!got.defined()) GTEST_SKIP() << "no fast bfloat16 kernels on this CPU";
    EXPECT_EQ(got.scalar_type(), at::kBFloat16);
    // The same inputs in float32; the probabilities rounded to bfloat16 as the kernel does.
    const at::Tensor qf = q.to(at::kFloat), kf = k.to(at::kFloat), vf = v.to(at::kFloat);
    const at::Tensor probs = at::softmax(at::matmul(qf, kf.transpose(-1, -2)) * 0.125, -1).to(at::kBFloat16);
    const at::Tensor want = at::matmul(probs.to(at::kFloat), vf).permute({0, 2, 1, 3}).reshape({1, t, heads * d});
    ASSERT_EQ(got.sizes(), want.sizes());
    // one bfloat16 rounding of the result (8 bits of mantissa)
    EXPECT_LT(rel_diff(got.to(at::kFloat), want), 1e-2) << t << " tokens, " << heads << " heads";
  }
}

TEST(Fp32Gemm, ChoiceIsMeasuredAndTheFasterOneWins) {
  const Fp32GemmChoice& c = fp32_gemm_choice();
  std::cout << "[fp32 gemm] BLAS " << c.blas_gflops << " GFLOP/s, oneDNN " << c.onednn_gflops << ", packed "
            << c.packed_gflops << ", FMA peak " << c.fma_peak_gflops << ", chose " << fp32_gemm_name(c.chosen)
            << "; MLP shape: chosen " << c.mlp_gflops << ", packed " << c.packed_mlp_gflops
            << (c.packed ? ", packs" : "") << "\n";
  EXPECT_EQ(&c, &fp32_gemm_choice());  // measured once
  EXPECT_GT(c.blas_gflops, 0);
  EXPECT_EQ(c.onednn_gflops > 0, onednn_gemm_available());
  if (c.chosen == Fp32Gemm::OneDnn) {
    EXPECT_GT(c.onednn_gflops, c.blas_gflops);
  }
  EXPECT_EQ(c.packed_gflops > 0, onednn_gemm_available());
  // Packing is decided on the MLP shape, against the chosen product there.
  EXPECT_EQ(c.packed_mlp_gflops > 0, onednn_gemm_available());
  EXPECT_EQ(c.mlp_gflops > 0, onednn_gemm_available());
  if (!std::getenv("GLIMPSE_FP32_GEMM")) {
    EXPECT_EQ(c.packed, c.packed_mlp_gflops > 0 && c.packed_mlp_gflops >= 1.03 * c.mlp_gflops);
  }
  // No product outruns the FMA units: a peak below the measured GEMM rates is miscounted.
  EXPECT_GT(c.fma_peak_gflops, 0.8 * std::max({c.blas_gflops, c.onednn_gflops, c.packed_gflops}));
}

// Rent or buy (pack_now): a layer packs at the product whose losses, each product's FLOPs at the
// difference of the two MLP rates, first reach what packing its weight costs.
TEST(Fp32Gemm, PackingWaitsUntilTheUnpackedProductsLostWhatItCosts) {
  Fp32GemmChoice c;
  c.packed = true;
  c.mlp_gflops = 300;
  c.packed_mlp_gflops = 330;
  c.pack_seconds_per_byte = 1e-9;  // 9.4 ms for a ViT-B fc1 weight (768 x 3072 floats)
  // Each 577-row product of that shape loses 2 * 577 * 768 * 3072 FLOP * (1/300 - 1/330) ns/FLOP:
  // 0.824 ms; 11 of them 9.06 ms, 12 of them 9.89 ms.
  double lost = 0;
  int products = 0;
  while (!pack_now(c, lost, 577, 768, 3072)) ASSERT_LT(++products, 100);
  EXPECT_EQ(products + 1, 12);
  EXPECT_NEAR(lost, 12 * 2.0 * 577 * 768 * 3072 * (1.0 / 300 - 1.0 / 330) / 1e9, 1e-9);
  // Four images a pass lose four times as much a product.
  lost = 0;
  products = 0;
  while (!pack_now(c, lost, 4 * 577, 768, 3072)) ASSERT_LT(++products, 100);
  EXPECT_EQ(products + 1, 3);
  // Forced packing (no cost measured): at the first product. A choice that does not pack: never.
  c.pack_seconds_per_byte = 0;
  lost = 0;
  EXPECT_TRUE(pack_now(c, lost, 1, 768, 3072));
  // Rates that show no gain (a file's entry): at once too, as packing was before.
  c.pack_seconds_per_byte = 1e-9;
  c.packed_mlp_gflops = c.mlp_gflops;
  lost = 0;
  EXPECT_TRUE(pack_now(c, lost, 1, 768, 3072));
  c.packed_mlp_gflops = 330;
  c.packed = false;
  for (int i = 0; i < 1000; ++i) EXPECT_FALSE(pack_now(c, lost, 577, 768, 3072));
}

// The same rule inside a float32 layer: its products run unpacked (oneDNN's packed-product counter
// unchanged, the results libtorch's) until the one where packing pays, which runs packed; after
// release_packed, packed or not yet, it counts from zero again. The choice is planted in the measurement file (the
// process's first fp32_gemm_choice reads it; ctest runs each test in a process of its own): packing 1.14x the chosen
// product, at 0.3 ns a byte, pays at the third 577-row product of a ViT-B fc1.
TEST(Fp32Gemm, AFloat32LayerPacksOnceItsUnpackedProductsLostWhatPackingCosts) {
  if (!onednn_gemm_available()) GTEST_SKIP() << "built without oneDNN";
  if (std::getenv("GLIMPSE_FP32_GEMM")) GTEST_SKIP() << "a forced product is measured, not read from the file";
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("glimpse-pack-rule-" + std::to_string(::getpid()));
  Fp32GemmChoice planted;
  planted.chosen = Fp32Gemm::OneDnn;
  planted.blas_gflops = 180.5;
  planted.onednn_gflops = 318.25;
  planted.packed_gflops = 313.5;
  planted.mlp_gflops = 280;
  planted.packed_mlp_gflops = 320;
  planted.packed = true;
  planted.fma_peak_gflops = 356;
  planted.pack_seconds_per_byte = 3e-10;
  ASSERT_TRUE(
      write_cached_fp32_gemm(dir / "fp32-gemm.json", fp32_gemm_cache_key(), planted, std::chrono::system_clock::now()));
  set_fp32_gemm_cache_file(dir / "fp32-gemm.json");
  const Fp32GemmChoice& c = fp32_gemm_choice();
  std::filesystem::remove_all(dir);
  if (c.pack_seconds_per_byte != planted.pack_seconds_per_byte)
    GTEST_SKIP() << "the choice was measured before this test (run it alone, as ctest does)";
  const int64_t rows = 577, k = 768, n = 3072;
  c10::InferenceMode guard;
  at::manual_seed(5);
  Linear lin(k, n);
  lin->weight.copy_(at::randn({n, k}) * 0.05);
  lin->bias.copy_(at::randn({n}));
  const at::Tensor x = at::randn({1, rows, k});
  const at::Tensor want = at::linear(x, lin->weight, lin->bias);
  for (int round = 0; round < 2; ++round) {
    for (int i = 1; i <= 3; ++i) {
      const int64_t before = packed_products();
      const at::Tensor y = lin->forward(x, Epilogue::None, at::Tensor());
      EXPECT_EQ(packed_products() - before, i == 3 ? 1 : 0) << "product " << i;
      EXPECT_LT(rel_diff(y, want), 1e-5);
    }
    EXPECT_GE(lin->release_packed(), static_cast<size_t>(n * k) * sizeof(float));
  }
  // A release before it packed starts the count over too: two products, a release, two more, all
  // unpacked.
  const int64_t before = packed_products();
  for (int i = 0; i < 4; ++i) {
    if (i == 2) {
      EXPECT_EQ(lin->release_packed(), 0u);
    }
    EXPECT_LT(rel_diff(lin->forward(x, Epilogue::None, at::Tensor()), want), 1e-5);
  }
  EXPECT_EQ(packed_products(), before);
}

TEST(Fp32Gemm, WarnsOnlyFarBelowTheCpuPeak) {
  Fp32GemmChoice c;
  c.chosen = Fp32Gemm::Blas;
  c.blas_gflops = 180;
  c.onednn_gflops = 340;
  c.fma_peak_gflops = 450;
  const std::string w = fp32_gemm_warning(c);
  EXPECT_NE(w.find("180 GFLOP/s"), std::string::npos) << w;
  EXPECT_NE(w.find("450"), std::string::npos) << w;
  c.chosen = Fp32Gemm::OneDnn;
  EXPECT_EQ(fp32_gemm_warning(c), "");
  c.fma_peak_gflops = 700;  // even the best product available at under half: still said
  EXPECT_NE(fp32_gemm_warning(c).find("340 GFLOP/s"), std::string::npos);
  c.fma_peak_gflops = 450;
  c.fma_peak_gflops = 0;  // not measured: no claim
  c.chosen = Fp32Gemm::Blas;
  EXPECT_EQ(fp32_gemm_warning(c), "");
}

}  // namespace

// The measurement kept between processes (fp32_gemm.h): an entry comes back for its key only and
// only while it is fresh, a choice with a warning is never kept, and nothing in the file can make
// the reader fail or return values the measurement could not have given.
class Fp32GemmCache : public glimpse::test::ScratchFileTest {
 protected:
  void SetUp() override { make_scratch("glimpse-fp32-cache", "cache/fp32-gemm.json"); }  // a folder the writer creates

  // A choice as a quiet machine measures it: the chosen product well above half the FMA peak.
  static Fp32GemmChoice quiet_choice() {
    Fp32GemmChoice c;
    c.chosen = onednn_gemm_available() ? Fp32Gemm::OneDnn : Fp32Gemm::Blas;
    c.blas_gflops = 180.5;
    c.onednn_gflops = onednn_gemm_available() ? 318.25 : 0;
    c.packed_gflops = onednn_gemm_available() ? 313.5 : 0;
    c.mlp_gflops = onednn_gemm_available() ? 280.75 : 0;
    c.packed_mlp_gflops = onednn_gemm_available() ? 300.125 : 0;
    c.packed = onednn_gemm_available();
    c.pack_seconds_per_byte = 1.25e-9;
    c.fma_peak_gflops = 356.0;
    return c;
  }

  const std::chrono::system_clock::time_point now_ = std::chrono::system_clock::now();
};

TEST_F(Fp32GemmCache, AnEntryComesBackForItsKeyWhileFresh) {
  const Fp32GemmChoice c = quiet_choice();
  ASSERT_TRUE(write_cached_fp32_gemm(file_, "cpu A", c, now_));
  const auto got = read_cached_fp32_gemm(file_, "cpu A", now_ + std::chrono::hours(24));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->chosen, c.chosen);
  EXPECT_EQ(got->packed, c.packed);
  EXPECT_EQ(got->blas_gflops, c.blas_gflops);
  EXPECT_EQ(got->onednn_gflops, c.onednn_gflops);
  EXPECT_EQ(got->packed_gflops, c.packed_gflops);
  EXPECT_EQ(got->mlp_gflops, c.mlp_gflops);
  EXPECT_EQ(got->packed_mlp_gflops, c.packed_mlp_gflops);
  EXPECT_EQ(got->pack_seconds_per_byte, c.pack_seconds_per_byte);
  EXPECT_EQ(got->fma_peak_gflops, c.fma_peak_gflops);
  EXPECT_TRUE(got->warning.empty());
  EXPECT_FALSE(read_cached_fp32_gemm(file_, "cpu B", now_).has_value());
  EXPECT_FALSE(read_cached_fp32_gemm(file_, "cpu A", now_ + std::chrono::hours(24 * (kFp32GemmCacheDays + 1))));
  EXPECT_FALSE(read_cached_fp32_gemm(file_, "cpu A", now_ - std::chrono::hours(48)));  // a clock set far back
  EXPECT_FALSE(read_cached_fp32_gemm(dir_ / "absent.json", "cpu A", now_).has_value());
}

TEST_F(Fp32GemmCache, AChoiceWithAWarningIsNotKept) {
  Fp32GemmChoice slow = quiet_choice();
  slow.blas_gflops = slow.onednn_gflops = slow.packed_gflops = 60;  // under half of the 356 peak
  ASSERT_FALSE(fp32_gemm_warning(slow).empty());
  EXPECT_FALSE(write_cached_fp32_gemm(file_, "cpu A", slow, now_));
  EXPECT_FALSE(std::filesystem::exists(file_));
  // Nor read, were one written by hand.
  ASSERT_TRUE(write_cached_fp32_gemm(file_, "cpu A", quiet_choice(), now_));
  std::string text = read_text();
  const std::string peak = "\"fma_peak_gflops\": 356.0";
  ASSERT_NE(text.find(peak), std::string::npos) << text;
  text.replace(text.find(peak), peak.size(), "\"fma_peak_gflops\": 3560.0");
  write_text(text);
  EXPECT_FALSE(read_cached_fp32_gemm(file_, "cpu A", now_).has_value());
}

TEST_F(Fp32GemmCache, KeepsTheLastEightKeys) {
  for (int i = 0; i < 10; ++i)
    ASSERT_TRUE(write_cached_fp32_gemm(file_, "key " + std::to_string(i), quiet_choice(), now_));
  ASSERT_TRUE(write_cached_fp32_gemm(file_, "key 9", quiet_choice(), now_));  // again: replaced, not added
  for (int i = 0; i < 10; ++i)
    EXPECT_EQ(read_cached_fp32_gemm(file_, "key " + std::to_string(i), now_).has_value(), i >= 2) << i;
  EXPECT_EQ(nlohmann::json::parse(read_text())["entries"].size(), 8u);
  // No temporary file is left beside it.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(file_.parent_path()), {}), 1);
}

TEST_F(Fp32GemmCache, AnythingElseInTheFileCountsAsNoEntry) {
  ASSERT_TRUE(write_cached_fp32_gemm(file_, "cpu A", quiet_choice(), now_));
  const std::string good = read_text();
  // Every truncation of a good file.
  for (size_t n = 0; n < good.size(); n += 7) {
    write_text(good.substr(0, n));
    EXPECT_FALSE(read_cached_fp32_gemm(file_, "cpu A", now_).has_value()) << n;
  }
  // Values of the wrong kind or out of range, one at a time.
  const std::vector<std::pair<std::string, std::string>> edits = {
      {"\"chosen\": \"", "\"chosen\": \"mkl"},
      {"\"packed\": ", "\"packed\": \"yes\", \"x\": "},
      {"\"blas_gflops\": ", "\"blas_gflops\": -"},
      {"\"measured\": ", "\"measured\": \"soon\", \"y\": "},
      {"\"key\": ", "\"key\": 7, \"z\": "},
      {"\"version\": 2", "\"version\": 1"},
      {"\"onednn_gflops\": ", "\"onednn_gflops\": 1e300, \"w\": "},
      {"\"version\": 2", "\"version\": \"2\""},
      {"\"version\": 2", "\"version\": null"},
      {"\"entries\": [", "\"entries\": {}, \"old\": ["},
      {"\"measured\": ", "\"measured\": 18446744073709551615, \"v\": "},
      {"\"measured\": ", "\"measured\": -9223372036854775807, \"v\": "}};
  for (const auto& [from, to] : edits) {
    std::string text = good;
    ASSERT_NE(text.find(from), std::string::npos) << from;
    text.replace(text.find(from), from.size(), to);
    write_text(text);
    EXPECT_FALSE(read_cached_fp32_gemm(file_, "cpu A", now_).has_value()) << text;
  }
  write_text(std::string("\0\xff{[", 4));
  EXPECT_FALSE(read_cached_fp32_gemm(file_, "cpu A", now_).has_value());
  // A key that is not UTF-8 (a path in it) is written with replacement characters, never thrown on.
  EXPECT_TRUE(write_cached_fp32_gemm(file_, "engine /opt/\xff\xfe/libglimpse_engine.so", quiet_choice(), now_));
  EXPECT_FALSE(read_cached_fp32_gemm(file_, "engine /opt/\xff\xfe/libglimpse_engine.so", now_).has_value());
  // A broken file is replaced by the next measurement.
  ASSERT_TRUE(write_cached_fp32_gemm(file_, "cpu A", quiet_choice(), now_));
  EXPECT_TRUE(read_cached_fp32_gemm(file_, "cpu A", now_).has_value());
}

TEST(Fp32GemmCacheKey, NamesTheCpuTheThreadsAndTheLibraries) {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string flags;
  for (std::string line; std::getline(cpuinfo, line) && !line.empty();)
    if (line.rfind("flags", 0) == 0) flags = line;
  const std::string key = fp32_gemm_cache_key();
  if (!flags.empty()) {
    EXPECT_NE(key.find(flags), std::string::npos) << key;
  }
  EXPECT_NE(key.find("threads " + std::to_string(at::get_num_threads()) + "\n"), std::string::npos) << key;
  if (!blas_backend().path.empty()) {
    EXPECT_NE(key.find("blas " + blas_backend().path), std::string::npos) << key;
  }
  // This test program holds the engine itself: its file names the engine.
  EXPECT_NE(key.find("engine /"), std::string::npos) << key;
  const int threads = at::get_num_threads();
  at::set_num_threads(threads + 1);
  EXPECT_NE(fp32_gemm_cache_key(), key);
  at::set_num_threads(threads);
}

// The fuzz target's seeds (tests/fuzz/corpus/measurement): each valid_* file holds an entry for
// "cpu A" an hour before the fuzz target's time, each bad_* file none; none throws.
TEST(Fp32GemmCacheCorpus, ValidSeedsAreReadAndBadOnesCountAsNoEntry) {
  const std::filesystem::path corpus =
      std::filesystem::path(GLIMPSE_TEST_DATA_DIR) / ".." / "fuzz" / "corpus" / "measurement";
  const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1796438215 + 3600));
  int valid = 0, bad = 0;
  for (const auto& entry : std::filesystem::directory_iterator(corpus)) {
    const std::string name = entry.path().filename().string();
    std::optional<Fp32GemmChoice> got;
    ASSERT_NO_THROW(got = read_cached_fp32_gemm(entry.path(), "cpu A", now)) << name;
    if (name.rfind("valid_", 0) == 0) {
      EXPECT_TRUE(got.has_value()) << name;
      ++valid;
    } else if (name.rfind("bad_", 0) == 0) {
      EXPECT_FALSE(got.has_value()) << name;
      ++bad;
    }
  }
  EXPECT_GT(valid, 0);
  EXPECT_GT(bad, 0);
}
