#include "files.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <QFile>
#include <QRandomGenerator>
#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace glimpse::io {
namespace {

[[noreturn]] void fail(const QString& path, const QString& what) {
  throw FileError((path + QStringLiteral(": ") + what).toStdString());
}

[[noreturn]] void failErrno(const QString& path, const QString& doing, int err) {
  fail(path, doing.isEmpty() ? errnoMessage(err) : doing + QStringLiteral(": ") + errnoMessage(err));
}

QString kindOf(mode_t mode) {
  if (S_ISFIFO(mode)) return QStringLiteral("a FIFO");
  if (S_ISSOCK(mode)) return QStringLiteral("a socket");
  if (S_ISCHR(mode)) return QStringLiteral("a character device");
  if (S_ISBLK(mode)) return QStringLiteral("a block device");
  return QStringLiteral("a special file");
}

// Writes all of `data` to `fd`; returns 0 or the errno of the failure.
int writeAll(int fd, const QByteArray& data) {
  const char* p = data.constData();
  qsizetype left = data.size();
  while (left > 0) {
    const ssize_t n = ::write(fd, p, static_cast<size_t>(left));
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    p += n;
    left -= n;
  }
  return 0;
}

}  // namespace

QString decodePath(const QByteArray& bytes) {
  QString out;
  out.reserve(bytes.size());
  const auto* d = reinterpret_cast<const uint8_t*>(bytes.constData());
  const qsizetype n = bytes.size();
  qsizetype i = 0;
  auto escape = [&](qsizetype len) {
    for (qsizetype k = 0; k < len; ++k) out += QChar(static_cast<char16_t>(0xF780 + (d[i + k] - 0x80)));
    i += len;
  };
  while (i < n) {
    const uint8_t b = d[i];
    if (b < 0x80) {
      out += QChar(b);
      ++i;
      continue;
    }
    // Length and code point of a well-formed UTF-8 sequence (no overlongs, no surrogates).
    qsizetype len = 0;
    char32_t cp = 0, min = 0;
    if ((b & 0xE0) == 0xC0)
      len = 2, cp = b & 0x1F, min = 0x80;
    else if ((b & 0xF0) == 0xE0)
      len = 3, cp = b & 0x0F, min = 0x800;
    else if ((b & 0xF8) == 0xF0)
      len = 4, cp = b & 0x07, min = 0x10000;
    bool ok = len > 0 && i + len <= n;
    for (qsizetype k = 1; ok && k < len; ++k) {
      ok = (d[i + k] & 0xC0) == 0x80;
      cp = (cp << 6) | (d[i + k] & 0x3F);
    }
    ok = ok && cp >= min && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF);
    if (!ok) {
      escape(1);
      continue;
    }
    if (cp >= 0xF780 && cp <= 0xF7FF) {  // the escape range itself: kept as escaped bytes
      escape(len);
      continue;
    }
    out += QString::fromUcs4(&cp, 1);
    i += len;
  }
  return out;
}

QByteArray encodePath(const QString& path) {
  QByteArray out;
  out.reserve(path.size());
  qsizetype from = 0;
  for (qsizetype i = 0; i <= path.size(); ++i) {
    const bool escaped = i < path.size() && path[i].unicode() >= 0xF780 && path[i].unicode() <= 0xF7FF;
    if (!escaped && i < path.size()) continue;
    out += QStringView(path).sliced(from, i - from).toUtf8();
    if (escaped) out += static_cast<char>(0x80 + (path[i].unicode() - 0xF780));
    from = i + 1;
  }
  return out;
}

bool pathExists(const QString& path) {
  struct stat st {};
  return ::lstat(encodePath(path).constData(), &st) == 0;
}

bool isDirectory(const QString& path) {
  struct stat st {};
  return ::stat(encodePath(path).constData(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::vector<FolderEntry> listFolder(const QString& path) {
  const QByteArray native = encodePath(path);
  DIR* dir = ::opendir(native.constData());
  if (!dir) throw FileError(errnoMessage(errno).toStdString());
  std::vector<FolderEntry> out;
  while (const dirent* e = ::readdir(dir)) {
    const QByteArray name(e->d_name);
    if (name == "." || name == "..") continue;
    FolderEntry entry;
    entry.name = decodePath(name);
    struct stat st {};
    if (::stat((native + '/' + name).constData(), &st) == 0) {
      entry.isDir = S_ISDIR(st.st_mode);
      entry.isFile = S_ISREG(st.st_mode);
      entry.size = st.st_size;
      entry.mtimeMs = static_cast<qint64>(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1000000;
    }
    out.push_back(std::move(entry));
  }
  ::closedir(dir);
  std::sort(out.begin(), out.end(), [](const FolderEntry& a, const FolderEntry& b) { return a.name < b.name; });
  return out;
}

QString canonicalPath(const QString& path) {
  char* resolved = ::realpath(encodePath(path).constData(), nullptr);
  if (!resolved) return {};
  const QString out = decodePath(QByteArray(resolved));
  std::free(resolved);
  return out;
}

QString errnoMessage(int err) {
  switch (err) {
    case ENOENT:
      return QStringLiteral("file not found");
    case ELOOP:
      return QStringLiteral("too many levels of symbolic links (a symlink loop?)");
    case EACCES:
    case EPERM:
      return QStringLiteral("permission denied");
    case ENOSPC:
    case EDQUOT:
      return QStringLiteral("no space left on device");
    case EROFS:
      return QStringLiteral("read-only file system");
    case ENOTDIR:
      return QStringLiteral("a part of the path is not a folder");
    case ENAMETOOLONG:
      return QStringLiteral("file name too long");
    case EISDIR:
      return QStringLiteral("is a folder");
    case EIO:
      return QStringLiteral("input/output error (a failing disk or a network drive gone away?)");
    default:
      return QString::fromLocal8Bit(std::strerror(err));
  }
}

QByteArray readRegularFile(const QString& path, qint64 maxBytes) {
  const QByteArray native = encodePath(path);
  struct stat st {};
  if (::stat(native.constData(), &st) != 0) failErrno(path, {}, errno);
  if (S_ISDIR(st.st_mode)) fail(path, QStringLiteral("is a folder, not a file"));
  // Opening a FIFO blocks until someone writes; a device may never end. Neither is a photo.
  if (!S_ISREG(st.st_mode)) fail(path, QStringLiteral("is not a regular file (it is %1)").arg(kindOf(st.st_mode)));
  if (st.st_size > maxBytes) fail(path, QStringLiteral("file is larger than %1 MiB").arg(maxBytes >> 20));
  // O_NONBLOCK: if the name was swapped for a FIFO since stat(), open() still returns at once.
  const int fd = ::open(native.constData(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) failErrno(path, QStringLiteral("cannot open"), errno);
  struct stat fst {};
  if (::fstat(fd, &fst) != 0 || !S_ISREG(fst.st_mode)) {
    ::close(fd);
    fail(path, QStringLiteral("is not a regular file"));
  }
  QByteArray out;
  out.resize(static_cast<qsizetype>(fst.st_size));
  qsizetype got = 0;
  while (got < out.size()) {
    const ssize_t n = ::read(fd, out.data() + got, static_cast<size_t>(out.size() - got));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      failErrno(path, QStringLiteral("read error"), err);
    }
    if (n == 0) break;  // shrank while reading: what is there is what the decoder sees
    got += n;
  }
  ::close(fd);
  out.truncate(got);
  return out;
}

void writeFile(const QString& path, const QByteArray& data) {
  if (path.isEmpty()) throw FileError("no output file name given");
  const QByteArray native = encodePath(path);
  struct stat st {};
  const bool exists = ::stat(native.constData(), &st) == 0;
  if (!exists && errno != ENOENT) failErrno(path, QStringLiteral("cannot write"), errno);
  if (exists && S_ISDIR(st.st_mode)) fail(path, QStringLiteral("cannot write: is a folder"));
  if (exists && !S_ISREG(st.st_mode)) {
    // A FIFO, terminal or device: written in place, never replaced by a regular file.
    const int fd = ::open(native.constData(), O_WRONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) failErrno(path, QStringLiteral("cannot write"), errno);
    const int err = writeAll(fd, data);
    if (::close(fd) != 0 && err == 0 && errno != EINTR) failErrno(path, QStringLiteral("cannot write"), errno);
    if (err != 0) failErrno(path, QStringLiteral("cannot write"), err);
    return;
  }
  // A regular file: write a temporary file beside it (beside the target when `path` is a symlink,
  // so the link stays a link) and rename it over the old one only when everything is written.
  QByteArray finalName = native;
  if (exists) {
    if (char* resolved = ::realpath(native.constData(), nullptr)) {
      finalName = resolved;
      std::free(resolved);
    }
  } else {
    struct stat lst {};
    if (::lstat(native.constData(), &lst) == 0 && S_ISLNK(lst.st_mode))
      fail(path, QStringLiteral("cannot write: is a symbolic link to a file that does not exist"));
  }
  const qsizetype slash = finalName.lastIndexOf('/');
  const QByteArray dir = slash < 0 ? QByteArray(".") : finalName.left(slash + 1);
  const QByteArray base = finalName.mid(slash + 1);
  const mode_t mode = exists ? (st.st_mode & 07777) : 0666;
  QByteArray tmp;
  int fd = -1;
  for (int attempt = 0; attempt < 100 && fd < 0; ++attempt) {
    tmp = dir + (slash < 0 ? "/." : ".") + base + ".part-" +
          QByteArray::number(QRandomGenerator::global()->generate(), 16);
    fd = ::open(tmp.constData(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, exists ? 0600 : mode);
    if (fd < 0 && errno != EEXIST) failErrno(path, QStringLiteral("cannot write"), errno);
  }
  if (fd < 0) fail(path, QStringLiteral("cannot create a temporary file beside it"));
  int err = writeAll(fd, data);
  if (err == 0 && exists && ::fchmod(fd, mode) != 0) err = errno;
  if (err == 0 && ::fsync(fd) != 0) err = errno;
  if (::close(fd) != 0 && err == 0 && errno != EINTR) err = errno;
  if (err == 0 && ::rename(tmp.constData(), finalName.constData()) != 0) err = errno;
  if (err != 0) {
    ::unlink(tmp.constData());
    failErrno(path, QStringLiteral("cannot write"), err);
  }
}

}  // namespace glimpse::io
