#pragma once
// Generation settings with Hugging Face generate() semantics and defaults (greedy, max_length 20).
// Torch-free so that front ends can include it.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace glimpse::blip {

struct GenerationConfig {
  int max_length = 20;                // counts the whole sequence: bos + prompt + new tokens
  std::optional<int> max_new_tokens;  // when set: max_length = start length + max_new_tokens
  int min_length = 0;                 // whole-sequence length below which [SEP] is banned
  int num_beams = 1;
  double length_penalty = 1.0;
  bool early_stopping = false;
  int num_return_sequences = 1;
  bool do_sample = false;
  double temperature = 1.0;
  int top_k = 50;
  double top_p = 1.0;
  std::optional<uint64_t> seed;  // sampling seed; unset = non-deterministic
  double repetition_penalty = 1.0;
  int no_repeat_ngram_size = 0;
  int64_t eos_token_id = 102;  // BLIP stops on [SEP]
  int64_t pad_token_id = 0;
  // NoBadWordsLogitsProcessor: a sequence's last id is banned when the text ends with the rest
  // (single ids always). Sequences equal to [eos] are ignored, as in transformers.
  std::vector<std::vector<int64_t>> bad_words_ids;
  // ForcedEOSTokenLogitsProcessor: at the last allowed position only this id may come.
  std::optional<int64_t> forced_eos_token_id;
  // Encoder-decoder models (Marian) start every row with this id; BLIP's start comes from its
  // prompt and ignores it.
  std::optional<int64_t> decoder_start_token_id;

  // Throws BlipError naming the first invalid setting.
  void validate() const;
};

// Hugging Face's generate() defaults, what a plain transformers call gives.
inline GenerationConfig default_generation_config() {
  return GenerationConfig{};
}
// The settings of every answer to a question about a photo: the chat, asking across search
// results, `glimpse-cli ask` and `search --ask` all take them from here, so one question about one
// photo gets one answer. They are what BlipForQuestionAnswering.generate() gives a Hub checkpoint
// in transformers (its generate() defaults, greedy with max_length 20: the VQA checkpoints carry
// no generation settings of their own). BLIP's evaluation recipe is blip_vqa_preset().
inline GenerationConfig vqa_generation_config() {
  return default_generation_config();
}
// BLIP's own evaluation settings: captions with beam 3, max 20, min 5; VQA beam 3, max 10, min 1.
GenerationConfig blip_caption_preset();
GenerationConfig blip_vqa_preset();

// Scores of one decoding step, for tests and diagnostics: raw last-position logits and the scores
// after the logits processors (greedy: what argmax sees; beam: log-softmax + processors), both
// [rows][vocab] row-major.
struct StepScores {
  int64_t rows = 0;
  int64_t vocab = 0;
  const float* raw_logits = nullptr;
  const float* processed = nullptr;
  // The rows' sequences before this step's token: [rows][length] row-major (greedy: the text so
  // far; beam search: the running beams).
  const int64_t* sequences = nullptr;
  int64_t length = 0;
};
using StepCallback = std::function<void(const StepScores&)>;

struct GenerationResult {
  // [batch * num_return_sequences][length]: the whole sequence (bos, prompt, new tokens), rows
  // padded with pad_token_id to a common width, as generate() returns it.
  std::vector<std::vector<int64_t>> sequences;
  std::vector<float> sequences_scores;  // beam search only: length-normalised score per row
};

}  // namespace glimpse::blip
