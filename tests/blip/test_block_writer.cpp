// BlockWriter (block_writer.h): a stream of bytes reaches its sink only in whole blocks that end
// on a multiple of 2 MiB in the file, from any starting offset and in any piece sizes, with the
// bytes unchanged; write_file_in_blocks writes a file through it and names a full disk.
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "block_writer.h"
#include "errors.h"

namespace glimpse::blip {
namespace {

constexpr int64_t kBlock = BlockWriter::kBlock;

struct Call {
  int64_t offset;
  int64_t size;
  const char* data;
};

// Bytes of a pattern no two blocks share, so that a misplaced piece shows.
std::string patternBytes(int64_t n, uint32_t seed) {
  std::string s(static_cast<size_t>(n), '\0');
  std::mt19937 g(seed);
  for (auto& c : s) c = static_cast<char>(g());
  return s;
}

TEST(BlockWriter, HandsWholeAlignedBlocksFromAnyStartAndKeepsTheRestUntilFlushed) {
  std::mt19937 g(7);
  for (const int64_t start : {int64_t{0}, int64_t{1}, kBlock - 1, kBlock, kBlock + 12345, 3 * kBlock / 2}) {
    const std::string in = patternBytes(4 * kBlock + 777, static_cast<uint32_t>(start));
    std::string out;
    std::vector<Call> calls;
    BlockWriter w(start, [&](const char* data, int64_t size) {
      calls.push_back({start + static_cast<int64_t>(out.size()), size, data});
      out.append(data, static_cast<size_t>(size));
      return true;
    });
    // Pieces from a byte to a few blocks, as a network or a tensor list gives them.
    for (size_t at = 0; at < in.size();) {
      const size_t piece = std::min(in.size() - at, static_cast<size_t>(std::uniform_int_distribution<int64_t>(
                                                        1, (g() % 4 == 0 ? 3 * kBlock : 70000))(g)));
      ASSERT_TRUE(w.write(in.data() + at, static_cast<int64_t>(piece)));
      at += piece;
      // What the sink has ends on the last boundary the stream passed.
      const int64_t end = start + static_cast<int64_t>(at);
      const int64_t boundary = end / kBlock * kBlock;
      EXPECT_EQ(w.written(), std::max(start, boundary)) << "start " << start << " at " << at;
      EXPECT_EQ(w.offset(), end);
    }
    ASSERT_FALSE(calls.empty());
    for (const Call& c : calls) EXPECT_EQ((c.offset + c.size) % kBlock, 0) << "start " << start;
    // Only the first may start off a boundary (a resumed stream); the others start where one ended.
    for (size_t i = 1; i < calls.size(); ++i) EXPECT_EQ(calls[i].offset % kBlock, 0);
    ASSERT_TRUE(w.flush());
    EXPECT_EQ(calls.back().size, (start + static_cast<int64_t>(in.size())) % kBlock);  // the tail, at flush
    EXPECT_EQ(w.written(), start + static_cast<int64_t>(in.size()));
    EXPECT_EQ(out, in) << "start " << start;
    ASSERT_TRUE(w.flush());  // nothing kept: nothing more handed
    EXPECT_EQ(out.size(), in.size());
  }
}

TEST(BlockWriter, WholeAlignedBlocksGoToTheSinkWithoutACopy) {
  const std::string in = patternBytes(3 * kBlock + 5, 1);
  std::vector<Call> calls;
  BlockWriter w(0, [&](const char* data, int64_t size) {
    calls.push_back({0, size, data});
    return true;
  });
  ASSERT_TRUE(w.write(in.data(), static_cast<int64_t>(in.size())));
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].data, in.data());  // the caller's own bytes
  EXPECT_EQ(calls[0].size, 3 * kBlock);
  // A resumed stream: up to the boundary and the whole blocks after it in one call, still uncopied.
  calls.clear();
  BlockWriter resumed(kBlock - 100, [&](const char* data, int64_t size) {
    calls.push_back({0, size, data});
    return true;
  });
  ASSERT_TRUE(resumed.write(in.data(), 100 + 2 * kBlock + 5));
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].data, in.data());
  EXPECT_EQ(calls[0].size, 100 + 2 * kBlock);
}

TEST(BlockWriter, AFailedSinkStopsTheStream) {
  int calls = 0;
  BlockWriter w(0, [&](const char*, int64_t) { return ++calls < 2; });
  const std::string in = patternBytes(kBlock, 2);
  EXPECT_TRUE(w.write(in.data(), kBlock));   // the first block is written
  EXPECT_FALSE(w.write(in.data(), kBlock));  // the second is not
  EXPECT_TRUE(w.failed());
  EXPECT_FALSE(w.write(in.data(), 10));
  EXPECT_FALSE(w.flush());
  EXPECT_EQ(calls, 2);  // nothing handed after the failure
  EXPECT_EQ(w.written(), kBlock);
}

class TempDir : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("glimpse-block-writer-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  static std::string read(const std::filesystem::path& p) {
    std::ifstream f(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
  }
  std::filesystem::path dir_;
};

using WriteFileInBlocks = TempDir;

TEST_F(WriteFileInBlocks, WritesEveryPieceInOrder) {
  const std::string a = patternBytes(8, 3), b = patternBytes(kBlock + 3, 4), c = patternBytes(5 * kBlock / 2, 5);
  const auto path = dir_ / "w.bin";
  std::ofstream(path) << "old contents, longer than nothing";
  write_file_in_blocks(path, [&](BlockWriter& out) {
    for (const std::string* s : {&a, &b, &c}) out.write(s->data(), static_cast<int64_t>(s->size()));
  });
  EXPECT_EQ(read(path), a + b + c);
}

TEST_F(WriteFileInBlocks, AFullDiskIsNamedAndNothingIsLeft) {
  if (::geteuid() != 0) GTEST_SKIP() << "mounting a small tmpfs needs root";
  const auto mnt = dir_ / "small";
  std::filesystem::create_directories(mnt);
  if (::mount("tmpfs", mnt.c_str(), "tmpfs", 0, "size=4m") != 0)
    GTEST_SKIP() << "cannot mount a tmpfs here: " << std::strerror(errno);
  struct Unmount {
    const std::filesystem::path& at;
    ~Unmount() { ::umount(at.c_str()); }
  } unmount{mnt};
  const auto path = mnt / "model.safetensors.part";
  const std::string big = patternBytes(3 * kBlock, 6);
  std::string what;
  try {
    write_file_in_blocks(path, [&](BlockWriter& out) {
      out.write(big.data(), static_cast<int64_t>(big.size()));
      out.write(big.data(), 7);
    });
  } catch (const BlipError& e) {
    what = e.what();
  }
  const bool left = std::filesystem::exists(path);
  EXPECT_NE(what.find("disk full"), std::string::npos) << what;
  EXPECT_NE(what.find(path.string()), std::string::npos) << what;
  EXPECT_FALSE(left);
}

TEST_F(WriteFileInBlocks, AFolderThatCannotBeWrittenIsNamed) {
  try {
    write_file_in_blocks(dir_ / "missing" / "w.bin", [](BlockWriter&) {});
    FAIL() << "no error";
  } catch (const BlipError& e) {
    EXPECT_NE(std::string(e.what()).find("missing/w.bin"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace glimpse::blip
