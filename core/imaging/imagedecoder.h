#pragma once
// Decodes image files into RGB8 buffers for the model and the UI: Qt's image plugins for the
// formats, limits against decompression bombs, EXIF orientation, and colour conversion that
// equals Pillow's Image.convert("RGB") (so pixels match what Hugging Face's processor sees).
#include <QByteArray>
#include <QString>
#include <stdexcept>

#include "image_processing_blip.h"

namespace glimpse::imaging {

class ImageDecodeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct DecodeOptions {
  // Rotate/flip as the EXIF Orientation tag says (what people see in photo apps). Hugging Face's
  // processor ignores the tag; parity checks turn this off.
  bool applyExifOrientation = true;
  // Pillow refuses images over 2 x 89,478,485 pixels as decompression bombs; so does Glimpse.
  qint64 maxPixels = 178956970;
  // Largest allocation Qt's readers may make, in MiB.
  int allocationLimitMiB = 1024;
};

struct DecodedImage {
  blip::Rgb8Image rgb;
  QByteArray format;      // "png", "jpeg", ...
  int storedWidth = 0;    // before orientation
  int storedHeight = 0;
  bool oriented = false;  // an EXIF rotation or flip was applied
};

// Decodes a file. Throws ImageDecodeError with a message naming the file and the problem
// (missing, unreadable, empty, not an image, truncated, too large).
DecodedImage decodeImageFile(const QString& path, const DecodeOptions& options = {});
// Decodes bytes already in memory (`name` is used in messages).
DecodedImage decodeImageData(const QByteArray& data, const QString& name, const DecodeOptions& options = {});

// EXIF orientation 1..8 applied to an RGB8 image.
blip::Rgb8Image applyOrientation(const blip::Rgb8Image& image, int exifOrientation);

}  // namespace glimpse::imaging
