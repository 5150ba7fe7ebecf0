// Captions written into people's photos: test photos are made at run time with ImageMagick and the
// exiv2 command-line tool (camera EXIF, GPS, IPTC keywords, XMP subjects and rating, an ICC
// profile), and every result is read back by those independent tools: the caption tags, every
// other tag, the ICC profile and the decoded pixels, before and after.
#include <gtest/gtest.h>

#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <cstring>

#include "imaging/captionwriter.h"

using namespace glimpse::imaging;

namespace {

const QString kIcc = QStringLiteral("/usr/share/color/icc/sRGB.icc");  // package icc-profiles-free
const QString kCaption = QStringLiteral("a dog running on the beach, äöü ✓");

struct Run {
  int code = -1;
  QByteArray out, err;
};

Run run(const QString& program, const QStringList& args) {
  QProcess p;
  p.start(program, args);
  p.waitForFinished(60000);
  return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(),
          p.readAllStandardError()};
}

QByteArray bytes(const QString& path) {
  QFile f(path);
  return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray("<missing>");
}

// exiv2's view of one tag's value ("" when absent).
QString tag(const QString& file, const QString& key) {
  return QString::fromUtf8(run("exiv2", {"-q", "-K", key, "-Pv", file}).out).trimmed();
}

// Keys whose values are positions in the file or the containers rewritten with the caption; what
// they contain is compared itself.
bool layoutOrCaption(const QString& key) {
  static const QStringList skip = {
      "Exif.Image.ImageDescription", "Iptc.Application2.Caption", "Iptc.Envelope.CharacterSet",
      "Xmp.dc.description",          "Exif.Image.ExifTag",        "Exif.Image.GPSTag",
      "Exif.Image.StripOffsets",     "Exif.Image.XMLPacket",      "Exif.Image.IPTCNAA"};
  return skip.contains(key);
}

// Every tag but the caption's, as exiv2 prints them (key, type, value), plus the ICC profile.
QStringList otherTags(const QString& file) {
  QStringList out;
  for (const QByteArray& line : run("exiv2", {"-q", "-PEIXkyv", file}).out.split('\n')) {
    const QString l = QString::fromUtf8(line).simplified();
    if (!l.isEmpty() && !layoutOrCaption(l.section(' ', 0, 0))) out << l;
  }
  out << QStringLiteral("icc ") + QString::fromLatin1(run("exiv2", {"-q", "-pC", file}).out.toHex());
  return out;
}

// The pixels as ImageMagick decodes them.
QByteArray pixels(const QString& file) {
  const Run r = run("convert", {file, "-depth", "8", "rgb:-"});
  return r.code == 0 ? r.out : QByteArray("<cannot decode>");
}

bool toolsMissing(QString* why) {
  if (run("exiv2", {"--version"}).code != 0)
    *why = "the exiv2 command-line tool is not installed (package exiv2)";
  else if (run("convert", {"-version"}).code != 0)
    *why = "ImageMagick's convert is not installed";
  else if (!QFile::exists(kIcc))
    *why = kIcc + " is missing (package icc-profiles-free)";
  else
    return false;
  return true;
}

// A photo with camera EXIF, GPS, IPTC keywords (where the format has IPTC), XMP subjects and
// rating, and an ICC profile; `extra` adds exiv2 -M commands.
QString makePhoto(const QString& dir, const QString& name, const QStringList& extra = {},
                  const QString& size = "64x48") {
  const QString path = dir + "/" + name;
  Run r = run("convert", {"-seed", "7", "-size", size, "plasma:fractal", "-depth", "8", "-profile", kIcc, path});
  if (r.code != 0) ADD_FAILURE() << "convert: " << r.err.toStdString();
  QStringList args = {"-q",
                      "-M",
                      "set Exif.Image.Make Canon",
                      "-M",
                      "set Exif.Image.Model EOS R5",
                      "-M",
                      "set Exif.Photo.FNumber 28/10",
                      "-M",
                      "set Exif.GPSInfo.GPSLatitudeRef N",
                      "-M",
                      "set Exif.GPSInfo.GPSLatitude 52/1 31/1 1234/100",
                      "-M",
                      "set Xmp.dc.subject beach",
                      "-M",
                      "set Xmp.xmp.Rating 4"};
  if (!name.endsWith(".webp"))
    args << "-M"
         << "set Iptc.Application2.Keywords holiday";
  for (const QString& e : extra) args << "-M" << e;
  r = run("exiv2", args << path);
  if (r.code != 0) ADD_FAILURE() << "exiv2: " << r.err.toStdString();
  return path;
}

TargetResult writeOne(const QString& photo, CaptionTarget target, bool overwrite = false,
                      std::optional<FileState> expected = std::nullopt, const QString& caption = kCaption) {
  CaptionWrite w;
  w.photoPath = photo;
  w.caption = caption;
  w.targets = {target};
  w.overwrite = overwrite;
  w.expected = expected;
  const auto results = writeCaption(w);
  EXPECT_EQ(results.size(), 1u);
  return results.empty() ? TargetResult{target, {}, WriteOutcome::Failed, {}, "no result"} : results.front();
}

// No temporary file is left beside the photos.
QStringList strays(const QString& dir) {
  return QDir(dir).entryList(QStringList{"*glimpse*", "*.part-*"}, QDir::Files | QDir::Hidden);
}

class CaptionWriter : public ::testing::Test {
 protected:
  void SetUp() override {
    QString why;
    if (toolsMissing(&why)) GTEST_SKIP() << why.toStdString();
    ASSERT_TRUE(dir.isValid());
  }
  QTemporaryDir dir;
};

class EmbeddedFormats : public CaptionWriter, public ::testing::WithParamInterface<const char*> {};

TEST_P(EmbeddedFormats, WritesEveryCaptionTagAndKeepsEverythingElse) {
  const QString ext = GetParam();
  const QString photo = makePhoto(dir.path(), "photo." + ext);
  ASSERT_EQ(::chmod(QFile::encodeName(photo).constData(), 0640), 0);
  const QStringList tagsBefore = otherTags(photo);
  const QByteArray pixelsBefore = pixels(photo);
  ASSERT_TRUE(tagsBefore.join('\n').contains("Exif.GPSInfo.GPSLatitude")) << tagsBefore.join('\n').toStdString();
  ASSERT_TRUE(tagsBefore.join('\n').contains("Xmp.dc.subject"));
  ASSERT_GT(tagsBefore.last().size(), 1000) << "no ICC profile in the test photo";
  const auto expected = fileState(photo);
  ASSERT_TRUE(expected);

  const TargetResult r = writeOne(photo, CaptionTarget::Embedded, false, expected);
  ASSERT_EQ(r.outcome, WriteOutcome::Written) << r.error.toStdString();
  EXPECT_EQ(r.file, photo);

  EXPECT_EQ(tag(photo, "Xmp.dc.description"), "lang=\"x-default\" " + kCaption);
  EXPECT_EQ(tag(photo, "Exif.Image.ImageDescription"), kCaption);
  if (ext != "webp") {  // WebP has no IPTC
    EXPECT_EQ(tag(photo, "Iptc.Application2.Caption"), kCaption);
    EXPECT_EQ(run("exiv2", {"-q", "-K", "Iptc.Envelope.CharacterSet", "-Pv", photo}).out.trimmed(),
              QByteArray("\x1b%G"));
  }
  EXPECT_EQ(otherTags(photo), tagsBefore);
  EXPECT_EQ(pixels(photo), pixelsBefore);
  struct stat st {};
  ASSERT_EQ(::stat(QFile::encodeName(photo).constData(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0640u);
  EXPECT_EQ(currentText(photo, CaptionTarget::Embedded), kCaption);
  EXPECT_TRUE(strays(dir.path()).isEmpty()) << strays(dir.path()).join(' ').toStdString();

  // The same caption again: nothing to do, the file is not touched.
  const QByteArray after = bytes(photo);
  const TargetResult again = writeOne(photo, CaptionTarget::Embedded);
  EXPECT_EQ(again.outcome, WriteOutcome::AlreadySame) << again.error.toStdString();
  EXPECT_EQ(bytes(photo), after);
}

INSTANTIATE_TEST_SUITE_P(Formats, EmbeddedFormats, ::testing::Values("jpg", "png", "tif", "webp"));

TEST_F(CaptionWriter, WritesSeveralTargetsOfOneCaptionedPhoto) {
  const QString photo = makePhoto(dir.path(), "multi.webp");
  CaptionWrite w;
  w.photoPath = photo;
  w.caption = kCaption;
  w.targets = {CaptionTarget::Embedded, CaptionTarget::XmpSidecar, CaptionTarget::Txt};
  w.expected = fileState(photo);
  const auto results = writeCaption(w);
  ASSERT_EQ(results.size(), 3u);
  for (const auto& r : results) {
    EXPECT_EQ(r.outcome, WriteOutcome::Written)
        << captionTargetKey(r.target).toStdString() << ": " << r.error.toStdString();
    EXPECT_EQ(currentText(photo, r.target), kCaption) << captionTargetKey(r.target).toStdString();
  }
  EXPECT_EQ(results[1].file, photo + ".xmp");
  EXPECT_EQ(results[2].file, dir.path() + "/multi.txt");
}

TEST_F(CaptionWriter, KeepsAnExistingDescriptionUnlessOverwriting) {
  const QString photo = makePhoto(
      dir.path(), "old.jpg",
      {"set Xmp.dc.description lang=x-default An old caption",
       "set Xmp.dc.description lang=de-DE Eine alte Beschreibung", "set Exif.Image.ImageDescription An old caption"});
  const QByteArray original = bytes(photo);
  EXPECT_EQ(currentText(photo, CaptionTarget::Embedded), "An old caption");

  const TargetResult kept = writeOne(photo, CaptionTarget::Embedded);
  EXPECT_EQ(kept.outcome, WriteOutcome::KeptExisting) << kept.error.toStdString();
  EXPECT_EQ(kept.existing, "An old caption");
  EXPECT_EQ(bytes(photo), original);

  const QStringList tagsBefore = otherTags(photo);
  const TargetResult replaced = writeOne(photo, CaptionTarget::Embedded, true);
  ASSERT_EQ(replaced.outcome, WriteOutcome::Written) << replaced.error.toStdString();
  const QString xmp = tag(photo, "Xmp.dc.description");
  EXPECT_TRUE(xmp.contains("lang=\"x-default\" " + kCaption)) << xmp.toStdString();
  EXPECT_TRUE(xmp.contains("lang=\"de-DE\" Eine alte Beschreibung")) << xmp.toStdString();
  EXPECT_EQ(tag(photo, "Exif.Image.ImageDescription"), kCaption);
  EXPECT_EQ(otherTags(photo), tagsBefore);
}

// A camera's filler text is no description: it is replaced without --overwrite, as the library
// never took it for a caption either (imaging::isPlaceholderDescription).
TEST_F(CaptionWriter, ReplacesACameraPlaceholderWithoutOverwrite) {
  const QString photo = makePhoto(dir.path(), "cam.jpg", {"set Exif.Image.ImageDescription OLYMPUS DIGITAL CAMERA"});
  const TargetResult r = writeOne(photo, CaptionTarget::Embedded);
  ASSERT_EQ(r.outcome, WriteOutcome::Written) << r.error.toStdString();
  EXPECT_EQ(tag(photo, "Exif.Image.ImageDescription"), kCaption);
}

TEST_F(CaptionWriter, SidecarsLeaveThePhotoByteIdentical) {
  const QString photo = makePhoto(dir.path(), "IMG_1.jpg");
  const QByteArray original = bytes(photo);

  const TargetResult longName = writeOne(photo, CaptionTarget::XmpSidecar);
  ASSERT_EQ(longName.outcome, WriteOutcome::Written) << longName.error.toStdString();
  EXPECT_EQ(longName.file, dir.path() + "/IMG_1.jpg.xmp");
  EXPECT_EQ(tag(longName.file, "Xmp.dc.description"), "lang=\"x-default\" " + kCaption);

  const TargetResult shortName = writeOne(photo, CaptionTarget::XmpSidecarShort);
  ASSERT_EQ(shortName.outcome, WriteOutcome::Written) << shortName.error.toStdString();
  EXPECT_EQ(shortName.file, dir.path() + "/IMG_1.xmp");
  EXPECT_EQ(plannedFile(photo, CaptionTarget::XmpSidecarShort), shortName.file);
  EXPECT_EQ(tag(shortName.file, "Xmp.dc.description"), "lang=\"x-default\" " + kCaption);
  EXPECT_EQ(currentText(photo, CaptionTarget::XmpSidecarShort), kCaption);

  EXPECT_EQ(bytes(photo), original);
  EXPECT_EQ(writeOne(photo, CaptionTarget::XmpSidecar).outcome, WriteOutcome::AlreadySame);
}

TEST_F(CaptionWriter, UpdatesAnExistingSidecarKeepingItsOtherProperties) {
  const QString photo = makePhoto(dir.path(), "dt.tif");
  const QString sidecar = photo + ".xmp";
  // A darktable-style sidecar: its own namespace, a history of structures, a rating, tags and a
  // description in two languages.
  QFile f(sidecar);
  ASSERT_TRUE(f.open(QIODevice::WriteOnly));
  f.write(R"(<?xml version="1.0" encoding="UTF-8"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="XMP Core 4.4.0-Exiv2">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:darktable="http://darktable.sf.net/"
   xmp:Rating="3"
   darktable:xmp_version="5"
   darktable:history_end="1">
   <dc:subject><rdf:Bag><rdf:li>darktable|format|tif</rdf:li><rdf:li>sea</rdf:li></rdf:Bag></dc:subject>
   <dc:description><rdf:Alt><rdf:li xml:lang="x-default">Old words</rdf:li><rdf:li xml:lang="fr-FR">Vieux mots</rdf:li></rdf:Alt></dc:description>
   <darktable:history><rdf:Seq><rdf:li darktable:operation="exposure" darktable:enabled="1" darktable:params="0000"/></rdf:Seq></darktable:history>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
)");
  f.close();
  const QStringList before = otherTags(sidecar);
  ASSERT_TRUE(before.join('\n').contains("Xmp.darktable.history")) << before.join('\n').toStdString();

  const TargetResult kept = writeOne(photo, CaptionTarget::XmpSidecar);
  EXPECT_EQ(kept.outcome, WriteOutcome::KeptExisting);
  EXPECT_EQ(kept.existing, "Old words");

  const TargetResult r = writeOne(photo, CaptionTarget::XmpSidecar, true);
  ASSERT_EQ(r.outcome, WriteOutcome::Written) << r.error.toStdString();
  const QString description = tag(sidecar, "Xmp.dc.description");
  EXPECT_TRUE(description.contains("lang=\"x-default\" " + kCaption)) << description.toStdString();
  EXPECT_TRUE(description.contains("lang=\"fr-FR\" Vieux mots")) << description.toStdString();
  EXPECT_EQ(otherTags(sidecar), before);
}

TEST_F(CaptionWriter, RefusesAnUnreadableSidecar) {
  const QString photo = makePhoto(dir.path(), "bad.jpg");
  QFile f(photo + ".xmp");
  ASSERT_TRUE(f.open(QIODevice::WriteOnly));
  f.write("<x:xmpmeta this is not XML");
  f.close();
  const TargetResult r = writeOne(photo, CaptionTarget::XmpSidecar, true);
  EXPECT_EQ(r.outcome, WriteOutcome::Failed);
  EXPECT_TRUE(r.error.contains("not XMP")) << r.error.toStdString();
  EXPECT_EQ(bytes(photo + ".xmp"), QByteArray("<x:xmpmeta this is not XML"));
}

TEST_F(CaptionWriter, WritesATextFileBesideThePhoto) {
  const QString photo = makePhoto(dir.path(), "train.01.png");
  const QByteArray original = bytes(photo);
  const TargetResult r = writeOne(photo, CaptionTarget::Txt);
  ASSERT_EQ(r.outcome, WriteOutcome::Written) << r.error.toStdString();
  EXPECT_EQ(r.file, dir.path() + "/train.01.txt");
  EXPECT_EQ(bytes(r.file), kCaption.toUtf8() + '\n');
  EXPECT_EQ(bytes(photo), original);
  EXPECT_EQ(writeOne(photo, CaptionTarget::Txt).outcome, WriteOutcome::AlreadySame);

  const TargetResult kept = writeOne(photo, CaptionTarget::Txt, false, std::nullopt, "another caption");
  EXPECT_EQ(kept.outcome, WriteOutcome::KeptExisting);
  EXPECT_EQ(kept.existing, kCaption);
  EXPECT_EQ(bytes(r.file), kCaption.toUtf8() + '\n');
  EXPECT_EQ(writeOne(photo, CaptionTarget::Txt, true, std::nullopt, "another caption").outcome, WriteOutcome::Written);
  EXPECT_EQ(bytes(r.file), QByteArray("another caption\n"));
}

TEST_F(CaptionWriter, RefusesAReadOnlyPhoto) {
  const QString photo = makePhoto(dir.path(), "ro.jpg");
  const QByteArray original = bytes(photo);
  ASSERT_TRUE(QFile::setPermissions(photo, QFile::ReadOwner | QFile::ReadGroup | QFile::ReadOther));
  const TargetResult r = writeOne(photo, CaptionTarget::Embedded);
  EXPECT_EQ(r.outcome, WriteOutcome::Failed);
  EXPECT_TRUE(r.error.contains("the photo is read-only")) << r.error.toStdString();
  EXPECT_EQ(bytes(photo), original);
  EXPECT_TRUE(strays(dir.path()).isEmpty());
}

TEST_F(CaptionWriter, RefusesAPhotoChangedSinceItWasCaptioned) {
  const QString photo = makePhoto(dir.path(), "changed.jpg");
  const auto captioned = fileState(photo);
  ASSERT_TRUE(captioned);
  // Edited elsewhere in the meantime: another photo now has this name.
  makePhoto(dir.path(), "changed.jpg", {"set Exif.Image.Model EOS R6"}, "80x60");
  const QByteArray edited = bytes(photo);
  ASSERT_NE(fileState(photo), captioned);
  for (auto target : {CaptionTarget::Embedded, CaptionTarget::XmpSidecar, CaptionTarget::Txt}) {
    const TargetResult r = writeOne(photo, target, false, captioned);
    EXPECT_EQ(r.outcome, WriteOutcome::Failed) << captionTargetKey(target).toStdString();
    EXPECT_TRUE(r.error.contains("changed since it was captioned")) << r.error.toStdString();
  }
  EXPECT_EQ(bytes(photo), edited);
  EXPECT_EQ(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden), QStringList{"changed.jpg"});
}

TEST_F(CaptionWriter, RefusesToRelabelIptcTextOfAnotherCharacterSet) {
  const QString photo = makePhoto(dir.path(), "latin1.jpg");
  // An IPTC keyword in Latin-1 ("café"), without a character set: declaring UTF-8 would change it.
  QFile cmd(dir.path() + "/cmd.txt");
  ASSERT_TRUE(cmd.open(QIODevice::WriteOnly));
  cmd.write("add Iptc.Application2.Keywords caf\xe9\n");
  cmd.close();
  ASSERT_EQ(run("exiv2", {"-q", "-m", cmd.fileName(), photo}).code, 0);
  ASSERT_TRUE(run("exiv2", {"-q", "-K", "Iptc.Application2.Keywords", "-Pv", photo}).out.contains("caf\xe9"));
  const QByteArray original = bytes(photo);
  const TargetResult r = writeOne(photo, CaptionTarget::Embedded);
  EXPECT_EQ(r.outcome, WriteOutcome::Failed);
  EXPECT_TRUE(r.error.contains("character set other than UTF-8")) << r.error.toStdString();
  EXPECT_EQ(bytes(photo), original);
}

TEST_F(CaptionWriter, GifIsAClearErrorAndUntouched) {
  const QString photo = dir.path() + "/anim.gif";
  ASSERT_EQ(run("convert", {"-size", "16x16", "xc:red", photo}).code, 0);
  const QByteArray original = bytes(photo);
  const TargetResult r = writeOne(photo, CaptionTarget::Embedded);
  EXPECT_EQ(r.outcome, WriteOutcome::Failed);
  EXPECT_EQ(r.error, "exiv2 cannot write metadata into GIF files");
  EXPECT_EQ(bytes(photo), original);
  // A sidecar works for any photo.
  EXPECT_EQ(writeOne(photo, CaptionTarget::XmpSidecar).outcome, WriteOutcome::Written);
  EXPECT_EQ(bytes(photo), original);
}

TEST_F(CaptionWriter, FollowsASymlinkAndKeepsIt) {
  ASSERT_TRUE(QDir(dir.path()).mkdir("real"));
  ASSERT_TRUE(QDir(dir.path()).mkdir("links"));
  const QString target = makePhoto(dir.path() + "/real", "photo.jpg");
  const QString link = dir.path() + "/links/photo.jpg";
  ASSERT_EQ(::symlink("../real/photo.jpg", QFile::encodeName(link).constData()), 0);
  const TargetResult r = writeOne(link, CaptionTarget::Embedded);
  ASSERT_EQ(r.outcome, WriteOutcome::Written) << r.error.toStdString();
  struct stat st {};
  ASSERT_EQ(::lstat(QFile::encodeName(link).constData(), &st), 0);
  EXPECT_TRUE(S_ISLNK(st.st_mode));
  EXPECT_EQ(tag(target, "Exif.Image.ImageDescription"), kCaption);
  EXPECT_EQ(QDir(dir.path() + "/links").entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot),
            QStringList{"photo.jpg"});
  EXPECT_EQ(QDir(dir.path() + "/real").entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot),
            QStringList{"photo.jpg"});
}

TEST_F(CaptionWriter, RefusesSpecialFilesAndMissingPhotos) {
  const QString fifo = dir.path() + "/fifo.jpg";
  ASSERT_EQ(::mkfifo(QFile::encodeName(fifo).constData(), 0644), 0);
  for (auto target : {CaptionTarget::Embedded, CaptionTarget::Txt}) {
    const TargetResult r = writeOne(fifo, target);
    EXPECT_EQ(r.outcome, WriteOutcome::Failed);
    EXPECT_TRUE(r.error.contains("not a regular file")) << r.error.toStdString();
  }
  const TargetResult missing = writeOne(dir.path() + "/none.jpg", CaptionTarget::XmpSidecar);
  EXPECT_EQ(missing.outcome, WriteOutcome::Failed);
  EXPECT_EQ(missing.error, "file not found");
  EXPECT_FALSE(QFile::exists(dir.path() + "/none.jpg.xmp"));
  EXPECT_FALSE(QFile::exists(dir.path() + "/fifo.txt"));
}

TEST_F(CaptionWriter, FullDiskLeavesThePhotoIntact) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to mount a small tmpfs to fill";
  const QString mnt = dir.path() + "/small";
  ASSERT_TRUE(QDir(dir.path()).mkdir("small"));
  if (::mount("tmpfs", QFile::encodeName(mnt).constData(), "tmpfs", 0, "size=512k") != 0)
    GTEST_SKIP() << "cannot mount a tmpfs here: " << std::strerror(errno);
  struct Unmount {
    QByteArray at;
    ~Unmount() { ::umount2(at.constData(), MNT_DETACH); }
  } unmount{QFile::encodeName(mnt)};
  const QString photo = makePhoto(mnt, "full.png", {}, "200x150");
  const QByteArray original = bytes(photo);
  ASSERT_GT(original.size(), 10000);
  // Fill what is left.
  {
    QFile filler(mnt + "/filler");
    ASSERT_TRUE(filler.open(QIODevice::WriteOnly));
    const QByteArray block(4096, 'x');
    while (filler.write(block) == block.size() && filler.flush()) {
    }
  }
  const TargetResult r = writeOne(photo, CaptionTarget::Embedded);
  EXPECT_EQ(r.outcome, WriteOutcome::Failed);
  EXPECT_TRUE(r.error.contains("no space left on device")) << r.error.toStdString();
  EXPECT_EQ(bytes(photo), original);
  EXPECT_TRUE(strays(mnt).isEmpty()) << strays(mnt).join(' ').toStdString();
}

TEST(CaptionTargets, KeysAndPlannedFiles) {
  for (auto t :
       {CaptionTarget::Embedded, CaptionTarget::XmpSidecar, CaptionTarget::XmpSidecarShort, CaptionTarget::Txt})
    EXPECT_EQ(captionTargetFromKey(captionTargetKey(t)), t);
  EXPECT_FALSE(captionTargetFromKey("exif"));
  EXPECT_EQ(plannedFile("/p/a.b.JPG", CaptionTarget::XmpSidecar), "/p/a.b.JPG.xmp");
  EXPECT_EQ(plannedFile("/p/a.b.JPG", CaptionTarget::XmpSidecarShort), "/p/a.b.xmp");
  EXPECT_EQ(plannedFile("/p/a.b.JPG", CaptionTarget::Txt), "/p/a.b.txt");
  EXPECT_EQ(plannedFile("/p.d/photo", CaptionTarget::Txt), "/p.d/photo.txt");
  EXPECT_EQ(plannedFile("/p/.hidden", CaptionTarget::Txt), "/p/.hidden.txt");
  EXPECT_EQ(writeOutcomeKey(WriteOutcome::KeptExisting), "kept");
}

}  // namespace

int main(int argc, char** argv) {
  QCoreApplication app(argc, argv);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
