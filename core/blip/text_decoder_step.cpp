#include "text_decoder_step.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "bf16_layer_norm.h"
#include "errors.h"
#include "fp32_gemm.h"
#include "kept_files.h"
#include "small_gemm.h"
#include "step_choice.h"
#include "step_team.h"

namespace glimpse::blip {

namespace {
std::atomic<bool> g_enabled{[] {
  const char* env = std::getenv("GLIMPSE_TEXT_STEP");
  return !(env && std::string(env) == "aten");
}()};

std::atomic<int64_t> g_runs{0};

// text_decoder_step_times: whether steps time their parts, and the sums in nanoseconds.
std::atomic<bool> g_timing{false};
std::atomic<int64_t> g_timed_steps{0};
enum Part { kTotal, kProducts, kCrossAttention, kSelfAttention, kParts };
std::atomic<int64_t> g_part_ns[kParts]{};

// A step's parts as it runs (timing on), added to the sums once at its end.
struct StepClock {
  bool on = g_timing.load(std::memory_order_relaxed);
  int64_t ns[kParts]{};
  // runs f, its time added to `part` (timing on)
  template <typename F>
  void time(Part part, F&& f) {
    const auto start = on ? std::chrono::steady_clock::now() : std::chrono::steady_clock::time_point{};
    f();
    if (on)
      ns[part] +=
          std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start).count();
  }
  void commit() {
    if (!on) return;
    for (int i = 0; i < kParts; ++i) g_part_ns[i].fetch_add(ns[i], std::memory_order_relaxed);
    g_timed_steps.fetch_add(1, std::memory_order_relaxed);
  }
};

// The choices of run_chosen_step: [fused][several rows].
struct StepChoices {
  std::mutex mutex;  // reset against reset and save
  StepChoice choice[2][2]{{StepChoice({0}), StepChoice({0})}, {StepChoice({0}), StepChoice({0})}};
  // where the ways are kept between processes (step_choice.h's StepWays), and for which key;
  // empty where no measurement file is set or a switch is fixed
  std::filesystem::path kept;
  std::string key;

  StepChoices() { reset(bf16_weights_ahead_fixed(), step_team_read_ahead_fixed()); }
  // The way choice[fused][several] just chose, into the file, the other places as the file has
  // them (another process may have chosen since); a failure only means timing them again.
  void save(int fused, int several) {
    std::lock_guard<std::mutex> lock(mutex);
    if (kept.empty()) return;
    try {
      const auto now = std::chrono::system_clock::now();
      StepWays ways = read_step_ways(kept, key, now).value_or(StepWays{});
      ways.way[fused][several] = choice[fused][several].chosen();
      ways.saved[fused][several] = unix_seconds(now);
      write_step_ways(kept, key, ways);
    } catch (const std::exception&) {
    }
  }
  void reset(int weights_ahead, int read_ahead) {
    std::lock_guard<std::mutex> lock(mutex);
    // each switch fixed, or every value (the module path: the read-ahead only), the highest first
    auto values = [](int fixed, int highest) {
      std::vector<int> v;
      for (int i = highest; i >= 0; --i)
        if (fixed < 0 || i == fixed) v.push_back(i);
      return v;
    };
    for (const bool fused : {false, true}) {
      std::vector<int> ways;
      for (const int r : values(read_ahead, 1))
        for (const int w : fused ? values(weights_ahead, kWeightsAheadL1AndL2) : std::vector<int>{0})
          ways.push_back(step_way(w, r != 0));
      for (StepChoice& c : choice[fused]) c.reset(ways);
    }
    // each choice from where this machine's last process left it (the ways all timed only; not
    // where a benchmark or test forces the products or the steps' path)
    kept.clear();
    const std::filesystem::path measurements = fp32_gemm_cache_file();
    if (weights_ahead < 0 && read_ahead < 0 && !measurements.empty() && !std::getenv("GLIMPSE_FP32_GEMM") &&
        !std::getenv("GLIMPSE_TEXT_STEP")) {
      kept = measurements.parent_path() / kStepWaysFileName;
      try {
        // (once: the thread count in it is set when the engine starts)
        if (key.empty()) key = fp32_gemm_cache_key();
        if (const std::optional<StepWays> last = read_step_ways(kept, key, std::chrono::system_clock::now()))
          for (int fused = 0; fused < 2; ++fused)
            for (int several = 0; several < 2; ++several) choice[fused][several].seed(last->way[fused][several]);
      } catch (const std::exception&) {
        kept.clear();
      }
    }
    // the switches as the fixed ones say, else the first way tried
    set_bf16_weights_ahead(weights_ahead >= 0 ? weights_ahead : kWeightsAheadL1AndL2);
    set_step_team_read_ahead(read_ahead != 0);
  }
};

StepChoices& step_choices() {
  static StepChoices choices;
  return choices;
}

bool plain_f32(const at::Tensor& t, int64_t numel) {
  return t.defined() && t.scalar_type() == at::kFloat && t.is_contiguous() && t.numel() == numel;
}

bool layer_norm_plain(const LayerNormImpl& ln, int64_t d) {
  return ln.dim_ == d && plain_f32(ln.weight, d) && plain_f32(ln.bias, d);
}

// A bf16 linear layer of `out` x `in` whose bias, if any, is a plain float32 vector.
bool bf16_linear(const LinearImpl& l, int64_t out, int64_t in) {
  return l.precision() == Precision::BFloat16 && l.weight.dim() == 2 && l.weight.size(0) == out &&
         l.weight.size(1) == in && (!l.bias.defined() || plain_f32(l.bias, out));
}

// x W^T + b (then GELU) for the step's rows through the few-row kernel, the layer's weight in tiles
// as LinearImpl::forward reads it for a few rows.
void product(StepClock& clock, LinearImpl& layer, const float* x, int64_t rows, float* y, bool gelu = false) {
  const Bf16Tiles w = layer.bf16_weight_tiles();
  clock.time(kProducts, [&] {
    small_rows_product(x, rows, w.k, w.data.data_ptr(), at::kBFloat16, w.n,
                       layer.bias.defined() ? layer.bias.data_ptr<float>() : nullptr, y, gelu);
  });
}

// out = LayerNorm(y + residual), y overwritten by the sum (the ATen path's add, then its LayerNorm)
void add_and_normalize(float* y, const float* residual, int64_t rows, int64_t d, const LayerNormImpl& ln, float* out) {
  for (int64_t i = 0; i < rows * d; ++i) y[i] += residual[i];
  layer_norm_rows_f32(y, rows, d, ln.weight.data_ptr<float>(), ln.bias.data_ptr<float>(), static_cast<float>(ln.eps_),
                      out);
}
}  // namespace

void set_text_decoder_step_enabled(bool enabled) {
  g_enabled = enabled;
}

bool text_decoder_step_enabled() {
  return g_enabled;
}

int64_t text_decoder_steps_run() {
  return g_runs;
}

void set_text_decoder_step_timing(bool on) {
  g_timing = on;
}

TextDecoderStepTimes text_decoder_step_times() {
  auto seconds = [](Part p) { return 1e-9 * static_cast<double>(g_part_ns[p].load(std::memory_order_relaxed)); };
  return {g_timed_steps.load(std::memory_order_relaxed), seconds(kTotal), seconds(kProducts), seconds(kCrossAttention),
          seconds(kSelfAttention)};
}

void run_chosen_step(bool fused, const void* cache, int64_t past, int64_t rows, const std::function<bool()>& step) {
  StepChoices& choices = step_choices();
  StepChoice& choice = choices.choice[fused][rows > 1];
  const int64_t decided = choice.decisions();
  const StepChoice::Turn turn = choice.next(cache, past, rows);
  // (a choice is made when a caption's first step ends the turns)
  if (choice.decisions() != decided) choices.save(fused, rows > 1);
  if (fused) set_bf16_weights_ahead(step_way_weights_ahead(turn.way));
  set_step_team_read_ahead((turn.way & kStepWayReadAhead) != 0);
  const auto start = std::chrono::steady_clock::now();
  // not recorded: a step that throws, one of a back-off after a contended step (several times
  // slower, and without the team the read-ahead does nothing), or one while step weights are
  // being moved onto huge pages (nn_layers.h: the first seconds after a bf16 model's first caption
  // or answer; a caption's later steps ran faster than its first, and a way 24 % slower than the
  // best was chosen)
  // (none running before, none started during: none running after)
  const HugePageMoves moves = huge_page_moves();
  const bool usual = step();
  if (turn.timed && usual && moves.running == 0 && huge_page_moves().started == moves.started)
    choice.record(cache, past, rows, turn.way,
                  std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
}

int text_decoder_step_way(bool fused, int64_t rows) {
  return step_choices().choice[fused][rows > 1].chosen();
}

void reset_text_decoder_step_choices(int weights_ahead, int read_ahead) {
  TORCH_CHECK(weights_ahead == kStepChoiceFromEnvironment || (weights_ahead >= -1 && weights_ahead <= 2),
              "reset_text_decoder_step_choices: weights ahead 0, 1, 2, -1 or kStepChoiceFromEnvironment");
  TORCH_CHECK(read_ahead == kStepChoiceFromEnvironment || (read_ahead >= -1 && read_ahead <= 1),
              "reset_text_decoder_step_choices: read ahead 0, 1, -1 or kStepChoiceFromEnvironment");
  step_choices().reset(weights_ahead == kStepChoiceFromEnvironment ? bf16_weights_ahead_fixed() : weights_ahead,
                       read_ahead == kStepChoiceFromEnvironment ? step_team_read_ahead_fixed() : read_ahead);
}

bool text_decoder_step_runs(BlipTextLMHeadModelImpl& model, const at::Tensor& input_ids, const TextCache& cache) {
  // (pack_min_rows: where products of this few rows go packed, GLIMPSE_FP32_GEMM=packed-all, the
  // module path takes them there too)
  if (!g_enabled || input_ids.dim() != 2 || input_ids.size(1) != 1 || input_ids.size(0) < 1 ||
      input_ids.size(0) > kSmallGemmMaxRows || input_ids.size(0) >= pack_min_rows() || cache.past_length <= 0 ||
      !small_gemm_available(at::kBFloat16) || !bf16_layer_norm_available())
    return false;
  const int64_t rows = input_ids.size(0);
  // a history of beams reordered without copies is read for these rows only (else the ATen path
  // settles it)
  if (!cache.history.empty() && static_cast<int64_t>(cache.history.size()) != rows * cache.history_len) return false;
  // The step before ran here, on this model and these rows: the model's layers and the image's
  // keys and values are as that step found them, and it left every layer's own keys and values
  // one position longer, as past_length. Checking them again read about 200 tensors' headers a
  // step, each cold after the weights had streamed through the caches: 65 us of a 6 ms step.
  if (cache.fused_model == &model && cache.fused_rows == rows) return true;
  const auto& layers = model.bert->encoder->layers;
  const int64_t d = model.bert->config.hidden_size;
  if (layers.empty() || cache.layers.size() != layers.size() || cache.rows_per_item < 1 ||
      rows % cache.rows_per_item != 0)
    return false;
  const auto& emb = *model.bert->embeddings;
  const auto& pred = *model.cls->predictions;
  const int64_t vocab = pred.decoder->weight.size(0);
  const int64_t inter = layers.front()->intermediate->dense->weight.size(0);
  if (!plain_f32(emb.word_embeddings->weight, emb.word_embeddings->weight.size(0) * d) ||
      !plain_f32(emb.position_embeddings->weight, emb.position_embeddings->weight.size(0) * d) ||
      !layer_norm_plain(*emb.LayerNorm, d) || !layer_norm_plain(*pred.transform->LayerNorm, d) ||
      !bf16_linear(*pred.decoder, vocab, d) || !bf16_linear(*pred.transform->dense, d, d) ||
      !plain_f32(pred.bias, vocab))
    return false;
  for (size_t i = 0; i < layers.size(); ++i) {
    const BlipTextLayerImpl& l = *layers[i];
    const TextLayerCache& c = cache.layers[i];
    if (!l.crossattention) return false;
    const auto& self = *l.attention->self;
    const auto& cross = *l.crossattention->self;
    if (self.head_dim != 64 || cross.head_dim != 64 || self.heads * 64 != d || cross.heads * 64 != d ||
        !bf16_linear(*self.query, d, d) || !bf16_linear(*self.key, d, d) || !bf16_linear(*self.value, d, d) ||
        !bf16_linear(*l.attention->output->dense, d, d) || !bf16_linear(*cross.query, d, d) ||
        !bf16_linear(*l.crossattention->output->dense, d, d) || !bf16_linear(*l.intermediate->dense, inter, d) ||
        !bf16_linear(*l.output->dense, d, inter))
      return false;
    if (!layer_norm_plain(*l.attention->output->LayerNorm, d) ||
        !layer_norm_plain(*l.crossattention->output->LayerNorm, d) || !layer_norm_plain(*l.output->LayerNorm, d))
      return false;
    // the image's keys and values, cached by the first step
    for (const at::Tensor* kv : {&c.cross_key, &c.cross_value})
      if (!kv->defined() || kv->scalar_type() != at::kBFloat16 || !kv->is_contiguous() || kv->dim() != 4 ||
          kv->size(0) * cache.rows_per_item != rows || kv->size(1) != cross.heads || kv->size(3) != 64 ||
          kv->sizes() != c.cross_key.sizes())
        return false;
    if (!c.self_key.defined() || c.self_key.size(0) != rows || c.self_key.size(2) != cache.past_length) return false;
  }
  return true;
}

namespace {
// text_decoder_step's work, its parts timed on `clock`
at::Tensor run_text_decoder_step(StepClock& clock, BlipTextLMHeadModelImpl& model, const at::Tensor& input_ids,
                                 const at::Tensor& attention_mask, TextCache& cache) {
  BlipTextModelImpl& bert = *model.bert;
  const int64_t rows = input_ids.size(0), d = bert.config.hidden_size, heads = d / 64;
  const int64_t past = cache.past_length, positions = past + 1;
  // until this step ends: one that throws half-way leaves some layers a position longer, which
  // text_decoder_step_runs must check again
  cache.fused_model = nullptr;
  const auto& emb = *bert.embeddings;
  check_text_positions(positions, emb.max_positions);
  const at::Tensor ids = to_dtype(input_ids, at::kLong).contiguous();
  const int64_t* id = ids.data_ptr<int64_t>();
  check_token_ids(*std::min_element(id, id + rows), *std::max_element(id, id + rows),
                  emb.word_embeddings->weight.size(0));
  const int64_t inter = bert.encoder->layers.front()->intermediate->dense->weight.size(0);
  // [rows, d] buffers: the hidden state, after the self- and the cross-attention, a product's
  // output, an attention's output, the cross-attention query; then q|k|v, the MLP's inside, mask
  thread_local std::vector<float> work;
  work.resize(static_cast<size_t>(rows * (6 * d + 3 * d + inter + positions)));
  float* h = work.data();
  float* a = h + rows * d;
  float* b = a + rows * d;
  float* y = b + rows * d;
  float* ctx = y + rows * d;
  float* q = ctx + rows * d;
  float* qkv = q + rows * d;
  float* mlp = qkv + rows * 3 * d;
  float* mask = mlp + rows * inter;

  // The additive mask of BlipTextModel::forward for one new position (the causal part is all ones).
  if (attention_mask.defined()) {
    check_attention_mask(attention_mask, rows, positions);
    // generate's int64 mask read where it lies (each value converted as to_dtype would), without
    // a float32 copy: an ATen call, cold after the weights had streamed through the caches
    if (attention_mask.scalar_type() == at::kLong && attention_mask.is_contiguous()) {
      const int64_t* mp = attention_mask.data_ptr<int64_t>();
      for (int64_t i = 0; i < rows * positions; ++i) mask[i] = (1.0f - static_cast<float>(mp[i])) * -10000.0f;
    } else {
      const at::Tensor m = to_dtype(attention_mask, at::kFloat).contiguous();
      const float* mp = m.data_ptr<float>();
      for (int64_t i = 0; i < rows * positions; ++i) mask[i] = (1.0f - mp[i]) * -10000.0f;
    }
  } else {
    // a mask of ones: -0.0, as the module path computes it
    for (int64_t i = 0; i < rows * positions; ++i) mask[i] = (1.0f - 1.0f) * -10000.0f;
  }

  // embeddings: word + position, LayerNorm
  {
    const float* word = emb.word_embeddings->weight.data_ptr<float>();
    const float* position = emb.position_embeddings->weight.data_ptr<float>() + past * d;
    for (int64_t r = 0; r < rows; ++r) {
      const float* w = word + id[r] * d;
      for (int64_t i = 0; i < d; ++i) y[r * d + i] = w[i] + position[i];
    }
    layer_norm_rows_f32(y, rows, d, emb.LayerNorm->weight.data_ptr<float>(), emb.LayerNorm->bias.data_ptr<float>(),
                        static_cast<float>(emb.LayerNorm->eps_), h);
  }

  const float divisor = 8.0f;  // sqrt(head size 64), as the ATen path passes it
  for (size_t i = 0; i < bert.encoder->layers.size(); ++i) {
    BlipTextLayerImpl& layer = *bert.encoder->layers[i];
    TextLayerCache& c = cache.layers[i];
    // self-attention: q|k|v in one product, keys and values into the cache's room
    BlipTextSelfAttentionImpl& self = *layer.attention->self;
    // (d = heads * 64: the three stack, fuse_bf16_tiles)
    const FusedBf16Linear fused = self.qkv_weights();
    TORCH_CHECK(fused.weight.defined(), "text_decoder_step: the query, key and value weights do not stack");
    clock.time(kProducts, [&] {
      small_rows_product(h, rows, d, fused.weight.data.data_ptr(), at::kBFloat16, 3 * d, fused.bias.data_ptr<float>(),
                         qkv);
    });
    clock.time(kSelfAttention, [&] {
      const int64_t cached = c.self_key.size(2);
      c.make_self_room(rows, heads, 64, 1);
      self_attention_step_rows(qkv, 3 * d, 3 * d, qkv + d, 3 * d, 3 * d, qkv + 2 * d, 3 * d, 3 * d, rows, 1, heads,
                               c.self_key_room.data_ptr<float>(), c.self_value_room.data_ptr<float>(),
                               c.self_key_room.size(2), cached, mask, divisor, ctx,
                               cache.history.empty() ? nullptr : cache.history.data(), cache.history_len);
      c.view_self_rooms(cached + 1);
    });
    product(clock, *layer.attention->output->dense, ctx, rows, y);
    add_and_normalize(y, h, rows, d, *layer.attention->output->LayerNorm, a);
    // cross-attention over the image's cached keys and values
    BlipTextSelfAttentionImpl& cross = *layer.crossattention->self;
    product(clock, *cross.query, a, rows, q);
    clock.time(kCrossAttention, [&] {
      cross_attention_rows(q, d, rows, cache.rows_per_item, c.cross_key.data_ptr(), c.cross_value.data_ptr(),
                           at::kBFloat16, c.cross_key.size(0), heads, c.cross_key.size(2), divisor, ctx, d);
    });
    product(clock, *layer.crossattention->output->dense, ctx, rows, y);
    add_and_normalize(y, a, rows, d, *layer.crossattention->output->LayerNorm, b);
    // MLP
    product(clock, *layer.intermediate->dense, b, rows, mlp, /*gelu=*/true);
    product(clock, *layer.output->dense, mlp, rows, y);
    add_and_normalize(y, b, rows, d, *layer.output->LayerNorm, h);
  }
  cache.past_length += 1;
  cache.fused_model = &model;
  cache.fused_rows = rows;
  ++g_runs;

  // LM head: transform (dense, GELU, LayerNorm), then the decoder with the head's own bias
  BlipTextLMPredictionHeadImpl& pred = *model.cls->predictions;
  product(clock, *pred.transform->dense, h, rows, y, /*gelu=*/true);
  layer_norm_rows_f32(y, rows, d, pred.transform->LayerNorm->weight.data_ptr<float>(),
                      pred.transform->LayerNorm->bias.data_ptr<float>(),
                      static_cast<float>(pred.transform->LayerNorm->eps_), a);
  const Bf16Tiles w = pred.decoder->bf16_weight_tiles();
  at::Tensor logits = at::empty({rows, 1, w.n}, at::TensorOptions().dtype(at::kFloat));
  clock.time(kProducts, [&] {
    small_rows_product(a, rows, d, w.data.data_ptr(), at::kBFloat16, w.n, pred.bias.data_ptr<float>(),
                       logits.data_ptr<float>());
  });
  return logits;
}
}  // namespace

at::Tensor text_decoder_step(BlipTextLMHeadModelImpl& model, const at::Tensor& input_ids,
                             const at::Tensor& attention_mask, TextCache& cache) {
  StepClock clock;
  at::Tensor logits;
  clock.time(kTotal, [&] { logits = run_text_decoder_step(clock, model, input_ids, attention_mask, cache); });
  clock.commit();
  return logits;
}

}  // namespace glimpse::blip
