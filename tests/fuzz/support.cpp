#include "support.h"

#include <unistd.h>
#include <QCoreApplication>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace glimpse::fuzz {
namespace {

std::string makeScratch() {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/glimpse-fuzz-XXXXXX";
  if (!mkdtemp(pattern.data())) {
    std::perror("mkdtemp");
    std::abort();
  }
  return pattern;
}

void dropQtMessages(QtMsgType type, const QMessageLogContext&, const QString& message) {
  if (type == QtFatalMsg) std::fprintf(stderr, "qFatal: %s\n", qPrintable(message));
}

}  // namespace

const std::string& scratchDir() {
  // Never destroyed: the exit handler that removes the folder still needs the name.
  static const std::string* dir = [] {
    auto* d = new std::string(makeScratch());
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(scratchDir(), ec);
    });
    return d;
  }();
  return *dir;
}

std::string writeScratch(const std::string& name, const uint8_t* data, size_t size) {
  const std::string path = scratchDir() + "/" + name;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  out.close();
  if (!out) throw std::runtime_error("cannot write " + path);
  return path;
}

void initQt(int* argc, char*** argv) {
  static QCoreApplication* app = nullptr;
  if (app) return;
  qInstallMessageHandler(dropQtMessages);
  app = new QCoreApplication(*argc, *argv);  // lives for the whole process
}

}  // namespace glimpse::fuzz
