#pragma once
// Where Glimpse keeps its files on a Linux desktop (XDG base directories), one folder per kind:
// <XDG data>/Glimpse (library, models), <XDG cache>/Glimpse, <XDG state>/Glimpse (pasted images).
// QStandardPaths' App*Location would append organisation and application name, both "Glimpse",
// and give Glimpse/Glimpse; these never do, whatever the running program is called (glimpse-cli
// finds the app's files through them).
#include <QString>
#include <QStringList>

namespace glimpse::desktop {

QString dataDir();     // $XDG_DATA_HOME/Glimpse (~/.local/share/Glimpse)
QString cacheDir();    // $XDG_CACHE_HOME/Glimpse (~/.cache/Glimpse)
QString stateDir();    // $XDG_STATE_HOME/Glimpse (~/.local/state/Glimpse)
QString runtimeDir();  // $XDG_RUNTIME_DIR, else a private folder in the temporary folder
// The engine's measurement of this CPU's float32 products, kept between processes
// (blip::set_measurement_cache_file): cacheDir()/fp32-gemm.json. The engine keeps its decoder
// steps' ways beside it (decoder-steps.json).
QString engineMeasurementFile();

// Moves what earlier versions kept in the doubled folders (<XDG data>/Glimpse/Glimpse,
// <XDG cache>/Glimpse/Glimpse; pasted images from the cache to the state folder) to where it
// belongs, once: an entry whose name is already taken at the new place stays where it was, so
// nothing is ever replaced or lost. Safe when two programs start at once (a lock file). Returns a
// line for each entry that could not be moved.
QStringList migrateDoubledFolders();

// Marks `dir` (created if needed) to be left out of backups where the desktop has a convention:
// Déjà Dup (GNOME's backup tool) skips a folder holding `.deja-dup-ignore`. CACHEDIR.TAG is not
// written: it says "cache", and tools that honour it (tar --exclude-caches, borg, restic) may also
// treat the folder as disposable, which downloaded or imported models are not. Returns false when
// the marker could not be written.
bool excludeFromBackups(const QString& dir);

// Pasted images: <stateDir>/pasted, one PNG per paste; the app keeps at most kPastedImagesKept
// (more only while they are on the list).
inline constexpr int kPastedImagesKept = 50;
QString pastedImagesDir();
bool isPastedImage(const QString& path);
// Deletes a pasted image (and the thumbnails made of it); other paths are left alone.
bool removePastedImage(const QString& path);
// Keeps at most `keep` pasted images, the newest, but never deletes one in `inUse` (the images on
// the list). Returns how many were deleted.
int prunePastedImages(int keep, const QStringList& inUse);

}  // namespace glimpse::desktop
