#include "step_choice.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "kept_files.h"

namespace glimpse::blip {

void StepChoice::reset(std::vector<int> ways) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (ways.empty()) throw std::invalid_argument("StepChoice: no way to choose from");
  ways_ = std::move(ways);
  chosen_ = last_ = ways_.size() == 1 ? ways_.front() : -1;
  steps_since_ = 0;
  recheck_ = kStepChoiceRecheck;
  decisions_ = 0;
  ratios_.assign(ways_.size(), {});
  caption_ = pending_cache_ = nullptr;
  captions_ = position_ = 0;
  seconds_.assign(ways_.size(), 0.0);
  counted_.assign(ways_.size(), 0);
}

size_t StepChoice::slot(int64_t p) const {
  const auto n = static_cast<int64_t>(ways_.size());
  const int64_t stride = n > 2 ? 1 + (captions_ / n) % (n - 1) : 1;
  return static_cast<size_t>((captions_ % n + (p / kStepChoiceRunSteps) * stride) % n);
}

void StepChoice::finish_caption() {
  if (caption_) {
    double seconds = 0;
    int64_t counted = 0, ways = 0;
    for (size_t i = 0; i < ways_.size(); ++i) {
      seconds += seconds_[i];
      counted += counted_[i];
      ways += counted_[i] > 0 ? 1 : 0;
    }
    if (ways >= 2 && seconds > 0) {
      const double mean = seconds / static_cast<double>(counted);
      for (size_t i = 0; i < ways_.size(); ++i)
        if (counted_[i] > 0) ratios_[i].push_back(seconds_[i] / static_cast<double>(counted_[i]) / mean);
    }
    ++captions_;
  }
  caption_ = nullptr;
  position_ = 0;
  std::fill(seconds_.begin(), seconds_.end(), 0.0);
  std::fill(counted_.begin(), counted_.end(), 0);
  if (std::any_of(ratios_.begin(), ratios_.end(), [](const auto& r) { return r.size() < kStepChoiceRuns; })) return;
  size_t best = 0;
  double best_median = 0, last_median = 0;
  for (size_t i = 0; i < ways_.size(); ++i) {
    std::vector<double>& r = ratios_[i];
    std::nth_element(r.begin(), r.begin() + static_cast<ptrdiff_t>(r.size() / 2), r.end());
    const double median = r[r.size() / 2];
    if (ways_[i] == last_) last_median = median;
    if (i == 0 || median < best_median) {
      best = i;
      best_median = median;
    }
  }
  // a recheck: the way chosen before kept while it is about as fast as the best (near ties would
  // otherwise trade places and hold the turns every kStepChoiceRecheck steps)
  if (last_ >= 0 && last_median > 0 && last_median <= best_median * (1.0 + kStepChoiceKeep)) {
    chosen_ = last_;
    recheck_ = std::min(2 * recheck_, kStepChoiceRecheckMost);
  } else {
    chosen_ = last_ = ways_[best];
    recheck_ = kStepChoiceRecheck;
  }
  steps_since_ = 0;
  ++decisions_;
}

StepChoice::Turn StepChoice::next(const void* cache, int64_t past, int64_t rows) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (chosen_ >= 0) {
    if (ways_.size() == 1 || ++steps_since_ < recheck_) return {chosen_, false};
    // the turns again: the memory's speed and the weights' pages change as the app runs
    chosen_ = -1;
    ratios_.assign(ways_.size(), {});
    caption_ = nullptr;
  }
  // the next step of the caption goes on; any other step ends its part
  if (!(caption_ && cache == caption_ && past == caption_past_ + 1 && rows == caption_rows_)) {
    finish_caption();
    if (chosen_ >= 0) return {chosen_, false};
  }
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
  // the steps of a run but its first (which may still carry the way before)
  if (position_ % kStepChoiceRunSteps != 0) {
    seconds_[slot(position_)] += seconds;
    ++counted_[slot(position_)];
  }
  ++position_;
  caption_ = cache;
  caption_past_ = past;
  caption_rows_ = rows;
}

int StepChoice::chosen() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return last_;
}

bool StepChoice::timing() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return chosen_ < 0;
}

int64_t StepChoice::recheck_steps() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return recheck_;
}

bool StepChoice::seed(int way) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (ways_.size() == 1 || std::find(ways_.begin(), ways_.end(), way) == ways_.end()) return false;
  chosen_ = last_ = way;
  steps_since_ = 0;
  recheck_ = kStepChoiceRecheck;
  ratios_.assign(ways_.size(), {});
  caption_ = pending_cache_ = nullptr;
  return true;
}

int64_t StepChoice::decisions() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return decisions_;
}

int StepChoice::fewest_ratios() const {
  std::lock_guard<std::mutex> lock(mutex_);
  size_t fewest = ratios_.front().size();
  for (const auto& r : ratios_) fewest = std::min(fewest, r.size());
  return static_cast<int>(fewest);
}

namespace {
using Json = nlohmann::json;
constexpr int kStepWaysFileVersion = 1;
constexpr const char* kPathNames[2] = {"module", "fused"};
}  // namespace

std::optional<StepWays> read_step_ways(const std::filesystem::path& file, const std::string& key,
                                       std::chrono::system_clock::time_point now) {
  for (const Json& e : read_kept_entries(file, kStepWaysFileVersion)) {
    if (e["key"].get<std::string>() != key) continue;
    StepWays ways;
    if (!e.contains("ways") || !e["ways"].is_object() || !e.contains("saved") || !e["saved"].is_object()) return ways;
    const Json &w = e["ways"], &saved = e["saved"];
    for (int fused = 0; fused < 2; ++fused) {
      const char* name = kPathNames[fused];
      if (!w.contains(name) || !w[name].is_array() || w[name].size() != 2 || !saved.contains(name) ||
          !saved[name].is_array() || saved[name].size() != 2)
        continue;
      for (int several = 0; several < 2; ++several) {
        const Json& way = w[name][static_cast<size_t>(several)];
        const Json& at = saved[name][static_cast<size_t>(several)];
        if (way.is_number_integer() && way.get<int64_t>() >= 0 && way.get<int64_t>() <= 7 &&
            kept_entry_fresh(at, now, kStepWaysDays)) {
          ways.way[fused][several] = static_cast<int>(way.get<int64_t>());
          ways.saved[fused][several] = at.get<int64_t>();
        }
      }
    }
    return ways;
  }
  return std::nullopt;
}

bool write_step_ways(const std::filesystem::path& file, const std::string& key, const StepWays& ways) {
  Json w = Json::object(), saved = Json::object();
  for (int fused = 0; fused < 2; ++fused) {
    w[kPathNames[fused]] = {ways.way[fused][0], ways.way[fused][1]};
    saved[kPathNames[fused]] = {ways.saved[fused][0], ways.saved[fused][1]};
  }
  return write_kept_entries(file, kStepWaysFileVersion, {{"key", key}, {"ways", w}, {"saved", saved}});
}

}  // namespace glimpse::blip
