// The torch-free side of the engine (blip.h, engine_api.h): opens libglimpse_engine.so on first
// use and forwards to its table; inspect_model_folder and the other functions that need no
// libtorch run here without loading it.
#include <dlfcn.h>

#include <algorithm>
#include <cstdlib>
#include <mutex>

#include "blip.h"
#include "checkpoint.h"
#include "engine_api.h"
#include "errors.h"
#include "modules.h"

// Defined when the engine is linked into this executable (glimpse_engine_impl: tests and
// benchmarks of its internals); then the module is not opened, so the process holds one engine.
extern "C" __attribute__((weak)) const glimpse::engine::Api* glimpse_engine_api();

namespace glimpse::engine {

namespace {

struct State {
  std::mutex mutex;
  const Api* api = nullptr;
  std::string problem;  // why the module could not be loaded (it is not tried again)
  std::function<void(const std::string&)> sink;
  bool sink_set = false;
  int threads = 0;
  bool threads_set = false;
  std::filesystem::path measurement_cache;
  bool measurement_cache_set = false;
};

// Never destroyed: models held in static caches may outlive static destructors.
State& state() {
  static auto* s = new State;
  return *s;
}

const Api* check(const Api* api, const std::string& where, std::string& problem) {
  if (!api) {
    problem = where + " returned no engine table";
    return nullptr;
  }
  if (api->abi_version != kAbiVersion || api->size != sizeof(Api)) {
    problem = where + " is the engine of another Glimpse build (interface " + std::to_string(api->abi_version) +
              ", this program needs " + std::to_string(kAbiVersion) + "); reinstall Glimpse";
    return nullptr;
  }
  return api;
}

const Api* open_module(std::string& problem) {
  if (glimpse_engine_api) return check(glimpse_engine_api(), "the linked-in engine", problem);
  // RTLD_LOCAL: libtorch and the ~300 libraries it pulls in (Qt 5 among them) stay out of the
  // global symbol scope, where they could interpose this program's own libraries.
  const auto paths = modules::candidates("GLIMPSE_ENGINE_MODULE", GLIMPSE_ENGINE_INSTALLED, GLIMPSE_ENGINE_BUILT);
  void* lib =
      modules::open(paths, RTLD_NOW | RTLD_LOCAL, std::string("the engine module (") + kModuleFileName + ")", problem);
  if (!lib) return nullptr;
  Dl_info info{};
  auto entry = reinterpret_cast<const Api* (*)()>(dlsym(lib, kEntryPoint));
  std::string where = "the engine module";
  if (entry && dladdr(reinterpret_cast<void*>(entry), &info) && info.dli_fname)
    where += std::string(" ") + info.dli_fname;
  if (!entry) {
    problem = where + " has no entry point " + kEntryPoint + "; reinstall Glimpse";
    return nullptr;
  }
  return check(entry(), where, problem);
}

}  // namespace

const Api& api() {
  State& s = state();
  std::lock_guard<std::mutex> lock(s.mutex);
  if (s.api) return *s.api;
  if (!s.problem.empty()) throw blip::BlipError(s.problem);
  const Api* a = open_module(s.problem);
  if (!a) {
    if (s.problem.empty()) s.problem = "the engine module could not be loaded";
    throw blip::BlipError(s.problem);
  }
  // What was asked before the engine was there, applied on this thread (the one that needs it).
  if (s.sink_set) a->set_warning_sink(s.sink);
  if (s.threads_set) a->init_threads(s.threads);
  if (s.measurement_cache_set) a->set_measurement_cache_file(s.measurement_cache);
  s.api = a;
  return *a;
}

}  // namespace glimpse::engine

namespace glimpse::blip {

std::unique_ptr<BlipModel> BlipModel::load(const std::filesystem::path& dir, const LoadOptions& options) {
  return engine::load_model(dir, [&](const engine::Api& a) { return a.load_blip(dir, options); });
}

std::vector<ImageInput> image_inputs(const std::vector<PixelValues>& pixels) {
  return {pixels.begin(), pixels.end()};
}

void load_engine() {
  engine::api();
}

bool engine_loaded() {
  auto& s = engine::state();
  std::lock_guard<std::mutex> lock(s.mutex);
  return s.api != nullptr;
}

BlasInfo blas_backend() {
  return engine::api().blas_backend();
}

EngineInfo engine_info() {
  return engine::api().engine_info();
}

std::string precision_problem(Precision p) {
  if (p == Precision::Float32) return {};
  try {
    return engine::api().precision_problem(p);
  } catch (const BlipError& e) {
    return e.what();  // no engine: no mode runs here, and the settings say why
  }
}

void set_engine_warning_sink(std::function<void(const std::string&)> sink) {
  if (glimpse_engine_api) engine::api();  // linked in: nothing to wait for
  auto& s = engine::state();
  std::lock_guard<std::mutex> lock(s.mutex);
  s.sink = sink;
  s.sink_set = true;
  if (s.api) s.api->set_warning_sink(std::move(sink));
}

bool set_openmp_defaults() {
  if (std::getenv("OMP_WAIT_POLICY") || std::getenv("GOMP_SPINCOUNT")) return false;
  return setenv("GOMP_SPINCOUNT", "10000", /*overwrite=*/0) == 0;
}

void init_torch_threads(int threads) {
  if (glimpse_engine_api) engine::api();  // linked in: nothing to wait for
  auto& s = engine::state();
  std::lock_guard<std::mutex> lock(s.mutex);
  s.threads = threads;
  s.threads_set = true;
  if (s.api) s.api->init_threads(threads);
}

void set_measurement_cache_file(const std::filesystem::path& file) {
  if (glimpse_engine_api) engine::api();  // linked in: nothing to wait for
  auto& s = engine::state();
  std::lock_guard<std::mutex> lock(s.mutex);
  s.measurement_cache = file;
  s.measurement_cache_set = true;
  if (s.api) s.api->set_measurement_cache_file(file);
}

std::filesystem::path convert_to_safetensors(const std::filesystem::path& dir) {
  return engine::api().convert_to_safetensors(dir);
}

namespace {

std::string shape_text(const std::vector<int64_t>& shape) {
  std::string out = "[";
  for (size_t i = 0; i < shape.size(); ++i) out += (i ? ", " : "") + std::to_string(shape[i]);
  return out + "]";
}

// Every layer's tensor has the shape of the same tensor in layer 0: one odd tensor deep in a tower
// is found by `models verify` and the settings pages without building a model (loading leaves it
// to the strict loader, which names every problem at once).
void check_layers_agree(const CheckpointIndex& index, const std::string& weights_name) {
  for (const auto& [name, info] : index) {
    for (const std::string list : {".layers.", ".layer."}) {
      const size_t at = name.find(list);
      if (at == std::string::npos) continue;
      const size_t begin = at + list.size();
      const size_t end = name.find('.', begin);
      if (end == std::string::npos || end == begin || name.compare(begin, end - begin, "0") == 0) break;
      if (!std::all_of(name.begin() + begin, name.begin() + end, [](char c) { return c >= '0' && c <= '9'; })) break;
      const auto first = index.find(name.substr(0, begin) + "0" + name.substr(end));
      if (first != index.end() && first->second.shape != info.shape)
        throw BlipError(weights_name + " holds a tensor of the wrong shape: " + name + ": got " +
                        shape_text(info.shape) + ", layer 0 has " + shape_text(first->second.shape));
      break;
    }
  }
}

}  // namespace

ModelFolderInfo inspect_model_folder(const std::filesystem::path& dir) {
  ModelFolderInfo info;
  try {
    const BlipConfig config = load_blip_config(dir / "config.json");
    std::error_code ec;
    if (!std::filesystem::exists(dir / "vocab.txt", ec) && !std::filesystem::exists(dir / "tokenizer.json", ec))
      throw BlipError("no tokenizer (vocab.txt or tokenizer.json) in " + dir.string());
    check_tokenizer_fits(BertTokenizer::from_folder(dir), config, dir);
    // The weights' header or pickle only (bounded), never their data.
    const auto weights = find_checkpoint(dir);
    info.weight_bytes = std::filesystem::file_size(weights, ec);
    const CheckpointIndex index = read_checkpoint_index(weights);
    check_config_fits_weights(config, index, weights.string());
    check_layers_agree(index, weights.string());
    std::string dtype = config.torch_dtype.empty() ? "float32" : config.torch_dtype;
    info.heads = detect_heads(config.architectures, index).class_names();
    if (info.heads.empty()) throw BlipError("the weights hold none of the BLIP heads config.json names");
    check_heads_fit_weights(config, index, info.heads, weights.string());
    const auto& v = config.vision_config;
    const auto& t = config.text_config;
    info.summary = "ViT " + std::to_string(v.hidden_size) + "/" + std::to_string(v.num_hidden_layers) + " layers, " +
                   std::to_string(v.image_size) + " px; text " + std::to_string(t.hidden_size) + "/" +
                   std::to_string(t.num_hidden_layers) + " layers; " + std::to_string(info.weight_bytes / 1000000) +
                   " MB " + dtype;
    info.usable = true;
  } catch (const std::exception& e) {
    info.problem = e.what();
  }
  return info;
}

}  // namespace glimpse::blip
