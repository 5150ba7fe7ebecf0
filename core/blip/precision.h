#pragma once
// Numeric modes of the engine. Float32 is the default and matches Hugging Face transformers to
// the token; the others trade exactness for speed and are only used when the user picks them.
#include <optional>
#include <string>

namespace glimpse::blip {

enum class Precision {
  Float32,   // every layer in float32 (exact)
  BFloat16,  // linear layers and attention products in bfloat16 through oneDNN; norms, softmax
             // and the residual stream stay float32
  Int8,      // the vision encoder's linear layers as dynamic int8 (oneDNN); text in float32
};

const char* precision_name(Precision p);                            // "fp32", "bf16", "int8"
std::optional<Precision> parse_precision(const std::string& name);  // also accepts "float32", "bfloat16"

// Why this machine cannot run `p` fast (empty when it can): bf16 needs AVX-512 with BF16
// instructions, int8 needs libtorch's oneDNN quantized engine. For bf16 and int8 it loads the
// engine module (blip.h), and says so when that fails.
std::string precision_problem(Precision p);

}  // namespace glimpse::blip
