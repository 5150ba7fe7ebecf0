#include "selfcheck.h"

#include <algorithm>
#include <cctype>
#include <sstream>

#include "errors.h"

namespace glimpse::captions {
namespace {

// Lower-case words without surrounding punctuation; words of punctuation alone are dropped.
std::vector<std::string> words(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string w;
  while (in >> w) {
    std::string k;
    for (unsigned char c : w)
      if (!std::ispunct(c) || c >= 0x80) k += static_cast<char>(std::tolower(c));
    if (!k.empty()) out.push_back(k);
  }
  return out;
}

bool hasRepeatedPhrase(const std::vector<std::string>& w, size_t n) {
  if (w.size() < 2 * n) return false;
  for (size_t i = 0; i + n <= w.size(); ++i)
    for (size_t j = i + 1; j + n <= w.size(); ++j)
      if (std::equal(w.begin() + static_cast<long>(i), w.begin() + static_cast<long>(i + n),
                     w.begin() + static_cast<long>(j)))
        return true;
  return false;
}

}  // namespace

const char* degeneracyKey(Degeneracy d) {
  switch (d) {
    case Degeneracy::None:
      return "";
    case Degeneracy::Empty:
      return "empty";
    case Degeneracy::OnlyPrompt:
      return "only-prompt";
    case Degeneracy::RepeatedWord:
      return "repeated-word";
    case Degeneracy::RepeatedPhrase:
      return "repeated-phrase";
    case Degeneracy::LowMatch:
      return "low-match";
  }
  return "";
}

Degeneracy textDegeneracy(const std::string& continuation, const std::string& prompt) {
  const auto w = words(continuation);
  if (w.empty()) return words(prompt).empty() ? Degeneracy::Empty : Degeneracy::OnlyPrompt;
  for (size_t i = 1; i < w.size(); ++i)
    if (w[i] == w[i - 1]) return Degeneracy::RepeatedWord;
  // The prompt counts: "a picture of a picture of" repeats it.
  auto all = words(prompt);
  all.insert(all.end(), w.begin(), w.end());
  for (size_t n = 3; 2 * n <= all.size(); ++n)
    if (hasRepeatedPhrase(all, n)) return Degeneracy::RepeatedPhrase;
  return Degeneracy::None;
}

const char* candidateStrategy(int k) {
  if (k == 0) return "as asked";
  if (k == 1) return "beam, no repeated 3-gram";
  return "nucleus sampling";
}

blip::GenerationConfig candidateConfig(const blip::GenerationConfig& base, int k, uint64_t seed) {
  blip::GenerationConfig c = base;
  c.num_return_sequences = 1;
  if (k == 0) return c;
  c.no_repeat_ngram_size = 3;
  if (k == 1) {
    c.do_sample = false;
    c.num_beams = std::max(3, base.do_sample ? 3 : base.num_beams);
    return c;
  }
  c.do_sample = true;
  c.num_beams = 1;
  c.top_p = 0.9;
  c.top_k = 0;
  c.temperature = 1.0;
  c.seed = seed + static_cast<uint64_t>(k - 2);
  return c;
}

size_t chooseCandidate(const std::vector<ScoredCaption>& candidates) {
  size_t best = 0;
  bool bestClean = false;
  for (size_t i = 0; i < candidates.size(); ++i) {
    const auto& c = candidates[i];
    const bool clean = c.degeneracy == Degeneracy::None || c.degeneracy == Degeneracy::LowMatch;
    if (i == 0 || (clean && !bestClean) || (clean == bestClean && c.score.itm > candidates[best].score.itm)) {
      best = i;
      bestClean = clean;
    }
  }
  return best;
}

bool sameProcessing(const blip::BlipModel& a, const blip::BlipModel& b) {
  return a.processor().config() == b.processor().config();
}

SelfCheckResult selfCheckCaption(const blip::BlipModel& captioner, const blip::PixelValues& pixels,
                                 const blip::BlipModel& checker, const blip::PixelValues& checkPixels,
                                 const std::string& prompt, const blip::GenerationConfig& config,
                                 const SelfCheckOptions& options, const blip::RunControl& control) {
  if (!checker.has_retrieval())
    throw blip::BlipError("the self-check needs a retrieval model (BlipForImageTextRetrieval)");
  const blip::ImageState image = captioner.encode_image(pixels, false);
  std::vector<std::string> prompts;
  if (!prompt.empty()) prompts.push_back(prompt);
  SelfCheckResult result;
  // Scores the candidates from `from` on and fills in their degeneracy.
  auto score = [&](size_t from) {
    std::vector<std::string> texts;
    for (size_t i = from; i < result.candidates.size(); ++i) texts.push_back(result.candidates[i].generated.text);
    const auto scores = checker.match({checkPixels}, texts);
    for (size_t i = from; i < result.candidates.size(); ++i) {
      auto& c = result.candidates[i];
      c.score = scores.front()[i - from];
      c.degeneracy = textDegeneracy(c.generated.continuation, prompt);
      if (c.degeneracy == Degeneracy::None && c.score.itm < options.minItm) c.degeneracy = Degeneracy::LowMatch;
    }
  };
  auto generate = [&](int k) {
    const auto out = captioner.caption({image}, prompts, candidateConfig(config, k, options.seed), control);
    if (out.empty() || out.front().empty()) throw blip::BlipError("the model returned no caption");
    result.candidates.push_back({out.front().front(), candidateStrategy(k), {}, Degeneracy::None});
  };
  generate(0);
  score(0);
  if (result.candidates.front().degeneracy == Degeneracy::None) return result;
  const int n = std::clamp(options.candidates, 1, 8);
  for (int k = 1; k < n; ++k) generate(k);
  if (n > 1) score(1);
  result.chosen = chooseCandidate(result.candidates);
  return result;
}

}  // namespace glimpse::captions
