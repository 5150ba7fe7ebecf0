// Image decoding (Qt) and BlipImageProcessor against every image of each golden set: decoded RGB
// and resized uint8 exact, pixel values within 1e-6.
#include <gtest/gtest.h>

#include <QCoreApplication>

#include "golden.h"
#include "image_processing_blip.h"
#include "imaging/imagedecoder.h"

using glimpse::blip::BlipImageProcessor;
using glimpse::blip::Rgb8Image;
using glimpse::imaging::decodeImageFile;
using glimpse::test::golden_set;
using glimpse::test::golden_set_dirs;
using glimpse::test::max_abs_diff;
using glimpse::test::record_count;
using glimpse::test::record_diff;

namespace {

Rgb8Image from_hwc(const at::Tensor& t) {
  Rgb8Image img;
  img.height = static_cast<int>(t.size(0));
  img.width = static_cast<int>(t.size(1));
  at::Tensor c = t.contiguous();
  img.pixels.assign(c.data_ptr<uint8_t>(), c.data_ptr<uint8_t>() + c.numel());
  return img;
}

at::Tensor to_hwc(const Rgb8Image& img) {
  return at::from_blob(const_cast<uint8_t*>(img.pixels.data()), {img.height, img.width, 3},
                       at::TensorOptions().dtype(at::kByte))
      .clone();
}

at::Tensor to_chw(const std::vector<float>& v, int h, int w) {
  return at::from_blob(const_cast<float*>(v.data()), {3, h, w}, at::TensorOptions().dtype(at::kFloat)).clone();
}

glimpse::imaging::DecodeOptions as_huggingface() {
  glimpse::imaging::DecodeOptions o;
  o.applyExifOrientation = false;  // BlipImageProcessor uses pixels in stored order
  return o;
}

BlipImageProcessor processor_of(const std::filesystem::path& dir) {
  return BlipImageProcessor(glimpse::blip::load_image_processor_config(dir / "preprocessor_config.json"));
}

class PreprocessingGolden : public ::testing::TestWithParam<std::filesystem::path> {};

TEST_P(PreprocessingGolden, DecodedRgbEqualsPillow) {
  const auto& set = golden_set(GetParam());
  int checked = 0;
  for (const auto& img : set.expected.at("image_preprocessing").at("images")) {
    if (!img.contains("decoded_rgb_uint8_hwc") || img["decoded_rgb_uint8_hwc"].is_null()) continue;
    const auto decoded = decodeImageFile(QString::fromStdString((set.dir / img.at("file").get<std::string>()).string()),
                                         as_huggingface());
    const at::Tensor expected = set.tensor(img["decoded_rgb_uint8_hwc"]);
    const at::Tensor got = to_hwc(decoded.rgb);
    const double d = max_abs_diff(got, expected);
    record_diff(set.name, "decoded rgb uint8 (" + img.at("pil_mode").get<std::string>() + ")", d);
    EXPECT_EQ(d, 0.0) << img.at("name");
    ++checked;
  }
  EXPECT_GT(checked, 0);
}

TEST_P(PreprocessingGolden, ResizeEqualsPillowBicubic) {
  const auto& set = golden_set(GetParam());
  const auto proc = processor_of(set.dir);
  for (const auto& img : set.expected.at("image_preprocessing").at("images")) {
    // Resize input: the stored decoded RGB where there is one, else the (lossless PNG) file.
    Rgb8Image rgb =
        img.contains("decoded_rgb_uint8_hwc") && !img["decoded_rgb_uint8_hwc"].is_null()
            ? from_hwc(set.tensor(img["decoded_rgb_uint8_hwc"]))
            : decodeImageFile(QString::fromStdString((set.dir / img.at("file").get<std::string>()).string()),
                              as_huggingface())
                  .rgb;
    ASSERT_EQ(rgb.width, img.at("width").get<int>());
    ASSERT_EQ(rgb.height, img.at("height").get<int>());
    const auto resized = glimpse::blip::resize_bicubic_pil(rgb, proc.output_width(), proc.output_height());
    const double d = max_abs_diff(to_hwc(resized), set.tensor(img.at("resized_uint8_hwc")));
    record_diff(set.name, "resized uint8", d);
    record_count(set.name, "resized uint8 images", d == 0.0);
    EXPECT_EQ(d, 0.0) << img.at("name");
    const auto pv = proc.normalize(resized);
    const double dp =
        max_abs_diff(to_chw(pv, proc.output_height(), proc.output_width()), set.tensor(img.at("pixel_values")));
    record_diff(set.name, "pixel_values (from exact uint8)", dp);
    EXPECT_EQ(dp, 0.0) << img.at("name");
  }
}

TEST_P(PreprocessingGolden, FileToPixelValues) {
  // The whole pipeline a user runs: file -> decode -> resize -> normalise.
  const auto& set = golden_set(GetParam());
  const auto proc = processor_of(set.dir);
  for (const auto& img : set.expected.at("image_preprocessing").at("images")) {
    const auto decoded = decodeImageFile(QString::fromStdString((set.dir / img.at("file").get<std::string>()).string()),
                                         as_huggingface());
    const auto pv = proc.preprocess(decoded.rgb);
    const double d =
        max_abs_diff(to_chw(pv, proc.output_height(), proc.output_width()), set.tensor(img.at("pixel_values")));
    record_diff(set.name, "pixel_values (file to tensor)", d);
    EXPECT_EQ(d, 0.0) << img.at("name");
  }
}

TEST_P(PreprocessingGolden, At384) {
  const auto& set = golden_set(GetParam());
  const auto& c = set.expected.at("image_preprocessing").at("at_384");
  auto cfg = glimpse::blip::load_image_processor_config(set.dir / "preprocessor_config.json");
  cfg.height = c.at("processor_overrides").at("size").at("height");
  cfg.width = c.at("processor_overrides").at("size").at("width");
  const BlipImageProcessor proc(cfg);
  std::string file;
  for (const auto& img : set.expected.at("image_preprocessing").at("images"))
    if (img.at("name") == c.at("image")) file = img.at("file");
  ASSERT_FALSE(file.empty());
  const at::Tensor rgb_t = set.tensor(c.at("resized_uint8_hwc"));
  // Input: the stored decoded RGB of that image when present, else its file.
  Rgb8Image rgb;
  for (const auto& img : set.expected.at("image_preprocessing").at("images"))
    if (img.at("name") == c.at("image"))
      rgb = img.contains("decoded_rgb_uint8_hwc") && !img["decoded_rgb_uint8_hwc"].is_null()
                ? from_hwc(set.tensor(img["decoded_rgb_uint8_hwc"]))
                : decodeImageFile(QString::fromStdString((set.dir / file).string()), as_huggingface()).rgb;
  const auto resized = glimpse::blip::resize_bicubic_pil(rgb, cfg.width, cfg.height);
  EXPECT_EQ(max_abs_diff(to_hwc(resized), rgb_t), 0.0);
  const auto pv = proc.normalize(resized);
  const at::Tensor t = to_chw(pv, cfg.height, cfg.width);
  const auto sums = c.at("pixel_values_channel_sums_float64").get<std::vector<double>>();
  for (int ch = 0; ch < 3; ++ch) {
    const double s = t[ch].to(at::kDouble).sum().item<double>();
    EXPECT_NEAR(s, sums[ch], 1e-6 * std::abs(sums[ch])) << "channel " << ch;
  }
  for (const auto& s : c.at("pixel_values_samples"))
    EXPECT_EQ(t[s.at("c").get<int>()][s.at("y").get<int>()][s.at("x").get<int>()].item<float>(),
              s.at("value").get<float>());
}

INSTANTIATE_TEST_SUITE_P(Golden, PreprocessingGolden, ::testing::ValuesIn(golden_set_dirs()), glimpse::test::SetName());

}  // namespace

int main(int argc, char** argv) {
  QCoreApplication app(argc, argv);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
