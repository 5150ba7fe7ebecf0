#include "modeling_blip_text.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "errors.h"
#include "fp32_gemm.h"
#include "small_gemm.h"
#include "step_team.h"
#include "text_decoder_step.h"

namespace glimpse::blip {

namespace {

// The beam reordering's rows [n] as int64, each checked to name one of the n rows.
at::Tensor reordered_rows(const at::Tensor& index) {
  at::Tensor rows = index.to(at::kLong).contiguous();
  const int64_t* from = rows.data_ptr<int64_t>();
  for (int64_t r = 0; r < rows.numel(); ++r)
    if (from[r] < 0 || from[r] >= rows.numel()) throw BlipError("beam reordering names a row the cache lacks");
  return rows;
}

// Whether every layer's cache lies in rooms of n rows (self_key a view of the room's first
// positions), as the decoder steps leave it.
bool in_rooms(const std::vector<TextLayerCache>& layers, int64_t n) {
  return std::all_of(layers.begin(), layers.end(), [&](const TextLayerCache& l) {
    return l.self_key.defined() && l.self_key_room.defined() && l.self_key.is_alias_of(l.self_key_room) &&
           l.self_value.is_alias_of(l.self_value_room) && l.self_key_room.size(0) == n;
  });
}

}  // namespace

bool TextCache::compose_history(const at::Tensor& rows) {
  const int64_t n = rows.numel();
  if (layers.empty() || !in_rooms(layers, n) ||
      (!history.empty() && static_cast<int64_t>(history.size()) != n * history_len))
    return false;
  const int64_t past = layers.front().self_key.size(2);
  for (const auto& l : layers)
    if (l.self_key.size(2) != past) return false;
  const int64_t* from = rows.data_ptr<int64_t>();
  // row r's position p, before this reordering: history's entry, or its own row past history_len
  std::vector<int32_t> next(static_cast<size_t>(n * past));
  for (int64_t r = 0; r < n; ++r)
    for (int64_t p = 0; p < past; ++p)
      next[static_cast<size_t>(r * past + p)] =
          p < history_len ? history[static_cast<size_t>(from[r] * history_len + p)] : static_cast<int32_t>(from[r]);
  history = std::move(next);
  history_len = past;
  return true;
}

void TextCache::reorder_by_history(const at::Tensor& index) {
  const at::Tensor rows = reordered_rows(index);
  if (!last_step_fused() || !compose_history(rows)) reorder(rows);
}

void TextCache::settle() {
  if (history.empty()) return;
  const int64_t len = history_len;
  for (const auto& l : layers)
    for (const at::Tensor* room : {&l.self_key_room, &l.self_value_room})
      TORCH_CHECK(
          room->dim() == 4 && static_cast<int64_t>(history.size()) == room->size(0) * len && room->size(2) >= len,
          "TextCache::settle: the history does not fit the cache");
  // Each row's positions held elsewhere, as runs of consecutive positions from one row: the same
  // for every layer and head (a plain reordering moves a row's positions as one run).
  struct Run {
    int64_t row, from, begin, end;
  };
  std::vector<Run> runs;
  const int64_t n = static_cast<int64_t>(history.size()) / len;
  for (int64_t r = 0; r < n; ++r)
    for (int64_t p = 0; p < len;) {
      const int64_t f = history[static_cast<size_t>(r * len + p)];
      int64_t q = p + 1;
      while (q < len && history[static_cast<size_t>(r * len + q)] == f) ++q;
      if (f != r) runs.push_back({r, f, p, q});
      p = q;
    }
  for (auto& l : layers) {
    for (at::Tensor* room : {&l.self_key_room, &l.self_value_room}) {
      const int64_t heads = room->size(1), capacity = room->size(2), head_dim = room->size(3);
      float* data = room->data_ptr<float>();
      auto pos = [&](int64_t row, int64_t h, int64_t p) {
        return data + ((row * heads + h) * capacity + p) * head_dim;
      };
      // every run gathered first, then written to its row (a row's positions may be read by
      // other rows before it is overwritten)
      thread_local std::vector<float> gathered;
      gathered.clear();
      for (const Run& run : runs)
        for (int64_t h = 0; h < heads; ++h)
          gathered.insert(gathered.end(), pos(run.from, h, run.begin), pos(run.from, h, run.end));
      const float* g = gathered.data();
      for (const Run& run : runs)
        for (int64_t h = 0; h < heads; ++h) {
          const int64_t floats = (run.end - run.begin) * head_dim;
          std::memcpy(pos(run.row, h, run.begin), g, static_cast<size_t>(floats) * sizeof(float));
          g += floats;
        }
    }
  }
  history.clear();
  history_len = 0;
}

void TextCache::reorder(const at::Tensor& index) {
  const at::Tensor rows = reordered_rows(index);
  // In rooms: the chosen rows' cached positions gathered in place (not index_select: a beam step
  // would copy the rooms' empty positions into new tensors); a row that keeps its own history (a
  // beam that stays where it was) is not copied.
  const bool in_place = compose_history(rows);
  settle();
  if (in_place) return;
  fused_model = nullptr;    // the next fused step checks the copies in full
  for (auto& l : layers) {  // (another number of rows: the next step makes new rooms)
    if (!l.self_key.defined()) continue;
    l.self_key = l.self_key.index_select(0, rows);
    l.self_value = l.self_value.index_select(0, rows);
  }
}

void TextLayerCache::make_self_room(int64_t rows, int64_t heads, int64_t head_dim, int64_t more) {
  const int64_t past = self_key.defined() ? self_key.size(2) : 0;
  if (self_key_room.defined() && self_key_room.size(0) == rows && self_key_room.size(2) >= past + more &&
      (past == 0 || (self_key.is_alias_of(self_key_room) && self_value.is_alias_of(self_value_room))))
    return;
  // room for a caption's worth of steps at once, then doubling
  const int64_t capacity = std::max<int64_t>(past + more + 32, 2 * past);
  for (auto [room, view] : {std::pair{&self_key_room, &self_key}, std::pair{&self_value_room, &self_value}}) {
    at::Tensor fresh = at::empty({rows, heads, capacity, head_dim}, at::TensorOptions().dtype(at::kFloat));
    if (past > 0) fresh.narrow(2, 0, past).copy_(*view);
    *room = fresh;
  }
}

void TextLayerCache::view_self_rooms(int64_t length) {
  for (auto [room, view] : {std::pair{&self_key_room, &self_key}, std::pair{&self_value_room, &self_value}}) {
    TORCH_CHECK(room->dim() == 4 && length <= room->size(2), "view_self_rooms: ", length, " positions in a room of ",
                room->dim() == 4 ? room->size(2) : 0);
    const bool at_start = view->defined() && view->use_count() == 1 && view->dim() == 4 && view->is_alias_of(*room) &&
                          view->storage_offset() == room->storage_offset() && view->strides() == room->strides() &&
                          view->size(0) == room->size(0) && view->size(1) == room->size(1) &&
                          view->size(3) == room->size(3) && view->unsafeGetTensorImpl()->allow_tensor_metadata_change();
    if (at_start)
      view->unsafeGetTensorImpl()->set_size(2, length);
    else
      *view = room->narrow(2, 0, length);
  }
}

BlipTextSelfAttentionImpl::BlipTextSelfAttentionImpl(const BlipTextConfig& c, bool is_cross_attention)
    : heads(c.num_attention_heads), head_dim(c.hidden_size / c.num_attention_heads), is_cross(is_cross_attention) {
  const int64_t kv_in = is_cross_attention ? c.encoder_hidden_size : c.hidden_size;
  query = register_module("query", Linear(c.hidden_size, c.hidden_size));
  key = register_module("key", Linear(kv_in, c.hidden_size));
  value = register_module("value", Linear(kv_in, c.hidden_size));
}

at::Tensor BlipTextSelfAttentionImpl::forward(const at::Tensor& hidden, const at::Tensor& mask,
                                              const at::Tensor& encoder_hidden_states, TextLayerCache* cache,
                                              int64_t rows_per_item) {
  const int64_t rows = hidden.size(0), len = hidden.size(1);
  // [n, T, D] -> [n, heads, T, head_dim]. In float32 even in the bf16 mode: the text model's
  // attention products are tiny (one query row per step), and bfloat16 products of that size
  // miss oneDNN and run in a slow scalar loop.
  auto split_heads = [&](const at::Tensor& x) {
    const at::Tensor f = to_dtype(x, at::kFloat);
    return f.view({f.size(0), f.size(1), heads, head_dim}).permute({0, 2, 1, 3});
  };
  const at::Tensor qkv = fused_qkv(hidden);
  const int64_t d = heads * head_dim;
  if (!is_cross && cache && len <= kSmallGemmMaxRows && small_self_attention_step_available(head_dim)) {
    // a decoder step: keys and values into the cache's room, attention straight into the layout
    // the output product reads
    const at::Tensor qf = to_dtype(qkv.defined() ? qkv.narrow(-1, 0, d) : query->forward(hidden), at::kFloat);
    const at::Tensor kf = to_dtype(qkv.defined() ? qkv.narrow(-1, d, d) : key->forward(hidden), at::kFloat);
    const at::Tensor vf = to_dtype(qkv.defined() ? qkv.narrow(-1, 2 * d, d) : value->forward(hidden), at::kFloat);
    cache->make_self_room(rows, heads, head_dim, len);
    const int64_t past = cache->self_key.defined() ? cache->self_key.size(2) : 0;
    at::Tensor ctx = small_self_attention_step(qf, kf, vf, cache->self_key_room, cache->self_value_room, past, mask,
                                               std::sqrt(static_cast<double>(head_dim)));
    cache->view_self_rooms(past + len);
    return ctx;
  }
  at::Tensor q = split_heads(qkv.defined() ? qkv.narrow(-1, 0, d) : query->forward(hidden));  // [rows, heads, L, hd]
  at::Tensor k, v;
  if (is_cross) {
    if (cache && cache->cross_key.defined()) {
      k = cache->cross_key;
      v = cache->cross_value;
    } else {
      // [items, heads, N, hd], computed once per image and shared by all rows of that item
      // Contiguous per head: every decoder step streams them. The bf16 mode keeps them in
      // bfloat16 (small_attention widens them as it reads), as its packed products give them
      // (products widened to float32 are rounded): half the bytes each step reads.
      const at::ScalarType keep = key->precision() == Precision::BFloat16 ? at::kBFloat16 : at::kFloat;
      auto split_keep = [&](const at::Tensor& x) {
        const at::Tensor y = x.scalar_type() == at::kBFloat16 ? x : to_dtype(x, keep);
        return y.view({y.size(0), y.size(1), heads, head_dim}).permute({0, 2, 1, 3}).contiguous();
      };
      k = split_keep(key->forward(encoder_hidden_states));
      v = split_keep(value->forward(encoder_hidden_states));
      if (cache) {
        cache->cross_key = k;
        cache->cross_value = v;
      }
    }
    const int64_t items = k.size(0);
    if (items * rows_per_item != rows) throw BlipError("cross-attention rows do not match the encoder batch");
    if (rows_per_item > 1) {
      // Fold the rows of one item into its query length: [items, heads, g*L, hd]. The
      // cross-attention mask is all ones, so every query row attends to all N positions alike.
      q = q.reshape({items, rows_per_item, heads, len, head_dim})
              .permute({0, 2, 1, 3, 4})
              .reshape({items, heads, rows_per_item * len, head_dim});
    }
  } else {
    k = split_heads(qkv.defined() ? qkv.narrow(-1, d, d) : key->forward(hidden));
    v = split_heads(qkv.defined() ? qkv.narrow(-1, 2 * d, d) : value->forward(hidden));
    if (cache) {
      if (cache->self_key.defined()) {
        k = at::cat({cache->self_key, k}, /*dim=*/2);
        v = at::cat({cache->self_value, v}, /*dim=*/2);
      }
      cache->self_key = k;
      cache->self_value = v;
    }
  }
  at::Tensor ctx;  // [n, heads, Lq, hd]
  if (q.size(2) <= kSmallGemmMaxRows) {
    ctx = small_attention(q, k, v, mask, std::sqrt(static_cast<double>(head_dim)));
  } else {
    const at::Tensor kf = to_dtype(k, at::kFloat), vf = to_dtype(v, at::kFloat);
    at::Tensor scores =
        fp32_matmul(q, kf.transpose(-1, -2)) / std::sqrt(static_cast<double>(head_dim));  // [n, heads, Lq, S]
    if (mask.defined()) scores = scores + mask;
    ctx = fp32_matmul(softmax_like(scores, vf), vf);
  }
  if (is_cross && rows_per_item > 1) {
    const int64_t items = k.size(0);
    ctx = ctx.reshape({items, heads, rows_per_item, len, head_dim})
              .permute({0, 2, 1, 3, 4})
              .reshape({rows, heads, len, head_dim});
  }
  return ctx.permute({0, 2, 1, 3}).reshape({rows, len, heads * head_dim});
}

FusedBf16Linear BlipTextSelfAttentionImpl::qkv_weights() {
  std::lock_guard<std::mutex> lock(fuse_mutex_);
  // made again when set_precision gave the layers new copies since
  const std::vector<LinearImpl*> layers{query.get(), key.get(), value.get()};
  if (!qkv_.weight.defined() || !std::all_of(layers.begin(), layers.end(), [&](LinearImpl* l) {
        return l->bf16_weight_tiles().data.is_alias_of(qkv_.weight.data);
      }))
    qkv_ = fuse_bf16_tiles(layers);
  return qkv_;
}

at::Tensor BlipTextSelfAttentionImpl::fused_qkv(const at::Tensor& hidden) {
  if (is_cross || query->precision() != Precision::BFloat16 || hidden.numel() == 0 ||
      hidden.numel() > kSmallGemmMaxRows * hidden.size(-1) || !small_gemm_available(at::kBFloat16))
    return {};
  const FusedBf16Linear qkv = qkv_weights();
  if (!qkv.weight.defined()) return {};  // output sizes the tiles cannot stack (fuse_bf16_tiles)
  return small_rows_linear(to_dtype(hidden, at::kFloat).contiguous(), qkv.weight, qkv.bias);
}

BlipTextSelfOutputImpl::BlipTextSelfOutputImpl(const BlipTextConfig& c) {
  dense = register_module("dense", Linear(c.hidden_size, c.hidden_size));
  LayerNorm = register_module("LayerNorm", glimpse::blip::LayerNorm(c.hidden_size, c.layer_norm_eps));
}

BlipTextAttentionImpl::BlipTextAttentionImpl(const BlipTextConfig& c, bool is_cross_attention) {
  self = register_module("self", BlipTextSelfAttention(c, is_cross_attention));
  output = register_module("output", BlipTextSelfOutput(c));
}

BlipTextIntermediateImpl::BlipTextIntermediateImpl(const BlipTextConfig& c) {
  dense = register_module("dense", Linear(c.hidden_size, c.intermediate_size));
}

BlipTextOutputImpl::BlipTextOutputImpl(const BlipTextConfig& c) {
  dense = register_module("dense", Linear(c.intermediate_size, c.hidden_size));
  LayerNorm = register_module("LayerNorm", glimpse::blip::LayerNorm(c.hidden_size, c.layer_norm_eps));
}

BlipTextLayerImpl::BlipTextLayerImpl(const BlipTextConfig& c) {
  attention = register_module("attention", BlipTextAttention(c, false));
  if (c.is_decoder) crossattention = register_module("crossattention", BlipTextAttention(c, true));
  intermediate = register_module("intermediate", BlipTextIntermediate(c));
  output = register_module("output", BlipTextOutput(c));
}

at::Tensor BlipTextLayerImpl::forward(const at::Tensor& hidden, const at::Tensor& mask,
                                      const at::Tensor& encoder_hidden_states, bool use_cross, TextLayerCache* cache,
                                      int64_t rows_per_item) {
  at::Tensor a = attention->forward(hidden, mask, at::Tensor(), cache, 1);
  if (use_cross) {
    if (!crossattention) throw BlipError("this text model has no cross-attention layers");
    a = crossattention->forward(a, at::Tensor(), encoder_hidden_states, cache, rows_per_item);
  }
  return output->forward(intermediate->forward(a), a);
}

BlipTextEmbeddingsImpl::BlipTextEmbeddingsImpl(const BlipTextConfig& c) : max_positions(c.max_position_embeddings) {
  word_embeddings = register_module("word_embeddings", Embedding(c.vocab_size, c.hidden_size));
  position_embeddings = register_module("position_embeddings", Embedding(c.max_position_embeddings, c.hidden_size));
  LayerNorm = register_module("LayerNorm", glimpse::blip::LayerNorm(c.hidden_size, c.layer_norm_eps));
}

void check_text_positions(int64_t positions, int64_t max_positions) {
  if (positions > max_positions)
    throw BlipError("text of " + std::to_string(positions) + " tokens is longer than the model's " +
                    std::to_string(max_positions) + " positions");
}

void check_token_ids(int64_t min_id, int64_t max_id, int64_t vocab) {
  if (min_id < 0 || max_id >= vocab)
    throw BlipError("token id out of range for a vocabulary of " + std::to_string(vocab));
}

void check_attention_mask(const at::Tensor& mask, int64_t rows, int64_t positions) {
  if (mask.dim() == 2 && mask.size(0) == rows && mask.size(1) == positions) return;
  throw BlipError("attention mask has shape [" +
                  (mask.dim() == 2 ? std::to_string(mask.size(0)) + ", " + std::to_string(mask.size(1))
                                   : std::to_string(mask.dim()) + " dimensions") +
                  "], expected [" + std::to_string(rows) + ", " + std::to_string(positions) + "]");
}

at::Tensor BlipTextEmbeddingsImpl::forward(const at::Tensor& input_ids, int64_t past_length) {
  const int64_t len = input_ids.size(1);
  check_text_positions(past_length + len, max_positions);
  const int64_t vocab = word_embeddings->weight.size(0);
  if (input_ids.numel() > 0) check_token_ids(input_ids.min().item<int64_t>(), input_ids.max().item<int64_t>(), vocab);
  at::Tensor pos = at::arange(past_length, past_length + len, at::TensorOptions().dtype(at::kLong));
  return LayerNorm->forward(word_embeddings->forward(input_ids) + position_embeddings->forward(pos).unsqueeze(0));
}

BlipTextEncoderImpl::BlipTextEncoderImpl(const BlipTextConfig& c) {
  layer = register_module("layer", torch::nn::ModuleList());
  for (int i = 0; i < c.num_hidden_layers; ++i) {
    layers.emplace_back(c);
    layer->push_back(layers.back());
  }
}

BlipTextModelImpl::BlipTextModelImpl(const BlipTextConfig& c) : config(c) {
  embeddings = register_module("embeddings", BlipTextEmbeddings(c));
  encoder = register_module("encoder", BlipTextEncoder(c));
}

TextCache BlipTextModelImpl::make_cache(int64_t rows_per_item) const {
  TextCache cache;
  cache.layers.resize(encoder->layers.size());
  cache.rows_per_item = rows_per_item;
  return cache;
}

at::Tensor BlipTextModelImpl::forward(const at::Tensor& input_ids, const at::Tensor& attention_mask,
                                      const TextForwardOptions& options) {
  const int64_t rows = input_ids.size(0), len = input_ids.size(1);
  const int64_t past = options.cache ? options.cache->past_length : 0;
  if (options.cache) {
    options.cache->settle();  // the layers below read the caches' rows as they lie
    options.cache->fused_model = nullptr;
  }
  const auto fopts = at::TensorOptions().dtype(at::kFloat);
  at::Tensor m = attention_mask.defined() ? attention_mask.to(at::kFloat) : at::ones({rows, past + len}, fopts);
  check_attention_mask(m, rows, past + len);
  at::Tensor ext;  // additive mask [rows, 1, L or 1, past + L]
  if (options.is_decoder) {
    at::Tensor qpos = at::arange(past, past + len, at::TensorOptions().dtype(at::kLong)).unsqueeze(1);
    at::Tensor kpos = at::arange(0, past + len, at::TensorOptions().dtype(at::kLong)).unsqueeze(0);
    at::Tensor causal = (kpos <= qpos).to(at::kFloat);  // [L, past + L]
    ext = causal.unsqueeze(0).unsqueeze(0) * m.unsqueeze(1).unsqueeze(1);
  } else {
    ext = m.unsqueeze(1).unsqueeze(1);
  }
  ext = (1.0 - ext) * -10000.0;

  const bool use_cross = options.encoder_hidden_states.defined() || (options.cache && !options.cache->layers.empty() &&
                                                                     options.cache->layers[0].cross_key.defined());
  const int64_t rows_per_item =
      options.cache ? options.cache->rows_per_item : (use_cross ? rows / options.encoder_hidden_states.size(0) : 1);
  at::Tensor h = embeddings->forward(input_ids, past);
  if (options.all_hidden) options.all_hidden->push_back(h);
  for (size_t i = 0; i < encoder->layers.size(); ++i) {
    TextLayerCache* lc = options.cache ? &options.cache->layers[i] : nullptr;
    h = encoder->layers[i]->forward(h, ext, options.encoder_hidden_states, use_cross, lc, rows_per_item);
    if (options.all_hidden) options.all_hidden->push_back(h);
  }
  if (options.cache) options.cache->past_length += len;
  return h;
}

BlipTextPredictionHeadTransformImpl::BlipTextPredictionHeadTransformImpl(const BlipTextConfig& c) {
  dense = register_module("dense", Linear(c.hidden_size, c.hidden_size));
  LayerNorm = register_module("LayerNorm", glimpse::blip::LayerNorm(c.hidden_size, c.layer_norm_eps));
}

BlipTextLMPredictionHeadImpl::BlipTextLMPredictionHeadImpl(const BlipTextConfig& c) {
  transform = register_module("transform", BlipTextPredictionHeadTransform(c));
  decoder = register_module("decoder", Linear(c.hidden_size, c.vocab_size, /*with_bias=*/false));
  bias = register_parameter("bias", at::empty({c.vocab_size}), false);
}

BlipTextOnlyMLMHeadImpl::BlipTextOnlyMLMHeadImpl(const BlipTextConfig& c) {
  predictions = register_module("predictions", BlipTextLMPredictionHead(c));
}

BlipTextLMHeadModelImpl::BlipTextLMHeadModelImpl(const BlipTextConfig& c) {
  bert = register_module("bert", BlipTextModel(c));
  cls = register_module("cls", BlipTextOnlyMLMHead(c));
}

void BlipTextLMHeadModelImpl::gather_step_weights() {
  if (!small_gemm_available(at::kBFloat16)) return;
  std::vector<LinearImpl*> step;
  for (auto& layer : bert->encoder->layers) {
    BlipTextSelfAttentionImpl& self = *layer->attention->self;
    step.insert(step.end(),
                {self.query.get(), self.key.get(), self.value.get(), layer->attention->output->dense.get()});
    if (layer->crossattention)
      step.insert(step.end(), {layer->crossattention->self->query.get(), layer->crossattention->output->dense.get()});
    step.push_back(layer->intermediate->dense.get());
    step.push_back(layer->output->dense.get());
  }
  step.push_back(cls->predictions->transform->dense.get());
  step.push_back(cls->predictions->decoder.get());
  gather_bf16_tiles(step);
}

at::Tensor BlipTextLMHeadModelImpl::forward(const at::Tensor& input_ids, const at::Tensor& attention_mask,
                                            const TextForwardOptions& options, bool last_only) {
  TextForwardOptions o = options;
  o.is_decoder = true;
  auto run = [&] {
    at::Tensor h = bert->forward(input_ids, attention_mask, o);
    if (last_only) h = h.slice(/*dim=*/1, h.size(1) - 1);
    return cls->predictions->forward(h);
  };
  // A decoder step after the first (the image's keys and values cached): every product and
  // attention runs in the few-row kernels, so one team serves the whole step (step_team.h).
  const int64_t rows = input_ids.numel();
  const auto& layers = bert->encoder->layers;
  if (o.cache && !o.all_hidden && text_decoder_step_runs(*this, input_ids, *o.cache)) {
    at::Tensor logits;
    run_chosen_step(true, o.cache, o.cache->past_length, rows, [&] {
      return run_step_team([&] { logits = text_decoder_step(*this, input_ids, attention_mask, *o.cache); });
    });
    return logits;
  }
  if (o.cache && o.cache->past_length > 0 && !layers.empty() &&
      layers.front()->attention->self->query->runs_few_rows(rows) && cls->predictions->decoder->runs_few_rows(rows)) {
    at::Tensor logits;
    run_chosen_step(false, o.cache, o.cache->past_length, rows, [&] { return run_step_team([&] { logits = run(); }); });
    return logits;
  }
  return run();
}

}  // namespace glimpse::blip
