#pragma once
// glimpse::blip::BlipModel: one BLIP checkpoint folder (config, processor, tokenizer, weights of
// every head it holds) behind a torch-free interface, for the CLI, the inference worker and tests.
#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "configuration_blip.h"
#include "generation_config.h"
#include "image_processing_blip.h"
#include "precision.h"
#include "tokenization_bert.h"

namespace glimpse::blip {

struct LoadOptions {
  bool captioning = true;  // load these heads when the checkpoint holds them
  bool question_answering = true;
  bool retrieval = true;
  // Folder whose vocab.txt / tokenizer.json to use when the model folder has none (converted
  // checkpoints often ship weights and configs only). Empty: the model folder only.
  std::filesystem::path tokenizer_dir;
  // Numeric mode (precision.h). Float32 matches Hugging Face to the token; the others are faster
  // and only close. Load throws BlipError when this machine cannot run the mode.
  Precision precision = Precision::Float32;
};

struct GeneratedText {
  std::string text;                // decode(token_ids, skip_special_tokens=True), as Hugging Face returns it
  std::string continuation;        // the same without the start (bos and prompt): what the model added
  std::vector<int64_t> token_ids;  // the whole sequence generate() returns (bos, prompt, new tokens, padding)
  float score = 0.0f;              // beam search: length-normalised log-probability; else 0
};

// How a generation run is stopped and watched. Callbacks run on the calling thread.
struct RunControl {
  const std::atomic<bool>* cancel = nullptr;  // set: generation stops at the next decoder step (GenerationCancelled)
  const StepCallback* on_step = nullptr;      // raw and processed scores of every step (tests, diagnostics)
  // The leading row of the first image so far (greedy: the text; beam search: the best beam), decoded.
  std::function<void(const GeneratedText&)> on_text;
};

struct MatchScore {
  float itm = 0.0f;        // probability that the text matches the image (ITM head)
  float itc = 0.0f;        // cosine of the normalised ITC features
  float itm_logit = 0.0f;  // the ITM head's "match" logit (BLIP re-ranks by itm_logit + itc)
};

// Channel-first float32 pixel values of one image, (3, H, W), as BlipImageProcessor returns them.
using PixelValues = std::vector<float>;

// One image encoded by the vision model, kept to answer several questions about it (or caption
// it again) without running the vision model twice. Opaque; cheap to copy.
class ImageState {
 public:
  ImageState() = default;
  bool valid() const { return static_cast<bool>(data_); }
  struct Data;
  explicit ImageState(std::shared_ptr<const Data> d) : data_(std::move(d)) {}
  const Data* data() const { return data_.get(); }

 private:
  std::shared_ptr<const Data> data_;
};

// An image to generate from: its pixel values, or an ImageState from encode_image() (the vision
// model does not run again). Both convert implicitly, so `{pixels}` and `{state}` are inputs.
class ImageInput {
 public:
  ImageInput(PixelValues pixels) : pixels_(std::move(pixels)) {}  // NOLINT(google-explicit-constructor)
  ImageInput(ImageState state) : state_(std::move(state)) {}      // NOLINT(google-explicit-constructor)
  const PixelValues& pixels() const { return pixels_; }
  const ImageState& state() const { return state_; }
  bool encoded() const { return state_.valid(); }

 private:
  PixelValues pixels_;
  ImageState state_;
};
std::vector<ImageInput> image_inputs(const std::vector<PixelValues>& pixels);

// An abstract interface: the implementation lives in the engine module (libglimpse_engine.so, the
// only part of Glimpse that links libtorch), which load() opens on first use (engine.cpp). A new
// engine capability is a pure virtual method here, implemented by LoadedBlipModel in blip.cpp.
class BlipModel {
 public:
  // Loads a Hugging Face BLIP folder. Throws BlipError with a clear message for a missing or
  // non-BLIP config, missing or mismatched weights, a tokenizer that does not fit the model, or an
  // engine module that cannot be loaded (the error names where it was looked for).
  static std::unique_ptr<BlipModel> load(const std::filesystem::path& dir, const LoadOptions& options = {});
  virtual ~BlipModel() = default;
  BlipModel(const BlipModel&) = delete;
  BlipModel& operator=(const BlipModel&) = delete;

  virtual bool has_captioning() const = 0;
  virtual bool has_question_answering() const = 0;
  virtual bool has_retrieval() const = 0;
  virtual std::vector<std::string> heads() const = 0;  // Hugging Face class names of the loaded heads
  virtual const BlipConfig& config() const = 0;
  virtual const BertTokenizer& tokenizer() const = 0;
  virtual const BlipImageProcessor& processor() const = 0;
  virtual const std::filesystem::path& dir() const = 0;
  virtual std::string weights_dtype() const = 0;  // as stored: F32, F16, BF16
  virtual Precision precision() const = 0;        // the numeric mode it runs in

  virtual PixelValues preprocess(const Rgb8Image& image) const = 0;

  // The two generation entry points. Captions: prompts empty (none), one (for all images) or one
  // per image; the prompt starts the caption as in BlipForConditionalGeneration.generate, and
  // GeneratedText::continuation is the caption without it. Answers: one question for all images
  // or one per image. Both return num_return_sequences results per image, best first. A prompt
  // or question longer than the text model's positions is refused (BlipError), never cut.
  virtual std::vector<std::vector<GeneratedText>> caption(const std::vector<ImageInput>& images,
                                                          const std::vector<std::string>& prompts,
                                                          const GenerationConfig& config,
                                                          const RunControl& control = {}) const = 0;
  virtual std::vector<std::vector<GeneratedText>> answer(const std::vector<ImageInput>& images,
                                                         const std::vector<std::string>& questions,
                                                         const GenerationConfig& config,
                                                         const RunControl& control = {}) const = 0;
  // The vision model's output for one image, to caption it or ask about it several times: the
  // VQA head's vision tower when `for_questions`, else the captioning head's.
  virtual ImageState encode_image(const PixelValues& image, bool for_questions) const = 0;
  // For a caller that will not run the vision model again soon (glimpse-cli once its last photo
  // is encoded): frees the vision towers' packed weights (a third of a base model's memory) and
  // gives the pages of their mapped checkpoint weights back, so that generating from ImageStates
  // does not hold them. The next image packs them again, a one-time cost as at the first image.
  // Returns the packed bytes freed. Not while another call runs on this model.
  virtual size_t release_vision_weights() const = 0;

  // ITM probability and ITC cosine for every image x text pair: result[image][text].
  // max_text_length > 0 truncates texts to that many tokens (BLIP's retrieval uses 35).
  virtual std::vector<std::vector<MatchScore>> match(const std::vector<PixelValues>& images,
                                                     const std::vector<std::string>& texts,
                                                     int max_text_length = 0) const = 0;
  // Normalised ITC embeddings (image_text_hidden_size floats each). The vision model takes up to
  // kImagesPerVisionPass images per pass: give that many at once for the best images/s.
  virtual std::vector<std::vector<float>> embed_images(const std::vector<PixelValues>& images) const = 0;
  virtual std::vector<std::vector<float>> embed_texts(const std::vector<std::string>& texts,
                                                      int max_text_length = 0) const = 0;

 protected:
  BlipModel() = default;
};

// Images the vision model runs through its layers together; larger batches run in parts of this
// size. With the weights packed for oneDNN, four images in a pass gave 1.13-1.19x the time of the
// same-run GEMM bound per image against 1.20-1.27x one at a time (bench_engine BM_ItcImages/8,
// fp32, docs/performance.md); eight gained little more and held 170 MiB more activations.
inline constexpr int kImagesPerVisionPass = 4;

// What a model folder holds, without loading the weights: for settings pages and `models verify`.
struct ModelFolderInfo {
  bool usable = false;             // a BLIP checkpoint Glimpse can load
  std::vector<std::string> heads;  // Hugging Face class names the weights provide
  std::string summary;             // e.g. "ViT 768/12 layers, 384 px; text 768/12 layers; 895 MB float32"
  std::string problem;             // what is wrong or missing, when not usable
  uint64_t weight_bytes = 0;
};
ModelFolderInfo inspect_model_folder(const std::filesystem::path& dir);

// The functions below that name libtorch load the engine module first (engine.cpp); the others
// never do.

// Loads the engine module now (it is loaded by the first call that needs it otherwise), so that
// the first model loads faster: the app calls it on its worker thread once the window shows.
// Throws BlipError naming the paths tried when the module is missing or does not fit this build.
void load_engine();
// Whether the engine module is loaded in this process (nothing loads it).
bool engine_loaded();

// Which BLAS libtorch got ("OpenBLAS (openmp)", "reference BLAS", ...), and whether it is fast.
struct BlasInfo {
  std::string name;
  std::string path;
  bool fast = false;
};
BlasInfo blas_backend();

// The engine as built and as it runs on this machine, for `glimpse-cli --version` and bug reports.
struct EngineInfo {
  std::string onednn;                     // oneDNN version libtorch was built with; empty: none
  std::string cpu_capability;             // the kernels libtorch picked: "AVX2", "AVX512", "DEFAULT"
  std::vector<std::string> cpu_features;  // of the instructions the engine's modes use, those this CPU has
  std::string openmp_wait;                // the settings libgomp's waiting threads run with (set_openmp_defaults)
};
EngineInfo engine_info();

// Where the engine's one performance warning goes (float32 products far below this CPU's rate,
// measured at the first image). Default: standard error. The CLI shows it with --verbose or after a
// failure; the app writes it to its log.
void set_engine_warning_sink(std::function<void(const std::string&)> sink);

// Where the engine keeps its first-use measurement of this CPU's float32 products between
// processes (fp32_gemm.h): the CLI and the app give a file in their cache folder. The engine keeps
// the ways its decoder steps chose beside it, in decoder-steps.json (step_choice.h). Before the
// engine is loaded, the value is kept and applied when it loads. Empty (the default): measured and
// chosen in each process.
void set_measurement_cache_file(const std::filesystem::path& file);

// libgomp, the OpenMP runtime libtorch brings, reads its settings once, when the engine module
// loads it. By default a thread that finishes its part of a parallel region early spins for up to
// 300,000 rounds (milliseconds) before it sleeps. When other programs keep the cores busy (a build
// in another terminal: nice does not reach across sessions under the kernel's autogroups), the
// spinning thread takes the core from the one it waits for: a caption took 23-27 s, against 10.5 s
// with GOMP_SPINCOUNT=10000 and 8.4 s with 1000. On an idle machine 1000 cost ~5 % on captions
// and 10000 ~2 % (docs/performance.md). Sets GOMP_SPINCOUNT=10000 unless OMP_WAIT_POLICY or
// GOMP_SPINCOUNT is set already. Returns whether it set it.
// Call at the start of main(), before other threads run (it changes the environment).
bool set_openmp_defaults();

// Sets torch's intra-op threads for this thread and the pool (0 = all cores). Before the engine is
// loaded, the value is kept and applied by the thread that loads it.
void init_torch_threads(int threads = 0);

}  // namespace glimpse::blip
