// pytorch_model.bin (core/blip/weights.h): the whole file, ZIP directory and pickle, as
// checkpoint_tensor_names (models list / verify) and load_pytorch_bin (loading) read it.
#include "checkpoint.h"
#include "support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  glimpse::fuzz::readPytorchBin(glimpse::fuzz::writeScratch("pytorch_model.bin", data, size));
  return 0;
}
