// glimpse-cli index / search / similar / library: the photo library from the command line.
#include <unistd.h>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <optional>

#include "cli_common.h"
#include "imaging/imagedecoder.h"
#include "library/duplicates.h"
#include "library/indexer.h"
#include "library/librarycaptioner.h"
#include "library/librarydatabase.h"
#include "library/resultasker.h"
#include "library/scanner.h"
#include "library/searcher.h"

namespace glimpse::cli {
namespace {

using library::LibraryError;
using nlohmann::json;

std::atomic<bool> g_cancel{false};

void onSignal(int) {
  g_cancel.store(true);
}

// Ctrl-C stops indexing cleanly after the current image: what is done stays saved.
struct CancelOnSignal {
  CancelOnSignal() {
    g_cancel.store(false);
    std::signal(SIGINT, onSignal);
    std::signal(SIGTERM, onSignal);
  }
  ~CancelOnSignal() {
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
  }
};

QString cleanFolder(const QString& path) {
  return QDir::cleanPath(QFileInfo(path).absoluteFilePath());
}

// Commands that only read open the library read-only: they work on a write-protected file and
// never create one.
std::shared_ptr<library::LibraryDatabase> openLibrary(
    const QCommandLineParser& p,
    library::LibraryDatabase::Access access = library::LibraryDatabase::Access::ReadWrite) {
  return std::make_shared<library::LibraryDatabase>(libraryFile(p), access);
}

constexpr auto kReadOnly = library::LibraryDatabase::Access::ReadOnly;

std::string duration(double seconds) {
  if (seconds < 0) return "?";
  const long s = static_cast<long>(seconds + 0.5);
  char buf[32];
  if (s >= 3600)
    std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
  else
    std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
  return buf;
}

json resultJson(const library::SearchResult& r) {
  json j = {{"path", r.path.toStdString()},
            {"score", r.score},
            {"itc", r.itc},
            {"itm", r.itm ? json(*r.itm) : json(nullptr)},
            {"itm_logit", r.itmLogit ? json(*r.itmLogit) : json(nullptr)},
            {"text_match", r.textMatch},
            {"offline", r.offline}};
  return j;
}

// `answers` (search --ask): one per result, in the same order.
// `head` (search): what was asked, printed before the results in JSON: "query" as typed and
// "translated_query", the English it was searched for (null when used as typed); with --ask also
// "question" and "translated_question".
void printResults(const QList<library::SearchResult>& results, bool asJson,
                  const std::vector<library::ResultAnswer>* answers = nullptr, json head = json::object()) {
  if (asJson) {
    json arr = json::array();
    for (qsizetype i = 0; i < results.size(); ++i) {
      json j = resultJson(results[i]);
      if (answers) {
        const auto& a = (*answers)[static_cast<size_t>(i)];
        if (a.error.isEmpty())
          j["answer"] = a.text.toStdString();
        else
          j["answer_error"] = a.error.toStdString();
      }
      arr.push_back(j);
    }
    head["results"] = arr;
    print(head);
    return;
  }
  for (qsizetype i = 0; i < results.size(); ++i) {
    const auto& r = results[i];
    char score[32];
    std::snprintf(score, sizeof score, "%.4f", r.score);
    std::cout << score << '\t' << pathText(r.path) << (r.offline ? "\t(offline)" : "");
    if (answers) std::cout << '\t' << (*answers)[static_cast<size_t>(i)].text.toStdString();
    std::cout << '\n';
  }
}

library::SearchOptions searchOptions(const QCommandLineParser& p) {
  library::SearchOptions o;
  if (p.isSet("limit")) o.limit = toIntIn(p.value("limit"), "limit", 1, kMaxResults);
  if (p.isSet("min-score")) o.minScore = toDouble(p.value("min-score"), "min-score");
  if (p.isSet("folder")) o.folder = cleanFolder(p.value("folder"));
  for (const char* name : {"after", "before"}) {
    if (!p.isSet(name)) continue;
    const auto t = library::parseDate(p.value(name));
    if (!t)
      throw UsageError(std::string("--") + name + " needs a date like 2024-06-30, got '" + p.value(name).toStdString() +
                       "'");
    (std::string(name) == "after" ? o.afterMs : o.beforeMs) = *t;
  }
  return o;
}

// FOLDER... of a library command: each must be a folder of the library (usage error otherwise).
QStringList libraryFolders(library::LibraryDatabase& db, const QStringList& args) {
  QStringList known;
  for (const auto& f : db.folders()) known << f.path;
  QStringList out;
  for (const QString& a : args) {
    const QString f = cleanFolder(a);
    if (!known.contains(f)) throw UsageError(pathText(f) + " is not a folder of this library");
    out << f;
  }
  return out;
}

// A progress line on stderr: a bar on a terminal, else a line every 2 s.
class ProgressLine {
 public:
  explicit ProgressLine(const char* verb) : m_verb(verb), m_tty(::isatty(STDERR_FILENO) != 0) { m_last.start(); }
  void show(int done, int total, double perSecond, double eta) {
    if (total == 0) return;
    const bool last = done == total;
    if (m_tty) {
      const int width = 30;
      const int filled = done * width / total;
      std::fprintf(stderr, "\r[%s%s] %d/%d  %.1f images/s  ETA %s   ", std::string(filled, '#').c_str(),
                   std::string(width - filled, ' ').c_str(), done, total, perSecond, duration(eta).c_str());
      if (last) std::fputc('\n', stderr);
    } else if (last || done == 0 || m_last.elapsed() > 2000) {
      std::fprintf(stderr, "%s %d/%d (%.1f%%), %.2f images/s, ETA %s\n", m_verb, done, total, 100.0 * done / total,
                   perSecond, duration(eta).c_str());
      m_last.restart();
    }
    std::fflush(stderr);
  }

 private:
  const char* m_verb;
  bool m_tty;
  QElapsedTimer m_last;
};

int runLibraryCaption(const QCommandLineParser& p, const QStringList& folderArgs) {
  auto db = openLibrary(p);
  const QStringList folders = libraryFolders(*db, folderArgs);
  library::CaptionRunOptions options;
  options.folders = folders;
  options.overwrite = p.isSet("overwrite");
  options.generation = generationConfig(p);
  if (p.isSet("prompt")) options.prompt = p.value("prompt");
  std::shared_ptr<const blip::BlipModel> model = loadModel(p, Task::Caption);
  if (!model->has_captioning())
    throw ModelError(
        "library caption needs a captioning model (BlipForConditionalGeneration), e.g. "
        "blip-image-captioning-base");
  options.selfCheck = selfCheckOptions(p);
  if (p.isSet("self-check")) {
    std::unique_ptr<blip::BlipModel> own;
    const blip::BlipModel* checker = selfCheckModel(p, *model, &own);
    options.checker = checker == model.get() ? model : std::shared_ptr<const blip::BlipModel>(std::move(own));
  }
  CancelOnSignal cancelOnSignal;
  library::LibraryCaptioner captioner(db, model, options);
  ProgressLine line("captioned");
  const library::CaptionRunReport r = runModel([&] {
    const QuietStderr quiet;  // decoders' own messages
    return captioner.run(
        [&](const library::CaptionProgress& pr) { line.show(pr.done, pr.total, pr.imagesPerSecond, pr.etaSeconds); },
        &g_cancel);
  });
  if (p.isSet("json")) {
    json failed = json::array();
    for (const auto& f : r.failed) failed.push_back({{"path", f.path.toStdString()}, {"error", f.error.toStdString()}});
    json out = {{"captioned", r.captioned}, {"skipped", r.skipped}, {"failed", failed}, {"seconds", r.seconds}};
    if (options.checker) out["regenerated"] = r.regenerated;
    print(out);
  } else {
    for (const auto& f : r.failed) std::cerr << "error: " << pathText(f.error) << '\n';
    std::cout << "captioned " << r.captioned << ", kept " << r.skipped << " existing, " << r.failed.size()
              << " could not be read";
    if (options.checker) std::cout << ", " << r.regenerated << " made again by the self-check";
    std::cout << '\n';
  }
  if (r.cancelled || g_cancel.load()) {
    std::cerr << "cancelled: captions so far are saved; run library caption again to continue\n";
    return kCancelled;
  }
  if (!r.failed.isEmpty())
    throw ImageError(std::to_string(r.failed.size()) + " photos could not be read; the others were captioned");
  return kOk;
}

// ---- export ----

// One CSV field (RFC 4180): quoted when it holds a comma, quote, CR or LF; quotes doubled.
std::string csvField(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + '"';
}

std::string exportCsv(const std::vector<library::CaptionRow>& rows) {
  std::string out = "path,caption,source,model,score\r\n";
  for (const auto& r : rows) {
    out += csvField(r.photo.path.toStdString()) + ',' + csvField(r.caption.text.toStdString()) + ',' +
           library::captionSourceKey(r.caption.source).toStdString() + ',' + csvField(r.caption.model.toStdString()) +
           ',' + (r.caption.score ? json(*r.caption.score).dump() : std::string()) + "\r\n";
  }
  return out;
}

std::string exportJsonl(const std::vector<library::CaptionRow>& rows) {
  std::string out;
  for (const auto& r : rows) {
    json j = {{"path", r.photo.path.toStdString()},
              {"caption", r.caption.text.toStdString()},
              {"source", library::captionSourceKey(r.caption.source).toStdString()},
              {"model", r.caption.model.toStdString()},
              {"score", r.caption.score ? json(*r.caption.score) : json(nullptr)}};
    if (!r.caption.origin.isEmpty()) j["origin"] = r.caption.origin.toStdString();
    if (r.caption.itm) j["itm"] = *r.caption.itm;
    if (r.caption.itc) j["itc"] = *r.caption.itc;
    out += j.dump() + '\n';
  }
  return out;
}

// --write: each photo's preferred caption into its files, no model run. A photo whose file no
// longer matches what the library read (edited or replaced since) is not written into.
int writeExported(const QCommandLineParser& p, library::LibraryDatabase& db,
                  const std::vector<library::CaptionRow>& rows, const WriteRequest& writes, bool printRows) {
  int failures = 0;
  int files = 0;
  json results = json::array();
  for (const auto& r : rows) {
    std::optional<imaging::FileState> expected = imaging::FileState{r.photo.size, r.photo.mtimeMs};
    json written;
    if (r.photo.changed || r.photo.status != library::PhotoStatus::Ok) {
      // Not read since it changed (or its folder is offline): the caption may not describe it.
      written = json::array();
      for (const auto t : writes.targets) {
        written.push_back({{"target", imaging::captionTargetKey(t).toStdString()},
                           {"file", imaging::plannedFile(r.photo.path, t).toStdString()},
                           {"outcome", "failed"},
                           {"error", r.photo.changed ? "the photo changed since it was indexed; run index first"
                                                     : "the photo is offline"}});
        ++failures;
      }
      std::cerr << "error: " << pathText(r.photo.path) << ": "
                << (r.photo.changed ? "changed since it was indexed; run index first" : "offline") << '\n';
    } else {
      std::vector<imaging::TargetResult> outcomes;
      written = writeCaptionFor(r.photo.path, r.caption.text.toStdString(), writes, expected,
                                p.isSet("json") || printRows, &failures, &outcomes);
      library::recordCaptionWrites(db, r.photo, outcomes);
    }
    for (const auto& w : written)
      if (w.value("outcome", "") == "written") ++files;
    if (p.isSet("json"))
      results.push_back(
          {{"path", r.photo.path.toStdString()}, {"caption", r.caption.text.toStdString()}, {"written", written}});
    else if (!printRows)
      for (const auto& w : written)
        std::cout << w.value("outcome", "") << '\t' << pathText(w.value("file", "")) << '\n';
  }
  if (p.isSet("json")) print({{"results", results}, {"files_written", files}, {"failed", failures}});
  if (failures > 0) {
    std::cerr << "error: " << failures << (failures == 1 ? " caption write" : " caption writes")
              << " failed (see above); those files are as they were\n";
    return kImageError;
  }
  return kOk;
}

int runLibraryExport(const QCommandLineParser& p, const QStringList& folderArgs) {
  const WriteRequest writes = writeRequest(p);
  if (!p.isSet("format") && writes.targets.empty())
    throw UsageError("library export needs --format csv|jsonl, --write TARGET, or both");
  const QString format = p.value("format");
  if (p.isSet("format") && format != QLatin1String("csv") && format != QLatin1String("jsonl"))
    throw UsageError("--format must be csv or jsonl, got '" + format.toStdString() + "'");
  if (p.isSet("format") && p.isSet("json") && (p.value("out").isEmpty() || p.value("out") == QLatin1String("-")))
    throw UsageError("--json and --format on stdout would mix; give --out FILE for the export");
  // Writing into photos records their new file state in the library.
  auto db = openLibrary(p, writes.targets.empty() ? kReadOnly : library::LibraryDatabase::Access::ReadWrite);
  // The rows: each photo below the folders with the caption that stands for it.
  const std::vector<library::CaptionRow> rows = db->preferredCaptions(libraryFolders(*db, folderArgs));
  const QString out = p.value("out");
  const bool toStdout = p.isSet("format") && (out.isEmpty() || out == QLatin1String("-"));
  if (p.isSet("format")) {
    const std::string text = format == QLatin1String("csv") ? exportCsv(rows) : exportJsonl(rows);
    if (toStdout) {
      std::cout << text;
    } else {
      try {
        io::writeFile(out, QByteArray::fromStdString(text));  // atomic for a regular file
      } catch (const io::FileError& e) {
        throw std::runtime_error(e.what());
      }
    }
  }
  if (!writes.targets.empty()) return writeExported(p, *db, rows, writes, toStdout);
  return kOk;
}

// duplicates: groups of near-duplicate photos (library/duplicates.h), read-only.
int runLibraryDuplicates(const QCommandLineParser& p) {
  double threshold = library::kDuplicateThreshold;
  if (p.isSet("threshold")) {
    threshold = toDouble(p.value("threshold"), "threshold");
    if (!(threshold >= -1.0 && threshold <= 1.0))
      throw UsageError("--threshold must be a cosine between -1 and 1, got '" + p.value("threshold").toStdString() +
                       "'");
  }
  auto db = openLibrary(p, kReadOnly);
  QString modelId;
  if (p.isSet("model")) modelId = library::modelIdentity(*loadModel(p, Task::Search));
  CancelOnSignal cancelOnSignal;
  const library::DuplicateReport r = library::findDuplicates(*db, modelId, threshold, &g_cancel);
  if (r.cancelled) {
    std::cerr << "cancelled\n";
    return kCancelled;
  }
  if (r.vectors == 0)
    std::cerr << "warning: the library has no vectors" << (modelId.isEmpty() ? "" : " of this model")
              << "; only copies with the same content are found (run glimpse-cli index first)\n";
  if (p.isSet("json")) {
    json groups = json::array();
    for (const auto& g : r.groups) {
      json paths = json::array(), photos = json::array();
      for (const auto& ph : g.photos) {
        paths.push_back(ph.path.toStdString());
        photos.push_back(
            {{"path", ph.path.toStdString()},
             {"size", ph.size},
             {"width", ph.width},
             {"height", ph.height},
             {"date", QDateTime::fromMSecsSinceEpoch(ph.dateMs, Qt::UTC).toString(Qt::ISODate).toStdString()},
             {"sha256", ph.hash.toStdString()},
             {"offline", ph.offline}});
      }
      groups.push_back({{"paths", paths}, {"similarity", g.similarity}, {"exact", g.exact}, {"photos", photos}});
    }
    print({{"groups", groups}, {"threshold", threshold}, {"model", r.model.toStdString()}, {"vectors", r.vectors}});
    return kOk;
  }
  for (const auto& g : r.groups) {
    char head[64];
    std::snprintf(head, sizeof head, "%.4f%s", g.similarity, g.exact ? "\t(same file content)" : "");
    std::cout << head << '\n';
    for (const auto& ph : g.photos) std::cout << '\t' << pathText(ph.path) << (ph.offline ? "\t(offline)" : "") << '\n';
  }
  return kOk;
}

}  // namespace

int runIndex(const QStringList& args) {
  Options o;
  o.addDocumented("index");
  o.parse(args);
  auto& p = o.parser;
  library::IndexOptions indexOptions;
  if (p.isSet("batch")) indexOptions.batchSize = toIntIn(p.value("batch"), "batch", 1, kMaxBatch);
  for (const QString& f : p.positionalArguments())
    if (!io::isDirectory(f)) throw UsageError("not a folder: " + f.toStdString());
  auto db = openLibrary(p);
  for (const QString& f : p.positionalArguments())
    db->addFolder(cleanFolder(f), p.values("exclude"), p.isSet("include-hidden"));
  if (db->folders().isEmpty()) throw UsageError("no folders: give FOLDER... to add to the library");
  auto model = loadModel(p, Task::Search);
  CancelOnSignal cancelOnSignal;
  const library::ScanReport scan = library::Scanner(*db).scan(&g_cancel);
  for (const QString& w : scan.warnings) std::cerr << "warning: " << pathText(w) << '\n';
  library::Indexer indexer(db, std::move(model), indexOptions);
  const bool tty = ::isatty(STDERR_FILENO) != 0;
  QElapsedTimer lastPrint;
  lastPrint.start();
  // What the decoders print themselves (libpng, libtiff, Qt) is kept out of the progress lines: it
  // is captured while indexing and shown only with --verbose or after the error line of a failed
  // run, as for caption; progress goes to the real stderr.
  std::optional<QuietStderr> quiet;
  quiet.emplace();
  const int out = quiet->terminalFd();
  auto progress = [&](const library::IndexProgress& pr) {
    if (pr.total == 0) return;
    const bool last = pr.done == pr.total;
    if (tty) {
      const int width = 30;
      const int filled = pr.total ? pr.done * width / pr.total : width;
      ::dprintf(out, "\r[%s%s] %d/%d  %.1f images/s  ETA %s   %s", std::string(filled, '#').c_str(),
                std::string(width - filled, ' ').c_str(), pr.done, pr.total, pr.imagesPerSecond,
                duration(pr.etaSeconds).c_str(), last ? "\n" : "");
    } else if (last || pr.done == 0 || lastPrint.elapsed() > 2000) {
      ::dprintf(out, "indexed %d/%d (%.1f%%), %.2f images/s, ETA %s\n", pr.done, pr.total, 100.0 * pr.done / pr.total,
                pr.imagesPerSecond, duration(pr.etaSeconds).c_str());
      lastPrint.restart();
    }
  };
  const library::IndexReport r = runModel([&] { return indexer.run(progress, &g_cancel); });
  quiet.reset();
  const auto st = db->status(indexer.modelId());
  if (p.isSet("json")) {
    print({{"added", scan.added},
           {"changed", scan.changed},
           {"moved", scan.moved},
           {"removed", scan.removed},
           {"offline", scan.offline},
           {"unchanged", scan.unchanged},
           {"embedded", r.embedded},
           {"kept", r.kept},
           {"failed", r.failed},
           {"cancelled", r.cancelled || g_cancel.load()},
           {"photos", st.photos},
           {"indexed", st.embedded},
           {"model", indexer.modelId().toStdString()},
           {"seconds", r.seconds},
           {"warnings", [&] {
              json w = json::array();
              for (const QString& s : scan.warnings) w.push_back(s.toStdString());
              return w;
            }()}});
  } else {
    std::cout << "scan: " << scan.added << " new, " << scan.changed << " changed, " << scan.moved << " moved, "
              << scan.removed << " removed, " << scan.offline << " offline\n"
              << "index: " << r.embedded << " embedded, " << r.failed << " could not be read; " << st.embedded << " of "
              << st.photos << " photos searchable\n";
  }
  if (r.cancelled || g_cancel.load()) {
    std::cerr << "cancelled: progress so far is saved; run index again to continue\n";
    return kCancelled;
  }
  return kOk;
}

int runSearch(const QStringList& args) {
  Options o;
  o.addDocumented("search");
  o.parse(args);
  auto& p = o.parser;
  const QString query = p.positionalArguments().join(QLatin1Char(' ')).trimmed();
  if (query.isEmpty()) throw UsageError("no QUERY given");
  library::SearchOptions so = searchOptions(p);
  so.rerank = p.isSet("rerank") ? toIntIn(p.value("rerank"), "rerank", 0, kMaxRerank) : std::min(so.limit, kMaxRerank);
  so.matchText = !p.isSet("no-text-match");
  if (p.isSet("ask") && p.value("ask").trimmed().isEmpty()) throw UsageError("--ask needs a question");
  if (p.isSet("ask-model") && !p.isSet("ask")) throw UsageError("--ask-model needs --ask QUESTION");
  auto db = openLibrary(p, kReadOnly);
  std::shared_ptr<const blip::BlipModel> model = loadModel(p, Task::Search);
  if (!model->has_retrieval())
    throw ModelError("search needs a retrieval model (BlipForImageTextRetrieval), e.g. blip-itm-base-coco");
  QueryTranslator translator(p);
  const std::optional<QString> english = translator.toEnglish(query);
  if (english && !p.isSet("json")) std::cerr << "searched for: " << english->toStdString() << '\n';
  auto orNull = [](const std::optional<QString>& s) { return s ? json(s->toStdString()) : json(nullptr); };
  json head = {{"query", query.toStdString()}, {"translated_query", orNull(english)}};
  // --ask: --ask-model, else the search model's own question-answering head, else the app's.
  std::shared_ptr<const blip::BlipModel> askModel;
  std::optional<QString> englishQuestion;
  if (p.isSet("ask")) {
    askModel = !p.isSet("ask-model") && model->has_question_answering()
                   ? model
                   : std::shared_ptr<const blip::BlipModel>(loadModel(p, Task::Ask, "ask-model"));
    if (!askModel->has_question_answering())
      throw ModelError("--ask needs a question answering model (BlipForQuestionAnswering), e.g. blip-vqa-base");
    // The question is translated as `ask` translates it (the same model and --query-language).
    englishQuestion = translator.toEnglish(p.value("ask"));
    if (englishQuestion && !p.isSet("json")) std::cerr << "asked: " << englishQuestion->toStdString() << '\n';
    head["question"] = p.value("ask").toStdString();
    head["translated_question"] = orNull(englishQuestion);
  }
  library::Searcher searcher(db, model);
  if (searcher.vectorCount() == 0)
    std::cerr << "warning: the library has no photos indexed with this model; run glimpse-cli index first\n";
  const auto results = runModel([&] {
    const QuietStderr quiet;  // re-ranking decodes photos
    library::SearchOptions options = so;
    if (english) options.originalText = query;  // captions' translations match the words as typed
    options.queryLanguage = translator.languageOf(query);
    return searcher.search(english.value_or(query), options);
  });
  if (!askModel) {
    printResults(results, p.isSet("json"), nullptr, head);
    return kOk;
  }
  // One question of every result, each photo encoded once (library/resultasker.h).
  std::vector<library::ResultAnswer> answers;
  library::ResultAsker asker(askModel);
  QStringList paths;
  for (const auto& r : results) paths << r.path;
  asker.start(englishQuestion.value_or(p.value("ask")), paths, blip::vqa_generation_config());
  runModel([&] {
    const QuietStderr quiet;
    while (auto a = asker.step()) answers.push_back(*a);
    return 0;
  });
  printResults(results, p.isSet("json"), &answers, head);
  return kOk;
}

int runSimilar(const QStringList& args) {
  Options o;
  o.addDocumented("similar");
  o.parse(args);
  auto& p = o.parser;
  if (p.positionalArguments().size() != 1) throw UsageError("similar takes exactly one IMAGE");
  const QString image = QFileInfo(p.positionalArguments().front()).absoluteFilePath();
  auto db = openLibrary(p, kReadOnly);
  const library::SearchOptions so = searchOptions(p);
  const auto photo = db->photoByPath(image);
  std::unique_ptr<blip::BlipModel> model;
  if (p.isSet("model")) model = loadModel(p, Task::Search);
  QString modelId;
  if (model) {
    modelId = library::modelIdentity(*model);
  } else if (photo) {
    // The model whose vectors the photo has (the one with most vectors when several).
    const QStringList ofPhoto = db->embeddingModelsOf(photo->id);
    for (const auto& [id, count] : db->embeddingModels())
      if (ofPhoto.contains(id)) {
        modelId = id;
        break;
      }
  }
  std::optional<std::vector<float>> vec;
  if (photo && !modelId.isEmpty()) vec = db->embedding(photo->id, modelId);
  if (!vec) {
    if (!model) throw UsageError(image.toStdString() + " is not indexed in the library; pass --model DIR to embed it");
    if (!model->has_retrieval()) throw ModelError("similar needs a retrieval model (BlipForImageTextRetrieval)");
    try {
      const QuietStderr quiet;
      const auto pixels = model->preprocess(imaging::decodeImageFile(image).rgb);
      vec = runModel([&] { return model->embed_images({pixels}).front(); });
    } catch (const imaging::ImageDecodeError& e) {
      throw ImageError(e.what());
    }
  }
  library::Searcher searcher(db, modelId);
  printResults(searcher.similar(*vec, so, photo ? photo->id : 0), p.isSet("json"));
  return kOk;
}

int runLibrary(const QStringList& args) {
  Options o;
  o.addDocumented("library");
  o.parse(args);
  auto& p = o.parser;
  const QStringList pos = p.positionalArguments();
  if (pos.isEmpty()) throw UsageError("library needs status, folders, forget FOLDER, caption, export or duplicates");
  const QString verb = pos.front();
  if (verb == QLatin1String("caption")) return runLibraryCaption(p, pos.mid(1));
  if (verb == QLatin1String("export")) return runLibraryExport(p, pos.mid(1));
  if (verb == QLatin1String("duplicates")) return runLibraryDuplicates(p);
  auto db = openLibrary(p, verb == QLatin1String("forget") ? library::LibraryDatabase::Access::ReadWrite : kReadOnly);
  if (verb == QLatin1String("status")) {
    QString modelId;
    if (p.isSet("model")) modelId = library::modelIdentity(*loadModel(p, Task::Search));
    const auto st = db->status(modelId);
    json models = json::object();
    for (const auto& [id, count] : db->embeddingModels()) models[id.toStdString()] = count;
    if (p.isSet("json")) {
      json j = {
          {"folders", st.folders}, {"photos", st.photos},           {"offline", st.offline},
          {"failed", st.failed},   {"captions", st.captions},       {"bytes", st.bytes},
          {"vectors", models},     {"schema", db->schemaVersion()}, {"full_text_search", db->hasFullTextSearch()}};
      if (!modelId.isEmpty()) j["indexed"] = st.embedded;
      print(j);
    } else {
      std::cout << st.folders << " folders, " << st.photos << " photos (" << st.offline << " offline, " << st.failed
                << " could not be decoded), " << st.captions << " captions\n";
      for (const auto& [id, count] : db->embeddingModels())
        std::cout << "  " << count << " vectors of " << id.toStdString() << '\n';
    }
    return kOk;
  }
  if (verb == QLatin1String("folders")) {
    json arr = json::array();
    for (const auto& f : db->folders()) {
      const int n = static_cast<int>(db->photosInFolder(f.id).size());
      const bool online = io::isDirectory(f.path);
      arr.push_back(
          {{"path", f.path.toStdString()}, {"photos", n}, {"online", online}, {"excludes", [&] {
                                                                                 json e = json::array();
                                                                                 for (const QString& x : f.excludes)
                                                                                   e.push_back(x.toStdString());
                                                                                 return e;
                                                                               }()}});
      if (!p.isSet("json"))
        std::cout << pathText(f.path) << '\t' << n << " photos" << (online ? "" : "\t(offline)") << '\n';
    }
    if (p.isSet("json")) print({{"folders", arr}});
    return kOk;
  }
  if (verb == QLatin1String("forget")) {
    if (pos.size() != 2) throw UsageError("library forget takes one FOLDER");
    const QString folder = cleanFolder(pos[1]);
    if (!db->forgetFolder(folder)) throw UsageError(folder.toStdString() + " is not a folder of this library");
    if (p.isSet("json"))
      print({{"forgotten", folder.toStdString()}});
    else
      std::cout << "forgot " << pathText(folder) << " (photos on disk are untouched)\n";
    return kOk;
  }
  throw UsageError("unknown library command '" + verb.toStdString() + "'");
}

}  // namespace glimpse::cli
