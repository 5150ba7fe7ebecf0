#pragma once
// One Glimpse window per user and library: the first launch listens on a local socket in the
// runtime folder ($XDG_RUNTIME_DIR, owner-only), a later launch hands its files to it and ends.
// A QLockFile beside the socket decides who is first when two start at once; a lock left by a
// process that died is taken over.
#include <QLockFile>
#include <QObject>
#include <QString>
#include <QStringList>
#include <memory>

class QLocalServer;

namespace glimpse::desktop {

class SingleInstance : public QObject {
  Q_OBJECT
 public:
  enum class Role {
    Primary,    // this process is the instance: filesReceived() reports later launches
    Forwarded,  // the running instance took the files: this process should end (exit 0)
    Alone,      // neither worked (no runtime folder, or the instance does not answer): run alone
  };
  // `key` tells instances apart; defaultKey() is per library (the data folder).
  explicit SingleInstance(const QString& key = defaultKey(), QObject* parent = nullptr);
  ~SingleInstance() override;
  // Becomes the instance or hands `files` (made absolute against this process's folder) to it,
  // waiting up to `timeoutMs` for an instance that is still starting.
  Role start(const QStringList& files, int timeoutMs = 5000);
  QString socketPath() const { return m_socketPath; }
  static QString defaultKey();

 Q_SIGNALS:
  // Another launch's files (absolute paths; empty when it named none: show the window).
  void filesReceived(const QStringList& files);

 private:
  bool listen();
  bool forward(const QStringList& files, int timeoutMs);
  QString m_socketPath;
  QLockFile m_lock;
  QLocalServer* m_server = nullptr;
};

}  // namespace glimpse::desktop
