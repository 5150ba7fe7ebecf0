#pragma once
// A base-size BLIP checkpoint folder with random weights, written in-process (no download): the
// architecture and cost of Salesforce/blip-* base checkpoints.
#include <ATen/ATen.h>

#include <filesystem>
#include <fstream>

#include "configuration_blip.h"
#include "modeling_blip.h"
#include "weights.h"

namespace glimpse::bench {

// config.json of the base checkpoints (ViT-B/16 at 384 px, BERT-base text model).
inline const char* kBaseConfig = R"({
  "architectures": ["BlipForConditionalGeneration", "BlipForQuestionAnswering", "BlipForImageTextRetrieval"],
  "model_type": "blip", "image_text_hidden_size": 256, "projection_dim": 512,
  "text_config": {"model_type": "blip_text_model", "vocab_size": 30524, "hidden_size": 768,
                  "encoder_hidden_size": 768, "intermediate_size": 3072, "num_hidden_layers": 12,
                  "num_attention_heads": 12, "max_position_embeddings": 512},
  "vision_config": {"model_type": "blip_vision_model", "hidden_size": 768, "intermediate_size": 3072,
                    "num_hidden_layers": 12, "num_attention_heads": 12, "image_size": 384, "patch_size": 16}
})";

// Writes `config` (kBaseConfig's form: its architectures list is replaced by `heads`), the
// processor config for images of `image_size`, the tokenizer of `vocab_dir` and random weights
// for every head into `dir`. Weights: N(0, 0.02), LayerNorm weight 1 / bias 0, as BLIP
// initialises them.
inline void writeRandomModel(const std::filesystem::path& dir, const std::filesystem::path& vocab_dir,
                             const std::string& config, int image_size, const std::vector<blip::BlipHead>& heads,
                             uint64_t seed = 0) {
  std::filesystem::create_directories(dir);
  std::string cfg = config;
  std::string arch;
  for (auto h : heads) arch += std::string(arch.empty() ? "" : ", ") + "\"" + blip::head_class_name(h) + "\"";
  cfg.replace(
      cfg.find("\"BlipForConditionalGeneration\", \"BlipForQuestionAnswering\", \"BlipForImageTextRetrieval\""),
      std::string("\"BlipForConditionalGeneration\", \"BlipForQuestionAnswering\", \"BlipForImageTextRetrieval\"")
          .size(),
      arch);
  std::ofstream(dir / "config.json") << cfg;
  std::ofstream(dir / "preprocessor_config.json")
      << R"({"do_convert_rgb": true, "do_normalize": true, "do_rescale": true, "do_resize": true,
             "image_mean": [0.48145466, 0.4578275, 0.40821073], "image_std": [0.26862954, 0.26130258, 0.27577711],
             "image_processor_type": "BlipImageProcessor", "resample": 3, "rescale_factor": 0.00392156862745098,
             "size": {"height": )"
      << image_size << R"(, "width": )" << image_size << R"(}})";
  for (const char* f : {"vocab.txt", "added_tokens.json", "special_tokens_map.json", "tokenizer_config.json"})
    if (std::filesystem::exists(vocab_dir / f))
      std::filesystem::copy_file(vocab_dir / f, dir / f, std::filesystem::copy_options::overwrite_existing);
  const auto parsed = blip::parse_blip_config(config);
  std::map<std::string, std::vector<int64_t>> shapes;
  for (auto head : heads)
    for (auto& [k, v] : blip::head_tensor_shapes(parsed, head)) shapes[k] = v;
  auto gen = at::detail::createCPUGenerator(seed);
  std::map<std::string, at::Tensor> tensors;
  for (const auto& [name, shape] : shapes) {
    const bool ln = name.find("LayerNorm") != std::string::npos || name.find("layer_norm") != std::string::npos;
    const bool is_bias = name.size() > 5 && name.compare(name.size() - 5, 5, ".bias") == 0;
    if (ln)
      tensors[name] = is_bias ? at::zeros(shape) : at::ones(shape);
    else if (is_bias)
      tensors[name] = at::zeros(shape);
    else
      tensors[name] = at::normal(0.0, 0.02, shape, gen);
  }
  blip::save_safetensors(dir / "model.safetensors", tensors);
}

// A base-size model (kBaseConfig, 384-pixel images).
inline void writeRandomBaseModel(const std::filesystem::path& dir, const std::filesystem::path& vocab_dir,
                                 std::vector<blip::BlipHead> heads = {blip::BlipHead::Captioning,
                                                                      blip::BlipHead::QuestionAnswering,
                                                                      blip::BlipHead::Retrieval},
                                 uint64_t seed = 0) {
  writeRandomModel(dir, vocab_dir, kBaseConfig, 384, heads, seed);
}

// The folder of a random base model with these heads, written on first use under the system
// temporary folder (or GLIMPSE_BENCH_MODEL_DIR) and reused by later runs.
inline std::filesystem::path randomBaseModel(const std::filesystem::path& vocab_dir,
                                             const std::vector<blip::BlipHead>& heads) {
  std::string name = "glimpse-bench-base";
  for (auto h : heads) name += std::string("-") + blip::head_class_name(h);
  const char* env = std::getenv("GLIMPSE_BENCH_MODEL_DIR");
  const auto dir = (env && *env ? std::filesystem::path(env) : std::filesystem::temp_directory_path()) / name;
  if (!std::filesystem::exists(dir / "model.safetensors")) writeRandomBaseModel(dir, vocab_dir, heads);
  return dir;
}

}  // namespace glimpse::bench
