#pragma once
// Finds what changed in the library's folders since the last scan: new, changed, deleted and
// moved files (by size and mtime, moves confirmed by content hash so a rename keeps its vectors
// and captions). Folders that vanished (an unmounted drive) mark their photos offline instead of
// deleting anything. Symlink loops and unreadable folders are reported, never fatal.
#include <QStringList>
#include <atomic>

#include "librarydatabase.h"

namespace glimpse::library {

struct ScanReport {
  int added = 0;
  int changed = 0;
  int moved = 0;
  int removed = 0;
  int unchanged = 0;
  int offline = 0;       // photos of folders that are not there now
  QStringList warnings;  // unreadable folders, symlink loops, missing roots
};

// File name extensions (lower case, without dot) of the formats Qt can decode here.
QStringList imageExtensions();

// SHA-256 of a file, hex; empty when it cannot be read.
QString fileSha256(const QString& path);

class Scanner {
 public:
  explicit Scanner(LibraryDatabase& db) : m_db(db) {}
  // Scans every folder of the library. Throws LibraryError when the database cannot be written.
  ScanReport scan(const std::atomic<bool>* cancel = nullptr);

 private:
  LibraryDatabase& m_db;
};

}  // namespace glimpse::library
