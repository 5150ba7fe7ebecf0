// model.safetensors: reader (memory-mapped, F32 zero-copy) and writer. The header is parsed and
// checked by checkpoint_readers.cpp (torch-free, shared with read_checkpoint_index).
#include <ATen/ATen.h>

#include <algorithm>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>

#include "block_writer.h"
#include "weights_internal.h"

namespace glimpse::blip {
namespace {
using detail::Mapping;
using nlohmann::json;

at::ScalarType scalar_type(const std::string& dtype) {
  if (dtype == "F16") return at::kHalf;
  if (dtype == "BF16") return at::kBFloat16;
  if (dtype == "I64") return at::kLong;
  if (dtype == "F64") return at::kDouble;
  return at::kFloat;
}
}  // namespace

TensorMap load_safetensors(const std::filesystem::path& path) {
  const std::string name = path.string();
  auto map = std::make_shared<Mapping>(path);
  const detail::SafetensorsHeader header = detail::parse_safetensors_header(*map, name);
  const uint8_t* base = map->data() + header.data_offset;
  TensorMap out;
  out.source = name;
  std::string dtypes_seen;
  for (const detail::SafetensorsEntry& e : header.entries) {
    const at::ScalarType type = scalar_type(e.dtype);
    const std::string where = name + ": tensor '" + e.name + "'";
    const uint8_t* ptr = base + e.begin;
    at::Tensor t;
    if (type == at::kFloat && reinterpret_cast<uintptr_t>(ptr) % alignof(float) == 0) {
      // Zero copy: the tensor keeps the mapping alive.
      auto keep = map;
      t = at::from_blob(
          const_cast<uint8_t*>(ptr), e.shape, [keep](void*) {}, at::TensorOptions().dtype(at::kFloat));
    } else {
      // Misaligned F32 (a header whose length is not a multiple of 4) is copied; other dtypes
      // are converted.
      at::Tensor raw = at::empty(e.shape, at::TensorOptions().dtype(type));
      if (e.end > e.begin) std::memcpy(raw.data_ptr(), ptr, e.end - e.begin);
      t = (type == at::kLong) ? raw : raw.to(at::kFloat);
    }
    detail::check_finite(t, where);
    if (dtypes_seen.empty())
      dtypes_seen = e.dtype;
    else if (dtypes_seen != e.dtype && type != at::kLong)
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
  // In whole aligned blocks, so that the new file sits in the page cache in huge folios and its
  // first mapping is quick (block_writer.h).
  write_file_in_blocks(part, [&](BlockWriter& out) {
    uint64_t n = h.size();
    char len[8];
    for (int i = 0; i < 8; ++i) len[i] = static_cast<char>((n >> (8 * i)) & 0xFF);
    out.write(len, 8);
    out.write(h.data(), static_cast<int64_t>(h.size()));
    for (const auto& c : data)
      if (!out.write(static_cast<const char*>(c.data_ptr()), static_cast<int64_t>(c.numel() * c.element_size())))
        return;
  });
  std::error_code ec;
  std::filesystem::rename(part, path, ec);
  if (ec) throw BlipError("cannot write " + path.string() + ": " + ec.message());
}

}  // namespace glimpse::blip
