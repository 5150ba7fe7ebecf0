// MarianConfig and the generation defaults of a Marian folder (marian.h): torch-free, for the
// front ends and the engine module alike; MarianModel::load hands over to the engine module.
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "checkpoint.h"
#include "engine_api.h"
#include "errors.h"
#include "marian.h"

namespace glimpse::marian {

using blip::BlipError;
using nlohmann::json;

namespace {

json read_json(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw BlipError("cannot read " + file.string());
  try {
    json j = json::parse(in);
    if (!j.is_object()) throw BlipError(file.string() + " is not a JSON object");
    return j;
  } catch (const json::exception& e) {
    throw BlipError(file.string() + " is not valid JSON: " + e.what());
  }
}

// An integer of `j` in [lo, hi], `fallback` when absent or null.
int64_t get_int(const json& j, const char* key, int64_t fallback, int64_t lo, int64_t hi, const std::string& file) {
  if (!j.contains(key) || j.at(key).is_null()) return fallback;
  const json& v = j.at(key);
  if (!v.is_number_integer() || v.get<int64_t>() < lo || v.get<int64_t>() > hi)
    throw BlipError(file + ": \"" + key + "\" must be an integer from " + std::to_string(lo) + " to " +
                    std::to_string(hi) + ", not " + v.dump());
  return v.get<int64_t>();
}

bool get_bool(const json& j, const char* key, bool fallback, const std::string& file) {
  if (!j.contains(key) || j.at(key).is_null()) return fallback;
  if (!j.at(key).is_boolean()) throw BlipError(file + ": \"" + key + "\" must be true or false");
  return j.at(key).get<bool>();
}

double get_double(const json& j, const char* key, double fallback, const std::string& file) {
  if (!j.contains(key) || j.at(key).is_null()) return fallback;
  if (!j.at(key).is_number()) throw BlipError(file + ": \"" + key + "\" must be a number");
  return j.at(key).get<double>();
}

// eos_token_id may be a list in newer configs: generate() stops on the first.
int64_t get_token(const json& j, const char* key, int64_t fallback, const std::string& file) {
  if (j.contains(key) && j.at(key).is_array() && !j.at(key).empty()) {
    json first = {{key, j.at(key).at(0)}};
    return get_int(first, key, fallback, 0, 100000000, file);
  }
  return get_int(j, key, fallback, 0, 100000000, file);
}

// The generation values of one file over `c`.
void apply_generation_values(const json& j, GenerationConfig& c, const std::string& file) {
  constexpr int64_t kBig = 1000000;
  c.max_length = static_cast<int>(get_int(j, "max_length", c.max_length, 1, kBig, file));
  if (j.contains("max_new_tokens") && !j.at("max_new_tokens").is_null())
    c.max_new_tokens = static_cast<int>(get_int(j, "max_new_tokens", 0, 0, kBig, file));
  c.min_length = static_cast<int>(get_int(j, "min_length", c.min_length, 0, kBig, file));
  c.num_beams = static_cast<int>(get_int(j, "num_beams", c.num_beams, 1, 1000, file));
  c.num_return_sequences = static_cast<int>(get_int(j, "num_return_sequences", c.num_return_sequences, 1, 1000, file));
  c.length_penalty = get_double(j, "length_penalty", c.length_penalty, file);
  if (j.contains("early_stopping") && j.at("early_stopping").is_string())
    throw BlipError(file + ": early_stopping \"" + j.at("early_stopping").get<std::string>() +
                    "\" is not supported (true or false)");
  c.early_stopping = get_bool(j, "early_stopping", c.early_stopping, file);
  c.do_sample = get_bool(j, "do_sample", c.do_sample, file);
  c.temperature = get_double(j, "temperature", c.temperature, file);
  c.top_k = static_cast<int>(get_int(j, "top_k", c.top_k, 0, kBig, file));
  c.top_p = get_double(j, "top_p", c.top_p, file);
  c.repetition_penalty = get_double(j, "repetition_penalty", c.repetition_penalty, file);
  c.no_repeat_ngram_size = static_cast<int>(get_int(j, "no_repeat_ngram_size", c.no_repeat_ngram_size, 0, kBig, file));
  c.eos_token_id = get_token(j, "eos_token_id", c.eos_token_id, file);
  c.pad_token_id = get_token(j, "pad_token_id", c.pad_token_id, file);
  if (j.contains("decoder_start_token_id") && !j.at("decoder_start_token_id").is_null())
    c.decoder_start_token_id = get_token(j, "decoder_start_token_id", 0, file);
  if (j.contains("forced_eos_token_id") && !j.at("forced_eos_token_id").is_null())
    c.forced_eos_token_id = get_token(j, "forced_eos_token_id", 0, file);
  if (j.contains("bad_words_ids") && !j.at("bad_words_ids").is_null()) {
    const json& b = j.at("bad_words_ids");
    c.bad_words_ids.clear();
    bool ok = b.is_array();
    for (const auto& seq : b) {
      if (!seq.is_array() || seq.empty()) ok = false;
      std::vector<int64_t> ids;
      for (const auto& id : seq) {
        if (!id.is_number_integer() || id.get<int64_t>() < 0) ok = false;
        if (ok) ids.push_back(id.get<int64_t>());
      }
      if (!ok) break;
      c.bad_words_ids.push_back(std::move(ids));
    }
    if (!ok) throw BlipError(file + ": \"bad_words_ids\" must be a list of non-empty lists of token ids");
  }
}

}  // namespace

MarianConfig MarianConfig::from_file(const std::filesystem::path& config_json) {
  const json j = read_json(config_json);
  const std::string f = config_json.string();
  if (j.contains("model_type") && j.at("model_type") != "marian")
    throw BlipError(f + " describes a \"" + j.at("model_type").dump() + "\" model, not marian (OPUS-MT)");
  MarianConfig c;
  constexpr int64_t kMaxVocab = 10000000;
  c.vocab_size = get_int(j, "vocab_size", c.vocab_size, 1, kMaxVocab, f);
  c.decoder_vocab_size = get_int(j, "decoder_vocab_size", c.vocab_size, 1, kMaxVocab, f);
  c.d_model = get_int(j, "d_model", c.d_model, 1, 65536, f);
  c.encoder_layers = get_int(j, "encoder_layers", c.encoder_layers, 0, 256, f);
  c.decoder_layers = get_int(j, "decoder_layers", c.decoder_layers, 1, 256, f);
  c.encoder_attention_heads = get_int(j, "encoder_attention_heads", c.encoder_attention_heads, 1, 1024, f);
  c.decoder_attention_heads = get_int(j, "decoder_attention_heads", c.decoder_attention_heads, 1, 1024, f);
  c.encoder_ffn_dim = get_int(j, "encoder_ffn_dim", c.encoder_ffn_dim, 1, 1 << 20, f);
  c.decoder_ffn_dim = get_int(j, "decoder_ffn_dim", c.decoder_ffn_dim, 1, 1 << 20, f);
  c.max_position_embeddings = get_int(j, "max_position_embeddings", c.max_position_embeddings, 1, 1 << 16, f);
  if (j.contains("activation_function")) {
    if (!j.at("activation_function").is_string()) throw BlipError(f + ": \"activation_function\" must be a string");
    c.activation_function = j.at("activation_function").get<std::string>();
  }
  const std::set<std::string> acts = {"swish", "silu", "relu", "gelu", "gelu_new", "gelu_pytorch_tanh"};
  if (!acts.count(c.activation_function))
    throw BlipError(f + ": activation_function \"" + c.activation_function + "\" is not supported");
  c.scale_embedding = get_bool(j, "scale_embedding", c.scale_embedding, f);
  c.share_encoder_decoder_embeddings =
      get_bool(j, "share_encoder_decoder_embeddings", c.share_encoder_decoder_embeddings, f);
  c.normalize_before = get_bool(j, "normalize_before", c.normalize_before, f);
  if (c.normalize_before) throw BlipError(f + ": pre-LayerNorm Marian models (normalize_before) are not supported");
  if (get_bool(j, "add_final_layer_norm", false, f) || get_bool(j, "normalize_embedding", false, f))
    throw BlipError(f + ": add_final_layer_norm and normalize_embedding are not supported");
  if (j.contains("static_position_embeddings") && !get_bool(j, "static_position_embeddings", true, f))
    throw BlipError(f + ": learned position embeddings are not supported (static_position_embeddings false)");
  c.pad_token_id = get_token(j, "pad_token_id", c.pad_token_id, f);
  c.eos_token_id = get_token(j, "eos_token_id", c.eos_token_id, f);
  c.decoder_start_token_id = get_token(j, "decoder_start_token_id", c.pad_token_id, f);
  if (c.d_model % c.encoder_attention_heads != 0 || c.d_model % c.decoder_attention_heads != 0)
    throw BlipError(f + ": d_model " + std::to_string(c.d_model) + " is not divisible by the attention heads");
  const int64_t target_vocab = c.share_encoder_decoder_embeddings ? c.vocab_size : c.decoder_vocab_size;
  for (int64_t id : {c.pad_token_id, c.eos_token_id, c.decoder_start_token_id})
    if (id >= target_vocab)
      throw BlipError(f + ": special token id " + std::to_string(id) + " is outside the vocabulary");
  return c;
}

GenerationConfig read_generation_defaults(const std::filesystem::path& dir, const MarianConfig& config) {
  GenerationConfig c = blip::default_generation_config();
  c.eos_token_id = config.eos_token_id;
  c.pad_token_id = config.pad_token_id;
  c.decoder_start_token_id = config.decoder_start_token_id;
  // GenerationConfig.from_model_config: config.json's generation values first ...
  apply_generation_values(read_json(dir / "config.json"), c, (dir / "config.json").string());
  // ... which generation_config.json, when present, replaces as a whole (what transformers loads).
  const auto gen = dir / "generation_config.json";
  if (std::filesystem::exists(gen)) {
    GenerationConfig g = blip::default_generation_config();
    g.eos_token_id = config.eos_token_id;
    g.pad_token_id = config.pad_token_id;
    g.decoder_start_token_id = config.decoder_start_token_id;
    apply_generation_values(read_json(gen), g, gen.string());
    c = g;
  }
  c.validate();
  return c;
}

}  // namespace glimpse::marian

namespace glimpse::marian {

std::unique_ptr<MarianModel> MarianModel::load(const std::filesystem::path& dir, const MarianLoadOptions& options) {
  return engine::load_model(dir, [&](const engine::Api& a) { return a.load_marian(dir, options); });
}

MarianFolderInfo inspect_marian_folder(const std::filesystem::path& dir) {
  MarianFolderInfo info;
  try {
    if (!std::filesystem::is_directory(dir)) throw BlipError(dir.string() + " is not a folder");
    if (!std::filesystem::exists(dir / "config.json")) throw BlipError("no config.json in " + dir.string());
    const MarianConfig config = MarianConfig::from_file(dir / "config.json");
    const MarianTokenizer tokenizer = MarianTokenizer::load(dir);
    if (tokenizer.vocab_size() > config.vocab_size)
      throw BlipError((dir / "vocab.json").string() + " has " + std::to_string(tokenizer.vocab_size()) +
                      " pieces; config.json's vocab_size is " + std::to_string(config.vocab_size));
    const std::filesystem::path weights = blip::find_checkpoint(dir);
    const blip::CheckpointIndex index = blip::read_checkpoint_index(weights);
    // The shared embeddings tell whether the weights are of this config.
    const auto embed = index.find("model.shared.weight");
    if (embed == index.end()) throw BlipError(weights.string() + " has no model.shared.weight: not a MarianMTModel");
    const std::vector<int64_t> expected = {config.vocab_size, config.d_model};
    if (embed->second.shape != expected)
      throw BlipError(weights.string() + ": model.shared.weight does not fit config.json's vocab_size and d_model");
    std::error_code ec;
    info.weight_bytes = std::filesystem::file_size(weights, ec);
    info.summary = "Marian " + std::to_string(config.d_model) + "/" + std::to_string(config.encoder_layers) + "+" +
                   std::to_string(config.decoder_layers) + " layers, " + std::to_string(config.vocab_size) +
                   " pieces; " + std::to_string(info.weight_bytes / 1000000) + " MB";
    info.usable = true;
  } catch (const std::exception& e) {
    info.problem = e.what();
  }
  return info;
}

}  // namespace glimpse::marian
