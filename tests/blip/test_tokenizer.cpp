// BertTokenizer against every tokenizer case of each golden set (ids, masks and decodes exact).
#include <gtest/gtest.h>

#include <fstream>

#include "errors.h"
#include "golden.h"
#include "tokenization_bert.h"

using glimpse::blip::BertTokenizer;
using glimpse::blip::BlipError;
using glimpse::blip::EncodeOptions;
using glimpse::blip::Padding;
using glimpse::test::golden_set;
using glimpse::test::golden_set_dirs;
using glimpse::test::record_count;

namespace {

class TokenizerGolden : public ::testing::TestWithParam<std::filesystem::path> {};

TEST_P(TokenizerGolden, EncodeCases) {
  const auto& set = golden_set(GetParam());
  const auto tok = BertTokenizer::from_folder(set.dir);
  const auto& cases = set.expected.at("tokenizer").at("encode_cases");
  ASSERT_FALSE(cases.empty());
  for (const auto& c : cases) {
    const std::string text = c.at("text");
    EXPECT_EQ(tok.tokenize(text), c.at("tokens").get<std::vector<std::string>>()) << "text: " << text;
    const auto ids = tok.encode(text);
    EXPECT_EQ(ids, c.at("input_ids").get<std::vector<int64_t>>()) << "text: " << text;
    record_count(set.name, "tokenizer encode ids", ids == c.at("input_ids").get<std::vector<int64_t>>());
    const auto enc = tok.encode_batch({text});
    EXPECT_EQ(enc.attention_mask[0], c.at("attention_mask").get<std::vector<int64_t>>());
  }
}

TEST_P(TokenizerGolden, BatchAndTruncationCases) {
  const auto& set = golden_set(GetParam());
  const auto tok = BertTokenizer::from_folder(set.dir);
  auto options = [](const nlohmann::json& call) {
    EncodeOptions o;
    if (call.contains("padding")) {
      o.padding = call["padding"].is_boolean()      ? (call["padding"].get<bool>() ? Padding::Longest : Padding::None)
                  : call["padding"] == "max_length" ? Padding::MaxLength
                                                    : Padding::Longest;
    }
    o.truncation = call.value("truncation", false);
    o.max_length = call.value("max_length", 0);
    return o;
  };
  for (const auto& c : set.expected.at("tokenizer").at("batch_cases")) {
    const auto enc = tok.encode_batch(c.at("texts").get<std::vector<std::string>>(), options(c.at("call")));
    EXPECT_EQ(enc.input_ids, c.at("input_ids").get<std::vector<std::vector<int64_t>>>()) << c.at("call").dump();
    EXPECT_EQ(enc.attention_mask, c.at("attention_mask").get<std::vector<std::vector<int64_t>>>());
    record_count(set.name, "tokenizer batch ids",
                 enc.input_ids == c.at("input_ids").get<std::vector<std::vector<int64_t>>>());
  }
  for (const auto& c : set.expected.at("tokenizer").at("truncation_cases")) {
    const auto enc = tok.encode_batch({c.at("text").get<std::string>()}, options(c.at("call")));
    EXPECT_EQ(enc.input_ids[0], c.at("input_ids").get<std::vector<int64_t>>());
    EXPECT_EQ(enc.attention_mask[0], c.at("attention_mask").get<std::vector<int64_t>>());
  }
}

TEST_P(TokenizerGolden, DecodeCases) {
  const auto& set = golden_set(GetParam());
  const auto tok = BertTokenizer::from_folder(set.dir);
  for (const auto& c : set.expected.at("tokenizer").at("decode_cases")) {
    const auto ids = c.at("ids").get<std::vector<int64_t>>();
    EXPECT_EQ(tok.decode(ids, true), c.at("skip_special_tokens_true").get<std::string>());
    EXPECT_EQ(tok.decode(ids, false), c.at("skip_special_tokens_false").get<std::string>());
    record_count(set.name, "tokenizer decode",
                 tok.decode(ids, true) == c.at("skip_special_tokens_true").get<std::string>() &&
                     tok.decode(ids, false) == c.at("skip_special_tokens_false").get<std::string>());
  }
}

TEST_P(TokenizerGolden, SpecialTokenIds) {
  const auto& set = golden_set(GetParam());
  const auto tok = BertTokenizer::from_folder(set.dir);
  for (const auto& [token, id] : set.expected.at("tokenizer").at("special_tokens").items())
    EXPECT_EQ(tok.token_to_id(token), id.get<int64_t>()) << token;
  EXPECT_EQ(tok.vocab_size(), set.expected.at("tokenizer").at("vocab_size_with_added").get<int64_t>());
}

INSTANTIATE_TEST_SUITE_P(Golden, TokenizerGolden, ::testing::ValuesIn(golden_set_dirs()), glimpse::test::SetName());

std::vector<std::string> read_vocab() {
  std::ifstream in(std::filesystem::path(GLIMPSE_TEST_DATA_DIR) / "tiny" / "vocab.txt");
  std::vector<std::string> v;
  for (std::string line; std::getline(in, line);) v.push_back(line);
  return v;
}

TEST(Tokenizer, AddsBlipTokensAfterVocabularyWhenAddedTokensAreAbsent) {
  auto vocab = read_vocab();
  const auto tok = BertTokenizer::from_vocab(vocab);
  EXPECT_EQ(tok.dec_id(), static_cast<int64_t>(vocab.size()));
  EXPECT_EQ(tok.enc_id(), static_cast<int64_t>(vocab.size()) + 1);
}

TEST(Tokenizer, VocabularyWithoutBertSpecialTokensIsRejected) {
  try {
    BertTokenizer::from_vocab({"hello", "world", "[PAD]"});
    FAIL() << "expected an error";
  } catch (const BlipError& e) {
    EXPECT_NE(std::string(e.what()).find("[UNK]"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("[CLS]"), std::string::npos) << e.what();
  }
}

TEST(Tokenizer, FolderWithoutVocabularyIsRejected) {
  const auto dir = std::filesystem::temp_directory_path() / "glimpse_no_vocab";
  std::filesystem::create_directories(dir);
  EXPECT_THROW(BertTokenizer::from_folder(dir), BlipError);
}

TEST(Tokenizer, ReadsTokenizerJsonWhenVocabTxtIsAbsent) {
  const auto vocab = read_vocab();
  nlohmann::json j;
  j["model"]["type"] = "WordPiece";
  for (size_t i = 0; i < vocab.size(); ++i) j["model"]["vocab"][vocab[i]] = i;
  j["added_tokens"] =
      nlohmann::json::array({{{"id", 30522}, {"content", "[DEC]"}}, {{"id", 30523}, {"content", "[ENC]"}}});
  const auto dir = std::filesystem::temp_directory_path() / "glimpse_tokenizer_json";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "tokenizer.json") << j.dump();
  const auto from_json = BertTokenizer::from_folder(dir);
  const auto from_txt = BertTokenizer::from_vocab(vocab);
  for (const char* text : {"A Picture Of A DOG.", "unaffable tokenization [SEP] x", "Café naïve"})
    EXPECT_EQ(from_json.encode(text), from_txt.encode(text)) << text;
  EXPECT_EQ(from_json.dec_id(), 30522);
}

// Found by tests/fuzz/fuzz_tokenizer: a float id was cast to an integer (undefined behaviour for
// 1e30). Ids that are not JSON integers are refused with the file's name.
TEST(Tokenizer, NonIntegerTokenIdsAreRefused) {
  const auto dir = std::filesystem::temp_directory_path() / "glimpse_tokenizer_float_ids";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "tokenizer.json") << R"({"model":{"type":"WordPiece","vocab":{"[PAD]":0,"[UNK]":1.5}}})";
  EXPECT_THROW(BertTokenizer::from_folder(dir), BlipError);
  std::filesystem::remove(dir / "tokenizer.json");
  std::ofstream(dir / "vocab.txt") << "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\n";
  for (const char* added : {R"({"[DEC]": 1e30})", R"({"[DEC]": 5.5})", R"({"[DEC]": "5"})"}) {
    std::ofstream(dir / "added_tokens.json") << added;
    try {
      BertTokenizer::from_folder(dir);
      ADD_FAILURE() << added << " was accepted";
    } catch (const BlipError& e) {
      EXPECT_NE(std::string(e.what()).find("added_tokens.json"), std::string::npos) << e.what();
    }
  }
  std::ofstream(dir / "added_tokens.json") << R"({"[DEC]": 5})";
  EXPECT_EQ(BertTokenizer::from_folder(dir).dec_id(), 5);
  std::filesystem::remove_all(dir);
}

TEST(Tokenizer, InvalidUtf8DoesNotCrash) {
  const auto tok = BertTokenizer::from_vocab(read_vocab());
  const std::string bad = std::string("ok \xff\xfe \xc3") + "\x28 end";
  const auto ids = tok.encode(bad);
  EXPECT_EQ(ids.front(), tok.cls_id());
  EXPECT_EQ(ids.back(), tok.sep_id());
}

}  // namespace
