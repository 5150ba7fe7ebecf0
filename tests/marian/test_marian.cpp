// MarianMTModel + MarianTokenizer against the golden sets under tests/data/marian (transformers
// v4.43.4): tokenizer ids, decoding, encoder states, teacher-forced logits and generate() for
// the folder's defaults and several options, single and batched. Every dimension, id and case
// comes from the set's files. GLIMPSE_MARIAN_SETS (colon-separated folders) replaces the sets.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "errors.h"
#include "generation.h"
#include "marian.h"

using glimpse::blip::BlipError;
using glimpse::marian::FloatArray;
using glimpse::marian::GenerationConfig;
using glimpse::marian::MarianModel;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

constexpr double kRelTol = 1e-5;

std::vector<fs::path> marian_sets() {
  std::vector<fs::path> out;
  if (const char* env = std::getenv("GLIMPSE_MARIAN_SETS"); env && *env) {
    std::stringstream ss(env);
    std::string item;
    while (std::getline(ss, item, ':'))
      if (!item.empty()) out.emplace_back(item);
    return out;
  }
  for (const auto& e : fs::directory_iterator(fs::path(GLIMPSE_TEST_DATA_DIR) / "marian"))
    if (e.is_directory() && fs::exists(e.path() / "expected.json")) out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

struct Set {
  json expected;
  std::unique_ptr<MarianModel> model;
};

const Set& set_of(const fs::path& dir) {
  static std::map<fs::path, std::unique_ptr<Set>> cache;
  auto& slot = cache[dir];
  if (!slot) {
    slot = std::make_unique<Set>();
    std::ifstream in(dir / "expected.json");
    slot->expected = json::parse(in);
    slot->model = MarianModel::load(dir);
  }
  return *slot;
}

// max |a - b| / max(1, max |b|), the engine's float tolerance measure.
double scaled_diff(const FloatArray& a, const json& expected) {
  std::vector<float> b = expected.get<std::vector<float>>();
  if (a.values.size() != b.size()) return INFINITY;
  double diff = 0.0, scale = 1.0;
  for (size_t i = 0; i < b.size(); ++i) {
    diff = std::max(diff, std::abs(static_cast<double>(a.values[i]) - b[i]));
    scale = std::max(scale, std::abs(static_cast<double>(b[i])));
  }
  return diff / scale;
}

std::vector<std::vector<int64_t>> rows(const json& j) {
  return j.get<std::vector<std::vector<int64_t>>>();
}

// The folder's defaults with a case's kwargs on top, as generate(**kwargs) applies them.
GenerationConfig with_kwargs(GenerationConfig c, const json& kwargs) {
  for (const auto& [k, v] : kwargs.items()) {
    if (k == "num_beams")
      c.num_beams = v.get<int>();
    else if (k == "max_new_tokens")
      c.max_new_tokens = v.get<int>();
    else if (k == "max_length")
      c.max_length = v.get<int>();
    else if (k == "min_length")
      c.min_length = v.get<int>();
    else if (k == "length_penalty")
      c.length_penalty = v.get<double>();
    else if (k == "early_stopping")
      c.early_stopping = v.get<bool>();
    else if (k == "num_return_sequences")
      c.num_return_sequences = v.get<int>();
    else if (k == "no_repeat_ngram_size")
      c.no_repeat_ngram_size = v.get<int>();
    else if (k == "repetition_penalty")
      c.repetition_penalty = v.get<double>();
    else if (k == "bad_words_ids")
      c.bad_words_ids = v.get<std::vector<std::vector<int64_t>>>();
    else if (k == "do_sample")
      c.do_sample = v.get<bool>();
    else
      ADD_FAILURE() << "generation option the test does not know: " << k;
  }
  return c;
}

class MarianGolden : public ::testing::TestWithParam<fs::path> {
 protected:
  void SetUp() override {
    if (const std::string p = glimpse::marian::sentencepiece_problem(); !p.empty()) GTEST_SKIP() << p;
  }
};

TEST_P(MarianGolden, TokenizerIdsAndPieces) {
  const Set& s = set_of(GetParam());
  const auto& tok = s.model->tokenizer();
  ASSERT_FALSE(s.expected.at("tokenize").empty());
  for (const auto& c : s.expected.at("tokenize")) {
    const std::string text = c.at("text");
    const auto ids = tok.encode(text);
    EXPECT_EQ(ids, c.at("input_ids").get<std::vector<int64_t>>()) << text;
    std::vector<std::string> pieces;
    for (int64_t id : ids) pieces.push_back(tok.id_to_token(id));
    EXPECT_EQ(pieces, c.at("pieces").get<std::vector<std::string>>()) << text;
  }
  EXPECT_EQ(tok.vocab_size(), s.expected.at("vocab_size").get<int64_t>());
  EXPECT_EQ(tok.pad_token_id(), s.expected.at("pad_token_id").get<int64_t>());
  EXPECT_EQ(tok.eos_token_id(), s.expected.at("eos_token_id").get<int64_t>());
}

TEST_P(MarianGolden, TokenizerBatchIsRightPadded) {
  const Set& s = set_of(GetParam());
  const auto& b = s.expected.at("batch");
  const auto enc = s.model->tokenizer().encode_batch(b.at("texts").get<std::vector<std::string>>());
  EXPECT_EQ(enc.input_ids, rows(b.at("input_ids")));
  EXPECT_EQ(enc.attention_mask, rows(b.at("attention_mask")));
}

TEST_P(MarianGolden, Decode) {
  const Set& s = set_of(GetParam());
  for (const auto& c : s.expected.at("decode")) {
    const auto ids = c.at("ids").get<std::vector<int64_t>>();
    EXPECT_EQ(s.model->tokenizer().decode(ids, true), c.at("skip_special_tokens").get<std::string>());
    EXPECT_EQ(s.model->tokenizer().decode(ids, false), c.at("keep_special_tokens").get<std::string>());
  }
}

TEST_P(MarianGolden, EncoderStates) {
  const Set& s = set_of(GetParam());
  for (const auto& c : s.expected.at("encoder")) {
    const FloatArray out = s.model->encode({c.at("input_ids").get<std::vector<int64_t>>()}, {});
    std::vector<int64_t> shape = c.at("shape");
    if (shape.size() == 2) shape.insert(shape.begin(), 1);
    EXPECT_EQ(out.shape, shape);
    const double d = scaled_diff(out, c.at("last_hidden_state"));
    std::cout << "[golden] encoder " << d << "\n";
    EXPECT_LT(d, kRelTol);
  }
}

TEST_P(MarianGolden, EncoderBatchWithPadding) {
  const Set& s = set_of(GetParam());
  const auto& b = s.expected.at("batch");
  const FloatArray out = s.model->encode(rows(b.at("input_ids")), rows(b.at("attention_mask")));
  EXPECT_EQ(out.shape, s.expected.at("encoder_batch").at("shape").get<std::vector<int64_t>>());
  const double d = scaled_diff(out, s.expected.at("encoder_batch").at("last_hidden_state"));
  std::cout << "[golden] encoder_batch " << d << "\n";
  EXPECT_LT(d, kRelTol);
}

TEST_P(MarianGolden, TeacherForcedLogits) {
  const Set& s = set_of(GetParam());
  ASSERT_FALSE(s.expected.at("decoder_forward").empty());
  for (const auto& c : s.expected.at("decoder_forward")) {
    const auto ids = s.model->tokenizer().encode(c.at("text").get<std::string>());
    const FloatArray out = s.model->logits({ids}, {}, {c.at("decoder_input_ids").get<std::vector<int64_t>>()});
    std::vector<int64_t> shape = c.at("shape");
    if (shape.size() == 2) shape.insert(shape.begin(), 1);
    EXPECT_EQ(out.shape, shape);
    const double d = scaled_diff(out, c.at("logits"));
    std::cout << "[golden] decoder_logits " << d << "\n";
    EXPECT_LT(d, kRelTol);
  }
}

TEST_P(MarianGolden, GenerationDefaultsFromTheFolder) {
  const Set& s = set_of(GetParam());
  const auto& e = s.expected.at("config_generation_defaults");
  const GenerationConfig& c = s.model->generation_defaults();
  EXPECT_EQ(c.num_beams, e.at("num_beams").get<int>());
  EXPECT_EQ(c.max_length, e.at("max_length").get<int>());
  EXPECT_EQ(c.bad_words_ids, rows(e.at("bad_words_ids")));
  EXPECT_EQ(c.decoder_start_token_id, e.at("decoder_start_token_id").get<int64_t>());
  EXPECT_EQ(c.forced_eos_token_id, e.at("forced_eos_token_id").get<int64_t>());
  EXPECT_EQ(c.eos_token_id, e.at("eos_token_id").get<int64_t>());
  EXPECT_EQ(c.pad_token_id, e.at("pad_token_id").get<int64_t>());
  EXPECT_DOUBLE_EQ(c.length_penalty, e.at("length_penalty").get<double>());
  EXPECT_EQ(c.early_stopping, e.at("early_stopping").get<bool>());
}

TEST_P(MarianGolden, Generate) {
  const Set& s = set_of(GetParam());
  ASSERT_FALSE(s.expected.at("generate").empty());
  for (const auto& c : s.expected.at("generate")) {
    SCOPED_TRACE(c.at("name").get<std::string>());
    const GenerationConfig gc = with_kwargs(s.model->generation_defaults(), c.at("kwargs"));
    const auto texts = c.at("texts").get<std::vector<std::string>>();
    const auto enc = s.model->tokenizer().encode_batch(texts);
    std::vector<float> scores;
    const auto seqs = s.model->generate(enc.input_ids, enc.attention_mask, gc, &scores);
    EXPECT_EQ(seqs, rows(c.at("sequences")));
    if (c.contains("sequences_scores")) {
      const auto want = c.at("sequences_scores").get<std::vector<float>>();
      ASSERT_EQ(scores.size(), want.size());
      for (size_t i = 0; i < want.size(); ++i)
        EXPECT_NEAR(scores[i], want[i], kRelTol * std::max(1.0f, std::abs(want[i])));
    }
    // translate(): the same sequences decoded, without the padding.
    const auto tr = s.model->translate(texts, gc);
    const auto want_text = c.at("translations").get<std::vector<std::string>>();
    size_t row = 0;
    for (const auto& per_text : tr) {
      ASSERT_EQ(per_text.size(), static_cast<size_t>(gc.num_return_sequences));
      for (const auto& t : per_text) {
        EXPECT_EQ(t.text, want_text.at(row));
        std::vector<int64_t> unpadded = seqs.at(row);
        while (unpadded.size() > 1 && unpadded.back() == gc.pad_token_id) unpadded.pop_back();
        EXPECT_EQ(t.token_ids, unpadded);
        EXPECT_EQ(t.token_ids.front(), *gc.decoder_start_token_id);
        ++row;
      }
    }
    EXPECT_EQ(row, want_text.size());
  }
}

INSTANTIATE_TEST_SUITE_P(Sets, MarianGolden, ::testing::ValuesIn(marian_sets()),
                         [](const ::testing::TestParamInfo<fs::path>& p) { return p.param.filename().string(); });

// The processors generate() gained for Marian, on hand-made scores (the golden sets cover single
// ids only): a multi-id bad word bans its last id only after its prefix; [eos] is never banned;
// forced EOS leaves eos alone at the last position.
TEST(SharedGeneration, BadWordSequencesAndForcedEos) {
  GenerationConfig c;
  c.eos_token_id = 0;
  c.bad_words_ids = {{3}, {1, 2}, {0}};
  c.forced_eos_token_id = 0;
  c.max_length = 5;
  at::Tensor scores = at::zeros({2, 5});
  glimpse::blip::apply_logits_processors(scores, at::tensor(std::vector<int64_t>{4, 1, 4, 2}).view({2, 2}), c);
  const float inf = std::numeric_limits<float>::infinity();
  EXPECT_TRUE(at::equal(scores[0], at::tensor(std::vector<float>{0, 0, -inf, -inf, 0})));
  EXPECT_TRUE(at::equal(scores[1], at::tensor(std::vector<float>{0, 0, 0, -inf, 0})));
  at::Tensor last = at::zeros({1, 5});
  glimpse::blip::apply_logits_processors(last, at::tensor(std::vector<int64_t>{4, 1, 1, 1}).view({1, 4}), c);
  EXPECT_TRUE(at::equal(last[0], at::tensor(std::vector<float>{0, -inf, -inf, -inf, -inf})));
  // With max_new_tokens the limit is the start length plus it.
  at::Tensor early = at::zeros({1, 5});
  glimpse::blip::apply_logits_processors(early, at::tensor(std::vector<int64_t>{4, 1}).view({1, 2}), c, 3);
  EXPECT_EQ(early[0][0].item<float>(), 0.0f);
  EXPECT_EQ(early[0][4].item<float>(), -inf);
}

// Bad folders: a clear error, never a crash.
fs::path copy_tiny(const std::string& name) {
  const fs::path src = fs::path(GLIMPSE_TEST_DATA_DIR) / "marian" / "tiny";
  const fs::path dst = fs::temp_directory_path() / ("glimpse-marian-" + name + "-" + std::to_string(::getpid()));
  fs::remove_all(dst);
  fs::create_directories(dst);
  for (const auto& e : fs::directory_iterator(src)) fs::copy_file(e.path(), dst / e.path().filename());
  for (const auto& e : fs::directory_iterator(dst))
    fs::permissions(e.path(), fs::perms::owner_write, fs::perm_options::add);
  return dst;
}

std::string load_error(const fs::path& dir) {
  try {
    MarianModel::load(dir);
  } catch (const BlipError& e) {
    return e.what();
  }
  return "";
}

TEST(MarianLoad, MissingSentencepieceModelIsNamed) {
  const fs::path dir = copy_tiny("nospm");
  fs::remove(dir / "source.spm");
  EXPECT_NE(load_error(dir).find("source.spm"), std::string::npos);
  fs::remove_all(dir);
}

TEST(MarianLoad, ConfigThatContradictsTheWeightsIsRefused) {
  if (const std::string p = glimpse::marian::sentencepiece_problem(); !p.empty()) GTEST_SKIP() << p;
  const fs::path dir = copy_tiny("layers");
  std::ifstream in(dir / "config.json");
  json cfg = json::parse(in);
  in.close();
  cfg["encoder_layers"] = cfg["encoder_layers"].get<int>() + 1;
  std::ofstream(dir / "config.json") << cfg.dump();
  const std::string err = load_error(dir);
  EXPECT_NE(err.find("missing tensors"), std::string::npos) << err;
  EXPECT_NE(err.find("model.encoder.layers."), std::string::npos) << err;
  fs::remove_all(dir);
}

TEST(MarianLoad, NotAMarianConfigIsRefused) {
  const fs::path dir = copy_tiny("type");
  std::ofstream(dir / "config.json") << R"({"model_type": "bert"})";
  EXPECT_NE(load_error(dir).find("not marian"), std::string::npos);
  std::ofstream(dir / "config.json") << "{ not json";
  EXPECT_NE(load_error(dir).find("not valid JSON"), std::string::npos);
  fs::remove_all(dir);
}

TEST(MarianLoad, TextLongerThanThePositionsIsRefused) {
  if (const std::string p = glimpse::marian::sentencepiece_problem(); !p.empty()) GTEST_SKIP() << p;
  const fs::path dir = fs::path(GLIMPSE_TEST_DATA_DIR) / "marian" / "tiny";
  auto model = MarianModel::load(dir);
  std::string text;
  for (int64_t i = 0; i <= model->config().max_position_embeddings; ++i) text += "a ";
  EXPECT_THROW(model->translate({text}, model->generation_defaults()), BlipError);
}

}  // namespace
