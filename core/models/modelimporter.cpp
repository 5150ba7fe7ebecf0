#include "modelimporter.h"

#include <QPointer>
#include <QtConcurrent/QtConcurrentRun>

#include "modelstore.h"

namespace glimpse::models {

ModelImporter::ModelImporter(QString source, QString name, QObject* parent)
    : QObject(parent), m_source(std::move(source)), m_name(std::move(name)) {
  connect(&m_watcher, &QFutureWatcher<Outcome>::finished, this, [this] {
    const Outcome o = m_watcher.result();
    Q_EMIT finished(o.ok, o.result, o.cancelled);
  });
}

ModelImporter::~ModelImporter() {
  m_cancel = true;
  m_watcher.waitForFinished();
}

void ModelImporter::start() {
  if (m_watcher.isRunning()) return;
  m_cancel = false;
  QPointer<ModelImporter> self(this);
  m_watcher.setFuture(QtConcurrent::run([this, self] {
    Outcome o;
    try {
      int lastPermille = -1;
      o.result = importModel(
          m_source, m_name,
          [&](qint64 done, qint64 total) {
            const int permille = total > 0 ? static_cast<int>(1000 * done / total) : 1000;
            if (permille == lastPermille) return;  // a signal per 0.1 % at most
            lastPermille = permille;
            QMetaObject::invokeMethod(
                self, [self, done, total] { Q_EMIT self->progress(done, total); }, Qt::QueuedConnection);
          },
          &m_cancel);
      o.ok = true;
    } catch (const ImportCancelled& e) {
      o.cancelled = true;
      o.result = QString::fromUtf8(e.what());
    } catch (const std::exception& e) {
      o.result = QString::fromUtf8(e.what());
    }
    return o;
  }));
}

void ModelImporter::cancel() {
  m_cancel = true;
}

}  // namespace glimpse::models
