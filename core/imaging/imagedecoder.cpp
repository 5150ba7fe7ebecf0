#include "imagedecoder.h"

#include <jpeglib.h>
#include <QBuffer>
#include <QImage>
#include <QImageIOHandler>
#include <QImageReader>
#include <algorithm>
#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <optional>

#include "io/files.h"

namespace glimpse::imaging {
namespace {

QString tr(const char* s) {
  return QString::fromUtf8(s);
}

[[noreturn]] void fail(const QString& name, const QString& what) {
  throw ImageDecodeError((name + QStringLiteral(": ") + what).toStdString());
}

int orientationFromTransform(QImageIOHandler::Transformations t) {
  using T = QImageIOHandler;
  switch (static_cast<int>(t)) {
    case T::TransformationNone:
      return 1;
    case T::TransformationMirror:
      return 2;
    case T::TransformationRotate180:
      return 3;
    case T::TransformationFlip:
      return 4;
    case T::TransformationFlipAndRotate90:
      return 5;
    case T::TransformationRotate90:
      return 6;
    case T::TransformationMirrorAndRotate90:
      return 7;
    case T::TransformationRotate270:
      return 8;
    default:
      return 1;
  }
}

// libjpeg error handling through longjmp, so a corrupt CMYK file becomes an exception.
struct JpegError {
  jpeg_error_mgr mgr;
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

void jpegErrorExit(j_common_ptr cinfo) {
  auto* err = reinterpret_cast<JpegError*>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, err->message);
  std::longjmp(err->jump, 1);
}

void jpegSilent(j_common_ptr, int) {}

// CMYK/YCCK JPEGs: Qt 6.4 converts them with its own rounding, so they are decoded here to raw
// CMYK and converted as Pillow does (Adobe inversion undone, then R = (255-K) - muldiv255(C, 255-K)).
// Returns false when the data is not a 4-channel JPEG.
bool decodeCmykJpeg(const QByteArray& data, const QString& name, const DecodeOptions& options, blip::Rgb8Image& out) {
  jpeg_decompress_struct cinfo;
  JpegError err;
  cinfo.err = jpeg_std_error(&err.mgr);
  err.mgr.error_exit = jpegErrorExit;
  err.mgr.emit_message = jpegSilent;
  std::vector<uint8_t> row;
  if (setjmp(err.jump)) {
    jpeg_destroy_decompress(&cinfo);
    fail(name, tr("corrupt JPEG: ") + QString::fromUtf8(err.message));
  }
  jpeg_create_decompress(&cinfo);
  jpeg_mem_src(&cinfo, reinterpret_cast<const unsigned char*>(data.constData()),
               static_cast<unsigned long>(data.size()));
  jpeg_read_header(&cinfo, TRUE);
  if (cinfo.jpeg_color_space != JCS_CMYK && cinfo.jpeg_color_space != JCS_YCCK) {
    jpeg_destroy_decompress(&cinfo);
    return false;
  }
  const qint64 pixels = static_cast<qint64>(cinfo.image_width) * cinfo.image_height;
  if (pixels > options.maxPixels) {
    jpeg_destroy_decompress(&cinfo);
    fail(name, tr("image is %1 x %2 pixels, over the limit of %3 pixels")
                   .arg(cinfo.image_width)
                   .arg(cinfo.image_height)
                   .arg(options.maxPixels));
  }
  cinfo.out_color_space = JCS_CMYK;
  jpeg_start_decompress(&cinfo);
  const bool inverted = cinfo.saw_Adobe_marker;
  out.width = static_cast<int>(cinfo.output_width);
  out.height = static_cast<int>(cinfo.output_height);
  out.pixels.assign(static_cast<size_t>(out.width) * out.height * 3, 0);
  row.resize(static_cast<size_t>(out.width) * 4);
  auto muldiv255 = [](int a, int b) {
    int t = a * b + 128;
    return (t + (t >> 8)) >> 8;
  };
  while (cinfo.output_scanline < cinfo.output_height) {
    const int y = static_cast<int>(cinfo.output_scanline);
    JSAMPROW rp = row.data();
    jpeg_read_scanlines(&cinfo, &rp, 1);
    uint8_t* dst = out.pixels.data() + static_cast<size_t>(y) * out.width * 3;
    for (int x = 0; x < out.width; ++x) {
      int c = row[x * 4], m = row[x * 4 + 1], ye = row[x * 4 + 2], k = row[x * 4 + 3];
      if (inverted) {
        c = 255 - c;
        m = 255 - m;
        ye = 255 - ye;
        k = 255 - k;
      }
      const int nk = 255 - k;
      dst[x * 3 + 0] = static_cast<uint8_t>(nk - muldiv255(c, nk));
      dst[x * 3 + 1] = static_cast<uint8_t>(nk - muldiv255(m, nk));
      dst[x * 3 + 2] = static_cast<uint8_t>(nk - muldiv255(ye, nk));
    }
  }
  jpeg_finish_decompress(&cinfo);
  jpeg_destroy_decompress(&cinfo);
  return true;
}

// Qt (like libjpeg) decodes a JPEG cut short as a partly grey picture without an error. A JPEG is
// complete when its entropy-coded data is followed by the EOI marker; markers inside scan data
// are byte-stuffed, so walking the segments from SOI finds that out without decoding. The same
// walk counts marker segments and scans (SOS), which bound libjpeg's work.
struct JpegLayout {
  bool truncated = false;
  int segments = 0;
  int scans = 0;
};

JpegLayout scanJpeg(const QByteArray& data) {
  JpegLayout out;
  const auto* d = reinterpret_cast<const uint8_t*>(data.constData());
  const qsizetype n = data.size();
  if (n < 4 || d[0] != 0xFF || d[1] != 0xD8) return out;  // not a JPEG stream; the reader decides
  qsizetype p = 2;
  bool in_scan = false;
  while (p + 1 < n) {
    if (d[p] != 0xFF) {
      if (!in_scan) return out;  // garbage between segments: leave it to the decoder
      ++p;
      continue;
    }
    const uint8_t m = d[p + 1];
    if (m == 0xD9) return out;                                 // EOI
    if (m == 0x00 || m == 0xFF || (m >= 0xD0 && m <= 0xD7)) {  // stuffing, fill, restart markers
      p += (m == 0xFF) ? 1 : 2;
      continue;
    }
    if (p + 3 >= n) break;
    const qsizetype len = (static_cast<qsizetype>(d[p + 2]) << 8) | d[p + 3];
    if (len < 2 || p + 2 + len > n) break;
    p += 2 + len;
    ++out.segments;
    in_scan = (m == 0xDA);  // entropy-coded data follows SOS
    if (in_scan) ++out.scans;
  }
  out.truncated = true;
  return out;
}

// GIF and BMP readers draw whatever data there is and leave the rest of the picture blank. A GIF is
// cut short when a block's data sub-blocks run past the end; a BMP when its pixel array is
// shorter than the header's size says. (TIFF and WebP decoders detect it themselves, JPEG through
// scanJpeg, PNG through pngIsTruncated.)
bool gifIsTruncated(const QByteArray& data) {
  const auto* d = reinterpret_cast<const uint8_t*>(data.constData());
  const qsizetype n = data.size();
  if (n < 13) return true;
  qsizetype p = 13;
  if (d[10] & 0x80) p += qsizetype{3} << ((d[10] & 7) + 1);  // global colour table
  auto skipSubBlocks = [&] {
    while (p < n) {
      const int len = d[p++];
      if (len == 0) return true;
      p += len;
    }
    return false;
  };
  while (p < n) {
    if (d[p] == 0x3B) return false;  // trailer
    if (d[p] == 0x21) {              // extension: label, then sub-blocks
      p += 2;
      if (!skipSubBlocks()) return true;
    } else if (d[p] == 0x2C) {  // image: descriptor, local colour table, LZW code size, data
      if (p + 10 > n) return true;
      const uint8_t flags = d[p + 9];
      p += 10;
      if (flags & 0x80) p += qsizetype{3} << ((flags & 7) + 1);
      ++p;
      if (!skipSubBlocks()) return true;
    } else {
      return false;  // something else: the reader decides
    }
  }
  return p > n;  // ends after a complete block without a trailer: the pixels are all there
}

bool bmpIsTruncated(const QByteArray& data) {
  const auto* d = reinterpret_cast<const uint8_t*>(data.constData());
  const qsizetype n = data.size();
  auto le16 = [&](qsizetype at) { return static_cast<uint32_t>(d[at] | (d[at + 1] << 8)); };
  auto le32 = [&](qsizetype at) { return le16(at) | (le16(at + 2) << 16); };
  if (n < 26) return true;
  const qint64 offset = le32(10);
  const uint32_t header = le32(14);
  qint64 width = 0, height = 0;
  uint32_t bpp = 0, compression = 0, imageSize = 0;
  if (header == 12) {  // OS/2 BITMAPCOREHEADER
    width = le16(18);
    height = le16(20);
    bpp = le16(24);
  } else {
    if (n < 38) return true;
    width = static_cast<int32_t>(le32(18));
    height = static_cast<int32_t>(le32(22));
    bpp = le16(28);
    compression = le32(30);
    imageSize = le32(34);
  }
  width = std::abs(width);
  height = std::abs(height);
  if (bpp == 0 || bpp > 64 || width > (1 << 24) || height > (1 << 24)) return false;  // the reader decides
  if (compression == 0 || compression == 3 || compression == 6) {  // BI_RGB, BI_BITFIELDS, BI_ALPHABITFIELDS
    const qint64 row = (width * bpp + 31) / 32 * 4;
    return n < offset + row * height;
  }
  return imageSize > 0 && n < offset + imageSize;  // RLE: only the header's size tells
}

// libpng stops once the pixels are read: a PNG cut inside its final IEND chunk decodes silently.
// IEND has no data, so the complete chunk is always the same 8 bytes (type and CRC).
bool pngIsTruncated(const QByteArray& data) {
  return !data.contains(QByteArrayView("IEND\xAE\x42\x60\x82", 8));
}

struct FormatInfo {
  const char* format;  // QImageReader's name
  const char* label;
  QByteArrayView signature;
  int offset;  // of the signature
};

// Photo formats by signature. WebP is "RIFF" <size> "WEBP"; only the "WEBP" part is checked here,
// the "RIFF" part below.
const FormatInfo kPhotoFormats[] = {
    {"jpeg", "JPEG", "\xFF\xD8\xFF", 0},
    {"png", "PNG", "\x89PNG\r\n\x1A\n", 0},
    {"gif", "GIF", "GIF87a", 0},
    {"gif", "GIF", "GIF89a", 0},
    {"bmp", "BMP", "BM", 0},
    {"tiff", "TIFF", QByteArrayView("II*\0", 4), 0},
    {"tiff", "TIFF", QByteArrayView("MM\0*", 4), 0},
    {"webp", "WebP", "WEBP", 8},
};

// Formats with a reader on this system (plugins are found once per process).
const QList<QByteArray>& installedFormats() {
  static const QList<QByteArray> formats = QImageReader::supportedImageFormats();
  return formats;
}

QString labelOf(const QByteArray& format) {
  for (const auto& f : kPhotoFormats)
    if (format == f.format) return QString::fromLatin1(f.label);
  return QString::fromLatin1(format);
}

// QImage -> RGB8 the way Pillow's convert("RGB") treats each mode: grey replicated, palette looked
// up, alpha dropped without compositing (transparent pixels keep their stored colour), 16-bit
// channels reduced to their high byte.
blip::Rgb8Image toRgb8(const QImage& src) {
  blip::Rgb8Image out;
  out.width = src.width();
  out.height = src.height();
  out.pixels.resize(static_cast<size_t>(out.width) * out.height * 3);
  uint8_t* dst = out.pixels.data();
  auto put = [&](int x, int y, int r, int g, int b) {
    uint8_t* p = dst + (static_cast<size_t>(y) * out.width + x) * 3;
    p[0] = static_cast<uint8_t>(r);
    p[1] = static_cast<uint8_t>(g);
    p[2] = static_cast<uint8_t>(b);
  };
  switch (src.format()) {
    case QImage::Format_Grayscale8:
      for (int y = 0; y < out.height; ++y) {
        const uchar* s = src.constScanLine(y);
        for (int x = 0; x < out.width; ++x) put(x, y, s[x], s[x], s[x]);
      }
      return out;
    case QImage::Format_Grayscale16:
      for (int y = 0; y < out.height; ++y) {
        const auto* s = reinterpret_cast<const quint16*>(src.constScanLine(y));
        for (int x = 0; x < out.width; ++x) put(x, y, s[x] >> 8, s[x] >> 8, s[x] >> 8);
      }
      return out;
    case QImage::Format_RGB888:
      for (int y = 0; y < out.height; ++y)
        std::memcpy(dst + static_cast<size_t>(y) * out.width * 3, src.constScanLine(y),
                    static_cast<size_t>(out.width) * 3);
      return out;
    case QImage::Format_Mono:
    case QImage::Format_MonoLSB:
    case QImage::Format_Indexed8: {
      const QImage idx = src.format() == QImage::Format_Indexed8 ? src : src.convertToFormat(QImage::Format_Indexed8);
      const QList<QRgb> table = idx.colorTable();
      for (int y = 0; y < out.height; ++y) {
        const uchar* s = idx.constScanLine(y);
        for (int x = 0; x < out.width; ++x) {
          const QRgb c = s[x] < table.size() ? table[s[x]] : 0;
          put(x, y, qRed(c), qGreen(c), qBlue(c));
        }
      }
      return out;
    }
    case QImage::Format_RGBX64:
    case QImage::Format_RGBA64:
    case QImage::Format_RGBA64_Premultiplied: {
      const QImage wide =
          src.format() == QImage::Format_RGBA64_Premultiplied ? src.convertToFormat(QImage::Format_RGBA64) : src;
      for (int y = 0; y < out.height; ++y) {
        const auto* s = reinterpret_cast<const QRgba64*>(wide.constScanLine(y));
        for (int x = 0; x < out.width; ++x) put(x, y, s[x].red() >> 8, s[x].green() >> 8, s[x].blue() >> 8);
      }
      return out;
    }
    default: {
      const QImage argb = (src.format() == QImage::Format_ARGB32 || src.format() == QImage::Format_RGB32)
                              ? src
                              : src.convertToFormat(QImage::Format_ARGB32);
      for (int y = 0; y < out.height; ++y) {
        const auto* s = reinterpret_cast<const QRgb*>(argb.constScanLine(y));
        for (int x = 0; x < out.width; ++x) put(x, y, qRed(s[x]), qGreen(s[x]), qBlue(s[x]));
      }
      return out;
    }
  }
}

}  // namespace

blip::Rgb8Image applyOrientation(const blip::Rgb8Image& in, int o) {
  if (o <= 1 || o > 8) return in;
  const bool swap = o >= 5;
  blip::Rgb8Image out;
  out.width = swap ? in.height : in.width;
  out.height = swap ? in.width : in.height;
  out.pixels.resize(in.pixels.size());
  for (int y = 0; y < out.height; ++y) {
    for (int x = 0; x < out.width; ++x) {
      int sx = 0, sy = 0;
      switch (o) {
        case 2:
          sx = in.width - 1 - x;
          sy = y;
          break;  // mirror
        case 3:
          sx = in.width - 1 - x;
          sy = in.height - 1 - y;
          break;  // rotate 180
        case 4:
          sx = x;
          sy = in.height - 1 - y;
          break;  // flip
        case 5:
          sx = y;
          sy = x;
          break;  // transpose
        case 6:
          sx = y;
          sy = in.height - 1 - x;
          break;  // rotate 90 cw
        case 7:
          sx = in.width - 1 - y;
          sy = in.height - 1 - x;
          break;  // transverse
        case 8:
          sx = in.width - 1 - y;
          sy = x;
          break;  // rotate 270 cw
        default:
          break;
      }
      const uint8_t* s = in.pixels.data() + (static_cast<size_t>(sy) * in.width + sx) * 3;
      uint8_t* d = out.pixels.data() + (static_cast<size_t>(y) * out.width + x) * 3;
      d[0] = s[0];
      d[1] = s[1];
      d[2] = s[2];
    }
  }
  return out;
}

DecodeBudget::DecodeBudget(qint64 bytes) : m_total(static_cast<int>(std::clamp<qint64>(bytes >> 20, 1, 1 << 30))) {
  m_units.release(m_total);
}

DecodeBudget::Lease DecodeBudget::acquire(qint64 bytes) {
  const int units = static_cast<int>(std::clamp<qint64>((bytes + (1 << 20) - 1) >> 20, 1, m_total));
  m_units.acquire(units);
  const int now = m_inUse += units;
  for (int peak = m_peak.load(); now > peak && !m_peak.compare_exchange_weak(peak, now);) {
  }
  return Lease(this, units);
}

void DecodeBudget::release(int units) {
  m_inUse -= units;
  m_units.release(units);
}

qint64 decodeMemoryEstimate(qint64 width, qint64 height) {
  // Reader output (up to 8 bytes a pixel for 16-bit RGBA, 4 for the usual ARGB32) plus the RGB8
  // image and its rotated copy.
  return width * height * (8 + 3 + 3);
}

QByteArray sniffPhotoFormat(const QByteArray& data) {
  for (const auto& f : kPhotoFormats) {
    if (data.size() < f.offset + f.signature.size()) continue;
    if (QByteArrayView(data).sliced(f.offset, f.signature.size()) != f.signature) continue;
    if (f.offset == 8 && !data.startsWith("RIFF")) continue;
    return QByteArray(f.format);
  }
  return {};
}

QStringList photoFileExtensions() {
  const QList<QByteArray>& installed = installedFormats();
  QStringList out;
  const std::pair<const char*, const char*> kExtensions[] = {{"jpeg", "jpg"}, {"jpeg", "jpeg"}, {"jpeg", "jpe"},
                                                             {"png", "png"},  {"gif", "gif"},   {"bmp", "bmp"},
                                                             {"tiff", "tif"}, {"tiff", "tiff"}, {"webp", "webp"}};
  for (const auto& [format, ext] : kExtensions)
    if (installed.contains(format)) out << QString::fromLatin1(ext);
  return out;
}

DecodedImage decodeImageData(const QByteArray& data, const QString& name, const DecodeOptions& options) {
  if (data.isEmpty()) fail(name, tr("the file is empty (0 bytes)"));
  // The format comes from the bytes alone, and only a photo format's reader ever sees them: Qt's
  // other plugins (SVG needs a GUI application for its fonts and aborts the process without one;
  // icons, TGA and others are no photos) are never asked.
  const QByteArray format = sniffPhotoFormat(data);
  if (format.isEmpty())
    fail(name, tr("not an image in a supported format (Glimpse reads JPEG, PNG, WebP, TIFF, BMP and GIF photos, "
                  "recognised by their content, not their name)"));
  if (!installedFormats().contains(format))
    fail(name, tr("%1 images cannot be decoded on this system (the Qt image plugin for them is not installed)")
                   .arg(labelOf(format)));
  if (format == "jpeg") {
    const JpegLayout layout = scanJpeg(data);
    if (layout.truncated) fail(name, tr("the JPEG data ends early (truncated or incompletely copied file)"));
    if (layout.scans > options.maxJpegScans)
      fail(name, tr("the JPEG has %1 scans, over the limit of %2 (a malformed or hostile file)")
                     .arg(layout.scans)
                     .arg(options.maxJpegScans));
    if (layout.segments > options.maxJpegSegments)
      fail(name, tr("the JPEG has %1 marker segments, over the limit of %2 (a malformed or hostile file)")
                     .arg(layout.segments)
                     .arg(options.maxJpegSegments));
  }
  QBuffer buffer;
  buffer.setData(data);
  buffer.open(QIODevice::ReadOnly);
  QImageReader reader(&buffer, format);
  reader.setAutoDetectImageFormat(false);
  reader.setAutoTransform(false);
  reader.setAllocationLimit(options.allocationLimitMiB);
  if (!reader.canRead()) fail(name, tr("not a valid %1 image (corrupt header)").arg(labelOf(format)));
  DecodedImage result;
  result.format = format;
  const QSize size = reader.size();
  if (size.isValid() && static_cast<qint64>(size.width()) * size.height() > options.maxPixels)
    fail(name, tr("image is %1 x %2 pixels, over the limit of %3 pixels")
                   .arg(size.width())
                   .arg(size.height())
                   .arg(options.maxPixels));
  if ((format == "gif" && gifIsTruncated(data)) || (format == "bmp" && bmpIsTruncated(data)) ||
      (format == "png" && pngIsTruncated(data)))
    fail(name, tr("the %1 data ends early (truncated or incompletely copied file)").arg(labelOf(format)));
  const int orientation = options.applyExifOrientation ? orientationFromTransform(reader.transformation()) : 1;
  std::optional<DecodeBudget::Lease> lease;
  if (options.budget)
    lease.emplace(options.budget->acquire(size.isValid() ? decodeMemoryEstimate(size.width(), size.height())
                                                         : qint64{options.budget->totalMiB()} << 20));

  bool done = false;
  if (format == "jpeg") done = decodeCmykJpeg(data, name, options, result.rgb);
  if (!done) {
    QImage image;
    if (!reader.read(&image) || image.isNull()) {
      const QString why = reader.errorString();
      fail(name, tr("cannot decode image (%1)").arg(why.isEmpty() ? tr("corrupt or truncated data") : why));
    }
    if (static_cast<qint64>(image.width()) * image.height() > options.maxPixels)
      fail(name, tr("image is %1 x %2 pixels, over the limit of %3 pixels")
                     .arg(image.width())
                     .arg(image.height())
                     .arg(options.maxPixels));
    result.rgb = toRgb8(image);
  }
  result.storedWidth = result.rgb.width;
  result.storedHeight = result.rgb.height;
  if (orientation > 1) {
    result.rgb = applyOrientation(result.rgb, orientation);
    result.oriented = true;
  }
  return result;
}

DecodedImage decodeImageFile(const QString& path, const DecodeOptions& options) {
  // A compressed file can hold at most ~1000x its size in pixels; the reader's limits guard the
  // rest, so reading the whole file first is safe up to this size.
  QByteArray data;
  try {
    data = io::readRegularFile(path, qint64{2} << 30);
  } catch (const io::FileError& e) {
    throw ImageDecodeError(e.what());
  }
  return decodeImageData(data, path, options);
}

}  // namespace glimpse::imaging
