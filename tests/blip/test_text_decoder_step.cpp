// The bf16 decoder step without ATen calls between its products (text_decoder_step.h): its
// LayerNorm against at::layer_norm, and whole captions of a model with heads of 64 (the step's
// kernels need them; the golden models' heads are smaller) against the ATen steps.
#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "bf16_layer_norm.h"
#include "blip.h"
#include "errors.h"
#include "nn_layers.h"
#include "random_model.h"
#include "small_gemm.h"
#include "step_choice.h"
#include "step_team.h"
#include "text_decoder_step.h"

using namespace glimpse::blip;

namespace {

TEST(TextDecoderStepLayerNorm, RowsMatchATenWithinFloatRounding) {
  if (!bf16_layer_norm_available()) GTEST_SKIP() << "no AVX-512 BF16 on this CPU";
  auto gen = at::detail::createCPUGenerator(7);
  for (const int64_t d : {768, 40, 16, 7}) {
    // rows far from zero mean and of several scales: the variance's pass must centre first
    const at::Tensor x = at::normal(0.0, 1.0, {3, d}, gen) * at::tensor({0.01f, 1.0f, 30.0f}).unsqueeze(1) + 5.0f;
    const at::Tensor w = at::normal(1.0, 0.5, {d}, gen), b = at::normal(0.0, 0.5, {d}, gen);
    const at::Tensor expected = at::layer_norm(x, {d}, w, b, 1e-12);
    at::Tensor out = at::empty_like(x);
    layer_norm_rows_f32(x.data_ptr<float>(), 3, d, w.data_ptr<float>(), b.data_ptr<float>(), 1e-12f,
                        out.data_ptr<float>());
    for (int64_t r = 0; r < 3; ++r) {
      // Float32 sums of d terms in another order: a few units of the last place of the output,
      // times the row's condition (its mean over its spread: x - mean loses that many digits).
      const at::Tensor xr = x[r].to(at::kDouble);
      const double condition = 1 + xr.mean().abs().item<double>() / xr.std(false).item<double>();
      const double tolerance =
          16 * std::numeric_limits<float>::epsilon() * condition * expected[r].abs().max().item<double>();
      EXPECT_LE((out[r] - expected[r]).abs().max().item<double>(), tolerance) << "d " << d << " row " << r;
    }
    // and a real LayerNorm: each row's mean is removed (not a copy of the input)
    EXPECT_GT((out - x).abs().max().item<double>(), 1.0) << "d " << d;
  }
}

// A captioning model small enough for a test whose text and vision heads are 64 wide.
std::filesystem::path head64_model() {
  static const std::filesystem::path dir = [] {
    const auto d = std::filesystem::temp_directory_path() / ("glimpse-test-head64-" + std::to_string(::getpid()));
    glimpse::bench::writeRandomModel(d, std::filesystem::path(GLIMPSE_TEST_DATA_DIR) / "tiny", R"({
      "architectures": ["BlipForConditionalGeneration", "BlipForQuestionAnswering", "BlipForImageTextRetrieval"],
      "model_type": "blip", "image_text_hidden_size": 64, "projection_dim": 64,
      "text_config": {"model_type": "blip_text_model", "vocab_size": 30524, "hidden_size": 128,
                      "encoder_hidden_size": 128, "intermediate_size": 256, "num_hidden_layers": 2,
                      "num_attention_heads": 2, "max_position_embeddings": 40},
      "vision_config": {"model_type": "blip_vision_model", "hidden_size": 128, "intermediate_size": 256,
                        "num_hidden_layers": 2, "num_attention_heads": 2, "image_size": 64, "patch_size": 16}
    })",
                                     64, {BlipHead::Captioning, BlipHead::QuestionAnswering},
                                     /*seed=*/3);
    return d;
  }();
  static const struct Removal {
    ~Removal() {
      std::error_code ec;
      std::filesystem::remove_all(dir, ec);
    }
  } removal;
  return dir;
}

struct CaptionRun {
  std::vector<std::vector<float>> logits;                 // every step's raw logits
  std::vector<std::vector<std::vector<int64_t>>> inputs;  // every step's sequences
  std::vector<std::vector<GeneratedText>> out;
  int64_t fused_steps = 0;
};

// Captions (or, with `answer`, answers to the texts) of `images` with the fused step on or off.
CaptionRun caption(const BlipModel& model, const std::vector<PixelValues>& images,
                   const std::vector<std::string>& prompts, const GenerationConfig& c, bool fused,
                   bool answer = false) {
  CaptionRun r;
  const StepCallback on_step = [&](const StepScores& s) {
    r.logits.emplace_back(s.raw_logits, s.raw_logits + s.rows * s.vocab);
    std::vector<std::vector<int64_t>> seqs;
    for (int64_t i = 0; i < s.rows; ++i)
      seqs.emplace_back(s.sequences + i * s.length, s.sequences + (i + 1) * s.length);
    r.inputs.push_back(std::move(seqs));
  };
  RunControl control;
  control.on_step = &on_step;
  set_text_decoder_step_enabled(fused);
  const int64_t before = text_decoder_steps_run();
  try {
    const std::vector<ImageInput> inputs(images.begin(), images.end());
    r.out = answer ? model.answer(inputs, prompts, c, control) : model.caption(inputs, prompts, c, control);
  } catch (...) {
    set_text_decoder_step_enabled(true);
    throw;
  }
  r.fused_steps = text_decoder_steps_run() - before;
  set_text_decoder_step_enabled(true);
  return r;
}

double max_abs_difference(const std::vector<float>& a, const std::vector<float>& b) {
  double m = 0;
  for (size_t i = 0; i < a.size(); ++i) m = std::max(m, std::abs(static_cast<double>(a[i]) - b[i]));
  return m;
}

// The fused run against the ATen run of the same bf16 model and a float32 run: the same tokens,
// every step after the first taken by the fused step, and, where the float32 run fed the same
// sequences, logits moved by less than half of what bfloat16 itself moves them from float32 (a
// LayerNorm's last bit can move one bfloat16 rounding of a product's input: the same kind of
// change as the bf16 mode's own, which are many). Returns the steps compared with float32.
int expect_agreement(const CaptionRun& fused, const CaptionRun& aten, const CaptionRun& fp32, const std::string& what) {
  int compared = 0;
  EXPECT_EQ(fused.logits.size(), aten.logits.size()) << what;
  EXPECT_EQ(fused.fused_steps, static_cast<int64_t>(fused.logits.size()) - 1) << what;
  EXPECT_EQ(aten.fused_steps, 0) << what;
  EXPECT_EQ(fp32.fused_steps, 0) << what;  // the float32 mode keeps at::layer_norm
  EXPECT_EQ(fused.out.size(), aten.out.size()) << what;
  for (size_t i = 0; i < fused.out.size() && i < aten.out.size(); ++i) {
    EXPECT_EQ(fused.out[i].size(), aten.out[i].size()) << what;
    for (size_t j = 0; j < fused.out[i].size() && j < aten.out[i].size(); ++j)
      EXPECT_EQ(fused.out[i][j].token_ids, aten.out[i][j].token_ids) << what;
  }
  if (fused.logits.empty() || aten.logits.empty()) return 0;
  // The first step runs the prompt through the ATen path in both.
  EXPECT_EQ(fused.logits[0], aten.logits[0]) << what;
  for (size_t s = 1; s < fused.logits.size() && s < aten.logits.size() && s < fp32.logits.size(); ++s) {
    if (fused.inputs[s] != aten.inputs[s] || fused.inputs[s] != fp32.inputs[s]) break;
    const double fused_vs_aten = max_abs_difference(fused.logits[s], aten.logits[s]);
    EXPECT_LE(fused_vs_aten, 0.5 * max_abs_difference(aten.logits[s], fp32.logits[s])) << what << " step " << s;
    ++compared;
  }
  return compared;
}

// Beam reordering without copies (TextCache::reorder_by_history): the fused steps read each row's
// positions where they lie, and give the logits, bit for bit, of steps over a cache whose moved rows
// were copied (reorder); settle then leaves the same cache. Through a prompt (an ATen step, after
// which the reordering copies), a drawn reordering after every step (identities among them, two in
// a row after some), two ATen steps amid the fused ones (they settle a live history; the reordering
// after them copies), the rooms growing past their first 32 + prompt positions, and a fused step
// after the last reordering (positions past the history's).
// A two-layer decoder with heads of 64, as the fused step needs, its weights random, in bf16.
BlipTextLMHeadModel random_bf16_decoder() {
  BlipTextConfig c;
  c.hidden_size = c.encoder_hidden_size = 128;
  c.num_attention_heads = 2;
  c.intermediate_size = 256;
  c.num_hidden_layers = 2;
  c.vocab_size = 1000;
  c.is_decoder = true;
  BlipTextLMHeadModel model(c);
  for (auto& p : model->parameters()) p.copy_(at::randn(p.sizes()) * 0.05);
  model->gather_step_weights();
  set_linear_precision(*model, Precision::BFloat16);
  return model;
}

TEST(TextDecoderStepHistory, StepsOverAReorderedHistoryEqualStepsOverCopiedRows) {
  if (!precision_problem(Precision::BFloat16).empty()) GTEST_SKIP() << precision_problem(Precision::BFloat16);
  if (!bf16_layer_norm_available()) GTEST_SKIP() << "no AVX-512 BF16 on this CPU";
  c10::InferenceMode guard;
  at::manual_seed(0);
  BlipTextLMHeadModel model = random_bf16_decoder();
  const int64_t rows = 3;
  TextCache copied = model->bert->make_cache(rows), indexed = model->bert->make_cache(rows);
  TextForwardOptions o;
  o.encoder_hidden_states = at::randn({1, 10, 128});  // one image, its three beams
  auto gen = at::detail::createCPUGenerator(7);
  const auto longs = at::TensorOptions().dtype(at::kLong);
  at::Tensor ids = at::randint(1000, {rows, 3}, gen, longs);
  int64_t past = 0, fused = 0, by_history = 0, want_by_history = 0;
  // one step of both caches, compared; `aten`: with the fused step switched off
  auto step_both = [&](const std::string& what, bool aten) {
    const at::Tensor mask = at::ones({rows, past + ids.size(1)}, longs);
    const int64_t before = text_decoder_steps_run();
    set_text_decoder_step_enabled(!aten);
    o.cache = &copied;
    const at::Tensor want = model->forward(ids, mask, o, /*last_only=*/true);
    o.cache = &indexed;
    const at::Tensor got = model->forward(ids, mask, o, /*last_only=*/true);
    set_text_decoder_step_enabled(true);
    fused += text_decoder_steps_run() - before;
    past += ids.size(1);
    ids = at::randint(1000, {rows, 1}, gen, longs);
    return at::equal(got, want) ? ::testing::AssertionSuccess() : ::testing::AssertionFailure() << what;
  };
  const int steps = 40;
  int aten_steps = 0;
  for (int step = 0; step < steps; ++step) {
    const bool aten = step == 10 || step == 25;
    aten_steps += aten ? 1 : 0;
    ASSERT_TRUE(step_both("step " + std::to_string(step), aten));
    // every third reordering keeps the rows, the others are drawn; some steps reorder twice
    for (int again = 0; again < (step % 7 == 4 ? 2 : 1); ++again) {
      const at::Tensor index = step % 3 == 2 ? at::arange(rows, longs) : at::randint(rows, {rows}, gen, longs);
      copied.reorder(index);
      indexed.reorder_by_history(index);
    }
    const bool after_fused = step > 0 && !aten;
    want_by_history += after_fused ? 1 : 0;
    by_history += indexed.history_len == past ? 1 : 0;
    EXPECT_EQ(indexed.history.empty(), !after_fused) << "step " << step;
  }
  ASSERT_TRUE(step_both("the step after the last reordering", false));
  EXPECT_EQ(fused, 2 * (steps - 1 - aten_steps + 1));  // each step after the prompt but the ATen ones
  EXPECT_EQ(by_history, want_by_history);              // every reordering after a fused step
  EXPECT_LT(indexed.history_len, past);
  EXPECT_GT(indexed.layers[0].self_key_room.size(2), 32 + 3);  // the rooms grew
  indexed.settle();
  EXPECT_TRUE(indexed.history.empty());
  for (size_t l = 0; l < copied.layers.size(); ++l) {
    EXPECT_TRUE(at::equal(indexed.layers[l].self_key, copied.layers[l].self_key)) << "layer " << l;
    EXPECT_TRUE(at::equal(indexed.layers[l].self_value, copied.layers[l].self_value)) << "layer " << l;
  }
  // a reordering naming a row the cache lacks is refused, the history left as it was
  indexed.reorder_by_history(at::arange(rows, longs));
  ASSERT_FALSE(indexed.history.empty());
  const std::vector<int32_t> before = indexed.history;
  EXPECT_THROW(indexed.reorder_by_history(at::tensor(std::vector<int64_t>{0, 3, 1})), BlipError);
  EXPECT_EQ(indexed.history, before);
}

TEST(TextDecoderStepRuns, ChecksInFullWhatTheStepBeforeDidNotLeave) {
  if (!precision_problem(Precision::BFloat16).empty()) GTEST_SKIP() << precision_problem(Precision::BFloat16);
  if (!bf16_layer_norm_available()) GTEST_SKIP() << "no AVX-512 BF16 on this CPU";
  c10::InferenceMode guard;
  at::manual_seed(0);
  BlipTextLMHeadModel model = random_bf16_decoder();
  BlipTextLMHeadModel plain(model->bert->config);  // stays in float32
  TextCache cache = model->bert->make_cache(1);
  TextForwardOptions o;
  o.encoder_hidden_states = at::randn({1, 10, 128});
  o.cache = &cache;
  const auto longs = at::TensorOptions().dtype(at::kLong);
  const at::Tensor one = at::full({1, 1}, 7, longs), two = at::full({2, 1}, 7, longs);
  auto step = [&](const at::Tensor& ids) {
    model->forward(ids, at::ones({1, cache.past_length + ids.size(1)}, longs), o, /*last_only=*/true);
  };
  step(at::full({1, 3}, 5, longs));  // the prompt: the module path, which caches the image's keys
  EXPECT_FALSE(cache.last_step_fused());
  EXPECT_TRUE(text_decoder_step_runs(*model, one, cache));
  const int64_t before = text_decoder_steps_run();
  step(one);
  step(one);
  EXPECT_EQ(text_decoder_steps_run() - before, 2);
  ASSERT_TRUE(cache.last_step_fused());
  EXPECT_TRUE(text_decoder_step_runs(*model, one, cache));
  // after a fused step: another model, or another number of rows, is checked in full
  EXPECT_FALSE(text_decoder_step_runs(*plain, one, cache));
  EXPECT_FALSE(text_decoder_step_runs(*model, two, cache));
  // after a reordering that copied the rows into another number of them
  TextCache copy = cache;  // (the same tensors: a reordering sets them anew)
  copy.reorder(at::tensor(std::vector<int64_t>{0, 0}));
  EXPECT_FALSE(text_decoder_step_runs(*model, one, copy));
  // after a step that threw: it may have left some layers a position longer
  EXPECT_THROW(model->forward(one, at::ones({1, cache.past_length + 5}, longs), o, /*last_only=*/true), BlipError);
  EXPECT_FALSE(cache.last_step_fused());
  step(one);
  EXPECT_TRUE(cache.last_step_fused());
  // after the module path's step, too: a layer's keys the fused step cannot read are refused
  set_text_decoder_step_enabled(false);
  step(one);
  set_text_decoder_step_enabled(true);
  EXPECT_FALSE(cache.last_step_fused());
  EXPECT_TRUE(text_decoder_step_runs(*model, one, cache));
  cache.layers[1].cross_value = cache.layers[1].cross_value.to(at::kFloat);
  EXPECT_FALSE(text_decoder_step_runs(*model, one, cache));
}

TEST(TextLayerCacheViews, GrowInPlaceOnlyWhereNothingElseHoldsThem) {
  c10::InferenceMode guard;
  TextLayerCache c;
  c.make_self_room(/*rows=*/2, /*heads=*/2, /*head_dim=*/4, /*more=*/3);
  c.self_key_room.copy_(at::randn(c.self_key_room.sizes()));
  c.self_value_room.copy_(at::randn(c.self_value_room.sizes()));
  c.view_self_rooms(3);
  ASSERT_EQ(c.self_key.size(2), 3);
  const c10::TensorImpl* key = c.self_key.unsafeGetTensorImpl();
  // held here alone: the same view, one position longer, over the room's positions
  c.view_self_rooms(4);
  EXPECT_EQ(c.self_key.unsafeGetTensorImpl(), key);
  EXPECT_TRUE(at::equal(c.self_key, c.self_key_room.narrow(2, 0, 4)));
  EXPECT_TRUE(at::equal(c.self_value, c.self_value_room.narrow(2, 0, 4)));
  EXPECT_TRUE(c.self_key.is_alias_of(c.self_key_room));
  // held elsewhere too: the other holder's view stays as it was
  const at::Tensor kept = c.self_key;
  c.view_self_rooms(5);
  EXPECT_EQ(kept.size(2), 4);
  EXPECT_EQ(c.self_key.size(2), 5);
  EXPECT_TRUE(at::equal(c.self_key, c.self_key_room.narrow(2, 0, 5)));
  // a cache copied out of its rooms (a reordering's index_select) is viewed in the rooms again
  c.self_value = c.self_value.index_select(0, at::tensor(std::vector<int64_t>{1, 0}));
  c.view_self_rooms(5);
  EXPECT_TRUE(c.self_value.is_alias_of(c.self_value_room));
  EXPECT_TRUE(at::equal(c.self_value, c.self_value_room.narrow(2, 0, 5)));
  EXPECT_THROW(c.view_self_rooms(c.self_key_room.size(2) + 1), c10::Error);
}

std::vector<PixelValues> test_images(int n) {
  std::vector<PixelValues> images;
  for (int i = 0; i < n; ++i) {
    auto gen = at::detail::createCPUGenerator(100 + i);
    const at::Tensor px = at::normal(0.0, 1.0, {3, 64, 64}, gen);
    images.emplace_back(px.data_ptr<float>(), px.data_ptr<float>() + px.numel());
  }
  return images;
}

class TextDecoderStepCaptions : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!precision_problem(Precision::BFloat16).empty()) GTEST_SKIP() << precision_problem(Precision::BFloat16);
    if (!bf16_layer_norm_available()) GTEST_SKIP() << "no AVX-512 BF16 on this CPU";
    LoadOptions o;
    o.precision = Precision::BFloat16;
    bf16_ = BlipModel::load(head64_model(), o);
    o.precision = Precision::Float32;
    fp32_ = BlipModel::load(head64_model(), o);
  }
  std::unique_ptr<BlipModel> bf16_, fp32_;
};

// Greedy and beam 3, one image and two with prompts of different lengths (padded rows, a mask
// with zeros), against the ATen steps (expect_agreement).
TEST_F(TextDecoderStepCaptions, AgreeWithTheATenSteps) {
  int compared = 0;
  for (const int beams : {1, 3}) {
    for (const int images : {1, 2}) {
      GenerationConfig c;
      c.num_beams = beams;
      c.max_new_tokens = 12;
      c.min_length = 13;
      const std::vector<std::string> prompts =
          images == 1 ? std::vector<std::string>{} : std::vector<std::string>{"a picture of", "a"};
      const auto px = test_images(images);
      const std::string what = "beams " + std::to_string(beams) + " images " + std::to_string(images);
      const CaptionRun fused = caption(*bf16_, px, prompts, c, true);
      const CaptionRun aten = caption(*bf16_, px, prompts, c, false);
      const CaptionRun fp32 = caption(*fp32_, px, prompts, c, false);
      compared += expect_agreement(fused, aten, fp32, what);
    }
  }
  EXPECT_GE(compared, 20);
}

// The ways a step can run (the kernel asking for its weights ahead into L1, into L1 and L2, or not;
// the team reading ahead or not) change no value: the same logits at every step, bit for bit.
// Unfixed, the way is chosen by timing steps: not before each of the six ways has kStepChoiceRuns
// ratios (two ways a caption of seven steps: eighteen captions), then handed to the kernel and the
// team.
TEST_F(TextDecoderStepCaptions, EveryWayOfRunningAStepGivesTheSameValuesAndTheStepsChoose) {
  const auto px = test_images(1);
  GenerationConfig c;
  const int tokens = 2 * kStepChoiceRunSteps + 2;  // seven steps after the first: two runs counted
  c.max_new_tokens = tokens;
  c.min_length = tokens + 1;
  std::vector<CaptionRun> runs;
  const std::vector<int> ways{0, kStepWayWeightsAhead, kStepWayWeightsAhead | kStepWayWeightsAheadL2};
  std::vector<int> all_ways;
  for (const int read : {0, kStepWayReadAhead})
    for (const int w : ways) all_ways.push_back(w | read);
  for (const int way : all_ways) {
    const int ahead = step_way_weights_ahead(way), read_ahead = (way & kStepWayReadAhead) ? 1 : 0;
    EXPECT_EQ(step_way(ahead, read_ahead == 1), way);
    reset_text_decoder_step_choices(ahead, read_ahead);
    EXPECT_EQ(bf16_weights_ahead(), ahead);
    EXPECT_EQ(step_team_read_ahead(), read_ahead == 1);
    runs.push_back(caption(*bf16_, px, {}, c, true));
    // fixed: chosen at once, no step run another way
    EXPECT_EQ(text_decoder_step_way(true, 1), way);
    EXPECT_EQ(bf16_weights_ahead(), ahead);
    EXPECT_EQ(step_team_read_ahead(), read_ahead == 1);
    EXPECT_EQ(runs.back().fused_steps, tokens - 1);
    EXPECT_EQ(runs.back().logits, runs.front().logits) << "way " << way;
  }
  // steps are not timed while the first caption's move of the step weights onto huge pages runs
  for (int i = 0; i < 2000 && huge_page_moves().running > 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_EQ(huge_page_moves().running, 0);
  reset_text_decoder_step_choices(-1, -1);
  EXPECT_EQ(bf16_weights_ahead(), kWeightsAheadL1AndL2);  // the first way until the steps choose
  EXPECT_TRUE(step_team_read_ahead());
  int captions = 0;
  for (; captions < 60 && text_decoder_step_way(true, 1) < 0; ++captions) {
    const CaptionRun timed = caption(*bf16_, px, {}, c, true);
    EXPECT_EQ(timed.logits, runs.front().logits) << "caption " << captions;
  }
  EXPECT_GE(captions, 19);  // the eighteenth caption's ratios come at the next caption's first step
  const int way = text_decoder_step_way(true, 1);
  EXPECT_NE(std::find(all_ways.begin(), all_ways.end(), way), all_ways.end()) << way;
  EXPECT_EQ(bf16_weights_ahead(), step_way_weights_ahead(way));
  EXPECT_EQ(step_team_read_ahead(), (way & kStepWayReadAhead) != 0);
  EXPECT_EQ(text_decoder_step_way(true, 3), -1);  // several rows choose apart
  EXPECT_THROW(reset_text_decoder_step_choices(3, 0), c10::Error);
  EXPECT_THROW(reset_text_decoder_step_choices(0, 2), c10::Error);
  reset_text_decoder_step_choices();
}

// A caption long enough that the self-attention cache's room grows (33 positions at first), and
// answers (the decoder's cross-attention reads the question's states, not the image's).
TEST_F(TextDecoderStepCaptions, LongCaptionsAndAnswersAgreeWithTheATenSteps) {
  const auto px = test_images(1);
  int compared = 0;
  for (const int beams : {1, 3}) {
    GenerationConfig c;
    c.num_beams = beams;
    c.max_new_tokens = 37;  // bos + 37 of the model's 40 positions
    c.min_length = 38;
    const std::string what = "long, beams " + std::to_string(beams);
    compared += expect_agreement(caption(*bf16_, px, {}, c, true), caption(*bf16_, px, {}, c, false),
                                 caption(*fp32_, px, {}, c, false), what);
    GenerationConfig a;
    a.num_beams = beams;
    a.max_new_tokens = 6;
    a.min_length = 7;
    const std::vector<std::string> q{"what is in the picture?"};
    compared += expect_agreement(caption(*bf16_, px, q, a, true, true), caption(*bf16_, px, q, a, false, true),
                                 caption(*fp32_, px, q, a, false, true), "answer, beams " + std::to_string(beams));
  }
  EXPECT_GE(compared, 10);
}

// With timing on, every fused step adds its parts (text_decoder_step_times): the products, the
// cross- and self-attentions, each some time and together less than the steps, which took less
// than the caption around them; with timing off nothing is added.
TEST_F(TextDecoderStepCaptions, TimedStepsAddTheirParts) {
  const auto px = test_images(1);
  GenerationConfig c;
  c.num_beams = 3;
  c.max_new_tokens = 12;
  c.min_length = 13;
  set_text_decoder_step_timing(true);
  const TextDecoderStepTimes before = text_decoder_step_times();
  const auto start = std::chrono::steady_clock::now();
  const CaptionRun run = caption(*bf16_, px, {}, c, true);
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  set_text_decoder_step_timing(false);
  const TextDecoderStepTimes after = text_decoder_step_times(), added = after.since(before);
  EXPECT_EQ(run.fused_steps, 11);
  EXPECT_EQ(added.steps, run.fused_steps);
  const double total = added.total, products = added.products, cross = added.cross_attention,
               self = added.self_attention;
  EXPECT_GT(products, 0);
  EXPECT_GT(cross, 0);
  EXPECT_GT(self, 0);
  EXPECT_LT(products + cross + self, total);
  EXPECT_LT(total, wall);

  const CaptionRun untimed = caption(*bf16_, px, {}, c, true);
  EXPECT_EQ(untimed.fused_steps, 11);
  const TextDecoderStepTimes later = text_decoder_step_times();
  EXPECT_EQ(later.steps, after.steps);
  EXPECT_EQ(later.total, after.total);
  EXPECT_EQ(later.products, after.products);
}

// A caption that runs past the text model's positions fails the same way in both.
TEST_F(TextDecoderStepCaptions, RefuseToRunPastThePositionsAsTheATenSteps) {
  GenerationConfig c;
  c.max_new_tokens = 60;  // the model has 40 positions
  c.min_length = 61;
  c.max_length = 80;
  const auto px = test_images(1);
  std::string messages[2];
  for (const bool fused : {true, false}) {
    try {
      caption(*bf16_, px, {}, c, fused);
      ADD_FAILURE() << "a caption past the positions was not refused";
    } catch (const BlipError& e) {
      messages[fused ? 0 : 1] = e.what();
    }
  }
  EXPECT_NE(messages[0].find("longer than the model's 40 positions"), std::string::npos) << messages[0];
  EXPECT_EQ(messages[0], messages[1]);
}

}  // namespace
