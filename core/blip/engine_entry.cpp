// The engine module's one exported symbol (engine_api.h): the table of what the torch-free side
// calls. The module is linked with a version script that exports this symbol only.
#include "engine_api.h"
#include "fp32_gemm.h"
#include "marian.h"

extern "C" __attribute__((visibility("default"))) const glimpse::engine::Api* glimpse_engine_api() {
  namespace blip = glimpse::blip;
  static const glimpse::engine::Api api = [] {
    glimpse::engine::Api a;
    a.load_blip = blip::detail::load_blip_model;
    a.load_marian = glimpse::marian::load_marian_model;
    a.blas_backend = blip::detail::engine_blas_backend;
    a.engine_info = blip::detail::engine_engine_info;
    a.precision_problem = blip::detail::engine_precision_problem;
    a.set_warning_sink = blip::detail::engine_set_warning_sink;
    a.init_threads = blip::detail::engine_init_threads;
    a.convert_to_safetensors = blip::detail::engine_convert_to_safetensors;
    a.set_measurement_cache_file = blip::set_fp32_gemm_cache_file;
    return a;
  }();
  return &api;
}
