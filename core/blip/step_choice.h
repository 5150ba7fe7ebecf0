#pragma once
// Which way a decoder step runs fastest here, found by timing the captions' own steps. Two
// switches change no value, only speed, and CPUs differ on both: how far the bf16 few-row kernel
// asks for its weights ahead (small_gemm.h's set_bf16_weights_ahead: a Xeon needed L1 and L2, an
// AMD EPYC ran 1-5 % faster without on huge pages, a newer one fastest with L1 only) and the step
// team's waiting thread reading the next split ahead (step_team.h's set_step_team_read_ahead;
// 2-5 % faster steps on the Xeon, up to 12 % slower on the EPYC when its memory is fast). No CPU feature tells them
// apart, and the memory's speed and the weights' huge pages change as the app runs (docs/performance.md, seventeenth
// and eighteenth rounds).
//
// While choosing, the ways take turns in runs of kStepChoiceRunSteps consecutive steps of one
// caption. The first step of a run is not counted (a way carries into the step after it: timing
// single steps, way after way, chose against what whole captions run each way measured); a run's
// other steps give its time a step, divided by the mean of the caption's counted steps (the
// memory's speed drifts between captions). Captions are short (a photo's caption often has under
// ten tokens), so each caption compares two or three ways, and the pairing changes from caption
// to caption: caption c starts with way c mod n and goes on in strides of 1 + (c / n) mod (n - 1).
// Once every way has kStepChoiceRuns ratios, the lowest median wins for the next
// kStepChoiceRecheck steps; then the ways take turns again (the last choice still visible). A
// recheck whose medians leave the way chosen before within kStepChoiceKeep of the lowest keeps it
// and waits twice as many steps before the next, up to kStepChoiceRecheckMost; one that finds
// another way faster by more chooses that and waits kStepChoiceRecheck again. (While the ways take
// turns a step ran 5-10 % slower than the best way's on the EPYC of the thirty-fifth round; in one
// process the turns took about 120 greedy and 240 beam-3 steps, so rechecking every 1,000 steps
// cost 0.5 and 1.6 % of all steps, and ways 1 and 3 lay within 1 % of each other;
// docs/performance.md.) A
// caption that ran one way only gives nothing; another caption, another row count or a step not
// recorded (one that threw, one of the step team's back-off, or one while the weights are being
// moved onto huge pages) ends a caption's part.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace glimpse::blip {

// The bits of a way.
constexpr int kStepWayWeightsAhead = 1;    // the bf16 kernel asks for its weights ahead into L1
constexpr int kStepWayReadAhead = 2;       // the step team reads the next split ahead
constexpr int kStepWayWeightsAheadL2 = 4;  // and into L2 as well (only with kStepWayWeightsAhead)
// The way of a weights-ahead level (small_gemm.h's kWeightsAhead*) and read-ahead switch, and back.
constexpr int step_way(int weights_ahead, bool read_ahead) {
  return (weights_ahead >= 1 ? kStepWayWeightsAhead : 0) | (weights_ahead >= 2 ? kStepWayWeightsAheadL2 : 0) |
         (read_ahead ? kStepWayReadAhead : 0);
}
constexpr int step_way_weights_ahead(int way) {
  return (way & kStepWayWeightsAhead) == 0 ? 0 : (way & kStepWayWeightsAheadL2) != 0 ? 2 : 1;
}
constexpr int kStepChoiceRunSteps = 3;
constexpr int kStepChoiceRuns = 6;
constexpr int64_t kStepChoiceRecheck = 1000;
constexpr int64_t kStepChoiceRecheckMost = 8 * kStepChoiceRecheck;
constexpr double kStepChoiceKeep = 0.02;

class StepChoice {
 public:
  // `ways`: the candidates (at least one; one is chosen at once); the first takes the first turn.
  explicit StepChoice(std::vector<int> ways) { reset(std::move(ways)); }
  // Forgets the ratios and the choice.
  void reset(std::vector<int> ways);

  struct Turn {
    int way = 0;
    bool timed = false;  // whether record() takes this step's time
  };
  // The way the next step runs: a step of `rows` rows at position `past` of the caption whose
  // cache is `cache`.
  Turn next(const void* cache, int64_t past, int64_t rows);
  // The time of a timed step next() handed out (others are ignored).
  void record(const void* cache, int64_t past, int64_t rows, int way, double seconds);
  // The way last chosen, or -1 before the first choice.
  int chosen() const;
  // Whether the ways take turns now (before the first choice, and after each recheck).
  bool timing() const;
  // The fewest ratios any way has since the turns (re)started.
  int fewest_ratios() const;
  // Steps the choice now holds before the ways take turns again.
  int64_t recheck_steps() const;
  // Takes `way` as chosen, held kStepChoiceRecheck steps before the turns: a way this machine chose
  // in an earlier process (read_step_ways). False, nothing changed, for a way not among the
  // candidates, or where there is only one.
  bool seed(int way);
  // The choices made since the reset (the first, then each recheck's; a seed is none).
  int64_t decisions() const;

 private:
  // The way index of position `p` of the current caption.
  size_t slot(int64_t p) const;
  // Ends the current caption's part: its runs' ratios, and the choice once every way has enough.
  void finish_caption();

  mutable std::mutex mutex_;
  std::vector<int> ways_;
  int chosen_ = -1, last_ = -1;
  int64_t steps_since_ = 0;               // steps since the choice was made
  int64_t recheck_ = kStepChoiceRecheck;  // steps it holds
  int64_t decisions_ = 0;
  std::vector<std::vector<double>> ratios_;  // per way
  // the current caption: its cache, last step recorded, row count, number, steps recorded, and
  // per way the counted steps' time and count
  const void* caption_ = nullptr;
  int64_t caption_past_ = -1, caption_rows_ = 0, captions_ = 0, position_ = 0;
  std::vector<double> seconds_;
  std::vector<int64_t> counted_;
  // the step handed out to be timed
  const void* pending_cache_ = nullptr;
  int64_t pending_past_ = -1, pending_rows_ = 0;
  int pending_way_ = -1;
};

// The ways the decoder steps last chose on this machine, kept between processes in
// kStepWaysFileName beside the float32 product measurement (fp32_gemm.h's file): [fused][several
// rows], -1 where none, each with the time it was chosen (Unix seconds). Before its first choice a
// process's steps take turns over 6-12 captions of 20 steps, 5-10 % slower than the best way's on
// the EPYC of the thirty-fifth round (docs/performance.md); one that starts from the last choice
// runs them that way, and times the ways again at its first recheck.
struct StepWays {
  int way[2][2] = {{-1, -1}, {-1, -1}};
  int64_t saved[2][2] = {{0, 0}, {0, 0}};
};
constexpr const char* kStepWaysFileName = "decoder-steps.json";
constexpr int kStepWaysDays = 30;
// The entry for `key` (fp32_gemm_cache_key's: the CPU, the thread count, the engine), or nothing.
// Each place holds its way where that was chosen less than kStepWaysDays before `now`, else none.
// Anything unreadable counts as no entry, and a way outside 0-7 or a time that is not an integer
// as none for its place.
std::optional<StepWays> read_step_ways(const std::filesystem::path& file, const std::string& key,
                                       std::chrono::system_clock::time_point now);
// Writes `ways` (each place's way and time) as the entry for `key`, replacing it and keeping up to
// seven others (kept_files.h). False on an error.
bool write_step_ways(const std::filesystem::path& file, const std::string& key, const StepWays& ways);

}  // namespace glimpse::blip
