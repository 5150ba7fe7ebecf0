#pragma once
// Error type of glimpse_blip: every failure that comes from outside data (files, configs,
// weights, user options) is reported as a BlipError with a message a person can act on.
#include <stdexcept>
#include <string>

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

}  // namespace glimpse::blip
