#pragma once
// Makes thumbnails off the GUI thread (QtConcurrent): EXIF orientation applied, decoded at a
// reduced size where the format allows it, and made at device pixels: a 160x120 thumbnail on a 2x
// screen holds 320x240 pixels and says so (QImage::devicePixelRatio), so it is drawn sharp.
// Thumbnails go through the freedesktop.org thumbnail cache that file managers share
// (desktop/thumbnails.h); the ones in memory are bounded.
#include <QCache>
#include <QHash>
#include <QImage>
#include <QObject>
#include <QSize>
#include <QString>

namespace glimpse::ui {

class ThumbnailLoader : public QObject {
  Q_OBJECT
 public:
  // At most `memoryBytes` of thumbnails are kept in memory, the least recently used go first.
  explicit ThumbnailLoader(QSize size, QObject* parent = nullptr, qint64 memoryBytes = 48ll << 20);
  // Starts loading unless in memory or already pending; loaded() follows.
  void request(const QString& path);
  // The thumbnail in memory (null when it is not, or the file has none).
  QImage cached(const QString& path) const;
  bool isCached(const QString& path) const { return m_cache.contains(path); }
  // Drops the thumbnails of these files from memory (they went to the trash); a load of one in
  // flight is not kept.
  void forget(const QStringList& paths);
  // The photo fitted into `size` (logical pixels) times `dpr`, never enlarged beyond its own
  // pixels, with devicePixelRatio `dpr`; decoded now (no thumbnail cache); a null image when it
  // is not a photo or cannot be read.
  static QImage load(const QString& path, QSize size, qreal dpr = 1.0);
  // Through the freedesktop.org cache at device pixels: read when current, else made with load()
  // and stored.
  static QImage loadThumbnail(const QString& path, QSize size, qreal dpr = 1.0);
  // The largest device pixel ratio of the screens (1 without a screen).
  static qreal deviceRatio();

 Q_SIGNALS:
  void loaded(const QString& path, const QImage& image);

 private:
  QSize m_size;
  QCache<QString, QImage> m_cache;    // cost: kilobytes
  QHash<QString, quint64> m_pending;  // path -> the load in flight for it
  quint64 m_nextLoad = 1;
};

}  // namespace glimpse::ui
