#pragma once
// Shared pieces of glimpse-cli's commands: exit codes, error kinds, option parsing helpers.
#include <QCommandLineParser>
#include <QStringList>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>

#include "blip.h"
#include "captions/selfcheck.h"
#include "errors.h"
#include "help.h"
#include "imaging/captionwriter.h"
#include "imaging/imagedecoder.h"
#include "io/files.h"
#include "settings/task.h"

namespace glimpse::marian {
class MarianModel;
}

namespace glimpse::cli {

enum ExitCode {
  kOk = 0,
  kError = 1,
  kUsage = 2,
  kModelError = 3,
  kImageError = 4,
  kLibraryError = 5,
  kCancelled = 130
};

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
struct ModelError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
struct ImageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Options {
  QCommandLineParser parser;
  void add(const QString& name, const QString& value = {}) {
    parser.addOption(value.isEmpty() ? QCommandLineOption(name) : QCommandLineOption(name, QString(), value));
  }
  // Every option the command's help documents (help.cpp): what is accepted is what --help says.
  void addDocumented(const char* command) {
    const help::CommandDoc* doc = help::findCommand(command);
    if (!doc) throw std::logic_error(std::string("no help for command ") + command);
    for (const auto& o : doc->options) add(QString::fromStdString(o.name), QString::fromStdString(o.arg));
  }
  void parse(const QStringList& args) {
    if (!parser.parse(args)) throw UsageError(parser.errorText().toStdString());
  }
};

inline int toInt(const QString& s, const char* what) {
  bool ok = false;
  const int v = s.toInt(&ok);
  if (!ok) throw UsageError(std::string("--") + what + " needs an integer, got '" + s.toStdString() + "'");
  return v;
}

// An integer option within [lo, hi]: values outside are a usage error naming the range, before
// anything is allocated for them.
inline int toIntIn(const QString& s, const char* what, int lo, int hi) {
  bool ok = false;
  const qint64 v = s.toLongLong(&ok);
  if (!ok) throw UsageError(std::string("--") + what + " needs an integer, got '" + s.toStdString() + "'");
  if (v < lo || v > hi)
    throw UsageError(std::string("--") + what + " must be between " + std::to_string(lo) + " and " +
                     std::to_string(hi) + ", got " + s.toStdString());
  return static_cast<int>(v);
}

// Option ranges (docs/security.md says why each is where it is).
constexpr int kMaxThreads = 512;
constexpr int kMaxBeams = 64;
constexpr int kMaxTokens = 512;  // BLIP's text models have 512 positions
constexpr int kMaxResults = 10000;
constexpr int kMaxRerank = 1000;
constexpr int kMaxBatch = 64;

inline double toDouble(const QString& s, const char* what) {
  bool ok = false;
  const double v = s.toDouble(&ok);
  if (!ok) throw UsageError(std::string("--") + what + " needs a number, got '" + s.toStdString() + "'");
  return v;
}

// The model folder a command runs (resolve.cpp): --model as a folder, or the name of an installed
// model (models list); without --model, the desktop app's model for `task`, else the first
// installed model that can do it (any usable one when `task` is empty). Usage error (exit 2) for a
// name that is not installed, or when there is no model, naming the installed ones. `option` names
// another option of the same kind (--check-model, --ask-model).
QString modelFolder(const QCommandLineParser& p, std::optional<Task> task, const char* option = "model");
// Loads the engine module (libtorch) unless it is loaded, and warns once on standard error when its
// BLAS is slow. Commands that need no model never call it: --help, library status, models list
// run without libtorch. ModelError when the module cannot be loaded.
void loadEngine();
// Loads modelFolder(p, task, option) with --precision.
std::unique_ptr<blip::BlipModel> loadModel(const QCommandLineParser& p, std::optional<Task> task,
                                           const char* option = "model");
// A folder, or the name of an installed model, as --model takes it.
QString namedModelFolder(const QString& value);
// caption --self-check, library caption --self-check: the retrieval model that scores captions
// (--check-model, else `captioner` itself when it has a retrieval head; usage error otherwise)
// and the options. `owned` holds a model loaded for it.
const blip::BlipModel* selfCheckModel(const QCommandLineParser& p, const blip::BlipModel& captioner,
                                      std::unique_ptr<blip::BlipModel>* owned);
captions::SelfCheckOptions selfCheckOptions(const QCommandLineParser& p);
// One result's self-check fields: "itm", "itc", "self_check" {"degenerate", "regenerated"} and
// "candidates" [{"text", "strategy", "itm", "itc", "degenerate"}].
void addSelfCheck(nlohmann::json& result, const captions::SelfCheckResult& check);

// The library file: --library, else the desktop app's (glimpse::defaultLibraryFile()).
QString libraryFile(const QCommandLineParser& p);

// Runs a model call: its failures, allocation failures included, are model errors (exit 3).
template <class F>
auto runModel(F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const blip::BlipError& e) {
    throw ModelError(e.what());
  } catch (const std::exception& e) {
    if (!blip::is_out_of_memory(e)) throw;
    throw ModelError("not enough memory for the model to run on this input");
  }
}

inline void print(const nlohmann::json& j) {
  std::cout << j.dump() << '\n';
}

// Text for the terminal with file names as their bytes: a name that is not UTF-8 prints as it is
// on disk (as ls prints it), not as the private-use characters that stand for its bytes
// (io::decodePath). JSON keeps those characters, as JSON must be UTF-8.
inline std::string pathText(const QString& text) {
  return io::encodePath(text).toStdString();
}
inline std::string pathText(const std::string& utf8) {
  return pathText(QString::fromStdString(utf8));
}

// While alive, what C libraries write to stderr themselves (libpng's "libpng error: ..." bypasses
// Qt's message handler) is captured instead of standing before the "error:" line; it is printed
// after that line if the command fails, or at once with --verbose (main.cpp).
class QuietStderr {
 public:
  QuietStderr();
  ~QuietStderr();
  QuietStderr(const QuietStderr&) = delete;
  QuietStderr& operator=(const QuietStderr&) = delete;
  // The real stderr while it is captured (for the command's own progress lines), else stderr.
  int terminalFd() const { return m_saved >= 0 ? m_saved : 2; }

 private:
  int m_saved = -1;
  int m_capture = -1;
};

// Where --write puts captions (caption_writes.cpp).
struct WriteRequest {
  std::vector<imaging::CaptionTarget> targets;
  bool overwrite = false;
};
WriteRequest writeRequest(const QCommandLineParser& p);
// Writes one photo's caption; returns its "written" JSON array and tells stderr what was not
// written (notes only unless `quietNotes`); counts failed targets in *failures.
nlohmann::json writeCaptionFor(const QString& image, const std::string& caption, const WriteRequest& w,
                               const std::optional<imaging::FileState>& before, bool quietNotes, int* failures,
                               std::vector<imaging::TargetResult>* results = nullptr);
blip::GenerationConfig generationConfig(const QCommandLineParser& p);
// `tokenize`'s output: {"results": [{"text", "input_ids"}]} with --json, else the ids a line per text.
int printTokenIds(const nlohmann::json& results, bool asJson);
// The options given, over `base` (a model folder's own generation defaults).
blip::GenerationConfig generationConfig(const QCommandLineParser& p, blip::GenerationConfig base);
// translate_commands.cpp: Marian (OPUS-MT) folders.
bool isMarianFolder(const QString& dir);
int runTranslate(const QStringList& args);
// search and ask: the English of queries and questions under --translate-model and
// --query-language. The model is loaded on the first text that needs it and serves the others.
class QueryTranslator {
 public:
  explicit QueryTranslator(const QCommandLineParser& p);
  ~QueryTranslator();
  // nullopt when `text` is used as typed (English, or no --translate-model: then a text that
  // does not look English gets a warning on stderr).
  std::optional<QString> toEnglish(const QString& text);
  // The language `text` is in under --query-language (auto: detected).
  QString languageOf(const QString& text) const;

 private:
  const QCommandLineParser& m_p;
  std::unique_ptr<marian::MarianModel> m_model;
};
int runMarianTokenize(const QStringList& args);

// Library commands (library_commands.cpp).
int runIndex(const QStringList& args);
int runSearch(const QStringList& args);
int runSimilar(const QStringList& args);
int runLibrary(const QStringList& args);
int runModels(const QStringList& args);

}  // namespace glimpse::cli
