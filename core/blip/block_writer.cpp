#include "block_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>
#include <utility>

#include "errors.h"

namespace glimpse::blip {

BlockWriter::BlockWriter(int64_t offset, Sink sink) : written_(offset), sink_(std::move(sink)) {}

bool BlockWriter::hand(const char* data, int64_t size) {
  if (size == 0) return true;
  if (!sink_(data, size)) {
    failed_ = true;
    return false;
  }
  written_ += size;
  return true;
}

bool BlockWriter::write(const char* data, int64_t size) {
  while (size > 0 && !failed_) {
    const int64_t to_boundary = kBlock - offset() % kBlock;  // what completes the current block
    if (pending_.empty() && size >= to_boundary) {
      // Straight from the caller: up to the boundary and every whole block after it.
      const int64_t n = to_boundary + (size - to_boundary) / kBlock * kBlock;
      if (!hand(data, n)) break;
      data += n;
      size -= n;
      continue;
    }
    const int64_t take = std::min(size, to_boundary);
    if (pending_.capacity() == 0) pending_.reserve(static_cast<size_t>(kBlock));
    pending_.append(data, static_cast<size_t>(take));
    data += take;
    size -= take;
    if (take == to_boundary) {
      if (!hand(pending_.data(), static_cast<int64_t>(pending_.size()))) break;
      pending_.clear();
    }
  }
  return !failed_;
}

bool BlockWriter::flush() {
  if (failed_) return false;
  if (!hand(pending_.data(), static_cast<int64_t>(pending_.size()))) return false;
  pending_.clear();
  return true;
}

void write_file_in_blocks(const std::filesystem::path& path, const std::function<void(BlockWriter&)>& fill) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw BlipError("cannot write " + path.string() + ": " + std::strerror(errno));
  int error = 0;
  BlockWriter out(0, [fd, &error](const char* data, int64_t size) {
    while (size > 0) {
      const ssize_t n = ::write(fd, data, static_cast<size_t>(std::min<int64_t>(size, int64_t{1} << 30)));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        error = n < 0 ? errno : ENOSPC;  // a write of nothing: the disk is full
        return false;
      }
      data += n;
      size -= n;
    }
    return true;
  });
  try {
    fill(out);
  } catch (...) {
    ::close(fd);
    std::error_code ec;
    std::filesystem::remove(path, ec);
    throw;
  }
  const bool flushed = out.flush();
  if (::close(fd) != 0 && flushed) error = errno;
  if (!flushed || error != 0) {
    std::error_code ec;
    std::filesystem::remove(path, ec);
    const bool full = error == ENOSPC || error == EDQUOT;
    throw BlipError("cannot write " + path.string() + ": " + std::strerror(error != 0 ? error : EIO) +
                    (full ? " (disk full?)" : ""));
  }
}

}  // namespace glimpse::blip
