#pragma once
// importModel() on a worker thread, for the app: the window keeps serving events while a large
// checkpoint is copied, shows the bytes as they go and can cancel (the partial copy is removed).
#include <QFutureWatcher>
#include <QObject>
#include <QString>
#include <atomic>

namespace glimpse::models {

class ModelImporter : public QObject {
  Q_OBJECT
 public:
  // Imports `source` as `name` (its folder name when empty) once start() is called.
  explicit ModelImporter(QString source, QString name = {}, QObject* parent = nullptr);
  ~ModelImporter() override;  // cancels a running import and waits for it
  void start();
  void cancel();
  bool isRunning() const { return m_watcher.isRunning(); }

 Q_SIGNALS:
  void progress(qint64 done, qint64 total);
  // ok: `result` is the new folder; else why it failed, in words (cancelled: the person stopped it).
  void finished(bool ok, const QString& result, bool cancelled);

 private:
  struct Outcome {
    bool ok = false;
    bool cancelled = false;
    QString result;
  };
  QString m_source;
  QString m_name;
  std::atomic<bool> m_cancel{false};
  QFutureWatcher<Outcome> m_watcher;
};

}  // namespace glimpse::models
