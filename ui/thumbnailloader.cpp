#include "thumbnailloader.h"

#include <QFutureWatcher>
#include <QImageReader>
#include <QtConcurrent/QtConcurrentRun>

namespace glimpse::ui {

ThumbnailLoader::ThumbnailLoader(QSize size, QObject* parent) : QObject(parent), m_size(size) {}

QImage ThumbnailLoader::load(const QString& path, QSize size) {
  QImageReader reader(path);
  reader.setAutoTransform(true);
  const QSize full = reader.size();
  if (full.isValid() && (full.width() > size.width() * 2 || full.height() > size.height() * 2))
    reader.setScaledSize(full.scaled(size * 2, Qt::KeepAspectRatio));
  QImage img = reader.read();
  if (img.isNull()) return {};
  return img.scaled(size, Qt::KeepAspectRatio, Qt::SmoothTransformation);
}

void ThumbnailLoader::request(const QString& path) {
  if (m_cache.contains(path) || m_pending.contains(path)) return;
  m_pending.insert(path);
  auto* watcher = new QFutureWatcher<QImage>(this);
  connect(watcher, &QFutureWatcher<QImage>::finished, this, [this, watcher, path] {
    const QImage img = watcher->result();
    m_pending.remove(path);
    m_cache.insert(path, img);
    Q_EMIT loaded(path, img);
    watcher->deleteLater();
  });
  watcher->setFuture(QtConcurrent::run(&ThumbnailLoader::load, path, m_size));
}

}  // namespace glimpse::ui
