// glimpse-cli: BLIP captioning, VQA, matching and embeddings from the command line, over the same
// engine as the desktop app. Results go to stdout (plain lines, or one JSON object with --json);
// errors go to stderr as "error: ..." with a distinct exit code, and nothing is half-written.
#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>
#include <QCoreApplication>
#include <QFile>
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <optional>

#include "cli_common.h"
#include "desktop/paths.h"
#include "imaging/captionwriter.h"
#include "io/files.h"
#include "library/librarydatabase.h"

namespace {

using glimpse::blip::BlipError;
using namespace glimpse::cli;
using nlohmann::json;

}  // namespace

namespace glimpse::cli {

glimpse::blip::GenerationConfig generationConfig(const QCommandLineParser& p) {
  return generationConfig(p, glimpse::blip::default_generation_config());
}

glimpse::blip::GenerationConfig generationConfig(const QCommandLineParser& p, glimpse::blip::GenerationConfig c) {
  if (p.isSet("beams")) c.num_beams = toIntIn(p.value("beams"), "beams", 1, kMaxBeams);
  if (p.isSet("max-length")) c.max_length = toIntIn(p.value("max-length"), "max-length", 1, kMaxTokens);
  if (p.isSet("min-length")) c.min_length = toIntIn(p.value("min-length"), "min-length", 0, kMaxTokens);
  if (p.isSet("max-new-tokens")) c.max_new_tokens = toIntIn(p.value("max-new-tokens"), "max-new-tokens", 1, kMaxTokens);
  if (p.isSet("repetition-penalty"))
    c.repetition_penalty = toDouble(p.value("repetition-penalty"), "repetition-penalty");
  if (p.isSet("no-repeat-ngram-size"))
    c.no_repeat_ngram_size = toIntIn(p.value("no-repeat-ngram-size"), "no-repeat-ngram-size", 0, kMaxTokens);
  if (p.isSet("length-penalty")) c.length_penalty = toDouble(p.value("length-penalty"), "length-penalty");
  if (p.isSet("early-stopping")) c.early_stopping = true;
  if (p.isSet("num-return-sequences"))
    c.num_return_sequences = toIntIn(p.value("num-return-sequences"), "num-return-sequences", 1, kMaxBeams);
  const bool samplingOpt = p.isSet("top-p") || p.isSet("top-k") || p.isSet("temperature") || p.isSet("seed");
  if (samplingOpt && !p.isSet("sample")) throw UsageError("--top-p, --top-k, --temperature and --seed need --sample");
  if (p.isSet("sample")) {
    c.do_sample = true;
    if (p.isSet("top-p")) c.top_p = toDouble(p.value("top-p"), "top-p");
    if (p.isSet("top-k")) c.top_k = toIntIn(p.value("top-k"), "top-k", 0, 1000000);
    if (p.isSet("temperature")) c.temperature = toDouble(p.value("temperature"), "temperature");
    if (p.isSet("seed")) c.seed = static_cast<uint64_t>(toInt(p.value("seed"), "seed"));
  }
  try {
    c.validate();
  } catch (const BlipError& e) {
    throw UsageError(e.what());
  }
  return c;
}

int printTokenIds(const json& results, bool asJson) {
  if (asJson) {
    print({{"results", results}});
    return kOk;
  }
  for (const auto& r : results) {
    std::string line;
    for (int64_t id : r["input_ids"]) line += (line.empty() ? "" : " ") + std::to_string(id);
    std::cout << line << '\n';
  }
  return kOk;
}

}  // namespace glimpse::cli

namespace {

glimpse::imaging::DecodeOptions decodeOptions(const QCommandLineParser& p) {
  glimpse::imaging::DecodeOptions o;
  o.applyExifOrientation = !p.isSet("ignore-exif-orientation");
  return o;
}

std::vector<glimpse::blip::PixelValues> loadImages(const glimpse::blip::BlipImageProcessor& processor,
                                                   const QStringList& paths, const QCommandLineParser& p) {
  std::vector<glimpse::blip::PixelValues> out;
  const QuietStderr quiet;
  for (const QString& path : paths) {
    try {
      out.push_back(processor.preprocess(glimpse::imaging::decodeImageFile(path, decodeOptions(p)).rgb));
    } catch (const glimpse::imaging::ImageDecodeError& e) {
      throw ImageError(e.what());
    } catch (const std::bad_alloc&) {
      throw ImageError(path.toStdString() + ": not enough memory to decode this image");
    }
  }
  return out;
}

// Images are processed in chunks so memory stays bounded for long lists.
constexpr size_t kChunk = 8;

// The IMAGE arguments of caption, or with a lone "-" the file names on stdin, one a line: read as
// they are needed, so a producer on a pipe (find, ls) and the captions run side by side.
class ImageSource {
 public:
  explicit ImageSource(const QStringList& positional) : m_list(positional) {
    if (positional.contains(QStringLiteral("-"))) {
      if (positional.size() != 1) throw UsageError("'-' (file names from stdin) must be the only IMAGE argument");
      m_stdin = true;
      m_list.clear();
    }
  }
  bool fromStdin() const { return m_stdin; }
  // Known to hold no more names (never for stdin, which could only tell by waiting for a line).
  bool exhausted() const { return !m_stdin && m_at >= m_list.size(); }
  // Up to n more names; empty at the end.
  QStringList next(qsizetype n) {
    QStringList out;
    if (!m_stdin) {
      out = m_list.mid(m_at, n);
      m_at += out.size();
      return out;
    }
    std::string line;
    while (out.size() < n && std::getline(std::cin, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (!line.empty()) out << glimpse::io::decodePath(QByteArray::fromStdString(line));
    }
    return out;
  }

 private:
  QStringList m_list;
  qsizetype m_at = 0;
  bool m_stdin = false;
};

// Memory freed into malloc's heaps handed back to the system.
void returnFreedHeap() {
#ifdef __GLIBC__
  malloc_trim(0);
#endif
}

// The photos of a chunk, encoded, with the vision model's packed weights freed before the text is
// generated, so the decoder runs without holding them (peak memory of a one-photo caption 0.35 GiB
// lower for a base model). Where more chunks follow, the next chunk's layers pack again where
// packing pays within it (blip::pack_now).
std::vector<glimpse::blip::ImageInput> encodeThenFreeVision(const glimpse::blip::BlipModel& model,
                                                            const std::vector<glimpse::blip::PixelValues>& pixels,
                                                            bool forQuestions) {
  std::vector<glimpse::blip::ImageInput> states;
  for (const auto& px : pixels) states.emplace_back(model.encode_image(px, forQuestions));
  if (const size_t bytes = model.release_vision_weights(); bytes > 0)
    qInfo("Freed %.1f MiB of packed vision weights before generating", static_cast<double>(bytes) / (1 << 20));
  return states;
}

int runAsk(const QCommandLineParser& p, const QStringList& images, const glimpse::blip::GenerationConfig& gc) {
  if (images.size() != 1) throw UsageError("ask takes exactly one IMAGE");
  auto model = loadModel(p, glimpse::Task::Ask);
  const QString question = p.value("question");
  const std::optional<QString> english = glimpse::cli::QueryTranslator(p).toEnglish(question);
  if (english && !p.isSet("json")) std::cerr << "asked: " << english->toStdString() << '\n';
  const auto pixels = loadImages(model->processor(), images, p);
  const auto out = runModel([&] {
    return model->answer(encodeThenFreeVision(*model, pixels, true), {english.value_or(question).toStdString()}, gc);
  });
  json results = json::array();
  for (const auto& g : out.front()) {
    json r = {{"image", images.front().toStdString()}, {"text", g.text}, {"token_ids", g.token_ids}};
    if (gc.num_beams > 1) r["score"] = g.score;
    results.push_back(r);
  }
  if (p.isSet("json")) {
    print({{"question", question.toStdString()},
           {"translated_question", english ? json(english->toStdString()) : json(nullptr)},
           {"results", results}});
  } else {
    for (const auto& r : results) std::cout << r["text"].get<std::string>() << '\n';
  }
  return kOk;
}

// caption: images in chunks; one that cannot be read or decoded is reported in its result (and on
// stderr in text mode) and the others go on; the exit code is then 4 (image error).
int runGenerate(const QStringList& args, bool ask) {
  Options o;
  o.addDocumented(ask ? "ask" : "caption");
  o.parse(args);
  auto& p = o.parser;
  if (ask && !p.isSet("question")) throw UsageError("--question TEXT is required");
  if (ask && p.positionalArguments().isEmpty()) throw UsageError("no IMAGE given");
  // Answers start from the settings the app answers with, captions from Hugging Face's defaults.
  const auto gc =
      generationConfig(p, ask ? glimpse::blip::vqa_generation_config() : glimpse::blip::default_generation_config());
  if (ask) return runAsk(p, p.positionalArguments(), gc);
  const WriteRequest writes = writeRequest(p);
  int failedWrites = 0;
  if (p.isSet("json") && p.isSet("jsonl")) throw UsageError("give --json or --jsonl, not both");
  if (p.positionalArguments().isEmpty()) throw UsageError("no IMAGE given");
  ImageSource source(p.positionalArguments());
  const bool jsonl = p.isSet("jsonl");
  auto model = loadModel(p, glimpse::Task::Caption);
  // --self-check: every caption scored against its photo by a retrieval head, degenerate ones made again.
  const auto checkOptions = selfCheckOptions(p);
  std::unique_ptr<glimpse::blip::BlipModel> ownChecker;
  const glimpse::blip::BlipModel* checker = nullptr;
  if (p.isSet("self-check")) {
    if (gc.num_return_sequences > 1)
      throw UsageError("--self-check keeps one caption per image; leave out --num-return-sequences");
    checker = selfCheckModel(p, *model, &ownChecker);
  }
  const bool checkerOwnPixels = checker && !glimpse::captions::sameProcessing(*model, *checker);
  json results = json::array();
  int failed = 0;
  qsizetype total = 0;
  // --jsonl streams: each image is captioned on its own and its line printed when it is done.
  const qsizetype chunkSize = jsonl ? 1 : static_cast<qsizetype>(kChunk);
  for (QStringList chunk = source.next(chunkSize); !chunk.isEmpty(); chunk = source.next(chunkSize)) {
    total += chunk.size();
    // The photos as they are captioned: a photo changed before its caption is written is not
    // written into (the caption may describe the old one).
    std::vector<std::optional<glimpse::imaging::FileState>> states;
    for (const QString& image : chunk) states.push_back(glimpse::imaging::fileState(image));
    std::vector<glimpse::blip::PixelValues> pixels, checkPixels;
    std::vector<QString> errors(static_cast<size_t>(chunk.size()));
    {
      const QuietStderr quiet;
      for (qsizetype i = 0; i < chunk.size(); ++i) {
        try {
          const auto rgb = glimpse::imaging::decodeImageFile(chunk[i], decodeOptions(p)).rgb;
          pixels.push_back(model->processor().preprocess(rgb));
          if (checkerOwnPixels) checkPixels.push_back(checker->processor().preprocess(rgb));
        } catch (const glimpse::imaging::ImageDecodeError& e) {
          errors[static_cast<size_t>(i)] = QString::fromUtf8(e.what());
        } catch (const std::bad_alloc&) {
          errors[static_cast<size_t>(i)] = chunk[i] + QStringLiteral(": not enough memory to decode this image");
        }
      }
    }
    std::vector<std::vector<glimpse::blip::GeneratedText>> out;
    std::vector<glimpse::captions::SelfCheckResult> checks;
    if (checker) {
      for (size_t j = 0; j < pixels.size(); ++j) {
        checks.push_back(runModel([&] {
          return glimpse::captions::selfCheckCaption(*model, pixels[j], *checker,
                                                     checkerOwnPixels ? checkPixels[j] : pixels[j],
                                                     p.value("prompt").toStdString(), gc, checkOptions);
        }));
        out.push_back({checks.back().best().generated});
      }
    } else if (!pixels.empty()) {
      // The vision weights are freed for the run's last photos (not needed again), and before the
      // captions of several photos, whose cross-attention keys and values (float32, 42 MB a photo
      // of a base model) would otherwise sit beside them: a 24-photo run peaked at 1633-1680 MiB,
      // now at the one-chunk level (1116-1134 MiB), for 3 % more time (packing them again per
      // chunk). One photo at a time (--jsonl; or a chunk where only one photo could be read) keeps
      // them: its 42 MB beside them peak no higher than the next photo's packing would.
      const bool several = pixels.size() > 1;
      const bool freeVision = several || source.exhausted();
      out = runModel([&] {
        std::vector<std::string> prompts;
        if (p.isSet("prompt")) prompts.push_back(p.value("prompt").toStdString());
        return model->caption(
            freeVision ? encodeThenFreeVision(*model, pixels, false) : glimpse::blip::image_inputs(pixels), prompts,
            gc);
      });
      // What the captions freed stays in malloc's heap, and the next chunk's packing does not reuse
      // it (a 16-photo run held 330 MiB more while encoding its second chunk): handed back first.
      if (several && !source.exhausted()) returnFreedHeap();
    }
    size_t k = 0;
    for (qsizetype i = 0; i < chunk.size(); ++i) {
      std::vector<json> entries;
      const QString& error = errors[static_cast<size_t>(i)];
      if (!error.isEmpty()) {
        ++failed;
        entries.push_back({{"image", chunk[i].toStdString()}, {"error", error.toStdString()}});
        if (!jsonl && !p.isSet("json")) std::cerr << "error: " << pathText(error) << '\n';
      } else {
        const auto& generations = out[k];
        for (const auto& g : generations) {
          json r = {{"image", chunk[i].toStdString()}, {"text", g.text}, {"token_ids", g.token_ids}};
          if (gc.num_beams > 1) r["score"] = g.score;
          if (checker) addSelfCheck(r, checks[k]);
          // The first (best) caption is the one written.
          if (!writes.targets.empty() && &g == &generations.front())
            r["written"] = writeCaptionFor(chunk[i], g.text, writes, states[static_cast<size_t>(i)],
                                           p.isSet("json") || jsonl, &failedWrites);
          entries.push_back(r);
          if (!jsonl && !p.isSet("json")) {
            std::cout << pathText(chunk[i]) << '\t' << g.text;
            if (checker) std::cout << "\titm=" << checks[k].best().score.itm << "\titc=" << checks[k].best().score.itc;
            std::cout << '\n';
          }
        }
        ++k;
      }
      for (auto& r : entries) {
        if (jsonl) std::cout << r.dump() << '\n';
        results.push_back(std::move(r));
      }
    }
    if (!p.isSet("json")) std::cout.flush();
  }
  if (total == 0) throw UsageError("no IMAGE given (stdin held no file names)");
  if (p.isSet("json")) print({{"results", results}});
  if (failedWrites > 0)
    std::cerr << "error: " << failedWrites << (failedWrites == 1 ? " caption write" : " caption writes")
              << " failed (see above); those files are as they were\n";
  if (failed > 0)
    throw ImageError(std::to_string(failed) + " of " + std::to_string(total) + (total == 1 ? " image" : " images") +
                     " could not be read; the others were captioned");
  if (failedWrites > 0) return kImageError;
  return kOk;
}

int runMatch(const QStringList& args) {
  Options o;
  o.addDocumented("match");
  o.parse(args);
  auto& p = o.parser;
  const QStringList images = p.positionalArguments();
  const QStringList texts = p.values("text");
  if (images.isEmpty()) throw UsageError("no IMAGE given");
  if (texts.isEmpty()) throw UsageError("--text TEXT is required");
  auto model = loadModel(p, glimpse::Task::Search);
  std::vector<std::string> t;
  for (const QString& s : texts) t.push_back(s.toStdString());
  json results = json::array();
  for (qsizetype start = 0; start < images.size(); start += kChunk) {
    const QStringList chunk = images.mid(start, kChunk);
    const auto pixels = loadImages(model->processor(), chunk, p);
    const auto scores = runModel([&] { return model->match(pixels, t); });
    for (qsizetype i = 0; i < chunk.size(); ++i)
      for (size_t k = 0; k < t.size(); ++k)
        results.push_back({{"image", chunk[i].toStdString()},
                           {"text", t[k]},
                           {"itm", scores[static_cast<size_t>(i)][k].itm},
                           {"itc", scores[static_cast<size_t>(i)][k].itc}});
  }
  if (p.isSet("json")) {
    print({{"results", results}});
  } else {
    for (const auto& r : results)
      std::cout << pathText(r["image"].get<std::string>()) << '\t' << r["text"].get<std::string>()
                << "\titm=" << r["itm"].get<float>() << "\titc=" << r["itc"].get<float>() << '\n';
  }
  return kOk;
}

int runEmbed(const QStringList& args) {
  Options o;
  o.addDocumented("embed");
  o.parse(args);
  auto& p = o.parser;
  // --image / --text switch the kind of every positional input (and take the first one).
  QStringList inputs = p.positionalArguments();
  const bool images = p.isSet("image"), texts = p.isSet("text");
  if (images == texts) throw UsageError("give either --image IMAGE... or --text TEXT...");
  if (inputs.isEmpty()) throw UsageError("nothing to embed");
  auto model = loadModel(p, glimpse::Task::Search);
  std::vector<std::vector<float>> vectors;
  if (images) {
    for (qsizetype start = 0; start < inputs.size(); start += kChunk) {
      const auto pixels = loadImages(model->processor(), inputs.mid(start, kChunk), p);
      const auto part = runModel([&] { return model->embed_images(pixels); });
      vectors.insert(vectors.end(), part.begin(), part.end());
    }
  } else {
    std::vector<std::string> t;
    for (const QString& s : inputs) t.push_back(s.toStdString());
    vectors = runModel([&] { return model->embed_texts(t); });
  }
  json results = json::array();
  for (qsizetype i = 0; i < inputs.size(); ++i)
    results.push_back({{"input", inputs[i].toStdString()}, {"embedding", vectors[static_cast<size_t>(i)]}});
  if (p.isSet("json")) {
    print({{"results", results}});
  } else {
    for (qsizetype i = 0; i < inputs.size(); ++i) {
      std::cout << pathText(inputs[i]);
      for (float v : vectors[static_cast<size_t>(i)]) std::cout << ' ' << v;
      std::cout << '\n';
    }
  }
  return kOk;
}

int runTokenize(const QStringList& args) {
  Options o;
  o.addDocumented("tokenize");
  o.parse(args);
  auto& p = o.parser;
  if (p.isSet("model") && isMarianFolder(p.value("model"))) return runMarianTokenize(args);
  const QStringList texts = p.positionalArguments();
  if (texts.isEmpty()) throw UsageError("no TEXT given");
  std::optional<glimpse::blip::BertTokenizer> tok;
  try {
    tok = glimpse::blip::BertTokenizer::from_folder(modelFolder(p, std::nullopt).toStdString());
  } catch (const BlipError& e) {
    throw ModelError(e.what());
  }
  json results = json::array();
  for (const QString& t : texts)
    results.push_back({{"text", t.toStdString()}, {"input_ids", tok->encode(t.toStdString())}});
  return printTokenIds(results, p.isSet("json"));
}

int runPreprocess(const QStringList& args) {
  Options o;
  o.addDocumented("preprocess");
  o.parse(args);
  auto& p = o.parser;
  if (!p.isSet("out")) throw UsageError("--out FILE is required");
  const QStringList images = p.positionalArguments();
  if (images.size() != 1) throw UsageError("preprocess takes exactly one IMAGE");
  glimpse::blip::BlipImageProcessorConfig pc;
  try {
    pc = glimpse::blip::load_image_processor_config(std::filesystem::path(modelFolder(p, std::nullopt).toStdString()) /
                                                    "preprocessor_config.json");
  } catch (const BlipError& e) {
    throw ModelError(e.what());
  }
  const auto pixels = loadImages(glimpse::blip::BlipImageProcessor(pc), images, p).front();
  const QByteArray bytes(reinterpret_cast<const char*>(pixels.data()),
                         static_cast<qsizetype>(pixels.size() * sizeof(float)));
  if (p.value("out") == QLatin1String("-")) {
    std::cout.write(bytes.constData(), bytes.size());  // checked with the rest of stdout at exit
    return kOk;
  }
  // A regular file is replaced atomically (a failed write leaves the old one); a FIFO or device
  // is written in place, never replaced.
  glimpse::io::writeFile(p.value("out"), bytes);
  return kOk;
}

// Messages of Qt and the image libraries it drives (libpng, libtiff warnings): shown as they
// come with --verbose, else kept and printed after the error line if the command fails, so they
// never stand before it or clutter a successful run.
std::mutex g_messagesMutex;
QStringList g_messages;
bool g_verbose = false;

void messageHandler(QtMsgType type, const QMessageLogContext&, const QString& msg) {
  std::lock_guard lock(g_messagesMutex);
  if (g_verbose || type == QtFatalMsg) {
    std::cerr << (type == QtFatalMsg ? "fatal: " : "note: ") << msg.toStdString() << '\n';
  } else if (g_messages.size() < 10 && !g_messages.contains(msg)) {
    g_messages << msg;
  }
}

}  // namespace

namespace glimpse::cli {

QuietStderr::QuietStderr() {
  if (g_verbose) return;
  std::fflush(stderr);
  m_capture = ::memfd_create("glimpse-stderr", MFD_CLOEXEC);
  m_saved = m_capture >= 0 ? ::dup(STDERR_FILENO) : -1;
  if (m_saved < 0 || ::dup2(m_capture, STDERR_FILENO) < 0) {
    if (m_capture >= 0) ::close(m_capture);
    if (m_saved >= 0) ::close(m_saved);
    m_capture = m_saved = -1;
  }
}

QuietStderr::~QuietStderr() {
  if (m_capture < 0) return;
  std::fflush(stderr);
  ::dup2(m_saved, STDERR_FILENO);
  ::close(m_saved);
  QByteArray text;
  char buf[4096];
  for (off_t at = 0;;) {
    const ssize_t n = ::pread(m_capture, buf, sizeof buf, at);
    if (n <= 0 || text.size() > (1 << 16)) break;
    text.append(buf, n);
    at += n;
  }
  ::close(m_capture);
  std::lock_guard lock(g_messagesMutex);
  for (const QByteArray& line : text.split('\n'))
    if (!line.trimmed().isEmpty() && g_messages.size() < 10 && !g_messages.contains(QString::fromLocal8Bit(line)))
      g_messages << QString::fromLocal8Bit(line);
}

}  // namespace glimpse::cli

namespace {

int failWith(const char* what, int code) {
  std::cerr << "error: " << pathText(std::string(what)) << "\n";
  std::lock_guard lock(g_messagesMutex);
  for (const QString& m : g_messages) std::cerr << "note: " << m.toStdString() << '\n';
  return code;
}

// stdout is buffered: a full disk or a closed pipe shows only when it is flushed. A failed write is
// an error, never exit 0 with the output lost.
int finishStdout(int code) {
  errno = 0;
  std::cout.flush();
  const bool flushed = std::fflush(stdout) == 0;
  const int err = errno;  // of the first failed write
  if (flushed && !std::ferror(stdout) && std::cout.good()) return code;
  const std::string why = err != 0 ? glimpse::io::errnoMessage(err).toStdString() : std::string("write error");
  return failWith(("cannot write the output: " + why).c_str(), code == kOk ? kError : code);
}

// What an allocation failure outside the finer handlers is: the error of the command's kind.
int outOfMemoryCode(const QString& command) {
  for (const char* c : {"index", "search", "similar", "library"})
    if (command == QLatin1String(c)) return kLibraryError;
  return kModelError;
}

// The commands and their runners; each has its entry in help.cpp's table (options, --help, man page).
struct Command {
  const char* name;
  int (*run)(const QStringList& args);
};
const Command kCommands[] = {
    {"caption", [](const QStringList& a) { return runGenerate(a, false); }},
    {"ask", [](const QStringList& a) { return runGenerate(a, true); }},
    {"match", runMatch},
    {"embed", runEmbed},
    {"tokenize", runTokenize},
    {"translate", runTranslate},
    {"preprocess", runPreprocess},
    {"index", runIndex},
    {"search", runSearch},
    {"similar", runSimilar},
    {"library", runLibrary},
    {"models", runModels},
};

// --version: the program's line, without loading libtorch (scripts ask it often). With --verbose,
// also what the engine runs on here (for bug reports and benchmarks): that loads the engine module
// (libtorch) to ask it, and a module that cannot be loaded is an error after the program's line.
int printVersion(bool engineToo) {
  std::cout << "glimpse-cli " << GLIMPSE_VERSION << " (Glimpse)\n";
  if (!engineToo) return kOk;
  glimpse::blip::BlasInfo blas;
  glimpse::blip::EngineInfo engine;
  try {
    glimpse::blip::load_engine();
    blas = glimpse::blip::blas_backend();
    engine = glimpse::blip::engine_info();
  } catch (const glimpse::blip::BlipError& e) {
    std::cout.flush();
    return failWith(e.what(), kModelError);
  }
  std::string features;
  for (const auto& f : engine.cpu_features) features += (features.empty() ? "" : " ") + f;
  std::cout << "BLAS: " << blas.name << (blas.path.empty() ? "" : " (" + blas.path + ")")
            << (blas.fast ? "" : "; slow, install libopenblas0-openmp") << '\n'
            << "oneDNN: " << (engine.onednn.empty() ? "not built in" : engine.onednn) << '\n'
            << "CPU kernels: " << (engine.cpu_capability.empty() ? "unknown" : engine.cpu_capability) << '\n'
            << "CPU features: " << (features.empty() ? "none of avx2, avx512" : features) << '\n'
            << "OpenMP waiting: " << engine.openmp_wait << '\n';
  std::cout << "precisions:";
  for (auto mode :
       {glimpse::blip::Precision::Float32, glimpse::blip::Precision::BFloat16, glimpse::blip::Precision::Int8}) {
    const std::string problem = glimpse::blip::precision_problem(mode);
    std::cout << ' ' << glimpse::blip::precision_name(mode) << (problem.empty() ? "" : " (slow here)");
  }
  std::cout << '\n';
  return kOk;
}

int runCommand(const QString& command, QStringList args) {
  try {
    int threads = 0;
    if (int i = static_cast<int>(args.indexOf("--threads")); i > 0 && i + 1 < args.size())
      threads = toIntIn(args[i + 1], "threads", 1, kMaxThreads);
    // Kept until a command loads the engine (loadEngine); others never load libtorch.
    glimpse::blip::init_torch_threads(threads);
    for (const auto& c : kCommands)
      if (command == QLatin1String(c.name)) return c.run(args);
    throw UsageError("unknown command '" + command.toStdString() + "' (try --help)");
  } catch (const UsageError& e) {
    return failWith(e.what(), kUsage);
  } catch (const ModelError& e) {
    return failWith(e.what(), kModelError);
  } catch (const ImageError& e) {
    return failWith(e.what(), kImageError);
  } catch (const glimpse::library::LibraryError& e) {
    return failWith(e.what(), kLibraryError);
  } catch (const std::exception& e) {
    // libtorch's allocator reports its failures as c10::Error with a C++ backtrace: the same case
    // as std::bad_alloc (errors.h: is_out_of_memory).
    if (glimpse::blip::is_out_of_memory(e)) return failWith("out of memory", outOfMemoryCode(command));
    return failWith(e.what(), kError);
  }
}

}  // namespace

// The program itself; main adds only how it ends.
int run(int argc, char** argv) {
  // Before any thread starts and before the engine loads libgomp (blip.h).
  glimpse::blip::set_openmp_defaults();
  qInstallMessageHandler(messageHandler);
  QCoreApplication app(argc, argv);
  QCoreApplication::setApplicationName(QStringLiteral("glimpse-cli"));
  // The app's library may still be in the folder earlier versions used (desktop/paths.h).
  for (const QString& problem : glimpse::desktop::migrateDoubledFolders()) qWarning("%s", qPrintable(problem));
  // Arguments decoded as file names are (QCoreApplication::arguments() loses bytes that are not
  // UTF-8, so such a file could not be named).
  QStringList args;
  for (int i = 0; i < argc; ++i) args << glimpse::io::decodePath(QByteArray(argv[i]));
  g_verbose = args.removeAll(QStringLiteral("--verbose")) > 0;
  // The engine's performance warning takes the path of the other messages: shown with --verbose,
  // else after the error line of a failed command, never before it.
  glimpse::blip::set_engine_warning_sink([](const std::string& w) { qWarning("%s", w.c_str()); });
  glimpse::blip::set_measurement_cache_file(QFile::encodeName(glimpse::desktop::engineMeasurementFile()).toStdString());
  namespace help = glimpse::cli::help;
  if (args.size() < 2 || args[1] == "--help" || args[1] == "-h" || args[1] == "help") {
    // "help COMMAND" is COMMAND --help.
    const help::CommandDoc* doc = args.size() > 2 ? help::findCommand(args[2].toStdString()) : nullptr;
    std::cout << (doc ? help::commandHelp(*doc) : help::usageText());
    return finishStdout(args.size() < 2 ? kUsage : kOk);
  }
  if (args[1] == "--version" || args[1] == "-V") {
    return finishStdout(printVersion(g_verbose));
  }
  const QString command = args[1];
  // COMMAND --help: that command's options (before a "--" that ends options).
  const qsizetype dashes = args.indexOf(QStringLiteral("--"));
  const QStringList options = dashes < 0 ? args : args.mid(0, dashes);
  if (options.contains(QStringLiteral("--help")) || options.contains(QStringLiteral("-h"))) {
    const help::CommandDoc* doc = help::findCommand(command.toStdString());
    if (!doc) return failWith(("unknown command '" + command.toStdString() + "' (try --help)").c_str(), kUsage);
    std::cout << help::commandHelp(*doc);
    return finishStdout(kOk);
  }
  args.removeAt(1);  // QCommandLineParser expects argv[0] first
  return finishStdout(runCommand(command, args));
}

int main(int argc, char** argv) {
  const int code = run(argc, argv);
  // The command is done and its objects are gone: the output flushed and checked, files written
  // and closed, the library database closed. What would run now are the libraries' static
  // destructors, and libtorch's take apart its operator registry entry by entry: 55-65 ms of every
  // command that loaded a model (docs/performance.md). Sanitizer builds end normally, for their
  // leak and race reports.
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
  if (glimpse::blip::engine_loaded()) {
    std::fflush(nullptr);
    std::_Exit(code);
  }
#endif
  return code;
}
