#pragma once
// Shared by the fuzz targets: a private scratch folder for parsers that take file paths, and the
// Qt application object the Qt-based parsers need (a QCoreApplication, as in glimpse-cli).
#include <cstddef>
#include <cstdint>
#include <string>

namespace glimpse::fuzz {

// This process's own temporary folder (under $TMPDIR or /tmp), removed at exit.
const std::string& scratchDir();
// Writes `size` bytes to scratchDir()/name (replacing it) and returns the file's path.
std::string writeScratch(const std::string& name, const uint8_t* data, size_t size);
// Creates the QCoreApplication once and silences Qt's warnings (qFatal still aborts).
void initQt(int* argc, char*** argv);

}  // namespace glimpse::fuzz
