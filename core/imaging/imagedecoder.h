#pragma once
// Decodes image files into RGB8 buffers for the model and the UI: Qt's image plugins for the
// formats, limits against decompression bombs, EXIF orientation, and colour conversion that
// equals Pillow's Image.convert("RGB") (so pixels match what Hugging Face's processor sees).
//
// Only photo formats are decoded (JPEG, PNG, WebP, TIFF, BMP, GIF), chosen by the file's content,
// never by its name: other plugins (SVG, icons, TGA, ...) are never handed untrusted bytes.
#include <QByteArray>
#include <QSemaphore>
#include <QString>
#include <QStringList>
#include <atomic>
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
  // JPEG structure, counted by a quick walk over the markers before decoding: libjpeg's cost grows
  // with the square of the marker count and with scans x pixels for progressive files.
  int maxJpegSegments = 2000;  // a camera JPEG has ~20; 255 ICC + 500 XMP chunks still fit
  int maxJpegScans = 100;      // encoders write 1 (baseline) to ~20 (optimised progressive)
  // Shared by parallel decodes (the indexer's pool): a decode waits until its memory estimate
  // fits. Null: no sharing.
  class DecodeBudget* budget = nullptr;
};

// Decode memory shared between threads, in MiB: acquire() blocks until the estimate fits; an
// image larger than the whole budget waits for all of it, so it is decoded alone.
class DecodeBudget {
 public:
  explicit DecodeBudget(qint64 bytes);
  class Lease {
   public:
    Lease(DecodeBudget* b, int units) : m_budget(b), m_units(units) {}
    Lease(Lease&& o) noexcept : m_budget(o.m_budget), m_units(o.m_units) { o.m_units = 0; }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (m_units > 0) m_budget->release(m_units);
    }

   private:
    DecodeBudget* m_budget;
    int m_units;
  };
  Lease acquire(qint64 bytes);
  int totalMiB() const { return m_total; }
  int availableMiB() const { return m_units.available(); }
  // The most MiB leased at one time since construction: what the decodes sharing this budget
  // were allowed together at their peak (never above totalMiB()).
  int peakMiB() const { return m_peak.load(); }

 private:
  void release(int units);
  QSemaphore m_units;
  int m_total;
  std::atomic<int> m_inUse{0};
  std::atomic<int> m_peak{0};
};

// Estimated peak memory of decoding a width x height image (reader output, RGB8 copy, rotation).
qint64 decodeMemoryEstimate(qint64 width, qint64 height);

// "jpeg", "png", "webp", "tiff", "bmp" or "gif" when `data` starts like a photo format Glimpse
// decodes (by its signature, whatever the file name says), else empty.
QByteArray sniffPhotoFormat(const QByteArray& data);
// File name extensions of the photo formats this system can decode (for folder scans).
QStringList photoFileExtensions();

struct DecodedImage {
  blip::Rgb8Image rgb;
  QByteArray format;    // "png", "jpeg", ...
  int storedWidth = 0;  // before orientation
  int storedHeight = 0;
  bool oriented = false;  // an EXIF rotation or flip was applied
};

// Decodes a file. Throws ImageDecodeError with a message naming the file and the problem
// (missing, unreadable, not a regular file, empty, not a supported image, truncated, too large).
DecodedImage decodeImageFile(const QString& path, const DecodeOptions& options = {});
// Decodes bytes already in memory (`name` is used in messages).
DecodedImage decodeImageData(const QByteArray& data, const QString& name, const DecodeOptions& options = {});

// EXIF orientation 1..8 applied to an RGB8 image.
blip::Rgb8Image applyOrientation(const blip::Rgb8Image& image, int exifOrientation);

}  // namespace glimpse::imaging
