#pragma once
// glimpse::marian::MarianModel: a Hugging Face MarianMTModel folder (the Helsinki-NLP OPUS-MT
// checkpoints) behind a torch-free interface, for the CLI, the app and tests. A port of
// transformers v4.43.4's modeling_marian.py; generation is the engine's shared generate()
// (core/blip/generation.h), the one BLIP uses.
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "generation_config.h"
#include "precision.h"
#include "tokenization_marian.h"

namespace glimpse::marian {

using blip::GenerationConfig;
using blip::Precision;
using blip::StepCallback;

// config.json of a MarianMTModel (values Hugging Face omits take its defaults).
struct MarianConfig {
  int64_t vocab_size = 58101;
  int64_t decoder_vocab_size = 58101;
  int64_t d_model = 1024;
  int64_t encoder_layers = 12, decoder_layers = 12;
  int64_t encoder_attention_heads = 16, decoder_attention_heads = 16;
  int64_t encoder_ffn_dim = 4096, decoder_ffn_dim = 4096;
  int64_t max_position_embeddings = 1024;
  std::string activation_function = "gelu";
  bool scale_embedding = false;
  bool share_encoder_decoder_embeddings = true;
  bool normalize_before = false;  // Glimpse runs the post-LayerNorm layers OPUS-MT uses
  int64_t pad_token_id = 58100, eos_token_id = 0, decoder_start_token_id = 58100;

  // Reads and checks config.json (sizes in range, heads divide d_model, model_type marian).
  // Throws blip::BlipError naming the file and the value.
  static MarianConfig from_file(const std::filesystem::path& config_json);
};

// generate()'s defaults for a folder: config.json's generation values, overridden by
// generation_config.json, on Hugging Face's defaults (max_length 20, greedy, ...).
GenerationConfig read_generation_defaults(const std::filesystem::path& dir, const MarianConfig& config);

struct MarianLoadOptions {
  Precision precision = Precision::Float32;  // bf16: linear layers and the LM head in bfloat16
};

struct Translation {
  std::string text;                // decode(sequence, skip_special_tokens=True)
  std::vector<int64_t> token_ids;  // the sequence with the decoder start token first, no padding
  float score = 0.0f;              // beam search: length-normalised log-probability; else 0
};

struct TranslateControl {
  const std::atomic<bool>* cancel = nullptr;  // set: stops at the next decoder step (GenerationCancelled)
  const StepCallback* on_step = nullptr;      // scores of every step (tests, diagnostics)
};

// A float32 array, row-major.
struct FloatArray {
  std::vector<int64_t> shape;
  std::vector<float> values;
};

// An abstract interface: the implementation lives in the engine module (libglimpse_engine.so),
// which load() opens on first use (core/blip/engine.cpp). A new engine capability is a pure
// virtual method here, implemented by LoadedMarianModel in marian.cpp.
class MarianModel {
 public:
  // Loads a Hub folder as it is: config.json, generation_config.json (optional),
  // model.safetensors or pytorch_model.bin, source.spm, target.spm, vocab.json. Throws
  // blip::BlipError for anything missing, unreadable or not fitting the config, or an engine
  // module that cannot be loaded.
  static std::unique_ptr<MarianModel> load(const std::filesystem::path& dir, const MarianLoadOptions& options = {});
  virtual ~MarianModel() = default;
  MarianModel(const MarianModel&) = delete;
  MarianModel& operator=(const MarianModel&) = delete;

  virtual const MarianConfig& config() const = 0;
  virtual const MarianTokenizer& tokenizer() const = 0;
  virtual const GenerationConfig& generation_defaults() const = 0;  // read_generation_defaults of the folder
  virtual const std::filesystem::path& dir() const = 0;
  virtual Precision precision() const = 0;

  // Translates each text: result[text] has config.num_return_sequences entries, best first. A text
  // longer than the model's positions is refused (BlipError), never cut.
  virtual std::vector<std::vector<Translation>> translate(const std::vector<std::string>& texts,
                                                          const GenerationConfig& config,
                                                          const TranslateControl& control = {}) const = 0;

  // generate() on token ids (rows right-padded, mask 1 for tokens): sequences as Hugging Face
  // returns them (start token first, rows padded with pad), and beam scores in *scores.
  virtual std::vector<std::vector<int64_t>> generate(const std::vector<std::vector<int64_t>>& input_ids,
                                                     const std::vector<std::vector<int64_t>>& attention_mask,
                                                     const GenerationConfig& config,
                                                     std::vector<float>* scores = nullptr,
                                                     const TranslateControl& control = {}) const = 0;

  // The encoder's last_hidden_state [batch, len, d_model].
  virtual FloatArray encode(const std::vector<std::vector<int64_t>>& input_ids,
                            const std::vector<std::vector<int64_t>>& attention_mask) const = 0;
  // Teacher-forced logits [batch, target_len, vocab] (final_logits_bias included).
  virtual FloatArray logits(const std::vector<std::vector<int64_t>>& input_ids,
                            const std::vector<std::vector<int64_t>>& attention_mask,
                            const std::vector<std::vector<int64_t>>& decoder_input_ids) const = 0;

 protected:
  MarianModel() = default;
};

}  // namespace glimpse::marian
