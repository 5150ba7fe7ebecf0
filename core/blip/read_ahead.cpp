#include "read_ahead.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <vector>

#include "blip.h"
#include "checkpoint.h"

namespace glimpse::blip {

FileReadAhead::FileReadAhead(const std::filesystem::path& file) : thread_([this, file] { run(file); }) {}

FileReadAhead::~FileReadAhead() {
  stop();
}

void FileReadAhead::stop() {
  stop_.store(true);
  wait();
}

void FileReadAhead::wait() {
  if (thread_.joinable()) thread_.join();
}

void FileReadAhead::run(const std::filesystem::path& file) {
  // O_NONBLOCK: a FIFO under the weights' name must not hold the thread (regular files ignore it).
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return;
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0) {
    ::close(fd);
    return;
  }
  const auto size = static_cast<int64_t>(st.st_size);
  // The kernel's own read-ahead stays on (no POSIX_FADV_RANDOM) and the reads go in order from the
  // first chunk not cached to the end: a sequential stream is what makes the kernel fill the page
  // cache with large folios (up to 2 MiB), which every later mapping of the file then maps in a few
  // faults. Pages read in 4 KiB folios (random advice, or reads that skip ahead past cached chunks)
  // made each process's first touch of the mapped weights cost 0.41-0.56 s a gigabyte on the
  // development machine, against 0.02-0.06 s (docs/performance.md, thirtieth round).
  bool reading = false;
  // A mapping only to ask which pages are already cached (mincore); it is never read, so it adds
  // nothing to the process's memory. Without it every chunk is read. The kernel answers truly only
  // for files the process owns or may write; for others (models installed for all users) it calls
  // every page cached, so those are read.
  void* map = nullptr;
  if (st.st_uid == ::geteuid() || ::access(file.c_str(), W_OK) == 0) {
    map = ::mmap(nullptr, static_cast<size_t>(size), PROT_READ, MAP_SHARED, fd, 0);
    if (map == MAP_FAILED) map = nullptr;
  }
  const auto page = static_cast<int64_t>(::sysconf(_SC_PAGESIZE));
  std::vector<unsigned char> resident(static_cast<size_t>((kChunk + page - 1) / page));
  std::vector<char> buffer(static_cast<size_t>(kChunk));
  for (int64_t offset = 0; offset < size && !stop_.load(std::memory_order_relaxed); offset += kChunk) {
    const int64_t length = std::min(kChunk, size - offset);
    if (map && !reading &&
        ::mincore(static_cast<char*>(map) + offset, static_cast<size_t>(length), resident.data()) == 0) {
      const size_t pages = static_cast<size_t>((length + page - 1) / page);
      if (std::all_of(resident.begin(), resident.begin() + static_cast<std::ptrdiff_t>(pages),
                      [](unsigned char r) { return (r & 1) != 0; })) {
        cached_.fetch_add(length);
        continue;
      }
    }
    reading = true;  // from here on every chunk is read (a cached one costs a copy)
    int64_t done = 0;
    while (done < length) {
      const ssize_t got =
          ::pread(fd, buffer.data() + done, static_cast<size_t>(length - done), static_cast<off_t>(offset + done));
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) break;
      done += got;
    }
    read_.fetch_add(done);
    if (done < length) break;  // a read error or a file that shrank: the loader reports what it finds
  }
  if (map) ::munmap(map, static_cast<size_t>(size));
  ::close(fd);
}

std::unique_ptr<FileReadAhead> read_weights_ahead_of_engine(const std::filesystem::path& dir) {
  if (engine_loaded()) return nullptr;
  try {
    return std::make_unique<FileReadAhead>(find_checkpoint(dir));
  } catch (const std::exception&) {
    // No weights file (the loader reports it), or no thread to read with: loaded without.
    return nullptr;
  }
}

}  // namespace glimpse::blip
