#include "imagelistmodel.h"

#include <QDirIterator>
#include <QFileInfo>
#include <QPainter>

#include "library/scanner.h"

namespace glimpse::ui {

ImageListModel::ImageListModel(QObject* parent) : QAbstractListModel(parent), m_thumbs(QSize(160, 120)) {
  m_placeholder = QImage(160, 120, QImage::Format_ARGB32_Premultiplied);
  m_placeholder.fill(QColor(128, 128, 128, 40));
  connect(&m_thumbs, &ThumbnailLoader::loaded, this, [this](const QString& path, const QImage&) {
    const int row = indexOf(path);
    if (row >= 0) touch(row);
  });
}

int ImageListModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(m_items.size());
}

QVariant ImageListModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= m_items.size()) return {};
  const ImageItem& it = m_items[index.row()];
  switch (role) {
    case Qt::DisplayRole:
      return QFileInfo(it.path).fileName();
    case Qt::DecorationRole: {
      const QImage img = m_thumbs.cached(it.path);
      if (img.isNull()) {
        const_cast<ThumbnailLoader&>(m_thumbs).request(it.path);
        return m_placeholder;
      }
      return img;
    }
    case Qt::ToolTipRole:
      return it.caption.isEmpty() ? it.path : it.path + QStringLiteral("\n") + it.caption;
    case Qt::AccessibleTextRole:
      return QFileInfo(it.path).fileName();
    case PathRole:
      return it.path;
    case CaptionRole:
      return it.caption;
    case WorkingRole:
      return it.working;
    default:
      return {};
  }
}

int ImageListModel::addPaths(const QStringList& paths) {
  const QStringList exts = library::imageExtensions();
  QStringList files;
  for (const QString& p : paths) {
    const QFileInfo info(p);
    if (info.isDir()) {
      QDirIterator it(info.absoluteFilePath(), QDir::Files, QDirIterator::Subdirectories);
      while (it.hasNext()) {
        const QString f = it.next();
        if (exts.contains(QFileInfo(f).suffix().toLower())) files << f;
      }
    } else if (info.isFile()) {
      files << info.absoluteFilePath();
    }
  }
  files.sort();
  QStringList fresh;
  for (const QString& f : files)
    if (indexOf(f) < 0 && !fresh.contains(f)) fresh << f;
  if (fresh.isEmpty()) return 0;
  beginInsertRows({}, static_cast<int>(m_items.size()), static_cast<int>(m_items.size() + fresh.size() - 1));
  for (const QString& f : fresh) m_items.push_back(ImageItem{f, {}, {}, false, {}, {}, {}});
  endInsertRows();
  return static_cast<int>(fresh.size());
}

int ImageListModel::indexOf(const QString& path) const {
  for (int i = 0; i < m_items.size(); ++i)
    if (m_items[i].path == path) return i;
  return -1;
}

void ImageListModel::touch(int row) {
  Q_EMIT dataChanged(index(row), index(row));
}

QStringList ImageListModel::paths() const {
  QStringList out;
  for (const auto& it : m_items) out << it.path;
  return out;
}

void ImageListModel::removeRow(int row) {
  if (row < 0 || row >= m_items.size()) return;
  beginRemoveRows({}, row, row);
  m_items.removeAt(row);
  endRemoveRows();
}

}  // namespace glimpse::ui
