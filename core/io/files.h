#pragma once
// Reading and writing files named by people or found on disk, where the name may lead anywhere:
// special files (FIFOs, devices, sockets) are never blocked on or replaced, symlink loops and full
// disks are named as such, and paths travel as QString through QFile::encodeName/decodeName.
#include <QByteArray>
#include <QString>
#include <stdexcept>
#include <vector>

namespace glimpse::io {

class FileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// File names on Linux are bytes; Qt 6 decodes them as UTF-8 and turns bytes that are not UTF-8
// into U+FFFD, so such a name cannot be opened again (and QDir leaves it out of listings). Glimpse
// holds names as QString with each byte that is not part of valid UTF-8 mapped to U+F780 + (byte -
// 0x80), a private-use character (and the bytes of a real U+F780..U+F7FF likewise), which survives
// SQLite, JSON and Qt; encodePath() gives the exact bytes back. For valid UTF-8 both are UTF-8.
QString decodePath(const QByteArray& bytes);
QByteArray encodePath(const QString& path);

// lstat/stat-free questions about a name that may not be UTF-8.
bool pathExists(const QString& path);   // the name exists (a dangling symlink counts)
bool isDirectory(const QString& path);  // a folder, or a symlink to one

struct FolderEntry {
  QString name;
  bool isDir = false;   // a folder, or a symlink to one
  bool isFile = false;  // a regular file, or a symlink to one
  qint64 size = 0;
  qint64 mtimeMs = 0;
};
// A folder's entries without "." and "..", sorted by name, each stat()ed (symlinks followed; a
// broken link is neither folder nor file). Names that are not UTF-8 are listed too (decodePath).
// Throws FileError (message: the reason only) when the folder cannot be read.
std::vector<FolderEntry> listFolder(const QString& path);
// The path with symlinks, "." and ".." resolved (realpath); empty when it cannot be resolved.
QString canonicalPath(const QString& path);

// errno in words, for messages: "file not found", "too many levels of symbolic links",
// "no space left on device" (ENOSPC and EDQUOT), "permission denied", else strerror().
QString errnoMessage(int err);

// The bytes of a regular file, read without blocking on special files: a FIFO, device or socket is
// refused as "not a regular file" before it is opened. Throws FileError with a message naming the
// file; `maxBytes` bounds the size.
QByteArray readRegularFile(const QString& path, qint64 maxBytes);

// Writes `data` to `path`: a regular file (or a name that does not exist yet) is replaced
// atomically (temporary file in the same folder, then rename; a symlink is followed and its target
// replaced, the link kept); an existing FIFO, character device or socket is written directly and
// never replaced; a folder is refused. Throws FileError.
void writeFile(const QString& path, const QByteArray& data);

}  // namespace glimpse::io
