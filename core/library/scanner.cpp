#include "scanner.h"

#include <fcntl.h>
#include <unistd.h>
#include <QCryptographicHash>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QRegularExpression>
#include <QSet>
#include <map>

#include "imaging/imagedecoder.h"
#include "io/files.h"

namespace glimpse::library {

QStringList imageExtensions() {
  return imaging::photoFileExtensions();
}

QString fileSha256(const QString& path) {
  const int fd = ::open(io::encodePath(path).constData(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) return {};
  QFile f;
  if (!f.open(fd, QIODevice::ReadOnly, QFileDevice::AutoCloseHandle)) {
    ::close(fd);
    return {};
  }
  QCryptographicHash h(QCryptographicHash::Sha256);
  if (!h.addData(&f)) return {};
  return QString::fromLatin1(h.result().toHex());
}

namespace {

struct FoundFile {
  qint64 folderId;
  qint64 size;
  qint64 mtimeMs;
};

class Walker {
 public:
  Walker(const Folder& folder, const QSet<QString>& extensions, QStringList& warnings, const std::atomic<bool>* cancel)
      : m_folder(folder), m_extensions(extensions), m_warnings(warnings), m_cancel(cancel) {
    for (const QString& g : folder.excludes)
      m_excludes.push_back(QRegularExpression(
          QRegularExpression::wildcardToRegularExpression(g, QRegularExpression::UnanchoredWildcardConversion)));
  }

  void walk(const QString& dir, std::map<QString, FoundFile>& out) {
    if (m_cancel && m_cancel->load()) return;
    const QString canonical = io::canonicalPath(dir);
    if (m_visited.contains(canonical)) {
      m_warnings << QStringLiteral("symlink loop skipped: %1 leads back to %2").arg(dir, canonical);
      return;
    }
    m_visited.insert(canonical);
    // Listed with readdir, not QDir: Qt 6 leaves out names that are not UTF-8.
    std::vector<io::FolderEntry> entries;
    try {
      entries = io::listFolder(dir);
    } catch (const io::FileError& e) {
      m_warnings << QStringLiteral("cannot read folder %1 (%2); its photos are kept as they were")
                        .arg(dir, QString::fromUtf8(e.what()));
      return;
    }
    // Files that cannot be read are still listed (their decode error is recorded), and a folder
    // that cannot be read is reported by walk() and kept as it was.
    for (const io::FolderEntry& e : entries) {
      if (!m_folder.includeHidden && e.name.startsWith(QLatin1Char('.'))) continue;
      const QString path = dir + QLatin1Char('/') + e.name;
      const QString rel = path.mid(m_folder.path.size() + 1);
      if (excluded(e.name, rel)) continue;
      if (e.isDir) {
        walk(path, out);
      } else if (e.isFile && m_extensions.contains(QFileInfo(e.name).suffix().toLower())) {
        out.emplace(path, FoundFile{m_folder.id, e.size, e.mtimeMs});
      }
    }
  }

 private:
  bool excluded(const QString& name, const QString& rel) const {
    for (const auto& re : m_excludes) {
      const QRegularExpression anchored(QRegularExpression::anchoredPattern(re.pattern()));
      if (anchored.match(name).hasMatch() || anchored.match(rel).hasMatch()) return true;
    }
    return false;
  }

  const Folder& m_folder;
  const QSet<QString>& m_extensions;
  QStringList& m_warnings;
  const std::atomic<bool>* m_cancel;
  QSet<QString> m_visited;
  std::vector<QRegularExpression> m_excludes;
};

}  // namespace

ScanReport Scanner::scan(const std::atomic<bool>* cancel) {
  ScanReport report;
  const QStringList extList = imageExtensions();
  const QSet<QString> extensions(extList.begin(), extList.end());
  std::map<QString, FoundFile> found;
  std::map<QString, Photo> known;  // online folders' photos by path
  Transaction tx(m_db);
  for (const Folder& folder : m_db.folders()) {
    const QList<Photo> photos = m_db.photosInFolder(folder.id);
    if (!io::isDirectory(folder.path)) {
      // An unmounted drive or a renamed folder: keep everything, mark it offline.
      for (const Photo& p : photos)
        if (p.status != PhotoStatus::Offline) m_db.setStatus(p.id, PhotoStatus::Offline);
      report.offline += static_cast<int>(photos.size());
      report.warnings << QStringLiteral("folder %1 is not there (unmounted drive?); its %2 photos are kept offline")
                             .arg(folder.path)
                             .arg(photos.size());
      continue;
    }
    const int warningsBefore = static_cast<int>(report.warnings.size());
    Walker walker(folder, extensions, report.warnings, cancel);
    std::map<QString, FoundFile> inFolder;
    walker.walk(folder.path, inFolder);
    if (cancel && cancel->load()) return report;  // transaction rolls back
    // Photos under a folder that could not be read are neither deleted nor changed.
    QStringList unreadable;
    for (int i = warningsBefore; i < report.warnings.size(); ++i) {
      static const QRegularExpression re(
          QStringLiteral("^cannot read folder (.*) \\([^()]*\\); its photos are kept as they were$"));
      const auto m = re.match(report.warnings[i]);
      if (m.hasMatch()) unreadable << m.captured(1) + QLatin1Char('/');
    }
    for (auto& [path, f] : inFolder) found.emplace(path, f);  // nested roots: the first folder wins
    for (const Photo& p : photos) {
      bool skip = false;
      for (const QString& u : unreadable)
        if (p.path.startsWith(u)) skip = true;
      if (skip) {
        found.erase(p.path);
        ++report.unchanged;
        continue;
      }
      known.emplace(p.path, p);
    }
  }

  // Same path: unchanged or changed.
  std::vector<std::pair<QString, FoundFile>> fresh;
  for (const auto& [path, f] : found) {
    auto it = known.find(path);
    if (it == known.end()) {
      fresh.emplace_back(path, f);
      continue;
    }
    const Photo& p = it->second;
    if (p.size == f.size && p.mtimeMs == f.mtimeMs) {
      ++report.unchanged;
      if (p.status == PhotoStatus::Offline) m_db.setStatus(p.id, PhotoStatus::Ok);
      if (p.folderId != f.folderId) m_db.movePhoto(p.id, f.folderId, path, f.mtimeMs);
    } else {
      m_db.updateFileState(p.id, f.size, f.mtimeMs);
      ++report.changed;
    }
    known.erase(it);
  }
  // What is left in `known` is gone from its path. A new file of the same size whose content hash
  // equals a gone photo's hash is that photo, moved or renamed.
  std::multimap<qint64, Photo> goneBySize;
  for (const auto& [path, p] : known)
    if (!p.hash.isEmpty()) goneBySize.emplace(p.size, p);
  QSet<qint64> movedIds;
  for (const auto& [path, f] : fresh) {
    if (cancel && cancel->load()) return report;
    QString hash;
    const auto range = goneBySize.equal_range(f.size);
    if (range.first != range.second) hash = fileSha256(path);
    bool moved = false;
    for (auto it = range.first; it != range.second && !hash.isEmpty(); ++it) {
      if (it->second.hash == hash && !movedIds.contains(it->second.id)) {
        m_db.movePhoto(it->second.id, f.folderId, path, f.mtimeMs);
        movedIds.insert(it->second.id);
        ++report.moved;
        moved = true;
        break;
      }
    }
    if (moved) continue;
    Photo p;
    p.folderId = f.folderId;
    p.path = path;
    p.size = f.size;
    p.mtimeMs = f.mtimeMs;
    m_db.insertPhoto(p);
    ++report.added;
  }
  for (const auto& [path, p] : known) {
    if (movedIds.contains(p.id)) continue;
    m_db.deletePhoto(p.id);
    ++report.removed;
  }
  tx.commit();
  return report;
}

}  // namespace glimpse::library
