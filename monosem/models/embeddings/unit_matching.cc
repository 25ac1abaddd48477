#include "monosem/models/embeddings/unit_matching.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "monosem/philox.h"

namespace monosem {
namespace {

// Columns standardized to mean 0 and unit norm, stored column-major so that
// a correlation is one contiguous dot product. Constant columns are dropped
// (valid[c] false).
struct Standardized {
  int64_t n = 0;
  std::vector<std::vector<float>> cols;
  std::vector<bool> valid;
};

Standardized Standardize(const ScoreMatrix& m) {
  Standardized s;
  s.n = m.rows;
  s.cols.resize(m.cols);
  s.valid.assign(m.cols, false);
  for (int64_t c = 0; c < m.cols; ++c) {
    double mean = 0;
    for (int64_t r = 0; r < m.rows; ++r) mean += m.at(r, c);
    mean /= std::max<int64_t>(1, m.rows);
    double ss = 0;
    for (int64_t r = 0; r < m.rows; ++r) ss += (m.at(r, c) - mean) * (m.at(r, c) - mean);
    if (!(ss > 1e-20)) continue;
    const double inv = 1.0 / std::sqrt(ss);
    std::vector<float>& col = s.cols[c];
    col.resize(m.rows);
    for (int64_t r = 0; r < m.rows; ++r) col[r] = static_cast<float>((m.at(r, c) - mean) * inv);
    s.valid[c] = true;
  }
  return s;
}

// Four partial sums so the compiler can keep them in vector registers.
double Dot(const std::vector<float>& a, const std::vector<float>& b) {
  const size_t n = a.size();
  float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    s0 += a[i] * b[i];
    s1 += a[i + 1] * b[i + 1];
    s2 += a[i + 2] * b[i + 2];
    s3 += a[i + 3] * b[i + 3];
  }
  for (; i < n; ++i) s0 += a[i] * b[i];
  return static_cast<double>(s0) + s1 + s2 + s3;
}

// Mean over x's valid columns of the best correlation with y's.
double OneSide(const Standardized& x, const Standardized& y, bool absolute) {
  double sum = 0;
  int64_t n = 0;
  for (size_t i = 0; i < x.cols.size(); ++i) {
    if (!x.valid[i]) continue;
    double best = -INFINITY;
    for (size_t j = 0; j < y.cols.size(); ++j) {
      if (!y.valid[j]) continue;
      const double r = Dot(x.cols[i], y.cols[j]);
      best = std::max(best, absolute ? std::abs(r) : r);
    }
    if (std::isfinite(best)) {
      sum += best;
      ++n;
    }
  }
  return n > 0 ? sum / n : NAN;
}

double BestJaccardMean(const std::vector<std::vector<int32_t>>& a,
                       const std::vector<std::vector<int32_t>>& b) {
  if (a.empty()) return 0.0;
  double sum = 0;
  for (const auto& la : a) {
    double best = 0;
    for (const auto& lb : b) best = std::max(best, ListJaccard(la, lb));
    sum += best;
  }
  return sum / static_cast<double>(a.size());
}

}  // namespace

ScoreMatrix CosineScores(const Tensor& vectors, const std::vector<int32_t>& words,
                         const std::vector<float>& directions, int64_t n) {
  const int64_t d = vectors.dim(1);
  ScoreMatrix m;
  m.rows = static_cast<int64_t>(words.size());
  m.cols = n;
  m.v.assign(m.rows * n, 0.0f);
  std::vector<double> dir_norm(n);
  for (int64_t u = 0; u < n; ++u) {
    double s = 0;
    for (int64_t k = 0; k < d; ++k) s += static_cast<double>(directions[u * d + k]) * directions[u * d + k];
    dir_norm[u] = std::sqrt(s);
  }
  for (int64_t i = 0; i < m.rows; ++i) {
    const float* v = vectors.data() + static_cast<int64_t>(words[i]) * d;
    double vn = 0;
    for (int64_t k = 0; k < d; ++k) vn += static_cast<double>(v[k]) * v[k];
    vn = std::sqrt(vn);
    if (vn == 0) continue;
    for (int64_t u = 0; u < n; ++u) {
      if (dir_norm[u] == 0) continue;
      double dot = 0;
      for (int64_t k = 0; k < d; ++k) dot += static_cast<double>(v[k]) * directions[u * d + k];
      m.v[i * n + u] = static_cast<float>(dot / (vn * dir_norm[u]));
    }
  }
  return m;
}

std::vector<std::vector<int32_t>> TopRowsPerColumn(const ScoreMatrix& m, int top_n,
                                                   const std::vector<int32_t>& ids) {
  std::vector<std::vector<int32_t>> out(m.cols);
  std::vector<std::pair<float, int64_t>> scored(m.rows);
  const int64_t n = std::min<int64_t>(top_n, m.rows);
  for (int64_t c = 0; c < m.cols; ++c) {
    for (int64_t r = 0; r < m.rows; ++r) scored[r] = {-m.at(r, c), r};
    std::partial_sort(scored.begin(), scored.begin() + n, scored.end());
    for (int64_t i = 0; i < n; ++i) out[c].push_back(ids[scored[i].second]);
    std::sort(out[c].begin(), out[c].end());
  }
  return out;
}

std::vector<float> UnitRows(const Tensor& vectors, const std::vector<int32_t>& ids) {
  const int64_t d = vectors.dim(1);
  const int64_t n = ids.empty() ? vectors.dim(0) : static_cast<int64_t>(ids.size());
  std::vector<float> out(n * d);
  for (int64_t i = 0; i < n; ++i) {
    const float* v = vectors.data() + (ids.empty() ? i : static_cast<int64_t>(ids[i])) * d;
    double s = 0;
    for (int64_t k = 0; k < d; ++k) s += static_cast<double>(v[k]) * v[k];
    const double inv = s > 0 ? 1.0 / std::sqrt(s) : 0.0;
    for (int64_t k = 0; k < d; ++k) out[i * d + k] = static_cast<float>(v[k] * inv);
  }
  return out;
}

std::vector<float> RandomDirections(int64_t n, int64_t d, uint64_t seed, uint64_t stream) {
  const Philox rng(seed, stream);
  std::vector<float> out(n * d);
  for (int64_t u = 0; u < n; ++u) {
    double s = 0;
    for (int64_t k = 0; k < d; ++k) {
      out[u * d + k] = rng.NormalAt(static_cast<uint64_t>(u * d + k));
      s += static_cast<double>(out[u * d + k]) * out[u * d + k];
    }
    const double inv = s > 0 ? 1.0 / std::sqrt(s) : 0.0;
    for (int64_t k = 0; k < d; ++k) out[u * d + k] = static_cast<float>(out[u * d + k] * inv);
  }
  return out;
}

std::vector<float> BasisDirections(int64_t d) {
  std::vector<float> out(d * d, 0.0f);
  for (int64_t k = 0; k < d; ++k) out[k * d + k] = 1.0f;
  return out;
}

double ListJaccard(const std::vector<int32_t>& a, const std::vector<int32_t>& b) {
  size_t i = 0, j = 0, shared = 0;
  while (i < a.size() && j < b.size()) {
    if (a[i] < b[j]) {
      ++i;
    } else if (b[j] < a[i]) {
      ++j;
    } else {
      ++shared, ++i, ++j;
    }
  }
  const size_t uni = a.size() + b.size() - shared;
  return uni > 0 ? static_cast<double>(shared) / uni : 0.0;
}

double MatchedJaccard(const std::vector<std::vector<int32_t>>& a,
                      const std::vector<std::vector<int32_t>>& b) {
  return 0.5 * (BestJaccardMean(a, b) + BestJaccardMean(b, a));
}

double MeanMaxCorrelation(const ScoreMatrix& a, const ScoreMatrix& b, bool absolute) {
  const Standardized sa = Standardize(a), sb = Standardize(b);
  return 0.5 * (OneSide(sa, sb, absolute) + OneSide(sb, sa, absolute));
}

}  // namespace monosem
