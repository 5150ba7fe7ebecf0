// Checkpoint knowledge that needs no torch: the weights file of a folder, head detection, tied and
// ignored names, and config.json against the weights' shapes. (Reading and converting weights is
// in weights.cpp, safetensors.cpp and pytorch_bin.cpp.)
#include "checkpoint.h"

#include <algorithm>
#include <sstream>

#include "errors.h"
#include "tokenization_bert.h"

namespace glimpse::blip {

std::filesystem::path find_checkpoint(const std::filesystem::path& dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) throw BlipError("model folder not found: " + dir.string());
  for (const char* f : {"model.safetensors", "pytorch_model.bin"})
    if (std::filesystem::exists(dir / f, ec)) return dir / f;
  if (std::filesystem::exists(dir / "model.safetensors.index.json", ec) ||
      std::filesystem::exists(dir / "pytorch_model.bin.index.json", ec))
    throw BlipError(dir.string() + " holds a sharded checkpoint, which is not supported yet");
  throw BlipError("no weights in " + dir.string() + ": expected model.safetensors or pytorch_model.bin");
}

std::vector<std::string> CheckpointHeads::class_names() const {
  std::vector<std::string> out;
  if (captioning) out.emplace_back("BlipForConditionalGeneration");
  if (question_answering) out.emplace_back("BlipForQuestionAnswering");
  if (retrieval) out.emplace_back("BlipForImageTextRetrieval");
  return out;
}

CheckpointHeads detect_heads(const std::vector<std::string>& architectures,
                             const std::vector<std::string>& tensor_names) {
  auto has = [&](const char* prefix) {
    return std::any_of(tensor_names.begin(), tensor_names.end(),
                       [&](const std::string& n) { return n.rfind(prefix, 0) == 0; });
  };
  auto listed = [&](const char* cls) {
    return architectures.empty() || std::find(architectures.begin(), architectures.end(), cls) != architectures.end();
  };
  const bool decoder = has("text_decoder."), encoder = has("text_encoder.");
  const bool itm = has("itm_head.") || has("vision_proj.") || has("text_proj.");
  CheckpointHeads h;
  h.captioning = listed("BlipForConditionalGeneration") && decoder;
  h.question_answering = listed("BlipForQuestionAnswering") && decoder && encoder;
  h.retrieval = listed("BlipForImageTextRetrieval") && itm;
  return h;
}

CheckpointHeads detect_heads(const std::vector<std::string>& architectures, const CheckpointIndex& index) {
  std::vector<std::string> names;
  names.reserve(index.size());
  for (const auto& [name, info] : index) names.push_back(name);
  return detect_heads(architectures, names);
}

const std::vector<TiedTensor>& tied_tensors() {
  // transformers' BlipTextLMPredictionHead: decoder.bias *is* cls.predictions.bias, and the
  // decoder's weight is tied to the word embeddings (a checkpoint may omit it).
  static const std::vector<TiedTensor> kTied = {
      {"text_decoder.cls.predictions.bias", "text_decoder.cls.predictions.decoder.bias", false},
      {"text_decoder.cls.predictions.decoder.weight", "text_decoder.bert.embeddings.word_embeddings.weight", true},
  };
  return kTied;
}

bool is_legacy_buffer(const std::string& name) {
  static const std::string kSuffix = "embeddings.position_ids";
  return name.size() >= kSuffix.size() && name.compare(name.size() - kSuffix.size(), kSuffix.size(), kSuffix) == 0;
}

namespace {

std::string shape_str(const std::vector<int64_t>& s) {
  std::ostringstream os;
  os << '[';
  for (size_t i = 0; i < s.size(); ++i) os << (i ? ", " : "") << s[i];
  os << ']';
  return os.str();
}

// 1 + the highest N of the names "<prefix>N.<...>", or -1 when there is none.
int64_t count_layers(const CheckpointIndex& index, const std::string& prefix) {
  int64_t highest = -1;
  for (auto it = index.lower_bound(prefix); it != index.end() && it->first.rfind(prefix, 0) == 0; ++it) {
    const std::string rest = it->first.substr(prefix.size());
    const size_t dot = rest.find('.');
    const std::string digits = rest.substr(0, dot);
    if (digits.empty() || digits.size() > 9 ||
        !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
      continue;  // not a layer index: the strict loader names it
    highest = std::max<int64_t>(highest, std::stoll(digits));
  }
  return highest + 1 > 0 ? highest + 1 : -1;
}

bool has_prefix(const CheckpointIndex& index, const std::string& prefix) {
  auto it = index.lower_bound(prefix);
  return it != index.end() && it->first.rfind(prefix, 0) == 0;
}

}  // namespace

void check_config_fits_weights(const BlipConfig& config, const CheckpointIndex& index,
                               const std::string& weights_name) {
  auto expect = [&](const std::string& name, const std::vector<int64_t>& want, const char* fields) {
    auto it = index.find(name);
    if (it == index.end() || it->second.shape == want) return;
    throw BlipError("config.json does not fit " + weights_name + ": a tensor of the wrong shape: " + name + ": got " +
                    shape_str(it->second.shape) + " expected " + shape_str(want) + " (from config.json " + fields +
                    ")");
  };
  auto layers = [&](const std::string& prefix, int want, const char* field) {
    const int64_t have = count_layers(index, prefix);
    if (have >= 0 && have != want)
      throw BlipError("config.json does not fit " + weights_name + ": " + field + " is " + std::to_string(want) +
                      " but the weights hold " + std::to_string(have) + " layers (" + prefix + "N)");
  };
  const auto& v = config.vision_config;
  const int64_t vd = v.hidden_size;
  if (has_prefix(index, "vision_model.")) {
    layers("vision_model.encoder.layers.", v.num_hidden_layers, "vision_config.num_hidden_layers");
    const int64_t grid = v.image_size / v.patch_size;
    expect("vision_model.embeddings.patch_embedding.weight", {vd, 3, v.patch_size, v.patch_size},
           "vision_config.hidden_size, patch_size");
    expect("vision_model.embeddings.position_embedding", {1, grid * grid + 1, vd},
           "vision_config.image_size, patch_size, hidden_size");
    expect("vision_model.encoder.layers.0.mlp.fc1.weight", {v.intermediate_size, vd},
           "vision_config.intermediate_size, hidden_size");
    expect("vision_model.encoder.layers.0.self_attn.qkv.weight", {3 * vd, vd}, "vision_config.hidden_size");
  }
  const auto& t = config.text_config;
  const int64_t th = t.hidden_size;
  for (const std::string tower : {"text_encoder.", "text_decoder.bert."}) {
    if (!has_prefix(index, tower)) continue;
    layers(tower + "encoder.layer.", t.num_hidden_layers, "text_config.num_hidden_layers");
    expect(tower + "embeddings.word_embeddings.weight", {t.vocab_size, th}, "text_config.vocab_size, hidden_size");
    expect(tower + "embeddings.position_embeddings.weight", {t.max_position_embeddings, th},
           "text_config.max_position_embeddings, hidden_size");
    expect(tower + "encoder.layer.0.intermediate.dense.weight", {t.intermediate_size, th},
           "text_config.intermediate_size, hidden_size");
    expect(tower + "encoder.layer.0.crossattention.self.key.weight", {th, vd},
           "text_config.hidden_size, vision_config.hidden_size");
  }
  expect("text_decoder.cls.predictions.bias", {t.vocab_size}, "text_config.vocab_size");
  expect("vision_proj.weight", {config.image_text_hidden_size, vd},
         "image_text_hidden_size, vision_config.hidden_size");
  expect("text_proj.weight", {config.image_text_hidden_size, th}, "image_text_hidden_size, text_config.hidden_size");
  expect("itm_head.weight", {2, th}, "text_config.hidden_size");
}

void check_heads_fit_weights(const BlipConfig& config, const CheckpointIndex& index,
                             const std::vector<std::string>& head_class_names, const std::string& weights_name) {
  const auto& v = config.vision_config;
  const auto& t = config.text_config;
  const int64_t vd = v.hidden_size, th = t.hidden_size, grid = v.image_size / v.patch_size;
  // Lower bounds of each part's parameter count (config sizes are bounded, so no overflow:
  // at most 256 x 6 x 16384 x 65536, about 1.6e12).
  const int64_t vision = vd * 3 * v.patch_size * v.patch_size + (grid * grid + 1) * vd +
                         int64_t{v.num_hidden_layers} * (4 * vd * vd + 2 * int64_t{v.intermediate_size} * vd);
  const int64_t tower = int64_t{t.vocab_size} * th + int64_t{t.max_position_embeddings} * th +
                        int64_t{t.num_hidden_layers} * (4 * th * th + 2 * int64_t{t.intermediate_size} * th);
  struct Part {
    const char* prefix;
    const char* what;
    int64_t needed;
    const char* fields;
  };
  const std::string vision_fields = "vision_config.num_hidden_layers " + std::to_string(v.num_hidden_layers) +
                                    ", hidden_size " + std::to_string(v.hidden_size) + ", intermediate_size " +
                                    std::to_string(v.intermediate_size) + ", image_size " +
                                    std::to_string(v.image_size) + ", patch_size " + std::to_string(v.patch_size);
  const std::string text_fields = "text_config.num_hidden_layers " + std::to_string(t.num_hidden_layers) +
                                  ", hidden_size " + std::to_string(t.hidden_size) + ", intermediate_size " +
                                  std::to_string(t.intermediate_size) + ", vocab_size " + std::to_string(t.vocab_size) +
                                  ", max_position_embeddings " + std::to_string(t.max_position_embeddings);
  const std::string proj_fields = "image_text_hidden_size " + std::to_string(config.image_text_hidden_size) +
                                  ", vision_config.hidden_size " + std::to_string(v.hidden_size) +
                                  ", text_config.hidden_size " + std::to_string(t.hidden_size);
  const Part kVision{"vision_model.", "vision model", vision, vision_fields.c_str()};
  const Part kEncoder{"text_encoder.", "text encoder", tower, text_fields.c_str()};
  const Part kDecoder{"text_decoder.", "text decoder", tower + th * th, text_fields.c_str()};
  const Part kVisionProj{"vision_proj.", "image projection", int64_t{config.image_text_hidden_size} * vd,
                         proj_fields.c_str()};
  const Part kTextProj{"text_proj.", "text projection", int64_t{config.image_text_hidden_size} * th,
                       proj_fields.c_str()};
  const Part kItm{"itm_head.", "image-text matching head", 2 * th, proj_fields.c_str()};
  for (const std::string& head : head_class_names) {
    std::vector<const Part*> parts;
    if (head == "BlipForConditionalGeneration") parts = {&kVision, &kDecoder};
    if (head == "BlipForQuestionAnswering") parts = {&kVision, &kEncoder, &kDecoder};
    if (head == "BlipForImageTextRetrieval") parts = {&kVision, &kEncoder, &kVisionProj, &kTextProj, &kItm};
    for (const Part* part : parts) {
      const std::string prefix = part->prefix;
      int64_t held = 0;
      for (auto it = index.lower_bound(prefix); it != index.end() && it->first.rfind(prefix, 0) == 0; ++it) {
        int64_t n = 1;
        for (const int64_t d : it->second.shape) n = d > 0 && n <= (int64_t{1} << 62) / d ? n * d : n;
        held += n;
        if (held >= part->needed) break;  // enough: no overflow, no need to count further
      }
      // A small deficit (up to 2^18 parameters, 1 MiB of float32: a missing ITM head or bias) is
      // cheap to build and left to the strict loader, which names each missing tensor.
      constexpr int64_t kSlack = int64_t{1} << 18;
      if (held + kSlack >= part->needed) continue;
      throw BlipError("config.json asks for more than " + weights_name + " holds: " + head + "'s " + part->what +
                      " (from config.json " + part->fields + ") needs at least " + std::to_string(part->needed) +
                      " parameters, but the weights hold " +
                      (held == 0 ? std::string("none (no tensor named ") + part->prefix + "*)"
                                 : std::to_string(held) + " under " + part->prefix + "*"));
    }
  }
}

// Up to 127 ids more than the tokenizer holds are accepted as padding of the embedding matrix.
void check_tokenizer_fits(const BertTokenizer& tok, const BlipConfig& config, const std::filesystem::path& dir) {
  const auto& tc = config.text_config;
  constexpr int64_t kPaddingIds = 127;
  if (tok.token_count() + kPaddingIds < tc.vocab_size)
    throw BlipError("the tokenizer in " + dir.string() + " does not fit the model: it has " +
                    std::to_string(tok.token_count()) + " tokens but the model produces ids up to " +
                    std::to_string(tc.vocab_size - 1) + " (text_config.vocab_size " + std::to_string(tc.vocab_size) +
                    "), so captions would be mostly [UNK]");
  if (tok.vocab_size() > tc.vocab_size || tok.dec_id() != tc.bos_token_id || tok.sep_id() != tc.sep_token_id ||
      tok.pad_id() != tc.pad_token_id)
    throw BlipError("the tokenizer in " + dir.string() +
                    " does not fit the model: " + std::to_string(tok.vocab_size()) +
                    " tokens with [DEC]=" + std::to_string(tok.dec_id()) + ", the model has " +
                    std::to_string(tc.vocab_size) + " tokens with bos_token_id=" + std::to_string(tc.bos_token_id));
}

}  // namespace glimpse::blip
