#include "librarydatabase.h"

#include <fcntl.h>
#include <unistd.h>
#include <QAtomicInteger>
#include <QFileInfo>
#include <QHash>
#include <QRegularExpression>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>
#include <cstring>

#include "io/files.h"
#include "translation/language.h"

namespace glimpse::library {
namespace {

// 'GLMP': marks the SQLite file as a Glimpse library.
constexpr int kApplicationId = 0x474C4D50;

QAtomicInteger<int> g_connections;

[[noreturn]] void fail(const QString& what, const QSqlError& e) {
  QString msg = what + QStringLiteral(": ") + e.text();
  // SQLITE_FULL (13): say it plainly; the transaction was rolled back and nothing is lost.
  if (e.nativeErrorCode() == QLatin1String("13"))
    msg = what + QStringLiteral(": the disk is full (") + e.text() + QStringLiteral("); nothing was written");
  // SQLITE_READONLY (8): a write-protected file or folder; commands that only read still work.
  if (e.nativeErrorCode() == QLatin1String("8"))
    msg = what + QStringLiteral(": the library is read-only here (") + e.text() +
          QStringLiteral("); only searching works");
  throw LibraryError(msg.toStdString());
}

QSqlQuery prepare(QSqlDatabase& db, const QString& sql) {
  QSqlQuery q(db);
  if (!q.prepare(sql)) fail(QStringLiteral("cannot prepare query"), q.lastError());
  return q;
}

void run(QSqlQuery& q, const char* what) {
  if (!q.exec()) fail(QString::fromUtf8(what), q.lastError());
}

QByteArray pack(const std::vector<float>& v) {
  return QByteArray(reinterpret_cast<const char*>(v.data()), static_cast<qsizetype>(v.size() * sizeof(float)));
}

Photo photoFrom(const QSqlQuery& q) {
  Photo p;
  p.id = q.value(0).toLongLong();
  p.folderId = q.value(1).toLongLong();
  p.path = q.value(2).toString();
  p.size = q.value(3).toLongLong();
  p.mtimeMs = q.value(4).toLongLong();
  p.hash = q.value(5).toString();
  p.width = q.value(6).toInt();
  p.height = q.value(7).toInt();
  if (!q.value(8).isNull()) p.takenAtMs = q.value(8).toLongLong();
  p.status = static_cast<PhotoStatus>(q.value(9).toInt());
  p.error = q.value(10).toString();
  p.pixelHash = q.value(11).toString();
  p.changed = q.value(12).toInt() != 0;
  return p;
}

const char* kPhotoColumns =
    "id, folder_id, path, size, mtime, hash, width, height, taken_at, status, error, pixel_hash, changed";
// The same, qualified for queries that join photos as p.
const char* kPhotoColumnsP =
    "p.id, p.folder_id, p.path, p.size, p.mtime, p.hash, p.width, p.height, p.taken_at, p.status, p.error, "
    "p.pixel_hash, p.changed";

const char* kCaptionColumns =
    "c.id, c.photo_id, c.text, c.model, c.parameters, c.created_at, c.source, c.origin, c.score, c.itm, c.itc, "
    "c.translation, c.translation_language";

Caption captionFrom(const QSqlQuery& q, int at) {
  Caption c;
  c.id = q.value(at).toLongLong();
  c.photoId = q.value(at + 1).toLongLong();
  c.text = q.value(at + 2).toString();
  c.model = q.value(at + 3).toString();
  c.parameters = q.value(at + 4).toString();
  c.created = QDateTime::fromMSecsSinceEpoch(q.value(at + 5).toLongLong());
  c.source = parseCaptionSource(q.value(at + 6).toString()).value_or(CaptionSource::Generated);
  c.origin = q.value(at + 7).toString();
  if (!q.value(at + 8).isNull()) c.score = q.value(at + 8).toDouble();
  if (!q.value(at + 9).isNull()) c.itm = q.value(at + 9).toDouble();
  if (!q.value(at + 10).isNull()) c.itc = q.value(at + 10).toDouble();
  c.translation = q.value(at + 11).toString();
  c.translationLanguage = q.value(at + 12).toString();
  return c;
}

// ORDER BY terms (captions as c) that put a photo's preferred caption first: edited, then the
// newest generated, then metadata by where it was found (embedded XMP, EXIF, IPTC, sidecar).
const char* kPreferenceOrder =
    "CASE c.source WHEN 'edited' THEN 0 WHEN 'generated' THEN 1 ELSE 2 END, "
    "CASE WHEN c.source = 'generated' THEN -c.created_at ELSE 0 END, "
    "CASE WHEN c.origin LIKE 'Xmp.%' THEN 0 WHEN c.origin LIKE 'Exif.%' THEN 1 WHEN c.origin LIKE 'Iptc.%' THEN 2 "
    "ELSE 3 END, "
    "CASE WHEN c.source = 'generated' THEN -c.id ELSE c.id END";

// SQL condition (photos as p): below one of the folders; binds go to `binds`.
QString folderCondition(const QStringList& folders, QVariantList* binds) {
  if (folders.isEmpty()) return QStringLiteral("1");
  QStringList parts;
  for (const QString& f : folders) {
    const QString prefix = f.endsWith(QLatin1Char('/')) ? f : f + QLatin1Char('/');
    parts << QStringLiteral("substr(p.path, 1, ?) = ?");
    *binds << prefix.size() << prefix;
  }
  return QLatin1Char('(') + parts.join(QStringLiteral(" OR ")) + QLatin1Char(')');
}

// The full-text table's columns and tokenizer (v2).
const char* kPhotoTextColumns = "name, captions, tokenize = 'unicode61 remove_diacritics 2'";

// The full-text captions column of one photo (SQL; `photoId` names its id): since v6 each
// caption's text and its translation.
QString captionTextOf(const QString& photoId) {
  return QStringLiteral(
             "coalesce((SELECT group_concat(text || ' ' || translation, ' ') FROM captions WHERE photo_id = %1), '')")
      .arg(photoId);
}

// Migration steps: index i brings schema version i to i + 1.
struct Migration {
  QStringList statements;
  bool fts = false;  // the full-text part, skipped where SQLite lacks FTS5
  QStringList ftsStatements;
};

QList<Migration> migrations() {
  Migration v1;
  v1.statements = {
      "CREATE TABLE folders(id INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE, excludes TEXT NOT NULL DEFAULT '', "
      "added_at INTEGER NOT NULL)",
      "CREATE TABLE photos(id INTEGER PRIMARY KEY, folder_id INTEGER NOT NULL REFERENCES folders(id) ON DELETE "
      "CASCADE, "
      "path TEXT NOT NULL UNIQUE, size INTEGER NOT NULL, mtime INTEGER NOT NULL, hash TEXT, width INTEGER, "
      "height INTEGER, taken_at INTEGER)",
      "CREATE INDEX photos_folder ON photos(folder_id)",
      "CREATE INDEX photos_hash ON photos(hash)",
      "CREATE TABLE embeddings(photo_id INTEGER NOT NULL REFERENCES photos(id) ON DELETE CASCADE, model TEXT NOT NULL, "
      "dim INTEGER NOT NULL, vector BLOB NOT NULL, PRIMARY KEY(photo_id, model))",
      "CREATE TABLE captions(id INTEGER PRIMARY KEY, photo_id INTEGER NOT NULL REFERENCES photos(id) ON DELETE "
      "CASCADE, "
      "text TEXT NOT NULL, model TEXT NOT NULL, parameters TEXT NOT NULL DEFAULT '{}', created_at INTEGER NOT NULL)",
  };
  Migration v2;
  v2.statements = {
      "ALTER TABLE folders ADD COLUMN include_hidden INTEGER NOT NULL DEFAULT 0",
      "ALTER TABLE photos ADD COLUMN status INTEGER NOT NULL DEFAULT 0",
      "ALTER TABLE photos ADD COLUMN error TEXT",
      "CREATE INDEX captions_photo ON captions(photo_id)",
      "CREATE INDEX embeddings_model ON embeddings(model)",
  };
  v2.fts = true;
  v2.ftsStatements = {
      QStringLiteral("CREATE VIRTUAL TABLE photo_text USING fts5(%1)").arg(QLatin1String(kPhotoTextColumns)),
      "CREATE TRIGGER photos_text_ai AFTER INSERT ON photos BEGIN "
      "INSERT INTO photo_text(rowid, name, captions) VALUES (new.id, new.path, ''); END",
      "CREATE TRIGGER photos_text_ad AFTER DELETE ON photos BEGIN DELETE FROM photo_text WHERE rowid = old.id; END",
      "CREATE TRIGGER photos_text_au AFTER UPDATE OF path ON photos BEGIN "
      "UPDATE photo_text SET name = new.path WHERE rowid = new.id; END",
      "CREATE TRIGGER captions_text_ai AFTER INSERT ON captions BEGIN "
      "UPDATE photo_text SET captions = captions || ' ' || new.text WHERE rowid = new.photo_id; END",
      "CREATE TRIGGER captions_text_ad AFTER DELETE ON captions BEGIN "
      "UPDATE photo_text SET captions = coalesce((SELECT group_concat(text, ' ') FROM captions WHERE photo_id = "
      "old.photo_id), '') "
      "WHERE rowid = old.photo_id; END",
      "INSERT INTO photo_text(rowid, name, captions) SELECT id, path, "
      "coalesce((SELECT group_concat(text, ' ') FROM captions c WHERE c.photo_id = photos.id), '') FROM photos",
  };
  // v3: caption sources (generated, edited, metadata) with the origin of metadata captions and a
  // score; the pixel hash and the changed mark of photos (a file whose metadata changed keeps its
  // vectors and captions when its pixels did not). Existing captions were all made by a model.
  Migration v3;
  v3.statements = {
      "ALTER TABLE captions ADD COLUMN source TEXT NOT NULL DEFAULT 'generated'",
      "ALTER TABLE captions ADD COLUMN origin TEXT NOT NULL DEFAULT ''",
      "ALTER TABLE captions ADD COLUMN score REAL",
      "CREATE INDEX captions_photo_source ON captions(photo_id, source)",
      "ALTER TABLE photos ADD COLUMN pixel_hash TEXT",
      "ALTER TABLE photos ADD COLUMN changed INTEGER NOT NULL DEFAULT 0",
  };
  v3.fts = true;
  v3.ftsStatements = {
      // v2 followed inserts and deletes; an edited caption may also be updated in place.
      "CREATE TRIGGER captions_text_au AFTER UPDATE OF text, photo_id ON captions BEGIN "
      "UPDATE photo_text SET captions = coalesce((SELECT group_concat(text, ' ') FROM captions WHERE photo_id = "
      "old.photo_id), '') WHERE rowid = old.photo_id; "
      "UPDATE photo_text SET captions = coalesce((SELECT group_concat(text, ' ') FROM captions WHERE photo_id = "
      "new.photo_id), '') WHERE rowid = new.photo_id; END",
  };
  // v4: the self-check of generated captions (captions/selfcheck.h): ITM probability and ITC
  // cosine of the caption against its photo, so the least confident can be reviewed first.
  Migration v4;
  v4.statements = {
      "ALTER TABLE captions ADD COLUMN itm REAL",
      "ALTER TABLE captions ADD COLUMN itc REAL",
      "CREATE INDEX captions_itm ON captions(itm) WHERE itm IS NOT NULL",
  };
  // v5: a caption keeps its translation (captions and answers shown in the interface language)
  // beside the model's English original.
  Migration v5;
  v5.statements = {
      "ALTER TABLE captions ADD COLUMN translation TEXT NOT NULL DEFAULT ''",
      "ALTER TABLE captions ADD COLUMN translation_language TEXT NOT NULL DEFAULT ''",
  };
  // v6: the full-text index holds each caption's translation beside its English text, so a text
  // search in the interface language finds the captions shown in it. The triggers are replaced and
  // the captions column is filled again from the captions table.
  Migration v6;
  v6.fts = true;
  const auto captionText = [](const char* photoId) { return captionTextOf(QLatin1String(photoId)); };
  v6.ftsStatements = {
      "DROP TRIGGER IF EXISTS captions_text_ai",
      "DROP TRIGGER IF EXISTS captions_text_ad",
      "DROP TRIGGER IF EXISTS captions_text_au",
      "CREATE TRIGGER captions_text_ai AFTER INSERT ON captions BEGIN "
      "UPDATE photo_text SET captions = captions || ' ' || new.text || ' ' || new.translation "
      "WHERE rowid = new.photo_id; END",
      "CREATE TRIGGER captions_text_ad AFTER DELETE ON captions BEGIN UPDATE photo_text SET captions = " +
          captionText("old.photo_id") + " WHERE rowid = old.photo_id; END",
      "CREATE TRIGGER captions_text_au AFTER UPDATE OF text, photo_id, translation ON captions BEGIN "
      "UPDATE photo_text SET captions = " +
          captionText("old.photo_id") +
          " WHERE rowid = old.photo_id; "
          "UPDATE photo_text SET captions = " +
          captionText("new.photo_id") + " WHERE rowid = new.photo_id; END",
      "UPDATE photo_text SET captions = " + captionText("photo_text.rowid"),
  };
  return {v1, v2, v3, v4, v5, v6};
}

// A savepoint: nests inside a transaction of the caller, or stands alone (then it commits).
class Savepoint {
 public:
  explicit Savepoint(QSqlDatabase& db) : m_db(db) {
    QSqlQuery q(m_db);
    if (!q.exec(QStringLiteral("SAVEPOINT glimpse_sp")))
      fail(QStringLiteral("cannot start a transaction"), q.lastError());
  }
  ~Savepoint() {
    if (m_done) return;
    QSqlQuery q(m_db);
    q.exec(QStringLiteral("ROLLBACK TO glimpse_sp"));
    q.exec(QStringLiteral("RELEASE glimpse_sp"));
  }
  void release() {
    QSqlQuery q(m_db);
    if (!q.exec(QStringLiteral("RELEASE glimpse_sp")))
      fail(QStringLiteral("cannot save to the library"), q.lastError());
    m_done = true;
  }

 private:
  QSqlDatabase& m_db;
  bool m_done = false;
};

}  // namespace

LibraryDatabase::LibraryDatabase(const QString& path, Access access)
    : m_path(path), m_readOnly(access == Access::ReadOnly) {
  m_connection = QStringLiteral("glimpse-library-%1").arg(g_connections.fetchAndAddRelaxed(1));
  // SQLite gives these names meanings of their own: an empty name and ":memory:" are private
  // in-memory databases (everything indexed would vanish at exit), "file:" starts a URI whose
  // parameters can do the same.
  if (path.trimmed().isEmpty()) throw LibraryError("'' is not a library file name: give the path of a file");
  if (path == QLatin1String(":memory:") || path.startsWith(QLatin1String("file:"), Qt::CaseInsensitive))
    throw LibraryError(
        (QStringLiteral("'%1' is not a library file name: give the path of a file (in-memory databases and "
                        "SQLite URIs cannot hold a library; write ./%1 for a file of that name)")
             .arg(path))
            .toStdString());
  // The name may hold bytes that are not UTF-8 (io::decodePath's private-use characters), so the
  // file system is asked through io:: and SQLite gets such a name as a URI of its exact bytes,
  // percent-encoded (SQLite decodes them; its -wal and -shm files get the same bytes). A "file:"
  // name of the user's is still refused above: only Glimpse builds URIs.
  const QFileInfo info(path);
  const QString absolute = info.absoluteFilePath();
  const QByteArray bytes = io::encodePath(absolute);
  const bool utf8 = bytes == absolute.toUtf8();
  const QString uriName = QStringLiteral("file:") + QString::fromLatin1(bytes.toPercentEncoding("/"));
  if (io::isDirectory(absolute))
    throw LibraryError((path + QStringLiteral(" is a folder, not a library file")).toStdString());
  if (!io::isDirectory(info.absolutePath()))
    throw LibraryError((QStringLiteral("the folder of ") + path + QStringLiteral(" does not exist")).toStdString());
  // A library that does not exist yet is created empty, as a writer would (a search of a new
  // library finds nothing rather than failing).
  if (m_readOnly && !io::pathExists(absolute)) m_readOnly = false;
  m_db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connection);
  m_db.setDatabaseName(utf8 ? absolute : uriName);
  m_db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000") +
                         (m_readOnly ? QStringLiteral(";QSQLITE_OPEN_READONLY") : QString()) +
                         (utf8 ? QString() : QStringLiteral(";QSQLITE_OPEN_URI")));
  if (!m_db.open()) fail(QStringLiteral("cannot open library ") + path, m_db.lastError());
  try {
    QSqlQuery q(m_db);
    if (m_readOnly && !q.exec(QStringLiteral("PRAGMA application_id")) &&
        !io::pathExists(absolute + QStringLiteral("-wal"))) {
      // A WAL library in a folder the user cannot write: SQLite cannot create the -shm file it
      // needs even to read. Without a -wal file everything is in the main file, which SQLite can
      // then read as immutable.
      q = QSqlQuery();
      m_db.close();
      m_db.setDatabaseName(uriName + QStringLiteral("?immutable=1"));
      m_db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000;QSQLITE_OPEN_READONLY;QSQLITE_OPEN_URI"));
      if (!m_db.open()) fail(QStringLiteral("cannot open library ") + path, m_db.lastError());
      q = QSqlQuery(m_db);
    }
    // Reading anything fails here when the file is not SQLite at all, or cannot be read.
    if (!q.exec(QStringLiteral("PRAGMA application_id")) || !q.next()) {
      bool sqlite = false;
      if (const int fd = ::open(bytes.constData(), O_RDONLY | O_NONBLOCK | O_CLOEXEC); fd >= 0) {
        char head[16];
        sqlite = ::read(fd, head, sizeof head) == 16 && std::memcmp(head, "SQLite format 3", 16) == 0;
        ::close(fd);
      }
      if (sqlite) fail(QStringLiteral("cannot read library ") + path, q.lastError());
      throw LibraryError((path + QStringLiteral(" is not a Glimpse library (not an SQLite database)")).toStdString());
    }
    const int appId = q.value(0).toInt();
    q.finish();
    if (!q.exec(QStringLiteral("SELECT count(*) FROM sqlite_master")) || !q.next())
      fail(QStringLiteral("cannot read ") + path, q.lastError());
    const int objects = q.value(0).toInt();
    q.finish();
    if (objects > 0 && appId != kApplicationId)
      throw LibraryError(
          (path + QStringLiteral(" is an SQLite database of another program, not a Glimpse library")).toStdString());
    if (!m_readOnly) {
      exec(QStringLiteral("PRAGMA journal_mode = WAL"));
      exec(QStringLiteral("PRAGMA synchronous = NORMAL"));
    }
    exec(QStringLiteral("PRAGMA foreign_keys = ON"));
    migrate();
    QSqlQuery f(m_db);
    m_fts = f.exec(QStringLiteral("SELECT 1 FROM sqlite_master WHERE name = 'photo_text'")) && f.next();
  } catch (...) {
    m_db.close();
    m_db = QSqlDatabase();
    QSqlDatabase::removeDatabase(m_connection);
    throw;
  }
}

LibraryDatabase::~LibraryDatabase() {
  m_db.close();
  m_db = QSqlDatabase();
  QSqlDatabase::removeDatabase(m_connection);
}

void LibraryDatabase::exec(const QString& sql) {
  QSqlQuery q(m_db);
  if (!q.exec(sql)) fail(sql.left(60), q.lastError());
}

int LibraryDatabase::schemaVersion() {
  return readSchemaVersion().value_or(-1);
}

std::optional<int> LibraryDatabase::readSchemaVersion() {
  QSqlQuery q(m_db);
  if (!q.exec(QStringLiteral("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"))) return 0;
  if (!q.next()) return 0;
  // Exactly one row holding a non-negative integer; anything else is a damaged file.
  if (!q.exec(QStringLiteral(
          "SELECT version, typeof(version), (SELECT count(*) FROM schema_version) FROM schema_version")) ||
      !q.next())
    return std::nullopt;
  if (q.value(1).toString() != QLatin1String("integer") || q.value(2).toInt() != 1) return std::nullopt;
  const qint64 v = q.value(0).toLongLong();
  if (v < 0 || v > 1000000) return std::nullopt;
  return static_cast<int>(v);
}

void LibraryDatabase::migrate() {
  const std::optional<int> version = readSchemaVersion();
  if (!version)
    throw LibraryError(
        (m_path + QStringLiteral(" is damaged: its schema_version table does not hold one valid version number"))
            .toStdString());
  const int current = *version;
  if (current > kSchemaVersion)
    throw LibraryError(
        (m_path + QStringLiteral(" was written by a newer Glimpse (library schema v%1; this version reads up to v%2). "
                                 "Update Glimpse to open it.")
                      .arg(current)
                      .arg(kSchemaVersion))
            .toStdString());
  if (current == kSchemaVersion) return;
  if (m_readOnly) {
    readAsCurrent(current);
    return;
  }
  QSqlQuery probe(m_db);
  const bool ftsAvailable = probe.exec(QStringLiteral("CREATE VIRTUAL TABLE temp.fts_probe USING fts5(x)"));
  if (ftsAvailable) exec(QStringLiteral("DROP TABLE temp.fts_probe"));
  const auto steps = migrations();
  for (int v = current; v < kSchemaVersion; ++v) {
    begin();
    try {
      if (v == 0) {
        exec(QStringLiteral("CREATE TABLE schema_version(version INTEGER NOT NULL)"));
        exec(QStringLiteral("INSERT INTO schema_version(version) VALUES (0)"));
        exec(QStringLiteral("PRAGMA application_id = %1").arg(kApplicationId));
      }
      for (const QString& s : steps[v].statements) exec(s);
      // Later full-text steps extend the table v2 made; a library made without FTS5 has none.
      QSqlQuery hasText(m_db);
      const bool textTable =
          v < 2 ||
          (hasText.exec(QStringLiteral("SELECT 1 FROM sqlite_master WHERE name = 'photo_text'")) && hasText.next());
      hasText.finish();
      if (steps[v].fts && ftsAvailable && textTable)
        for (const QString& s : steps[v].ftsStatements) exec(s);
      exec(QStringLiteral("UPDATE schema_version SET version = %1").arg(v + 1));
      commit();
    } catch (...) {
      rollback();
      throw;
    }
  }
}

// A read-only connection cannot migrate, and a command that only reads must not change the file.
// The steps from `version` on only add columns (and indexes, which reads do without), so each
// table that gained columns is shown through a TEMP view of the same name (SQLite looks names up
// in temp before main) holding those columns with the default their ALTER TABLE gives: every
// read sees the current layout, and the file is untouched. A step that does more refuses.
void LibraryDatabase::readAsCurrent(int version) {
  static const QRegularExpression addColumn(QStringLiteral("^ALTER TABLE (\\w+) ADD COLUMN (\\w+)\\b(.*)$"));
  static const QRegularExpression defaultValue(QStringLiteral("\\bDEFAULT ('[^']*'|-?[0-9.]+)"));
  const auto refuse = [&] {
    throw LibraryError(
        (m_path + QStringLiteral(" has library schema v%1 and must be upgraded to v%2 first; open it once for writing "
                                 "(glimpse-cli index, or the app)")
                      .arg(version)
                      .arg(kSchemaVersion))
            .toStdString());
  };
  QStringList tables;                 // in the order they first gain a column
  QHash<QString, QStringList> added;  // table -> "DEFAULT AS name", in migration order
  const auto steps = migrations();
  for (int v = version; v < kSchemaVersion; ++v) {
    if (v == 0) refuse();  // an empty file: its tables do not exist yet
    // Full-text steps are not shown through views: the first text search builds the current
    // index in TEMP instead (readOnlyTextIndex).
    if (steps[v].fts) m_textIndexPending = true;
    for (const QString& statement : steps[v].statements) {
      if (statement.startsWith(QLatin1String("CREATE INDEX "))) continue;
      const QRegularExpressionMatch m = addColumn.match(statement);
      if (!m.hasMatch()) refuse();
      const QRegularExpressionMatch d = defaultValue.match(m.captured(3));
      if (!tables.contains(m.captured(1))) tables << m.captured(1);
      added[m.captured(1)] << (d.hasMatch() ? d.captured(1) : QStringLiteral("NULL")) + QStringLiteral(" AS ") +
                                  m.captured(2);
    }
  }
  for (const QString& table : tables)
    exec(QStringLiteral("CREATE TEMP VIEW %1 AS SELECT *, %2 FROM main.%1")
             .arg(table, added[table].join(QStringLiteral(", "))));
}

// An older library read as it is has the full-text index of its own version (before v6 without
// the captions' translations; before v2 none). The current one is built in the connection's TEMP
// schema under the same name, which SQLite looks up before main's: matches are those of a
// migrated library, and the file is not touched. Built once, at the first text search; where
// SQLite lacks FTS5 the search matches with LIKE instead.
void LibraryDatabase::readOnlyTextIndex() {
  m_textIndexPending = false;
  QSqlQuery q(m_db);
  if (!q.exec(
          QStringLiteral("CREATE VIRTUAL TABLE temp.photo_text USING fts5(%1)").arg(QLatin1String(kPhotoTextColumns))))
    return;
  exec(QStringLiteral("INSERT INTO temp.photo_text(rowid, name, captions) SELECT id, path, %1 FROM photos")
           .arg(captionTextOf(QStringLiteral("photos.id"))));
  m_fts = true;
}

void LibraryDatabase::begin() {
  if (!m_db.transaction()) fail(QStringLiteral("cannot start a transaction"), m_db.lastError());
}
void LibraryDatabase::commit() {
  if (!m_db.commit()) {
    const QSqlError e = m_db.lastError();
    m_db.rollback();
    fail(QStringLiteral("cannot save to the library"), e);
  }
}
void LibraryDatabase::rollback() {
  m_db.rollback();
}

qint64 LibraryDatabase::addFolder(const QString& path, const QStringList& excludes, bool includeHidden) {
  QSqlQuery q = prepare(
      m_db,
      QStringLiteral(
          "INSERT INTO folders(path, excludes, include_hidden, added_at) VALUES (?, ?, ?, ?) "
          "ON CONFLICT(path) DO UPDATE SET excludes = excluded.excludes, include_hidden = excluded.include_hidden"));
  q.addBindValue(path);
  q.addBindValue(excludes.isEmpty() ? QStringLiteral("")
                                    : excludes.join(QLatin1Char('\n')));  // NOT NULL: never a null QString
  q.addBindValue(includeHidden ? 1 : 0);
  q.addBindValue(QDateTime::currentMSecsSinceEpoch());
  run(q, "cannot add folder");
  QSqlQuery id = prepare(m_db, QStringLiteral("SELECT id FROM folders WHERE path = ?"));
  id.addBindValue(path);
  run(id, "cannot read folder");
  if (!id.next()) throw LibraryError("folder vanished from the library");
  return id.value(0).toLongLong();
}

bool LibraryDatabase::forgetFolder(const QString& path) {
  Transaction tx(*this);
  QSqlQuery find = prepare(m_db, QStringLiteral("SELECT id FROM folders WHERE path = ?"));
  find.addBindValue(path);
  run(find, "cannot read folder");
  if (!find.next()) return false;
  const qint64 id = find.value(0).toLongLong();
  // Photos below another folder of the library (nested in this one, or enclosing it) stay with
  // the deepest such folder; the scan gives each photo to one folder only.
  QSqlQuery others =
      prepare(m_db, QStringLiteral("SELECT id, path FROM folders WHERE id <> ? ORDER BY length(path) DESC"));
  others.addBindValue(id);
  run(others, "cannot list folders");
  while (others.next()) {
    const QString prefix = others.value(1).toString() + QLatin1Char('/');
    QSqlQuery keep =
        prepare(m_db, QStringLiteral("UPDATE photos SET folder_id = ? WHERE folder_id = ? AND substr(path, 1, ?) = ?"));
    keep.addBindValue(others.value(0).toLongLong());
    keep.addBindValue(id);
    keep.addBindValue(prefix.size());
    keep.addBindValue(prefix);
    run(keep, "cannot keep photos of another folder");
  }
  QSqlQuery q = prepare(m_db, QStringLiteral("DELETE FROM folders WHERE id = ?"));
  q.addBindValue(id);
  run(q, "cannot remove folder");
  tx.commit();
  return true;
}

QList<Folder> LibraryDatabase::folders() {
  QSqlQuery q = prepare(m_db, QStringLiteral("SELECT id, path, excludes, include_hidden FROM folders ORDER BY path"));
  run(q, "cannot list folders");
  QList<Folder> out;
  while (q.next()) {
    Folder f;
    f.id = q.value(0).toLongLong();
    f.path = q.value(1).toString();
    f.excludes = q.value(2).toString().split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    f.includeHidden = q.value(3).toInt() != 0;
    out.push_back(f);
  }
  return out;
}

QList<Photo> LibraryDatabase::photosInFolder(qint64 folderId) {
  QSqlQuery q =
      prepare(m_db, QStringLiteral("SELECT %1 FROM photos WHERE folder_id = ?").arg(QLatin1String(kPhotoColumns)));
  q.addBindValue(folderId);
  run(q, "cannot list photos");
  QList<Photo> out;
  while (q.next()) out.push_back(photoFrom(q));
  return out;
}

std::optional<Photo> LibraryDatabase::photoByPath(const QString& path) {
  QSqlQuery q = prepare(m_db, QStringLiteral("SELECT %1 FROM photos WHERE path = ?").arg(QLatin1String(kPhotoColumns)));
  q.addBindValue(path);
  run(q, "cannot read photo");
  if (!q.next()) return std::nullopt;
  return photoFrom(q);
}

std::optional<Photo> LibraryDatabase::photoById(qint64 id) {
  QSqlQuery q = prepare(m_db, QStringLiteral("SELECT %1 FROM photos WHERE id = ?").arg(QLatin1String(kPhotoColumns)));
  q.addBindValue(id);
  run(q, "cannot read photo");
  if (!q.next()) return std::nullopt;
  return photoFrom(q);
}

qint64 LibraryDatabase::insertPhoto(const Photo& p) {
  QSqlQuery q = prepare(
      m_db,
      QStringLiteral("INSERT INTO photos(folder_id, path, size, mtime, hash, width, height, taken_at, status, error) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  q.addBindValue(p.folderId);
  q.addBindValue(p.path);
  q.addBindValue(p.size);
  q.addBindValue(p.mtimeMs);
  q.addBindValue(p.hash.isEmpty() ? QVariant() : QVariant(p.hash));
  q.addBindValue(p.width);
  q.addBindValue(p.height);
  q.addBindValue(p.takenAtMs ? QVariant(*p.takenAtMs) : QVariant());
  q.addBindValue(static_cast<int>(p.status));
  q.addBindValue(p.error.isEmpty() ? QVariant() : QVariant(p.error));
  run(q, "cannot add photo");
  return q.lastInsertId().toLongLong();
}

void LibraryDatabase::updateFileState(qint64 id, qint64 size, qint64 mtimeMs) {
  // New bytes: whether the vectors and captions still describe the pixels is known only once the
  // file is read (settleContent); until then the vectors are left out of every search. The hash
  // goes (it no longer identifies the file for move detection); the pixel hash stays to compare.
  QSqlQuery q = prepare(m_db, QStringLiteral("UPDATE photos SET size = ?, mtime = ?, hash = NULL, error = NULL, "
                                             "status = 0, changed = 1 WHERE id = ?"));
  q.addBindValue(size);
  q.addBindValue(mtimeMs);
  q.addBindValue(id);
  run(q, "cannot update photo");
}

bool LibraryDatabase::settleContent(const Photo& photo, const Content& content) {
  Savepoint sp(m_db);
  const bool samePixels = !photo.pixelHash.isEmpty() && photo.pixelHash == content.pixelHash;
  const bool keep = !photo.changed || samePixels;
  if (!keep) {
    for (const char* sql : {"DELETE FROM embeddings WHERE photo_id = ?",
                            "DELETE FROM captions WHERE photo_id = ? AND source <> 'metadata'"}) {
      QSqlQuery d = prepare(m_db, QString::fromUtf8(sql));
      d.addBindValue(photo.id);
      run(d, "cannot update photo");
    }
  }
  QSqlQuery q = prepare(m_db, QStringLiteral("UPDATE photos SET hash = ?, pixel_hash = ?, width = ?, height = ?, "
                                             "taken_at = ?, error = NULL, changed = 0 WHERE id = ?"));
  q.addBindValue(content.hash);
  q.addBindValue(content.pixelHash.isEmpty() ? QVariant() : QVariant(content.pixelHash));
  q.addBindValue(content.width);
  q.addBindValue(content.height);
  q.addBindValue(content.takenAtMs ? QVariant(*content.takenAtMs) : QVariant());
  q.addBindValue(photo.id);
  run(q, "cannot update photo");
  replaceMetadataCaptions(photo.id, content.descriptions);
  sp.release();
  return keep;
}

void LibraryDatabase::recordMetadataWrite(qint64 id, qint64 size, qint64 mtimeMs, const QString& hash,
                                          const QList<QPair<QString, QString>>& descriptions) {
  Savepoint sp(m_db);
  QSqlQuery q =
      prepare(m_db, QStringLiteral("UPDATE photos SET size = ?, mtime = ?, hash = ? WHERE id = ? AND changed = 0"));
  q.addBindValue(size);
  q.addBindValue(mtimeMs);
  q.addBindValue(hash.isEmpty() ? QVariant() : QVariant(hash));
  q.addBindValue(id);
  run(q, "cannot update photo");
  replaceMetadataCaptions(id, descriptions);
  sp.release();
}

void LibraryDatabase::movePhoto(qint64 id, qint64 folderId, const QString& newPath, qint64 mtimeMs) {
  QSqlQuery q =
      prepare(m_db, QStringLiteral("UPDATE photos SET folder_id = ?, path = ?, mtime = ?, status = 0 WHERE id = ?"));
  q.addBindValue(folderId);
  q.addBindValue(newPath);
  q.addBindValue(mtimeMs);
  q.addBindValue(id);
  run(q, "cannot move photo");
}

void LibraryDatabase::setStatus(qint64 id, PhotoStatus status) {
  QSqlQuery q = prepare(m_db, QStringLiteral("UPDATE photos SET status = ? WHERE id = ?"));
  q.addBindValue(static_cast<int>(status));
  q.addBindValue(id);
  run(q, "cannot update photo");
}

void LibraryDatabase::setContentInfo(qint64 id, const QString& hash, int width, int height,
                                     std::optional<qint64> takenAtMs) {
  QSqlQuery q = prepare(
      m_db,
      QStringLiteral("UPDATE photos SET hash = ?, width = ?, height = ?, taken_at = ?, error = NULL WHERE id = ?"));
  q.addBindValue(hash);
  q.addBindValue(width);
  q.addBindValue(height);
  q.addBindValue(takenAtMs ? QVariant(*takenAtMs) : QVariant());
  q.addBindValue(id);
  run(q, "cannot update photo");
}

void LibraryDatabase::setError(qint64 id, const QString& error) {
  QSqlQuery q = prepare(m_db, QStringLiteral("UPDATE photos SET error = ? WHERE id = ?"));
  q.addBindValue(error);
  q.addBindValue(id);
  run(q, "cannot update photo");
}

void LibraryDatabase::deletePhoto(qint64 id) {
  QSqlQuery q = prepare(m_db, QStringLiteral("DELETE FROM photos WHERE id = ?"));
  q.addBindValue(id);
  run(q, "cannot delete photo");
}

void LibraryDatabase::putEmbedding(qint64 photoId, const QString& model, const std::vector<float>& vector) {
  QSqlQuery q = prepare(
      m_db, QStringLiteral("INSERT OR REPLACE INTO embeddings(photo_id, model, dim, vector) VALUES (?, ?, ?, ?)"));
  q.addBindValue(photoId);
  q.addBindValue(model);
  q.addBindValue(static_cast<int>(vector.size()));
  q.addBindValue(pack(vector));
  run(q, "cannot store embedding");
}

QString LibraryDatabase::usableVector(const QString& model, const char* alias) {
  // The model's dim: the most common dim among rows whose blob length agrees with their dim.
  QSqlQuery q = prepare(
      m_db, QStringLiteral("SELECT dim FROM embeddings WHERE model = ? AND dim > 0 AND length(vector) = 4 * dim "
                           "GROUP BY dim ORDER BY count(*) DESC, dim LIMIT 1"));
  q.addBindValue(model);
  run(q, "cannot read embeddings");
  const qint64 dim = q.next() ? q.value(0).toLongLong() : 0;
  if (dim <= 0) return QStringLiteral("0");
  return QStringLiteral("(%1.dim = %2 AND typeof(%1.vector) = 'blob' AND length(%1.vector) = %3)")
      .arg(QLatin1String(alias))
      .arg(dim)
      .arg(dim * 4);
}

std::optional<std::vector<float>> LibraryDatabase::embedding(qint64 photoId, const QString& model) {
  // One vector on its own: usable when its blob holds `dim` floats.
  QSqlQuery q =
      prepare(m_db, QStringLiteral("SELECT dim, vector FROM embeddings WHERE photo_id = ? AND model = ? AND dim > 0 "
                                   "AND typeof(vector) = 'blob' AND length(vector) = 4 * dim "
                                   "AND NOT EXISTS (SELECT 1 FROM photos WHERE id = photo_id AND changed = 1)"));
  q.addBindValue(photoId);
  q.addBindValue(model);
  run(q, "cannot read embedding");
  if (!q.next()) return std::nullopt;  // none, or a damaged one that indexing replaces
  const int dim = q.value(0).toInt();
  const QByteArray blob = q.value(1).toByteArray();
  std::vector<float> v(static_cast<size_t>(dim));
  std::memcpy(v.data(), blob.constData(), blob.size());
  return v;
}

QList<Photo> LibraryDatabase::photosWithoutEmbedding(const QString& model) {
  QSqlQuery q = prepare(
      m_db, QStringLiteral("SELECT %1 FROM photos p WHERE p.error IS NULL AND p.status = 0 AND (p.changed = 1 OR NOT "
                           "EXISTS (SELECT 1 FROM embeddings e WHERE e.photo_id = p.id AND e.model = ? AND %2)) ORDER "
                           "BY p.id")
                .arg(QLatin1String(kPhotoColumns), usableVector(model, "e")));
  q.addBindValue(model);
  run(q, "cannot list photos");
  QList<Photo> out;
  while (q.next()) out.push_back(photoFrom(q));
  return out;
}

std::vector<LibraryDatabase::VectorRow> LibraryDatabase::allEmbeddings(const QString& model, int* dim,
                                                                       std::vector<float>* data) {
  QSqlQuery q = prepare(
      m_db,
      QStringLiteral("SELECT e.photo_id, p.folder_id, p.path, coalesce(p.taken_at, p.mtime), p.status, e.dim, e.vector "
                     "FROM embeddings e JOIN photos p ON p.id = e.photo_id WHERE e.model = ? AND p.changed = 0 AND %1 "
                     "ORDER BY e.photo_id")
          .arg(usableVector(model, "e")));
  q.setForwardOnly(true);
  q.addBindValue(model);
  run(q, "cannot read embeddings");
  std::vector<VectorRow> rows;
  *dim = 0;
  data->clear();
  while (q.next()) {
    const int d = q.value(5).toInt();
    const QByteArray blob = q.value(6).toByteArray();
    if (*dim == 0) *dim = d;
    if (d != *dim || blob.size() != static_cast<qsizetype>(d * sizeof(float)))
      continue;  // the query keeps only usable rows
    rows.push_back({q.value(0).toLongLong(), q.value(1).toLongLong(), q.value(2).toString(), q.value(3).toLongLong(),
                    q.value(4).toInt() != 0, QString()});
    const size_t at = data->size();
    data->resize(at + static_cast<size_t>(d));
    std::memcpy(data->data() + at, blob.constData(), blob.size());
  }
  return rows;
}

std::vector<LibraryDatabase::VectorRow> LibraryDatabase::photoRows() {
  QSqlQuery q =
      prepare(m_db, QStringLiteral("SELECT id, folder_id, path, coalesce(taken_at, mtime), status, coalesce(error, '') "
                                   "FROM photos ORDER BY id"));
  q.setForwardOnly(true);
  run(q, "cannot list photos");
  std::vector<VectorRow> rows;
  while (q.next())
    rows.push_back({q.value(0).toLongLong(), q.value(1).toLongLong(), q.value(2).toString(), q.value(3).toLongLong(),
                    q.value(4).toInt() != 0, q.value(5).toString()});
  return rows;
}

void LibraryDatabase::deleteEmbeddingsNotOf(const QString& model) {
  QSqlQuery q = prepare(m_db, QStringLiteral("DELETE FROM embeddings WHERE model <> ?"));
  q.addBindValue(model);
  run(q, "cannot delete embeddings");
}

QList<QPair<qint64, qint64>> LibraryDatabase::sameContentPairs() {
  // Each photo is linked to the lowest id of its hash (or pixel hash): a chain per content.
  QList<QPair<qint64, qint64>> out;
  for (const char* column : {"hash", "pixel_hash"}) {
    QSqlQuery q =
        prepare(m_db, QStringLiteral("SELECT d.first, p.id FROM photos p JOIN ("
                                     "  SELECT %1 AS h, min(id) AS first FROM photos"
                                     "  WHERE %1 <> '' AND changed = 0 GROUP BY %1 HAVING count(*) > 1"
                                     ") d ON p.%1 = d.h WHERE p.changed = 0 AND p.id <> d.first ORDER BY p.id")
                          .arg(QLatin1String(column)));
    q.setForwardOnly(true);
    run(q, "cannot read content hashes");
    while (q.next()) out.push_back({q.value(0).toLongLong(), q.value(1).toLongLong()});
  }
  return out;
}

QList<QPair<QString, int>> LibraryDatabase::embeddingModels() {
  QSqlQuery q = prepare(
      m_db, QStringLiteral("SELECT model, count(*) AS n FROM embeddings GROUP BY model ORDER BY n DESC, model"));
  run(q, "cannot read embeddings");
  QList<QPair<QString, int>> out;
  while (q.next()) out.push_back({q.value(0).toString(), q.value(1).toInt()});
  return out;
}

int LibraryDatabase::photosOnlyEmbeddedByOthers(const QString& model) {
  QSqlQuery q = prepare(m_db, QStringLiteral("SELECT count(DISTINCT o.photo_id) FROM embeddings o WHERE o.model <> ? "
                                             "AND NOT EXISTS (SELECT 1 FROM embeddings e WHERE e.photo_id = "
                                             "o.photo_id AND e.model = ? AND %1)")
                                  .arg(usableVector(model, "e")));
  q.addBindValue(model);
  q.addBindValue(model);
  run(q, "cannot read embeddings");
  return q.next() ? q.value(0).toInt() : 0;
}

QStringList LibraryDatabase::embeddingModelsOf(qint64 photoId) {
  QSqlQuery q = prepare(m_db, QStringLiteral("SELECT model FROM embeddings WHERE photo_id = ? ORDER BY model"));
  q.addBindValue(photoId);
  run(q, "cannot read embeddings");
  QStringList out;
  while (q.next()) out << q.value(0).toString();
  return out;
}

QString captionSourceKey(CaptionSource source) {
  switch (source) {
    case CaptionSource::Edited:
      return QStringLiteral("edited");
    case CaptionSource::Metadata:
      return QStringLiteral("metadata");
    case CaptionSource::Generated:
      break;
  }
  return QStringLiteral("generated");
}

std::optional<CaptionSource> parseCaptionSource(const QString& key) {
  for (CaptionSource s : {CaptionSource::Generated, CaptionSource::Edited, CaptionSource::Metadata})
    if (key == captionSourceKey(s)) return s;
  return std::nullopt;
}

qint64 LibraryDatabase::addCaption(qint64 photoId, const QString& text, CaptionSource source, const QString& model,
                                   const QString& parameters, std::optional<double> score,
                                   std::optional<CaptionCheck> check) {
  QSqlQuery q =
      prepare(m_db, QStringLiteral("INSERT INTO captions(photo_id, text, model, parameters, created_at, "
                                   "source, origin, score, itm, itc) VALUES (?, ?, ?, ?, ?, ?, '', ?, ?, ?)"));
  q.addBindValue(photoId);
  q.addBindValue(text);
  q.addBindValue(model.isNull() ? QStringLiteral("") : model);  // NOT NULL
  q.addBindValue(parameters.isEmpty() ? QStringLiteral("{}") : parameters);
  q.addBindValue(QDateTime::currentMSecsSinceEpoch());
  q.addBindValue(captionSourceKey(source));
  q.addBindValue(score ? QVariant(*score) : QVariant());
  q.addBindValue(check ? QVariant(check->itm) : QVariant());
  q.addBindValue(check ? QVariant(check->itc) : QVariant());
  run(q, "cannot store caption");
  return q.lastInsertId().toLongLong();
}

void LibraryDatabase::setCaptionTranslation(qint64 captionId, const QString& translation, const QString& language) {
  QSqlQuery q =
      prepare(m_db, QStringLiteral("UPDATE captions SET translation = ?, translation_language = ? WHERE id = ?"));
  q.addBindValue(translation);
  q.addBindValue(language);
  q.addBindValue(captionId);
  run(q, "cannot store the caption's translation");
}

QList<Caption> LibraryDatabase::captions(qint64 photoId) {
  QSqlQuery q = prepare(m_db, QStringLiteral("SELECT %1 FROM captions c WHERE c.photo_id = ? ORDER BY c.id")
                                  .arg(QLatin1String(kCaptionColumns)));
  q.addBindValue(photoId);
  run(q, "cannot read captions");
  QList<Caption> out;
  while (q.next()) out.push_back(captionFrom(q, 0));
  return out;
}

void LibraryDatabase::deleteCaptions(qint64 photoId, CaptionSource source) {
  QSqlQuery q = prepare(m_db, QStringLiteral("DELETE FROM captions WHERE photo_id = ? AND source = ?"));
  q.addBindValue(photoId);
  q.addBindValue(captionSourceKey(source));
  run(q, "cannot delete captions");
}

void LibraryDatabase::replaceMetadataCaptions(qint64 photoId, const QList<QPair<QString, QString>>& textAndOrigin) {
  Savepoint sp(m_db);
  deleteCaptions(photoId, CaptionSource::Metadata);
  const qint64 now = QDateTime::currentMSecsSinceEpoch();
  for (const auto& [text, origin] : textAndOrigin) {
    QSqlQuery q = prepare(m_db, QStringLiteral("INSERT INTO captions(photo_id, text, model, parameters, created_at, "
                                               "source, origin) VALUES (?, ?, '', '{}', ?, 'metadata', ?)"));
    q.addBindValue(photoId);
    q.addBindValue(text);
    q.addBindValue(now);
    q.addBindValue(origin.isNull() ? QStringLiteral("") : origin);
    run(q, "cannot store caption");
  }
  sp.release();
}

void LibraryDatabase::setEditedCaption(qint64 photoId, const QString& text) {
  Savepoint sp(m_db);
  deleteCaptions(photoId, CaptionSource::Edited);
  if (!text.trimmed().isEmpty()) addCaption(photoId, text.trimmed(), CaptionSource::Edited, QString(), QString());
  sp.release();
}

std::optional<Caption> LibraryDatabase::preferredCaption(qint64 photoId) {
  QSqlQuery q = prepare(m_db, QStringLiteral("SELECT %1 FROM captions c WHERE c.photo_id = ? ORDER BY %2 LIMIT 1")
                                  .arg(QLatin1String(kCaptionColumns), QLatin1String(kPreferenceOrder)));
  q.addBindValue(photoId);
  run(q, "cannot read captions");
  if (!q.next()) return std::nullopt;
  return captionFrom(q, 0);
}

QList<Photo> LibraryDatabase::captionablePhotos(const QStringList& folders, bool withGenerated) {
  QVariantList binds;
  const QString inFolders = folderCondition(folders, &binds);
  QSqlQuery q = prepare(
      m_db,
      QStringLiteral("SELECT %1 FROM photos p WHERE p.error IS NULL AND p.status = 0 AND %2 AND %3 ORDER BY p.path")
          .arg(QLatin1String(kPhotoColumnsP), inFolders,
               withGenerated ? QStringLiteral("1")
                             : QStringLiteral("(p.changed = 1 OR NOT EXISTS (SELECT 1 FROM captions c WHERE "
                                              "c.photo_id = p.id AND c.source = 'generated'))")));
  for (const QVariant& b : binds) q.addBindValue(b);
  run(q, "cannot list photos");
  QList<Photo> out;
  while (q.next()) out.push_back(photoFrom(q));
  return out;
}

std::vector<CaptionRow> LibraryDatabase::preferredCaptions(const QStringList& folders) {
  QVariantList binds;
  const QString inFolders = folderCondition(folders, &binds);
  // The first caption of each photo in preference order (a window over the photo's captions).
  QSqlQuery q = prepare(
      m_db,
      QStringLiteral("SELECT * FROM (SELECT %1, %2, row_number() OVER (PARTITION BY c.photo_id ORDER BY %3) AS "
                     "pick FROM captions c JOIN photos p ON p.id = c.photo_id WHERE %4) WHERE pick = 1 ORDER BY 3")
          .arg(QLatin1String(kPhotoColumnsP), QLatin1String(kCaptionColumns), QLatin1String(kPreferenceOrder),
               inFolders));
  q.setForwardOnly(true);
  for (const QVariant& b : binds) q.addBindValue(b);
  run(q, "cannot read captions");
  std::vector<CaptionRow> out;
  while (q.next()) out.push_back({photoFrom(q), captionFrom(q, 13)});
  return out;
}

std::vector<CaptionRow> LibraryDatabase::checkedCaptions(int limit) {
  // The newest generated caption of each photo, when it carries a self-check.
  QSqlQuery q = prepare(
      m_db, QStringLiteral("SELECT * FROM (SELECT %1, %2, row_number() OVER (PARTITION BY c.photo_id ORDER BY "
                           "c.created_at DESC, c.id DESC) AS pick FROM captions c JOIN photos p ON p.id = c.photo_id "
                           "WHERE c.source = 'generated') WHERE pick = 1 AND itm IS NOT NULL ORDER BY itm, 3 LIMIT ?")
                .arg(QLatin1String(kPhotoColumnsP), QLatin1String(kCaptionColumns)));
  q.setForwardOnly(true);
  q.addBindValue(limit);
  run(q, "cannot read captions");
  std::vector<CaptionRow> out;
  while (q.next()) out.push_back({photoFrom(q), captionFrom(q, 13)});
  return out;
}

QList<qint64> LibraryDatabase::textMatches(const QString& query, int limit, const QString& language) {
  // Words of the query without the small words every description has in the query's language
  // ("a dog on the beach", "ein Hund am Strand"); an English "die" or "am" is a word.
  const QSet<QString>& stopwords = translation::matchStopwords(language);
  if (m_textIndexPending) readOnlyTextIndex();
  QStringList words;
  for (const QString& w : query.toLower().split(QRegularExpression(QStringLiteral("[^\\w]+")), Qt::SkipEmptyParts))
    if (!stopwords.contains(w)) words << w;
  QList<qint64> out;
  if (words.isEmpty()) return out;
  QSqlQuery q(m_db);
  if (m_fts) {
    // Every word as a quoted prefix term: "word"* AND ...
    QStringList terms;
    for (const QString& w : words)
      terms << QLatin1Char('"') + QString(w).replace(QLatin1Char('"'), QString()) + QStringLiteral("\"*");
    q = prepare(m_db, QStringLiteral("SELECT rowid FROM photo_text WHERE photo_text MATCH ? ORDER BY rank LIMIT ?"));
    q.addBindValue(terms.join(QStringLiteral(" AND ")));
  } else {
    QStringList conds;
    for (int i = 0; i < words.size(); ++i)
      conds << QStringLiteral(
          "(p.path LIKE ? OR EXISTS (SELECT 1 FROM captions c WHERE c.photo_id = p.id AND "
          "(c.text LIKE ? OR c.translation LIKE ?)))");
    q = prepare(m_db,
                QStringLiteral("SELECT p.id FROM photos p WHERE %1 LIMIT ?").arg(conds.join(QStringLiteral(" AND "))));
    for (const QString& w : words)
      for (int i = 0; i < 3; ++i) q.addBindValue(QLatin1Char('%') + w + QLatin1Char('%'));
  }
  q.addBindValue(limit);
  run(q, "cannot search text");
  while (q.next()) out.push_back(q.value(0).toLongLong());
  return out;
}

LibraryStatus LibraryDatabase::status(const QString& model) {
  LibraryStatus s;
  QSqlQuery q = prepare(
      m_db,
      QStringLiteral("SELECT (SELECT count(*) FROM folders), (SELECT count(*) FROM photos), (SELECT "
                     "count(*) FROM photos WHERE status = 1), "
                     "(SELECT count(*) FROM photos WHERE error IS NOT NULL), (SELECT count(*) FROM "
                     "embeddings e JOIN photos p ON p.id = e.photo_id WHERE e.model = ? AND p.changed = 0 AND %1), "
                     "(SELECT count(*) FROM captions), (SELECT coalesce(sum(size), 0) FROM photos)")
          .arg(usableVector(model, "e")));
  q.addBindValue(model);
  run(q, "cannot read library status");
  if (q.next()) {
    s.folders = q.value(0).toInt();
    s.photos = q.value(1).toInt();
    s.offline = q.value(2).toInt();
    s.failed = q.value(3).toInt();
    s.embedded = q.value(4).toInt();
    s.captions = q.value(5).toInt();
    s.bytes = q.value(6).toLongLong();
  }
  return s;
}

}  // namespace glimpse::library
