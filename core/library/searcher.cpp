#include "searcher.h"

#include <QDateTime>
#include <QDir>
#include <QHash>
#include <QMap>
#include <algorithm>

#include "imaging/imagedecoder.h"
#include "indexer.h"

namespace glimpse::library {

std::optional<qint64> parseDate(const QString& text) {
  QDateTime t = QDateTime::fromString(text, Qt::ISODate);
  if (!t.isValid()) {
    const QDate d = QDate::fromString(text, Qt::ISODate);
    if (!d.isValid()) return std::nullopt;
    t = QDateTime(d, QTime(0, 0), Qt::UTC);
  }
  if (t.timeSpec() != Qt::UTC && t.timeSpec() != Qt::OffsetFromUTC) t.setTimeSpec(Qt::UTC);
  return t.toMSecsSinceEpoch();
}

Searcher::Searcher(std::shared_ptr<LibraryDatabase> db, std::shared_ptr<const blip::BlipModel> model)
    : m_db(std::move(db)), m_model(std::move(model)) {
  if (!m_db || !m_model) throw LibraryError("search needs a library and a model");
  if (!m_model->has_retrieval())
    throw LibraryError("search needs a BLIP retrieval model (BlipForImageTextRetrieval, e.g. blip-itm-base-coco)");
  m_modelId = modelIdentity(*m_model);
}

Searcher::Searcher(std::shared_ptr<LibraryDatabase> db, const QString& modelId)
    : m_db(std::move(db)), m_modelId(modelId) {
  if (!m_db) throw LibraryError("search needs a library");
}

void Searcher::reload() {
  m_loaded = false;
}

void Searcher::ensureLoaded() {
  if (m_loaded) return;
  int dim = 0;
  std::vector<float> data;
  m_rows = m_db->allEmbeddings(m_modelId, &dim, &data);
  m_index = VectorIndex(std::move(data), dim);
  m_loaded = true;
}

int64_t Searcher::vectorCount() {
  ensureLoaded();
  return m_index.rows();
}

namespace {

QString folderPrefix(const QString& folder) {
  QString prefix = QDir::cleanPath(QDir(folder).absolutePath());
  if (!prefix.endsWith(QLatin1Char('/'))) prefix += QLatin1Char('/');
  return prefix;
}

bool passes(const SearchOptions& o, const QString& prefix, const QString& path, qint64 dateMs) {
  if (!o.folder.isEmpty() && !path.startsWith(prefix)) return false;
  if (o.afterMs && dateMs < *o.afterMs) return false;
  if (o.beforeMs && dateMs >= *o.beforeMs) return false;
  return true;
}

}  // namespace

bool passesFilters(const SearchOptions& options, const QString& path, qint64 dateMs) {
  return passes(options, options.folder.isEmpty() ? QString() : folderPrefix(options.folder), path, dateMs);
}

std::vector<bool> Searcher::filterMask(const SearchOptions& o) const {
  std::vector<bool> keep;
  if (o.folder.isEmpty() && !o.afterMs && !o.beforeMs) return keep;
  const QString prefix = o.folder.isEmpty() ? QString() : folderPrefix(o.folder);
  keep.resize(m_rows.size());
  for (size_t i = 0; i < m_rows.size(); ++i) keep[i] = passes(o, prefix, m_rows[i].path, m_rows[i].dateMs);
  return keep;
}

QList<SearchResult> browse(LibraryDatabase& db, const SearchOptions& o, int* total) {
  const QString prefix = o.folder.isEmpty() ? QString() : folderPrefix(o.folder);
  std::vector<LibraryDatabase::VectorRow> rows = db.photoRows();
  rows.erase(std::remove_if(rows.begin(), rows.end(),
                            [&](const LibraryDatabase::VectorRow& r) { return !passes(o, prefix, r.path, r.dateMs); }),
             rows.end());
  if (total) *total = static_cast<int>(rows.size());
  const size_t keep = std::min(rows.size(), static_cast<size_t>(std::max(o.limit, 0)));
  const auto newer = [](const LibraryDatabase::VectorRow& a, const LibraryDatabase::VectorRow& b) {
    return a.dateMs != b.dateMs ? a.dateMs > b.dateMs : a.path < b.path;
  };
  std::partial_sort(rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(keep), rows.end(), newer);
  QList<SearchResult> out;
  out.reserve(static_cast<qsizetype>(keep));
  for (size_t i = 0; i < keep; ++i) {
    SearchResult s;
    s.photoId = rows[i].photoId;
    s.path = rows[i].path;
    s.dateMs = rows[i].dateMs;
    s.offline = rows[i].offline;
    s.error = rows[i].error;
    out.push_back(s);
  }
  return out;
}

QList<QPair<QString, int>> photosPerDirectory(LibraryDatabase& db) {
  QMap<QString, int> counts;
  for (const auto& r : db.photoRows())
    ++counts[r.path.left(std::max<qsizetype>(r.path.lastIndexOf(QLatin1Char('/')), 1))];
  QList<QPair<QString, int>> out;
  for (auto it = counts.constBegin(); it != counts.constEnd(); ++it) out.push_back({it.key(), it.value()});
  return out;
}

QList<SearchResult> Searcher::rank(const std::vector<float>& query, const QString& text, const SearchOptions& o,
                                   qint64 exclude) {
  ensureLoaded();
  QList<SearchResult> out;
  if (m_index.rows() == 0 || o.limit <= 0) return out;
  std::vector<bool> keep = filterMask(o);
  if (exclude) {
    if (keep.empty()) keep.assign(m_rows.size(), true);
    for (size_t i = 0; i < m_rows.size(); ++i)
      if (m_rows[i].photoId == exclude) keep[i] = false;
  }
  const int64_t want = std::max(o.limit, o.rerank);
  // One pass over the matrix serves the top k and the scores of text matches.
  const std::vector<float> all = m_index.scores(query);
  auto top = VectorIndex::topKOf(all, want, keep);
  QHash<qint64, size_t> rowOf;
  for (size_t i = 0; i < m_rows.size(); ++i) rowOf.insert(m_rows[i].photoId, i);
  QHash<qint64, bool> textHit;
  if (o.matchText && !text.isEmpty()) {
    const bool translated = !o.originalText.trimmed().isEmpty() && o.originalText != text;
    QList<qint64> matches = m_db->textMatches(text, o.limit, translated ? QStringLiteral("en") : o.queryLanguage);
    if (translated)
      for (qint64 id : m_db->textMatches(o.originalText, o.limit, o.queryLanguage))
        if (!matches.contains(id)) matches << id;
    for (qint64 id : matches) {
      auto it = rowOf.find(id);
      if (it == rowOf.end() || (!keep.empty() && !keep[*it])) continue;
      textHit.insert(id, true);
      const bool present =
          std::any_of(top.begin(), top.end(), [&](const auto& t) { return t.first == static_cast<int64_t>(*it); });
      if (!present) top.emplace_back(static_cast<int64_t>(*it), all[*it]);
    }
  }
  for (const auto& [row, score] : top) {
    const auto& r = m_rows[static_cast<size_t>(row)];
    SearchResult s;
    s.photoId = r.photoId;
    s.path = r.path;
    s.itc = score;
    s.score = score;
    s.offline = r.offline;
    s.dateMs = r.dateMs;
    s.textMatch = textHit.contains(r.photoId);
    out.push_back(s);
  }
  // A file name or caption that contains the query's words is what the person asked for: such
  // results come first, each group ordered by score.
  auto byScore = [](const SearchResult& a, const SearchResult& b) {
    if (a.textMatch != b.textMatch) return a.textMatch;
    return a.score > b.score;
  };
  std::stable_sort(out.begin(), out.end(), byScore);
  if (o.rerank > 0 && !text.isEmpty() && m_model) {
    // BLIP's re-rank: ITM on the top k by ITC, final score = ITM logit + ITC cosine.
    const int k = std::min<int>(o.rerank, static_cast<int>(out.size()));
    constexpr int kChunk = 8;
    for (int from = 0; from < k; from += kChunk) {
      std::vector<blip::PixelValues> pixels;
      std::vector<int> index;
      for (int i = from; i < std::min(k, from + kChunk); ++i) {
        try {
          pixels.push_back(m_model->preprocess(imaging::decodeImageFile(out[i].path).rgb));
          index.push_back(i);
        } catch (const std::exception&) {
          out[i].rerankFailed = true;
        }
      }
      if (pixels.empty()) continue;
      const auto scores = m_model->match(pixels, {text.toStdString()}, o.maxTextTokens);
      for (size_t j = 0; j < index.size(); ++j) {
        SearchResult& s = out[index[j]];
        s.itm = scores[j][0].itm;
        s.itmLogit = scores[j][0].itm_logit;
        s.score = scores[j][0].itm_logit + s.itc;
      }
    }
    // Only re-ranked results carry comparable scores.
    QList<SearchResult> ranked;
    for (int i = 0; i < k; ++i)
      if (out[i].itmLogit) ranked.push_back(out[i]);
    std::stable_sort(ranked.begin(), ranked.end(), byScore);
    out = ranked;
  }
  if (o.minScore) {
    QList<SearchResult> kept;
    for (const auto& s : out)
      if (s.score >= *o.minScore) kept.push_back(s);
    out = kept;
  }
  if (out.size() > o.limit) out.resize(o.limit);
  return out;
}

QList<SearchResult> Searcher::search(const QString& query, const SearchOptions& options) {
  if (query.trimmed().isEmpty()) throw LibraryError("the search text is empty");
  if (!m_model) throw LibraryError("text search needs the retrieval model");
  ensureLoaded();
  const auto vec = m_model->embed_texts({query.toStdString()}, options.maxTextTokens).front();
  return rank(vec, query, options, 0);
}

QList<SearchResult> Searcher::similar(const std::vector<float>& vector, const SearchOptions& options,
                                      qint64 excludePhotoId) {
  SearchOptions o = options;
  o.rerank = 0;
  return rank(vector, QString(), o, excludePhotoId);
}

std::optional<std::vector<float>> Searcher::vectorOf(const QString& path) {
  const auto photo = m_db->photoByPath(path);
  if (!photo) return std::nullopt;
  return m_db->embedding(photo->id, m_modelId);
}

}  // namespace glimpse::library
