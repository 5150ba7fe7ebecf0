#pragma once
// The engine module's one entry point (internal to core/blip and core/marian). libglimpse_engine.so
// holds everything that links libtorch; the torch-free static libraries (glimpse_blip,
// glimpse_marian) load it on first use (engine.cpp) and call it through this table. The module
// exports one C symbol, kEntryPoint, that returns the table.
//
// Both sides are built from the same tree and installed together; kAbiVersion and the table's
// size guard against a module left over from another build. Bump kAbiVersion whenever this table
// or a virtual method of BlipModel (blip.h) or MarianModel (marian.h) changes.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "blip.h"
#include "precision.h"
#include "read_ahead.h"

namespace glimpse::marian {
class MarianModel;
struct MarianLoadOptions;
// The engine module's Marian loader (marian.cpp).
std::unique_ptr<MarianModel> load_marian_model(const std::filesystem::path& dir, const MarianLoadOptions& options);
}  // namespace glimpse::marian

namespace glimpse::engine {

constexpr uint32_t kAbiVersion = 2;
constexpr const char* kEntryPoint = "glimpse_engine_api";
constexpr const char* kModuleFileName = "libglimpse_engine.so";

struct Api {
  uint32_t abi_version = kAbiVersion;
  uint32_t size = sizeof(Api);
  std::unique_ptr<blip::BlipModel> (*load_blip)(const std::filesystem::path& dir, const blip::LoadOptions& options);
  std::unique_ptr<marian::MarianModel> (*load_marian)(const std::filesystem::path& dir,
                                                      const marian::MarianLoadOptions& options);
  blip::BlasInfo (*blas_backend)();
  blip::EngineInfo (*engine_info)();
  std::string (*precision_problem)(blip::Precision p);
  void (*set_warning_sink)(std::function<void(const std::string&)> sink);
  void (*init_threads)(int threads);
  std::filesystem::path (*convert_to_safetensors)(const std::filesystem::path& dir);
  void (*set_measurement_cache_file)(const std::filesystem::path& file);
};

// The loaded engine's table: the engine linked into this executable (tests and benchmarks that use
// its internals link glimpse_engine_impl), else the module, opened once. Throws blip::BlipError
// naming the paths tried when the module is missing, cannot be opened or is of another build.
const Api& api();

// Loads the model in `dir` with `load` (a call on api()); when the module is not loaded yet, the
// folder's weights file is read into the page cache while it loads (read_ahead.h).
template <typename Load>
auto load_model(const std::filesystem::path& dir, Load load) {
  const auto ahead = blip::read_weights_ahead_of_engine(dir);
  return load(api());
}

}  // namespace glimpse::engine

namespace glimpse::blip {
namespace detail {
// The engine module's implementations behind the table (blip.cpp, nn_layers.cpp, weights.cpp).
std::unique_ptr<BlipModel> load_blip_model(const std::filesystem::path& dir, const LoadOptions& options);
BlasInfo engine_blas_backend();
EngineInfo engine_engine_info();
std::string engine_precision_problem(Precision p);
void engine_set_warning_sink(std::function<void(const std::string&)> sink);
void engine_init_threads(int threads);
std::filesystem::path engine_convert_to_safetensors(const std::filesystem::path& dir);
}  // namespace detail
}  // namespace glimpse::blip

// The module's entry point (engine_entry.cpp).
extern "C" const glimpse::engine::Api* glimpse_engine_api();
