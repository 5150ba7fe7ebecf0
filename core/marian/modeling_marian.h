#pragma once
// The MarianMTModel modules (internal to glimpse_marian; front ends use marian.h): a port of
// transformers v4.43.4 modeling_marian.py for the post-LayerNorm OPUS-MT layout, float32 by
// default, with the decoder's key/value cache for generation.
#include <ATen/ATen.h>
#include <torch/nn/module.h>

#include <map>
#include <string>
#include <vector>

#include "marian.h"
#include "nn_layers.h"
#include "weights.h"

namespace glimpse::marian {

// MarianAttention (eager): q scaled by head_dim^-0.5 after its projection, additive masks.
struct MarianAttentionImpl : torch::nn::Module {
  MarianAttentionImpl(int64_t d_model, int64_t heads);
  // x [B, T, d]; keys/values from `kv` [B, S, d] (self-attention: x). mask: additive,
  // broadcastable to [B, 1, T, S], or undefined.
  at::Tensor forward(const at::Tensor& x, const at::Tensor& k, const at::Tensor& v, const at::Tensor& mask);
  // [B, S, d] -> [B, heads, S, head_dim] through k_proj / v_proj
  std::pair<at::Tensor, at::Tensor> project_kv(const at::Tensor& kv);
  blip::Linear q_proj{nullptr}, k_proj{nullptr}, v_proj{nullptr}, out_proj{nullptr};
  int64_t heads, head_dim;
  double scaling;
};
TORCH_MODULE(MarianAttention);

struct MarianEncoderLayerImpl : torch::nn::Module {
  MarianEncoderLayerImpl(const MarianConfig& c);
  at::Tensor forward(const at::Tensor& h, const at::Tensor& mask);
  MarianAttention self_attn{nullptr};
  blip::LayerNorm self_attn_layer_norm{nullptr}, final_layer_norm{nullptr};
  blip::Linear fc1{nullptr}, fc2{nullptr};
  std::string activation;
};
TORCH_MODULE(MarianEncoderLayer);

// Per decoder layer: self-attention keys/values so far and the cross-attention keys/values.
struct LayerCache {
  at::Tensor self_k, self_v, cross_k, cross_v;
};

struct MarianDecoderLayerImpl : torch::nn::Module {
  MarianDecoderLayerImpl(const MarianConfig& c);
  at::Tensor forward(const at::Tensor& h, const at::Tensor& self_mask, const at::Tensor& cross_mask, LayerCache& cache);
  MarianAttention self_attn{nullptr}, encoder_attn{nullptr};
  blip::LayerNorm self_attn_layer_norm{nullptr}, encoder_attn_layer_norm{nullptr}, final_layer_norm{nullptr};
  blip::Linear fc1{nullptr}, fc2{nullptr};
  std::string activation;
};
TORCH_MODULE(MarianDecoderLayer);

// MarianMTModel. Parameters are registered under Hugging Face's names (model.encoder.layers.0...).
struct MarianMTModelImpl : torch::nn::Module {
  explicit MarianMTModelImpl(const MarianConfig& c);
  // Strict loading: every parameter from the checkpoint (tied embeddings filled from their
  // aliases), refusing missing, unknown or wrongly shaped tensors, all named at once.
  void load(const blip::TensorMap& weights);
  void set_precision(Precision p);

  at::Tensor encode(const at::Tensor& ids, const at::Tensor& mask);  // last_hidden_state
  // Decoder on `ids` [B, T] after cache's past; cross_mask additive [B, 1, 1, S]. Returns
  // logits [B, T, V] (last_only: [B, 1, V]).
  at::Tensor decode(const at::Tensor& ids, std::vector<LayerCache>& cache, const at::Tensor& cross_mask,
                    bool last_only);
  std::vector<LayerCache> make_cache(const at::Tensor& encoder_states);

  MarianConfig config;
  at::Tensor encoder_embed, decoder_embed, lm_head_weight, final_logits_bias, positions;
  std::vector<MarianEncoderLayer> encoder_layers;
  std::vector<MarianDecoderLayer> decoder_layers;
  blip::Linear lm_head{nullptr};
  double embed_scale = 1.0;
};
TORCH_MODULE(MarianMTModel);

// The sinusoidal positions of MarianSinusoidalPositionalEmbedding: [n, d], sines then cosines.
at::Tensor sinusoidal_positions(int64_t n, int64_t d);
// Additive padding mask [B, 1, 1, S] from a 0/1 mask [B, S] (finfo(float).min where 0).
at::Tensor padding_mask(const at::Tensor& mask);

}  // namespace glimpse::marian
