#pragma once
// A std::vector whose storage starts on a 64-byte cache line, for the kernels' work areas.
//
// malloc aligns to 16 bytes only, so every 64-byte row of such a buffer straddles two cache lines.
// An AMX tile load (tileloaddd) of 16 such rows took 13.8 ns against 2.1 ns for rows on cache lines
// on the Xeon with AMX (family 6 model 207), and the bf16 attention head, whose keys, values,
// scores and probabilities go through tile loads and stores, took 176 us against 129 us
// (docs/performance.md, twenty-eighth round). AVX-512 loads of a whole line are split the same way.
#include <cstddef>
#include <new>
#include <vector>

namespace glimpse::blip {

template <class T>
struct CacheLineAllocator {
  using value_type = T;
  static constexpr std::size_t kAlignment = 64;

  CacheLineAllocator() noexcept = default;
  template <class U>
  CacheLineAllocator(const CacheLineAllocator<U>&) noexcept {}  // NOLINT(google-explicit-constructor)

  T* allocate(std::size_t n) {
    if (n > static_cast<std::size_t>(-1) / sizeof(T)) throw std::bad_array_new_length();
    return static_cast<T*>(::operator new (n * sizeof(T), std::align_val_t{kAlignment}));
  }
  void deallocate(T* p, std::size_t) noexcept { ::operator delete (p, std::align_val_t{kAlignment}); }

  template <class U>
  bool operator==(const CacheLineAllocator<U>&) const noexcept {
    return true;
  }
  template <class U>
  bool operator!=(const CacheLineAllocator<U>&) const noexcept {
    return false;
  }
};

template <class T>
using AlignedVector = std::vector<T, CacheLineAllocator<T>>;

}  // namespace glimpse::blip
