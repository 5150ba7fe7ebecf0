#include "imagelistmodel.h"

#include <QDirIterator>
#include <QFileInfo>
#include <QPainter>

#include "library/scanner.h"

namespace glimpse::ui {

ImageListModel::ImageListModel(QObject* parent) : QAbstractListModel(parent), m_thumbs(QSize(160, 120)) {
  m_placeholder = QImage(160, 120, QImage::Format_ARGB32_Premultiplied);
  m_placeholder.fill(QColor(128, 128, 128, 40));
  // A file no thumbnail can be made of: a crossed tile (its badge says why on hover).
  m_broken = m_placeholder.copy();
  {
    QPainter p(&m_broken);
    p.setPen(QPen(QColor(176, 0, 32, 160), 3));
    p.drawLine(60, 40, 100, 80);
    p.drawLine(100, 40, 60, 80);
  }
  connect(&m_thumbs, &ThumbnailLoader::loaded, this, [this](const QString& path, const QImage& img) {
    const int row = indexOf(path);
    if (row < 0) return;
    m_items[row].unreadable = img.isNull();
    touch(row);
  });
}

namespace {

// A round badge in the thumbnail's top right corner: red "!" for a failure, blue "…" while a
// caption is made.
QImage withBadge(const QImage& thumb, const QColor& colour, const QString& mark) {
  QImage out = thumb.convertToFormat(QImage::Format_ARGB32_Premultiplied);
  QPainter p(&out);
  p.setRenderHint(QPainter::Antialiasing);
  const int d = 22;
  const QRect r(out.width() - d - 3, 3, d, d);
  p.setPen(QPen(Qt::white, 2));
  p.setBrush(colour);
  p.drawEllipse(r);
  QFont f = p.font();
  f.setBold(true);
  f.setPixelSize(15);
  p.setFont(f);
  p.drawText(r, Qt::AlignCenter, mark);
  return out;
}

}  // namespace

QString ImageListModel::badge(const ImageItem& it) {
  if (it.state() == CaptionState::Failed) return tr("Could not caption this photo: %1").arg(it.error);
  if (it.unreadable) return tr("This file cannot be shown: it is damaged or not a supported photo.");
  return {};
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
      QImage img = m_thumbs.cached(it.path);
      if (img.isNull()) {
        if (!it.unreadable) const_cast<ThumbnailLoader&>(m_thumbs).request(it.path);
        img = it.unreadable ? m_broken : m_placeholder;
      }
      if (!badge(it).isEmpty()) return withBadge(img, QColor(176, 0, 32), QStringLiteral("!"));
      if (it.working) return withBadge(img, QColor(25, 118, 210), QStringLiteral("…"));
      return img;
    }
    case Qt::ToolTipRole: {
      QString tip = it.path;
      if (!it.caption.isEmpty()) tip += QStringLiteral("\n") + it.caption;
      if (it.working) tip += QStringLiteral("\n") + tr("Captioning…");
      if (!badge(it).isEmpty()) tip += QStringLiteral("\n") + badge(it);
      return tip;
    }
    case StateRole:
      return static_cast<int>(it.state());
    case BadgeRole:
      return badge(it);
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
  for (const QString& f : fresh) {
    ImageItem item;
    item.path = f;
    m_items.push_back(item);
  }
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

void ImageListModel::forgetThumbnails(const QStringList& paths) {
  m_thumbs.forget(paths);
  for (const QString& path : paths)
    if (const int row = indexOf(path); row >= 0) touch(row);
}

void ImageListModel::removeRow(int row) {
  if (row < 0 || row >= m_items.size()) return;
  beginRemoveRows({}, row, row);
  m_items.removeAt(row);
  endRemoveRows();
}

}  // namespace glimpse::ui
