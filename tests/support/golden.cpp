#include "golden.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <mutex>
#include <sstream>

#ifndef GLIMPSE_TEST_DATA_DIR
#error GLIMPSE_TEST_DATA_DIR must be defined
#endif

namespace glimpse::test {

at::Tensor GoldenSet::tensor(const std::string& tname) const {
  const auto& info = expected.at("tensors").at(tname);
  const auto file = dir / info.at("file").get<std::string>();
  std::vector<int64_t> shape = info.at("shape").get<std::vector<int64_t>>();
  const std::string dtype = info.at("dtype").get<std::string>();
  at::ScalarType st = dtype == "float32" ? at::kFloat : dtype == "uint8" ? at::kByte : at::kLong;
  at::Tensor t = at::empty(shape, at::TensorOptions().dtype(st));
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + file.string());
  const auto bytes = static_cast<std::streamsize>(t.numel() * t.element_size());
  in.read(static_cast<char*>(t.data_ptr()), bytes);
  if (in.gcount() != bytes) throw std::runtime_error("short tensor file " + file.string());
  return t;
}

std::vector<std::filesystem::path> golden_set_dirs() {
  std::vector<std::filesystem::path> out;
  if (const char* env = std::getenv("GLIMPSE_GOLDEN_SETS"); env && *env) {
    std::stringstream ss(env);
    std::string item;
    while (std::getline(ss, item, ':'))
      if (!item.empty()) out.emplace_back(item);
    return out;
  }
  for (const auto& e : std::filesystem::directory_iterator(GLIMPSE_TEST_DATA_DIR))
    if (e.is_directory() && std::filesystem::exists(e.path() / "expected.json")) out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

const GoldenSet& golden_set(const std::filesystem::path& dir) {
  static std::mutex mu;
  static std::map<std::filesystem::path, std::unique_ptr<GoldenSet>> cache;
  std::lock_guard<std::mutex> lock(mu);
  auto& slot = cache[dir];
  if (!slot) {
    slot = std::make_unique<GoldenSet>();
    slot->dir = dir;
    std::ifstream in(dir / "expected.json");
    if (!in) throw std::runtime_error("cannot read " + (dir / "expected.json").string());
    slot->expected = nlohmann::json::parse(in);
    slot->name = slot->expected.value("set", dir.filename().string());
  }
  return *slot;
}

const nlohmann::json& GenerationCase::json() const {
  const auto& m = golden_set(set_dir).expected.at("models").at(model);
  const auto dot = list.find('.');
  if (dot == std::string::npos) return m.at(list).at(index);
  return m.at(list.substr(0, dot)).at(list.substr(dot + 1)).at(index);
}

std::filesystem::path GenerationCase::model_dir() const {
  if (!weights_dir.empty()) return weights_dir;
  const auto& m = golden_set(set_dir).expected.at("models").at(model);
  const auto dot = list.find('.');
  if (dot == std::string::npos) return set_dir / m.at("dir").get<std::string>();
  return set_dir / m.at(list.substr(0, dot)).at("dir").get<std::string>();
}

std::string case_label(const std::string& set, const std::string& model, const std::string& name) {
  std::string s = set + "_" + model + "_" + name;
  for (char& c : s)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return s;
}

std::vector<GenerationCase> generation_cases() {
  std::vector<GenerationCase> out;
  for (const auto& dir : golden_set_dirs()) {
    const auto& set = golden_set(dir);
    for (const auto& [model, m] : set.expected.at("models").items()) {
      for (const char* list : {"caption", "vqa"})
        if (m.contains(list))
          for (size_t i = 0; i < m[list].size(); ++i)
            out.push_back({dir, model, list, i, m[list][i].at("name").get<std::string>(), {}});
      if (m.contains("caption_bin"))
        for (const auto& checked : m["caption_bin"]["caption_cases_checked"])
          for (size_t i = 0; i < m["caption"].size(); ++i)
            if (m["caption"][i]["name"] == checked)
              out.push_back({dir, model, "caption", i, "caption_bin_" + checked.get<std::string>(),
                             dir / m["caption_bin"]["dir"].get<std::string>()});
      for (const char* half : {"caption_fp16", "caption_bf16"})
        if (m.contains(half))
          for (size_t i = 0; i < m[half]["caption"].size(); ++i)
            out.push_back({dir,
                           model,
                           std::string(half) + ".caption",
                           i,
                           std::string(half) + "_" + m[half]["caption"][i].at("name").get<std::string>(),
                           {}});
    }
  }
  return out;
}

at::Tensor pixel_values_for(const GoldenSet& set, const std::string& model, const std::string& image) {
  const auto& vision = set.expected.at("models").at(model).at("vision");
  const auto& images = vision.at("images");
  for (size_t i = 0; i < images.size(); ++i) {
    if (images[i] != image) continue;
    const auto& pv = vision.at("pixel_values");
    if (pv.is_array()) return set.tensor(pv[i]);
    return set.tensor(pv.get<std::string>())[static_cast<int64_t>(i)];
  }
  // Not in the vision batch: the main processor's values (same preprocessor folder ".").
  if (set.expected.at("models").at(model).at("dir") == set.expected.at("image_preprocessing").at("processor_dir"))
    for (const auto& img : set.expected.at("image_preprocessing").at("images"))
      if (img.at("name") == image) return set.tensor(img.at("pixel_values"));
  throw std::runtime_error("no pixel values for image " + image + " of model " + model);
}

double max_abs_diff(const at::Tensor& a, const at::Tensor& b) {
  if (!a.sizes().equals(b.sizes())) return std::numeric_limits<double>::infinity();
  if (a.numel() == 0) return 0.0;
  return (a.to(at::kDouble) - b.to(at::kDouble)).abs().max().item<double>();
}

double scaled_diff(const at::Tensor& a, const at::Tensor& b) {
  if (!a.sizes().equals(b.sizes())) return std::numeric_limits<double>::infinity();
  if (a.numel() == 0) return 0.0;
  const double scale = std::max(1.0, b.to(at::kDouble).abs().max().item<double>());
  return max_abs_diff(a, b) / scale;
}

std::vector<float> to_vector(const at::Tensor& t) {
  at::Tensor c = t.to(at::kFloat).contiguous();
  return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}

namespace {
struct Report {
  std::mutex mu;
  std::map<std::string, std::map<std::string, double>> diffs;
  std::map<std::string, std::map<std::string, std::pair<int, int>>> counts;
};
Report& report() {
  static Report r;
  return r;
}

class ReportPrinter : public ::testing::Environment {
 public:
  void TearDown() override {
    auto& r = report();
    std::lock_guard<std::mutex> lock(r.mu);
    if (r.diffs.empty() && r.counts.empty()) return;
    std::cout << "\n[golden report]\n";
    for (const auto& [set, q] : r.diffs)
      for (const auto& [name, d] : q)
        std::cout << "  " << set << "  " << std::left << std::setw(56) << name
                  << " max |diff|/max(1,|ref|) = " << std::scientific << std::setprecision(2) << d << std::defaultfloat
                  << "\n";
    for (const auto& [set, q] : r.counts)
      for (const auto& [name, c] : q)
        std::cout << "  " << set << "  " << std::left << std::setw(56) << name << " exact " << c.first << "/"
                  << c.second << "\n";
  }
};
const auto* kRegistered = ::testing::AddGlobalTestEnvironment(new ReportPrinter);
}  // namespace

void record_diff(const std::string& set, const std::string& quantity, double diff) {
  auto& r = report();
  std::lock_guard<std::mutex> lock(r.mu);
  double& d = r.diffs[set][quantity];
  d = std::max(d, diff);
}

void record_count(const std::string& set, const std::string& quantity, bool exact) {
  auto& r = report();
  std::lock_guard<std::mutex> lock(r.mu);
  auto& c = r.counts[set][quantity];
  c.first += exact ? 1 : 0;
  c.second += 1;
}

}  // namespace glimpse::test
