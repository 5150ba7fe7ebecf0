// The files the engine keeps between processes, the same bytes as each: fp32-gemm.json, its product
// measurement (core/blip/fp32_gemm.h), and decoder-steps.json, its decoder steps' ways
// (core/blip/step_choice.h). Each is read for a key, written over with another key (which keeps
// the entries it can read), read again. Nothing in a file may make these throw: a broken file
// counts as no entry.
#include <chrono>
#include <string>

#include "fp32_gemm.h"
#include "step_choice.h"
#include "support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using glimpse::blip::Fp32Gemm;
  const std::string path = glimpse::fuzz::writeScratch("fp32-gemm.json", data, size);
  // An hour after the seeds' "measured" time.
  const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1796438215 + 3600));
  (void)glimpse::blip::read_cached_fp32_gemm(path, "cpu A", now);
  glimpse::blip::Fp32GemmChoice c;
  c.chosen = Fp32Gemm::Blas;
  c.blas_gflops = 300;
  c.fma_peak_gflops = 350;
  (void)glimpse::blip::write_cached_fp32_gemm(path, "cpu B", c, now);
  (void)glimpse::blip::read_cached_fp32_gemm(path, "cpu A", now);

  const std::string steps = glimpse::fuzz::writeScratch("decoder-steps.json", data, size);
  (void)glimpse::blip::read_step_ways(steps, "cpu A", now);
  glimpse::blip::StepWays ways;
  ways.way[1][1] = 3;
  ways.saved[1][1] = 1796438215;
  (void)glimpse::blip::write_step_ways(steps, "cpu B", ways);
  (void)glimpse::blip::read_step_ways(steps, "cpu A", now);
  return 0;
}
