#pragma once
// One OpenMP team for a whole decoder step. A bf16 step of a base model runs 74 few-row products
// and 12 cross-attentions, each split across the threads; through at::parallel_for each split
// starts a parallel region, about 5 us on the development machine against a product of 30-130 us
// (docs/performance.md). Inside run_step_team the calling thread runs the step as before while the
// team's other threads wait, spinning, for the splits of step_parallel_for: handing one over costs
// a cache line each way instead of a region. A wait that outlasts the spin (another program holds
// the cores) sleeps, and a step that slept several times makes the next steps run without a team.
#include <ATen/Parallel.h>

#include <cstdint>
#include <functional>

namespace glimpse::blip {

// Runs `step` on the calling thread with a team of at::get_num_threads() threads serving
// step_parallel_for until it returns (or throws; the exception reaches the caller). ATen operations
// inside run on the calling thread alone (they see a parallel region), so `step` must leave every
// large product to step_parallel_for. Runs `step` plainly when already inside a parallel region,
// with one thread, when switched off, or for a back-off after a step whose threads slept more than
// four times waiting for each other: kStepTeamMinBackOff steps, doubled while the team step after
// each back-off is contended again, up to kStepTeamMaxBackOff.
// Returns false for a step of a back-off (several times slower than the others), else true.
bool run_step_team(const std::function<void()>& step);
constexpr int64_t kStepTeamMinBackOff = 10;
constexpr int64_t kStepTeamMaxBackOff = 200;

// Whether run_step_team starts a team (default on, off with GLIMPSE_STEP_TEAM=0; tests and
// benchmarks compare both). Either way, ends a back-off after a contended step.
void set_step_team_enabled(bool enabled);
bool step_team_enabled();
// Steps run with a team since the process started (tests check that a path took it).
int64_t step_teams_run();
// Splits a team handed to more than one of its threads since the process started (tests check
// that a kernel's split reached the team).
int64_t step_team_splits_shared();
// Cache lines the serving threads have asked ahead for (StepReads) since the process started.
int64_t step_team_lines_read_ahead();
// Whether a waiting thread of a team reads the next split's memory ahead (StepReads). CPUs differ:
// decoder steps choose it by timing (step_choice.h; on at start, the ways taking turns while they
// choose), unless GLIMPSE_STEP_READ_AHEAD=0|1 fixes it (step_team_read_ahead_fixed: 0 or 1, else
// -1; read once; before, any other value meant on).
void set_step_team_read_ahead(bool on);
bool step_team_read_ahead();
int step_team_read_ahead_fixed();
// The value where the environment variable `name` is one digit from "0" to `highest`, else -1
// (switches that benchmarks fix to compare the ways).
int environment_switch(const char* name, int highest = 1);
// How many times a thread of a step team went to sleep waiting for another (after its spin); the
// benchmarks report it per step: on an idle machine about none.
int64_t step_team_sleeps();

// The memory a split reads, a hint: index i of its range reads the bytes [base + i * stride,
// base + (i + 1) * stride), and the same of `also` where that is set. A team remembers each
// split's reads, and in the next step a thread waiting for that split (while the caller runs the
// ATen calls between products) asks for the start of its own part ahead, thread 1 also for the
// caller's (prefetch only: stale addresses read nothing).
struct StepReads {
  const void* base = nullptr;
  int64_t stride = 0;
  const void* also = nullptr;
};

namespace detail {
// The team the calling thread runs a step for, or null.
class StepTeam;
StepTeam* current_step_team();
void team_parallel_for(StepTeam& team, int64_t begin, int64_t end, int64_t grain,
                       const std::function<void(int64_t, int64_t)>& f, StepReads reads, bool balanced);
}  // namespace detail

// Whether the calling thread runs a step for a team (its step_parallel_for splits go to the
// team's threads, a hand-over of a cache line each way).
inline bool in_step_team() {
  return detail::current_step_team() != nullptr;
}

// at::parallel_for's contract (f gets disjoint [b, e) covering [begin, end), chunks of at least
// `grain` where there is more than one), served by the step's team inside run_step_team.
// `balanced` (in a team): each thread runs its part in pieces of `grain` from its front, and a
// thread done with its own takes pieces from the back of the others' (f then sees several ranges
// on each thread, the last of a part possibly shorter than `grain`): the threads end together
// where one of them reads its part more slowly.
template <typename F>
void step_parallel_for(int64_t begin, int64_t end, int64_t grain, const F& f, StepReads reads = {},
                       bool balanced = false) {
  if (detail::StepTeam* team = detail::current_step_team())
    detail::team_parallel_for(*team, begin, end, grain, f, reads, balanced);
  else
    at::parallel_for(begin, end, grain, f);
}

}  // namespace glimpse::blip
