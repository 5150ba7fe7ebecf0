// Module tree, strict loader and forward passes against each golden set: vision states, decoder
// logits, question embeddings, ITM/ITC, and the float16/bfloat16/pytorch_model.bin checkpoints.
#include <c10/core/InferenceMode.h>
#include <gtest/gtest.h>

#include <fstream>

#include "blip.h"
#include "errors.h"
#include "fp32_gemm.h"
#include "golden.h"
#include "modeling_blip.h"

using namespace glimpse::blip;
using glimpse::test::golden_set;
using glimpse::test::golden_set_dirs;
using glimpse::test::GoldenSet;
using glimpse::test::max_abs_diff;
using glimpse::test::pixel_values_for;
using glimpse::test::record_diff;

namespace {

using glimpse::test::kRelTol;
using glimpse::test::scaled_diff;

BlipHead head_of(const std::string& cls) {
  if (cls == "BlipForConditionalGeneration") return BlipHead::Captioning;
  if (cls == "BlipForQuestionAnswering") return BlipHead::QuestionAnswering;
  return BlipHead::Retrieval;
}

struct Loaded {
  BlipConfig config;
  TensorMap weights;
  BlipForConditionalGeneration caption{nullptr};
  BlipForImageTextRetrieval retrieval{nullptr};
  BlipForQuestionAnswering vqa{nullptr};
};

Loaded load(const std::filesystem::path& dir) {
  Loaded l;
  l.config = load_blip_config(dir / "config.json");
  l.weights = load_checkpoint(dir);
  for (const auto& a : l.config.architectures) {
    if (a == "BlipForConditionalGeneration") {
      l.caption = BlipForConditionalGeneration(l.config);
      load_head_weights(*l.caption, BlipHead::Captioning, l.config, l.weights);
    } else if (a == "BlipForImageTextRetrieval") {
      l.retrieval = BlipForImageTextRetrieval(l.config);
      load_head_weights(*l.retrieval, BlipHead::Retrieval, l.config, l.weights);
    } else if (a == "BlipForQuestionAnswering") {
      l.vqa = BlipForQuestionAnswering(l.config);
      load_head_weights(*l.vqa, BlipHead::QuestionAnswering, l.config, l.weights);
    }
  }
  return l;
}

at::Tensor stack_images(const GoldenSet& set, const std::string& model, const nlohmann::json& names) {
  std::vector<at::Tensor> v;
  for (const auto& n : names) v.push_back(pixel_values_for(set, model, n.get<std::string>()));
  return at::stack(v);
}

at::Tensor float_rows(const nlohmann::json& rows) {
  std::vector<at::Tensor> r;
  for (const auto& row : rows) r.push_back(at::tensor(row.get<std::vector<float>>()));
  return at::stack(r);
}

at::Tensor long_rows(const nlohmann::json& rows) {
  std::vector<at::Tensor> r;
  for (const auto& row : rows) r.push_back(at::tensor(row.get<std::vector<int64_t>>()));
  return at::stack(r);
}

std::filesystem::path model_dir(const GoldenSet& set, const std::string& model) {
  return set.dir / set.expected.at("models").at(model).at("dir").get<std::string>();
}

class ModelsGolden : public ::testing::TestWithParam<std::filesystem::path> {
 protected:
  c10::InferenceMode guard_;
};

TEST_P(ModelsGolden, ModuleTreeNamesEqualSavePretrainedKeys) {
  const auto& set = golden_set(GetParam());
  for (const auto& [model, m] : set.expected.at("models").items()) {
    const auto config = load_blip_config(model_dir(set, model) / "config.json");
    for (const auto& [cls, keys] : m.at("checkpoint").at("keys_written_by_save_pretrained_per_head").items()) {
      const auto shapes = head_tensor_shapes(config, head_of(cls));
      std::map<std::string, std::vector<int64_t>> expected;
      for (const auto& [k, s] : keys.items()) expected[k] = s.get<std::vector<int64_t>>();
      EXPECT_EQ(shapes, expected) << model << " " << cls;
    }
  }
}

TEST_P(ModelsGolden, LoaderIgnoresWhatTransformersIgnores) {
  const auto& set = golden_set(GetParam());
  for (const auto& [model, m] : set.expected.at("models").items()) {
    const auto dir = model_dir(set, model);
    const auto config = load_blip_config(dir / "config.json");
    const auto weights = load_checkpoint(dir);
    for (const auto& [cls, info] : m.at("checkpoint").at("loading").items()) {
      std::shared_ptr<torch::nn::Module> head;
      if (head_of(cls) == BlipHead::Captioning) head = BlipForConditionalGeneration(config).ptr();
      if (head_of(cls) == BlipHead::QuestionAnswering) head = BlipForQuestionAnswering(config).ptr();
      if (head_of(cls) == BlipHead::Retrieval) head = BlipForImageTextRetrieval(config).ptr();
      auto report = load_head_weights(*head, head_of(cls), config, weights);
      auto expected = info.at("unexpected_keys_ignored").get<std::vector<std::string>>();
      std::sort(expected.begin(), expected.end());
      std::sort(report.ignored.begin(), report.ignored.end());
      EXPECT_EQ(report.ignored, expected) << model << " " << cls;
    }
  }
}

TEST_P(ModelsGolden, VisionStates) {
  const auto& set = golden_set(GetParam());
  for (const auto& [model, m] : set.expected.at("models").items()) {
    auto l = load(model_dir(set, model));
    BlipVisionModel vision = l.caption ? l.caption->vision_model : l.retrieval->vision_model;
    const auto& v = m.at("vision");
    at::Tensor pixels = stack_images(set, model, v.at("images"));
    auto out = vision->forward(pixels, /*output_hidden_states=*/true);
    const double d1 = scaled_diff(out.last_hidden_state, set.tensor(v.at("last_hidden_state")));
    const double d2 = scaled_diff(out.pooler_output, set.tensor(v.at("pooler_output")));
    const double d3 = scaled_diff(at::stack(out.hidden_states), set.tensor(v.at("hidden_states")));
    record_diff(set.name, model + " vision last_hidden_state", d1);
    record_diff(set.name, model + " vision pooler_output", d2);
    record_diff(set.name, model + " vision hidden_states", d3);
    EXPECT_LE(d1, kRelTol) << model;
    EXPECT_LE(d2, kRelTol) << model;
    EXPECT_LE(d3, kRelTol) << model;
  }
}

// The "packed." run of this program (tests/CMakeLists.txt) forces the packed oneDNN path for every
// float32 product of many rows; the golden comparisons above then hold that path to transformers.
TEST_P(ModelsGolden, PackedRunTakesThePackedPath) {
  const char* env = std::getenv("GLIMPSE_FP32_GEMM");
  if (!env || std::string(env) != "packed-all") GTEST_SKIP() << "runs in the packed. variant of this program";
  if (!onednn_gemm_available()) GTEST_SKIP() << "built without oneDNN";
  const auto& set = golden_set(GetParam());
  for (const auto& [model, m] : set.expected.at("models").items()) {
    auto l = load(model_dir(set, model));
    BlipVisionModel vision = l.caption ? l.caption->vision_model : l.retrieval->vision_model;
    const int64_t before = packed_products();
    vision->forward(stack_images(set, model, m.at("vision").at("images")));
    // qkv, projection, fc1 and fc2 of every layer
    EXPECT_GE(packed_products() - before, 4 * static_cast<int64_t>(vision->encoder->layers.size())) << model;
  }
}

TEST_P(ModelsGolden, DecoderForward) {
  const auto& set = golden_set(GetParam());
  for (const auto& [model, m] : set.expected.at("models").items()) {
    if (!m.contains("decoder_forward")) continue;
    auto l = load(model_dir(set, model));
    ASSERT_TRUE(l.caption) << model;
    const auto& f = m.at("decoder_forward");
    at::Tensor pixels = pixel_values_for(set, model, f.at("image")).unsqueeze(0);
    at::Tensor image_embeds = l.caption->vision_model->forward(pixels).last_hidden_state;
    const auto ids_v = f.at("input_ids").get<std::vector<std::vector<int64_t>>>();
    at::Tensor ids = at::tensor(ids_v[0], at::TensorOptions().dtype(at::kLong)).unsqueeze(0);
    std::vector<at::Tensor> hidden;
    TextForwardOptions o;
    o.encoder_hidden_states = image_embeds;
    o.all_hidden = &hidden;
    at::Tensor logits = l.caption->text_decoder->forward(ids, at::Tensor(), o);
    const double dl = scaled_diff(logits, set.tensor(f.at("logits")));
    const double dh = scaled_diff(at::stack(hidden), set.tensor(f.at("hidden_states")));
    record_diff(set.name, model + " decoder logits (teacher-forced)", dl);
    record_diff(set.name, model + " decoder hidden_states", dh);
    EXPECT_LE(dl, kRelTol) << model;
    EXPECT_LE(dh, kRelTol) << model;
  }
}

TEST_P(ModelsGolden, ItmAndItc) {
  const auto& set = golden_set(GetParam());
  for (const auto& [model, m] : set.expected.at("models").items()) {
    if (!m.contains("itm")) continue;
    auto l = load(model_dir(set, model));
    ASSERT_TRUE(l.retrieval) << model;
    const auto& t = m.at("itm");
    at::Tensor pixels = stack_images(set, model, t.at("images"));
    at::Tensor image_embeds = l.retrieval->vision_model->forward(pixels).last_hidden_state;
    at::Tensor ids = long_rows(t.at("input_ids"));
    at::Tensor mask = long_rows(t.at("attention_mask"));
    const int64_t n_img = pixels.size(0), n_txt = ids.size(0);
    // Question embeddings of every pair, with the image expanded per text as transformers does.
    at::Tensor pair_images = image_embeds.repeat_interleave(n_txt, 0);
    TextForwardOptions o;
    o.encoder_hidden_states = pair_images;
    at::Tensor q = l.retrieval->text_encoder->forward(ids.repeat({n_img, 1}), mask.repeat({n_img, 1}), o);
    const double dq = scaled_diff(q, set.tensor(t.at("itm_question_embeds")));
    record_diff(set.name, model + " itm question embeds", dq);
    EXPECT_LE(dq, kRelTol);
    at::Tensor itc_embeds = l.retrieval->text_encoder->forward(ids, mask, TextForwardOptions{});
    const double de = scaled_diff(itc_embeds, set.tensor(t.at("itc_text_embeds")));
    record_diff(set.name, model + " itc text embeds", de);
    EXPECT_LE(de, kRelTol);
    at::Tensor image_feat = l.retrieval->image_features(image_embeds);
    // as embed_images computes them: the last layer for the first token only
    at::Tensor image_feat_first = l.retrieval->image_features_of_first(l.retrieval->vision_model->first_token(pixels));
    const double dff = scaled_diff(image_feat_first, float_rows(t.at("image_feat")));
    record_diff(set.name, model + " itc image_feat, first token only", dff);
    EXPECT_LE(dff, kRelTol);
    at::Tensor text_feat = l.retrieval->text_features(ids, mask);
    const double dfi = scaled_diff(image_feat, float_rows(t.at("image_feat")));
    const double dft = scaled_diff(text_feat, float_rows(t.at("text_feat")));
    record_diff(set.name, model + " itc image_feat", dfi);
    record_diff(set.name, model + " itc text_feat", dft);
    EXPECT_LE(dfi, kRelTol);
    EXPECT_LE(dft, kRelTol);
    at::Tensor cos = at::matmul(image_feat, text_feat.t());
    for (int64_t i = 0; i < n_img; ++i) {
      at::Tensor logits = l.retrieval->itm_logits(image_embeds.slice(0, i, i + 1), ids, mask);
      at::Tensor probs = at::softmax(logits, -1).select(1, 1);
      for (int64_t k = 0; k < n_txt; ++k) {
        const auto el = t.at("itm_logits")[i][k].get<std::vector<float>>();
        const double dl =
            std::max(std::abs(logits[k][0].item<double>() - el[0]), std::abs(logits[k][1].item<double>() - el[1]));
        const double dp = std::abs(probs[k].item<double>() - t.at("itm_probs")[i][k].get<double>());
        const double dc = std::abs(cos[i][k].item<double>() - t.at("itc_cosine")[i][k].get<double>());
        record_diff(set.name, model + " itm logits", dl);
        record_diff(set.name, model + " itm probs", dp);
        record_diff(set.name, model + " itc cosine", dc);
        EXPECT_LE(dl, kRelTol);
        EXPECT_LE(dp, kRelTol);
        EXPECT_LE(dc, kRelTol);
      }
    }
  }
}

TEST_P(ModelsGolden, VqaQuestionEmbeds) {
  const auto& set = golden_set(GetParam());
  for (const auto& [model, m] : set.expected.at("models").items()) {
    if (!m.contains("vqa")) continue;
    auto l = load(model_dir(set, model));
    ASSERT_TRUE(l.vqa);
    for (const auto& c : m.at("vqa")) {
      at::Tensor pixels = stack_images(set, model, c.at("images"));
      at::Tensor image_embeds = l.vqa->vision_model->forward(pixels).last_hidden_state;
      TextForwardOptions o;
      o.encoder_hidden_states = image_embeds;
      at::Tensor q = l.vqa->text_encoder->forward(long_rows(c.at("input_ids")), long_rows(c.at("attention_mask")), o);
      const double d = scaled_diff(q, set.tensor(c.at("question_embeds")));
      record_diff(set.name, model + " vqa question_embeds", d);
      EXPECT_LE(d, kRelTol) << c.at("name");
    }
  }
}

TEST_P(ModelsGolden, HalfPrecisionCheckpoints) {
  const auto& set = golden_set(GetParam());
  int seen = 0;
  for (const auto& [model, m] : set.expected.at("models").items()) {
    for (const char* key : {"caption_fp16", "caption_bf16"}) {
      if (!m.contains(key)) continue;
      ++seen;
      const auto& h = m.at(key);
      auto l = load(set.dir / h.at("dir").get<std::string>());
      ASSERT_TRUE(l.caption);
      EXPECT_EQ(l.weights.stored_dtype, h.at("dtype").get<std::string>());
      const auto& pv = h.at("vision").at("pixel_values");
      at::Tensor pixels = set.tensor(pv.at("tensor"));
      if (!pv.at("batch_index").is_null()) pixels = pixels[pv.at("batch_index").get<int64_t>()].unsqueeze(0);
      at::Tensor out = l.caption->vision_model->forward(pixels).last_hidden_state;
      const double d = scaled_diff(out, set.tensor(h.at("vision").at("last_hidden_state")));
      record_diff(set.name, model + " " + key + " vision last_hidden_state", d);
      EXPECT_LE(d, kRelTol) << key;
      // Every stored weight converts exactly: compare with the float32 parent rounded the same way.
      auto parent = load_checkpoint(model_dir(set, model));
      for (const auto& [name, t] : l.weights.tensors) {
        at::Tensor ref =
            parent.tensors.at(name).to(std::string(key) == "caption_fp16" ? at::kHalf : at::kBFloat16).to(at::kFloat);
        ASSERT_TRUE(at::equal(t, ref)) << name;
      }
    }
  }
  EXPECT_GT(seen, 0);
}

TEST_P(ModelsGolden, PytorchBinEqualsSafetensors) {
  const auto& set = golden_set(GetParam());
  for (const auto& [model, m] : set.expected.at("models").items()) {
    if (!m.contains("caption_bin")) continue;
    const auto& b = m.at("caption_bin");
    const auto bin = load_pytorch_bin(set.dir / b.at("file").get<std::string>());
    const auto safe = load_checkpoint(model_dir(set, model));
    ASSERT_EQ(bin.tensors.size(), b.at("tensors").size());
    for (const auto& t : b.at("tensors")) {
      const std::string name = t.at("name");
      ASSERT_TRUE(bin.tensors.count(name)) << name;
      EXPECT_EQ(bin.tensors.at(name).sizes().vec(), t.at("shape").get<std::vector<int64_t>>()) << name;
      if (safe.tensors.count(name)) {
        EXPECT_TRUE(at::equal(bin.tensors.at(name), safe.tensors.at(name))) << name;
      }
    }
    for (const auto& group : b.at("shared_storage")) {
      const auto names = group.get<std::vector<std::string>>();
      for (const auto& n : names) EXPECT_TRUE(at::equal(bin.tensors.at(n), bin.tensors.at(names[0]))) << n;
    }
    for (const auto& [name, info] : b.at("legacy_buffers").items()) {
      const at::Tensor t = bin.tensors.at(name);
      EXPECT_EQ(t.scalar_type(), at::kLong);
      EXPECT_TRUE(at::equal(t.flatten(), at::arange(t.numel(), at::TensorOptions().dtype(at::kLong)))) << name;
    }
    // Loading reports exactly what transformers ignores.
    const auto config = load_blip_config(set.dir / b.at("dir").get<std::string>() / "config.json");
    BlipForConditionalGeneration head(config);
    auto report = load_head_weights(*head, BlipHead::Captioning, config, bin);
    auto ignored = b.at("loading").at("ignored").get<std::vector<std::string>>();
    std::vector<std::string> got = report.ignored;
    // decoder.bias is the tied alias of cls.predictions.bias: used for checking, not loaded twice.
    got.erase(std::remove(got.begin(), got.end(), "text_decoder.cls.predictions.decoder.bias"), got.end());
    EXPECT_EQ(got, ignored);
  }
}

INSTANTIATE_TEST_SUITE_P(Golden, ModelsGolden, ::testing::ValuesIn(golden_set_dirs()), glimpse::test::SetName());

}  // namespace

namespace {

// The tiny golden set's models and its vision test images.
struct Tiny {
  Loaded model;
  const GoldenSet& set;
  const nlohmann::json& images;
  at::Tensor pixels(size_t i) const { return pixel_values_for(set, "main", images[i].get<std::string>()); }
};

Tiny load_tiny() {
  const auto dir = std::filesystem::path(GLIMPSE_TEST_DATA_DIR) / "tiny";
  const GoldenSet& set = golden_set(dir);
  return {load(dir), set, set.expected.at("models").at("main").at("vision").at("images")};
}

// A batch larger than one vision pass runs in passes of kImagesPerVisionPass images: every
// image's states equal those of the image run alone, and the passes keep the batch's order.
TEST(VisionPasses, ABatchBeyondOnePassEqualsEachImageAlone) {
  c10::InferenceMode guard;
  Tiny tiny = load_tiny();
  auto vision = tiny.model.caption->vision_model;
  const int64_t count = kImagesPerVisionPass + 2;  // a full pass and a part of one
  // distinct images: the golden ones, shifted by their index
  std::vector<at::Tensor> images;
  for (int64_t i = 0; i < count; ++i)
    images.push_back(tiny.pixels(static_cast<size_t>(i) % tiny.images.size()) + 0.05 * static_cast<double>(i));
  const auto batch = vision->forward(at::stack(images));
  ASSERT_EQ(batch.last_hidden_state.size(0), count);
  ASSERT_EQ(batch.pooler_output.size(0), count);
  for (int64_t i = 0; i < count; ++i) {
    const auto alone = vision->forward(images[static_cast<size_t>(i)].unsqueeze(0));
    EXPECT_LE(scaled_diff(batch.last_hidden_state[i], alone.last_hidden_state[0]), kRelTol) << "image " << i;
    EXPECT_LE(scaled_diff(batch.pooler_output[i], alone.pooler_output[0]), kRelTol) << "image " << i;
    if (i > 0) {  // not the same states over again
      EXPECT_GT(max_abs_diff(batch.last_hidden_state[i], batch.last_hidden_state[i - 1]), 1e-3);
    }
  }
}

// The first token's final state computed alone in the last layer (first_token, what ITC image
// embeddings read) is the full pass's, for a batch of more than one pass. (The bf16 mode's
// embed_images, which now takes this path, is held to float32 in test_precision.cpp.)
TEST(VisionPasses, TheFirstTokenAloneIsTheFullPassesFirstRow) {
  c10::InferenceMode guard;
  Tiny tiny = load_tiny();
  auto vision = tiny.model.caption->vision_model;
  const int64_t count = kImagesPerVisionPass + 2;
  std::vector<at::Tensor> images;
  for (int64_t i = 0; i < count; ++i)
    images.push_back(tiny.pixels(static_cast<size_t>(i) % tiny.images.size()) + 0.05 * static_cast<double>(i));
  const at::Tensor pixels = at::stack(images);
  const at::Tensor full = vision->forward(pixels).last_hidden_state.select(1, 0);
  const at::Tensor first = vision->first_token(pixels);
  ASSERT_EQ(first.sizes(), full.sizes());
  EXPECT_LE(scaled_diff(first, full), kRelTol);
  for (int64_t i = 1; i < count; ++i) EXPECT_GT(max_abs_diff(first[i], first[i - 1]), 1e-3) << "image " << i;
  // an image of the wrong size is refused, as forward refuses it
  EXPECT_THROW(vision->first_token(pixels.narrow(2, 0, 8)), BlipError);
}

// Beams share their image's cross-attention keys/values: the cache holds them once per image, and
// the folded computation equals running every beam against its own copy of the image states.
TEST(CrossAttentionCache, ComputedOncePerImageAndSharedByBeams) {
  c10::InferenceMode guard;
  Tiny tiny = load_tiny();
  Loaded& l = tiny.model;
  at::Tensor image_embeds =
      l.caption->vision_model->forward(at::stack({tiny.pixels(0), tiny.pixels(1)})).last_hidden_state;  // [2, N, D]
  const int64_t beams = 3;
  at::Tensor ids =
      at::tensor(std::vector<int64_t>{30522, 1037, 3861, 30522, 2048, 8870}).view({2, 3}).repeat_interleave(beams, 0);
  auto decoder = l.caption->text_decoder;

  TextCache shared = decoder->bert->make_cache(beams);
  TextForwardOptions o;
  o.encoder_hidden_states = image_embeds;
  o.cache = &shared;
  at::Tensor folded = decoder->forward(ids, at::Tensor(), o);
  for (const auto& layer : shared.layers) EXPECT_EQ(layer.cross_key.size(0), 2);  // one per image, not per beam

  TextForwardOptions plain;
  plain.encoder_hidden_states = image_embeds.repeat_interleave(beams, 0);
  at::Tensor expanded = decoder->forward(ids, at::Tensor(), plain);
  EXPECT_LE(glimpse::test::scaled_diff(folded, expanded), kRelTol);

  // A next step reuses the cached keys/values.
  at::Tensor next = at::full({2 * beams, 1}, 1037, at::TensorOptions().dtype(at::kLong));
  const void* before = shared.layers[0].cross_key.data_ptr();
  decoder->forward(next, at::Tensor(), o);
  EXPECT_EQ(shared.layers[0].cross_key.data_ptr(), before);
  EXPECT_EQ(shared.past_length, 4);
}

}  // namespace
