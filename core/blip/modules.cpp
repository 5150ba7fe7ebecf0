#include "modules.h"

#include <dlfcn.h>

#include <cstdlib>
#include <filesystem>

namespace glimpse::modules {

std::vector<std::string> candidates(const char* env_var, const std::string& installed, const std::string& built) {
  if (const char* env = std::getenv(env_var); env && *env) return {env};
  std::vector<std::string> out;
  // Beside the running program's lib/ (a relocated install), then where it was installed or built.
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec)
    out.push_back(
        (exe.parent_path().parent_path() / "lib" / "glimpse" / "modules" / std::filesystem::path(installed).filename())
            .string());
  out.push_back(installed);
  out.push_back(built);
  return out;
}

void* open(const std::vector<std::string>& candidates, int flags, const std::string& what, std::string& problem) {
  std::string errors, tried;
  for (const auto& path : candidates) {
    tried += (tried.empty() ? "" : ", ") + path;
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) continue;
    if (void* lib = dlopen(path.c_str(), flags)) return lib;
    const char* err = dlerror();
    errors += std::string("\n  ") + (err ? err : path + ": cannot be opened");
  }
  problem = what + " could not be loaded; looked for " + tried + errors;
  return nullptr;
}

}  // namespace glimpse::modules
