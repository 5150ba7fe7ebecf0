#include "step_team.h"

#include <immintrin.h>
#include <omp.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <string>

namespace glimpse::blip {

namespace detail {

std::atomic<int64_t> g_sleeps{0};

class StepTeam {
 public:
  // The threads in the region (the calling thread is number 0).
  int threads = 1;

  // Runs on every thread but the caller's until the step is over: each post is one split.
  void serve(int id) {
    uint64_t seen = 0;
    for (;;) {
      // a step's serial stretches are microseconds: spin, and sleep only if the caller stalls
      uint64_t now = seen;
      for (int spins = 0; spins < kSpins && (now = posted_.load(std::memory_order_acquire)) == seen; ++spins)
        _mm_pause();
      if (now == seen) {
        g_sleeps.fetch_add(1, std::memory_order_relaxed);
        std::unique_lock<std::mutex> lock(sleep_mutex_);
        serving_asleep_.fetch_add(1, std::memory_order_seq_cst);
        wake_.wait(lock, [&] { return (now = posted_.load(std::memory_order_seq_cst)) != seen; });
        serving_asleep_.fetch_sub(1, std::memory_order_relaxed);
      }
      seen = now;
      if (stop_) return;
      const int64_t b = begin_ + id * chunk_, e = std::min(end_, b + chunk_);
      if (b < e) {
        try {
          (*task_)(b, e);
        } catch (...) {
          std::lock_guard<std::mutex> lock(error_mutex_);
          if (!error_) error_ = std::current_exception();
        }
      }
      if (pending_.fetch_sub(1, std::memory_order_seq_cst) == 1 && caller_asleep_.load(std::memory_order_seq_cst)) {
        std::lock_guard<std::mutex> lock(sleep_mutex_);
        wake_.notify_all();
      }
    }
  }

  void parallel_for(int64_t begin, int64_t end, int64_t grain, const std::function<void(int64_t, int64_t)>& f) {
    if (begin >= end) return;
    const int64_t range = end - begin;
    // at::parallel_for's split: no more threads than chunks of `grain`, equal chunks in order
    if (threads <= 1 || range <= grain) {
      f(begin, end);
      return;
    }
    const int64_t used =
        std::min<int64_t>(threads, (range + std::max<int64_t>(grain, 1) - 1) / std::max<int64_t>(grain, 1));
    task_ = &f;
    begin_ = begin;
    end_ = end;
    chunk_ = (range + used - 1) / used;
    pending_.store(threads - 1, std::memory_order_relaxed);
    post();
    std::exception_ptr own;
    try {
      f(begin, std::min(end, begin + chunk_));
    } catch (...) {
      own = std::current_exception();
    }
    // The other threads still read f and what it refers to. Spin, then sleep: when another program
    // holds the cores, a thread of the team may be off its core for milliseconds, and spinning
    // here would keep it off (a bf16 beam-3 step took 130 ms instead of 8 beside a compile).
    bool done = false;
    for (int spins = 0; spins < kSpins && !(done = pending_.load(std::memory_order_acquire) == 0); ++spins) _mm_pause();
    if (!done) {
      g_sleeps.fetch_add(1, std::memory_order_relaxed);
      std::unique_lock<std::mutex> lock(sleep_mutex_);
      caller_asleep_.store(true, std::memory_order_seq_cst);
      wake_.wait(lock, [&] { return pending_.load(std::memory_order_seq_cst) == 0; });
      caller_asleep_.store(false, std::memory_order_relaxed);
    }
    if (own) std::rethrow_exception(own);
    if (error_) {
      std::exception_ptr e = error_;
      error_ = nullptr;
      std::rethrow_exception(e);
    }
  }

  void stop() {
    stop_ = true;
    post();
  }

 private:
  // Pauses before a waiting thread sleeps: about 0.3 ms on the development machine (20 ns a
  // pause), longer than nearly every serial stretch of a step and than the threads' difference at
  // the end of a split, so that on an idle machine a step hardly ever sleeps (2,048 pauses made
  // 6-24 sleeps a step there; docs/performance.md).
  static constexpr int kSpins = 16384;

  // Publishes a split (or the stop), waking serving threads that went to sleep.
  void post() {
    posted_.fetch_add(1, std::memory_order_seq_cst);
    if (serving_asleep_.load(std::memory_order_seq_cst) != 0) {
      std::lock_guard<std::mutex> lock(sleep_mutex_);
      wake_.notify_all();
    }
  }

  alignas(64) std::atomic<uint64_t> posted_{0};
  alignas(64) std::atomic<int> pending_{0};
  // the split of the latest post, written before it is posted
  const std::function<void(int64_t, int64_t)>* task_ = nullptr;
  int64_t begin_ = 0, end_ = 0, chunk_ = 0;
  bool stop_ = false;
  // Sleeping after the spin (either side): who sleeps, and the condition they sleep on. A waker
  // checks the flag after its own change (both sequentially consistent), and a sleeper sets it
  // under the mutex before it checks the condition, so no wake-up is lost.
  std::atomic<int> serving_asleep_{0};
  std::atomic<bool> caller_asleep_{false};
  std::mutex sleep_mutex_;
  std::condition_variable wake_;
  std::mutex error_mutex_;
  std::exception_ptr error_;
};

namespace {
thread_local StepTeam* t_team = nullptr;
}

StepTeam* current_step_team() {
  return t_team;
}

void team_parallel_for(StepTeam& team, int64_t begin, int64_t end, int64_t grain,
                       const std::function<void(int64_t, int64_t)>& f) {
  team.parallel_for(begin, end, grain, f);
}

}  // namespace detail

namespace {
// GLIMPSE_STEP_TEAM=0 starts with it off, to compare (docs/performance.md).
std::atomic<bool> g_enabled{[] {
  const char* env = std::getenv("GLIMPSE_STEP_TEAM");
  return !(env && std::string(env) == "0");
}()};

std::atomic<int64_t> g_runs{0};

// A step whose threads slept more than this many times waited for a thread another program had
// pushed off its core; the next steps then run without a team (plain parallel regions, whose
// libgomp threads sleep and wake as the load allows: 44-70 ms a bf16 step beside two busy loops
// on two cores, against 67-73 ms for a team that sleeps and 19-350 ms for one that spins). How
// many: kStepTeamMinBackOff after a lone contended step, twice as many each time the team step
// after a back-off is contended again, up to kStepTeamMaxBackOff. An idle virtual machine has such
// a step now and then (its host takes a core for a millisecond): a fixed 200 there sent a third of
// a run's steps to the plain regions, 10-13 % slower (docs/performance.md).
constexpr int64_t kContendedSleeps = 4;
std::atomic<int64_t> g_plain_left{0};
std::atomic<int64_t> g_back_off{kStepTeamMinBackOff};
}  // namespace

int64_t step_teams_run() {
  return g_runs;
}

int64_t step_team_sleeps() {
  return detail::g_sleeps.load(std::memory_order_relaxed);
}

void set_step_team_enabled(bool enabled) {
  g_enabled = enabled;
  g_plain_left = 0;
  g_back_off = kStepTeamMinBackOff;
}

bool step_team_enabled() {
  return g_enabled;
}

void run_step_team(const std::function<void()>& step) {
  const int threads = at::get_num_threads();
  if (!g_enabled || threads <= 1 || omp_in_parallel() || detail::t_team) {
    step();
    return;
  }
  if (g_plain_left.load(std::memory_order_relaxed) > 0) {
    g_plain_left.fetch_sub(1, std::memory_order_relaxed);
    step();
    return;
  }
  const int64_t sleeps = detail::g_sleeps.load(std::memory_order_relaxed);
  detail::StepTeam team;
  std::exception_ptr error;
  ++g_runs;
#pragma omp parallel num_threads(threads)
  {
    if (omp_get_thread_num() == 0) {
      team.threads = omp_get_num_threads();
      detail::t_team = &team;
      try {
        step();
      } catch (...) {
        error = std::current_exception();
      }
      detail::t_team = nullptr;
      team.stop();
    } else {
      team.serve(omp_get_thread_num());
    }
  }
  if (detail::g_sleeps.load(std::memory_order_relaxed) - sleeps > kContendedSleeps) {
    const int64_t back_off = g_back_off.load(std::memory_order_relaxed);
    g_plain_left = back_off;
    g_back_off = std::min(2 * back_off, kStepTeamMaxBackOff);
  } else {
    g_back_off = kStepTeamMinBackOff;
  }
  if (error) std::rethrow_exception(error);
}

}  // namespace glimpse::blip
