// The model manager against a real HTTP server on 127.0.0.1 with the Hub's URL layout: a full
// download that loads and captions, resume after a dropped connection, a corrupted byte, a 404,
// a stalled server, a full disk, cancel and resume; import, verify, remove; and conversion of
// pytorch_model.bin to safetensors with identical outputs.
#include <gtest/gtest.h>

#include <sys/resource.h>
#include <sys/stat.h>
#include <QCoreApplication>
#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QNetworkProxy>
#include <QNetworkProxyFactory>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <csignal>
#include <nlohmann/json.hpp>

#include "blip.h"
#include "cli_runner.h"
#include "hubserver.h"
#include "imaging/imagedecoder.h"
#include "models/hubdownloader.h"
#include "models/modelimporter.h"
#include "models/modelstore.h"

using glimpse::models::DownloadOptions;
using glimpse::models::HubDownloader;
using namespace glimpse::test;

namespace {

const QString kTiny = QStringLiteral(GLIMPSE_TEST_DATA_DIR "/tiny");

// A served model folder: the tiny model's files (weights as model.safetensors).
QString servedFolder(QTemporaryDir& dir) {
  const QString f = dir.filePath("served");
  QDir().mkpath(f);
  for (const char* n : {"config.json", "preprocessor_config.json", "vocab.txt", "added_tokens.json",
                        "special_tokens_map.json", "tokenizer_config.json", "model.safetensors"})
    QFile::copy(kTiny + "/" + n, f + "/" + n);
  return f;
}

// glimpse-cli with the models folder `models` (and the Hub at `endpoint` where given); this thread's
// event loop turns while it runs, for a server the test runs in it.
RunOptions cliOptions(const QString& models, const QString& endpoint = {}) {
  RunOptions o;
  o.env = QProcessEnvironment::systemEnvironment();
  o.env.insert(QStringLiteral("GLIMPSE_MODELS_DIR"), models);
  if (!endpoint.isEmpty()) o.env.insert(QStringLiteral("HF_ENDPOINT"), endpoint);
  o.serveEvents = true;
  o.timeoutMs = 60000;
  return o;
}

struct Result {
  bool ok = false;
  QString error;
  qint64 planned = -1;
};

Result download(HubServer& server, const QString& target, DownloadOptions o = {},
                std::function<void(HubDownloader&)> during = {}) {
  o.endpoint = server.endpoint();
  o.targetFolder = target;
  HubDownloader d(server.repo, o);
  QSignalSpy finished(&d, &HubDownloader::finished);
  QSignalSpy planned(&d, &HubDownloader::planned);
  if (during) QObject::connect(&d, &HubDownloader::progress, [&] { during(d); });
  d.start();
  if (finished.isEmpty()) finished.wait(60000);
  Result r;
  if (!finished.isEmpty()) {
    r.ok = finished[0][0].toBool();
    r.error = finished[0][1].toString();
  } else {
    r.error = QStringLiteral("<timeout>");
  }
  if (!planned.isEmpty()) r.planned = planned[0][0].toLongLong();
  return r;
}

std::string captionOf(const QString& folder) {
  auto m = glimpse::blip::BlipModel::load(folder.toStdString());
  glimpse::blip::GenerationConfig c;
  c.max_length = 15;
  return m
      ->caption({m->preprocess(glimpse::imaging::decodeImageFile(kTiny + "/images/grad_97x61.png").rgb)}, {}, c)[0][0]
      .text;
}

TEST(HubDownload, DownloadsAVerifiedModelThatLoads) {
  QTemporaryDir dir;
  HubServer server(servedFolder(dir));
  const QString target = dir.filePath("models/tiny");
  const Result r = download(server, target);
  ASSERT_TRUE(r.ok) << r.error.toStdString();
  EXPECT_GT(r.planned, QFileInfo(kTiny + "/model.safetensors").size());  // size known before the transfer
  EXPECT_FALSE(QFileInfo::exists(target + ".download"));
  for (const char* n : {"config.json", "vocab.txt", "model.safetensors"})
    EXPECT_TRUE(QFileInfo::exists(target + "/" + n)) << n;
  EXPECT_EQ(captionOf(target), captionOf(kTiny));
}

TEST(HubDownload, ResumesAfterADroppedConnection) {
  QTemporaryDir dir;
  HubServer server(servedFolder(dir));
  server.dropAfter = 1 << 20;  // the first transfer is cut after 1 MiB
  const Result r = download(server, dir.filePath("models/tiny"));
  ASSERT_TRUE(r.ok) << r.error.toStdString();
  ASSERT_EQ(server.rangeHeaders.size(), 1);
  EXPECT_EQ(server.rangeHeaders[0], QStringLiteral("bytes=1048576-"));
  EXPECT_EQ(HubServer::sha256([&] {
              QFile f(dir.filePath("models/tiny/model.safetensors"));
              f.open(QIODevice::ReadOnly);
              return f.readAll();
            }()),
            HubServer::sha256([&] {
              QFile f(kTiny + "/model.safetensors");
              f.open(QIODevice::ReadOnly);
              return f.readAll();
            }()));
}

TEST(HubDownload, CorruptedByteIsCaughtAndNothingIsInstalled) {
  QTemporaryDir dir;
  HubServer server(servedFolder(dir));
  server.corruptAt = 5000;
  const QString target = dir.filePath("models/tiny");
  const Result r = download(server, target);
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(r.error.contains(QStringLiteral("corrupted"))) << r.error.toStdString();
  EXPECT_FALSE(QFileInfo::exists(target));
  EXPECT_FALSE(QFileInfo::exists(target + ".download/model.safetensors.part"));
}

TEST(HubDownload, MissingFilesAndRepositories) {
  QTemporaryDir dir;
  HubServer server(servedFolder(dir));
  server.missing = {QStringLiteral("preprocessor_config.json")};
  QFile::remove(server.folder + "/preprocessor_config.json");
  Result r = download(server, dir.filePath("models/a"));
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(r.error.contains(QStringLiteral("404"))) << r.error.toStdString();
  server.repo = QStringLiteral("Salesforce/tiny-blip");
  DownloadOptions o;
  o.endpoint = server.endpoint();
  o.targetFolder = dir.filePath("models/b");
  HubDownloader other(QStringLiteral("Nobody/no-such-model"), o);
  QSignalSpy finished(&other, &HubDownloader::finished);
  other.start();
  ASSERT_TRUE(finished.wait(10000));
  EXPECT_TRUE(finished[0][1].toString().contains(QStringLiteral("no model repository")))
      << finished[0][1].toString().toStdString();
}

TEST(HubDownload, StalledServerTimesOut) {
  QTemporaryDir dir;
  HubServer server(servedFolder(dir));
  server.stallAfter = 4096;
  DownloadOptions o;
  o.stallTimeoutMs = 1000;
  o.retries = 0;
  const Result r = download(server, dir.filePath("models/tiny"), o);
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(r.error.contains(QStringLiteral("stopped sending"))) << r.error.toStdString();
}

TEST(HubDownload, NoServerIsAClearError) {
  QTemporaryDir dir;
  DownloadOptions o;
  o.endpoint = QStringLiteral("http://127.0.0.1:9");  // nothing listens on the discard port
  o.targetFolder = dir.filePath("models/tiny");
  HubDownloader d(QStringLiteral("Salesforce/tiny-blip"), o);
  QSignalSpy finished(&d, &HubDownloader::finished);
  d.start();
  ASSERT_TRUE(finished.wait(10000));
  EXPECT_TRUE(finished[0][1].toString().contains(QStringLiteral("cannot reach")))
      << finished[0][1].toString().toStdString();
}

TEST(HubDownload, UnreachableProxyIsAClearError) {
  QTemporaryDir dir;
  // A proxy that refuses connections (nothing listens on 127.0.0.1:9), set as the application's
  // proxy. Qt never proxies loopback addresses, so the endpoint is a name only the proxy would
  // resolve (.invalid): no packet leaves this machine.
  QNetworkProxyFactory::setUseSystemConfiguration(false);
  QNetworkProxy::setApplicationProxy(QNetworkProxy(QNetworkProxy::HttpProxy, QStringLiteral("127.0.0.1"), 9));
  DownloadOptions o;
  o.endpoint = QStringLiteral("http://hub.invalid");
  o.targetFolder = dir.filePath("models/tiny");
  HubDownloader d(QStringLiteral("Salesforce/tiny-blip"), o);
  QSignalSpy finished(&d, &HubDownloader::finished);
  d.start();
  ASSERT_TRUE(finished.wait(10000));
  QNetworkProxy::setApplicationProxy(QNetworkProxy(QNetworkProxy::NoProxy));
  const Result r{finished[0][0].toBool(), finished[0][1].toString(), -1};
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(r.error.contains(QStringLiteral("proxy"))) << r.error.toStdString();
}

TEST(HubDownload, FullDiskIsAClearError) {
  if (::geteuid() != 0) GTEST_SKIP() << "mounting a small tmpfs needs root";
  QTemporaryDir dir;
  HubServer server(servedFolder(dir));
  const QString mnt = dir.filePath("small");
  QDir().mkpath(mnt);
  ASSERT_EQ(QProcess::execute(QStringLiteral("mount"), {"-t", "tmpfs", "-o", "size=2m", "tmpfs", mnt}), 0);
  const Result r = download(server, mnt + "/models/tiny");
  QProcess::execute(QStringLiteral("umount"), {mnt});
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(r.error.contains(QStringLiteral("disk space")) || r.error.contains(QStringLiteral("disk full")))
      << r.error.toStdString();
}

TEST(HubDownload, CancelKeepsThePartAndTheNextRunResumes) {
  QTemporaryDir dir;
  HubServer server(servedFolder(dir));
  server.stallAfter = 2 << 20;  // data stops after 2 MiB: cancel while it waits
  const QString target = dir.filePath("models/tiny");
  DownloadOptions o;
  o.stallTimeoutMs = 30000;
  // Cancel once part of the weights is on disk (watched, not timed: a loaded machine is slow).
  bool watching = false;
  const QString partFile = target + ".download/model.safetensors.part";
  const Result first = download(server, target, o, [&](HubDownloader& d) {
    if (watching) return;
    watching = true;
    auto* poll = new QTimer(&d);
    QObject::connect(poll, &QTimer::timeout, &d, [&d, poll, partFile] {
      if (QFileInfo(partFile).size() < (1 << 20)) return;
      poll->stop();
      d.cancel();
    });
    poll->start(20);
  });
  EXPECT_FALSE(first.ok);
  EXPECT_TRUE(first.error.contains(QStringLiteral("cancelled"))) << first.error.toStdString();
  const qint64 part = QFileInfo(target + ".download/model.safetensors.part").size();
  EXPECT_GT(part, 0);
  EXPECT_FALSE(QFileInfo::exists(target));
  server.stallAfter = -1;
  const Result second = download(server, target);
  ASSERT_TRUE(second.ok) << second.error.toStdString();
  ASSERT_FALSE(server.rangeHeaders.isEmpty());
  EXPECT_EQ(server.rangeHeaders.back(), QStringLiteral("bytes=%1-").arg(part));
  EXPECT_EQ(captionOf(target), captionOf(kTiny));
}

// The weights reach the .part file in whole 2 MiB blocks at 2 MiB offsets (block_writer.h: the
// page cache then holds them in huge folios, quick to map), and what arrived of an unfinished block
// is written when the download stops, so the next run resumes from the last byte received; the
// resumed run starts mid-block and completes the file.
TEST(HubDownload, WeightsReachTheDiskInWholeAlignedBlocksAndTheRestWhenStopped) {
  QTemporaryDir dir;
  HubServer server(servedFolder(dir));
  constexpr qint64 kBlock = 2 << 20;
  server.stallAfter = kBlock + 1000;  // the weights stop 1000 bytes into their second block
  qint64 others = 0;                  // the small files, served whole
  for (const QFileInfo& f : QDir(dir.filePath("served")).entryInfoList(QDir::Files))
    if (!HubServer::isLfs(f.fileName())) others += f.size();
  const QString target = dir.filePath("models/tiny");
  const QString partFile = target + ".download/model.safetensors.part";
  DownloadOptions o;
  o.stallTimeoutMs = 30000;
  qint64 onDiskWhenAllArrived = -1;
  bool watching = false;
  const Result first = download(server, target, o, [&](HubDownloader& d) {
    if (watching) return;
    watching = true;
    QObject::connect(&d, &HubDownloader::progress, &d, [&](qint64 done, qint64) {
      if (done < others + server.stallAfter || onDiskWhenAllArrived >= 0) return;
      onDiskWhenAllArrived = QFileInfo(partFile).size();
      d.cancel();
    });
  });
  EXPECT_FALSE(first.ok);
  EXPECT_TRUE(first.error.contains(QStringLiteral("cancelled"))) << first.error.toStdString();
  EXPECT_EQ(onDiskWhenAllArrived, kBlock);                   // the whole first block only
  EXPECT_EQ(QFileInfo(partFile).size(), server.stallAfter);  // and the rest once stopped
  server.stallAfter = -1;
  const Result second = download(server, target);
  ASSERT_TRUE(second.ok) << second.error.toStdString();
  ASSERT_FALSE(server.rangeHeaders.isEmpty());
  EXPECT_EQ(server.rangeHeaders.back(), QStringLiteral("bytes=%1-").arg(kBlock + 1000));
  EXPECT_EQ(captionOf(target), captionOf(kTiny));
}

// A write that fails midway (here the process's file size limit, 3 MiB, with the disk's free space
// checked and ample): a clear error naming the part, which keeps what was written, and the next
// run resumes from there.
TEST(HubDownload, AWriteErrorIsNamedAndThePartResumes) {
  QTemporaryDir dir;
  HubServer server(servedFolder(dir));
  const QString target = dir.filePath("models/tiny");
  const QString partFile = target + ".download/model.safetensors.part";
  rlimit before{};
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &before), 0);
  constexpr qint64 kLimit = 3 << 20;                      // inside the second 2 MiB block of the 6 MB weights
  const auto oldHandler = std::signal(SIGXFSZ, SIG_IGN);  // the write fails with EFBIG instead
  rlimit limited = before;
  limited.rlim_cur = kLimit;
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &limited), 0);
  const Result first = download(server, target);
  ::setrlimit(RLIMIT_FSIZE, &before);
  std::signal(SIGXFSZ, oldHandler);
  EXPECT_FALSE(first.ok);
  EXPECT_TRUE(first.error.contains(QStringLiteral("cannot write")) && first.error.contains(partFile) &&
              first.error.contains(QStringLiteral("resumes later")))
      << first.error.toStdString();
  const qint64 part = QFileInfo(partFile).size();
  EXPECT_GE(part, qint64{2} << 20);  // the first block, and as much of the second as the limit let in
  EXPECT_LE(part, kLimit);
  EXPECT_FALSE(QFileInfo::exists(target));
  const Result second = download(server, target);
  ASSERT_TRUE(second.ok) << second.error.toStdString();
  ASSERT_FALSE(server.rangeHeaders.isEmpty());
  EXPECT_EQ(server.rangeHeaders.back(), QStringLiteral("bytes=%1-").arg(part));
  EXPECT_EQ(captionOf(target), captionOf(kTiny));
}

// A model folder as people have one, with `extraBytes` of extra weights (a large file of
// distinct bytes) beside the tiny checkpoint.
void writeImportSource(const QString& dir, qint64 extraBytes) {
  for (const char* n : {"config.json", "preprocessor_config.json", "vocab.txt", "model.safetensors"})
    ASSERT_TRUE(QFile::copy(kTiny + "/" + n, dir + "/" + n)) << n;
  QFile big(dir + "/extra_weights.bin");
  ASSERT_TRUE(big.open(QIODevice::WriteOnly));
  QByteArray block(1 << 20, '\0');
  for (qint64 written = 0, i = 0; written < extraBytes; written += block.size(), ++i) {
    for (int k = 0; k < block.size(); k += 4096) block[k] = static_cast<char>(i + k);
    ASSERT_EQ(big.write(block), block.size());
  }
}

// Importing a large folder runs on a worker thread: start() returns at once, the event loop of
// this (GUI) thread keeps running and receives the bytes as they are copied; the result is a usable
// model. The same weights imported again under another name are stored once (a hard link).
TEST(ModelImporter, CopiesOffTheCallingThreadAndStoresIdenticalWeightsOnce) {
  QTemporaryDir dir;
  qputenv("GLIMPSE_MODELS_DIR", dir.filePath("models").toUtf8());
  const QString src = dir.filePath("src");
  QDir().mkpath(src);
  constexpr qint64 kExtra = qint64{96} << 20;
  writeImportSource(src, kExtra);
  glimpse::models::ModelImporter importer(src, QStringLiteral("first"));
  QSignalSpy progress(&importer, &glimpse::models::ModelImporter::progress);
  QSignalSpy finished(&importer, &glimpse::models::ModelImporter::finished);
  int eventsWhileCopying = 0;
  QTimer tick;
  QObject::connect(&tick, &QTimer::timeout, [&] {
    if (finished.isEmpty() && !progress.isEmpty()) ++eventsWhileCopying;
  });
  tick.start(0);
  importer.start();
  EXPECT_TRUE(finished.isEmpty());  // not done inside start()
  ASSERT_TRUE(finished.wait(120000));
  tick.stop();
  ASSERT_TRUE(finished[0][0].toBool()) << finished[0][1].toString().toStdString();
  const QString first = finished[0][1].toString();
  EXPECT_EQ(first, dir.filePath("models/first"));
  EXPECT_TRUE(glimpse::models::describe(first).usable);
  EXPECT_GT(eventsWhileCopying, 0);  // the loop ran between chunks of the copy
  ASSERT_GE(progress.size(), 3);     // 0, chunks, all
  qint64 last = -1;
  for (const auto& p : progress) {
    EXPECT_GE(p[0].toLongLong(), last);  // never backwards
    last = p[0].toLongLong();
  }
  EXPECT_EQ(last, progress.back()[1].toLongLong());
  EXPECT_GT(last, kExtra);

  // The same weights again, under another name: linked to the stored copy, not copied again.
  glimpse::models::ModelImporter again(src, QStringLiteral("second"));
  QSignalSpy done(&again, &glimpse::models::ModelImporter::finished);
  again.start();
  ASSERT_TRUE(done.wait(120000));
  ASSERT_TRUE(done[0][0].toBool()) << done[0][1].toString().toStdString();
  for (const char* n : {"extra_weights.bin", "model.safetensors"}) {
    struct stat a {
    }, b{};
    ASSERT_EQ(::stat(QFile::encodeName(first + "/" + n).constData(), &a), 0);
    ASSERT_EQ(::stat(QFile::encodeName(dir.filePath("models/second/") + n).constData(), &b), 0);
    EXPECT_EQ(a.st_ino, b.st_ino) << n;
    EXPECT_EQ(b.st_nlink, 2u) << n;
  }
  // Removing one keeps the other whole.
  glimpse::models::removeModel(QStringLiteral("first"));
  EXPECT_EQ(QFileInfo(dir.filePath("models/second/extra_weights.bin")).size(),
            QFileInfo(src + "/extra_weights.bin").size());
  EXPECT_TRUE(glimpse::models::describe(dir.filePath("models/second")).usable);
  qunsetenv("GLIMPSE_MODELS_DIR");
}

// Cancel during the copy: the import ends as cancelled and nothing of it stays in the models folder.
TEST(ModelImporter, CancelRemovesThePartialCopy) {
  QTemporaryDir dir;
  qputenv("GLIMPSE_MODELS_DIR", dir.filePath("models").toUtf8());
  const QString src = dir.filePath("src");
  QDir().mkpath(src);
  writeImportSource(src, qint64{96} << 20);
  glimpse::models::ModelImporter importer(src, QStringLiteral("mine"));
  QSignalSpy finished(&importer, &glimpse::models::ModelImporter::finished);
  QObject::connect(&importer, &glimpse::models::ModelImporter::progress, [&](qint64 done, qint64) {
    if (done > 0) importer.cancel();  // after the first chunk
  });
  importer.start();
  ASSERT_TRUE(finished.wait(120000));
  EXPECT_FALSE(finished[0][0].toBool());
  EXPECT_TRUE(finished[0][2].toBool());  // cancelled, not failed
  EXPECT_FALSE(QFileInfo::exists(dir.filePath("models/mine")));
  EXPECT_FALSE(QFileInfo::exists(dir.filePath("models/mine.download")));
  EXPECT_TRUE(glimpse::models::installedModels().isEmpty());
  qunsetenv("GLIMPSE_MODELS_DIR");
}

TEST(ModelStore, ImportVerifyRemove) {
  QTemporaryDir dir;
  qputenv("GLIMPSE_MODELS_DIR", dir.filePath("models").toUtf8());
  QTemporaryDir src;
  for (const char* n : {"config.json", "preprocessor_config.json", "model.safetensors"})
    QFile::copy(kTiny + "/" + n, src.filePath(n));
  try {
    glimpse::models::importModel(src.path(), QStringLiteral("mine"));
    FAIL() << "a folder without a tokenizer must not import";
  } catch (const glimpse::models::ModelError& e) {
    EXPECT_NE(std::string(e.what()).find("tokenizer"), std::string::npos) << e.what();
  }
  QFile::copy(kTiny + "/vocab.txt", src.filePath("vocab.txt"));
  const QString folder = glimpse::models::importModel(src.path(), QStringLiteral("mine"));
  EXPECT_EQ(folder, dir.filePath("models/mine"));
  const auto m = glimpse::models::describe(folder);
  EXPECT_TRUE(m.usable) << m.problem.toStdString();
  EXPECT_EQ(m.heads.size(), 3);
  EXPECT_EQ(glimpse::models::installedModels().size(), 1);
  EXPECT_THROW(glimpse::models::removeModel(src.path()), glimpse::models::ModelError);  // not ours
  glimpse::models::removeModel(QStringLiteral("mine"));
  EXPECT_FALSE(QFileInfo::exists(folder));
  EXPECT_TRUE(QFileInfo::exists(src.filePath("vocab.txt")));
  qunsetenv("GLIMPSE_MODELS_DIR");
}

// OPUS-MT (Marian) folders: imported, verified and described as translation models; one without
// its sentencepiece models is refused with the missing file named. The downloader fetches a
// Marian repository's own files (no BLIP preprocessor or vocab.txt).
TEST(ModelStore, MarianFoldersImportVerifyAndDownload) {
  const QString marian = QStringLiteral(GLIMPSE_TEST_DATA_DIR "/marian/tiny");
  QTemporaryDir dir;
  qputenv("GLIMPSE_MODELS_DIR", dir.filePath("models").toUtf8());
  QTemporaryDir src;
  for (const char* n : {"config.json", "generation_config.json", "vocab.json", "target.spm", "model.safetensors"})
    QFile::copy(marian + "/" + n, src.filePath(n));
  try {
    glimpse::models::importModel(src.path(), QStringLiteral("Helsinki-NLP/opus-mt-de-en"));
    FAIL() << "a Marian folder without source.spm must not import";
  } catch (const glimpse::models::ModelError& e) {
    EXPECT_NE(std::string(e.what()).find("source.spm"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(glimpse::models::installedTranslationModel(QStringLiteral("de"), QStringLiteral("en")).isEmpty());
  QFile::copy(marian + "/source.spm", src.filePath("source.spm"));
  const QString folder = glimpse::models::importModel(src.path(), QStringLiteral("Helsinki-NLP/opus-mt-de-en"));
  const auto m = glimpse::models::describe(folder);
  EXPECT_TRUE(m.usable) << m.problem.toStdString();
  EXPECT_EQ(m.heads, QStringList{QStringLiteral("MarianMTModel")});
  EXPECT_TRUE(m.summary.startsWith(QStringLiteral("Marian 16/2+2 layers, 286 pieces"))) << m.summary.toStdString();
  EXPECT_EQ(glimpse::tasksOfHeads(m.heads), QList<glimpse::Task>{glimpse::Task::Translate});
  // The installed model for German queries; French falls back to opus-mt-mul-en, not installed.
  EXPECT_EQ(glimpse::models::installedTranslationModel(QStringLiteral("de"), QStringLiteral("en")), folder);
  EXPECT_TRUE(glimpse::models::installedTranslationModel(QStringLiteral("fr"), QStringLiteral("en")).isEmpty());
  EXPECT_TRUE(glimpse::models::installedTranslationModel(QStringLiteral("en"), QStringLiteral("de")).isEmpty());
  // Weights that do not fit config.json are found without loading them.
  QFile::remove(folder + "/model.safetensors");
  QFile::copy(kTiny + "/model.safetensors", folder + "/model.safetensors");
  EXPECT_FALSE(glimpse::models::describe(folder).usable);
  glimpse::models::removeModel(QStringLiteral("Helsinki-NLP/opus-mt-de-en"));

  QTemporaryDir served;
  const QString repo = served.filePath("served");
  QDir().mkpath(repo);
  for (const char* n : {"config.json", "generation_config.json", "vocab.json", "source.spm", "target.spm",
                        "tokenizer_config.json", "special_tokens_map.json", "model.safetensors"})
    QFile::copy(marian + "/" + n, repo + "/" + n);
  HubServer server(repo);
  const QString target = dir.filePath("models/Helsinki-NLP/opus-mt-en-de");
  const Result r = download(server, target);
  ASSERT_TRUE(r.ok) << r.error.toStdString();
  for (const char* n : {"config.json", "source.spm", "target.spm", "vocab.json", "model.safetensors"})
    EXPECT_TRUE(QFileInfo::exists(target + "/" + n)) << n;
  EXPECT_EQ(glimpse::models::installedTranslationModel(QStringLiteral("en"), QStringLiteral("de")), target);
  qunsetenv("GLIMPSE_MODELS_DIR");
}

TEST(ModelStore, ConvertBinToSafetensorsKeepsOutputs) {
  QTemporaryDir dir;
  const QString folder = dir.filePath("bin");
  QDir().mkpath(folder);
  for (const QString& f : QDir(kTiny + "/caption_bin").entryList(QDir::Files))
    QFile::copy(kTiny + "/caption_bin/" + f, folder + "/" + f);
  const std::string before = captionOf(folder);
  const QString out = glimpse::models::convertToSafetensors(folder);
  EXPECT_TRUE(QFileInfo::exists(folder + "/pytorch_model.bin"));  // original kept
  ASSERT_TRUE(QFileInfo::exists(out));
  // Loading now prefers the memory-mapped safetensors: same tokens.
  EXPECT_EQ(captionOf(folder), before);
  auto m = glimpse::blip::BlipModel::load(folder.toStdString());
  EXPECT_EQ(m->weights_dtype(), "F32");
  EXPECT_THROW(glimpse::models::convertToSafetensors(folder), glimpse::models::ModelError);  // already there
}

TEST(ModelsCli, DownloadThroughHfEndpoint) {
  QTemporaryDir dir;
  HubServer server(servedFolder(dir));
  RunOptions o = cliOptions(dir.filePath("models"), server.endpoint());
  const CliRun download = runCli({"models", "download", "--json", server.repo}, o);
  ASSERT_EQ(download.code, 0) << download.err;
  const auto j = nlohmann::json::parse(download.out);
  EXPECT_TRUE(j["usable"].get<bool>());
  EXPECT_EQ(j["folder"].get<std::string>(), dir.filePath("models/Salesforce/tiny-blip").toStdString());
  o.timeoutMs = 30000;
  const CliRun verify = runCli({"models", "verify", "Salesforce/tiny-blip"}, o);
  EXPECT_EQ(verify.code, 0) << verify.err;
  EXPECT_EQ(verify.out.rfind("ok: ", 0), 0u) << verify.out;
}

// ---- Hostile servers and names (issue 11): nothing written or deleted outside its place ----

// Every file under `root`, as relative paths.
QStringList filesUnder(const QString& root) {
  QStringList out;
  QDirIterator it(root, QDir::Files | QDir::Hidden | QDir::System, QDirIterator::Subdirectories);
  while (it.hasNext()) out << QDir(root).relativeFilePath(it.next());
  out.sort();
  return out;
}

TEST(HubDownload, TokenGoesToTheEndpointOnlyNeverAfterARedirectToAnotherHost) {
  QTemporaryDir dir;
  const QString served = servedFolder(dir);
  HubServer server(served), cdn(served);  // two ports on 127.0.0.1: two origins
  server.cdnEndpoint = cdn.endpoint();
  qputenv("HF_TOKEN", "hf_secret_token");
  const QString target = dir.filePath("models/tiny");
  const Result r = download(server, target);
  qunsetenv("HF_TOKEN");
  ASSERT_TRUE(r.ok) << r.error.toStdString();
  EXPECT_GT(cdn.cdnRequests, 0);  // the weights came from the other server
  EXPECT_TRUE(cdn.authorizations.isEmpty()) << cdn.authorizations.front().first.toStdString();
  ASSERT_FALSE(server.authorizations.isEmpty());
  for (const auto& [path, value] : server.authorizations)
    EXPECT_EQ(value, QByteArray("Bearer hf_secret_token")) << path.toStdString();
  EXPECT_EQ(captionOf(target), captionOf(kTiny));
}

TEST(HubDownload, FileNamesFromTheServerCannotLeaveTheModelFolder) {
  QTemporaryDir dir;
  HubServer server(servedFolder(dir));
  const QStringList before = filesUnder(dir.path());
  for (const QString& name :
       {QStringLiteral("../evil.json"), QStringLiteral("../../evil.json"), QStringLiteral("a/../../evil.json"),
        QStringLiteral("/tmp/evil.json"), QStringLiteral("./x.json"), QStringLiteral("a//b.json"),
        QStringLiteral("..\\evil.json"), QStringLiteral("a/\nb.json"), QStringLiteral("..")}) {
    server.extraListed = {name};
    DownloadOptions o;
    o.patterns = {name, QStringLiteral("*"), QStringLiteral("*/*"), QStringLiteral("*/*/*")};
    const Result r = download(server, dir.filePath("models/org/m"), o);
    EXPECT_FALSE(r.ok) << name.toStdString();
    EXPECT_TRUE(r.error.contains(QStringLiteral("unsafe file name")))
        << name.toStdString() << ": " << r.error.toStdString();
  }
  QStringList after = filesUnder(dir.path());
  after.removeIf([](const QString& f) { return f.startsWith(QLatin1String("models/")); });
  EXPECT_EQ(after, before);  // nothing new outside the models folder
  EXPECT_TRUE(filesUnder(dir.filePath("models")).filter(QStringLiteral("evil")).isEmpty());
  // Without patterns the hostile names are simply not wanted: the model downloads.
  server.extraListed = {QStringLiteral("../evil.json")};
  const Result ok = download(server, dir.filePath("models/org/ok"));
  EXPECT_TRUE(ok.ok) << ok.error.toStdString();
}

TEST(HubDownload, ServerSendingMoreThanItAnnouncedIsStopped) {
  QTemporaryDir dir;
  HubServer server(servedFolder(dir));
  server.announceLess = 1000;
  const QString target = dir.filePath("models/tiny");
  const Result r = download(server, target);
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(r.error.contains(QStringLiteral("more than the"))) << r.error.toStdString();
  EXPECT_FALSE(QFileInfo::exists(target));
  EXPECT_LE(QFileInfo(target + ".download/model.safetensors.part").size(),
            QFileInfo(kTiny + "/model.safetensors").size() - 1000);
}

TEST(HubDownload, InvalidFileListAndRepoIdsAreClearErrors) {
  QTemporaryDir dir;
  HubServer server(servedFolder(dir));
  server.apiBody = "<html>not json</html>";
  Result r = download(server, dir.filePath("models/a"));
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(r.error.contains(QStringLiteral("not the Hub's JSON"))) << r.error.toStdString();
  qputenv("GLIMPSE_MODELS_DIR", dir.filePath("models").toUtf8());
  const QStringList before = filesUnder(dir.path());
  for (const QString& repo :
       {QStringLiteral("x/../../victim"), QStringLiteral("../victim"), QStringLiteral("a/b/c"), QStringLiteral("a"),
        QStringLiteral(".a/b"), QStringLiteral("a/-b"), QStringLiteral("a/b..c"), QStringLiteral("a/b--c"),
        QStringLiteral("a/b.git"), QStringLiteral("a/") + QString(97, QLatin1Char('x')), QStringLiteral("a/b c")}) {
    DownloadOptions o;
    o.endpoint = server.endpoint();
    HubDownloader d(repo, o);
    QSignalSpy finished(&d, &HubDownloader::finished);
    d.start();
    if (finished.isEmpty()) finished.wait(10000);
    ASSERT_FALSE(finished.isEmpty()) << repo.toStdString();
    EXPECT_FALSE(finished[0][0].toBool());
    EXPECT_TRUE(finished[0][1].toString().contains(QStringLiteral("not a Hub repo id")))
        << finished[0][1].toString().toStdString();
  }
  EXPECT_EQ(filesUnder(dir.path()), before);
  EXPECT_TRUE(glimpse::models::isValidRepoId(QStringLiteral("Salesforce/blip-image-captioning-base")));
  EXPECT_TRUE(glimpse::models::isValidRepoId(QStringLiteral("a_b/c.d-1")));
  qunsetenv("GLIMPSE_MODELS_DIR");
}

TEST(HubDownload, UnusableFolderIsNotInstalled) {
  QTemporaryDir dir;
  const QString served = servedFolder(dir);
  // A 200-token vocabulary for a 30524-token model.
  QFile vocab(served + "/vocab.txt");
  ASSERT_TRUE(vocab.open(QIODevice::ReadOnly));
  QList<QByteArray> lines = vocab.readAll().split('\n').mid(0, 200);
  vocab.close();
  QFile(served + "/vocab.txt").remove();
  QFile out(served + "/vocab.txt");
  ASSERT_TRUE(out.open(QIODevice::WriteOnly));
  out.write(lines.join('\n') + '\n');
  out.close();
  HubServer server(served);
  const QString target = dir.filePath("models/tiny");
  const Result r = download(server, target);
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(r.error.contains(QStringLiteral("nothing was installed"))) << r.error.toStdString();
  EXPECT_TRUE(r.error.contains(QStringLiteral("[UNK]"))) << r.error.toStdString();
  EXPECT_FALSE(QFileInfo::exists(target));
  // The CLI says so with the model error code.
  const CliRun cli =
      runCli({"models", "download", "--endpoint", server.endpoint(), server.repo}, cliOptions(dir.filePath("models2")));
  EXPECT_EQ(cli.code, 3) << cli.err;
  EXPECT_FALSE(QFileInfo::exists(dir.filePath("models2/Salesforce/tiny-blip")));
}

TEST(ModelStore, NamesAndPathsCannotLeaveTheModelsFolder) {
  QTemporaryDir dir;
  const QString models = dir.filePath("models");
  qputenv("GLIMPSE_MODELS_DIR", models.toUtf8());
  QDir().mkpath(models + "/org");
  // A victim folder beside the models folder, with a config.json (the only thing remove checked).
  const QString victim = dir.filePath("victim");
  QDir().mkpath(victim);
  for (const char* n : {"config.json", "preprocessor_config.json", "vocab.txt", "model.safetensors"})
    QFile::copy(kTiny + "/" + n, victim + "/" + n);
  for (const QString& name : {QStringLiteral("../victim"), QStringLiteral("org/../../victim"), models + "/../victim",
                              models + "/org/../../victim", QStringLiteral("..")}) {
    EXPECT_THROW(glimpse::models::removeModel(name), glimpse::models::ModelError) << name.toStdString();
  }
  // A symbolic link inside the models folder that points at the victim.
  ASSERT_TRUE(QFile::link(victim, models + "/org/link"));
  EXPECT_THROW(glimpse::models::removeModel(QStringLiteral("org/link")), glimpse::models::ModelError);
  EXPECT_THROW(glimpse::models::removeModel(models + "/org/link"), glimpse::models::ModelError);
  ASSERT_TRUE(QFile::link(dir.path(), models + "/up"));
  EXPECT_THROW(glimpse::models::removeModel(QStringLiteral("up/victim")), glimpse::models::ModelError);
  EXPECT_THROW(glimpse::models::pathInside(models, QStringLiteral("up/victim")), glimpse::models::ModelError);
  EXPECT_TRUE(QFileInfo::exists(victim + "/config.json"));
  EXPECT_TRUE(QFileInfo::exists(victim + "/model.safetensors"));
  // Import and folderFor refuse names that leave the folder.
  QTemporaryDir src;
  for (const char* n : {"config.json", "preprocessor_config.json", "vocab.txt", "model.safetensors"})
    QFile::copy(kTiny + "/" + n, src.filePath(n));
  for (const QString& name : {QStringLiteral("../../x"), QStringLiteral("../x"), QStringLiteral("/tmp/x"),
                              QStringLiteral("a/b/c"), QStringLiteral("up/x")}) {
    EXPECT_THROW(glimpse::models::importModel(src.path(), name), glimpse::models::ModelError) << name.toStdString();
  }
  EXPECT_FALSE(QFileInfo::exists(dir.filePath("x")));
  EXPECT_FALSE(QFileInfo::exists(dir.filePath("x.download")));
  qunsetenv("GLIMPSE_MODELS_DIR");
}

TEST(ModelsCli, TraversalNamesAreUsageErrors) {
  QTemporaryDir dir;
  const QString victim = dir.filePath("victim");
  QDir().mkpath(victim);
  QFile::copy(kTiny + "/config.json", victim + "/config.json");
  QTemporaryDir src;
  for (const char* n : {"config.json", "preprocessor_config.json", "vocab.txt", "model.safetensors"})
    QFile::copy(kTiny + "/" + n, src.filePath(n));
  RunOptions o = cliOptions(dir.filePath("models"), QStringLiteral("http://127.0.0.1:9"));
  o.timeoutMs = 30000;
  for (const QStringList& args :
       {QStringList{"models", "remove", "../victim"}, QStringList{"models", "import", "--name", "../../x", src.path()},
        QStringList{"models", "download", "x/../../victim"}, QStringList{"models", "verify", "../victim"}}) {
    const CliRun r = runCli(args, o);
    EXPECT_EQ(r.code, 2) << args.join(' ').toStdString() << ": " << r.err;
  }
  EXPECT_TRUE(QFileInfo::exists(victim + "/config.json"));
  EXPECT_FALSE(QFileInfo::exists(dir.filePath("x")));
}

TEST(ModelsCli, InterruptedDownloadExits130AndResumesLater) {
  QTemporaryDir dir;
  HubServer server(servedFolder(dir));
  server.stallAfter = 1 << 20;
  QProcess p;
  QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
  env.insert(QStringLiteral("HF_ENDPOINT"), server.endpoint());
  env.insert(QStringLiteral("GLIMPSE_MODELS_DIR"), dir.filePath("models"));
  p.setProcessEnvironment(env);
  QByteArray err;
  QObject::connect(&p, &QProcess::readyReadStandardError, [&] { err += p.readAllStandardError(); });
  QSignalSpy done(&p, &QProcess::finished);
  p.start(QStringLiteral(GLIMPSE_CLI_PATH), {"models", "download", server.repo});
  QElapsedTimer t;
  t.start();
  while (server.cdnRequests == 0 && t.elapsed() < 30000) QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
  ASSERT_GT(server.cdnRequests, 0) << err.toStdString();
  QTest::qWait(300);
  ::kill(static_cast<pid_t>(p.processId()), SIGINT);
  ASSERT_TRUE(done.wait(30000));
  err += p.readAllStandardError();
  EXPECT_EQ(p.exitStatus(), QProcess::NormalExit);
  EXPECT_EQ(p.exitCode(), 130) << err.toStdString();
  EXPECT_TRUE(err.contains("cancelled")) << err.toStdString();
  EXPECT_TRUE(QFileInfo::exists(dir.filePath("models/Salesforce/tiny-blip.download/model.safetensors.part")));
}

TEST(ModelsCli, VerifyAndImportRefuseATruncatedCheckpoint) {
  QTemporaryDir dir;
  const QString src = dir.filePath("cut");
  QDir().mkpath(src);
  for (const char* n : {"config.json", "preprocessor_config.json", "vocab.txt"})
    QFile::copy(kTiny + "/" + n, src + "/" + n);
  QFile in(kTiny + "/model.safetensors");
  ASSERT_TRUE(in.open(QIODevice::ReadOnly));
  QFile out(src + "/model.safetensors");
  ASSERT_TRUE(out.open(QIODevice::WriteOnly));
  out.write(in.read(in.size() / 2));
  out.close();
  RunOptions o = cliOptions(dir.filePath("models"));
  o.timeoutMs = 30000;
  for (const QStringList& args : {QStringList{"models", "verify", src}, QStringList{"models", "import", src}}) {
    const CliRun r = runCli(args, o);
    EXPECT_EQ(r.code, 3) << args.join(' ').toStdString() << ": " << r.err;
    EXPECT_NE(r.err.find("truncated"), std::string::npos) << r.err;
  }
  EXPECT_FALSE(QFileInfo::exists(dir.filePath("models/cut")));
}

// Every seed of tests/fuzz/corpus/hub_api as the server's file list: valid_* download, bad_* fail
// in words; nothing is written outside the target.
TEST(HubDownload, FileListCorpus) {
  QTemporaryDir dir;
  HubServer server(servedFolder(dir));
  const QString corpus = QStringLiteral(GLIMPSE_TEST_DATA_DIR "/../fuzz/corpus/hub_api");
  int seeds = 0;
  for (const QString& name : QDir(corpus).entryList(QDir::Files)) {
    if (!name.startsWith(QLatin1String("valid_")) && !name.startsWith(QLatin1String("bad_"))) continue;
    ++seeds;
    QFile f(corpus + "/" + name);
    ASSERT_TRUE(f.open(QIODevice::ReadOnly));
    server.apiBody = f.readAll();
    DownloadOptions o;
    if (name.startsWith(QLatin1String("bad_")))
      o.patterns = {QStringLiteral("*"), QStringLiteral("*/*"), QStringLiteral("*/*/*")};
    const Result r = download(server, dir.filePath("models/" + name), o);
    EXPECT_EQ(r.ok, name.startsWith(QLatin1String("valid_"))) << name.toStdString() << ": " << r.error.toStdString();
    if (!r.ok) {
      EXPECT_FALSE(r.error.isEmpty());
    }
  }
  EXPECT_GE(seeds, 3);
  EXPECT_TRUE(filesUnder(dir.path()).filter(QStringLiteral("evil")).isEmpty());
}

}  // namespace

int main(int argc, char** argv) {
  QCoreApplication app(argc, argv);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
