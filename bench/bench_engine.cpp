// Engine benchmarks on base-size BLIP checkpoints with random weights written in-process
// (bench/random_model.h; no download): decode + preprocess, image encode, captions (greedy and
// beam 3, exactly 20 new tokens), a VQA answer, ITC image embeddings at batch 1 and 8, a text
// query, and the ITM re-rank cost per candidate. Each figure comes with the bound it is measured
// against in the same process: achieved GFLOP/s against a GEMM of the encoder's shape, and
// weight bytes read per generated token against the memory read bandwidth. The model benchmarks
// warm up for a second first, after the images that make float32 layers pack their weights
// (settlePacking; the cold-start figures of docs/performance.md include what packing costs).
#include <benchmark/benchmark.h>

#include <QCoreApplication>

#include "bf16_attention.h"
#include "blip.h"
#include "bounds.h"
#include "fp32_attention.h"
#include "fp32_gemm.h"
#include "imaging/imagedecoder.h"
#include "modeling_blip.h"
#include "nn_layers.h"
#include "photos.h"
#include "random_model.h"
#include "small_gemm.h"
#include "step_choice.h"
#include "step_team.h"
#include "text_decoder_step.h"

using namespace glimpse;
using bench::addPeakRss;

namespace {

const std::filesystem::path kVocab = std::filesystem::path(GLIMPSE_TEST_DATA_DIR) / "tiny";

// --precision=fp32|bf16|int8 (default fp32): the numeric mode every model is loaded in.
blip::Precision g_precision = blip::Precision::Float32;

const blip::BlipModel& model(blip::BlipHead head) {
  static std::map<int, std::unique_ptr<blip::BlipModel>> models;
  auto& m = models[static_cast<int>(head)];
  if (!m) {
    blip::LoadOptions o;
    o.precision = g_precision;
    m = blip::BlipModel::load(bench::randomBaseModel(kVocab, {head}), o);
  }
  return *m;
}

// Bytes per decoder weight: int8 only touches the vision encoder.
double decoderBytesPerWeight() {
  return g_precision == blip::Precision::BFloat16 ? 2.0 : 4.0;
}

// A 12-megapixel photo-like JPEG (4000 x 3000).
const QByteArray& photoJpeg() {
  static QByteArray bytes = bench::photoLikeJpeg(4000, 3000, 1);
  return bytes;
}

const blip::PixelValues& pixels() {
  static blip::PixelValues px =
      model(blip::BlipHead::Captioning).preprocess(imaging::decodeImageData(photoJpeg(), "photo.jpg").rgb);
  return px;
}

// Products a float32 layer runs unpacked before it packs its weight (blip::pack_now), for products
// of `rows` rows: the same for every weight shape (the losses and the cost both scale with its
// size). 0 where nothing waits (bf16, a choice that does not pack, or forced packing).
int productsBeforePacking(int64_t rows) {
  const blip::Fp32GemmChoice& c = blip::fp32_gemm_choice();
  if (g_precision != blip::Precision::Float32 || !c.packed || c.pack_seconds_per_byte <= 0) return 0;
  int n = 0;
  for (double lost = 0; n < 1000 && !blip::pack_now(c, lost, rows, 768, 3072);) ++n;
  return n;
}

// The model with its float32 layers packed as they are after many images. A layer packs its
// weight only once its unpacked products have lost what packing costs (after about twenty images
// of one at a time on the development machine), so a model fresh from loading runs its first
// images unpacked; the benchmarks of many images measure the packed steady state. Runs the head's
// own work (every product of an image's rows: the vision encoder, the decoders' or the text
// encoder's cross-attention keys and values) once per image needed, once per head, and returns
// how many. The products of a text's rows (35 tokens) pack only after hundreds of texts and are
// left unpacked, as a fresh process runs them.
int settlePacking(blip::BlipHead head) {
  static std::map<int, int> images;
  if (auto it = images.find(static_cast<int>(head)); it != images.end()) return it->second;
  int& n = images[static_cast<int>(head)];
  const auto& m = model(head);
  const auto& v = m.config().vision_config;
  n = productsBeforePacking(static_cast<int64_t>(std::pow(v.image_size / v.patch_size, 2)) + 1);
  if (n == 0) return n;
  ++n;  // the image that packs
  blip::GenerationConfig one;
  one.max_new_tokens = 1;
  for (int i = 0; i < n; ++i) {
    switch (head) {
      case blip::BlipHead::Retrieval:
        benchmark::DoNotOptimize(m.match({pixels()}, {"kids on a beach at sunset"}, 35));
        break;
      case blip::BlipHead::QuestionAnswering:
        benchmark::DoNotOptimize(m.answer({pixels()}, {"how many dogs are in the picture?"}, one));
        break;
      default:
        benchmark::DoNotOptimize(m.caption({pixels()}, {}, one, {}));
    }
  }
  return n;
}

const blip::BlipModel& settledModel(blip::BlipHead head) {
  settlePacking(head);
  return model(head);
}

// FLOPs of one ViT forward at this config (matrix products only).
double vitFlops(const blip::BlipVisionConfig& v) {
  const double n = std::pow(v.image_size / v.patch_size, 2) + 1, d = v.hidden_size, i = v.intermediate_size;
  const double per_layer = 2 * n * d * (3 * d + d + 2 * i) + 4 * n * n * d;
  return v.num_hidden_layers * per_layer + 2 * (n - 1) * d * 3 * v.patch_size * v.patch_size;
}

// FLOPs of one image's ITC embedding (embed_images): the ViT forward with its last layer computed
// for the first token only (BlipVisionModel::first_token), which still multiplies every token into
// keys and values.
double itcFlops(const blip::BlipVisionConfig& v) {
  const double n = std::pow(v.image_size / v.patch_size, 2) + 1, d = v.hidden_size, i = v.intermediate_size;
  const double per_layer = 2 * n * d * (3 * d + d + 2 * i) + 4 * n * n * d;
  const double last = 2 * n * d * 3 * d + 4 * n * d + 2 * d * (d + 2 * i);
  return vitFlops(v) - per_layer + last;
}

// Weight bytes the decoder reads for each generated token: every text-decoder matrix except
// the embeddings (gathered, not read whole) and the cross-attention keys/values (computed once
// per image), plus the LM head.
double decoderBytesPerToken(const blip::BlipTextConfig& t) {
  const double d = t.hidden_size, i = t.intermediate_size, v = t.vocab_size;
  const double per_layer = 4 * d * d + 2 * d * d + 2 * d * i;  // self q,k,v,o; cross q,o; MLP
  return decoderBytesPerWeight() * (t.num_hidden_layers * per_layer + d * d + v * d);
}

// The precision of the vision encoder's products: the mode's, but float32 in the bf16 mode where
// this CPU multiplies bfloat16 slower (blip::bf16_gemm_rate: the bfloat16 weights are widened).
blip::Precision visionPrecision() {
  return g_precision == blip::Precision::BFloat16 && !blip::bf16_gemm_rate().bf16_faster ? blip::Precision::Float32
                                                                                         : g_precision;
}

// The image encode at the GEMM rate of the vision encoder's product, measured in this process.
double encodeBoundSeconds(const blip::BlipModel& m) {
  return vitFlops(m.config().vision_config) / bench::gemmFlops(visionPrecision());
}

void BM_DecodeAndPreprocess(benchmark::State& state) {
  const auto& m = model(blip::BlipHead::Captioning);
  for (auto _ : state) benchmark::DoNotOptimize(m.preprocess(imaging::decodeImageData(photoJpeg(), "photo.jpg").rgb));
  state.counters["megapixels"] = 12.0;
}
BENCHMARK(BM_DecodeAndPreprocess)->Unit(benchmark::kMillisecond)->UseRealTime();

// Runs `work` as the benchmark's iterations, each with the GEMM rate right after it
// (bench::gemmFlopsNow, outside the timing), and sets paired_over_bound: the median of each
// iteration's time over the bound of `flops` at that rate, and paired_bound_s, the median bound.
template <class Work>
void timeBesideGemmRate(benchmark::State& state, double flops, Work&& work) {
  const blip::Precision p = visionPrecision();
  bench::gemmFlopsNow(p);  // prepares its product before the timing
  std::vector<double> paired, bounds;
  for (auto _ : state) {
    const auto t0 = std::chrono::steady_clock::now();
    work();
    const double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    state.PauseTiming();
    const double bound = flops / bench::gemmFlopsNow(p);
    state.ResumeTiming();
    paired.push_back(sec / bound);
    bounds.push_back(bound);
  }
  state.counters["paired_over_bound"] = bench::median(paired);
  state.counters["paired_bound_s"] = bench::median(bounds);
}

void BM_ImageEncode(benchmark::State& state) {
  const auto& m = settledModel(blip::BlipHead::Captioning);
  long faults = 0;  // the encodes' own (the rate's product beside them left out)
  const double flops = vitFlops(m.config().vision_config);
  timeBesideGemmRate(state, flops, [&] {
    const long before = bench::minorFaults();
    benchmark::DoNotOptimize(m.encode_image(pixels(), false));
    faults += bench::minorFaults() - before;
  });
  state.counters["page_faults"] = static_cast<double>(faults) / static_cast<double>(state.iterations());
  state.counters["packed_after_images"] = settlePacking(blip::BlipHead::Captioning);
  state.counters["GFLOP"] = flops / 1e9;
  state.counters["achieved_GFLOPs"] = benchmark::Counter(flops * state.iterations() / 1e9, benchmark::Counter::kIsRate);
  state.counters["gemm_GFLOPs_bound"] = bench::gemmFlops(visionPrecision()) / 1e9;
  state.counters["bound_s"] = encodeBoundSeconds(m);
  if (g_precision == blip::Precision::BFloat16) {
    state.counters["bf16_GFLOPs"] = blip::bf16_gemm_rate().bf16_gflops;  // the engine's probe (packed bfloat16)
    state.counters["bf16_vision"] = visionPrecision() == blip::Precision::BFloat16 ? 1 : 0;
  }
  bench::addGemmCounters(state);
  addPeakRss(state);
}
BENCHMARK(BM_ImageEncode)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(3)->MinWarmUpTime(1);

// A caption of exactly 20 new tokens with `beams` beams, and the mean of its decoder steps (the
// first, which also projects the image's keys and values, left out; 0 when it ran fewer than two).
blip::GenerationConfig captionConfig(int beams) {
  blip::GenerationConfig c;
  c.num_beams = beams;
  c.max_new_tokens = 20;
  c.min_length = 21;  // bos + exactly 20 new tokens
  return c;
}
double meanCaptionStep(const blip::BlipModel& m, const blip::GenerationConfig& c) {
  std::vector<std::chrono::steady_clock::time_point> steps;
  const blip::StepCallback on_step = [&](const blip::StepScores&) {
    steps.push_back(std::chrono::steady_clock::now());
  };
  blip::RunControl control;
  control.on_step = &on_step;
  benchmark::DoNotOptimize(m.caption({pixels()}, {}, c, control));
  if (steps.size() < 2) return 0;
  return std::chrono::duration<double>(steps.back() - steps.front()).count() / static_cast<double>(steps.size() - 1);
}

// Captions until the decoder steps have chosen how to run (step_choice.h; at most 30, one where
// the ways are fixed): the steps a long-running app reaches. Returns the captions run, and in
// `fused` whether the steps were text_decoder_step's (else the module path's).
int captionUntilStepsChoose(const blip::BlipModel& m, const blip::GenerationConfig& c, bool& fused) {
  const int64_t fused_before = blip::text_decoder_steps_run();
  m.caption({pixels()}, {}, c, {});
  fused = blip::text_decoder_steps_run() > fused_before;
  int captions = 1;
  for (; captions < 30 && blip::text_decoder_step_way(fused, c.num_beams) < 0; ++captions)
    m.caption({pixels()}, {}, c, {});
  return captions;
}

void caption(benchmark::State& state, int beams) {
  const auto& m = settledModel(blip::BlipHead::Captioning);
  const blip::GenerationConfig c = captionConfig(beams);
  bool fused = false;
  state.counters["captions_to_choose"] = captionUntilStepsChoose(m, c, fused);
  // Each step's scores arrive through on_step: the time from the first to the last is the decoder
  // steps alone (the first step, which also projects the image's cross-attention keys and values,
  // and the vision pass before it are left out).
  std::vector<std::chrono::steady_clock::time_point> steps;
  std::vector<long> faults;
  const blip::StepCallback on_step = [&](const blip::StepScores&) {
    steps.push_back(std::chrono::steady_clock::now());
    faults.push_back(bench::minorFaults());
  };
  blip::RunControl control;
  control.on_step = &on_step;
  // GLIMPSE_BENCH_SETTLE=S: caption first until the step weights' huge pages settle, at most S
  // seconds (bf16: the engine moves the gathered block after the first caption, in seconds;
  // with GLIMPSE_HUGE_PAGES=advise the kernel's khugepaged does, 16 MiB every 10 s).
  static bool settled = false;  // once per process (Google Benchmark calls this several times)
  if (const char* settle = std::getenv("GLIMPSE_BENCH_SETTLE"); settle && !settled) {
    settled = true;
    const auto start = std::chrono::steady_clock::now(), limit = start + std::chrono::seconds(std::atoi(settle));
    double huge = bench::anonHugePagesMiB();
    auto grew = start;
    while (std::chrono::steady_clock::now() < limit &&
           std::chrono::steady_clock::now() - grew < std::chrono::seconds(25)) {
      m.caption({pixels()}, {}, c, {});
      if (const double now = bench::anonHugePagesMiB(); now > huge) {
        huge = now;
        grew = std::chrono::steady_clock::now();
      }
    }
    state.counters["settle_s"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  double step_seconds = 0, best_step = 0;
  int64_t step_count = 0;
  const int64_t sleeps = blip::step_team_sleeps(), teams = blip::step_teams_run();
  long step_faults = 0;
  // Each caption's steps against a read of the step's bytes right after it: this machine's read
  // bandwidth drifts between 34 and 65 GB/s from one minute to the next (sixteenth round), so a
  // bound read once per process may come from another minute than the steps.
  // (The read leaves the caches holding its buffer; the next caption's steps are timed from its
  // second step, after the vision pass.)
  const double bytes = decoderBytesPerToken(m.config().text_config);
  double reader_huge_mib = 0;
  const bench::BandwidthReader& reader = bench::sharedReader(static_cast<size_t>(bytes), &reader_huge_mib);
  std::vector<double> paired, paired_reads;
  // bf16: where each caption's fused steps went (text_decoder_step_times), per step, and the parts
  // against the same read: the products, and all the rest of a step (attentions, LayerNorms, the
  // work between steps), so that a missed target names its part
  blip::set_text_decoder_step_timing(true);
  const blip::TextDecoderStepTimes timed_before = blip::text_decoder_step_times();
  std::vector<double> products_over_read, rest_over_read;
  for (auto _ : state) {
    steps.clear();
    faults.clear();
    const blip::TextDecoderStepTimes before = blip::text_decoder_step_times();
    const auto out = m.caption({pixels()}, {}, c, control);
    benchmark::DoNotOptimize(out);
    const blip::TextDecoderStepTimes timed = blip::text_decoder_step_times().since(before);
    if (steps.size() >= 2) {
      const double sec = std::chrono::duration<double>(steps.back() - steps.front()).count();
      const auto n = static_cast<int64_t>(steps.size()) - 1;
      step_seconds += sec;
      step_count += n;
      const double mean = sec / static_cast<double>(n);
      step_faults += faults.back() - faults.front();
      best_step = best_step == 0 ? mean : std::min(best_step, mean);
      state.PauseTiming();
      const double read = reader.readSeconds();
      state.ResumeTiming();
      paired.push_back(mean / read);
      paired_reads.push_back(read);
      // (every step but the first is a fused one where the bf16 path runs: the steps timed above)
      if (timed.steps == n) {
        const double products = timed.products / static_cast<double>(n);
        products_over_read.push_back(products / read);
        rest_over_read.push_back((mean - products) / read);
      }
    }
  }
  const blip::TextDecoderStepTimes sums = blip::text_decoder_step_times().since(timed_before);
  blip::set_text_decoder_step_timing(false);
  const double token_bound = bytes / bench::readBandwidth(static_cast<size_t>(bytes));
  state.counters["weights_MB_per_token"] = bytes / 1e6;
  state.counters["token_bound_ms"] = token_bound * 1e3;
  if (step_count > 0) {
    // beam search runs its beams as rows of one product: the weights are still read once a step
    state.counters["step_ms"] = 1e3 * step_seconds / static_cast<double>(step_count);
    state.counters["step_over_bound"] = step_seconds / static_cast<double>(step_count) / token_bound;
    // the fastest caption's steps against the bound, which is also a best (of five bandwidth
    // reads): on a noisy machine the fairer of the two ratios
    state.counters["best_step_ms"] = 1e3 * best_step;
    state.counters["best_step_over_bound"] = best_step / token_bound;
    // the median of each caption's mean step over the read right after it, and of those reads
    state.counters["paired_step_over_bound"] = bench::median(paired);
    state.counters["paired_bound_ms"] = 1e3 * bench::median(paired_reads);
    // none once warm: the steps carry none of this virtual machine's slow page faults
    state.counters["step_page_faults"] = static_cast<double>(step_faults) / static_cast<double>(step_count);
    // waits in the step team that outlasted its spin (another program holding the cores)
    state.counters["team_sleeps_per_step"] =
        static_cast<double>(blip::step_team_sleeps() - sleeps) / static_cast<double>(step_count);
    // the way timed steps last chose for these steps (step_choice.h: +1 the bf16 kernel asks for
    // its weights ahead into L1, +4 into L2 as well, +2 the team reads ahead; -1: not chosen yet)
    state.counters["step_way"] = blip::text_decoder_step_way(fused, beams);
    // the share of those steps a team ran (the others were backing off after a contended step)
    state.counters["team_step_share"] =
        static_cast<double>(blip::step_teams_run() - teams) / static_cast<double>(step_count);
    // steps that did not run as text_decoder_step (the module path's: float32, or a step it
    // refused); with any, the part counters below are left out, their sums covering fewer steps
    state.counters["unfused_steps"] = static_cast<double>(step_count - sums.steps);
  }
  if (sums.steps > 0 && sums.steps == step_count) {
    // a fused step's parts in ms (the rest of it: embeddings, residual adds, LayerNorms, the mask,
    // checks and allocations), and everything in a step's interval outside text_decoder_step (the
    // next token's or beams' choice, the logits processors, the caches' reordering, the checks
    // before a step, the step team's start and end, the way's turn, this benchmark's on_step), each
    // the mean over the timed steps (timing on: about 200 clock reads a step)
    const auto per_step = [&](double seconds) { return 1e3 * seconds / static_cast<double>(sums.steps); };
    state.counters["part_products_ms"] = per_step(sums.products);
    state.counters["part_cross_attention_ms"] = per_step(sums.cross_attention);
    state.counters["part_self_attention_ms"] = per_step(sums.self_attention);
    state.counters["part_norms_ms"] = per_step(sums.total - sums.products - sums.cross_attention - sums.self_attention);
    state.counters["part_between_steps_ms"] =
        1e3 * step_seconds / static_cast<double>(step_count) - per_step(sums.total);
    // medians over captions, against the read right after each: the products, and the rest
    state.counters["paired_products_over_bound"] = bench::median(products_over_read);
    state.counters["paired_rest_over_bound"] = bench::median(rest_over_read);
  }
  state.counters["encode_bound_s"] = encodeBoundSeconds(m);
  state.counters["bound_s"] = 20 * token_bound + encodeBoundSeconds(m);
  // the engine's (the step weights' block): the reader's buffer left out
  state.counters["anon_huge_pages_MiB"] = bench::anonHugePagesMiB() - reader_huge_mib;
  addPeakRss(state);
}
void BM_CaptionGreedy20(benchmark::State& state) {
  caption(state, 1);
}
void BM_CaptionBeam3_20(benchmark::State& state) {
  caption(state, 3);
}
BENCHMARK(BM_CaptionGreedy20)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(3)->MinWarmUpTime(1);
BENCHMARK(BM_CaptionBeam3_20)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(3)->MinWarmUpTime(1);

// The decoder step's team (step_team.h) on and off, alternating caption by caption in one
// process: on this shared machine the bandwidth drifts between runs by more than the difference.
// Medians of the captions' mean steps (first step excluded, as above).
void BM_StepTeamOnOff(benchmark::State& state) {
  const auto& m = settledModel(blip::BlipHead::Captioning);
  const blip::GenerationConfig c = captionConfig(static_cast<int>(state.range(0)));
  std::vector<double> means[2];
  bool team = false;
  for (auto _ : state) {
    team = !team;
    blip::set_step_team_enabled(team);
    if (const double mean = meanCaptionStep(m, c); mean > 0) means[team].push_back(mean);
  }
  blip::set_step_team_enabled(true);
  const double on = bench::median(means[1]), off = bench::median(means[0]);
  state.counters["step_ms_team"] = on * 1e3;
  state.counters["step_ms_plain"] = off * 1e3;
  state.counters["team_over_plain"] = off > 0 ? on / off : 0;
  state.counters["captions_each"] = static_cast<double>(std::min(means[0].size(), means[1].size()));
}
BENCHMARK(BM_StepTeamOnOff)->Arg(1)->Arg(3)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(8)->MinWarmUpTime(1);

// The ways a step can run (step_choice.h: the bf16 kernel asking for its weights ahead into L1, +1,
// and into L2 as well, +4; the team reading the next split ahead, +2), each fixed in turn caption
// by caption in one process,
// against what the timed choice picks in the same process (its turns run in captions before and
// after the ways are fixed). Medians of the captions' mean steps (first step excluded).
void BM_StepWays(benchmark::State& state) {
  const auto& m = settledModel(blip::BlipHead::Captioning);
  const blip::GenerationConfig c = captionConfig(static_cast<int>(state.range(0)));
  bool fused = false;
  int captions_to_choose = 0;
  // the timed choice, from the start as an app's first captions make it
  auto timed_choice = [&] {
    blip::reset_text_decoder_step_choices(-1, -1);
    captions_to_choose = captionUntilStepsChoose(m, c, fused);
    return blip::text_decoder_step_way(fused, c.num_beams);
  };
  const int chosen = timed_choice();
  const int first_captions_to_choose = captions_to_choose;
  // (the module path has the read-ahead only)
  std::vector<int> ways;
  for (const bool read : {false, true})
    for (int ahead = 0; ahead <= (fused ? blip::kWeightsAheadL1AndL2 : 0); ++ahead)
      ways.push_back(blip::step_way(ahead, read));
  std::vector<double> means[8];
  int64_t turn = 0;
  for (auto _ : state) {
    const int way = ways[static_cast<size_t>(turn++ % static_cast<int64_t>(ways.size()))];
    blip::reset_text_decoder_step_choices(blip::step_way_weights_ahead(way), (way & blip::kStepWayReadAhead) != 0);
    if (const double mean = meanCaptionStep(m, c); mean > 0) means[way].push_back(mean);
  }
  // and once more after them
  state.counters["chosen_after"] = timed_choice();
  blip::reset_text_decoder_step_choices();
  double best = 0, sum = 0;
  int measured = 0;
  for (int way = 0; way < 8; ++way)
    if (!means[way].empty()) {
      const double ms = 1e3 * bench::median(means[way]);
      state.counters["step_ms_way" + std::to_string(way)] = ms;
      best = best == 0 ? ms : std::min(best, ms);
      sum += ms;
      ++measured;
    }
  // While the ways take turns a caption's steps spread over them about evenly: a step then costs
  // their mean, over the best way's. `captions_to_choose` counts the captions of 20 steps until the
  // choice, the one whose first step made it included.
  if (best > 0) state.counters["turns_over_best"] = sum / measured / best;
  state.counters["captions_to_choose"] = first_captions_to_choose;
  state.counters["chosen_way"] = chosen;
  // the chosen way's median over the fastest way's
  if (chosen >= 0 && !means[chosen].empty())
    state.counters["chosen_over_best"] = 1e3 * bench::median(means[chosen]) / best;
  state.counters["captions_each"] = static_cast<double>(state.iterations() / static_cast<int64_t>(ways.size()));
}
BENCHMARK(BM_StepWays)->Arg(1)->Arg(3)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(12)->MinWarmUpTime(1);

void BM_VqaAnswer(benchmark::State& state) {
  const auto& m = settledModel(blip::BlipHead::QuestionAnswering);
  const auto cfg = blip::blip_vqa_preset();
  for (auto _ : state) benchmark::DoNotOptimize(m.answer({pixels()}, {"how many dogs are in the picture?"}, cfg));
  addPeakRss(state);
}
BENCHMARK(BM_VqaAnswer)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(3)->MinWarmUpTime(1);

void BM_ItcImages(benchmark::State& state) {
  const auto& m = settledModel(blip::BlipHead::Retrieval);
  const std::vector<blip::PixelValues> batch(static_cast<size_t>(state.range(0)), pixels());
  const double flops = itcFlops(m.config().vision_config);
  timeBesideGemmRate(state, static_cast<double>(batch.size()) * flops,
                     [&] { benchmark::DoNotOptimize(m.embed_images(batch)); });
  state.counters["images_per_s"] =
      benchmark::Counter(static_cast<double>(state.range(0) * state.iterations()), benchmark::Counter::kIsRate);
  state.counters["GFLOP_per_image"] = flops / 1e9;
  state.counters["bound_images_per_s"] = bench::gemmFlops(visionPrecision()) / flops;
  bench::addGemmCounters(state);
  addPeakRss(state);
}
BENCHMARK(BM_ItcImages)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(3)->MinWarmUpTime(1);
// a batch of eight takes about 4 s here: at least three, so that paired_over_bound is a median
BENCHMARK(BM_ItcImages)->Arg(8)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(10)->MinWarmUpTime(1);

void BM_TextQuery(benchmark::State& state) {
  const auto& m = model(blip::BlipHead::Retrieval);
  for (auto _ : state) benchmark::DoNotOptimize(m.embed_texts({"kids on a beach at sunset"}, 35));
}
BENCHMARK(BM_TextQuery)->Unit(benchmark::kMillisecond)->UseRealTime();

// One re-ranked candidate: its vision pass and the text encoder with cross-attention (decode of
// the file excluded; see BM_DecodeAndPreprocess).
void BM_ItmPerCandidate(benchmark::State& state) {
  const auto& m = settledModel(blip::BlipHead::Retrieval);
  for (auto _ : state) benchmark::DoNotOptimize(m.match({pixels()}, {"kids on a beach at sunset"}, 35));
  state.counters["encode_bound_s"] = encodeBoundSeconds(m);
}
BENCHMARK(BM_ItmPerCandidate)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(3)->MinWarmUpTime(1);

// The vision attention products of one layer (12 heads, [577 x 64] x [64 x 577] and back) in each
// fp32 implementation, against the encoder-shaped GEMM rate of the same run.
void BM_AttentionProducts(benchmark::State& state) {
  const auto g = static_cast<blip::Fp32Gemm>(state.range(0));
  if (g == blip::Fp32Gemm::OneDnn && !blip::onednn_gemm_available()) {
    state.SkipWithError("built without oneDNN");
    return;
  }
  const at::Tensor mixed = at::randn({1, 577, 3, 12, 64}).permute({2, 0, 3, 1, 4});
  const at::Tensor q = mixed[0], k = mixed[1], v = mixed[2];
  for (auto _ : state) {
    at::Tensor p = blip::fp32_matmul(q, k.transpose(-1, -2), g);
    benchmark::DoNotOptimize(blip::fp32_matmul(p, v, g));
  }
  const double flops = 2 * 2.0 * 12 * 577 * 577 * 64;
  state.counters["achieved_GFLOPs"] = benchmark::Counter(flops * state.iterations() / 1e9, benchmark::Counter::kIsRate);
  state.counters["gemm_GFLOPs_bound"] = bench::gemmFlops() / 1e9;
  state.SetLabel(blip::fp32_gemm_name(g));
}
BENCHMARK(BM_AttentionProducts)
    ->Arg(static_cast<int>(blip::Fp32Gemm::Blas))
    ->Arg(static_cast<int>(blip::Fp32Gemm::OneDnn))
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// One head of the bf16 vision attention ([577 x 64], BLIP's head size) on one thread, in each unit
// the CPU has (0: AVX-512 BF16 dot products, 1: AMX tiles), both in this process: the FLOPs of its
// two products per second.
void BM_Bf16AttentionHead(benchmark::State& state) {
  const auto unit = state.range(0) == 1 ? blip::Bf16AttentionUnit::Amx : blip::Bf16AttentionUnit::Avx512;
  if (!blip::bf16_attention_available() ||
      (unit == blip::Bf16AttentionUnit::Amx && !blip::bf16_attention_amx_available())) {
    state.SkipWithError("no such unit on this CPU");
    return;
  }
  const int64_t t = 577, d = blip::kBf16AttentionHeadSize;
  const at::Tensor q = at::randn({t, d}).to(at::kBFloat16), k = at::randn({t, d}).to(at::kBFloat16),
                   v = at::randn({t, d}).to(at::kBFloat16);
  at::Tensor out = at::empty({t, d}, at::kBFloat16);
  for (auto _ : state)
    blip::bf16_attention_head64(static_cast<const uint16_t*>(q.data_ptr()), static_cast<const uint16_t*>(k.data_ptr()),
                                static_cast<const uint16_t*>(v.data_ptr()), d, d, d, t, 0.125f,
                                static_cast<uint16_t*>(out.data_ptr()), d, unit);
  state.counters["achieved_GFLOPs"] =
      benchmark::Counter(4.0 * t * t * d * static_cast<double>(state.iterations()) / 1e9, benchmark::Counter::kIsRate);
  state.SetLabel(unit == blip::Bf16AttentionUnit::Amx ? "amx" : "avx512-bf16");
}
BENCHMARK(BM_Bf16AttentionHead)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond)->UseRealTime();

// One head of the float32 vision attention (fp32_attention.h) of range(0) tokens (577 at 384 px, 197
// at 224 px) on one thread: the FLOPs of its two products per second, against one core's FMA rate
// measured in this process.
void BM_Fp32AttentionHead(benchmark::State& state) {
  if (!blip::fp32_attention_available()) {
    state.SkipWithError("no AVX-512F and DQ on this CPU");
    return;
  }
  const int64_t t = state.range(0), d = blip::kFp32AttentionHeadSize;
  // head 0 of the layer's one q/k/v product ([t x 3 x 12 heads x 64]), with its row strides
  const int64_t ld = 3 * 12 * d, heads = 12 * d;
  const at::Tensor qkv = at::randn({t, ld});
  at::Tensor out = at::empty({t, heads});
  const float* p = qkv.data_ptr<float>();
  for (auto _ : state)
    blip::fp32_attention_head64(p, p + heads, p + 2 * heads, ld, ld, ld, t, 0.125f, out.data_ptr<float>(), heads);
  state.counters["achieved_GFLOPs"] =
      benchmark::Counter(4.0 * t * t * d * static_cast<double>(state.iterations()) / 1e9, benchmark::Counter::kIsRate);
  state.counters["fma_peak_1thread_GFLOPs"] = blip::measure_fma_peak_gflops(1);
}
BENCHMARK(BM_Fp32AttentionHead)->Arg(577)->Arg(197)->Unit(benchmark::kMicrosecond)->UseRealTime();

// Where one ViT-B encoder layer's time goes ([577 x 768] tokens, batch 1), part by part, through
// the engine's own linear layers (packed products with GELU and the residual adds inside them when
// the first-use measurement chose that; with --precision=bf16 the bf16 layers): what separates the
// image encode from its GEMM bound.
void BM_EncoderLayerParts(benchmark::State& state) {
  const int64_t t = 577, d = 768, h = 12, hd = 64, f = 3072;
  auto linear = [](int64_t in, int64_t out) {
    blip::Linear l(in, out);
    l->weight.copy_(at::randn({out, in}) * 0.02);
    l->bias.zero_();
    l->set_precision(g_precision);
    return l;
  };
  blip::Linear qkv = linear(d, 3 * d), proj = linear(d, d), fc1 = linear(d, f), fc2 = linear(f, d);
  // the MLP as the layer runs it (in slices of its intermediate features where it does,
  // BlipMLPImpl::hidden_slices), beside fc1_gelu and fc2_residual, its two products whole
  blip::BlipMLP mlp(d, f);
  mlp->fc1->weight.copy_(at::randn({f, d}) * 0.02);
  mlp->fc1->bias.zero_();
  mlp->fc2->weight.copy_(at::randn({d, f}) * 0.02);
  mlp->fc2->bias.zero_();
  blip::set_linear_precision(*mlp, g_precision);
  const at::Tensor x = at::randn({1, t, d});
  blip::LayerNorm ln(d, 1e-5);
  ln->weight.fill_(1);
  ln->bias.zero_();
  std::map<std::string, double> sec;
  auto timed = [&](const char* name, auto&& fn) {
    const auto t0 = std::chrono::steady_clock::now();
    at::Tensor r = fn();
    sec[name] += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return r;
  };
  const at::Tensor none;
  // Float32 layers pack once packing pays (blip::pack_now): their products run that many times
  // first, so that the parts are timed packed, as an encoder's are after many images.
  for (int i = 0, settle = productsBeforePacking(t); i < settle; ++i) {
    const at::Tensor n = ln->forward_for(x, qkv->precision());
    qkv->forward(n);
    proj->forward(n, blip::Epilogue::None, x);
    fc2->forward(fc1->forward(n, blip::Epilogue::Gelu, none), blip::Epilogue::None, x);
    mlp->forward(n, x);
  }
  for (auto _ : state) {
    // as the layer runs them: bfloat16 rows for a bf16 product (the rounding leaves the product)
    at::Tensor n1 = timed("ln1", [&] { return ln->forward_for(x, qkv->precision()); });
    at::Tensor mixed =
        timed("qkv", [&] { return qkv->forward(n1); }).reshape({1, t, 3, h, hd}).permute({2, 0, 3, 1, 4});
    // the attention as the engine runs it, right after the q/k/v product as in the layer (0 when it
    // cannot: the four steps below are its path); the unfused steps after it, with colder caches
    timed("attention_fused", [&] { return blip::fused_attention(mixed[0], mixed[1], mixed[2], 0.125); });
    at::Tensor q = timed("q_scale", [&] { return mixed[0] * 0.125; });
    at::Tensor s = timed("qk", [&] { return blip::fp32_matmul(q, mixed[1].transpose(-1, -2)); });
    at::Tensor p = timed("softmax", [&] { return blip::softmax_like(s, mixed[2]); });
    at::Tensor c = timed("pv", [&] { return blip::fp32_matmul(p, mixed[2]); });
    at::Tensor cm = timed("ctx_merge", [&] { return c.permute({0, 2, 1, 3}).reshape({1, t, d}); });
    at::Tensor r1 = timed("proj_residual", [&] { return proj->forward(cm, blip::Epilogue::None, x); });
    at::Tensor n2 = timed("ln2", [&] { return ln->forward_for(r1, fc1->precision()); });
    // the same product without its GELU: what the activation costs inside the product's output pass
    timed("fc1_no_gelu", [&] { return fc1->forward(n2, blip::Epilogue::None, none); });
    at::Tensor g = timed("fc1_gelu", [&] { return fc1->forward(n2, blip::Epilogue::Gelu, none); });
    benchmark::DoNotOptimize(timed("fc2_residual", [&] { return fc2->forward(g, blip::Epilogue::None, r1); }));
    benchmark::DoNotOptimize(timed("mlp", [&] { return mlp->forward(n2, r1); }));
  }
  state.counters["mlp_slices"] = static_cast<double>(mlp->hidden_slices());
  for (const auto& [name, s] : sec) state.counters[name + "_ms"] = 1e3 * s / static_cast<double>(state.iterations());
  const double flops = 2.0 * t * d * (3 * d + d + 2 * f) + 4.0 * t * t * d;
  state.counters["gemm_bound_ms"] = 1e3 * flops / bench::gemmFlops(g_precision);
  state.SetLabel(g_precision == blip::Precision::BFloat16 ? "bf16 packed"
                 : blip::fp32_gemm_choice().packed        ? "packed"
                                                          : blip::fp32_gemm_name(blip::fp32_gemm_choice().chosen));
}
BENCHMARK(BM_EncoderLayerParts)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2);

// The vision encoder's patch embedding (ViT-B at 384 px: 3 x 384 x 384 pixels to 576 patches of
// 768) in this mode, as the engine runs it (nn_layers.h's PatchConv2d: the patches' rows times the
// weight) and as the convolution it replaces (at::conv2d, flattened to rows), taking turns in this
// process; the medians of each, and the product's GEMM bound at the rate measured beside it.
void BM_PatchEmbedding(benchmark::State& state) {
  const int64_t size = 384, patch = 16, d = 768;
  blip::PatchConv2d conv(3, d, patch);
  conv->weight.copy_(at::randn({d, 3, patch, patch}) * 0.02);
  conv->bias.zero_();
  conv->set_precision(g_precision);
  const at::Tensor x = at::randn({1, 3, size, size});
  std::vector<double> engine, convolution;
  auto seconds = [](auto&& fn) {
    const auto t0 = std::chrono::steady_clock::now();
    benchmark::DoNotOptimize(fn());
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  };
  for (auto _ : state) {
    engine.push_back(seconds([&] { return conv->forward(x); }));
    convolution.push_back(seconds([&] {
      return at::conv2d(x, conv->weight, conv->bias, {patch, patch}).flatten(2).transpose(1, 2).contiguous();
    }));
  }
  state.counters["engine_ms"] = 1e3 * bench::median(engine);
  state.counters["conv2d_ms"] = 1e3 * bench::median(convolution);
  const double flops = 2.0 * (size / patch) * (size / patch) * d * 3 * patch * patch;
  // (the product's own precision: float32 in the int8 mode, and in the bf16 mode where bfloat16 runs widened)
  const blip::Precision product =
      visionPrecision() == blip::Precision::BFloat16 ? blip::Precision::BFloat16 : blip::Precision::Float32;
  state.counters["gemm_bound_ms"] = 1e3 * flops / bench::gemmFlops(product);
}
BENCHMARK(BM_PatchEmbedding)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2);

// A step's twelve cross-attentions (base text config: 12 heads of 64; Arg: query rows, 1 for a
// greedy step, 3 for a beam-3 step, all of one image) over the image's cached bfloat16 keys and
// values (577 positions, 21 MB in all, each layer's own), in one step team as the decoder runs
// them: what the weight-bytes bound of a step leaves out, against the time to read the same bytes
// at the measured bandwidth. Sixteen images' keys and values taken in turn (340 MB, more than the
// caches hold), as a step's 246 MB of weights go through the caches between two of them. Each
// iteration is paired with a read of another image's keys and values right after it (from memory,
// as the step's are: the bound read once, of one buffer read again and again, came from the caches).
void BM_CrossAttentionStep(benchmark::State& state) {
  const int64_t layers = 12, heads = 12, d = 64, s = 577, rows = state.range(0), images = 16;
  // each image's keys and values in one block: [layer][key, value][heads][positions][64]
  std::vector<at::Tensor> kv;
  std::vector<std::vector<std::pair<const void*, const void*>>> layer_kv(images);  // (no views in the loop)
  for (int64_t i = 0; i < images; ++i) {
    kv.push_back(at::randn({layers, 2, heads, s, d}).to(at::kBFloat16));
    for (int64_t l = 0; l < layers; ++l)
      layer_kv[static_cast<size_t>(i)].emplace_back(kv.back()[l][0].data_ptr(), kv.back()[l][1].data_ptr());
  }
  const at::Tensor q = at::randn({rows, heads * d});
  at::Tensor out = at::empty({rows, heads * d});
  const double bytes = 2.0 * layers * heads * s * d * 2;
  const double bound = bytes / bench::readBandwidth(static_cast<size_t>(bytes));
  std::vector<double> paired;
  int64_t next = 0;
  for (auto _ : state) {
    const auto t0 = std::chrono::steady_clock::now();
    blip::run_step_team([&] {
      for (const auto& [k, v] : layer_kv[static_cast<size_t>(next)])
        blip::cross_attention_rows(q.data_ptr<float>(), heads * d, rows, rows, k, v, at::kBFloat16, 1, heads, s, 8.0f,
                                   out.data_ptr<float>(), heads * d);
    });
    const double step = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    benchmark::DoNotOptimize(out.data_ptr<float>());
    state.PauseTiming();
    // the image touched longest ago (its step 8 iterations back, its last read 16)
    const at::Tensor& other = kv[static_cast<size_t>((next + images / 2) % images)];
    paired.push_back(step / bench::readSeconds(other.data_ptr(), static_cast<size_t>(bytes)));
    state.ResumeTiming();
    next = (next + 1) % images;
  }
  state.counters["MB"] = bytes / 1e6;
  state.counters["bound_ms"] = 1e3 * bound;
  state.counters["paired_over_bound"] = bench::median(paired);
  state.counters["GBps"] =
      benchmark::Counter(bytes * static_cast<double>(state.iterations()) / 1e9, benchmark::Counter::kIsRate);
}
BENCHMARK(BM_CrossAttentionStep)->Arg(1)->Arg(3)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2);

// The decoder's linear layers of one step (base text config: 12 layers of self q, k, v, o, cross
// q, o and the MLP, plus the LM head's transform and its decoder; the same weight bytes as the
// caption benchmarks' token bound), each with its own weight, through the few-row kernel at 1 and
// 3 rows (greedy and beam 3): the products alone against the weight bytes / read bandwidth bound,
// so that the caption's step_ms splits into products and everything else. In bf16 the self-
// attention's q, k and v are one product, as a step runs them (text_decoder_step.cpp).
// Each iteration is paired, as the captions' steps are, with a read of the same weights right after
// it (this machine's read bandwidth swings from one second to the next: 3.4 to 10.7 ms for these
// bytes within one process, docs/performance.md, thirty-second round), and with one product over
// all of them (the block read as one [elements / k, k] weight): the kernel's own stream against the
// read, and what splitting it into a step's products adds.
void BM_DecoderStepLinears(benchmark::State& state) {
  const int64_t rows = state.range(0), d = 768, f = 3072, vocab = 30524;
  const auto type = g_precision == blip::Precision::BFloat16 ? at::kBFloat16 : at::kFloat;
  const bool tiled = type == at::kBFloat16;
  std::vector<std::pair<int64_t, int64_t>> shapes;  // [out, in]
  for (int l = 0; l < 12; ++l) {
    if (tiled)
      shapes.emplace_back(3 * d, d);
    else
      for (int i = 0; i < 3; ++i) shapes.emplace_back(d, d);
    for (int i = 0; i < 3; ++i) shapes.emplace_back(d, d);
    shapes.emplace_back(f, d);
    shapes.emplace_back(d, f);
  }
  shapes.emplace_back(d, d);
  shapes.emplace_back(vocab, d);
  // one block on 2 MiB pages in the order they are read, as a bf16 load gathers the decoder's
  // (nn_layers.h's gather_bf16_tiles, bfloat16 weights in tiles; here asked for before the fill,
  // which a benchmark may pay)
  auto elements = [&](int64_t out, int64_t in) { return tiled ? blip::bf16_tile_elements(out, in) : out * in; };
  int64_t total = 0;
  for (const auto& [out, in] : shapes) total += elements(out, in);
  const at::Tensor block = bench::onHugePages(total, type);
  struct Layer {
    at::Tensor plain;
    blip::Bf16Tiles tiles;
    at::Tensor bias;
  };
  std::vector<Layer> layers;
  int64_t at = 0;
  double bytes = 0;
  for (const auto& [out, in] : shapes) {
    const at::Tensor part = block.narrow(0, at, elements(out, in));
    const at::Tensor w = at::randn({out, in}) * 0.02;
    if (tiled) {
      blip::write_bf16_tiles(w, part);
      layers.push_back({at::Tensor(), {part, out, in}, at::zeros({out})});
    } else {
      layers.push_back({part.view({out, in}).copy_(w), {}, at::zeros({out})});
    }
    bytes += static_cast<double>(part.nbytes());
    at += elements(out, in);
  }
  const at::Tensor x = at::randn({rows, 1, f});
  const double bound = bytes / bench::readBandwidth(static_cast<size_t>(bytes));
  // bf16: the kernel's three levels of asking ahead (small_gemm.h) take turns, two iterations
  // each, unless GLIMPSE_STEP_AHEAD fixes one; each level's iterations give their own medians
  // (`paired_ahead<level>`, `one_product_ahead<level>`), while the other counters pool every
  // iteration, the levels mixed (fix a level to compare them with rounds before the thirty-third)
  const int fixed_ahead = blip::bf16_weights_ahead_fixed(), ahead_before = blip::bf16_weights_ahead();
  std::vector<double> level_paired[3], level_one[3];
  int64_t iteration = 0;
  // Run as a step runs them: in one team (step_team.h), the products on buffers held across them
  // (small_rows_product). The MLP's two products read the same bytes, [3072 x 768] and
  // [768 x 3072]: their times side by side in the same steps show what the input size alone costs
  // (a large one's rows no longer stayed in L1 beside their tiles: small_gemm.h).
  std::vector<float> ys(static_cast<size_t>(rows * vocab));
  // the whole block as one weight of `d` inputs: whole tiles, or whole rows
  const int64_t one_n =
      tiled ? total / blip::bf16_tile_elements(blip::kTileColumns, d) * blip::kTileColumns : total / d;
  std::vector<float> one_y(static_cast<size_t>(rows * one_n));
  double mlp_in = 0, mlp_out = 0, products = 0;
  std::vector<double> paired, one_paired, over_one;
  int64_t teamed = 0;  // steps a team ran (not a back-off's: step_team.h)
  for (auto _ : state) {
    const int level = fixed_ahead >= 0 ? fixed_ahead : static_cast<int>(iteration++ / 2 % 3);
    if (tiled) blip::set_bf16_weights_ahead(level);
    const auto s0 = std::chrono::steady_clock::now();
    teamed += blip::run_step_team([&] {
      for (size_t i = 0; i < layers.size(); ++i) {
        const Layer& l = layers[i];
        const auto [out, in] = shapes[i];
        const void* w = tiled ? l.tiles.data.data_ptr() : l.plain.data_ptr();
        const auto p0 = std::chrono::steady_clock::now();
        blip::small_rows_product(x.data_ptr<float>(), rows, in, w, type, out, l.bias.data_ptr<float>(), ys.data(),
                                 /*gelu=*/out == f);
        const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - p0).count();
        if (out == f) mlp_in += took;
        if (in == f) mlp_out += took;
      }
    });
    const double step = std::chrono::duration<double>(std::chrono::steady_clock::now() - s0).count();
    products += step;
    state.PauseTiming();
    const double read = bench::readSeconds(block.data_ptr(), static_cast<size_t>(bytes));
    const auto o0 = std::chrono::steady_clock::now();
    blip::run_step_team([&] {
      blip::small_rows_product(x.data_ptr<float>(), rows, d, block.data_ptr(), type, one_n, nullptr, one_y.data());
    });
    const double one = std::chrono::duration<double>(std::chrono::steady_clock::now() - o0).count();
    const double read_after = bench::readSeconds(block.data_ptr(), static_cast<size_t>(bytes));
    state.ResumeTiming();
    paired.push_back(step / read);
    one_paired.push_back(one / read_after);
    level_paired[level].push_back(step / read);
    level_one[level].push_back(one / read_after);
    over_one.push_back(step / one);
  }
  const auto steps = static_cast<double>(state.iterations());
  state.counters["weights_MB"] = bytes / 1e6;
  state.counters["bound_ms"] = 1e3 * bound;
  state.counters["over_bound"] = products / steps / bound;
  // medians of each iteration's products over a read of their own weights right after them, of
  // the one product over the next read, and of the products over the one product
  state.counters["paired_over_bound"] = bench::median(paired);
  state.counters["one_product_over_bound"] = bench::median(one_paired);
  state.counters["products_over_one"] = bench::median(over_one);
  state.counters["mlp_in_ms"] = 1e3 * mlp_in / steps;
  state.counters["mlp_out_ms"] = 1e3 * mlp_out / steps;
  state.counters["mlp_out_over_in"] = mlp_in > 0 ? mlp_out / mlp_in : 0;
  state.counters["team_step_share"] = static_cast<double>(teamed) / steps;
  if (tiled) {
    for (int level = 0; level < 3; ++level)
      if (!level_paired[level].empty()) {
        state.counters["paired_ahead" + std::to_string(level)] = bench::median(level_paired[level]);
        state.counters["one_product_ahead" + std::to_string(level)] = bench::median(level_one[level]);
      }
    blip::set_bf16_weights_ahead(ahead_before);
  }
}
BENCHMARK(BM_DecoderStepLinears)->Arg(1)->Arg(3)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2);

}  // namespace

int main(int argc, char** argv) {
  bench::restartWithAppOpenMpSettings(argv);
  QCoreApplication app(argc, argv);
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.rfind("--precision=", 0) != 0) continue;
    const auto p = blip::parse_precision(arg.substr(12));
    if (!p) {
      std::fprintf(stderr, "unknown precision %s (fp32, bf16 or int8)\n", arg.c_str());
      return 2;
    }
    g_precision = *p;
    for (int j = i; j + 1 < argc; ++j) argv[j] = argv[j + 1];
    --argc;
    break;
  }
  std::printf("precision: %s\n", blip::precision_name(g_precision));
  return bench::runBenchmarks(argc, argv, [] { blip::init_torch_threads(); });
}
