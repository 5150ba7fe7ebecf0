// Query translation with a base-size OPUS-MT model (random weights, written in-process: d_model
// 512, 6+6 layers, vocabulary 58101, the size of Helsinki-NLP/opus-mt-de-en), greedy and with the
// checkpoints' 4 beams, fp32 and bf16. Each figure is given beside a bound measured in the same
// run: the encoder at the machine's GEMM rate, and every decoder step reading its weights (the
// 30M-parameter LM head included) once at the machine's memory bandwidth, or computing them at
// the GEMM rate when beams make that slower. Run: build/bench/bench_marian
#include <ATen/ATen.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "blip.h"
#include "bounds.h"
#include "marian.h"
#include "weights.h"

namespace {

using namespace glimpse;
namespace fs = std::filesystem;

constexpr int64_t kVocab = 58101, kD = 512, kLayers = 6, kFfn = 2048, kHeads = 8;
constexpr int64_t kSourceTokens = 18;  // a 12-word German query is about 18 OPUS-MT pieces with </s>
constexpr int kNewTokens = 20;         // and its English translation about 20 tokens

// Config, generation config and tokenizer files (the tiny set's sentencepiece models, a
// vocabulary padded to 58101 pieces) and N(0, 0.02) weights, LayerNorms 1 and 0.
fs::path randomBaseMarian() {
  const fs::path dir = fs::temp_directory_path() / "glimpse-bench-marian-base";
  if (fs::exists(dir / "model.safetensors")) return dir;
  fs::create_directories(dir);
  const fs::path tiny = fs::path(GLIMPSE_TEST_DATA_DIR) / "marian" / "tiny";
  nlohmann::json cfg = {{"model_type", "marian"},
                        {"architectures", {"MarianMTModel"}},
                        {"vocab_size", kVocab},
                        {"decoder_vocab_size", kVocab},
                        {"d_model", kD},
                        {"encoder_layers", kLayers},
                        {"decoder_layers", kLayers},
                        {"encoder_attention_heads", kHeads},
                        {"decoder_attention_heads", kHeads},
                        {"encoder_ffn_dim", kFfn},
                        {"decoder_ffn_dim", kFfn},
                        {"max_position_embeddings", 512},
                        {"activation_function", "swish"},
                        {"scale_embedding", true},
                        {"static_position_embeddings", true},
                        {"share_encoder_decoder_embeddings", true},
                        {"pad_token_id", kVocab - 1},
                        {"eos_token_id", 0},
                        {"decoder_start_token_id", kVocab - 1},
                        {"forced_eos_token_id", 0}};
  std::ofstream(dir / "config.json") << cfg.dump(2);
  nlohmann::json gen = {{"bad_words_ids", {{kVocab - 1}}},
                        {"decoder_start_token_id", kVocab - 1},
                        {"eos_token_id", 0},
                        {"forced_eos_token_id", 0},
                        {"max_length", 512},
                        {"num_beams", 4},
                        {"pad_token_id", kVocab - 1}};
  std::ofstream(dir / "generation_config.json") << gen.dump(2);
  for (const char* f : {"source.spm", "target.spm", "tokenizer_config.json", "special_tokens_map.json"})
    fs::copy_file(tiny / f, dir / f, fs::copy_options::overwrite_existing);
  std::ifstream in(tiny / "vocab.json");
  nlohmann::json small = nlohmann::json::parse(in), vocab = nlohmann::json::object();
  for (const auto& [piece, id] : small.items())
    if (piece != "<pad>") vocab[piece] = id;
  for (int64_t id = static_cast<int64_t>(vocab.size()); id < kVocab - 1; ++id)
    vocab["\u2581w" + std::to_string(id)] = id;
  vocab["<pad>"] = kVocab - 1;
  std::ofstream(dir / "vocab.json") << vocab.dump();

  auto gen_rng = at::detail::createCPUGenerator(0);
  std::map<std::string, at::Tensor> t;
  auto linear = [&](const std::string& n, int64_t out, int64_t in_features) {
    t[n + ".weight"] = at::normal(0.0, 0.02, {out, in_features}, gen_rng);
    t[n + ".bias"] = at::zeros({out});
  };
  auto norm = [&](const std::string& n) {
    t[n + ".weight"] = at::ones({kD});
    t[n + ".bias"] = at::zeros({kD});
  };
  auto attention = [&](const std::string& n) {
    for (const char* p : {"q_proj", "k_proj", "v_proj", "out_proj"}) linear(n + "." + p, kD, kD);
  };
  for (int64_t i = 0; i < kLayers; ++i) {
    const std::string e = "model.encoder.layers." + std::to_string(i), d = "model.decoder.layers." + std::to_string(i);
    attention(e + ".self_attn");
    norm(e + ".self_attn_layer_norm");
    linear(e + ".fc1", kFfn, kD);
    linear(e + ".fc2", kD, kFfn);
    norm(e + ".final_layer_norm");
    attention(d + ".self_attn");
    norm(d + ".self_attn_layer_norm");
    attention(d + ".encoder_attn");
    norm(d + ".encoder_attn_layer_norm");
    linear(d + ".fc1", kFfn, kD);
    linear(d + ".fc2", kD, kFfn);
    norm(d + ".final_layer_norm");
  }
  t["model.shared.weight"] = at::normal(0.0, 0.02, {kVocab, kD}, gen_rng);
  t["final_logits_bias"] = at::zeros({1, kVocab});
  blip::save_safetensors(dir / "model.safetensors", t);
  return dir;
}

// The bound of one translation: the encoder's GEMMs at the GEMM rate, then each decoder step's
// weights (cross-attention keys/values excluded: computed once) read once at the memory
// bandwidth, or their products at the GEMM rate, whichever is slower.
double boundSeconds(int rows, blip::Precision p) {
  const double encoder_params = kLayers * (4.0 * kD * kD + 2.0 * kD * kFfn);
  const double step_params = kLayers * (6.0 * kD * kD + 2.0 * kD * kFfn) + static_cast<double>(kVocab) * kD;
  const double bytes = p == blip::Precision::BFloat16 ? 2.0 : 4.0;
  const double flops = bench::gemmFlops(p);
  const double encoder = 2.0 * encoder_params * kSourceTokens / flops +
                         2.0 * kLayers * 2.0 * kD * kD * kSourceTokens * rows / flops;  // + cross k/v
  const double step = std::max(step_params * bytes / bench::readBandwidth(), 2.0 * step_params * rows / flops);
  return encoder + kNewTokens * step;
}

void BM_TranslateQuery(benchmark::State& state) {
  const auto precision = static_cast<blip::Precision>(state.range(0));
  const int beams = static_cast<int>(state.range(1));
  if (const std::string problem = blip::precision_problem(precision); !problem.empty()) {
    state.SkipWithError(problem.c_str());
    return;
  }
  marian::MarianLoadOptions options;
  options.precision = precision;
  auto model = marian::MarianModel::load(randomBaseMarian(), options);
  std::vector<int64_t> ids;
  for (int64_t i = 0; i + 1 < kSourceTokens; ++i) ids.push_back(2 + (i * 7919) % (kVocab - 3));
  ids.push_back(0);
  marian::GenerationConfig gc = model->generation_defaults();
  gc.num_beams = beams;
  gc.max_new_tokens = kNewTokens;
  gc.min_length = kNewTokens + 1;  // every run decodes all kNewTokens steps
  double seconds = 0;
  for (auto _ : state) {
    const auto t0 = std::chrono::steady_clock::now();
    benchmark::DoNotOptimize(model->generate({ids}, {}, gc));
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }
  const double ms = 1e3 * seconds / static_cast<double>(state.iterations());
  const double bound_ms = 1e3 * boundSeconds(beams, precision);
  state.counters["ms"] = ms;
  state.counters["bound_ms"] = bound_ms;
  state.counters["ratio_to_bound"] = ms / bound_ms;
  state.SetLabel(std::string(blip::precision_name(precision)) +
                 (beams == 1 ? " greedy" : " beams " + std::to_string(beams)));
  bench::addPeakRss(state);
}
BENCHMARK(BM_TranslateQuery)
    ->ArgsProduct({{static_cast<int>(blip::Precision::Float32), static_cast<int>(blip::Precision::BFloat16)}, {1, 4}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace

int main(int argc, char** argv) {
  glimpse::bench::restartWithAppOpenMpSettings(argv);
  return glimpse::bench::runBenchmarks(argc, argv, [] { glimpse::blip::init_torch_threads(0); });
}
