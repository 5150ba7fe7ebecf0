#include "configuration_blip.h"

#include <cmath>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>

#include "errors.h"

namespace glimpse::blip {
namespace {

using nlohmann::json;

template <typename T>
void read_opt(const json& j, const char* key, T& out, const std::string& origin) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return;
  try {
    out = it->get<T>();
  } catch (const json::exception&) {
    throw BlipError(origin + ": field '" + key + "' has the wrong type (" + it->type_name() + ")");
  }
}

// Integers are read whole: 4294967312 (2^32 + 16) is out of range, not 16; 12.5 and true are no
// integers (Python would fail on them later, with a less clear message).
template <>
void read_opt<int>(const json& j, const char* key, int& out, const std::string& origin) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return;
  if (!it->is_number_integer()) {
    if (it->is_number_float()) {
      const double d = it->get<double>();
      // Range first: casting a double outside the integer's range is undefined behaviour.
      if (std::abs(d) < 2147483648.0 && d == std::trunc(d)) {
        out = static_cast<int>(d);  // 12.0: an integer written as a float, as json.dump can write it
        return;
      }
    }
    if (!it->is_number())
      throw BlipError(origin + ": field '" + key + "' has the wrong type (" + it->type_name() +
                      "), expected an integer");
    throw BlipError(origin + ": field '" + key + "' must be an integer, got " + it->dump());
  }
  const bool fits = it->is_number_unsigned()
                        ? it->get<uint64_t>() <= static_cast<uint64_t>(std::numeric_limits<int>::max())
                        : it->get<int64_t>() >= std::numeric_limits<int>::min() &&
                              it->get<int64_t>() <= std::numeric_limits<int>::max();
  if (!fits) throw BlipError(origin + ": field '" + key + "' is out of range: " + it->dump());
  out = static_cast<int>(it->get<int64_t>());
}

void require_positive(int v, const char* key, const std::string& origin) {
  if (v <= 0) throw BlipError(origin + ": field '" + std::string(key) + "' must be positive, got " + std::to_string(v));
}

// Upper bounds far above any BLIP checkpoint (base: 12 layers of 768, vocabulary 30524, 512
// positions, 384 px in 16 px patches) that keep a hostile config.json from asking for minutes of
// allocation before the weights are compared with it (checkpoint.h: check_config_fits_weights).
void require_at_most(int v, int64_t limit, const char* key, const std::string& origin) {
  if (v > limit)
    throw BlipError(origin + ": field '" + std::string(key) + "' is " + std::to_string(v) +
                    ", more than Glimpse supports (" + std::to_string(limit) + ")");
}
constexpr int64_t kMaxLayers = 256;
constexpr int64_t kMaxWidth = 16384;  // hidden sizes, projections
constexpr int64_t kMaxIntermediate = 65536;
constexpr int64_t kMaxVocab = 1 << 20;
constexpr int64_t kMaxPositions = 1 << 16;
constexpr int64_t kMaxImageSize = 8192;  // as the image processor's limit
constexpr int64_t kMaxPatches = 16384;   // (image_size / patch_size)^2; base: 576

// The sizes both towers have: positive, bounded, heads dividing the width.
void check_tower(int hidden, int intermediate, int projection, int layers, int heads, const std::string& o) {
  require_positive(hidden, "hidden_size", o);
  require_positive(intermediate, "intermediate_size", o);
  require_positive(projection, "projection_dim", o);
  require_positive(layers, "num_hidden_layers", o);
  require_positive(heads, "num_attention_heads", o);
  require_at_most(hidden, kMaxWidth, "hidden_size", o);
  require_at_most(intermediate, kMaxIntermediate, "intermediate_size", o);
  require_at_most(projection, kMaxWidth, "projection_dim", o);
  require_at_most(layers, kMaxLayers, "num_hidden_layers", o);
  if (hidden % heads != 0)
    throw BlipError(o + ": hidden_size " + std::to_string(hidden) + " is not a multiple of num_attention_heads " +
                    std::to_string(heads));
}

void require_token_id(int v, const char* key, int vocab_size, const std::string& origin) {
  if (v < 0 || v >= vocab_size)
    throw BlipError(origin + ": " + key + " " + std::to_string(v) + " is not an id of the vocabulary (vocab_size " +
                    std::to_string(vocab_size) + ")");
}

json parse_json(const std::string& text, const std::string& origin) {
  try {
    return json::parse(text);
  } catch (const json::exception& e) {
    throw BlipError(origin + " is not valid JSON: " + e.what());
  }
}

void check_act(const std::string& act, const std::string& origin) {
  if (act != "gelu") throw BlipError(origin + ": hidden_act '" + act + "' is not supported (BLIP uses \"gelu\")");
}

BlipTextConfig parse_text(const json& j, const std::string& origin) {
  BlipTextConfig c;
  if (!j.is_object()) throw BlipError(origin + ": text_config must be an object");
  read_opt(j, "vocab_size", c.vocab_size, origin);
  read_opt(j, "hidden_size", c.hidden_size, origin);
  read_opt(j, "encoder_hidden_size", c.encoder_hidden_size, origin);
  read_opt(j, "intermediate_size", c.intermediate_size, origin);
  read_opt(j, "projection_dim", c.projection_dim, origin);
  read_opt(j, "num_hidden_layers", c.num_hidden_layers, origin);
  read_opt(j, "num_attention_heads", c.num_attention_heads, origin);
  read_opt(j, "max_position_embeddings", c.max_position_embeddings, origin);
  read_opt(j, "hidden_act", c.hidden_act, origin);
  read_opt(j, "layer_norm_eps", c.layer_norm_eps, origin);
  read_opt(j, "bos_token_id", c.bos_token_id, origin);
  read_opt(j, "eos_token_id", c.eos_token_id, origin);
  read_opt(j, "pad_token_id", c.pad_token_id, origin);
  read_opt(j, "sep_token_id", c.sep_token_id, origin);
  read_opt(j, "is_decoder", c.is_decoder, origin);
  read_opt(j, "use_cache", c.use_cache, origin);
  const std::string o = origin + " text_config";
  require_positive(c.vocab_size, "vocab_size", o);
  require_positive(c.max_position_embeddings, "max_position_embeddings", o);
  require_at_most(c.vocab_size, kMaxVocab, "vocab_size", o);
  require_at_most(c.max_position_embeddings, kMaxPositions, "max_position_embeddings", o);
  check_tower(c.hidden_size, c.intermediate_size, c.projection_dim, c.num_hidden_layers, c.num_attention_heads, o);
  require_token_id(c.bos_token_id, "bos_token_id", c.vocab_size, o);
  require_token_id(c.pad_token_id, "pad_token_id", c.vocab_size, o);
  require_token_id(c.sep_token_id, "sep_token_id", c.vocab_size, o);
  require_token_id(c.eos_token_id, "eos_token_id", c.vocab_size, o);
  check_act(c.hidden_act, o);
  return c;
}

BlipVisionConfig parse_vision(const json& j, const std::string& origin) {
  BlipVisionConfig c;
  if (!j.is_object()) throw BlipError(origin + ": vision_config must be an object");
  read_opt(j, "hidden_size", c.hidden_size, origin);
  read_opt(j, "intermediate_size", c.intermediate_size, origin);
  read_opt(j, "projection_dim", c.projection_dim, origin);
  read_opt(j, "num_hidden_layers", c.num_hidden_layers, origin);
  read_opt(j, "num_attention_heads", c.num_attention_heads, origin);
  read_opt(j, "image_size", c.image_size, origin);
  read_opt(j, "patch_size", c.patch_size, origin);
  read_opt(j, "hidden_act", c.hidden_act, origin);
  read_opt(j, "layer_norm_eps", c.layer_norm_eps, origin);
  const std::string o = origin + " vision_config";
  check_tower(c.hidden_size, c.intermediate_size, c.projection_dim, c.num_hidden_layers, c.num_attention_heads, o);
  require_positive(c.image_size, "image_size", o);
  require_positive(c.patch_size, "patch_size", o);
  require_at_most(c.image_size, kMaxImageSize, "image_size", o);
  if (c.image_size % c.patch_size != 0)
    throw BlipError(o + ": image_size " + std::to_string(c.image_size) + " is not a multiple of patch_size " +
                    std::to_string(c.patch_size));
  if (int64_t grid = c.image_size / c.patch_size; grid * grid > kMaxPatches)
    throw BlipError(o + ": image_size " + std::to_string(c.image_size) + " in patches of " +
                    std::to_string(c.patch_size) + " makes " + std::to_string(grid * grid) +
                    " patches, more than Glimpse supports (" + std::to_string(kMaxPatches) + ")");
  check_act(c.hidden_act, o);
  return c;
}

}  // namespace

std::string read_text_file(const std::filesystem::path& path, std::size_t max_bytes) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw BlipError("file not found: " + path.string());
  if (std::filesystem::is_directory(path, ec)) throw BlipError("expected a file but found a folder: " + path.string());
  auto size = std::filesystem::file_size(path, ec);
  if (ec) throw BlipError("cannot read " + path.string() + ": " + ec.message());
  if (size > max_bytes) throw BlipError(path.string() + " is too large (" + std::to_string(size) + " bytes)");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw BlipError("cannot open " + path.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throw BlipError("error reading " + path.string());
  return ss.str();
}

BlipConfig parse_blip_config(const std::string& json_text, const std::string& origin) {
  json j = parse_json(json_text, origin);
  if (!j.is_object()) throw BlipError(origin + " is not a JSON object");
  std::string model_type;
  read_opt(j, "model_type", model_type, origin);
  if (model_type != "blip") {
    std::string found = model_type.empty() ? std::string("no model_type") : "model_type \"" + model_type + "\"";
    if (model_type == "blip_text_model" || model_type == "blip_vision_model")
      throw BlipError(origin + " describes only a part of BLIP (" + found +
                      "); Glimpse needs a full BLIP checkpoint (model_type \"blip\")");
    if (model_type == "blip-2" || model_type == "instructblip")
      throw BlipError(origin + " is a " + model_type + " checkpoint; Glimpse runs BLIP (model_type \"blip\") only");
    throw BlipError(origin + " is not a BLIP checkpoint: found " + found + ", expected \"blip\"");
  }
  BlipConfig c;
  c.text_config = parse_text(j.value("text_config", json::object()), origin);
  c.vision_config = parse_vision(j.value("vision_config", json::object()), origin);
  read_opt(j, "projection_dim", c.projection_dim, origin);
  read_opt(j, "image_text_hidden_size", c.image_text_hidden_size, origin);
  read_opt(j, "architectures", c.architectures, origin);
  read_opt(j, "torch_dtype", c.torch_dtype, origin);
  require_positive(c.image_text_hidden_size, "image_text_hidden_size", origin);
  require_positive(c.projection_dim, "projection_dim", origin);
  require_at_most(c.image_text_hidden_size, kMaxWidth, "image_text_hidden_size", origin);
  require_at_most(c.projection_dim, kMaxWidth, "projection_dim", origin);
  // BlipConfig.__init__ always overwrites the text encoder width of cross-attention.
  c.text_config.encoder_hidden_size = c.vision_config.hidden_size;
  return c;
}

BlipConfig load_blip_config(const std::filesystem::path& config_json) {
  return parse_blip_config(read_text_file(config_json), config_json.string());
}

BlipImageProcessorConfig parse_image_processor_config(const std::string& json_text, const std::string& origin) {
  json j = parse_json(json_text, origin);
  if (!j.is_object()) throw BlipError(origin + " is not a JSON object");
  std::string type;
  read_opt(j, "image_processor_type", type, origin);
  if (!type.empty() && type != "BlipImageProcessor")
    throw BlipError(origin + ": image_processor_type is \"" + type + "\", expected \"BlipImageProcessor\"");
  BlipImageProcessorConfig c;
  read_opt(j, "do_convert_rgb", c.do_convert_rgb, origin);
  read_opt(j, "do_resize", c.do_resize, origin);
  read_opt(j, "resample", c.resample, origin);
  read_opt(j, "do_rescale", c.do_rescale, origin);
  read_opt(j, "rescale_factor", c.rescale_factor, origin);
  read_opt(j, "do_normalize", c.do_normalize, origin);
  if (auto it = j.find("size"); it != j.end() && !it->is_null()) {
    if (it->is_number_integer()) {
      // Older Hub files: a plain integer means a square.
      read_opt(j, "size", c.height, origin);
      c.width = c.height;
    } else if (it->is_object()) {
      read_opt(*it, "height", c.height, origin);
      read_opt(*it, "width", c.width, origin);
      if (it->contains("shortest_edge") && !it->contains("height"))
        throw BlipError(origin + ": size {shortest_edge} is not used by BLIP; expected {height, width}");
    } else {
      throw BlipError(origin + ": field 'size' must be an integer or {height, width}");
    }
  }
  auto read3 = [&](const char* key, std::array<double, 3>& out) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return;
    if (it->is_number()) {
      out.fill(it->get<double>());
      return;
    }
    if (!it->is_array() || it->size() != 3) throw BlipError(origin + ": field '" + key + "' must hold 3 numbers");
    for (int i = 0; i < 3; ++i) {
      if (!(*it)[i].is_number()) throw BlipError(origin + ": field '" + key + "' must hold 3 numbers");
      out[i] = (*it)[i].get<double>();
    }
  };
  read3("image_mean", c.image_mean);
  read3("image_std", c.image_std);
  if (c.height <= 0 || c.width <= 0 || c.height > 8192 || c.width > 8192)
    throw BlipError(origin + ": image size " + std::to_string(c.width) + "x" + std::to_string(c.height) +
                    " is out of range");
  if (c.do_resize && c.resample != 3)
    throw BlipError(origin + ": resample " + std::to_string(c.resample) + " is not supported (BLIP uses 3 = bicubic)");
  for (double s : c.image_std)
    if (s == 0.0) throw BlipError(origin + ": image_std must not contain 0");
  return c;
}

BlipImageProcessorConfig load_image_processor_config(const std::filesystem::path& preprocessor_json) {
  return parse_image_processor_config(read_text_file(preprocessor_json), preprocessor_json.string());
}

}  // namespace glimpse::blip
