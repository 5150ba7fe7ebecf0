// Near-duplicates: the blocked all-pairs scan against a plain double loop, grouping of real copies
// (exact, resized, re-encoded) in a library indexed with the tiny model, the CLI command, and
// moving rejects to the freedesktop trash.
#include <gtest/gtest.h>

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QImage>
#include <QTemporaryDir>
#include <cmath>
#include <nlohmann/json.hpp>
#include <random>
#include <set>

#include "blip.h"
#include "cli_runner.h"
#include "desktop/thumbnails.h"
#include "library/duplicates.h"
#include "library/indexer.h"
#include "library/librarydatabase.h"
#include "library/scanner.h"
#include "library_fixtures.h"

using glimpse::test::runCli;
using namespace glimpse::library;
using glimpse::test::kTinyModel;
using glimpse::test::writePhoto;

namespace {

std::shared_ptr<LibraryDatabase> lend(LibraryDatabase& db) {
  return std::shared_ptr<LibraryDatabase>(std::shared_ptr<void>(), &db);
}

std::vector<float> randomUnitRows(int64_t rows, int dim, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal;
  std::vector<float> v(static_cast<size_t>(rows * dim));
  for (int64_t i = 0; i < rows; ++i) {
    double norm = 0;
    for (int k = 0; k < dim; ++k) {
      float& x = v[static_cast<size_t>(i * dim + k)];
      x = normal(rng);
      norm += static_cast<double>(x) * x;
    }
    for (int k = 0; k < dim; ++k) v[static_cast<size_t>(i * dim + k)] /= static_cast<float>(std::sqrt(norm));
  }
  return v;
}

// The groups of a partition, as sets of rows, only those of two or more.
std::set<std::set<int64_t>> groupsOf(DisjointSets& sets) {
  std::map<int64_t, std::set<int64_t>> m;
  for (int64_t i = 0; i < sets.size(); ++i) m[sets.find(i)].insert(i);
  std::set<std::set<int64_t>> out;
  for (auto& [root, g] : m)
    if (g.size() > 1) out.insert(g);
  return out;
}

TEST(DuplicateScan, EqualsADoubleLoopForAnyThreadCountAndShape) {
  // 1001 rows (not a multiple of the tile or the block), 40-d, with near copies planted.
  const int64_t n = 1001;
  const int dim = 40;
  auto v = randomUnitRows(n, dim, 7);
  std::mt19937 rng(11);
  for (auto [from, to] :
       std::vector<std::pair<int64_t, int64_t>>{{3, 998}, {3, 500}, {64, 65}, {0, 1000}, {127, 128}}) {
    for (int k = 0; k < dim; ++k)
      v[static_cast<size_t>(to * dim + k)] =
          v[static_cast<size_t>(from * dim + k)] + 0.02f * (static_cast<float>(rng() % 1000) / 1000.0f - 0.5f);
  }
  for (const float threshold : {0.95f, 0.5f, 0.3f}) {
    DisjointSets expected(n);
    int64_t pairs = 0;
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = i + 1; j < n; ++j) {
        float d = 0;
        for (int k = 0; k < dim; ++k) d += v[static_cast<size_t>(i * dim + k)] * v[static_cast<size_t>(j * dim + k)];
        if (d >= threshold) {
          expected.join(i, j);
          ++pairs;
        }
      }
    const auto want = groupsOf(expected);
    if (threshold == 0.95f) {
      EXPECT_EQ(want.size(), 4u);  // {3, 500, 998}, {64, 65}, {0, 1000}, {127, 128}
    }
    for (int threads : {1, 3}) {
      DisjointSets got(n);
      PairScanOptions o;
      o.threshold = threshold;
      o.threads = threads;
      const PairScanReport r = joinSimilarRows(v.data(), n, dim, got, o);
      EXPECT_FALSE(r.cancelled);
      // Sums in another order may move a pair right at the threshold; none is that close here.
      EXPECT_EQ(r.pairs, pairs) << threshold;
      EXPECT_EQ(groupsOf(got), want) << "threshold " << threshold << ", threads " << threads;
    }
  }
}

TEST(DuplicateScan, CancelStopsBeforeTheWork) {
  const auto v = randomUnitRows(300, 8, 3);
  DisjointSets sets(300);
  std::atomic<bool> cancel{true};
  PairScanOptions o;
  o.threshold = -1.0f;  // every pair would match
  o.cancel = &cancel;
  const PairScanReport r = joinSimilarRows(v.data(), 300, 8, sets, o);
  EXPECT_TRUE(r.cancelled);
  EXPECT_EQ(r.pairs, 0);
}

// A folder of photos and copies of one of them, indexed with the tiny model.
class DuplicateLibrary : public ::testing::Test {
 protected:
  void SetUp() override {
    root = dir.filePath("photos");
    // Photos of the size a camera would make them, so resizing and re-encoding change pixels.
    ASSERT_TRUE(writePhoto(root + "/beach.png", 1, 640, 480));
    for (int i = 0; i < 8; ++i)
      ASSERT_TRUE(writePhoto(root + QStringLiteral("/other_%1.png").arg(i), 20 + i, 640, 480));
    ASSERT_TRUE(QDir().mkpath(root + "/copies"));
    ASSERT_TRUE(QFile::copy(root + "/beach.png", root + "/copies/beach (1).png"));
    const QImage beach(root + "/beach.png");
    ASSERT_TRUE(
        beach.scaled(320, 240, Qt::KeepAspectRatio, Qt::SmoothTransformation).save(root + "/copies/beach_small.png"));
    ASSERT_TRUE(beach.save(root + "/copies/beach_q70.jpg", "JPEG", 70));
    db = std::make_unique<LibraryDatabase>(dir.filePath("lib.db"));
    db->addFolder(root);
    Scanner(*db).scan();
    model = glimpse::blip::BlipModel::load(kTinyModel);
    Indexer indexer(lend(*db), model);
    ASSERT_EQ(indexer.run().embedded, 12);
    modelId = indexer.modelId();
  }
  std::vector<float> vectorOf(const QString& name) { return *db->embedding(db->photoByPath(root + name)->id, modelId); }
  QTemporaryDir dir;
  QString root;
  std::unique_ptr<LibraryDatabase> db;
  std::shared_ptr<const glimpse::blip::BlipModel> model;
  QString modelId;
};

double cosine(const std::vector<float>& a, const std::vector<float>& b) {
  double s = 0;
  for (size_t i = 0; i < a.size(); ++i) s += static_cast<double>(a[i]) * b[i];
  return s;
}

TEST_F(DuplicateLibrary, CopiesGroupTogetherAndUnrelatedPhotosDoNot) {
  const QStringList copies = {"/beach.png", "/copies/beach (1).png", "/copies/beach_q70.jpg",
                              "/copies/beach_small.png"};
  // What the default threshold stands on (docs/performance.md): with the tiny model, copies of a
  // photo against unrelated photos.
  double lowestCopy = 1.0, highestUnrelated = -1.0;
  for (const QString& c : copies) lowestCopy = std::min(lowestCopy, cosine(vectorOf("/beach.png"), vectorOf(c)));
  for (int i = 0; i < 8; ++i) {
    highestUnrelated =
        std::max(highestUnrelated, cosine(vectorOf("/beach.png"), vectorOf(QStringLiteral("/other_%1.png").arg(i))));
    for (int j = i + 1; j < 8; ++j)
      highestUnrelated = std::max(highestUnrelated, cosine(vectorOf(QStringLiteral("/other_%1.png").arg(i)),
                                                           vectorOf(QStringLiteral("/other_%1.png").arg(j))));
  }
  std::cout << "tiny model: lowest cosine of a copy " << lowestCopy << ", highest cosine of unrelated photos "
            << highestUnrelated << '\n';
  EXPECT_GE(lowestCopy, kDuplicateThreshold);
  EXPECT_LT(highestUnrelated, kDuplicateThreshold);

  const DuplicateReport r = findDuplicates(*db, {}, kDuplicateThreshold);
  EXPECT_EQ(r.model, modelId);
  EXPECT_EQ(r.vectors, 12);
  ASSERT_EQ(r.groups.size(), 1);
  const DuplicateGroup& g = r.groups.front();
  QStringList paths;
  for (const auto& p : g.photos) paths << p.path;
  QStringList want;
  for (const QString& c : copies) want << root + c;
  want.sort();
  EXPECT_EQ(paths, want);
  EXPECT_FALSE(g.exact);
  EXPECT_NEAR(g.similarity, lowestCopy, 1e-5);
  for (const auto& p : g.photos) {
    EXPECT_GT(p.size, 0);
    EXPECT_GT(p.width, 0);
    EXPECT_EQ(p.hash.size(), 64);
  }
  EXPECT_EQ(g.photos[0].width, 640);  // beach (1).png
  EXPECT_EQ(g.photos[3].width, 320);  // beach_small.png

  // Exact copies group by content even where vectors would not join them.
  const DuplicateReport exactOnly = findDuplicates(*db, {}, 1.01);
  ASSERT_EQ(exactOnly.groups.size(), 1);
  EXPECT_TRUE(exactOnly.groups[0].exact);
  EXPECT_EQ(exactOnly.groups[0].similarity, 1.0);
  EXPECT_EQ(exactOnly.groups[0].photos.size(), 2);
}

TEST_F(DuplicateLibrary, CliPrintsTheGroups) {
  const QString lib = dir.filePath("lib.db");
  db.reset();  // the CLI opens the file itself
  auto [c1, o1, e1] = runCli({"library", "--library", lib, "duplicates", "--json"});
  ASSERT_EQ(c1, 0) << e1;
  const auto j = nlohmann::json::parse(o1);
  ASSERT_EQ(j["groups"].size(), 1u);
  const auto& g = j["groups"][0];
  EXPECT_EQ(g["paths"].size(), 4u);
  EXPECT_EQ(g["paths"][0], (root + "/beach.png").toStdString());
  EXPECT_GE(g["similarity"].get<double>(), kDuplicateThreshold);
  EXPECT_FALSE(g["exact"].get<bool>());
  EXPECT_EQ(g["photos"][0]["width"], 640);
  EXPECT_EQ(g["photos"][0]["sha256"].get<std::string>().size(), 64u);
  EXPECT_EQ(j["vectors"], 12);
  // A threshold only exact copies pass, through the same model given by its folder.
  auto [c2, o2, e2] = runCli({"library", "--library", lib, "--model", QString::fromStdString(kTinyModel.string()),
                              "duplicates", "--threshold", "1", "--json"});
  ASSERT_EQ(c2, 0) << e2;
  const auto j2 = nlohmann::json::parse(o2);
  ASSERT_EQ(j2["groups"].size(), 1u);
  EXPECT_TRUE(j2["groups"][0]["exact"].get<bool>());
  auto [c3, o3, e3] = runCli({"library", "--library", lib, "duplicates", "--threshold", "1.5"});
  EXPECT_EQ(c3, 2);
  EXPECT_NE(e3.find("--threshold"), std::string::npos);
  auto [c4, o4, e4] = runCli({"library", "--library", lib, "duplicates"});
  ASSERT_EQ(c4, 0) << e4;
  EXPECT_NE(o4.find("beach_small.png"), std::string::npos);
  EXPECT_TRUE(QFile::exists(root + "/copies/beach_small.png"));  // nothing is deleted
}

TEST(Sharpness, BlurLowersItAndAFlatImageHasNone) {
  QTemporaryDir dir;
  ASSERT_TRUE(writePhoto(dir.filePath("p.png"), 4, 640, 480));
  const QImage photo(dir.filePath("p.png"));
  const QImage blurred = photo.scaled(160, 120, Qt::IgnoreAspectRatio, Qt::SmoothTransformation)
                             .scaled(640, 480, Qt::IgnoreAspectRatio, Qt::SmoothTransformation);
  EXPECT_GT(sharpness(photo), 2 * sharpness(blurred));
  QImage flat(64, 64, QImage::Format_RGB888);
  flat.fill(Qt::gray);
  EXPECT_EQ(sharpness(flat), 0.0);
  EXPECT_EQ(sharpness(QImage()), 0.0);
}

TEST(Trash, MovesIntoTheFreedesktopTrashWithItsInfo) {
  QTemporaryDir dir;
  const QString data = dir.filePath("data");
  QDir().mkpath(data);
  qputenv("XDG_DATA_HOME", data.toUtf8());
  ASSERT_TRUE(writePhoto(dir.filePath("photos/reject.png"), 3));
  LibraryDatabase db(dir.filePath("lib.db"));
  db.addFolder(dir.filePath("photos"));
  Scanner(db).scan();
  ASSERT_TRUE(db.photoByPath(dir.filePath("photos/reject.png")));
  // Its thumbnails, in a cache of the test's own.
  qputenv("XDG_CACHE_HOME", dir.filePath("cache").toUtf8());
  const QString reject = dir.filePath("photos/reject.png");
  ASSERT_TRUE(glimpse::desktop::writeThumbnail(reject, glimpse::desktop::ThumbnailFlavor::Large, QImage(reject)));
  ASSERT_TRUE(glimpse::desktop::writeFailedThumbnail(reject));
  const TrashReport r = moveToTrash(db, {dir.filePath("photos/reject.png"), dir.filePath("photos/missing.png")});
  ASSERT_EQ(r.moved.size(), 1);
  EXPECT_EQ(r.moved[0], dir.filePath("photos/reject.png"));
  ASSERT_EQ(r.errors.size(), 1);
  EXPECT_TRUE(r.errors[0].contains(QLatin1String("missing.png")));
  EXPECT_FALSE(QFile::exists(dir.filePath("photos/reject.png")));
  EXPECT_TRUE(QFile::exists(data + "/Trash/files/reject.png"));
  QFile info(data + "/Trash/info/reject.png.trashinfo");
  ASSERT_TRUE(info.open(QIODevice::ReadOnly));
  const QString text = QString::fromUtf8(info.readAll());
  EXPECT_TRUE(text.contains(QLatin1String("[Trash Info]")));
  EXPECT_TRUE(text.contains(QLatin1String("reject.png")));
  // The library forgets the photo (its file is in the trash, not lost); its thumbnails are gone.
  EXPECT_FALSE(db.photoByPath(dir.filePath("photos/reject.png")));
  EXPECT_FALSE(QFile::exists(glimpse::desktop::thumbnailPath(reject, glimpse::desktop::ThumbnailFlavor::Large)));
  EXPECT_FALSE(QFile::exists(glimpse::desktop::failedThumbnailPath(reject)));
  qunsetenv("XDG_DATA_HOME");
  qunsetenv("XDG_CACHE_HOME");
}

// A thumbnail being made when its photo goes to the trash is not left behind in the cache: the
// trash runs between "rendered" and "put in place" (the test seam), and afterwards the cache holds
// nothing of the photo. A photo that stays keeps the thumbnail made the same way.
TEST(Trash, AThumbnailMadeWhileItsPhotoGoesToTheTrashIsNotLeftBehind) {
  QTemporaryDir dir;
  qputenv("XDG_DATA_HOME", dir.filePath("data").toUtf8());
  qputenv("XDG_CACHE_HOME", dir.filePath("cache").toUtf8());
  const QString reject = dir.filePath("photos/reject.png"), keep = dir.filePath("photos/keep.png");
  ASSERT_TRUE(writePhoto(reject, 3, 400, 300));
  ASSERT_TRUE(writePhoto(keep, 4, 400, 300));
  LibraryDatabase db(dir.filePath("lib.db"));
  db.addFolder(dir.filePath("photos"));
  Scanner(db).scan();
  TrashReport report;
  int hooked = 0;
  glimpse::desktop::setThumbnailWriteHookForTesting([&](const QString& path) {
    ++hooked;
    if (path == reject) report = moveToTrash(db, {reject});
  });
  const auto render = [](const QString& path, QSize) { return QImage(path); };
  const QSize box(256, 256);                                                      // the large flavour
  EXPECT_FALSE(glimpse::desktop::cachedThumbnail(reject, box, render).isNull());  // shown, not kept
  EXPECT_FALSE(glimpse::desktop::cachedThumbnail(keep, box, render).isNull());
  glimpse::desktop::setThumbnailWriteHookForTesting({});
  EXPECT_EQ(hooked, 2);
  ASSERT_EQ(report.moved, QStringList{reject});
  EXPECT_FALSE(QFile::exists(reject));
  EXPECT_FALSE(db.photoByPath(reject));
  const auto large = glimpse::desktop::ThumbnailFlavor::Large;
  EXPECT_FALSE(QFile::exists(glimpse::desktop::thumbnailPath(reject, large)));
  EXPECT_TRUE(QFile::exists(glimpse::desktop::thumbnailPath(keep, large)));
  EXPECT_FALSE(glimpse::desktop::readThumbnail(keep, large).isNull());
  // Nothing else in the folder either (no temporary file left).
  EXPECT_EQ(QDir(dir.filePath("cache/thumbnails/large")).entryList(QDir::Files),
            QStringList{glimpse::desktop::thumbnailKey(keep) + ".png"});
  qunsetenv("XDG_DATA_HOME");
  qunsetenv("XDG_CACHE_HOME");
}

}  // namespace

int main(int argc, char** argv) {
  QCoreApplication app(argc, argv);
  glimpse::blip::init_torch_threads();
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
