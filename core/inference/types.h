#pragma once
// The values that travel between the app and its inference worker: requests, results, and the
// state of long jobs. Plain values, registered as Qt metatypes for queued signals.
#include <QHash>
#include <QList>
#include <QMetaType>
#include <QPair>
#include <QString>
#include <QStringList>

#include "blip.h"
#include "library/duplicates.h"
#include "library/searcher.h"

namespace glimpse::inference {

// Lanes of requests. A request whose rule says so supersedes the older requests of its lane
// (the table is in inferenceclient.cpp).
enum class Channel { Caption = 0, Ask = 1, Search = 2, Details = 3, Library = 4 };
constexpr int kChannels = 5;

// Which numeric modes this computer runs, as the worker learns it once it has loaded the engine
// (blip::precision_problem needs libtorch, which never loads on the GUI thread).
struct PrecisionSupport {
  bool known = false;                // false until the worker has asked the engine
  QHash<QString, QString> problems;  // precision name ("bf16", "int8") -> why it cannot run here
  // Why `precision` cannot run here; empty when it can, or while this is not known.
  QString problem(const QString& precision) const { return problems.value(precision); }
};

struct CaptionRequest {
  QString prompt;           // starts the caption (BLIP: "a picture of"); empty: none
  bool keepPrompt = false;  // CaptionResult::text with the prompt in front
  blip::GenerationConfig config;
  // With a search model set every caption is scored against its photo; with this set a degenerate
  // one is also made again (captions/selfcheck.h) and the best candidate kept.
  bool fixDegenerate = false;
};

struct CaptionResult {
  QString path;
  QString text;      // what to show: the caption, without the prompt unless keepPrompt
  QString fullText;  // as Hugging Face decodes the whole sequence (prompt included)
  QList<qint64> tokenIds;
  double seconds = 0.0;
  QString model;  // folder of the checkpoint that wrote it
  // The self-check, when a search model is set (captions/selfcheck.h): how well the retrieval
  // head thinks the caption describes the photo, and whether a degenerate first caption was made
  // again.
  bool checked = false;
  double itm = 0.0;
  double itc = 0.0;
  bool regenerated = false;
  blip::GenerationConfig config;  // regenerated: the settings of the caption kept
  // "Show captions and answers in <interface language>": `text` translated, and its language;
  // empty when not asked for (text stays the English original either way).
  QString translation;
  QString translationLanguage;
};

// Translation as the worker applies it (AppSettings' translation fields, with the interface
// language): queries and questions to English, captions and answers from English.
struct TranslationSettings {
  QString queryLanguage = QStringLiteral("auto");  // "auto", "en" or a language code
  QString queryModel;                              // xx->en folder; empty: installed OPUS-MT for the language
  QString outputLanguage = QStringLiteral("en");   // the interface language
  QString outputModel;                             // en->xx folder; empty: installed OPUS-MT for it
  bool translateOutput = false;
  bool operator==(const TranslationSettings& o) const = default;
};

// A text the worker translated for a request, reported before the request's result: a search
// query or question (Query: `source` as typed, `text` the English that was used) or an answer
// (Answer: `source` the model's English, `text` in the interface language).
struct Translated {
  enum class Kind { Query, Answer };
  Kind kind = Kind::Query;
  QString source;
  QString text;
  QString from;  // language codes
  QString to;
};

struct LibraryInfo {
  QString path;
  QStringList folders;
  int photos = 0;
  int searchable = 0;  // photos with a vector of the current search model (0 when none is set)
  // Photos that could not be read (the library's `error`): indexing skips them until they change,
  // so they count as done, never as still to index.
  int failed = 0;
  // Photos with vectors of another search model only: the current one finds them after they are
  // indexed again (their old vectors are kept until then).
  int needEmbedding = 0;
  QString searchModel;  // the current search model's folder name ("" when none is set)
};

// Browsing the library without a query: the newest photos that pass the filters and how many
// passed.
struct BrowseResult {
  QList<library::SearchResult> photos;
  int total = 0;
};

// Photos per directory of the library (directory, photos directly in it): the folder tree's counts.
using DirectoryCounts = QList<QPair<QString, int>>;

// One caption of a photo as the library keeps it.
struct CaptionInfo {
  QString text;
  QString source;  // "generated", "edited" or "metadata"
  QString model;   // generated: the checkpoint folder's name
  QString origin;  // metadata: the tag or sidecar it was read from
};

struct PhotoDetails {
  QString path;
  qint64 size = 0;
  qint64 dateMs = 0;
  QString caption;        // the one to show and write: edited, else generated, else from metadata
  QString captionSource;  // its source ("" when there is none)
  // The caption shown in the interface language (a generated caption's translation) and its
  // language code; empty when it has none.
  QString captionTranslation;
  QString captionTranslationLanguage;
  QList<CaptionInfo> captions;
};

// A photo of the library with the caption to write into its files (the review step of "Write
// captions to files"), and what its files say now.
struct CaptionFileRow {
  QString path;
  QString caption;
  QString source;
  QString current;  // the description embedded in the photo now ("" when none)
};

// What writing captions did to one photo: one line per file, and whether any of them failed.
struct CaptionWriteReport {
  QString path;
  QStringList written;  // files written (or already holding that caption)
  QStringList kept;     // files whose own description was kept ("Replace existing" was off)
  QStringList errors;   // "file: reason"
};

enum class JobKind { Index = 0, CaptionAll = 1, CaptionLibrary = 2, WriteCaptions = 3, AskResults = 4 };
// Running -> (Paused <-> Running)* -> Finished | Cancelled | Failed. Pausing is what the client
// shows between asking and the worker's answer.
enum class JobState { Running, Pausing, Paused, Finished, Cancelled, Failed };
inline bool isEnded(JobState s) {
  return s == JobState::Finished || s == JobState::Cancelled || s == JobState::Failed;
}

struct JobProgress {
  int done = 0;   // items finished (done or failed), over every run of the job
  int total = 0;  // items the job has to do (known after its first step)
  int failed = 0;
  int before = 0;  // of done: finished before the job began (an index: photos already searchable)
  double itemsPerSecond = 0.0;
  double etaSeconds = -1.0;  // < 0 while unknown
  QString current;           // last item finished
};

struct JobSummary {
  JobKind kind = JobKind::Index;
  JobState state = JobState::Finished;  // Finished, Cancelled or Failed
  int done = 0;                         // items this job finished (failures not counted)
  int failed = 0;
  JobProgress last;      // the job's last progress: done/total over every run (an index: the library)
  QStringList warnings;  // e.g. folders that could not be read
  QString error;         // Failed: why, in words
};

}  // namespace glimpse::inference

Q_DECLARE_METATYPE(glimpse::blip::GenerationConfig)
Q_DECLARE_METATYPE(glimpse::library::SearchOptions)
Q_DECLARE_METATYPE(glimpse::library::SearchResult)
Q_DECLARE_METATYPE(glimpse::library::DuplicateGroup)
Q_DECLARE_METATYPE(glimpse::library::TrashReport)
Q_DECLARE_METATYPE(glimpse::inference::PrecisionSupport)
Q_DECLARE_METATYPE(glimpse::inference::CaptionRequest)
Q_DECLARE_METATYPE(glimpse::inference::CaptionResult)
Q_DECLARE_METATYPE(glimpse::inference::TranslationSettings)
Q_DECLARE_METATYPE(glimpse::inference::Translated)
Q_DECLARE_METATYPE(glimpse::inference::LibraryInfo)
Q_DECLARE_METATYPE(glimpse::inference::PhotoDetails)
Q_DECLARE_METATYPE(glimpse::inference::BrowseResult)
Q_DECLARE_METATYPE(glimpse::inference::CaptionFileRow)
Q_DECLARE_METATYPE(glimpse::inference::CaptionWriteReport)
Q_DECLARE_METATYPE(glimpse::inference::JobKind)
Q_DECLARE_METATYPE(glimpse::inference::JobState)
Q_DECLARE_METATYPE(glimpse::inference::JobProgress)
Q_DECLARE_METATYPE(glimpse::inference::JobSummary)
