#include "modeling_marian.h"

#include <cmath>
#include <limits>
#include <set>
#include <sstream>

#include "errors.h"

namespace glimpse::marian {

using blip::BlipError;
using blip::to_dtype;

namespace {

at::Tensor activate(const at::Tensor& x, const std::string& name) {
  if (name == "swish" || name == "silu") return at::silu(x);
  if (name == "relu") return at::relu(x);
  if (name == "gelu") return at::gelu(x);
  if (name == "gelu_new" || name == "gelu_pytorch_tanh") return at::gelu(x, "tanh");
  throw BlipError("unsupported activation_function \"" + name + "\"");
}

std::string shape_str(at::IntArrayRef s) {
  std::ostringstream os;
  os << '[';
  for (size_t i = 0; i < s.size(); ++i) os << (i ? ", " : "") << s[i];
  os << ']';
  return os.str();
}

}  // namespace

at::Tensor sinusoidal_positions(int64_t n, int64_t d) {
  // numpy in float64, then float32, as MarianSinusoidalPositionalEmbedding._init_weight does.
  at::Tensor out = at::empty({n, d}, at::kDouble);
  auto acc = out.accessor<double, 2>();
  const int64_t sentinel = d % 2 == 0 ? d / 2 : d / 2 + 1;
  for (int64_t p = 0; p < n; ++p) {
    for (int64_t j = 0; j < d; ++j) {
      const double angle = static_cast<double>(p) / std::pow(10000.0, 2.0 * static_cast<double>(j / 2) / d);
      if (j % 2 == 0)
        acc[p][j / 2] = std::sin(angle);
      else
        acc[p][sentinel + j / 2] = std::cos(angle);
    }
  }
  return out.to(at::kFloat);
}

at::Tensor padding_mask(const at::Tensor& mask) {
  const float min = std::numeric_limits<float>::lowest();
  return (1.0f - mask.to(at::kFloat)).mul(min).unsqueeze(1).unsqueeze(1);
}

MarianAttentionImpl::MarianAttentionImpl(int64_t d, int64_t h)
    : heads(h), head_dim(d / h), scaling(std::pow(static_cast<double>(d / h), -0.5)) {
  q_proj = register_module("q_proj", blip::Linear(d, d));
  k_proj = register_module("k_proj", blip::Linear(d, d));
  v_proj = register_module("v_proj", blip::Linear(d, d));
  out_proj = register_module("out_proj", blip::Linear(d, d));
}

std::pair<at::Tensor, at::Tensor> MarianAttentionImpl::project_kv(const at::Tensor& kv) {
  const int64_t b = kv.size(0), s = kv.size(1);
  auto shape = [&](const at::Tensor& t) {
    return to_dtype(t, at::kFloat).view({b, s, heads, head_dim}).transpose(1, 2).contiguous();
  };
  return {shape(k_proj->forward(kv)), shape(v_proj->forward(kv))};
}

at::Tensor MarianAttentionImpl::forward(const at::Tensor& x, const at::Tensor& k, const at::Tensor& v,
                                        const at::Tensor& mask) {
  const int64_t b = x.size(0), t = x.size(1);
  at::Tensor q = to_dtype(q_proj->forward(x), at::kFloat) * scaling;
  q = q.view({b, t, heads, head_dim}).transpose(1, 2);
  at::Tensor w = at::matmul(q, k.transpose(2, 3));
  if (mask.defined()) w = w + mask;
  w = at::softmax(w, -1);
  at::Tensor o = at::matmul(w, v).transpose(1, 2).reshape({b, t, heads * head_dim});
  return to_dtype(out_proj->forward(o), at::kFloat);
}

MarianEncoderLayerImpl::MarianEncoderLayerImpl(const MarianConfig& c) : activation(c.activation_function) {
  self_attn = register_module("self_attn", MarianAttention(c.d_model, c.encoder_attention_heads));
  self_attn_layer_norm = register_module("self_attn_layer_norm", blip::LayerNorm(c.d_model, 1e-5));
  fc1 = register_module("fc1", blip::Linear(c.d_model, c.encoder_ffn_dim));
  fc2 = register_module("fc2", blip::Linear(c.encoder_ffn_dim, c.d_model));
  final_layer_norm = register_module("final_layer_norm", blip::LayerNorm(c.d_model, 1e-5));
}

at::Tensor MarianEncoderLayerImpl::forward(const at::Tensor& h, const at::Tensor& mask) {
  auto [k, v] = self_attn->project_kv(h);
  at::Tensor x = self_attn_layer_norm->forward(h + self_attn->forward(h, k, v, mask));
  at::Tensor y = to_dtype(fc2->forward(activate(to_dtype(fc1->forward(x), at::kFloat), activation)), at::kFloat);
  return final_layer_norm->forward(x + y);
}

MarianDecoderLayerImpl::MarianDecoderLayerImpl(const MarianConfig& c) : activation(c.activation_function) {
  self_attn = register_module("self_attn", MarianAttention(c.d_model, c.decoder_attention_heads));
  self_attn_layer_norm = register_module("self_attn_layer_norm", blip::LayerNorm(c.d_model, 1e-5));
  encoder_attn = register_module("encoder_attn", MarianAttention(c.d_model, c.decoder_attention_heads));
  encoder_attn_layer_norm = register_module("encoder_attn_layer_norm", blip::LayerNorm(c.d_model, 1e-5));
  fc1 = register_module("fc1", blip::Linear(c.d_model, c.decoder_ffn_dim));
  fc2 = register_module("fc2", blip::Linear(c.decoder_ffn_dim, c.d_model));
  final_layer_norm = register_module("final_layer_norm", blip::LayerNorm(c.d_model, 1e-5));
}

at::Tensor MarianDecoderLayerImpl::forward(const at::Tensor& h, const at::Tensor& self_mask,
                                           const at::Tensor& cross_mask, LayerCache& cache) {
  auto [k, v] = self_attn->project_kv(h);
  if (cache.self_k.defined()) {
    k = at::cat({cache.self_k, k}, 2);
    v = at::cat({cache.self_v, v}, 2);
  }
  cache.self_k = k;
  cache.self_v = v;
  at::Tensor x = self_attn_layer_norm->forward(h + self_attn->forward(h, k, v, self_mask));
  x = encoder_attn_layer_norm->forward(x + encoder_attn->forward(x, cache.cross_k, cache.cross_v, cross_mask));
  at::Tensor y = to_dtype(fc2->forward(activate(to_dtype(fc1->forward(x), at::kFloat), activation)), at::kFloat);
  return final_layer_norm->forward(x + y);
}

MarianMTModelImpl::MarianMTModelImpl(const MarianConfig& c)
    : config(c), embed_scale(c.scale_embedding ? std::sqrt(static_cast<double>(c.d_model)) : 1.0) {
  for (int64_t i = 0; i < c.encoder_layers; ++i)
    encoder_layers.push_back(register_module("encoder_" + std::to_string(i), MarianEncoderLayer(c)));
  for (int64_t i = 0; i < c.decoder_layers; ++i)
    decoder_layers.push_back(register_module("decoder_" + std::to_string(i), MarianDecoderLayer(c)));
  const int64_t target_vocab = c.share_encoder_decoder_embeddings ? c.vocab_size : c.decoder_vocab_size;
  lm_head = register_module("lm_head", blip::Linear(c.d_model, target_vocab, /*with_bias=*/false));
  positions = sinusoidal_positions(c.max_position_embeddings, c.d_model);
}

void MarianMTModelImpl::load(const blip::TensorMap& weights) {
  const MarianConfig& c = config;
  const int64_t target_vocab = c.share_encoder_decoder_embeddings ? c.vocab_size : c.decoder_vocab_size;
  std::vector<std::string> missing, wrong;
  std::set<std::string> used;
  // The first name of `names` the checkpoint holds, checked against `shape`.
  auto take = [&](const std::vector<std::string>& names, std::vector<int64_t> shape) -> at::Tensor {
    for (const auto& n : names) {
      auto it = weights.tensors.find(n);
      if (it == weights.tensors.end()) continue;
      used.insert(n);
      if (!it->second.sizes().equals(shape) || it->second.scalar_type() != at::kFloat) {
        wrong.push_back(n + ": got " + shape_str(it->second.sizes()) + " " +
                        std::string(c10::toString(it->second.scalar_type())) + " expected " + shape_str(shape) +
                        " float");
        return at::Tensor();
      }
      return it->second;
    }
    missing.push_back(names.front());
    return at::Tensor();
  };
  // Tied embeddings, as transformers ties them: any of the names may hold the shared matrix.
  if (c.share_encoder_decoder_embeddings) {
    encoder_embed = take({"model.shared.weight", "model.encoder.embed_tokens.weight",
                          "model.decoder.embed_tokens.weight", "lm_head.weight"},
                         {c.vocab_size, c.d_model});
    decoder_embed = lm_head_weight = encoder_embed;
  } else {
    encoder_embed = take({"model.encoder.embed_tokens.weight", "model.shared.weight"}, {c.vocab_size, c.d_model});
    decoder_embed = take({"model.decoder.embed_tokens.weight"}, {c.decoder_vocab_size, c.d_model});
    lm_head_weight = take({"lm_head.weight", "model.decoder.embed_tokens.weight"}, {c.decoder_vocab_size, c.d_model});
  }
  if (weights.tensors.count("final_logits_bias"))
    final_logits_bias = take({"final_logits_bias"}, {1, target_vocab});
  else
    final_logits_bias = at::zeros({1, target_vocab});  // a buffer of zeros in transformers
  std::vector<std::pair<at::Tensor, at::Tensor>> assignments;
  auto layer_params = [&](torch::nn::Module& layer, const std::string& prefix) {
    for (auto& p : layer.named_parameters(/*recurse=*/true)) {
      at::Tensor t = take({prefix + p.key()}, p.value().sizes().vec());
      if (t.defined()) assignments.emplace_back(p.value(), t);
    }
  };
  for (size_t i = 0; i < encoder_layers.size(); ++i)
    layer_params(*encoder_layers[i], "model.encoder.layers." + std::to_string(i) + ".");
  for (size_t i = 0; i < decoder_layers.size(); ++i)
    layer_params(*decoder_layers[i], "model.decoder.layers." + std::to_string(i) + ".");
  // Aliases of the tied matrices and the computed positions older checkpoints stored.
  const std::set<std::string> known = {
      "model.shared.weight", "model.encoder.embed_tokens.weight",    "model.decoder.embed_tokens.weight",
      "lm_head.weight",      "model.encoder.embed_positions.weight", "model.decoder.embed_positions.weight"};
  std::vector<std::string> unexpected;
  for (const auto& [name, t] : weights.tensors)
    if (!used.count(name) && !known.count(name)) unexpected.push_back(name + " " + shape_str(t.sizes()));
  if (!missing.empty() || !wrong.empty() || !unexpected.empty()) {
    std::ostringstream os;
    os << weights.source << " does not fit MarianMTModel with this config.json:";
    auto list = [&](const char* title, const std::vector<std::string>& items) {
      if (items.empty()) return;
      os << "\n  " << title << " (" << items.size() << "):";
      for (const auto& s : items) os << "\n    " << s;
    };
    list("missing tensors", missing);
    list("tensors of the wrong shape", wrong);
    list("tensors MarianMTModel does not have", unexpected);
    throw BlipError(os.str());
  }
  for (auto& [param, value] : assignments) param.set_data(value);
  lm_head->weight.set_data(lm_head_weight);
}

void MarianMTModelImpl::set_precision(Precision p) {
  blip::set_linear_precision(*this, p);
}

at::Tensor MarianMTModelImpl::encode(const at::Tensor& ids, const at::Tensor& mask) {
  const int64_t len = ids.size(1);
  at::Tensor h = at::embedding(encoder_embed, ids) * embed_scale + positions.slice(0, 0, len);
  const at::Tensor m = padding_mask(mask);
  for (auto& layer : encoder_layers) h = layer->forward(h, m);
  return h;
}

std::vector<LayerCache> MarianMTModelImpl::make_cache(const at::Tensor& encoder_states) {
  std::vector<LayerCache> cache(decoder_layers.size());
  for (size_t i = 0; i < decoder_layers.size(); ++i) {
    auto [k, v] = decoder_layers[i]->encoder_attn->project_kv(encoder_states);
    cache[i].cross_k = k;
    cache[i].cross_v = v;
  }
  return cache;
}

at::Tensor MarianMTModelImpl::decode(const at::Tensor& ids, std::vector<LayerCache>& cache,
                                     const at::Tensor& cross_mask, bool last_only) {
  const int64_t t = ids.size(1);
  const int64_t past = cache.empty() || !cache[0].self_k.defined() ? 0 : cache[0].self_k.size(2);
  if (past + t > config.max_position_embeddings)
    throw BlipError("the translation would be longer than the model's " +
                    std::to_string(config.max_position_embeddings) + " positions");
  at::Tensor h = at::embedding(decoder_embed, ids) * embed_scale + positions.slice(0, past, past + t);
  // Causal mask over past + t keys; a single new token sees everything (no mask).
  at::Tensor self_mask;
  if (t > 1) {
    self_mask = at::full({t, past + t}, std::numeric_limits<float>::lowest()).triu(past + 1).view({1, 1, t, past + t});
  }
  for (size_t i = 0; i < decoder_layers.size(); ++i) h = decoder_layers[i]->forward(h, self_mask, cross_mask, cache[i]);
  if (last_only) h = h.slice(1, t - 1, t);
  return to_dtype(lm_head->forward(h.contiguous()), at::kFloat) + final_logits_bias;
}

}  // namespace glimpse::marian
