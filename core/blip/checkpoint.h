#pragma once
// What Glimpse knows about BLIP checkpoint files, in one place and without torch headers: which
// file of a folder holds the weights, the names and shapes a file holds (read without its data),
// which heads those names provide, which names are tied or ignored, whether config.json fits the
// weights before anything is allocated, and the pytorch_model.bin -> model.safetensors
// conversion. Every failure on outside data is a BlipError naming the file and what is wrong.
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "configuration_blip.h"

namespace glimpse::blip {

class BertTokenizer;

// One tensor of a checkpoint, described without reading its data.
struct TensorInfo {
  std::string dtype;  // safetensors names: "F32", "F16", "BF16", "I64", ...
  std::vector<int64_t> shape;
};
using CheckpointIndex = std::map<std::string, TensorInfo>;

// Picks the checkpoint of a model folder: model.safetensors first, then pytorch_model.bin.
std::filesystem::path find_checkpoint(const std::filesystem::path& dir);

// Names, dtypes and shapes of a checkpoint file: the safetensors header (checked against the file
// size as load_safetensors checks it, so a truncated file is refused here too), or the pickle of
// a pytorch_model.bin (bounded: size, nesting depth, stack). Reads no tensor data.
CheckpointIndex read_checkpoint_index(const std::filesystem::path& file);

// The heads a checkpoint provides: those config.json lists (all three when it lists none) whose
// parts the tensor names hold. Captioning: a text decoder; question answering: a text decoder
// and a text encoder; retrieval: any of the ITM head and the two ITC projections (the strict
// loader then names whatever else is missing). Used by BlipModel::load, inspect_model_folder and
// the model manager.
struct CheckpointHeads {
  bool captioning = false;
  bool question_answering = false;
  bool retrieval = false;
  bool any() const { return captioning || question_answering || retrieval; }
  std::vector<std::string> class_names() const;  // Hugging Face class names, in this order
};
CheckpointHeads detect_heads(const std::vector<std::string>& architectures,
                             const std::vector<std::string>& tensor_names);
CheckpointHeads detect_heads(const std::vector<std::string>& architectures, const CheckpointIndex& index);

// Tensors transformers ties: a checkpoint may hold the parameter, its alias, or both (then they
// are equal). The loader fills a missing parameter from its alias; conversion keeps one name.
struct TiedTensor {
  const char* parameter;    // the name the module's parameter has
  const char* alias;        // the other name a checkpoint may store it under
  bool alias_is_parameter;  // the alias is a parameter in its own right (never dropped)
};
const std::vector<TiedTensor>& tied_tensors();
// Buffers older transformers versions saved that are no parameters (`*.embeddings.position_ids`):
// ignored on load, dropped by conversion.
bool is_legacy_buffer(const std::string& name);

// Refuses a config.json whose sizes the weights contradict (layer counts, hidden and
// intermediate sizes, vocabulary, positions, image and patch size), before any module is built:
// a config that asks for 10^9 layers over a 12-layer checkpoint fails here in microseconds.
// Parts the checkpoint does not hold are not checked (the config's own upper bounds apply).
void check_config_fits_weights(const BlipConfig& config, const CheckpointIndex& index, const std::string& weights_name);

// Refuses a config.json that asks the heads `head_class_names` (Hugging Face class names) to build
// more than the weights hold, before any module is built: for each part a head builds (vision
// model, text encoder, text decoder, projections, ITM head) the parameters config.json implies
// (a lower bound: the weight matrices and embeddings, no biases, norms or tied tensors) must not
// exceed the elements the checkpoint holds under that part's prefix by more than 2^18 (a smaller
// deficit is left to the strict loader, which names the tensors). check_config_fits_weights
// cannot see a part the weights lack entirely; without this check a config describing a huge
// text decoder over a checkpoint without one allocated it before the strict loader refused it.
void check_heads_fit_weights(const BlipConfig& config, const CheckpointIndex& index,
                             const std::vector<std::string>& head_class_names, const std::string& weights_name);

// Refuses a tokenizer whose ids do not fit the model's (BlipModel::load and inspect_model_folder):
// a vocabulary much smaller than the model's would turn most of every caption into [UNK]
// (transformers does exactly that, silently).
void check_tokenizer_fits(const BertTokenizer& tok, const BlipConfig& config, const std::filesystem::path& dir);

// Writes model.safetensors beside pytorch_model.bin in `dir` (same tensors as stored, legacy
// buffers dropped, each tied pair stored once) and keeps the original; returns the new file.
// Refuses when model.safetensors exists, or the .bin is unreadable or holds NaN/Inf weights. Loads
// the engine module (the tensors are read with libtorch).
std::filesystem::path convert_to_safetensors(const std::filesystem::path& dir);

}  // namespace glimpse::blip
