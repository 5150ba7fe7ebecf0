#pragma once
// Error type of glimpse_blip: every failure that comes from outside data (files, configs,
// weights, user options) is reported as a BlipError with a message a person can act on.
#include <new>
#include <stdexcept>
#include <string>
#include <string_view>

namespace glimpse::blip {

class BlipError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Thrown by generation when its cancel flag turns true between decoder steps.
class GenerationCancelled : public std::runtime_error {
 public:
  GenerationCancelled() : std::runtime_error("cancelled") {}
};

// An allocation failure: std::bad_alloc, or libtorch's CPU allocator failing. The latter is a
// c10::Error whose message carries a C++ backtrace, no message for people: libtorch 1.13 says
// "DefaultCPUAllocator: can't allocate memory: you tried to allocate N bytes" when posix_memalign
// fails (an address-space limit, a full machine), other versions "...: not enough memory: ...".
inline bool is_out_of_memory(const std::exception& e) {
  if (dynamic_cast<const std::bad_alloc*>(&e)) return true;
  const std::string_view what = e.what();
  return what.find("DefaultCPUAllocator: can't allocate memory") != std::string_view::npos ||
         what.find("not enough memory") != std::string_view::npos;
}

}  // namespace glimpse::blip
