// Names of the numeric modes (precision.h); whether this machine runs one fast is the engine's
// question (nn_layers.cpp).
#include "precision.h"

namespace glimpse::blip {

const char* precision_name(Precision p) {
  switch (p) {
    case Precision::Float32:
      return "fp32";
    case Precision::BFloat16:
      return "bf16";
    case Precision::Int8:
      return "int8";
  }
  return "fp32";
}

std::optional<Precision> parse_precision(const std::string& name) {
  if (name == "fp32" || name == "float32") return Precision::Float32;
  if (name == "bf16" || name == "bfloat16") return Precision::BFloat16;
  if (name == "int8") return Precision::Int8;
  return std::nullopt;
}

}  // namespace glimpse::blip
