#include "thumbnails.h"

#include <sys/stat.h>
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QImageWriter>
#include <QStandardPaths>
#include <QTemporaryFile>

#include <cstdio>
#include <optional>
#include <utility>

#include "io/files.h"

namespace glimpse::desktop {
namespace {

constexpr ThumbnailFlavor kFlavors[] = {ThumbnailFlavor::Normal, ThumbnailFlavor::Large, ThumbnailFlavor::XLarge,
                                        ThumbnailFlavor::XXLarge};

QString flavorFolder(ThumbnailFlavor flavor) {
  static const char* const kFolders[] = {"normal", "large", "x-large", "xx-large"};
  return QString::fromLatin1(kFolders[static_cast<int>(flavor)]);
}

QString failFolder() {
  return thumbnailsDir() + QStringLiteral("/fail/glimpse-" GLIMPSE_VERSION);
}

// The file's modification time in whole seconds, as Thumb::MTime holds it; -1 when it is gone.
qint64 mtimeOf(const QFileInfo& info) {
  return info.exists() ? info.lastModified().toSecsSinceEpoch() : -1;
}

bool isCurrent(const QImage& thumb, const QString& path) {
  if (thumb.isNull()) return false;
  const QFileInfo info(path);
  // Thumb::Size is optional in the specification; where it is there it must match too, so a file
  // replaced within the same second by one of another size gets a new thumbnail.
  const QString size = thumb.text(QStringLiteral("Thumb::Size"));
  return thumb.text(QStringLiteral("Thumb::URI")).toUtf8() == thumbnailUri(path) &&
         thumb.text(QStringLiteral("Thumb::MTime")) == QString::number(mtimeOf(info)) &&
         (size.isEmpty() || size == QString::number(info.size()));
}

QImage readPng(const QString& file) {
  QFile f(file);
  if (!f.open(QIODevice::ReadOnly) || f.size() > 64 * 1024 * 1024) return {};
  QImage img;
  img.load(&f, "png");
  return img;
}

std::function<void(const QString&)>& writeHook() {
  static std::function<void(const QString&)> hook;
  return hook;
}

// The file's device and inode, or nothing when it cannot be looked at.
std::optional<std::pair<dev_t, ino_t>> fileIdentity(const QString& file) {
  struct stat st {};
  if (::stat(QFile::encodeName(file).constData(), &st) != 0) return std::nullopt;
  return std::make_pair(st.st_dev, st.st_ino);
}

// Writes `image` with the specification's keys to `target`: a 0600 temporary file beside it, then
// rename(), so a reader sees the old thumbnail or the new one, never a part.
bool storePng(const QString& path, const QString& target, QImage image) {
  const QFileInfo info(path);
  if (!info.isFile()) return false;
  const qint64 mtime = mtimeOf(info);
  const qint64 size = info.size();
  const QString folder = QFileInfo(target).absolutePath();
  if (!QDir().mkpath(folder)) return false;
  QFile::setPermissions(folder, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
  image.setText(QStringLiteral("Thumb::URI"), QString::fromUtf8(thumbnailUri(path)));
  image.setText(QStringLiteral("Thumb::MTime"), QString::number(mtime));
  image.setText(QStringLiteral("Thumb::Size"), QString::number(size));
  image.setText(QStringLiteral("Software"), QStringLiteral("Glimpse " GLIMPSE_VERSION));
  QTemporaryFile tmp(folder + QStringLiteral("/glimpse-XXXXXX.png"));
  if (!tmp.open()) return false;
  tmp.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
  QImageWriter writer(&tmp, "png");
  if (!writer.write(image) || !tmp.flush()) return false;
  tmp.close();
  if (const auto& hook = writeHook()) hook(path);
  const auto written = fileIdentity(tmp.fileName());
  if (std::rename(QFile::encodeName(tmp.fileName()).constData(), QFile::encodeName(target).constData()) != 0)
    return false;
  tmp.setAutoRemove(false);  // it has become the thumbnail
  // The file may have been deleted or moved to the trash while this thumbnail was made; whoever
  // did it removed the thumbnails there were then, so one put in place afterwards would stay
  // forever. Looked at again now that it is in place: a trash after this look removes it itself.
  const QFileInfo now(path);
  if (now.isFile() && mtimeOf(now) == mtime && now.size() == size) return true;
  if (written && fileIdentity(target) == written) QFile::remove(target);  // not a newer writer's
  return false;
}

}  // namespace

int thumbnailEdge(ThumbnailFlavor flavor) {
  return 128 << static_cast<int>(flavor);
}

ThumbnailFlavor flavorFor(QSize box) {
  const int edge = qMax(box.width(), box.height());
  for (ThumbnailFlavor f : kFlavors)
    if (thumbnailEdge(f) >= edge) return f;
  return ThumbnailFlavor::XXLarge;
}

QString thumbnailsDir() {
  return QStandardPaths::writableLocation(QStandardPaths::GenericCacheLocation) + QStringLiteral("/thumbnails");
}

QByteArray thumbnailUri(const QString& path) {
  // GLib's g_filename_to_uri leaves these unescaped in a path, besides letters, digits and -._~.
  const QByteArray bytes = io::encodePath(QFileInfo(path).absoluteFilePath());
  return QByteArrayLiteral("file://") + bytes.toPercentEncoding("!$&'()*+,/:=@");
}

QString thumbnailKey(const QString& path) {
  return QString::fromLatin1(QCryptographicHash::hash(thumbnailUri(path), QCryptographicHash::Md5).toHex());
}

QString thumbnailPath(const QString& path, ThumbnailFlavor flavor) {
  return thumbnailsDir() + QLatin1Char('/') + flavorFolder(flavor) + QLatin1Char('/') + thumbnailKey(path) +
         QStringLiteral(".png");
}

QString failedThumbnailPath(const QString& path) {
  return failFolder() + QLatin1Char('/') + thumbnailKey(path) + QStringLiteral(".png");
}

QImage readThumbnail(const QString& path, ThumbnailFlavor flavor) {
  QImage thumb = readPng(thumbnailPath(path, flavor));
  return isCurrent(thumb, path) ? thumb : QImage();
}

bool writeThumbnail(const QString& path, ThumbnailFlavor flavor, const QImage& image) {
  if (image.isNull()) return false;
  // The specification: no thumbnails of thumbnails.
  if (QFileInfo(path).absoluteFilePath().startsWith(QDir::cleanPath(thumbnailsDir()) + QLatin1Char('/'))) return false;
  const int edge = thumbnailEdge(flavor);
  QImage fitted = image.width() > edge || image.height() > edge
                      ? image.scaled(edge, edge, Qt::KeepAspectRatio, Qt::SmoothTransformation)
                      : image;
  // 8-bit RGB(A), which every reader of the specification takes.
  fitted = fitted.convertToFormat(fitted.hasAlphaChannel() ? QImage::Format_ARGB32 : QImage::Format_RGB32);
  return storePng(path, thumbnailPath(path, flavor), fitted);
}

bool hasFailedThumbnail(const QString& path) {
  return isCurrent(readPng(failedThumbnailPath(path)), path);
}

bool writeFailedThumbnail(const QString& path) {
  QImage mark(1, 1, QImage::Format_ARGB32);
  mark.fill(Qt::transparent);
  return storePng(path, failedThumbnailPath(path), mark);
}

void setThumbnailWriteHookForTesting(std::function<void(const QString& path)> hook) {
  writeHook() = std::move(hook);
}

void removeThumbnails(const QString& path) {
  for (ThumbnailFlavor f : kFlavors) QFile::remove(thumbnailPath(path, f));
  const QString name = thumbnailKey(path) + QStringLiteral(".png");
  const QDir fail(thumbnailsDir() + QStringLiteral("/fail"));
  for (const QString& program : fail.entryList(QDir::Dirs | QDir::NoDotAndDotDot | QDir::NoSymLinks))
    QFile::remove(fail.filePath(program + QLatin1Char('/') + name));
}

QImage cachedThumbnail(const QString& path, QSize box, const std::function<QImage(const QString&, QSize)>& make) {
  const ThumbnailFlavor wanted = flavorFor(box);
  auto fit = [box](const QImage& img) {
    return img.width() > box.width() || img.height() > box.height()
               ? img.scaled(box, Qt::KeepAspectRatio, Qt::SmoothTransformation)
               : img;
  };
  for (ThumbnailFlavor f : kFlavors) {
    if (static_cast<int>(f) < static_cast<int>(wanted)) continue;
    const QImage thumb = readThumbnail(path, f);
    if (!thumb.isNull()) return fit(thumb);
  }
  if (hasFailedThumbnail(path)) return {};
  const int edge = thumbnailEdge(wanted);
  const QImage made = make(path, QSize(edge, edge));
  if (made.isNull()) {
    writeFailedThumbnail(path);
    return {};
  }
  writeThumbnail(path, wanted, made);
  return fit(made);
}

}  // namespace glimpse::desktop
