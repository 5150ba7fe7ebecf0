#pragma once
// Makes thumbnails off the GUI thread (QtConcurrent): EXIF orientation applied, decoded at a
// reduced size where the format allows it.
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
  static QImage load(const QString& path, QSize size);

 Q_SIGNALS:
  void loaded(const QString& path, const QImage& image);

 private:
  QSize m_size;
  QHash<QString, QImage> m_cache;
  QSet<QString> m_pending;
};

}  // namespace glimpse::ui
