// glimpse-docgen OUTDIR VERSION DATE: writes glimpse-cli's and the desktop app's manual pages and
// glimpse-cli's bash, zsh and fish completions from the help table (help.cpp), at build time.
#include <fstream>
#include <iostream>

#include "help.h"

namespace {

bool write(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) std::cerr << "glimpse-docgen: cannot write " << path << '\n';
  return static_cast<bool>(out);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::cerr << "usage: glimpse-docgen OUTDIR VERSION DATE\n";
    return 2;
  }
  namespace help = glimpse::cli::help;
  const std::string dir = argv[1], version = argv[2], date = argv[3];
  const bool ok = write(dir + "/glimpse-cli.1", help::cliManPage(version, date)) &&
                  write(dir + "/glimpse-photos.1", help::guiManPage(version, date)) &&
                  write(dir + "/glimpse-cli.bash", help::completion("bash")) &&
                  write(dir + "/_glimpse-cli", help::completion("zsh")) &&
                  write(dir + "/glimpse-cli.fish", help::completion("fish"));
  return ok ? 0 : 1;
}
