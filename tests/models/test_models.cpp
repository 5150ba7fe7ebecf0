// The model manager against a real HTTP server on 127.0.0.1 with the Hub's URL layout: a full
// download that loads and captions, resume after a dropped connection, a corrupted byte, a 404,
// a stalled server, a full disk, cancel and resume; import, verify, remove; and conversion of
// pytorch_model.bin to safetensors with identical outputs.
#include <gtest/gtest.h>

#include <QCoreApplication>
#include <QDir>
#include <QNetworkProxy>
#include <QNetworkProxyFactory>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <nlohmann/json.hpp>

#include "blip.h"
#include "hubserver.h"
#include "imaging/imagedecoder.h"
#include "models/hubdownloader.h"
#include "models/modelstore.h"

using glimpse::models::DownloadOptions;
using glimpse::models::HubDownloader;
using glimpse::test::HubServer;

namespace {

const QString kTiny = QStringLiteral(GLIMPSE_TEST_DATA_DIR "/tiny");

// A served model folder: the tiny model's files (weights as model.safetensors).
QString servedFolder(QTemporaryDir& dir) {
  const QString f = dir.filePath("served");
  QDir().mkpath(f);
  for (const char* n : {"config.json", "preprocessor_config.json", "vocab.txt", "added_tokens.json", "special_tokens_map.json",
                        "tokenizer_config.json", "model.safetensors"})
    QFile::copy(kTiny + "/" + n, f + "/" + n);
  return f;
}

struct Result {
  bool ok = false;
  QString error;
  qint64 planned = -1;
};

Result download(HubServer& server, const QString& target, DownloadOptions o = {}, std::function<void(HubDownloader&)> during = {}) {
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
  return m->caption({m->preprocess(glimpse::imaging::decodeImageFile(kTiny + "/images/grad_97x61.png").rgb)}, {}, c)[0][0].text;
}

TEST(HubDownload, DownloadsAVerifiedModelThatLoads) {
  QTemporaryDir dir;
  HubServer server(servedFolder(dir));
  const QString target = dir.filePath("models/tiny");
  const Result r = download(server, target);
  ASSERT_TRUE(r.ok) << r.error.toStdString();
  EXPECT_GT(r.planned, QFileInfo(kTiny + "/model.safetensors").size());  // size known before the transfer
  EXPECT_FALSE(QFileInfo::exists(target + ".download"));
  for (const char* n : {"config.json", "vocab.txt", "model.safetensors"}) EXPECT_TRUE(QFileInfo::exists(target + "/" + n)) << n;
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
  EXPECT_TRUE(finished[0][1].toString().contains(QStringLiteral("no model repository"))) << finished[0][1].toString().toStdString();
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
  EXPECT_TRUE(finished[0][1].toString().contains(QStringLiteral("cannot reach"))) << finished[0][1].toString().toStdString();
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
  EXPECT_TRUE(r.error.contains(QStringLiteral("disk space")) || r.error.contains(QStringLiteral("disk full"))) << r.error.toStdString();
}

TEST(HubDownload, CancelKeepsThePartAndTheNextRunResumes) {
  QTemporaryDir dir;
  HubServer server(servedFolder(dir));
  server.stallAfter = 2 << 20;  // data stops after 2 MiB: cancel while it waits
  const QString target = dir.filePath("models/tiny");
  DownloadOptions o;
  o.stallTimeoutMs = 30000;
  const Result first = download(server, target, o, [](HubDownloader& d) {
    static int calls = 0;
    if (++calls > 3) QTimer::singleShot(300, &d, [&d] { d.cancel(); });
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

TEST(ModelStore, ImportVerifyRemove) {
  QTemporaryDir dir;
  qputenv("GLIMPSE_MODELS_DIR", dir.filePath("models").toUtf8());
  QTemporaryDir src;
  for (const char* n : {"config.json", "preprocessor_config.json", "model.safetensors"}) QFile::copy(kTiny + "/" + n, src.filePath(n));
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

TEST(ModelStore, ConvertBinToSafetensorsKeepsOutputs) {
  QTemporaryDir dir;
  const QString folder = dir.filePath("bin");
  QDir().mkpath(folder);
  for (const QString& f : QDir(kTiny + "/caption_bin").entryList(QDir::Files)) QFile::copy(kTiny + "/caption_bin/" + f, folder + "/" + f);
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
  QProcess p;
  QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
  env.insert(QStringLiteral("HF_ENDPOINT"), server.endpoint());
  env.insert(QStringLiteral("GLIMPSE_MODELS_DIR"), dir.filePath("models"));
  p.setProcessEnvironment(env);
  QSignalSpy done(&p, &QProcess::finished);
  p.start(QStringLiteral(GLIMPSE_CLI_PATH), {"models", "download", "--json", server.repo});
  ASSERT_TRUE(done.wait(60000));  // the server answers from this thread's event loop
  ASSERT_EQ(p.exitCode(), 0) << p.readAllStandardError().toStdString();
  const auto j = nlohmann::json::parse(p.readAllStandardOutput().toStdString());
  EXPECT_TRUE(j["usable"].get<bool>());
  EXPECT_EQ(j["folder"].get<std::string>(), dir.filePath("models/Salesforce/tiny-blip").toStdString());
  QProcess v;
  v.setProcessEnvironment(env);
  v.start(QStringLiteral(GLIMPSE_CLI_PATH), {"models", "verify", "Salesforce/tiny-blip"});
  ASSERT_TRUE(v.waitForFinished(30000));
  EXPECT_EQ(v.exitCode(), 0) << v.readAllStandardError().toStdString();
  EXPECT_TRUE(v.readAllStandardOutput().startsWith("ok: "));
}

}  // namespace

int main(int argc, char** argv) {
  QCoreApplication app(argc, argv);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
