#include "step_choice.h"

#include <algorithm>
#include <stdexcept>

namespace glimpse::blip {

void StepChoice::reset(std::vector<int> ways) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (ways.empty()) throw std::invalid_argument("StepChoice: no way to choose from");
  ways_ = std::move(ways);
  chosen_ = last_ = ways_.size() == 1 ? ways_.front() : -1;
  steps_since_ = 0;
  rounds_ = position_ = 0;
  times_.assign(ways_.size(), 0.0);
  ratios_.assign(ways_.size(), {});
  pending_cache_ = round_cache_ = nullptr;
}

size_t StepChoice::slot(int position) const {
  return (static_cast<size_t>(rounds_) + static_cast<size_t>(position / kStepChoiceRepeats)) % ways_.size();
}

StepChoice::Turn StepChoice::next(const void* cache, int64_t past, int64_t rows) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (chosen_ >= 0) {
    if (ways_.size() == 1 || ++steps_since_ < kStepChoiceRecheck) return {chosen_, false};
    // timed again: the memory's speed and the weights' pages change as the app runs
    chosen_ = -1;
    steps_since_ = 0;
    rounds_ = position_ = 0;
    ratios_.assign(ways_.size(), {});
    round_cache_ = nullptr;
  }
  // the next step of the round's caption continues it; any other step starts the round again
  if (position_ > 0 && !(cache == round_cache_ && past == round_past_ + 1 && rows == round_rows_)) position_ = 0;
  const int way = ways_[slot(position_)];
  pending_cache_ = cache;
  pending_past_ = past;
  pending_rows_ = rows;
  pending_way_ = way;
  return {way, true};
}

void StepChoice::record(const void* cache, int64_t past, int64_t rows, int way, double seconds) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (chosen_ >= 0 || !pending_cache_ || cache != pending_cache_ || past != pending_past_ || rows != pending_rows_ ||
      way != pending_way_)
    return;
  pending_cache_ = nullptr;
  const size_t n = ways_.size();
  // each way's run of steps but its first (which may still carry the way before)
  if (position_ % kStepChoiceRepeats == 0)
    times_[slot(position_)] = 0;
  else
    times_[slot(position_)] += seconds;
  round_cache_ = cache;
  round_past_ = past;
  round_rows_ = rows;
  if (static_cast<size_t>(++position_) < n * kStepChoiceRepeats) return;
  // a round: each way's time over the round's mean (the steps of a caption slow as it grows, and
  // the memory's speed drifts between rounds)
  double mean = 0;
  for (const double t : times_) mean += t / static_cast<double>(n);
  for (size_t i = 0; i < n; ++i) ratios_[i].push_back(times_[i] / mean);
  position_ = 0;
  round_cache_ = nullptr;
  if (++rounds_ < kStepChoiceRounds) return;
  size_t best = 0;
  double best_median = 0;
  for (size_t i = 0; i < n; ++i) {
    std::vector<double>& r = ratios_[i];
    std::nth_element(r.begin(), r.begin() + static_cast<ptrdiff_t>(r.size() / 2), r.end());
    const double median = r[r.size() / 2];
    if (i == 0 || median < best_median) {
      best = i;
      best_median = median;
    }
  }
  chosen_ = last_ = ways_[best];
  steps_since_ = 0;
}

int StepChoice::chosen() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return last_;
}

int StepChoice::rounds() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return rounds_;
}

}  // namespace glimpse::blip
