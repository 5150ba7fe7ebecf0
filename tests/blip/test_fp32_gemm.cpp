// The float32 product routing (fp32_gemm.h): oneDNN's sgemm against libtorch's products on the
// shapes and views the engine passes, and the first-use measurement that picks one of them.
#include <gtest/gtest.h>

#include <iostream>

#include "fp32_gemm.h"

using namespace glimpse::blip;

namespace {

// |a - b| relative to the largest |b|.
double rel_diff(const at::Tensor& a, const at::Tensor& b) {
  return (a.to(at::kDouble) - b.to(at::kDouble)).abs().max().item<double>() /
         std::max(1e-12, b.abs().max().item<double>());
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

TEST(Fp32Gemm, ChoiceIsMeasuredAndTheFasterOneWins) {
  const Fp32GemmChoice& c = fp32_gemm_choice();
  std::cout << "[fp32 gemm] BLAS " << c.blas_gflops << " GFLOP/s, oneDNN " << c.onednn_gflops << ", FMA peak "
            << c.fma_peak_gflops << ", chose " << fp32_gemm_name(c.chosen) << "\n";
  EXPECT_EQ(&c, &fp32_gemm_choice());  // measured once
  EXPECT_GT(c.blas_gflops, 0);
  EXPECT_EQ(c.onednn_gflops > 0, onednn_gemm_available());
  if (c.chosen == Fp32Gemm::OneDnn) {
    EXPECT_GT(c.onednn_gflops, c.blas_gflops);
  }
  // No product outruns the FMA units: a peak below the measured GEMM rates is miscounted.
  EXPECT_GT(c.fma_peak_gflops, 0.8 * std::max(c.blas_gflops, c.onednn_gflops));
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
