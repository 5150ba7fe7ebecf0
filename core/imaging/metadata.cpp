#include "metadata.h"

#include <QDateTime>
#include <QString>
#include <exiv2/exiv2.hpp>
#include <mutex>

namespace glimpse::imaging {

namespace {

std::mutex g_xmpMutex;

void xmpLock(void* data, bool lock) {
  auto* m = static_cast<std::mutex*>(data);
  if (lock)
    m->lock();
  else
    m->unlock();
}

}  // namespace

void initMetadataReading() {
  static std::once_flag once;
  std::call_once(once, [] {
    Exiv2::LogMsg::setLevel(Exiv2::LogMsg::mute);
    Exiv2::XmpParser::initialize(xmpLock, &g_xmpMutex);
  });
}

std::optional<qint64> exifCaptureTime(const QByteArray& fileData) {
  if (fileData.isEmpty()) return std::nullopt;
  initMetadataReading();
  try {
    auto image = Exiv2::ImageFactory::open(reinterpret_cast<const Exiv2::byte*>(fileData.constData()),
                                           static_cast<long>(fileData.size()));
    if (image.get() == nullptr) return std::nullopt;
    image->readMetadata();
    const Exiv2::ExifData& exif = image->exifData();
    for (const char* key : {"Exif.Photo.DateTimeOriginal", "Exif.Photo.DateTimeDigitized", "Exif.Image.DateTime"}) {
      auto it = exif.findKey(Exiv2::ExifKey(key));
      if (it == exif.end()) continue;
      // "YYYY:MM:DD HH:MM:SS"
      const QString s = QString::fromStdString(it->toString()).trimmed();
      QDateTime t = QDateTime::fromString(s, QStringLiteral("yyyy:MM:dd HH:mm:ss"));
      if (!t.isValid()) continue;
      t.setTimeSpec(Qt::UTC);
      return t.toMSecsSinceEpoch();
    }
  } catch (const std::exception&) {
    // Not an image exiv2 understands, or corrupt metadata: no capture time.
  }
  return std::nullopt;
}

}  // namespace glimpse::imaging
