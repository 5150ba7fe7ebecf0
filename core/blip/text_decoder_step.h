#pragma once
// A bf16 decoder step of a few rows (one per beam) without ATen operations between its products.
// BlipTextLMHeadModel::forward runs a step as about 500 ATen calls around its 86 products and
// attentions (views, allocations, adds, LayerNorms, the mask), 1-2 us each on a cold cache: the
// step's weights stream through the caches between any two of them. Here the same products and
// attentions (the same kernels, small_gemm.h) read and write buffers of this thread, and the
// additions, residuals and LayerNorms run in plain loops between them (docs/performance.md,
// fourteenth round).
//
// Same values as the ATen path except the LayerNorms: bf16_layer_norm.h's, whose float32 sums run
// in another order than at::layer_norm's (last-bit differences, which can move a bfloat16
// rounding of the next product's input). The bf16 mode only: the float32 mode keeps
// at::layer_norm, which Hugging Face's results are held to.
#include <functional>

#include "modeling_blip_text.h"

namespace glimpse::blip {

// Whether text_decoder_step runs this step of `model`: the bf16 mode on a CPU with the AVX-512
// BF16 kernels, heads of 64, one new position for at most kSmallGemmMaxRows rows, and the
// image's keys and values cached in bfloat16 for every layer (steps after the first).
bool text_decoder_step_runs(BlipTextLMHeadModelImpl& model, const at::Tensor& input_ids, const TextCache& cache);

// Logits [rows, 1, V] of the step: what model.forward(input_ids, attention_mask, {cache}, true)
// returns, up to the LayerNorms' rounding. Advances the cache as forward does. attention_mask:
// [rows, past + 1] of 0/1, or undefined (all ones). Inside run_step_team its products and
// attentions are served by the step's team.
at::Tensor text_decoder_step(BlipTextLMHeadModelImpl& model, const at::Tensor& input_ids,
                             const at::Tensor& attention_mask, TextCache& cache);

// Runs `step`, a decoder step of `rows` rows at position `past` of the caption whose cache is
// `cache`, the way timed steps chose (step_choice.h), timing it while they choose; `step` returns
// false for a step of the team's back-off (run_step_team), which is not timed. `fused`:
// text_decoder_step, whose way sets both switches (the bf16 kernel asking ahead, the team's
// read-ahead); else a step of the module path, the team's read-ahead only. Each path chooses for one row and for
// several apart (greedy and beam steps differ). The switches are process-wide: two models stepping at once on two
// threads set them for each other (the same values either way, only the speed). GLIMPSE_STEP_AHEAD=0|1|2 and
// GLIMPSE_STEP_READ_AHEAD=0|1 fix a switch instead (benchmarks compare the ways). With a measurement
// file set (fp32_gemm.h) and no switch fixed, the choices start from the ways this machine chose
// last (step_choice.h's StepWays, kept beside it) and each choice made is written back.
void run_chosen_step(bool fused, const void* cache, int64_t past, int64_t rows, const std::function<bool()>& step);
// The way last chosen for that path and row count (step_choice.h's bits), -1 before the first.
int text_decoder_step_way(bool fused, int64_t rows);
// Forgets the choices (tests, benchmarks): each switch fixed (the weights-ahead level 0, 1 or 2,
// the read-ahead 0 or 1), -1 timed, or as the environment says (any other value is refused). With
// both timed, the choices start from the kept ways, as at the process's first step.
constexpr int kStepChoiceFromEnvironment = -2;
void reset_text_decoder_step_choices(int weights_ahead = kStepChoiceFromEnvironment,
                                     int read_ahead = kStepChoiceFromEnvironment);

// On by default; GLIMPSE_TEXT_STEP=aten switches it off (benchmarks and tests compare both).
void set_text_decoder_step_enabled(bool enabled);
bool text_decoder_step_enabled();
// Steps text_decoder_step has run since the process started (tests check that a path took it).
int64_t text_decoder_steps_run();

// Where text_decoder_step's time goes, summed over the steps it ran while timing was on, in
// seconds: the products (the layers', the LM head's), the cross-attentions, the self-attentions
// (with this step's keys and values into the caches), and the whole step; the rest of a step is
// its embeddings, residual adds and LayerNorms, the mask, the checks of its input, the weights'
// lookups and the logits' allocation. Benchmarks split a step with it (docs/performance.md,
// thirty-fourth round). Off by default (two clock reads a part, about 200 a step); the sums are
// process-wide, each read on its own (steps on two threads at once may show in one sum and not
// yet in another).
struct TextDecoderStepTimes {
  int64_t steps = 0;
  double total = 0, products = 0, cross_attention = 0, self_attention = 0;
  // what was added since `before`
  TextDecoderStepTimes since(const TextDecoderStepTimes& before) const {
    return {steps - before.steps, total - before.total, products - before.products,
            cross_attention - before.cross_attention, self_attention - before.self_attention};
  }
};
void set_text_decoder_step_timing(bool on);
TextDecoderStepTimes text_decoder_step_times();

}  // namespace glimpse::blip
