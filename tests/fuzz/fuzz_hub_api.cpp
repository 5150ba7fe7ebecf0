// The Hub API's file list (core/models/hubdownloader.cpp): HubDownloader talks to a local HTTP
// server whose /api/models/... answer is the input, and plans a download from it. Every other
// request (HEAD of a file) answers 404, so nothing is fetched or written beyond the staging
// folder under this process's scratch folder. The first byte picks the file patterns: none
// (what a BLIP folder needs), "*", "*.json" + "*.txt", or "*/*".
#include <QByteArray>
#include <QDir>
#include <QEventLoop>
#include <QHash>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>
#include <cstdlib>

#include "models/hubdownloader.h"
#include "support.h"

namespace {

class ApiServer : public QObject {
 public:
  QByteArray body;

  ApiServer() {
    connect(&m_server, &QTcpServer::newConnection, this, [this] {
      while (QTcpSocket* s = m_server.nextPendingConnection()) {
        connect(s, &QTcpSocket::readyRead, this, [this, s] { onRead(s); });
        connect(s, &QTcpSocket::disconnected, s, &QObject::deleteLater);
        connect(s, &QObject::destroyed, this, [this, s] { m_buffers.remove(s); });
      }
    });
    if (!m_server.listen(QHostAddress::LocalHost, 0)) std::abort();
  }
  QString endpoint() const { return QStringLiteral("http://127.0.0.1:%1").arg(m_server.serverPort()); }

 private:
  void onRead(QTcpSocket* s) {
    QByteArray& buffer = m_buffers[s];
    buffer += s->readAll();
    for (int end; (end = buffer.indexOf("\r\n\r\n")) >= 0;) {
      const QList<QByteArray> first = buffer.left(end).split('\n').value(0).trimmed().split(' ');
      buffer.remove(0, end + 4);
      const bool head = first.value(0) == "HEAD";
      const bool api = first.value(1).startsWith("/api/models/");
      const QByteArray payload = api ? body : QByteArray("Entry not found");
      QByteArray out = api ? "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" : "HTTP/1.1 404 Not Found\r\n";
      out += "Content-Length: " + QByteArray::number(payload.size()) + "\r\nConnection: keep-alive\r\n\r\n";
      if (!head) out += payload;
      s->write(out);
    }
  }

  QTcpServer m_server;
  QHash<QTcpSocket*, QByteArray> m_buffers;
};

ApiServer* server = nullptr;

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  for (const char* v : {"http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY", "HF_TOKEN"})
    unsetenv(v);
  glimpse::fuzz::initQt(argc, argv);
  server = new ApiServer;
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  static const QStringList patterns[] = {
      {}, {QStringLiteral("*")}, {QStringLiteral("*.json"), QStringLiteral("*.txt")}, {QStringLiteral("*/*")}};
  server->body = QByteArray(reinterpret_cast<const char*>(data + 1), static_cast<qsizetype>(size - 1));
  const QString root = QString::fromStdString(glimpse::fuzz::scratchDir()) + QStringLiteral("/models");
  glimpse::models::DownloadOptions options;
  options.endpoint = server->endpoint();
  options.patterns = patterns[data[0] % 4];
  options.targetFolder = root + QStringLiteral("/Salesforce/blip-fuzz");
  options.stallTimeoutMs = 5000;
  bool finished = false;
  {
    glimpse::models::HubDownloader downloader(QStringLiteral("Salesforce/blip-fuzz"), options);
    QEventLoop loop;
    QObject::connect(&downloader, &glimpse::models::HubDownloader::finished, &loop, [&] {
      finished = true;
      loop.quit();
    });
    QTimer timeout;
    timeout.setSingleShot(true);
    QObject::connect(&timeout, &QTimer::timeout, &loop, &QEventLoop::quit);
    timeout.start(10000);
    downloader.start();
    if (!finished) loop.exec();
  }
  if (!finished) __builtin_trap();  // the download neither finished nor failed: a hang
  QDir(root).removeRecursively();
  return 0;
}
