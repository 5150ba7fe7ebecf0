#include "thumbnailloader.h"

#include <QFile>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QGuiApplication>
#include <QImageReader>
#include <QScreen>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>

#include "desktop/thumbnails.h"
#include "imaging/imagedecoder.h"

namespace glimpse::ui {

ThumbnailLoader::ThumbnailLoader(QSize size, QObject* parent, qint64 memoryBytes)
    : QObject(parent), m_size(size), m_cache(static_cast<qsizetype>(qMax<qint64>(memoryBytes / 1024, 1))) {}

QImage ThumbnailLoader::cached(const QString& path) const {
  const QImage* img = m_cache.object(path);
  return img ? *img : QImage();
}

void ThumbnailLoader::forget(const QStringList& paths) {
  for (const QString& path : paths) {
    m_cache.remove(path);
    m_pending.remove(path);
  }
}

namespace {
QImage loadAtDevicePixels(const QString& path, QSize size) {
  return ThumbnailLoader::load(path, size);
}
}  // namespace

QImage ThumbnailLoader::loadThumbnail(const QString& path, QSize size, qreal dpr) {
  // The cache holds device pixels; the picture says which ratio it was made for.
  QImage img = desktop::cachedThumbnail(path, (QSizeF(size) * dpr).toSize(), &loadAtDevicePixels);
  if (!img.isNull()) img.setDevicePixelRatio(dpr);
  return img;
}

qreal ThumbnailLoader::deviceRatio() {
  qreal dpr = 1.0;
  for (const QScreen* screen : QGuiApplication::screens()) dpr = std::max(dpr, screen->devicePixelRatio());
  return dpr;
}

QImage ThumbnailLoader::load(const QString& path, QSize logicalSize, qreal dpr) {
  const QSize size = (QSizeF(logicalSize) * dpr).toSize();
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
  if (img.width() > size.width() || img.height() > size.height())
    img = img.scaled(size, Qt::KeepAspectRatio, Qt::SmoothTransformation);
  img.setDevicePixelRatio(dpr);
  return img;
}

void ThumbnailLoader::request(const QString& path) {
  if (m_cache.contains(path) || m_pending.contains(path)) return;
  const quint64 load = m_nextLoad++;
  m_pending.insert(path, load);
  auto* watcher = new QFutureWatcher<QImage>(this);
  connect(watcher, &QFutureWatcher<QImage>::finished, this, [this, watcher, path, load] {
    watcher->deleteLater();
    if (m_pending.value(path) != load) return;  // forgotten meanwhile
    m_pending.remove(path);
    const QImage img = watcher->result();
    m_cache.insert(path, new QImage(img), qMax<qsizetype>(img.sizeInBytes() / 1024, 1));
    Q_EMIT loaded(path, img);
  });
  watcher->setFuture(QtConcurrent::run(&ThumbnailLoader::loadThumbnail, path, m_size, deviceRatio()));
}

}  // namespace glimpse::ui
