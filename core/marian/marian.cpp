// The engine side of MarianModel (marian.h): LoadedMarianModel, part of libglimpse_engine.so.
#include "marian.h"

#include <ATen/ATen.h>

#include "engine_api.h"
#include "errors.h"
#include "generation.h"
#include "modeling_marian.h"
#include "weights.h"

namespace glimpse::marian {

using blip::BlipError;

namespace {

at::Tensor to_tensor(const std::vector<std::vector<int64_t>>& rows, const char* what) {
  if (rows.empty() || rows[0].empty()) throw BlipError(std::string("no ") + what);
  const int64_t width = static_cast<int64_t>(rows[0].size());
  at::Tensor t = at::empty({static_cast<int64_t>(rows.size()), width}, at::kLong);
  for (size_t i = 0; i < rows.size(); ++i) {
    if (static_cast<int64_t>(rows[i].size()) != width) throw BlipError(std::string(what) + " rows differ in length");
    std::copy(rows[i].begin(), rows[i].end(), t[static_cast<int64_t>(i)].data_ptr<int64_t>());
  }
  return t;
}

FloatArray to_array(const at::Tensor& t) {
  at::Tensor c = t.to(at::kFloat).contiguous();
  return {c.sizes().vec(), std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel())};
}

struct LoadedMarianImpl {
  std::filesystem::path dir;
  MarianConfig config;
  GenerationConfig defaults;
  MarianTokenizer tokenizer;
  blip::TensorMap weights;  // keeps memory-mapped storage alive
  MarianMTModel model{nullptr};
  Precision precision = Precision::Float32;
};

// The MarianModel the engine module hands out. A method added to MarianModel (marian.h) is declared
// here with `override` and defined below like the others.
class LoadedMarianModel final : public MarianModel {
 public:
  explicit LoadedMarianModel(std::unique_ptr<LoadedMarianImpl> impl) : impl_(std::move(impl)) {}

  const MarianConfig& config() const override;
  const MarianTokenizer& tokenizer() const override;
  const GenerationConfig& generation_defaults() const override;
  const std::filesystem::path& dir() const override;
  Precision precision() const override;
  std::vector<std::vector<Translation>> translate(const std::vector<std::string>& texts, const GenerationConfig& config,
                                                  const TranslateControl& control) const override;
  std::vector<std::vector<int64_t>> generate(const std::vector<std::vector<int64_t>>& input_ids,
                                             const std::vector<std::vector<int64_t>>& attention_mask,
                                             const GenerationConfig& config, std::vector<float>* scores,
                                             const TranslateControl& control) const override;
  FloatArray encode(const std::vector<std::vector<int64_t>>& input_ids,
                    const std::vector<std::vector<int64_t>>& attention_mask) const override;
  FloatArray logits(const std::vector<std::vector<int64_t>>& input_ids,
                    const std::vector<std::vector<int64_t>>& attention_mask,
                    const std::vector<std::vector<int64_t>>& decoder_input_ids) const override;

 private:
  std::unique_ptr<LoadedMarianImpl> impl_;
};

}  // namespace

std::unique_ptr<MarianModel> load_marian_model(const std::filesystem::path& dir, const MarianLoadOptions& options) {
  if (!std::filesystem::is_directory(dir)) throw BlipError(dir.string() + " is not a folder");
  if (!std::filesystem::exists(dir / "config.json")) throw BlipError("no config.json in " + dir.string());
  const std::string problem = blip::detail::engine_precision_problem(options.precision);
  if (!problem.empty()) throw BlipError(problem);
  auto impl = std::make_unique<LoadedMarianImpl>(LoadedMarianImpl{dir,
                                                                  MarianConfig::from_file(dir / "config.json"),
                                                                  {},
                                                                  MarianTokenizer::load(dir),
                                                                  {},
                                                                  nullptr,
                                                                  options.precision});
  impl->defaults = read_generation_defaults(dir, impl->config);
  const int64_t target_vocab =
      impl->config.share_encoder_decoder_embeddings ? impl->config.vocab_size : impl->config.decoder_vocab_size;
  if (impl->tokenizer.vocab_size() > impl->config.vocab_size || impl->tokenizer.pad_token_id() >= target_vocab)
    throw BlipError((dir / "vocab.json").string() + " has " + std::to_string(impl->tokenizer.vocab_size()) +
                    " pieces; config.json's vocab_size is " + std::to_string(impl->config.vocab_size));
  impl->weights = blip::load_checkpoint(dir);
  impl->model = MarianMTModel(impl->config);
  impl->model->load(impl->weights);
  if (options.precision != Precision::Float32) impl->model->set_precision(options.precision);
  return std::make_unique<LoadedMarianModel>(std::move(impl));
}

const MarianConfig& LoadedMarianModel::config() const {
  return impl_->config;
}
const MarianTokenizer& LoadedMarianModel::tokenizer() const {
  return impl_->tokenizer;
}
const GenerationConfig& LoadedMarianModel::generation_defaults() const {
  return impl_->defaults;
}
const std::filesystem::path& LoadedMarianModel::dir() const {
  return impl_->dir;
}
Precision LoadedMarianModel::precision() const {
  return impl_->precision;
}

FloatArray LoadedMarianModel::encode(const std::vector<std::vector<int64_t>>& input_ids,
                                     const std::vector<std::vector<int64_t>>& attention_mask) const {
  at::NoGradGuard no_grad;
  at::Tensor ids = to_tensor(input_ids, "input ids");
  at::Tensor mask = attention_mask.empty() ? at::ones_like(ids) : to_tensor(attention_mask, "attention mask");
  if (ids.size(1) > impl_->config.max_position_embeddings || ids.max().item<int64_t>() >= impl_->config.vocab_size ||
      ids.min().item<int64_t>() < 0)
    throw BlipError("input ids outside the model's vocabulary or positions");
  return to_array(impl_->model->encode(ids, mask));
}

FloatArray LoadedMarianModel::logits(const std::vector<std::vector<int64_t>>& input_ids,
                                     const std::vector<std::vector<int64_t>>& attention_mask,
                                     const std::vector<std::vector<int64_t>>& decoder_input_ids) const {
  at::NoGradGuard no_grad;
  at::Tensor ids = to_tensor(input_ids, "input ids");
  at::Tensor mask = attention_mask.empty() ? at::ones_like(ids) : to_tensor(attention_mask, "attention mask");
  at::Tensor dec = to_tensor(decoder_input_ids, "decoder input ids");
  at::Tensor enc = impl_->model->encode(ids, mask);
  auto cache = impl_->model->make_cache(enc);
  return to_array(impl_->model->decode(dec, cache, padding_mask(mask), /*last_only=*/false));
}

std::vector<std::vector<int64_t>> LoadedMarianModel::generate(const std::vector<std::vector<int64_t>>& input_ids,
                                                              const std::vector<std::vector<int64_t>>& attention_mask,
                                                              const GenerationConfig& config,
                                                              std::vector<float>* scores,
                                                              const TranslateControl& control) const {
  at::NoGradGuard no_grad;
  at::Tensor ids = to_tensor(input_ids, "input ids");
  at::Tensor mask = attention_mask.empty() ? at::ones_like(ids) : to_tensor(attention_mask, "attention mask");
  if (ids.size(1) > impl_->config.max_position_embeddings)
    throw BlipError("the text is " + std::to_string(ids.size(1)) + " tokens long; this model reads at most " +
                    std::to_string(impl_->config.max_position_embeddings));
  if (ids.max().item<int64_t>() >= impl_->config.vocab_size || ids.min().item<int64_t>() < 0)
    throw BlipError("input ids outside the model's vocabulary");
  GenerationConfig c = config;
  const int64_t start = c.decoder_start_token_id.value_or(impl_->config.decoder_start_token_id);
  MarianMTModel model = impl_->model;
  at::Tensor enc = model->encode(ids, mask);

  class Session : public blip::DecoderSession {
   public:
    Session(MarianMTModel m, const at::Tensor& enc, const at::Tensor& mask, int64_t rows_per_item)
        : model_(std::move(m)) {
      at::Tensor e = rows_per_item > 1 ? enc.repeat_interleave(rows_per_item, 0) : enc;
      at::Tensor k = rows_per_item > 1 ? mask.repeat_interleave(rows_per_item, 0) : mask;
      cross_mask_ = padding_mask(k);
      cache_ = model_->make_cache(e);
    }
    at::Tensor step(const at::Tensor& new_ids, const at::Tensor& /*mask: all ones, causal*/) override {
      return model_->decode(new_ids, cache_, cross_mask_, /*last_only=*/true).select(1, 0);
    }
    void reorder(const at::Tensor& index) override {
      for (auto& layer : cache_) {
        layer.self_k = layer.self_k.index_select(0, index);
        layer.self_v = layer.self_v.index_select(0, index);
      }
    }

   private:
    MarianMTModel model_;
    at::Tensor cross_mask_;
    std::vector<LayerCache> cache_;
  };
  blip::SessionFactory factory = [&](int64_t rows_per_item) {
    return std::make_unique<Session>(model, enc, mask, rows_per_item);
  };
  at::Tensor start_ids = at::full({ids.size(0), 1}, start, at::kLong);
  blip::GenerationResult r =
      blip::generate(factory, start_ids, at::ones_like(start_ids), c, control.cancel, control.on_step);
  if (scores) *scores = r.sequences_scores;
  return r.sequences;
}

std::vector<std::vector<Translation>> LoadedMarianModel::translate(const std::vector<std::string>& texts,
                                                                   const GenerationConfig& config,
                                                                   const TranslateControl& control) const {
  if (texts.empty()) return {};
  const MarianEncoding enc = impl_->tokenizer.encode_batch(texts);
  std::vector<float> scores;
  const auto sequences = generate(enc.input_ids, enc.attention_mask, config, &scores, control);
  const size_t per = static_cast<size_t>(config.num_return_sequences);
  std::vector<std::vector<Translation>> out(texts.size());
  for (size_t i = 0; i < sequences.size(); ++i) {
    Translation t;
    t.token_ids = sequences[i];
    // generate() pads finished rows with pad; the start token (pad too for OPUS-MT) stays.
    while (t.token_ids.size() > 1 && t.token_ids.back() == config.pad_token_id) t.token_ids.pop_back();
    t.text = impl_->tokenizer.decode(t.token_ids, /*skip_special_tokens=*/true);
    if (!scores.empty()) t.score = scores[i];
    out[i / per].push_back(std::move(t));
  }
  return out;
}

}  // namespace glimpse::marian
