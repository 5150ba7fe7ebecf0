// Checkpoint and config readers on bad input: every failure is a BlipError with a clear message,
// never a crash. Includes a mutation fuzz of the safetensors, pytorch_model.bin and config parsers.
#include <gtest/gtest.h>

#include <sys/resource.h>
#include <chrono>
#include <cmath>
#include <fstream>
#include <random>
#include <set>

#include <unistd.h>

#include "blip.h"
#include "checkpoint.h"
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
    path_ = std::filesystem::temp_directory_path() /
            ("glimpse_weights_" + std::to_string(::getpid()) + "_" + std::to_string(n++));
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

// A safetensors file of the header text as given (padding included) and the data.
std::string safetensors(const std::string& header, const std::string& data) {
  std::string out(8, '\0');
  const uint64_t n = header.size();
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((n >> (8 * i)) & 0xFF);
  return out + header + data;
}

std::string safetensors(const nlohmann::json& header, const std::string& data) {
  return safetensors(header.dump(), data);
}

TEST(Safetensors, ReadsGoldenCheckpoint) {
  auto w = load_safetensors(kTiny / "model.safetensors");
  const auto& set = glimpse::test::golden_set(kTiny);
  EXPECT_EQ(static_cast<int>(w.tensors.size()),
            set.expected.at("models").at("main").at("checkpoint").at("num_tensors").get<int>());
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
  EXPECT_NE(message_of([&] {
              load_safetensors(dir.write("a", safetensors(header({4}, 0, 32), data)));
            }).find("outside the file"),
            std::string::npos);
  EXPECT_NE(message_of([&] {
              load_safetensors(dir.write("b", safetensors(header({3}, 0, 16), data)));
            }).find("shape needs 12"),
            std::string::npos);
  EXPECT_NE(message_of([&] {
              load_safetensors(dir.write("c", safetensors(header({4}, 8, 4), data)));
            }).find("outside the file"),
            std::string::npos);
  EXPECT_NE(message_of([&] {
              load_safetensors(dir.write("d", safetensors(header({2}, 0, 8, "I7"), data)));
            }).find("unsupported dtype"),
            std::string::npos);
  EXPECT_NE(
      message_of([&] { load_safetensors(dir.write("e", safetensors(header({-1}, 0, 8), data))); }).find("negative"),
      std::string::npos);
  EXPECT_NE(message_of([&] {
              load_safetensors(dir.write("f", safetensors(header({1ll << 40, 1ll << 40}, 0, 8), data)));
            }).find("shape"),
            std::string::npos);
  // Header length larger than the file.
  std::string bogus(8, '\xff');
  EXPECT_NE(message_of([&] { load_safetensors(dir.write("g", bogus + "{}")); }).find("exceeds"), std::string::npos);
  EXPECT_NE(message_of([&] {
              load_safetensors(dir.write("h", safetensors(nlohmann::json::array(), "")));
            }).find("not a JSON object"),
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
  EXPECT_NE(msg.find("text_decoder.bert.encoder.layer.0.output.dense.weight: got [3, 3] expected [16, 36]"),
            std::string::npos)
      << msg;
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
  EXPECT_NE(message_of([] { parse_blip_config(R"({"model_type": "clip"})"); }).find("model_type \"clip\""),
            std::string::npos);
  EXPECT_NE(message_of([] { parse_blip_config(R"({"model_type": "blip_text_model"})"); }).find("only a part"),
            std::string::npos);
  EXPECT_NE(message_of([] { parse_blip_config(R"({})"); }).find("no model_type"), std::string::npos);
  EXPECT_NE(message_of([] { parse_blip_config("{not json"); }).find("not valid JSON"), std::string::npos);
  EXPECT_NE(message_of([] {
              parse_blip_config(R"({"model_type":"blip","text_config":{"hidden_size":"big"}})");
            }).find("wrong type"),
            std::string::npos);
  EXPECT_NE(message_of([] {
              parse_blip_config(R"({"model_type":"blip","vision_config":{"hidden_size":10,"num_attention_heads":3}})");
            }).find("multiple"),
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
  const auto w =
      parse_blip_config(R"({"model_type":"blip","vision_config":{"hidden_size":1024,"num_attention_heads":16}})");
  EXPECT_EQ(w.text_config.encoder_hidden_size, 1024);
  const auto p = parse_image_processor_config(R"({"size": 384})");
  EXPECT_EQ(p.height, 384);
  EXPECT_EQ(p.width, 384);
}

TEST(PytorchBin, CorruptArchivesAreClearErrors) {
  TempDir dir;
  const std::string full = read_bytes(kTiny / "caption_bin" / "pytorch_model.bin");
  EXPECT_NE(message_of([&] { load_pytorch_bin(dir.write("a.bin", "not a zip at all")); }).find("not a PyTorch zip"),
            std::string::npos);
  EXPECT_NE(
      message_of([&] { load_pytorch_bin(dir.write("b.bin", full.substr(0, full.size() / 2))); }).find("truncated"),
      std::string::npos);
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
  const int rejected = fuzz(
      read_bytes(kTiny / "model.safetensors").substr(0, 1 << 16), "f.safetensors",
      [](const auto& p) { load_safetensors(p); }, 300, 1);
  EXPECT_GT(rejected, 0);
}

TEST(Fuzz, PytorchBinReader) {
  const int rejected = fuzz(
      read_bytes(kTiny / "caption_bin" / "pytorch_model.bin"), "f.bin", [](const auto& p) { load_pytorch_bin(p); }, 300,
      2);
  EXPECT_GT(rejected, 0);
}

TEST(Fuzz, ConfigParsers) {
  const std::string cfg = read_bytes(kTiny / "config.json");
  const std::string pre = read_bytes(kTiny / "preprocessor_config.json");
  std::mt19937 rng(3);
  int errors = 0;
  for (int i = 0; i < 500; ++i) {
    std::string a = i % 2 ? cfg : pre;
    for (int k = 0; k < 1 + static_cast<int>(rng() % 4); ++k)
      a[rng() % a.size()] = " {}[]\":,0123456789-eE.abtrue"[rng() % 28];
    try {
      if (i % 2)
        parse_blip_config(a);
      else
        parse_image_processor_config(a);
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
  EXPECT_EQ(all->heads(), (std::vector<std::string>{"BlipForConditionalGeneration", "BlipForQuestionAnswering",
                                                    "BlipForImageTextRetrieval"}));
  // caption_bin's config lists all three heads but its weights hold the caption head only.
  auto bin = glimpse::blip::BlipModel::load(kTiny / "caption_bin");
  EXPECT_EQ(bin->heads(), (std::vector<std::string>{"BlipForConditionalGeneration"}));
  const std::string msg = message_of([&] { bin->match({}, {"x"}); });
  EXPECT_NE(msg.find("no image-text matching head"), std::string::npos) << msg;
}

// ---- Hostile checkpoints and configs (issue 11): every one refused in words, none crashes ----

void put16(std::string& s, uint16_t v) {
  s += static_cast<char>(v & 0xFF);
  s += static_cast<char>(v >> 8);
}
void put32(std::string& s, uint32_t v) {
  for (int i = 0; i < 4; ++i) s += static_cast<char>((v >> (8 * i)) & 0xFF);
}

// A ZIP of stored entries, as torch.save writes them (CRCs left 0: the reader does not check them).
std::string stored_zip(const std::vector<std::pair<std::string, std::string>>& entries) {
  std::string out, dir;
  for (const auto& [name, data] : entries) {
    const uint32_t offset = static_cast<uint32_t>(out.size());
    put32(out, 0x04034b50);
    put16(out, 20);
    put16(out, 0);
    put16(out, 0);
    put16(out, 0);
    put16(out, 0);
    put32(out, 0);
    put32(out, static_cast<uint32_t>(data.size()));
    put32(out, static_cast<uint32_t>(data.size()));
    put16(out, static_cast<uint16_t>(name.size()));
    put16(out, 0);
    out += name + data;
    put32(dir, 0x02014b50);
    put16(dir, 20);
    put16(dir, 20);
    put16(dir, 0);
    put16(dir, 0);
    put16(dir, 0);
    put16(dir, 0);
    put32(dir, 0);
    put32(dir, static_cast<uint32_t>(data.size()));
    put32(dir, static_cast<uint32_t>(data.size()));
    put16(dir, static_cast<uint16_t>(name.size()));
    put16(dir, 0);
    put16(dir, 0);
    put16(dir, 0);
    put16(dir, 0);
    put32(dir, 0);
    put32(dir, offset);
    dir += name;
  }
  const uint32_t cd_offset = static_cast<uint32_t>(out.size());
  out += dir;
  put32(out, 0x06054b50);
  put16(out, 0);
  put16(out, 0);
  put16(out, static_cast<uint16_t>(entries.size()));
  put16(out, static_cast<uint16_t>(entries.size()));
  put32(out, static_cast<uint32_t>(dir.size()));
  put32(out, cd_offset);
  put16(out, 0);
  return out;
}

std::string bin_with_pickle(const std::string& pickle) {
  return stored_zip({{"archive/data.pkl", pickle}, {"archive/version", "3\n"}});
}

TEST(Pickle, DeepNestingIsRefusedWithoutOverflowingTheStack) {
  TempDir dir;
  // The reviewer's file: 200000 EMPTY_LIST, then 199999 APPEND, each list into the one below.
  const std::string lists = "\x80\x02" + std::string(200000, ']') + std::string(199999, 'a') + ".";
  // The same through tuples (TUPLE1) and through MARK ... APPENDS.
  const std::string tuples = "\x80\x02" + std::string(1, ')') + std::string(200000, '\x85') + ".";
  std::string appends = "\x80\x02";
  for (int i = 0; i < 100000; ++i) appends += "](";
  for (int i = 0; i < 99999; ++i) appends += "e";
  appends += "e.";
  for (const auto& [name, pkl] :
       std::vector<std::pair<std::string, std::string>>{{"lists", lists}, {"tuples", tuples}, {"appends", appends}}) {
    const auto p = dir.write(name + ".bin", bin_with_pickle(pkl));
    const std::string msg = message_of([&] { load_pytorch_bin(p); });
    EXPECT_NE(msg.find("levels deep"), std::string::npos) << name << ": " << msg;
    EXPECT_NE(message_of([&] { read_checkpoint_index(p); }).find("levels deep"), std::string::npos) << name;
  }
  // As a model folder: inspect (models list, verify, the settings page) says what is wrong.
  for (const char* f : {"config.json", "vocab.txt"}) std::filesystem::copy_file(kTiny / f, dir.path() / f);
  std::filesystem::copy_file(dir.path() / "lists.bin", dir.path() / "pytorch_model.bin");
  const auto info = inspect_model_folder(dir.path());
  EXPECT_FALSE(info.usable);
  EXPECT_NE(info.problem.find("levels deep"), std::string::npos) << info.problem;
}

TEST(Pickle, RecursiveAndOversizedStructuresAreRefused) {
  TempDir dir;
  // A list appended to itself (BINPUT 0, BINGET 0, APPEND), and two lists inside each other.
  const std::string self(
      "\x80\x02]q\x00h\x00"
      "a.",
      9);
  EXPECT_NE(message_of([&] { load_pytorch_bin(dir.write("self.bin", bin_with_pickle(self))); }).find("inside itself"),
            std::string::npos);
  const std::string mutual(
      "\x80\x02]q\x00]q\x01h\x00"
      "aa.",
      13);  // L1.append(L0), then L0.append(L1)
  EXPECT_NE(
      message_of([&] { load_pytorch_bin(dir.write("mutual.bin", bin_with_pickle(mutual))); }).find("already placed"),
      std::string::npos);
  // Millions of values from a few MB of pickle.
  std::string many = "\x80\x02]";
  for (int i = 0; i < 1100000; ++i) many += "Na";
  many += ".";
  EXPECT_NE(message_of([&] { load_pytorch_bin(dir.write("many.bin", bin_with_pickle(many))); }).find("values"),
            std::string::npos);
  // A shallow list is no state dict: refused in words.
  EXPECT_NE(message_of([&] {
              load_pytorch_bin(dir.write("list.bin", bin_with_pickle("\x80\x02]N"
                                                                     "a.")));
            }).find("state dict"),
            std::string::npos);
}

TEST(PytorchBin, NaNWeightsAreRefusedWithTheTensorName) {
  TempDir dir;
  std::string bytes = read_bytes(kTiny / "caption_bin" / "pytorch_model.bin");
  const auto w = load_pytorch_bin(kTiny / "caption_bin" / "pytorch_model.bin");
  const std::string name = "text_decoder.bert.embeddings.LayerNorm.weight";
  const at::Tensor t = w.tensors.at(name).contiguous();
  const std::string data(static_cast<const char*>(t.data_ptr()), static_cast<size_t>(t.numel()) * 4);
  const size_t at = bytes.find(data);
  ASSERT_NE(at, std::string::npos);
  const float nan = std::nanf("");
  bytes.replace(at + 4, 4, std::string(reinterpret_cast<const char*>(&nan), 4));
  const std::string msg = message_of([&] { load_pytorch_bin(dir.write("nan.bin", bytes)); });
  EXPECT_NE(msg.find(name), std::string::npos) << msg;
  EXPECT_NE(msg.find("1 NaN or infinite value"), std::string::npos) << msg;
}

TEST(Safetensors, NaNAndInfinityAreRefusedWithTheTensorName) {
  TempDir dir;
  const float f32[2] = {1.0f, std::numeric_limits<float>::infinity()};
  const uint16_t f16[2] = {0x3C00, 0x7E00};  // 1.0, NaN
  nlohmann::json h32 = {{"bad", {{"dtype", "F32"}, {"shape", {2}}, {"data_offsets", {0, 8}}}}};
  nlohmann::json h16 = {{"half", {{"dtype", "F16"}, {"shape", {2}}, {"data_offsets", {0, 4}}}}};
  std::string m = message_of(
      [&] { load_safetensors(dir.write("a", safetensors(h32, std::string(reinterpret_cast<const char*>(f32), 8)))); });
  EXPECT_NE(m.find("tensor 'bad' holds 1 NaN or infinite value"), std::string::npos) << m;
  m = message_of(
      [&] { load_safetensors(dir.write("b", safetensors(h16, std::string(reinterpret_cast<const char*>(f16), 4)))); });
  EXPECT_NE(m.find("tensor 'half' holds 1 NaN or infinite value"), std::string::npos) << m;
}

TEST(Safetensors, TensorsMustTileTheDataAsHuggingFaceRequires) {
  TempDir dir;
  const std::string data(16, '\0');
  auto entry = [](uint64_t b, uint64_t e) {
    return nlohmann::json{{"dtype", "F32"}, {"shape", {(e - b) / 4}}, {"data_offsets", {b, e}}};
  };
  // overlapping
  std::string m = message_of([&] {
    load_safetensors(dir.write("o", safetensors({{"a", entry(0, 12)}, {"b", entry(8, 16)}}, data)));
  });
  EXPECT_NE(m.find("overlaps"), std::string::npos) << m;
  // the same bytes twice
  m = message_of([&] {
    load_safetensors(dir.write("s", safetensors({{"a", entry(0, 8)}, {"b", entry(0, 8)}, {"c", entry(8, 16)}}, data)));
  });
  EXPECT_NE(m.find("overlaps"), std::string::npos) << m;
  // a gap
  m = message_of([&] {
    load_safetensors(dir.write("g", safetensors({{"a", entry(0, 4)}, {"b", entry(8, 16)}}, data)));
  });
  EXPECT_NE(m.find("belong to no tensor"), std::string::npos) << m;
  // trailing bytes
  m = message_of([&] { load_safetensors(dir.write("t.safetensors", safetensors({{"a", entry(0, 8)}}, data))); });
  EXPECT_NE(m.find("after the last tensor"), std::string::npos) << m;
  // a duplicate tensor name and a duplicate field (nlohmann would keep the last one silently)
  const std::string dup =
      R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})";
  std::string raw(8, '\0');
  raw[0] = static_cast<char>(dup.size());
  m = message_of([&] { load_safetensors(dir.write("d", raw + dup + data)); });
  EXPECT_NE(m.find("'a' appears twice"), std::string::npos) << m;
  const std::string dupfield = R"({"a":{"dtype":"F32","shape":[4],"shape":[2],"data_offsets":[0,16]}})";
  raw[0] = static_cast<char>(dupfield.size());
  m = message_of([&] { load_safetensors(dir.write("f", raw + dupfield + data)); });
  EXPECT_NE(m.find("'shape' appears twice"), std::string::npos) << m;
  // metadata must be strings
  m = message_of([&] {
    load_safetensors(dir.write("m", safetensors({{"__metadata__", {{"format", 1}}}, {"a", entry(0, 16)}}, data)));
  });
  EXPECT_NE(m.find("__metadata__"), std::string::npos) << m;
  // Misaligned float32 data (a header length not a multiple of 4) is read correctly, copied.
  const float v[2] = {1.5f, -2.0f};
  std::string h = nlohmann::json{{"a", entry(0, 8)}}.dump() + " ";  // odd length
  std::string file(8, '\0');
  file[0] = static_cast<char>(h.size());
  const auto w = load_safetensors(dir.write("mis", file + h + std::string(reinterpret_cast<const char*>(v), 8)));
  EXPECT_EQ(w.tensors.at("a")[1].item<float>(), -2.0f);
  // The index (inspect, models verify) applies the same rules: a truncated file is no model.
  EXPECT_NE(message_of([&] { read_checkpoint_index(dir.path() / "t.safetensors"); }).find("after the last tensor"),
            std::string::npos);
}

TEST(Config, IntegersAreReadWholeAndBounded) {
  auto msg = [](const std::string& text) { return message_of([&] { parse_blip_config(text); }); };
  EXPECT_NE(msg(R"({"model_type":"blip","text_config":{"num_hidden_layers":4294967312}})").find("out of range"),
            std::string::npos);
  EXPECT_NE(msg(R"({"model_type":"blip","text_config":{"num_hidden_layers":-4294967295}})").find("out of range"),
            std::string::npos);
  EXPECT_NE(msg(R"({"model_type":"blip","text_config":{"num_hidden_layers":12.5}})").find("must be an integer"),
            std::string::npos);
  EXPECT_NE(msg(R"({"model_type":"blip","text_config":{"num_hidden_layers":true}})").find("wrong type"),
            std::string::npos);
  EXPECT_EQ(parse_blip_config(R"({"model_type":"blip","text_config":{"num_hidden_layers":6.0}})")
                .text_config.num_hidden_layers,
            6);
  for (const char* bomb : {R"({"model_type":"blip","text_config":{"num_hidden_layers":1000000000}})",
                           R"({"model_type":"blip","vision_config":{"num_hidden_layers":100000}})",
                           R"({"model_type":"blip","text_config":{"vocab_size":2000000000}})",
                           R"({"model_type":"blip","text_config":{"max_position_embeddings":100000000}})",
                           R"({"model_type":"blip","vision_config":{"image_size":65536}})",
                           R"({"model_type":"blip","vision_config":{"image_size":8192,"patch_size":8}})",
                           R"({"model_type":"blip","image_text_hidden_size":1000000})"})
    EXPECT_NE(msg(bomb).find("more than Glimpse supports"), std::string::npos) << bomb << ": " << msg(bomb);
  EXPECT_NE(msg(R"({"model_type":"blip","text_config":{"bos_token_id":40000}})").find("not an id of the vocabulary"),
            std::string::npos);
  EXPECT_NE(message_of([] { parse_image_processor_config(R"({"size": 4294967680})"); }).find("out of range"),
            std::string::npos);
  EXPECT_NE(message_of([] {
              parse_image_processor_config(R"({"size": {"height": 4294967680, "width": 384}})");
            }).find("out of range"),
            std::string::npos);
}

// A model folder copied from the tiny model, with one file replaced.
struct ModelCopy : TempDir {
  ModelCopy() {
    for (const char* f : {"config.json", "preprocessor_config.json", "vocab.txt", "added_tokens.json",
                          "special_tokens_map.json", "tokenizer_config.json", "model.safetensors"})
      std::filesystem::copy_file(kTiny / f, path() / f);
  }
  void edit_config(const std::function<void(nlohmann::json&)>& change) const {
    auto j = nlohmann::json::parse(read_bytes(path() / "config.json"));
    change(j);
    write("config.json", j.dump());
  }
};

TEST(Config, SizesAreCheckedAgainstTheWeightsBeforeAnythingIsBuilt) {
  const std::vector<std::pair<std::function<void(nlohmann::json&)>, std::string>> cases = {
      {[](nlohmann::json& j) { j["text_config"]["num_hidden_layers"] = 200; },
       "text_config.num_hidden_layers is 200 but the weights hold 2"},
      {[](nlohmann::json& j) { j["vision_config"]["num_hidden_layers"] = 256; },
       "vision_config.num_hidden_layers is 256 but the weights hold 2"},
      {[](nlohmann::json& j) { j["text_config"]["vocab_size"] = 30600; },
       "word_embeddings.weight: got [30524, 16] expected [30600, 16]"},
      {[](nlohmann::json& j) { j["text_config"]["max_position_embeddings"] = 60000; },
       "position_embeddings.weight: got [64, 16] expected [60000, 16]"},
      {[](nlohmann::json& j) { j["vision_config"]["image_size"] = 1024; },
       "position_embedding: got [1, 17, 16] expected [1, 4097, 16]"},
      {[](nlohmann::json& j) { j["text_config"]["intermediate_size"] = 60000; },
       "intermediate.dense.weight: got [36, 16] expected [60000, 16]"},
  };
  for (const auto& [change, expected] : cases) {
    ModelCopy dir;
    dir.edit_config(change);
    if (expected.find("position_embedding:") != std::string::npos)  // the processor must agree with the config
      dir.write("preprocessor_config.json", R"({"size": {"height": 1024, "width": 1024}})");
    const auto start = std::chrono::steady_clock::now();
    const std::string msg = message_of([&] { glimpse::blip::BlipModel::load(dir.path()); });
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    EXPECT_NE(msg.find(expected), std::string::npos) << msg;
    EXPECT_LT(seconds, 5.0) << msg;
    const auto info = inspect_model_folder(dir.path());
    EXPECT_FALSE(info.usable);
    EXPECT_NE(info.problem.find(expected), std::string::npos) << info.problem;
  }
}

// A line of /proc/self/status ("VmHWM", "VmSize", ...) in kB.
long proc_status_kb(const std::string& key) {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind(key + ":", 0) == 0) return std::stol(line.substr(key.size() + 1));
  return -1;
}

TEST(Config, PartsTheWeightsLackAreRefusedBeforeAllocation) {
  // The checkpoint holds only the vision model; config.json describes a text decoder it lacks
  // (check_config_fits_weights cannot compare a part that is absent). Building that decoder would
  // take about 140 GB (the first case) or 100 MB (the second); both must fail before it is built.
  const std::vector<std::pair<std::function<void(nlohmann::json&)>, std::string>> cases = {
      {[](nlohmann::json& j) {
         j["text_config"]["num_hidden_layers"] = 256;
         j["text_config"]["hidden_size"] = 1024;
         j["text_config"]["num_attention_heads"] = 16;
         j["text_config"]["intermediate_size"] = 65536;
       },
       "text_config.num_hidden_layers 256, hidden_size 1024, intermediate_size 65536"},
      {[](nlohmann::json& j) { j["text_config"]["intermediate_size"] = 65536; }, "intermediate_size 65536"},
  };
  for (const auto& [change, fields] : cases) {
    ModelCopy dir;
    {
      std::map<std::string, at::Tensor> kept;
      for (const auto& [name, t] : load_safetensors(dir.path() / "model.safetensors").tensors)
        if (name.rfind("vision_model.", 0) == 0) kept[name] = t.clone();
      save_safetensors(dir.path() / "model.safetensors", kept);
    }
    dir.edit_config([&](nlohmann::json& j) {
      j["architectures"] = {"BlipForConditionalGeneration"};
      change(j);
    });
    // Address space capped at 1 GiB above what the process maps now, so an allocation of the
    // decoder fails (and the test with it) instead of exhausting the machine; the peak resident
    // size is reset (clear_refs 5) and read back after the attempt.
    rlimit before{};
    ASSERT_EQ(::getrlimit(RLIMIT_AS, &before), 0);
    rlimit capped = before;
    capped.rlim_cur = static_cast<rlim_t>(proc_status_kb("VmSize") + (1L << 20)) * 1024;
    if (before.rlim_cur != RLIM_INFINITY) capped.rlim_cur = std::min(capped.rlim_cur, before.rlim_cur);
    std::ofstream("/proc/self/clear_refs") << "5";
    const long rss_before = proc_status_kb("VmRSS");
    ASSERT_EQ(::setrlimit(RLIMIT_AS, &capped), 0);
    const auto start = std::chrono::steady_clock::now();
    std::string msg;
    try {
      glimpse::blip::BlipModel::load(dir.path());
      msg = "<no error>";
    } catch (const std::exception& e) {
      msg = e.what();
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    ::setrlimit(RLIMIT_AS, &before);
    const long peak_growth_kb = proc_status_kb("VmHWM") - rss_before;
    EXPECT_NE(msg.find("config.json asks for more than"), std::string::npos) << msg;
    EXPECT_NE(msg.find("text decoder"), std::string::npos) << msg;
    EXPECT_NE(msg.find(fields), std::string::npos) << msg;
    EXPECT_NE(msg.find("no tensor named text_decoder.*"), std::string::npos) << msg;
    EXPECT_LT(seconds, 5.0) << msg;
    EXPECT_LT(peak_growth_kb, 64 * 1024) << "peak resident size grew by " << peak_growth_kb << " kB";
  }
  // The check itself: the tiny checkpoint fits its own config for every head; a vision model the
  // weights lack is named with its fields, a missing ITM head (64 parameters) is left to the strict
  // loader, which names the tensors.
  const auto config = load_blip_config(kTiny / "config.json");
  const auto index = read_checkpoint_index(kTiny / "model.safetensors");
  const std::vector<std::string> all = {"BlipForConditionalGeneration", "BlipForQuestionAnswering",
                                        "BlipForImageTextRetrieval"};
  EXPECT_NO_THROW(check_heads_fit_weights(config, index, all, "w"));
  CheckpointIndex no_vision;
  for (const auto& [name, info] : index)
    if (name.rfind("vision_model.", 0) != 0 && name.rfind("itm_head.", 0) != 0) no_vision.emplace(name, info);
  EXPECT_NO_THROW(check_heads_fit_weights(config, no_vision, {"BlipForQuestionAnswering"}, "w"))
      << "a tiny vision model is left to the strict loader";
  auto deep = config;
  deep.vision_config.num_hidden_layers = 256;
  deep.vision_config.intermediate_size = 65536;
  const std::string msg = message_of([&] { check_heads_fit_weights(deep, no_vision, all, "w"); });
  EXPECT_NE(msg.find("BlipForConditionalGeneration's vision model (from config.json vision_config.num_hidden_layers "
                     "256, hidden_size 16, intermediate_size 65536"),
            std::string::npos)
      << msg;
  EXPECT_NE(msg.find("no tensor named vision_model.*"), std::string::npos) << msg;
}

TEST(Memory, RealAllocationFailuresAreRecognisedAsOutOfMemory) {
  // The exception libtorch really throws when an allocation fails (here under an address-space
  // limit 256 MiB above what the process maps): is_out_of_memory, which the CLI and the app's
  // worker use to put it in words, must know it. 8000 texts in one batch need about 650 MB.
  const auto model = glimpse::blip::BlipModel::load(kTiny);
  const std::vector<std::string> texts(8000, "xqzjv kwpfh zzqxj vvkqw xqzjv kwpfh zzqxj vvkqw xqzjv kwpfh zzqxj vvkqw");
  model->embed_texts({texts.front()});  // first use (OpenBLAS's buffers) before the limit
  rlimit before{};
  ASSERT_EQ(::getrlimit(RLIMIT_AS, &before), 0);
  rlimit capped = before;
  capped.rlim_cur = static_cast<rlim_t>(proc_status_kb("VmSize") + 256 * 1024) * 1024;
  if (before.rlim_cur != RLIM_INFINITY) capped.rlim_cur = std::min(capped.rlim_cur, before.rlim_cur);
  ASSERT_EQ(::setrlimit(RLIMIT_AS, &capped), 0);
  std::string what = "<no error>";
  bool oom = false;
  try {
    model->embed_texts(texts);
  } catch (const std::exception& e) {
    what = e.what();
    oom = is_out_of_memory(e);
  }
  ::setrlimit(RLIMIT_AS, &before);
  EXPECT_TRUE(oom) << what.substr(0, 300);
  EXPECT_TRUE(is_out_of_memory(std::bad_alloc()));
  EXPECT_FALSE(is_out_of_memory(BlipError("config.json not found")));
}

TEST(Checkpoint, OneHeadRuleForLoadInspectAndTheModelManager) {
  const std::vector<std::string> none;
  auto names = [](std::initializer_list<const char*> n) { return std::vector<std::string>(n.begin(), n.end()); };
  EXPECT_EQ(detect_heads(none, names({"text_decoder.x"})).class_names(), names({"BlipForConditionalGeneration"}));
  EXPECT_EQ(detect_heads(none, names({"text_decoder.x", "text_encoder.y"})).class_names(),
            names({"BlipForConditionalGeneration", "BlipForQuestionAnswering"}));
  for (const char* part : {"itm_head.weight", "vision_proj.weight", "text_proj.weight"})
    EXPECT_EQ(detect_heads(none, names({part})).class_names(), names({"BlipForImageTextRetrieval"})) << part;
  EXPECT_EQ(detect_heads(names({"BlipForQuestionAnswering"}), names({"text_decoder.x", "text_encoder.y", "itm_head.w"}))
                .class_names(),
            names({"BlipForQuestionAnswering"}));
  EXPECT_FALSE(detect_heads(none, names({"vision_model.x"})).any());
  // Load and inspect agree on every folder of the test data.
  for (const auto& dir : {kTiny, kTiny / "caption_bin"}) {
    const auto info = inspect_model_folder(dir);
    ASSERT_TRUE(info.usable) << info.problem;
    EXPECT_EQ(info.heads, glimpse::blip::BlipModel::load(dir)->heads()) << dir;
  }
  // A checkpoint with the ITC projections but no ITM head: both call it a retrieval checkpoint, and
  // the strict loader names what is missing.
  ModelCopy dir;
  auto w = load_safetensors(kTiny / "model.safetensors");
  std::map<std::string, at::Tensor> keep;
  for (auto& [n, t] : w.tensors)
    if (n.rfind("itm_head.", 0) != 0) keep.emplace(n, t.clone());
  save_safetensors(dir.path() / "model.safetensors", keep);
  const auto info = inspect_model_folder(dir.path());
  EXPECT_EQ(info.heads,
            names({"BlipForConditionalGeneration", "BlipForQuestionAnswering", "BlipForImageTextRetrieval"}));
  LoadOptions only_retrieval;
  only_retrieval.captioning = only_retrieval.question_answering = false;
  const std::string msg = message_of([&] { glimpse::blip::BlipModel::load(dir.path(), only_retrieval); });
  EXPECT_NE(msg.find("itm_head.weight"), std::string::npos) << msg;
}

TEST(Checkpoint, ConversionDropsLegacyBuffersAndAliasesOnce) {
  TempDir dir;
  for (const auto& f : std::filesystem::directory_iterator(kTiny / "caption_bin"))
    std::filesystem::copy_file(f.path(), dir.path() / f.path().filename());
  // Legacy buffers and the decoder.bias alias (older transformers versions saved both) are dropped.
  auto w = load_pytorch_bin(dir.path() / "pytorch_model.bin");
  const auto out = convert_to_safetensors(dir.path());
  const auto index = read_checkpoint_index(out);
  for (const auto& [name, info] : index) {
    EXPECT_FALSE(is_legacy_buffer(name)) << name;
    EXPECT_NE(name, "text_decoder.cls.predictions.decoder.bias");
  }
  size_t kept = 0;
  for (const auto& [name, t] : w.tensors)
    kept += !is_legacy_buffer(name) && name != "text_decoder.cls.predictions.decoder.bias";
  EXPECT_EQ(index.size(), kept);
  EXPECT_NE(message_of([&] { convert_to_safetensors(dir.path()); }).find("already exists"), std::string::npos);
}

TEST(Inspect, TruncatedWeightsAreNotUsable) {
  ModelCopy dir;
  const std::string full = read_bytes(kTiny / "model.safetensors");
  dir.write("model.safetensors", full.substr(0, full.size() - 100));
  const auto info = inspect_model_folder(dir.path());
  EXPECT_FALSE(info.usable);
  EXPECT_NE(info.problem.find("truncated"), std::string::npos) << info.problem;
}

TEST(Tokenizer, VocabularyFarSmallerThanTheModelIsRefused) {
  ModelCopy dir;
  // 200 lines of vocab.txt, with added_tokens.json still naming [DEC] = 30522 and [ENC] = 30523:
  // the ids between would all decode to [UNK].
  const std::string vocab = read_bytes(kTiny / "vocab.txt");
  size_t cut = 0;
  for (int i = 0; i < 200; ++i) cut = vocab.find('\n', cut) + 1;
  dir.write("vocab.txt", vocab.substr(0, cut));
  const std::string msg = message_of([&] { glimpse::blip::BlipModel::load(dir.path()); });
  EXPECT_NE(msg.find("it has 202 tokens but the model produces ids up to 30523"), std::string::npos) << msg;
  EXPECT_NE(inspect_model_folder(dir.path()).problem.find("mostly [UNK]"), std::string::npos);
}

TEST(Tokenizer, TokenizerConfigIsReadAsTransformersReadsIt) {
  ModelCopy dir;
  dir.write("tokenizer_config.json", "{\"do_lower_case\": false,");
  std::string msg = message_of([&] { BertTokenizer::from_folder(dir.path()); });
  EXPECT_NE(msg.find("tokenizer_config.json is not valid JSON"), std::string::npos) << msg;
  EXPECT_FALSE(inspect_model_folder(dir.path()).usable);
  // BertTokenizer(do_lower_case=False).tokenize("Hello world") on BERT's uncased vocabulary gives
  // ['[UNK]', 'world']: "Hello" is not lowered and the vocabulary has no capitals.
  dir.write("tokenizer_config.json", R"({"do_lower_case": false})");
  EXPECT_EQ(BertTokenizer::from_folder(dir.path()).tokenize("Hello world"),
            (std::vector<std::string>{"[UNK]", "world"}));
  dir.write("tokenizer_config.json", R"({"do_lower_case": true})");
  EXPECT_EQ(BertTokenizer::from_folder(dir.path()).tokenize("Hello world"),
            (std::vector<std::string>{"hello", "world"}));
  // Lower-cased without accent stripping: "café" keeps its é (BasicTokenizer with strip_accents=False).
  dir.write("tokenizer_config.json", R"({"do_lower_case": true, "strip_accents": false})");
  const auto kept = BertTokenizer::from_folder(dir.path()).tokenize("Café");
  dir.write("tokenizer_config.json", R"({"do_lower_case": true})");
  EXPECT_EQ(BertTokenizer::from_folder(dir.path()).tokenize("Café"), (std::vector<std::string>{"cafe"}));
  EXPECT_NE(kept, (std::vector<std::string>{"cafe"}));
  for (const char* bad : {R"({"do_lower_case": "no"})", R"({"do_basic_tokenize": false})",
                          R"({"tokenizer_class": "GPT2Tokenizer"})", "[]"}) {
    dir.write("tokenizer_config.json", bad);
    EXPECT_NE(message_of([&] { BertTokenizer::from_folder(dir.path()); }), "<no error>") << bad;
  }
}

// The finiteness check reads float32 tensors in blocks of 64 with a scalar tail: one bad value is
// found at the start, end and block edges of tensors shorter than, equal to and longer than a
// block, whatever its sign and NaN payload, in a mapped tensor (the header padded with spaces so
// the data lies 4-byte aligned, as the loader maps it) and in a copied one (misaligned); the
// largest finite values and subnormals pass.
TEST(Safetensors, EveryNonFiniteValueIsFoundWhereverItIs) {
  TempDir dir;
  auto file = [&](const std::vector<uint32_t>& bits, bool aligned) {
    const nlohmann::json h = {
        {"t", {{"dtype", "F32"}, {"shape", {bits.size()}}, {"data_offsets", {0, bits.size() * 4}}}}};
    std::string header = h.dump();
    while (aligned ? (8 + header.size()) % 16 != 4 : (8 + header.size()) % 4 == 0) header += ' ';
    return dir.write("t.safetensors",
                     safetensors(header, std::string(reinterpret_cast<const char*>(bits.data()), bits.size() * 4)));
  };
  const uint32_t one = 0x3f800000u;
  for (const bool aligned : {true, false}) {
    for (const size_t n : {size_t{1}, size_t{63}, size_t{64}, size_t{65}, size_t{200}, size_t{4099}}) {
      std::set<size_t> positions{0, n / 2, n - 1, n - n % 64 - 1 < n ? n - n % 64 - 1 : 0};
      for (const size_t edge : {size_t{63}, size_t{64}, size_t{127}, size_t{128}})
        if (edge < n) positions.insert(edge);
      for (const size_t at : positions) {
        for (const uint32_t bad : {0x7f800000u, 0xff800000u, 0x7fc00000u, 0x7f800001u, 0xffffffffu}) {
          std::vector<uint32_t> bits(n, one);
          bits[at] = bad;
          const std::string m = message_of([&] { load_safetensors(file(bits, aligned)); });
          EXPECT_NE(m.find("tensor 't' holds 1 NaN or infinite value"), std::string::npos)
              << (aligned ? "mapped" : "copied") << " n " << n << " at " << at << " bits " << std::hex << bad << ": "
              << m;
        }
      }
      std::vector<uint32_t> finite(n, 0x7f7fffffu);               // FLT_MAX
      for (size_t i = 0; i < n; i += 3) finite[i] = 0xff7fffffu;  // -FLT_MAX
      for (size_t i = 1; i < n; i += 3) finite[i] = 0x00000001u;  // the smallest subnormal
      EXPECT_EQ(message_of([&] { load_safetensors(file(finite, aligned)); }), "<no error>") << n;
    }
  }
}

TEST(BlipModelLoad, NaNWeightsAreRefused) {
  ModelCopy dir;
  auto w = load_safetensors(kTiny / "model.safetensors");
  std::map<std::string, at::Tensor> tensors;
  for (auto& [n, t] : w.tensors) tensors.emplace(n, t.clone());
  tensors.at("vision_model.post_layernorm.weight")[3] = std::numeric_limits<float>::quiet_NaN();
  save_safetensors(dir.path() / "model.safetensors", tensors);
  const std::string msg = message_of([&] { glimpse::blip::BlipModel::load(dir.path()); });
  EXPECT_NE(msg.find("tensor 'vision_model.post_layernorm.weight' holds 1 NaN or infinite value"), std::string::npos)
      << msg;
}

// Every seed of tests/fuzz/corpus: valid_* are read, bad_* refused with a BlipError; none crashes.
const std::filesystem::path kCorpus = std::filesystem::path(GLIMPSE_TEST_DATA_DIR) / ".." / "fuzz" / "corpus";

// Every `valid_*` seed of a corpus must be read and every `bad_*` seed refused: what did not.
struct CorpusResult {
  int seeds = 0;
  std::vector<std::string> wrong;  // "name: what happened"
};

CorpusResult run_corpus(const std::string& kind, const std::function<void(const std::filesystem::path&)>& read) {
  CorpusResult r;
  for (const auto& entry : std::filesystem::directory_iterator(kCorpus / kind)) {
    const std::string name = entry.path().filename().string();
    const bool valid = name.rfind("valid_", 0) == 0;
    if (!valid && name.rfind("bad_", 0) != 0) continue;
    ++r.seeds;
    const std::string msg = message_of([&] { read(entry.path()); });
    if (valid && msg != "<no error>") r.wrong.push_back(name + ": refused: " + msg);
    if (!valid && msg == "<no error>") r.wrong.push_back(name + ": accepted");
  }
  return r;
}

std::string lines(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += s + "\n";
  return out;
}

TEST(Fuzz, CorpusSafetensors) {
  const CorpusResult r = run_corpus("safetensors", [](const auto& p) { load_safetensors(p); });
  EXPECT_GE(r.seeds, 3);
  EXPECT_TRUE(r.wrong.empty()) << lines(r.wrong);
}

TEST(Fuzz, CorpusPickle) {
  TempDir dir;
  const CorpusResult r = run_corpus("pickle", [&](const auto& p) {
    load_pytorch_bin(dir.write("seed.bin", stored_zip({{"archive/data.pkl", read_bytes(p)},
                                                       {"archive/data/0", std::string(16, '\0')},
                                                       {"archive/version", "3\n"}})));
  });
  EXPECT_GE(r.seeds, 3);
  EXPECT_TRUE(r.wrong.empty()) << lines(r.wrong);
}

TEST(Fuzz, CorpusConfig) {
  const CorpusResult r = run_corpus("config", [](const auto& p) {
    if (p.filename().string().find("preprocessor") != std::string::npos)
      parse_image_processor_config(read_bytes(p));
    else
      parse_blip_config(read_bytes(p));
  });
  EXPECT_GE(r.seeds, 3);
  EXPECT_TRUE(r.wrong.empty()) << lines(r.wrong);
}

TEST(Fuzz, CorpusTokenizer) {
  const CorpusResult r = run_corpus("tokenizer", [](const auto& p) {
    TempDir dir;
    for (const char* f : {"vocab.txt", "added_tokens.json", "tokenizer_config.json"})
      std::filesystem::copy_file(kTiny / f, dir.path() / f);
    const std::string name = p.filename().string();
    const char* target = name.find("added_tokens") != std::string::npos ? "added_tokens.json"
                         : name.find("vocab") != std::string::npos      ? "vocab.txt"
                                                                        : "tokenizer_config.json";
    std::filesystem::remove(dir.path() / target);
    std::filesystem::copy_file(p, dir.path() / target);
    BertTokenizer::from_folder(dir.path()).encode("A photo of a Café, 猫.");
  });
  EXPECT_GE(r.seeds, 3);
  EXPECT_TRUE(r.wrong.empty()) << lines(r.wrong);
}

TEST(BlipModelLoad, MissingWeightsAndConfigAreClearErrors) {
  TempDir dir;
  EXPECT_NE(message_of([&] { glimpse::blip::BlipModel::load(dir.path()); }).find("config.json"), std::string::npos);
  std::filesystem::copy_file(kTiny / "config.json", dir.path() / "config.json");
  std::filesystem::copy_file(kTiny / "vocab.txt", dir.path() / "vocab.txt");
  EXPECT_NE(message_of([&] { glimpse::blip::BlipModel::load(dir.path()); }).find("no weights"), std::string::npos);
}

}  // namespace

namespace {
// Resident pages of this process (/proc/self/statm's second field), in bytes.
size_t resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  size_t total = 0, resident = 0;
  statm >> total >> resident;
  return resident * static_cast<size_t>(::sysconf(_SC_PAGESIZE));
}
}  // namespace

TEST(ReleaseMappedPages, DropsTheResidentPagesOfAMappedWeightAndKeepsItsValues) {
  TempDir dir;
  const at::Tensor w = at::arange(4 << 20, at::kFloat).reshape({4096, 1024});  // 16 MiB
  save_safetensors(dir.path() / "w.safetensors", {{"w", w}});
  TensorMap m = load_safetensors(dir.path() / "w.safetensors");
  const at::Tensor& mapped = m.tensors.at("w");
  ASSERT_TRUE(at::equal(mapped, w));  // every page read: resident
  const size_t before = resident_bytes();
  const size_t released = release_mapped_pages(mapped);
  EXPECT_GE(released, (size_t{16} << 20) - 2 * static_cast<size_t>(::sysconf(_SC_PAGESIZE)));
  EXPECT_LE(resident_bytes() + (size_t{12} << 20), before);
  // Reading again pages the values back in from the file.
  EXPECT_TRUE(at::equal(mapped, w));

  // Memory a tensor owns is never touched.
  const at::Tensor owned = w.clone();
  EXPECT_EQ(release_mapped_pages(owned), 0u);
  EXPECT_TRUE(at::equal(owned, w));
}
