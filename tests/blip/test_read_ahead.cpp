// FileReadAhead (read_ahead.h): the file ends up in the page cache, cached parts before the first
// one that is not are skipped, and it neither fails nor hangs on files that are missing, empty or
// not files. Residency is asked of the kernel (mincore) independently of the class's own counters.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "read_ahead.h"

namespace fs = std::filesystem;
using glimpse::blip::FileReadAhead;

namespace {

class ReadAheadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("glimpse-read-ahead-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A file of `size` random bytes, written to disk and then dropped from the page cache as far as
  // the kernel lets a process drop it (clean pages of a file nobody maps).
  fs::path write_file(const std::string& name, int64_t size) {
    const fs::path path = dir_ / name;
    std::vector<char> bytes(static_cast<size_t>(size));
    std::mt19937 gen(7);
    for (char& b : bytes) b = static_cast<char>(gen());
    std::ofstream(path, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(size));
    const int fd = ::open(path.c_str(), O_RDONLY);
    ::fdatasync(fd);
    ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    ::close(fd);
    return path;
  }

  // Reads the whole file once, so that the page cache holds it.
  static void read_whole(const fs::path& path, int64_t size) {
    std::ifstream in(path, std::ios::binary);
    std::vector<char> all(static_cast<size_t>(size));
    in.read(all.data(), static_cast<std::streamsize>(size));
  }

  fs::path dir_;
};

// Pages of `path` in the page cache, and pages in all.
std::pair<size_t, size_t> resident_pages(const fs::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY);
  struct stat st {};
  ::fstat(fd, &st);
  const auto page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  const size_t pages = (static_cast<size_t>(st.st_size) + page - 1) / page;
  void* map = ::mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_SHARED, fd, 0);
  std::vector<unsigned char> in(pages);
  ::mincore(map, static_cast<size_t>(st.st_size), in.data());
  ::munmap(map, static_cast<size_t>(st.st_size));
  ::close(fd);
  size_t n = 0;
  for (unsigned char r : in) n += r & 1;
  return {n, pages};
}

TEST_F(ReadAheadTest, LeavesTheWholeFileInThePageCache) {
  // Several chunks and a partial last one.
  const int64_t size = 5 * FileReadAhead::kChunk + 12345;
  const fs::path file = write_file("model.safetensors", size);
  const auto before = resident_pages(file);
  FileReadAhead ahead(file);
  ahead.wait();
  EXPECT_EQ(ahead.bytes_read() + ahead.bytes_cached(), size);
  const auto after = resident_pages(file);
  EXPECT_EQ(after.first, after.second);
  // Where the kernel did drop the pages, the read-ahead read them (and did not count them cached).
  if (before.first == 0) {
    EXPECT_EQ(ahead.bytes_read(), size);
    EXPECT_EQ(ahead.bytes_cached(), 0);
  }
}

TEST_F(ReadAheadTest, SkipsWhatIsAlreadyCached) {
  const int64_t size = 3 * FileReadAhead::kChunk + 1;
  const fs::path file = write_file("model.safetensors", size);
  read_whole(file, size);
  ASSERT_EQ(resident_pages(file).first, resident_pages(file).second);
  FileReadAhead ahead(file);
  ahead.wait();
  EXPECT_EQ(ahead.bytes_read(), 0);
  EXPECT_EQ(ahead.bytes_cached(), size);
}

TEST_F(ReadAheadTest, ReadsEveryChunkFromTheFirstOneNotCached) {
  // Two chunks cached, the third dropped, the rest cached again: the first two are skipped, and
  // from the third on every chunk is read in order (one sequential stream for the kernel's
  // read-ahead), the cached ones too.
  const int64_t chunk = FileReadAhead::kChunk, size = 6 * chunk + 100;
  const fs::path file = write_file("model.safetensors", size);
  read_whole(file, size);
  const int fd = ::open(file.c_str(), O_RDONLY);
  ::posix_fadvise(fd, 2 * chunk, chunk, POSIX_FADV_DONTNEED);
  ::close(fd);
  const auto [resident, pages] = resident_pages(file);
  const auto page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  if (resident != pages - static_cast<size_t>(chunk) / page)
    GTEST_SKIP() << "the kernel did not drop exactly the third chunk (" << resident << " of " << pages << " cached)";
  FileReadAhead ahead(file);
  ahead.wait();
  EXPECT_EQ(ahead.bytes_cached(), 2 * chunk);
  EXPECT_EQ(ahead.bytes_read(), size - 2 * chunk);
  const auto after = resident_pages(file);
  EXPECT_EQ(after.first, after.second);
}

TEST_F(ReadAheadTest, MissingEmptyAndNonFilesAreLeftAlone) {
  for (const fs::path& path : {dir_ / "absent.safetensors", write_file("empty.safetensors", 0), dir_}) {
    FileReadAhead ahead(path);
    ahead.wait();
    EXPECT_EQ(ahead.bytes_read(), 0) << path;
    EXPECT_EQ(ahead.bytes_cached(), 0) << path;
  }
}

TEST_F(ReadAheadTest, StopEndsTheReadingEarly) {
  // 64 MiB from a dropped cache take tens of milliseconds to read; the thread looks at the request
  // before each chunk.
  const int64_t size = 64 * FileReadAhead::kChunk;
  const fs::path file = write_file("model.safetensors", size);
  if (resident_pages(file).first != 0) GTEST_SKIP() << "the kernel kept the file cached (tmpfs?)";
  FileReadAhead ahead(file);
  ahead.stop();
  EXPECT_LT(ahead.bytes_read(), size);
  EXPECT_EQ(ahead.bytes_cached(), 0);
  ahead.stop();  // again: nothing left to wait for
}

TEST_F(ReadAheadTest, TheWeightsOfAModelFolderAreFoundLikeTheLoaderFindsThem) {
  // Not loaded: this test program never opens the engine module, so the read-ahead starts.
  write_file("pytorch_model.bin", 1000);
  const fs::path weights = write_file("model.safetensors", 2 * FileReadAhead::kChunk);
  const auto ahead = glimpse::blip::read_weights_ahead_of_engine(dir_);
  ASSERT_NE(ahead, nullptr);
  ahead->wait();
  EXPECT_EQ(ahead->bytes_read() + ahead->bytes_cached(), fs::file_size(weights));
  EXPECT_EQ(glimpse::blip::read_weights_ahead_of_engine(dir_ / "absent"), nullptr);
  fs::create_directories(dir_ / "empty");
  EXPECT_EQ(glimpse::blip::read_weights_ahead_of_engine(dir_ / "empty"), nullptr);
}

}  // namespace
