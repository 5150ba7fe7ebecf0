#include "vectorindex.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <c10/core/InferenceMode.h>

#include <algorithm>
#include <stdexcept>

namespace glimpse::library {

VectorIndex::VectorIndex(std::vector<float> data, int dim) : m_data(std::move(data)), m_dim(dim) {
  if (dim <= 0 && !m_data.empty()) throw std::invalid_argument("vector dimension must be positive");
  if (dim > 0 && m_data.size() % static_cast<size_t>(dim) != 0)
    throw std::invalid_argument("vector data is not whole rows");
}

std::vector<float> VectorIndex::scores(const std::vector<float>& query) const {
  if (static_cast<int>(query.size()) != m_dim)
    throw std::invalid_argument("query dimension does not match the library's vectors");
  std::vector<float> out(static_cast<size_t>(rows()));
  if (out.empty()) return out;
  c10::InferenceMode guard;
  const auto opts = at::TensorOptions().dtype(at::kFloat);
  at::Tensor m = at::from_blob(const_cast<float*>(m_data.data()), {rows(), m_dim}, opts);
  at::Tensor q = at::from_blob(const_cast<float*>(query.data()), {m_dim}, opts);
  at::Tensor o = at::from_blob(out.data(), {rows()}, opts);
  // Memory-bound: split the rows over torch's threads (one BLAS gemv per chunk) so every core
  // streams its share of the matrix.
  constexpr int64_t kGrain = 16384;
  at::parallel_for(0, rows(), kGrain, [&](int64_t begin, int64_t end) {
    at::Tensor part = o.slice(0, begin, end);
    at::mv_out(part, m.slice(0, begin, end), q);
  });
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
