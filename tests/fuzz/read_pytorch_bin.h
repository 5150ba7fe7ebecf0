#pragma once
// What glimpse does with a pytorch_model.bin (models list / verify, then loading); shared by the
// pytorch_bin and pickle targets.
#include <string>

#include "errors.h"
#include "weights.h"

namespace glimpse::fuzz {

inline void readPytorchBin(const std::string& path) {
  try {
    blip::read_checkpoint_index(path);
    const auto map = blip::load_pytorch_bin(path);
    for (const auto& [name, tensor] : map.tensors)
      if (!tensor.defined()) __builtin_trap();
  } catch (const blip::BlipError&) {
  }
}

}  // namespace glimpse::fuzz
