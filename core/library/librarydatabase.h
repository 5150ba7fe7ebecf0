#pragma once
// The photo library's SQLite database (Qt SQL): one file, WAL, foreign keys, a schema version
// table with numbered migrations run in transactions. All access to the file goes through here.
#include <QDateTime>
#include <QList>
#include <QPair>
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
  // SHA-256 of the decoded RGB pixels (what the model sees), hex; empty until read. A file whose
  // bytes change but whose pixels hash the same (metadata written into it) keeps its vectors and
  // generated/edited captions.
  QString pixelHash;
  // The file changed on disk (size or mtime) and has not been read since: its vectors are not
  // searched until the content step (Indexer, LibraryCaptioner) decides whether they still hold.
  bool changed = false;
};

// Where a caption comes from. Generated: made by a model in Glimpse; edited: written by a person
// in Glimpse (one per photo); metadata: a description found in the file or its XMP sidecar.
enum class CaptionSource { Generated, Edited, Metadata };
QString captionSourceKey(CaptionSource source);  // "generated", "edited", "metadata"
std::optional<CaptionSource> parseCaptionSource(const QString& key);

struct Caption {
  qint64 id = 0;
  qint64 photoId = 0;
  QString text;
  QString model;
  QString parameters;  // JSON of the generation settings
  QDateTime created;
  CaptionSource source = CaptionSource::Generated;
  // Metadata captions: where the text was found ("Xmp.dc.description", "Exif.Image.ImageDescription",
  // "Iptc.Application2.Caption", "sidecar:NAME.xmp"); empty for the others.
  QString origin;
  std::optional<double> score;  // a quality score of the caption, when one was computed
  // The self-check (captions/selfcheck.h): how well a retrieval head thinks the caption describes
  // its photo, ITM match probability and ITC cosine; unset when it was not checked.
  std::optional<double> itm;
  std::optional<double> itc;
  // Generated captions shown in another language: the translation of `text` (which stays the
  // model's English original) and its language code; empty when not translated.
  QString translation;
  QString translationLanguage;
};

// A self-check's scores of a caption, stored with it.
struct CaptionCheck {
  double itm = 0.0;
  double itc = 0.0;
};

// A photo with the caption that stands for it (preferredCaption()).
struct CaptionRow {
  Photo photo;
  Caption caption;
};

struct LibraryStatus {
  int folders = 0;
  int photos = 0;
  int offline = 0;
  int failed = 0;
  int embedded = 0;  // photos with a vector of the given model
  int captions = 0;  // caption rows of every source (generated, edited and metadata)
  qint64 bytes = 0;
};

class LibraryDatabase {
 public:
  static constexpr int kSchemaVersion = 6;

  enum class Access {
    ReadWrite,  // creates the file if needed and migrates older schemas
    ReadOnly,   // for commands that only read: works on write-protected files (a missing file is created);
                // an older schema is read through the current layout without migrating or writing
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
  // The file changed on disk: records size and mtime, clears the error and marks the photo
  // changed. Its vectors stop counting (search, similar) until settleContent() decides.
  void updateFileState(qint64 id, qint64 size, qint64 mtimeMs);
  void movePhoto(qint64 id, qint64 folderId, const QString& newPath, qint64 mtimeMs);
  void setStatus(qint64 id, PhotoStatus status);
  void setContentInfo(qint64 id, const QString& hash, int width, int height, std::optional<qint64> takenAtMs);
  void setError(qint64 id, const QString& error);
  // What reading a photo found: records the file hash, pixel hash, size and capture time, clears
  // the changed mark and error, and replaces the metadata captions. For a changed photo whose
  // pixels hash differently from the stored pixel hash (or have none stored), its vectors and
  // generated/edited captions are dropped first: they describe pixels that are gone. Returns
  // whether they were kept. One savepoint: all or nothing.
  struct Content {
    QString hash;
    QString pixelHash;
    int width = 0;
    int height = 0;
    std::optional<qint64> takenAtMs;
    QList<QPair<QString, QString>> descriptions;  // metadata captions: text, origin
  };
  bool settleContent(const Photo& photo, const Content& content);
  // Glimpse wrote a caption into the photo's metadata and checked that the pixels are unchanged:
  // the new file state is recorded without marking the photo changed (its vectors and captions
  // hold), and its metadata captions are replaced by what the file says now.
  void recordMetadataWrite(qint64 id, qint64 size, qint64 mtimeMs, const QString& hash,
                           const QList<QPair<QString, QString>>& descriptions);
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
    QString error;  // photoRows only: why the file could not be used (empty: it could)
  };
  // Every photo of the library (with a vector or not), in photo-id order: what browsing filters.
  std::vector<VectorRow> photoRows();
  // Every vector of `model`, rows in photo-id order; `data` holds rows * dim floats.
  std::vector<VectorRow> allEmbeddings(const QString& model, int* dim, std::vector<float>* data);
  void deleteEmbeddingsNotOf(const QString& model);
  // Model ids with vectors in the library and how many each has, most first.
  QList<QPair<QString, int>> embeddingModels();
  // Photos that have vectors of other models but no usable one of `model`: a search with
  // `model` cannot find them until they are indexed again.
  int photosOnlyEmbeddedByOthers(const QString& model);
  // Model ids of one photo's vectors.
  QStringList embeddingModelsOf(qint64 photoId);
  // Photos with the same content: pairs of photo ids (first < second) whose files have the same
  // SHA-256, or whose decoded pixels do; photos changed since they were read are left out.
  QList<QPair<qint64, qint64>> sameContentPairs();

  // Captions
  qint64 addCaption(qint64 photoId, const QString& text, CaptionSource source, const QString& model,
                    const QString& parameters, std::optional<double> score = {},
                    std::optional<CaptionCheck> check = {});
  // Keeps a translation of a caption beside its original text (the text stays as it is).
  void setCaptionTranslation(qint64 captionId, const QString& translation, const QString& language);
  QList<Caption> captions(qint64 photoId);  // in id order
  void deleteCaptions(qint64 photoId, CaptionSource source);
  // Replaces all metadata captions of the photo (text, origin), in one savepoint.
  void replaceMetadataCaptions(qint64 photoId, const QList<QPair<QString, QString>>& textAndOrigin);
  // The one edited caption of a photo, replaced; empty (or blank) text removes it.
  void setEditedCaption(qint64 photoId, const QString& text);
  // The caption that stands for the photo: the edited one, else the newest generated one, else a
  // metadata one in the order Xmp > Exif > Iptc > sidecar.
  std::optional<Caption> preferredCaption(qint64 photoId);
  // Photos to caption: ok, without an error, below one of `folders` (library folder paths; all
  // when empty), in path order; with `withGenerated` false only those without a generated
  // caption, plus changed photos (whether their caption still holds is decided when read).
  QList<Photo> captionablePhotos(const QStringList& folders, bool withGenerated);
  QList<Photo> photosWithoutGeneratedCaption(const QStringList& folders) { return captionablePhotos(folders, false); }
  // Every photo below `folders` (all when empty) that has a caption, with its preferred one, in
  // path order (for export).
  std::vector<CaptionRow> preferredCaptions(const QStringList& folders);
  // Photos whose newest generated caption was self-checked, least confident (lowest ITM) first.
  std::vector<CaptionRow> checkedCaptions(int limit);

  // Caption text and file names: photo ids whose name or caption (its English text or its
  // translation, v6) matches every word of `query`, leaving out the small words of `language`,
  // the query's language (translation::matchStopwords).
  QList<qint64> textMatches(const QString& query, int limit, const QString& language = QStringLiteral("en"));

  LibraryStatus status(const QString& model = {});

  // Transactions for batched writes.
  void begin();
  void commit();
  void rollback();

 private:
  void exec(const QString& sql);
  void migrate();
  void readAsCurrent(int version);
  void readOnlyTextIndex();
  std::optional<int> readSchemaVersion();                         // nullopt: the table is damaged
  QString usableVector(const QString& model, const char* alias);  // SQL condition on a row
  QSqlDatabase m_db;
  QString m_path;
  QString m_connection;
  bool m_fts = false;
  bool m_textIndexPending = false;  // read-only, older schema: textMatches builds the index first
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
