// Image decoding (core/imaging/imagedecoder.h): bytes of one format -> RGB8, then the BLIP resize.
// Built once per format (GLIMPSE_FUZZ_IMAGE_EXT names the file "fuzz.<ext>"); in a
// QCoreApplication like glimpse-cli and the indexer, so a decoder that needs a GUI shows up.
#include <QByteArray>
#include <QString>

#include "imaging/imagedecoder.h"
#include "support.h"

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  glimpse::fuzz::initQt(argc, argv);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const QByteArray bytes(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size));
  glimpse::imaging::DecodeOptions options;
  // Smaller than the shipped limits so that each input stays fast; the limit checks still run.
  options.maxPixels = 1 << 24;
  options.allocationLimitMiB = 256;
  try {
    const auto image =
        glimpse::imaging::decodeImageData(bytes, QStringLiteral("fuzz." GLIMPSE_FUZZ_IMAGE_EXT), options);
    if (image.rgb.width <= 0 || image.rgb.height <= 0 ||
        image.rgb.pixels.size() != static_cast<size_t>(image.rgb.width) * image.rgb.height * 3)
      __builtin_trap();  // a decoded image must be well formed
    glimpse::blip::resize_bicubic_pil(image.rgb, 24, 24);
  } catch (const glimpse::imaging::ImageDecodeError&) {
  }
  return 0;
}
