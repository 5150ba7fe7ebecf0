#pragma once
// Port of transformers/models/blip/modeling_blip_text.py: the BERT-style text encoder/decoder
// with optional cross-attention to image (or question) states, and its LM head. Module and
// parameter names equal Hugging Face's, so named_parameters() equals the checkpoint keys.
#include <torch/nn/modules/container/modulelist.h>

#include <optional>
#include <vector>

#include "configuration_blip.h"
#include "nn_layers.h"

namespace glimpse::blip {

// Per-layer attention cache of one decoding session.
struct TextLayerCache {
  at::Tensor self_key, self_value;  // [rows, heads, past, head_dim]
  // Where the decoder steps' self-attention keeps them (small_self_attention_step): [rows, heads,
  // capacity, head_dim], self_key and self_value being views of their first `past` positions. A
  // step writes its keys into them in place, so a copy of a cache must not step on.
  at::Tensor self_key_room, self_value_room;
  // [items, heads, enc_len, head_dim], shared by the rows of an item; bfloat16 in the bf16 mode
  at::Tensor cross_key, cross_value;
  // Room in the self rooms for `more` positions after the cached ones: new rooms with the cached
  // positions copied when they are missing, too small, or no longer hold the cache (a path that
  // joined tensors made it anew).
  void make_self_room(int64_t rows, int64_t heads, int64_t head_dim, int64_t more);
  // Makes self_key and self_value the views of their rooms' first `length` positions (at most the
  // rooms' capacity). A view that already lies at the start of its room, held by this cache alone,
  // only grows in place: a new view cost about 3 us a step and layer, cold after the weights had
  // streamed through the caches.
  void view_self_rooms(int64_t length);
};

struct TextCache {
  std::vector<TextLayerCache> layers;
  int64_t past_length = 0;
  // Rows per cross-attention item: beams (or return sequences) of one image share its keys/values.
  int64_t rows_per_item = 1;
  // Keeps rows `index` of every self-attention cache (beam reordering), copying the moved rows'
  // cached positions.
  void reorder(const at::Tensor& index);
  // The same without copies where the last step was text_decoder_step's and every layer keeps its
  // keys and values in rooms of `index`'s rows (else as reorder): only `history` changes, and
  // text_decoder_step reads each row's positions through it. Anything else that reads the caches
  // calls settle first.
  void reorder_by_history(const at::Tensor& index);
  // Copies each row's positions from where `history` says they are into the row's own, as
  // reorder would have, and empties it.
  void settle();
  // Row r's cached positions p < history_len are in the rooms' row history[r * history_len + p];
  // its later positions, and all of them when `history` is empty, are its own.
  std::vector<int32_t> history;
  int64_t history_len = 0;
  // The model and number of rows of the last step where it was text_decoder_step's (the next one
  // likely is too), else none: text_decoder_step_runs then checks only what a step can change.
  // Cleared by any other step, by a step until it ends, and by a reordering that copies the rows.
  const void* fused_model = nullptr;
  int64_t fused_rows = 0;
  bool last_step_fused() const { return fused_model != nullptr; }

 private:
  // Composes `history` with the reordering `rows` (checked) where every layer keeps its keys and
  // values in rooms of its rows, all of one length; false (nothing changed) otherwise.
  bool compose_history(const at::Tensor& rows);
};

// BlipTextSelfAttention (self or cross)
struct BlipTextSelfAttentionImpl : torch::nn::Module {
  BlipTextSelfAttentionImpl(const BlipTextConfig& config, bool is_cross_attention);
  // hidden: [rows, L, D]; mask: additive [rows, 1, L, S] or undefined
  at::Tensor forward(const at::Tensor& hidden, const at::Tensor& mask, const at::Tensor& encoder_hidden_states,
                     TextLayerCache* cache, int64_t rows_per_item);
  Linear query{nullptr}, key{nullptr}, value{nullptr};
  int64_t heads, head_dim;
  bool is_cross;
  // bf16 mode, self-attention: the query, key and value weights stacked into one matrix in tiles
  // (fuse_bf16_tiles), made at the first call and again after set_precision; undefined where the
  // tiles cannot stack.
  FusedBf16Linear qkv_weights();

 private:
  // A self-attention decoder step in the bf16 mode: q, k and v of [rows, L, D] as one product
  // [rows, L, 3D] over their fused weights (made at the first such step); undefined otherwise.
  at::Tensor fused_qkv(const at::Tensor& hidden);
  std::mutex fuse_mutex_;
  FusedBf16Linear qkv_;
};
TORCH_MODULE(BlipTextSelfAttention);

// BlipTextSelfOutput
struct BlipTextSelfOutputImpl : torch::nn::Module {
  explicit BlipTextSelfOutputImpl(const BlipTextConfig& config);
  at::Tensor forward(const at::Tensor& hidden, const at::Tensor& input) {
    return LayerNorm->forward(dense->forward(hidden, Epilogue::None, input));
  }
  Linear dense{nullptr};
  glimpse::blip::LayerNorm LayerNorm{nullptr};
};
TORCH_MODULE(BlipTextSelfOutput);

// BlipTextAttention
struct BlipTextAttentionImpl : torch::nn::Module {
  BlipTextAttentionImpl(const BlipTextConfig& config, bool is_cross_attention);
  at::Tensor forward(const at::Tensor& hidden, const at::Tensor& mask, const at::Tensor& encoder_hidden_states,
                     TextLayerCache* cache, int64_t rows_per_item) {
    return output->forward(self->forward(hidden, mask, encoder_hidden_states, cache, rows_per_item), hidden);
  }
  BlipTextSelfAttention self{nullptr};
  BlipTextSelfOutput output{nullptr};
};
TORCH_MODULE(BlipTextAttention);

// BlipTextIntermediate + BlipTextOutput share this shape: dense (+ LayerNorm)
struct BlipTextIntermediateImpl : torch::nn::Module {
  explicit BlipTextIntermediateImpl(const BlipTextConfig& config);
  at::Tensor forward(const at::Tensor& x) { return dense->forward(x, Epilogue::Gelu, at::Tensor()); }
  Linear dense{nullptr};
};
TORCH_MODULE(BlipTextIntermediate);

struct BlipTextOutputImpl : torch::nn::Module {
  explicit BlipTextOutputImpl(const BlipTextConfig& config);
  at::Tensor forward(const at::Tensor& hidden, const at::Tensor& input) {
    return LayerNorm->forward(dense->forward(hidden, Epilogue::None, input));
  }
  Linear dense{nullptr};
  glimpse::blip::LayerNorm LayerNorm{nullptr};
};
TORCH_MODULE(BlipTextOutput);

// The text model's refusals of its input (BlipError), the same from BlipTextModel::forward and
// from the bf16 decoder step (text_decoder_step.h): `positions` past max_positions, a token id
// outside [0, vocab), an attention mask not of [rows, positions].
void check_text_positions(int64_t positions, int64_t max_positions);
void check_token_ids(int64_t min_id, int64_t max_id, int64_t vocab);
void check_attention_mask(const at::Tensor& mask, int64_t rows, int64_t positions);

// BlipTextLayer
struct BlipTextLayerImpl : torch::nn::Module {
  explicit BlipTextLayerImpl(const BlipTextConfig& config);
  at::Tensor forward(const at::Tensor& hidden, const at::Tensor& mask, const at::Tensor& encoder_hidden_states,
                     bool use_cross, TextLayerCache* cache, int64_t rows_per_item);
  BlipTextAttention attention{nullptr};
  BlipTextAttention crossattention{nullptr};
  BlipTextIntermediate intermediate{nullptr};
  BlipTextOutput output{nullptr};
};
TORCH_MODULE(BlipTextLayer);

// BlipTextEmbeddings
struct BlipTextEmbeddingsImpl : torch::nn::Module {
  explicit BlipTextEmbeddingsImpl(const BlipTextConfig& config);
  at::Tensor forward(const at::Tensor& input_ids, int64_t past_length);
  Embedding word_embeddings{nullptr}, position_embeddings{nullptr};
  glimpse::blip::LayerNorm LayerNorm{nullptr};
  int64_t max_positions;
};
TORCH_MODULE(BlipTextEmbeddings);

// BlipTextEncoder
struct BlipTextEncoderImpl : torch::nn::Module {
  explicit BlipTextEncoderImpl(const BlipTextConfig& config);
  torch::nn::ModuleList layer{nullptr};
  std::vector<BlipTextLayer> layers;
};
TORCH_MODULE(BlipTextEncoder);

struct TextForwardOptions {
  bool is_decoder = false;                        // causal self-attention
  at::Tensor encoder_hidden_states;               // [items, N, D_enc] or undefined (no cross-attention)
  TextCache* cache = nullptr;                     // decoding session state
  std::vector<at::Tensor>* all_hidden = nullptr;  // collects embeddings + every layer's output
};

// BlipTextModel (add_pooling_layer=False)
struct BlipTextModelImpl : torch::nn::Module {
  explicit BlipTextModelImpl(const BlipTextConfig& config);
  // input_ids: [rows, L]; attention_mask: [rows, past + L] of 0/1 or undefined. Returns [rows, L, D].
  at::Tensor forward(const at::Tensor& input_ids, const at::Tensor& attention_mask, const TextForwardOptions& options);
  TextCache make_cache(int64_t rows_per_item) const;
  BlipTextEmbeddings embeddings{nullptr};
  BlipTextEncoder encoder{nullptr};
  BlipTextConfig config;
};
TORCH_MODULE(BlipTextModel);

// BlipTextPredictionHeadTransform
struct BlipTextPredictionHeadTransformImpl : torch::nn::Module {
  explicit BlipTextPredictionHeadTransformImpl(const BlipTextConfig& config);
  at::Tensor forward(const at::Tensor& x) {
    return LayerNorm->forward(dense->forward(x, Epilogue::Gelu, at::Tensor()));
  }
  Linear dense{nullptr};
  glimpse::blip::LayerNorm LayerNorm{nullptr};
};
TORCH_MODULE(BlipTextPredictionHeadTransform);

// BlipTextLMPredictionHead: decoder.bias is tied to bias and stored once, as `bias`.
struct BlipTextLMPredictionHeadImpl : torch::nn::Module {
  explicit BlipTextLMPredictionHeadImpl(const BlipTextConfig& config);
  at::Tensor forward(const at::Tensor& x) { return decoder->forward(transform->forward(x), bias); }  // float32 logits
  BlipTextPredictionHeadTransform transform{nullptr};
  Linear decoder{nullptr};
  at::Tensor bias;
};
TORCH_MODULE(BlipTextLMPredictionHead);

// BlipTextOnlyMLMHead
struct BlipTextOnlyMLMHeadImpl : torch::nn::Module {
  explicit BlipTextOnlyMLMHeadImpl(const BlipTextConfig& config);
  BlipTextLMPredictionHead predictions{nullptr};
};
TORCH_MODULE(BlipTextOnlyMLMHead);

// BlipTextLMHeadModel
struct BlipTextLMHeadModelImpl : torch::nn::Module {
  explicit BlipTextLMHeadModelImpl(const BlipTextConfig& config);
  // Logits [rows, L, V] (every position, or only the last one when last_only).
  at::Tensor forward(const at::Tensor& input_ids, const at::Tensor& attention_mask, const TextForwardOptions& options,
                     bool last_only = false);
  // For the bf16 mode, where decoder steps run the few-row kernels (call before the rest of the
  // model goes to the mode): the layers a step reads put in it with their weights in tiles in one
  // block, in the order the step reads them (gather_bf16_tiles), each self-attention's query,
  // key and value one after another (their fused product is a view of them). Elsewhere nothing.
  void gather_step_weights();
  BlipTextModel bert{nullptr};
  BlipTextOnlyMLMHead cls{nullptr};
};
TORCH_MODULE(BlipTextLMHeadModel);

}  // namespace glimpse::blip
