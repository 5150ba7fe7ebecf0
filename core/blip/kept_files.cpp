#include "kept_files.h"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <system_error>

namespace glimpse::blip {

bool replace_file(const std::filesystem::path& file, const std::string& text) {
  std::error_code ec;
  std::filesystem::create_directories(file.parent_path(), ec);
  std::string part = file.string() + ".XXXXXX";
  const int fd = ::mkstemp(part.data());
  if (fd < 0) return false;
  bool written = true;
  for (size_t done = 0; written && done < text.size();) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    written = n > 0;
    if (written) done += static_cast<size_t>(n);
  }
  written = (::close(fd) == 0) && written;
  std::error_code renamed;
  if (written) std::filesystem::rename(part, file, renamed);
  if (!written || renamed) {
    std::filesystem::remove(part, ec);
    return false;
  }
  return true;
}

std::vector<nlohmann::json> read_kept_entries(const std::filesystem::path& file, int version) {
  using Json = nlohmann::json;
  std::ifstream in(file, std::ios::binary);
  if (!in) return {};
  const Json doc = Json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object() || !doc.contains("version") || !doc["version"].is_number_integer() ||
      doc["version"].get<int64_t>() != version || !doc.contains("entries") || !doc["entries"].is_array())
    return {};
  std::vector<Json> out;
  for (const Json& e : doc["entries"])
    if (e.is_object() && e.contains("key") && e["key"].is_string()) out.push_back(e);
  return out;
}

bool write_kept_entries(const std::filesystem::path& file, int version, nlohmann::json entry) {
  using Json = nlohmann::json;
  const std::string key = entry["key"].get<std::string>();
  std::vector<Json> entries{std::move(entry)};
  for (Json& e : read_kept_entries(file, version))
    if (e["key"].get<std::string>() != key && entries.size() < 8) entries.push_back(std::move(e));
  return replace_file(
      file,
      Json{{"version", version}, {"entries", entries}}.dump(1, ' ', false, Json::error_handler_t::replace) + '\n');
}

int64_t unix_seconds(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

bool kept_entry_fresh(const nlohmann::json& unix_time, std::chrono::system_clock::time_point now, int days) {
  if (!unix_time.is_number_integer()) return false;
  const double age = static_cast<double>(unix_seconds(now)) - unix_time.get<double>();
  return age >= -86400.0 && age <= days * 86400.0;
}

}  // namespace glimpse::blip
