// Checkpoint and config readers on bad input: every failure is a BlipError with a clear message,
// never a crash. Includes a mutation fuzz of the safetensors, pytorch_model.bin and config parsers.
#include <gtest/gtest.h>

#include <fstream>
#include <random>

#include "configuration_blip.h"
#include "errors.h"
#include "golden.h"
#include "modeling_blip.h"
#include "weights.h"

using namespace glimpse::blip;

namespace {

const std::filesystem::path kTiny = std::filesystem::path(GLIMPSE_TEST_DATA_DIR) / "tiny";

std::string read_bytes(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

class TempDir {
 public:
  TempDir() {
    static int n = 0;
    path_ = std::filesystem::temp_directory_path() / ("glimpse_weights_" + std::to_string(::getpid()) + "_" + std::to_string(n++));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::filesystem::path write(const std::string& name, const std::string& bytes) const {
    std::ofstream(path_ / name, std::ios::binary) << bytes;
    return path_ / name;
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const BlipError& e) {
    return e.what();
  }
  return "<no error>";
}

std::string safetensors(const nlohmann::json& header, const std::string& data) {
  std::string h = header.dump();
  std::string out(8, '\0');
  uint64_t n = h.size();
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((n >> (8 * i)) & 0xFF);
  return out + h + data;
}

TEST(Safetensors, ReadsGoldenCheckpoint) {
  auto w = load_safetensors(kTiny / "model.safetensors");
  const auto& set = glimpse::test::golden_set(kTiny);
  EXPECT_EQ(static_cast<int>(w.tensors.size()), set.expected.at("models").at("main").at("checkpoint").at("num_tensors").get<int>());
  EXPECT_EQ(w.stored_dtype, "F32");
}

TEST(Safetensors, TruncatedFileIsAClearError) {
  TempDir dir;
  const std::string full = read_bytes(kTiny / "model.safetensors");
  for (size_t cut : {size_t{0}, size_t{5}, size_t{100}, full.size() / 2, full.size() - 1}) {
    const auto p = dir.write("cut.safetensors", full.substr(0, cut));
    const std::string msg = message_of([&] { load_safetensors(p); });
    EXPECT_TRUE(msg.find("truncated") != std::string::npos || msg.find("exceeds") != std::string::npos ||
                msg.find("outside the file") != std::string::npos)
        << "cut " << cut << ": " << msg;
  }
}

TEST(Safetensors, HeaderThatLiesIsRejected) {
  TempDir dir;
  const std::string data(16, '\0');
  auto header = [](const std::vector<int64_t>& shape, uint64_t b, uint64_t e, const std::string& dtype = "F32") {
    return nlohmann::json{{"w", {{"dtype", dtype}, {"shape", shape}, {"data_offsets", {b, e}}}}};
  };
  EXPECT_NE(message_of([&] { load_safetensors(dir.write("a", safetensors(header({4}, 0, 32), data))); }).find("outside the file"), std::string::npos);
  EXPECT_NE(message_of([&] { load_safetensors(dir.write("b", safetensors(header({3}, 0, 16), data))); }).find("shape needs 12"), std::string::npos);
  EXPECT_NE(message_of([&] { load_safetensors(dir.write("c", safetensors(header({4}, 8, 4), data))); }).find("outside the file"), std::string::npos);
  EXPECT_NE(message_of([&] { load_safetensors(dir.write("d", safetensors(header({2}, 0, 8, "I7"), data))); }).find("unsupported dtype"), std::string::npos);
  EXPECT_NE(message_of([&] { load_safetensors(dir.write("e", safetensors(header({-1}, 0, 8), data))); }).find("negative"), std::string::npos);
  EXPECT_NE(message_of([&] { load_safetensors(dir.write("f", safetensors(header({1ll << 40, 1ll << 40}, 0, 8), data))); }).find("shape"),
            std::string::npos);
  // Header length larger than the file.
  std::string bogus(8, '\xff');
  EXPECT_NE(message_of([&] { load_safetensors(dir.write("g", bogus + "{}")); }).find("exceeds"), std::string::npos);
  EXPECT_NE(message_of([&] { load_safetensors(dir.write("h", safetensors(nlohmann::json::array(), ""))); }).find("not a JSON object"),
            std::string::npos);
}

TEST(Safetensors, HalfPrecisionConvertsExactly) {
  TempDir dir;
  // 1.0, -2.5, 65504 (max half), smallest subnormal 2^-24
  const uint16_t half[4] = {0x3C00, 0xC100, 0x7BFF, 0x0001};
  const uint16_t bf16[2] = {0x3F80, 0xC020};  // 1.0, -2.5
  nlohmann::json h = {{"h", {{"dtype", "F16"}, {"shape", {4}}, {"data_offsets", {0, 8}}}},
                      {"b", {{"dtype", "BF16"}, {"shape", {2}}, {"data_offsets", {8, 12}}}}};
  std::string data(reinterpret_cast<const char*>(half), 8);
  data += std::string(reinterpret_cast<const char*>(bf16), 4);
  auto w = load_safetensors(dir.write("half.safetensors", safetensors(h, data)));
  const at::Tensor t = w.tensors.at("h");
  EXPECT_EQ(t.scalar_type(), at::kFloat);
  EXPECT_EQ(t[0].item<float>(), 1.0f);
  EXPECT_EQ(t[1].item<float>(), -2.5f);
  EXPECT_EQ(t[2].item<float>(), 65504.0f);
  EXPECT_EQ(t[3].item<float>(), std::ldexp(1.0f, -24));
  EXPECT_EQ(w.tensors.at("b")[1].item<float>(), -2.5f);
  EXPECT_EQ(w.stored_dtype, "mixed");
}

// Strict loader: a checkpoint with one tensor missing, one extra and one of the wrong shape gets
// one error naming all three.
TEST(StrictLoader, ReportsMissingExtraAndWrongShapeAtOnce) {
  const auto config = load_blip_config(kTiny / "config.json");
  TensorMap w = load_safetensors(kTiny / "model.safetensors");
  w.tensors.erase("vision_model.post_layernorm.bias");
  w.tensors["text_decoder.bert.encoder.layer.0.output.dense.weight"] = at::zeros({3, 3});
  w.tensors["vision_model.encoder.layers.7.extra.weight"] = at::zeros({2});
  BlipForConditionalGeneration head(config);
  const std::string msg = message_of([&] { load_head_weights(*head, BlipHead::Captioning, config, w); });
  EXPECT_NE(msg.find("missing tensors (1)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("vision_model.post_layernorm.bias"), std::string::npos) << msg;
  EXPECT_NE(msg.find("text_decoder.bert.encoder.layer.0.output.dense.weight: got [3, 3] expected [16, 36]"), std::string::npos) << msg;
  EXPECT_NE(msg.find("tensors no BLIP head has (1)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("vision_model.encoder.layers.7.extra.weight"), std::string::npos) << msg;
}

TEST(StrictLoader, TiedDecoderWeightFallsBackToWordEmbeddings) {
  const auto config = load_blip_config(kTiny / "config.json");
  TensorMap w = load_safetensors(kTiny / "model.safetensors");
  w.tensors.erase("text_decoder.cls.predictions.decoder.weight");
  BlipForConditionalGeneration head(config);
  auto report = load_head_weights(*head, BlipHead::Captioning, config, w);
  ASSERT_EQ(report.tied.size(), 1u);
  EXPECT_TRUE(at::equal(head->text_decoder->cls->predictions->decoder->weight,
                        w.tensors.at("text_decoder.bert.embeddings.word_embeddings.weight")));
}

TEST(StrictLoader, OnlyDecoderBiasAliasIsAccepted) {
  const auto config = load_blip_config(kTiny / "config.json");
  TensorMap w = load_safetensors(kTiny / "model.safetensors");
  at::Tensor bias = w.tensors.at("text_decoder.cls.predictions.bias");
  w.tensors.erase("text_decoder.cls.predictions.bias");
  w.tensors["text_decoder.cls.predictions.decoder.bias"] = bias;
  BlipForConditionalGeneration head(config);
  load_head_weights(*head, BlipHead::Captioning, config, w);
  EXPECT_TRUE(at::equal(head->text_decoder->cls->predictions->bias, bias));
}

TEST(Config, NonBlipConfigsNameWhatWasFound) {
  EXPECT_NE(message_of([] { parse_blip_config(R"({"model_type": "clip"})"); }).find("model_type \"clip\""), std::string::npos);
  EXPECT_NE(message_of([] { parse_blip_config(R"({"model_type": "blip_text_model"})"); }).find("only a part"), std::string::npos);
  EXPECT_NE(message_of([] { parse_blip_config(R"({})"); }).find("no model_type"), std::string::npos);
  EXPECT_NE(message_of([] { parse_blip_config("{not json"); }).find("not valid JSON"), std::string::npos);
  EXPECT_NE(message_of([] { parse_blip_config(R"({"model_type":"blip","text_config":{"hidden_size":"big"}})"); }).find("wrong type"),
            std::string::npos);
  EXPECT_NE(message_of([] { parse_blip_config(R"({"model_type":"blip","vision_config":{"hidden_size":10,"num_attention_heads":3}})"); })
                .find("multiple"),
            std::string::npos);
  EXPECT_NE(message_of([] { load_blip_config("/nonexistent/config.json"); }).find("file not found"), std::string::npos);
}

TEST(Config, OmittedKeysTakeHuggingFaceDefaults) {
  const auto c = parse_blip_config(R"({"model_type": "blip"})");
  EXPECT_EQ(c.text_config.vocab_size, 30524);
  EXPECT_EQ(c.text_config.num_attention_heads, 8);
  EXPECT_EQ(c.text_config.layer_norm_eps, 1e-12);
  EXPECT_EQ(c.vision_config.image_size, 384);
  EXPECT_EQ(c.vision_config.layer_norm_eps, 1e-5);
  EXPECT_EQ(c.image_text_hidden_size, 256);
  // encoder_hidden_size always follows the vision width
  const auto w = parse_blip_config(R"({"model_type":"blip","vision_config":{"hidden_size":1024,"num_attention_heads":16}})");
  EXPECT_EQ(w.text_config.encoder_hidden_size, 1024);
  const auto p = parse_image_processor_config(R"({"size": 384})");
  EXPECT_EQ(p.height, 384);
  EXPECT_EQ(p.width, 384);
}

TEST(PytorchBin, CorruptArchivesAreClearErrors) {
  TempDir dir;
  const std::string full = read_bytes(kTiny / "caption_bin" / "pytorch_model.bin");
  EXPECT_NE(message_of([&] { load_pytorch_bin(dir.write("a.bin", "not a zip at all")); }).find("not a PyTorch zip"), std::string::npos);
  EXPECT_NE(message_of([&] { load_pytorch_bin(dir.write("b.bin", full.substr(0, full.size() / 2))); }).find("truncated"), std::string::npos);
  EXPECT_NE(message_of([&] { load_pytorch_bin(dir.write("c.bin", "")); }).find("not a PyTorch zip"), std::string::npos);
}

// Mutation fuzz: random byte flips, truncations and splices of real files. Any outcome but a
// BlipError (or success) fails; sanitizer builds also catch memory errors.
// Returns how many mutants were rejected with a BlipError.
template <typename Load>
int fuzz(const std::string& original, const std::string& name, Load load, int iterations, uint32_t seed) {
  TempDir dir;
  std::mt19937 rng(seed);
  int errors = 0;
  for (int i = 0; i < iterations; ++i) {
    std::string b = original;
    const int kind = static_cast<int>(rng() % 4);
    if (kind == 0) {
      for (int k = 0; k < 1 + static_cast<int>(rng() % 8); ++k) b[rng() % b.size()] = static_cast<char>(rng());
    } else if (kind == 1) {
      b.resize(rng() % b.size());
    } else if (kind == 2) {
      // corrupt the first 4 KiB (headers, directories, pickle)
      for (int k = 0; k < 4; ++k) b[rng() % std::min<size_t>(b.size(), 4096)] = static_cast<char>(rng());
    } else {
      // corrupt the tail (zip directory)
      for (int k = 0; k < 4; ++k) b[b.size() - 1 - rng() % std::min<size_t>(b.size(), 512)] = static_cast<char>(rng());
    }
    const auto p = dir.write(name, b);
    try {
      load(p);
    } catch (const BlipError&) {
      ++errors;
    }
  }
  return errors;
}

TEST(Fuzz, SafetensorsReader) {
  const int rejected = fuzz(read_bytes(kTiny / "model.safetensors").substr(0, 1 << 16), "f.safetensors",
                            [](const auto& p) { load_safetensors(p); }, 300, 1);
  EXPECT_GT(rejected, 0);
}

TEST(Fuzz, PytorchBinReader) {
  const int rejected = fuzz(read_bytes(kTiny / "caption_bin" / "pytorch_model.bin"), "f.bin",
                            [](const auto& p) { load_pytorch_bin(p); }, 300, 2);
  EXPECT_GT(rejected, 0);
}

TEST(Fuzz, ConfigParsers) {
  const std::string cfg = read_bytes(kTiny / "config.json");
  const std::string pre = read_bytes(kTiny / "preprocessor_config.json");
  std::mt19937 rng(3);
  int errors = 0;
  for (int i = 0; i < 500; ++i) {
    std::string a = i % 2 ? cfg : pre;
    for (int k = 0; k < 1 + static_cast<int>(rng() % 4); ++k) a[rng() % a.size()] = " {}[]\":,0123456789-eE.abtrue"[rng() % 28];
    try {
      if (i % 2) parse_blip_config(a);
      else parse_image_processor_config(a);
    } catch (const BlipError&) {
      ++errors;
    }
  }
  EXPECT_GT(errors, 0);
}

}  // namespace

#include <ATen/Parallel.h>

#include "blip.h"

namespace {

// The build pins OpenBLAS-OpenMP by rpath (cmake/Blas.cmake); the reference BLAS is ~50x slower
// and OpenBLAS-pthreads fights torch's OpenMP threads.
TEST(Runtime, LibtorchUsesOpenBlasOpenMp) {
  const auto blas = glimpse::blip::blas_backend();
  EXPECT_EQ(blas.name, "OpenBLAS (OpenMP)") << blas.path;
  EXPECT_TRUE(blas.fast);
  EXPECT_NE(blas.path.find("openblas-openmp"), std::string::npos) << blas.path;
}

// One thread pool: torch's intra-op threads are OpenMP's, and OpenBLAS-OpenMP runs inside them.
TEST(Runtime, TorchThreadsFollowTheSetting) {
  glimpse::blip::init_torch_threads(2);
  EXPECT_EQ(at::get_num_threads(), 2);
  glimpse::blip::init_torch_threads(1);
  EXPECT_EQ(at::get_num_threads(), 1);
  EXPECT_NE(at::get_parallel_info().find("OpenMP"), std::string::npos);
}

}  // namespace

namespace {

TEST(BlipModelLoad, TokenizerThatDoesNotFitTheModelIsRejected) {
  TempDir dir;
  for (const char* f : {"config.json", "preprocessor_config.json", "model.safetensors"})
    std::filesystem::copy_file(kTiny / f, dir.path() / f);
  // A vocabulary with extra lines moves [DEC] away from the model's bos_token_id.
  std::string vocab = read_bytes(kTiny / "vocab.txt");
  if (!vocab.empty() && vocab.back() != '\n') vocab += '\n';
  dir.write("vocab.txt", vocab + "extra1\nextra2\n");
  const std::string msg = message_of([&] { glimpse::blip::BlipModel::load(dir.path()); });
  EXPECT_NE(msg.find("does not fit the model"), std::string::npos) << msg;
}

TEST(BlipModelLoad, HeadsFollowConfigAndCheckpoint) {
  auto all = glimpse::blip::BlipModel::load(kTiny);
  EXPECT_EQ(all->heads(), (std::vector<std::string>{"BlipForConditionalGeneration", "BlipForQuestionAnswering", "BlipForImageTextRetrieval"}));
  // caption_bin's config lists all three heads but its weights hold the caption head only.
  auto bin = glimpse::blip::BlipModel::load(kTiny / "caption_bin");
  EXPECT_EQ(bin->heads(), (std::vector<std::string>{"BlipForConditionalGeneration"}));
  const std::string msg = message_of([&] { bin->match({}, {"x"}); });
  EXPECT_NE(msg.find("no image-text matching head"), std::string::npos) << msg;
}

TEST(BlipModelLoad, MissingWeightsAndConfigAreClearErrors) {
  TempDir dir;
  EXPECT_NE(message_of([&] { glimpse::blip::BlipModel::load(dir.path()); }).find("config.json"), std::string::npos);
  std::filesystem::copy_file(kTiny / "config.json", dir.path() / "config.json");
  std::filesystem::copy_file(kTiny / "vocab.txt", dir.path() / "vocab.txt");
  EXPECT_NE(message_of([&] { glimpse::blip::BlipModel::load(dir.path()); }).find("no weights"), std::string::npos);
}

}  // namespace
