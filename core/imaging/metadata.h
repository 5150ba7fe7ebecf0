#pragma once
// Photo metadata read with exiv2: the capture time (EXIF DateTimeOriginal).
#include <QByteArray>
#include <optional>

namespace glimpse::imaging {

// Milliseconds since the epoch of EXIF DateTimeOriginal (or DateTimeDigitized / DateTime), the
// camera's local time taken as UTC. nullopt when the data has no such tag or cannot be parsed.
std::optional<qint64> exifCaptureTime(const QByteArray& fileData);

}  // namespace glimpse::imaging
