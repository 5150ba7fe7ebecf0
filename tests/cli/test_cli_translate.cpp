// glimpse-cli translate and tokenize on the Marian golden sets (tests/data/marian): the CLI's
// JSON equals what transformers v4.43.4 returns, and bad input gets its own exit code.
#include <gtest/gtest.h>

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cli_runner.h"

using nlohmann::json;
namespace fs = std::filesystem;
using namespace glimpse::test;

namespace {

std::vector<fs::path> marian_sets() {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(fs::path(GLIMPSE_TEST_DATA_DIR) / "marian"))
    if (e.is_directory() && fs::exists(e.path() / "expected.json")) out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

json expected_of(const fs::path& dir) {
  std::ifstream in(dir / "expected.json");
  return json::parse(in);
}

// AddressSanitizer builds cannot load sentencepiece (tokenization_marian.h).
#if defined(__SANITIZE_ADDRESS__)
#define SKIP_WITHOUT_SENTENCEPIECE() GTEST_SKIP() << "no sentencepiece in AddressSanitizer builds"
#else
#define SKIP_WITHOUT_SENTENCEPIECE() (void)0
#endif

class CliMarian : public ::testing::TestWithParam<fs::path> {
 protected:
  void SetUp() override { SKIP_WITHOUT_SENTENCEPIECE(); }
};

TEST_P(CliMarian, TranslateJsonEqualsTransformers) {
  const json e = expected_of(GetParam());
  const int64_t pad = e.at("pad_token_id");
  for (const auto& c : e.at("generate")) {
    SCOPED_TRACE(c.at("name").get<std::string>());
    QStringList args{"translate", "--model", q(GetParam()), "--json"};
    args << generationArgs(c.at("kwargs")) << "--";
    for (const auto& t : c.at("texts")) args << QString::fromStdString(t.get<std::string>());
    const CliRun r = runCli(args);
    ASSERT_EQ(r.code, 0) << r.err;
    const json out = json::parse(r.out);
    const auto& results = out.at("results");
    ASSERT_EQ(results.size(), c.at("texts").size());
    const size_t per = results[0].at("translations").size();
    size_t row = 0;
    for (size_t i = 0; i < results.size(); ++i) {
      EXPECT_EQ(results[i].at("text"), c.at("texts")[i]);
      ASSERT_EQ(results[i].at("translations").size(), per);
      ASSERT_EQ(results[i].at("token_ids").size(), per);
      for (size_t j = 0; j < per; ++j, ++row) {
        EXPECT_EQ(results[i].at("translations")[j], c.at("translations")[row]);
        auto ids = c.at("sequences")[row].get<std::vector<int64_t>>();
        while (ids.size() > 1 && ids.back() == pad) ids.pop_back();  // without padding
        EXPECT_EQ(results[i].at("token_ids")[j].get<std::vector<int64_t>>(), ids);
      }
    }
    EXPECT_EQ(row, c.at("sequences").size());
  }
}

TEST_P(CliMarian, TokenizeGivesTheSourceIds) {
  const json e = expected_of(GetParam());
  QStringList args{"tokenize", "--model", q(GetParam()), "--json", "--"};
  for (const auto& c : e.at("tokenize")) args << QString::fromStdString(c.at("text").get<std::string>());
  const CliRun r = runCli(args);
  ASSERT_EQ(r.code, 0) << r.err;
  const json out = json::parse(r.out);
  ASSERT_EQ(out.at("results").size(), e.at("tokenize").size());
  for (size_t i = 0; i < e.at("tokenize").size(); ++i) {
    EXPECT_EQ(out["results"][i].at("text"), e["tokenize"][i].at("text"));
    EXPECT_EQ(out["results"][i].at("input_ids"), e["tokenize"][i].at("input_ids"));
  }
}

INSTANTIATE_TEST_SUITE_P(Sets, CliMarian, ::testing::ValuesIn(marian_sets()),
                         [](const ::testing::TestParamInfo<fs::path>& p) { return p.param.filename().string(); });

TEST(CliMarianErrors, DistinctExitCodesAndNothingOnStdout) {
  SKIP_WITHOUT_SENTENCEPIECE();
  const QString tiny = q(fs::path(GLIMPSE_TEST_DATA_DIR) / "marian" / "tiny");
  QTemporaryDir dir;
  EXPECT_TRUE(cliErrorsAsExpected({
      {{"translate", "--model", dir.filePath("nope"), "--", "Hund"}, 3, "nope"},
      {{"translate", "--model", tiny}, 2, "no TEXT"},
      {{"translate", "--", "Hund"}, 2, "--model"},
      {{"translate", "--model", tiny, "--beams", "two", "--", "Hund"}, 2, "--beams"},
      // The folder's 4 beams apply: 5 sequences cannot come from them.
      {{"translate", "--model", tiny, "--num-return-sequences", "5", "--", "Hund"}, 2, "num_return_sequences"},
      {{"translate", "--model", tiny, "--precision", "int8", "--", "Hund"}, 2, "--precision"},
      {{"translate", "--model", tiny, "--", std::string(200, 'a').insert(0, "x ").c_str()}, 3, "tokens long"},
  }));
}

TEST(CliMarianErrors, PlainOutputIsOneLinePerTranslation) {
  SKIP_WITHOUT_SENTENCEPIECE();
  const QString tiny = q(fs::path(GLIMPSE_TEST_DATA_DIR) / "marian" / "tiny");
  const CliRun r = runCli({"translate", "--model", tiny, "--num-return-sequences", "2", "--", "Hund", "Katze"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 4);
}

}  // namespace

// Search results of two runs: the same photos in the same order, scores equal to float noise
// (re-ranking runs threaded, so the last bits may differ between runs).
void expectSameResults(const json& a, const json& b) {
  ASSERT_EQ(a.size(), b.size()) << a << "\n" << b;
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i]["path"], b[i]["path"]) << i;
    EXPECT_NEAR(a[i]["score"].get<double>(), b[i]["score"].get<double>(), 1e-5) << i;
  }
}

// search and ask with --translate-model: a German query goes through the tiny Marian first. The
// tiny model is random, so the pipeline is checked against its parts: `translate` of the query,
// then `search` (or `ask`) of that translation, not against a fixed English text.
TEST(CliTranslateQuery, GermanQueryEqualsTranslateThenSearch) {
  SKIP_WITHOUT_SENTENCEPIECE();
  const QString marian = q(fs::path(GLIMPSE_TEST_DATA_DIR) / "marian" / "tiny");
  const fs::path blip = fs::path(GLIMPSE_TEST_DATA_DIR) / "tiny";
  QTemporaryDir dir;
  const QString photos = dir.filePath("photos");
  ASSERT_TRUE(QDir().mkpath(photos));
  for (const char* name : {"grad_97x61.png", "checker_200x120.png", "photo_120x90.jpg"})
    ASSERT_TRUE(QFile::copy(q(blip / "images" / name), photos + "/" + name));
  const QString db = dir.filePath("lib.db");
  CliRun r = runCli({"index", "--library", db, "--model", q(blip), photos});
  ASSERT_EQ(r.code, 0) << r.err;

  const QString german = QStringLiteral("Kinder am Strand bei Sonnenuntergang");
  r = runCli({"translate", "--model", marian, "--json", "--", german});
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string english = json::parse(r.out)["results"][0]["translations"][0];

  const QStringList search = {"search", "--library", db, "--model", q(blip), "--json", "--no-text-match"};
  const CliRun translated = runCli(search + QStringList{"--translate-model", marian, german});
  ASSERT_EQ(translated.code, 0) << translated.err;
  const json t = json::parse(translated.out);
  EXPECT_EQ(t["query"], german.toStdString());
  EXPECT_EQ(t["translated_query"], english);
  const CliRun direct = runCli(search + QStringList{QString::fromStdString(english)});
  ASSERT_EQ(direct.code, 0) << direct.err;
  expectSameResults(t["results"], json::parse(direct.out)["results"]);
  ASSERT_EQ(t["results"].size(), 3u);

  // Text mode says on stderr what was searched for; stdout keeps only results.
  const CliRun plain = runCli({"search", "--library", db, "--model", q(blip), "--translate-model", marian, german});
  ASSERT_EQ(plain.code, 0) << plain.err;
  EXPECT_NE(plain.err.find("searched for: " + english), std::string::npos) << plain.err;
  EXPECT_EQ(std::count(plain.out.begin(), plain.out.end(), '\n'), 3) << plain.out;

  // English queries, and any query under --query-language en, are used as typed.
  const CliRun en = runCli(search + QStringList{"--translate-model", marian, "a dog on the beach"});
  ASSERT_EQ(en.code, 0) << en.err;
  EXPECT_TRUE(json::parse(en.out)["translated_query"].is_null());
  const CliRun asTyped = runCli(search + QStringList{"--translate-model", marian, "--query-language", "en", german});
  ASSERT_EQ(asTyped.code, 0) << asTyped.err;
  EXPECT_TRUE(json::parse(asTyped.out)["translated_query"].is_null());
  const CliRun untranslated = runCli(search + QStringList{german});
  ASSERT_EQ(untranslated.code, 0) << untranslated.err;
  expectSameResults(json::parse(asTyped.out)["results"], json::parse(untranslated.out)["results"]);
  // Without --translate-model the user learns why a German query may find little.
  EXPECT_NE(untranslated.err.find("looks German"), std::string::npos) << untranslated.err;

  // ask: the same for questions.
  const QString img = q(blip / "images" / "grad_97x61.png");
  const QString frage = QStringLiteral("Wie viele Hunde sind auf dem Bild?");
  r = runCli({"translate", "--model", marian, "--json", "--", frage});
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string question = json::parse(r.out)["results"][0]["translations"][0];
  const CliRun asked =
      runCli({"ask", "--model", q(blip), "--translate-model", marian, "--question", frage, "--json", img});
  ASSERT_EQ(asked.code, 0) << asked.err;
  const json a = json::parse(asked.out);
  EXPECT_EQ(a["question"], frage.toStdString());
  EXPECT_EQ(a["translated_question"], question);
  const CliRun askedDirect =
      runCli({"ask", "--model", q(blip), "--question", QString::fromStdString(question), "--json", img});
  ASSERT_EQ(askedDirect.code, 0) << askedDirect.err;
  EXPECT_EQ(a["results"], json::parse(askedDirect.out)["results"]);

  // search --ask: the question is translated as ask translates it, and answered of the results of
  // the translated query: the same answers as the English question over the English query.
  const CliRun both = runCli(search + QStringList{"--translate-model", marian, "--ask", frage, german});
  ASSERT_EQ(both.code, 0) << both.err;
  const json b = json::parse(both.out);
  EXPECT_EQ(b["query"], german.toStdString());
  EXPECT_EQ(b["translated_query"], english);
  EXPECT_EQ(b["question"], frage.toStdString());
  EXPECT_EQ(b["translated_question"], question);
  const CliRun bothDirect =
      runCli(search + QStringList{"--ask", QString::fromStdString(question), QString::fromStdString(english)});
  ASSERT_EQ(bothDirect.code, 0) << bothDirect.err;
  const json bd = json::parse(bothDirect.out);
  EXPECT_TRUE(bd["translated_question"].is_null());
  expectSameResults(b["results"], bd["results"]);
  ASSERT_EQ(b["results"].size(), 3u);
  for (size_t i = 0; i < b["results"].size(); ++i) {
    EXPECT_EQ(b["results"][i]["answer"], bd["results"][i]["answer"]) << i;
    // The same photo asked alone with `ask` gives the same text.
    const CliRun one = runCli({"ask", "--model", q(blip), "--question", QString::fromStdString(question), "--json",
                               QString::fromStdString(b["results"][i]["path"].get<std::string>())});
    ASSERT_EQ(one.code, 0) << one.err;
    EXPECT_EQ(b["results"][i]["answer"], json::parse(one.out)["results"][0]["text"]) << i;
  }
  // An English question is asked as typed beside a translated query; text mode names both on stderr.
  const CliRun englishAsk = runCli(
      {"search", "--library", db, "--model", q(blip), "--translate-model", marian, "--ask", "is it red?", german});
  ASSERT_EQ(englishAsk.code, 0) << englishAsk.err;
  EXPECT_NE(englishAsk.err.find("searched for: " + english), std::string::npos) << englishAsk.err;
  EXPECT_EQ(englishAsk.err.find("asked: "), std::string::npos) << englishAsk.err;
  const CliRun askedPlain =
      runCli({"search", "--library", db, "--model", q(blip), "--translate-model", marian, "--ask", frage, german});
  ASSERT_EQ(askedPlain.code, 0) << askedPlain.err;
  EXPECT_NE(askedPlain.err.find("asked: " + question), std::string::npos) << askedPlain.err;
  EXPECT_EQ(std::count(askedPlain.out.begin(), askedPlain.out.end(), '\n'), 3) << askedPlain.out;

  // A bad language code is a usage error.
  const CliRun bad = runCli(search + QStringList{"--translate-model", marian, "--query-language", "German!", german});
  EXPECT_EQ(bad.code, 2) << bad.err;
  EXPECT_NE(bad.err.find("--query-language"), std::string::npos) << bad.err;
}

int main(int argc, char** argv) {
  QCoreApplication app(argc, argv);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
