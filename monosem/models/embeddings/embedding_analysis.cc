#include "monosem/models/embeddings/embedding_analysis.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "monosem/philox.h"

namespace monosem {

double Cosine(const float* a, const float* b, int64_t d) {
  double ab = 0, aa = 0, bb = 0;
  for (int64_t i = 0; i < d; ++i) {
    ab += static_cast<double>(a[i]) * b[i];
    aa += static_cast<double>(a[i]) * a[i];
    bb += static_cast<double>(b[i]) * b[i];
  }
  return aa > 0 && bb > 0 ? ab / std::sqrt(aa * bb) : 0.0;
}

std::vector<std::vector<int32_t>> DimensionWords(const Tensor& vectors, int top_n) {
  const int64_t V = vectors.dim(0), d = vectors.dim(1);
  std::vector<double> inv_norm(V);
  for (int64_t w = 0; w < V; ++w) {
    double s = 0;
    for (int64_t k = 0; k < d; ++k)
      s += static_cast<double>(vectors[w * d + k]) * vectors[w * d + k];
    inv_norm[w] = s > 0 ? 1.0 / std::sqrt(s) : 0.0;
  }
  std::vector<std::vector<int32_t>> out(d);
  std::vector<std::pair<double, int32_t>> scored;
  for (int64_t k = 0; k < d; ++k) {
    scored.clear();
    for (int64_t w = 0; w < V; ++w) {
      if (inv_norm[w] == 0) continue;
      // Negated score so that an ascending sort puts the best (and, on ties,
      // the lower id) first.
      scored.emplace_back(-vectors[w * d + k] * inv_norm[w], static_cast<int32_t>(w));
    }
    const int64_t n = std::min<int64_t>(top_n, static_cast<int64_t>(scored.size()));
    std::partial_sort(scored.begin(), scored.begin() + n, scored.end());
    for (int64_t i = 0; i < n; ++i) out[k].push_back(scored[i].second);
  }
  return out;
}

std::vector<int32_t> DistinctWords(const std::vector<std::vector<int32_t>>& lists) {
  std::vector<int32_t> all;
  for (const auto& l : lists) all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  all.erase(std::unique(all.begin(), all.end()), all.end());
  return all;
}

int64_t WithinModelDuplicates(const std::vector<std::vector<int32_t>>& lists) {
  int64_t entries = 0;
  for (const auto& l : lists) entries += static_cast<int64_t>(l.size());
  return entries - static_cast<int64_t>(DistinctWords(lists).size());
}

Overlap SetOverlap(const std::vector<int32_t>& a, const std::vector<int32_t>& b) {
  Overlap o;
  std::vector<int32_t> shared;
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(shared));
  o.shared = static_cast<int64_t>(shared.size());
  o.size_a = static_cast<int64_t>(a.size());
  o.size_b = static_cast<int64_t>(b.size());
  const int64_t uni = o.size_a + o.size_b - o.shared;
  o.jaccard = uni > 0 ? static_cast<double>(o.shared) / uni : 0.0;
  const int64_t smaller = std::min(o.size_a, o.size_b);
  o.coefficient = smaller > 0 ? static_cast<double>(o.shared) / smaller : 0.0;
  return o;
}

std::vector<double> RandomRotation(int64_t d, uint64_t seed, uint64_t stream) {
  const Philox rng(seed, stream);
  std::vector<double> q(d * d);
  for (int64_t i = 0; i < d * d; ++i) q[i] = rng.NormalAt(static_cast<uint64_t>(i));
  // Modified Gram-Schmidt on the rows: the QR of a Gaussian matrix with R's
  // diagonal made positive, which is Haar-distributed.
  for (int64_t r = 0; r < d; ++r) {
    double* row = q.data() + r * d;
    for (int pass = 0; pass < 2; ++pass) {  // twice, for orthogonality to rounding
      for (int64_t s = 0; s < r; ++s) {
        const double* prev = q.data() + s * d;
        double dot = 0;
        for (int64_t i = 0; i < d; ++i) dot += row[i] * prev[i];
        for (int64_t i = 0; i < d; ++i) row[i] -= dot * prev[i];
      }
    }
    double norm = 0;
    for (int64_t i = 0; i < d; ++i) norm += row[i] * row[i];
    norm = std::sqrt(norm);
    for (int64_t i = 0; i < d; ++i) row[i] /= norm;
  }
  return q;
}

Tensor Rotate(const Tensor& vectors, const std::vector<double>& q) {
  const int64_t V = vectors.dim(0), d = vectors.dim(1);
  Tensor out = Tensor::Uninitialized({V, d});
  for (int64_t w = 0; w < V; ++w) {
    for (int64_t j = 0; j < d; ++j) {
      double acc = 0;
      for (int64_t i = 0; i < d; ++i) acc += static_cast<double>(vectors[w * d + i]) * q[i * d + j];
      out[w * d + j] = static_cast<float>(acc);
    }
  }
  return out;
}

std::vector<int32_t> FrequencyMatchedDraw(const std::vector<int32_t>& ids,
                                          const std::vector<int64_t>& counts, uint64_t seed,
                                          uint64_t stream) {
  auto band = [](int64_t count) {
    return static_cast<int>(
        std::floor(4.0 * std::log2(static_cast<double>(std::max<int64_t>(count, 1)))));
  };
  std::map<int, std::vector<int32_t>> members;
  for (size_t w = 0; w < counts.size(); ++w)
    members[band(counts[w])].push_back(static_cast<int32_t>(w));
  Philox rng(seed, stream);
  std::set<int32_t> drawn;
  for (int32_t id : ids) {
    const std::vector<int32_t>& pool = members[band(counts[id])];
    // Distinct draws: retry a repeat, giving up (keeping the repeat out) once
    // the band is exhausted.
    for (size_t attempt = 0; attempt < 4 * pool.size() + 8; ++attempt) {
      const int32_t w = pool[rng.UniformInt(static_cast<uint32_t>(pool.size()))];
      if (drawn.insert(w).second) break;
    }
  }
  return std::vector<int32_t>(drawn.begin(), drawn.end());
}

}  // namespace monosem
