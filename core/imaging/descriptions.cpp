#include "descriptions.h"

#include <QStringDecoder>
#include <QStringList>
#include <exiv2/exiv2.hpp>
#include <mutex>

#include "io/files.h"
#include "metadata.h"

namespace glimpse::imaging {
namespace {

constexpr qint64 kMaxPhotoBytes = qint64{2} << 30;
constexpr qint64 kMaxSidecarBytes = qint64{1} << 20;  // a real sidecar is a few KiB
constexpr int kMaxTextChars = 4000;                   // longer is no caption; kept out of the library

QString fromUtf8OrLatin1(const std::string& bytes) {
  QStringDecoder utf8(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
  QString text = utf8.decode(QByteArray::fromStdString(bytes));
  if (utf8.hasError()) text = QString::fromLatin1(bytes.data(), static_cast<qsizetype>(bytes.size()));
  return text;
}

QString clean(QString text) {
  // Fixed-size EXIF fields are often padded with NULs.
  text.replace(QChar(0), QLatin1Char(' '));
  return text.trimmed();
}

// Xmp.dc.description: the x-default entry, or the only one.
QString xmpDescription(const Exiv2::XmpData& xmp) {
  auto it = xmp.findKey(Exiv2::XmpKey("Xmp.dc.description"));
  if (it == xmp.end()) return {};
  if (const auto* alt = dynamic_cast<const Exiv2::LangAltValue*>(&it->value())) {
    auto d = alt->value_.find("x-default");
    if (d != alt->value_.end()) return QString::fromStdString(d->second);
    if (alt->value_.size() == 1) return QString::fromStdString(alt->value_.begin()->second);
    return {};
  }
  return QString::fromStdString(it->toString());
}

struct Collector {
  std::vector<Description> out;
  void add(const QString& raw, const QString& origin) {
    const QString text = clean(raw);
    if (text.isEmpty() || text.size() > kMaxTextChars || isPlaceholderDescription(text)) return;
    for (const Description& d : out)
      if (d.text == text) return;
    out.push_back({text, origin});
  }
};

void readEmbedded(const QByteArray& data, Collector& c) {
  if (data.isEmpty()) return;
  try {
    auto image = Exiv2::ImageFactory::open(reinterpret_cast<const Exiv2::byte*>(data.constData()),
                                           static_cast<long>(data.size()));
    if (image.get() == nullptr) return;
    image->readMetadata();
    c.add(xmpDescription(image->xmpData()), QStringLiteral("Xmp.dc.description"));
    const Exiv2::ExifData& exif = image->exifData();
    auto e = exif.findKey(Exiv2::ExifKey("Exif.Image.ImageDescription"));
    if (e != exif.end()) c.add(fromUtf8OrLatin1(e->toString()), QStringLiteral("Exif.Image.ImageDescription"));
    const Exiv2::IptcData& iptc = image->iptcData();
    auto i = iptc.findKey(Exiv2::IptcKey("Iptc.Application2.Caption"));
    if (i != iptc.end()) {
      // IPTC IIM text is in the charset the envelope names; ESC % G is UTF-8. Without it, older
      // tools wrote Latin-1 (or UTF-8 without saying so).
      auto cs = iptc.findKey(Exiv2::IptcKey("Iptc.Envelope.CharacterSet"));
      const bool utf8 = cs != iptc.end() && cs->toString() == "\x1b%G";
      const std::string bytes = i->toString();
      c.add(utf8 ? QString::fromUtf8(bytes.data(), static_cast<qsizetype>(bytes.size())) : fromUtf8OrLatin1(bytes),
            QStringLiteral("Iptc.Application2.Caption"));
    }
  } catch (const std::exception&) {
    // Not a format exiv2 reads, or damaged metadata: no description from the file itself.
  }
}

void readSidecar(const QString& path, Collector& c) {
  if (!io::pathExists(path)) return;
  try {
    const QByteArray bytes = io::readRegularFile(path, kMaxSidecarBytes);  // refuses FIFOs and devices
    Exiv2::XmpData xmp;
    if (Exiv2::XmpParser::decode(xmp, bytes.toStdString()) != 0) return;
    const int slash = static_cast<int>(path.lastIndexOf(QLatin1Char('/')));
    c.add(xmpDescription(xmp), QStringLiteral("sidecar:") + path.mid(slash + 1));
  } catch (const std::exception&) {
    // Unreadable, too large or not XMP: ignored.
  }
}

}  // namespace

bool isPlaceholderDescription(const QString& text) {
  // Defaults of camera firmware (seen in the wild), compared without case and outer blanks.
  static const QStringList kPlaceholders = {
      QStringLiteral("OLYMPUS DIGITAL CAMERA"),
      QStringLiteral("SONY DSC"),
      QStringLiteral("DIGITAL CAMERA"),
      QStringLiteral("KONICA MINOLTA DIGITAL CAMERA"),
      QStringLiteral("MINOLTA DIGITAL CAMERA"),
      QStringLiteral("SAMSUNG DIGITAL CAMERA"),
      QStringLiteral("LEICA DIGITAL CAMERA"),
      QStringLiteral("DCIM"),
      QStringLiteral("Default"),
      QStringLiteral("Image"),
  };
  const QString t = text.simplified();
  if (t.isEmpty()) return true;
  for (const QString& p : kPlaceholders)
    if (t.compare(p, Qt::CaseInsensitive) == 0) return true;
  return false;
}

std::vector<Description> readDescriptions(const QByteArray& fileData, const QString& photoPath) {
  initMetadataReading();
  Collector c;
  try {
    readEmbedded(fileData, c);
    // digiKam and darktable write NAME.EXT.xmp, Lightroom and others NAME.xmp.
    readSidecar(photoPath + QStringLiteral(".xmp"), c);
    const qsizetype slash = photoPath.lastIndexOf(QLatin1Char('/'));
    const qsizetype dot = photoPath.lastIndexOf(QLatin1Char('.'));
    if (dot > slash + 1) readSidecar(photoPath.left(dot) + QStringLiteral(".xmp"), c);
  } catch (...) {
    // Never throws (a QString allocation is all that is left here).
  }
  return c.out;
}

std::vector<Description> readDescriptions(const QString& photoPath) {
  QByteArray data;
  try {
    data = io::readRegularFile(photoPath, kMaxPhotoBytes);
  } catch (const std::exception&) {
    // Unreadable photo: its sidecars may still say something.
  }
  return readDescriptions(data, photoPath);
}

}  // namespace glimpse::imaging
