// The engine side of BlipModel (blip.h): LoadedBlipModel, and the engine-wide functions the module
// exports through its table (engine_api.h). Part of libglimpse_engine.so.
#include "blip.h"

#include <malloc.h>

#include <mutex>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <ATen/Version.h>
#include <c10/core/InferenceMode.h>
#include <dlfcn.h>
#include <link.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "engine_api.h"
#include "errors.h"
#include "fp32_gemm.h"
#include "generation.h"
#include "modeling_blip.h"

namespace glimpse::blip {

struct ImageState::Data {
  at::Tensor image_embeds;  // [1, N+1, D_v]
  bool for_questions = false;
  const void* owner = nullptr;
};

namespace {

struct LoadedBlipImpl {
  std::filesystem::path dir;
  BlipConfig config;
  BlipImageProcessor processor;
  BertTokenizer tokenizer;
  TensorMap weights;  // keeps memory-mapped storage alive
  BlipForConditionalGeneration captioning{nullptr};
  BlipForQuestionAnswering vqa{nullptr};
  BlipForImageTextRetrieval retrieval{nullptr};
  Precision precision = Precision::Float32;

  at::Tensor stack_pixels(const std::vector<PixelValues>& images) const {
    const int64_t h = config.vision_config.image_size, w = config.vision_config.image_size;
    if (images.empty()) throw BlipError("no images given");
    at::Tensor out = at::empty({static_cast<int64_t>(images.size()), 3, h, w}, at::TensorOptions().dtype(at::kFloat));
    for (size_t i = 0; i < images.size(); ++i) {
      if (static_cast<int64_t>(images[i].size()) != 3 * h * w)
        throw BlipError("pixel values hold " + std::to_string(images[i].size()) + " floats; the model needs 3x" +
                        std::to_string(h) + "x" + std::to_string(w));
      std::memcpy(out[static_cast<int64_t>(i)].data_ptr<float>(), images[i].data(), images[i].size() * sizeof(float));
    }
    return out;
  }

  static at::Tensor to_tensor(const std::vector<std::vector<int64_t>>& rows) {
    const int64_t n = static_cast<int64_t>(rows.size()), len = rows.empty() ? 0 : static_cast<int64_t>(rows[0].size());
    at::Tensor t = at::empty({n, len}, at::TensorOptions().dtype(at::kLong));
    for (int64_t i = 0; i < n; ++i) std::copy(rows[i].begin(), rows[i].end(), t[i].data_ptr<int64_t>());
    return t;
  }

  // Texts for the retrieval head: truncated to max_length (BLIP's retrieval uses 35) or the
  // model's positions, as BlipProcessor(truncation=True) does.
  Encoding encode_texts(const std::vector<std::string>& texts, int max_length = 0) const {
    EncodeOptions o;
    o.padding = Padding::Longest;
    o.truncation = true;
    o.max_length = config.text_config.max_position_embeddings;
    if (max_length > 0) o.max_length = std::min(max_length, o.max_length);
    return tokenizer.encode_batch(texts, o);
  }

  // Prompts and questions: never cut (a cut question asks something else); one that does not fit
  // the text model's positions is refused. `reserve` positions stay free for generated tokens.
  Encoding encode_whole(const std::vector<std::string>& texts, const char* what, int64_t reserve) const {
    EncodeOptions o;
    o.padding = Padding::Longest;
    Encoding enc = tokenizer.encode_batch(texts, o);
    const int64_t limit = config.text_config.max_position_embeddings - reserve;
    const int64_t len = enc.input_ids.empty() ? 0 : static_cast<int64_t>(enc.input_ids[0].size());
    if (len > limit)
      throw BlipError(std::string("the ") + what + " is " + std::to_string(len) +
                      " tokens long; this model reads at most " + std::to_string(limit));
    return enc;
  }

  // Decoder start ids of a caption batch: bos alone, or the prompt as BlipForConditionalGeneration
  // .generate makes it ([CLS] -> bos, the last column ([SEP]) dropped).
  std::pair<at::Tensor, at::Tensor> caption_start(const std::vector<std::string>& prompts, int64_t batch) const {
    if (prompts.empty()) {
      return {at::full({batch, 1}, config.text_config.bos_token_id, at::TensorOptions().dtype(at::kLong)),
              at::ones({batch, 1}, at::TensorOptions().dtype(at::kLong))};
    }
    std::vector<std::string> all = prompts.size() == 1 ? std::vector<std::string>(batch, prompts[0]) : prompts;
    // The [SEP] column is dropped, and at least one position must stay for the caption.
    Encoding enc = encode_whole(all, "prompt", 0);
    at::Tensor ids = to_tensor(enc.input_ids), mask = to_tensor(enc.attention_mask);
    ids.select(1, 0).fill_(config.text_config.bos_token_id);
    return {ids.slice(1, 0, ids.size(1) - 1).contiguous(), mask.slice(1, 0, mask.size(1) - 1).contiguous()};
  }

  // Vision model outputs of a batch: states are reused, pixel values go through `vision` (one
  // image at a time, which is faster per image than batches here; see docs/performance.md).
  at::Tensor image_embeds(const std::vector<ImageInput>& images, BlipVisionModel& vision, const void* owner,
                          bool for_questions) const;

  std::vector<std::vector<GeneratedText>> run_generation(const BlipTextLMHeadModel& decoder,
                                                         const at::Tensor& encoder_states, const at::Tensor& start_ids,
                                                         const at::Tensor& start_mask, const GenerationConfig& gc,
                                                         const RunControl& control) const {
    class Session : public DecoderSession {
     public:
      Session(BlipTextLMHeadModel d, at::Tensor enc, int64_t rows_per_item)
          : decoder_(std::move(d)), enc_(std::move(enc)), cache_(decoder_->bert->make_cache(rows_per_item)) {}
      at::Tensor step(const at::Tensor& ids, const at::Tensor& mask) override {
        TextForwardOptions o;
        o.encoder_hidden_states = enc_;
        o.cache = &cache_;
        return decoder_->forward(ids, mask, o, /*last_only=*/true).select(/*dim=*/1, 0);
      }
      // without copies: the next step reads each beam's positions where they are
      void reorder(const at::Tensor& index) override { cache_.reorder_by_history(index); }

     private:
      BlipTextLMHeadModel decoder_;
      at::Tensor enc_;
      TextCache cache_;
    };
    GenerationConfig c = gc;
    c.eos_token_id = config.text_config.sep_token_id;
    c.pad_token_id = config.text_config.pad_token_id;
    const size_t start_length = static_cast<size_t>(start_ids.size(1));
    SessionFactory factory = [&](int64_t rows_per_item) {
      return std::make_unique<Session>(decoder, encoder_states, rows_per_item);
    };
    // The leading row, decoded at every step, for front ends that show the text as it grows.
    StepCallback with_text = [&](const StepScores& s) {
      if (control.on_step) (*control.on_step)(s);
      control.on_text(make_text(std::vector<int64_t>(s.sequences, s.sequences + s.length), start_length));
    };
    const StepCallback* on_step = control.on_text ? &with_text : control.on_step;
    GenerationResult r = generate(factory, start_ids, start_mask, c, control.cancel, on_step);
    // the bf16 step weights onto huge pages, once, now that the first result is ready
    move_gathered_weights_onto_huge_pages();
    const size_t per = static_cast<size_t>(c.num_return_sequences);
    std::vector<std::vector<GeneratedText>> out(r.sequences.size() / per);
    for (size_t i = 0; i < r.sequences.size(); ++i) {
      GeneratedText g = make_text(r.sequences[i], start_length);
      if (!r.sequences_scores.empty()) g.score = r.sequences_scores[i];
      out[i / per].push_back(std::move(g));
    }
    return out;
  }

  GeneratedText make_text(std::vector<int64_t> ids, size_t start_length) const {
    GeneratedText g;
    g.text = tokenizer.decode(ids, true);
    const size_t from = std::min(start_length, ids.size());
    g.continuation =
        tokenizer.decode(std::vector<int64_t>(ids.begin() + static_cast<std::ptrdiff_t>(from), ids.end()), true);
    g.token_ids = std::move(ids);
    return g;
  }
};

// The BlipModel the engine module hands out. A method added to BlipModel (blip.h) is declared here
// with `override` and defined below like the others.
class LoadedBlipModel final : public BlipModel {
 public:
  explicit LoadedBlipModel(std::unique_ptr<LoadedBlipImpl> impl) : impl_(std::move(impl)) {}

  bool has_captioning() const override;
  bool has_question_answering() const override;
  bool has_retrieval() const override;
  std::vector<std::string> heads() const override;
  const BlipConfig& config() const override;
  const BertTokenizer& tokenizer() const override;
  const BlipImageProcessor& processor() const override;
  const std::filesystem::path& dir() const override;
  std::string weights_dtype() const override;
  Precision precision() const override;
  PixelValues preprocess(const Rgb8Image& image) const override;
  std::vector<std::vector<GeneratedText>> caption(const std::vector<ImageInput>& images,
                                                  const std::vector<std::string>& prompts,
                                                  const GenerationConfig& config,
                                                  const RunControl& control) const override;
  std::vector<std::vector<GeneratedText>> answer(const std::vector<ImageInput>& images,
                                                 const std::vector<std::string>& questions,
                                                 const GenerationConfig& config,
                                                 const RunControl& control) const override;
  ImageState encode_image(const PixelValues& image, bool for_questions) const override;
  size_t release_vision_weights() const override;
  std::vector<std::vector<MatchScore>> match(const std::vector<PixelValues>& images,
                                             const std::vector<std::string>& texts, int max_text_length) const override;
  std::vector<std::vector<float>> embed_images(const std::vector<PixelValues>& images) const override;
  std::vector<std::vector<float>> embed_texts(const std::vector<std::string>& texts,
                                              int max_text_length) const override;

 private:
  std::unique_ptr<LoadedBlipImpl> impl_;
};

}  // namespace

std::unique_ptr<BlipModel> detail::load_blip_model(const std::filesystem::path& dir, const LoadOptions& options) {
  c10::InferenceMode guard;
  auto impl = std::make_unique<LoadedBlipImpl>();
  impl->dir = dir;
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) throw BlipError("model folder not found: " + dir.string());
  if (const std::string problem = detail::engine_precision_problem(options.precision); !problem.empty())
    throw BlipError(std::string(precision_name(options.precision)) + " mode is not available: " + problem);
  impl->config = load_blip_config(dir / "config.json");
  // The processor config is the checkpoint's when present; fall back to BLIP's defaults at the
  // model's image size.
  if (std::filesystem::exists(dir / "preprocessor_config.json", ec)) {
    impl->processor = BlipImageProcessor(load_image_processor_config(dir / "preprocessor_config.json"));
  } else {
    BlipImageProcessorConfig pc;
    pc.height = pc.width = impl->config.vision_config.image_size;
    impl->processor = BlipImageProcessor(pc);
  }
  if (impl->processor.output_height() != impl->config.vision_config.image_size ||
      impl->processor.output_width() != impl->config.vision_config.image_size)
    throw BlipError((dir / "preprocessor_config.json").string() + " resizes to " +
                    std::to_string(impl->processor.output_width()) + "x" +
                    std::to_string(impl->processor.output_height()) + " but the vision model takes " +
                    std::to_string(impl->config.vision_config.image_size) + "x" +
                    std::to_string(impl->config.vision_config.image_size));
  const bool own_tokenizer =
      std::filesystem::exists(dir / "vocab.txt", ec) || std::filesystem::exists(dir / "tokenizer.json", ec);
  impl->tokenizer =
      BertTokenizer::from_folder(own_tokenizer || options.tokenizer_dir.empty() ? dir : options.tokenizer_dir);
  check_tokenizer_fits(impl->tokenizer, impl->config, dir);
  impl->weights = load_checkpoint(dir);
  const TensorMap& w = impl->weights;
  // config.json against the weights before any module is built, then the heads (checkpoint.h).
  const CheckpointIndex index = index_of(w);
  check_config_fits_weights(impl->config, index, w.source);
  const auto& arch = impl->config.architectures;
  const CheckpointHeads found = detect_heads(arch, index);
  // What the heads about to be built need from config.json against what the weights hold, so a
  // config describing a part the checkpoint lacks fails before that part is allocated.
  BlipHead fallback = BlipHead::Captioning;  // the head whose strict load explains a missing head
  if (!arch.empty() && arch[0] == head_class_name(BlipHead::QuestionAnswering)) fallback = BlipHead::QuestionAnswering;
  if (!arch.empty() && arch[0] == head_class_name(BlipHead::Retrieval)) fallback = BlipHead::Retrieval;
  std::vector<std::string> to_build;
  if (options.captioning && found.captioning) to_build.emplace_back(head_class_name(BlipHead::Captioning));
  if (options.question_answering && found.question_answering)
    to_build.emplace_back(head_class_name(BlipHead::QuestionAnswering));
  if (options.retrieval && found.retrieval) to_build.emplace_back(head_class_name(BlipHead::Retrieval));
  if (to_build.empty()) to_build.emplace_back(head_class_name(fallback));
  check_heads_fit_weights(impl->config, index, to_build, w.source);
  if (options.captioning && found.captioning) {
    impl->captioning = BlipForConditionalGeneration(impl->config);
    load_head_weights(*impl->captioning, BlipHead::Captioning, impl->config, w);
  }
  if (options.question_answering && found.question_answering) {
    impl->vqa = BlipForQuestionAnswering(impl->config);
    load_head_weights(*impl->vqa, BlipHead::QuestionAnswering, impl->config, w);
  }
  if (options.retrieval && found.retrieval) {
    impl->retrieval = BlipForImageTextRetrieval(impl->config);
    load_head_weights(*impl->retrieval, BlipHead::Retrieval, impl->config, w);
  }
  // Numeric mode: bf16 for every linear layer, int8 for the vision encoder's only.
  impl->precision = options.precision;
  auto set_precision = [&](torch::nn::Module& head, torch::nn::Module& vision) {
    set_linear_precision(options.precision == Precision::Int8 ? vision : head, options.precision);
  };
  if (options.precision == Precision::BFloat16) {
    // the decoder steps' weights first, in one block without an intermediate copy
    if (impl->captioning) impl->captioning->text_decoder->gather_step_weights();
    if (impl->vqa) impl->vqa->text_decoder->gather_step_weights();
  }
  if (options.precision != Precision::Float32) {
    if (impl->captioning) set_precision(*impl->captioning, *impl->captioning->vision_model);
    if (impl->vqa) set_precision(*impl->vqa, *impl->vqa->vision_model);
    if (impl->retrieval) set_precision(*impl->retrieval, *impl->retrieval->vision_model);
  }
  if (!impl->captioning && !impl->vqa && !impl->retrieval) {
    // Let the strict loader explain what is missing for the head config.json asks for.
    const BlipHead want = fallback;
    std::shared_ptr<torch::nn::Module> probe;
    if (want == BlipHead::Captioning) probe = BlipForConditionalGeneration(impl->config).ptr();
    if (want == BlipHead::QuestionAnswering) probe = BlipForQuestionAnswering(impl->config).ptr();
    if (want == BlipHead::Retrieval) probe = BlipForImageTextRetrieval(impl->config).ptr();
    load_head_weights(*probe, want, impl->config, w);
    throw BlipError(w.source + " holds no BLIP head that was asked for");
  }
  return std::make_unique<LoadedBlipModel>(std::move(impl));
}

bool LoadedBlipModel::has_captioning() const {
  return static_cast<bool>(impl_->captioning);
}
bool LoadedBlipModel::has_question_answering() const {
  return static_cast<bool>(impl_->vqa);
}
bool LoadedBlipModel::has_retrieval() const {
  return static_cast<bool>(impl_->retrieval);
}
std::vector<std::string> LoadedBlipModel::heads() const {
  std::vector<std::string> h;
  if (has_captioning()) h.emplace_back(head_class_name(BlipHead::Captioning));
  if (has_question_answering()) h.emplace_back(head_class_name(BlipHead::QuestionAnswering));
  if (has_retrieval()) h.emplace_back(head_class_name(BlipHead::Retrieval));
  return h;
}
const BlipConfig& LoadedBlipModel::config() const {
  return impl_->config;
}
const BertTokenizer& LoadedBlipModel::tokenizer() const {
  return impl_->tokenizer;
}
const BlipImageProcessor& LoadedBlipModel::processor() const {
  return impl_->processor;
}
const std::filesystem::path& LoadedBlipModel::dir() const {
  return impl_->dir;
}
std::string LoadedBlipModel::weights_dtype() const {
  return impl_->weights.stored_dtype;
}
Precision LoadedBlipModel::precision() const {
  return impl_->precision;
}

PixelValues LoadedBlipModel::preprocess(const Rgb8Image& image) const {
  return impl_->processor.preprocess(image);
}

ImageState LoadedBlipModel::encode_image(const PixelValues& image, bool for_questions) const {
  if (for_questions && !impl_->vqa)
    throw BlipError("this model has no question-answering head (BlipForQuestionAnswering)");
  if (!for_questions && !impl_->captioning)
    throw BlipError("this model has no captioning head (BlipForConditionalGeneration)");
  c10::InferenceMode guard;
  auto vision = for_questions ? impl_->vqa->vision_model : impl_->captioning->vision_model;
  auto d = std::make_shared<ImageState::Data>();
  d->image_embeds = vision->forward(impl_->stack_pixels({image})).last_hidden_state;
  d->for_questions = for_questions;
  d->owner = this;
  return ImageState(std::move(d));
}

size_t LoadedBlipModel::release_vision_weights() const {
  size_t bytes = 0;
  if (impl_->captioning) bytes += release_packed_weights(*impl_->captioning->vision_model);
  if (impl_->vqa) bytes += release_packed_weights(*impl_->vqa->vision_model);
  if (impl_->retrieval) bytes += release_packed_weights(*impl_->retrieval->vision_model);
#ifdef __GLIBC__
  // The packed copies are freed into malloc's heaps (blocks of a few MB are served from them once
  // glibc has raised its mmap threshold); hand those pages back to the system now.
  if (bytes > 0) malloc_trim(0);
#endif
  return bytes;
}

at::Tensor LoadedBlipImpl::image_embeds(const std::vector<ImageInput>& images, BlipVisionModel& vision,
                                        const void* owner, bool for_questions) const {
  if (images.empty()) throw BlipError("no images given");
  std::vector<at::Tensor> rows;
  rows.reserve(images.size());
  for (const ImageInput& in : images) {
    if (in.encoded()) {
      const ImageState::Data& st = *in.state().data();
      if (st.owner != owner || st.for_questions != for_questions)
        throw BlipError("the image was encoded by another model or head");
      rows.push_back(st.image_embeds);
    } else {
      rows.push_back(vision->forward(stack_pixels({in.pixels()})).last_hidden_state);
    }
  }
  return rows.size() == 1 ? rows.front() : at::cat(rows, 0);
}

std::vector<std::vector<GeneratedText>> LoadedBlipModel::caption(const std::vector<ImageInput>& images,
                                                                 const std::vector<std::string>& prompts,
                                                                 const GenerationConfig& gc,
                                                                 const RunControl& control) const {
  if (!impl_->captioning) throw BlipError("this model has no captioning head (BlipForConditionalGeneration)");
  if (!prompts.empty() && prompts.size() != 1 && prompts.size() != images.size())
    throw BlipError("give one prompt, or one per image");
  c10::InferenceMode guard;
  at::Tensor embeds = impl_->image_embeds(images, impl_->captioning->vision_model, this, false);
  auto [ids, mask] = impl_->caption_start(prompts, embeds.size(0));
  return impl_->run_generation(impl_->captioning->text_decoder, embeds, ids, mask, gc, control);
}

std::vector<std::vector<GeneratedText>> LoadedBlipModel::answer(const std::vector<ImageInput>& images,
                                                                const std::vector<std::string>& questions,
                                                                const GenerationConfig& gc,
                                                                const RunControl& control) const {
  if (!impl_->vqa) throw BlipError("this model has no question-answering head (BlipForQuestionAnswering)");
  if (questions.size() != 1 && questions.size() != images.size())
    throw BlipError("give one question, or one per image");
  c10::InferenceMode guard;
  at::Tensor embeds = impl_->image_embeds(images, impl_->vqa->vision_model, this, true);
  const int64_t batch = embeds.size(0);
  std::vector<std::string> all = questions.size() == 1 ? std::vector<std::string>(batch, questions[0]) : questions;
  Encoding enc = impl_->encode_whole(all, "question", 0);
  TextForwardOptions o;
  o.encoder_hidden_states = embeds;
  at::Tensor question_embeds = impl_->vqa->text_encoder->forward(LoadedBlipImpl::to_tensor(enc.input_ids),
                                                                 LoadedBlipImpl::to_tensor(enc.attention_mask), o);
  at::Tensor bos = at::full({batch, 1}, impl_->config.text_config.bos_token_id, at::TensorOptions().dtype(at::kLong));
  return impl_->run_generation(impl_->vqa->text_decoder, question_embeds, bos, at::ones_like(bos), gc, control);
}

std::vector<std::vector<MatchScore>> LoadedBlipModel::match(const std::vector<PixelValues>& images,
                                                            const std::vector<std::string>& texts,
                                                            int max_text_length) const {
  if (!impl_->retrieval) throw BlipError("this model has no image-text matching head (BlipForImageTextRetrieval)");
  if (texts.empty()) throw BlipError("no texts given");
  c10::InferenceMode guard;
  auto& m = impl_->retrieval;
  at::Tensor image_embeds = m->vision_model->forward(impl_->stack_pixels(images)).last_hidden_state;
  Encoding enc = impl_->encode_texts(texts, max_text_length);
  at::Tensor ids = LoadedBlipImpl::to_tensor(enc.input_ids), mask = LoadedBlipImpl::to_tensor(enc.attention_mask);
  at::Tensor image_feat = m->image_features(image_embeds);
  at::Tensor text_feat = m->text_features(ids, mask);
  at::Tensor itc = at::matmul(image_feat, text_feat.t());  // [images, texts]
  std::vector<std::vector<MatchScore>> out(images.size(), std::vector<MatchScore>(texts.size()));
  for (int64_t i = 0; i < image_embeds.size(0); ++i) {
    // One image against all texts: its cross-attention keys/values are computed once.
    at::Tensor logits = m->itm_logits(image_embeds.slice(0, i, i + 1), ids, mask);
    at::Tensor probs = at::softmax(logits, -1).select(1, 1);
    for (int64_t t = 0; t < ids.size(0); ++t) {
      out[i][t].itm = probs[t].item<float>();
      out[i][t].itm_logit = logits[t][1].item<float>();
      out[i][t].itc = itc[i][t].item<float>();
    }
  }
  return out;
}

namespace {
std::vector<std::vector<float>> rows_of(const at::Tensor& t) {
  at::Tensor c = t.contiguous();
  std::vector<std::vector<float>> out;
  for (int64_t i = 0; i < c.size(0); ++i) out.emplace_back(c[i].data_ptr<float>(), c[i].data_ptr<float>() + c.size(1));
  return out;
}
}  // namespace

std::vector<std::vector<float>> LoadedBlipModel::embed_images(const std::vector<PixelValues>& images) const {
  if (!impl_->retrieval) throw BlipError("this model has no retrieval head (BlipForImageTextRetrieval) for embeddings");
  c10::InferenceMode guard;
  auto& m = impl_->retrieval;
  return rows_of(m->image_features_of_first(m->vision_model->first_token(impl_->stack_pixels(images))));
}

std::vector<std::vector<float>> LoadedBlipModel::embed_texts(const std::vector<std::string>& texts,
                                                             int max_text_length) const {
  if (!impl_->retrieval) throw BlipError("this model has no retrieval head (BlipForImageTextRetrieval) for embeddings");
  if (texts.empty()) throw BlipError("no texts given");
  c10::InferenceMode guard;
  Encoding enc = impl_->encode_texts(texts, max_text_length);
  return rows_of(impl_->retrieval->text_features(LoadedBlipImpl::to_tensor(enc.input_ids),
                                                 LoadedBlipImpl::to_tensor(enc.attention_mask)));
}

namespace {
int find_blas(struct dl_phdr_info* info, size_t, void* data) {
  const char* name = info->dlpi_name;
  if (name && std::strstr(name, "libblas.so")) *static_cast<std::string*>(data) = name;
  return 0;
}
}  // namespace

BlasInfo detail::engine_blas_backend() {
  BlasInfo info;
  dl_iterate_phdr(find_blas, &info.path);
  std::error_code ec;
  std::string real = info.path.empty() ? "" : std::filesystem::canonical(info.path, ec).string();
  using ParallelFn = int (*)();
  auto parallel = reinterpret_cast<ParallelFn>(dlsym(RTLD_DEFAULT, "openblas_get_parallel"));
  if (real.find("openblas") != std::string::npos || (parallel && info.path.empty())) {
    const int mode = parallel ? parallel() : -1;
    info.name = mode == 2 ? "OpenBLAS (OpenMP)" : mode == 1 ? "OpenBLAS (pthreads)" : "OpenBLAS";
    info.fast = mode != 1;  // the pthreads build fights torch's OpenMP threads
  } else if (real.find("blis") != std::string::npos) {
    info.name = "BLIS";
    info.fast = true;
  } else if (!real.empty()) {
    info.name = "reference BLAS";
    info.fast = false;
  } else {
    info.name = "none loaded";
    info.fast = true;
  }
  if (!real.empty()) info.path = real;
  return info;
}

void detail::engine_set_warning_sink(std::function<void(const std::string&)> sink) {
  set_fp32_gemm_warning_sink(std::move(sink));
}

EngineInfo detail::engine_engine_info() {
  EngineInfo info;
  if (at::hasMKLDNN()) {
    info.onednn = at::get_mkldnn_version();
    // "Intel(R) MKL-DNN v2.6.0 (Git Hash ...)": the version is what people compare.
    if (const auto v = info.onednn.find(" v"); v != std::string::npos)
      info.onednn = "oneDNN " + info.onednn.substr(v + 1, info.onednn.find(' ', v + 1) - v - 1);
  }
  // libtorch does not export get_cpu_capability(); its configuration text names the choice, which
  // ATEN_CPU_CAPABILITY can lower.
  const std::string config = at::show_config();
  const std::string key = "CPU capability usage: ";
  if (const auto at = config.find(key); at != std::string::npos)
    info.cpu_capability = config.substr(at + key.size(), config.find('\n', at) - at - key.size());
  __builtin_cpu_init();
  const std::pair<const char*, bool> features[] = {
      {"avx2", __builtin_cpu_supports("avx2") != 0},
      {"fma", __builtin_cpu_supports("fma") != 0},
      {"avx512f", __builtin_cpu_supports("avx512f") != 0},
      {"avx512bw", __builtin_cpu_supports("avx512bw") != 0},
      {"avx512vnni", __builtin_cpu_supports("avx512vnni") != 0},
      {"avx512bf16", __builtin_cpu_supports("avx512bf16") != 0},
  };
  for (const auto& [name, has] : features)
    if (has) info.cpu_features.emplace_back(name);
  for (const char* name : {"OMP_WAIT_POLICY", "GOMP_SPINCOUNT"})
    if (const char* value = std::getenv(name))
      info.openmp_wait += (info.openmp_wait.empty() ? "" : " ") + std::string(name) + "=" + value;
  if (info.openmp_wait.empty()) info.openmp_wait = "libgomp's default";
#if !defined(__clang__)
  // Debian 12's clang (14, which builds the fuzzers) does not know this feature name; GCC does.
  if (__builtin_cpu_supports("amx-bf16")) info.cpu_features.emplace_back("amx-bf16");
#endif
  return info;
}

void detail::engine_init_threads(int threads) {
  // glibc serves blocks above a threshold it keeps moving (128 KiB at first, then the size of the
  // last such block freed) with fresh mmaps, and gives free memory at the top of the heap back
  // above twice that. Products of a model allocate and free blocks of 1-30 MB in turn, so each
  // could come as new, zeroed pages again: measured, a bf16 caption's 20 decoder steps took 340
  // instead of 240 ms in page faults. Fixed thresholds keep such blocks in the heap for reuse.
  static std::once_flag allocator_once;
  std::call_once(allocator_once, [] {
    mallopt(M_MMAP_THRESHOLD, 32 << 20);  // glibc's largest
    mallopt(M_TRIM_THRESHOLD, 128 << 20);
  });
  at::init_num_threads();
  // libtorch's default counts physical cores, which on a 2-vCPU machine can be 1; use every
  // logical core unless told otherwise (OMP_NUM_THREADS or the caller).
  if (threads <= 0) {
    const char* env = std::getenv("OMP_NUM_THREADS");
    threads = env && *env ? std::atoi(env) : static_cast<int>(std::thread::hardware_concurrency());
  }
  if (threads > 0) at::set_num_threads(threads);
}

}  // namespace glimpse::blip
