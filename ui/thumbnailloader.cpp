#include "thumbnailloader.h"

#include <QFile>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QImageReader>
#include <QtConcurrent/QtConcurrentRun>

#include "desktop/thumbnails.h"
#include "imaging/imagedecoder.h"

namespace glimpse::ui {

ThumbnailLoader::ThumbnailLoader(QSize size, QObject* parent, qint64 memoryBytes)
    : QObject(parent), m_size(size), m_cache(static_cast<qsizetype>(qMax<qint64>(memoryBytes / 1024, 1))) {}

QImage ThumbnailLoader::cached(const QString& path) const {
  const QImage* img = m_cache.object(path);
  return img ? *img : QImage();
}

QImage ThumbnailLoader::loadThumbnail(const QString& path, QSize size) {
  return desktop::cachedThumbnail(path, size, &ThumbnailLoader::load);
}

QImage ThumbnailLoader::load(const QString& path, QSize size) {
  // The same photo formats as the decoder, chosen by content: other plugins (SVG, ...) never see
  // the file, and what is not a photo shows no picture.
  QFile file(path);
  if (!QFileInfo(path).isFile() || !file.open(QIODevice::ReadOnly)) return {};  // never block on a FIFO
  const QByteArray format = imaging::sniffPhotoFormat(file.peek(64));
  if (format.isEmpty()) return {};
  QImageReader reader(&file, format);
  reader.setAutoDetectImageFormat(false);
  reader.setAutoTransform(true);
  const QSize full = reader.size();
  if (!full.isValid() || qint64(full.width()) * full.height() > imaging::DecodeOptions{}.maxPixels) return {};
  if (full.width() > size.width() * 2 || full.height() > size.height() * 2)
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
    m_cache.insert(path, new QImage(img), qMax<qsizetype>(img.sizeInBytes() / 1024, 1));
    Q_EMIT loaded(path, img);
    watcher->deleteLater();
  });
  watcher->setFuture(QtConcurrent::run(&ThumbnailLoader::loadThumbnail, path, m_size));
}

}  // namespace glimpse::ui
