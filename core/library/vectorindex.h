#pragma once
// All ITC vectors of a library as one row-major float32 matrix; a query is one matrix-vector
// product (plain C++, threaded for large libraries) and a partial sort, with an optional row filter.
#include <cstdint>
#include <utility>
#include <vector>

namespace glimpse::library {

class VectorIndex {
 public:
  VectorIndex() = default;
  VectorIndex(std::vector<float> data, int dim);

  int dim() const { return m_dim; }
  int64_t rows() const { return m_dim ? static_cast<int64_t>(m_data.size()) / m_dim : 0; }
  const float* row(int64_t i) const { return m_data.data() + i * m_dim; }

  // Dot products of every row with `query` (cosines when both are normalised).
  std::vector<float> scores(const std::vector<float>& query) const;
  // The k best (row, score) pairs, best first; rows where `keep` is false are skipped (keep may be
  // empty = all rows).
  std::vector<std::pair<int64_t, float>> topK(const std::vector<float>& query, int64_t k,
                                              const std::vector<bool>& keep = {}) const;
  // The same over scores already computed (one per row).
  static std::vector<std::pair<int64_t, float>> topKOf(const std::vector<float>& scores, int64_t k,
                                                       const std::vector<bool>& keep = {});

 private:
  std::vector<float> m_data;
  int m_dim = 0;
};

}  // namespace glimpse::library
