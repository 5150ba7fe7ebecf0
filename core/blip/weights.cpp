// The checkpoint of a folder: dispatch to the two readers (safetensors.cpp, pytorch_bin.cpp), the
// finiteness check both apply, and the pytorch_model.bin -> model.safetensors conversion.
#include "weights.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <mutex>

#include "engine_api.h"
#include "weights_internal.h"

namespace glimpse::blip {

size_t release_mapped_pages(const at::Tensor& t) {
  if (!t.defined() || t.numel() == 0 || !t.is_contiguous() || !t.device().is_cpu()) return 0;
  const auto* begin = static_cast<const uint8_t*>(t.data_ptr());
  return detail::release_mapped_range(begin, begin + t.numel() * t.element_size());
}

namespace detail {

void check_finite(const at::Tensor& t, const std::string& where) {
  if (t.numel() == 0 || !at::isFloatingType(t.scalar_type())) return;
  bool finite = true;
  if (t.scalar_type() == at::kFloat && t.is_contiguous()) {
    // Exponent bits all ones = NaN or infinity; an integer test, in blocks of 64 that the compiler
    // vectorises at -O2 (its "very cheap" cost model there turns down a loop of unknown length,
    // which needs a scalar epilogue: a base checkpoint's warm load took 0.14-0.24 s with that
    // loop, 0.08-0.09 s now, 0.02 without the check).
    const auto* bits = reinterpret_cast<const uint32_t*>(t.data_ptr<float>());
    std::atomic<bool> bad{false};
    at::parallel_for(0, t.numel(), int64_t{1} << 18, [&](int64_t begin, int64_t end) {
      auto non_finite = [](uint32_t b) { return static_cast<uint32_t>((b & 0x7f800000u) == 0x7f800000u); };
      uint32_t any = 0;
      int64_t i = begin;
      for (; i + 64 <= end; i += 64) {
        uint32_t block = 0;
        for (int j = 0; j < 64; ++j) block |= non_finite(bits[i + j]);
        any |= block;
      }
      for (; i < end; ++i) any |= non_finite(bits[i]);
      if (any) bad = true;
    });
    finite = !bad;
    // The check paged in the whole tensor. Give the pages of a checkpoint mapping back, so the
    // process holds only what its model then reads: the word embeddings, for one, are read a row
    // per token (94 MB in a base model, of which a caption touches a few pages).
    if (finite) release_mapped_pages(t);
  } else {
    finite = at::isfinite(t).all().item<bool>();
  }
  if (!finite) {
    const int64_t count = t.numel() - at::isfinite(t).sum().item<int64_t>();
    throw BlipError(where + " holds " + std::to_string(count) + " NaN or infinite value" + (count == 1 ? "" : "s") +
                    "; the checkpoint is corrupt");
  }
}

}  // namespace detail

CheckpointIndex index_of(const TensorMap& weights) {
  CheckpointIndex index;
  for (const auto& [name, t] : weights.tensors) {
    const auto type = t.scalar_type();
    index.emplace(name, TensorInfo{type == at::kFloat  ? "F32"
                                   : type == at::kLong ? "I64"
                                                       : c10::toString(type),
                                   t.sizes().vec()});
  }
  return index;
}

TensorMap load_checkpoint(const std::filesystem::path& dir) {
  const auto file = find_checkpoint(dir);
  return file.extension() == ".safetensors" ? load_safetensors(file) : load_pytorch_bin(file);
}

std::filesystem::path detail::engine_convert_to_safetensors(const std::filesystem::path& dir) {
  const auto bin = dir / "pytorch_model.bin";
  const auto out = dir / "model.safetensors";
  std::error_code ec;
  if (!std::filesystem::exists(bin, ec)) throw BlipError("no pytorch_model.bin in " + dir.string());
  if (std::filesystem::exists(std::filesystem::symlink_status(out, ec)))
    throw BlipError(out.string() + " already exists");
  const TensorMap t = load_pytorch_bin(bin);
  std::map<std::string, at::Tensor> keep;
  for (const auto& [name, tensor] : t.tensors)
    if (!is_legacy_buffer(name)) keep.emplace(name, tensor);
  // safetensors stores each tensor once: an alias that is no parameter of its own goes when its
  // parameter is there (the loader ignores it then, as transformers does).
  for (const auto& tie : tied_tensors())
    if (!tie.alias_is_parameter && keep.count(tie.parameter)) keep.erase(tie.alias);
  save_safetensors(out, keep);
  return out;
}

}  // namespace glimpse::blip
