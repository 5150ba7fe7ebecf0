#pragma once
// The photo library's SQLite database (Qt SQL): one file, WAL, foreign keys, a schema version
// table with numbered migrations run in transactions. All access to the file goes through here.
#include <QDateTime>
#include <QList>
#include <QSqlDatabase>
#include <QString>
#include <QStringList>
#include <optional>
#include <stdexcept>
#include <vector>

namespace glimpse::library {

class LibraryError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Folder {
  qint64 id = 0;
  QString path;
  QStringList excludes;  // glob patterns, matched against names and paths below the folder
  bool includeHidden = false;
};

enum class PhotoStatus { Ok = 0, Offline = 1 };

struct Photo {
  qint64 id = 0;
  qint64 folderId = 0;
  QString path;
  qint64 size = 0;
  qint64 mtimeMs = 0;
  QString hash;  // SHA-256 of the file, hex; empty until read
  int width = 0;
  int height = 0;
  std::optional<qint64> takenAtMs;  // EXIF DateTimeOriginal, local time as UTC ms
  PhotoStatus status = PhotoStatus::Ok;
  QString error;  // why the file could not be decoded; it is skipped until it changes
};

struct Caption {
  qint64 id = 0;
  qint64 photoId = 0;
  QString text;
  QString model;
  QString parameters;  // JSON of the generation settings
  QDateTime created;
};

struct LibraryStatus {
  int folders = 0;
  int photos = 0;
  int offline = 0;
  int failed = 0;
  int embedded = 0;  // photos with a vector of the given model
  int captions = 0;
  qint64 bytes = 0;
};

class LibraryDatabase {
 public:
  static constexpr int kSchemaVersion = 2;

  enum class Access {
    ReadWrite,  // creates the file if needed and migrates older schemas
    ReadOnly,   // for commands that only read: works on write-protected files (a missing file is created)
  };

  // Opens and migrates. Throws LibraryError when the name is not a file name (empty, ":memory:",
  // an SQLite "file:" URI), the file is not a Glimpse library, is damaged (schema version), is
  // from a newer Glimpse, or cannot be opened or written.
  explicit LibraryDatabase(const QString& path, Access access = Access::ReadWrite);
  ~LibraryDatabase();
  LibraryDatabase(const LibraryDatabase&) = delete;
  LibraryDatabase& operator=(const LibraryDatabase&) = delete;

  QString path() const { return m_path; }
  int schemaVersion();
  bool hasFullTextSearch() const { return m_fts; }

  // Folders
  qint64 addFolder(const QString& path, const QStringList& excludes = {}, bool includeHidden = false);
  // Drops the folder and everything known about its photos, except photos that lie below another
  // folder of the library (a nested or enclosing one): those stay, with their vectors and captions.
  bool forgetFolder(const QString& path);
  QList<Folder> folders();

  // Photos
  QList<Photo> photosInFolder(qint64 folderId);
  std::optional<Photo> photoByPath(const QString& path);
  std::optional<Photo> photoById(qint64 id);
  qint64 insertPhoto(const Photo& photo);
  void updateFileState(qint64 id, qint64 size, qint64 mtimeMs);  // content changed: clears derived data
  void movePhoto(qint64 id, qint64 folderId, const QString& newPath, qint64 mtimeMs);
  void setStatus(qint64 id, PhotoStatus status);
  void setContentInfo(qint64 id, const QString& hash, int width, int height, std::optional<qint64> takenAtMs);
  void setError(qint64 id, const QString& error);
  void deletePhoto(qint64 id);

  // Embeddings: float32 vectors stamped with the model id.
  void putEmbedding(qint64 photoId, const QString& model, const std::vector<float>& vector);
  // Nothing when the row is missing or its blob does not hold `dim` floats.
  std::optional<std::vector<float>> embedding(qint64 photoId, const QString& model);
  // Photos (ok or offline, without an error) that have no usable vector of `model` yet. A vector
  // row is usable when its blob holds `dim` floats and `dim` is the model's (the most common
  // usable dim of that model); damaged rows count as missing, so indexing replaces them.
  QList<Photo> photosWithoutEmbedding(const QString& model);
  struct VectorRow {
    qint64 photoId;
    qint64 folderId;
    QString path;
    qint64 dateMs;  // taken-at, else mtime
    bool offline;
  };
  // Every vector of `model`, rows in photo-id order; `data` holds rows * dim floats.
  std::vector<VectorRow> allEmbeddings(const QString& model, int* dim, std::vector<float>* data);
  void deleteEmbeddingsNotOf(const QString& model);
  // Model ids with vectors in the library and how many each has, most first.
  QList<QPair<QString, int>> embeddingModels();
  // Model ids of one photo's vectors.
  QStringList embeddingModelsOf(qint64 photoId);

  // Captions
  qint64 addCaption(qint64 photoId, const QString& text, const QString& model, const QString& parameters);
  QList<Caption> captions(qint64 photoId);

  // Caption text and file names: photo ids whose name or caption matches every word of `query`.
  QList<qint64> textMatches(const QString& query, int limit);

  LibraryStatus status(const QString& model = {});

  // Transactions for batched writes.
  void begin();
  void commit();
  void rollback();

 private:
  void exec(const QString& sql);
  void migrate();
  std::optional<int> readSchemaVersion();                         // nullopt: the table is damaged
  QString usableVector(const QString& model, const char* alias);  // SQL condition on a row
  QSqlDatabase m_db;
  QString m_path;
  QString m_connection;
  bool m_fts = false;
  bool m_readOnly = false;
};

// RAII transaction: rolls back unless committed.
class Transaction {
 public:
  explicit Transaction(LibraryDatabase& db) : m_db(db) { m_db.begin(); }
  ~Transaction() {
    if (!m_done) {
      try {
        m_db.rollback();
      } catch (...) {
      }
    }
  }
  void commit() {
    m_db.commit();
    m_done = true;
  }

 private:
  LibraryDatabase& m_db;
  bool m_done = false;
};

}  // namespace glimpse::library
