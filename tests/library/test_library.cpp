// The photo library: database and migrations, scanner, indexer and search, on real SQLite files,
// generated photo folders and the tiny reference models. Scores are checked against direct
// computations with the engine.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>
#include <QCoreApplication>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QThread>
#include <algorithm>
#include <csignal>
#include <exiv2/exiv2.hpp>
#include <nlohmann/json.hpp>
#include <sstream>
#include <tuple>

#include "blip.h"
#include "cli_runner.h"
#include "imaging/descriptions.h"
#include "imaging/imagedecoder.h"
#include "io/files.h"
#include "library/indexer.h"
#include "library/librarycaptioner.h"
#include "library/librarydatabase.h"
#include "library/scanner.h"
#include "library/searcher.h"
#include "library_fixtures.h"

using namespace glimpse::library;
using glimpse::test::kTinyModel;
using glimpse::test::runCli;
using glimpse::test::runCliSh;
using glimpse::test::writePhoto;

namespace {

std::shared_ptr<const glimpse::blip::BlipModel> tinyModel() {
  static std::shared_ptr<const glimpse::blip::BlipModel> m = glimpse::blip::BlipModel::load(kTinyModel);
  return m;
}

std::shared_ptr<const glimpse::blip::BlipModel> wideModel() {
  static std::shared_ptr<const glimpse::blip::BlipModel> m = glimpse::blip::BlipModel::load(kTinyModel / "vision_wide");
  return m;
}

// A library on the test's stack, lent to an Indexer or Searcher that does not outlive it.
std::shared_ptr<LibraryDatabase> lend(LibraryDatabase& db) {
  return std::shared_ptr<LibraryDatabase>(std::shared_ptr<void>(), &db);
}

IndexOptions indexOptions(int batchSize, int decodeThreads) {
  IndexOptions o;
  o.batchSize = batchSize;
  o.decodeThreads = decodeThreads;
  return o;
}

// glimpse-cli as an unprivileged user (root ignores file permissions): exit code, stderr + stdout.
std::pair<int, QString> cliAsNobody(const QStringList& args) {
  const auto r =
      ::geteuid() == 0
          ? glimpse::test::runProgram(
                QStringLiteral("setpriv"),
                QStringList{"--reuid=65534", "--regid=65534", "--clear-groups", glimpse::test::cliPath()} + args)
          : runCli(args);
  return {r.code, QString::fromStdString(r.err + r.out)};
}

std::string errorOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const LibraryError& e) {
    return e.what();
  }
  return "<no error>";
}

// Runs an SQL script (statements separated by ";\n") on a new SQLite file.
void runScript(const QString& dbPath, const QString& scriptPath) {
  {
    auto db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("fixture"));
    db.setDatabaseName(dbPath);
    ASSERT_TRUE(db.open());
    QFile f(scriptPath);
    ASSERT_TRUE(f.open(QIODevice::ReadOnly));
    QString script = QString::fromUtf8(f.readAll());
    for (QString stmt : script.split(QStringLiteral(";\n"))) {
      QStringList lines;
      for (const QString& l : stmt.split(QLatin1Char('\n')))
        if (!l.trimmed().startsWith(QLatin1String("--"))) lines << l;
      stmt = lines.join(QLatin1Char('\n')).trimmed();
      if (stmt.isEmpty()) continue;
      QSqlQuery q(db);
      ASSERT_TRUE(q.exec(stmt)) << stmt.toStdString() << ": " << q.lastError().text().toStdString();
    }
    db.close();
  }
  QSqlDatabase::removeDatabase(QStringLiteral("fixture"));
}

void setExifDate(const QString& jpeg, const char* date) {
  auto image = Exiv2::ImageFactory::open(jpeg.toStdString());
  image->readMetadata();
  Exiv2::ExifData exif = image->exifData();
  exif["Exif.Photo.DateTimeOriginal"] = date;
  image->setExifData(exif);
  image->writeMetadata();
}

std::vector<float> directEmbedding(const QString& path) {
  const auto& m = *tinyModel();
  return m.embed_images({m.preprocess(glimpse::imaging::decodeImageFile(path).rgb)}).front();
}

double dot(const std::vector<float>& a, const std::vector<float>& b) {
  double s = 0;
  for (size_t i = 0; i < a.size(); ++i) s += static_cast<double>(a[i]) * b[i];
  return s;
}

// ---- Database ----

TEST(LibraryDatabase, CreatesCurrentSchemaWithWal) {
  QTemporaryDir dir;
  LibraryDatabase db(dir.filePath("lib.db"));
  EXPECT_EQ(db.schemaVersion(), LibraryDatabase::kSchemaVersion);
  EXPECT_TRUE(db.hasFullTextSearch());
  auto raw = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("probe"));
  {
    raw.setDatabaseName(dir.filePath("lib.db"));
    ASSERT_TRUE(raw.open());
    QSqlQuery q(raw);
    ASSERT_TRUE(q.exec(QStringLiteral("PRAGMA journal_mode")) && q.next());
    EXPECT_EQ(q.value(0).toString(), QStringLiteral("wal"));
    raw.close();
  }
  raw = QSqlDatabase();
  QSqlDatabase::removeDatabase(QStringLiteral("probe"));
}

TEST(LibraryDatabase, MigratesSchemaV1Fixture) {
  QTemporaryDir dir;
  const QString path = dir.filePath("old.db");
  runScript(path, QStringLiteral(GLIMPSE_TEST_DATA_DIR "/library/schema_v1.sql"));
  LibraryDatabase db(path);
  EXPECT_EQ(db.schemaVersion(), LibraryDatabase::kSchemaVersion);
  const auto folders = db.folders();
  ASSERT_EQ(folders.size(), 1);
  EXPECT_EQ(folders[0].path, QStringLiteral("/photos/holiday"));
  EXPECT_EQ(folders[0].excludes, QStringList{QStringLiteral("*.tmp")});
  const auto photo = db.photoByPath(QStringLiteral("/photos/holiday/beach_sunset.jpg"));
  ASSERT_TRUE(photo);
  EXPECT_EQ(photo->width, 4000);
  EXPECT_EQ(*photo->takenAtMs, 1689000000000);
  EXPECT_EQ(photo->status, PhotoStatus::Ok);  // new v2 column, default
  EXPECT_TRUE(photo->error.isEmpty());
  const auto v = db.embedding(photo->id, QStringLiteral("blip-itm@0123456789abcdef"));
  ASSERT_TRUE(v);
  EXPECT_EQ(*v, (std::vector<float>{1, 0, 0, 0}));
  EXPECT_EQ(db.captions(photo->id).front().text, QStringLiteral("kids on a beach at sunset"));
  // The full-text index was filled from the existing names and captions.
  EXPECT_EQ(db.textMatches(QStringLiteral("sunset"), 10), QList<qint64>{photo->id});
  EXPECT_EQ(db.textMatches(QStringLiteral("sandcastle"), 10).size(), 1);
  EXPECT_EQ(db.textMatches(QStringLiteral("sand"), 10).size(), 1);  // prefix match
}

TEST(LibraryDatabase, MigratesSchemaV4KeepingCaptionsAndAddingTranslations) {
  QTemporaryDir dir;
  const QString path = dir.filePath("v4.db");
  runScript(path, QStringLiteral(GLIMPSE_TEST_DATA_DIR "/library/schema_v4.sql"));
  LibraryDatabase db(path);
  EXPECT_EQ(db.schemaVersion(), LibraryDatabase::kSchemaVersion);
  const auto beach = db.photoByPath(QStringLiteral("/photos/holiday/beach_sunset.jpg"));
  const auto castle = db.photoByPath(QStringLiteral("/photos/holiday/kids/sandcastle.png"));
  ASSERT_TRUE(beach && castle);
  EXPECT_EQ(beach->pixelHash, QStringLiteral("cc33"));
  const auto caps = db.captions(castle->id);
  ASSERT_EQ(caps.size(), 2);
  EXPECT_EQ(caps[0].source, CaptionSource::Metadata);
  EXPECT_EQ(caps[0].origin, QStringLiteral("Xmp.dc.description"));
  EXPECT_EQ(caps[1].source, CaptionSource::Edited);
  EXPECT_TRUE(caps[0].translation.isEmpty() && caps[0].translationLanguage.isEmpty());
  EXPECT_EQ(db.preferredCaption(castle->id)->text, QStringLiteral("our sandcastle"));
  // A generated caption keeps its English text and gains a translation beside it.
  const auto generated = db.captions(beach->id);
  ASSERT_EQ(generated.size(), 1);
  EXPECT_DOUBLE_EQ(*generated[0].itm, 0.875);  // v4's self-check scores stay
  EXPECT_DOUBLE_EQ(*generated[0].itc, 0.25);
  db.setCaptionTranslation(generated[0].id, QStringLiteral("Kinder an einem Strand bei Sonnenuntergang"),
                           QStringLiteral("de"));
  const auto after = db.captions(beach->id);
  ASSERT_EQ(after.size(), 1);
  EXPECT_EQ(after[0].text, QStringLiteral("kids on a beach at sunset"));
  EXPECT_EQ(after[0].translation, QStringLiteral("Kinder an einem Strand bei Sonnenuntergang"));
  EXPECT_EQ(after[0].translationLanguage, QStringLiteral("de"));
  EXPECT_EQ(db.preferredCaption(beach->id)->translation, after[0].translation);
  EXPECT_EQ(db.textMatches(QStringLiteral("sunset"), 10), QList<qint64>{beach->id});
  EXPECT_EQ(db.textMatches(QStringLiteral("Sonnenuntergang"), 10), QList<qint64>{beach->id});
}

// FTS5 rows of a library file as SQLite holds them, read without Glimpse (no migration).
QList<qint64> rawTextMatches(const QString& path, const QString& match) {
  QList<qint64> out;
  {
    auto raw = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("raw-fts"));
    raw.setDatabaseName(path);
    if (raw.open()) {
      QSqlQuery q(raw);
      q.prepare(QStringLiteral("SELECT rowid FROM photo_text WHERE photo_text MATCH ?"));
      q.addBindValue(match);
      if (q.exec())
        while (q.next()) out << q.value(0).toLongLong();
    }
    raw.close();
  }
  QSqlDatabase::removeDatabase(QStringLiteral("raw-fts"));
  return out;
}

TEST(LibraryDatabase, MigratesSchemaV5PuttingTranslationsInTheTextIndex) {
  QTemporaryDir dir;
  const QString path = dir.filePath("v5.db");
  runScript(path, QStringLiteral(GLIMPSE_TEST_DATA_DIR "/library/schema_v5.sql"));
  // v5 kept the German translation beside the caption, but its text index had only the English.
  EXPECT_TRUE(rawTextMatches(path, QStringLiteral("Strand")).isEmpty());
  EXPECT_EQ(rawTextMatches(path, QStringLiteral("sunset")), QList<qint64>{1});
  LibraryDatabase db(path);
  EXPECT_EQ(db.schemaVersion(), 6);
  const auto beach = db.photoByPath(QStringLiteral("/photos/holiday/beach_sunset.jpg"));
  const auto castle = db.photoByPath(QStringLiteral("/photos/holiday/kids/sandcastle.png"));
  ASSERT_TRUE(beach && castle);
  // Nothing lost: captions, their translations, scores and vectors as v5 had them.
  const auto caps = db.captions(beach->id);
  ASSERT_EQ(caps.size(), 1);
  EXPECT_EQ(caps[0].text, QStringLiteral("kids on a beach at sunset"));
  EXPECT_EQ(caps[0].translation, QStringLiteral("Kinder an einem Strand bei Sonnenuntergang"));
  EXPECT_EQ(caps[0].translationLanguage, QStringLiteral("de"));
  EXPECT_DOUBLE_EQ(*caps[0].itm, 0.875);
  EXPECT_EQ(db.captions(castle->id).size(), 2);
  EXPECT_EQ(db.embedding(castle->id, QStringLiteral("blip-itm@0123456789abcdef")), (std::vector<float>{0, 1, 0, 0}));
  // A German word of the translation finds the photo; the English words still do; small words of
  // either language are left out of the match ("am": the translation says "an einem").
  EXPECT_EQ(db.textMatches(QStringLiteral("Strand"), 10), QList<qint64>{beach->id});
  EXPECT_EQ(db.textMatches(QStringLiteral("sonnenunterg"), 10), QList<qint64>{beach->id});  // prefix
  EXPECT_EQ(db.textMatches(QStringLiteral("Kinder am Strand"), 10, QStringLiteral("de")), QList<qint64>{beach->id});
  EXPECT_EQ(db.textMatches(QStringLiteral("sunset"), 10), QList<qint64>{beach->id});
  EXPECT_EQ(db.textMatches(QStringLiteral("sandcastle"), 10), QList<qint64>{castle->id});
  EXPECT_TRUE(db.textMatches(QStringLiteral("Fahne"), 10).isEmpty());
  // The index follows translations as they are set, replaced and removed.
  db.setCaptionTranslation(2, QStringLiteral("eine Sandburg mit roter Fahne"), QStringLiteral("de"));
  EXPECT_EQ(db.textMatches(QStringLiteral("Fahne"), 10), QList<qint64>{castle->id});
  EXPECT_EQ(db.textMatches(QStringLiteral("flag"), 10), QList<qint64>{castle->id});
  db.setCaptionTranslation(2, QStringLiteral("eine Sandburg mit rotem Wimpel"), QStringLiteral("de"));
  EXPECT_TRUE(db.textMatches(QStringLiteral("Fahne"), 10).isEmpty());
  EXPECT_EQ(db.textMatches(QStringLiteral("Wimpel"), 10), QList<qint64>{castle->id});
  db.deleteCaptions(beach->id, CaptionSource::Generated);
  EXPECT_TRUE(db.textMatches(QStringLiteral("Strand"), 10).isEmpty());
  // A new caption with its translation, as the app stores one (insert, then the translation).
  const qint64 id = db.addCaption(beach->id, QStringLiteral("a dog on the sand"), CaptionSource::Generated,
                                  QStringLiteral("blip"), {});
  db.setCaptionTranslation(id, QStringLiteral("ein Hund im Sand"), QStringLiteral("de"));
  EXPECT_EQ(db.textMatches(QStringLiteral("Hund"), 10), QList<qint64>{beach->id});
  EXPECT_EQ(db.textMatches(QStringLiteral("dog"), 10), QList<qint64>{beach->id});
}

TEST(LibraryDatabase, OpensSchemaV6FixtureAsItIs) {
  QTemporaryDir dir;
  const QString path = dir.filePath("v6.db");
  runScript(path, QStringLiteral(GLIMPSE_TEST_DATA_DIR "/library/schema_v6.sql"));
  EXPECT_EQ(rawTextMatches(path, QStringLiteral("Strand")), QList<qint64>{1});
  LibraryDatabase db(path);
  EXPECT_EQ(db.schemaVersion(), LibraryDatabase::kSchemaVersion);
  const auto beach = db.photoByPath(QStringLiteral("/photos/holiday/beach_sunset.jpg"));
  ASSERT_TRUE(beach);
  EXPECT_EQ(db.preferredCaption(beach->id)->translation, QStringLiteral("Kinder an einem Strand bei Sonnenuntergang"));
  EXPECT_EQ(db.textMatches(QStringLiteral("Strand"), 10), QList<qint64>{beach->id});
  EXPECT_EQ(db.textMatches(QStringLiteral("sunset"), 10), QList<qint64>{beach->id});
}

TEST(LibraryDatabase, MigratesSchemaV2KeepingCaptionsAsGenerated) {
  QTemporaryDir dir;
  const QString path = dir.filePath("v2.db");
  runScript(path, QStringLiteral(GLIMPSE_TEST_DATA_DIR "/library/schema_v2.sql"));
  LibraryDatabase db(path);
  EXPECT_EQ(db.schemaVersion(), LibraryDatabase::kSchemaVersion);
  const auto beach = db.photoByPath(QStringLiteral("/photos/holiday/beach_sunset.jpg"));
  const auto castle = db.photoByPath(QStringLiteral("/photos/holiday/kids/sandcastle.png"));
  ASSERT_TRUE(beach && castle);
  EXPECT_TRUE(beach->pixelHash.isEmpty());
  EXPECT_FALSE(beach->changed);
  const auto caps = db.captions(beach->id);
  ASSERT_EQ(caps.size(), 1);
  EXPECT_EQ(caps[0].text, QStringLiteral("kids on a beach at sunset"));
  EXPECT_EQ(caps[0].source, CaptionSource::Generated);
  EXPECT_EQ(caps[0].model, QStringLiteral("blip-large@fedcba9876543210"));
  EXPECT_EQ(caps[0].parameters, QStringLiteral("{\"num_beams\":3}"));
  EXPECT_TRUE(caps[0].origin.isEmpty());
  EXPECT_FALSE(caps[0].score);
  EXPECT_EQ(db.textMatches(QStringLiteral("flag"), 10), QList<qint64>{castle->id});
  // The full-text index follows edits: replaced, removed, and rows updated in place.
  db.setEditedCaption(castle->id, QStringLiteral("a red kite"));
  EXPECT_EQ(db.textMatches(QStringLiteral("kite"), 10), QList<qint64>{castle->id});
  db.setEditedCaption(castle->id, QStringLiteral("a green parrot"));
  EXPECT_TRUE(db.textMatches(QStringLiteral("kite"), 10).isEmpty());
  EXPECT_EQ(db.textMatches(QStringLiteral("parrot"), 10), QList<qint64>{castle->id});
  db.setEditedCaption(castle->id, QStringLiteral("  "));
  EXPECT_TRUE(db.textMatches(QStringLiteral("parrot"), 10).isEmpty());
  {
    auto raw = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("raw-v2"));
    raw.setDatabaseName(path);
    ASSERT_TRUE(raw.open());
    QSqlQuery q(raw);
    ASSERT_TRUE(q.exec(QStringLiteral("UPDATE captions SET text = 'a blue whale' WHERE id = 2")));
    q.finish();
    raw.close();
  }
  QSqlDatabase::removeDatabase(QStringLiteral("raw-v2"));
  EXPECT_EQ(db.textMatches(QStringLiteral("whale"), 10), QList<qint64>{castle->id});
  EXPECT_TRUE(db.textMatches(QStringLiteral("flag"), 10).isEmpty());
  EXPECT_EQ(db.status().captions, 2);
}

// Commands that only read open an older library as it is: its tables show the current layout
// (later columns with their migration defaults), nothing is migrated or written.
TEST(LibraryDatabase, ReadsOlderSchemasReadOnlyWithoutMigrating) {
  QTemporaryDir dir;
  const QString v1 = dir.filePath("v1.db"), v2 = dir.filePath("v2.db");
  runScript(v1, QStringLiteral(GLIMPSE_TEST_DATA_DIR "/library/schema_v1.sql"));
  runScript(v2, QStringLiteral(GLIMPSE_TEST_DATA_DIR "/library/schema_v2.sql"));
  const QByteArray before = glimpse::io::readRegularFile(v2, 1 << 20);
  {
    LibraryDatabase db(v2, LibraryDatabase::Access::ReadOnly);
    EXPECT_EQ(db.schemaVersion(), 2);  // as the file says
    const auto rows = db.preferredCaptions({});
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].photo.path, QStringLiteral("/photos/holiday/beach_sunset.jpg"));
    EXPECT_EQ(rows[0].caption.text, QStringLiteral("kids on a beach at sunset"));
    EXPECT_EQ(rows[0].caption.source, CaptionSource::Generated);  // v3's default
    EXPECT_FALSE(rows[0].caption.itm);                            // v4's
    EXPECT_TRUE(rows[0].caption.translation.isEmpty());           // v5's
    EXPECT_FALSE(rows[0].photo.changed);
    EXPECT_EQ(db.folders().size(), 1);
    EXPECT_EQ(db.status().captions, 2);
    EXPECT_EQ(db.textMatches(QStringLiteral("flag"), 10).size(), 1);  // v2's full-text table
  }
  EXPECT_EQ(glimpse::io::readRegularFile(v2, 1 << 20), before);
  EXPECT_FALSE(QFile::exists(v2 + "-wal"));
  {
    LibraryDatabase db(v1, LibraryDatabase::Access::ReadOnly);
    EXPECT_EQ(db.schemaVersion(), 1);
    EXPECT_FALSE(db.hasFullTextSearch());
    const auto photo = db.photoByPath(QStringLiteral("/photos/holiday/beach_sunset.jpg"));
    ASSERT_TRUE(photo);
    EXPECT_EQ(photo->status, PhotoStatus::Ok);  // v2's default
    EXPECT_EQ(db.textMatches(QStringLiteral("sunset"), 10), QList<qint64>{photo->id});
  }
  // Opened for writing, it migrates as before.
  EXPECT_EQ(LibraryDatabase(v2).schemaVersion(), LibraryDatabase::kSchemaVersion);
}

// A v5 library read as it is (glimpse-cli's read-only commands) finds captions by their
// translations as a migrated one does, and the file stays as it was: the current text index is
// built in the connection's TEMP schema. Older schemas too (v2: text only; v1: no index of its own).
TEST(LibraryDatabase, ReadOnlyOlderSchemasMatchTranslatedCaptionsWithoutWriting) {
  QTemporaryDir dir;
  for (int version : {5, 2, 1}) {
    SCOPED_TRACE(version);
    const QString path = dir.filePath(QStringLiteral("v%1.db").arg(version));
    runScript(path, QStringLiteral(GLIMPSE_TEST_DATA_DIR "/library/schema_v%1.sql").arg(version));
    // An old time, so that a write within this second would still show.
    QFile file(path);
    ASSERT_TRUE(file.open(QIODevice::ReadWrite));
    ASSERT_TRUE(
        file.setFileTime(QDateTime(QDate(2024, 1, 2), QTime(3, 4, 5), Qt::UTC), QFileDevice::FileModificationTime));
    file.close();
    const QByteArray before = glimpse::io::readRegularFile(path, 1 << 20);
    const QDateTime mtime = QFileInfo(path).lastModified();
    {
      LibraryDatabase db(path, LibraryDatabase::Access::ReadOnly);
      EXPECT_EQ(db.schemaVersion(), version);
      const auto beach = db.photoByPath(QStringLiteral("/photos/holiday/beach_sunset.jpg"));
      const auto castle = db.photoByPath(QStringLiteral("/photos/holiday/kids/sandcastle.png"));
      ASSERT_TRUE(beach && castle);
      if (version == 5) {
        EXPECT_EQ(db.textMatches(QStringLiteral("Strand"), 10, QStringLiteral("de")), QList<qint64>{beach->id});
        EXPECT_EQ(db.textMatches(QStringLiteral("Kinder am Strand"), 10, QStringLiteral("de")),
                  QList<qint64>{beach->id});
        EXPECT_EQ(db.textMatches(QStringLiteral("sonnenunterg"), 10, QStringLiteral("de")), QList<qint64>{beach->id});
      }
      EXPECT_EQ(db.textMatches(QStringLiteral("sunset"), 10), QList<qint64>{beach->id});
      EXPECT_EQ(db.textMatches(QStringLiteral("sandcastle"), 10), QList<qint64>{castle->id});
      EXPECT_EQ(db.textMatches(QStringLiteral("beach_sunset"), 10), QList<qint64>{beach->id});  // the name
      EXPECT_TRUE(db.textMatches(QStringLiteral("Fahne"), 10, QStringLiteral("de")).isEmpty());
    }
    EXPECT_EQ(glimpse::io::readRegularFile(path, 1 << 20), before);
    EXPECT_EQ(QFileInfo(path).lastModified(), mtime);
    EXPECT_FALSE(QFile::exists(path + "-wal"));
    EXPECT_EQ(LibraryDatabase(path, LibraryDatabase::Access::ReadOnly).schemaVersion(), version);
  }
}

// glimpse-cli library export without --write (read-only) exports every older schema as it is and
// leaves the file as it was; with --write the library is migrated first, as before.
TEST(LibraryDatabase, CliExportReadsOlderSchemasWithoutMigrating) {
  const auto cli = [](const QStringList& args) { return glimpse::test::runCli(args); };
  QTemporaryDir dir;
  for (int version = 1; version < LibraryDatabase::kSchemaVersion; ++version) {
    SCOPED_TRACE(version);
    const QString db = dir.filePath(QStringLiteral("v%1.glimpse").arg(version));
    runScript(db, QStringLiteral(GLIMPSE_TEST_DATA_DIR "/library/schema_v%1.sql").arg(version));
    const QByteArray before = glimpse::io::readRegularFile(db, 1 << 20);
    auto [code, out, err] = cli({"library", "--library", db, "export", "--format", "jsonl"});
    ASSERT_EQ(code, 0) << err;
    std::vector<nlohmann::json> rows;
    std::istringstream lines(out);
    for (std::string line; std::getline(lines, line);) rows.push_back(nlohmann::json::parse(line));
    ASSERT_FALSE(rows.empty()) << out;
    if (version == 3) {
      ASSERT_EQ(rows.size(), 1u);
      EXPECT_EQ(rows[0]["caption"], "boats in a harbour");
      EXPECT_EQ(rows[0]["score"], -0.5);
    } else {
      EXPECT_EQ(rows[0]["path"], "/photos/holiday/beach_sunset.jpg");
      EXPECT_EQ(rows[0]["caption"], "kids on a beach at sunset");
      EXPECT_EQ(rows[0]["source"], "generated");
    }
    if (version == 4) {
      EXPECT_EQ(rows[0]["itm"], 0.875);
      ASSERT_EQ(rows.size(), 2u);
      EXPECT_EQ(rows[1]["caption"], "our sandcastle");  // edited wins over metadata
      EXPECT_EQ(rows[1]["source"], "edited");
    }
    auto [csvCode, csv, csvErr] = cli({"library", "--library", db, "export", "--format", "csv"});
    EXPECT_EQ(csvCode, 0) << csvErr;
    EXPECT_NE(csv.find(rows[0]["caption"].get<std::string>()), std::string::npos) << csv;
    auto [statusCode, status, statusErr] = cli({"library", "--library", db, "status"});
    EXPECT_EQ(statusCode, 0) << statusErr;
    EXPECT_EQ(glimpse::io::readRegularFile(db, 1 << 20), before);
    for (const char* side : {"-wal", "-shm", "-journal"}) EXPECT_FALSE(QFile::exists(db + side)) << side;
  }
  // --write records what it writes, so it opens the library for writing: migrated first (the
  // fixture's photos are not on this machine, so each write fails and says so).
  const QString v2 = dir.filePath("v2.glimpse");
  auto [code, out, err] = cli({"library", "--library", v2, "export", "--write", "txt"});
  EXPECT_EQ(code, 4) << err;
  EXPECT_EQ(LibraryDatabase(v2, LibraryDatabase::Access::ReadOnly).schemaVersion(), LibraryDatabase::kSchemaVersion);
}

TEST(LibraryDatabase, CaptionSourcesAndPreference) {
  QTemporaryDir dir;
  LibraryDatabase db(dir.filePath("lib.db"));
  const qint64 folder = db.addFolder(QStringLiteral("/p"));
  db.addFolder(QStringLiteral("/q"));
  Photo ph;
  ph.folderId = folder;
  ph.path = QStringLiteral("/p/a.jpg");
  const qint64 a = db.insertPhoto(ph);
  ph.path = QStringLiteral("/p/b.jpg");
  const qint64 b = db.insertPhoto(ph);
  ph.path = QStringLiteral("/q/c.jpg");
  const qint64 c = db.insertPhoto(ph);
  EXPECT_FALSE(db.preferredCaption(a));
  db.replaceMetadataCaptions(a, {{"from a sidecar", "sidecar:a.xmp"},
                                 {"from iptc", "Iptc.Application2.Caption"},
                                 {"from exif", "Exif.Image.ImageDescription"},
                                 {"from xmp", "Xmp.dc.description"}});
  EXPECT_EQ(db.preferredCaption(a)->text, QStringLiteral("from xmp"));
  EXPECT_EQ(db.preferredCaption(a)->source, CaptionSource::Metadata);
  EXPECT_EQ(db.preferredCaption(a)->origin, QStringLiteral("Xmp.dc.description"));
  db.replaceMetadataCaptions(
      a, {{"from iptc", "Iptc.Application2.Caption"}, {"from exif", "Exif.Image.ImageDescription"}});
  EXPECT_EQ(db.preferredCaption(a)->text, QStringLiteral("from exif"));
  EXPECT_EQ(db.captions(a).size(), 2);
  db.addCaption(a, QStringLiteral("first generated"), CaptionSource::Generated, QStringLiteral("m"), {}, 0.25);
  db.addCaption(a, QStringLiteral("second generated"), CaptionSource::Generated, QStringLiteral("m"), {});
  EXPECT_EQ(db.preferredCaption(a)->text, QStringLiteral("second generated"));
  db.setEditedCaption(a, QStringLiteral("my own words"));
  db.setEditedCaption(a, QStringLiteral("my better words"));
  EXPECT_EQ(db.preferredCaption(a)->text, QStringLiteral("my better words"));
  EXPECT_EQ(db.preferredCaption(a)->source, CaptionSource::Edited);
  db.setEditedCaption(a, QString());
  EXPECT_EQ(db.preferredCaption(a)->text, QStringLiteral("second generated"));
  EXPECT_EQ(db.captions(a).size(), 4);
  db.addCaption(c, QStringLiteral("c caption"), CaptionSource::Generated, QStringLiteral("m"), {}, -1.5);
  // Captioning lists photos without a generated caption, by folder.
  QList<qint64> ids;
  for (const Photo& p : db.photosWithoutGeneratedCaption({})) ids << p.id;
  EXPECT_EQ(ids, QList<qint64>{b});
  EXPECT_TRUE(db.photosWithoutGeneratedCaption({QStringLiteral("/q")}).isEmpty());
  EXPECT_EQ(db.captionablePhotos({QStringLiteral("/q")}, true).size(), 1);
  db.setError(b, QStringLiteral("broken"));
  EXPECT_TRUE(db.photosWithoutGeneratedCaption({}).isEmpty());
  // Export rows: one per photo with a caption, its preferred one.
  const auto rows = db.preferredCaptions({});
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].photo.path, QStringLiteral("/p/a.jpg"));
  EXPECT_EQ(rows[0].caption.text, QStringLiteral("second generated"));
  EXPECT_FALSE(rows[0].caption.score);
  EXPECT_EQ(rows[1].photo.path, QStringLiteral("/q/c.jpg"));
  EXPECT_EQ(*rows[1].caption.score, -1.5);
  EXPECT_EQ(db.preferredCaptions({QStringLiteral("/q")}).size(), 1u);
  EXPECT_EQ(parseCaptionSource(QStringLiteral("edited")), CaptionSource::Edited);
  EXPECT_FALSE(parseCaptionSource(QStringLiteral("bogus")));
}

TEST(LibraryDatabase, RefusesNewerSchemaAndForeignFiles) {
  QTemporaryDir dir;
  const QString path = dir.filePath("new.db");
  { LibraryDatabase db(path); }
  {
    auto raw = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("bump"));
    raw.setDatabaseName(path);
    ASSERT_TRUE(raw.open());
    QSqlQuery(raw).exec(QStringLiteral("UPDATE schema_version SET version = 99"));
    raw.close();
  }
  QSqlDatabase::removeDatabase(QStringLiteral("bump"));
  EXPECT_NE(errorOf([&] { LibraryDatabase db(path); }).find("newer Glimpse"), std::string::npos);

  QFile text(dir.filePath("notes.db"));
  text.open(QIODevice::WriteOnly);
  text.write(QByteArray(4096, 'x'));
  text.close();
  EXPECT_NE(errorOf([&] { LibraryDatabase db(dir.filePath("notes.db")); }).find("not"), std::string::npos);

  {
    auto raw = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("other"));
    raw.setDatabaseName(dir.filePath("other.db"));
    ASSERT_TRUE(raw.open());
    QSqlQuery(raw).exec(QStringLiteral("CREATE TABLE invoices(id INTEGER)"));
    raw.close();
  }
  QSqlDatabase::removeDatabase(QStringLiteral("other"));
  EXPECT_NE(errorOf([&] { LibraryDatabase db(dir.filePath("other.db")); }).find("another program"), std::string::npos);
  EXPECT_NE(errorOf([&] { LibraryDatabase db(dir.path()); }).find("folder"), std::string::npos);
}

// Runs one statement on a library file outside LibraryDatabase (to damage it as a disk or a
// hostile file would).
void rawSql(const QString& dbPath, const QString& statement) {
  {
    auto db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("raw"));
    db.setDatabaseName(dbPath);
    ASSERT_TRUE(db.open());
    QSqlQuery q(db);
    ASSERT_TRUE(q.exec(statement)) << statement.toStdString() << ": " << q.lastError().text().toStdString();
    db.close();
  }
  QSqlDatabase::removeDatabase(QStringLiteral("raw"));
}

TEST(LibraryDatabase, DamagedSchemaVersionIsAnErrorNotACrash) {
  QTemporaryDir dir;
  const QString path = dir.filePath("lib.db");
  { LibraryDatabase db(path); }
  for (const char* damage : {"UPDATE schema_version SET version = -1", "UPDATE schema_version SET version = 'two'",
                             "UPDATE schema_version SET version = 1099511627776",
                             "INSERT INTO schema_version VALUES (2)", "DELETE FROM schema_version"}) {
    const QString copy = dir.filePath("damaged.db");
    QFile::remove(copy);
    ASSERT_TRUE(QFile::copy(path, copy));
    rawSql(copy, QString::fromUtf8(damage));
    const std::string msg = errorOf([&] { LibraryDatabase db(copy); });
    EXPECT_NE(msg.find("is damaged"), std::string::npos) << damage << ": " << msg;
    EXPECT_NE(errorOf([&] { LibraryDatabase db(copy, LibraryDatabase::Access::ReadOnly); }).find("is damaged"),
              std::string::npos);
  }
}

TEST(LibraryDatabase, InMemoryAndUriNamesAreRefused) {
  for (const char* name : {"", " ", ":memory:", "file:x?mode=memory", "FILE:lib.db", "file::memory:?cache=shared"}) {
    const std::string msg = errorOf([&] { LibraryDatabase db(QString::fromUtf8(name)); });
    EXPECT_NE(msg.find("is not a library file name"), std::string::npos) << name << ": " << msg;
  }
  // The CLI says so too, with the library's exit code, and stores nothing anywhere.
  QTemporaryDir dir;
  ASSERT_TRUE(writePhoto(dir.filePath("p/a.png"), 1));
  glimpse::test::RunOptions inDir;
  inDir.workingDirectory = dir.path();
  const auto r = runCli(
      {"index", "--library", "file:x?mode=memory", "--model", glimpse::test::q(kTinyModel), dir.filePath("p")}, inDir);
  EXPECT_EQ(r.code, 5);
  EXPECT_NE(r.err.find("is not a library file name"), std::string::npos) << r.err;
  EXPECT_EQ(QDir(dir.path()).entryList(QDir::Files).size(), 0);
}

// A write-protected library (file 0444 in a folder the user cannot write, as on a read-only
// share) is searched, not called "not an SQLite database". Root ignores permissions, so the CLI
// runs as user nobody there.
TEST(LibraryDatabase, WriteProtectedLibraryCanBeRead) {
  QTemporaryDir dir;
  const QString sub = dir.filePath("ro");
  QDir().mkpath(sub);
  const QString path = sub + "/lib.db";
  qint64 photoId = 0;
  {
    LibraryDatabase db(path);
    Photo p;
    p.folderId = db.addFolder(QStringLiteral("/photos"));
    p.path = QStringLiteral("/photos/a.jpg");
    p.size = 1;
    photoId = db.insertPhoto(p);
    db.putEmbedding(photoId, QStringLiteral("m"), {1, 0, 0, 0});
  }
  ASSERT_FALSE(QFile::exists(path + "-wal"));
  ::chmod(QFile::encodeName(path).constData(), 0444);
  ::chmod(QFile::encodeName(sub).constData(), 0555);
  ::chmod(QFile::encodeName(dir.path()).constData(), 0755);
  {
    LibraryDatabase db(path, LibraryDatabase::Access::ReadOnly);
    EXPECT_EQ(db.status(QStringLiteral("m")).embedded, 1);
    EXPECT_TRUE(db.embedding(photoId, QStringLiteral("m")));
    EXPECT_NE(errorOf([&] { db.addFolder(QStringLiteral("/more")); }), "<no error>");
  }
  const auto status = cliAsNobody({"library", "--library", path, "--json", "status"});
  EXPECT_EQ(status.first, 0) << status.second.toStdString();
  EXPECT_TRUE(status.second.contains(QStringLiteral("\"photos\":1"))) << status.second.toStdString();
  const auto similar = cliAsNobody({"similar", "--library", path, "--json", "/photos/a.jpg"});
  EXPECT_EQ(similar.first, 0) << similar.second.toStdString();
  const auto forget = cliAsNobody({"library", "--library", path, "forget", "/photos"});
  EXPECT_EQ(forget.first, 5) << forget.second.toStdString();
  EXPECT_FALSE(forget.second.contains(QStringLiteral("not an SQLite database"))) << forget.second.toStdString();
  ::chmod(QFile::encodeName(sub).constData(), 0755);
}

// A real full disk: a 1 MiB tmpfs (needs root, as CI runs; elsewhere the test says why it skips).
TEST(LibraryDatabase, FullDiskIsAClearErrorAndLosesNothing) {
  if (::geteuid() != 0) GTEST_SKIP() << "mounting a small tmpfs needs root";
  QTemporaryDir dir;
  const QString mnt = dir.filePath("small");
  QDir().mkpath(mnt);
  ASSERT_EQ(QProcess::execute(QStringLiteral("mount"), {"-t", "tmpfs", "-o", "size=1m", "tmpfs", mnt}), 0);
  struct Unmount {
    QString path;
    ~Unmount() { QProcess::execute(QStringLiteral("umount"), {path}); }
  } unmount{mnt};
  const QString path = mnt + QStringLiteral("/lib.db");
  qint64 first = 0;
  std::string msg;
  {
    LibraryDatabase db(path);
    const qint64 folder = db.addFolder(QStringLiteral("/photos"));
    Photo p;
    p.folderId = folder;
    p.path = QStringLiteral("/photos/keep.jpg");
    p.size = 1;
    first = db.insertPhoto(p);
    db.putEmbedding(first, QStringLiteral("m"), std::vector<float>(256, 0.5f));
    // Batches of 64 KiB vectors until the disk is full.
    msg = errorOf([&] {
      for (int batch = 0; batch < 100; ++batch) {
        Transaction tx(db);
        for (int i = 0; i < 4; ++i) {
          Photo more = p;
          more.path = QStringLiteral("/photos/more_%1_%2.jpg").arg(batch).arg(i);
          db.putEmbedding(db.insertPhoto(more), QStringLiteral("m"), std::vector<float>(16384, 1.0f));
        }
        tx.commit();
      }
    });
  }
  EXPECT_NE(msg.find("disk is full"), std::string::npos) << msg;
  // Everything committed before is still there and readable.
  LibraryDatabase again(path);
  const auto v = again.embedding(first, QStringLiteral("m"));
  ASSERT_TRUE(v);
  EXPECT_EQ(v->size(), 256u);
  QSqlDatabase::removeDatabase(QStringLiteral("unused"));
}

}  // namespace

namespace {

// ---- Metadata descriptions (set with the exiv2 command-line tool, an independent writer) ----

bool haveTool(const QString& name) {
  return !QStandardPaths::findExecutable(name).isEmpty();
}

// Runs a tool; true when it exits 0.
bool tool(const QString& program, const QStringList& args) {
  QProcess p;
  p.start(program, args);
  return p.waitForFinished(30000) && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
}

bool makeJpeg(const QString& path, const char* colour = "red") {
  return tool(QStringLiteral("convert"), {"-size", "64x48", QStringLiteral("gradient:%1-blue").arg(colour), path});
}

#define NEED_TOOLS()                                   \
  if (!haveTool("exiv2") || !haveTool("convert"))      \
  GTEST_SKIP() << "needs the exiv2 and convert tools " \
                  "(scripts/install-deps.sh)"

QStringList texts(const std::vector<glimpse::imaging::Description>& ds) {
  QStringList out;
  for (const auto& d : ds) out << d.origin + QStringLiteral("=") + d.text;
  return out;
}

TEST(Descriptions, ReadsEachTagAndBothSidecars) {
  NEED_TOOLS();
  QTemporaryDir dir;
  const QString a = dir.filePath("a.jpg");
  ASSERT_TRUE(makeJpeg(a));
  EXPECT_TRUE(glimpse::imaging::readDescriptions(a).empty());
  ASSERT_TRUE(tool("exiv2", {"-M", "set Xmp.dc.description lang=\"x-default\" zanzibar lighthouse", "-M",
                             "set Exif.Image.ImageDescription  a harbour at dusk  ", "-M",
                             "set Iptc.Application2.Caption café on the quay", a}));
  EXPECT_EQ(texts(glimpse::imaging::readDescriptions(a)),
            (QStringList{"Xmp.dc.description=zanzibar lighthouse", "Exif.Image.ImageDescription=a harbour at dusk",
                         "Iptc.Application2.Caption=café on the quay"}));
  // Placeholders and repeats are dropped; a lone non-default language is taken.
  const QString b = dir.filePath("b.jpg");
  ASSERT_TRUE(makeJpeg(b, "green"));
  ASSERT_TRUE(tool("exiv2", {"-M", "set Xmp.dc.description lang=\"de-DE\" ein Leuchtturm", "-M",
                             "set Exif.Image.ImageDescription OLYMPUS DIGITAL CAMERA", "-M",
                             "set Iptc.Application2.Caption ein Leuchtturm", b}));
  EXPECT_EQ(texts(glimpse::imaging::readDescriptions(b)), QStringList{"Xmp.dc.description=ein Leuchtturm"});
  // Sidecars: NAME.xmp (exiv2 -eX writes it) and NAME.EXT.xmp.
  const QString c = dir.filePath("c.jpg");
  ASSERT_TRUE(makeJpeg(c, "yellow"));
  ASSERT_TRUE(tool("exiv2", {"-M", "set Xmp.dc.description lang=\"x-default\" a sidecar caption", c}));
  ASSERT_TRUE(tool("exiv2", {"-f", "-eX", "ex", c}));
  ASSERT_TRUE(QFile::exists(dir.filePath("c.xmp")));
  ASSERT_TRUE(makeJpeg(dir.filePath("plain.jpg"), "white"));
  ASSERT_TRUE(QFile::copy(dir.filePath("plain.jpg"), dir.filePath("d.jpg")));
  ASSERT_TRUE(QFile::copy(dir.filePath("c.xmp"), dir.filePath("d.xmp")));
  EXPECT_EQ(texts(glimpse::imaging::readDescriptions(dir.filePath("d.jpg"))),
            QStringList{"sidecar:d.xmp=a sidecar caption"});
  ASSERT_TRUE(QFile::copy(dir.filePath("plain.jpg"), dir.filePath("e.jpg")));
  ASSERT_TRUE(QFile::copy(dir.filePath("c.xmp"), dir.filePath("e.jpg.xmp")));
  EXPECT_EQ(texts(glimpse::imaging::readDescriptions(dir.filePath("e.jpg"))),
            QStringList{"sidecar:e.jpg.xmp=a sidecar caption"});
  // A FIFO named like a sidecar is never opened (it would block); damaged data yields nothing.
  ASSERT_TRUE(QFile::copy(dir.filePath("plain.jpg"), dir.filePath("f.jpg")));
  ASSERT_EQ(::mkfifo(QFile::encodeName(dir.filePath("f.jpg.xmp")).constData(), 0644), 0);
  EXPECT_TRUE(glimpse::imaging::readDescriptions(dir.filePath("f.jpg")).empty());
  EXPECT_TRUE(
      glimpse::imaging::readDescriptions(QByteArray("\xFF\xD8\xFF\xE1garbage", 11), dir.filePath("x.jpg")).empty());
  EXPECT_TRUE(glimpse::imaging::isPlaceholderDescription(QStringLiteral("  sony dsc ")));
}

// ---- Scanner ----

class LibraryFolder : public ::testing::Test {
 protected:
  void SetUp() override {
    root = dir.filePath("photos");
    for (int i = 0; i < 6; ++i) ASSERT_TRUE(writePhoto(root + QStringLiteral("/img_%1.png").arg(i), i));
    ASSERT_TRUE(writePhoto(root + "/trip/beach.jpg", 100));
    ASSERT_TRUE(writePhoto(root + "/trip/forest.jpg", 101));
    ASSERT_TRUE(writePhoto(root + "/.thumbnails/hidden.png", 102));
    ASSERT_TRUE(writePhoto(root + "/raw/skip_me.png", 103));
    QFile notes(root + "/notes.txt");
    notes.open(QIODevice::WriteOnly);
    notes.write("not a photo");
  }
  QTemporaryDir dir;
  QString root;
};

TEST_F(LibraryFolder, FindsPhotosSkippingHiddenExcludedAndNonImages) {
  LibraryDatabase db(dir.filePath("lib.db"));
  db.addFolder(root, {QStringLiteral("raw")});
  const ScanReport r = Scanner(db).scan();
  EXPECT_EQ(r.added, 8);
  EXPECT_FALSE(db.photoByPath(root + "/.thumbnails/hidden.png"));
  EXPECT_FALSE(db.photoByPath(root + "/raw/skip_me.png"));
  EXPECT_TRUE(db.photoByPath(root + "/trip/beach.jpg"));
  // Hidden files when asked.
  db.addFolder(root, {QStringLiteral("raw")}, /*includeHidden=*/true);
  EXPECT_EQ(Scanner(db).scan().added, 1);
}

TEST_F(LibraryFolder, IncrementalScanTouchesOnlyWhatChanged) {
  LibraryDatabase db(dir.filePath("lib.db"));
  db.addFolder(root);
  EXPECT_EQ(Scanner(db).scan().added, 9);
  const ScanReport again = Scanner(db).scan();
  EXPECT_EQ(again.added + again.changed + again.moved + again.removed, 0);
  EXPECT_EQ(again.unchanged, 9);
  // Rewrite one file with other content.
  QThread::msleep(20);
  ASSERT_TRUE(writePhoto(root + "/img_2.png", 999, 120, 80));
  const ScanReport changed = Scanner(db).scan();
  EXPECT_EQ(changed.changed, 1);
  EXPECT_EQ(changed.unchanged, 8);
  QFile::remove(root + "/img_3.png");
  const ScanReport removed = Scanner(db).scan();
  EXPECT_EQ(removed.removed, 1);
  EXPECT_FALSE(db.photoByPath(root + "/img_3.png"));
}

TEST_F(LibraryFolder, RenameAndMoveKeepVectorsAndCaptions) {
  LibraryDatabase db(dir.filePath("lib.db"));
  db.addFolder(root);
  Scanner(db).scan();
  Indexer indexer(lend(db), tinyModel());
  ASSERT_EQ(indexer.run().embedded, 9);
  const auto before = db.photoByPath(root + "/trip/beach.jpg");
  ASSERT_TRUE(before);
  db.addCaption(before->id, QStringLiteral("a sandy beach"), CaptionSource::Generated, QStringLiteral("test"), {});
  const auto vec = db.embedding(before->id, indexer.modelId());
  ASSERT_TRUE(vec);
  QDir().mkpath(root + "/2024/summer");
  ASSERT_TRUE(QFile::rename(root + "/trip/beach.jpg", root + "/2024/summer/renamed.jpg"));
  const ScanReport r = Scanner(db).scan();
  EXPECT_EQ(r.moved, 1);
  EXPECT_EQ(r.added, 0);
  EXPECT_EQ(r.removed, 0);
  const auto after = db.photoByPath(root + "/2024/summer/renamed.jpg");
  ASSERT_TRUE(after);
  EXPECT_EQ(after->id, before->id);
  EXPECT_EQ(db.embedding(after->id, indexer.modelId()), vec);
  EXPECT_EQ(db.captions(after->id).front().text, QStringLiteral("a sandy beach"));
  EXPECT_EQ(indexer.run().embedded, 0);  // nothing to redo
  // The full-text index follows the new name.
  EXPECT_EQ(db.textMatches(QStringLiteral("renamed"), 5), QList<qint64>{after->id});
}

// A pause (the cancel flag) takes effect between the vision model's passes (up to
// kImagesPerVisionPass photos each), not at the end of a batch: the photos embedded before it are
// committed, the rest of the batch is left for the next run.
TEST_F(LibraryFolder, APauseStopsBetweenPassesOfABatch) {
  constexpr int pass = glimpse::blip::kImagesPerVisionPass;
  static_assert(pass >= 2 && pass < 8, "the test needs more than one pass in a batch of 8");
  LibraryDatabase db(dir.filePath("lib.db"));
  db.addFolder(root);
  Scanner(db).scan();
  std::atomic<bool> pause{false};
  IndexOptions options;
  options.batchSize = 8;  // the first 8 of the 9 photos
  QStringList embedded;
  bool pressed = false;
  options.photoEmbedded = [&](const QString& path) {
    embedded << path;
    if (embedded.size() == 1 && !pressed) pause = pressed = true;  // pressed during the first pass
  };
  Indexer indexer(lend(db), tinyModel(), options);
  EXPECT_FALSE(indexer.step(&pause));
  EXPECT_TRUE(indexer.report().cancelled);
  EXPECT_EQ(embedded.size(), pass);
  EXPECT_EQ(indexer.progress().done, pass);
  EXPECT_EQ(indexer.progress().current, embedded.back());
  EXPECT_EQ(db.status(indexer.modelId()).embedded, pass);  // committed, not lost with the batch
  for (const QString& path : embedded) EXPECT_TRUE(db.embedding(db.photoByPath(path)->id, indexer.modelId()));
  // Resumed: the others, none twice.
  pause = false;
  embedded.clear();
  const IndexReport rest = indexer.run({}, &pause);
  EXPECT_EQ(rest.embedded, 9 - pass);
  EXPECT_EQ(embedded.size(), 9 - pass);
  EXPECT_EQ(db.status(indexer.modelId()).embedded, 9);
}

// Metadata written into a file changes its bytes, not its pixels: vectors and generated captions
// stay and the model does not run; new pixels drop them and re-embed.
TEST_F(LibraryFolder, ChangedFilesKeepWhatStillHolds) {
  NEED_TOOLS();
  const QString beach = root + "/trip/beach.jpg";
  LibraryDatabase db(dir.filePath("lib.db"));
  db.addFolder(root);
  Scanner(db).scan();
  Indexer indexer(lend(db), tinyModel());
  ASSERT_EQ(indexer.run().embedded, 9);
  const qint64 id = db.photoByPath(beach)->id;
  const auto vec = db.embedding(id, indexer.modelId());
  ASSERT_TRUE(vec);
  EXPECT_FALSE(db.photoByPath(beach)->pixelHash.isEmpty());
  const qint64 generated = db.addCaption(id, QStringLiteral("sand and sea"), CaptionSource::Generated, "m", {});
  ASSERT_TRUE(tool("exiv2", {"-M", "set Xmp.dc.description lang=\"x-default\" zanzibar lighthouse", beach}));
  ScanReport r = Scanner(db).scan();
  EXPECT_EQ(r.changed, 1);
  // Until the file is read again, its vector is not searched.
  EXPECT_FALSE(db.embedding(id, indexer.modelId()));
  EXPECT_EQ(db.status(indexer.modelId()).embedded, 8);
  Searcher searcher(lend(db), indexer.modelId());
  EXPECT_EQ(searcher.vectorCount(), 8);
  IndexReport ir = indexer.run();
  EXPECT_EQ(ir.embedded, 0);
  EXPECT_EQ(ir.kept, 1);
  EXPECT_EQ(db.embedding(id, indexer.modelId()), vec);
  auto caps = db.captions(id);
  ASSERT_EQ(caps.size(), 2);
  EXPECT_EQ(caps[0].id, generated);
  EXPECT_EQ(caps[1].source, CaptionSource::Metadata);
  EXPECT_EQ(caps[1].text, QStringLiteral("zanzibar lighthouse"));
  EXPECT_EQ(caps[1].origin, QStringLiteral("Xmp.dc.description"));
  EXPECT_EQ(db.textMatches(QStringLiteral("zanzibar"), 5), QList<qint64>{id});
  // Metadata changed again: the metadata caption follows.
  ASSERT_TRUE(tool("exiv2", {"-M", "set Xmp.dc.description lang=\"x-default\" a quiet harbour", beach}));
  Scanner(db).scan();
  EXPECT_EQ(indexer.run().kept, 1);
  caps = db.captions(id);
  ASSERT_EQ(caps.size(), 2);
  EXPECT_EQ(caps[1].text, QStringLiteral("a quiet harbour"));
  EXPECT_TRUE(db.textMatches(QStringLiteral("zanzibar"), 5).isEmpty());
  // New pixels: everything derived from the old ones goes, the photo is embedded again.
  QThread::msleep(20);
  ASSERT_TRUE(writePhoto(beach, 4242));
  EXPECT_EQ(Scanner(db).scan().changed, 1);
  ir = indexer.run();
  EXPECT_EQ(ir.embedded, 1);
  EXPECT_EQ(ir.kept, 0);
  const auto fresh = db.embedding(id, indexer.modelId());
  ASSERT_TRUE(fresh);
  EXPECT_NE(*fresh, *vec);
  EXPECT_EQ(*fresh, directEmbedding(beach));
  EXPECT_TRUE(db.captions(id).isEmpty());
}

TEST_F(LibraryFolder, VanishedFolderGoesOfflineAndComesBack) {
  LibraryDatabase db(dir.filePath("lib.db"));
  db.addFolder(root);
  Scanner(db).scan();
  Indexer(lend(db), tinyModel()).run();
  const QString parked = dir.filePath("unmounted");
  ASSERT_TRUE(QDir().rename(root, parked));
  const ScanReport r = Scanner(db).scan();
  EXPECT_EQ(r.offline, 9);
  EXPECT_EQ(r.removed, 0);
  EXPECT_TRUE(r.warnings.join(' ').contains(QStringLiteral("not there")));
  EXPECT_EQ(db.photoByPath(root + "/img_0.png")->status, PhotoStatus::Offline);
  EXPECT_EQ(db.status(modelIdentity(*tinyModel())).embedded, 9);  // nothing lost
  ASSERT_TRUE(QDir().rename(parked, root));
  const ScanReport back = Scanner(db).scan();
  EXPECT_EQ(back.unchanged, 9);
  EXPECT_EQ(db.photoByPath(root + "/img_0.png")->status, PhotoStatus::Ok);
}

TEST_F(LibraryFolder, SymlinkLoopIsReportedNotFatal) {
  ASSERT_TRUE(QFile::link(root, root + "/trip/back_to_top"));
  LibraryDatabase db(dir.filePath("lib.db"));
  db.addFolder(root);
  const ScanReport r = Scanner(db).scan();
  EXPECT_EQ(r.added, 9);
  EXPECT_TRUE(r.warnings.join(' ').contains(QStringLiteral("symlink loop"))) << r.warnings.join('\n').toStdString();
}

// An unreadable sub-folder: reported, its photos kept. Permission bits do not stop root, so as
// root the CLI runs as user nobody.
TEST_F(LibraryFolder, UnreadableFolderIsReportedAndKept) {
  QFile::setPermissions(dir.path(), QFileDevice::Permissions(0x7777));
  QProcess::execute(QStringLiteral("chmod"), {"-R", "a+rwX", dir.path()});
  const QString db = dir.filePath("lib.db");
  const QStringList index{"index", "--library", db, "--model", QString::fromStdString(kTinyModel.string()), root};
  auto first = cliAsNobody(index);
  ASSERT_EQ(first.first, 0) << first.second.toStdString();
  QFile::setPermissions(root + "/trip", QFileDevice::Permissions());
  QFile::setPermissions(root + "/img_0.png", QFileDevice::Permissions());  // an unreadable file
  auto second = cliAsNobody(index + QStringList{"--json"});
  QFile::setPermissions(root + "/img_0.png", QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadOther);
  QFile::setPermissions(root + "/trip", QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner |
                                            QFileDevice::ReadOther | QFileDevice::ExeOther);
  EXPECT_EQ(second.first, 0) << second.second.toStdString();
  EXPECT_TRUE(second.second.contains(QStringLiteral("cannot read folder"))) << second.second.toStdString();
  EXPECT_TRUE(second.second.contains(QStringLiteral("\"removed\":0"))) << second.second.toStdString();
  LibraryDatabase check(db);
  EXPECT_TRUE(check.photoByPath(root + "/trip/beach.jpg"));
  EXPECT_TRUE(check.photoByPath(root + "/img_0.png"));  // still there, not taken for deleted
}

// ---- Damage and edge cases ----

TEST_F(LibraryFolder, DamagedVectorsCountAsMissingAndIndexingRepairsThem) {
  const QString path = dir.filePath("lib.db");
  LibraryDatabase db(path);
  db.addFolder(root);
  Scanner(db).scan();
  Indexer indexer(lend(db), tinyModel());
  ASSERT_EQ(indexer.run().embedded, 9);
  const QString model = indexer.modelId();
  // The first row (whose dim used to decide for all) and another one damaged.
  rawSql(path, QStringLiteral("UPDATE embeddings SET dim = 3 WHERE photo_id = (SELECT min(photo_id) FROM embeddings)"));
  rawSql(path, QStringLiteral(
                   "UPDATE embeddings SET vector = x'0000' WHERE photo_id = (SELECT max(photo_id) FROM embeddings)"));
  EXPECT_EQ(db.status(model).embedded, 7);
  int dim = 0;
  std::vector<float> data;
  EXPECT_EQ(db.allEmbeddings(model, &dim, &data).size(), 7u);
  EXPECT_EQ(dim, tinyModel()->config().image_text_hidden_size);
  Searcher searcher(lend(db), tinyModel());
  SearchOptions so;
  so.rerank = 0;
  so.matchText = false;
  EXPECT_EQ(searcher.search(QStringLiteral("a photo"), so).size(), 7);
  EXPECT_EQ(db.photosWithoutEmbedding(model).size(), 2);
  EXPECT_EQ(indexer.run().embedded, 2);
  EXPECT_EQ(db.status(model).embedded, 9);
  EXPECT_TRUE(db.photosWithoutEmbedding(model).isEmpty());
}

TEST_F(LibraryFolder, ForgettingAFolderKeepsPhotosOfAnotherLibraryFolder) {
  LibraryDatabase db(dir.filePath("lib.db"));
  db.addFolder(root);
  db.addFolder(root + "/trip");
  Scanner(db).scan();
  const auto beach = db.photoByPath(root + "/trip/beach.jpg");
  ASSERT_TRUE(beach);
  db.addCaption(beach->id, QStringLiteral("a beach"), CaptionSource::Generated, QStringLiteral("m"), {});
  db.putEmbedding(beach->id, QStringLiteral("m"), {1, 0});
  // The parent goes; the nested folder stays, with its photos, captions and vectors.
  ASSERT_TRUE(db.forgetFolder(root));
  EXPECT_FALSE(db.photoByPath(root + "/img_0.png"));
  ASSERT_TRUE(db.photoByPath(root + "/trip/beach.jpg"));
  EXPECT_EQ(db.captions(beach->id).size(), 1);
  EXPECT_TRUE(db.embedding(beach->id, QStringLiteral("m")));
  EXPECT_EQ(db.status().photos, 2);
  const ScanReport again = Scanner(db).scan();
  EXPECT_EQ(again.removed + again.added, 0);
  // A folder whose name only starts like another's is no nested folder.
  ASSERT_TRUE(writePhoto(root + "/trip2/x.png", 9));
  db.addFolder(root + "/trip2");
  Scanner(db).scan();
  ASSERT_TRUE(db.forgetFolder(root + "/trip2"));
  EXPECT_FALSE(db.photoByPath(root + "/trip2/x.png"));
  EXPECT_EQ(db.status().photos, 2);
}

TEST_F(LibraryFolder, NamesThatAreNotUtf8AreScannedAndIndexed) {
  const QByteArray rawDir = QFile::encodeName(root) + "/d\xFF";
  const QByteArray rawFile = rawDir + "/p\xE9.png";
  ASSERT_EQ(::mkdir(rawDir.constData(), 0755), 0);
  ASSERT_TRUE(writePhoto(dir.filePath("tmp.png"), 42));
  ASSERT_EQ(::rename(QFile::encodeName(dir.filePath("tmp.png")).constData(), rawFile.constData()), 0);
  LibraryDatabase db(dir.filePath("lib.db"));
  db.addFolder(root);
  EXPECT_EQ(Scanner(db).scan().added, 10);
  const QString name = glimpse::io::decodePath(rawFile);
  const auto photo = db.photoByPath(name);
  ASSERT_TRUE(photo);
  Indexer indexer(lend(db), tinyModel());
  const IndexReport r = indexer.run();
  EXPECT_EQ(r.embedded, 10);
  EXPECT_EQ(r.failed, 0);
  EXPECT_TRUE(db.embedding(photo->id, indexer.modelId()));
  EXPECT_EQ(Scanner(db).scan().unchanged, 10);
  ::unlink(rawFile.constData());  // QTemporaryDir cannot remove names that are not UTF-8
  ::rmdir(rawDir.constData());
}

// ---- Indexer ----

TEST_F(LibraryFolder, VectorsEqualTheEngineAndFailuresAreRecordedOnce) {
  QFile bad(root + "/broken.jpg");
  bad.open(QIODevice::WriteOnly);
  bad.write("\xff\xd8 definitely not a jpeg");
  bad.close();
  ASSERT_TRUE(writePhoto(root + "/dated.jpg", 7));
  setExifDate(root + "/dated.jpg", "2021:07:04 12:30:00");
  LibraryDatabase db(dir.filePath("lib.db"));
  db.addFolder(root);
  Scanner(db).scan();
  Indexer indexer(lend(db), tinyModel(), indexOptions(/*batchSize=*/3, /*decodeThreads=*/2));
  std::vector<IndexProgress> seen;
  const IndexReport r = indexer.run([&](const IndexProgress& p) { seen.push_back(p); });
  EXPECT_EQ(r.embedded, 10);
  EXPECT_EQ(r.failed, 1);
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.back().done, seen.back().total);
  for (size_t i = 1; i < seen.size(); ++i) EXPECT_GE(seen[i].done, seen[i - 1].done);
  for (const QString name : {"/img_0.png", "/trip/forest.jpg", "/dated.jpg"}) {
    const auto photo = db.photoByPath(root + name);
    const auto stored = db.embedding(photo->id, indexer.modelId());
    ASSERT_TRUE(stored);
    const auto direct = directEmbedding(root + name);
    ASSERT_EQ(stored->size(), direct.size());
    for (size_t k = 0; k < direct.size(); ++k) EXPECT_NEAR((*stored)[k], direct[k], 1e-6) << name.toStdString();
  }
  const auto dated = db.photoByPath(root + "/dated.jpg");
  ASSERT_TRUE(dated->takenAtMs);
  EXPECT_EQ(*dated->takenAtMs, QDateTime(QDate(2021, 7, 4), QTime(12, 30), Qt::UTC).toMSecsSinceEpoch());
  EXPECT_EQ(dated->width, 96);
  EXPECT_EQ(dated->hash.size(), 64);
  const auto broken = db.photoByPath(root + "/broken.jpg");
  EXPECT_FALSE(broken->error.isEmpty());
  // Not retried on the next run...
  EXPECT_EQ(indexer.run().failed, 0);
  // ...until the file changes.
  QThread::msleep(20);
  ASSERT_TRUE(writePhoto(root + "/broken.jpg", 8));
  Scanner(db).scan();
  const IndexReport fixed = indexer.run();
  EXPECT_EQ(fixed.embedded, 1);
  EXPECT_EQ(fixed.failed, 0);
}

TEST_F(LibraryFolder, ChangingTheModelReembeds) {
  LibraryDatabase db(dir.filePath("lib.db"));
  db.addFolder(root);
  Scanner(db).scan();
  EXPECT_EQ(Indexer(lend(db), tinyModel()).run().embedded, 9);
  Indexer wide(lend(db), wideModel());
  EXPECT_NE(wide.modelId(), modelIdentity(*tinyModel()));
  EXPECT_EQ(wide.run().embedded, 9);
  const auto photo = db.photoByPath(root + "/img_1.png");
  EXPECT_EQ(db.embedding(photo->id, wide.modelId())->size(),
            static_cast<size_t>(wideModel()->config().image_text_hidden_size));
  EXPECT_EQ(db.embeddingModels().size(), 2);
}

TEST_F(LibraryFolder, CancelKeepsWhatIsDone) {
  for (int i = 0; i < 30; ++i) writePhoto(root + QStringLiteral("/more/m_%1.png").arg(i), 200 + i);
  LibraryDatabase db(dir.filePath("lib.db"));
  db.addFolder(root);
  Scanner(db).scan();
  std::atomic<bool> cancel{false};
  Indexer indexer(lend(db), tinyModel(), indexOptions(/*batchSize=*/4, /*decodeThreads=*/1));
  const IndexReport r = indexer.run(
      [&](const IndexProgress& p) {
        if (p.done >= 8) cancel.store(true);
      },
      &cancel);
  EXPECT_TRUE(r.cancelled);
  const int saved = db.status(indexer.modelId()).embedded;
  EXPECT_GE(saved, 8);
  EXPECT_LT(saved, 39);
  const IndexReport rest = indexer.run();
  EXPECT_EQ(rest.embedded, 39 - saved);
}

// A process killed mid-index resumes where it stopped and loses nothing already written.
TEST(LibraryKill, KilledIndexResumes) {
  QTemporaryDir dir;
  const QString root = dir.filePath("many");
  const int total = 240;
  for (int i = 0; i < total; ++i)
    ASSERT_TRUE(writePhoto(root + QStringLiteral("/p_%1.jpg").arg(i, 3, 10, QLatin1Char('0')), i, 320, 240));
  const QString dbPath = dir.filePath("lib.db");
  const QStringList args{"index",   "--library", dbPath, "--model", QString::fromStdString(kTinyModel.string()),
                         "--batch", "1",         root};
  QProcess child;
  child.start(QStringLiteral(GLIMPSE_CLI_PATH), args);
  ASSERT_TRUE(child.waitForStarted());
  // Kill it (SIGKILL: no cleanup) once some vectors are committed.
  int seen = 0;
  for (int i = 0; i < 3000 && seen < 10; ++i) {
    QThread::msleep(5);
    if (!QFile::exists(dbPath)) continue;
    auto raw = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("peek"));
    {
      raw.setDatabaseName(dbPath);
      raw.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY;QSQLITE_BUSY_TIMEOUT=50"));
      if (raw.open()) {
        QSqlQuery q(raw);
        if (q.exec(QStringLiteral("SELECT count(*) FROM embeddings")) && q.next()) seen = q.value(0).toInt();
      }
      raw.close();
    }
    raw = QSqlDatabase();
    QSqlDatabase::removeDatabase(QStringLiteral("peek"));
  }
  ::kill(static_cast<pid_t>(child.processId()), SIGKILL);
  child.waitForFinished();
  ASSERT_GE(seen, 10);
  int before = 0;
  {
    LibraryDatabase db(dbPath);
    before = db.status(modelIdentity(*tinyModel())).embedded;
    ASSERT_LT(before, total) << "the child finished before it was killed; the test needs more photos";
    EXPECT_GE(before, seen);
    QSqlDatabase check = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("check"));
    check.setDatabaseName(dbPath);
    ASSERT_TRUE(check.open());
    QSqlQuery q(check);
    ASSERT_TRUE(q.exec(QStringLiteral("PRAGMA integrity_check")) && q.next());
    EXPECT_EQ(q.value(0).toString(), QStringLiteral("ok"));
    q.finish();
    check.close();
  }
  QSqlDatabase::removeDatabase(QStringLiteral("check"));
  const auto rerun = runCli(args + QStringList{"--json"});
  ASSERT_EQ(rerun.code, 0) << rerun.err;
  const auto out = nlohmann::json::parse(rerun.out);
  EXPECT_EQ(out["embedded"].get<int>(), total - before);  // only what was missing
  EXPECT_EQ(out["indexed"].get<int>(), total);
  EXPECT_EQ(out["added"].get<int>(), 0);
}

// ---- Search ----

class LibrarySearch : public LibraryFolder {
 protected:
  void SetUp() override {
    LibraryFolder::SetUp();
    ASSERT_TRUE(writePhoto(root + "/dated_2019.jpg", 50));
    setExifDate(root + "/dated_2019.jpg", "2019:05:01 10:00:00");
    ASSERT_TRUE(writePhoto(root + "/dated_2023.jpg", 51));
    setExifDate(root + "/dated_2023.jpg", "2023:08:15 10:00:00");
    db = std::make_unique<LibraryDatabase>(dir.filePath("lib.db"));
    db->addFolder(root);
    Scanner(*db).scan();
    Indexer(lend(*db), tinyModel()).run();
  }
  std::unique_ptr<LibraryDatabase> db;
};

TEST_F(LibrarySearch, ItcRankingEqualsDirectComputation) {
  Searcher searcher(lend(*db), tinyModel());
  SearchOptions o;
  o.limit = 100;
  o.matchText = false;
  const QString query = QStringLiteral("a red circle on a blue background");
  const auto results = searcher.search(query, o);
  ASSERT_EQ(results.size(), 11);
  const auto q = tinyModel()->embed_texts({query.toStdString()}, 35).front();
  std::vector<std::pair<double, QString>> direct;
  for (const auto& r : results) direct.emplace_back(dot(q, directEmbedding(r.path)), r.path);
  for (size_t i = 0; i < direct.size(); ++i) {
    EXPECT_NEAR(results[static_cast<qsizetype>(i)].itc, direct[i].first, 1e-5);
    EXPECT_EQ(results[static_cast<qsizetype>(i)].score, results[static_cast<qsizetype>(i)].itc);
    EXPECT_FALSE(results[static_cast<qsizetype>(i)].itm);
    if (i) {
      EXPECT_GE(results[static_cast<qsizetype>(i - 1)].itc, results[static_cast<qsizetype>(i)].itc);
    }
  }
}

TEST_F(LibrarySearch, RerankScoreIsItmLogitPlusItc) {
  Searcher searcher(lend(*db), tinyModel());
  SearchOptions o;
  o.limit = 5;
  o.rerank = 5;
  o.matchText = false;
  const QString query = QStringLiteral("kids on a beach at sunset");
  const auto results = searcher.search(query, o);
  ASSERT_EQ(results.size(), 5);
  for (qsizetype i = 0; i < results.size(); ++i) {
    const auto& r = results[i];
    ASSERT_TRUE(r.itmLogit && r.itm);
    const auto& m = *tinyModel();
    const auto direct =
        m.match({m.preprocess(glimpse::imaging::decodeImageFile(r.path).rgb)}, {query.toStdString()}, 35)[0][0];
    EXPECT_NEAR(*r.itmLogit, direct.itm_logit, 1e-5);
    EXPECT_NEAR(*r.itm, direct.itm, 1e-5);
    EXPECT_NEAR(r.score, direct.itm_logit + r.itc, 1e-5);
    if (i) {
      EXPECT_GE(results[i - 1].score, r.score);
    }
  }
  // The re-ranked set is the ITC top 5.
  SearchOptions itcOnly = o;
  itcOnly.rerank = 0;
  QStringList a, b;
  for (const auto& r : results) a << r.path;
  for (const auto& r : searcher.search(query, itcOnly)) b << r.path;
  a.sort();
  b.sort();
  EXPECT_EQ(a, b);
}

TEST_F(LibrarySearch, FiltersThresholdAndTextMatches) {
  Searcher searcher(lend(*db), tinyModel());
  SearchOptions o;
  o.limit = 50;
  o.matchText = false;
  o.folder = root + "/trip";
  auto r = searcher.search(QStringLiteral("trees"), o);
  ASSERT_EQ(r.size(), 2);
  for (const auto& x : r) EXPECT_TRUE(x.path.startsWith(root + "/trip/"));
  o.folder.clear();
  o.afterMs = parseDate(QStringLiteral("2019-01-01"));
  o.beforeMs = parseDate(QStringLiteral("2020-01-01"));
  r = searcher.search(QStringLiteral("trees"), o);
  ASSERT_EQ(r.size(), 1);
  EXPECT_TRUE(r[0].path.endsWith(QStringLiteral("dated_2019.jpg")));
  o.afterMs.reset();
  o.beforeMs.reset();
  const auto all = searcher.search(QStringLiteral("trees"), o);
  o.minScore = all[3].score;
  r = searcher.search(QStringLiteral("trees"), o);
  EXPECT_EQ(r.size(), 4);
  for (const auto& x : r) EXPECT_GE(x.score, *o.minScore);
  // File names and captions: a caption word brings its photo first.
  const auto forest = db->photoByPath(root + "/trip/forest.jpg");
  db->addCaption(forest->id, QStringLiteral("a misty waterfall between pines"), CaptionSource::Generated,
                 QStringLiteral("test"), {});
  SearchOptions t;
  t.limit = 3;
  r = searcher.search(QStringLiteral("waterfall"), t);
  ASSERT_FALSE(r.isEmpty());
  EXPECT_EQ(r[0].path, root + "/trip/forest.jpg");
  EXPECT_TRUE(r[0].textMatch);
  r = searcher.search(QStringLiteral("beach"), t);
  EXPECT_EQ(r[0].path, root + "/trip/beach.jpg");
  // A translated query: the English is searched, and the words as typed match a caption's
  // translation (a German user's "Wasserfall" finds the German caption).
  const auto captions = db->captions(forest->id);
  db->setCaptionTranslation(captions.back().id, QStringLiteral("ein nebliger Wasserfall zwischen Kiefern"),
                            QStringLiteral("de"));
  r = searcher.search(QStringLiteral("a mountain"), t);
  ASSERT_FALSE(r.isEmpty());
  EXPECT_FALSE(r[0].textMatch);
  t.originalText = QStringLiteral("Wasserfall");
  r = searcher.search(QStringLiteral("a mountain"), t);
  ASSERT_FALSE(r.isEmpty());
  EXPECT_EQ(r[0].path, root + "/trip/forest.jpg");
  EXPECT_TRUE(r[0].textMatch);
}

// Each language's small words are left out of its own words only: the English translation of a
// German query keeps "die" (a word in English), the German words as typed drop "am" and "dem".
TEST_F(LibrarySearch, StopWordsApplyToTheWordsOfTheirLanguageOnly) {
  const qint64 die = db->photoByPath(root + "/img_0.png")->id;
  const qint64 jump = db->photoByPath(root + "/img_1.png")->id;
  const qint64 beach = db->photoByPath(root + "/trip/beach.jpg")->id;
  const auto caption = [&](qint64 photo, const char* text, const char* german) {
    const qint64 id =
        db->addCaption(photo, QString::fromUtf8(text), CaptionSource::Generated, QStringLiteral("blip"), {});
    if (*german) db->setCaptionTranslation(id, QString::fromUtf8(german), QStringLiteral("de"));
  };
  caption(die, "an old dog about to die", "ein alter Hund kurz vor dem Sterben");
  caption(jump, "an old dog about to jump", "");
  caption(beach, "kids on a beach", "Kinder an einem Strand");
  const auto sorted = [](QList<qint64> ids) {
    std::sort(ids.begin(), ids.end());
    return ids;
  };
  // English words: "die" and "am" are words ("to" is not).
  EXPECT_EQ(db->textMatches(QStringLiteral("old dog about to die"), 10, QStringLiteral("en")), QList<qint64>{die});
  EXPECT_EQ(sorted(db->textMatches(QStringLiteral("old dog about to"), 10, QStringLiteral("en"))), sorted({die, jump}));
  EXPECT_TRUE(db->textMatches(QStringLiteral("Kinder am Strand"), 10, QStringLiteral("en")).isEmpty());
  // German words: "am" is left out, so the translation "an einem Strand" matches.
  EXPECT_EQ(db->textMatches(QStringLiteral("Kinder am Strand"), 10, QStringLiteral("de")), QList<qint64>{beach});
  const auto textHits = [](const QList<SearchResult>& results) {
    QList<qint64> ids;
    for (const auto& r : results)
      if (r.textMatch) ids << r.photoId;
    return ids;
  };
  // A German query translated to English: the English words with English small words left out,
  // the German as typed with German ones.
  Searcher searcher(lend(*db), tinyModel());
  SearchOptions o;
  o.limit = 20;
  o.originalText = QStringLiteral("ein alter Hund kurz vor dem Sterben");
  o.queryLanguage = QStringLiteral("de");
  EXPECT_EQ(textHits(searcher.search(QStringLiteral("an old dog about to die"), o)), QList<qint64>{die});
  // German as typed (no translation): its small words are left out.
  SearchOptions typed;
  typed.limit = 20;
  typed.queryLanguage = QStringLiteral("de");
  EXPECT_EQ(textHits(searcher.search(QStringLiteral("Kinder am Strand"), typed)), QList<qint64>{beach});
}

TEST_F(LibrarySearch, MoreLikeThisRanksByImageVectors) {
  Searcher searcher(lend(*db), tinyModel());
  const QString self = root + "/img_0.png";
  const auto vec = searcher.vectorOf(self);
  ASSERT_TRUE(vec);
  SearchOptions o;
  o.limit = 100;
  const auto r = searcher.similar(*vec, o, db->photoByPath(self)->id);
  ASSERT_EQ(r.size(), 10);  // everything but itself
  for (qsizetype i = 0; i < r.size(); ++i) {
    EXPECT_NE(r[i].path, self);
    EXPECT_NEAR(r[i].itc, dot(*vec, directEmbedding(r[i].path)), 1e-5);
    if (i) {
      EXPECT_GE(r[i - 1].itc, r[i].itc);
    }
  }
}

// A file indexing could not read is still browsed, with the reason; the others have none.
TEST_F(LibrarySearch, BrowseCarriesWhyAPhotoCouldNotBeRead) {
  {
    QFile bad(root + "/broken.jpg");
    ASSERT_TRUE(bad.open(QIODevice::WriteOnly));
    bad.write("this is not a JPEG at all");
  }
  Scanner(*db).scan();
  Indexer(lend(*db), tinyModel()).run();
  SearchOptions o;
  o.limit = 100;
  const auto r = glimpse::library::browse(*db, o);
  ASSERT_EQ(r.size(), 12);
  int unreadable = 0;
  for (const auto& x : r) {
    const bool broken = x.path.endsWith(QStringLiteral("/broken.jpg"));
    EXPECT_EQ(x.error.isEmpty(), !broken) << x.path.toStdString() << ": " << x.error.toStdString();
    unreadable += broken;
  }
  EXPECT_EQ(unreadable, 1);
}

// Browsing without a query: every photo (with a vector or not), newest first by capture time
// (else file time), narrowed by the same folder and date filters as search.
TEST_F(LibrarySearch, BrowseSortsByDateAndFiltersLikeSearch) {
  // A photo found by a scan but not indexed yet is browsed too.
  ASSERT_TRUE(writePhoto(root + "/trip/new.jpg", 104));
  Scanner(*db).scan();
  SearchOptions o;
  o.limit = 100;
  int total = 0;
  auto r = glimpse::library::browse(*db, o, &total);
  ASSERT_EQ(total, 12);
  ASSERT_EQ(r.size(), 12);
  QStringList order;
  for (qsizetype i = 0; i < r.size(); ++i) {
    order << QFileInfo(r[i].path).fileName();
    if (i) {
      EXPECT_GE(r[i - 1].dateMs, r[i].dateMs) << i;
    }
  }
  // Capture times (2023, 2019) are older than the files' times: those two come last.
  EXPECT_EQ(order.mid(10), (QStringList{"dated_2023.jpg", "dated_2019.jpg"}));
  EXPECT_TRUE(order.contains(QStringLiteral("new.jpg")));
  // The same filters as search, with the same results where both see the photos.
  Searcher searcher(lend(*db), tinyModel());
  o.matchText = false;
  o.folder = root + "/trip";
  r = glimpse::library::browse(*db, o, &total);
  EXPECT_EQ(total, 3);  // beach, forest and the new one
  for (const auto& x : r) EXPECT_TRUE(x.path.startsWith(root + "/trip/"));
  EXPECT_EQ(searcher.search(QStringLiteral("trees"), o).size(), 2);  // the new one has no vector yet
  o.folder.clear();
  o.afterMs = parseDate(QStringLiteral("2019-01-01"));
  o.beforeMs = parseDate(QStringLiteral("2020-01-01"));
  r = glimpse::library::browse(*db, o, &total);
  ASSERT_EQ(r.size(), 1);
  EXPECT_EQ(r[0].path, searcher.search(QStringLiteral("trees"), o).value(0).path);
  EXPECT_TRUE(r[0].path.endsWith(QStringLiteral("dated_2019.jpg")));
  EXPECT_TRUE(glimpse::library::passesFilters(o, r[0].path, r[0].dateMs));
  EXPECT_FALSE(glimpse::library::passesFilters(o, r[0].path, *o.beforeMs));
  // A limit keeps the newest; the total still counts all.
  SearchOptions few;
  few.limit = 3;
  r = glimpse::library::browse(*db, few, &total);
  EXPECT_EQ(r.size(), 3);
  EXPECT_EQ(total, 12);
  // The folder tree's counts: photos per directory, every photo once.
  const auto dirs = glimpse::library::photosPerDirectory(*db);
  int sum = 0;
  for (const auto& [d, n] : dirs) sum += n;
  EXPECT_EQ(sum, 12);
  EXPECT_TRUE(dirs.contains(qMakePair(root + "/trip", 3)));
  EXPECT_TRUE(dirs.contains(qMakePair(root, 8)));
  EXPECT_TRUE(dirs.contains(qMakePair(root + "/raw", 1)));
}

TEST_F(LibraryFolder, CliSearchSimilarAndLibraryCommands) {
  const QString db = dir.filePath("lib.db"), model = QString::fromStdString(kTinyModel.string());
  auto [c1, o1, e1] = runCli({"index", "--library", db, "--model", model, "--exclude", "raw", root});
  ASSERT_EQ(c1, 0) << e1;
  auto [c2, o2, e2] =
      runCli({"search", "--library", db, "--model", model, "--json", "--limit", "3", "--rerank", "3", "a beach"});
  ASSERT_EQ(c2, 0) << e2;
  const auto r = nlohmann::json::parse(o2)["results"];
  ASSERT_EQ(r.size(), 3u);
  for (const auto& x : r) {
    EXPECT_TRUE(x["path"].is_string());
    EXPECT_NEAR(x["score"].get<double>(), x["itm_logit"].get<double>() + x["itc"].get<double>(), 1e-5);
    EXPECT_TRUE(x["itm"].is_number());
  }
  EXPECT_EQ(r[0]["path"], (root + "/trip/beach.jpg").toStdString());  // file-name match first
  auto [c3, o3, e3] =
      runCli({"search", "--library", db, "--model", model, "--json", "--rerank", "0", "--no-text-match", "x"});
  ASSERT_EQ(c3, 0) << e3;
  EXPECT_TRUE(nlohmann::json::parse(o3)["results"][0]["itm"].is_null());
  auto [c4, o4, e4] = runCli({"similar", "--library", db, "--json", "--limit", "2", root + "/img_1.png"});
  ASSERT_EQ(c4, 0) << e4;
  EXPECT_EQ(nlohmann::json::parse(o4)["results"].size(), 2u);
  auto [c5, o5, e5] = runCli({"library", "--library", db, "--json", "status"});
  ASSERT_EQ(c5, 0) << e5;
  EXPECT_EQ(nlohmann::json::parse(o5)["photos"].get<int>(), 8);
  auto [c6, o6, e6] = runCli({"library", "--library", db, "forget", root});
  ASSERT_EQ(c6, 0) << e6;
  auto [c7, o7, e7] = runCli({"library", "--library", db, "--json", "status"});
  EXPECT_EQ(nlohmann::json::parse(o7)["photos"].get<int>(), 0);
  EXPECT_TRUE(QFile::exists(root + "/img_1.png"));  // files are never touched
  auto [c8, o8, e8] = runCli({"search", "--library", db, "--model", model, "--after", "yesterday", "x"});
  EXPECT_EQ(c8, 2);
  EXPECT_TRUE(o8.empty());
  auto [c9, o9, e9] = runCli({"search", "--library", dir.filePath("notes.db"), "--model", model, "x"});
  EXPECT_EQ(c9, 0);  // a new, empty library: no results, a warning
  EXPECT_NE(e9.find("no photos indexed"), std::string::npos);
}

// ---- library caption / export through glimpse-cli ----

int countGenerated(const QString& dbPath) {
  int n = -1;
  {
    auto raw = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("peek"));
    raw.setDatabaseName(dbPath);
    raw.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY;QSQLITE_BUSY_TIMEOUT=50"));
    if (raw.open()) {
      QSqlQuery q(raw);
      if (q.exec(QStringLiteral("SELECT count(*) FROM captions WHERE source = 'generated'")) && q.next())
        n = q.value(0).toInt();
    }
    raw.close();
  }
  QSqlDatabase::removeDatabase(QStringLiteral("peek"));
  return n;
}

// Starts glimpse-cli and waits until the library holds at least `atLeast` generated captions.
void waitForCaptions(QProcess& child, const QString& dbPath, int atLeast) {
  for (int i = 0; i < 6000 && countGenerated(dbPath) < atLeast; ++i) QThread::msleep(5);
}

TEST(LibraryCaptionCli, CtrlCAndKillLoseNothingAndRerunContinues) {
  QTemporaryDir dir;
  const QString root = dir.filePath("many");
  const int total = 150;
  for (int i = 0; i < total; ++i)
    ASSERT_TRUE(writePhoto(root + QStringLiteral("/p_%1.jpg").arg(i, 3, 10, QLatin1Char('0')), i, 64, 48));
  const QString dbPath = dir.filePath("lib.db"), model = QString::fromStdString(kTinyModel.string());
  const auto index = runCli({"index", "--library", dbPath, "--model", model, root});
  ASSERT_EQ(index.code, 0) << index.err;
  // Long captions so that each photo takes a while.
  const QStringList args{"library", "--library",    dbPath, "--model",      model,
                         "caption", "--min-length", "30",   "--max-length", "40"};
  // Ctrl-C: stops after the photo in hand, exit 130, what is done is kept.
  QProcess a;
  a.start(QStringLiteral(GLIMPSE_CLI_PATH), args);
  ASSERT_TRUE(a.waitForStarted());
  waitForCaptions(a, dbPath, 3);
  ::kill(static_cast<pid_t>(a.processId()), SIGINT);
  ASSERT_TRUE(a.waitForFinished(60000));
  EXPECT_EQ(a.exitCode(), 130) << a.readAllStandardError().toStdString();
  const int afterInt = countGenerated(dbPath);
  EXPECT_GE(afterInt, 3);
  ASSERT_LT(afterInt, total) << "the run finished before Ctrl-C; the test needs more photos";
  // kill -9: no cleanup.
  QProcess b;
  b.start(QStringLiteral(GLIMPSE_CLI_PATH), args);
  ASSERT_TRUE(b.waitForStarted());
  waitForCaptions(b, dbPath, afterInt + 3);
  ::kill(static_cast<pid_t>(b.processId()), SIGKILL);
  b.waitForFinished();
  std::map<QString, std::pair<qint64, QDateTime>> done;
  {
    LibraryDatabase db(dbPath);
    for (const Photo& p : db.captionablePhotos({}, true))
      for (const Caption& c : db.captions(p.id))
        if (c.source == CaptionSource::Generated) done[p.path] = {c.id, c.created};
  }
  const int before = static_cast<int>(done.size());
  EXPECT_GE(before, afterInt + 3);
  ASSERT_LT(before, total) << "the run finished before it was killed; the test needs more photos";
  glimpse::test::RunOptions slow;
  slow.timeoutMs = 300000;
  const auto rerun = runCli(args + QStringList{"--json"}, slow);
  ASSERT_EQ(rerun.code, 0) << rerun.err;
  const auto out = nlohmann::json::parse(rerun.out);
  EXPECT_EQ(out["captioned"].get<int>(), total - before);
  EXPECT_EQ(out["skipped"].get<int>(), before);
  EXPECT_TRUE(out["failed"].empty());
  EXPECT_EQ(countGenerated(dbPath), total);
  LibraryDatabase db(dbPath);
  for (const auto& [path, idAndTime] : done) {
    const auto caps = db.captions(db.photoByPath(path)->id);
    ASSERT_EQ(caps.size(), 1);
    EXPECT_EQ(caps[0].id, idAndTime.first);
    EXPECT_EQ(caps[0].created, idAndTime.second);
    EXPECT_EQ(caps[0].model, QStringLiteral("tiny"));
    EXPECT_EQ(nlohmann::json::parse(caps[0].parameters.toStdString())["min_length"], 30);
  }
}

TEST_F(LibraryFolder, CliLibraryCaptionExportAndCaptionSearch) {
  NEED_TOOLS();
  const QString db = dir.filePath("lib.db"), model = QString::fromStdString(kTinyModel.string());
  const QString lighthouse = root + "/trip/coast.jpg";
  ASSERT_TRUE(makeJpeg(lighthouse));
  ASSERT_TRUE(tool("exiv2", {"-M", "set Xmp.dc.description lang=\"x-default\" zanzibar lighthouse", lighthouse}));
  QFile broken(root + "/trip/broken.jpg");
  ASSERT_TRUE(broken.open(QIODevice::WriteOnly));
  broken.write("garbage");
  broken.close();
  auto [c1, o1, e1] = runCli({"index", "--library", db, "--model", model, "--exclude", "raw", root});
  ASSERT_EQ(c1, 0) << e1;
  // A metadata caption's word puts its photo first.
  auto [c2, o2, e2] = runCli({"search", "--library", db, "--model", model, "--json", "--limit", "3", "zanzibar"});
  ASSERT_EQ(c2, 0) << e2;
  auto r = nlohmann::json::parse(o2)["results"];
  ASSERT_FALSE(r.empty());
  EXPECT_EQ(r[0]["path"], lighthouse.toStdString());
  EXPECT_TRUE(r[0]["text_match"].get<bool>());
  // library caption: only the given library folder; a folder not in the library is a usage error.
  auto [c3, o3, e3] = runCli({"library", "--library", db, "--model", model, "caption", dir.filePath("elsewhere")});
  EXPECT_EQ(c3, 2) << e3;
  EXPECT_NE(e3.find("is not a folder of this library"), std::string::npos) << e3;
  auto [c4, o4, e4] = runCli({"library", "--library", db, "--model", model, "caption", "--json", root});
  ASSERT_EQ(c4, 0) << e4;
  auto j = nlohmann::json::parse(o4);
  EXPECT_EQ(j["captioned"].get<int>(), 9);
  EXPECT_EQ(j["skipped"].get<int>(), 0);
  auto [c5, o5, e5] = runCli({"library", "--library", db, "--model", model, "caption", "--json", root});
  ASSERT_EQ(c5, 0) << e5;
  EXPECT_EQ(nlohmann::json::parse(o5)["captioned"].get<int>(), 0);
  EXPECT_EQ(nlohmann::json::parse(o5)["skipped"].get<int>(), 9);
  // A generated caption's word puts its photo first: a word only img_0's caption has.
  QString word;
  {
    LibraryDatabase lib(db);
    QMap<QString, int> seen;
    const qint64 id0 = lib.photoByPath(root + "/img_0.png")->id;
    for (const auto& row : lib.preferredCaptions({}))
      for (const QString& w : row.caption.text.toLower().split(QRegularExpression("[^a-z]+"), Qt::SkipEmptyParts))
        seen[w] += row.photo.id == id0 ? 1000 : 1;
    for (auto it = seen.begin(); it != seen.end(); ++it)
      if (it.value() % 1000 == 0 && it.key().size() >= 4 && !root.toLower().contains(it.key())) word = it.key();
  }
  if (!word.isEmpty()) {
    auto [c6, o6, e6] = runCli({"search", "--library", db, "--model", model, "--json", "--limit", "3", word});
    ASSERT_EQ(c6, 0) << e6;
    r = nlohmann::json::parse(o6)["results"];
    ASSERT_FALSE(r.empty());
    EXPECT_EQ(r[0]["path"], (root + "/img_0.png").toStdString()) << word.toStdString();
  } else {
    ADD_FAILURE() << "no word of img_0's caption is its own";
  }
  // --overwrite replaces generated captions (one per photo, never more).
  auto [c7, o7, e7] =
      runCli({"library", "--library", db, "--model", model, "caption", "--overwrite", "--json", root + "/trip"});
  ASSERT_EQ(c7, 2) << e7;  // not a library folder itself
  auto [c8, o8, e8] =
      runCli({"library", "--library", db, "--model", model, "caption", "--overwrite", "--beams", "2", "--json", root});
  ASSERT_EQ(c8, 0) << e8;
  EXPECT_EQ(nlohmann::json::parse(o8)["captioned"].get<int>(), 9);
  EXPECT_EQ(countGenerated(db), 9);
  // Export: CSV and JSON lines, parsed back.
  auto [c9, o9, e9] = runCli({"library", "--library", db, "export", "--format", "jsonl"});
  ASSERT_EQ(c9, 0) << e9;
  std::map<std::string, nlohmann::json> byPath;
  std::istringstream lines(o9);
  for (std::string line; std::getline(lines, line);) {
    const auto row = nlohmann::json::parse(line);
    byPath[row["path"]] = row;
  }
  ASSERT_EQ(byPath.size(), 9u);
  const auto& coast = byPath.at(lighthouse.toStdString());
  EXPECT_EQ(coast["source"], "generated");
  EXPECT_EQ(coast["model"], "tiny");
  EXPECT_TRUE(coast["score"].is_number());  // beam search scores
  const QString csvPath = dir.filePath("out.csv");
  auto [c10, o10, e10] = runCli({"library", "--library", db, "export", "--format", "csv", "--out", csvPath});
  ASSERT_EQ(c10, 0) << e10;
  EXPECT_TRUE(o10.empty());
  QFile csv(csvPath);
  ASSERT_TRUE(csv.open(QIODevice::ReadOnly));
  const QString csvText = QString::fromUtf8(csv.readAll());
  // RFC 4180: CRLF rows, quoted fields with doubled quotes.
  QList<QStringList> rows;
  QStringList row;
  QString field;
  bool quoted = false;
  for (qsizetype i = 0; i < csvText.size(); ++i) {
    const QChar ch = csvText[i];
    if (quoted) {
      if (ch == '"' && i + 1 < csvText.size() && csvText[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (ch == '"') {
        quoted = false;
      } else {
        field += ch;
      }
    } else if (ch == '"') {
      quoted = true;
    } else if (ch == ',') {
      row << field;
      field.clear();
    } else if (ch == '\r' && i + 1 < csvText.size() && csvText[i + 1] == '\n') {
      row << field;
      rows << row;
      row.clear();
      field.clear();
      ++i;
    } else {
      field += ch;
    }
  }
  ASSERT_EQ(rows.size(), 10);
  EXPECT_EQ(rows[0], (QStringList{"path", "caption", "source", "model", "score"}));
  for (qsizetype i = 1; i < rows.size(); ++i) {
    ASSERT_EQ(rows[i].size(), 5);
    const auto& want = byPath.at(rows[i][0].toStdString());
    EXPECT_EQ(rows[i][1].toStdString(), want["caption"].get<std::string>());
    EXPECT_EQ(rows[i][2], QStringLiteral("generated"));
    EXPECT_NEAR(rows[i][4].toDouble(), want["score"].get<double>(), 1e-6);
  }
  // An edited caption wins over generated ones in the export.
  {
    LibraryDatabase lib(db);
    lib.setEditedCaption(lib.photoByPath(lighthouse)->id, QStringLiteral("my \"own\", words"));
  }
  auto [c11, o11, e11] = runCli({"library", "--library", db, "export", "--format", "csv", "--out", "-", root});
  ASSERT_EQ(c11, 0) << e11;
  EXPECT_NE(o11.find("\"my \"\"own\"\", words\",edited,,\r\n"), std::string::npos) << o11;
  auto [c12, o12, e12] = runCli({"library", "--library", db, "export", "--format", "xml"});
  EXPECT_EQ(c12, 2);
}

TEST(LibraryCli, IndexKeepsDecoderNoiseOutOfItsProgress) {
  QTemporaryDir dir;
  const QString photos = dir.filePath("photos");
  ASSERT_TRUE(writePhoto(photos + "/good.png", 1));
  // libpng prints "libpng error: ..." on stderr itself for a damaged IDAT; libtiff reports a cut
  // strip through Qt's message handler.
  ASSERT_TRUE(writePhoto(dir.filePath("src.png"), 2, 200, 150));
  QFile src(dir.filePath("src.png"));
  ASSERT_TRUE(src.open(QIODevice::ReadOnly));
  QByteArray damaged = src.readAll();
  const qsizetype idat = damaged.indexOf("IDAT");
  ASSERT_GT(idat, 0);
  damaged[idat + 60] = static_cast<char>(damaged[idat + 60] ^ 0xFF);
  QFile out(photos + "/damaged.png");
  ASSERT_TRUE(out.open(QIODevice::WriteOnly));
  out.write(damaged);
  out.close();
  QImage tiff(300, 200, QImage::Format_RGB888);
  tiff.fill(Qt::darkGreen);
  ASSERT_TRUE(tiff.save(dir.filePath("src.tif"), "TIFF"));
  QFile tsrc(dir.filePath("src.tif"));
  ASSERT_TRUE(tsrc.open(QIODevice::ReadOnly));
  const QByteArray tbytes = tsrc.readAll();
  QFile tout(photos + "/cut.tif");
  ASSERT_TRUE(tout.open(QIODevice::WriteOnly));
  tout.write(tbytes.left(tbytes.size() / 3));
  tout.close();
  const QString model = QString::fromStdString(kTinyModel.string());
  auto run = [&](const QStringList& extra) {
    return runCli(QStringList{"index", "--library", dir.filePath("lib.db"), "--model", model, photos} + extra);
  };
  const auto [code, sout, serr] = run({});
  ASSERT_EQ(code, 0) << serr;
  EXPECT_NE(sout.find("1 embedded, 2 could not be read"), std::string::npos) << sout;
  // Only the progress lines (stderr is no terminal here): nothing of libpng, libtiff or Qt.
  for (const QString& line : QString::fromStdString(serr).split(QLatin1Char('\n'), Qt::SkipEmptyParts))
    EXPECT_TRUE(line.startsWith(QLatin1String("indexed "))) << serr;
  EXPECT_NE(serr.find("indexed 3/3"), std::string::npos) << serr;
  // With --verbose the messages are shown. The library now knows both failures, so a new one is
  // indexed.
  ASSERT_TRUE(QFile::remove(dir.filePath("lib.db")));
  QFile::remove(dir.filePath("lib.db-wal"));
  QFile::remove(dir.filePath("lib.db-shm"));
  const auto [vcode, vout, verr] = run({"--verbose"});
  ASSERT_EQ(vcode, 0) << verr;
  EXPECT_NE(verr.find("libpng error"), std::string::npos) << verr;
  EXPECT_NE(verr.find("indexed 3/3"), std::string::npos) << verr;
}

TEST(LibraryCli, LibraryFileNameThatIsNotUtf8) {
  QTemporaryDir dir;
  ASSERT_TRUE(writePhoto(dir.filePath("photos/a.png"), 3));
  ASSERT_TRUE(writePhoto(dir.filePath("photos/b.png"), 4));
  const QByteArray raw = QFile::encodeName(dir.path()) + "/lib\xFF.db";
  const QString model = QString::fromStdString(kTinyModel.string());
  const QString lib = QStringLiteral("\"$(printf '%1/lib\\377.db')\"").arg(dir.path());
  const auto [code, out, err] = runCliSh(
      QStringLiteral("exec \"$0\" index --library %1 --model '%2' '%3'").arg(lib, model, dir.filePath("photos")));
  ASSERT_EQ(code, 0) << err;
  struct stat st {};
  EXPECT_EQ(::stat(raw.constData(), &st), 0) << "the library is not under its own name";
  // Nothing else was created: no name with U+FFFD or the private-use character instead of the byte.
  QStringList names;
  for (const auto& e : glimpse::io::listFolder(dir.path())) names << e.name;
  for (const QString& n : names)
    EXPECT_TRUE(n == QLatin1String("photos") || glimpse::io::encodePath(n).startsWith(QByteArray("lib\xFF.db")))
        << n.toStdString();
  const auto [scode, sout, serr] = runCliSh(QStringLiteral("exec \"$0\" library --library %1 --json status").arg(lib));
  ASSERT_EQ(scode, 0) << serr;
  EXPECT_EQ(nlohmann::json::parse(sout)["photos"].get<int>(), 2);
  const auto [qcode, qout, qerr] =
      runCliSh(QStringLiteral("exec \"$0\" search --library %1 --model '%2' --json --limit 1 x").arg(lib, model));
  ASSERT_EQ(qcode, 0) << qerr;
  EXPECT_EQ(nlohmann::json::parse(qout)["results"].size(), 1u);
  // A name the user writes as a URI is still refused.
  const auto [ucode, uout, uerr] =
      runCliSh(QStringLiteral("exec \"$0\" library --library 'file:%1/x.db' status").arg(dir.path()));
  EXPECT_EQ(ucode, 5) << uerr;
  for (const QByteArray& suffix : {QByteArray(), QByteArray("-wal"), QByteArray("-shm")})
    ::unlink((raw + suffix).constData());  // QTemporaryDir cannot remove names that are not UTF-8
}

TEST(LibraryIndexer, LargeImagesShareTheDecodeBudgetThroughAFullRun) {
  // Four 6000 x 6000 PNGs (1-bit, a few kB each, about 480 MiB each by the decode estimate) and
  // small photos, with a budget that holds one large image at a time.
  QTemporaryDir dir;
  const QString root = dir.filePath("big");
  QImage big(6000, 6000, QImage::Format_Mono);
  big.fill(1);
  QDir().mkpath(root);
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(big.save(root + QStringLiteral("/big_%1.png").arg(i)));
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(writePhoto(root + QStringLiteral("/small_%1.png").arg(i), i));
  const int oneLargeMiB = static_cast<int>(glimpse::imaging::decodeMemoryEstimate(6000, 6000) >> 20);
  LibraryDatabase db(dir.filePath("lib.db"));
  db.addFolder(root);
  ASSERT_EQ(Scanner(db).scan().added, 8);
  IndexOptions options;
  options.batchSize = 8;
  options.decodeThreads = 4;
  options.decodeMemoryBytes = qint64{600} << 20;
  Indexer indexer(lend(db), tinyModel(), options);
  const IndexReport r = indexer.run();
  EXPECT_EQ(r.embedded, 8);
  EXPECT_EQ(r.failed, 0);
  EXPECT_EQ(db.status(indexer.modelId()).embedded, 8);
  EXPECT_LE(r.peakDecodeMiB, 600);
  EXPECT_GE(r.peakDecodeMiB, oneLargeMiB);  // the large decodes went through the budget
  EXPECT_LT(r.peakDecodeMiB, 2 * oneLargeMiB) << "two large images were decoded together";
}

}  // namespace

int main(int argc, char** argv) {
  QCoreApplication app(argc, argv);
  glimpse::blip::init_torch_threads();
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
