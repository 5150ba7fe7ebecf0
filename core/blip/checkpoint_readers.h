#pragma once
// The torch-free half of the checkpoint readers (internal to glimpse_blip; front ends use
// checkpoint.h): file mappings, the safetensors header and the pytorch_model.bin ZIP directory and
// pickle, enough for read_checkpoint_index without libtorch. The engine module's loaders
// (safetensors.cpp, pytorch_bin.cpp) turn the same structures into tensors.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "checkpoint.h"
#include "errors.h"

namespace glimpse::blip::detail {

// The registry of live weight mappings that release_mapped_pages (weights.h) consults.
void register_mapping(const uint8_t* data, size_t size);
void unregister_mapping(const uint8_t* data);
// madvise(MADV_DONTNEED) on the whole pages of [begin, end) when they lie inside one live mapping;
// returns the bytes released (0 otherwise).
size_t release_mapped_range(const uint8_t* begin, const uint8_t* end);

// A read-only private mapping of a whole regular file, shared by the tensors that alias it.
class Mapping {
 public:
  explicit Mapping(const std::filesystem::path& path) {
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) throw BlipError("cannot open " + path.string() + ": " + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd_, &st) != 0) {
      ::close(fd_);
      throw BlipError("cannot stat " + path.string());
    }
    if (!S_ISREG(st.st_mode)) {
      ::close(fd_);
      throw BlipError(path.string() + " is not a regular file");
    }
    size_ = static_cast<size_t>(st.st_size);
    if (size_ > 0) {
      void* p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd_, 0);
      if (p == MAP_FAILED) {
        const int err = errno;
        ::close(fd_);
        throw BlipError("cannot map " + path.string() + ": " + std::strerror(err));
      }
      data_ = static_cast<const uint8_t*>(p);
      register_mapping(data_, size_);
    }
  }
  ~Mapping() {
    if (data_) unregister_mapping(data_);
    if (data_) ::munmap(const_cast<uint8_t*>(data_), size_);
    if (fd_ >= 0) ::close(fd_);
  }
  Mapping(const Mapping&) = delete;
  Mapping& operator=(const Mapping&) = delete;
  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }

 private:
  int fd_ = -1;
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

// ---- model.safetensors ----

struct SafetensorsEntry {
  std::string name;
  std::string dtype;
  std::vector<int64_t> shape;
  uint64_t begin = 0, end = 0;
};

struct SafetensorsHeader {
  std::vector<SafetensorsEntry> entries;  // in header order
  uint64_t data_offset = 0;               // of the data area in the file
};

// The header of a mapped safetensors file, checked as Hugging Face's safetensors library checks it.
SafetensorsHeader parse_safetensors_header(const Mapping& map, const std::string& name);
// Bytes per element of a safetensors dtype name; 0 for one Glimpse does not read.
size_t dtype_size(const std::string& dtype);

// ---- pytorch_model.bin ----

struct ZipEntry {
  uint64_t offset = 0;  // of the data
  uint64_t size = 0;
};

// ---- pickle: the subset torch.save uses for a state dict ----

struct PValue;
using PPtr = std::shared_ptr<PValue>;
struct PValue {
  enum Kind { None, Bool, Int, Float, Str, Tuple, List, Dict, Global, Storage, Tensor, Mark } kind = None;
  int64_t i = 0;
  double f = 0;
  std::string s;                               // Str; Global "module.name"; Storage key
  std::vector<PPtr> items;                     // Tuple, List
  std::vector<std::pair<PPtr, PPtr>> entries;  // Dict
  std::string dtype = "F32";                   // Storage, Tensor: safetensors' name (F32, F16, BF16, I64, ...)
  int64_t numel = 0;                           // Storage
  PPtr storage;                                // Tensor
  int64_t offset = 0;                          // Tensor
  std::vector<int64_t> size, stride;           // Tensor
  int depth = 0;                               // containers: 1 + the deepest child
  bool frozen = false;                         // placed in another container: never changed again (no cycles)

  PValue() = default;
  PValue(const PValue&) = delete;
  PValue& operator=(const PValue&) = delete;
  // Frees the children iteratively: a deep chain of nested values must not recurse once per level.
  ~PValue() {
    if (items.empty() && entries.empty() && !storage) return;
    std::vector<PPtr> work;
    auto take = [&work](PValue& v) {
      for (auto& x : v.items) work.push_back(std::move(x));
      v.items.clear();
      for (auto& [k, x] : v.entries) {
        work.push_back(std::move(k));
        work.push_back(std::move(x));
      }
      v.entries.clear();
      if (v.storage) work.push_back(std::move(v.storage));
    };
    take(*this);
    while (!work.empty()) {
      PPtr p = std::move(work.back());
      work.pop_back();
      if (p && p.use_count() == 1) take(*p);
    }  // p is released here with no children left
  }
};

struct BinIndex {
  std::shared_ptr<Mapping> map;
  std::map<std::string, ZipEntry> entries;
  std::string prefix;
  PPtr root;
};

// The mapped file, its ZIP directory and its unpickled state dict (tensors as records, no data).
BinIndex read_bin_index(const std::filesystem::path& path);

// The readers' index functions (read_checkpoint_index dispatches on the file name).
CheckpointIndex read_safetensors_index(const std::filesystem::path& path);
CheckpointIndex read_pytorch_bin_index(const std::filesystem::path& path);

}  // namespace glimpse::blip::detail
