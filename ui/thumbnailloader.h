#pragma once
// Makes thumbnails off the GUI thread (QtConcurrent): EXIF orientation applied, decoded at a
// reduced size where the format allows it, and made at device pixels: a 160x120 thumbnail on a 2x
// screen holds 320x240 pixels and says so (QImage::devicePixelRatio), so it is drawn sharp.
#include <QHash>
#include <QImage>
#include <QObject>
#include <QSet>
#include <QSize>
#include <QString>

namespace glimpse::ui {

class ThumbnailLoader : public QObject {
  Q_OBJECT
 public:
  explicit ThumbnailLoader(QSize size, QObject* parent = nullptr);
  // Starts loading unless cached or already pending; loaded() follows.
  void request(const QString& path);
  QImage cached(const QString& path) const { return m_cache.value(path); }
  // The photo fitted into `size` (logical pixels) times `dpr`, never enlarged beyond its own
  // pixels, with devicePixelRatio `dpr`; a null image when it is not a photo or cannot be read.
  static QImage load(const QString& path, QSize size, qreal dpr = 1.0);
  // The largest device pixel ratio of the screens (1 without a screen).
  static qreal deviceRatio();

 Q_SIGNALS:
  void loaded(const QString& path, const QImage& image);

 private:
  QSize m_size;
  QHash<QString, QImage> m_cache;
  QSet<QString> m_pending;
};

}  // namespace glimpse::ui
