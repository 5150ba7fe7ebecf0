// The torch-free half of the checkpoint readers (checkpoint_readers.h): the registry of live weight
// mappings and the safetensors header. The header is checked as Hugging Face's safetensors library
// checks it (header at most 100 MB, a JSON object without duplicate keys, tensors that tile the
// data area exactly: no overlap, no gap, no trailing bytes), so a file is refused here whenever
// transformers would refuse it.
#include "checkpoint_readers.h"

#include <algorithm>
#include <limits>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>

namespace glimpse::blip::detail {

namespace {
// Never destroyed: models kept in static caches unmap their files after static destructors ran.
std::mutex& mappings_mutex() {
  static auto* m = new std::mutex;
  return *m;
}
std::map<const uint8_t*, size_t>& mappings() {
  static auto* m = new std::map<const uint8_t*, size_t>;
  return *m;
}
}  // namespace

void register_mapping(const uint8_t* data, size_t size) {
  std::lock_guard<std::mutex> lock(mappings_mutex());
  mappings()[data] = size;
}

void unregister_mapping(const uint8_t* data) {
  std::lock_guard<std::mutex> lock(mappings_mutex());
  mappings().erase(data);
}

size_t release_mapped_range(const uint8_t* begin, const uint8_t* end) {
  // Whole pages inside the tensor only: its neighbours in the file keep theirs.
  const auto page = static_cast<uintptr_t>(::sysconf(_SC_PAGESIZE));
  const uintptr_t first = (reinterpret_cast<uintptr_t>(begin) + page - 1) & ~(page - 1);
  const uintptr_t last = reinterpret_cast<uintptr_t>(end) & ~(page - 1);
  if (last <= first) return 0;
  std::lock_guard<std::mutex> lock(mappings_mutex());
  auto it = mappings().upper_bound(begin);
  if (it == mappings().begin()) return 0;
  --it;
  if (end > it->first + it->second) return 0;  // not inside a live mapping: memory the tensor owns
  if (::madvise(reinterpret_cast<void*>(first), last - first, MADV_DONTNEED) != 0) return 0;
  return last - first;
}

size_t dtype_size(const std::string& dtype) {
  static const std::map<std::string, size_t> kSizes = {{"F32", 4}, {"F16", 2}, {"BF16", 2}, {"F64", 8}, {"I64", 8},
                                                       {"I32", 4}, {"I16", 2}, {"I8", 1},   {"U8", 1},  {"BOOL", 1}};
  const auto it = kSizes.find(dtype);
  return it == kSizes.end() ? 0 : it->second;
}

namespace {

using nlohmann::json;

constexpr uint64_t kMaxHeaderBytes = 100'000'000;  // safetensors' MAX_HEADER_SIZE

// Parses JSON refusing duplicate keys at any depth (serde, which safetensors uses, refuses a
// repeated field; a repeated tensor name would make two readers disagree).
json parse_without_duplicates(const char* begin, const char* end, const std::string& name) {
  std::vector<std::set<std::string>> keys;
  std::string duplicate;
  json::parser_callback_t cb = [&](int, json::parse_event_t event, json& parsed) {
    if (event == json::parse_event_t::object_start)
      keys.emplace_back();
    else if (event == json::parse_event_t::object_end && !keys.empty())
      keys.pop_back();
    else if (event == json::parse_event_t::key && !keys.empty() &&
             !keys.back().insert(parsed.get<std::string>()).second && duplicate.empty())
      duplicate = parsed.get<std::string>();
    return true;
  };
  json header;
  try {
    header = json::parse(begin, end, cb);
  } catch (const json::exception& e) {
    throw BlipError(name + " has an invalid safetensors header: " + e.what());
  }
  if (!duplicate.empty())
    throw BlipError(name + " has an invalid safetensors header: the key '" + duplicate + "' appears twice");
  return header;
}

}  // namespace

SafetensorsHeader parse_safetensors_header(const Mapping& map, const std::string& name) {
  if (map.size() < 8)
    throw BlipError(name + " is truncated: " + std::to_string(map.size()) + " bytes, no safetensors header");
  uint64_t header_len = 0;
  for (int i = 7; i >= 0; --i) header_len = (header_len << 8) | map.data()[i];
  if (header_len > map.size() - 8 || header_len > kMaxHeaderBytes)
    throw BlipError(name + " is not a valid safetensors file: header length " + std::to_string(header_len) +
                    " exceeds the file size " + std::to_string(map.size()) +
                    (header_len > kMaxHeaderBytes ? " or the 100 MB limit" : ""));
  const char* text = reinterpret_cast<const char*>(map.data()) + 8;
  const json header = parse_without_duplicates(text, text + header_len, name);
  if (!header.is_object()) throw BlipError(name + " has an invalid safetensors header: not a JSON object");
  SafetensorsHeader out;
  out.data_offset = 8 + header_len;
  const uint64_t data_size = map.size() - out.data_offset;
  for (const auto& [key, info] : header.items()) {
    if (key == "__metadata__") {
      if (!info.is_object()) throw BlipError(name + ": __metadata__ must be an object of strings");
      for (const auto& [k, v] : info.items())
        if (!v.is_string()) throw BlipError(name + ": __metadata__ value '" + k + "' is not a string");
      continue;
    }
    const std::string where = name + ": tensor '" + key + "'";
    SafetensorsEntry e;
    e.name = key;
    try {
      if (!info.is_object()) throw BlipError(where + " has a malformed header entry: not an object");
      e.dtype = info.at("dtype").get<std::string>();
      const auto& shape = info.at("shape");
      if (!shape.is_array()) throw BlipError(where + " has a malformed shape");
      for (const auto& d : shape) {
        if (d.is_number_integer() && d.get<int64_t>() < 0) throw BlipError(where + " has a negative dimension");
        if (!d.is_number_unsigned() || d.get<uint64_t>() > (uint64_t{1} << 40))
          throw BlipError(where + " has an impossible shape");
        e.shape.push_back(d.get<int64_t>());
      }
      const auto& offs = info.at("data_offsets");
      if (!offs.is_array() || offs.size() != 2 || !offs[0].is_number_unsigned() || !offs[1].is_number_unsigned())
        throw BlipError(where + " has malformed data_offsets");
      e.begin = offs[0].get<uint64_t>();
      e.end = offs[1].get<uint64_t>();
    } catch (const json::exception& ex) {
      throw BlipError(where + " has a malformed header entry: " + ex.what());
    }
    const bool readable =
        e.dtype == "F32" || e.dtype == "F16" || e.dtype == "BF16" || e.dtype == "I64" || e.dtype == "F64";
    const size_t itemsize = readable ? dtype_size(e.dtype) : 0;
    if (!readable) throw BlipError(where + " has unsupported dtype " + e.dtype + " (supported: F32, F16, BF16)");
    uint64_t numel = 1;
    for (int64_t d : e.shape) {
      if (d != 0 && numel > std::numeric_limits<uint64_t>::max() / 16 / static_cast<uint64_t>(d))
        throw BlipError(where + " has an impossible shape");
      numel *= static_cast<uint64_t>(d);
    }
    if (e.end < e.begin || e.end > data_size)
      throw BlipError(where + " lies outside the file (offsets " + std::to_string(e.begin) + ".." +
                      std::to_string(e.end) + ", data size " + std::to_string(data_size) +
                      "); the file is truncated or corrupt");
    if (e.end - e.begin != numel * itemsize)
      throw BlipError(where + " has " + std::to_string(e.end - e.begin) + " bytes but its shape needs " +
                      std::to_string(numel * itemsize));
    out.entries.push_back(std::move(e));
  }
  // The tensors must tile the data area: sorted by offset, each starts where the previous ended,
  // the last ends at the end of the file (safetensors' validate()).
  std::vector<const SafetensorsEntry*> order;
  for (const auto& e : out.entries) order.push_back(&e);
  std::stable_sort(order.begin(), order.end(), [](const SafetensorsEntry* a, const SafetensorsEntry* b) {
    return a->begin != b->begin ? a->begin < b->begin : a->end < b->end;
  });
  uint64_t at = 0;
  const SafetensorsEntry* previous = nullptr;
  for (const SafetensorsEntry* e : order) {
    if (e->begin < at)
      throw BlipError(name + ": tensor '" + e->name + "' (bytes " + std::to_string(e->begin) + ".." +
                      std::to_string(e->end) + ") overlaps tensor '" + previous->name + "' (bytes " +
                      std::to_string(previous->begin) + ".." + std::to_string(previous->end) +
                      "); the header is corrupt");
    if (e->begin > at)
      throw BlipError(name + ": " + std::to_string(e->begin - at) + " bytes before tensor '" + e->name +
                      "' belong to no tensor; the header is corrupt");
    at = e->end;
    previous = e;
  }
  if (at != data_size)
    throw BlipError(name + ": " + std::to_string(data_size - at) +
                    " bytes after the last tensor belong to no tensor (" + std::to_string(map.size()) +
                    " bytes in the file, the header describes " + std::to_string(out.data_offset + at) +
                    "); the file is corrupt or was appended to");
  return out;
}

CheckpointIndex read_safetensors_index(const std::filesystem::path& path) {
  const Mapping map(path);  // only the header's pages are read
  CheckpointIndex index;
  for (auto& e : parse_safetensors_header(map, path.string()).entries)
    index.emplace(e.name, TensorInfo{e.dtype, e.shape});
  return index;
}

}  // namespace glimpse::blip::detail

namespace glimpse::blip {

CheckpointIndex read_checkpoint_index(const std::filesystem::path& file) {
  return file.extension() == ".safetensors" ? detail::read_safetensors_index(file)
                                            : detail::read_pytorch_bin_index(file);
}

}  // namespace glimpse::blip
