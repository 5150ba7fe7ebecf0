#include "vectorindex.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#include <algorithm>
#include <stdexcept>

namespace glimpse::library {

VectorIndex::VectorIndex(std::vector<float> data, int dim) : m_data(std::move(data)), m_dim(dim) {
  if (dim <= 0 && !m_data.empty()) throw std::invalid_argument("vector dimension must be positive");
  if (dim > 0 && m_data.size() % static_cast<size_t>(dim) != 0) throw std::invalid_argument("vector data is not whole rows");
}

std::vector<float> VectorIndex::scores(const std::vector<float>& query) const {
  if (static_cast<int>(query.size()) != m_dim) throw std::invalid_argument("query dimension does not match the library's vectors");
  std::vector<float> out(static_cast<size_t>(rows()));
  if (out.empty()) return out;
  c10::InferenceMode guard;
  const auto opts = at::TensorOptions().dtype(at::kFloat);
  at::Tensor m = at::from_blob(const_cast<float*>(m_data.data()), {rows(), m_dim}, opts);
  at::Tensor q = at::from_blob(const_cast<float*>(query.data()), {m_dim}, opts);
  at::Tensor o = at::from_blob(out.data(), {rows()}, opts);
  at::mv_out(o, m, q);
  return out;
}

std::vector<std::pair<int64_t, float>> VectorIndex::topK(const std::vector<float>& query, int64_t k,
                                                         const std::vector<bool>& keep) const {
  const std::vector<float> s = scores(query);
  std::vector<std::pair<int64_t, float>> cand;
  cand.reserve(keep.empty() ? s.size() : static_cast<size_t>(std::count(keep.begin(), keep.end(), true)));
  for (int64_t i = 0; i < static_cast<int64_t>(s.size()); ++i)
    if (keep.empty() || keep[static_cast<size_t>(i)]) cand.emplace_back(i, s[static_cast<size_t>(i)]);
  k = std::min<int64_t>(k, static_cast<int64_t>(cand.size()));
  auto better = [](const auto& a, const auto& b) { return a.second > b.second || (a.second == b.second && a.first < b.first); };
  std::partial_sort(cand.begin(), cand.begin() + k, cand.end(), better);
  cand.resize(static_cast<size_t>(k));
  return cand;
}

}  // namespace glimpse::library
