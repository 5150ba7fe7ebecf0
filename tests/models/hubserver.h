#pragma once
// A small HTTP/1.1 server on 127.0.0.1 with the Hugging Face Hub's URL layout, serving a model
// folder: /api/models/{repo}/revision/{rev}, /{repo}/resolve/{rev}/{file} (LFS files answer 302
// to /cdn/{file} with X-Linked-Size and X-Linked-Etag = sha256, like the Hub) and /cdn/{file}
// with Range support. Faults can be switched on: a dropped connection, a corrupted byte, a
// stall, a 404, a size announced smaller than what is sent, a hostile file list; LFS files can
// be redirected to a second server (another port: another origin, as the Hub's CDN is).
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

namespace glimpse::test {

class HubServer : public QObject {
 public:
  QString repo = QStringLiteral("Salesforce/tiny-blip");
  QString folder;
  qint64 dropAfter = -1;     // first /cdn transfer closes after this many body bytes
  qint64 corruptAt = -1;     // this byte of every /cdn transfer is flipped
  qint64 stallAfter = -1;    // every /cdn transfer stops sending after this many bytes
  QStringList missing;       // resolve answers 404 for these
  QStringList rangeHeaders;  // Range headers seen on /cdn
  int cdnRequests = 0;
  QString cdnEndpoint;                               // set: LFS files redirect to <cdnEndpoint>/cdn/NAME (absolute URL)
  QStringList extraListed;                           // names added to the API file list (hostile names)
  QByteArray apiBody;                                // set: the API answers this instead of the file list
  qint64 announceLess = 0;                           // X-Linked-Size says this many bytes fewer than /cdn sends
  QList<QPair<QString, QByteArray>> authorizations;  // (path, Authorization header) of every request

  explicit HubServer(const QString& modelFolder) : folder(modelFolder) {
    connect(&m_server, &QTcpServer::newConnection, this, [this] {
      while (QTcpSocket* s = m_server.nextPendingConnection()) {
        connect(s, &QTcpSocket::readyRead, this, [this, s] { onRead(s); });
        connect(s, &QTcpSocket::disconnected, s, &QObject::deleteLater);
      }
    });
    m_server.listen(QHostAddress::LocalHost, 0);
  }
  QString endpoint() const { return QStringLiteral("http://127.0.0.1:%1").arg(m_server.serverPort()); }
  static bool isLfs(const QString& name) {
    return name.endsWith(QLatin1String(".safetensors")) || name.endsWith(QLatin1String(".bin"));
  }
  static QString sha256(const QByteArray& b) {
    return QString::fromLatin1(QCryptographicHash::hash(b, QCryptographicHash::Sha256).toHex());
  }

 private:
  void onRead(QTcpSocket* s) {
    m_buffers[s] += s->readAll();
    const int end = m_buffers[s].indexOf("\r\n\r\n");
    if (end < 0) return;
    const QByteArray head = m_buffers[s].left(end);
    m_buffers[s].remove(0, end + 4);
    const QList<QByteArray> lines = head.split('\n');
    const QList<QByteArray> first = lines.value(0).trimmed().split(' ');
    const QByteArray method = first.value(0);
    const QString path = QString::fromUtf8(QByteArray::fromPercentEncoding(first.value(1)));
    QByteArray range;
    for (const QByteArray& l : lines) {
      if (l.toLower().startsWith("range:")) range = l.mid(6).trimmed();
      if (l.toLower().startsWith("authorization:")) authorizations.append({path, l.mid(14).trimmed()});
    }
    handle(s, method, path, range);
  }

  void reply(QTcpSocket* s, int status, const QByteArray& reason, const QList<QPair<QByteArray, QByteArray>>& headers,
             const QByteArray& body, bool headOnly, qint64 declaredLength = -1) {
    QByteArray out = "HTTP/1.1 " + QByteArray::number(status) + " " + reason + "\r\n";
    for (const auto& [k, v] : headers) out += k + ": " + v + "\r\n";
    out += "Content-Length: " + QByteArray::number(declaredLength >= 0 ? declaredLength : body.size()) + "\r\n";
    out += "Connection: keep-alive\r\n\r\n";
    s->write(out);
    if (!headOnly) s->write(body);
  }

  void handle(QTcpSocket* s, const QByteArray& method, const QString& path, const QByteArray& range) {
    const bool head = method == "HEAD";
    const QString apiPrefix = QStringLiteral("/api/models/") + repo + QStringLiteral("/revision/");
    const QString resolvePrefix = QLatin1Char('/') + repo + QStringLiteral("/resolve/");
    if (path.startsWith(apiPrefix)) {
      QJsonArray siblings;
      for (const QString& f : QDir(folder).entryList(QDir::Files))
        siblings.append(QJsonObject{{QStringLiteral("rfilename"), f}});
      for (const QString& m : missing + extraListed) siblings.append(QJsonObject{{QStringLiteral("rfilename"), m}});
      if (!apiBody.isEmpty()) return reply(s, 200, "OK", {{"Content-Type", "application/json"}}, apiBody, head);
      const QByteArray body =
          QJsonDocument(QJsonObject{{QStringLiteral("id"), repo}, {QStringLiteral("siblings"), siblings}}).toJson();
      return reply(s, 200, "OK", {{"Content-Type", "application/json"}}, body, head);
    }
    if (path.startsWith(QStringLiteral("/api/models/")))
      return reply(s, 404, "Not Found", {}, "{\"error\":\"Repository not found\"}", head);
    if (path.startsWith(resolvePrefix)) {
      const QString name = path.section(QLatin1Char('/'), 5);
      QFile f(folder + QLatin1Char('/') + name);
      if (missing.contains(name) || !f.open(QIODevice::ReadOnly))
        return reply(s, 404, "Not Found", {}, "Entry not found", head);
      const QByteArray data = f.readAll();
      if (isLfs(name)) {
        return reply(s, 302, "Found",
                     {{"Location", (cdnEndpoint + "/cdn/" + name).toUtf8()},
                      {"X-Linked-Size", QByteArray::number(data.size() - announceLess)},
                      {"X-Linked-Etag", "\"" + sha256(data).toLatin1() + "\""},
                      {"ETag", "\"" + sha256(data).toLatin1() + "\""}},
                     {}, head);
      }
      const QByteArray etag = QCryptographicHash::hash(data, QCryptographicHash::Sha1).toHex();
      return reply(s, 200, "OK", {{"ETag", "\"" + etag + "\""}}, data, head);
    }
    if (path.startsWith(QStringLiteral("/cdn/"))) {
      QFile f(folder + QLatin1Char('/') + path.mid(5));
      if (!f.open(QIODevice::ReadOnly)) return reply(s, 404, "Not Found", {}, {}, head);
      QByteArray data = f.readAll();
      ++cdnRequests;
      if (corruptAt >= 0 && corruptAt < data.size()) data[corruptAt] = static_cast<char>(data[corruptAt] ^ 0x5a);
      qint64 from = 0;
      if (!range.isEmpty()) {
        rangeHeaders << QString::fromLatin1(range);
        from = range.mid(range.indexOf('=') + 1).split('-').value(0).toLongLong();
      }
      const QByteArray body = data.mid(from);
      const QList<QPair<QByteArray, QByteArray>> headers = {
          {"Content-Range", "bytes " + QByteArray::number(from) + "-" + QByteArray::number(data.size() - 1) + "/" +
                                QByteArray::number(data.size())}};
      const int status = range.isEmpty() ? 200 : 206;
      if (dropAfter >= 0 && body.size() > dropAfter) {
        // Headers promise the whole body, then the connection is cut.
        reply(s, status, status == 206 ? "Partial Content" : "OK", headers, body.left(dropAfter), head, body.size());
        dropAfter = -1;
        s->flush();
        QTimer::singleShot(50, s, [s] { s->abort(); });
        return;
      }
      if (stallAfter >= 0 && body.size() > stallAfter) {
        reply(s, status, status == 206 ? "Partial Content" : "OK", headers, body.left(stallAfter), head, body.size());
        return;  // and nothing more
      }
      return reply(s, status, status == 206 ? "Partial Content" : "OK", headers, body, head);
    }
    reply(s, 404, "Not Found", {}, {}, head);
  }

  QTcpServer m_server;
  QHash<QTcpSocket*, QByteArray> m_buffers;
};

}  // namespace glimpse::test
