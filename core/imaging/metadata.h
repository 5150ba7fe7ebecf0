#pragma once
// Photo metadata read with exiv2: the capture time (EXIF DateTimeOriginal).
#include <QByteArray>
#include <optional>

namespace glimpse::imaging {

// Sets exiv2 up once per process, before any metadata is read: its log muted (warnings about odd
// metadata would clutter stderr; a missing tag is all that matters to Glimpse) and its XMP toolkit
// given a lock (it is not thread-safe on its own, and the indexer reads photos on a pool).
void initMetadataReading();

// Milliseconds since the epoch of EXIF DateTimeOriginal (or DateTimeDigitized / DateTime), the
// camera's local time taken as UTC. nullopt when the data has no such tag or cannot be parsed.
std::optional<qint64> exifCaptureTime(const QByteArray& fileData);

}  // namespace glimpse::imaging
