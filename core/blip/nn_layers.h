#pragma once
// Minimal layers whose parameters are created empty (no random init: every value comes from the
// checkpoint) and registered under PyTorch's names (weight, bias).
#include <ATen/ATen.h>
#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

namespace glimpse::blip {

// torch.nn.Linear
struct LinearImpl : torch::nn::Module {
  LinearImpl(int64_t in_features, int64_t out_features, bool with_bias = true) {
    weight = register_parameter("weight", at::empty({out_features, in_features}), /*requires_grad=*/false);
    if (with_bias) bias = register_parameter("bias", at::empty({out_features}), /*requires_grad=*/false);
  }
  at::Tensor forward(const at::Tensor& x) {
    // One row (a decoder step with a single beam): a matrix-vector product reads the weights
    // once at memory speed, where a GEMM with M = 1 is slower.
    if (x.numel() == x.size(-1) && x.is_contiguous()) {
      at::Tensor y = bias.defined() ? at::addmv(bias, weight, x.view({-1})) : at::mv(weight, x.view({-1}));
      auto shape = x.sizes().vec();
      shape.back() = weight.size(0);
      return y.view(shape);
    }
    return at::linear(x, weight, bias);
  }
  at::Tensor weight, bias;
};
TORCH_MODULE(Linear);

// torch.nn.LayerNorm over the last dimension
struct LayerNormImpl : torch::nn::Module {
  LayerNormImpl(int64_t dim, double eps) : dim_(dim), eps_(eps) {
    weight = register_parameter("weight", at::empty({dim}), false);
    bias = register_parameter("bias", at::empty({dim}), false);
  }
  at::Tensor forward(const at::Tensor& x) { return at::layer_norm(x, {dim_}, weight, bias, eps_); }
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

// torch.nn.Conv2d with kernel == stride (patch embedding)
struct PatchConv2dImpl : torch::nn::Module {
  PatchConv2dImpl(int64_t in_channels, int64_t out_channels, int64_t patch) : patch_(patch) {
    weight = register_parameter("weight", at::empty({out_channels, in_channels, patch, patch}), false);
    bias = register_parameter("bias", at::empty({out_channels}), false);
  }
  at::Tensor forward(const at::Tensor& x) { return at::conv2d(x, weight, bias, {patch_, patch_}); }
  at::Tensor weight, bias;
  int64_t patch_;
};
TORCH_MODULE(PatchConv2d);

}  // namespace glimpse::blip
