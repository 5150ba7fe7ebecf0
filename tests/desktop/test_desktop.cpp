// Desktop conventions with real files and real processes: freedesktop.org thumbnails, the XDG
// folders without Glimpse/Glimpse and their one-time migration, backups, pasted images, and one
// instance (two and three processes of this binary, each a real launch).
#include <gtest/gtest.h>

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QGuiApplication>
#include <QImage>
#include <QProcess>
#include <QTemporaryDir>
#include <QTimer>
#include <atomic>
#include <iostream>

#include <sys/stat.h>

#include "desktop/paths.h"
#include "desktop/singleinstance.h"
#include "desktop/thumbnails.h"
#include "models/modelstore.h"
#include "settings/settings.h"

using namespace glimpse::desktop;

namespace {

const QString kImages = QStringLiteral(GLIMPSE_TEST_DATA_DIR "/tiny/images");

QByteArray writeFile(const QString& path, const QByteArray& data) {
  QDir().mkpath(QFileInfo(path).absolutePath());
  QFile f(path);
  EXPECT_TRUE(f.open(QIODevice::WriteOnly)) << path.toStdString();
  f.write(data);
  return data;
}

QByteArray readAll(const QString& path) {
  QFile f(path);
  return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

int modeOf(const QString& path) {
  struct stat st {};
  return ::stat(QFile::encodeName(path).constData(), &st) == 0 ? static_cast<int>(st.st_mode & 07777) : -1;
}

void setMtime(const QString& path, const QDateTime& when) {
  QFile f(path);
  ASSERT_TRUE(f.open(QIODevice::ReadWrite));
  ASSERT_TRUE(f.setFileTime(when, QFileDevice::FileModificationTime));
}

// A photo copied to a name with a space and a ';' (escaped in the URI) in a fresh folder.
struct Photo {
  QTemporaryDir dir;
  QString path;
  explicit Photo(const char* source = "photo_120x90.jpg") {
    path = dir.filePath(QStringLiteral("my photo;1.jpg"));
    EXPECT_TRUE(QFile::copy(kImages + QLatin1Char('/') + QLatin1String(source), path));
  }
};

// The key as the specification defines it, computed here without Glimpse's code: md5 of the
// file:// URI with the path escaped (GLib escapes ' ' and ';', keeps '/').
QString expectedKey(const QString& dir, const QString& escapedName) {
  const QByteArray uri = "file://" + dir.toUtf8() + "/" + escapedName.toUtf8();
  return QString::fromLatin1(QCryptographicHash::hash(uri, QCryptographicHash::Md5).toHex());
}

struct CountingMaker {
  std::atomic<int> calls{0};
  QImage operator()(const QString& path, QSize box) {
    ++calls;
    QImage img(path);
    return img.width() > box.width() || img.height() > box.height() ? img.scaled(box, Qt::KeepAspectRatio) : img;
  }
  std::function<QImage(const QString&, QSize)> fn() {
    return [this](const QString& p, QSize b) { return (*this)(p, b); };
  }
};

TEST(Thumbnails, AWrittenThumbnailIsReadBackUnderTheSpecificationsName) {
  Photo photo;
  CountingMaker maker;
  const QImage first = cachedThumbnail(photo.path, QSize(160, 120), maker.fn());
  ASSERT_FALSE(first.isNull());
  EXPECT_EQ(maker.calls, 1);
  EXPECT_LE(first.width(), 160);
  EXPECT_LE(first.height(), 120);

  // 160 pixels need the "large" flavour (256); the name is the md5 of the escaped URI.
  const QString key = expectedKey(photo.dir.path(), QStringLiteral("my%20photo%3B1.jpg"));
  EXPECT_EQ(thumbnailKey(photo.path), key);
  const QString file = qEnvironmentVariable("XDG_CACHE_HOME") + "/thumbnails/large/" + key + ".png";
  ASSERT_TRUE(QFileInfo::exists(file)) << file.toStdString();
  EXPECT_EQ(modeOf(file), 0600);
  EXPECT_EQ(modeOf(QFileInfo(file).absolutePath()), 0700);
  // No temporary file is left beside it.
  EXPECT_EQ(QDir(QFileInfo(file).absolutePath()).entryList(QDir::Files).size(), 1);

  // What a file manager reads: a PNG with the keys.
  QImage stored(file, "png");
  ASSERT_FALSE(stored.isNull());
  EXPECT_EQ(qMax(stored.width(), stored.height()), 120);  // smaller than 256: kept as made
  const QFileInfo info(photo.path);
  EXPECT_EQ(stored.text("Thumb::URI"), "file://" + photo.dir.path() + "/my%20photo%3B1.jpg");
  EXPECT_EQ(stored.text("Thumb::MTime"), QString::number(info.lastModified().toSecsSinceEpoch()));
  EXPECT_EQ(stored.text("Thumb::Size"), QString::number(info.size()));
  EXPECT_TRUE(stored.text("Software").startsWith("Glimpse"));

  // Read back: the maker is not called again, the pixels are the stored ones.
  const QImage again = cachedThumbnail(photo.path, QSize(160, 120), maker.fn());
  EXPECT_EQ(maker.calls, 1);
  EXPECT_EQ(again.size(), first.size());
  EXPECT_EQ(readThumbnail(photo.path, ThumbnailFlavor::Large).convertToFormat(QImage::Format_RGB32),
            stored.convertToFormat(QImage::Format_RGB32));
}

TEST(Thumbnails, OneWithAnotherMTimeIsStaleAndMadeAgain) {
  Photo photo;
  // A thumbnail as another program left it, for an older version of the file.
  const QString file = thumbnailPath(photo.path, ThumbnailFlavor::Large);
  QImage old(40, 30, QImage::Format_RGB32);
  old.fill(Qt::red);
  old.setText("Thumb::URI", QString::fromUtf8(thumbnailUri(photo.path)));
  old.setText("Thumb::MTime", QString::number(QFileInfo(photo.path).lastModified().toSecsSinceEpoch() - 3600));
  QDir().mkpath(QFileInfo(file).absolutePath());
  ASSERT_TRUE(old.save(file, "png"));
  EXPECT_TRUE(readThumbnail(photo.path, ThumbnailFlavor::Large).isNull());

  CountingMaker maker;
  const QImage made = cachedThumbnail(photo.path, QSize(160, 120), maker.fn());
  EXPECT_EQ(maker.calls, 1);
  EXPECT_EQ(made.size(), QSize(120, 90));
  const QImage rewritten(file, "png");
  EXPECT_EQ(rewritten.size(), QSize(120, 90));
  EXPECT_EQ(rewritten.text("Thumb::MTime"), QString::number(QFileInfo(photo.path).lastModified().toSecsSinceEpoch()));

  // The photo changes: the thumbnail is stale again and made once more.
  setMtime(photo.path, QDateTime::currentDateTime().addDays(1));
  EXPECT_TRUE(readThumbnail(photo.path, ThumbnailFlavor::Large).isNull());
  cachedThumbnail(photo.path, QSize(160, 120), maker.fn());
  EXPECT_EQ(maker.calls, 2);
  EXPECT_FALSE(readThumbnail(photo.path, ThumbnailFlavor::Large).isNull());
}

TEST(Thumbnails, AThumbnailOfAnotherFileUnderTheSameNameIsNotTaken) {
  Photo photo, other("grad_97x61.png");
  const QString file = thumbnailPath(photo.path, ThumbnailFlavor::Large);
  ASSERT_TRUE(writeThumbnail(other.path, ThumbnailFlavor::Large, QImage(other.path)));
  QFile::remove(file);
  ASSERT_TRUE(QFile::copy(thumbnailPath(other.path, ThumbnailFlavor::Large), file));
  EXPECT_TRUE(readThumbnail(photo.path, ThumbnailFlavor::Large).isNull());  // its URI is not ours
}

TEST(Thumbnails, ALargerFlavourServesASmallerBox) {
  Photo photo;
  ASSERT_TRUE(writeThumbnail(photo.path, ThumbnailFlavor::XLarge, QImage(photo.path)));
  CountingMaker maker;
  const QImage img = cachedThumbnail(photo.path, QSize(64, 48), maker.fn());
  EXPECT_EQ(maker.calls, 0);
  EXPECT_EQ(img.size(), QSize(64, 48));
  EXPECT_EQ(flavorFor(QSize(64, 48)), ThumbnailFlavor::Normal);
  EXPECT_EQ(flavorFor(QSize(300, 200)), ThumbnailFlavor::XLarge);
  EXPECT_EQ(thumbnailEdge(ThumbnailFlavor::XLarge), 512);
}

TEST(Thumbnails, AFailureIsRememberedInFailUntilTheFileChanges) {
  QTemporaryDir dir;
  const QString bad = dir.filePath("broken.jpg");
  writeFile(bad, "not a photo at all");
  CountingMaker maker;
  EXPECT_TRUE(cachedThumbnail(bad, QSize(160, 120), maker.fn()).isNull());
  EXPECT_EQ(maker.calls, 1);
  const QString fail = failedThumbnailPath(bad);
  EXPECT_TRUE(fail.contains("/thumbnails/fail/glimpse-"));
  ASSERT_TRUE(QFileInfo::exists(fail));
  EXPECT_EQ(QImage(fail, "png").text("Thumb::URI"), QString::fromUtf8(thumbnailUri(bad)));
  EXPECT_TRUE(cachedThumbnail(bad, QSize(160, 120), maker.fn()).isNull());
  EXPECT_EQ(maker.calls, 1);  // honoured
  // Now it is a photo: the failure is stale, the thumbnail is made.
  QFile::remove(bad);
  ASSERT_TRUE(QFile::copy(kImages + "/photo_120x90.jpg", bad));
  setMtime(bad, QDateTime::currentDateTime().addDays(2));
  EXPECT_FALSE(cachedThumbnail(bad, QSize(160, 120), maker.fn()).isNull());
  EXPECT_EQ(maker.calls, 2);
}

TEST(Thumbnails, NoThumbnailsOfThumbnailsOrOfMissingFiles) {
  Photo photo;
  ASSERT_TRUE(writeThumbnail(photo.path, ThumbnailFlavor::Normal, QImage(photo.path)));
  const QString thumb = thumbnailPath(photo.path, ThumbnailFlavor::Normal);
  EXPECT_FALSE(writeThumbnail(thumb, ThumbnailFlavor::Normal, QImage(thumb)));
  EXPECT_FALSE(writeThumbnail(photo.dir.filePath("gone.jpg"), ThumbnailFlavor::Normal, QImage(photo.path)));
  removeThumbnails(photo.path);
  EXPECT_FALSE(QFileInfo::exists(thumb));
}

TEST(Paths, NoDoubledGlimpseFoldersAndTheCliSeesTheAppsLibrary) {
  // The app runs with organisation and application both "Glimpse".
  QCoreApplication::setOrganizationName("Glimpse");
  QCoreApplication::setApplicationName("Glimpse");
  const QString data = qEnvironmentVariable("XDG_DATA_HOME");
  EXPECT_EQ(dataDir(), data + "/Glimpse");
  EXPECT_EQ(cacheDir(), qEnvironmentVariable("XDG_CACHE_HOME") + "/Glimpse");
  EXPECT_EQ(stateDir(), qEnvironmentVariable("XDG_STATE_HOME") + "/Glimpse");
  EXPECT_EQ(glimpse::defaultLibraryFile(), data + "/Glimpse/library.glimpse");
  EXPECT_EQ(pastedImagesDir(), qEnvironmentVariable("XDG_STATE_HOME") + "/Glimpse/pasted");
  // glimpse-cli has other names and finds the same file.
  QCoreApplication::setOrganizationName(QString());
  QCoreApplication::setApplicationName("glimpse-cli");
  EXPECT_EQ(glimpse::defaultLibraryFile(), data + "/Glimpse/library.glimpse");
}

TEST(Paths, TheDoubledFoldersMoveOnceAndNothingIsLost) {
  const QString data = dataDir(), cache = cacheDir();
  const QString oldData = data + "/Glimpse", oldCache = cache + "/Glimpse";
  const QByteArray db = writeFile(oldData + "/library.glimpse", "SQLite format 3 library");
  const QByteArray wal = writeFile(oldData + "/library.glimpse-wal", "wal pages");
  writeFile(oldData + "/notes/keep.txt", "a folder moves whole");
  // A name already taken at the new place: both stay, the old one where it was.
  const QByteArray newer = writeFile(data + "/taken.txt", "new");
  const QByteArray older = writeFile(oldData + "/taken.txt", "old");
  const QByteArray cached = writeFile(oldCache + "/something.bin", "cache");
  const QByteArray pasted = writeFile(oldCache + "/pasted/pasted-1.png", "png bytes");

  const QStringList problems = migrateDoubledFolders();
  ASSERT_EQ(problems.size(), 1) << problems.join("\n").toStdString();
  EXPECT_TRUE(problems[0].contains("taken.txt"));
  EXPECT_EQ(readAll(data + "/library.glimpse"), db);
  EXPECT_EQ(readAll(data + "/library.glimpse-wal"), wal);
  EXPECT_EQ(readAll(data + "/notes/keep.txt"), "a folder moves whole");
  EXPECT_EQ(readAll(data + "/taken.txt"), newer);
  EXPECT_EQ(readAll(oldData + "/taken.txt"), older);
  EXPECT_EQ(readAll(cache + "/something.bin"), cached);
  EXPECT_FALSE(QFileInfo::exists(oldCache));
  // Pasted images are state now.
  EXPECT_EQ(readAll(pastedImagesDir() + "/pasted-1.png"), pasted);
  EXPECT_FALSE(QFileInfo::exists(cache + "/pasted"));

  // Once: a second run moves nothing and changes nothing.
  EXPECT_EQ(migrateDoubledFolders().size(), 1);
  EXPECT_EQ(readAll(data + "/library.glimpse"), db);
  QFile::remove(oldData + "/taken.txt");
  EXPECT_TRUE(migrateDoubledFolders().isEmpty());
  EXPECT_FALSE(QFileInfo::exists(oldData));
}

TEST(Paths, TheDefaultModelsFolderIsLeftOutOfBackups) {
  const QByteArray saved = qgetenv("GLIMPSE_MODELS_DIR");
  qunsetenv("GLIMPSE_MODELS_DIR");
  glimpse::models::markModelsDir();
  const QString models = glimpse::models::modelsDir();
  EXPECT_EQ(models, dataDir() + "/models");
  EXPECT_TRUE(QFileInfo::exists(models + "/.deja-dup-ignore"));
  EXPECT_FALSE(QFileInfo::exists(models + "/CACHEDIR.TAG"));  // models are data, not a cache
  // A folder the user chose is theirs.
  QTemporaryDir own;
  qputenv("GLIMPSE_MODELS_DIR", own.path().toUtf8());
  glimpse::models::markModelsDir();
  EXPECT_TRUE(QDir(own.path()).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot).isEmpty());
  if (saved.isEmpty())
    qunsetenv("GLIMPSE_MODELS_DIR");
  else
    qputenv("GLIMPSE_MODELS_DIR", saved);
}

TEST(Paths, PastedImagesBeyondTheLimitGoOldestFirstButNeverOneOnTheList) {
  QDir(pastedImagesDir()).removeRecursively();
  QStringList files;
  for (int i = 0; i < 5; ++i) {
    files << pastedImagesDir() + QStringLiteral("/pasted-%1.png").arg(i);
    writeFile(files.back(), "png");
    setMtime(files.back(), QDateTime::currentDateTime().addSecs(-1000 + i * 100));  // 0 is the oldest
  }
  writeFile(pastedImagesDir() + "/notes.txt", "not a pasted image");
  // Two kept: the newest, then the oldest stays as well because it is on the list.
  EXPECT_EQ(prunePastedImages(2, {files[0]}), 2);
  EXPECT_TRUE(QFileInfo::exists(files[0]));
  EXPECT_FALSE(QFileInfo::exists(files[1]));
  EXPECT_FALSE(QFileInfo::exists(files[2]));
  EXPECT_TRUE(QFileInfo::exists(files[3]));
  EXPECT_TRUE(QFileInfo::exists(files[4]));
  EXPECT_TRUE(QFileInfo::exists(pastedImagesDir() + "/notes.txt"));
  // Only pasted images are ever removed.
  Photo photo;
  EXPECT_FALSE(removePastedImage(photo.path));
  EXPECT_TRUE(QFileInfo::exists(photo.path));
  EXPECT_TRUE(removePastedImage(files[4]));
  EXPECT_FALSE(QFileInfo::exists(files[4]));
}

// --- one instance, with real processes ---

struct Launch {
  QProcess process;
  Launch(const QString& runtime, const QString& key, int messages, const QStringList& files,
         const QString& workDir = QString()) {
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("XDG_RUNTIME_DIR", runtime);
    process.setProcessEnvironment(env);
    if (!workDir.isEmpty()) process.setWorkingDirectory(workDir);
    process.start(QCoreApplication::applicationFilePath(),
                  QStringList{"--instance-helper", key, QString::number(messages)} + files);
  }
  ~Launch() {
    if (process.state() != QProcess::NotRunning) {
      process.kill();
      process.waitForFinished();
    }
  }
  QString firstLine() {
    while (!process.canReadLine())
      if (!process.waitForReadyRead(20000)) return {};
    return QString::fromUtf8(process.readLine()).trimmed();
  }
};

TEST(SingleInstance, ASecondLaunchHandsItsFilesToTheFirstAndEnds) {
  QTemporaryDir runtime, cwd;
  Launch first(runtime.path(), "k1", 1, {});
  ASSERT_EQ(first.firstLine(), "primary");
  // The socket is the user's only.
  const QString socket = runtime.path() + "/glimpse-photos-k1.socket";
  ASSERT_TRUE(QFileInfo::exists(socket));
  EXPECT_EQ(modeOf(socket) & 077, 0);

  // A relative name is made absolute against the second launch's folder.
  Launch second(runtime.path(), "k1", 0, {"relative photo.jpg", "/abs/b.png"}, cwd.path());
  ASSERT_TRUE(second.process.waitForFinished(20000));
  EXPECT_EQ(second.process.exitCode(), 0);
  EXPECT_EQ(second.firstLine(), "forwarded");
  ASSERT_TRUE(first.process.waitForFinished(20000));
  const QStringList got = QString::fromUtf8(first.process.readAllStandardOutput()).split('\n', Qt::SkipEmptyParts);
  EXPECT_EQ(got, (QStringList{"got " + cwd.path() + "/relative photo.jpg", "got /abs/b.png"}));
}

TEST(SingleInstance, ThreeLaunchesAtOnceMakeOneInstance) {
  QTemporaryDir runtime;
  Launch a(runtime.path(), "k2", 2, {"/a.jpg"}), b(runtime.path(), "k2", 2, {"/b.jpg"}),
      c(runtime.path(), "k2", 2, {"/c.jpg"});
  QStringList roles{a.firstLine(), b.firstLine(), c.firstLine()};
  roles.sort();
  EXPECT_EQ(roles, (QStringList{"forwarded", "forwarded", "primary"}));
  for (Launch* l : {&a, &b, &c}) {
    ASSERT_TRUE(l->process.waitForFinished(20000));
    EXPECT_EQ(l->process.exitCode(), 0);
  }
}

TEST(SingleInstance, AnInstanceThatDiedLeavesNothingInTheWay) {
  QTemporaryDir runtime;
  {
    Launch first(runtime.path(), "k3", 1, {});
    ASSERT_EQ(first.firstLine(), "primary");
    first.process.kill();  // no clean-up: the lock file and the socket stay
    first.process.waitForFinished();
  }
  ASSERT_TRUE(QFileInfo::exists(runtime.path() + "/glimpse-photos-k3.socket.lock"));
  Launch next(runtime.path(), "k3", 0, {});
  EXPECT_EQ(next.firstLine(), "primary");
}

// The launched side: prints its role, then (as the instance) each file it is handed.
int instanceHelper(int argc, char** argv) {
  QCoreApplication app(argc, argv);
  const QStringList args = app.arguments();
  const QString key = args.value(2);
  int messages = args.value(3).toInt();
  SingleInstance instance(key);
  const auto role = instance.start(args.mid(4), 10000);
  if (role == SingleInstance::Role::Forwarded) {
    std::cout << "forwarded" << std::endl;
    return 0;
  }
  if (role == SingleInstance::Role::Alone) {
    std::cout << "alone" << std::endl;
    return 1;
  }
  std::cout << "primary" << std::endl;
  if (messages == 0) return 0;
  QObject::connect(&instance, &SingleInstance::filesReceived, &app, [&messages](const QStringList& files) {
    for (const QString& f : files) std::cout << "got " << f.toStdString() << std::endl;
    if (--messages == 0) QCoreApplication::quit();
  });
  QTimer::singleShot(30000, &app, [] { QCoreApplication::exit(3); });
  return QCoreApplication::exec();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::string(argv[1]) == "--instance-helper") return instanceHelper(argc, argv);
  QTemporaryDir home;
  for (const char* var : {"XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"})
    qputenv(var, home.filePath(QString::fromLatin1(var).toLower()).toUtf8());
  if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
  QGuiApplication app(argc, argv);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
