// glimpse-cli: BLIP captioning, VQA, matching and embeddings from the command line, over the same
// engine as the desktop app. Results go to stdout (plain lines, or one JSON object with --json);
// errors go to stderr as "error: ..." with a distinct exit code, and nothing is half-written.
#include <QCoreApplication>
#include <QFile>
#include <cstdio>
#include <optional>

#include "cli_common.h"
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
    "  preprocess  --model DIR --out FILE IMAGE   (raw little-endian float32, C order (3,H,W))\n"
    "  index       --library DB --model DIR [--exclude GLOB ...] [--include-hidden] [--json] FOLDER...\n"
    "  search      --library DB --model DIR [--limit N] [--rerank K] [--min-score X] [--folder DIR]\n"
    "              [--after DATE] [--before DATE] [--json] QUERY\n"
    "  similar     --library DB [--model DIR] [--limit N] [--json] IMAGE\n"
    "  library     --library DB [--model DIR] [--json] (status | folders | forget FOLDER)\n"
    "  models      [--json] (list | download NAME [--revision REV] [--files PATTERN ...] | import DIR [--name NAME]\n"
    "              | verify DIR|NAME | convert DIR|NAME | remove NAME)\n"
    "\n"
    "generation options (Hugging Face generate() semantics and defaults):\n"
    "  --beams N  --max-length N  --min-length N  --max-new-tokens N  --repetition-penalty X\n"
    "  --no-repeat-ngram-size N  --length-penalty X  --early-stopping  --num-return-sequences N\n"
    "  --sample [--top-p X] [--top-k N] [--temperature X] [--seed N]\n"
    "\n"
    "common options: --threads N, --ignore-exif-orientation (use stored pixel order, as a plain\n"
    "Hugging Face call does), --precision fp32|bf16|int8 (numeric mode: fp32, the default, matches\n"
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
  if (p.isSet("beams")) c.num_beams = toInt(p.value("beams"), "beams");
  if (p.isSet("max-length")) c.max_length = toInt(p.value("max-length"), "max-length");
  if (p.isSet("min-length")) c.min_length = toInt(p.value("min-length"), "min-length");
  if (p.isSet("max-new-tokens")) c.max_new_tokens = toInt(p.value("max-new-tokens"), "max-new-tokens");
  if (p.isSet("repetition-penalty")) c.repetition_penalty = toDouble(p.value("repetition-penalty"), "repetition-penalty");
  if (p.isSet("no-repeat-ngram-size")) c.no_repeat_ngram_size = toInt(p.value("no-repeat-ngram-size"), "no-repeat-ngram-size");
  if (p.isSet("length-penalty")) c.length_penalty = toDouble(p.value("length-penalty"), "length-penalty");
  if (p.isSet("early-stopping")) c.early_stopping = true;
  if (p.isSet("num-return-sequences")) c.num_return_sequences = toInt(p.value("num-return-sequences"), "num-return-sequences");
  const bool samplingOpt = p.isSet("top-p") || p.isSet("top-k") || p.isSet("temperature") || p.isSet("seed");
  if (samplingOpt && !p.isSet("sample")) throw UsageError("--top-p, --top-k, --temperature and --seed need --sample");
  if (p.isSet("sample")) {
    c.do_sample = true;
    if (p.isSet("top-p")) c.top_p = toDouble(p.value("top-p"), "top-p");
    if (p.isSet("top-k")) c.top_k = toInt(p.value("top-k"), "top-k");
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
  for (const QString& path : paths) {
    try {
      out.push_back(processor.preprocess(glimpse::imaging::decodeImageFile(path, decodeOptions(p)).rgb));
    } catch (const glimpse::imaging::ImageDecodeError& e) {
      throw ImageError(e.what());
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
    std::vector<std::vector<glimpse::blip::GeneratedText>> out;
    try {
      if (ask) {
        out = model->answer(glimpse::blip::image_inputs(pixels), {p.value("question").toStdString()}, gc);
      } else {
        std::vector<std::string> prompts;
        if (p.isSet("prompt")) prompts.push_back(p.value("prompt").toStdString());
        out = model->caption(glimpse::blip::image_inputs(pixels), prompts, gc);
      }
    } catch (const BlipError& e) {
      throw ModelError(e.what());
    }
    for (qsizetype i = 0; i < chunk.size(); ++i) {
      for (const auto& g : out[static_cast<size_t>(i)]) {
        json r = {{"image", chunk[i].toStdString()}, {"text", g.text}, {"token_ids", g.token_ids}};
        if (gc.num_beams > 1) r["score"] = g.score;
        results.push_back(r);
        lines.push_back(chunk[i].toStdString() + "\t" + g.text);
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
    std::vector<std::vector<glimpse::blip::MatchScore>> scores;
    try {
      scores = model->match(pixels, t);
    } catch (const BlipError& e) {
      throw ModelError(e.what());
    }
    for (qsizetype i = 0; i < chunk.size(); ++i)
      for (size_t k = 0; k < t.size(); ++k)
        results.push_back({{"image", chunk[i].toStdString()}, {"text", t[k]},
                           {"itm", scores[static_cast<size_t>(i)][k].itm}, {"itc", scores[static_cast<size_t>(i)][k].itc}});
  }
  if (p.isSet("json")) {
    print({{"results", results}});
  } else {
    for (const auto& r : results)
      std::cout << r["image"].get<std::string>() << '\t' << r["text"].get<std::string>() << "\titm=" << r["itm"].get<float>()
                << "\titc=" << r["itc"].get<float>() << '\n';
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
  try {
    if (images) {
      for (qsizetype start = 0; start < inputs.size(); start += kChunk) {
        auto part = model->embed_images(loadImages(model->processor(), inputs.mid(start, kChunk), p));
        vectors.insert(vectors.end(), part.begin(), part.end());
      }
    } else {
      std::vector<std::string> t;
      for (const QString& s : inputs) t.push_back(s.toStdString());
      vectors = model->embed_texts(t);
    }
  } catch (const BlipError& e) {
    throw ModelError(e.what());
  }
  json results = json::array();
  for (qsizetype i = 0; i < inputs.size(); ++i)
    results.push_back({{"input", inputs[i].toStdString()}, {"embedding", vectors[static_cast<size_t>(i)]}});
  if (p.isSet("json")) {
    print({{"results", results}});
  } else {
    for (qsizetype i = 0; i < inputs.size(); ++i) {
      std::cout << inputs[i].toStdString();
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
  for (const QString& t : texts) results.push_back({{"text", t.toStdString()}, {"input_ids", tok->encode(t.toStdString())}});
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
    pc = glimpse::blip::load_image_processor_config(std::filesystem::path(p.value("model").toStdString()) / "preprocessor_config.json");
  } catch (const BlipError& e) {
    throw ModelError(e.what());
  }
  const auto pixels = loadImages(glimpse::blip::BlipImageProcessor(pc), images, p).front();
  // Written to a temporary name and renamed, so a failed write leaves no partial file.
  QFile out(p.value("out") + ".part");
  if (!out.open(QIODevice::WriteOnly | QIODevice::Truncate))
    throw std::runtime_error("cannot write " + p.value("out").toStdString() + ": " + out.errorString().toStdString());
  const qint64 bytes = static_cast<qint64>(pixels.size() * sizeof(float));
  if (out.write(reinterpret_cast<const char*>(pixels.data()), bytes) != bytes || !out.flush()) {
    out.remove();
    throw std::runtime_error("cannot write " + p.value("out").toStdString() + ": " + out.errorString().toStdString());
  }
  out.close();
  QFile::remove(p.value("out"));
  if (!QFile::rename(p.value("out") + ".part", p.value("out")))
    throw std::runtime_error("cannot write " + p.value("out").toStdString());
  return kOk;
}

}  // namespace

int main(int argc, char** argv) {
  QCoreApplication app(argc, argv);
  QCoreApplication::setApplicationName(QStringLiteral("glimpse-cli"));
  QStringList args = QCoreApplication::arguments();
  if (args.size() < 2 || args[1] == "--help" || args[1] == "-h" || args[1] == "help") {
    std::cout << kUsageText;
    return args.size() < 2 ? kUsage : kOk;
  }
  const QString command = args[1];
  args.removeAt(1);  // QCommandLineParser expects argv[0] first
  try {
    int threads = 0;
    if (int i = static_cast<int>(args.indexOf("--threads")); i > 0 && i + 1 < args.size()) threads = toInt(args[i + 1], "threads");
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
    std::cerr << "error: " << e.what() << "\n";
    return kUsage;
  } catch (const ModelError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return kModelError;
  } catch (const ImageError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return kImageError;
  } catch (const glimpse::library::LibraryError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return kLibraryError;
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return kError;
  }
}
