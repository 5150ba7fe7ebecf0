// pytorch_model.bin (core/blip/weights.h): the whole file, ZIP directory and pickle, as
// read_checkpoint_index (models list / verify) and load_pytorch_bin (loading) read it.
#include "read_pytorch_bin.h"
#include "support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  glimpse::fuzz::readPytorchBin(glimpse::fuzz::writeScratch("pytorch_model.bin", data, size));
  return 0;
}
