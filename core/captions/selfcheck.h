#pragma once
// Captions that check themselves: a generated caption is scored against its own photo with a
// retrieval head (ITM match probability, ITC cosine); a degenerate one (empty, only the prompt, a
// word or phrase repeated, a low match) is generated again with other strategies (beam search that
// never repeats a 3-gram, then nucleus sampling with a fixed seed) and the best candidate is kept.
// The rules are plain functions; the model calls go through blip.h only.
#include <cstdint>
#include <string>
#include <vector>

#include "blip.h"

namespace glimpse::captions {

enum class Degeneracy {
  None,
  Empty,           // nothing but spaces or punctuation
  OnlyPrompt,      // the model added nothing to the prompt
  RepeatedWord,    // the same word twice in a row
  RepeatedPhrase,  // a phrase of three or more words said twice
  LowMatch,        // the retrieval head does not think it describes the photo
};
// "empty", "only-prompt", "repeated-word", "repeated-phrase", "low-match"; "" for None.
const char* degeneracyKey(Degeneracy d);

// What is wrong with a caption's text alone: `continuation` is what the model added after the
// prompt (GeneratedText::continuation), `prompt` the prompt given (may be empty).
Degeneracy textDegeneracy(const std::string& continuation, const std::string& prompt);

struct SelfCheckOptions {
  int candidates = 3;   // at most this many captions per photo, the first one included (1-8)
  float minItm = 0.5f;  // a caption matching its photo with a lower ITM probability is regenerated
  uint64_t seed = 1;    // of the sampled candidates
};

struct ScoredCaption {
  blip::GeneratedText generated;
  std::string strategy;  // "as asked", "beam, no repeated 3-gram", "nucleus sampling"
  blip::MatchScore score;
  Degeneracy degeneracy = Degeneracy::None;  // textDegeneracy, else LowMatch below minItm
};

struct SelfCheckResult {
  std::vector<ScoredCaption> candidates;  // in the order generated; the first is the caption as asked
  size_t chosen = 0;
  const ScoredCaption& best() const { return candidates.at(chosen); }
  bool regenerated() const { return chosen != 0; }
};

// The generation settings of candidate k: 0 is `base` itself, 1 beam search (at least 3 beams)
// with no_repeat_ngram_size 3, 2 and later nucleus sampling (top_p 0.9) seeded seed + k - 2.
blip::GenerationConfig candidateConfig(const blip::GenerationConfig& base, int k, uint64_t seed);
const char* candidateStrategy(int k);

// The candidate to keep: the best ITM among those whose text is not degenerate, else the best ITM
// of all. Ties keep the earlier one.
size_t chooseCandidate(const std::vector<ScoredCaption>& candidates);

// Captions one photo with `captioner` and checks it with `checker` (a model with a retrieval head;
// it may be the same object). `pixels` are the photo as the captioner sees it, `checkPixels` as the
// checker does (its own preprocessing). The vision model runs once for all candidates. Throws
// BlipError as the model calls do; a cancel in `control` stops as caption() does.
SelfCheckResult selfCheckCaption(const blip::BlipModel& captioner, const blip::PixelValues& pixels,
                                 const blip::BlipModel& checker, const blip::PixelValues& checkPixels,
                                 const std::string& prompt, const blip::GenerationConfig& config,
                                 const SelfCheckOptions& options = {}, const blip::RunControl& control = {});

// Whether two models preprocess images the same way (then one set of pixel values serves both).
bool sameProcessing(const blip::BlipModel& a, const blip::BlipModel& b);

}  // namespace glimpse::captions
