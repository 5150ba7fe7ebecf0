#pragma once
// Thumbnails shared with file managers, as the freedesktop.org thumbnail specification says:
// $XDG_CACHE_HOME/thumbnails/{normal,large,x-large,xx-large}/<md5 of the file's URI>.png (128,
// 256, 512, 1024 pixels on the longest side), each PNG carrying Thumb::URI and Thumb::MTime (also
// Thumb::Size and Software). A thumbnail whose MTime is not the file's is stale: ignored and made
// again. Files that cannot be thumbnailed get an entry in fail/glimpse-<version>/, honoured until
// the file changes. Written atomically (temporary file, rename) with 0600 permissions, folders 0700;
// a thumbnail whose file was deleted, moved (to the trash) or changed while it was being made is
// removed again once in place, so none outlives its file.
#include <QByteArray>
#include <QImage>
#include <QSize>
#include <QString>
#include <functional>

namespace glimpse::desktop {

enum class ThumbnailFlavor { Normal, Large, XLarge, XXLarge };

int thumbnailEdge(ThumbnailFlavor flavor);  // 128, 256, 512, 1024
// The smallest flavour whose edge covers the longer side of `box`; XXLarge beyond.
ThumbnailFlavor flavorFor(QSize box);

QString thumbnailsDir();  // $XDG_CACHE_HOME/thumbnails
// The file's URI as GLib writes it (file:// + the absolute path's bytes, escaped the same way), so
// GTK file managers and Glimpse name a file's thumbnail alike.
QByteArray thumbnailUri(const QString& path);
QString thumbnailKey(const QString& path);  // md5 of thumbnailUri, lower-case hex
QString thumbnailPath(const QString& path, ThumbnailFlavor flavor);
QString failedThumbnailPath(const QString& path);

// The thumbnail of `path` in `flavor` when it is current (its URI and MTime are the file's);
// a null image otherwise.
QImage readThumbnail(const QString& path, ThumbnailFlavor flavor);
// Stores `image` (scaled down to the flavour's edge when larger) as the thumbnail of `path`.
// Refused (false) for files inside the thumbnails folder and for files that do not exist.
bool writeThumbnail(const QString& path, ThumbnailFlavor flavor, const QImage& image);
// Glimpse's own record that `path` could not be thumbnailed, while the file is unchanged.
bool hasFailedThumbnail(const QString& path);
bool writeFailedThumbnail(const QString& path);
// Tests only: `hook(path)` runs after a thumbnail of `path` is rendered into its temporary file
// and before it is put in place (a way to move the photo away at exactly that moment); an empty
// function removes it. Not thread-safe against thumbnails being written while it is set.
void setThumbnailWriteHookForTesting(std::function<void(const QString& path)> hook);
// Deletes every thumbnail of `path`, as the specification asks when a file is deleted: each
// flavour, and the failure records of every program under fail/ (Glimpse deletes the file, or
// moves it to the trash).
void removeThumbnails(const QString& path);

// A thumbnail of `path` fitting `box`: a current one of this or a larger flavour from the cache,
// else made by `make(path, edge box)`, stored and returned; null when the file failed (now or
// before). Runs on any thread.
QImage cachedThumbnail(const QString& path, QSize box, const std::function<QImage(const QString&, QSize)>& make);

}  // namespace glimpse::desktop
