#pragma once
// Writes captions where other photo tools read them: into the photo's own metadata (XMP
// dc:description, EXIF ImageDescription, IPTC Caption-Abstract), into an XMP sidecar (digiKam and
// darktable's PHOTO.EXT.xmp, Lightroom's PHOTO.xmp) or into a PHOTO-STEM.txt (kohya_ss, taggui).
//
// These are people's photos: an existing description is kept unless asked to overwrite, every
// other tag and the image data are checked to be unchanged in a copy before it replaces the photo,
// and any failure leaves the original byte-identical (docs/security.md, "Writing into photos").
#include <QString>
#include <optional>
#include <vector>

namespace glimpse::imaging {

enum class CaptionTarget {
  Embedded,
  XmpSidecar,       // PHOTO.EXT.xmp (digiKam, darktable)
  XmpSidecarShort,  // PHOTO.xmp (Lightroom)
  Txt               // PHOTO-STEM.txt (kohya_ss, taggui)
};
// "embedded", "xmp-sidecar", "xmp-sidecar-short", "txt".
std::optional<CaptionTarget> captionTargetFromKey(const QString& key);
QString captionTargetKey(CaptionTarget target);

// The photo as it was when it was captioned: a photo that changed since (edited, replaced) is not
// written into, as the caption may not describe it any more.
struct FileState {
  qint64 size = 0;
  qint64 mtimeMs = 0;
  bool operator==(const FileState& o) const { return size == o.size && mtimeMs == o.mtimeMs; }
  bool operator!=(const FileState& o) const { return !(*this == o); }
};
// The state of a regular file (symlinks followed); nullopt when it is missing or not a regular file.
std::optional<FileState> fileState(const QString& path);

struct CaptionWrite {
  QString photoPath;
  QString caption;
  std::vector<CaptionTarget> targets;
  bool overwrite = false;             // replace an existing, different description
  std::optional<FileState> expected;  // refuse when the photo no longer matches
};

enum class WriteOutcome {
  Written,       // the caption is there now
  AlreadySame,   // it was there already; nothing was touched
  KeptExisting,  // another description was there and was kept (no overwrite)
  Failed         // nothing was touched; `error` says why
};
// "written", "same", "kept", "failed".
QString writeOutcomeKey(WriteOutcome outcome);

struct TargetResult {
  CaptionTarget target;
  QString file;  // the file written (or that would have been)
  WriteOutcome outcome;
  QString existing;  // the description found there before (KeptExisting, AlreadySame)
  QString error;     // Failed: the reason in words
};

// Where a target writes for this photo (for a review dialog).
QString plannedFile(const QString& photoPath, CaptionTarget target);
// The description a target holds now, "" when none (or when it cannot be read).
QString currentText(const QString& photoPath, CaptionTarget target);
// Writes the caption to each target in turn and reports each; never throws.
std::vector<TargetResult> writeCaption(const CaptionWrite& request);

}  // namespace glimpse::imaging
