#pragma once
// Shared by the checkpoint readers (safetensors.cpp, pytorch_bin.cpp) and weights.cpp; internal
// to glimpse_blip, like weights.h.
#include "checkpoint_readers.h"
#include "errors.h"
#include "weights.h"

namespace glimpse::blip::detail {

// Throws BlipError naming the tensor when a floating-point tensor holds NaN or an infinity
// (transformers would load it and produce NaN logits; Glimpse refuses the file).
void check_finite(const at::Tensor& t, const std::string& where);

}  // namespace glimpse::blip::detail
