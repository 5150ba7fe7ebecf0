// BLIP's heads put to work on each other: captions scored by the retrieval head and made again when
// degenerate; one question asked of every search result. Real processes and the tiny golden models.
#include <gtest/gtest.h>

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>
#include <atomic>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "captions/selfcheck.h"
#include "cli_runner.h"
#include "library/librarydatabase.h"
#include "library/resultasker.h"

using nlohmann::json;
namespace cap = glimpse::captions;
using namespace glimpse::test;

namespace {

const std::filesystem::path kTiny = std::filesystem::path(GLIMPSE_TEST_DATA_DIR) / "tiny";

json runJson(const QStringList& args) {
  const CliRun r = runCli(args);
  EXPECT_EQ(r.code, 0) << r.err;
  return r.code == 0 ? json::parse(r.out) : json::object();
}

// --- degeneracy rules ---------------------------------------------------------------------------

TEST(SelfCheckRules, DegenerateTexts) {
  EXPECT_EQ(cap::textDegeneracy("", ""), cap::Degeneracy::Empty);
  EXPECT_EQ(cap::textDegeneracy(" . , ", ""), cap::Degeneracy::Empty);
  EXPECT_EQ(cap::textDegeneracy("", "a picture of"), cap::Degeneracy::OnlyPrompt);
  EXPECT_EQ(cap::textDegeneracy("a dog dog on a beach", ""), cap::Degeneracy::RepeatedWord);
  EXPECT_EQ(cap::textDegeneracy("a dog on a beach, a dog on a beach", ""), cap::Degeneracy::RepeatedPhrase);
  // The prompt counts for a repeated phrase.
  EXPECT_EQ(cap::textDegeneracy("a picture of a cat", "a picture of"), cap::Degeneracy::RepeatedPhrase);
  // Ordinary captions repeat small words, never a 3-word phrase.
  EXPECT_EQ(cap::textDegeneracy("a man and a woman and a dog on a beach", ""), cap::Degeneracy::None);
  EXPECT_EQ(cap::textDegeneracy("a dog on a beach", "a picture of"), cap::Degeneracy::None);
}

TEST(SelfCheckRules, CandidateStrategiesAndChoice) {
  auto base = glimpse::blip::default_generation_config();
  EXPECT_EQ(cap::candidateConfig(base, 0, 1).num_beams, 1);
  const auto beam = cap::candidateConfig(base, 1, 1);
  EXPECT_EQ(beam.num_beams, 3);
  EXPECT_EQ(beam.no_repeat_ngram_size, 3);
  EXPECT_FALSE(beam.do_sample);
  const auto s2 = cap::candidateConfig(base, 2, 7), s3 = cap::candidateConfig(base, 3, 7);
  EXPECT_TRUE(s2.do_sample);
  EXPECT_DOUBLE_EQ(s2.top_p, 0.9);
  EXPECT_EQ(*s2.seed, 7u);
  EXPECT_EQ(*s3.seed, 8u);
  std::vector<cap::ScoredCaption> c(3);
  c[0].degeneracy = cap::Degeneracy::RepeatedWord;
  c[0].score.itm = 0.9f;
  c[1].degeneracy = cap::Degeneracy::LowMatch;
  c[1].score.itm = 0.3f;
  c[2].score.itm = 0.2f;
  EXPECT_EQ(cap::chooseCandidate(c), 1u);  // clean text first, then ITM
  c[1].degeneracy = cap::Degeneracy::Empty;
  EXPECT_EQ(cap::chooseCandidate(c), 2u);
  c[2].degeneracy = cap::Degeneracy::RepeatedPhrase;
  EXPECT_EQ(cap::chooseCandidate(c), 0u);  // all degenerate: the best ITM
}

// --- caption --self-check -----------------------------------------------------------------------

// The tiny model's greedy caption of this photo repeats a word (its random weights favour a few
// tokens): the self-check finds it, tries the other strategies and keeps a candidate that matches
// the photo better; every score equals `match` on that text.
TEST(SelfCheckCli, DegenerateCaptionIsReplacedAndScoresEqualMatch) {
  const QString img = q(kTiny / "images" / "checker_200x120.png");
  const json plain = runJson({"caption", "--model", q(kTiny), "--json", img})["results"][0];
  const json r = runJson({"caption", "--model", q(kTiny), "--self-check", "--json", img})["results"][0];
  ASSERT_TRUE(r.contains("candidates")) << r.dump();
  const json& cands = r["candidates"];
  ASSERT_EQ(cands.size(), 3u);
  EXPECT_EQ(cands[0]["text"], plain["text"]);  // the first candidate is the caption as asked
  EXPECT_EQ(r["self_check"]["degenerate"], "repeated-word");
  EXPECT_TRUE(r["self_check"]["regenerated"].get<bool>());
  EXPECT_NE(r["text"], plain["text"]);
  EXPECT_GT(r["itm"].get<double>(), cands[0]["itm"].get<double>()) << r.dump();
  for (const auto& c : cands) {
    const json m = runJson({"match", "--model", q(kTiny), "--json", "--text",
                            QString::fromStdString(c["text"].get<std::string>()), img})["results"][0];
    EXPECT_NEAR(c["itm"].get<double>(), m["itm"].get<double>(), 1e-5) << c.dump();
    EXPECT_NEAR(c["itc"].get<double>(), m["itc"].get<double>(), 1e-5) << c.dump();
    if (c["text"] == r["text"]) {
      EXPECT_NEAR(r["itm"].get<double>(), m["itm"].get<double>(), 1e-5);
      EXPECT_NEAR(r["itc"].get<double>(), m["itc"].get<double>(), 1e-5);
    }
  }
  // Another retrieval model given with --check-model (here the same folder), fewer candidates.
  const json two = runJson({"caption", "--model", q(kTiny), "--self-check", "--check-model", q(kTiny), "--candidates",
                            "2", "--json", img})["results"][0];
  EXPECT_EQ(two["candidates"].size(), 2u);
  EXPECT_EQ(two["candidates"][1]["text"], cands[1]["text"]);
  EXPECT_NEAR(two["candidates"][1]["itm"].get<double>(), cands[1]["itm"].get<double>(), 1e-5);
}

TEST(SelfCheckCli, UsageErrors) {
  const QString img = q(kTiny / "images" / "photo_120x90.jpg");
  EXPECT_EQ(runCli({"caption", "--model", q(kTiny), "--candidates", "2", img}).code, 2);
  EXPECT_EQ(runCli({"caption", "--model", q(kTiny), "--self-check", "--candidates", "9", img}).code, 2);
  EXPECT_EQ(
      runCli({"caption", "--model", q(kTiny), "--self-check", "--beams", "2", "--num-return-sequences", "2", img}).code,
      2);
  // A caption-only folder has no retrieval head of its own.
  const CliRun r = runCli({"caption", "--model", q(kTiny / "caption_bin"), "--self-check", img});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--check-model"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty());
}

// library caption --self-check: the library keeps each caption's ITM and ITC, equal to match on
// the stored text; the least confident comes first.
TEST(SelfCheckLibrary, StoresScoresAndSortsLeastConfidentFirst) {
  QTemporaryDir dir;
  const QString photos = dir.filePath("photos");
  QDir().mkpath(photos);
  for (const char* name : {"photo_120x90.jpg", "grad_97x61.png", "checker_200x120.png"})
    ASSERT_TRUE(QFile::copy(q(kTiny / "images" / name), photos + "/" + name));
  const QString db = dir.filePath("lib.glimpse");
  ASSERT_EQ(runCli({"index", "--library", db, "--model", q(kTiny), photos}).code, 0);
  const json run = runJson({"library", "--library", db, "--model", q(kTiny), "caption", "--self-check", "--json"});
  EXPECT_EQ(run["captioned"], 3);
  EXPECT_GE(run["regenerated"].get<int>(), 1);  // the photo whose caption repeats a word
  const CliRun exported = runCli({"library", "--library", db, "export", "--format", "jsonl"});
  ASSERT_EQ(exported.code, 0) << exported.err;
  std::map<std::string, json> rows;
  std::istringstream lines(exported.out);
  for (std::string line; std::getline(lines, line);) {
    const json j = json::parse(line);
    rows[j["path"]] = j;
  }
  ASSERT_EQ(rows.size(), 3u);
  for (const auto& [path, row] : rows) {
    ASSERT_TRUE(row.contains("itm")) << row.dump();
    const json m = runJson({"match", "--model", q(kTiny), "--json", "--text",
                            QString::fromStdString(row["caption"].get<std::string>()),
                            QString::fromStdString(path)})["results"][0];
    EXPECT_NEAR(row["itm"].get<double>(), m["itm"].get<double>(), 1e-5) << path;
    EXPECT_NEAR(row["itc"].get<double>(), m["itc"].get<double>(), 1e-5) << path;
  }
  // The review order: lowest ITM first, every checked photo once.
  glimpse::library::LibraryDatabase library(db);
  const auto review = library.checkedCaptions(10);
  ASSERT_EQ(review.size(), 3u);
  for (size_t i = 1; i < review.size(); ++i) EXPECT_LE(*review[i - 1].caption.itm, *review[i].caption.itm);
  // A plain caption carries no check and leaves the review list.
  library.deleteCaptions(review[0].photo.id, glimpse::library::CaptionSource::Generated);
  library.addCaption(review[0].photo.id, QStringLiteral("a plain caption"), glimpse::library::CaptionSource::Generated,
                     QStringLiteral("m"), QStringLiteral("{}"));
  EXPECT_EQ(library.checkedCaptions(10).size(), 2u);
}

// A v3 library (before the self-check) migrates to the current schema: its captions stay and
// carry no scores; new captions store them.
TEST(SelfCheckLibrary, MigratesV3Library) {
  QTemporaryDir dir;
  const QString path = dir.filePath("v3.glimpse");
  QProcess sh;
  sh.start(QStringLiteral("sqlite3"), {path});
  ASSERT_TRUE(sh.waitForStarted());
  QFile fixture(QStringLiteral(GLIMPSE_TEST_DATA_DIR "/library/schema_v3.sql"));
  ASSERT_TRUE(fixture.open(QIODevice::ReadOnly));
  sh.write(fixture.readAll());
  sh.closeWriteChannel();
  ASSERT_TRUE(sh.waitForFinished());
  ASSERT_EQ(sh.exitCode(), 0) << sh.readAllStandardError().toStdString();
  glimpse::library::LibraryDatabase db(path);
  EXPECT_EQ(db.schemaVersion(), glimpse::library::LibraryDatabase::kSchemaVersion);
  const auto photo = db.photoByPath(QStringLiteral("/photos/harbour.jpg"));
  ASSERT_TRUE(photo);
  const auto caps = db.captions(photo->id);
  ASSERT_EQ(caps.size(), 1);
  EXPECT_EQ(caps[0].text, QStringLiteral("boats in a harbour"));
  EXPECT_FALSE(caps[0].itm);
  EXPECT_FALSE(caps[0].itc);
  db.addCaption(photo->id, QStringLiteral("a harbour at dusk"), glimpse::library::CaptionSource::Generated,
                QStringLiteral("m"), QStringLiteral("{}"), {}, glimpse::library::CaptionCheck{0.25, 0.5});
  const auto after = db.captions(photo->id);
  ASSERT_EQ(after.size(), 2);
  EXPECT_DOUBLE_EQ(*after[1].itm, 0.25);
  EXPECT_DOUBLE_EQ(*after[1].itc, 0.5);
}

// --- ask across results ---------------------------------------------------------------------------

TEST(AskAcross, AnswerKindsAndGroups) {
  using glimpse::library::AnswerKind;
  EXPECT_EQ(glimpse::library::answerKind(QStringLiteral(" Yes")), AnswerKind::Yes);
  EXPECT_EQ(glimpse::library::answerKind(QStringLiteral("no")), AnswerKind::No);
  EXPECT_EQ(glimpse::library::answerKind(QStringLiteral("two")), AnswerKind::Other);
  const auto groups = glimpse::library::groupAnswers({"two", "one", "Two ", "three", "one"});
  ASSERT_EQ(groups.size(), 3);
  EXPECT_EQ(groups[0].first, QStringLiteral("two"));
  EXPECT_EQ(groups[0].second, (QList<int>{0, 2}));
  EXPECT_EQ(groups[1].second, (QList<int>{1, 4}));
  EXPECT_EQ(groups[2].second, (QList<int>{3}));
}

QStringList askPhotos() {
  QStringList out;
  for (const char* name : {"photo_120x90.jpg", "grad_97x61.png", "checker_200x120.png", "gray_50x80.png"})
    out << q(kTiny / "images" / name);
  return out;
}

// Each photo is encoded once per question batch and not again for the next question over the same
// photos; the answers equal `glimpse-cli ask` on each photo.
TEST(AskAcross, EncodesEachPhotoOnceAndAnswersAsAskDoes) {
  std::shared_ptr<const glimpse::blip::BlipModel> model = glimpse::blip::BlipModel::load(kTiny);
  glimpse::library::ResultAsker asker(model);
  QStringList paths = askPhotos();
  paths << paths[0];  // a photo twice in the list: still one encoding
  asker.start(QStringLiteral("what is in the picture?"), paths);
  std::vector<glimpse::library::ResultAnswer> answers;
  while (auto a = asker.step()) answers.push_back(*a);
  ASSERT_EQ(answers.size(), 5u);
  EXPECT_EQ(asker.encodings(), 4);
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_TRUE(answers[i].error.isEmpty());
    const json ask = runJson({"ask", "--model", q(kTiny), "--question", "what is in the picture?", "--json",
                              paths[static_cast<qsizetype>(i)]})["results"][0];
    EXPECT_EQ(answers[i].text.toStdString(), ask["text"].get<std::string>()) << i;
  }
  EXPECT_EQ(answers[4].text, answers[0].text);
  asker.start(QStringLiteral("is it red?"), askPhotos());
  int n = 0;
  while (asker.step()) ++n;
  EXPECT_EQ(n, 4);
  EXPECT_EQ(asker.encodings(), 4);  // the second question reuses every encoding
}

TEST(AskAcross, CancelStopsBetweenPhotosAndBadFilesAreReported) {
  std::shared_ptr<const glimpse::blip::BlipModel> model = glimpse::blip::BlipModel::load(kTiny);
  glimpse::library::ResultAsker asker(model);
  QTemporaryDir dir;
  QFile bad(dir.filePath("broken.jpg"));
  ASSERT_TRUE(bad.open(QIODevice::WriteOnly));
  bad.write("garbage");
  bad.close();
  QStringList paths = askPhotos();
  paths.insert(1, dir.filePath("broken.jpg"));
  asker.start(QStringLiteral("is it red?"), paths);
  std::atomic<bool> cancel{false};
  const auto first = asker.step(&cancel);
  ASSERT_TRUE(first);
  EXPECT_FALSE(first->text.isEmpty());
  const auto second = asker.step(&cancel);
  ASSERT_TRUE(second);
  EXPECT_FALSE(second->error.isEmpty());
  cancel = true;
  EXPECT_FALSE(asker.step(&cancel));
  EXPECT_EQ(asker.done(), 2);
  EXPECT_EQ(asker.encodings(), 1);
  cancel = false;  // resumes where it stopped
  EXPECT_EQ(asker.step(&cancel)->index, 2);
}

// search --ask: "answer" on every result, equal to `glimpse-cli ask` on that photo.
TEST(AskAcross, SearchAskAddsTheAnswerOfEachResult) {
  QTemporaryDir dir;
  const QString photos = dir.filePath("photos");
  QDir().mkpath(photos);
  for (const QString& p : askPhotos()) ASSERT_TRUE(QFile::copy(p, photos + "/" + QFileInfo(p).fileName()));
  const QString db = dir.filePath("lib.glimpse");
  ASSERT_EQ(runCli({"index", "--library", db, "--model", q(kTiny), photos}).code, 0);
  const json plain = runJson({"search", "--library", db, "--model", q(kTiny), "--json", "red boat"});
  const json asked = runJson({"search", "--library", db, "--model", q(kTiny), "--ask", "is there a boat?",
                              "--ask-model", q(kTiny), "--json", "red boat"});
  ASSERT_EQ(asked["results"].size(), 4u);
  ASSERT_EQ(plain["results"].size(), 4u);
  for (size_t i = 0; i < 4; ++i) {
    const json& r = asked["results"][i];
    EXPECT_EQ(r["path"], plain["results"][i]["path"]);  // same results, same order
    const json ask = runJson({"ask", "--model", q(kTiny), "--question", "is there a boat?", "--json",
                              QString::fromStdString(r["path"].get<std::string>())})["results"][0];
    EXPECT_EQ(r["answer"], ask["text"]) << r.dump();
  }
  // Text mode: the answer after the path.
  const CliRun text = runCli({"search", "--library", db, "--model", q(kTiny), "--ask", "is there a boat?", "red boat"});
  ASSERT_EQ(text.code, 0) << text.err;
  EXPECT_EQ(std::count(text.out.begin(), text.out.end(), '\t'), 8) << text.out;
  EXPECT_EQ(runCli({"search", "--library", db, "--model", q(kTiny), "--ask-model", q(kTiny), "red"}).code, 2);
}

}  // namespace

int main(int argc, char** argv) {
  QCoreApplication app(argc, argv);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
