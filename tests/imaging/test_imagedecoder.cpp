// ImageDecoder on real and bad input: EXIF orientation, colour modes, limits, and files that are
// empty, truncated, not images, unreadable or too large. Includes a mutation fuzz.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>
#include <QBuffer>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QImage>
#include <QImageWriter>
#include <QTemporaryDir>
#include <QThread>
#include <QThreadPool>
#include <QtConcurrent/QtConcurrentRun>
#include <atomic>
#include <random>

#include "golden.h"
#include "imaging/imagedecoder.h"
#include "io/files.h"

using glimpse::imaging::DecodeBudget;
using glimpse::imaging::decodeImageData;
using glimpse::imaging::decodeImageFile;
using glimpse::imaging::DecodeOptions;
using glimpse::imaging::ImageDecodeError;

namespace {

const QString kImages = QString::fromUtf8(GLIMPSE_TEST_DATA_DIR) + "/tiny/images/";

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const ImageDecodeError& e) {
    return e.what();
  }
  return "<no error>";
}

QByteArray read_file(const QString& path) {
  QFile f(path);
  f.open(QIODevice::ReadOnly);
  return f.readAll();
}

TEST(ImageDecoder, AppliesExifOrientationWhenAsked) {
  DecodeOptions raw;
  raw.applyExifOrientation = false;
  const auto stored = decodeImageFile(kImages + "exif6_40x24.jpg", raw);
  const auto upright = decodeImageFile(kImages + "exif6_40x24.jpg");
  EXPECT_EQ(stored.rgb.width, 40);
  EXPECT_EQ(stored.rgb.height, 24);
  EXPECT_FALSE(stored.oriented);
  // Orientation 6: rotate 90 degrees clockwise.
  ASSERT_EQ(upright.rgb.width, 24);
  ASSERT_EQ(upright.rgb.height, 40);
  EXPECT_TRUE(upright.oriented);
  for (int y = 0; y < upright.rgb.height; ++y)
    for (int x = 0; x < upright.rgb.width; ++x)
      for (int c = 0; c < 3; ++c)
        ASSERT_EQ(upright.rgb.pixels[(y * 24 + x) * 3 + c], stored.rgb.pixels[((23 - x) * 40 + y) * 3 + c]);
}

TEST(ImageDecoder, OrientationTransformsAreConsistent) {
  glimpse::blip::Rgb8Image img{3, 2, {}};
  for (int i = 0; i < 18; ++i) img.pixels.push_back(static_cast<uint8_t>(i));
  using glimpse::imaging::applyOrientation;
  // 6 then 8 is the identity; 3 twice is the identity; 2 twice, 4 twice, 5 twice, 7 twice too.
  EXPECT_EQ(applyOrientation(applyOrientation(img, 6), 8).pixels, img.pixels);
  for (int o : {2, 3, 4, 5, 7}) EXPECT_EQ(applyOrientation(applyOrientation(img, o), o).pixels, img.pixels) << o;
  EXPECT_EQ(applyOrientation(img, 6).width, 2);
}

TEST(ImageDecoder, SixteenBitAndMonochromeImages) {
  QTemporaryDir dir;
  QImage wide(4, 2, QImage::Format_RGBA64);
  wide.fill(QColor::fromRgba64(0x1234, 0xABCD, 0xFFFF, 0x0000));
  ASSERT_TRUE(wide.save(dir.filePath("wide.png")));
  const auto a = decodeImageFile(dir.filePath("wide.png"));
  // High byte of each 16-bit channel; alpha dropped without compositing.
  EXPECT_EQ(a.rgb.pixels[0], 0x12);
  EXPECT_EQ(a.rgb.pixels[1], 0xAB);
  EXPECT_EQ(a.rgb.pixels[2], 0xFF);
  QImage mono(8, 1, QImage::Format_Mono);
  mono.fill(0);
  mono.setPixel(3, 0, 1);
  mono.setColor(0, qRgb(0, 0, 0));
  mono.setColor(1, qRgb(255, 255, 255));
  ASSERT_TRUE(mono.save(dir.filePath("mono.png")));
  const auto m = decodeImageFile(dir.filePath("mono.png"));
  EXPECT_EQ(m.rgb.pixels[3 * 3], 255);
  EXPECT_EQ(m.rgb.pixels[2 * 3], 0);
}

TEST(ImageDecoder, BadFilesGetClearErrors) {
  QTemporaryDir dir;
  EXPECT_NE(error_of([&] { decodeImageFile(dir.filePath("missing.png")); }).find("file not found"), std::string::npos);
  QFile empty(dir.filePath("empty.jpg"));
  empty.open(QIODevice::WriteOnly);
  empty.close();
  EXPECT_NE(error_of([&] { decodeImageFile(dir.filePath("empty.jpg")); }).find("empty (0 bytes)"), std::string::npos);
  QFile text(dir.filePath("notes.png"));
  text.open(QIODevice::WriteOnly);
  text.write("this is not an image, just text pretending to be a png");
  text.close();
  EXPECT_NE(error_of([&] { decodeImageFile(dir.filePath("notes.png")); }).find("not an image"), std::string::npos);
  EXPECT_NE(error_of([&] { decodeImageFile(dir.path()); }).find("folder"), std::string::npos);
  if (::geteuid() != 0) {
    QFile locked(dir.filePath("locked.png"));
    locked.open(QIODevice::WriteOnly);
    locked.write(read_file(kImages + "grad_97x61.png"));
    locked.close();
    locked.setPermissions(QFileDevice::Permissions());
    EXPECT_NE(error_of([&] { decodeImageFile(dir.filePath("locked.png")); }).find("permission denied"),
              std::string::npos);
  }
}

TEST(ImageDecoder, TruncatedPngIsAnError) {
  const QByteArray png = read_file(kImages + "grad_97x61.png");
  ASSERT_FALSE(png.isEmpty());
  const std::string msg = error_of([&] { decodeImageData(png.left(png.size() / 2), "half.png"); });
  EXPECT_NE(msg.find("half.png"), std::string::npos) << msg;
  EXPECT_NE(msg.find("the PNG data ends early"), std::string::npos) << msg;
}

TEST(ImageDecoder, TruncatedJpegIsAnError) {
  const QByteArray jpg = read_file(kImages + "photo_120x90.jpg");
  ASSERT_FALSE(jpg.isEmpty());
  const std::string msg = error_of([&] { decodeImageData(jpg.left(jpg.size() * 2 / 3), "cut.jpg"); });
  EXPECT_NE(msg.find("cut.jpg"), std::string::npos) << msg;
}

TEST(ImageDecoder, PixelLimitStopsDecompressionBombs) {
  // large_3000x2000.png is 6 megapixels; a 5-megapixel limit must refuse it before decoding.
  DecodeOptions o;
  o.maxPixels = 5'000'000;
  const std::string msg = error_of([&] { decodeImageFile(kImages + "large_3000x2000.png", o); });
  EXPECT_NE(msg.find("3000 x 2000"), std::string::npos) << msg;
  EXPECT_NE(msg.find("over the limit"), std::string::npos) << msg;
  // A PNG whose header claims 100000 x 100000 pixels (10 gigapixels) with almost no data.
  QImage tiny(1, 1, QImage::Format_RGB888);
  tiny.fill(Qt::red);
  QByteArray bytes;
  QBuffer buf(&bytes);
  buf.open(QIODevice::WriteOnly);
  tiny.save(&buf, "PNG");
  // IHDR width/height live at offsets 16 and 20 (big endian); the CRC no longer matches, which
  // the decoder must also survive.
  auto put32 = [&](int at, uint32_t v) {
    for (int i = 0; i < 4; ++i) bytes[at + i] = static_cast<char>((v >> (24 - 8 * i)) & 0xFF);
  };
  put32(16, 100000);
  put32(20, 100000);
  EXPECT_NE(error_of([&] { decodeImageData(bytes, "bomb.png"); }), "<no error>");
}

TEST(ImageDecoder, FuzzedImagesNeverCrash) {
  std::mt19937 rng(7);
  int decoded = 0, errors = 0;
  for (const char* name : {"photo_120x90.jpg", "grad_97x61.png", "palette_33x47.png", "cmyk_48x36.jpg",
                           "exif6_40x24.jpg", "rgba_70x70.png"}) {
    const QByteArray original = read_file(kImages + name);
    for (int i = 0; i < 80; ++i) {
      QByteArray b = original;
      if (i % 3 == 0) b.truncate(static_cast<qsizetype>(rng() % b.size()));
      for (int k = 0; k < 1 + static_cast<int>(rng() % 6); ++k)
        if (!b.isEmpty()) b[static_cast<qsizetype>(rng() % b.size())] = static_cast<char>(rng());
      try {
        decodeImageData(b, name);
        ++decoded;
      } catch (const ImageDecodeError&) {
        ++errors;
      }
    }
  }
  EXPECT_GT(errors, 0);
  EXPECT_GT(decoded + errors, 0);
}

// ---- Hostile input: formats, truncation, marker bombs, special files, shared memory ----

// A picture with detail everywhere, so every format needs data all through the file.
QImage noisyImage(int w, int h) {
  std::mt19937 rng(3);
  QImage img(w, h, QImage::Format_RGB888);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) img.setPixel(x, y, qRgb(static_cast<int>(rng() % 256), (x * 4) % 256, (y * 5) % 256));
  return img;
}

QByteArray encoded(const QImage& img, const char* format) {
  QByteArray bytes;
  QBuffer buf(&bytes);
  buf.open(QIODevice::WriteOnly);
  QImageWriter w(&buf, format);
  if (!w.write(img)) return {};
  return bytes;
}

// A GIF (Qt writes none): 8-bit codes sent as 9-bit literals with a clear code every 250, so the
// LZW table never grows past 9 bits.
QByteArray makeGif(int w, int h) {
  QByteArray g("GIF89a");
  auto le16 = [&](int v) {
    g += static_cast<char>(v & 0xFF);
    g += static_cast<char>(v >> 8);
  };
  le16(w);
  le16(h);
  g += '\xF7';  // global colour table of 256 entries
  g += '\0';
  g += '\0';
  for (int i = 0; i < 256; ++i)
    for (int c : {i, 255 - i, i / 2}) g += static_cast<char>(c);
  g += ',';
  le16(0);
  le16(0);
  le16(w);
  le16(h);
  g += '\0';
  g += '\x08';  // LZW minimum code size
  QByteArray codes;
  uint32_t acc = 0;
  int bits = 0;
  auto put = [&](int code) {
    acc |= static_cast<uint32_t>(code) << bits;
    bits += 9;
    while (bits >= 8) {
      codes += static_cast<char>(acc & 0xFF);
      acc >>= 8;
      bits -= 8;
    }
  };
  for (int i = 0; i < w * h; ++i) {
    if (i % 250 == 0) put(256);
    put((i * 7 + i / w) % 256);
  }
  put(257);
  if (bits > 0) codes += static_cast<char>(acc & 0xFF);
  for (qsizetype at = 0; at < codes.size(); at += 255) {
    const QByteArray block = codes.mid(at, 255);
    g += static_cast<char>(block.size());
    g += block;
  }
  g += '\0';
  g += ';';
  return g;
}

// Every photo format this system decodes, as bytes.
std::vector<std::pair<QByteArray, QByteArray>> photoSamples() {
  std::vector<std::pair<QByteArray, QByteArray>> out;
  const QImage img = noisyImage(64, 48);
  for (const char* f : {"jpeg", "png", "bmp", "tiff", "webp"}) {
    const QByteArray b = encoded(img, f);
    if (!b.isEmpty()) out.emplace_back(f, b);
  }
  out.emplace_back("gif", makeGif(64, 48));
  return out;
}

TEST(HostileImages, SvgAndOtherNonPhotoFormatsAreRefusedWhateverTheName) {
  // An SVG with text made Qt's SVG plugin abort the whole process (it needs a GUI application for
  // fonts); this test runs under QCoreApplication, so reaching that plugin would end it.
  const QByteArray svg =
      R"(<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><text x="1" y="8">hi</text></svg>)";
  QTemporaryDir dir;
  for (const char* name : {"t.jpg", "t.svg", "t.png", "t"}) {
    QFile f(dir.filePath(name));
    ASSERT_TRUE(f.open(QIODevice::WriteOnly));
    f.write(svg);
    f.close();
    const std::string msg = error_of([&] { decodeImageFile(dir.filePath(name)); });
    EXPECT_NE(msg.find("not an image in a supported format"), std::string::npos) << name << ": " << msg;
  }
  EXPECT_NE(error_of([&] { decodeImageData(svg, "gz.svgz"); }).find("not an image"), std::string::npos);
  // Formats Qt has plugins for that are no photos: never handed to those plugins.
  const QImage img = noisyImage(16, 12);
  int tried = 0;
  for (const char* f : {"ico", "cur", "ppm", "pgm", "pbm", "xpm", "xbm", "wbmp", "icns", "tga"}) {
    const QByteArray b = encoded(img, f);
    if (b.isEmpty()) continue;
    ++tried;
    const std::string msg = error_of([&] { decodeImageData(b, QStringLiteral("icon.png")); });
    EXPECT_NE(msg.find("not an image in a supported format"), std::string::npos) << f << ": " << msg;
  }
  EXPECT_GE(tried, 4);
}

TEST(HostileImages, PhotoFormatsAreRecognisedByContentNotName) {
  for (const auto& [format, bytes] : photoSamples()) {
    EXPECT_EQ(glimpse::imaging::sniffPhotoFormat(bytes), format);
    const auto d = decodeImageData(bytes, QStringLiteral("photo.svg"));
    EXPECT_EQ(d.format, format);
    EXPECT_EQ(d.rgb.width, 64) << format.constData();
    EXPECT_EQ(d.rgb.height, 48) << format.constData();
  }
  const QStringList exts = glimpse::imaging::photoFileExtensions();
  for (const char* e : {"jpg", "jpeg", "png", "gif", "bmp", "tif", "tiff"})
    EXPECT_TRUE(exts.contains(QLatin1String(e))) << e;
  for (const char* e : {"svg", "svgz", "ico", "tga", "xpm", "ppm"}) EXPECT_FALSE(exts.contains(QLatin1String(e))) << e;
}

TEST(HostileImages, TruncatedImagesOfEveryFormatAreRefused) {
  for (const auto& [format, bytes] : photoSamples()) {
    for (const qsizetype cut : {bytes.size() / 4, bytes.size() / 2, bytes.size() * 3 / 4, bytes.size() - 2}) {
      const std::string msg =
          error_of([&, &bytes = bytes] { decodeImageData(bytes.left(cut), QStringLiteral("cut")); });
      EXPECT_NE(msg, "<no error>") << format.constData() << " cut at " << cut << " of " << bytes.size();
    }
  }
}

// A JPEG with `count` empty comment segments after SOI.
QByteArray jpegWithComments(const QByteArray& jpeg, int count) {
  QByteArray com;
  com.reserve(count * 4);
  for (int i = 0; i < count; ++i) com += QByteArray("\xFF\xFE\x00\x02", 4);
  return jpeg.left(2) + com + jpeg.mid(2);
}

// A progressive JPEG whose first scan is repeated `count` times (libjpeg runs every scan over the
// whole coefficient buffer).
QByteArray jpegWithScans(int count) {
  QByteArray bytes;
  QBuffer buf(&bytes);
  buf.open(QIODevice::WriteOnly);
  QImageWriter w(&buf, "jpeg");
  w.setProgressiveScanWrite(true);
  EXPECT_TRUE(w.write(noisyImage(64, 48)));
  const qsizetype sos = bytes.indexOf(QByteArray("\xFF\xDA", 2));
  qsizetype next = sos + 2;
  while (true) {  // end of the first scan's data: the next marker that is not stuffing or RSTn
    next = bytes.indexOf('\xFF', next + 1);
    const auto m = static_cast<uint8_t>(bytes[next + 1]);
    if (m != 0x00 && !(m >= 0xD0 && m <= 0xD7)) break;
  }
  return bytes.left(next) + bytes.mid(sos, next - sos).repeated(count) + bytes.mid(next);
}

TEST(HostileImages, JpegMarkerAndScanBombsAreRefusedBeforeDecoding) {
  const QByteArray jpg = read_file(kImages + "photo_120x90.jpg");
  ASSERT_FALSE(jpg.isEmpty());
  // Many markers are fine up to the limit...
  EXPECT_EQ(decodeImageData(jpegWithComments(jpg, 500), "some_comments.jpg").rgb.width, 120);
  // ...and 200,000 comment markers (took minutes: libjpeg keeps them in a list walked per marker)
  // are refused at once.
  QElapsedTimer t;
  t.start();
  std::string msg = error_of([&] { decodeImageData(jpegWithComments(jpg, 200000), "comments.jpg"); });
  EXPECT_NE(msg.find("marker segments, over the limit"), std::string::npos) << msg;
  EXPECT_LT(t.elapsed(), 2000);
  // Progressive files: an ordinary one decodes; thousands of scans are refused at once.
  EXPECT_EQ(decodeImageData(jpegWithScans(0), "progressive.jpg").rgb.width, 64);
  t.restart();
  msg = error_of([&] { decodeImageData(jpegWithScans(5000), "scans.jpg"); });
  EXPECT_NE(msg.find("scans, over the limit"), std::string::npos) << msg;
  EXPECT_LT(t.elapsed(), 2000);
}

TEST(HostileImages, SpecialFilesAndSymlinkLoopsAreNamedAndNeverBlockOn) {
  QTemporaryDir dir;
  const QString fifo = dir.filePath("pipe.jpg");
  ASSERT_EQ(::mkfifo(QFile::encodeName(fifo).constData(), 0644), 0);
  std::string msg = error_of([&] { decodeImageFile(fifo); });  // no writer: opening it would block
  EXPECT_NE(msg.find("not a regular file (it is a FIFO)"), std::string::npos) << msg;
  msg = error_of([&] { decodeImageFile(QStringLiteral("/dev/zero")); });
  EXPECT_NE(msg.find("not a regular file (it is a character device)"), std::string::npos) << msg;
  ASSERT_TRUE(QFile::link(dir.filePath("b.jpg"), dir.filePath("a.jpg")));
  ASSERT_TRUE(QFile::link(dir.filePath("a.jpg"), dir.filePath("b.jpg")));
  msg = error_of([&] { decodeImageFile(dir.filePath("a.jpg")); });
  EXPECT_NE(msg.find("too many levels of symbolic links"), std::string::npos) << msg;
  EXPECT_NE(error_of([&] { decodeImageFile(dir.filePath("gone/x.jpg")); }).find("file not found"), std::string::npos);
}

TEST(HostileImages, NamesThatAreNotUtf8AreDecoded) {
  QTemporaryDir dir;
  const QByteArray raw = QFile::encodeName(dir.path()) + "/caf\xE9_\xFF.png";  // Latin-1 and a stray byte
  const QString name = glimpse::io::decodePath(raw);
  EXPECT_EQ(glimpse::io::encodePath(name), raw);
  EXPECT_FALSE(name.contains(QChar::ReplacementCharacter));
  ASSERT_TRUE(QFile::copy(kImages + "grad_97x61.png", dir.filePath("plain.png")));
  ASSERT_EQ(::rename(QFile::encodeName(dir.filePath("plain.png")).constData(), raw.constData()), 0);
  EXPECT_EQ(decodeImageFile(name).rgb.width, 97);
  ::unlink(raw.constData());  // QTemporaryDir cannot remove names that are not UTF-8
  // Valid UTF-8 is plain UTF-8, and the escape range itself round-trips.
  for (const char* s : {"/photos/été/日本.jpg", "/x/\xEF\x9F\xBF.png", "/x/\xC0\xAF", "/x/\xED\xA0\x80"}) {
    const QByteArray b(s);
    EXPECT_EQ(glimpse::io::encodePath(glimpse::io::decodePath(b)), b) << s;
  }
  EXPECT_EQ(glimpse::io::decodePath("/photos/été.jpg"), QStringLiteral("/photos/été.jpg"));
}

TEST(DecodeMemory, ParallelDecodesShareTheBudget) {
  DecodeBudget budget(qint64{10} << 20);
  {
    auto all = budget.acquire(qint64{100} << 20);  // larger than the budget: all of it, alone
    EXPECT_EQ(budget.availableMiB(), 0);
  }
  EXPECT_EQ(budget.availableMiB(), 10);
  auto maxInFlight = [&](qint64 bytes) {
    std::atomic<int> now{0}, most{0};
    QList<QFuture<void>> tasks;
    QThreadPool pool;
    pool.setMaxThreadCount(8);
    for (int i = 0; i < 8; ++i)
      tasks << QtConcurrent::run(&pool, [&] {
        auto lease = budget.acquire(bytes);
        const int n = ++now;
        int m = most.load();
        while (n > m && !most.compare_exchange_weak(m, n)) {
        }
        QThread::msleep(20);
        --now;
      });
    for (auto& t : tasks) t.waitForFinished();
    return most.load();
  };
  EXPECT_EQ(maxInFlight(qint64{6} << 20), 1);
  EXPECT_LE(maxInFlight(qint64{3} << 20), 3);
  EXPECT_GT(maxInFlight(qint64{3} << 20), 0);
  // A decode holds its estimate only while it runs, failed ones too.
  DecodeOptions o;
  o.budget = &budget;
  EXPECT_EQ(decodeImageFile(kImages + "large_3000x2000.png", o).rgb.width, 3000);
  EXPECT_NE(error_of([&] { decodeImageData(read_file(kImages + "grad_97x61.png").left(300), "cut.png", o); }),
            "<no error>");
  EXPECT_EQ(budget.availableMiB(), 10);
  EXPECT_GT(glimpse::imaging::decodeMemoryEstimate(13000, 13000), qint64{1} << 30);
}

}  // namespace

int main(int argc, char** argv) {
  QCoreApplication app(argc, argv);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
