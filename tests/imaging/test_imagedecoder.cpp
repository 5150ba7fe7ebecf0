// ImageDecoder on real and bad input: EXIF orientation, colour modes, limits, and files that are
// empty, truncated, not images, unreadable or too large. Includes a mutation fuzz.
#include <gtest/gtest.h>

#include <QBuffer>
#include <QCoreApplication>
#include <QFile>
#include <QImage>
#include <QImageWriter>
#include <QTemporaryDir>
#include <random>

#include "golden.h"
#include "imaging/imagedecoder.h"

using glimpse::imaging::decodeImageData;
using glimpse::imaging::decodeImageFile;
using glimpse::imaging::DecodeOptions;
using glimpse::imaging::ImageDecodeError;

namespace {

const QString kImages = QString::fromUtf8(GLIMPSE_TEST_DATA_DIR) + "/tiny/images/";

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const ImageDecodeError& e) {
    return e.what();
  }
  return "<no error>";
}

QByteArray read_file(const QString& path) {
  QFile f(path);
  f.open(QIODevice::ReadOnly);
  return f.readAll();
}

TEST(ImageDecoder, AppliesExifOrientationWhenAsked) {
  DecodeOptions raw;
  raw.applyExifOrientation = false;
  const auto stored = decodeImageFile(kImages + "exif6_40x24.jpg", raw);
  const auto upright = decodeImageFile(kImages + "exif6_40x24.jpg");
  EXPECT_EQ(stored.rgb.width, 40);
  EXPECT_EQ(stored.rgb.height, 24);
  EXPECT_FALSE(stored.oriented);
  // Orientation 6: rotate 90 degrees clockwise.
  ASSERT_EQ(upright.rgb.width, 24);
  ASSERT_EQ(upright.rgb.height, 40);
  EXPECT_TRUE(upright.oriented);
  for (int y = 0; y < upright.rgb.height; ++y)
    for (int x = 0; x < upright.rgb.width; ++x)
      for (int c = 0; c < 3; ++c)
        ASSERT_EQ(upright.rgb.pixels[(y * 24 + x) * 3 + c], stored.rgb.pixels[((23 - x) * 40 + y) * 3 + c]);
}

TEST(ImageDecoder, OrientationTransformsAreConsistent) {
  glimpse::blip::Rgb8Image img{3, 2, {}};
  for (int i = 0; i < 18; ++i) img.pixels.push_back(static_cast<uint8_t>(i));
  using glimpse::imaging::applyOrientation;
  // 6 then 8 is the identity; 3 twice is the identity; 2 twice, 4 twice, 5 twice, 7 twice too.
  EXPECT_EQ(applyOrientation(applyOrientation(img, 6), 8).pixels, img.pixels);
  for (int o : {2, 3, 4, 5, 7}) EXPECT_EQ(applyOrientation(applyOrientation(img, o), o).pixels, img.pixels) << o;
  EXPECT_EQ(applyOrientation(img, 6).width, 2);
}

TEST(ImageDecoder, SixteenBitAndMonochromeImages) {
  QTemporaryDir dir;
  QImage wide(4, 2, QImage::Format_RGBA64);
  wide.fill(QColor::fromRgba64(0x1234, 0xABCD, 0xFFFF, 0x0000));
  ASSERT_TRUE(wide.save(dir.filePath("wide.png")));
  const auto a = decodeImageFile(dir.filePath("wide.png"));
  // High byte of each 16-bit channel; alpha dropped without compositing.
  EXPECT_EQ(a.rgb.pixels[0], 0x12);
  EXPECT_EQ(a.rgb.pixels[1], 0xAB);
  EXPECT_EQ(a.rgb.pixels[2], 0xFF);
  QImage mono(8, 1, QImage::Format_Mono);
  mono.fill(0);
  mono.setPixel(3, 0, 1);
  mono.setColor(0, qRgb(0, 0, 0));
  mono.setColor(1, qRgb(255, 255, 255));
  ASSERT_TRUE(mono.save(dir.filePath("mono.png")));
  const auto m = decodeImageFile(dir.filePath("mono.png"));
  EXPECT_EQ(m.rgb.pixels[3 * 3], 255);
  EXPECT_EQ(m.rgb.pixels[2 * 3], 0);
}

TEST(ImageDecoder, BadFilesGetClearErrors) {
  QTemporaryDir dir;
  EXPECT_NE(error_of([&] { decodeImageFile(dir.filePath("missing.png")); }).find("file not found"), std::string::npos);
  QFile empty(dir.filePath("empty.jpg"));
  empty.open(QIODevice::WriteOnly);
  empty.close();
  EXPECT_NE(error_of([&] { decodeImageFile(dir.filePath("empty.jpg")); }).find("empty (0 bytes)"), std::string::npos);
  QFile text(dir.filePath("notes.png"));
  text.open(QIODevice::WriteOnly);
  text.write("this is not an image, just text pretending to be a png");
  text.close();
  EXPECT_NE(error_of([&] { decodeImageFile(dir.filePath("notes.png")); }).find("not an image"), std::string::npos);
  EXPECT_NE(error_of([&] { decodeImageFile(dir.path()); }).find("folder"), std::string::npos);
  if (::geteuid() != 0) {
    QFile locked(dir.filePath("locked.png"));
    locked.open(QIODevice::WriteOnly);
    locked.write(read_file(kImages + "grad_97x61.png"));
    locked.close();
    locked.setPermissions(QFileDevice::Permissions());
    EXPECT_NE(error_of([&] { decodeImageFile(dir.filePath("locked.png")); }).find("permission denied"), std::string::npos);
  }
}

TEST(ImageDecoder, TruncatedPngIsAnError) {
  const QByteArray png = read_file(kImages + "grad_97x61.png");
  ASSERT_FALSE(png.isEmpty());
  const std::string msg = error_of([&] { decodeImageData(png.left(png.size() / 2), "half.png"); });
  EXPECT_NE(msg.find("half.png"), std::string::npos) << msg;
  EXPECT_NE(msg.find("cannot decode"), std::string::npos) << msg;
}

TEST(ImageDecoder, TruncatedJpegIsAnError) {
  const QByteArray jpg = read_file(kImages + "photo_120x90.jpg");
  ASSERT_FALSE(jpg.isEmpty());
  const std::string msg = error_of([&] { decodeImageData(jpg.left(jpg.size() * 2 / 3), "cut.jpg"); });
  EXPECT_NE(msg.find("cut.jpg"), std::string::npos) << msg;
}

TEST(ImageDecoder, PixelLimitStopsDecompressionBombs) {
  // large_3000x2000.png is 6 megapixels; a 5-megapixel limit must refuse it before decoding.
  DecodeOptions o;
  o.maxPixels = 5'000'000;
  const std::string msg = error_of([&] { decodeImageFile(kImages + "large_3000x2000.png", o); });
  EXPECT_NE(msg.find("3000 x 2000"), std::string::npos) << msg;
  EXPECT_NE(msg.find("over the limit"), std::string::npos) << msg;
  // A PNG whose header claims 100000 x 100000 pixels (10 gigapixels) with almost no data.
  QImage tiny(1, 1, QImage::Format_RGB888);
  tiny.fill(Qt::red);
  QByteArray bytes;
  QBuffer buf(&bytes);
  buf.open(QIODevice::WriteOnly);
  tiny.save(&buf, "PNG");
  // IHDR width/height live at offsets 16 and 20 (big endian); the CRC no longer matches, which
  // the decoder must also survive.
  auto put32 = [&](int at, uint32_t v) {
    for (int i = 0; i < 4; ++i) bytes[at + i] = static_cast<char>((v >> (24 - 8 * i)) & 0xFF);
  };
  put32(16, 100000);
  put32(20, 100000);
  EXPECT_NE(error_of([&] { decodeImageData(bytes, "bomb.png"); }), "<no error>");
}

TEST(ImageDecoder, FuzzedImagesNeverCrash) {
  std::mt19937 rng(7);
  int decoded = 0, errors = 0;
  for (const char* name : {"photo_120x90.jpg", "grad_97x61.png", "palette_33x47.png", "cmyk_48x36.jpg", "exif6_40x24.jpg", "rgba_70x70.png"}) {
    const QByteArray original = read_file(kImages + name);
    for (int i = 0; i < 80; ++i) {
      QByteArray b = original;
      if (i % 3 == 0) b.truncate(static_cast<qsizetype>(rng() % b.size()));
      for (int k = 0; k < 1 + static_cast<int>(rng() % 6); ++k)
        if (!b.isEmpty()) b[static_cast<qsizetype>(rng() % b.size())] = static_cast<char>(rng());
      try {
        decodeImageData(b, name);
        ++decoded;
      } catch (const ImageDecodeError&) {
        ++errors;
      }
    }
  }
  EXPECT_GT(errors, 0);
  EXPECT_GT(decoded + errors, 0);
}

}  // namespace

int main(int argc, char** argv) {
  QCoreApplication app(argc, argv);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
