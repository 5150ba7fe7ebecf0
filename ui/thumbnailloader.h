#pragma once
// Makes thumbnails off the GUI thread (QtConcurrent): EXIF orientation applied, decoded at a
// reduced size where the format allows it. Thumbnails go through the freedesktop.org thumbnail
// cache that file managers share (desktop/thumbnails.h); the ones in memory are bounded.
#include <QCache>
#include <QImage>
#include <QObject>
#include <QSet>
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
  // A picture of the file fitting `size`, decoded now (no thumbnail cache).
  static QImage load(const QString& path, QSize size);
  // Through the freedesktop.org cache: read when current, else made with load() and stored.
  static QImage loadThumbnail(const QString& path, QSize size);

 Q_SIGNALS:
  void loaded(const QString& path, const QImage& image);

 private:
  QSize m_size;
  QCache<QString, QImage> m_cache;  // cost: kilobytes
  QSet<QString> m_pending;
};

}  // namespace glimpse::ui
