// The numeric modes: our few-row kernels against libtorch's products, the bf16 and int8 linear
// layers, and the agreement of whole models in those modes with float32 (= transformers) on the
// golden set. Prints a "[precision report]" with the agreement figures docs/performance.md quotes.
#include <c10/core/InferenceMode.h>
#include <c10/util/BFloat16.h>
#include <gtest/gtest.h>
#include <sys/mman.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <thread>
#include <tuple>
#include <vector>

#include "avx512_math.h"
#include "bf16_gelu.h"
#include "blip.h"
#include "errors.h"
#include "fp32_gemm.h"
#include "golden.h"
#include "modeling_blip.h"
#include "modeling_blip_text.h"
#include "nn_layers.h"
#include "small_gemm.h"

using namespace glimpse::blip;
using glimpse::test::golden_set;
using glimpse::test::golden_set_dirs;
using glimpse::test::pixel_values_for;
using glimpse::test::to_vector;

namespace {

// |a - b| relative to the largest |b|.
double rel_diff(const at::Tensor& a, const at::Tensor& b) {
  return (a.to(at::kDouble) - b.to(at::kDouble)).abs().max().item<double>() /
         std::max(1e-12, b.abs().max().item<double>());
}

TEST(SmallGemm, FewRowsMatchLibtorchInFloat32) {
  if (!small_gemm_available(at::kFloat)) GTEST_SKIP() << "no AVX-512 on this CPU";
  c10::InferenceMode guard;
  for (int64_t k : {16, 40, 768}) {
    for (int64_t n : {5, 64, 301}) {
      for (int64_t m = 1; m <= kSmallGemmMaxRows; ++m) {
        const at::Tensor x = at::randn({m, k}), w = at::randn({n, k}), b = at::randn({n});
        const at::Tensor ref = at::linear(x.to(at::kDouble), w.to(at::kDouble), b.to(at::kDouble));
        EXPECT_LT(rel_diff(small_rows_linear(x, w, b), ref), 1e-5) << "m=" << m << " k=" << k << " n=" << n;
        EXPECT_LT(rel_diff(small_rows_linear(x.view({1, m, k}), w, at::Tensor()), ref - b.to(at::kDouble)), 1e-5);
      }
    }
  }
}

TEST(SmallGemm, BFloat16WeightsMatchTheRoundedProduct) {
  if (!small_gemm_available(at::kBFloat16)) GTEST_SKIP() << "no AVX-512 BF16 on this CPU";
  c10::InferenceMode guard;
  // k: below one line of 32, a line and a tail, whole lines, lines and a tail. n: whole tiles of
  // four columns, one column past them (a padded tile), and enough tiles to split across threads.
  // (1,000 and 1,600: several chunks of 24 lines, the last one short and its last line a tail)
  for (int64_t k : {16, 50, 768, 3072, 96, 100, 1000, 1600})
    for (int64_t n : {4, 97, 1030})
      for (int64_t m : {1, 2, 3, 5, 8}) {
        const at::Tensor x = at::randn({m, k}), w = at::randn({n, k}).to(at::kBFloat16), b = at::randn({n});
        // The kernel rounds x to bfloat16 and sums exact products in float32.
        const at::Tensor ref = at::linear(x.to(at::kBFloat16).to(at::kDouble), w.to(at::kDouble), b.to(at::kDouble));
        set_bf16_weights_ahead(kWeightsAheadL1AndL2);
        const at::Tensor y = small_rows_linear(x, w, b);
        EXPECT_EQ(y.scalar_type(), at::kFloat);
        EXPECT_LT(rel_diff(y, ref), 1e-5) << "m=" << m << " k=" << k << " n=" << n;
        // every kernel, asking ahead into L1 only and not at all, the same bits
        for (const int level : {kWeightsAheadL1, kWeightsAheadNone}) {
          set_bf16_weights_ahead(level);
          EXPECT_TRUE(at::equal(small_rows_linear(x, w, b), y)) << "m=" << m << " k=" << k << " level " << level;
        }
        // the rounding is libtorch's, bit for bit: rows already rounded give the same output
        EXPECT_TRUE(at::equal(small_rows_linear(x.to(at::kBFloat16).to(at::kFloat), w, b), y))
            << "m=" << m << " k=" << k;
      }
  set_bf16_weights_ahead(kWeightsAheadL1AndL2);
  EXPECT_THROW(set_bf16_weights_ahead(3), c10::Error);
  EXPECT_THROW(set_bf16_weights_ahead(-1), c10::Error);
  EXPECT_EQ(bf16_weights_ahead(), kWeightsAheadL1AndL2);
}

// The tiles hold the weight exactly and nothing else: back to the plain matrix bit for bit, every
// value once, the padding past n and k zero. A float32 weight is rounded as libtorch rounds it.
TEST(SmallGemm, Bf16TilesHoldTheWeightExactly) {
  c10::InferenceMode guard;
  // k up to one chunk of lines and past it (768: one, 769: a second of one line, 1,600: two and
  // two lines, 3,072: four); n in whole groups of tiles and a shorter last group
  for (int64_t n : {1, 4, 5, 16, 97})
    for (int64_t k : {16, 32, 50, 100, 768, 769, 1600, 3072}) {
      // no zeros in the weight: every nonzero of the tiles is one of its values
      const at::Tensor w = at::rand({n, k}) + 0.5;
      const Bf16Tiles tiles = bf16_tiles(w);
      ASSERT_EQ(tiles.data.numel(), (n + 3) / 4 * 4 * ((k + 31) / 32 * 32)) << n << " " << k;
      EXPECT_TRUE(at::equal(bf16_untiled(tiles), w.to(at::kBFloat16))) << n << " " << k;
      EXPECT_EQ(tiles.data.ne(0).sum().item<int64_t>(), n * k) << n << " " << k;
      EXPECT_TRUE(at::equal(tiles.data.to(at::kDouble).sum(), w.to(at::kBFloat16).to(at::kDouble).sum()));
      // the first line of column 1 is 32 values after column 0's
      if (n > 1) {
        EXPECT_TRUE(at::equal(tiles.data.narrow(0, 32, std::min<int64_t>(k, 32)),
                              w[1].narrow(0, 0, std::min<int64_t>(k, 32)).to(at::kBFloat16)));
      }
    }
}

// The lines lie in the order the kernel reads them: where k has one chunk, tile after tile; past
// it, a group's tiles chunk by chunk (small_gemm.h).
TEST(SmallGemm, Bf16TileLinesLieInTheOrderTheyAreRead) {
  c10::InferenceMode guard;
  ASSERT_EQ(kTileGroup, 4);
  ASSERT_EQ(kTileChunkLines, 24);
  const auto line = [](const Bf16Tiles& tiles, int64_t at) { return tiles.data.narrow(0, at * 128, 32); };
  const auto values = [](const at::Tensor& w, int64_t j, int64_t l) {
    return w[j].narrow(0, 32 * l, 32).to(at::kBFloat16);
  };
  // k = 768 (24 lines, one chunk), n = 20 (5 tiles): tile 1 starts at line 24, tile 4 at 96
  const at::Tensor a = at::rand({20, 768}) + 0.5;
  const Bf16Tiles ta = bf16_tiles(a);
  EXPECT_TRUE(at::equal(line(ta, 24), values(a, 4, 0)));
  EXPECT_TRUE(at::equal(line(ta, 96 + 23), values(a, 16, 23)));
  // k = 1600 (50 lines: chunks of 24, 24 and 2), n = 20 (a group of 4 tiles and a group of 1)
  const at::Tensor b = at::rand({20, 1600}) + 0.5;
  const Bf16Tiles tb = bf16_tiles(b);
  EXPECT_TRUE(at::equal(line(tb, 0), values(b, 0, 0)));
  EXPECT_TRUE(at::equal(line(tb, 24), values(b, 4, 0)));       // tile 1's first chunk after tile 0's
  EXPECT_TRUE(at::equal(line(tb, 4 * 24), values(b, 0, 24)));  // then tile 0's second chunk
  EXPECT_TRUE(at::equal(line(tb, 8 * 24), values(b, 0, 48)));  // the last chunk of two lines
  EXPECT_TRUE(at::equal(line(tb, 8 * 24 + 2), values(b, 4, 48)));
  EXPECT_TRUE(at::equal(line(tb, 4 * 50), values(b, 16, 0)));  // the second group: one tile
  EXPECT_TRUE(at::equal(line(tb, 4 * 50 + 49), values(b, 16, 49)));
  for (int64_t t = 0; t < 5; ++t)
    for (int64_t l = 0; l < 50; ++l)
      EXPECT_TRUE(at::equal(tb.data.narrow(0, bf16_tile_line(t, l, 5, 50), 32), values(b, 4 * t, l))) << t << " " << l;
}

// GELU inside the few-row product: through an identity weight the output is GELU of the input
// itself, compared with erf in double over [-20, 20) in steps of 1/8 (exact in bfloat16 too).
TEST(SmallGemm, GeluEpilogueMatchesErfGelu) {
  c10::InferenceMode guard;
  const at::Tensor x = (at::arange(-160, 160, at::kFloat) / 8).view({1, 320});
  const at::Tensor xd = x.to(at::kDouble);
  const at::Tensor want = xd * 0.5 * (1 + at::erf(xd / std::sqrt(2.0)));
  for (const at::ScalarType t : {at::kFloat, at::kBFloat16}) {
    if (!small_gemm_available(t)) continue;
    const at::Tensor eye = at::eye(320).to(t);
    const at::Tensor y = small_rows_linear(x, eye, at::Tensor(), /*gelu=*/true);
    EXPECT_LT((y.to(at::kDouble) - want).abs().max().item<double>(), 1e-6) << t;
    EXPECT_TRUE(at::equal(small_rows_linear(x, eye, at::Tensor()), x)) << t;  // and without, the input
  }
  // and through a layer, against libtorch's own GELU, for the row counts of beams
  Linear lin(96, 200);
  lin->weight.copy_(at::randn({200, 96}) * 0.2);
  lin->bias.copy_(at::randn({200}));
  for (int64_t m : {2, 3, 8}) {
    const at::Tensor in = at::randn({m, 96});
    const at::Tensor ref = at::gelu(at::linear(in, lin->weight, lin->bias));
    EXPECT_LT(rel_diff(lin->forward(in, Epilogue::Gelu, at::Tensor()), ref), 1e-6) << m;
  }
}

// GELU of each value through the bfloat16 products' table (avx512::gelu_by_table), or through
// gelu(), the few-row kernels' Abramowitz-Stegun erf, 16 at a time.
__attribute__((target("avx512f,avx512dq"))) std::vector<float> gelu_of(std::vector<float> in, bool table = true) {
  const size_t n = in.size();
  in.resize((n + 15) / 16 * 16, 0.0f);
  std::vector<float> out(in.size());
  const avx512::GeluTable t = avx512::gelu_table();
  for (size_t i = 0; i < in.size(); i += 16) {
    const __m512 x = _mm512_loadu_ps(in.data() + i);
    _mm512_storeu_ps(out.data() + i, table ? avx512::gelu_by_table(x, t) : avx512::gelu(x));
  }
  out.resize(n);
  return out;
}

// float32 to bfloat16's bits, to nearest even (as vcvtneps2bf16 rounds finite values).
uint16_t bf16_bits(float f) {
  return c10::BFloat16(f).x;
}

// x Phi(x) in double.
double exact_gelu(double x) {
  return 0.5 * x * std::erfc(-x / std::sqrt(2.0));
}

// The table: within 2e-7 of max(1, |x|) of the exact GELU on [-10, 10]; its values round to
// bfloat16 as the exact GELU's do for all but one in a thousand on [-6, 6], where gelu()'s miss
// about one in eight (so the count tells the two apart); infinities and NaN.
TEST(Bf16Gelu, TableIsWithinTwoTenMillionthsOfTheExactGeluAndRoundsAsIt) {
  if (!bf16_gelu_available()) GTEST_SKIP() << "no AVX-512 BF16 on this CPU";
  std::vector<float> x;
  for (int i = -200000; i <= 200000; ++i) x.push_back(static_cast<float>(i) * 5e-5f);
  const std::vector<float> got = gelu_of(x), old = gelu_of(x, /*table=*/false);
  double worst = 0;
  int64_t inside = 0, missed = 0, old_missed = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    const double want = exact_gelu(x[i]);
    worst = std::max(worst, std::abs(got[i] - want) / std::max(1.0, std::abs(double{x[i]})));
    if (std::abs(x[i]) < 6) {
      ++inside;
      const uint16_t exact = bf16_bits(static_cast<float>(want));
      missed += bf16_bits(got[i]) != exact;
      old_missed += bf16_bits(old[i]) != exact;
    }
  }
  std::cout << "largest error " << worst << "; bfloat16 roundings missed " << missed << " (gelu(): " << old_missed
            << ") of " << inside << "\n";
  EXPECT_LE(worst, 2e-7);
  EXPECT_LE(missed, inside / 1000);
  EXPECT_GT(old_missed, inside / 20) << "the comparison no longer tells the two GELUs apart";
  const std::vector<float> edge = gelu_of({INFINITY, -INFINITY, NAN, 0.0f, 1e30f, -1e30f, -7.0f});
  EXPECT_EQ(edge[0], INFINITY);
  EXPECT_EQ(edge[1], -INFINITY);  // (x times Phi(-6); the exact GELU is NaN there)
  EXPECT_TRUE(std::isnan(edge[2]));
  EXPECT_EQ(edge[3], 0.0f);
  EXPECT_EQ(edge[4], 1e30f);
  EXPECT_LE(std::abs(edge[5]), 1e22f);  // x Phi(-6): -1e30 times 1e-9
  EXPECT_LE(std::abs(edge[6]), 1e-8f);
}

// The pass over rows: every row length's tail (16 values under a mask) rounded as the table's
// values, rows at their stride, nothing written past the last one.
TEST(Bf16Gelu, RowsOfEveryLengthAreTheTablesValuesRounded) {
  if (!bf16_gelu_available()) GTEST_SKIP() << "no AVX-512 BF16 on this CPU";
  at::manual_seed(12);
  for (const int64_t n : {1, 15, 16, 17, 31, 32, 33, 100, 1029}) {
    const int64_t rows = 5;
    const at::Tensor x = at::randn({rows, n}) * 3;
    std::vector<uint16_t> out(static_cast<size_t>(rows * n) + 40, 0xdead);
    bf16_gelu(x.data_ptr<float>(), rows, n, out.data());
    const std::vector<float> want = gelu_of(std::vector<float>(x.data_ptr<float>(), x.data_ptr<float>() + rows * n));
    for (int64_t i = 0; i < rows * n; ++i)
      ASSERT_EQ(out[static_cast<size_t>(i)], bf16_bits(want[static_cast<size_t>(i)])) << n << " values a row, at " << i;
    for (size_t i = static_cast<size_t>(rows * n); i < out.size(); ++i)
      ASSERT_EQ(out[i], 0xdead) << n << ": past the end";
  }
}

// A bfloat16 layer's product with GELU is its float32 product (the same sums, as the layer gives
// them with a residual of zeros) with the table's GELU rounded once: bit for bit, so also at 577
// rows (576 + 1 in AMX tiles); oneDNN's GELU inside the product rounds otherwise.
TEST(Bf16Gelu, LayersProductWithGeluIsItsFloat32ProductsGeluRoundedOnce) {
  if (!bf16_gelu_available() || !precision_problem(Precision::BFloat16).empty() || !onednn_gemm_available() ||
      !bf16_gemm_rate().bf16_faster)
    GTEST_SKIP() << "no packed bfloat16 products with GELU of their own here";
  c10::InferenceMode guard;
  at::manual_seed(13);
  Linear lin(256, 1000);
  lin->weight.copy_(at::randn({1000, 256}) * 0.1);
  lin->bias.copy_(at::randn({1000}) * 0.5);
  lin->set_precision(Precision::BFloat16);
  for (const int64_t m : {64, 577}) {
    const at::Tensor x = at::randn({1, m, 256});
    const at::Tensor g = lin->forward(x, Epilogue::Gelu, at::Tensor());
    const at::Tensor y = lin->forward(x, Epilogue::None, at::zeros({1, m, 1000}));
    ASSERT_EQ(g.scalar_type(), at::kBFloat16);
    ASSERT_EQ(y.scalar_type(), at::kFloat);
    const at::Tensor yc = y.contiguous();
    const std::vector<float> want =
        gelu_of(std::vector<float>(yc.data_ptr<float>(), yc.data_ptr<float>() + yc.numel()));
    const at::Tensor gc = g.contiguous();
    const auto* bits = static_cast<const uint16_t*>(gc.data_ptr());
    int64_t differ = 0;
    for (size_t i = 0; i < want.size(); ++i) differ += bits[i] != bf16_bits(want[i]);
    EXPECT_EQ(differ, 0) << m << " rows";
  }
}

TEST(SmallAttention, MatchesSoftmaxAttention) {
  c10::InferenceMode guard;
  at::manual_seed(0);
  for (int64_t d : {8, 48, 64}) {  // the plain path, the AVX-512 one and the head-size-64 kernel
    // key counts around its blocks of 16, query rows around its groups of four
    for (int64_t s : {1, 7, 16, 17, 577}) {
      for (int64_t lq : {1, 2, 3, 5, 8}) {  // 1-4 rows and more than one group
        const int64_t b = 2, h = 3;
        const at::Tensor q = at::randn({b, h, lq, d});
        // Keys and values as a head-split view of [b, s, h*d], as the model makes them.
        const at::Tensor k = at::randn({b, s, h * d}).view({b, s, h, d}).permute({0, 2, 1, 3});
        const at::Tensor v = at::randn({b, s, h * d}).view({b, s, h, d}).permute({0, 2, 1, 3});
        // Some keys masked out, never all of a row: the model's masks always keep a position (the
        // first token), and a row of scores all near -10000 holds only float32's 1e-3 there.
        const at::Tensor mask = (at::rand({b, 1, 1, s}) < 0.3).to(at::kFloat) * -10000.0;
        mask.select(-1, 0).zero_();
        const double div = std::sqrt(static_cast<double>(d));
        for (const at::Tensor& m : {at::Tensor(), mask}) {
          at::Tensor scores = at::matmul(q.to(at::kDouble), k.to(at::kDouble).transpose(-1, -2)) / div;
          if (m.defined()) scores = scores + m.to(at::kDouble);
          const at::Tensor ref = at::matmul(at::softmax(scores, -1), v.to(at::kDouble));
          EXPECT_LT(rel_diff(small_attention(q, k, v, m, div), ref), 1e-5) << "d=" << d << " s=" << s << " lq=" << lq;
        }
      }
    }
  }
}

// The bf16 mode keeps the cross-attention keys and values in bfloat16: reading them must give
// exactly what float32 copies of the same values give, on both paths.
TEST(SmallAttention, Bfloat16KeysAndValuesEqualTheirFloat32Copies) {
  c10::InferenceMode guard;
  for (int64_t d : {8, 48, 64}) {
    for (int64_t s : {1, 17, 577}) {
      for (int64_t lq : {1, 5}) {
        const int64_t b = 2, h = 3;
        const at::Tensor q = at::randn({b, h, lq, d});
        const at::Tensor kb = at::randn({b, h, s, d}).to(at::kBFloat16), vb = at::randn({b, h, s, d}).to(at::kBFloat16);
        // some keys masked out, never all of a row (as above)
        const at::Tensor mask = (at::rand({b, 1, 1, s}) < 0.3).to(at::kFloat) * -10000.0;
        mask.select(-1, 0).zero_();
        for (const at::Tensor& m : {at::Tensor(), mask}) {
          const at::Tensor got = small_attention(q, kb, vb, m, 8.0);
          const at::Tensor want = small_attention(q, kb.to(at::kFloat), vb.to(at::kFloat), m, 8.0);
          EXPECT_TRUE(at::equal(got, want)) << "d=" << d << " s=" << s << " lq=" << lq;
          // and both are the attention of those values
          const at::Tensor scores = at::matmul(q.to(at::kDouble), kb.to(at::kDouble).transpose(-1, -2)) / 8.0;
          const at::Tensor ref =
              at::matmul(at::softmax(m.defined() ? scores + m.to(at::kDouble) : scores, -1), vb.to(at::kDouble));
          EXPECT_LT(rel_diff(got, ref), 1e-5);
        }
      }
    }
  }
  // keys and values of different types are refused
  const at::Tensor q = at::randn({1, 1, 1, 16}), k = at::randn({1, 1, 4, 16});
  EXPECT_THROW(small_attention(q, k, k.to(at::kBFloat16), at::Tensor(), 4.0), c10::Error);
}

TEST(PrecisionModes, NamesParseAndThisMachineRunsThem) {
  EXPECT_EQ(parse_precision("bf16"), Precision::BFloat16);
  EXPECT_EQ(parse_precision("bfloat16"), Precision::BFloat16);
  EXPECT_EQ(parse_precision("fp32"), Precision::Float32);
  EXPECT_EQ(parse_precision("int8"), Precision::Int8);
  EXPECT_FALSE(parse_precision("fp16").has_value());
  EXPECT_STREQ(precision_name(Precision::BFloat16), "bf16");
  EXPECT_EQ(precision_problem(Precision::Float32), "");
  // The development and CI machines have AVX-512 BF16 and libtorch's oneDNN engine.
  EXPECT_EQ(precision_problem(Precision::Int8), "");
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512bf16"))
    EXPECT_EQ(precision_problem(Precision::BFloat16), "");
  else
    EXPECT_NE(precision_problem(Precision::BFloat16), "");
}

TEST(PrecisionModes, LinearLayersStayCloseToFloat32) {
  c10::InferenceMode guard;
  Linear lin(768, 3072);
  lin->weight.copy_(at::randn({3072, 768}) * 0.02);
  lin->bias.copy_(at::randn({3072}) * 0.1);
  for (const auto& shape : std::vector<std::vector<int64_t>>{{1, 768}, {3, 768}, {2, 37, 768}, {577, 768}}) {
    const at::Tensor x = at::randn(shape);
    lin->set_precision(Precision::Float32);
    const at::Tensor ref = lin->forward(x);
    const at::Tensor other_bias = at::randn({3072});
    const at::Tensor ref_other = lin->forward(x, other_bias);
    EXPECT_LT(rel_diff(ref, at::linear(x.to(at::kDouble), lin->weight.to(at::kDouble), lin->bias.to(at::kDouble))),
              1e-5);
    for (Precision p : {Precision::BFloat16, Precision::Int8}) {
      if (!precision_problem(p).empty()) continue;
      lin->set_precision(p);
      const at::Tensor y = lin->forward(x);
      EXPECT_EQ(y.sizes(), ref.sizes());
      // bfloat16 keeps 8 bits of mantissa (relative error 2^-9 per input); int8 keeps 7 bits
      // per weight row and per input tensor.
      EXPECT_LT(rel_diff(y.to(at::kFloat), ref), p == Precision::BFloat16 ? 1e-2 : 3e-2) << precision_name(p);
      EXPECT_GT(rel_diff(y.to(at::kFloat), ref), 0.0) << precision_name(p) << " must not be float32";
      EXPECT_LT(rel_diff(lin->forward(x, other_bias).to(at::kFloat), ref_other),
                p == Precision::BFloat16 ? 1e-2 : 3e-2);
    }
  }
}

// Each kind of product keeps its own copy and no other: products of many rows a packed copy, few
// rows the tiles; the plain bfloat16 copy set_precision makes is dropped once either is made, and
// made again from the tiles (exact) only for the moment a packed copy needs it.
TEST(PrecisionModes, Bf16LayerKeepsOneCopyForEachKindOfProduct) {
  if (!precision_problem(Precision::BFloat16).empty()) GTEST_SKIP() << precision_problem(Precision::BFloat16);
  c10::InferenceMode guard;
  const at::Tensor w = at::randn({512, 256}) * 0.05, b = at::randn({512}) * 0.1;
  const at::Tensor many = at::randn({1, 577, 256}), few = at::randn({3, 256});
  auto reference = [&](const at::Tensor& x) { return at::linear(x, w, b); };
  auto make = [&] {
    Linear lin(256, 512);
    lin->weight.copy_(w);
    lin->bias.copy_(b);
    lin->set_precision(Precision::BFloat16);
    return lin;
  };
  // A vision-like layer: its first product has many rows.
  Linear vision = make();
  EXPECT_TRUE(vision->holds_plain_bf16());
  bf16_gemm_rate();  // its first-use measurement runs packed products of its own
  const int64_t packed_before = packed_products();
  EXPECT_LT(rel_diff(vision->forward(many).to(at::kFloat), reference(many)), 1e-2);
  if (packed_products() == packed_before) GTEST_SKIP() << "bf16 products do not run packed on this CPU";
  EXPECT_FALSE(vision->holds_plain_bf16());
  EXPECT_FALSE(vision->holds_bf16_tiles());
  // A few-row product afterwards makes the tiles (from the float32 weight) and is still right;
  // packed products go on.
  const at::Tensor few_out = vision->forward(few);
  EXPECT_LT(rel_diff(few_out.to(at::kFloat), reference(few)), 1e-2);
  EXPECT_TRUE(vision->holds_bf16_tiles());
  EXPECT_FALSE(vision->holds_plain_bf16());
  EXPECT_LT(rel_diff(vision->forward(many).to(at::kFloat), reference(many)), 1e-2);
  EXPECT_FALSE(vision->holds_plain_bf16());
  // A decoder-like layer: few rows first. Its tiles stay when it later runs packed, and the plain
  // copy made from them for the packing goes.
  Linear decoder = make();
  const at::Tensor decoder_few = decoder->forward(few);
  EXPECT_TRUE(at::equal(decoder_few, few_out));
  EXPECT_FALSE(decoder->holds_plain_bf16());
  const at::Tensor decoder_many = decoder->forward(many);
  EXPECT_TRUE(at::equal(decoder_many, vision->forward(many)));
  EXPECT_TRUE(decoder->holds_bf16_tiles());
  EXPECT_FALSE(decoder->holds_plain_bf16());
  EXPECT_TRUE(at::equal(decoder->forward(few), few_out));
  // Rows between the kernel's and the packed products' (the beams of several images) run in the
  // kernel a few rows at a time; many rows with a bias of their own (an LM head) through a plain
  // copy made for that product only: neither keeps a plain copy beside the tiles.
  const at::Tensor middle = at::randn({12, 256});
  const at::Tensor middle_out = decoder->forward(middle);
  EXPECT_EQ(middle_out.scalar_type(), at::kFloat);
  EXPECT_TRUE(at::equal(middle_out.narrow(0, 8, 4), decoder->forward(middle.narrow(0, 8, 4))));
  EXPECT_LT(rel_diff(middle_out, reference(middle)), 1e-2);
  const at::Tensor own_bias = at::randn({512});
  EXPECT_LT(rel_diff(decoder->forward(many, own_bias).to(at::kFloat), at::linear(many, w) + own_bias), 1e-2);
  EXPECT_FALSE(decoder->holds_plain_bf16());
  EXPECT_TRUE(decoder->holds_bf16_tiles());
}

// A ViT-B MLP in the bf16 mode. Where AMX tiles are granted it runs in slices of its 3072
// intermediate features (BlipMLPImpl::hidden_slices): each slice's fc1 product with GELU, then its
// fc2 product adding to the float32 output. The result is the MLP of the rounded operands (its
// GELU output rounded to bfloat16) but for float32 sums in another order, for many rows and for
// the first token alone; the slices' packed copies replace the whole weights' (no plain copy kept,
// no second packing for one row).
TEST(PrecisionModes, Bf16MlpInHiddenSlicesIsTheWholeMlp) {
  if (!precision_problem(Precision::BFloat16).empty()) GTEST_SKIP() << precision_problem(Precision::BFloat16);
  c10::InferenceMode guard;
  at::manual_seed(21);
  const int64_t d = 768, f = 3072, t = 577;
  BlipMLP mlp(d, f);
  const at::Tensor w1 = at::randn({f, d}) * 0.05, b1 = at::randn({f}) * 0.5, w2 = at::randn({d, f}) * 0.02,
                   b2 = at::randn({d});
  mlp->fc1->weight.copy_(w1);
  mlp->fc1->bias.copy_(b1);
  mlp->fc2->weight.copy_(w2);
  mlp->fc2->bias.copy_(b2);
  set_linear_precision(*mlp, Precision::BFloat16);
  bf16_gemm_rate();  // its first-use measurement runs packed products of its own
  const at::Tensor x = at::randn({1, t, d}).to(at::kBFloat16), residual = at::randn({1, t, d}) * 4;
  auto rounded = [](const at::Tensor& w) { return w.to(at::kBFloat16).to(at::kDouble); };
  const at::Tensor h = at::gelu(at::linear(x.to(at::kDouble), rounded(w1), b1.to(at::kDouble)));
  const at::Tensor want = at::linear(h.to(at::kBFloat16).to(at::kDouble), rounded(w2), b2.to(at::kDouble)) + residual;
  const int64_t slices = mlp->hidden_slices(), before = packed_products();
  if (slices == 0) GTEST_SKIP() << "the MLP runs whole on this CPU (no AMX, or bf16 not the faster unit)";
  EXPECT_EQ(slices, 3);
  const at::Tensor got = mlp->forward(x, residual);
  ASSERT_EQ(got.scalar_type(), at::kFloat);
  EXPECT_LT(rel_diff(got, want), 1e-4);
  EXPECT_EQ(packed_products(), before + 2 * slices);
  EXPECT_FALSE(mlp->fc1->holds_plain_bf16());
  EXPECT_FALSE(mlp->fc2->holds_plain_bf16());
  // the first token alone, as the last vision layer runs it for an ITC embedding: the same slices
  const int64_t again = packed_products();
  const at::Tensor first = mlp->forward_packed(x.narrow(1, 0, 1), residual.narrow(1, 0, 1).contiguous());
  EXPECT_LT(rel_diff(first, want.narrow(1, 0, 1)), 1e-4);
  EXPECT_EQ(packed_products(), again + 2 * slices);
  EXPECT_FALSE(mlp->fc1->holds_plain_bf16());
  // the slices hold the packed weights (bfloat16; no whole copy beside them), and release them
  EXPECT_EQ(release_packed_weights(*mlp), static_cast<size_t>(2 * d * f * 2));
  EXPECT_EQ(release_packed_weights(*mlp), 0u);
  EXPECT_LT(rel_diff(mlp->forward(x, residual), want), 1e-4);
  // The first token first (an ITC embedding before any caption): the slices laid out for many
  // rows, which then run packed in them too.
  BlipMLP fresh(d, f);
  fresh->fc1->weight.copy_(w1);
  fresh->fc1->bias.copy_(b1);
  fresh->fc2->weight.copy_(w2);
  fresh->fc2->bias.copy_(b2);
  set_linear_precision(*fresh, Precision::BFloat16);
  const int64_t at_first = packed_products();
  EXPECT_LT(
      rel_diff(fresh->forward_packed(x.narrow(1, 0, 1), residual.narrow(1, 0, 1).contiguous()), want.narrow(1, 0, 1)),
      1e-4);
  EXPECT_LT(rel_diff(fresh->forward(x, residual), want), 1e-4);
  EXPECT_EQ(packed_products(), at_first + 4 * slices);
  // Slices that cannot run (here a residual that is not float32) leave the MLP whole for good,
  // with the same result.
  const at::Tensor rounded_residual = residual.to(at::kBFloat16);
  const at::Tensor whole = fresh->forward(x, rounded_residual);
  EXPECT_LT(rel_diff(whole.to(at::kFloat), want - residual + rounded_residual.to(at::kDouble)), 1e-2);
  EXPECT_EQ(fresh->hidden_slices(), 0);
  EXPECT_EQ(fresh->fc1->release_packed(), static_cast<size_t>(d * f * 2));  // its whole copy only
  // Set to the mode again (a model switched to float32 and back), it runs in slices again.
  set_linear_precision(*fresh, Precision::Float32);
  set_linear_precision(*fresh, Precision::BFloat16);
  EXPECT_EQ(fresh->hidden_slices(), slices);
  const int64_t reset = packed_products();
  EXPECT_LT(rel_diff(fresh->forward(x, residual), want), 1e-4);
  EXPECT_EQ(packed_products(), reset + 2 * slices);
}

// A bf16 layer's product in slices of its weight (LinearImpl::forward_part, the MLP's way above),
// wherever bfloat16 products run packed, AMX or not: slices of the output features, GELU inside,
// side by side; slices of the input features chained through the float32 residual, or added into
// one output in place (add_part). All are the whole product of the rounded operands. Input of the
// wrong width is refused; the slices' packed copies are released with the layer's.
TEST(PrecisionModes, Bf16LinearSlicesMakeTheWholeProduct) {
  if (!precision_problem(Precision::BFloat16).empty()) GTEST_SKIP() << precision_problem(Precision::BFloat16);
  if (!onednn_gemm_available()) GTEST_SKIP() << "built without oneDNN";
  c10::InferenceMode guard;
  at::manual_seed(22);
  const at::Tensor w = at::randn({512, 256}) * 0.05, b = at::randn({512}) * 0.5;
  auto make = [](const at::Tensor& weight, const at::Tensor& bias) {
    Linear lin(weight.size(1), weight.size(0));
    lin->weight.copy_(weight);
    lin->bias.copy_(bias);
    lin->set_precision(Precision::BFloat16);
    return lin;
  };
  const at::Tensor x = at::randn({1, 100, 256}).to(at::kBFloat16);
  const at::Tensor exact = at::linear(x.to(at::kDouble), w.to(at::kBFloat16).to(at::kDouble), b.to(at::kDouble));
  Linear outputs = make(w, b);
  const at::Tensor y0 = outputs->forward_part(x, LinearImpl::Slice::Outputs, 0, 2, Epilogue::Gelu, at::Tensor());
  if (!y0.defined()) GTEST_SKIP() << "bf16 products do not run packed on this CPU";
  const at::Tensor y1 = outputs->forward_part(x, LinearImpl::Slice::Outputs, 1, 2, Epilogue::Gelu, at::Tensor());
  ASSERT_TRUE(y1.defined());
  EXPECT_EQ(y0.scalar_type(), at::kBFloat16);
  EXPECT_LT(rel_diff(at::cat({y0, y1}, -1).to(at::kFloat), at::gelu(exact)), 1e-2);
  EXPECT_FALSE(outputs->holds_plain_bf16());
  EXPECT_EQ(outputs->release_packed(), static_cast<size_t>(512 * 256 * 2));
  // fc2's way: the second layer's input features in two slices, the bias and residual added once
  const at::Tensor w2 = at::randn({128, 512}) * 0.05, b2 = at::randn({128}), residual = at::randn({1, 100, 128});
  const at::Tensor h = at::randn({1, 100, 512}).to(at::kBFloat16);
  Linear inputs = make(w2, b2);
  at::Tensor y = residual;
  for (int64_t p = 0; p < 2; ++p) {
    y = inputs->forward_part(h.narrow(2, p * 256, 256), LinearImpl::Slice::Inputs, p, 2, Epilogue::None, y);
    ASSERT_TRUE(y.defined()) << p;
  }
  EXPECT_EQ(y.scalar_type(), at::kFloat);
  EXPECT_LT(
      rel_diff(y, at::linear(h.to(at::kDouble), w2.to(at::kBFloat16).to(at::kDouble), b2.to(at::kDouble)) + residual),
      1e-5);
  EXPECT_FALSE(inputs->forward_part(h, LinearImpl::Slice::Inputs, 0, 2, Epilogue::None, at::Tensor()).defined());
  // the second slice added in place: the same sums, bit for bit
  const at::Tensor in_place =
      inputs->forward_part(h.narrow(2, 0, 256), LinearImpl::Slice::Inputs, 0, 2, Epilogue::None, residual);
  ASSERT_TRUE(in_place.defined());
  const void* buffer = in_place.data_ptr();
  ASSERT_TRUE(inputs->add_part(h.narrow(2, 256, 256), 1, 2, in_place));
  EXPECT_EQ(in_place.data_ptr(), buffer);
  EXPECT_TRUE(at::equal(in_place, y));
  // an output it cannot write in place is left as it is
  const at::Tensor strided = at::zeros({1, 128, 100}).transpose(1, 2);
  EXPECT_FALSE(inputs->add_part(h.narrow(2, 256, 256), 1, 2, strided));
  EXPECT_TRUE(at::equal(strided, at::zeros({1, 100, 128})));
}

// In the bf16 mode a vision LayerNorm hands its product bfloat16 rows made straight from the
// float32 ones: at::layer_norm rounded to bfloat16 but for rare last-bit differences, also for rows
// far from zero and a size that is not a multiple of 16. Float32 consumers get float32.
TEST(PrecisionModes, Bf16LayerNormEqualsTheRoundedFloat32One) {
  c10::InferenceMode guard;
  at::manual_seed(9);
  for (const auto& [rows, d, offset] :
       std::vector<std::tuple<int64_t, int64_t, double>>{{577, 768, 0.0}, {9, 100, 0.0}, {33, 768, 1000.0}}) {
    LayerNorm ln(d, 1e-5);
    ln->weight.copy_(at::randn({d}));
    ln->bias.copy_(at::randn({d}));
    const at::Tensor x = at::randn({1, rows, d}) * 3 + offset;
    const at::Tensor want = at::layer_norm(x, {d}, ln->weight, ln->bias, 1e-5);
    EXPECT_TRUE(at::equal(ln->forward_for(x, Precision::Float32), want));
    const at::Tensor got = ln->forward_for(x, Precision::BFloat16);
    if (got.scalar_type() != at::kBFloat16) {
      EXPECT_TRUE(at::equal(got, want));  // no kernel here: the float32 LayerNorm
      continue;
    }
    ASSERT_EQ(got.sizes(), x.sizes());
    const at::Tensor rounded = want.to(at::kBFloat16);
    const double differ = at::ne(got, rounded).sum().item<double>() / static_cast<double>(got.numel());
    EXPECT_LT(differ, 0.01) << rows << " x " << d;
    // and within one rounding to bfloat16 (8 significant bits) of the LayerNorm in double, plus
    // the float32 sums' error (rows around 1000 cancel three digits in x - mean)
    const at::Tensor exact =
        at::layer_norm(x.to(at::kDouble), {d}, ln->weight.to(at::kDouble), ln->bias.to(at::kDouble), 1e-5);
    const at::Tensor bound = exact.abs() / 256 + 1e-4 * exact.abs().max();
    EXPECT_TRUE(at::le((got.to(at::kDouble) - exact).abs(), bound).all().item<bool>()) << rows << " x " << d;
  }
}

// The patch embedding as a product is the convolution it replaces, flattened to patch rows: in
// float32 (and the int8 mode, which leaves it so) within the float32 sums' error, whatever the
// batch, and with a remainder of pixels that the convolution drops; in the bf16 mode a bfloat16
// product within one rounding of the convolution of the rounded pixels and weight.
TEST(PrecisionModes, PatchEmbeddingIsTheConvolutionItReplaces) {
  c10::InferenceMode guard;
  at::manual_seed(11);
  for (const auto& [batch, channels, size, patch, out] :
       std::vector<std::tuple<int64_t, int64_t, int64_t, int64_t, int64_t>>{
           {1, 3, 384, 16, 768}, {2, 3, 40, 16, 24}, {1, 2, 33, 4, 8}}) {
    PatchConv2d conv(channels, out, patch);
    conv->weight.copy_(at::randn({out, channels, patch, patch}) * 0.05);
    conv->bias.copy_(at::randn({out}));
    const at::Tensor x = at::randn({batch, channels, size, size});
    const at::Tensor want = at::conv2d(x, conv->weight, conv->bias, {patch, patch}).flatten(2).transpose(1, 2);
    const int64_t patches = (size / patch) * (size / patch);
    for (const Precision p : {Precision::Float32, Precision::Int8}) {
      conv->set_precision(p);
      const at::Tensor got = conv->forward(x);
      ASSERT_EQ(got.scalar_type(), at::kFloat);
      ASSERT_EQ(got.sizes(), (std::vector<int64_t>{batch, patches, out}));
      EXPECT_TRUE(at::allclose(got, want, 1e-4, 1e-4))
          << size << " px, patch " << patch << ", " << (got - want).abs().max().item<float>();
    }
    if (!small_gemm_available(at::kBFloat16)) continue;
    // through the calls a bf16 load and a release make (set_linear_precision, release_packed_weights)
    set_linear_precision(*conv, Precision::BFloat16);
    const at::Tensor got = conv->forward(x);
    // Products of many rows run packed, bfloat16 in and out, where this CPU multiplies bfloat16
    // faster; elsewhere (bf16_gemm_rate) on the weight widened, the pixels as they are, float32
    // out. Fewer rows go to the few-row kernel: bfloat16 in, float32 out.
    const bool many = batch * patches >= pack_min_rows(), widened = many && !bf16_gemm_rate().bf16_faster;
    ASSERT_EQ(got.scalar_type(), many && !widened ? at::kBFloat16 : at::kFloat);
    ASSERT_EQ(got.sizes(), (std::vector<int64_t>{batch, patches, out}));
    const at::Tensor pixels = widened ? x : x.to(at::kBFloat16);
    const at::Tensor rounded = at::conv2d(pixels.to(at::kDouble), conv->weight.to(at::kBFloat16).to(at::kDouble),
                                          conv->bias.to(at::kDouble), {patch, patch})
                                   .flatten(2)
                                   .transpose(1, 2);
    // one rounding of the result to bfloat16, plus the float32 sums'
    const at::Tensor bound = rounded.abs() / 256 + 1e-4 * rounded.abs().max();
    EXPECT_TRUE(at::le((got.to(at::kDouble) - rounded).abs(), bound).all().item<bool>())
        << size << " px, patch " << patch << ", " << (got.to(at::kDouble) - rounded).abs().max().item<double>();
    if (many && !widened) {
      EXPECT_GT(release_packed_weights(*conv), 0u);  // the bf16 layer packed its weight, and gives it back
    }
    EXPECT_TRUE(at::equal(conv->forward(x), got));
  }
}

// Stacked layers' tiles are the stacked matrix's tiles, or there is no fused product: where the
// input size has several chunks of lines, a layer of one tile would share its group with the next.
TEST(PrecisionModes, FusedBf16TilesAreTheStackedMatrixsOrThereAreNone) {
  if (!small_gemm_available(at::kBFloat16)) GTEST_SKIP() << "no AVX-512 BF16 on this CPU";
  c10::InferenceMode guard;
  for (const auto& [n, k, stacks] : std::vector<std::tuple<int64_t, int64_t, bool>>{
           {4, 768, true}, {16, 1600, true}, {4, 1600, false}, {20, 3072, false}, {32, 3072, true}}) {
    Linear a(k, n), b(k, n);
    for (Linear* l : {&a, &b}) {
      // the bias too: a layer's parameters start uninitialised (a NaN there made the products unequal)
      (*l)->weight.copy_(at::randn({n, k}));
      (*l)->bias.copy_(at::randn({n}));
      (*l)->set_precision(Precision::BFloat16);
    }
    const FusedBf16Linear fused = fuse_bf16_tiles({a.get(), b.get()});
    ASSERT_EQ(fused.weight.defined(), stacks) << n << " x " << k;
    if (!stacks) continue;
    const at::Tensor stacked = at::cat({a->weight, b->weight}, 0).to(at::kBFloat16);
    EXPECT_TRUE(at::equal(bf16_untiled(fused.weight), stacked)) << n << " x " << k;
    // and the product through the fused tiles is the two layers' products side by side
    const at::Tensor x = at::randn({3, k});
    const at::Tensor y = small_rows_linear(x, fused.weight, fused.bias);
    EXPECT_TRUE(at::equal(y, at::cat({small_rows_linear(x, a->bf16_weight_tiles(), a->bias),
                                      small_rows_linear(x, b->bf16_weight_tiles(), b->bias)},
                                     1)))
        << n << " x " << k;
  }
}

// A decoder self-attention of `heads` heads of size 64 (the kernel BLIP's steps use), random weights.
BlipTextSelfAttention random_self_attention(int64_t heads) {
  BlipTextConfig c;
  c.hidden_size = 64 * heads;
  c.num_attention_heads = heads;
  BlipTextSelfAttention att(c, /*is_cross_attention=*/false);
  for (Linear* l : {&att->query, &att->key, &att->value}) {
    (*l)->weight.copy_(at::randn({64 * heads, 64 * heads}) * 0.05);
    (*l)->bias.copy_(at::randn({64 * heads}) * 0.1);
  }
  return att;
}

// A bf16 decoder step computes the self-attention's q, k and v in one product over their stacked
// weights: the same values as three products, and the layers' own tiles become views of the
// stacked matrix's (no second copy). Two steps, so the second also reads the first's cached keys.
TEST(PrecisionModes, Bf16DecoderStepStacksTheSelfAttentionProjections) {
  if (!precision_problem(Precision::BFloat16).empty()) GTEST_SKIP() << precision_problem(Precision::BFloat16);
  c10::InferenceMode guard;
  BlipTextSelfAttention att = random_self_attention(2);
  for (Linear* l : {&att->query, &att->key, &att->value}) (*l)->set_precision(Precision::BFloat16);
  // the reference: three products, the cache and the attention written out
  const at::Tensor wq = att->query->weight.to(at::kBFloat16), wk = att->key->weight.to(at::kBFloat16),
                   wv = att->value->weight.to(at::kBFloat16);
  auto heads = [](const at::Tensor& x) { return x.view({1, 1, 2, 64}).permute({0, 2, 1, 3}); };
  TextLayerCache cache;
  at::Tensor ref_k, ref_v;
  for (int step = 0; step < 2; ++step) {
    const at::Tensor x = at::randn({1, 1, 128});
    const at::Tensor mask = at::zeros({1, 1, 1, step + 1});
    const at::Tensor got = att->forward(x, mask, at::Tensor(), &cache, 1);
    const at::Tensor k = heads(small_rows_linear(x, wk, att->key->bias)),
                     v = heads(small_rows_linear(x, wv, att->value->bias));
    ref_k = step == 0 ? k : at::cat({ref_k, k}, 2);
    ref_v = step == 0 ? v : at::cat({ref_v, v}, 2);
    const at::Tensor q = heads(small_rows_linear(x, wq, att->query->bias));
    const at::Tensor want = small_attention(q, ref_k, ref_v, mask, 8.0).permute({0, 2, 1, 3}).reshape({1, 1, 128});
    EXPECT_TRUE(at::equal(got, want)) << "step " << step;
    EXPECT_TRUE(at::equal(cache.self_key, ref_k));
  }
  EXPECT_TRUE(att->query->bf16_weight_tiles().data.is_alias_of(att->value->bf16_weight_tiles().data));
  EXPECT_TRUE(at::equal(bf16_untiled(att->key->bf16_weight_tiles()), wk));
  EXPECT_FALSE(att->key->holds_plain_bf16());
  // set_precision again gives the layers fresh copies; the next step stacks those
  att->key->weight.mul_(2);
  att->key->set_precision(Precision::BFloat16);
  const at::Tensor x = at::randn({1, 1, 128});
  TextLayerCache fresh;
  att->forward(x, at::Tensor(), at::Tensor(), &fresh, 1);
  EXPECT_TRUE(at::equal(fresh.self_key, heads(small_rows_linear(x, wk * 2, att->key->bias))));
  EXPECT_TRUE(att->key->bf16_weight_tiles().data.is_alias_of(att->query->bf16_weight_tiles().data));
}

// The line `key` ("VmFlags:", "AnonHugePages:") of the mapping that holds `address`
// (/proc/self/smaps), or "" when none does.
std::string smaps_line_of(const void* address, const std::string& key) {
  std::ifstream smaps("/proc/self/smaps");
  const auto a = reinterpret_cast<uintptr_t>(address);
  bool inside = false;
  for (std::string line; std::getline(smaps, line);) {
    unsigned long long lo = 0, hi = 0;
    char perms[5] = {};
    // a mapping's first line: "start-end perms offset ..."; the others are "Key: value"
    if (std::sscanf(line.c_str(), "%llx-%llx %4s", &lo, &hi, perms) == 3) {
      inside = a >= lo && a < hi;
      continue;
    }
    if (inside && line.rfind(key, 0) == 0) return line;
  }
  return {};
}
std::string vm_flags_of(const void* address) {
  return smaps_line_of(address, "VmFlags:");
}

// A text decoder of two layers with cross-attention, random weights once the caller fills them.
BlipTextConfig two_layer_decoder(int64_t hidden, int64_t heads, int64_t intermediate, int64_t vocab) {
  BlipTextConfig c;
  c.hidden_size = c.encoder_hidden_size = hidden;
  c.num_attention_heads = heads;
  c.intermediate_size = intermediate;
  c.num_hidden_layers = 2;
  c.vocab_size = vocab;
  c.is_decoder = true;
  return c;
}

// bf16 mode: the weights a decoder step reads lie in one block in the order the step reads them,
// the same values as the layers' own copies, each self-attention's fused q|k|v a view of it, and
// the block is asked for huge pages (the kernel's VmFlags "hg"; "nh" with GLIMPSE_HUGE_PAGES=0).
TEST(PrecisionModes, Bf16StepWeightsLieInOneBlockInTheOrderAStepReadsThem) {
  if (!precision_problem(Precision::BFloat16).empty()) GTEST_SKIP() << precision_problem(Precision::BFloat16);
  c10::InferenceMode guard;
  const BlipTextConfig c = two_layer_decoder(128, 2, 256, 1000);
  for (const char* huge : {"1", "0"}) {
    ::setenv("GLIMPSE_HUGE_PAGES", huge, 1);
    BlipTextLMHeadModel model(c);
    for (auto& p : model->parameters()) p.copy_(at::randn(p.sizes()) * 0.05);
    std::vector<LinearImpl*> order;
    for (auto& layer : model->bert->encoder->layers) {
      BlipTextSelfAttentionImpl& self = *layer->attention->self;
      order.insert(order.end(),
                   {self.query.get(), self.key.get(), self.value.get(), layer->attention->output->dense.get(),
                    layer->crossattention->self->query.get(), layer->crossattention->output->dense.get(),
                    layer->intermediate->dense.get(), layer->output->dense.get()});
    }
    order.insert(order.end(),
                 {model->cls->predictions->transform->dense.get(), model->cls->predictions->decoder.get()});
    std::vector<at::Tensor> before;  // what the bf16 mode's own copies hold
    for (LinearImpl* l : order) before.push_back(l->weight.to(at::kBFloat16));
    // as a bf16 load does it: the step's layers first, then the whole model (which leaves them)
    model->gather_step_weights();
    set_linear_precision(*model, Precision::BFloat16);
    const at::Tensor first = order.front()->bf16_weight_tiles().data;
    const char* next = static_cast<const char*>(first.data_ptr());
    EXPECT_EQ(reinterpret_cast<uintptr_t>(next) % (2 << 20), 0u);
    for (size_t i = 0; i < order.size(); ++i) {
      const Bf16Tiles w = order[i]->bf16_weight_tiles();
      EXPECT_TRUE(at::equal(bf16_untiled(w), before[i])) << "layer " << i;
      EXPECT_EQ(static_cast<const char*>(w.data.data_ptr()), next) << "layer " << i;
      EXPECT_TRUE(w.data.is_alias_of(first));
      EXPECT_FALSE(order[i]->holds_plain_bf16()) << "layer " << i;  // the tiles only
      next += w.data.nbytes();
    }
    // the cross-attention's keys and values (image rows: packed products) are not in the block
    EXPECT_FALSE(model->bert->encoder->layers[0]->crossattention->self->key->holds_bf16_tiles());
    BlipTextSelfAttentionImpl& self = *model->bert->encoder->layers[1]->attention->self;
    const FusedBf16Linear qkv = self.qkv_weights();
    EXPECT_EQ(qkv.weight.data.data_ptr(), self.query->bf16_weight_tiles().data.data_ptr());
    EXPECT_TRUE(at::equal(bf16_untiled(qkv.weight), at::cat({before[8], before[9], before[10]}, 0)));
    // (a kernel without transparent huge pages, or without VmFlags in smaps, cannot say)
    const std::string flags = vm_flags_of(first.data_ptr());
    if (!flags.empty() && std::filesystem::exists("/sys/kernel/mm/transparent_hugepage/enabled")) {
      EXPECT_NE(flags.find(std::string(" ") + (std::string(huge) == "1" ? "hg" : "nh")), std::string::npos) << flags;
    }
  }
  ::unsetenv("GLIMPSE_HUGE_PAGES");
}

// Whether this kernel moves memory onto huge pages when asked (MADV_COLLAPSE, Linux 6.1) and the
// machine's transparent huge pages are not turned off: tried on 4 MiB of scratch memory.
bool huge_page_moves_work() {
  std::ifstream enabled("/sys/kernel/mm/transparent_hugepage/enabled");
  std::string line;
  if (!std::getline(enabled, line) || line.find("[never]") != std::string::npos) return false;
  constexpr size_t kHuge = size_t{2} << 20;
  void* p = mmap(nullptr, 3 * kHuge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return false;
  char* start = reinterpret_cast<char*>((reinterpret_cast<uintptr_t>(p) + kHuge - 1) / kHuge * kHuge);
  std::fill(start, start + 2 * kHuge, 1);
  const bool moved = madvise(start, 2 * kHuge, 25 /* MADV_COLLAPSE */) == 0;
  munmap(p, 3 * kHuge);
  return moved;
}

// The moves onto huge pages once none is running any more (at most 20 s).
HugePageMoves wait_for_moves() {
  for (int i = 0; i < 2000 && huge_page_moves().running > 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  return huge_page_moves();
}

// bf16 mode: once asked (as generation asks after a result), a thread moves the gathered step
// weights' block onto huge pages (all of it, several calls' worth), the values unchanged; before
// that nothing moves, and with GLIMPSE_HUGE_PAGES=advise or =0 nothing at all.
TEST(PrecisionModes, Bf16StepWeightsAreMovedOntoHugePages) {
  if (!precision_problem(Precision::BFloat16).empty()) GTEST_SKIP() << precision_problem(Precision::BFloat16);
  if (!huge_page_moves_work()) GTEST_SKIP() << "this kernel does not move memory onto huge pages";
  c10::InferenceMode guard;
  const BlipTextConfig c = two_layer_decoder(512, 8, 2048, 8000);  // a block of 23 MB: 12 calls
  for (const char* huge : {"1", "advise", "0"}) {
    ::setenv("GLIMPSE_HUGE_PAGES", huge, 1);
    BlipTextLMHeadModel model(c);
    for (auto& p : model->parameters()) p.copy_(at::randn(p.sizes()) * 0.05);
    LinearImpl& head = *model->cls->predictions->decoder;
    const at::Tensor expected = head.weight.to(at::kBFloat16);
    move_gathered_weights_onto_huge_pages();  // whatever an earlier test left
    const int64_t moved_before = wait_for_moves().bytes_moved;
    model->gather_step_weights();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    EXPECT_EQ(huge_page_moves().running, 0) << huge;
    EXPECT_EQ(huge_page_moves().bytes_moved, moved_before) << huge;
    move_gathered_weights_onto_huge_pages();
    const HugePageMoves after = wait_for_moves();
    ASSERT_EQ(after.running, 0) << "the move did not end within 20 s";
    const at::Tensor block = model->bert->encoder->layers[0]->attention->self->query->bf16_weight_tiles().data;
    const std::string anon_huge = smaps_line_of(block.data_ptr(), "AnonHugePages:");
    const long huge_kb = anon_huge.empty() ? -1 : std::atol(anon_huge.c_str() + 14);
    const int64_t block_end = reinterpret_cast<uintptr_t>(head.bf16_weight_tiles().data.data_ptr()) +
                              head.bf16_weight_tiles().data.nbytes() - reinterpret_cast<uintptr_t>(block.data_ptr());
    const int64_t length = (block_end + (2 << 20) - 1) / (2 << 20) * (2 << 20);
    if (std::string(huge) == "1") {
      // all of it, but for a page the kernel could not move just then (a busy machine), left to
      // khugepaged; what was moved is on huge pages (the mapping, or one it joined)
      EXPECT_GE(after.bytes_moved - moved_before, length / 2) << huge;
      EXPECT_LE(after.bytes_moved - moved_before, length) << huge;
      EXPECT_GE(huge_kb, (after.bytes_moved - moved_before) / 1024) << anon_huge;
    } else {
      // (where transparent huge pages are "always", the fill itself may have taken huge pages)
      EXPECT_EQ(after.bytes_moved, moved_before) << huge;
    }
    EXPECT_TRUE(at::equal(bf16_untiled(head.bf16_weight_tiles()), expected)) << huge;
  }
  ::unsetenv("GLIMPSE_HUGE_PAGES");
}

// A model unloaded before its first caption leaves nothing to move, and no thread is started.
TEST(PrecisionModes, Bf16StepWeightsOfAnUnloadedModelAreNotMoved) {
  if (!precision_problem(Precision::BFloat16).empty()) GTEST_SKIP() << precision_problem(Precision::BFloat16);
  if (!small_gemm_available(at::kBFloat16) || !huge_page_moves_work())
    GTEST_SKIP() << "no gathered step weights, or no moves onto huge pages here";
  c10::InferenceMode guard;
  ::unsetenv("GLIMPSE_HUGE_PAGES");
  move_gathered_weights_onto_huge_pages();  // whatever an earlier test left
  const HugePageMoves before = wait_for_moves();
  {
    BlipTextLMHeadModel model(two_layer_decoder(128, 2, 256, 1000));
    model->gather_step_weights();
  }
  move_gathered_weights_onto_huge_pages();
  const HugePageMoves after = wait_for_moves();
  EXPECT_EQ(after.started, before.started);
  EXPECT_EQ(after.bytes_moved, before.bytes_moved);
  // and one still loaded is moved (the same steps, the model kept)
  BlipTextLMHeadModel kept(two_layer_decoder(128, 2, 256, 1000));
  kept->gather_step_weights();
  move_gathered_weights_onto_huge_pages();
  EXPECT_EQ(wait_for_moves().started, before.started + 1);
}

// A decoder step's self-attention writes its keys and values into the cache's room and attends
// there (small_self_attention_step): every step, through a prompt, four beam reorderings and the
// room growing, equals the attention of the joined cache as small_attention computes it, bit for bit,
// and the cache holds the joined keys and values.
TEST(SmallAttention, StepsOverTheGrowingCacheEqualTheAttentionOfTheJoinedCache) {
  c10::InferenceMode guard;
  at::manual_seed(0);
  BlipTextSelfAttention att = random_self_attention(3);
  if (!small_self_attention_step_available(64)) GTEST_SKIP() << "no AVX-512F";
  const int64_t rows = 3;
  auto heads = [&](const at::Tensor& x) { return x.view({rows, x.size(1), 3, 64}).permute({0, 2, 1, 3}); };
  TextLayerCache cache;
  at::Tensor ref_k, ref_v;
  int64_t past = 0;
  const std::map<int, std::vector<int64_t>> reorders = {
      // beams reordered: rows 2, 0, 0 (row 0 read by two rows and overwritten by the third);
      // 0, 0, 1 (row 0 keeps its own, row 2 takes the one row 1 gives up: a chain); a cycle of
      // three; a row taken by the one before it, the others kept
      {5, {2, 0, 0}},
      {12, {0, 0, 1}},
      {16, {1, 2, 0}},
      {25, {1, 1, 2}}};
  for (int step = 0; step < 40; ++step) {  // past the room's first 32 + prompt positions
    const int64_t len = step == 0 ? 4 : 1;
    if (const auto it = reorders.find(step); it != reorders.end()) {
      const at::Tensor index = at::tensor(it->second);
      TextCache whole;
      whole.layers = {cache};
      whole.reorder(index);
      cache = whole.layers[0];
      ASSERT_TRUE(cache.self_key.is_alias_of(cache.self_key_room));  // reordered in place
      ref_k = ref_k.index_select(0, index);
      ref_v = ref_v.index_select(0, index);
    }
    const at::Tensor x = at::randn({rows, len, 192});
    // causal over the new positions, one early position of row 1 masked out
    at::Tensor mask = at::zeros({rows, 1, len, past + len});
    for (int64_t i = 0; i < len; ++i) mask.select(2, i).narrow(-1, past + i + 1, len - i - 1).fill_(-10000.0);
    if (past > 2) mask[1].narrow(-1, 1, 1).fill_(-10000.0);
    if (step == 20) mask = at::Tensor();  // a step without a mask
    const at::Tensor got = att->forward(x, mask, at::Tensor(), &cache, 1);
    const at::Tensor k = heads(att->key->forward(x)), v = heads(att->value->forward(x));
    ref_k = step == 0 ? k : at::cat({ref_k, k}, 2);
    ref_v = step == 0 ? v : at::cat({ref_v, v}, 2);
    const at::Tensor want = small_attention(heads(att->query->forward(x)), ref_k, ref_v, mask, 8.0)
                                .permute({0, 2, 1, 3})
                                .reshape({rows, len, 192});
    ASSERT_TRUE(at::equal(got, want)) << "step " << step;
    ASSERT_TRUE(at::equal(cache.self_key, ref_k)) << "step " << step;
    ASSERT_TRUE(at::equal(cache.self_value, ref_v)) << "step " << step;
    past += len;
  }
  EXPECT_GE(cache.self_key_room.size(2), past);
  EXPECT_TRUE(cache.self_key.is_alias_of(cache.self_key_room));
}

// release_packed frees a layer's packed copy; products of many rows pack it again (a bf16 layer at
// the next one, from its float32 weight, its plain copy having been dropped; a float32 layer after
// as many products as the first time, its losses counted from zero: pack_now) and give the same
// values.
TEST(PrecisionModes, AReleasedPackedLayerPacksAgainToTheSameValues) {
  c10::InferenceMode guard;
  const at::Tensor w = at::randn({512, 256}) * 0.05, b = at::randn({512}) * 0.1;
  const at::Tensor many = at::randn({1, 577, 256});
  int ran = 0;
  for (const Precision p : {Precision::Float32, Precision::BFloat16}) {
    if (!precision_problem(p).empty()) continue;
    Linear lin(256, 512);
    lin->weight.copy_(w);
    lin->bias.copy_(b);
    lin->set_precision(p);
    fp32_gemm_choice();  // their first-use measurements run packed products of their own
    if (p == Precision::BFloat16) bf16_gemm_rate();
    // The products until the one that runs packed (0: none within 2,000), its output in `out`.
    auto products_until_packed = [&](at::Tensor& out) {
      const int64_t before = packed_products();
      for (int n = 1; n <= 2000; ++n) {
        out = lin->forward(many);
        if (packed_products() != before) return n;
      }
      return 0;
    };
    at::Tensor first, again;
    const int products = products_until_packed(first);
    if (products == 0) continue;  // this precision does not run packed here
    if (p == Precision::BFloat16) {
      EXPECT_EQ(products, 1);
    }
    const size_t freed = lin->release_packed();
    EXPECT_GE(freed, static_cast<size_t>(512 * 256 * (p == Precision::BFloat16 ? 2 : 4))) << precision_name(p);
    EXPECT_EQ(lin->release_packed(), 0u) << precision_name(p);
    EXPECT_EQ(products_until_packed(again), products) << precision_name(p);
    EXPECT_TRUE(at::equal(again, first)) << precision_name(p);
    if (p == Precision::BFloat16) {
      EXPECT_FALSE(lin->holds_plain_bf16());
    }
    ++ran;
  }
  if (ran == 0) GTEST_SKIP() << "no precision runs packed on this CPU";
}

// bf16 products of many rows run where this CPU is faster: packed bfloat16, or (where it
// multiplies bfloat16 slower than float32) the float32 product of the widened bfloat16 weight,
// epilogue and residual included. GLIMPSE_BF16_GEMM runs this suite once more each way.
TEST(PrecisionModes, Bf16ProductsOfManyRowsRunInTheFasterUnit) {
  if (!precision_problem(Precision::BFloat16).empty()) GTEST_SKIP() << precision_problem(Precision::BFloat16);
  c10::InferenceMode guard;
  const Bf16GemmRate& r = bf16_gemm_rate();
  const char* forced = std::getenv("GLIMPSE_BF16_GEMM");
  if (onednn_gemm_available()) {
    EXPECT_GT(r.bf16_gflops, 0);
    EXPECT_GT(r.fp32_gflops, 0);
  } else if (!forced) {
    EXPECT_TRUE(r.bf16_faster) << "nothing to compare with: libtorch's bfloat16 path stays";
  }
  if (forced) {
    EXPECT_EQ(r.bf16_faster, std::string(forced) == "bf16");
  }
  std::cout << "[precision report] bf16 products " << r.bf16_gflops << " GFLOP/s, widened to float32 " << r.fp32_gflops
            << ": many-row bf16 products in " << (r.bf16_faster ? "bf16" : "fp32") << "\n";

  const at::Tensor w = at::randn({384, 256}) * 0.05, b = at::randn({384}) * 0.1;
  const at::Tensor x = at::randn({1, 577, 256}), residual = at::randn({1, 577, 384});
  Linear lin(256, 384);
  lin->weight.copy_(w);
  lin->bias.copy_(b);
  lin->set_precision(Precision::BFloat16);
  const int64_t before = packed_products();
  const at::Tensor plain = lin->forward(x), gelu = lin->forward(x, Epilogue::Gelu, residual);
  const at::Tensor wb = w.to(at::kBFloat16).to(at::kFloat);
  // In double: x (rounded to bfloat16 on the bf16 path) times the rounded weight.
  const at::Tensor xr = r.bf16_faster ? x.to(at::kBFloat16).to(at::kFloat) : x;
  const at::Tensor ref = at::linear(xr.to(at::kDouble), wb.to(at::kDouble), b.to(at::kDouble));
  const at::Tensor ref_gelu = ref * 0.5 * (1 + at::erf(ref / std::sqrt(2.0))) + residual.to(at::kDouble);
  if (r.bf16_faster) {
    if (onednn_gemm_available()) {
      EXPECT_EQ(packed_products(), before + 2);
    }
    EXPECT_LT(rel_diff(plain, ref), 1e-2);  // bfloat16 output
    EXPECT_LT(rel_diff(gelu, ref_gelu), 1e-3);
  } else {
    EXPECT_EQ(packed_products(), before);
    ASSERT_EQ(plain.scalar_type(), at::kFloat);
    EXPECT_LT(rel_diff(plain, ref), 1e-5);  // float32 sums of exact products
    EXPECT_LT(rel_diff(gelu, ref_gelu), 1e-5);
    EXPECT_TRUE(at::equal(plain, fp32_linear(x, wb, b)));  // the chosen float32 product itself
    // Its plain copy goes with release_packed, as a packed copy would, and comes back the same.
    EXPECT_TRUE(lin->holds_plain_bf16());
    EXPECT_GE(lin->release_packed(), static_cast<size_t>(384 * 256 * 2));
    EXPECT_FALSE(lin->holds_plain_bf16());
    EXPECT_TRUE(at::equal(lin->forward(x), plain));
  }
  // A few rows (decoder steps) stay on the bfloat16 few-row kernel either way.
  const at::Tensor step = at::randn({1, 1, 256});
  EXPECT_TRUE(at::equal(lin->forward(step), small_rows_linear(step, w.to(at::kBFloat16), b)));
}

// Agreement of whole models with float32 on every golden set (random weights, so the logits are
// flatter than a trained model's and a small perturbation changes a token more easily).
struct Agreement {
  double max_abs_embed = 0, min_cosine = 1, max_itm = 0;
  int same_tokens = 0, tokens = 0, same_captions = 0, captions = 0;
};

class PrecisionGolden : public ::testing::TestWithParam<std::filesystem::path> {};

TEST_P(PrecisionGolden, ModelsAgreeWithFloat32) {
  const auto& set = golden_set(GetParam());
  if (!set.expected.at("models").contains("main")) GTEST_SKIP() << "no main model";
  const std::filesystem::path dir = set.dir;
  auto fp32 = BlipModel::load(dir);
  std::vector<PixelValues> images;
  for (const auto& img : set.expected.at("image_preprocessing").at("images"))
    if (img.contains("pixel_values")) images.push_back(to_vector(pixel_values_for(set, "main", img.at("name"))));
  ASSERT_GE(images.size(), 5u);
  const auto ref_embed = fp32->embed_images(images);
  const auto ref_match = fp32->match(images, {"a photo of a dog", "two cats on a sofa"});
  GenerationConfig greedy;
  greedy.max_new_tokens = 20;
  const auto ref_captions = fp32->caption(glimpse::blip::image_inputs(images), {}, greedy);

  for (Precision p : {Precision::BFloat16, Precision::Int8}) {
    if (!precision_problem(p).empty()) continue;
    LoadOptions o;
    o.precision = p;
    const int64_t moved_before_load = wait_for_moves().bytes_moved;
    auto model = BlipModel::load(dir, o);
    EXPECT_EQ(model->precision(), p);
    Agreement a;
    const auto embed = model->embed_images(images);
    for (size_t i = 0; i < images.size(); ++i) {
      const at::Tensor x = at::tensor(embed[i]), r = at::tensor(ref_embed[i]);
      a.max_abs_embed = std::max(a.max_abs_embed, (x - r).abs().max().item<double>());
      a.min_cosine = std::min(a.min_cosine, at::cosine_similarity(x, r, 0).item<double>());
    }
    const auto match = model->match(images, {"a photo of a dog", "two cats on a sofa"});
    for (size_t i = 0; i < images.size(); ++i)
      for (size_t t = 0; t < 2; ++t)
        a.max_itm = std::max<double>(a.max_itm, std::abs(match[i][t].itm - ref_match[i][t].itm));
    // a bf16 load gathers the step weights; the first caption, not the load, starts their move
    const bool moves = p == Precision::BFloat16 && small_gemm_available(at::kBFloat16) && huge_page_moves_work() &&
                       std::getenv("GLIMPSE_HUGE_PAGES") == nullptr;
    const int64_t moved_before = wait_for_moves().bytes_moved;
    EXPECT_EQ(moved_before, moved_before_load) << "a move onto huge pages began before the first caption";
    const auto captions = model->caption(glimpse::blip::image_inputs(images), {}, greedy);
    if (moves) {
      EXPECT_GT(wait_for_moves().bytes_moved, moved_before) << "the caption started no move onto huge pages";
    }
    for (size_t i = 0; i < images.size(); ++i) {
      const auto& x = captions[i][0].token_ids;
      const auto& r = ref_captions[i][0].token_ids;
      const size_t len = std::max(x.size(), r.size());
      for (size_t t = 0; t < len; ++t) a.same_tokens += t < x.size() && t < r.size() && x[t] == r[t];
      a.tokens += static_cast<int>(len);
      a.same_captions += x == r;
      ++a.captions;
    }
    std::cout << "[precision report] " << set.name << " " << precision_name(p) << ": ITC embeddings max |diff| "
              << a.max_abs_embed << ", min cosine " << std::setprecision(6) << a.min_cosine << ", ITM max |diff| "
              << a.max_itm << ", identical caption tokens " << a.same_tokens << "/" << a.tokens
              << ", identical captions " << a.same_captions << "/" << a.captions << "\n";
    // Thresholds a little below what the golden set gives today: a regression, not a proof.
    EXPECT_GT(a.min_cosine, p == Precision::BFloat16 ? 0.999 : 0.99) << precision_name(p);
    EXPECT_LT(a.max_itm, 0.02) << precision_name(p);
    EXPECT_GE(a.same_tokens, a.tokens * 7 / 10) << precision_name(p);
  }
}

INSTANTIATE_TEST_SUITE_P(Sets, PrecisionGolden, ::testing::ValuesIn(golden_set_dirs()), glimpse::test::SetName());

}  // namespace
