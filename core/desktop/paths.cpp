#include "paths.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLockFile>
#include <QStandardPaths>

#include "thumbnails.h"

namespace glimpse::desktop {
namespace {

const QString kFolder = QStringLiteral("Glimpse");

QString genericPath(QStandardPaths::StandardLocation location) {
  return QStandardPaths::writableLocation(location) + QLatin1Char('/') + kFolder;
}

// Moves each entry of `from` into `to` unless its name is taken there; removes `from` when it is
// left empty. Adds a line to `problems` for each entry that stays.
void moveEntries(const QString& from, const QString& to, QStringList& problems) {
  QDir source(from);
  if (!source.exists()) return;
  QDir().mkpath(to);
  const auto entries = source.entryInfoList(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot);
  for (const QFileInfo& e : entries) {
    const QString target = to + QLatin1Char('/') + e.fileName();
    if (QFileInfo::exists(target) || QFileInfo(target).isSymLink())
      problems << QCoreApplication::translate("glimpse::desktop", "%1 was kept where it is: %2 exists already")
                      .arg(e.absoluteFilePath(), target);
    else if (!QDir().rename(e.absoluteFilePath(), target))
      problems << QCoreApplication::translate("glimpse::desktop", "Could not move %1 to %2")
                      .arg(e.absoluteFilePath(), target);
  }
  source.rmdir(from);  // only when empty
}

}  // namespace

QString dataDir() {
  return genericPath(QStandardPaths::GenericDataLocation);
}

QString cacheDir() {
  return genericPath(QStandardPaths::GenericCacheLocation);
}

QString engineMeasurementFile() {
  return cacheDir() + QStringLiteral("/fp32-gemm.json");
}

QString stateDir() {
  // Qt 6.4 has no StateLocation; the XDG rule: an absolute $XDG_STATE_HOME, else ~/.local/state.
  QString base = qEnvironmentVariable("XDG_STATE_HOME");
  if (!QDir::isAbsolutePath(base)) base = QDir::homePath() + QStringLiteral("/.local/state");
  return QDir::cleanPath(base) + QLatin1Char('/') + kFolder;
}

QString runtimeDir() {
  return QStandardPaths::writableLocation(QStandardPaths::RuntimeLocation);
}

QStringList migrateDoubledFolders() {
  const QString oldData = dataDir() + QLatin1Char('/') + kFolder;
  const QString oldCache = cacheDir() + QLatin1Char('/') + kFolder;
  const QString oldPasted = cacheDir() + QStringLiteral("/pasted");
  if (!QFileInfo::exists(oldData) && !QFileInfo::exists(oldCache) && !QFileInfo::exists(oldPasted)) return {};
  // Two programs starting at once (the app and glimpse-cli) move each entry once.
  QDir().mkpath(dataDir());
  QLockFile lock(dataDir() + QStringLiteral("/.migration.lock"));
  if (!lock.tryLock(10000))
    return {QCoreApplication::translate("glimpse::desktop",
                                        "Another Glimpse program is moving the data folders; try again later")};
  QStringList problems;
  moveEntries(oldData, dataDir(), problems);
  moveEntries(oldCache, cacheDir(), problems);
  // Pasted images are the only copy of what was pasted: they belong with the state, not the cache.
  moveEntries(oldPasted, pastedImagesDir(), problems);
  return problems;
}

bool excludeFromBackups(const QString& dir) {
  if (!QDir().mkpath(dir)) return false;
  QFile marker(dir + QStringLiteral("/.deja-dup-ignore"));
  if (marker.exists()) return true;
  return marker.open(QIODevice::WriteOnly);
}

QString pastedImagesDir() {
  return stateDir() + QStringLiteral("/pasted");
}

bool isPastedImage(const QString& path) {
  return QFileInfo(path).absolutePath() == QDir::cleanPath(pastedImagesDir());
}

bool removePastedImage(const QString& path) {
  if (!isPastedImage(path)) return false;
  removeThumbnails(path);
  return QFile::remove(path);
}

int prunePastedImages(int keep, const QStringList& inUse) {
  const auto files = QDir(pastedImagesDir()).entryInfoList({QStringLiteral("*.png")}, QDir::Files, QDir::Time);
  int kept = 0, removed = 0;
  for (const QFileInfo& f : files) {  // newest first
    if (kept < keep || inUse.contains(f.absoluteFilePath()))
      ++kept;
    else if (removePastedImage(f.absoluteFilePath()))
      ++removed;
  }
  return removed;
}

}  // namespace glimpse::desktop
