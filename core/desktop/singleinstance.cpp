#include "singleinstance.h"

#include <QCryptographicHash>
#include <QDataStream>
#include <QDeadlineTimer>
#include <QDir>
#include <QFileInfo>
#include <QLocalServer>
#include <QLocalSocket>
#include <QThread>

#include "paths.h"

namespace glimpse::desktop {
namespace {

constexpr char kAck = 'k';
constexpr qint64 kMaxMessage = 16 * 1024 * 1024;
// Fixed, so that launches of other Glimpse versions understand each other.
constexpr QDataStream::Version kStreamVersion = QDataStream::Qt_6_0;

QString socketPathFor(const QString& key) {
  const QString dir = runtimeDir();
  return dir.isEmpty() ? QString() : dir + QStringLiteral("/glimpse-photos-") + key + QStringLiteral(".socket");
}

}  // namespace

QString SingleInstance::defaultKey() {
  return QString::fromLatin1(QCryptographicHash::hash(dataDir().toUtf8(), QCryptographicHash::Sha256).toHex().left(16));
}

SingleInstance::SingleInstance(const QString& key, QObject* parent)
    : QObject(parent), m_socketPath(socketPathFor(key)), m_lock(m_socketPath + QStringLiteral(".lock")) {
  // The lock is held as long as the instance runs; only a dead owner makes it stale.
  m_lock.setStaleLockTime(0);
}

SingleInstance::~SingleInstance() {
  if (m_server) m_server->close();
}

SingleInstance::Role SingleInstance::start(const QStringList& files, int timeoutMs) {
  if (m_socketPath.isEmpty()) return Role::Alone;
  QStringList absolute;
  for (const QString& f : files) absolute << QFileInfo(f).absoluteFilePath();
  const QDeadlineTimer deadline(timeoutMs);
  do {
    if (m_lock.tryLock(0)) return listen() ? Role::Primary : Role::Alone;
    // Someone holds the lock: the instance, perhaps still starting to listen.
    if (forward(absolute, static_cast<int>(qMax<qint64>(deadline.remainingTime(), 100)))) return Role::Forwarded;
    QThread::msleep(100);
  } while (!deadline.hasExpired());
  return Role::Alone;
}

bool SingleInstance::listen() {
  m_server = new QLocalServer(this);
  m_server->setSocketOptions(QLocalServer::UserAccessOption);
  QLocalServer::removeServer(m_socketPath);  // left by an instance that died (we hold the lock)
  if (!m_server->listen(m_socketPath)) return false;
  connect(m_server, &QLocalServer::newConnection, this, [this] {
    while (QLocalSocket* socket = m_server->nextPendingConnection()) {
      connect(socket, &QLocalSocket::disconnected, socket, &QObject::deleteLater);
      connect(socket, &QLocalSocket::readyRead, socket, [this, socket] {
        if (socket->bytesAvailable() > kMaxMessage) {
          socket->abort();
          return;
        }
        QDataStream in(socket);
        in.setVersion(kStreamVersion);
        in.startTransaction();
        QStringList files;
        in >> files;
        if (!in.commitTransaction()) return;  // more to come
        socket->write(&kAck, 1);
        socket->flush();
        Q_EMIT filesReceived(files);
      });
    }
  });
  return true;
}

bool SingleInstance::forward(const QStringList& files, int timeoutMs) {
  QLocalSocket socket;
  socket.connectToServer(m_socketPath);
  if (!socket.waitForConnected(qMin(timeoutMs, 1000))) return false;
  QByteArray message;
  QDataStream out(&message, QIODevice::WriteOnly);
  out.setVersion(kStreamVersion);
  out << files;
  socket.write(message);
  if (!socket.waitForBytesWritten(timeoutMs)) return false;
  while (socket.bytesAvailable() < 1)
    if (!socket.waitForReadyRead(timeoutMs)) return false;
  char ack = 0;
  return socket.read(&ack, 1) == 1 && ack == kAck;
}

}  // namespace glimpse::desktop
