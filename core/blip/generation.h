#pragma once
// Greedy search, beam search and sampling with Hugging Face semantics, outside the modules: the
// loop drives a DecoderSession (new ids + mask -> last-position logits) so it can be tested with
// fake logits.
#include <ATen/core/Tensor.h>

#include <atomic>
#include <functional>
#include <memory>
#include <vector>

#include "errors.h"
#include "generation_config.h"

namespace glimpse::blip {

class DecoderSession {
 public:
  virtual ~DecoderSession() = default;
  // input_ids: [rows, L] new tokens; attention_mask: [rows, past + L]. Returns [rows, V] logits of
  // the last position, which then belong to the caller (the logits processors write into them).
  virtual at::Tensor step(const at::Tensor& input_ids, const at::Tensor& attention_mask) = 0;
  // Keeps rows `index` of the self-attention state (beam reordering); index stays inside each item.
  virtual void reorder(const at::Tensor& index) = 0;
};

// Creates a session whose rows are `rows_per_item` consecutive rows per batch item.
using SessionFactory = std::function<std::unique_ptr<DecoderSession>(int64_t rows_per_item)>;

// start_ids/start_mask: [batch, S] (bos + prompt). Throws GenerationCancelled when *cancel turns
// true between steps. on_step, when given, sees every step's scores.
GenerationResult generate(const SessionFactory& make_session, const at::Tensor& start_ids, const at::Tensor& start_mask,
                          const GenerationConfig& config, const std::atomic<bool>* cancel = nullptr,
                          const StepCallback* on_step = nullptr);

// The logits processors, in Hugging Face's order (repetition penalty, no-repeat n-gram, bad words,
// min length, forced EOS), applied to scores [rows, V] given each row's whole sequence
// [rows, len]. max_length is the effective limit (start length + max_new_tokens when set); 0
// means config.max_length.
void apply_logits_processors(at::Tensor& scores, const at::Tensor& sequences, const GenerationConfig& config,
                             int64_t max_length = 0);

// Greedy search's token: the first index of the largest of row[0, n), a NaN counting as the largest
// (the first NaN wins): at::argmax's choice, on plain memory.
int64_t argmax_row(const float* row, int64_t n);

// Beam search's candidates: the `want` largest scores[j * vocab + v] + beam_scores[j] over the
// beams j < beams of one item, best first, as (sum, j * vocab + v): what at::topk gives for
// scores + beam_scores.unsqueeze(1) viewed as one row, without the sum's tensor (a base model's
// beam-3 step reads 91,572 of them). NaN counts as the largest, as in torch.topk; ties, whose
// order torch.topk leaves open, go to the lower index.
struct BeamCandidate {
  float score;
  int64_t index;
};
void best_beam_candidates(const float* scores, int64_t beams, int64_t vocab, const float* beam_scores, int64_t want,
                          std::vector<BeamCandidate>& out);

}  // namespace glimpse::blip
