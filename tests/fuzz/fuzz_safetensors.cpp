// model.safetensors (core/blip/weights.h): header (length, JSON, offsets, dtypes) and data, as
// read_checkpoint_index (models list / verify) and load_safetensors (loading) read it.
#include "errors.h"
#include "support.h"
#include "weights.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = glimpse::fuzz::writeScratch("model.safetensors", data, size);
  try {
    glimpse::blip::read_checkpoint_index(path);
    const auto map = glimpse::blip::load_safetensors(path);
    // Touch every element: an F32 tensor aliases the mapping, so a wrong offset reads outside it.
    for (const auto& [name, tensor] : map.tensors)
      if (tensor.defined() && tensor.numel() > 0) (void)tensor.sum().item<double>();
  } catch (const glimpse::blip::BlipError&) {
  }
  return 0;
}
