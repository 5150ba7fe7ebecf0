#include "step_team.h"

#include <immintrin.h>
#include <omp.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace glimpse::blip {

namespace detail {

std::atomic<int64_t> g_sleeps{0};
std::atomic<int64_t> g_lines_read_ahead{0};
std::atomic<int64_t> g_splits_shared{0};
// Whether the serving threads read ahead (step_team.h's set_step_team_read_ahead).
std::atomic<bool> g_read_ahead{step_team_read_ahead_fixed() != 0};

// One split of a step as the team saw it: what each thread's part reads (step_team.h's StepReads).
struct SplitReads {
  const char *base = nullptr, *also = nullptr;
  int64_t stride = 0, begin = 0, end = 0, chunk = 0;
};

class StepTeam {
 public:
  // The threads in the region (the calling thread is number 0).
  int threads = 1;
  // The previous step's splits (read by the serving threads) and this step's (written by the
  // caller); the caller swaps them between steps.
  const std::vector<SplitReads>* reads_before = nullptr;
  std::vector<SplitReads>* reads_now = nullptr;

  // Runs on every thread but the caller's until the step is over: each post is one split.
  void serve(int id) {
    uint64_t seen = 0;
    for (;;) {
      // a step's serial stretches are microseconds: spin, and sleep only if the caller stalls
      uint64_t now = seen;
      ReadAhead ahead;
      for (int spins = 0; spins < kSpins && (now = posted_.load(std::memory_order_acquire)) == seen; ++spins)
        if (!read_ahead(ahead, id)) _mm_pause();
      if (ahead.lines) g_lines_read_ahead.fetch_add(ahead.lines, std::memory_order_relaxed);
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
      if (balanced_ || b < e) {
        try {
          if (balanced_)
            run_balanced(id);
          else
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

  void parallel_for(int64_t begin, int64_t end, int64_t grain, const std::function<void(int64_t, int64_t)>& f,
                    StepReads reads, bool balanced) {
    if (begin >= end) return;
    const int64_t range = end - begin;
    // at::parallel_for's split: no more threads than chunks of `grain`, equal chunks in order
    const int64_t used =
        threads <= 1 || range <= grain
            ? 1
            : std::min<int64_t>(threads, (range + std::max<int64_t>(grain, 1) - 1) / std::max<int64_t>(grain, 1));
    const int64_t chunk = (range + used - 1) / used;
    if (reads_now)
      reads_now->push_back({static_cast<const char*>(reads.base), static_cast<const char*>(reads.also), reads.stride,
                            begin, end, chunk});
    started_.fetch_add(1, std::memory_order_relaxed);
    if (used == 1) {
      f(begin, end);
      return;
    }
    g_splits_shared.fetch_add(1, std::memory_order_relaxed);
    task_ = &f;
    begin_ = begin;
    end_ = end;
    chunk_ = chunk;
    // (offsets in 32 bits: a larger range splits as at::parallel_for does)
    balanced_ = balanced && range < (int64_t{1} << 31);
    if (balanced_) {
      if (!parts_) parts_ = std::make_unique<Part[]>(static_cast<size_t>(threads));
      for (int i = 0; i < threads; ++i)
        parts_[i].span.store(i < used ? pack(i * chunk, std::min(range, (i + 1) * chunk)) : 0,
                             std::memory_order_relaxed);
      piece_ = std::max<int64_t>(grain, 1);
      used_ = static_cast<int>(used);
    }
    pending_.store(threads - 1, std::memory_order_relaxed);
    post();
    std::exception_ptr own;
    try {
      if (balanced_)
        run_balanced(0);
      else
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
  // Where a waiting thread is in asking ahead for the next split's memory.
  struct ReadAhead {
    int64_t split = -1;
    int64_t offset = 0;
    int64_t lines = 0;  // asked for during this wait
  };
  // Bytes asked ahead from the start of each part of the next split.
  // (64 KiB to 4 MiB gave about the same steps on the development machine, 256 KiB the best.)
  static constexpr int64_t kReadAheadBytes = 256 << 10;

  // Asks for a few more lines of the next split's reads (as the previous step made them): of
  // thread `id`'s own part, and thread 1 also of the caller's, which is busy; false when there is
  // nothing (more) to ask for. Each thread asks into its own L2, so no more than two parts each.
  bool read_ahead(ReadAhead& a, int id) {
    if (!g_read_ahead.load(std::memory_order_relaxed) || !reads_before) return false;
    const int64_t split = started_.load(std::memory_order_relaxed);
    if (split != a.split) {
      a.split = split;
      a.offset = 0;
    }
    if (split >= static_cast<int64_t>(reads_before->size()) || a.offset >= kReadAheadBytes) return false;
    const SplitReads& r = (*reads_before)[static_cast<size_t>(split)];
    if (!r.base || r.stride <= 0 || r.chunk <= 0) return false;
    int64_t asked = 0;
    for (const int part : {id, id == 1 ? 0 : -1}) {
      const int64_t b = r.begin + part * r.chunk;
      if (part < 0 || b >= r.end) continue;
      const int64_t bytes = (std::min(r.end, b + r.chunk) - b) * r.stride;
      for (const char* base : {r.base, r.also}) {
        if (!base) continue;
        for (int64_t line = 0; line < 4 && a.offset + line * 64 < bytes; ++line) {
          _mm_prefetch(base + b * r.stride + a.offset + line * 64, _MM_HINT_T1);
          ++asked;
        }
      }
    }
    a.offset += 4 * 64;
    a.lines += asked;
    return asked > 0;
  }

  // A balanced split (step_parallel_for's `balanced`): each thread's part of the split, as offsets
  // from begin_ (front in the low 32 bits, back in the high). The owner takes pieces from the front,
  // a thread done with its own from the back of the others'.
  struct alignas(64) Part {
    std::atomic<uint64_t> span{0};
  };
  static uint64_t pack(int64_t front, int64_t back) {
    return static_cast<uint64_t>(back) << 32 | static_cast<uint64_t>(front);
  }
  // A piece of part p: from its front (the owner) or its back; false when the part is done.
  bool take(Part& p, bool front, int64_t& b, int64_t& e) {
    uint64_t span = p.span.load(std::memory_order_relaxed);
    for (;;) {
      const auto f = static_cast<int64_t>(span & 0xFFFFFFFFu), k = static_cast<int64_t>(span >> 32);
      if (f >= k) return false;
      const int64_t nf = front ? std::min(k, f + piece_) : f, nk = front ? k : std::max(f, k - piece_);
      if (p.span.compare_exchange_weak(span, pack(nf, nk), std::memory_order_acq_rel, std::memory_order_relaxed)) {
        b = begin_ + (front ? f : nk);
        e = begin_ + (front ? nf : k);
        return true;
      }
    }
  }
  // Thread `id`'s share of a balanced split: its own part from the front, then what is left of the
  // others' from their backs.
  void run_balanced(int id) {
    int64_t b = 0, e = 0;
    if (id < used_)
      while (take(parts_[id], true, b, e)) (*task_)(b, e);
    for (int i = 1; i < used_ + (id >= used_ ? 1 : 0); ++i) {
      Part& other = parts_[(id + i) % used_];
      while (take(other, false, b, e)) (*task_)(b, e);
    }
  }

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
  // Splits the caller has started this step (read ahead: the next is this one).
  alignas(64) std::atomic<int64_t> started_{0};
  // the split of the latest post, written before it is posted
  const std::function<void(int64_t, int64_t)>* task_ = nullptr;
  int64_t begin_ = 0, end_ = 0, chunk_ = 0;
  bool balanced_ = false;
  int64_t piece_ = 1;
  int used_ = 1;
  std::unique_ptr<Part[]> parts_;
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
                       const std::function<void(int64_t, int64_t)>& f, StepReads reads, bool balanced) {
  team.parallel_for(begin, end, grain, f, reads, balanced);
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

int64_t step_team_splits_shared() {
  return detail::g_splits_shared.load(std::memory_order_relaxed);
}

int64_t step_team_lines_read_ahead() {
  return detail::g_lines_read_ahead.load(std::memory_order_relaxed);
}

int environment_switch(const char* name, int highest) {
  const char* env = std::getenv(name);
  return env && env[0] >= '0' && env[0] <= '0' + highest && env[1] == '\0' ? env[0] - '0' : -1;
}

int step_team_read_ahead_fixed() {
  static const int fixed = environment_switch("GLIMPSE_STEP_READ_AHEAD");
  return fixed;
}

void set_step_team_read_ahead(bool on) {
  detail::g_read_ahead = on;
}

bool step_team_read_ahead() {
  return detail::g_read_ahead;
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

bool run_step_team(const std::function<void()>& step) {
  const int threads = at::get_num_threads();
  if (!g_enabled || threads <= 1 || omp_in_parallel() || detail::t_team) {
    step();
    return true;
  }
  if (g_plain_left.load(std::memory_order_relaxed) > 0) {
    g_plain_left.fetch_sub(1, std::memory_order_relaxed);
    step();
    return false;
  }
  const int64_t sleeps = detail::g_sleeps.load(std::memory_order_relaxed);
  detail::StepTeam team;
  // each calling thread's steps: the previous step's reads and this one's
  thread_local std::vector<detail::SplitReads> reads[2];
  thread_local int reads_now = 0;
  reads[reads_now].clear();
  team.reads_now = &reads[reads_now];
  team.reads_before = &reads[1 - reads_now];
  reads_now = 1 - reads_now;
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
  return true;
}

}  // namespace glimpse::blip
