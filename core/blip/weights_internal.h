#pragma once
// Shared by the checkpoint readers (safetensors.cpp, pytorch_bin.cpp) and weights.cpp; internal
// to glimpse_blip, like weights.h.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "checkpoint.h"
#include "errors.h"
#include "weights.h"

namespace glimpse::blip::detail {

// The registry of live weight mappings that release_mapped_pages (weights.h) consults.
void register_mapping(const uint8_t* data, size_t size);
void unregister_mapping(const uint8_t* data);

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

// Throws BlipError naming the tensor when a floating-point tensor holds NaN or an infinity
// (transformers would load it and produce NaN logits; Glimpse refuses the file).
void check_finite(const at::Tensor& t, const std::string& where);

// The readers' index functions (read_checkpoint_index dispatches on the file name).
CheckpointIndex read_safetensors_index(const std::filesystem::path& path);
CheckpointIndex read_pytorch_bin_index(const std::filesystem::path& path);

}  // namespace glimpse::blip::detail
