// model.safetensors: reader (memory-mapped, F32 zero-copy) and writer. The header is checked as
// Hugging Face's safetensors library checks it (header at most 100 MB, a JSON object without
// duplicate keys, tensors that tile the data area exactly: no overlap, no gap, no trailing
// bytes), so a file is refused here whenever transformers would refuse it.
#include <ATen/ATen.h>

#include <algorithm>
#include <fstream>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>

#include "weights_internal.h"

namespace glimpse::blip {
namespace {

using detail::Mapping;
using nlohmann::json;

constexpr uint64_t kMaxHeaderBytes = 100'000'000;  // safetensors' MAX_HEADER_SIZE

struct Entry {
  std::string name;
  std::string dtype;
  at::ScalarType type = at::kFloat;
  std::vector<int64_t> shape;
  uint64_t begin = 0, end = 0;
};

struct Header {
  std::vector<Entry> entries;  // in header order
  uint64_t data_offset = 0;    // of the data area in the file
};

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

Header parse_header(const Mapping& map, const std::string& name) {
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
  Header out;
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
    Entry e;
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
    size_t itemsize = 0;
    if (e.dtype == "F32") {
      itemsize = 4;
      e.type = at::kFloat;
    } else if (e.dtype == "F16") {
      itemsize = 2;
      e.type = at::kHalf;
    } else if (e.dtype == "BF16") {
      itemsize = 2;
      e.type = at::kBFloat16;
    } else if (e.dtype == "I64") {
      itemsize = 8;
      e.type = at::kLong;
    } else if (e.dtype == "F64") {
      itemsize = 8;
      e.type = at::kDouble;
    } else
      throw BlipError(where + " has unsupported dtype " + e.dtype + " (supported: F32, F16, BF16)");
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
  std::vector<const Entry*> order;
  for (const auto& e : out.entries) order.push_back(&e);
  std::stable_sort(order.begin(), order.end(), [](const Entry* a, const Entry* b) {
    return a->begin != b->begin ? a->begin < b->begin : a->end < b->end;
  });
  uint64_t at = 0;
  const Entry* previous = nullptr;
  for (const Entry* e : order) {
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

}  // namespace

namespace detail {

CheckpointIndex read_safetensors_index(const std::filesystem::path& path) {
  const Mapping map(path);  // only the header's pages are read
  CheckpointIndex index;
  for (auto& e : parse_header(map, path.string()).entries) index.emplace(e.name, TensorInfo{e.dtype, e.shape});
  return index;
}

}  // namespace detail

TensorMap load_safetensors(const std::filesystem::path& path) {
  const std::string name = path.string();
  auto map = std::make_shared<Mapping>(path);
  const Header header = parse_header(*map, name);
  const uint8_t* base = map->data() + header.data_offset;
  TensorMap out;
  out.source = name;
  std::string dtypes_seen;
  for (const Entry& e : header.entries) {
    const std::string where = name + ": tensor '" + e.name + "'";
    const uint8_t* ptr = base + e.begin;
    at::Tensor t;
    if (e.type == at::kFloat && reinterpret_cast<uintptr_t>(ptr) % alignof(float) == 0) {
      // Zero copy: the tensor keeps the mapping alive.
      auto keep = map;
      t = at::from_blob(
          const_cast<uint8_t*>(ptr), e.shape, [keep](void*) {}, at::TensorOptions().dtype(at::kFloat));
    } else {
      // Misaligned F32 (a header whose length is not a multiple of 4) is copied; other dtypes
      // are converted.
      at::Tensor raw = at::empty(e.shape, at::TensorOptions().dtype(e.type));
      if (e.end > e.begin) std::memcpy(raw.data_ptr(), ptr, e.end - e.begin);
      t = (e.type == at::kLong) ? raw : raw.to(at::kFloat);
    }
    detail::check_finite(t, where);
    if (dtypes_seen.empty())
      dtypes_seen = e.dtype;
    else if (dtypes_seen != e.dtype && e.type != at::kLong)
      dtypes_seen = "mixed";
    out.tensors.emplace(e.name, std::move(t));
  }
  out.stored_dtype = dtypes_seen.empty() ? "F32" : dtypes_seen;
  return out;
}

void save_safetensors(const std::filesystem::path& path, const std::map<std::string, at::Tensor>& tensors,
                      const std::map<std::string, std::string>& metadata) {
  json header = json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  std::vector<at::Tensor> data;
  uint64_t offset = 0;
  for (const auto& [name, t] : tensors) {
    at::Tensor c = t.contiguous();
    std::string dtype;
    switch (c.scalar_type()) {
      case at::kFloat:
        dtype = "F32";
        break;
      case at::kHalf:
        dtype = "F16";
        break;
      case at::kBFloat16:
        dtype = "BF16";
        break;
      case at::kLong:
        dtype = "I64";
        break;
      case at::kDouble:
        dtype = "F64";
        break;
      default:
        throw BlipError("cannot store tensor " + name + " of dtype " + std::string(c10::toString(c.scalar_type())));
    }
    const uint64_t bytes = static_cast<uint64_t>(c.numel()) * c.element_size();
    header[name] = {{"dtype", dtype}, {"shape", c.sizes().vec()}, {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
    data.push_back(c);
  }
  std::string h = header.dump();
  while ((8 + h.size()) % 8 != 0) h.push_back(' ');  // keep the data 8-byte aligned
  const auto part = std::filesystem::path(path.string() + ".part");
  {
    std::ofstream out(part, std::ios::binary | std::ios::trunc);
    if (!out) throw BlipError("cannot write " + part.string());
    uint64_t n = h.size();
    char len[8];
    for (int i = 0; i < 8; ++i) len[i] = static_cast<char>((n >> (8 * i)) & 0xFF);
    out.write(len, 8);
    out.write(h.data(), static_cast<std::streamsize>(h.size()));
    for (const auto& c : data)
      out.write(static_cast<const char*>(c.data_ptr()), static_cast<std::streamsize>(c.numel() * c.element_size()));
    out.flush();
    if (!out) {
      out.close();
      std::filesystem::remove(part);
      throw BlipError("cannot write " + path.string() + " (disk full?)");
    }
  }
  std::error_code ec;
  std::filesystem::rename(part, path, ec);
  if (ec) throw BlipError("cannot write " + path.string() + ": " + ec.message());
}

}  // namespace glimpse::blip
