#include "scanner.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QImageReader>
#include <QRegularExpression>
#include <QSet>
#include <map>

namespace glimpse::library {

QStringList imageExtensions() {
  QStringList out;
  for (const QByteArray& f : QImageReader::supportedImageFormats()) {
    const QString ext = QString::fromLatin1(f).toLower();
    // Formats that are not photos (icons, cursors, vector art, raw bitmaps).
    if (ext == QLatin1String("svg") || ext == QLatin1String("svgz") || ext == QLatin1String("ico") ||
        ext == QLatin1String("cur") || ext == QLatin1String("xbm") || ext == QLatin1String("xpm") ||
        ext == QLatin1String("pbm") || ext == QLatin1String("pgm") || ext == QLatin1String("ppm") ||
        ext == QLatin1String("icns") || ext == QLatin1String("wbmp"))
      continue;
    out << ext;
  }
  if (out.contains(QLatin1String("jpeg")) && !out.contains(QLatin1String("jpg"))) out << QStringLiteral("jpg");
  if (out.contains(QLatin1String("tiff")) && !out.contains(QLatin1String("tif"))) out << QStringLiteral("tif");
  out.removeDuplicates();
  return out;
}

QString fileSha256(const QString& path) {
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly)) return {};
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
      m_excludes.push_back(QRegularExpression(QRegularExpression::wildcardToRegularExpression(g, QRegularExpression::UnanchoredWildcardConversion)));
  }

  void walk(const QString& dir, std::map<QString, FoundFile>& out) {
    if (m_cancel && m_cancel->load()) return;
    const QString canonical = QFileInfo(dir).canonicalFilePath();
    if (m_visited.contains(canonical)) {
      m_warnings << QStringLiteral("symlink loop skipped: %1 leads back to %2").arg(dir, canonical);
      return;
    }
    m_visited.insert(canonical);
    QDir d(dir);
    if (!d.isReadable()) {
      m_warnings << QStringLiteral("cannot read folder %1 (permission denied); its photos are kept as they were").arg(dir);
      return;
    }
    // No Readable filter: a file that cannot be read is still there (its decode error is
    // recorded), and a folder that cannot be read is reported by walk() and kept as it was.
    QDir::Filters filters = QDir::Files | QDir::Dirs | QDir::NoDotAndDotDot;
    if (m_folder.includeHidden) filters |= QDir::Hidden;
    const QFileInfoList entries = d.entryInfoList(filters, QDir::Name);
    for (const QFileInfo& e : entries) {
      if (!m_folder.includeHidden && e.fileName().startsWith(QLatin1Char('.'))) continue;
      const QString rel = QDir(m_folder.path).relativeFilePath(e.absoluteFilePath());
      if (excluded(e.fileName(), rel)) continue;
      if (e.isDir()) {
        walk(e.absoluteFilePath(), out);
      } else if (e.isFile() && m_extensions.contains(e.suffix().toLower())) {
        out.emplace(e.absoluteFilePath(), FoundFile{m_folder.id, e.size(), e.lastModified().toMSecsSinceEpoch()});
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
    const QFileInfo root(folder.path);
    const QList<Photo> photos = m_db.photosInFolder(folder.id);
    if (!root.exists() || !root.isDir()) {
      // An unmounted drive or a renamed folder: keep everything, mark it offline.
      for (const Photo& p : photos)
        if (p.status != PhotoStatus::Offline) m_db.setStatus(p.id, PhotoStatus::Offline);
      report.offline += static_cast<int>(photos.size());
      report.warnings << QStringLiteral("folder %1 is not there (unmounted drive?); its %2 photos are kept offline").arg(folder.path).arg(photos.size());
      continue;
    }
    const int warningsBefore = static_cast<int>(report.warnings.size());
    Walker walker(folder, extensions, report.warnings, cancel);
    std::map<QString, FoundFile> inFolder;
    walker.walk(root.absoluteFilePath(), inFolder);
    if (cancel && cancel->load()) return report;  // transaction rolls back
    // Photos under a folder that could not be read are neither deleted nor changed.
    QStringList unreadable;
    for (int i = warningsBefore; i < report.warnings.size(); ++i) {
      static const QRegularExpression re(QStringLiteral("^cannot read folder (.*) \\(permission denied\\)"));
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
