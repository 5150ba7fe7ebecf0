#pragma once
// Which way a decoder step runs fastest here, found by timing the captions' own steps. Two
// switches change no value, only speed, and CPUs differ on both: the bf16 few-row kernel asking
// for its weights ahead (small_gemm.h's set_bf16_weights_ahead; a Xeon needed it, an AMD EPYC ran
// 1-5 % faster without on huge pages) and the step team's waiting thread reading the next split
// ahead (step_team.h's set_step_team_read_ahead; 2-5 % faster steps on the Xeon, 10-12 % slower on
// the EPYC when its memory is fast). No CPU feature tells them apart, and the memory's speed and
// the weights' huge pages change as the app runs (docs/performance.md, seventeenth and eighteenth
// rounds).
//
// A round runs each way for kStepChoiceRepeats consecutive steps of one caption, the ways' order
// turned by one from round to round. The first step of each run is not counted (a way can carry
// into the step after it: timing single steps, way after way, chose against what whole captions
// run each way measured); the rest, summed, are divided by the round's mean. After
// kStepChoiceRounds rounds the way with the lowest median ratio is chosen for the next
// kStepChoiceRecheck steps, then the rounds start again (the last choice still visible). A round
// broken by another caption, another row count or a step that threw is dropped. No extra work:
// the timed steps are the captions' own.
#include <cstdint>
#include <mutex>
#include <vector>

namespace glimpse::blip {

// The bits of a way.
constexpr int kStepWayWeightsAhead = 1;  // the bf16 kernel asks for its weights ahead
constexpr int kStepWayReadAhead = 2;     // the step team reads the next split ahead
constexpr int kStepChoiceRepeats = 4;
constexpr int kStepChoiceRounds = 6;
constexpr int64_t kStepChoiceRecheck = 1000;

class StepChoice {
 public:
  // `ways`: the candidates (at least one; one is chosen at once).
  explicit StepChoice(std::vector<int> ways) { reset(std::move(ways)); }
  // Forgets the rounds and the choice.
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
  // Rounds completed since the timing (re)started.
  int rounds() const;

 private:
  // the index in ways_ of the way run at `position` of the current round
  size_t slot(int position) const;

  mutable std::mutex mutex_;
  std::vector<int> ways_;
  int chosen_ = -1, last_ = -1;
  int64_t steps_since_ = 0;                  // steps since the choice was made
  int rounds_ = 0;                           // rounds completed; also how far the order is turned
  int position_ = 0;                         // steps of the current round recorded
  std::vector<double> times_;                // the current round's, per way
  std::vector<std::vector<double>> ratios_;  // per way, one per completed round
  // the step handed out to be timed, and the last step recorded in the round
  const void* pending_cache_ = nullptr;
  int64_t pending_past_ = -1, pending_rows_ = 0;
  int pending_way_ = -1;
  const void* round_cache_ = nullptr;
  int64_t round_past_ = -1, round_rows_ = 0;
};

}  // namespace glimpse::blip
