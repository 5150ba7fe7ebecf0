#pragma once
// Writing a model's weights so that the page cache holds them in huge folios. The kernel sizes a
// page-cache folio by the write that creates it: a write of 2 MiB or more at an offset that is a
// multiple of 2 MiB gets 2 MiB folios, smaller writes get small ones (Linux 6.18 on ext4, the
// thirty-first round: `dd bs=1M` left a copy in 4 KiB..1 MiB folios, `bs=2M` in 2 MiB ones). A
// process that maps a file of small folios pays a page fault per 4 KiB on its first touch (0.45 s
// a GB there, against 0.014 s for huge folios), and the file stays that way while it is cached: a
// model downloaded in network-sized pieces made every later first caption 0.45 s slower until the
// page cache was dropped (docs/performance.md, thirty-first round). The reading side of the same
// story is read_ahead.h.
//
// BlockWriter passes a stream of bytes on to a sink only in whole blocks that end on a multiple of
// kBlock in the file (the first may be shorter, when the stream starts mid-block: a resumed
// download), keeping the rest until it completes a block or flush() hands it over. Bytes the
// caller gives in whole aligned blocks go to the sink without a copy. Nothing here knows files: the
// sink writes (QFile, a file descriptor), and a process killed mid-stream loses at most the block
// being gathered, which a resumed download fetches again.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

namespace glimpse::blip {

class BlockWriter {
 public:
  // The size and alignment of what the sink gets: the x86-64 huge page.
  static constexpr int64_t kBlock = int64_t{2} << 20;
  // Writes `size` bytes at the writer's offset; false when they could not all be written.
  using Sink = std::function<bool(const char* data, int64_t size)>;

  // `offset`: where in the file the stream starts (the bytes already there).
  BlockWriter(int64_t offset, Sink sink);
  // Does not flush: a writer given up on (a failed transfer) keeps nothing half-written. Call
  // flush() for the bytes to reach the file.
  ~BlockWriter() = default;
  BlockWriter(const BlockWriter&) = delete;
  BlockWriter& operator=(const BlockWriter&) = delete;

  // Adds bytes to the stream; false once the sink has failed (then and after, nothing more is
  // written).
  bool write(const char* data, int64_t size);
  // Hands over what is kept; false when the sink failed now or before.
  bool flush();

  int64_t offset() const { return written_ + static_cast<int64_t>(pending_.size()); }  // the stream's end
  int64_t written() const { return written_; }                                         // what the sink has
  bool failed() const { return failed_; }

 private:
  bool hand(const char* data, int64_t size);

  int64_t written_;
  Sink sink_;
  std::string pending_;
  bool failed_ = false;
};

// Writes a whole file through a BlockWriter from its start: create/truncate, then each piece
// `fill` passes to its argument, then flush and close. Throws BlipError naming the file (with
// "disk full?" when a write fell short) and removes what was written.
void write_file_in_blocks(const std::filesystem::path& path, const std::function<void(BlockWriter&)>& fill);

}  // namespace glimpse::blip
