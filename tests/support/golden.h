#pragma once
// Access to golden reference sets (tests/data/<set>/expected.json + tensors/*.bin, the layout of
// the BLIP reference data). Every set found is tested; nothing about a set is hard-coded.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

namespace glimpse::test {

struct GoldenSet {
  std::string name;
  std::filesystem::path dir;
  nlohmann::json expected;
  // A tensor of expected.json["tensors"], as stored (float32, uint8 or int64).
  at::Tensor tensor(const std::string& name) const;
};

// Sets to test: GLIMPSE_GOLDEN_SETS (colon-separated folders) if set, else every folder under
// tests/data holding an expected.json.
std::vector<std::filesystem::path> golden_set_dirs();
// Test-name generator for suites parameterised by set folder.
struct SetName {
  std::string operator()(const ::testing::TestParamInfo<std::filesystem::path>& p) const {
    return p.param.filename().string();
  }
};
const GoldenSet& golden_set(const std::filesystem::path& dir);

// One generation case of a set: models[model][list][index].
struct GenerationCase {
  std::filesystem::path set_dir;
  std::string model;  // "main", "vision_wide"
  std::string list;   // "caption", "vqa", "caption_fp16.caption", ...
  size_t index = 0;
  std::string name;
  std::filesystem::path weights_dir;  // set when the case runs on other weights (caption_bin)
  const nlohmann::json& json() const;
  std::filesystem::path model_dir() const;  // folder of the weights the case uses
};
std::vector<GenerationCase> generation_cases();
inline void PrintTo(const GenerationCase& c, std::ostream* os) {
  *os << c.model << "/" << c.name;
}
std::string case_label(const std::string& set, const std::string& model, const std::string& name);

// pixel_values (3, H, W) of a named image as the given model of the set sees it.
at::Tensor pixel_values_for(const GoldenSet& set, const std::string& model, const std::string& image);

// Largest |a - b| over all elements.
double max_abs_diff(const at::Tensor& a, const at::Tensor& b);
// max|a - b| / max(1, max|b|): the error relative to the magnitude of the expected values.
double scaled_diff(const at::Tensor& a, const at::Tensor& b);

// Tolerances, stated once. Token ids, decoded text, resized uint8 images and pixel values are
// compared exactly. Float32 model outputs differ from PyTorch's only by summation order:
inline constexpr double kRelTol = 1e-5;  // hidden states, logits, embeddings, features, ITM/ITC

// Records a compared quantity's difference for the per-set report printed at the end of a run.
void record_diff(const std::string& set, const std::string& quantity, double diff);
void record_count(const std::string& set, const std::string& quantity, bool exact);

// Pixel values of a named image of the main preprocessing list, as stored.
std::vector<float> to_vector(const at::Tensor& t);

}  // namespace glimpse::test
