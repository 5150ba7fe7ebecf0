#pragma once
// Reading a model's weights into the page cache while the engine module loads. On a cold start
// (the first model after boot, or after the page cache was reclaimed) the module's load and the
// weights' read used to take turns: the module's load waits on the disk one page fault at a time
// and spends the rest in relocations and libtorch's operator registration on one core, and the
// loader's finite check then waited on the disk with both cores idle. A thread of its own now reads
// the weights file from its start while the module loads (docs/performance.md, "Cold start: the
// weights read while libtorch loads").
//
// Only the page cache is filled: the bytes pass through one small buffer, so the process's memory
// does not grow. Chunks already cached are skipped without being read up to the first one that is
// not (a warm start reads nothing); from there every chunk is read in order, so that the kernel's
// read-ahead sees one sequential stream and caches the file in large folios.
// Nothing depends on it: the loader reads and checks the file itself as before, and a file that
// cannot be opened here is simply not read ahead.
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <thread>

namespace glimpse::blip {

class FileReadAhead {
 public:
  // Starts reading `file` on a new thread.
  explicit FileReadAhead(const std::filesystem::path& file);
  // stop()
  ~FileReadAhead();
  FileReadAhead(const FileReadAhead&) = delete;
  FileReadAhead& operator=(const FileReadAhead&) = delete;

  // Waits until the whole file was looked at.
  void wait();
  // Stops the reading (within one chunk) and waits for the thread.
  void stop();
  // Bytes read from the file, and bytes found already cached and skipped.
  int64_t bytes_read() const { return read_.load(); }
  int64_t bytes_cached() const { return cached_.load(); }

  // One read at a time of this size, with the kernel's own read-ahead. (On a Xeon VM of the
  // thirteenth round, 4 MiB reads with sequential advice, 16 MiB in flight, made the module's cold
  // load 0.2-0.5 s slower; there the kernel's read-ahead was turned off, which on the thirtieth
  // round's kernel left the weights in 4 KiB folios, each mapped by a fault of its own.)
  static constexpr int64_t kChunk = int64_t{1} << 20;

 private:
  void run(const std::filesystem::path& file);

  std::atomic<bool> stop_{false};
  std::atomic<int64_t> read_{0};
  std::atomic<int64_t> cached_{0};
  std::thread thread_;
};

// A read-ahead of the weights file of the model folder `dir` (find_checkpoint) when the engine
// module is not loaded yet, so that the two overlap; null when the module is loaded (a read beside
// the loader gained nothing: both wait on the same disk) or the folder holds no weights file (the
// loader reports that). Keep it until the model is loaded.
std::unique_ptr<FileReadAhead> read_weights_ahead_of_engine(const std::filesystem::path& dir);

}  // namespace glimpse::blip
