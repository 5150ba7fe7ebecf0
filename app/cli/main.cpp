// glimpse-cli: BLIP captioning, VQA, matching and embeddings from the command line, over the same
// engine as the desktop app. Results go to stdout (plain lines, or one JSON object with --json);
// errors go to stderr as "error: ..." with a distinct exit code, and nothing is half-written.
#include <sys/mman.h>
#include <unistd.h>
#include <QCoreApplication>
#include <QFile>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <optional>

#include "cli_common.h"
#include "io/files.h"
#include "library/librarydatabase.h"

namespace {

using glimpse::blip::BlipError;
using namespace glimpse::cli;
using nlohmann::json;

const char* kUsageText =
    "usage: glimpse-cli COMMAND [options]\n"
    "\n"
    "commands:\n"
    "  caption     --model DIR [--prompt TEXT] [generation options] [--json] IMAGE...\n"
    "  ask         --model DIR --question TEXT [generation options] [--json] IMAGE\n"
    "  match       --model DIR --text TEXT [--text TEXT ...] [--json] IMAGE...\n"
    "  embed       --model DIR (--image IMAGE... | --text TEXT...) [--json]\n"
    "  tokenize    --model DIR [--json] [--] TEXT...\n"
    "  preprocess  --model DIR --out FILE|- IMAGE   (raw little-endian float32, C order (3,H,W); - for stdout)\n"
    "  index       --library DB --model DIR [--exclude GLOB ...] [--include-hidden] [--json] FOLDER...\n"
    "  search      --library DB --model DIR [--limit N] [--rerank K] [--min-score X] [--folder DIR]\n"
    "              [--after DATE] [--before DATE] [--json] QUERY\n"
    "  similar     --library DB [--model DIR] [--limit N] [--json] IMAGE\n"
    "  library     --library DB [--model DIR] [--json] (status | folders | forget FOLDER)\n"
    "  models      [--json] (list | download NAME [--revision REV] [--files PATTERN ...] | import DIR [--name NAME]\n"
    "              | verify DIR|NAME | convert DIR|NAME | remove NAME)\n"
    "\n"
    "generation options (Hugging Face generate() semantics and defaults):\n"
    "  --beams N (1-64)  --max-length N  --min-length N  --max-new-tokens N  --repetition-penalty X\n"
    "  --no-repeat-ngram-size N  --length-penalty X  --early-stopping  --num-return-sequences N\n"
    "  --sample [--top-p X] [--top-k N] [--temperature X] [--seed N]\n"
    "\n"
    "common options: --threads N (1-512), --verbose (show the messages of Qt and the image libraries),\n"
    "--ignore-exif-orientation (use stored pixel order, as a plain Hugging Face call does), --precision fp32|bf16|int8 "
    "(numeric mode: fp32, the default, matches\n"
    "Hugging Face exactly; bf16 and int8 are faster and close, see docs/performance.md), --help\n"
    "\n"
    "exit codes: 0 ok, 1 error, 2 usage, 3 model error, 4 image error, 5 library error, 130 cancelled\n";

void addGenerationOptions(Options& o) {
  for (const char* n : {"beams", "max-length", "min-length", "max-new-tokens", "no-repeat-ngram-size",
                        "num-return-sequences", "top-k", "seed"})
    o.add(n, "N");
  for (const char* n : {"repetition-penalty", "length-penalty", "top-p", "temperature"}) o.add(n, "X");
  o.add("early-stopping");
  o.add("sample");
}

glimpse::blip::GenerationConfig generationConfig(const QCommandLineParser& p) {
  glimpse::blip::GenerationConfig c = glimpse::blip::default_generation_config();
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

int runGenerate(const QStringList& args, bool ask) {
  Options o;
  o.addModelOptions();
  o.add(ask ? "question" : "prompt", "TEXT");
  o.add("json");
  o.add("threads", "N");
  o.add("ignore-exif-orientation");
  addGenerationOptions(o);
  o.parse(args);
  auto& p = o.parser;
  const QStringList images = p.positionalArguments();
  if (images.isEmpty()) throw UsageError("no IMAGE given");
  if (ask && !p.isSet("question")) throw UsageError("--question TEXT is required");
  if (ask && images.size() != 1) throw UsageError("ask takes exactly one IMAGE");
  const auto gc = generationConfig(p);
  auto model = loadModel(p);
  json results = json::array();
  std::vector<std::string> lines;
  for (qsizetype start = 0; start < images.size(); start += kChunk) {
    const QStringList chunk = images.mid(start, kChunk);
    const auto pixels = loadImages(model->processor(), chunk, p);
    const auto out = runModel([&] {
      if (ask) return model->answer(glimpse::blip::image_inputs(pixels), {p.value("question").toStdString()}, gc);
      std::vector<std::string> prompts;
      if (p.isSet("prompt")) prompts.push_back(p.value("prompt").toStdString());
      return model->caption(glimpse::blip::image_inputs(pixels), prompts, gc);
    });
    for (qsizetype i = 0; i < chunk.size(); ++i) {
      for (const auto& g : out[static_cast<size_t>(i)]) {
        json r = {{"image", chunk[i].toStdString()}, {"text", g.text}, {"token_ids", g.token_ids}};
        if (gc.num_beams > 1) r["score"] = g.score;
        results.push_back(r);
        lines.push_back(pathText(chunk[i]) + "\t" + g.text);
      }
    }
  }
  if (p.isSet("json")) {
    print({{"results", results}});
  } else {
    for (const auto& l : lines) std::cout << (ask ? l.substr(l.find('\t') + 1) : l) << '\n';
  }
  return kOk;
}

int runMatch(const QStringList& args) {
  Options o;
  o.addModelOptions();
  o.add("text", "TEXT");
  o.add("json");
  o.add("threads", "N");
  o.add("ignore-exif-orientation");
  o.parse(args);
  auto& p = o.parser;
  const QStringList images = p.positionalArguments();
  const QStringList texts = p.values("text");
  if (images.isEmpty()) throw UsageError("no IMAGE given");
  if (texts.isEmpty()) throw UsageError("--text TEXT is required");
  auto model = loadModel(p);
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
  o.addModelOptions();
  o.add("image");
  o.add("text");
  o.add("json");
  o.add("threads", "N");
  o.add("ignore-exif-orientation");
  o.parse(args);
  auto& p = o.parser;
  // --image / --text switch the kind of every positional input (and take the first one).
  QStringList inputs = p.positionalArguments();
  const bool images = p.isSet("image"), texts = p.isSet("text");
  if (images == texts) throw UsageError("give either --image IMAGE... or --text TEXT...");
  if (inputs.isEmpty()) throw UsageError("nothing to embed");
  auto model = loadModel(p);
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
  o.add("model", "DIR");
  o.add("json");
  o.parse(args);
  auto& p = o.parser;
  if (!p.isSet("model")) throw UsageError("--model DIR is required");
  const QStringList texts = p.positionalArguments();
  if (texts.isEmpty()) throw UsageError("no TEXT given");
  std::optional<glimpse::blip::BertTokenizer> tok;
  try {
    tok = glimpse::blip::BertTokenizer::from_folder(p.value("model").toStdString());
  } catch (const BlipError& e) {
    throw ModelError(e.what());
  }
  json results = json::array();
  for (const QString& t : texts)
    results.push_back({{"text", t.toStdString()}, {"input_ids", tok->encode(t.toStdString())}});
  if (p.isSet("json")) {
    print({{"results", results}});
  } else {
    for (const auto& r : results) {
      std::string line;
      for (int64_t id : r["input_ids"]) line += (line.empty() ? "" : " ") + std::to_string(id);
      std::cout << line << '\n';
    }
  }
  return kOk;
}

int runPreprocess(const QStringList& args) {
  Options o;
  o.add("model", "DIR");
  o.add("out", "FILE");
  o.add("ignore-exif-orientation");
  o.parse(args);
  auto& p = o.parser;
  if (!p.isSet("model")) throw UsageError("--model DIR is required");
  if (!p.isSet("out")) throw UsageError("--out FILE is required");
  const QStringList images = p.positionalArguments();
  if (images.size() != 1) throw UsageError("preprocess takes exactly one IMAGE");
  glimpse::blip::BlipImageProcessorConfig pc;
  try {
    pc = glimpse::blip::load_image_processor_config(std::filesystem::path(p.value("model").toStdString()) /
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

int runCommand(const QString& command, QStringList args) {
  try {
    int threads = 0;
    if (int i = static_cast<int>(args.indexOf("--threads")); i > 0 && i + 1 < args.size())
      threads = toIntIn(args[i + 1], "threads", 1, kMaxThreads);
    glimpse::blip::init_torch_threads(threads);
    const auto blas = glimpse::blip::blas_backend();
    if (!blas.fast)
      std::cerr << "warning: libtorch uses " << blas.name << " (" << blas.path
                << "); inference will be slow. Install libopenblas0-openmp (scripts/install-deps.sh).\n";
    if (command == "caption") return runGenerate(args, false);
    if (command == "ask") return runGenerate(args, true);
    if (command == "match") return runMatch(args);
    if (command == "embed") return runEmbed(args);
    if (command == "tokenize") return runTokenize(args);
    if (command == "preprocess") return runPreprocess(args);
    if (command == "index") return runIndex(args);
    if (command == "search") return runSearch(args);
    if (command == "similar") return runSimilar(args);
    if (command == "library") return runLibrary(args);
    if (command == "models") return runModels(args);
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

int main(int argc, char** argv) {
  qInstallMessageHandler(messageHandler);
  QCoreApplication app(argc, argv);
  QCoreApplication::setApplicationName(QStringLiteral("glimpse-cli"));
  // Arguments decoded as file names are (QCoreApplication::arguments() loses bytes that are not
  // UTF-8, so such a file could not be named).
  QStringList args;
  for (int i = 0; i < argc; ++i) args << glimpse::io::decodePath(QByteArray(argv[i]));
  g_verbose = args.removeAll(QStringLiteral("--verbose")) > 0;
  if (args.size() < 2 || args[1] == "--help" || args[1] == "-h" || args[1] == "help") {
    std::cout << kUsageText;
    return finishStdout(args.size() < 2 ? kUsage : kOk);
  }
  const QString command = args[1];
  args.removeAt(1);  // QCommandLineParser expects argv[0] first
  return finishStdout(runCommand(command, args));
}
