#include "image_processing_blip.h"

#include <algorithm>
#include <cmath>

#include "errors.h"

namespace glimpse::blip {
namespace {

constexpr int kPrecisionBits = 32 - 8 - 2;  // Pillow's PRECISION_BITS for 8-bit images

double bicubic_filter(double x) {
  constexpr double a = -0.5;
  if (x < 0.0) x = -x;
  if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
  if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
  return 0.0;
}

struct Coefficients {
  int ksize = 0;
  std::vector<int> bounds;      // [out][2]: first input index, count
  std::vector<int32_t> kernel;  // [out][ksize] fixed point
};

// Pillow's precompute_coeffs + normalize_coeffs_8bpc for one axis.
Coefficients precompute(int in_size, int out_size) {
  const double support_radius = 2.0;  // bicubic
  const double scale = static_cast<double>(in_size) / out_size;
  const double filterscale = std::max(scale, 1.0);
  const double support = support_radius * filterscale;
  Coefficients c;
  c.ksize = static_cast<int>(std::ceil(support)) * 2 + 1;
  c.bounds.resize(static_cast<size_t>(out_size) * 2);
  c.kernel.assign(static_cast<size_t>(out_size) * c.ksize, 0);
  std::vector<double> k(c.ksize);
  for (int xx = 0; xx < out_size; ++xx) {
    const double center = (xx + 0.5) * scale;
    const double ss = 1.0 / filterscale;
    int xmin = static_cast<int>(center - support + 0.5);
    if (xmin < 0) xmin = 0;
    int xmax = static_cast<int>(center + support + 0.5);
    if (xmax > in_size) xmax = in_size;
    xmax -= xmin;
    double ww = 0.0;
    for (int x = 0; x < xmax; ++x) {
      double w = bicubic_filter((x + xmin - center + 0.5) * ss);
      k[x] = w;
      ww += w;
    }
    for (int x = 0; x < xmax; ++x) {
      if (ww != 0.0) k[x] /= ww;
      const double v = k[x] * (1 << kPrecisionBits);
      c.kernel[static_cast<size_t>(xx) * c.ksize + x] = static_cast<int32_t>(v < 0 ? v - 0.5 : v + 0.5);
    }
    c.bounds[xx * 2] = xmin;
    c.bounds[xx * 2 + 1] = xmax;
  }
  return c;
}

inline uint8_t clip8(int32_t acc) {
  if (acc <= 0) return 0;
  if (acc >= (1 << (kPrecisionBits + 8))) return 255;
  return static_cast<uint8_t>(acc >> kPrecisionBits);
}

Rgb8Image resample_horizontal(const Rgb8Image& in, int out_w) {
  const Coefficients c = precompute(in.width, out_w);
  Rgb8Image out{out_w, in.height, std::vector<uint8_t>(static_cast<size_t>(out_w) * in.height * 3)};
  for (int y = 0; y < in.height; ++y) {
    const uint8_t* row = in.pixels.data() + static_cast<size_t>(y) * in.width * 3;
    uint8_t* orow = out.pixels.data() + static_cast<size_t>(y) * out_w * 3;
    for (int xx = 0; xx < out_w; ++xx) {
      const int xmin = c.bounds[xx * 2], xmax = c.bounds[xx * 2 + 1];
      const int32_t* k = c.kernel.data() + static_cast<size_t>(xx) * c.ksize;
      int32_t s0 = 1 << (kPrecisionBits - 1), s1 = s0, s2 = s0;
      for (int x = 0; x < xmax; ++x) {
        const uint8_t* p = row + (x + xmin) * 3;
        s0 += p[0] * k[x];
        s1 += p[1] * k[x];
        s2 += p[2] * k[x];
      }
      orow[xx * 3 + 0] = clip8(s0);
      orow[xx * 3 + 1] = clip8(s1);
      orow[xx * 3 + 2] = clip8(s2);
    }
  }
  return out;
}

Rgb8Image resample_vertical(const Rgb8Image& in, int out_h) {
  const Coefficients c = precompute(in.height, out_h);
  const size_t stride = static_cast<size_t>(in.width) * 3;
  Rgb8Image out{in.width, out_h, std::vector<uint8_t>(stride * out_h)};
  std::vector<int32_t> acc(stride);
  for (int yy = 0; yy < out_h; ++yy) {
    const int ymin = c.bounds[yy * 2], ymax = c.bounds[yy * 2 + 1];
    const int32_t* k = c.kernel.data() + static_cast<size_t>(yy) * c.ksize;
    std::fill(acc.begin(), acc.end(), 1 << (kPrecisionBits - 1));
    for (int y = 0; y < ymax; ++y) {
      const uint8_t* row = in.pixels.data() + static_cast<size_t>(y + ymin) * stride;
      const int32_t w = k[y];
      for (size_t i = 0; i < stride; ++i) acc[i] += row[i] * w;
    }
    uint8_t* orow = out.pixels.data() + static_cast<size_t>(yy) * stride;
    for (size_t i = 0; i < stride; ++i) orow[i] = clip8(acc[i]);
  }
  return out;
}

}  // namespace

Rgb8Image resize_bicubic_pil(const Rgb8Image& image, int width, int height) {
  if (image.width <= 0 || image.height <= 0 ||
      image.pixels.size() != static_cast<size_t>(image.width) * image.height * 3)
    throw BlipError("invalid RGB image buffer");
  if (width <= 0 || height <= 0) throw BlipError("invalid resize target");
  if (image.width == width && image.height == height) return image;
  // Pillow first runs the horizontal pass (if the width changes), then the vertical pass.
  if (image.width != width && image.height != height)
    return resample_vertical(resample_horizontal(image, width), height);
  if (image.width != width) return resample_horizontal(image, width);
  return resample_vertical(image, height);
}

std::vector<float> BlipImageProcessor::normalize(const Rgb8Image& img) const {
  const size_t plane = static_cast<size_t>(img.width) * img.height;
  if (img.pixels.size() != plane * 3) throw BlipError("invalid RGB image buffer");
  std::vector<float> out(plane * 3);
  for (int c = 0; c < 3; ++c) {
    const float mean = static_cast<float>(config_.image_mean[c]);
    const float std = static_cast<float>(config_.image_std[c]);
    // Lookup table: the value of each of the 256 inputs, computed exactly as numpy does it.
    float lut[256];
    for (int v = 0; v < 256; ++v) {
      float x = config_.do_rescale ? static_cast<float>(static_cast<double>(v) * config_.rescale_factor)
                                   : static_cast<float>(v);
      lut[v] = config_.do_normalize ? (x - mean) / std : x;
    }
    float* dst = out.data() + c * plane;
    for (size_t i = 0; i < plane; ++i) dst[i] = lut[img.pixels[i * 3 + c]];
  }
  return out;
}

std::vector<float> BlipImageProcessor::preprocess(const Rgb8Image& image) const {
  if (!config_.do_resize) {
    if (image.width != config_.width || image.height != config_.height)
      throw BlipError("image is " + std::to_string(image.width) + "x" + std::to_string(image.height) +
                      " but the processor does not resize and the model needs " + std::to_string(config_.width) + "x" +
                      std::to_string(config_.height));
    return normalize(image);
  }
  return normalize(resize_bicubic_pil(image, config_.width, config_.height));
}

}  // namespace glimpse::blip
