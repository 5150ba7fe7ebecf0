#include "imagelistmodel.h"

#include <QDateTime>
#include <QDirIterator>
#include <QFileInfo>
#include <QFileSystemWatcher>
#include <QPainter>
#include <QTimer>

#include "library/scanner.h"

namespace glimpse::ui {

FileStamp FileStamp::of(const QString& path) {
  const QFileInfo info(path);
  if (!info.isFile()) return {};
  return {info.size(), info.lastModified().toMSecsSinceEpoch()};
}

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
  // A photo changed on disk (edited, replaced, deleted): looked at once the writes settle, so a
  // file being written is not read half done.
  m_watcher = new QFileSystemWatcher(this);
  m_recheck = new QTimer(this);
  m_recheck->setSingleShot(true);
  m_recheck->setInterval(300);
  connect(m_watcher, &QFileSystemWatcher::fileChanged, this, [this](const QString& path) {
    m_toCheck.insert(path);
    m_recheck->start();
  });
  // A file replaced by a rename, deleted or put back shows in its folder.
  connect(m_watcher, &QFileSystemWatcher::directoryChanged, this, [this](const QString& dir) {
    for (const ImageItem& it : m_items)
      if (QFileInfo(it.path).absolutePath() == dir) m_toCheck.insert(it.path);
    if (!m_toCheck.isEmpty()) m_recheck->start();
  });
  connect(m_recheck, &QTimer::timeout, this, [this] {
    const QStringList paths(m_toCheck.begin(), m_toCheck.end());
    m_toCheck.clear();
    if (!paths.isEmpty()) checkFiles(paths);
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
  if (it.missing) return tr("This file is no longer on disk.");
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
        if (!it.unreadable && !it.missing) const_cast<ThumbnailLoader&>(m_thumbs).request(it.path);
        img = it.unreadable || it.missing ? m_broken : m_placeholder;
      }
      if (!badge(it).isEmpty()) return withBadge(img, QColor(176, 0, 32), QStringLiteral("!"));
      if (it.working) return withBadge(img, QColor(25, 118, 210), QStringLiteral("…"));
      // An amber mark: the caption is of an earlier version of the file.
      if (it.captionStale()) return withBadge(img, QColor(230, 140, 0), QStringLiteral("?"));
      return img;
    }
    case Qt::ToolTipRole: {
      QString tip = it.path;
      if (!it.caption.isEmpty()) tip += QStringLiteral("\n") + it.caption;
      if (it.captionStale()) tip += QStringLiteral("\n") + tr("The photo changed since this caption was made.");
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
    case StaleRole:
      return it.captionStale();
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
    item.file = FileStamp::of(f);
    m_items.push_back(item);
  }
  endInsertRows();
  for (const QString& f : fresh) watch(f);
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
  const QString path = m_items[row].path;
  beginRemoveRows({}, row, row);
  m_items.removeAt(row);
  endRemoveRows();
  m_toCheck.remove(path);
  unwatch(path);
}

void ImageListModel::watch(const QString& path) {
  // A path watched already is not added again (QFileSystemWatcher::addPath).
  const QFileInfo info(path);
  if (info.isFile()) m_watcher->addPath(path);
  if (QFileInfo(info.absolutePath()).isDir()) m_watcher->addPath(info.absolutePath());
}

void ImageListModel::unwatch(const QString& path) {
  if (m_watcher->files().contains(path)) m_watcher->removePath(path);
  const QString dir = QFileInfo(path).absolutePath();
  for (const ImageItem& it : m_items)
    if (QFileInfo(it.path).absolutePath() == dir) return;  // other photos of that folder are listed
  if (m_watcher->directories().contains(dir)) m_watcher->removePath(dir);
}

int ImageListModel::checkFiles(const QStringList& paths) {
  QStringList changed;
  const auto look = [&](int row) {
    ImageItem& it = m_items[row];
    const FileStamp now = FileStamp::of(it.path);
    if (now == it.file && it.missing == !now.known()) return;
    it.file = now;
    it.missing = !now.known();
    // The thumbnail is made again from the file as it is now (or shows the file is gone).
    it.unreadable = false;
    m_thumbs.forget({it.path});
    if (!it.missing) watch(it.path);  // a file replaced by a rename is a new file to watch
    changed << it.path;
    touch(row);
  };
  if (paths.isEmpty()) {
    for (int row = 0; row < m_items.size(); ++row) look(row);
  } else {
    for (const QString& path : paths)
      if (const int row = indexOf(path); row >= 0) look(row);
  }
  if (!changed.isEmpty()) Q_EMIT filesChanged(changed);
  return static_cast<int>(changed.size());
}

}  // namespace glimpse::ui
