#include "step_team.h"

#include <immintrin.h>
#include <omp.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <string>
#include <thread>

namespace glimpse::blip {

namespace detail {

class StepTeam {
 public:
  // The threads in the region (the calling thread is number 0).
  int threads = 1;

  // Runs on every thread but the caller's until the step is over: each post is one split.
  void serve(int id) {
    uint64_t seen = 0;
    for (;;) {
      uint64_t now;
      unsigned spins = 0;
      while ((now = posted_.load(std::memory_order_acquire)) == seen) {
        _mm_pause();
        // a step's serial stretches are microseconds; this only matters if the caller stalls
        if (++spins % 4096 == 0) std::this_thread::yield();
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
      pending_.fetch_sub(1, std::memory_order_acq_rel);
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
    posted_.fetch_add(1, std::memory_order_release);
    std::exception_ptr own;
    try {
      f(begin, std::min(end, begin + chunk_));
    } catch (...) {
      own = std::current_exception();
    }
    // the other threads still read f and what it refers to
    while (pending_.load(std::memory_order_acquire) != 0) _mm_pause();
    if (own) std::rethrow_exception(own);
    if (error_) {
      std::exception_ptr e = error_;
      error_ = nullptr;
      std::rethrow_exception(e);
    }
  }

  void stop() {
    stop_ = true;
    posted_.fetch_add(1, std::memory_order_release);
  }

 private:
  alignas(64) std::atomic<uint64_t> posted_{0};
  alignas(64) std::atomic<int> pending_{0};
  // the split of the latest post, written before it is posted
  const std::function<void(int64_t, int64_t)>* task_ = nullptr;
  int64_t begin_ = 0, end_ = 0, chunk_ = 0;
  bool stop_ = false;
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
}  // namespace

int64_t step_teams_run() {
  return g_runs;
}

void set_step_team_enabled(bool enabled) {
  g_enabled = enabled;
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
  if (error) std::rethrow_exception(error);
}

}  // namespace glimpse::blip
