#include "vectorindex.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <thread>

namespace glimpse::library {

namespace {

// Dot product with 16 independent float sums (two 8-lane vectors), which the compiler keeps in
// SIMD registers without reassociating one long sum.
float dot(const float* a, const float* b, int n) {
  using V8 = float __attribute__((vector_size(32)));
  V8 s0{}, s1{};
  int i = 0;
  for (; i + 16 <= n; i += 16) {
    V8 a0, a1, b0, b1;
    std::memcpy(&a0, a + i, sizeof a0);
    std::memcpy(&a1, a + i + 8, sizeof a1);
    std::memcpy(&b0, b + i, sizeof b0);
    std::memcpy(&b1, b + i + 8, sizeof b1);
    s0 += a0 * b0;
    s1 += a1 * b1;
  }
  const V8 s = s0 + s1;
  float sum = ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
  for (; i < n; ++i) sum += a[i] * b[i];
  return sum;
}

}  // namespace

VectorIndex::VectorIndex(std::vector<float> data, int dim) : m_data(std::move(data)), m_dim(dim) {
  if (dim <= 0 && !m_data.empty()) throw std::invalid_argument("vector dimension must be positive");
  if (dim > 0 && m_data.size() % static_cast<size_t>(dim) != 0)
    throw std::invalid_argument("vector data is not whole rows");
}

std::vector<float> VectorIndex::scores(const std::vector<float>& query) const {
  if (static_cast<int>(query.size()) != m_dim)
    throw std::invalid_argument("query dimension does not match the library's vectors");
  const int64_t n = rows();
  std::vector<float> out(static_cast<size_t>(n));
  if (out.empty()) return out;
  auto run = [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) out[static_cast<size_t>(r)] = dot(row(r), query.data(), m_dim);
  };
  // Memory-bound: large libraries are split over the cores so that each streams its share of the
  // matrix; small ones are not worth a thread.
  constexpr int64_t kRowsPerThread = 16384;
  const int64_t threads =
      std::min<int64_t>(std::max(1u, std::thread::hardware_concurrency()), (n + kRowsPerThread - 1) / kRowsPerThread);
  if (threads <= 1) {
    run(0, n);
    return out;
  }
  std::vector<std::thread> pool;
  const int64_t per = (n + threads - 1) / threads;
  for (int64_t t = 1; t < threads; ++t) pool.emplace_back(run, t * per, std::min(n, (t + 1) * per));
  run(0, std::min(n, per));
  for (auto& th : pool) th.join();
  return out;
}
std::vector<std::pair<int64_t, float>> VectorIndex::topK(const std::vector<float>& query, int64_t k,
                                                         const std::vector<bool>& keep) const {
  return topKOf(scores(query), k, keep);
}

std::vector<std::pair<int64_t, float>> VectorIndex::topKOf(const std::vector<float>& s, int64_t k,
                                                           const std::vector<bool>& keep) {
  // One pass with a min-heap of the k best: no copy of all scores.
  auto better = [](const std::pair<int64_t, float>& a, const std::pair<int64_t, float>& b) {
    return a.second > b.second || (a.second == b.second && a.first < b.first);
  };
  std::vector<std::pair<int64_t, float>> heap;
  if (k <= 0) return heap;
  heap.reserve(static_cast<size_t>(k) + 1);
  for (int64_t i = 0; i < static_cast<int64_t>(s.size()); ++i) {
    if (!keep.empty() && !keep[static_cast<size_t>(i)]) continue;
    const std::pair<int64_t, float> c{i, s[static_cast<size_t>(i)]};
    if (static_cast<int64_t>(heap.size()) < k) {
      heap.push_back(c);
      std::push_heap(heap.begin(), heap.end(), better);
    } else if (better(c, heap.front())) {
      std::pop_heap(heap.begin(), heap.end(), better);
      heap.back() = c;
      std::push_heap(heap.begin(), heap.end(), better);
    }
  }
  std::sort_heap(heap.begin(), heap.end(), better);
  return heap;
}

}  // namespace glimpse::library
