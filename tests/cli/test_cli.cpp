// glimpse-cli end to end: real processes on the golden model folders and image files, JSON on
// stdout compared with the reference values; errors on stderr with distinct exit codes and an
// empty stdout.
#include <gtest/gtest.h>

#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>
#include <QtConcurrent/QtConcurrentRun>
#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

#include "cli_runner.h"
#include "golden.h"

using glimpse::test::CliRun;
using glimpse::test::GenerationCase;
using glimpse::test::golden_set;
using glimpse::test::q;
using glimpse::test::runCli;
using glimpse::test::runCliSh;
using glimpse::test::RunOptions;
using nlohmann::json;

namespace {

QString image_file(const glimpse::test::GoldenSet& set, const std::string& name) {
  for (const auto& img : set.expected.at("image_preprocessing").at("images"))
    if (img.at("name") == name) return q(set.dir / img.at("file").get<std::string>());
  return {};
}

// Single-image caption and VQA cases of the float32 models run through the CLI.
std::vector<GenerationCase> cli_cases() {
  std::vector<GenerationCase> out;
  for (const auto& c : glimpse::test::generation_cases()) {
    if (c.list != "caption" && c.list != "vqa") continue;
    if (!c.weights_dir.empty()) continue;
    const auto& j = c.json();
    if (j.at("images").size() != 1) continue;
    out.push_back(c);
  }
  return out;
}

class CliGeneration : public ::testing::TestWithParam<GenerationCase> {};

// `packed`: every float32 product of many rows on the packed oneDNN path (as a base model's vision
// encoder runs), so that freeing the vision weights before generating (the run's last photos) has
// something to free: the tokens must not change, and --verbose says what was freed.
void expectJsonEqualsTransformers(const GenerationCase& c, bool packed) {
  const auto& set = golden_set(c.set_dir);
  const auto& j = c.json();
  // The CLI applies EXIF orientation like a photo app; a plain transformers call does not.
  QStringList args{c.list == "vqa" ? "ask" : "caption", "--model", q(c.model_dir()), "--json",
                   "--ignore-exif-orientation"};
  args << glimpse::test::generationArgs(j.at("generate_kwargs"));
  if (j.contains("prompt")) args << "--prompt" << QString::fromStdString(j.at("prompt").get<std::string>());
  if (j.contains("question")) args << "--question" << QString::fromStdString(j.at("question").get<std::string>());
  const QString image = image_file(set, j.at("images")[0]);
  args << image;
  RunOptions options;
  if (packed) {
    args.prepend("--verbose");
    options.env = QProcessEnvironment::systemEnvironment();
    options.env.insert("GLIMPSE_FP32_GEMM", "packed-all");
  }
  const CliRun r = runCli(args, options);
  ASSERT_EQ(r.code, 0) << r.err;
  if (packed) {
    EXPECT_NE(r.err.find("MiB of packed vision weights before generating"), std::string::npos) << r.err;
  }
  const json out = json::parse(r.out);
  const auto expected = j.at("sequences").get<std::vector<std::vector<int64_t>>>();
  ASSERT_EQ(out.at("results").size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(out["results"][i]["token_ids"].get<std::vector<int64_t>>(), expected[i]);
    EXPECT_EQ(out["results"][i]["text"].get<std::string>(), j.at("decoded")[i].get<std::string>());
    EXPECT_EQ(out["results"][i]["image"].get<std::string>(), image.toStdString());
  }
}

TEST_P(CliGeneration, JsonEqualsTransformers) {
  EXPECT_NO_FATAL_FAILURE(expectJsonEqualsTransformers(GetParam(), false));
}

TEST_P(CliGeneration, JsonEqualsTransformersWithTheVisionWeightsFreedBeforeGenerating) {
  EXPECT_NO_FATAL_FAILURE(expectJsonEqualsTransformers(GetParam(), true));
}

INSTANTIATE_TEST_SUITE_P(Golden, CliGeneration, ::testing::ValuesIn(cli_cases()),
                         [](const ::testing::TestParamInfo<GenerationCase>& p) {
                           return glimpse::test::case_label(golden_set(p.param.set_dir).name, p.param.model,
                                                            p.param.name);
                         });

class CliGolden : public ::testing::TestWithParam<std::filesystem::path> {};

TEST_P(CliGolden, MatchAndEmbedEqualTransformers) {
  const auto& set = golden_set(GetParam());
  for (const auto& [model, m] : set.expected.at("models").items()) {
    if (!m.contains("itm")) continue;
    const auto& t = m.at("itm");
    // The CLI decodes the files itself; only models using the set's main processor can be compared.
    if (m.at("dir") != set.expected.at("image_preprocessing").at("processor_dir")) continue;
    QStringList args{"match", "--model", q(set.dir / m.at("dir").get<std::string>()), "--json"};
    for (const auto& text : t.at("texts")) args << "--text" << QString::fromStdString(text.get<std::string>());
    for (const auto& img : t.at("images")) args << image_file(set, img);
    const CliRun r = runCli(args);
    ASSERT_EQ(r.code, 0) << r.err;
    const json out = json::parse(r.out).at("results");
    const size_t n_txt = t.at("texts").size();
    ASSERT_EQ(out.size(), t.at("images").size() * n_txt);
    for (size_t k = 0; k < out.size(); ++k) {
      EXPECT_NEAR(out[k]["itm"].get<double>(), t.at("itm_probs")[k / n_txt][k % n_txt].get<double>(), 1e-5);
      EXPECT_NEAR(out[k]["itc"].get<double>(), t.at("itc_cosine")[k / n_txt][k % n_txt].get<double>(), 1e-5);
      EXPECT_EQ(out[k]["text"], t.at("texts")[k % n_txt]);
    }
    QStringList e{"embed", "--model", q(set.dir / m.at("dir").get<std::string>()), "--json", "--text"};
    for (const auto& text : t.at("texts")) e << QString::fromStdString(text.get<std::string>());
    const CliRun re = runCli(e);
    ASSERT_EQ(re.code, 0) << re.err;
    const json emb = json::parse(re.out).at("results");
    for (size_t i = 0; i < n_txt; ++i) {
      const auto got = emb[i]["embedding"].get<std::vector<double>>();
      const auto want = t.at("text_feat")[i].get<std::vector<double>>();
      ASSERT_EQ(got.size(), want.size());
      for (size_t d = 0; d < got.size(); ++d) EXPECT_NEAR(got[d], want[d], 1e-5);
    }
    QStringList ei{"embed", "--model", q(set.dir / m.at("dir").get<std::string>()), "--json", "--image"};
    for (const auto& img : t.at("images")) ei << image_file(set, img);
    const CliRun ri = runCli(ei);
    ASSERT_EQ(ri.code, 0) << ri.err;
    const json embi = json::parse(ri.out).at("results");
    for (size_t i = 0; i < t.at("images").size(); ++i) {
      const auto got = embi[i]["embedding"].get<std::vector<double>>();
      const auto want = t.at("image_feat")[i].get<std::vector<double>>();
      for (size_t d = 0; d < got.size(); ++d) EXPECT_NEAR(got[d], want[d], 1e-5);
    }
  }
}

TEST_P(CliGolden, TokenizeEqualsProcessor) {
  const auto& set = golden_set(GetParam());
  QStringList args{"tokenize", "--model", q(set.dir), "--json", "--"};
  std::vector<std::vector<int64_t>> expected;
  for (const auto& c : set.expected.at("tokenizer").at("encode_cases")) {
    const std::string text = c.at("text");
    if (text.find('\0') != std::string::npos) continue;  // a command line cannot carry NUL
    args << QString::fromStdString(text);
    expected.push_back(c.at("input_ids").get<std::vector<int64_t>>());
  }
  const CliRun r = runCli(args);
  ASSERT_EQ(r.code, 0) << r.err;
  const json out = json::parse(r.out).at("results");
  ASSERT_EQ(out.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i)
    EXPECT_EQ(out[i]["input_ids"].get<std::vector<int64_t>>(), expected[i]) << i;
}

TEST_P(CliGolden, PreprocessWritesPixelValues) {
  const auto& set = golden_set(GetParam());
  QTemporaryDir dir;
  for (const auto& img : set.expected.at("image_preprocessing").at("images")) {
    const QString out = dir.filePath("pv.bin");
    const CliRun r = runCli({"preprocess", "--model", q(set.dir), "--ignore-exif-orientation", "--out", out,
                             q(set.dir / img.at("file").get<std::string>())});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_TRUE(r.out.empty());
    const at::Tensor want = set.tensor(img.at("pixel_values"));
    std::ifstream in(out.toStdString(), std::ios::binary);
    std::vector<float> got(static_cast<size_t>(want.numel()));
    in.read(reinterpret_cast<char*>(got.data()), static_cast<std::streamsize>(got.size() * sizeof(float)));
    ASSERT_EQ(in.gcount(), static_cast<std::streamsize>(got.size() * sizeof(float)));
    EXPECT_EQ(in.peek(), EOF);
    const at::Tensor g = at::from_blob(got.data(), want.sizes(), at::TensorOptions().dtype(at::kFloat));
    EXPECT_LE(glimpse::test::max_abs_diff(g, want), 1e-6) << img.at("name");
  }
}

INSTANTIATE_TEST_SUITE_P(Golden, CliGolden, ::testing::ValuesIn(glimpse::test::golden_set_dirs()),
                         glimpse::test::SetName());

const std::filesystem::path kTiny = std::filesystem::path(GLIMPSE_TEST_DATA_DIR) / "tiny";

TEST(CliErrors, DistinctExitCodesAndNothingOnStdout) {
  QTemporaryDir dir;
  const QString good = q(kTiny / "images" / "grad_97x61.png");
  QFile bad(dir.filePath("broken.jpg"));
  bad.open(QIODevice::WriteOnly);
  bad.write("garbage");
  bad.close();
  EXPECT_TRUE(glimpse::test::cliErrorsAsExpected({
      {{"caption", "--model", dir.filePath("nope"), good}, 3, "model folder not found"},
      {{"caption", "--model", q(kTiny), dir.filePath("broken.jpg")}, 4, "broken.jpg"},
      {{"caption", "--model", q(kTiny), dir.filePath("missing.png")}, 4, "file not found"},
      {{"caption", "--model", q(kTiny), "--beams", "two", good}, 2, "--beams"},
      {{"caption", "--model", q(kTiny), "--num-return-sequences", "3", good}, 2, "num_return_sequences"},
      {{"caption", "--model", q(kTiny), "--top-p", "0.9", good}, 2, "--sample"},
      {{"caption", "--model", q(kTiny)}, 2, "no IMAGE"},
      {{"ask", "--model", q(kTiny), good}, 2, "--question"},
      {{"frobnicate"}, 2, "unknown command"},
      {{"ask", "--model", q(kTiny / "caption_bin"), "--question", "what?", good}, 3, "question-answering"},
      {{"match", "--model", q(kTiny / "caption_bin"), "--text", "a dog", good}, 3, "matching head"},
  }));
}

TEST(CliErrors, ModelFolderWithMismatchedWeights) {
  QTemporaryDir dir;
  for (const char* f : {"config.json", "preprocessor_config.json", "vocab.txt", "added_tokens.json"})
    QFile::copy(q(kTiny / f), dir.filePath(f));
  // The vision_wide weights do not fit the main config.
  QFile::copy(q(kTiny / "vision_wide" / "model.safetensors"), dir.filePath("model.safetensors"));
  const CliRun r = runCli({"caption", "--model", dir.path(), q(kTiny / "images" / "grad_97x61.png")});
  EXPECT_EQ(r.code, 3);
  EXPECT_TRUE(r.out.empty());
  EXPECT_NE(r.err.find("wrong shape"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("got ["), std::string::npos) << r.err;
}

TEST(Cli, PlainOutputAndSampling) {
  const QString img = q(kTiny / "images" / "grad_97x61.png");
  const CliRun plain = runCli({"caption", "--model", q(kTiny), img});
  ASSERT_EQ(plain.code, 0) << plain.err;
  EXPECT_EQ(plain.out.rfind(img.toStdString() + "\t", 0), 0u) << plain.out;
  const QStringList s{"caption", "--model", q(kTiny), "--sample", "--seed", "7", "--top-k", "20", "--json", img};
  const CliRun a = runCli(s), b = runCli(s);
  ASSERT_EQ(a.code, 0) << a.err;
  EXPECT_EQ(a.out, b.out);  // same seed, same tokens
  EXPECT_EQ(json::parse(a.out)["results"][0]["token_ids"][0], 30522);
}

// A batch goes on past a file it cannot read: the file is reported in its result, the others are
// captioned, and the exit code says an image failed. --jsonl prints each image when it is done.
TEST(Cli, BatchCaptionReportsBadFilesAndGoesOn) {
  QTemporaryDir dir;
  const QString good = q(kTiny / "images" / "grad_97x61.png");
  QFile bad(dir.filePath("broken.jpg"));
  ASSERT_TRUE(bad.open(QIODevice::WriteOnly));
  bad.write("garbage");
  bad.close();
  const QStringList three{good, dir.filePath("broken.jpg"), good};
  const CliRun single = runCli({"caption", "--model", q(kTiny), "--json", good});
  ASSERT_EQ(single.code, 0) << single.err;
  const json want = json::parse(single.out)["results"][0];
  // --jsonl: one object per line, the same fields as --json's results.
  const CliRun lines = runCli(QStringList{"caption", "--model", q(kTiny), "--jsonl"} + three);
  EXPECT_EQ(lines.code, 4) << lines.err;
  std::vector<json> got;
  std::istringstream in(lines.out);
  for (std::string l; std::getline(in, l);) got.push_back(json::parse(l));
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0], want);
  EXPECT_EQ(got[2], want);
  EXPECT_EQ(got[1]["image"], dir.filePath("broken.jpg").toStdString());
  EXPECT_NE(got[1]["error"].get<std::string>().find("not an image in a supported format"), std::string::npos);
  EXPECT_NE(lines.err.find("1 of 3 images could not be read"), std::string::npos) << lines.err;
  // --json: one object at the end, the error in its result.
  const CliRun whole = runCli(QStringList{"caption", "--model", q(kTiny), "--json"} + three);
  EXPECT_EQ(whole.code, 4);
  const json results = json::parse(whole.out)["results"];
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[0], want);
  EXPECT_TRUE(results[1].contains("error"));
  // Text: captions on stdout, the bad file on stderr.
  const CliRun text = runCli(QStringList{"caption", "--model", q(kTiny)} + three);
  EXPECT_EQ(text.code, 4);
  EXPECT_EQ(std::count(text.out.begin(), text.out.end(), '\n'), 2);
  EXPECT_EQ(text.err.rfind("error: " + dir.filePath("broken.jpg").toStdString(), 0), 0u) << text.err;
}

size_t countOf(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

// A batch of several chunks (8 photos a chunk) frees the packed vision weights before each
// chunk's captions and packs them again for the next chunk's photos: every caption stays the one
// photo's own caption, in its place (two photos taking turns, a broken file in the first chunk).
// One photo at a time (--jsonl) keeps them until the last.
TEST(Cli, ABatchFreesTheVisionWeightsBeforeEachChunksCaptions) {
  QTemporaryDir dir;
  const QString broken = dir.filePath("broken.jpg");
  QFile bad(broken);
  ASSERT_TRUE(bad.open(QIODevice::WriteOnly));
  bad.write("garbage");
  bad.close();
  RunOptions options;
  options.env = QProcessEnvironment::systemEnvironment();
  options.env.insert("GLIMPSE_FP32_GEMM", "packed-all");
  const QStringList images{q(kTiny / "images" / "grad_97x61.png"), q(kTiny / "images" / "checker_200x120.png")};
  std::map<std::string, json> want;
  for (const QString& image : images) {
    const CliRun single = runCli({"caption", "--model", q(kTiny), "--json", image}, options);
    ASSERT_EQ(single.code, 0) << single.err;
    want[image.toStdString()] = json::parse(single.out)["results"][0];
  }
  ASSERT_NE(want.begin()->second["text"], want.rbegin()->second["text"]) << "the two photos need captions apart";
  // 10 names: the first chunk holds the broken file and 7 photos, the second 2 photos.
  QStringList names;
  for (int i = 0; i < 9; ++i) names << images[i % 2];
  names.insert(3, broken);
  const std::string freed = "MiB of packed vision weights before generating";
  const CliRun batch = runCli(QStringList{"--verbose", "caption", "--model", q(kTiny), "--json"} + names, options);
  EXPECT_EQ(batch.code, 4) << batch.err;
  EXPECT_EQ(countOf(batch.err, freed), 2u) << batch.err;
  const json results = json::parse(batch.out)["results"];
  ASSERT_EQ(results.size(), 10u);
  for (qsizetype i = 0; i < names.size(); ++i) {
    if (names[i] == broken) {
      EXPECT_TRUE(results[i].contains("error")) << results[i];
      continue;
    }
    // A batch pads a caption that ends before its batch-mates' with the pad token (0), as
    // transformers' generate does.
    const json& w = want.at(names[i].toStdString());
    EXPECT_EQ(results[i]["image"], w["image"]) << i;
    EXPECT_EQ(results[i]["text"], w["text"]) << i;
    auto ids = results[i]["token_ids"].get<std::vector<int64_t>>();
    while (ids.size() > w["token_ids"].size() && ids.back() == 0) ids.pop_back();
    EXPECT_EQ(ids, w["token_ids"].get<std::vector<int64_t>>()) << i;
  }
  names.removeAt(3);
  const CliRun lines = runCli(QStringList{"--verbose", "caption", "--model", q(kTiny), "--jsonl"} + names, options);
  ASSERT_EQ(lines.code, 0) << lines.err;
  EXPECT_EQ(countOf(lines.err, freed), 1u) << lines.err;
  std::istringstream in(lines.out);
  qsizetype n = 0;
  for (std::string l; std::getline(in, l); ++n) {
    ASSERT_LT(n, names.size());
    EXPECT_EQ(json::parse(l), want.at(names[n].toStdString())) << n;
  }
  EXPECT_EQ(n, names.size());
}

// "-" reads the names from stdin, one a line, as they come: each line's result is out before
// the next name is written.
TEST(Cli, CaptionReadsNamesFromStdinAndStreams) {
  const QString good = q(kTiny / "images" / "grad_97x61.png");
  QProcess p;
  p.start(QStringLiteral(GLIMPSE_CLI_PATH), {"caption", "--model", q(kTiny), "--jsonl", "-"});
  ASSERT_TRUE(p.waitForStarted());
  for (int i = 0; i < 2; ++i) {
    p.write((good + "\n").toUtf8());
    QByteArray line;
    for (int t = 0; t < 600 && !line.endsWith('\n'); ++t) {
      p.waitForReadyRead(100);
      line += p.readLine();
    }
    ASSERT_TRUE(line.endsWith('\n')) << "no result before stdin closed";
    EXPECT_EQ(json::parse(line.toStdString())["image"], good.toStdString());
  }
  p.closeWriteChannel();
  ASSERT_TRUE(p.waitForFinished(60000));
  EXPECT_EQ(p.exitCode(), 0) << p.readAllStandardError().toStdString();
  EXPECT_TRUE(p.readAllStandardOutput().isEmpty());
  // Empty stdin: nothing to caption is a usage error.
  QProcess empty;
  empty.start(QStringLiteral(GLIMPSE_CLI_PATH), {"caption", "--model", q(kTiny), "-"});
  empty.closeWriteChannel();
  ASSERT_TRUE(empty.waitForFinished(60000));
  EXPECT_EQ(empty.exitCode(), 2);
  const CliRun help = runCli({"caption", "--help"});
  EXPECT_EQ(help.code, 0);
  for (const char* needle : {"--jsonl", "IMAGE... | -", "reads the image names"})
    EXPECT_NE(help.out.find(needle), std::string::npos) << needle;
  const CliRun libraryHelp = runCli({"library", "--help"});
  EXPECT_EQ(libraryHelp.code, 0);
  for (const char* needle :
       {"glimpse-cli library [--library DB] [--model NAME|DIR] caption", "export [--format csv|jsonl"})
    EXPECT_NE(libraryHelp.out.find(needle), std::string::npos) << needle;
}

// ---- Hostile input ----

void writeBytes(const QString& path, const QByteArray& bytes) {
  QFile f(path);
  ASSERT_TRUE(f.open(QIODevice::WriteOnly));
  f.write(bytes);
}

TEST(CliHostile, SvgNamedJpgIsAnImageErrorNotAnAbort) {
  QTemporaryDir dir;
  writeBytes(dir.filePath("t.jpg"),
             R"(<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><text x="1" y="8">hi</text></svg>)");
  const CliRun r = runCli({"caption", "--model", q(kTiny), dir.filePath("t.jpg")});
  EXPECT_EQ(r.code, 4) << r.err;
  EXPECT_TRUE(r.out.empty());
  EXPECT_NE(r.err.find("not an image in a supported format"), std::string::npos) << r.err;
}

TEST(CliHostile, OutOfRangeOptionsAreUsageErrorsNamingTheRange) {
  const QString img = q(kTiny / "images" / "grad_97x61.png");
  QTemporaryDir dir;
  struct Case {
    QStringList args;
    const char* needle;
  };
  const std::vector<Case> cases = {
      {{"caption", "--model", q(kTiny), "--beams", "100000", img}, "--beams must be between 1 and 64"},
      {{"caption", "--model", q(kTiny), "--threads", "100000", img}, "--threads must be between 1 and 512"},
      {{"caption", "--model", q(kTiny), "--max-new-tokens", "99999999999", img},
       "--max-new-tokens must be between 1 and 512"},
      {{"caption", "--model", q(kTiny), "--num-return-sequences", "1000", img}, "between 1 and 64"},
      {{"search", "--library", dir.filePath("l.db"), "--model", q(kTiny), "--limit", "2000000000", "x"},
       "--limit must be between 1 and 10000"},
      {{"search", "--library", dir.filePath("l.db"), "--model", q(kTiny), "--rerank", "-1", "x"},
       "--rerank must be between 0 and 1000"},
      {{"index", "--library", dir.filePath("l.db"), "--model", q(kTiny), "--batch", "0", dir.path()},
       "--batch must be between 1 and 64"},
  };
  for (const auto& c : cases) {
    QElapsedTimer t;
    t.start();
    const CliRun r = runCli(c.args);
    EXPECT_EQ(r.code, 2) << c.args.join(' ').toStdString() << "\n" << r.err;
    EXPECT_NE(r.err.find(c.needle), std::string::npos) << r.err;
    EXPECT_LT(t.elapsed(), 30000);
  }
}

TEST(CliHostile, StdoutWriteErrorsFail) {
  RunOptions toFull;
  toFull.stdoutFile = QStringLiteral("/dev/full");
  const CliRun r = runCli({"tokenize", "--model", q(kTiny), "--", "a dog on a beach"}, toFull);
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_NE(r.err.find("cannot write the output: no space left on device"), std::string::npos) << r.err;
}

TEST(CliHostile, PreprocessNeverReplacesSpecialFilesOrSymlinks) {
  const QString img = q(kTiny / "images" / "grad_97x61.png");
  QTemporaryDir dir;
  // To stdout with "-".
  const CliRun toStdout = runCli({"preprocess", "--model", q(kTiny), "--out", "-", img});
  ASSERT_EQ(toStdout.code, 0) << toStdout.err;
  const size_t bytes = toStdout.out.size();
  EXPECT_EQ(bytes % (3 * sizeof(float)), 0u);
  EXPECT_GT(bytes, 0u);
  // A FIFO is written in place (a reader takes the data) and stays a FIFO.
  const QString fifo = dir.filePath("out.fifo");
  ASSERT_EQ(::mkfifo(QFile::encodeName(fifo).constData(), 0644), 0);
  QFuture<QByteArray> reader = QtConcurrent::run([fifo] {
    QFile f(fifo);
    f.open(QIODevice::ReadOnly);
    return f.readAll();
  });
  const CliRun r = runCli({"preprocess", "--model", q(kTiny), "--out", fifo, img});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(static_cast<size_t>(reader.result().size()), bytes);
  struct stat st {};
  ASSERT_EQ(::lstat(QFile::encodeName(fifo).constData(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode));
  // A symlink stays a symlink; its target gets the data, atomically (no .part file left).
  writeBytes(dir.filePath("target.bin"), "old");
  ASSERT_TRUE(QFile::link(dir.filePath("target.bin"), dir.filePath("link.bin")));
  const CliRun viaLink = runCli({"preprocess", "--model", q(kTiny), "--out", dir.filePath("link.bin"), img});
  EXPECT_EQ(viaLink.code, 0) << viaLink.err;
  EXPECT_TRUE(QFileInfo(dir.filePath("link.bin")).isSymLink());
  EXPECT_EQ(static_cast<size_t>(QFileInfo(dir.filePath("target.bin")).size()), bytes);
  EXPECT_EQ(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden | QDir::System).size(), 3);
  // A folder is refused, not replaced.
  const CliRun folder = runCli({"preprocess", "--model", q(kTiny), "--out", dir.path(), img});
  EXPECT_EQ(folder.code, 1);
  EXPECT_NE(folder.err.find("is a folder"), std::string::npos) << folder.err;
  EXPECT_TRUE(QFileInfo(dir.path()).isDir());
}

TEST(CliHostile, SpecialFilesHaveTheirOwnMessagesAndLibraryNoiseComesAfterTheError) {
  QTemporaryDir dir;
  const QString fifo = dir.filePath("pipe.png");
  ASSERT_EQ(::mkfifo(QFile::encodeName(fifo).constData(), 0644), 0);
  ASSERT_TRUE(QFile::link(dir.filePath("b.png"), dir.filePath("a.png")));
  ASSERT_TRUE(QFile::link(dir.filePath("a.png"), dir.filePath("b.png")));
  QFile png(q(kTiny / "images" / "grad_97x61.png"));
  ASSERT_TRUE(png.open(QIODevice::ReadOnly));
  const QByteArray good = png.readAll();
  writeBytes(dir.filePath("cut.png"), good.left(400));
  QByteArray damaged = good;  // libpng reports this one itself, on stderr
  damaged[damaged.indexOf("IDAT") + 60] = static_cast<char>(damaged[damaged.indexOf("IDAT") + 60] ^ 0xFF);
  writeBytes(dir.filePath("damaged.png"), damaged);
  struct Case {
    QString image;
    const char* needle;
  };
  for (const Case& c :
       {Case{fifo, "not a regular file (it is a FIFO)"},
        Case{dir.filePath("a.png"), "too many levels of symbolic links"},
        Case{dir.filePath("cut.png"), "the PNG data ends early"}, Case{dir.filePath("damaged.png"), "damaged.png"}}) {
    const CliRun r = runCli({"caption", "--model", q(kTiny), c.image});
    EXPECT_EQ(r.code, 4) << r.err;
    EXPECT_EQ(r.err.rfind("error: ", 0), 0u) << r.err;  // nothing from libpng & co. before it
    EXPECT_NE(r.err.find(c.needle), std::string::npos) << r.err;
  }
  const CliRun noisy = runCli({"caption", "--model", q(kTiny), dir.filePath("damaged.png")});
  EXPECT_NE(noisy.err.find("\nnote: libpng error"), std::string::npos) << noisy.err;  // after the error line
}

// glimpse-cli with its address space capped (setrlimit in the child, as `ulimit -v` would).
// A run still going after the timeout is killed: OpenBLAS retries a failed buffer allocation forever.
CliRun cliLimited(const QStringList& args, rlim_t bytes) {
  RunOptions o;
  o.childSetup = [bytes] {
    const rlimit limit{bytes, bytes};
    ::setrlimit(RLIMIT_AS, &limit);
  };
  return runCli(args, o);
}

TEST(CliHostile, RealAllocationFailureIsOutOfMemoryWithTheCommandsExitCode) {
  // 8000 texts of 56 tokens embedded in one batch need about 650 MB more than one text (the
  // attention scores alone are 8000 x 2 x 56 x 56 floats); under a 1300 MiB address-space limit
  // one text still runs and the batch fails in libtorch's allocator.
  const rlim_t limit = rlim_t{1300} << 20;
  const QString text = QStringLiteral("xqzjv kwpfh zzqxj vvkqw xqzjv kwpfh zzqxj vvkqw xqzjv kwpfh zzqxj vvkqw");
  const QStringList base{"embed", "--threads", "1", "--model", q(kTiny), "--json"};
  const CliRun one = cliLimited(base + QStringList{"--text", text}, limit);
  ASSERT_EQ(one.code, 0) << "the limit is too low for the CLI itself here: " << one.err;
  QStringList many = base;
  for (int i = 0; i < 8000; ++i) many << "--text" << text;
  const CliRun r = cliLimited(many, limit);
  EXPECT_EQ(r.code, 3) << r.err;
  EXPECT_EQ(r.err.rfind("error: not enough memory for the model to run on this input", 0), 0u) << r.err;
  EXPECT_EQ(r.err.find("frame #"), std::string::npos) << r.err;  // no libtorch backtrace
  EXPECT_TRUE(r.out.empty());
  // Without the limit the same command succeeds: the failure was memory, not the input.
  const CliRun free = runCli(many);
  EXPECT_EQ(free.code, 0) << free.err;
  EXPECT_EQ(json::parse(free.out)["results"].size(), 8000u) << free.out.substr(0, 200);
}

TEST(CliHostile, FileNamesThatAreNotUtf8) {
  QTemporaryDir dir;
  const QByteArray raw = QFile::encodeName(dir.path()) + "/x\xFF.png";
  ASSERT_TRUE(QFile::copy(q(kTiny / "images" / "grad_97x61.png"), dir.filePath("plain.png")));
  ASSERT_EQ(::rename(QFile::encodeName(dir.filePath("plain.png")).constData(), raw.constData()), 0);
  const CliRun r = runCliSh(
      QStringLiteral("exec \"$0\" caption --model '%1' \"$(printf '%2/x\\377.png')\"").arg(q(kTiny), dir.path()));
  ::unlink(raw.constData());  // QTemporaryDir cannot remove names that are not UTF-8
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out.rfind(raw.toStdString() + "\t", 0), 0u) << r.out;  // the name as its bytes
}

// exiv2's view of one tag of a file ("" when absent); empty too when exiv2 is not installed.
std::string exivTag(const QString& file, const QString& key) {
  QProcess p;
  p.start("exiv2", {"-q", "-K", key, "-Pv", file});
  p.waitForFinished(60000);
  return p.readAllStandardOutput().trimmed().toStdString();
}

bool haveExiv2AndConvert() {
  QProcess e, c;
  e.start("exiv2", {"--version"});
  c.start("convert", {"-version"});
  return e.waitForFinished(60000) && e.exitCode() == 0 && c.waitForFinished(60000) && c.exitCode() == 0;
}

QByteArray fileBytes(const QString& path) {
  QFile f(path);
  return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray("<missing>");
}

TEST(CliCaptionWrite, WritesIntoPhotosSidecarsAndTextFiles) {
  if (!haveExiv2AndConvert()) GTEST_SKIP() << "needs the exiv2 command-line tool and ImageMagick's convert";
  QTemporaryDir dir;
  const QString jpg = dir.filePath("beach.jpg");
  ASSERT_EQ(QProcess::execute("convert", {q(kTiny / "images" / "grad_97x61.png"), jpg}), 0);
  ASSERT_EQ(QProcess::execute("exiv2", {"-q", "-M", "set Exif.Image.Make Canon", jpg}), 0);
  CliRun r = runCli({"caption", "--model", q(kTiny), "--write", "embedded", "--write", "xmp-sidecar", "--write", "txt",
                     "--json", jpg});
  ASSERT_EQ(r.code, 0) << r.err;
  const json out = json::parse(r.out);
  ASSERT_EQ(out["results"].size(), 1u);
  const std::string caption = out["results"][0]["text"];
  const json& written = out["results"][0]["written"];
  ASSERT_EQ(written.size(), 3u) << written.dump();
  EXPECT_EQ(written[0]["target"], "embedded");
  EXPECT_EQ(written[1]["target"], "xmp-sidecar");
  EXPECT_EQ(written[1]["file"], (jpg + ".xmp").toStdString());
  EXPECT_EQ(written[2]["file"], dir.filePath("beach.txt").toStdString());
  for (const auto& w : written) EXPECT_EQ(w["outcome"], "written") << w.dump();
  EXPECT_EQ(exivTag(jpg, "Exif.Image.ImageDescription"), caption);
  EXPECT_EQ(exivTag(jpg, "Iptc.Application2.Caption"), caption);
  EXPECT_EQ(exivTag(jpg, "Exif.Image.Make"), "Canon");
  EXPECT_EQ(exivTag(jpg + ".xmp", "Xmp.dc.description"), "lang=\"x-default\" " + caption);
  EXPECT_EQ(fileBytes(dir.filePath("beach.txt")).toStdString(), caption + "\n");

  // Another caption (a prompt) is not written over the first without --overwrite.
  const QByteArray photo = fileBytes(jpg);
  r = runCli(
      {"caption", "--model", q(kTiny), "--prompt", "a picture of", "--write", "embedded", "--write", "txt", jpg});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("beach.jpg (embedded): kept the existing description"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("beach.txt (txt): kept"), std::string::npos) << r.err;
  EXPECT_EQ(fileBytes(jpg), photo);
  r = runCli(
      {"caption", "--model", q(kTiny), "--prompt", "a picture of", "--write", "txt", "--overwrite", "--json", jpg});
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string second = json::parse(r.out)["results"][0]["text"];
  EXPECT_EQ(fileBytes(dir.filePath("beach.txt")).toStdString(), second + "\n");

  // Lightroom's sidecar name.
  r = runCli({"caption", "--model", q(kTiny), "--write", "xmp-sidecar", "--sidecar-name", "short", jpg});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(exivTag(dir.filePath("beach.xmp"), "Xmp.dc.description"), "lang=\"x-default\" " + caption);
}

TEST(CliCaptionWrite, AFailedWriteCarriesOnAndExitsWithFour) {
  if (!haveExiv2AndConvert()) GTEST_SKIP() << "needs the exiv2 command-line tool and ImageMagick's convert";
  QTemporaryDir dir;
  const QString gif = dir.filePath("a.gif"), png = dir.filePath("b.png");
  ASSERT_EQ(QProcess::execute("convert", {q(kTiny / "images" / "grad_97x61.png"), gif}), 0);
  ASSERT_TRUE(QFile::copy(q(kTiny / "images" / "grad_97x61.png"), png));
  const QByteArray gifBytes = fileBytes(gif);
  const CliRun r = runCli({"caption", "--model", q(kTiny), "--write", "embedded", "--json", gif, png});
  EXPECT_EQ(r.code, 4) << r.err;
  const json out = json::parse(r.out);  // all results still printed
  ASSERT_EQ(out["results"].size(), 2u);
  EXPECT_EQ(out["results"][0]["written"][0]["outcome"], "failed");
  EXPECT_EQ(out["results"][0]["written"][0]["error"], "exiv2 cannot write metadata into GIF files");
  EXPECT_EQ(out["results"][1]["written"][0]["outcome"], "written");
  EXPECT_EQ(exivTag(png, "Exif.Image.ImageDescription"), out["results"][1]["text"].get<std::string>());
  EXPECT_NE(r.err.find("a.gif (embedded): exiv2 cannot write metadata into GIF files"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("error: 1 caption write failed"), std::string::npos) << r.err;
  EXPECT_EQ(fileBytes(gif), gifBytes);
}

TEST(CliCaptionWrite, UsageErrorsAndHelp) {
  const QString img = q(kTiny / "images" / "grad_97x61.png");
  const std::vector<std::pair<QStringList, const char*>> cases = {
      {{"--write", "exif"}, "--write must be embedded, xmp-sidecar or txt"},
      {{"--write", "txt", "--sidecar-name", "short"}, "--sidecar-name needs --write xmp-sidecar"},
      {{"--write", "xmp-sidecar", "--sidecar-name", "medium"}, "--sidecar-name must be long or short"},
      {{"--overwrite"}, "--overwrite needs --write"},
  };
  for (const auto& [extra, needle] : cases) {
    const CliRun r = runCli(QStringList{"caption", "--model", q(kTiny)} + extra + QStringList{img});
    EXPECT_EQ(r.code, 2) << extra.join(' ').toStdString();
    EXPECT_NE(r.err.find(needle), std::string::npos) << r.err;
    EXPECT_TRUE(r.out.empty());
  }
  EXPECT_EQ(runCli({"ask", "--model", q(kTiny), "--question", "what?", "--write", "txt", img}).code, 2);
  const CliRun help = runCli({"caption", "--help"});
  EXPECT_EQ(help.code, 0);
  EXPECT_NE(help.out.find("--write TARGET"), std::string::npos) << help.out;
  EXPECT_NE(help.out.find("--sidecar-name"), std::string::npos);
  EXPECT_FALSE(QFile::exists(q(kTiny / "images" / "grad_97x61.txt")));
}

// Captions already in the library go into the photos' files without a model run; a photo that
// changed since it was indexed is refused (its caption may describe another picture) until index
// has read it again, and a metadata-only change keeps the library's captions.
TEST(CliCaptionWrite, LibraryExportWritesTheLibrarysCaptions) {
  if (!haveExiv2AndConvert()) GTEST_SKIP() << "needs the exiv2 command-line tool and ImageMagick's convert";
  QTemporaryDir dir;
  const QString photos = dir.filePath("photos");
  QDir().mkpath(photos);
  const QString jpg = photos + "/harbour.jpg", png = photos + "/field.png";
  ASSERT_EQ(QProcess::execute("convert", {q(kTiny / "images" / "grad_97x61.png"), jpg}), 0);
  ASSERT_TRUE(QFile::copy(q(kTiny / "images" / "checker_200x120.png"), png));
  const QString db = dir.filePath("lib.db");
  CliRun r = runCli({"index", "--library", db, "--model", q(kTiny), photos});
  ASSERT_EQ(r.code, 0) << r.err;
  r = runCli({"library", "--library", db, "--model", q(kTiny), "caption", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  r = runCli({"library", "--library", db, "export", "--format", "jsonl"});
  ASSERT_EQ(r.code, 0) << r.err;
  std::map<std::string, std::string> captions;
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);) {
    const json j = json::parse(line);
    captions[j["path"]] = j["caption"];
  }
  ASSERT_EQ(captions.size(), 2u) << r.out;
  const QByteArray pngBefore = fileBytes(png);

  // The photo is edited elsewhere after indexing: nothing is written into it.
  ASSERT_EQ(QProcess::execute("exiv2", {"-q", "-M", "set Exif.Image.Make Canon", jpg}), 0);
  const QByteArray edited = fileBytes(jpg);
  r = runCli({"library", "--library", db, "export", "--write", "embedded", "--json"});
  EXPECT_EQ(r.code, 4) << r.err;
  json out = json::parse(r.out);
  ASSERT_EQ(out["results"].size(), 2u) << r.out;
  for (const auto& res : out["results"]) {
    const auto& w = res["written"][0];
    if (res["path"] == jpg.toStdString()) {
      EXPECT_EQ(w["outcome"], "failed") << w.dump();
      EXPECT_NE(w["error"].get<std::string>().find("changed since it was"), std::string::npos) << w.dump();
    } else {
      EXPECT_EQ(w["outcome"], "written") << w.dump();
    }
  }
  EXPECT_EQ(fileBytes(jpg), edited);
  EXPECT_EQ(exivTag(png, "Exif.Image.ImageDescription"), captions[png.toStdString()]);

  // Index reads it again: only metadata changed, so its caption stays and export writes it.
  r = runCli({"index", "--library", db, "--model", q(kTiny), "--json", photos});
  ASSERT_EQ(r.code, 0) << r.err;
  r = runCli({"library", "--library", db, "export", "--write", "embedded", "--write", "txt", photos});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(exivTag(jpg, "Exif.Image.ImageDescription"), captions[jpg.toStdString()]);
  EXPECT_EQ(exivTag(jpg, "Exif.Image.Make"), "Canon");
  EXPECT_EQ(fileBytes(photos + "/harbour.txt").toStdString(), captions[jpg.toStdString()] + "\n");
  // The PNG already holds its caption: it is left as it is.
  EXPECT_NE(r.out.find("same\t" + png.toStdString()), std::string::npos) << r.out;
  EXPECT_NE(fileBytes(png), pngBefore);  // written by the first export, not since
  // Usage: nothing to do, or both exports on stdout.
  EXPECT_EQ(runCli({"library", "--library", db, "export"}).code, 2);
  EXPECT_EQ(runCli({"library", "--library", db, "export", "--format", "csv", "--write", "txt", "--json"}).code, 2);
}

// ---- Shell conventions: help, version, installed models by name, the app's library ----

// The CLI with its own XDG folders and models folder, so the app's settings, models and library
// of the person running the tests are never read or written.
struct Home {
  QTemporaryDir dir;
  QString data() const { return dir.filePath("data"); }
  QString config() const { return dir.filePath("config"); }
  QString models() const { return dir.filePath("data/Glimpse/models"); }
  QString appLibrary() const { return dir.filePath("data/Glimpse/library.glimpse"); }
  CliRun run(const QStringList& args) const {
    RunOptions o;
    o.env = glimpse::test::isolatedEnvironment(dir.path());
    return runCli(args, o);
  }
  // The desktop app's saved model for a task (QSettings' file of organisation and app Glimpse).
  void setAppModel(const char* task, const QString& folder) const {
    QDir().mkpath(config() + "/Glimpse");
    QFile f(config() + "/Glimpse/Glimpse.conf");
    ASSERT_TRUE(f.open(QIODevice::Append));
    f.write(QStringLiteral("[models]\n%1=%2\n").arg(QLatin1String(task), folder).toUtf8());
  }
};

TEST(CliShell, EveryCommandHasHelpDescribingItsOptions) {
  const std::map<std::string, std::vector<std::string>> expected = {
      {"caption", {"--jsonl", "--write TARGET", "--beams N", "--seed N", "--ignore-exif-orientation"}},
      {"ask", {"--question TEXT", "--max-new-tokens N", "--precision MODE"}},
      {"match", {"--text TEXT", "--model NAME|DIR"}},
      {"embed", {"--image", "--text"}},
      {"tokenize", {"--model NAME|DIR", "--json"}},
      {"preprocess", {"--out FILE"}},
      {"index", {"--batch N", "--exclude GLOB", "--include-hidden", "--library DB"}},
      {"search", {"--no-text-match", "--rerank K", "--after DATE"}},
      {"similar", {"--limit N", "--folder DIR"}},
      {"library", {"--format FORMAT", "--sidecar-name", "--overwrite"}},
      {"models", {"--endpoint URL", "--stall-timeout SECONDS", "--revision REV", "--files PATTERN"}},
  };
  for (const auto& [command, needles] : expected) {
    const CliRun r = runCli({QString::fromStdString(command), "--help"});
    EXPECT_EQ(r.code, 0) << command << r.err;
    EXPECT_EQ(r.out.rfind("usage: glimpse-cli " + command + " ", 0), 0u) << r.out;
    EXPECT_TRUE(r.err.empty()) << r.err;
    for (const auto& n : needles) {
      // Each option on its own line with a description after it.
      const size_t at = r.out.find("\n  " + n);
      ASSERT_NE(at, std::string::npos) << command << ": " << n << "\n" << r.out;
      const std::string line = r.out.substr(at + 1, r.out.find('\n', at + 1) - at - 1);
      EXPECT_GT(line.size(), 30u) << command << ": " << line;
    }
    // "help COMMAND" is the same text.
    EXPECT_EQ(runCli({"help", QString::fromStdString(command)}).out, r.out);
  }
  const CliRun unknown = runCli({"frobnicate", "--help"});
  EXPECT_EQ(unknown.code, 2);
  EXPECT_NE(unknown.err.find("unknown command 'frobnicate'"), std::string::npos) << unknown.err;
  // Options after "--" are arguments, not a request for help.
  EXPECT_EQ(runCli({"tokenize", "--model", q(kTiny), "--", "--help"}).code, 0);
}

// --version is the program's line alone (it loads no libtorch: tests/packaging/check-no-torch.sh);
// with --verbose it also names what the engine runs on.
TEST(CliShell, VersionNamesTheEngineWhenVerbose) {
  const CliRun brief = runCli({"--version"});
  ASSERT_EQ(brief.code, 0) << brief.err;
  EXPECT_EQ(brief.out.rfind("glimpse-cli 0.", 0), 0u) << brief.out;
  EXPECT_EQ(std::count(brief.out.begin(), brief.out.end(), '\n'), 1) << brief.out;
  EXPECT_EQ(runCli({"-V"}).out, brief.out);
  const CliRun r = runCli({"--version", "--verbose"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out.rfind(brief.out, 0), 0u) << r.out;
  for (const char* needle : {"\nBLAS: ", "\noneDNN: ", "\nCPU kernels: ", "\nCPU features: ", "\nprecisions: fp32"})
    EXPECT_NE(r.out.find(needle), std::string::npos) << needle << "\n" << r.out;
  // This build pins OpenBLAS-OpenMP by RPATH (cmake/Blas.cmake); --version --verbose shows it was
  // loaded.
  EXPECT_NE(r.out.find("BLAS: OpenBLAS (OpenMP)"), std::string::npos) << r.out;
}

// libgomp reads its settings when the engine loads it: glimpse-cli sets a short spin before that
// (blip::set_openmp_defaults) unless the user chose one, and --version --verbose shows what the
// engine got.
TEST(CliShell, EngineRunsWithAShortOpenMpSpinUnlessTheUserChoseOne) {
  RunOptions none;
  none.env = QProcessEnvironment::systemEnvironment();
  none.env.remove("OMP_WAIT_POLICY");
  none.env.remove("GOMP_SPINCOUNT");
  CliRun r = runCli({"--version", "--verbose"}, none);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("\nOpenMP waiting: GOMP_SPINCOUNT=10000\n"), std::string::npos) << r.out;
  RunOptions passive = none;
  passive.env.insert("OMP_WAIT_POLICY", "passive");
  r = runCli({"--version", "--verbose"}, passive);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("\nOpenMP waiting: OMP_WAIT_POLICY=passive\n"), std::string::npos) << r.out;
  RunOptions spin = none;
  spin.env.insert("GOMP_SPINCOUNT", "50000");
  r = runCli({"--version", "--verbose"}, spin);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("\nOpenMP waiting: GOMP_SPINCOUNT=50000\n"), std::string::npos) << r.out;
}

TEST(CliShell, InstalledModelsByNameAndTheAppsDefaults) {
  Home home;
  const QString image = q(kTiny / "images" / "grad_97x61.png");
  // Nothing installed: the error says so and how to get one.
  CliRun r = home.run({"caption", image});
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find("no --model given"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("no model is installed"), std::string::npos) << r.err;

  r = home.run({"models", "import", q(kTiny), "--name", "test/tiny"});
  ASSERT_EQ(r.code, 0) << r.err;
  // By name, as `models list` shows it, the same captions as by folder.
  const CliRun byFolder = runCli({"caption", "--model", q(kTiny), "--json", image});
  ASSERT_EQ(byFolder.code, 0) << byFolder.err;
  r = home.run({"caption", "--model", "test/tiny", "--json", image});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["results"][0]["text"], json::parse(byFolder.out)["results"][0]["text"]);
  // Without --model: the first installed model that can do the task.
  r = home.run({"caption", "--json", image});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["results"][0]["text"], json::parse(byFolder.out)["results"][0]["text"]);
  // A name that is not installed: exit 3, naming what is.
  r = home.run({"caption", "--model", "Salesforce/blip-image-captioning-base", image});
  EXPECT_EQ(r.code, 3);
  EXPECT_NE(r.err.find("no installed model is named 'Salesforce/blip-image-captioning-base'"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("installed: test/tiny"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty());
  // The desktop app's choice for a task comes first: a caption-only model chosen for search
  // cannot match, which shows it was the one used.
  home.setAppModel("search", q(kTiny / "caption_bin"));
  r = home.run({"match", "--text", "a dog", image});
  EXPECT_EQ(r.code, 3) << r.err;
  EXPECT_NE(r.err.find("matching head"), std::string::npos) << r.err;
  // A chosen folder that is gone is passed over.
  home.setAppModel("caption", home.dir.filePath("gone"));
  EXPECT_EQ(home.run({"caption", image}).code, 0);
}

TEST(CliShell, WithoutLibraryTheAppsLibraryIsUsed) {
  Home home;
  QTemporaryDir photos;
  ASSERT_TRUE(QFile::copy(q(kTiny / "images" / "grad_97x61.png"), photos.filePath("one.png")));
  CliRun r = home.run({"index", "--model", q(kTiny), "--json", photos.path()});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(QFileInfo(home.appLibrary()).isFile()) << home.appLibrary().toStdString();
  r = home.run({"library", "folders"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find(QDir(photos.path()).canonicalPath().toStdString()), std::string::npos) << r.out;
  // --library still picks another file.
  r = home.run({"library", "--library", home.dir.filePath("other.glimpse"), "folders"});
  EXPECT_EQ(r.out.find(QDir(photos.path()).canonicalPath().toStdString()), std::string::npos) << r.out;
}

// Earlier versions kept the library in <data>/Glimpse/Glimpse: the CLI moves it once and uses it.
TEST(CliShell, TheLibraryInTheDoubledFolderOfEarlierVersionsIsMovedAndUsed) {
  Home home;
  QTemporaryDir photos;
  ASSERT_TRUE(QFile::copy(q(kTiny / "images" / "grad_97x61.png"), photos.filePath("one.png")));
  const QString made = home.dir.filePath("made.glimpse");
  CliRun r = home.run({"index", "--library", made, "--model", q(kTiny), "--json", photos.path()});
  ASSERT_EQ(r.code, 0) << r.err;
  const QString old = home.dir.filePath("data/Glimpse/Glimpse/library.glimpse");
  QDir().mkpath(QFileInfo(old).absolutePath());
  ASSERT_TRUE(QFile::rename(made, old));
  r = home.run({"library", "folders"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find(QDir(photos.path()).canonicalPath().toStdString()), std::string::npos) << r.out;
  EXPECT_TRUE(QFileInfo(home.appLibrary()).isFile());
  EXPECT_FALSE(QFileInfo::exists(home.dir.filePath("data/Glimpse/Glimpse")));
}

}  // namespace

int main(int argc, char** argv) {
  QCoreApplication app(argc, argv);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}

// The first caption of a process measures the CPU's float32 products; glimpse-cli keeps the result
// in its cache folder, and the next process takes it from there instead of measuring again.
TEST(CliShell, TheProductMeasurementIsKeptInTheCacheFolderAndReused) {
  const Home home;
  const QString cache = home.dir.filePath("cache/Glimpse/fp32-gemm.json");
  const QString image = q(kTiny / "images" / "grad_97x61.png");
  const QStringList args{"caption", "--verbose", "--model", q(kTiny), "--max-new-tokens", "3", image};
  RunOptions options;
  options.env = glimpse::test::isolatedEnvironment(home.dir.path());
  options.env.remove(QStringLiteral("GLIMPSE_FP32_GEMM"));  // a forced product is measured, not kept
  const auto first = runCli(args, options);
  ASSERT_EQ(first.code, 0) << first.err;
  if (!QFile::exists(cache) && first.err.find("far below") != std::string::npos)
    GTEST_SKIP() << "the machine was too busy to measure (a measurement with a warning is not kept)";
  QFile file(cache);
  ASSERT_TRUE(file.open(QIODevice::ReadOnly)) << qPrintable(cache);
  const QByteArray kept = file.readAll();
  file.close();
  const auto doc = nlohmann::json::parse(kept.toStdString());
  ASSERT_EQ(doc["entries"].size(), 1u);
  EXPECT_NE(doc["entries"][0]["key"].get<std::string>().find("threads "), std::string::npos);
  const auto second = runCli(args, options);
  ASSERT_EQ(second.code, 0) << second.err;
  // A measurement that found the product slow would have said so here (--verbose).
  EXPECT_EQ(second.err.find("far below"), std::string::npos) << second.err;
  EXPECT_EQ(second.out, first.out);
  ASSERT_TRUE(file.open(QIODevice::ReadOnly));
  EXPECT_EQ(file.readAll(), kept);  // read, not measured and written again
}
