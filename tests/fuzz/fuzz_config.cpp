// config.json (core/blip/configuration_blip.h): parse_blip_config on any text.
#include <string>

#include "configuration_blip.h"
#include "errors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    glimpse::blip::parse_blip_config(std::string(reinterpret_cast<const char*>(data), size));
  } catch (const glimpse::blip::BlipError&) {
  }
  return 0;
}
