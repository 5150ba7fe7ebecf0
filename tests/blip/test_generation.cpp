// Every generation case of each golden set through BlipModel (the API the app and CLI use):
// token ids exact, beam scores, and per-step raw/processed scores. Plus generation-loop unit tests
// on scripted logits.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <map>
#include <memory>

#include "blip.h"
#include "errors.h"
#include "fp32_gemm.h"
#include "generation.h"
#include "golden.h"

using namespace glimpse::blip;
using glimpse::test::GenerationCase;
using glimpse::test::golden_set;
using glimpse::test::max_abs_diff;
using glimpse::test::pixel_values_for;
using glimpse::test::record_count;
using glimpse::test::record_diff;
using glimpse::test::to_vector;

namespace {

using glimpse::test::kRelTol;
using glimpse::test::scaled_diff;

// Half-precision folders carry no tokenizer files: the set's tokenizer is used for them.
const BlipModel& model_for(const std::filesystem::path& dir, const std::filesystem::path& set_dir) {
  static std::map<std::filesystem::path, std::unique_ptr<BlipModel>> cache;
  auto& slot = cache[dir];
  LoadOptions options;
  options.tokenizer_dir = set_dir;
  if (!slot) slot = BlipModel::load(dir, options);
  return *slot;
}

GenerationConfig config_of(const nlohmann::json& defaults, const nlohmann::json& kwargs) {
  nlohmann::json k = defaults;
  for (const auto& [key, v] : kwargs.items()) k[key] = v;
  GenerationConfig c;
  if (k.contains("max_length")) c.max_length = k["max_length"];
  if (k.contains("max_new_tokens")) c.max_new_tokens = k["max_new_tokens"].get<int>();
  if (k.contains("min_length")) c.min_length = k["min_length"];
  if (k.contains("num_beams")) c.num_beams = k["num_beams"];
  if (k.contains("length_penalty")) c.length_penalty = k["length_penalty"];
  if (k.contains("early_stopping")) c.early_stopping = k["early_stopping"];
  if (k.contains("num_return_sequences")) c.num_return_sequences = k["num_return_sequences"];
  if (k.contains("repetition_penalty")) c.repetition_penalty = k["repetition_penalty"];
  if (k.contains("no_repeat_ngram_size")) c.no_repeat_ngram_size = k["no_repeat_ngram_size"];
  if (k.contains("do_sample")) c.do_sample = k["do_sample"];
  if (k.contains("eos_token_id")) c.eos_token_id = k["eos_token_id"];
  if (k.contains("pad_token_id")) c.pad_token_id = k["pad_token_id"];
  return c;
}

std::vector<std::string> strings_of(const nlohmann::json& j) {
  if (j.is_string()) return {j.get<std::string>()};
  return j.get<std::vector<std::string>>();
}

struct Step {
  at::Tensor raw, processed;  // [rows, V]
};

class GenerationGolden : public ::testing::TestWithParam<GenerationCase> {};

TEST_P(GenerationGolden, MatchesTransformers) {
  const GenerationCase& gc = GetParam();
  const auto& set = golden_set(gc.set_dir);
  const auto& c = gc.json();
  const BlipModel& model = model_for(gc.model_dir(), gc.set_dir);
  const GenerationConfig config = config_of(set.expected.at("generate_effective_defaults"), c.at("generate_kwargs"));

  std::vector<PixelValues> images;
  for (const auto& name : c.at("images")) images.push_back(to_vector(pixel_values_for(set, gc.model, name)));
  std::vector<Step> steps;
  StepCallback record = [&](const StepScores& s) {
    auto opts = at::TensorOptions().dtype(at::kFloat);
    steps.push_back({at::from_blob(const_cast<float*>(s.raw_logits), {s.rows, s.vocab}, opts).clone(),
                     at::from_blob(const_cast<float*>(s.processed), {s.rows, s.vocab}, opts).clone()});
  };
  RunControl control;
  control.on_step = &record;
  std::vector<std::vector<GeneratedText>> out;
  if (c.at("head") == "vqa")
    out = model.answer(image_inputs(images), strings_of(c.at("question")), config, control);
  else
    out =
        model.caption(image_inputs(images),
                      c.contains("prompt") ? strings_of(c.at("prompt")) : std::vector<std::string>{}, config, control);

  std::vector<std::vector<int64_t>> sequences;
  std::vector<std::string> decoded;
  std::vector<float> scores;
  for (const auto& per_image : out)
    for (const auto& g : per_image) {
      sequences.push_back(g.token_ids);
      decoded.push_back(g.text);
      scores.push_back(g.score);
    }
  const auto expected = c.at("sequences").get<std::vector<std::vector<int64_t>>>();
  EXPECT_EQ(sequences, expected);
  record_count(set.name, "generation cases with exact token ids", sequences == expected);
  EXPECT_EQ(decoded, c.at("decoded").get<std::vector<std::string>>());

  if (c.contains("sequences_scores")) {
    const auto es = c.at("sequences_scores").get<std::vector<float>>();
    ASSERT_EQ(scores.size(), es.size());
    for (size_t i = 0; i < es.size(); ++i) {
      const double d = std::abs(scores[i] - es[i]) / std::max(1.0f, std::abs(es[i]));
      record_diff(set.name, "beam sequences_scores", d);
      EXPECT_LE(d, kRelTol) << "row " << i;
    }
  }

  if (c.contains("steps")) {
    const auto& st = c.at("steps");
    ASSERT_EQ(static_cast<int>(steps.size()), st.at("n_steps").get<int>());
    for (size_t s = 0; s < steps.size(); ++s) {
      for (size_t b = 0; b < st.at("raw_top5_ids")[s].size(); ++b) {
        const auto ids = st.at("raw_top5_ids")[s][b].get<std::vector<int64_t>>();
        const auto logits = st.at("raw_top5_logits")[s][b].get<std::vector<float>>();
        for (size_t k = 0; k < ids.size(); ++k) {
          const double d =
              std::abs(steps[s].raw[b][ids[k]].item<double>() - logits[k]) / std::max(1.0, std::abs(double(logits[k])));
          record_diff(set.name, "greedy step raw logits (top 5)", d);
          EXPECT_LE(d, kRelTol) << "step " << s << " row " << b;
        }
        EXPECT_EQ(steps[s].raw[b].argmax().item<int64_t>(), ids[0]) << "step " << s << " row " << b;
        if (st.contains("processed_top5_ids")) {
          const auto pids = st.at("processed_top5_ids")[s][b].get<std::vector<int64_t>>();
          const auto pscores = st.at("processed_top5_scores")[s][b].get<std::vector<float>>();
          for (size_t k = 0; k < pids.size(); ++k) {
            const float got = steps[s].processed[b][pids[k]].item<float>();
            if (std::isinf(pscores[k])) {
              EXPECT_TRUE(std::isinf(got) && got < 0);
            } else {
              const double d = std::abs(got - pscores[k]) / std::max(1.0, std::abs(double(pscores[k])));
              record_diff(set.name, "greedy step processed scores (top 5)", d);
              EXPECT_LE(d, kRelTol);
            }
          }
        }
      }
    }
    if (st.contains("raw_logits_first_steps")) {
      const at::Tensor first = set.tensor(st.at("raw_logits_first_steps"));  // [k, B, V]
      for (int64_t s = 0; s < first.size(0); ++s) {
        const double d = scaled_diff(steps[static_cast<size_t>(s)].raw, first[s]);
        record_diff(set.name, "greedy full raw logits (first steps)", d);
        EXPECT_LE(d, kRelTol);
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Golden, GenerationGolden, ::testing::ValuesIn(glimpse::test::generation_cases()),
                         [](const ::testing::TestParamInfo<GenerationCase>& p) {
                           return glimpse::test::case_label(golden_set(p.param.set_dir).name, p.param.model,
                                                            p.param.name);
                         });

// ---- The loop on scripted logits ----

// Logits that depend only on the step: step s gives `table[s]` to every row.
class ScriptedSession : public DecoderSession {
 public:
  explicit ScriptedSession(std::vector<std::vector<float>> table, int64_t* calls = nullptr)
      : table_(std::move(table)), calls_(calls) {}
  at::Tensor step(const at::Tensor& ids, const at::Tensor& mask) override {
    EXPECT_EQ(mask.size(1), seen_ + ids.size(1));
    seen_ += ids.size(1);
    if (calls_) ++*calls_;
    const auto& row = table_.at(std::min(step_++, table_.size() - 1));
    return at::tensor(row).unsqueeze(0).expand({ids.size(0), static_cast<int64_t>(row.size())}).clone();
  }
  void reorder(const at::Tensor&) override {}

 private:
  std::vector<std::vector<float>> table_;
  size_t step_ = 0;
  int64_t seen_ = 0;
  int64_t* calls_;
};

SessionFactory scripted(std::vector<std::vector<float>> table, int64_t* calls = nullptr) {
  return [=](int64_t) { return std::make_unique<ScriptedSession>(table, calls); };
}

TEST(GenerationLoop, GreedyStopsAtEosAndPadsFinishedRows) {
  // vocab: 0 pad, 1 a, 2 eos, 3 b
  GenerationConfig c;
  c.eos_token_id = 2;
  c.max_length = 10;
  auto r =
      generate(scripted({{0, 5, 1, 0}, {0, 0, 1, 5}, {0, 0, 9, 0}}), at::full({1, 1}, 7, at::kLong), at::Tensor(), c);
  ASSERT_EQ(r.sequences.size(), 1u);
  EXPECT_EQ(r.sequences[0], (std::vector<int64_t>{7, 1, 3, 2}));
}

// A session whose logits have one row whatever it was asked for.
class OneRowSession : public DecoderSession {
 public:
  at::Tensor step(const at::Tensor&, const at::Tensor&) override { return at::zeros({1, 4}); }
  void reorder(const at::Tensor&) override {}
};

TEST(GenerationLoop, LogitsOfTooFewRowsAreAnError) {
  GenerationConfig c;
  c.max_length = 5;
  const SessionFactory one_row = [](int64_t) { return std::make_unique<OneRowSession>(); };
  EXPECT_NO_THROW(generate(one_row, at::full({1, 1}, 1, at::kLong), at::Tensor(), c));
  EXPECT_THROW(generate(one_row, at::full({2, 1}, 1, at::kLong), at::Tensor(), c), BlipError);
  c.do_sample = true;
  EXPECT_THROW(generate(one_row, at::full({2, 1}, 1, at::kLong), at::Tensor(), c), BlipError);
}

TEST(GenerationLoop, MinLengthBansEosAndMaxNewTokensCountsFromStart) {
  GenerationConfig c;
  c.eos_token_id = 2;
  c.min_length = 4;  // whole sequence, start token included
  c.max_new_tokens = 5;
  auto r = generate(scripted({{0, 1, 9, 0}}), at::full({1, 2}, 7, at::kLong), at::Tensor(), c);
  // Lengths 2 and 3 may not end; at length 4 eos (score 9) wins.
  EXPECT_EQ(r.sequences[0], (std::vector<int64_t>{7, 7, 1, 1, 2}));
}

// The processors' bans of one token in every row write through the scores' strides (a transposed
// tensor gets the same values as a contiguous one), and a token outside the vocabulary is refused.
TEST(GenerationLoop, ProcessorsBanTokensThroughTheScoresStrides) {
  GenerationConfig c;
  c.eos_token_id = 2;
  c.min_length = 5;
  c.bad_words_ids = {{4}, {1, 3}};
  const at::Tensor sequences = at::tensor(std::vector<int64_t>{7, 1, 7, 7}).view({2, 2});
  at::Tensor plain = at::arange(10, at::kFloat).view({2, 5});
  at::Tensor transposed = at::arange(10, at::kFloat).view({2, 5}).t().contiguous().t();
  ASSERT_FALSE(transposed.is_contiguous());
  apply_logits_processors(plain, sequences, c);
  apply_logits_processors(transposed, sequences, c);
  const float inf = std::numeric_limits<float>::infinity();
  EXPECT_TRUE(
      at::equal(plain, at::tensor(std::vector<float>{0, 1, -inf, -inf, -inf, 5, 6, -inf, 8, -inf}).view({2, 5})));
  EXPECT_TRUE(at::equal(transposed, plain));
  c.eos_token_id = 5;
  at::Tensor scores = at::zeros({2, 5});
  EXPECT_THROW(apply_logits_processors(scores, sequences, c), c10::Error);
}

TEST(GenerationLoop, RepetitionPenaltyAndNgramBanFollowTransformers) {
  at::Tensor scores = at::tensor(std::vector<float>{2.0f, -2.0f, 1.0f, 3.0f}).unsqueeze(0);
  at::Tensor seq = at::tensor(std::vector<int64_t>{0, 1, 0, 3}).unsqueeze(0);
  GenerationConfig c;
  c.repetition_penalty = 2.0;
  c.no_repeat_ngram_size = 2;
  apply_logits_processors(scores, seq, c);
  EXPECT_FLOAT_EQ(scores[0][0].item<float>(), 1.0f);   // positive: divided, once although repeated
  EXPECT_FLOAT_EQ(scores[0][1].item<float>(), -4.0f);  // negative: multiplied
  EXPECT_FLOAT_EQ(scores[0][2].item<float>(), 1.0f);   // never seen: untouched
  // last token 3 was never followed by anything, so no ban; now end with 0: "0 1" exists -> ban 1
  at::Tensor scores2 = at::zeros({1, 4});
  GenerationConfig ban;
  ban.max_length = 1;
  ban.no_repeat_ngram_size = 2;
  apply_logits_processors(scores2, at::tensor(std::vector<int64_t>{0, 1, 3, 0}).unsqueeze(0), ban);
  EXPECT_TRUE(std::isinf(scores2[0][1].item<float>()));
  EXPECT_EQ(scores2[0][3].item<float>(), 0.0f);
}

TEST(GenerationLoop, BeamSearchKeepsBestNormalisedHypothesis) {
  // Step 0: a (1) likely; step 1: eos likely. Beam 2 must return [s, a, eos] and its score
  // = (logp(a) + logp(eos)) / 2.
  GenerationConfig c;
  c.eos_token_id = 2;
  c.num_beams = 2;
  c.max_length = 6;
  std::vector<std::vector<float>> t = {{-9, 3, -9, 1}, {-9, 0, 4, 0}};
  auto r = generate(scripted(t), at::full({1, 1}, 7, at::kLong), at::Tensor(), c);
  ASSERT_EQ(r.sequences.size(), 1u);
  EXPECT_EQ(r.sequences[0], (std::vector<int64_t>{7, 1, 2}));
  const double l0 = at::log_softmax(at::tensor(t[0]), 0)[1].item<double>();
  const double l1 = at::log_softmax(at::tensor(t[1]), 0)[2].item<double>();
  EXPECT_NEAR(r.sequences_scores[0], (l0 + l1) / 2.0, 1e-6);
}

// Greedy search picks its token without at::argmax (argmax_row): rows of every length around the
// 16-wide blocks and a base vocabulary, with the largest value alone, tied (within a block, across
// blocks, +0 against -0), NaN (one or several, before and after the largest, alone in the tail),
// every value -inf and +inf: at::argmax's index each time.
TEST(GenerationLoop, GreedyTokenIsAtenArgmax) {
  at::manual_seed(1);
  const float inf = std::numeric_limits<float>::infinity(), nan = std::nanf("");
  int checked = 0;
  for (const int64_t n : {1, 2, 15, 16, 17, 31, 33, 1000, 30524}) {
    std::vector<std::vector<float>> rows;
    const at::Tensor random = at::randn({n}) * 4;
    std::vector<float> base(random.data_ptr<float>(), random.data_ptr<float>() + n);
    rows.push_back(base);
    auto with = [&](std::vector<std::pair<int64_t, float>> set) {
      std::vector<float> r = base;
      for (auto [i, v] : set)
        if (i < n) r[static_cast<size_t>(i)] = v;
      rows.push_back(r);
    };
    with({{n - 1, 100.0f}});
    with({{n / 2, 100.0f}, {n - 1, 100.0f}});
    with({{3, 100.0f}, {5, 100.0f}});
    with({{n - 1, 100.0f}, {n / 3, nan}});
    with({{0, 100.0f}, {n - 1, nan}, {n / 2, nan}});
    with({{n - 1, nan}});
    with({{n / 2, inf}, {n - 1, inf}});
    std::vector<float> zeros(static_cast<size_t>(n), -1.0f);
    zeros[static_cast<size_t>(n - 1)] = 0.0f;
    zeros[static_cast<size_t>(n / 2)] = -0.0f;
    rows.push_back(zeros);
    rows.push_back(std::vector<float>(static_cast<size_t>(n), -inf));
    for (const auto& r : rows) {
      const int64_t want = at::argmax(at::tensor(r)).item<int64_t>();
      EXPECT_EQ(argmax_row(r.data(), n), want) << "length " << n << ", row " << checked;
      ++checked;
    }
  }
  EXPECT_EQ(checked, 9 * 10);
}

// Beam search picks its candidates without at::topk (best_beam_candidates): the same sums and
// indices as at::topk of scores + beam_scores on random scores, masked (-inf) tokens, and ties,
// which go to the lower index; NaN counts as the largest, as in torch.topk.
TEST(GenerationLoop, BeamCandidatesAreTopkOfTheSums) {
  at::manual_seed(0);
  std::vector<BeamCandidate> got;
  for (const int64_t beams : {1, 3, 4}) {
    for (const int64_t vocab : {7, 1000, 30524}) {
      at::Tensor scores = at::log_softmax(at::randn({beams, vocab}) * 3, -1);
      scores.narrow(1, 0, 3).fill_(-std::numeric_limits<float>::infinity());  // banned tokens
      const at::Tensor beam_scores = at::randn({beams}) * 2;
      const int64_t want = std::min<int64_t>(2 * beams, beams * vocab);
      best_beam_candidates(scores.data_ptr<float>(), beams, vocab, beam_scores.data_ptr<float>(), want, got);
      auto [values, indices] = at::topk((scores + beam_scores.unsqueeze(1)).view({1, beams * vocab}), want, 1);
      ASSERT_EQ(static_cast<int64_t>(got.size()), want);
      for (int64_t i = 0; i < want; ++i) {
        EXPECT_EQ(got[i].score, values[0][i].item<float>()) << beams << " beams, vocab " << vocab << ", rank " << i;
        EXPECT_EQ(got[i].index, indices[0][i].item<int64_t>()) << beams << " beams, vocab " << vocab << ", rank " << i;
      }
    }
  }
  // ties: the lower index first, across beams too (beam 1's token 0 sums to beam 0's token 2)
  const std::vector<float> tied = {-1, -3, -2, -2, -2, -9, -9, -9};
  const std::vector<float> adds = {0, 0};
  best_beam_candidates(tied.data(), 2, 4, adds.data(), 4, got);
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[0].index, 0);
  EXPECT_EQ(got[1].index, 2);
  EXPECT_EQ(got[2].index, 3);
  EXPECT_EQ(got[3].index, 4);
  // NaN before everything: after a full list too; and more wanted than there are candidates
  const std::vector<float> with_nan = {-1, std::nanf(""), -2};
  best_beam_candidates(with_nan.data(), 1, 3, adds.data(), 1, got);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].index, 1);
  best_beam_candidates(with_nan.data(), 1, 3, adds.data(), 5, got);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_TRUE(std::isnan(got[0].score));
  EXPECT_EQ(got[1].index, 0);
  EXPECT_EQ(got[2].index, 2);
  // 16 sums at a time: a NaN inside a later block of 16 still comes first once the list is full;
  // a full block whose one sum ties the worst kept is passed over (the tie goes to the lower
  // index), and one with a sum above it is not
  std::vector<float> blocks(48, -5.0f);
  blocks[1] = -1.0f;
  blocks[2] = -2.0f;
  blocks[21] = std::nanf("");
  blocks[33] = -2.0f;  // ties index 2, in the block 32-47
  best_beam_candidates(blocks.data(), 1, 48, adds.data(), 3, got);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_TRUE(std::isnan(got[0].score));
  EXPECT_EQ(got[0].index, 21);
  EXPECT_EQ(got[1].index, 1);
  EXPECT_EQ(got[2].index, 2);
  best_beam_candidates(blocks.data(), 1, 48, adds.data(), 4, got);
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[3].index, 33);
  // every token banned: the lowest indices
  const float inf = std::numeric_limits<float>::infinity();
  const std::vector<float> banned = {-inf, -inf, -inf, -inf};
  best_beam_candidates(banned.data(), 1, 4, adds.data(), 2, got);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].index, 0);
  EXPECT_EQ(got[1].index, 1);
  // the same over a full block of 16 and more: a block is passed over only once the list is full
  const std::vector<float> banned20(20, -inf);
  best_beam_candidates(banned20.data(), 1, 20, adds.data(), 2, got);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].index, 0);
  EXPECT_EQ(got[1].index, 1);
}

TEST(GenerationLoop, CancelStopsBetweenSteps) {
  std::atomic<bool> cancel{true};
  GenerationConfig c;
  int64_t calls = 0;
  EXPECT_THROW(generate(scripted({{0, 1, 0, 0}}, &calls), at::full({1, 1}, 7, at::kLong), at::Tensor(), c, &cancel),
               GenerationCancelled);
  EXPECT_EQ(calls, 0);
}

TEST(GenerationLoop, InvalidSettingsAreRejected) {
  GenerationConfig c;
  c.num_return_sequences = 2;  // greedy cannot return two sequences
  EXPECT_THROW(c.validate(), BlipError);
  c = GenerationConfig{};
  c.top_p = 1.5;
  EXPECT_THROW(c.validate(), BlipError);
  c = GenerationConfig{};
  c.num_beams = 0;
  EXPECT_THROW(c.validate(), BlipError);
}

TEST(GenerationLoop, SamplingIsReproducibleWithASeedAndHonoursTopK) {
  GenerationConfig c;
  c.do_sample = true;
  c.seed = 42;
  c.top_k = 2;
  c.max_length = 12;
  c.eos_token_id = 99;  // never produced
  std::vector<std::vector<float>> t = {{0.0f, 1.0f, 1.0f, -50.0f, 0.5f}};
  auto a = generate(scripted(t), at::full({1, 1}, 7, at::kLong), at::Tensor(), c);
  auto b = generate(scripted(t), at::full({1, 1}, 7, at::kLong), at::Tensor(), c);
  EXPECT_EQ(a.sequences, b.sequences);
  bool saw1 = false, saw2 = false;
  for (size_t i = 1; i < a.sequences[0].size(); ++i) {
    const int64_t id = a.sequences[0][i];
    EXPECT_TRUE(id == 1 || id == 2) << id;  // top_k = 2 keeps only the two best
    saw1 |= id == 1;
    saw2 |= id == 2;
  }
  EXPECT_TRUE(saw1 && saw2);
}

}  // namespace

namespace {

const std::filesystem::path kTinyDir = std::filesystem::path(GLIMPSE_TEST_DATA_DIR) / "tiny";

// The golden set's first image, as the processor makes it.
std::vector<float> tiny_pixels() {
  const auto& set = glimpse::test::golden_set(kTinyDir);
  const auto& names = set.expected.at("models").at("main").at("vision").at("images");
  return glimpse::test::to_vector(glimpse::test::pixel_values_for(set, "main", names[0]));
}

// The two entry points take pixel values or an encoded image alike, and say what the model added.
TEST(GenerationApi, EncodedImagesGiveTheSameTokensAndTheContinuationLeavesThePromptOut) {
  auto m = BlipModel::load(kTinyDir);
  const auto px = tiny_pixels();
  GenerationConfig c = blip_caption_preset();
  const auto from_pixels = m->caption({px}, {"a picture of"}, c)[0][0];
  const auto from_state = m->caption({m->encode_image(px, false)}, {"a picture of"}, c)[0][0];
  EXPECT_EQ(from_pixels.token_ids, from_state.token_ids);
  // The continuation decodes the tokens after bos and the prompt's three tokens.
  const std::vector<int64_t> added(from_pixels.token_ids.begin() + 4, from_pixels.token_ids.end());
  EXPECT_EQ(from_pixels.continuation, m->tokenizer().decode(added, true));
  EXPECT_EQ(from_pixels.text, m->tokenizer().decode(from_pixels.token_ids, true));
  const auto q = m->answer({px}, {"what is it?"}, blip_vqa_preset())[0][0];
  const auto q_state = m->answer({m->encode_image(px, true)}, {"what is it?"}, blip_vqa_preset())[0][0];
  EXPECT_EQ(q.token_ids, q_state.token_ids);
  EXPECT_EQ(q.continuation, q.text);  // answers start at bos alone
  // An image encoded for questions is not a captioning input.
  EXPECT_THROW(m->caption({m->encode_image(px, true)}, {}, c), BlipError);
}

// release_vision_weights frees the vision towers' packed weights (glimpse-cli calls it before
// generating for its last photos); captions and answers stay the same, and the next image packs
// the weights again. Tiny models run packed only in the "packed." variant of this program.
TEST(GenerationApi, FreeingTheVisionWeightsKeepsEveryTokenAndTheyArePackedAgain) {
  auto m = BlipModel::load(kTinyDir);
  const auto px = tiny_pixels();
  const GenerationConfig c = blip_caption_preset();
  const auto before = m->caption({px}, {"a picture of"}, c)[0][0];
  const auto answer_before = m->answer({px}, {"what is it?"}, blip_vqa_preset())[0][0];
  const char* env = std::getenv("GLIMPSE_FP32_GEMM");
  const bool packs = env && std::string(env) == "packed-all" && glimpse::blip::onednn_gemm_available();
  const size_t freed = m->release_vision_weights();
  if (packs) {
    EXPECT_GT(freed, 0u);
  } else {
    EXPECT_EQ(freed, 0u);  // nothing was packed: the tiny models' products have too few rows
  }
  EXPECT_EQ(m->release_vision_weights(), 0u);  // nothing left to free
  // Encoded after the release (packed again), then generated without the vision weights.
  const ImageState state = m->encode_image(px, false);
  const size_t again = m->release_vision_weights();
  if (packs) {
    EXPECT_GT(again, 0u);
  }
  EXPECT_EQ(m->caption({state}, {"a picture of"}, c)[0][0].token_ids, before.token_ids);
  EXPECT_EQ(m->caption({px}, {"a picture of"}, c)[0][0].token_ids, before.token_ids);
  EXPECT_EQ(m->answer({m->encode_image(px, true)}, {"what is it?"}, blip_vqa_preset())[0][0].token_ids,
            answer_before.token_ids);
}

// The text so far is reported at every step, without the prompt, and ends as the result.
TEST(GenerationApi, RunControlReportsTheTextAsItGrows) {
  auto m = BlipModel::load(kTinyDir);
  const auto px = tiny_pixels();
  GenerationConfig c;
  c.max_length = 12;
  c.min_length = 12;
  std::vector<std::string> seen;
  RunControl control;
  control.on_text = [&](const GeneratedText& g) { seen.push_back(g.continuation); };
  const auto out = m->caption({px}, {"a picture of"}, c, control)[0][0];
  ASSERT_EQ(seen.size(), 8u);  // one per decoder step: 12 - 4 start tokens
  EXPECT_TRUE(seen.front().empty());
  std::atomic<bool> cancel{true};
  RunControl stop;
  stop.cancel = &cancel;
  EXPECT_THROW(m->caption({px}, {}, c, stop), GenerationCancelled);
}

// A prompt or question that does not fit the text model's positions is refused with the numbers,
// at any length past the limit (never cut to fit, which would caption or answer something else).
TEST(GenerationApi, PromptsAndQuestionsThatDoNotFitAreRefused) {
  auto m = BlipModel::load(kTinyDir);
  const auto px = tiny_pixels();
  const int positions = m->config().text_config.max_position_embeddings;
  for (int words : {positions - 1, positions, positions + 6, 3 * positions}) {
    std::string text;
    for (int i = 0; i < words; ++i) text += "dog ";
    try {
      m->caption({px}, {text}, GenerationConfig{});
      ADD_FAILURE() << words << " words were accepted as a prompt";
    } catch (const BlipError& e) {
      EXPECT_NE(std::string(e.what()).find("at most " + std::to_string(positions)), std::string::npos) << e.what();
    }
    EXPECT_THROW(m->answer({px}, {text}, blip_vqa_preset()), BlipError) << words;
  }
  // One that fits still runs.
  EXPECT_NO_THROW(m->caption({px}, {"dog dog dog"}, GenerationConfig{}));
}

}  // namespace
