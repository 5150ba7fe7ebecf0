// The decoder step's team (step_team.h): its splits, errors thrown on any of its threads, nesting,
// and whole captions with and without it, which must agree bit for bit.
#include <ATen/Parallel.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>
#include <utility>

#include "blip.h"
#include "fp32_gemm.h"
#include "golden.h"
#include "kept_files.h"
#include "nn_layers.h"
#include "scratch_file.h"
#include "small_gemm.h"
#include "step_choice.h"
#include "step_team.h"
#include "text_decoder_step.h"

using namespace glimpse::blip;
using glimpse::test::golden_set;
using glimpse::test::golden_set_dirs;
using glimpse::test::pixel_values_for;
using glimpse::test::to_vector;

namespace {

// Two threads for the duration of a test, whatever the machine has.
class TwoThreads : public ::testing::Test {
 protected:
  void SetUp() override {
    saved_ = at::get_num_threads();
    at::set_num_threads(2);
    set_step_team_enabled(true);  // and no back-off left from an earlier test
  }
  void TearDown() override { at::set_num_threads(saved_); }

 private:
  int saved_ = 1;
};

struct Chunks {
  std::mutex m;
  std::set<std::pair<int64_t, int64_t>> ranges;
  std::set<std::thread::id> threads;
  void add(int64_t b, int64_t e) {
    std::lock_guard<std::mutex> lock(m);
    ranges.emplace(b, e);
    threads.insert(std::this_thread::get_id());
  }
};

using StepTeamSplits = TwoThreads;

// A step's self-attention over a short cache hands its heads to the team (outside a team they
// stay on one thread: a parallel region costs more than their work), with the same values and
// caches as outside.
TEST_F(StepTeamSplits, AStepsSelfAttentionHandsItsHeadsToTheTeam) {
  if (!small_self_attention_step_available(64)) GTEST_SKIP() << "no AVX-512F";
  const int64_t rows = 3, heads = 12, d = 64, past = 4, cap = 8;
  const at::Tensor qkv = at::randn({rows, 3 * heads * d});
  const at::Tensor keys = at::randn({rows, heads, cap, d}), values = at::randn({rows, heads, cap, d});
  const float* p = qkv.data_ptr<float>();
  auto attend = [&](at::Tensor& kc, at::Tensor& vc, at::Tensor& out) {
    kc = keys.clone();
    vc = values.clone();
    out = at::empty({rows, 1, heads * d});
    self_attention_step_rows(p, 3 * heads * d, 3 * heads * d, p + heads * d, 3 * heads * d, 3 * heads * d,
                             p + 2 * heads * d, 3 * heads * d, 3 * heads * d, rows, 1, heads, kc.data_ptr<float>(),
                             vc.data_ptr<float>(), cap, past, nullptr, 8.0f, out.data_ptr<float>());
  };
  at::Tensor k_alone, v_alone, out_alone, k_team, v_team, out_team;
  EXPECT_FALSE(in_step_team());
  attend(k_alone, v_alone, out_alone);
  int64_t shared = -1;
  run_step_team([&] {
    EXPECT_TRUE(in_step_team());
    const int64_t before = step_team_splits_shared();
    attend(k_team, v_team, out_team);
    shared = step_team_splits_shared() - before;
  });
  EXPECT_FALSE(in_step_team());
  EXPECT_EQ(shared, 1);
  EXPECT_TRUE(at::equal(out_team, out_alone));
  EXPECT_TRUE(at::equal(k_team, k_alone));
  EXPECT_TRUE(at::equal(v_team, v_alone));
}

// A product whose tiles lie in groups read chunk by chunk (small_gemm.h), split where the threads'
// parts start inside a group (258 tiles over two or three threads) or on one, in a team (balanced
// pieces, some taken from the back of the other's part) or in plain parallel regions: every output
// bit for bit that of one thread.
TEST_F(StepTeamSplits, ProductsOfSeveralChunksEqualOneThreadsWhereverTheyAreSplit) {
  if (!small_gemm_available(at::kBFloat16)) GTEST_SKIP() << "no AVX-512 BF16 on this CPU";
  for (const int64_t k : {1600, 3072})
    for (const int64_t n : {1030, 768})
      for (const int64_t m : {1, 3, 5}) {
        const Bf16Tiles w = bf16_tiles(at::randn({n, k}).to(at::kBFloat16));
        const at::Tensor x = at::randn({m, k}), b = at::randn({n});
        at::set_num_threads(1);
        const at::Tensor alone = small_rows_linear(x, w, b);
        for (const int threads : {3, 2}) {  // (a team of two only: three spin on this machine's two cores)
          at::set_num_threads(threads);
          EXPECT_TRUE(at::equal(small_rows_linear(x, w, b), alone)) << k << " " << n << " " << m << " " << threads;
        }
        set_step_team_enabled(true);  // no back-off left
        at::Tensor in_team;
        EXPECT_TRUE(run_step_team([&] { in_team = small_rows_linear(x, w, b); }));
        EXPECT_TRUE(at::equal(in_team, alone)) << k << " " << n << " " << m << " (team)";
      }
}

// at::parallel_for's rule on two threads: no more threads than chunks of `grain`, equal chunks
// in order, and a range of at most `grain` on the calling thread in one piece.
TEST_F(StepTeamSplits, FollowParallelForOnTwoThreads) {
  using Set = std::set<std::pair<int64_t, int64_t>>;
  const std::tuple<int64_t, int64_t, int64_t, Set> cases[] = {
      {0, 1000, 10, {{0, 500}, {500, 1000}}}, {5, 17, 1, {{5, 11}, {11, 17}}}, {0, 3, 1, {{0, 2}, {2, 3}}},
      {0, 100, 60, {{0, 50}, {50, 100}}},     {0, 100, 100, {{0, 100}}},       {7, 7, 1, {}},
  };
  const int64_t before = step_teams_run();
  for (const auto& [begin, end, grain, want] : cases) {
    Chunks got;
    run_step_team([&, begin = begin, end = end, grain = grain] {
      step_parallel_for(begin, end, grain, [&](int64_t b, int64_t e) { got.add(b, e); });
    });
    EXPECT_EQ(got.ranges, want) << begin << ".." << end << " grain " << grain;
    EXPECT_EQ(got.threads.size(), want.size()) << begin << ".." << end << " grain " << grain;
  }
  EXPECT_EQ(step_teams_run(), before + static_cast<int64_t>(std::size(cases)));
}

// A balanced split covers its range once, in pieces of at most `grain`, each thread from the
// front of its own part; a thread held up in its part leaves the rest of it to the other, which
// takes it from the back. Without `balanced`, the same split stays at::parallel_for's.
TEST_F(StepTeamSplits, ABalancedSplitLetsTheFreeThreadTakeTheHeldUpThreadsPieces) {
  using namespace std::chrono_literals;
  const std::thread::id caller = std::this_thread::get_id();
  for (const bool balanced : {true, false}) {
    bool taken = false;
    // the caller held up in its first piece; on a loaded machine the other thread may be off its
    // core all that time: tried again
    for (int attempt = 0; attempt < 20 && !taken; ++attempt) {
      std::vector<int> hits(1000);
      std::vector<std::thread::id> by(1000);
      std::vector<std::pair<int64_t, int64_t>> ranges;
      std::mutex m;
      run_step_team([&] {
        step_parallel_for(
            0, 1000, 10,
            [&](int64_t b, int64_t e) {
              {
                std::lock_guard<std::mutex> lock(m);
                ranges.emplace_back(b, e);
                for (int64_t i = b; i < e; ++i) {
                  ++hits[static_cast<size_t>(i)];
                  by[static_cast<size_t>(i)] = std::this_thread::get_id();
                }
              }
              // every piece takes a while (the threads then share the held-up part's rest)
              std::this_thread::sleep_for(b == 0 ? 30ms : 1ms);
            },
            StepReads{}, balanced);
      });
      for (size_t i = 0; i < hits.size(); ++i) ASSERT_EQ(hits[i], 1) << i;
      if (!balanced) {
        using Set = std::set<std::pair<int64_t, int64_t>>;
        const Set want{{0, 500}, {500, 1000}};
        EXPECT_EQ(Set(ranges.begin(), ranges.end()), want);
        break;
      }
      for (const auto& [b, e] : ranges) {
        EXPECT_LE(e - b, 10);
        EXPECT_GT(e, b);
      }
      // the caller's first piece is its part's front; what the other thread took of the caller's
      // part is its back: all indices above any the caller ran
      EXPECT_EQ(by[0], caller);
      int64_t caller_last = 0, other_first = 500;
      for (int64_t i = 0; i < 500; ++i) {
        if (by[static_cast<size_t>(i)] == caller)
          caller_last = i;
        else
          other_first = std::min(other_first, i);
      }
      if (other_first < 500) {
        EXPECT_GT(other_first, caller_last);
        taken = true;
      }
    }
    if (balanced) {
      EXPECT_TRUE(taken) << "the free thread never took a piece of the held-up part";
    }
  }
}

// Four threads where the split uses two (range 20, grain 10): the two without a part take pieces
// of the others'; every index once.
TEST_F(StepTeamSplits, ABalancedSplitOnMoreThreadsThanPartsCoversItsRangeOnce) {
  at::set_num_threads(4);
  for (const auto& [end, grain] : {std::pair<int64_t, int64_t>{20, 10}, {1000, 7}, {13, 1}}) {
    std::vector<std::atomic<int>> hits(static_cast<size_t>(end));
    run_step_team([&, end = end, grain = grain] {
      step_parallel_for(
          0, end, grain,
          [&](int64_t b, int64_t e) {
            for (int64_t i = b; i < e; ++i) ++hits[static_cast<size_t>(i)];
          },
          StepReads{}, true);
    });
    for (size_t i = 0; i < hits.size(); ++i) ASSERT_EQ(hits[i].load(), 1) << end << " " << i;
  }
}

double thread_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

// When another program holds the cores, one thread of the team can be off its core for
// milliseconds. The threads waiting for it must sleep, not spin (spinning kept the late thread
// off the core: a beam-3 step took 130 ms instead of 8 beside a compile). Here the other thread's
// part of a split takes 200 ms, then the caller spends 200 ms between two splits: each waiting
// thread's own CPU time in that wait stays far below it.
TEST_F(StepTeamSplits, AThreadHeldUpLetsTheOtherSleep) {
  using namespace std::chrono_literals;
  double caller_cpu = -1, other_cpu = -1, other_done = 0;
  run_step_team([&] {
    const double c0 = thread_cpu_seconds();
    step_parallel_for(0, 2, 1, [&](int64_t b, int64_t) {
      if (b == 1) std::this_thread::sleep_for(200ms);
    });
    caller_cpu = thread_cpu_seconds() - c0;
    step_parallel_for(0, 2, 1, [&](int64_t b, int64_t) {
      if (b == 1) other_done = thread_cpu_seconds();
    });
    std::this_thread::sleep_for(200ms);
    step_parallel_for(0, 2, 1, [&](int64_t b, int64_t) {
      if (b == 1) other_cpu = thread_cpu_seconds() - other_done;
    });
  });
  EXPECT_GE(caller_cpu, 0);
  EXPECT_LT(caller_cpu, 0.05);
  EXPECT_GE(other_cpu, 0);
  EXPECT_LT(other_cpu, 0.05);
}

namespace {

// A step whose other thread is held up 5 ms at each of six splits: both threads sleep.
void contended_step() {
  using namespace std::chrono_literals;
  run_step_team([&] {
    for (int i = 0; i < 6; ++i)
      step_parallel_for(0, 2, 1, [&](int64_t b, int64_t) {
        if (b == 1) std::this_thread::sleep_for(5ms);
      });
  });
}

// Runs `steps` steps of one split each; returns how many of them ran with a team.
int64_t quiet_steps(int64_t steps) {
  const int64_t before = step_teams_run();
  int64_t covered = 0;
  std::mutex m;
  for (int64_t step = 0; step < steps; ++step)
    run_step_team([&] {
      step_parallel_for(0, 64, 1, [&](int64_t b, int64_t e) {
        std::lock_guard<std::mutex> lock(m);
        covered += e - b;
      });
    });
  EXPECT_EQ(covered, steps * 64);
  return step_teams_run() - before;
}

}  // namespace

// A step whose threads slept more than four times makes the next steps run without a team
// (plain parallel regions cope better with a loaded machine); then teams come back.
TEST_F(StepTeamSplits, AContendedStepSendsTheNextStepsToPlainRegions) {
  const int64_t before = step_teams_run(), slept = step_team_sleeps();
  contended_step();
  EXPECT_EQ(step_teams_run(), before + 1);
  EXPECT_GE(step_team_sleeps() - slept, 6);
  // all kStepTeamMinBackOff plainly (through at::parallel_for), then a team again
  EXPECT_EQ(quiet_steps(kStepTeamMinBackOff), 0);
  EXPECT_EQ(quiet_steps(1), 1);
}

TEST_F(StepTeamSplits, AContendedTeamAfterABackOffDoublesTheNextUpToTheMost) {
  int64_t back_off = kStepTeamMinBackOff;
  while (back_off < kStepTeamMaxBackOff) {
    contended_step();  // the team step after the previous back-off, contended again
    EXPECT_EQ(quiet_steps(back_off), 0) << back_off;
    back_off = std::min(2 * back_off, kStepTeamMaxBackOff);
  }
  contended_step();
  EXPECT_EQ(quiet_steps(kStepTeamMaxBackOff), 0);
  EXPECT_EQ(quiet_steps(1), 1);
  // an uncontended team step ends the doubling: the next contended step backs off the least again
  contended_step();
  EXPECT_EQ(quiet_steps(kStepTeamMinBackOff), 0);
  EXPECT_EQ(quiet_steps(1), 1);
}

TEST_F(StepTeamSplits, ManySplitsInOneStepEachCoverTheirRangeOnce) {
  std::vector<int> hits(4096);
  std::set<std::thread::id> threads;
  std::mutex m;
  run_step_team([&] {
    for (int round = 0; round < 200; ++round)
      step_parallel_for(0, 4096, 16, [&](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; ++i) ++hits[static_cast<size_t>(i)];
        std::lock_guard<std::mutex> lock(m);
        threads.insert(std::this_thread::get_id());
      });
  });
  for (size_t i = 0; i < hits.size(); ++i) ASSERT_EQ(hits[i], 200) << i;
  EXPECT_EQ(threads.size(), 2u);
  EXPECT_TRUE(threads.count(std::this_thread::get_id()));
}

// A split's StepReads: in the next step the waiting thread asks for its memory ahead while the
// caller is busy between splits; memory freed since (a model unloaded between captions) is asked
// for harmlessly, and the splits still cover their ranges.
// (Switched on here whatever timed steps chose; switched off, no line is asked for.)
TEST_F(StepTeamSplits, ReadAheadAsksForTheLastStepsMemoryEvenWhenItIsGone) {
  // (restored however the test ends)
  const struct Restore {
    bool was = step_team_read_ahead();
    ~Restore() { set_step_team_read_ahead(was); }
  } restore;
  set_step_team_read_ahead(true);
  const size_t bytes = 1 << 20;
  void* region = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(region, MAP_FAILED);
  std::vector<int> hits(1024);
  int steps = 0;
  // one step of three splits with a team (no back-off left from a contended one)
  auto step = [&] {
    set_step_team_enabled(true);
    const int64_t teams = step_teams_run();
    run_step_team([&] {
      for (int split = 0; split < 3; ++split) {
        // the caller's serial stretch before each split: time for the other thread to ask ahead
        const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(30);
        while (std::chrono::steady_clock::now() < until) {
        }
        step_parallel_for(
            0, 1024, 16,
            [&](int64_t b, int64_t e) {
              for (int64_t i = b; i < e; ++i) ++hits[static_cast<size_t>(i)];
            },
            StepReads{region, static_cast<int64_t>(bytes / 1024), nullptr});
      }
    });
    ++steps;
    EXPECT_EQ(step_teams_run(), teams + 1);
  };
  // Whether a step asked for lines ahead. On a loaded machine (the suite runs two tests at once)
  // the waiting thread can be off its core or asleep through every stretch of a step: tried again.
  auto a_step_reads_ahead = [&] {
    for (int attempt = 0; attempt < 100; ++attempt) {
      const int64_t before = step_team_lines_read_ahead();
      step();
      if (step_team_lines_read_ahead() > before) return true;
    }
    return false;
  };
  step();  // recorded
  EXPECT_TRUE(a_step_reads_ahead());
  set_step_team_read_ahead(false);
  const int64_t before = step_team_lines_read_ahead();
  for (int i = 0; i < 5; ++i) step();
  EXPECT_EQ(step_team_lines_read_ahead(), before);
  set_step_team_read_ahead(true);
  ASSERT_EQ(munmap(region, bytes), 0);
  EXPECT_TRUE(a_step_reads_ahead());  // at addresses no longer mapped
  for (size_t i = 0; i < hits.size(); ++i) ASSERT_EQ(hits[i], 3 * steps) << i;
}

TEST_F(StepTeamSplits, ErrorsOnEitherThreadReachTheCallerAndTheTeamEnds) {
  for (const bool balanced : {false, true})
    for (const int64_t bad : {0, 999}) {  // the calling thread's chunk, the other thread's
      try {
        run_step_team([&] {
          step_parallel_for(
              0, 1000, 10,
              [&](int64_t b, int64_t e) {
                if (b <= bad && bad < e) throw std::runtime_error("chunk at " + std::to_string(bad));
              },
              StepReads{}, balanced);
          ADD_FAILURE() << "the split did not throw";
        });
        ADD_FAILURE() << "run_step_team did not throw";
      } catch (const std::runtime_error& e) {
        EXPECT_EQ(std::string(e.what()), "chunk at " + std::to_string(bad)) << balanced;
      }
    }
  EXPECT_THROW(run_step_team([] { throw std::invalid_argument("step"); }), std::invalid_argument);
  // and the next step has a working team
  Chunks got;
  run_step_team([&] { step_parallel_for(0, 64, 1, [&](int64_t b, int64_t e) { got.add(b, e); }); });
  EXPECT_EQ(got.threads.size(), 2u);
}

TEST_F(StepTeamSplits, NestedStepsRunPlainlyWithoutDeadlock) {
  const int64_t before = step_teams_run();
  Chunks outer, inner;
  run_step_team([&] {
    // inside a step: the same team serves it
    run_step_team([&] { step_parallel_for(0, 100, 1, [&](int64_t b, int64_t e) { outer.add(b, e); }); });
    // on the team's other thread (inside the parallel region): plain, on that thread
    step_parallel_for(0, 2, 1, [&](int64_t b, int64_t) {
      if (b == 1) run_step_team([&] { step_parallel_for(0, 100, 1, [&](int64_t x, int64_t y) { inner.add(x, y); }); });
    });
  });
  EXPECT_EQ(step_teams_run(), before + 1);
  EXPECT_EQ(outer.threads.size(), 2u);
  ASSERT_EQ(inner.threads.size(), 1u);
  EXPECT_NE(*inner.threads.begin(), std::this_thread::get_id());
  EXPECT_EQ(inner.ranges, (std::set<std::pair<int64_t, int64_t>>{{0, 100}}));
}

TEST_F(StepTeamSplits, SwitchedOffItRunsTheStepPlainly) {
  set_step_team_enabled(false);
  const int64_t before = step_teams_run();
  bool ran = false;
  run_step_team([&] { ran = true; });
  set_step_team_enabled(true);
  EXPECT_TRUE(ran);
  EXPECT_EQ(step_teams_run(), before);
}

// Whole captions (greedy and beam 3, float32 and bf16 where this CPU runs it): every step's raw
// logits, the tokens and the beam scores are the same bits with and without the team, and the
// steps after the first did run with one.
class StepTeamCaptions : public ::testing::TestWithParam<std::filesystem::path> {};

TEST_P(StepTeamCaptions, AgreeBitForBitWithPlainSteps) {
  const auto& set = golden_set(GetParam());
  if (!set.expected.at("models").contains("main")) GTEST_SKIP() << "no main model";
  const int saved = at::get_num_threads();
  at::set_num_threads(2);
  std::vector<PixelValues> images;
  for (const auto& img : set.expected.at("image_preprocessing").at("images"))
    if (img.contains("pixel_values") && images.size() < 2)
      images.push_back(to_vector(pixel_values_for(set, "main", img.at("name"))));
  ASSERT_FALSE(images.empty());
  struct Run {
    std::vector<std::vector<float>> logits;
    std::vector<std::vector<GeneratedText>> out;
  };
  int compared = 0;
  for (const Precision p : {Precision::Float32, Precision::BFloat16}) {
    if (!precision_problem(p).empty()) continue;
    LoadOptions o;
    o.precision = p;
    auto model = BlipModel::load(set.dir, o);
    for (const int beams : {1, 3}) {
      GenerationConfig c;
      c.num_beams = beams;
      c.max_new_tokens = 8;
      c.min_length = 9;
      auto caption = [&](bool team) {
        Run r;
        const StepCallback on_step = [&](const StepScores& s) {
          r.logits.emplace_back(s.raw_logits, s.raw_logits + s.rows * s.vocab);
        };
        RunControl control;
        control.on_step = &on_step;
        set_step_team_enabled(team);
        r.out = model->caption(image_inputs(images), {}, c, control);
        set_step_team_enabled(true);
        return r;
      };
      const int64_t before = step_teams_run(), slept = step_team_sleeps();
      const Run with = caption(true);
      const int64_t teams = step_teams_run() - before;
      const int64_t plain = step_teams_run();
      const Run without = caption(false);
      const std::string what = std::string(precision_name(p)) + " beams " + std::to_string(beams);
      // every step after the first took a team, unless a loaded machine made one sleep enough to
      // send the rest to plain regions (run_step_team's back-off)
      if (step_team_sleeps() - slept <= 4)
        EXPECT_GE(teams, static_cast<int64_t>(with.logits.size()) - 1) << what;
      else
        EXPECT_GE(teams, 1) << what;
      EXPECT_EQ(step_teams_run(), plain) << what;
      ASSERT_EQ(with.logits.size(), without.logits.size()) << what;
      for (size_t s = 0; s < with.logits.size(); ++s)
        ASSERT_EQ(with.logits[s], without.logits[s]) << what << " step " << s;
      ASSERT_EQ(with.out.size(), without.out.size());
      for (size_t i = 0; i < with.out.size(); ++i) {
        ASSERT_EQ(with.out[i].size(), without.out[i].size());
        for (size_t j = 0; j < with.out[i].size(); ++j) {
          EXPECT_EQ(with.out[i][j].token_ids, without.out[i][j].token_ids) << what;
          EXPECT_EQ(with.out[i][j].score, without.out[i][j].score) << what;
        }
      }
      ++compared;
    }
  }
  at::set_num_threads(saved);
  EXPECT_GE(compared, 2);
}

INSTANTIATE_TEST_SUITE_P(Sets, StepTeamCaptions, ::testing::ValuesIn(golden_set_dirs()), glimpse::test::SetName());

}  // namespace

// StepChoice (step_choice.h) with the times given: which way it hands out, which it chooses.
namespace {
// Runs a caption's steps (`cache`) from position `past`, each taking time(way, position) seconds;
// returns the ways handed out, in order.
template <typename Time>
std::vector<int> run_steps(StepChoice& choice, const void* cache, int64_t& past, int steps, Time time,
                           int64_t rows = 1) {
  std::vector<int> ways;
  for (int i = 0; i < steps; ++i, ++past) {
    const StepChoice::Turn turn = choice.next(cache, past, rows);
    ways.push_back(turn.way);
    if (turn.timed) choice.record(cache, past, rows, turn.way, time(turn.way, past));
  }
  return ways;
}

// Captions of `steps` steps each, one after another (each with its own cache), until a way is
// chosen (at once: the rest of that caption does not run) or `most` captions ran; returns how many
// captions started.
template <typename Time>
int captions_until_chosen(StepChoice& choice, int steps, int most, Time time) {
  std::vector<int> caches(static_cast<size_t>(most));
  for (int c = 0; c < most; ++c) {
    int64_t past = 1;
    for (int i = 0; i < steps; ++i) {
      run_steps(choice, &caches[static_cast<size_t>(c)], past, 1, [&](int way, int64_t p) { return time(c, way, p); });
      if (!choice.timing()) return c + 1;
    }
  }
  return most;
}

// Steps of one caption, each handed out untimed with `way`, until a turn is timed (the turns
// again); returns how many (at most twice kStepChoiceRecheckMost).
int64_t steps_held(StepChoice& choice, int way) {
  int cache = 0;
  int64_t untimed = 0;
  for (int64_t past = 1; untimed < 2 * kStepChoiceRecheckMost; ++untimed, ++past) {
    const StepChoice::Turn t = choice.next(&cache, past, 1);
    if (t.timed) break;
    if (t.way != way) {
      ADD_FAILURE() << "step " << untimed << " ran way " << t.way << ", not " << way;
      break;
    }
  }
  return untimed;
}
}  // namespace

// Caption c runs way c mod n first, then goes on in strides of 1 + (c / n) mod (n - 1): over
// 3n captions every way meets every other. Four ways (the module path's two and the fused path's
// before the thirty-third round) and six (the fused path's: the kernel's three levels of asking
// ahead, the team's read-ahead on or off).
TEST(StepChoiceTiming, CaptionsPairDifferentWaysAndEveryWayMeetsEveryOther) {
  for (const std::vector<int>& ways : {std::vector<int>{3, 1, 2, 0}, std::vector<int>{7, 3, 2, 5, 1, 0}}) {
    const auto n = static_cast<int>(ways.size());
    StepChoice choice(ways);
    std::vector<int> caches(static_cast<size_t>(3 * n));
    std::set<std::pair<int, int>> met;
    for (int c = 0; c < 3 * n; ++c) {
      int64_t past = 1;
      const std::vector<int> got = run_steps(choice, &caches[static_cast<size_t>(c)], past, 2 * kStepChoiceRunSteps,
                                             [](int, int64_t) { return 1.0; });
      const int first = c % n, second = (first + 1 + c / n % (n - 1)) % n;
      std::vector<int> want(kStepChoiceRunSteps, ways[static_cast<size_t>(first)]);
      want.insert(want.end(), kStepChoiceRunSteps, ways[static_cast<size_t>(second)]);
      EXPECT_EQ(got, want) << n << " ways, caption " << c;
      met.emplace(std::min(got.front(), got.back()), std::max(got.front(), got.back()));
      EXPECT_EQ(choice.chosen(), -1) << n << " ways, caption " << c;
    }
    EXPECT_EQ(met.size(), static_cast<size_t>(n * (n - 1) / 2)) << n << " ways";  // every pair
    // the last caption's ratios come when the next caption's first step ends its part
    EXPECT_EQ(choice.fewest_ratios(), kStepChoiceRuns - 1) << n << " ways";
    int next = 0;
    choice.next(&next, 1, 1);
    EXPECT_EQ(choice.fewest_ratios(), kStepChoiceRuns) << n << " ways";
    EXPECT_GE(choice.chosen(), 0) << n << " ways";
  }
}

TEST(StepChoiceTiming, TheFastestWayIsChosenFromShortCaptionsOnDriftingMemory) {
  // captions of 7 steps (two runs counted, the third a lone first step); way `fast` a tenth faster;
  // each caption's memory up to 30 % faster or slower; each step a little slower than the last
  auto drifting = [](int fast) {
    return [fast](int caption, int way, int64_t p) {
      const double memory = 1.0 + 0.3 * std::sin(static_cast<double>(caption) * 2.1);
      return memory * (way == fast ? 0.9 : 1.0) * (1.0 + 0.002 * static_cast<double>(p));
    };
  };
  StepChoice choice({3, 1, 2, 0});
  // decided at the first step after twelve captions (each way six ratios)
  EXPECT_EQ(captions_until_chosen(choice, 7, 40, drifting(2)), 13);
  EXPECT_EQ(choice.chosen(), 2);
  int a = 0;
  int64_t past = 1;
  const StepChoice::Turn after = choice.next(&a, past, 1);
  EXPECT_EQ(after.way, 2);
  EXPECT_FALSE(after.timed);
  // six ways (the fused path's), way 1 (asking ahead into L1 only) the fast one: after eighteen
  StepChoice six({7, 3, 2, 5, 1, 0});
  EXPECT_EQ(captions_until_chosen(six, 7, 60, drifting(1)), 19);
  EXPECT_EQ(six.chosen(), 1);
}

// The first step of each run is not counted: it may still carry the way before (a way that slows
// the step after it must not make the next way look slow).
TEST(StepChoiceTiming, TheFirstStepOfEachRunIsNotCounted) {
  StepChoice choice({0, 1});
  // way 1 slightly faster, but way 0's steps make the next step (the first of way 1's run) slow
  int last = -1;
  auto time = [&](int, int way, int64_t) {
    const double t = (way == 1 ? 0.95 : 1.0) * (last == 0 && way == 1 ? 5.0 : 1.0);
    last = way;
    return t;
  };
  captions_until_chosen(choice, 2 * kStepChoiceRunSteps, 40, time);
  EXPECT_EQ(choice.chosen(), 1);
}

// A caption too short to run two ways gives nothing, nor do captions whose steps interleave, nor a
// caption broken by a step that was not recorded (it threw, or ran in the team's back-off).
TEST(StepChoiceTiming, CaptionsThatRanOneWayGiveNothing) {
  StepChoice choice({0, 1});
  auto time = [](int, int way, int64_t) { return way == 1 ? 1.0 : 2.0; };
  EXPECT_EQ(captions_until_chosen(choice, kStepChoiceRunSteps + 1, 50, time), 50);
  EXPECT_EQ(choice.fewest_ratios(), 0);
  int a = 0, b = 0;
  int64_t pa = 1, pb = 1;
  for (int i = 0; i < 50; ++i) {
    run_steps(choice, &a, pa, 1, [](int way, int64_t) { return way == 1 ? 1.0 : 2.0; });
    run_steps(choice, &b, pb, 1, [](int way, int64_t) { return way == 1 ? 1.0 : 2.0; });
  }
  EXPECT_EQ(choice.fewest_ratios(), 0);
  int c = 0;
  int64_t pc = 1;
  for (int i = 0; i < 20; ++i) {
    run_steps(choice, &c, pc, kStepChoiceRunSteps, [](int way, int64_t) { return way == 1 ? 1.0 : 2.0; });
    choice.next(&c, pc++, 1);  // handed out, never recorded
  }
  EXPECT_EQ(choice.fewest_ratios(), 0);
  EXPECT_EQ(choice.chosen(), -1);
  // the same caption with another row count: its steps end the part too
  int d = 0;
  int64_t pd = 1;
  for (int i = 0; i < 20; ++i) {
    run_steps(choice, &d, pd, kStepChoiceRunSteps, [](int way, int64_t) { return way == 1 ? 1.0 : 2.0; });
    run_steps(
        choice, &d, pd, kStepChoiceRunSteps, [](int way, int64_t) { return way == 1 ? 1.0 : 2.0; }, 3);
  }
  EXPECT_EQ(choice.fewest_ratios(), 0);
}

TEST(StepChoiceTiming, OneSlowCaptionDoesNotOverturnTheMedian) {
  StepChoice choice({0, 1});
  // way 1 is faster except in the second caption (a neighbour's burst), where it is three times slower
  auto time = [](int caption, int way, int64_t) {
    if (way == 1) return caption == 1 ? 3.0 : 0.8;
    return 1.0;
  };
  captions_until_chosen(choice, 2 * kStepChoiceRunSteps, 40, time);
  EXPECT_EQ(choice.chosen(), 1);
}

TEST(StepChoiceTiming, TheChoiceIsTimedAgainAfterTheRecheckAndKeptVisibleMeanwhile) {
  StepChoice choice({0, 2});
  bool fast_first = true;
  auto time = [&](int, int way, int64_t) { return (way == 0) == fast_first ? 1.0 : 1.5; };
  captions_until_chosen(choice, 2 * kStepChoiceRunSteps, 40, time);
  ASSERT_EQ(choice.chosen(), 0);
  // the memory changes: way 2 is faster now. The steps after the choice run it, untimed.
  fast_first = false;
  EXPECT_EQ(steps_held(choice, 0), kStepChoiceRecheck - 1);
  EXPECT_TRUE(choice.timing());
  EXPECT_EQ(choice.chosen(), 0);  // the last choice, while the ways take turns again
  EXPECT_LE(captions_until_chosen(choice, 2 * kStepChoiceRunSteps, 40, time), 2 * kStepChoiceRuns + 1);
  EXPECT_EQ(choice.chosen(), 2);
}

// A recheck that finds the way chosen before about as fast as the best (within kStepChoiceKeep)
// keeps it and holds it twice as long, up to kStepChoiceRecheckMost; one that finds another way
// faster by more chooses that and holds it kStepChoiceRecheck steps again.
TEST(StepChoiceTiming, ARecheckThatKeepsTheWayHoldsItLonger) {
  StepChoice choice({0, 2});
  double way2 = 1.5;  // way 0 takes 1.0
  auto time = [&](int, int way, int64_t) { return way == 2 ? way2 : 1.0; };
  captions_until_chosen(choice, 2 * kStepChoiceRunSteps, 40, time);
  ASSERT_EQ(choice.chosen(), 0);
  EXPECT_EQ(choice.recheck_steps(), kStepChoiceRecheck);
  EXPECT_EQ(steps_held(choice, choice.chosen()), kStepChoiceRecheck - 1);
  // way 2 now 1 % faster: a near tie, way 0 kept, held twice as long each time, up to the most
  way2 = 0.99;
  for (const int64_t want : {2, 4, 8, 8}) {
    captions_until_chosen(choice, 2 * kStepChoiceRunSteps, 40, time);
    EXPECT_EQ(choice.chosen(), 0);
    EXPECT_EQ(choice.recheck_steps(), want * kStepChoiceRecheck);
    EXPECT_EQ(steps_held(choice, 0), want * kStepChoiceRecheck - 1);
  }
  EXPECT_EQ(kStepChoiceRecheckMost, 8 * kStepChoiceRecheck);
  // way 2 faster by more than kStepChoiceKeep: chosen, and held kStepChoiceRecheck steps again
  way2 = 0.95;
  captions_until_chosen(choice, 2 * kStepChoiceRunSteps, 40, time);
  EXPECT_EQ(choice.chosen(), 2);
  EXPECT_EQ(choice.recheck_steps(), kStepChoiceRecheck);
  EXPECT_EQ(steps_held(choice, choice.chosen()), kStepChoiceRecheck - 1);
  // a reset forgets the longer holds
  choice.reset({0, 2});
  captions_until_chosen(choice, 2 * kStepChoiceRunSteps, 40, time);
  EXPECT_EQ(choice.recheck_steps(), kStepChoiceRecheck);
}

// A seed (a way an earlier process chose) is the choice at once, held kStepChoiceRecheck steps
// like any other, then timed again; a way that is not a candidate is refused.
TEST(StepChoiceTiming, ASeededWayIsChosenAtOnceAndTimedAgainAtTheRecheck) {
  StepChoice choice({7, 3, 2, 5, 1, 0});
  EXPECT_FALSE(choice.seed(4));
  EXPECT_FALSE(choice.seed(-1));
  EXPECT_EQ(choice.chosen(), -1);
  ASSERT_TRUE(choice.seed(3));
  EXPECT_EQ(choice.chosen(), 3);
  EXPECT_FALSE(choice.timing());
  EXPECT_EQ(choice.decisions(), 0);
  EXPECT_EQ(steps_held(choice, 3), kStepChoiceRecheck - 1);
  EXPECT_TRUE(choice.timing());
  // the turns then choose by timing, as after any choice
  EXPECT_EQ(captions_until_chosen(choice, 7, 60, [](int, int way, int64_t) { return way == 1 ? 0.8 : 1.0; }), 19);
  EXPECT_EQ(choice.chosen(), 1);
  EXPECT_EQ(choice.decisions(), 1);
  // one candidate: chosen already, nothing to seed
  StepChoice one({3});
  EXPECT_FALSE(one.seed(3));
}

TEST(StepChoiceTiming, OneWayIsChosenAtOnceAndNoneIsRefused) {
  StepChoice choice({3});
  EXPECT_EQ(choice.chosen(), 3);
  int a = 0;
  for (int64_t p = 1; p < 3000; ++p) {
    const StepChoice::Turn t = choice.next(&a, p, 1);
    ASSERT_EQ(t.way, 3);
    ASSERT_FALSE(t.timed);
  }
  EXPECT_THROW(StepChoice({}), std::invalid_argument);
}

// run_chosen_step (text_decoder_step.h), which steps run through: each step runs with its turn's
// switches set (the bf16 kernel's level of asking ahead, the team's read-ahead), the steps that ran
// as usual are timed, and the way whose steps were fastest is chosen and then set for the steps
// after it. Steps of the team's back-off (the step returns false) are not timed, nor is one that
// throws (its exception reaches the caller): their turns are not recorded, so no caption of them
// ends and each starts again with the way the first caption starts with; the choice counts its
// captions from the first usual one. One row and several choose apart.
TEST(StepChoiceTiming, RunChosenStepSetsEachTurnsSwitchesAndTimesTheUsualSteps) {
  // (steps are not recorded while step weights move onto huge pages: none here, or they are done)
  for (int i = 0; i < 2000 && huge_page_moves().running > 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_EQ(huge_page_moves().running, 0);
  reset_text_decoder_step_choices(-1, -1);
  constexpr int kFast = kStepWayWeightsAhead | kStepWayReadAhead;  // way 3: asking ahead into L1, reading ahead
  std::set<int> seen;
  std::vector<int> caches(200);
  size_t next_cache = 0;
  // captions of seven one-row steps until the fused path's steps choose, at most `most`
  auto captions = [&](int most, bool usual) {
    int c = 0;
    for (; c < most && text_decoder_step_way(true, 1) < 0; ++c) {
      const void* cache = &caches.at(next_cache++);
      for (int64_t past = 1; past <= 7; ++past)
        run_chosen_step(true, cache, past, 1, [&] {
          const int way = step_way(bf16_weights_ahead(), step_team_read_ahead());
          seen.insert(way);
          std::this_thread::sleep_for(std::chrono::microseconds(way == kFast ? 1000 : 3000));
          return usual;
        });
    }
    return c;
  };
  EXPECT_EQ(captions(25, false), 25);
  EXPECT_EQ(text_decoder_step_way(true, 1), -1);
  // a step not recorded ends its caption's part, and the next starts again: the first way, unrecorded
  EXPECT_EQ(seen, std::set<int>{7});
  int thrown = 0;
  EXPECT_THROW(run_chosen_step(true, &thrown, 1, 1, []() -> bool { throw std::runtime_error("step"); }),
               std::runtime_error);
  seen.clear();
  const int ran = captions(60, true);
  EXPECT_EQ(ran, 19);  // six ways, six ratios each: eighteen captions, the choice at the next one's first step
  EXPECT_EQ(seen, (std::set<int>{0, 1, 2, 3, 5, 7}));
  EXPECT_EQ(text_decoder_step_way(true, 1), kFast);
  EXPECT_EQ(text_decoder_step_way(true, 3), -1);
  // the steps after the choice run its switches
  int after = 0;
  run_chosen_step(true, &after, 1, 1, [&] {
    EXPECT_EQ(bf16_weights_ahead(), kWeightsAheadL1);
    EXPECT_TRUE(step_team_read_ahead());
    return true;
  });
  reset_text_decoder_step_choices();
}

// The ways kept between processes (step_choice.h's StepWays, in decoder-steps.json beside the
// float32 product measurement).
namespace {
class StepWaysFile : public glimpse::test::ScratchFileTest {
 protected:
  void SetUp() override { make_scratch("glimpse-step-ways", kStepWaysFileName); }
  // ways chosen at `now_` (none where -1)
  StepWays ways(int module1, int module3, int fused1, int fused3) const {
    StepWays w;
    const int chosen[2][2] = {{module1, module3}, {fused1, fused3}};
    for (int fused = 0; fused < 2; ++fused)
      for (int several = 0; several < 2; ++several) {
        w.way[fused][several] = chosen[fused][several];
        w.saved[fused][several] = chosen[fused][several] >= 0 ? unix_seconds(now_) : 0;
      }
    return w;
  }
  static void expect_ways(const std::optional<StepWays>& got, const StepWays& want) {
    ASSERT_TRUE(got.has_value());
    for (int fused = 0; fused < 2; ++fused)
      for (int several = 0; several < 2; ++several) {
        EXPECT_EQ(got->way[fused][several], want.way[fused][several]) << fused << " " << several;
        EXPECT_EQ(got->saved[fused][several], want.saved[fused][several]) << fused << " " << several;
      }
  }

  const std::chrono::system_clock::time_point now_ = std::chrono::system_clock::now();
};
}  // namespace

TEST_F(StepWaysFile, WaysComeBackForTheirKeyWhileFresh) {
  const StepWays a = ways(2, -1, 0, 3);
  ASSERT_TRUE(write_step_ways(file_, "cpu A", a));
  expect_ways(read_step_ways(file_, "cpu A", now_ + std::chrono::hours(24)), a);
  EXPECT_FALSE(read_step_ways(file_, "cpu B", now_).has_value());
  EXPECT_FALSE(read_step_ways(dir_ / "absent.json", "cpu A", now_).has_value());
  // stale, or a clock set far back: the entry, its ways none
  const StepWays none = ways(-1, -1, -1, -1);
  expect_ways(read_step_ways(file_, "cpu A", now_ + std::chrono::hours(24 * (kStepWaysDays + 1))), none);
  expect_ways(read_step_ways(file_, "cpu A", now_ - std::chrono::hours(48)), none);
  // each place by its own time: one chosen 40 days ago is none, the others hold
  StepWays older = a;
  older.saved[1][1] -= 40 * 86400;
  ASSERT_TRUE(write_step_ways(file_, "cpu A", older));
  expect_ways(read_step_ways(file_, "cpu A", now_), ways(2, -1, 0, -1));
  // another key beside it; the same key replaced, not added
  const StepWays b = ways(0, 0, 1, 1);
  ASSERT_TRUE(write_step_ways(file_, "cpu A", a));
  ASSERT_TRUE(write_step_ways(file_, "cpu B", b));
  expect_ways(read_step_ways(file_, "cpu A", now_), a);
  expect_ways(read_step_ways(file_, "cpu B", now_), b);
  ASSERT_TRUE(write_step_ways(file_, "cpu A", b));
  expect_ways(read_step_ways(file_, "cpu A", now_), b);
  EXPECT_EQ(nlohmann::json::parse(read_text())["entries"].size(), 2u);
  // the last eight keys
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(write_step_ways(file_, "key " + std::to_string(i), a));
  for (int i = 0; i < 10; ++i)
    EXPECT_EQ(read_step_ways(file_, "key " + std::to_string(i), now_).has_value(), i >= 2) << i;
  // a folder that cannot be made (a file is in its place): false, nothing thrown, nothing written
  write_text("not a folder");
  EXPECT_FALSE(write_step_ways(file_ / "decoder-steps.json", "cpu A", a));
  EXPECT_EQ(read_text(), "not a folder");
}

TEST_F(StepWaysFile, AnythingElseCountsAsNoEntryOrNoWay) {
  using Json = nlohmann::json;
  const StepWays a = ways(2, 0, 1, 3);
  ASSERT_TRUE(write_step_ways(file_, "cpu A", a));
  const std::string good = read_text();
  for (size_t n = 0; n + 1 < good.size(); n += 5) {  // every truncation but the newline's
    write_text(good.substr(0, n));
    EXPECT_FALSE(read_step_ways(file_, "cpu A", now_).has_value()) << n;
  }
  write_text(std::string("\0\xff{[", 4));
  EXPECT_FALSE(read_step_ways(file_, "cpu A", now_).has_value());
  // the file's shape wrong: no entry
  const Json doc = Json::parse(good);
  const std::vector<std::function<void(Json&)>> no_entry = {
      [](Json& d) { d["version"] = 2; },
      [](Json& d) { d["version"] = "1"; },
      [](Json& d) { d["entries"] = Json::object(); },
      [](Json& d) { d["entries"][0]["key"] = 7; },
  };
  for (const auto& edit : no_entry) {
    Json d = doc;
    edit(d);
    write_text(d.dump());
    EXPECT_FALSE(read_step_ways(file_, "cpu A", now_).has_value()) << d.dump();
  }
  // a way out of 0-7 or not an integer, a time that is not an integer, a path's pair not a pair:
  // none at that place
  const StepWays none = ways(-1, -1, -1, -1);
  const std::vector<std::pair<std::function<void(Json&)>, StepWays>> no_way = {
      {[](Json& e) { e["ways"]["fused"][1] = 8; }, ways(2, 0, 1, -1)},
      {[](Json& e) { e["ways"]["fused"][0] = -1; }, ways(2, 0, -1, 3)},
      {[](Json& e) { e["ways"]["module"][0] = "2"; }, ways(-1, 0, 1, 3)},
      {[](Json& e) { e["ways"]["module"][1] = 0.5; }, ways(2, -1, 1, 3)},
      {[](Json& e) { e["ways"]["module"] = Json::array({2}); }, ways(-1, -1, 1, 3)},
      {[](Json& e) { e["ways"].erase("fused"); }, ways(2, 0, -1, -1)},
      {[](Json& e) { e["ways"]["fused"][1] = 1e30; }, ways(2, 0, 1, -1)},
      {[](Json& e) { e["saved"]["fused"][1] = "today"; }, ways(2, 0, 1, -1)},
      {[](Json& e) { e["saved"]["module"][0] = 1.5; }, ways(-1, 0, 1, 3)},
      {[](Json& e) { e["saved"]["module"][1] = 18446744073709551615ull; }, ways(2, -1, 1, 3)},
      {[](Json& e) { e["saved"].erase("module"); }, ways(-1, -1, 1, 3)},
      {[](Json& e) { e["saved"] = 0; }, none},
      {[](Json& e) { e.erase("saved"); }, none},
      {[](Json& e) {
         e["ways"] = Json::array({1, 2});
       },
       none},
      {[](Json& e) { e.erase("ways"); }, none},
  };
  for (const auto& [edit, want] : no_way) {
    Json d = doc;
    edit(d["entries"][0]);
    write_text(d.dump());
    expect_ways(read_step_ways(file_, "cpu A", now_), want);
  }
  // a broken file is replaced by the next choice
  write_text("{");
  ASSERT_TRUE(write_step_ways(file_, "cpu A", a));
  expect_ways(read_step_ways(file_, "cpu A", now_), a);
}

// run_chosen_step's choices start from the ways kept beside the measurement file for this machine
// (unless a switch is fixed), and a choice made by timing is written back, the others kept.
TEST_F(StepWaysFile, StepsStartFromTheKeptWaysAndKeepTheirChoices) {
  for (int i = 0; i < 2000 && huge_page_moves().running > 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_EQ(huge_page_moves().running, 0);
  const std::string key = fp32_gemm_cache_key();
  ASSERT_TRUE(write_step_ways(file_, key, ways(2, -1, -1, 3)));
  // the measurement file set for this test only, the choices forgotten after it
  struct Restore {
    ~Restore() {
      set_fp32_gemm_cache_file({});
      reset_text_decoder_step_choices();
    }
  } restore;
  set_fp32_gemm_cache_file(dir_ / "fp32-gemm.json");
  reset_text_decoder_step_choices(-1, -1);
  EXPECT_EQ(text_decoder_step_way(false, 1), 2);
  EXPECT_EQ(text_decoder_step_way(false, 3), -1);
  EXPECT_EQ(text_decoder_step_way(true, 1), -1);
  EXPECT_EQ(text_decoder_step_way(true, 3), 3);
  // the seeded steps run that way at once
  int seeded = 0;
  run_chosen_step(true, &seeded, 1, 3, [] {
    EXPECT_EQ(bf16_weights_ahead(), kWeightsAheadL1);
    EXPECT_TRUE(step_team_read_ahead());
    return true;
  });
  // a switch fixed: nothing seeded
  reset_text_decoder_step_choices(1, -1);
  EXPECT_EQ(text_decoder_step_way(true, 3), -1);
  EXPECT_EQ(text_decoder_step_way(false, 1), -1);
  // the module path's several-row steps choose by timing (way 0, the read-ahead off, faster); the
  // choice is written, the seeded ones kept
  reset_text_decoder_step_choices(-1, -1);
  std::vector<int> caches(40);
  int c = 0;
  for (; c < 40 && text_decoder_step_way(false, 3) < 0; ++c)
    for (int64_t past = 1; past <= 6; ++past)
      run_chosen_step(false, &caches[static_cast<size_t>(c)], past, 3, [] {
        std::this_thread::sleep_for(std::chrono::microseconds(step_team_read_ahead() ? 3000 : 1000));
        return true;
      });
  // (two ways, six ratios each: six captions, the choice at the next one's first step; a caption
  // more where a step was not recorded)
  EXPECT_GE(c, 7);
  EXPECT_LE(c, 12);
  EXPECT_EQ(text_decoder_step_way(false, 3), 0);
  // that place written with the time of its choice, the others as they were
  const std::optional<StepWays> kept = read_step_ways(file_, key, std::chrono::system_clock::now());
  ASSERT_TRUE(kept.has_value());
  StepWays want = ways(2, 0, -1, 3);
  EXPECT_GE(kept->saved[0][1], want.saved[0][1]);
  EXPECT_LE(kept->saved[0][1], unix_seconds(std::chrono::system_clock::now()));
  want.saved[0][1] = kept->saved[0][1];
  expect_ways(kept, want);
  // another machine's ways (another key) seed nothing
  std::filesystem::remove(file_);
  ASSERT_TRUE(write_step_ways(file_, key + "another", ways(2, 2, 1, 1)));
  reset_text_decoder_step_choices(-1, -1);
  EXPECT_EQ(text_decoder_step_way(false, 1), -1);
  EXPECT_EQ(text_decoder_step_way(true, 3), -1);
}

// The fuzz target's seeds for decoder-steps.json (tests/fuzz/corpus/measurement/steps_*): the
// valid ones hold ways for the key `cpu A`, chosen an hour or so before the target's time; the bad
// ones an entry whose every place is out of range or stale; the float32 measurement's seeds none.
TEST(StepWaysCorpus, ValidSeedsAreReadAndBadWaysCountAsNone) {
  const std::filesystem::path corpus =
      std::filesystem::path(GLIMPSE_TEST_DATA_DIR) / ".." / "fuzz" / "corpus" / "measurement";
  const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1796438215 + 3600));
  int valid = 0, bad = 0, others = 0;
  for (const auto& entry : std::filesystem::directory_iterator(corpus)) {
    const std::string name = entry.path().filename().string();
    std::optional<StepWays> got;
    ASSERT_NO_THROW(got = read_step_ways(entry.path(), "cpu A", now)) << name;
    if (name.rfind("steps_valid_", 0) == 0) {
      ASSERT_TRUE(got.has_value()) << name;
      EXPECT_EQ(got->way[1][0], 3) << name;
      EXPECT_EQ(got->way[1][1], 1) << name;
      EXPECT_EQ(got->way[0][0], 2) << name;
      EXPECT_EQ(got->way[0][1], 0) << name;
      ++valid;
    } else if (name.rfind("steps_bad_", 0) == 0) {
      ASSERT_TRUE(got.has_value()) << name;
      for (int fused = 0; fused < 2; ++fused)
        for (int several = 0; several < 2; ++several) EXPECT_EQ(got->way[fused][several], -1) << name;
      ++bad;
    } else {
      EXPECT_FALSE(got.has_value()) << name;
      ++others;
    }
  }
  EXPECT_GT(valid, 0);
  EXPECT_GT(bad, 0);
  EXPECT_GT(others, 0);
}
