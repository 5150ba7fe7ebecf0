#pragma once
// Mirrors transformers' BlipTextConfig, BlipVisionConfig, BlipConfig and the BlipImageProcessor
// settings. Field names are Hugging Face's; omitted keys take the Hugging Face class defaults.
#include <array>
#include <filesystem>
#include <string>
#include <vector>

namespace glimpse::blip {

// transformers.BlipTextConfig
struct BlipTextConfig {
  int vocab_size = 30524;
  int hidden_size = 768;
  int encoder_hidden_size = 768;
  int intermediate_size = 3072;
  int projection_dim = 768;
  int num_hidden_layers = 12;
  int num_attention_heads = 8;
  int max_position_embeddings = 512;
  std::string hidden_act = "gelu";
  double layer_norm_eps = 1e-12;
  int bos_token_id = 30522;
  int eos_token_id = 2;
  int pad_token_id = 0;
  int sep_token_id = 102;
  bool is_decoder = true;
  bool use_cache = true;
};

// transformers.BlipVisionConfig
struct BlipVisionConfig {
  int hidden_size = 768;
  int intermediate_size = 3072;
  int projection_dim = 512;
  int num_hidden_layers = 12;
  int num_attention_heads = 12;
  int image_size = 384;
  int patch_size = 16;
  std::string hidden_act = "gelu";
  double layer_norm_eps = 1e-5;
};

// transformers.BlipConfig
struct BlipConfig {
  BlipTextConfig text_config;
  BlipVisionConfig vision_config;
  int projection_dim = 512;
  int image_text_hidden_size = 256;
  std::vector<std::string> architectures;
  std::string torch_dtype;  // informational: weights are computed in float32
};

// transformers.BlipImageProcessor (preprocessor_config.json)
struct BlipImageProcessorConfig {
  bool do_convert_rgb = true;
  bool do_resize = true;
  int height = 384;
  int width = 384;
  int resample = 3;  // PIL.Image.BICUBIC, the only filter BLIP uses
  bool do_rescale = true;
  double rescale_factor = 1.0 / 255.0;
  bool do_normalize = true;
  std::array<double, 3> image_mean = {0.48145466, 0.4578275, 0.40821073};
  std::array<double, 3> image_std = {0.26862954, 0.26130258, 0.27577711};
  bool operator==(const BlipImageProcessorConfig&) const = default;
};

// Parses a BLIP config.json text. Throws BlipError naming what was found when the text is not
// a BLIP config (another model_type, a lone text/vision config, invalid JSON, bad values).
BlipConfig parse_blip_config(const std::string& json_text, const std::string& origin = "config.json");
BlipConfig load_blip_config(const std::filesystem::path& config_json);

BlipImageProcessorConfig parse_image_processor_config(const std::string& json_text,
                                                      const std::string& origin = "preprocessor_config.json");
BlipImageProcessorConfig load_image_processor_config(const std::filesystem::path& preprocessor_json);

// Reads a whole (small) text file; throws BlipError when it cannot.
std::string read_text_file(const std::filesystem::path& path, std::size_t max_bytes = 64u << 20);

}  // namespace glimpse::blip
