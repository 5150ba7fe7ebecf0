#pragma once
// Mirrors transformers' BlipImageProcessor: RGB8 -> pixel_values (3, H, W) float32. The resize is
// Pillow's antialiased bicubic on uint8 (ImagingResample, Pillow 9.4), written out by hand because
// BLIP's tokens depend on its exact integer rounding; no image library reproduces it.
#include <cstdint>
#include <vector>

#include "configuration_blip.h"

namespace glimpse::blip {

// Interleaved 8-bit RGB, rows top to bottom, no padding between rows.
struct Rgb8Image {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> pixels;  // width * height * 3
};

// Pillow's Image.resize((width, height), BICUBIC) of an RGB image: horizontal pass, then vertical.
Rgb8Image resize_bicubic_pil(const Rgb8Image& image, int width, int height);

class BlipImageProcessor {
 public:
  explicit BlipImageProcessor(BlipImageProcessorConfig config = {}) : config_(config) {}

  // pixel_values of one image, channel-first (3, height, width).
  std::vector<float> preprocess(const Rgb8Image& image) const;
  // The rescale + normalise steps alone on an image already at the output size.
  std::vector<float> normalize(const Rgb8Image& resized) const;

  int output_height() const { return config_.height; }
  int output_width() const { return config_.width; }
  const BlipImageProcessorConfig& config() const { return config_; }

 private:
  BlipImageProcessorConfig config_;
};

}  // namespace glimpse::blip
