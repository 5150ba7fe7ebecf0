// pytorch_model.bin -> tensors: the records read_bin_index (pytorch_bin_index.cpp) found, aliased or
// copied from the mapping.
#include <ATen/ATen.h>

#include "weights_internal.h"

namespace glimpse::blip {

namespace {
using detail::BinIndex;
using detail::PPtr;
using detail::PValue;

at::ScalarType scalar_type(const std::string& dtype) {
  static const std::map<std::string, at::ScalarType> kTypes = {
      {"F32", at::kFloat}, {"F16", at::kHalf},  {"BF16", at::kBFloat16}, {"F64", at::kDouble}, {"I64", at::kLong},
      {"I32", at::kInt},   {"I16", at::kShort}, {"I8", at::kChar},       {"U8", at::kByte},    {"BOOL", at::kBool}};
  return kTypes.at(dtype);
}
}  // namespace

TensorMap load_pytorch_bin(const std::filesystem::path& path) {
  const std::string name = path.string();
  const BinIndex idx = detail::read_bin_index(path);
  const auto& map = idx.map;
  const auto& entries = idx.entries;
  const std::string& prefix = idx.prefix;
  const PPtr& root = idx.root;
  TensorMap out;
  out.source = name;
  out.stored_dtype = "F32";
  for (const auto& [k, v] : root->entries) {
    if (k->kind != PValue::Str) throw BlipError(name + ": state dict has a non-string key");
    if (out.tensors.count(k->s)) throw BlipError(name + ": state dict holds '" + k->s + "' twice");
    if (v->kind != PValue::Tensor) throw BlipError(name + ": entry '" + k->s + "' is not a tensor");
    const std::string where = name + ": tensor '" + k->s + "'";
    const at::ScalarType dtype = scalar_type(v->dtype);
    auto it = entries.find(prefix + "/data/" + v->storage->s);
    if (it == entries.end()) throw BlipError(where + " has no storage record in the archive");
    const int64_t itemsize = static_cast<int64_t>(c10::elementSize(dtype));
    const int64_t storage_numel = v->storage->numel;
    if (storage_numel > static_cast<int64_t>(it->second.size / itemsize))
      throw BlipError(where + ": storage is shorter than its record says (truncated file?)");
    // Highest element the view touches must lie inside the storage.
    int64_t last = v->offset;
    bool empty = false;
    for (size_t d = 0; d < v->size.size(); ++d) {
      if (v->size[d] == 0)
        empty = true;
      else if (v->size[d] > (int64_t{1} << 40) || v->stride[d] > (int64_t{1} << 40))
        throw BlipError(where + " has an impossible shape");
      else
        last += (v->size[d] - 1) * v->stride[d];
    }
    at::Tensor t;
    if (empty) {
      t = at::empty(v->size, at::TensorOptions().dtype(dtype));
    } else {
      if (last >= storage_numel) throw BlipError(where + " reaches past the end of its storage");
      const uint8_t* base = map->data() + it->second.offset;
      const bool aligned = reinterpret_cast<uintptr_t>(base) % static_cast<uintptr_t>(itemsize) == 0;
      at::Tensor storage = at::from_blob(const_cast<uint8_t*>(base), {storage_numel}, at::TensorOptions().dtype(dtype));
      at::Tensor view = storage.as_strided(v->size, v->stride, v->offset);
      if (dtype == at::kFloat && aligned && view.is_contiguous()) {
        // Zero copy, as for safetensors: the tensor aliases the read-only mapping, kept alive here.
        auto keep = map;
        t = at::from_blob(
            const_cast<uint8_t*>(base) + v->offset * itemsize, v->size, [keep](void*) {},
            at::TensorOptions().dtype(at::kFloat));
      } else {
        t = view.clone(at::MemoryFormat::Contiguous);
      }
    }
    if (t.scalar_type() == at::kHalf || t.scalar_type() == at::kBFloat16 || t.scalar_type() == at::kDouble) {
      out.stored_dtype = t.scalar_type() == at::kHalf ? "F16" : t.scalar_type() == at::kBFloat16 ? "BF16" : "F64";
      t = t.to(at::kFloat);
    }
    detail::check_finite(t, where);
    out.tensors.emplace(k->s, t);
  }
  return out;
}

}  // namespace glimpse::blip
