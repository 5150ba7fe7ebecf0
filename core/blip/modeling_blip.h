#pragma once
// Port of transformers/models/blip/modeling_blip.py: the ViT vision model and the three BLIP heads
// (captioning, VQA, image-text retrieval), plus the strict checkpoint loader.
#include <map>
#include <string>
#include <vector>

#include "modeling_blip_text.h"
#include "weights.h"

namespace glimpse::blip {

// BlipVisionEmbeddings: class_embedding and position_embedding are raw parameters.
struct BlipVisionEmbeddingsImpl : torch::nn::Module {
  explicit BlipVisionEmbeddingsImpl(const BlipVisionConfig& config);
  at::Tensor forward(const at::Tensor& pixel_values);  // [B, 3, H, W] -> [B, N+1, D]
  at::Tensor class_embedding, position_embedding;
  PatchConv2d patch_embedding{nullptr};
};
TORCH_MODULE(BlipVisionEmbeddings);

// BlipAttention: fused qkv + projection
struct BlipAttentionImpl : torch::nn::Module {
  explicit BlipAttentionImpl(const BlipVisionConfig& config);
  // residual + attention(x)
  at::Tensor forward(const at::Tensor& x, const at::Tensor& residual);
  // The same for the first token only, [B, 1, D]: its query against every token's key and value,
  // in float32 whatever the mode.
  at::Tensor forward_first(const at::Tensor& x, const at::Tensor& residual);
  Linear qkv{nullptr}, projection{nullptr};
  int64_t heads, head_dim;
  double scale;
  bool scale_queries;  // scale is a power of two: scaling the queries is exact
};
TORCH_MODULE(BlipAttention);

// BlipMLP
struct BlipMLPImpl : torch::nn::Module {
  BlipMLPImpl(int64_t hidden, int64_t intermediate);
  // residual + fc2(gelu(fc1(x))); GELU and the residual add run inside the products when they can.
  at::Tensor forward(const at::Tensor& x, const at::Tensor& residual);
  // The same through the packed products for any number of rows where the weights are packed
  // (LinearImpl::forward_packed: bf16; float32 once packing paid for the layer's products of many
  // rows, pack_now); the first token's, BlipVisionModel::first_token.
  at::Tensor forward_packed(const at::Tensor& x, const at::Tensor& residual);
  // How many slices of kHiddenSlice intermediate features its products run in (0: whole): in
  // the bf16 mode where AMX tiles are granted, an intermediate size of several such slices, until
  // a slice could not run (then whole until fc1 and fc2 are set to a precision again). Each
  // slice's fc1 product (GELU inside), then its fc2 product adding to the float32 output
  // (LinearImpl::forward_part); why, in modeling_blip.cpp.
  int64_t hidden_slices() const;
  static constexpr int64_t kHiddenSlice = 1024;
  Linear fc1{nullptr}, fc2{nullptr};

 private:
  // residual + fc2(gelu(fc1(x))) slice by slice; undefined where the slices cannot run packed.
  at::Tensor forward_slices(const at::Tensor& x, const at::Tensor& residual, int64_t slices);
};
TORCH_MODULE(BlipMLP);

// BlipEncoderLayer (pre-LN)
struct BlipEncoderLayerImpl : torch::nn::Module {
  explicit BlipEncoderLayerImpl(const BlipVisionConfig& config);
  at::Tensor forward(const at::Tensor& x);
  // The layer's output for the first token only, [B, 1, D] (the others enter as keys and values).
  at::Tensor forward_first(const at::Tensor& x);
  BlipAttention self_attn{nullptr};
  LayerNorm layer_norm1{nullptr}, layer_norm2{nullptr};
  BlipMLP mlp{nullptr};
};
TORCH_MODULE(BlipEncoderLayer);

// BlipEncoder
struct BlipEncoderImpl : torch::nn::Module {
  explicit BlipEncoderImpl(const BlipVisionConfig& config);
  torch::nn::ModuleList layers_list{nullptr};
  std::vector<BlipEncoderLayer> layers;
};
TORCH_MODULE(BlipEncoder);

struct VisionOutput {
  at::Tensor last_hidden_state;           // [B, N+1, D_v], after post_layernorm
  at::Tensor pooler_output;               // [B, D_v]
  std::vector<at::Tensor> hidden_states;  // embeddings + each layer, when asked for
};

// BlipVisionModel
struct BlipVisionModelImpl : torch::nn::Module {
  explicit BlipVisionModelImpl(const BlipVisionConfig& config);
  VisionOutput forward(const at::Tensor& pixel_values, bool output_hidden_states = false);
  // last_hidden_state[:, 0] ([B, D_v], the CLS token: all that ITC image embeddings read), with
  // the last layer computed for that token only. Its other tokens' rows, which nothing after the
  // layer would read, took about 6 % of an encode (docs/performance.md, twenty-sixth round).
  at::Tensor first_token(const at::Tensor& pixel_values);
  BlipVisionEmbeddings embeddings{nullptr};
  BlipEncoder encoder{nullptr};
  LayerNorm post_layernorm{nullptr};
  BlipVisionConfig config;
};
TORCH_MODULE(BlipVisionModel);

// BlipForConditionalGeneration (captioning)
struct BlipForConditionalGenerationImpl : torch::nn::Module {
  explicit BlipForConditionalGenerationImpl(const BlipConfig& config);
  BlipVisionModel vision_model{nullptr};
  BlipTextLMHeadModel text_decoder{nullptr};
};
TORCH_MODULE(BlipForConditionalGeneration);

// BlipForQuestionAnswering (VQA)
struct BlipForQuestionAnsweringImpl : torch::nn::Module {
  explicit BlipForQuestionAnsweringImpl(const BlipConfig& config);
  BlipVisionModel vision_model{nullptr};
  BlipTextModel text_encoder{nullptr};
  BlipTextLMHeadModel text_decoder{nullptr};
};
TORCH_MODULE(BlipForQuestionAnswering);

// BlipForImageTextRetrieval (ITM head, ITC projections)
struct BlipForImageTextRetrievalImpl : torch::nn::Module {
  explicit BlipForImageTextRetrievalImpl(const BlipConfig& config);
  // ITM logits [pairs, 2] of text rows against image_embeds rows (one image per text row).
  at::Tensor itm_logits(const at::Tensor& image_embeds, const at::Tensor& input_ids, const at::Tensor& attention_mask);
  at::Tensor image_features(const at::Tensor& image_embeds);          // normalised [B, E]
  at::Tensor image_features_of_first(const at::Tensor& first_token);  // the same from image_embeds[:, 0]
  at::Tensor text_features(const at::Tensor& input_ids, const at::Tensor& attention_mask);  // normalised [T, E]
  BlipVisionModel vision_model{nullptr};
  BlipTextModel text_encoder{nullptr};
  Linear vision_proj{nullptr}, text_proj{nullptr}, itm_head{nullptr};
};
TORCH_MODULE(BlipForImageTextRetrieval);

enum class BlipHead { Captioning, QuestionAnswering, Retrieval };
const char* head_class_name(BlipHead head);  // Hugging Face class name

// name -> shape of every parameter a head has (equals the keys save_pretrained writes for it).
std::map<std::string, std::vector<int64_t>> head_tensor_shapes(const BlipConfig& config, BlipHead head);

struct LoadReport {
  std::vector<std::string> ignored;  // keys of other BLIP heads and legacy buffers
  std::vector<std::string> tied;     // parameters filled from a tied tensor
};

// Strict loading by Hugging Face names. Throws BlipError listing, all at once, every missing
// tensor, every tensor of the wrong shape ("got [..] expected [..]") and every key no BLIP head
// knows. Keys of other BLIP heads and legacy buffers are ignored, as transformers does.
LoadReport load_head_weights(torch::nn::Module& head, BlipHead kind, const BlipConfig& config,
                             const TensorMap& weights);

}  // namespace glimpse::blip
