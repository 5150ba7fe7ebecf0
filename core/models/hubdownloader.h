#pragma once
// Downloads a BLIP checkpoint from the Hugging Face Hub (or any server with the Hub's URL
// layout): {endpoint}/{repo}/resolve/{revision}/{file}, endpoint from HF_ENDPOINT when set.
// Files go to a staging folder as NAME.part, resume with HTTP Range requests (also across
// restarts), are checked against the Hub's LFS sha256 (size otherwise), renamed when complete,
// and the staging folder becomes the model folder only when every file is there and (without
// file patterns) inspect_model_folder calls it usable. Nothing half-downloaded or unusable is
// ever installed. What a server sends is checked (docs/security.md): the repo id and every file
// name of its list before they become paths, each file capped at its announced size, redirects
// followed by hand (at most 10, never https -> http) and HF_TOKEN sent only to the endpoint's own
// scheme, host and port, never after a redirect to another one.
#include <QElapsedTimer>
#include <QFile>
#include <QHash>
#include <QNetworkAccessManager>
#include <QObject>
#include <QPointer>
#include <QStringList>
#include <QUrl>
#include <memory>

class QNetworkReply;
namespace glimpse::blip {
class BlockWriter;
}

namespace glimpse::models {

struct DownloadOptions {
  QString endpoint;  // empty: $HF_ENDPOINT, else https://huggingface.co
  QString revision = QStringLiteral("main");
  QStringList patterns;        // glob patterns of files to fetch; empty: what a BLIP folder needs
  QString targetFolder;        // empty: modelsDir()/<repo>
  int parallel = 3;            // files at once
  int stallTimeoutMs = 60000;  // no data for this long: the transfer failed
  int retries = 3;             // resumes after a dropped connection, per file
};

class HubDownloader : public QObject {
  Q_OBJECT
 public:
  HubDownloader(const QString& repo, DownloadOptions options, QObject* parent = nullptr);
  ~HubDownloader() override;
  void start();
  // Stops; finished parts stay and a later download of the same repo resumes them.
  void cancel();
  QString targetFolder() const { return m_target; }
  static QString defaultEndpoint();

 Q_SIGNALS:
  void planned(qint64 totalBytes, const QStringList& files);  // before any data is fetched
  void progress(qint64 doneBytes, qint64 totalBytes, double bytesPerSecond, double etaSeconds);
  void finished(bool ok, const QString& error);

 private:
  struct FileState {
    QString name;
    qint64 size = -1;  // expected, -1 unknown
    QString sha256;    // expected (LFS files), empty otherwise
    QString etag;      // identifies the version for resuming
    QUrl url;          // where the next request goes (after redirects: the CDN)
    int redirects = 0;
    qint64 have = 0;  // bytes in the .part file
    int attempts = 0;
    qint64 resumedFrom = 0;     // bytes already there when the current request started
    bool rangeChecked = false;  // the current response's first data was examined
    bool done = false;
    bool optional = false;
    QFile* out = nullptr;
    // What arrives goes to `out` in whole aligned 2 MiB blocks (block_writer.h): the weights then
    // sit in the page cache in huge folios and the first caption maps them quickly.
    std::shared_ptr<blip::BlockWriter> blocks;
    QNetworkReply* reply = nullptr;
  };

  void listFiles();
  void headNext();
  void startTransfers();
  void startFile(FileState& f);
  void onData(FileState& f);
  void onFileFinished(FileState& f);
  // The writer's kept bytes to the .part file; false, the download failed, when they cannot be.
  bool flushPart(FileState& f);
  void failWrite(FileState& f);  // the .part file could not be written
  void completeFile(FileState& f);
  void fail(const QString& message);
  void stopTransfers();  // aborts every running request, keeping the .part files
  void finishAll();
  void emitProgress();
  QNetworkRequest request(const QUrl& url) const;
  void getList(const QUrl& url, int redirects);
  // The Location of a 3xx reply resolved against its URL, or an empty URL with `error` set.
  static QUrl redirectTarget(QNetworkReply* reply, int redirects, QString* error);
  static bool isRedirect(int status) {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
  }
  QUrl fileUrl(const QString& name) const;
  QString partPath(const QString& name) const;
  static QString describeError(QNetworkReply* reply, int stallMs);

  QString m_repo;
  DownloadOptions m_opt;
  QString m_target, m_staging;
  QNetworkAccessManager m_net;
  QList<FileState> m_files;
  int m_headIndex = 0;
  bool m_failed = false;
  bool m_cancelled = false;
  bool m_finished = false;
  qint64 m_total = 0;
  qint64 m_startBytes = 0;
  QElapsedTimer m_clock;
};

}  // namespace glimpse::models
