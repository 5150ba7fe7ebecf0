#include "hubdownloader.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkProxy>
#include <QNetworkProxyFactory>
#include <QNetworkReply>
#include <QRegularExpression>
#include <QStorageInfo>
#include <QTimer>

#include "blip.h"
#include "block_writer.h"
#include "modelstore.h"

namespace glimpse::models {
namespace {

bool matches(const QString& name, const QStringList& patterns) {
  for (const QString& p : patterns)
    if (QRegularExpression(QRegularExpression::wildcardToRegularExpression(p)).match(name).hasMatch()) return true;
  return false;
}

QString unquote(QString s) {
  s = s.trimmed();
  if (s.startsWith(QLatin1String("W/"))) s = s.mid(2);
  if (s.size() >= 2 && s.startsWith(QLatin1Char('"')) && s.endsWith(QLatin1Char('"'))) s = s.mid(1, s.size() - 2);
  return s;
}

constexpr qint64 kMaxListBytes = 16 << 20;  // the Hub's file list of a model is a few KB
constexpr int kMaxRedirects = 10;

// A path of the URL, each part percent-encoded ('/' between parts kept).
QString encodePath(const QString& path) {
  QStringList parts;
  for (const QString& p : path.split(QLatin1Char('/'))) parts << QString::fromLatin1(QUrl::toPercentEncoding(p));
  return parts.join(QLatin1Char('/'));
}

bool isSha256(const QString& s) {
  return s.size() == 64 && QRegularExpression(QStringLiteral("^[0-9a-f]{64}$")).match(s).hasMatch();
}

// The writer of a .part file that holds `have` bytes.
std::shared_ptr<blip::BlockWriter> blocksFor(QFile* out, qint64 have) {
  return std::make_shared<blip::BlockWriter>(
      have, [out](const char* data, int64_t size) { return out->write(data, size) == size; });
}

}  // namespace

QString HubDownloader::defaultEndpoint() {
  const QByteArray env = qgetenv("HF_ENDPOINT");
  QString e = env.isEmpty() ? QStringLiteral("https://huggingface.co") : QString::fromLocal8Bit(env);
  while (e.endsWith(QLatin1Char('/'))) e.chop(1);
  return e;
}

HubDownloader::HubDownloader(const QString& repo, DownloadOptions options, QObject* parent)
    : QObject(parent), m_repo(repo), m_opt(std::move(options)) {
  if (m_opt.endpoint.isEmpty()) m_opt.endpoint = defaultEndpoint();
  while (m_opt.endpoint.endsWith(QLatin1Char('/'))) m_opt.endpoint.chop(1);
  // An invalid repo id never becomes a path or a URL: start() reports it.
  if (isValidRepoId(m_repo)) m_target = m_opt.targetFolder.isEmpty() ? folderFor(repo) : m_opt.targetFolder;
  m_staging = m_target.isEmpty() ? QString() : m_target + QStringLiteral(".download");
  // The desktop's proxy settings and http(s)_proxy, unless the application set a proxy itself.
  if (QNetworkProxy::applicationProxy().type() == QNetworkProxy::NoProxy)
    QNetworkProxyFactory::setUseSystemConfiguration(true);
  // Redirects are followed by hand, so the token never travels to another host.
  m_net.setRedirectPolicy(QNetworkRequest::ManualRedirectPolicy);
}

HubDownloader::~HubDownloader() {
  stopTransfers();
  for (auto& f : m_files) delete f.out;
}

QNetworkRequest HubDownloader::request(const QUrl& url) const {
  QNetworkRequest r{url};
  r.setHeader(QNetworkRequest::UserAgentHeader, QStringLiteral("glimpse/0.1"));
  r.setTransferTimeout(m_opt.stallTimeoutMs);
  r.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
  // The token goes to the endpoint only: same scheme, host and port.
  const QUrl endpoint(m_opt.endpoint);
  const bool sameOrigin = url.scheme() == endpoint.scheme() &&
                          url.host().compare(endpoint.host(), Qt::CaseInsensitive) == 0 &&
                          url.port(url.scheme() == QLatin1String("https") ? 443 : 80) ==
                              endpoint.port(endpoint.scheme() == QLatin1String("https") ? 443 : 80);
  const QByteArray token = qgetenv("HF_TOKEN");
  if (!token.isEmpty() && sameOrigin) r.setRawHeader("Authorization", "Bearer " + token);
  return r;
}

QUrl HubDownloader::fileUrl(const QString& name) const {
  return QUrl(m_opt.endpoint + QLatin1Char('/') + m_repo + QStringLiteral("/resolve/") +
              QString::fromLatin1(QUrl::toPercentEncoding(m_opt.revision)) + QLatin1Char('/') + encodePath(name));
}

QUrl HubDownloader::redirectTarget(QNetworkReply* reply, int redirects, QString* error) {
  const QByteArray location = reply->rawHeader("Location");
  if (location.isEmpty()) {
    *error = tr("the server answered %1 without a Location: %2")
                 .arg(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt())
                 .arg(reply->url().toString());
    return {};
  }
  const QUrl target = reply->url().resolved(QUrl::fromEncoded(location));
  if (redirects >= kMaxRedirects) {
    *error = tr("too many redirects (more than %1) from %2").arg(kMaxRedirects).arg(reply->url().toString());
    return {};
  }
  if (!target.isValid() || (target.scheme() != QLatin1String("http") && target.scheme() != QLatin1String("https")) ||
      (reply->url().scheme() == QLatin1String("https") && target.scheme() != QLatin1String("https"))) {
    *error = tr("refusing the redirect from %1 to %2").arg(reply->url().toString(), target.toString());
    return {};
  }
  return target;
}

QString HubDownloader::partPath(const QString& name) const {
  return m_staging + QLatin1Char('/') + name + QStringLiteral(".part");
}

QString HubDownloader::describeError(QNetworkReply* reply, int stallMs) {
  const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
  const QString url = reply->url().toString();
  // Through a proxy, a refused or unknown connection is the proxy's: say so.
  const QList<QNetworkProxy> proxies = QNetworkProxyFactory::proxyForQuery(QNetworkProxyQuery(reply->url()));
  const QNetworkProxy proxy = proxies.isEmpty() ? QNetworkProxy(QNetworkProxy::NoProxy) : proxies.front();
  if (proxy.type() != QNetworkProxy::NoProxy && proxy.type() != QNetworkProxy::DefaultProxy &&
      (reply->error() == QNetworkReply::ConnectionRefusedError || reply->error() == QNetworkReply::HostNotFoundError))
    return QObject::tr("cannot reach the proxy %1:%2 for %3 (%4); check the proxy settings or http_proxy / https_proxy")
        .arg(proxy.hostName())
        .arg(proxy.port())
        .arg(reply->url().host(), reply->errorString());
  switch (reply->error()) {
    case QNetworkReply::HostNotFoundError:
    case QNetworkReply::ConnectionRefusedError:
    case QNetworkReply::TemporaryNetworkFailureError:
    case QNetworkReply::NetworkSessionFailedError:
    case QNetworkReply::UnknownNetworkError:
      return QObject::tr("cannot reach %1 (no network?): %2").arg(reply->url().host(), reply->errorString());
    case QNetworkReply::ProxyConnectionRefusedError:
    case QNetworkReply::ProxyConnectionClosedError:
    case QNetworkReply::ProxyNotFoundError:
    case QNetworkReply::ProxyTimeoutError:
    case QNetworkReply::ProxyAuthenticationRequiredError:
    case QNetworkReply::UnknownProxyError:
      return QObject::tr("the proxy refused the connection (%1); check http_proxy / https_proxy")
          .arg(reply->errorString());
    case QNetworkReply::OperationCanceledError:
    case QNetworkReply::TimeoutError:
      return QObject::tr("the server stopped sending data (nothing for %1 s): %2").arg(stallMs / 1000.0).arg(url);
    case QNetworkReply::ContentNotFoundError:
      return QObject::tr("not found (HTTP 404): %1").arg(url);
    case QNetworkReply::AuthenticationRequiredError:
    case QNetworkReply::ContentAccessDenied:
      return QObject::tr("access denied (HTTP %1): %2; gated models need HF_TOKEN").arg(status).arg(url);
    default:
      return QObject::tr("download failed (%1): %2").arg(reply->errorString(), url);
  }
}

void HubDownloader::start() {
  m_clock.start();
  if (!isValidRepoId(m_repo))
    return fail(tr("'%1' is not a Hub repo id: use owner/name (letters, digits, '-', '_', '.'), such as "
                   "Salesforce/blip-image-captioning-base")
                    .arg(m_repo));
  if (!QDir().mkpath(m_staging)) return fail(tr("cannot create %1").arg(m_staging));
  markModelsDir();
  listFiles();
}

void HubDownloader::listFiles() {
  // The repository's file list from the Hub API; then the files a BLIP folder needs.
  getList(QUrl(m_opt.endpoint + QStringLiteral("/api/models/") + m_repo + QStringLiteral("/revision/") +
               QString::fromLatin1(QUrl::toPercentEncoding(m_opt.revision))),
          0);
}

void HubDownloader::getList(const QUrl& url, int redirects) {
  QNetworkReply* reply = m_net.get(request(url));
  connect(reply, &QNetworkReply::downloadProgress, this, [reply](qint64 received, qint64) {
    if (received > kMaxListBytes) reply->abort();
  });
  connect(reply, &QNetworkReply::finished, this, [this, reply, redirects] {
    reply->deleteLater();
    if (m_cancelled) return;
    const int code = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (isRedirect(code)) {
      QString why;
      const QUrl next = redirectTarget(reply, redirects, &why);
      if (next.isEmpty()) return fail(why);
      return getList(next, redirects + 1);
    }
    if (reply->bytesAvailable() > kMaxListBytes || reply->error() == QNetworkReply::OperationCanceledError)
      return fail(tr("the file list from %1 is larger than %2 MB; not a model repository")
                      .arg(reply->url().toString())
                      .arg(kMaxListBytes >> 20));
    if (reply->error() != QNetworkReply::NoError) {
      const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
      if (status == 404 || status == 401)
        return fail(tr("no model repository %1 at revision %2 on %3").arg(m_repo, m_opt.revision, m_opt.endpoint));
      return fail(describeError(reply, m_opt.stallTimeoutMs));
    }
    QJsonParseError parseError{};
    const QJsonDocument doc = QJsonDocument::fromJson(reply->readAll(), &parseError);
    if (parseError.error != QJsonParseError::NoError || !doc.isObject() ||
        !doc.object().value(QStringLiteral("siblings")).isArray())
      return fail(tr("the file list from %1 is not the Hub's JSON (%2)")
                      .arg(reply->url().toString(), parseError.errorString()));
    QStringList names;
    for (const QJsonValue& v : doc.object().value(QStringLiteral("siblings")).toArray())
      names << v.toObject().value(QStringLiteral("rfilename")).toString();
    QStringList want, required, optional;
    if (!m_opt.patterns.isEmpty()) {
      for (const QString& n : names)
        if (matches(n, m_opt.patterns)) want << n;
      if (want.isEmpty())
        return fail(tr("no file of %1 matches %2").arg(m_repo, m_opt.patterns.join(QStringLiteral(", "))));
    } else {
      // An OPUS-MT (Marian) repository has sentencepiece models; else it is taken for BLIP.
      const bool marian = names.contains(QStringLiteral("source.spm"));
      required = marian ? requiredMarianFiles() : requiredModelFiles();
      optional = marian ? optionalMarianFiles() : optionalModelFiles();
      for (const QString& n : required + optional)
        if (names.contains(n)) want << n;
      // Weights: safetensors (memory-mapped) where the repository has it.
      if (names.contains(QStringLiteral("model.safetensors")))
        want << QStringLiteral("model.safetensors");
      else if (names.contains(QStringLiteral("pytorch_model.bin")))
        want << QStringLiteral("pytorch_model.bin");
      else
        return fail(tr("%1 has no model.safetensors or pytorch_model.bin").arg(m_repo));
      for (const QString& r : required)
        if (!names.contains(r)) return fail(tr("%1 lacks %2: not a BLIP or OPUS-MT checkpoint folder").arg(m_repo, r));
    }
    // File names come from the server: each must stay inside the staging folder.
    for (const QString& n : want) {
      try {
        pathInside(m_staging, n);
        pathInside(m_staging, n + QStringLiteral(".part.json"));
      } catch (const ModelError& e) {
        return fail(
            tr("the server lists an unsafe file name; nothing was written: %1").arg(QString::fromStdString(e.what())));
      }
    }
    for (const QString& n : want) {
      FileState f;
      f.name = n;
      f.url = fileUrl(n);
      f.optional = optional.contains(n);
      m_files.push_back(f);
    }
    headNext();
  });
}

void HubDownloader::headNext() {
  if (m_cancelled || m_failed) return;
  if (m_headIndex >= m_files.size()) {
    m_total = 0;
    QStringList names;
    for (auto& f : m_files) {
      m_total += std::max<qint64>(f.size, 0);
      names << f.name;
      // A .part of the same version resumes; another version starts over.
      QFile meta(partPath(f.name) + QStringLiteral(".json"));
      if (QFileInfo::exists(partPath(f.name)) && meta.open(QIODevice::ReadOnly) &&
          QJsonDocument::fromJson(meta.readAll()).object().value(QStringLiteral("etag")).toString() == f.etag &&
          !f.etag.isEmpty()) {
        f.have = QFileInfo(partPath(f.name)).size();
      } else {
        QFile::remove(partPath(f.name));
      }
      if (QFileInfo::exists(m_staging + QLatin1Char('/') + f.name) &&
          QFileInfo(m_staging + QLatin1Char('/') + f.name).size() == f.size) {
        f.done = true;  // finished in an earlier run
        f.have = f.size;
      }
    }
    // Room on the disk for what is left.
    qint64 left = 0;
    for (const auto& f : m_files) left += std::max<qint64>(f.size - f.have, 0);
    const QStorageInfo disk(m_staging);
    if (disk.isValid() && disk.bytesAvailable() >= 0 && disk.bytesAvailable() < left)
      return fail(tr("not enough disk space in %1: %2 MB needed, %3 MB free")
                      .arg(m_staging)
                      .arg(left / 1000000)
                      .arg(disk.bytesAvailable() / 1000000));
    m_startBytes = 0;
    for (const auto& f : m_files) m_startBytes += f.have;
    Q_EMIT planned(m_total, names);
    startTransfers();
    return;
  }
  FileState& f = m_files[m_headIndex];
  QNetworkReply* reply = m_net.head(request(f.url));
  connect(reply, &QNetworkReply::finished, this, [this, reply] {
    reply->deleteLater();
    if (m_cancelled || m_failed) return;
    FileState& fs = m_files[m_headIndex];
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status == 404 && fs.optional) {
      m_files.removeAt(m_headIndex);
      return headNext();
    }
    if (reply->error() != QNetworkReply::NoError && status != 302 && status != 301 && status != 307)
      return fail(describeError(reply, m_opt.stallTimeoutMs));
    // LFS files: X-Linked-Size / X-Linked-Etag (the sha256); others: Content-Length / ETag.
    const QByteArray linkedSize = reply->rawHeader("X-Linked-Size");
    fs.size = !linkedSize.isEmpty() ? linkedSize.toLongLong()
                                    : reply->header(QNetworkRequest::ContentLengthHeader).toLongLong();
    const QString linkedEtag = unquote(QString::fromLatin1(reply->rawHeader("X-Linked-Etag")));
    fs.etag = !linkedEtag.isEmpty() ? linkedEtag : unquote(QString::fromLatin1(reply->rawHeader("ETag")));
    if (isSha256(linkedEtag)) fs.sha256 = linkedEtag;
    ++m_headIndex;
    headNext();
  });
}

void HubDownloader::startTransfers() {
  if (m_cancelled || m_failed) return;
  int running = 0;
  for (const auto& f : m_files) running += f.reply ? 1 : 0;
  for (auto& f : m_files) {
    if (running >= m_opt.parallel) break;
    if (f.done || f.reply) continue;
    startFile(f);
    ++running;
  }
  if (std::all_of(m_files.begin(), m_files.end(), [](const FileState& f) { return f.done; })) finishAll();
}

void HubDownloader::startFile(FileState& f) {
  const QString part = partPath(f.name);
  QDir().mkpath(QFileInfo(part).absolutePath());
  QFile meta(part + QStringLiteral(".json"));
  if (meta.open(QIODevice::WriteOnly | QIODevice::Truncate))
    meta.write(QJsonDocument(QJsonObject{{QStringLiteral("etag"), f.etag}, {QStringLiteral("size"), f.size}}).toJson());
  meta.close();
  if (!flushPart(f)) return;  // what an earlier transfer kept (none where it ended normally)
  f.blocks.reset();
  delete f.out;
  f.out = new QFile(part);
  // Unbuffered: the block writer hands whole blocks, which QFile's buffer would split.
  if (!f.out->open(QIODevice::WriteOnly | QIODevice::Append | QIODevice::Unbuffered))
    return fail(tr("cannot write %1: %2").arg(part, f.out->errorString()));
  f.have = f.out->size();
  f.blocks = blocksFor(f.out, f.have);
  f.resumedFrom = f.have;
  f.rangeChecked = false;
  QNetworkRequest r = request(f.url);
  if (f.have > 0) r.setRawHeader("Range", "bytes=" + QByteArray::number(f.have) + "-");
  f.reply = m_net.get(r);
  const QString name = f.name;
  auto find = [this, name]() -> FileState* {
    for (auto& x : m_files)
      if (x.name == name) return &x;
    return nullptr;
  };
  connect(f.reply, &QNetworkReply::readyRead, this, [this, find] {
    if (auto* s = find()) onData(*s);
  });
  connect(f.reply, &QNetworkReply::finished, this, [this, find] {
    if (auto* s = find()) onFileFinished(*s);
  });
}

void HubDownloader::onData(FileState& f) {
  if (!f.reply || m_failed) return;
  const int status = f.reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
  if (isRedirect(status) || status >= 400) {
    f.reply->readAll();  // the body of a redirect or an error page is no part of the file
    return;
  }
  if (!f.rangeChecked) {
    f.rangeChecked = true;
    if (f.resumedFrom > 0 && status == 200) {
      // The server ignored the Range request and sends the whole file: start the part over.
      f.out->resize(0);
      f.out->seek(0);
      f.have = 0;
      f.blocks = blocksFor(f.out, 0);
    }
  }
  const QByteArray data = f.reply->readAll();
  if (f.size >= 0 && f.have + data.size() > f.size)
    return fail(
        tr("the server sent more than the %1 bytes it announced for %2; the download stopped").arg(f.size).arg(f.name));
  if (!f.blocks->write(data.constData(), data.size())) return failWrite(f);
  f.have += data.size();
  emitProgress();
}

bool HubDownloader::flushPart(FileState& f) {
  if (!f.blocks || f.blocks->flush()) return true;
  failWrite(f);
  return false;
}

void HubDownloader::failWrite(FileState& f) {
  const QString why = f.out->errorString();
  fail(tr("cannot write %1: %2 (disk full?); the part stays and the download resumes later")
           .arg(f.out->fileName(), why));
}

void HubDownloader::onFileFinished(FileState& f) {
  QNetworkReply* reply = f.reply;
  if (!reply) return;
  onData(f);
  f.reply = nullptr;
  reply->deleteLater();
  if (m_failed || m_cancelled || !flushPart(f)) return;
  if (const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(); isRedirect(status)) {
    QString why;
    const QUrl next = redirectTarget(reply, f.redirects, &why);
    if (next.isEmpty()) return fail(why);
    ++f.redirects;
    f.url = next;
    return startFile(f);
  }
  const bool incomplete = f.size >= 0 && f.have < f.size;
  if (reply->error() != QNetworkReply::NoError || incomplete) {
    const auto err = reply->error();
    const bool dropped = err == QNetworkReply::RemoteHostClosedError || err == QNetworkReply::NoError;
    if (dropped && f.attempts < m_opt.retries) {
      // A dropped connection: continue from what arrived.
      ++f.attempts;
      QTimer::singleShot(200 * f.attempts, this, [this, name = f.name] {
        for (auto& x : m_files)
          // Not a file that has started again meanwhile (startTransfers) or has finished.
          if (x.name == name && !x.reply && !x.done && !m_failed && !m_cancelled) startFile(x);
      });
      return;
    }
    if (incomplete && err == QNetworkReply::NoError)
      return fail(tr("the transfer of %1 ended early: %2 of %3 bytes; run the download again to resume")
                      .arg(f.name)
                      .arg(f.have)
                      .arg(f.size));
    return fail(describeError(reply, m_opt.stallTimeoutMs));
  }
  completeFile(f);
}

void HubDownloader::completeFile(FileState& f) {
  f.blocks.reset();  // flushed by onFileFinished
  f.out->close();
  const QString part = partPath(f.name);
  if (f.size >= 0 && QFileInfo(part).size() != f.size) {
    QFile::remove(part);
    return fail(tr("%1 has the wrong size (%2 bytes, expected %3); the download starts over next time")
                    .arg(f.name)
                    .arg(QFileInfo(part).size())
                    .arg(f.size));
  }
  if (!f.sha256.isEmpty()) {
    QFile in(part);
    QCryptographicHash h(QCryptographicHash::Sha256);
    if (!in.open(QIODevice::ReadOnly) || !h.addData(&in)) return fail(tr("cannot read back %1").arg(part));
    const QString got = QString::fromLatin1(h.result().toHex());
    if (got != f.sha256) {
      QFile::remove(part);
      QFile::remove(part + QStringLiteral(".json"));
      return fail(tr("%1 is corrupted: its sha256 is %2, the Hub says %3; the file was deleted, download it again")
                      .arg(f.name, got, f.sha256));
    }
  }
  const QString final = m_staging + QLatin1Char('/') + f.name;
  QFile::remove(final);
  if (!QFile::rename(part, final)) return fail(tr("cannot rename %1").arg(part));
  QFile::remove(part + QStringLiteral(".json"));
  f.done = true;
  startTransfers();
}

void HubDownloader::finishAll() {
  if (m_finished) return;
  if (m_opt.patterns.isEmpty()) {
    // A model folder was asked for: install it only when Glimpse can use it.
    const InstalledModel info = describe(m_staging);
    if (!info.usable)
      return fail(tr("the downloaded files are not a usable model, so nothing was installed: %1").arg(info.problem));
  }
  m_finished = true;
  // The staging folder becomes the model in one rename.
  if (QFileInfo::exists(m_target)) {
    const QString old = m_target + QStringLiteral(".old");
    QDir(old).removeRecursively();
    QDir().rename(m_target, old);
    if (!QDir().rename(m_staging, m_target)) {
      QDir().rename(old, m_target);
      return fail(tr("cannot move the download into %1").arg(m_target));
    }
    QDir(old).removeRecursively();
  } else {
    QDir().mkpath(QFileInfo(m_target).absolutePath());
    if (!QDir().rename(m_staging, m_target)) {
      m_finished = false;
      return fail(tr("cannot move the download into %1").arg(m_target));
    }
  }
  emitProgress();
  Q_EMIT finished(true, QString());
}

void HubDownloader::emitProgress() {
  qint64 done = 0;
  for (const auto& f : m_files) done += f.have;
  const double secs = std::max(1e-3, m_clock.elapsed() / 1000.0);
  const double rate = (done - m_startBytes) / secs;
  const double eta = rate > 0 && m_total > 0 ? (m_total - done) / rate : -1.0;
  Q_EMIT progress(done, m_total, rate, eta);
}

void HubDownloader::stopTransfers() {
  for (auto& f : m_files) {
    if (f.reply) {
      f.reply->disconnect(this);
      f.reply->abort();
      f.reply->deleteLater();
      f.reply = nullptr;
    }
    // What arrived stays for the next run to resume from (after a write error nothing more is
    // written).
    if (f.blocks) f.blocks->flush();
    f.blocks.reset();
    if (f.out) f.out->close();
  }
}

void HubDownloader::fail(const QString& message) {
  if (m_failed || m_cancelled) return;
  m_failed = true;
  stopTransfers();
  Q_EMIT finished(false, message);
}

void HubDownloader::cancel() {
  if (m_failed || m_finished || m_cancelled) return;
  m_cancelled = true;
  stopTransfers();
  Q_EMIT finished(false, tr("cancelled; %1 resumes where it stopped when downloaded again").arg(m_repo));
}

}  // namespace glimpse::models
