#include "modeling_blip.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <sstream>

#include "bf16_attention.h"
#include "blip.h"
#include "errors.h"
#include "fp32_gemm.h"

namespace glimpse::blip {

BlipVisionEmbeddingsImpl::BlipVisionEmbeddingsImpl(const BlipVisionConfig& c) {
  const int64_t num_positions = (c.image_size / c.patch_size) * (c.image_size / c.patch_size) + 1;
  class_embedding = register_parameter("class_embedding", at::empty({1, 1, c.hidden_size}), false);
  patch_embedding = register_module("patch_embedding", PatchConv2d(3, c.hidden_size, c.patch_size));
  position_embedding = register_parameter("position_embedding", at::empty({1, num_positions, c.hidden_size}), false);
}

at::Tensor BlipVisionEmbeddingsImpl::forward(const at::Tensor& pixel_values) {
  const int64_t batch = pixel_values.size(0);
  // [B, N, D]; the residual stream is float32 in every mode
  at::Tensor patches = to_dtype(patch_embedding->forward(pixel_values), at::kFloat);
  at::Tensor cls = class_embedding.expand({batch, 1, class_embedding.size(2)});
  at::Tensor emb = at::cat({cls, patches}, /*dim=*/1);
  if (emb.size(1) > position_embedding.size(1))
    throw BlipError("image gives " + std::to_string(emb.size(1)) + " tokens but the model has " +
                    std::to_string(position_embedding.size(1)) + " positions");
  return emb + position_embedding.slice(/*dim=*/1, 0, emb.size(1));
}

BlipAttentionImpl::BlipAttentionImpl(const BlipVisionConfig& c)
    : heads(c.num_attention_heads),
      head_dim(c.hidden_size / c.num_attention_heads),
      scale(std::pow(static_cast<double>(c.hidden_size / c.num_attention_heads), -0.5)) {
  int exponent = 0;
  scale_queries = std::frexp(scale, &exponent) == 0.5;
  qkv = register_module("qkv", Linear(c.hidden_size, 3 * c.hidden_size));
  projection = register_module("projection", Linear(c.hidden_size, c.hidden_size));
}

at::Tensor BlipAttentionImpl::forward(const at::Tensor& x, const at::Tensor& residual) {
  const int64_t b = x.size(0), t = x.size(1);
  // [3, B, heads, T, hd]
  at::Tensor mixed = qkv->forward(x).reshape({b, t, 3, heads, head_dim}).permute({2, 0, 3, 1, 4});
  at::Tensor q = mixed[0], k = mixed[1], v = mixed[2];
  // float32 or bf16 on oneDNN: the whole attention in one pass per head, the scale applied in the
  // product.
  if (at::Tensor ctx = fused_attention(q, k, v, scale); ctx.defined())
    return projection->forward(ctx, Epilogue::None, residual);
  // transformers scales the scores; for a power-of-two scale (BLIP's head size 64 gives 1/8),
  // scaling the queries instead is exact and touches 577 x 64 values per head, not 577 x 577.
  at::Tensor scores =
      scale_queries ? fp32_matmul(q * scale, k.transpose(-1, -2)) : fp32_matmul(q, k.transpose(-1, -2)) * scale;
  at::Tensor ctx = fp32_matmul(softmax_like(scores, v), v);  // [B, heads, T, hd]
  return projection->forward(ctx.permute({0, 2, 1, 3}).reshape({b, t, heads * head_dim}), Epilogue::None, residual);
}

at::Tensor BlipAttentionImpl::forward_first(const at::Tensor& x, const at::Tensor& residual) {
  const int64_t b = x.size(0), t = x.size(1);
  at::Tensor mixed = qkv->forward(x).reshape({b, t, 3, heads, head_dim}).permute({2, 0, 3, 1, 4});
  // [B, heads, 1, hd] against [B, heads, T, hd]: one query row a head, so no fused kernel; float32
  // in the bf16 mode too (bfloat16 products would round the scores)
  const at::Tensor q = to_dtype(mixed[0].narrow(/*dim=*/2, 0, 1), at::kFloat);
  const at::Tensor k = to_dtype(mixed[1], at::kFloat), v = to_dtype(mixed[2], at::kFloat);
  const at::Tensor ctx = at::matmul(at::softmax(at::matmul(q, k.transpose(-1, -2)) * scale, -1), v);
  return projection->forward_packed(ctx.permute({0, 2, 1, 3}).reshape({b, 1, heads * head_dim}), Epilogue::None,
                                    residual.narrow(/*dim=*/1, 0, 1));
}

BlipMLPImpl::BlipMLPImpl(int64_t hidden, int64_t intermediate) {
  fc1 = register_module("fc1", Linear(hidden, intermediate));
  fc2 = register_module("fc2", Linear(intermediate, hidden));
}

// On a Xeon with AMX (family 6 model 207, 2 threads), oneDNN 2.6's bf16 product of 577 rows by a
// [K x 768] weight ran at 3.16 TFLOP/s for K = 1024, 2.50 for 1536, 2.23 for 2048 and 1.94 for
// 3072, the ViT-B MLP's fc2 (its fc1, [768 x 3072], at 2.79). Its src must be dense to run in
// tiles, so fc2 cannot be cut along K in place; cut with fc1 into slices of the intermediate
// features, each slice's GELU output is a dense product of its own, read by the slice's fc2
// product while it is in cache. The MLP took 2.57-2.60 against 2.78-2.87 ms in three slices (2.63
// in two, 2.74 in four, 2.92 in six), a bf16 image encode 61-69 against 67-75 ms in alternating
// processes (docs/performance.md, twenty-seventh round). Elsewhere (no AMX, no oneDNN, float32,
// int8, or bf16 products widened) the products run whole, as they do where the slices cannot run
// packed (forward_slices then gives up on them until fc1 and fc2 are set to a precision again).
// (GLIMPSE_BF16_ATTENTION does not enter into it: it chooses the attention's unit only. Where
// oneDNN is kept from AMX, ONEDNN_MAX_CPU_ISA, the slices still run, on its other kernels.)
int64_t BlipMLPImpl::hidden_slices() const {
  const int64_t f = fc1->weight.size(0);
  if (fc1->precision() != Precision::BFloat16 || f <= kHiddenSlice || f % kHiddenSlice != 0 ||
      !onednn_gemm_available() || !bf16_gemm_rate().bf16_faster || !amx_bf16_granted() || fc1->slices_given_up() ||
      fc2->slices_given_up())
    return 0;
  return f / kHiddenSlice;
}

at::Tensor BlipMLPImpl::forward_slices(const at::Tensor& x, const at::Tensor& residual, int64_t slices) {
  at::Tensor y = residual;
  for (int64_t p = 0; p < slices; ++p) {
    const at::Tensor h = fc1->forward_part(x, LinearImpl::Slice::Outputs, p, slices, Epilogue::Gelu, at::Tensor());
    // The first slice's product adds the residual into a new output (the residual is the
    // caller's); without one, the output would be bfloat16, and the slices' sums must add in
    // float32. The later ones add into that output in place: a product writing into the buffer it
    // reads found it in cache, the MLP took 2.59-2.63 against 2.82-2.90 ms with a new output for
    // each (docs/performance.md, twenty-seventh round).
    if (h.defined() && p == 0)
      y = fc2->forward_part(h, LinearImpl::Slice::Inputs, p, slices, Epilogue::None, y);
    else if (!h.defined() || !fc2->add_part(h, p, slices, y))
      y = at::Tensor();
    if (!y.defined()) {
      // A slice that cannot run packed (a later row count whose kernel reads another layout, a
      // reference kernel, a residual that is not float32): both layers whole from now on, neither
      // keeping slices beside its whole packed copy (until they are set to a precision again).
      fc1->drop_slices();
      fc2->drop_slices();
      return {};
    }
  }
  return y;
}

at::Tensor BlipMLPImpl::forward(const at::Tensor& x, const at::Tensor& residual) {
  const int64_t rows = x.numel() / std::max<int64_t>(1, x.size(-1));
  if (const int64_t slices = hidden_slices(); slices && residual.defined() && rows >= pack_min_rows())
    if (at::Tensor y = forward_slices(x, residual, slices); y.defined()) return y;
  return fc2->forward(fc1->forward(x, Epilogue::Gelu, at::Tensor()), Epilogue::None, residual);
}

at::Tensor BlipMLPImpl::forward_packed(const at::Tensor& x, const at::Tensor& residual) {
  // (the slices where the layer's products of many rows run in them: no whole copy beside them)
  if (const int64_t slices = hidden_slices(); slices && residual.defined())
    if (at::Tensor y = forward_slices(x, residual, slices); y.defined()) return y;
  return fc2->forward_packed(fc1->forward_packed(x, Epilogue::Gelu, at::Tensor()), Epilogue::None, residual);
}

BlipEncoderLayerImpl::BlipEncoderLayerImpl(const BlipVisionConfig& c) {
  self_attn = register_module("self_attn", BlipAttention(c));
  layer_norm1 = register_module("layer_norm1", LayerNorm(c.hidden_size, c.layer_norm_eps));
  mlp = register_module("mlp", BlipMLP(c.hidden_size, c.intermediate_size));
  layer_norm2 = register_module("layer_norm2", LayerNorm(c.hidden_size, c.layer_norm_eps));
}

at::Tensor BlipEncoderLayerImpl::forward(const at::Tensor& x) {
  const at::Tensor h = self_attn->forward(layer_norm1->forward_for(x, self_attn->qkv->precision()), x);
  return mlp->forward(layer_norm2->forward_for(h, mlp->fc1->precision()), h);
}

at::Tensor BlipEncoderLayerImpl::forward_first(const at::Tensor& x) {
  const at::Tensor h = self_attn->forward_first(layer_norm1->forward_for(x, self_attn->qkv->precision()), x);
  const at::Tensor n = layer_norm2->forward_for(h, mlp->fc1->precision());
  return mlp->forward_packed(n, h);
}

BlipEncoderImpl::BlipEncoderImpl(const BlipVisionConfig& c) {
  layers_list = register_module("layers", torch::nn::ModuleList());
  for (int i = 0; i < c.num_hidden_layers; ++i) {
    layers.emplace_back(c);
    layers_list->push_back(layers.back());
  }
}

BlipVisionModelImpl::BlipVisionModelImpl(const BlipVisionConfig& c) : config(c) {
  embeddings = register_module("embeddings", BlipVisionEmbeddings(c));
  encoder = register_module("encoder", BlipEncoder(c));
  post_layernorm = register_module("post_layernorm", LayerNorm(c.hidden_size, c.layer_norm_eps));
}

namespace {
void check_pixels(const at::Tensor& pixel_values, const BlipVisionConfig& config) {
  if (pixel_values.dim() != 4 || pixel_values.size(1) != 3 || pixel_values.size(2) != config.image_size ||
      pixel_values.size(3) != config.image_size)
    throw BlipError("pixel_values must be [B, 3, " + std::to_string(config.image_size) + ", " +
                    std::to_string(config.image_size) + "]");
}
}  // namespace

at::Tensor BlipVisionModelImpl::first_token(const at::Tensor& pixel_values) {
  check_pixels(pixel_values, config);
  constexpr int64_t kPass = kImagesPerVisionPass;
  if (pixel_values.size(0) > kPass) {
    std::vector<at::Tensor> parts;
    for (int64_t i = 0; i < pixel_values.size(0); i += kPass)
      parts.push_back(first_token(pixel_values.slice(/*dim=*/0, i, std::min(i + kPass, pixel_values.size(0)))));
    return at::cat(parts);
  }
  at::Tensor h = embeddings->forward(pixel_values);
  auto& layers = encoder->layers;
  if (layers.empty()) return post_layernorm->forward(h).select(/*dim=*/1, 0);
  for (size_t i = 0; i + 1 < layers.size(); ++i) h = layers[i]->forward(h);
  return post_layernorm->forward(layers.back()->forward_first(h)).select(/*dim=*/1, 0);
}

VisionOutput BlipVisionModelImpl::forward(const at::Tensor& pixel_values, bool output_hidden_states) {
  check_pixels(pixel_values, config);
  VisionOutput out;
  constexpr int64_t kPass = kImagesPerVisionPass;
  if (pixel_values.size(0) > kPass && !output_hidden_states) {
    // At most kImagesPerVisionPass images in one pass through the layers (see blip.h).
    std::vector<at::Tensor> last, pooled;
    for (int64_t i = 0; i < pixel_values.size(0); i += kPass) {
      VisionOutput part = forward(pixel_values.slice(/*dim=*/0, i, std::min(i + kPass, pixel_values.size(0))));
      last.push_back(part.last_hidden_state);
      pooled.push_back(part.pooler_output);
    }
    out.last_hidden_state = at::cat(last);
    out.pooler_output = at::cat(pooled);
    return out;
  }
  at::Tensor h = embeddings->forward(pixel_values);
  if (output_hidden_states) out.hidden_states.push_back(h);
  for (auto& layer : encoder->layers) {
    h = layer->forward(h);
    if (output_hidden_states) out.hidden_states.push_back(h);
  }
  out.last_hidden_state = post_layernorm->forward(h);
  // As in transformers, the pooled output applies post_layernorm a second time to the CLS token.
  out.pooler_output = post_layernorm->forward(out.last_hidden_state.select(/*dim=*/1, 0));
  return out;
}

BlipForConditionalGenerationImpl::BlipForConditionalGenerationImpl(const BlipConfig& c) {
  vision_model = register_module("vision_model", BlipVisionModel(c.vision_config));
  text_decoder = register_module("text_decoder", BlipTextLMHeadModel(c.text_config));
}

BlipForQuestionAnsweringImpl::BlipForQuestionAnsweringImpl(const BlipConfig& c) {
  vision_model = register_module("vision_model", BlipVisionModel(c.vision_config));
  text_encoder = register_module("text_encoder", BlipTextModel(c.text_config));
  text_decoder = register_module("text_decoder", BlipTextLMHeadModel(c.text_config));
}

BlipForImageTextRetrievalImpl::BlipForImageTextRetrievalImpl(const BlipConfig& c) {
  vision_model = register_module("vision_model", BlipVisionModel(c.vision_config));
  text_encoder = register_module("text_encoder", BlipTextModel(c.text_config));
  vision_proj = register_module("vision_proj", Linear(c.vision_config.hidden_size, c.image_text_hidden_size));
  text_proj = register_module("text_proj", Linear(c.text_config.hidden_size, c.image_text_hidden_size));
  itm_head = register_module("itm_head", Linear(c.text_config.hidden_size, 2));
}

at::Tensor BlipForImageTextRetrievalImpl::itm_logits(const at::Tensor& image_embeds, const at::Tensor& input_ids,
                                                     const at::Tensor& attention_mask) {
  TextForwardOptions o;
  o.encoder_hidden_states = image_embeds;
  at::Tensor q = text_encoder->forward(input_ids, attention_mask, o);  // [pairs, L, D_t]
  return itm_head->forward(q.select(/*dim=*/1, 0)).to(at::kFloat);
}

namespace {
at::Tensor l2_normalize(const at::Tensor& x) {
  // torch.nn.functional.normalize(x, dim=-1): x / max(||x||, 1e-12)
  const at::Tensor f = x.to(at::kFloat);  // bf16 mode: the projection's output is bfloat16
  return f / f.norm(2, /*dim=*/-1, /*keepdim=*/true).clamp_min(1e-12);
}
}  // namespace

at::Tensor BlipForImageTextRetrievalImpl::image_features(const at::Tensor& image_embeds) {
  return image_features_of_first(image_embeds.select(/*dim=*/1, 0));
}

at::Tensor BlipForImageTextRetrievalImpl::image_features_of_first(const at::Tensor& first_token) {
  return l2_normalize(vision_proj->forward(first_token));
}

at::Tensor BlipForImageTextRetrievalImpl::text_features(const at::Tensor& input_ids, const at::Tensor& attention_mask) {
  at::Tensor h = text_encoder->forward(input_ids, attention_mask, TextForwardOptions{});
  return l2_normalize(text_proj->forward(h.select(/*dim=*/1, 0)));
}

const char* head_class_name(BlipHead head) {
  switch (head) {
    case BlipHead::Captioning:
      return "BlipForConditionalGeneration";
    case BlipHead::QuestionAnswering:
      return "BlipForQuestionAnswering";
    case BlipHead::Retrieval:
      return "BlipForImageTextRetrieval";
  }
  return "?";
}

namespace {

std::shared_ptr<torch::nn::Module> make_head(const BlipConfig& config, BlipHead head) {
  switch (head) {
    case BlipHead::Captioning:
      return BlipForConditionalGeneration(config).ptr();
    case BlipHead::QuestionAnswering:
      return BlipForQuestionAnswering(config).ptr();
    case BlipHead::Retrieval:
      return BlipForImageTextRetrieval(config).ptr();
  }
  return nullptr;
}

std::string shape_str(at::IntArrayRef s) {
  std::ostringstream os;
  os << '[';
  for (size_t i = 0; i < s.size(); ++i) os << (i ? ", " : "") << s[i];
  os << ']';
  return os.str();
}

}  // namespace

std::map<std::string, std::vector<int64_t>> head_tensor_shapes(const BlipConfig& config, BlipHead head) {
  std::map<std::string, std::vector<int64_t>> out;
  // Parameters are allocated uninitialised and never touched, so this costs no real memory.
  for (const auto& p : make_head(config, head)->named_parameters(/*recurse=*/true))
    out.emplace(p.key(), p.value().sizes().vec());
  return out;
}

LoadReport load_head_weights(torch::nn::Module& head, BlipHead kind, const BlipConfig& config,
                             const TensorMap& weights) {
  LoadReport report;
  std::vector<std::string> missing, wrong_shape, unexpected;
  std::set<std::string> used;
  std::vector<std::pair<at::Tensor, at::Tensor>> assignments;
  for (auto& p : head.named_parameters(/*recurse=*/true)) {
    const std::string& name = p.key();
    auto it = weights.tensors.find(name);
    // Tied tensors (checkpoint.h), as in transformers: a missing parameter is filled from its alias.
    for (const auto& tie : tied_tensors()) {
      if (it != weights.tensors.end() || name != tie.parameter) continue;
      it = weights.tensors.find(tie.alias);
      if (it != weights.tensors.end()) report.tied.push_back(name + " <- " + tie.alias);
    }
    if (it == weights.tensors.end()) {
      missing.push_back(name);
      continue;
    }
    used.insert(it->first);
    if (!it->second.sizes().equals(p.value().sizes())) {
      wrong_shape.push_back(name + ": got " + shape_str(it->second.sizes()) + " expected " +
                            shape_str(p.value().sizes()));
      continue;
    }
    if (it->second.scalar_type() != at::kFloat) {
      wrong_shape.push_back(name + ": got dtype " + std::string(c10::toString(it->second.scalar_type())) +
                            " expected float");
      continue;
    }
    assignments.emplace_back(p.value(), it->second);
  }
  // Every other key must belong to some BLIP head, be an alias of a tied tensor, or a legacy buffer.
  std::set<std::string> known;
  for (BlipHead other : {BlipHead::Captioning, BlipHead::QuestionAnswering, BlipHead::Retrieval})
    if (other != kind)
      for (const auto& [n, s] : head_tensor_shapes(config, other)) known.insert(n);
  for (const auto& tie : tied_tensors()) known.insert(tie.alias);
  for (const auto& [name, tensor] : weights.tensors) {
    if (used.count(name)) continue;
    if (known.count(name) || is_legacy_buffer(name)) {
      report.ignored.push_back(name);
      continue;
    }
    unexpected.push_back(name + " " + shape_str(tensor.sizes()));
  }
  if (!missing.empty() || !wrong_shape.empty() || !unexpected.empty()) {
    std::ostringstream os;
    os << weights.source << " does not fit " << head_class_name(kind) << " with this config.json:";
    auto list = [&](const char* title, const std::vector<std::string>& items) {
      if (items.empty()) return;
      os << "\n  " << title << " (" << items.size() << "):";
      for (const auto& s : items) os << "\n    " << s;
    };
    list("missing tensors", missing);
    list("tensors of the wrong shape", wrong_shape);
    list("tensors no BLIP head has", unexpected);
    throw BlipError(os.str());
  }
  for (auto& [param, value] : assignments) param.set_data(value);
  return report;
}

}  // namespace glimpse::blip
