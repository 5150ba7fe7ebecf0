#include "captionwriter.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <QRandomGenerator>
#include <algorithm>
#include <cerrno>
#include <exiv2/exiv2.hpp>
#include <exiv2/webpimage.hpp>
#include <map>
#include <mutex>
#include <set>

#include "descriptions.h"
#include "imagedecoder.h"
#include "io/files.h"

namespace glimpse::imaging {
namespace {

// Photos larger than this are not rewritten (the original, the new copy and both decodes are in
// memory at once).
constexpr qint64 kMaxPhotoBytes = qint64(1) << 30;
constexpr qint64 kMaxTextBytes = qint64(16) << 20;  // sidecars and .txt files

const char* const kXmpDescription = "Xmp.dc.description";
const char* const kExifDescription = "Exif.Image.ImageDescription";
const char* const kIptcCaption = "Iptc.Application2.Caption";
const char* const kIptcCharset = "Iptc.Envelope.CharacterSet";
const char* const kIptcUtf8 = "\x1b%G";  // ISO 2022 escape for UTF-8

struct Failure {
  QString message;
};

// exiv2's XMP toolkit keeps global state: it is initialised once, and every use here is
// serialised (captions are written one photo at a time anyway). Its own log is muted, as in
// metadata.cpp: the errors that matter come back as results.
std::mutex& exivMutex() {
  static std::mutex m;
  static std::once_flag once;
  std::call_once(once, [] {
    Exiv2::LogMsg::setLevel(Exiv2::LogMsg::mute);
    Exiv2::XmpParser::initialize();
  });
  return m;
}

QString fromStd(const std::string& s) {
  return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size()));
}

struct Stat {
  struct stat st {};
  bool ok = false;
  int err = 0;
};
Stat statPath(const QByteArray& native) {
  Stat s;
  s.ok = ::stat(native.constData(), &s.st) == 0;
  s.err = s.ok ? 0 : errno;
  return s;
}
FileState stateOf(const struct stat& st) {
  return {static_cast<qint64>(st.st_size),
          static_cast<qint64>(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1000000};
}
// Same file, same content as far as stat() can tell (nanosecond mtime, inode, size).
bool sameFile(const struct stat& a, const struct stat& b) {
  return a.st_dev == b.st_dev && a.st_ino == b.st_ino && a.st_size == b.st_size &&
         a.st_mtim.tv_sec == b.st_mtim.tv_sec && a.st_mtim.tv_nsec == b.st_mtim.tv_nsec;
}

const QString kChanged = QStringLiteral("the photo changed since it was captioned (edited or replaced); not written");

// The photo must exist as a regular file and, when the caller captioned a known state, still be in
// that state.
struct stat checkPhoto(const QString& photoPath, const std::optional<FileState>& expected) {
  const Stat s = statPath(io::encodePath(photoPath));
  if (!s.ok) throw Failure{io::errnoMessage(s.err)};
  if (S_ISDIR(s.st.st_mode)) throw Failure{QStringLiteral("is a folder, not a photo")};
  if (!S_ISREG(s.st.st_mode)) throw Failure{QStringLiteral("is not a regular file")};
  if (expected && *expected != stateOf(s.st)) throw Failure{kChanged};
  return s.st;
}

QString stripSuffix(const QString& path) {
  const qsizetype slash = path.lastIndexOf(QLatin1Char('/'));
  const qsizetype dot = path.lastIndexOf(QLatin1Char('.'));
  // A leading dot is part of the name (".hidden"), not a suffix.
  if (dot <= slash + 1) return path;
  return path.left(dot);
}

std::unique_ptr<Exiv2::Image> openImage(const QByteArray& data) {
  auto image =
      Exiv2::ImageFactory::open(reinterpret_cast<const Exiv2::byte*>(data.constData()), static_cast<long>(data.size()));
  if (image.get() == nullptr) throw Failure{QStringLiteral("not an image exiv2 can read")};
  image->readMetadata();
  return std::unique_ptr<Exiv2::Image>(image.release());
}

// The language alternatives of dc:description (a plain text value counts as x-default).
std::map<std::string, std::string> xmpDescriptions(const Exiv2::XmpData& xmp) {
  std::map<std::string, std::string> out;
  auto it = xmp.findKey(Exiv2::XmpKey(kXmpDescription));
  if (it == xmp.end()) return out;
  if (it->typeId() == Exiv2::langAlt) {
    for (const auto& [lang, text] : static_cast<const Exiv2::LangAltValue&>(it->value()).value_) out[lang] = text;
  } else {
    out["x-default"] = it->toString();
  }
  return out;
}
QString xmpDefault(const Exiv2::XmpData& xmp) {
  const auto d = xmpDescriptions(xmp);
  auto it = d.find("x-default");
  return it == d.end() ? QString() : fromStd(it->second);
}
void setXmpDefault(Exiv2::XmpData& xmp, const QString& caption) {
  Exiv2::LangAltValue value;
  auto it = xmp.findKey(Exiv2::XmpKey(kXmpDescription));
  if (it != xmp.end() && it->typeId() == Exiv2::langAlt) value = static_cast<const Exiv2::LangAltValue&>(it->value());
  value.value_["x-default"] = caption.toStdString();
  if (it != xmp.end()) xmp.erase(it);
  xmp.add(Exiv2::XmpKey(kXmpDescription), &value);
}

// Every datum but the caption's own, as "key\ttype\tvalue" lines, in order (repeated keys such as
// IPTC keywords keep their order).
using Snapshot = std::vector<std::string>;

// Tags whose values are positions in the file or containers of the metadata being rewritten:
// exiv2 rewrites them when it lays the file out again. What they point to is compared itself.
const std::set<std::string>& layoutTags() {
  static const std::set<std::string> tags = {"Exif.Image.ExifTag",
                                             "Exif.Image.GPSTag",
                                             "Exif.Photo.InteroperabilityTag",
                                             "Exif.Image.JPEGInterchangeFormat",
                                             "Exif.Thumbnail.JPEGInterchangeFormat",
                                             "Exif.Image.StripOffsets",
                                             "Exif.Image.TileOffsets",
                                             "Exif.Image.XMLPacket",
                                             "Exif.Image.IPTCNAA",
                                             "Exif.MakerNote.Offset",
                                             "Exif.Image.ImageResources"};
  return tags;
}

Snapshot snapshot(Exiv2::Image& image) {
  Snapshot s;
  auto add = [&](const std::string& key, const Exiv2::Metadatum& d) {
    s.push_back(key + '\t' + std::to_string(d.typeId()) + '\t' + d.toString());
  };
  for (const auto& d : image.exifData())
    if (d.key() != kExifDescription && !layoutTags().count(d.key())) add(d.key(), d);
  for (const auto& d : image.iptcData())
    if (d.key() != kIptcCaption && d.key() != kIptcCharset) add(d.key(), d);
  for (const auto& d : image.xmpData())
    if (d.key() != kXmpDescription) add(d.key(), d);
  for (const auto& [lang, text] : xmpDescriptions(image.xmpData()))
    if (lang != "x-default") s.push_back(std::string(kXmpDescription) + "[" + lang + "]\t" + text);
  const Exiv2::DataBuf* icc = image.iccProfile();
  s.push_back("icc\t" + std::string(reinterpret_cast<const char*>(icc->pData_), static_cast<size_t>(icc->size_)));
  s.push_back("comment\t" + image.comment());
  const Exiv2::DataBuf thumb = Exiv2::ExifThumbC(image.exifData()).copy();
  s.push_back("thumbnail\t" +
              std::string(reinterpret_cast<const char*>(thumb.pData_), static_cast<size_t>(thumb.size_)));
  return s;
}

// The first line where two snapshots differ, for the error message.
QString firstDifference(const Snapshot& before, const Snapshot& after) {
  std::multiset<std::string> a(before.begin(), before.end()), b(after.begin(), after.end());
  for (const auto& line : before)
    if (!b.count(line)) return fromStd(line.substr(0, line.find('\t'))) + QStringLiteral(" would change");
  for (const auto& line : after)
    if (!a.count(line)) return fromStd(line.substr(0, line.find('\t'))) + QStringLiteral(" would be added");
  return QStringLiteral("the order of the tags would change");
}

struct Writable {
  bool exif = false, iptc = false, xmp = false;
};
Writable writableOf(const Exiv2::Image& image) {
  auto can = [&](Exiv2::MetadataId id) { return (image.checkMode(id) & Exiv2::amWrite) != 0; };
  return {can(Exiv2::mdExif), can(Exiv2::mdIptc), can(Exiv2::mdXmp)};
}

// The descriptions a photo carries in the places Glimpse writes, in the order tools prefer them.
std::vector<QString> embeddedDescriptions(Exiv2::Image& image, const Writable& w) {
  std::vector<QString> out;
  if (w.xmp) out.push_back(xmpDefault(image.xmpData()));
  if (w.exif) {
    auto it = image.exifData().findKey(Exiv2::ExifKey(kExifDescription));
    out.push_back(it == image.exifData().end() ? QString() : fromStd(it->toString()));
  }
  if (w.iptc) {
    auto it = image.iptcData().findKey(Exiv2::IptcKey(kIptcCaption));
    out.push_back(it == image.iptcData().end() ? QString() : fromStd(it->toString()));
  }
  return out;
}

QString formatName(const QByteArray& data) {
  const QByteArray f = sniffPhotoFormat(data);
  return f.isEmpty() ? QStringLiteral("these") : QString::fromLatin1(f.toUpper());
}

// IPTC text has no fixed character set: without the UTF-8 marker, readers take it as Latin-1 or
// the system's code page. Declaring UTF-8 over other non-ASCII text would change what it says, so
// such a photo is refused rather than silently re-interpreted.
void checkIptcCharset(const Exiv2::IptcData& iptc) {
  auto cs = iptc.findKey(Exiv2::IptcKey(kIptcCharset));
  if (cs != iptc.end() && cs->toString() == kIptcUtf8) return;
  for (const auto& d : iptc) {
    if (d.key() == kIptcCaption || d.key() == kIptcCharset) continue;
    const std::string v = d.toString();
    if (std::any_of(v.begin(), v.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; }))
      throw Failure{QStringLiteral("its IPTC text is in a character set other than UTF-8 (%1 has non-ASCII text); "
                                   "Glimpse does not convert it")
                        .arg(fromStd(d.key()))};
  }
}

// Writes `data` to a new file beside `finalName` with the photo's permissions and owner, synced.
// Returns the temporary name.
QByteArray writeTemporary(const QByteArray& finalName, const QByteArray& data, const struct stat& st) {
  const qsizetype slash = finalName.lastIndexOf('/');
  const QByteArray dir = finalName.left(slash + 1);
  const QByteArray base = finalName.mid(slash + 1);
  QByteArray tmp;
  int fd = -1;
  for (int attempt = 0; attempt < 100 && fd < 0; ++attempt) {
    tmp = dir + "." + base + ".glimpse-" + QByteArray::number(QRandomGenerator::global()->generate(), 16);
    fd = ::open(tmp.constData(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0 && errno != EEXIST)
      throw Failure{QStringLiteral("cannot create a temporary file beside it: ") + io::errnoMessage(errno)};
  }
  if (fd < 0) throw Failure{QStringLiteral("cannot create a temporary file beside it")};
  int err = 0;
  for (qsizetype done = 0; done < data.size() && err == 0;) {
    const ssize_t n = ::write(fd, data.constData() + done, static_cast<size_t>(data.size() - done));
    if (n < 0 && errno != EINTR) err = errno;
    if (n > 0) done += n;
  }
  // Owner and group as before where allowed (root writing someone's photo); a user who cannot
  // chown keeps their own file, which is theirs anyway.
  if (err == 0 && ::fchown(fd, st.st_uid, st.st_gid) != 0) (void)!::fchown(fd, static_cast<uid_t>(-1), st.st_gid);
  if (err == 0 && ::fchmod(fd, st.st_mode & 07777) != 0) err = errno;
  if (err == 0 && ::fsync(fd) != 0) err = errno;
  if (::close(fd) != 0 && err == 0 && errno != EINTR) err = errno;
  if (err != 0) {
    ::unlink(tmp.constData());
    throw Failure{QStringLiteral("cannot write the new copy: ") + io::errnoMessage(err)};
  }
  return tmp;
}

bool samePixels(const DecodedImage& a, const DecodedImage& b) {
  return a.format == b.format && a.rgb.width == b.rgb.width && a.rgb.height == b.rgb.height &&
         a.rgb.pixels == b.rgb.pixels;
}

TargetResult writeEmbedded(const CaptionWrite& r, TargetResult result) {
  const struct stat st0 = checkPhoto(r.photoPath, r.expected);
  // Permissions, not access(): root may write anything, yet a photo marked read-only is meant to
  // stay as it is.
  if ((st0.st_mode & (S_IWUSR | S_IWGRP | S_IWOTH)) == 0 ||
      ::access(io::encodePath(r.photoPath).constData(), W_OK) != 0)
    throw Failure{QStringLiteral("the photo is read-only")};
  // Replacing one name of a hard-linked file would split it: the other names keep the old photo.
  if (st0.st_nlink > 1) throw Failure{QStringLiteral("the photo has other hard links; not replaced")};
  // A symlink is followed: its target is replaced, the link stays.
  const QString real = io::canonicalPath(r.photoPath);
  if (real.isEmpty()) throw Failure{io::errnoMessage(errno)};
  const QByteArray finalName = io::encodePath(real);

  QByteArray original;
  try {
    original = io::readRegularFile(real, kMaxPhotoBytes);
  } catch (const io::FileError& e) {
    throw Failure{QString::fromStdString(e.what())};
  }
  const Stat afterRead = statPath(finalName);
  if (!afterRead.ok || !sameFile(afterRead.st, st0)) throw Failure{kChanged};

  // By content, before exiv2 sees it: BMP and GIF have no place for these tags in exiv2 0.27.
  const QByteArray format = sniffPhotoFormat(original);
  if (format != "jpeg" && format != "png" && format != "tiff" && format != "webp")
    throw Failure{format.isEmpty()
                      ? QStringLiteral("not a photo format Glimpse can write captions into")
                      : QStringLiteral("exiv2 cannot write metadata into %1 files").arg(formatName(original))};

  const std::string caption = r.caption.toStdString();
  QByteArray updated;
  Snapshot before;
  Writable w;
  {
    std::lock_guard lock(exivMutex());
    std::unique_ptr<Exiv2::Image> image;
    try {
      image = openImage(original);
    } catch (const Exiv2::AnyError&) {
      throw Failure{QStringLiteral("not an image exiv2 can read")};
    }
    w = writableOf(*image);
    const int type = image->imageType();
    const bool supported = type == Exiv2::ImageType::jpeg || type == Exiv2::ImageType::tiff ||
                           type == Exiv2::ImageType::png || type == Exiv2::ImageType::webp;
    if (!supported || !(w.exif || w.iptc || w.xmp))
      throw Failure{QStringLiteral("exiv2 cannot write metadata into %1 files").arg(formatName(original))};
    const auto existing = embeddedDescriptions(*image, w);
    if (std::all_of(existing.begin(), existing.end(), [&](const QString& t) { return t == r.caption; })) {
      result.outcome = WriteOutcome::AlreadySame;
      result.existing = r.caption;
      return result;
    }
    for (const QString& t : existing) {
      // A camera's filler text ("OLYMPUS DIGITAL CAMERA") describes nothing: it is replaced as an
      // empty description would be, as the library never took it for a caption either.
      if (!t.trimmed().isEmpty() && !isPlaceholderDescription(t) && t != r.caption && !r.overwrite) {
        result.outcome = WriteOutcome::KeptExisting;
        result.existing = t;
        return result;
      }
    }
    if (w.iptc) checkIptcCharset(image->iptcData());
    before = snapshot(*image);
    if (w.xmp) setXmpDefault(image->xmpData(), r.caption);
    if (w.exif) image->exifData()[kExifDescription] = caption;
    if (w.iptc) {
      image->iptcData()[kIptcCaption] = caption;
      image->iptcData()[kIptcCharset] = std::string(kIptcUtf8);
    }
    try {
      image->writeMetadata();
      Exiv2::BasicIo& out = image->io();
      if (out.open() != 0) throw Failure{QStringLiteral("exiv2 could not give back the new copy")};
      updated.resize(static_cast<qsizetype>(out.size()));
      const long got = out.read(reinterpret_cast<Exiv2::byte*>(updated.data()), static_cast<long>(updated.size()));
      out.close();
      if (got != static_cast<long>(updated.size())) throw Failure{QStringLiteral("exiv2 gave back a short copy")};
    } catch (const Exiv2::AnyError& e) {
      throw Failure{QStringLiteral("exiv2 cannot write this file's metadata: ") + QString::fromStdString(e.what())};
    }
  }

  const QByteArray tmp = writeTemporary(finalName, updated, st0);
  try {
    // Everything below checks the copy as it is on disk, read back by a fresh reader.
    QByteArray written;
    try {
      written = io::readRegularFile(io::decodePath(tmp), kMaxPhotoBytes + (64 << 20));
    } catch (const io::FileError& e) {
      throw Failure{QStringLiteral("cannot read the new copy back: ") + QString::fromStdString(e.what())};
    }
    if (written != updated) throw Failure{QStringLiteral("the new copy read back differs from what was written")};
    {
      std::lock_guard lock(exivMutex());
      std::unique_ptr<Exiv2::Image> check;
      try {
        check = openImage(written);
      } catch (const Exiv2::AnyError& e) {
        throw Failure{QStringLiteral("exiv2 cannot read the new copy back: ") + QString::fromStdString(e.what())};
      }
      for (const QString& t : embeddedDescriptions(*check, w))
        if (t != r.caption) throw Failure{QStringLiteral("the caption did not read back from the new copy")};
      if (w.iptc) {
        auto cs = check->iptcData().findKey(Exiv2::IptcKey(kIptcCharset));
        if (cs == check->iptcData().end() || cs->toString() != kIptcUtf8)
          throw Failure{QStringLiteral("the IPTC character set did not read back from the new copy")};
      }
      const Snapshot after = snapshot(*check);
      if (after != before)
        throw Failure{
            QStringLiteral("exiv2 would change other metadata (%1); not written").arg(firstDifference(before, after))};
    }
    DecodeOptions plain;
    plain.applyExifOrientation = false;  // stored pixels, compared as stored
    try {
      const DecodedImage a = decodeImageData(original, real, plain);
      const DecodedImage b = decodeImageData(written, real, plain);
      if (!samePixels(a, b)) throw Failure{QStringLiteral("the image data would change; not written")};
    } catch (const ImageDecodeError& e) {
      throw Failure{QStringLiteral("cannot compare the pixels: ") + QString::fromStdString(e.what())};
    } catch (const std::bad_alloc&) {
      throw Failure{QStringLiteral("not enough memory to compare the pixels")};
    }
    // Last look before replacing: the photo must still be the one read at the start.
    const Stat now = statPath(finalName);
    if (!now.ok || !sameFile(now.st, st0) || (r.expected && *r.expected != stateOf(now.st))) throw Failure{kChanged};
    if (::rename(tmp.constData(), finalName.constData()) != 0)
      throw Failure{QStringLiteral("cannot replace the photo: ") + io::errnoMessage(errno)};
  } catch (...) {
    ::unlink(tmp.constData());
    throw;
  }
  // The rename itself is durable once the folder is synced.
  const QByteArray dir = finalName.left(finalName.lastIndexOf('/') + 1);
  const int dfd = ::open(dir.isEmpty() ? "." : dir.constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  result.outcome = WriteOutcome::Written;
  return result;
}

QString readText(const QString& file, bool* exists) {
  *exists = io::pathExists(file);
  if (!*exists) return {};
  try {
    return QString::fromUtf8(io::readRegularFile(file, kMaxTextBytes));
  } catch (const io::FileError& e) {
    throw Failure{QString::fromStdString(e.what())};
  }
}

void writeText(const QString& file, const QByteArray& data) {
  try {
    io::writeFile(file, data);
  } catch (const io::FileError& e) {
    throw Failure{QString::fromStdString(e.what())};
  }
}

TargetResult writeSidecar(const CaptionWrite& r, TargetResult result) {
  checkPhoto(r.photoPath, r.expected);
  bool exists = false;
  const QString packet = readText(result.file, &exists);
  std::lock_guard lock(exivMutex());
  Exiv2::XmpData xmp;
  if (exists && !packet.trimmed().isEmpty() && Exiv2::XmpParser::decode(xmp, packet.toStdString()) != 0)
    throw Failure{QStringLiteral("the existing sidecar is not XMP that exiv2 can read; left as it is")};
  const QString current = xmpDefault(xmp);
  if (current == r.caption) {
    result.outcome = WriteOutcome::AlreadySame;
    result.existing = current;
    return result;
  }
  if (!current.trimmed().isEmpty() && !r.overwrite) {
    result.outcome = WriteOutcome::KeptExisting;
    result.existing = current;
    return result;
  }
  Exiv2::XmpData updated = xmp;
  setXmpDefault(updated, r.caption);
  std::string out;
  if (Exiv2::XmpParser::encode(out, updated) != 0) throw Failure{QStringLiteral("exiv2 cannot write this XMP")};
  // The new packet must say what the old one said, plus the caption.
  Exiv2::XmpData check;
  if (Exiv2::XmpParser::decode(check, out) != 0 || xmpDefault(check) != r.caption)
    throw Failure{QStringLiteral("the new sidecar did not read back")};
  auto lines = [](const Exiv2::XmpData& d) {
    Snapshot s;
    for (const auto& x : d)
      if (x.key() != kXmpDescription) s.push_back(x.key() + '\t' + x.toString());
    for (const auto& [lang, text] : xmpDescriptions(d))
      if (lang != "x-default") s.push_back(lang + '\t' + text);
    return s;
  };
  if (lines(check) != lines(xmp))
    throw Failure{QStringLiteral("exiv2 would change other properties of the sidecar (%1); not written")
                      .arg(firstDifference(lines(xmp), lines(check)))};
  writeText(result.file, QByteArray::fromStdString(out));
  result.outcome = WriteOutcome::Written;
  return result;
}

TargetResult writeTxt(const CaptionWrite& r, TargetResult result) {
  checkPhoto(r.photoPath, r.expected);
  bool exists = false;
  const QString current = readText(result.file, &exists).trimmed();
  if (exists && current == r.caption.trimmed()) {
    result.outcome = WriteOutcome::AlreadySame;
    result.existing = current;
    return result;
  }
  if (!current.isEmpty() && !r.overwrite) {
    result.outcome = WriteOutcome::KeptExisting;
    result.existing = current;
    return result;
  }
  writeText(result.file, r.caption.trimmed().toUtf8() + '\n');
  result.outcome = WriteOutcome::Written;
  return result;
}

}  // namespace

std::optional<CaptionTarget> captionTargetFromKey(const QString& key) {
  for (auto t :
       {CaptionTarget::Embedded, CaptionTarget::XmpSidecar, CaptionTarget::XmpSidecarShort, CaptionTarget::Txt})
    if (key == captionTargetKey(t)) return t;
  return std::nullopt;
}

QString captionTargetKey(CaptionTarget target) {
  switch (target) {
    case CaptionTarget::Embedded:
      return QStringLiteral("embedded");
    case CaptionTarget::XmpSidecar:
      return QStringLiteral("xmp-sidecar");
    case CaptionTarget::XmpSidecarShort:
      return QStringLiteral("xmp-sidecar-short");
    case CaptionTarget::Txt:
      return QStringLiteral("txt");
  }
  return {};
}

QString writeOutcomeKey(WriteOutcome outcome) {
  switch (outcome) {
    case WriteOutcome::Written:
      return QStringLiteral("written");
    case WriteOutcome::AlreadySame:
      return QStringLiteral("same");
    case WriteOutcome::KeptExisting:
      return QStringLiteral("kept");
    case WriteOutcome::Failed:
      return QStringLiteral("failed");
  }
  return {};
}

std::optional<FileState> fileState(const QString& path) {
  const Stat s = statPath(io::encodePath(path));
  if (!s.ok || !S_ISREG(s.st.st_mode)) return std::nullopt;
  return stateOf(s.st);
}

QString plannedFile(const QString& photoPath, CaptionTarget target) {
  switch (target) {
    case CaptionTarget::Embedded:
      return photoPath;
    case CaptionTarget::XmpSidecar:
      return photoPath + QStringLiteral(".xmp");
    case CaptionTarget::XmpSidecarShort:
      return stripSuffix(photoPath) + QStringLiteral(".xmp");
    case CaptionTarget::Txt:
      return stripSuffix(photoPath) + QStringLiteral(".txt");
  }
  return {};
}

QString currentText(const QString& photoPath, CaptionTarget target) {
  try {
    bool exists = false;
    if (target == CaptionTarget::Txt) return readText(plannedFile(photoPath, target), &exists).trimmed();
    if (target == CaptionTarget::Embedded) {
      const QByteArray data = io::readRegularFile(photoPath, kMaxPhotoBytes);
      std::lock_guard lock(exivMutex());
      auto image = openImage(data);
      for (const QString& t : embeddedDescriptions(*image, writableOf(*image)))
        if (!t.trimmed().isEmpty()) return t;
      return {};
    }
    const QString packet = readText(plannedFile(photoPath, target), &exists);
    std::lock_guard lock(exivMutex());
    Exiv2::XmpData xmp;
    if (!exists || Exiv2::XmpParser::decode(xmp, packet.toStdString()) != 0) return {};
    return xmpDefault(xmp);
  } catch (...) {
    return {};
  }
}

std::vector<TargetResult> writeCaption(const CaptionWrite& request) {
  std::vector<TargetResult> results;
  CaptionWrite r = request;
  for (const CaptionTarget target : request.targets) {
    TargetResult base{target, plannedFile(request.photoPath, target), WriteOutcome::Failed, {}, {}};
    try {
      if (r.caption.trimmed().isEmpty()) throw Failure{QStringLiteral("the caption is empty")};
      if (target != CaptionTarget::Embedded && base.file == r.photoPath)
        throw Failure{QStringLiteral("the photo's name leaves no room for a separate file")};
      switch (target) {
        case CaptionTarget::Embedded:
          results.push_back(writeEmbedded(r, base));
          // The photo now differs from the captioned state by this caption alone: the next targets
          // expect the new state.
          if (r.expected && results.back().outcome == WriteOutcome::Written) r.expected = fileState(r.photoPath);
          break;
        case CaptionTarget::XmpSidecar:
        case CaptionTarget::XmpSidecarShort:
          results.push_back(writeSidecar(r, base));
          break;
        case CaptionTarget::Txt:
          results.push_back(writeTxt(r, base));
          break;
      }
    } catch (const Failure& f) {
      base.error = f.message;
      results.push_back(base);
    } catch (const std::bad_alloc&) {
      base.error = QStringLiteral("not enough memory");
      results.push_back(base);
    } catch (const std::exception& e) {
      base.error = QString::fromStdString(e.what());
      results.push_back(base);
    }
  }
  return results;
}

}  // namespace glimpse::imaging
