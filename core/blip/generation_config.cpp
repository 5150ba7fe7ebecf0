// GenerationConfig's checks and BLIP's presets (generation_config.h): torch-free, for front ends.
#include <cmath>
#include <string>

#include "errors.h"
#include "generation_config.h"

namespace glimpse::blip {

void GenerationConfig::validate() const {
  auto fail = [](const std::string& m) { throw BlipError("invalid generation setting: " + m); };
  if (max_length < 1) fail("max_length must be >= 1");
  if (max_new_tokens && *max_new_tokens < 0) fail("max_new_tokens must be >= 0");
  if (min_length < 0) fail("min_length must be >= 0");
  if (num_beams < 1) fail("num_beams must be >= 1");
  if (num_return_sequences < 1) fail("num_return_sequences must be >= 1");
  if (!do_sample && num_return_sequences > num_beams)
    fail("num_return_sequences (" + std::to_string(num_return_sequences) + ") must not exceed num_beams (" +
         std::to_string(num_beams) + ") without sampling");
  if (do_sample && num_beams > 1) fail("sampling together with beam search is not supported");
  if (!(temperature > 0.0) || !std::isfinite(temperature)) fail("temperature must be > 0");
  if (top_k < 0) fail("top_k must be >= 0");
  if (!(top_p >= 0.0 && top_p <= 1.0)) fail("top_p must be in [0, 1]");
  if (!(repetition_penalty > 0.0) || !std::isfinite(repetition_penalty)) fail("repetition_penalty must be > 0");
  if (no_repeat_ngram_size < 0) fail("no_repeat_ngram_size must be >= 0");
  if (!std::isfinite(length_penalty)) fail("length_penalty must be finite");
  for (const auto& bad : bad_words_ids)
    if (bad.empty()) fail("bad_words_ids must not hold an empty sequence");
}

GenerationConfig blip_caption_preset() {
  GenerationConfig c;
  c.num_beams = 3;
  c.max_length = 20;
  c.min_length = 5;
  return c;
}

GenerationConfig blip_vqa_preset() {
  GenerationConfig c;
  c.num_beams = 3;
  c.max_length = 10;
  c.min_length = 1;
  return c;
}

}  // namespace glimpse::blip
