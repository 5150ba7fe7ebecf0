#pragma once
// Text and image search over the library with BLIP's retrieval recipe: ITC cosine against every
// vector, top-k, then (when asked) ITM re-rank of the top k with final score = ITM logit + ITC
// cosine. File names and captions are searched too (SQLite FTS5): photos whose name or caption
// holds every query word join the candidates and rank ahead of the rest. Filters narrow the set.
#include <QList>
#include <QString>
#include <memory>
#include <optional>

#include "blip.h"
#include "librarydatabase.h"
#include "vectorindex.h"

namespace glimpse::library {

struct SearchOptions {
  int limit = 20;
  int rerank = 0;                  // ITM re-rank of the top k (0: ITC only)
  std::optional<double> minScore;  // results scoring below are dropped
  QString folder;                  // only photos below this folder
  std::optional<qint64> afterMs;   // taken (or modified) at or after
  std::optional<qint64> beforeMs;  // taken (or modified) before
  bool matchText = true;           // include file-name / caption matches
  // The query as typed when the searched text is its English translation: names and captions
  // (with their translations) are matched with its words too, so a German word finds a German caption.
  QString originalText;
  // The language of the query as typed (originalText, else the query): its small words are left
  // out of its match, and only English ones out of the English translation's.
  QString queryLanguage = QStringLiteral("en");
  int maxTextTokens = 35;  // BLIP's retrieval truncates queries at 35 tokens
};

struct SearchResult {
  qint64 photoId = 0;
  QString path;
  double score = 0.0;  // itc, or itm_logit + itc when re-ranked
  double itc = 0.0;
  std::optional<double> itm;       // ITM match probability, when re-ranked
  std::optional<double> itmLogit;  // ITM match logit, when re-ranked
  bool textMatch = false;          // the file name or a caption matches the query words
  bool offline = false;            // on a folder that is not there now
  bool rerankFailed = false;       // the file could not be read for re-ranking
  qint64 dateMs = 0;               // taken at, else the file's modification time
  QString error;                   // browse: why indexing could not read the file (empty: it could)
};

// Whether a photo passes the folder and date filters of `options` (search, similar and browse
// share this one rule; minScore is for scored results only).
bool passesFilters(const SearchOptions& options, const QString& path, qint64 dateMs);

// Browsing without a query: the library's photos that pass the folder and date filters, newest
// first (taken at, else modified; then by path), at most options.limit. `total` (when given) gets
// how many passed.
QList<SearchResult> browse(LibraryDatabase& db, const SearchOptions& options, int* total = nullptr);

// Photos per directory (the folder that holds each photo directly), in path order: the counts of
// the library page's folder tree.
QList<QPair<QString, int>> photosPerDirectory(LibraryDatabase& db);

class Searcher {
 public:
  // `model` must have a retrieval head; its vectors must be in the library (see Indexer). The
  // searcher keeps the library and the model alive while it exists.
  Searcher(std::shared_ptr<LibraryDatabase> db, std::shared_ptr<const blip::BlipModel> model);
  // Image-to-image search only (similar()), over the vectors stamped `modelId`; no model needed.
  Searcher(std::shared_ptr<LibraryDatabase> db, const QString& modelId);
  const QString& modelId() const { return m_modelId; }
  QList<SearchResult> search(const QString& query, const SearchOptions& options);
  // Photos like the one with this ITC vector (excluding `excludePhotoId`).
  QList<SearchResult> similar(const std::vector<float>& vector, const SearchOptions& options,
                              qint64 excludePhotoId = 0);
  // The library's vector for a photo path, if indexed with this model.
  std::optional<std::vector<float>> vectorOf(const QString& path);
  // Re-reads the vectors (after indexing).
  void reload();
  int64_t vectorCount();

 private:
  void ensureLoaded();
  std::vector<bool> filterMask(const SearchOptions& options) const;
  QList<SearchResult> rank(const std::vector<float>& query, const QString& text, const SearchOptions& options,
                           qint64 exclude);

  std::shared_ptr<LibraryDatabase> m_db;
  std::shared_ptr<const blip::BlipModel> m_model;
  QString m_modelId;
  bool m_loaded = false;
  VectorIndex m_index;
  std::vector<LibraryDatabase::VectorRow> m_rows;
};

// Parses "YYYY-MM-DD" or an ISO date-time as UTC milliseconds; nullopt when invalid.
std::optional<qint64> parseDate(const QString& text);

}  // namespace glimpse::library
