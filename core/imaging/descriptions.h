#pragma once
// Descriptions that people or other programs (digiKam, Lightroom, Glimpse) wrote into a photo's
// metadata or an XMP sidecar, read with exiv2: they become the photo's metadata captions.
#include <QByteArray>
#include <QString>
#include <vector>

namespace glimpse::imaging {

struct Description {
  QString text;
  QString origin;  // "Xmp.dc.description", "Exif.Image.ImageDescription", "Iptc.Application2.Caption",
                   // "sidecar:NAME.xmp"
};

// Xmp.dc.description (language x-default, or the only entry), Exif.Image.ImageDescription,
// Iptc.Application2.Caption (UTF-8 when the envelope says so or the bytes are valid UTF-8, else
// Latin-1), then the sidecars PHOTO.EXT.xmp and PHOTO.xmp next to the photo (regular files only,
// at most 1 MiB). Texts are trimmed; empty ones, exact repeats and camera placeholders ("OLYMPUS
// DIGITAL CAMERA", isPlaceholderDescription) are dropped. Never throws: a damaged photo or
// sidecar yields nothing.
std::vector<Description> readDescriptions(const QString& photoPath);
// The same with the photo's bytes already read (the indexer has them); sidecars are read from disk.
std::vector<Description> readDescriptions(const QByteArray& fileData, const QString& photoPath);

// Texts cameras write into ImageDescription by default, which describe nothing.
bool isPlaceholderDescription(const QString& text);

}  // namespace glimpse::imaging
