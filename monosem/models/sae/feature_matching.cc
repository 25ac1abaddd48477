#include "monosem/models/sae/feature_matching.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "absl/strings/str_cat.h"

namespace monosem::sae {
namespace {

std::vector<double> RowNorms(const Tensor& t) {
  const int64_t r = t.dim(0), d = t.dim(1);
  std::vector<double> n(r);
  for (int64_t i = 0; i < r; ++i) {
    double s = 0;
    for (int64_t j = 0; j < d; ++j) s += static_cast<double>(t[i * d + j]) * t[i * d + j];
    n[i] = std::sqrt(s);
  }
  return n;
}

// Minimum-cost assignment of every row to a distinct column, rows <= cols
// (the potentials form of the Hungarian algorithm, O(rows^2 cols)).
std::vector<int64_t> MinCostAssignment(const std::vector<double>& cost, int64_t rows, int64_t cols) {
  const double inf = std::numeric_limits<double>::infinity();
  // 1-based: column 0 is the virtual start; p[j] = row matched to column j.
  std::vector<double> u(rows + 1, 0.0), v(cols + 1, 0.0);
  std::vector<int64_t> p(cols + 1, 0), way(cols + 1, 0);
  for (int64_t i = 1; i <= rows; ++i) {
    p[0] = i;
    int64_t j0 = 0;
    std::vector<double> minv(cols + 1, inf);
    std::vector<uint8_t> used(cols + 1, 0);
    do {
      used[j0] = 1;
      const int64_t i0 = p[j0];
      double delta = inf;
      int64_t j1 = 0;
      for (int64_t j = 1; j <= cols; ++j) {
        if (used[j]) continue;
        const double cur = cost[(i0 - 1) * cols + (j - 1)] - u[i0] - v[j];
        if (cur < minv[j]) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j] < delta) {
          delta = minv[j];
          j1 = j;
        }
      }
      for (int64_t j = 0; j <= cols; ++j) {
        if (used[j]) {
          u[p[j]] += delta;
          v[j] -= delta;
        } else {
          minv[j] -= delta;
        }
      }
      j0 = j1;
    } while (p[j0] != 0);
    do {
      const int64_t j1 = way[j0];
      p[j0] = p[j1];
      j0 = j1;
    } while (j0 != 0);
  }
  std::vector<int64_t> row_to_col(rows, -1);
  for (int64_t j = 1; j <= cols; ++j) {
    if (p[j] != 0) row_to_col[p[j] - 1] = j - 1;
  }
  return row_to_col;
}

}  // namespace

absl::StatusOr<std::vector<double>> AbsCosineMatrix(const Tensor& a, const Tensor& b) {
  if (a.rank() != 2 || b.rank() != 2 || a.dim(1) != b.dim(1) || a.dim(0) == 0 || b.dim(0) == 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "feature matching: decoder ", ShapeToString(a.shape()), " and features ",
        ShapeToString(b.shape()), " must be non-empty [F, d] and [N, d]"));
  }
  const int64_t F = a.dim(0), N = b.dim(0), d = a.dim(1);
  const std::vector<double> na = RowNorms(a), nb = RowNorms(b);
  std::vector<double> c(F * N, 0.0);
#pragma omp parallel for schedule(static) if (F * N * d >= (int64_t{1} << 22))
  for (int64_t i = 0; i < F; ++i) {
    if (na[i] == 0) continue;
    for (int64_t g = 0; g < N; ++g) {
      if (nb[g] == 0) continue;
      double dot = 0;
      for (int64_t j = 0; j < d; ++j) dot += static_cast<double>(a[i * d + j]) * b[g * d + j];
      c[i * N + g] = std::fabs(dot) / (na[i] * nb[g]);
    }
  }
  return c;
}

std::vector<int64_t> MaxWeightMatching(const std::vector<double>& score, int64_t rows,
                                       int64_t cols) {
  if (rows <= cols) {
    std::vector<double> cost(score.size());
    for (size_t t = 0; t < score.size(); ++t) cost[t] = -score[t];
    return MinCostAssignment(cost, rows, cols);
  }
  // More rows than columns: match every column to a row, then invert.
  std::vector<double> cost(score.size());
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t c = 0; c < cols; ++c) cost[c * rows + r] = -score[r * cols + c];
  }
  const std::vector<int64_t> col_to_row = MinCostAssignment(cost, cols, rows);
  std::vector<int64_t> row_to_col(rows, -1);
  for (int64_t c = 0; c < cols; ++c) row_to_col[col_to_row[c]] = c;
  return row_to_col;
}

absl::StatusOr<MccResult> MatchedMcc(const Tensor& w_dec, const Tensor& features) {
  auto c = AbsCosineMatrix(w_dec, features);
  if (!c.ok()) return c.status();
  const int64_t F = w_dec.dim(0), N = features.dim(0);
  MccResult r;
  r.latent_to_feature = MaxWeightMatching(*c, F, N);
  double sum = 0;
  int64_t pairs = 0;
  for (int64_t i = 0; i < F; ++i) {
    if (r.latent_to_feature[i] < 0) continue;
    sum += (*c)[i * N + r.latent_to_feature[i]];
    ++pairs;
  }
  r.mcc = sum / pairs;
  return r;
}

absl::StatusOr<FeatureF1Accumulator> FeatureF1Accumulator::Create(const Tensor& w_dec,
                                                                  const Tensor& features) {
  auto c = AbsCosineMatrix(w_dec, features);
  if (!c.ok()) return c.status();
  FeatureF1Accumulator acc;
  acc.f_ = w_dec.dim(0);
  acc.n_ = features.dim(0);
  acc.best_.assign(acc.f_, 0);
  for (int64_t i = 0; i < acc.f_; ++i) {
    const double* row = c->data() + i * acc.n_;
    acc.best_[i] = std::max_element(row, row + acc.n_) - row;  // first maximum: lower index
  }
  acc.tp_.assign(acc.f_, 0);
  acc.fp_.assign(acc.f_, 0);
  acc.truth_.assign(acc.f_, 0);
  return acc;
}

absl::Status FeatureF1Accumulator::Add(const SaeCodes& codes, const Tensor& acts) {
  const int64_t B = codes.rows;
  if (codes.f != f_ || acts.rank() != 2 || acts.dim(0) != B || acts.dim(1) != n_) {
    return absl::InvalidArgumentError(absl::StrCat(
        "feature_f1: codes [", codes.rows, ", ", codes.f, "] and true activations ",
        ShapeToString(acts.shape()), " do not fit F = ", f_, ", N = ", n_));
  }
  // TP and FP from the latents that fire; FN = (g(i) fires) - TP per latent.
  codes.ForEachEntry([&](int64_t b, int64_t i, float v) {
    if (!(v > 0)) return;
    const bool truth = acts[b * n_ + best_[i]] > 0;
    tp_[i] += truth;
    fp_[i] += !truth;
  });
  for (int64_t i = 0; i < f_; ++i) {
    int64_t truth = 0;
    for (int64_t b = 0; b < B; ++b) truth += acts[b * n_ + best_[i]] > 0;
    truth_[i] += truth;
  }
  samples_ += B;
  return absl::OkStatus();
}

FeatureF1 FeatureF1Accumulator::Finish() const {
  FeatureF1 r;
  r.best_feature = best_;
  r.samples = samples_;
  r.latent_f1.assign(f_, 0.0);
  for (int64_t i = 0; i < f_; ++i) {
    const double p = tp_[i] + fp_[i] > 0 ? static_cast<double>(tp_[i]) / (tp_[i] + fp_[i]) : 0.0;
    const int64_t fn = truth_[i] - tp_[i];
    const double rc = tp_[i] + fn > 0 ? static_cast<double>(tp_[i]) / (tp_[i] + fn) : 0.0;
    r.latent_f1[i] = p + rc > 0 ? 2 * p * rc / (p + rc) : 0.0;
    r.precision += p;
    r.recall += rc;
    r.f1 += r.latent_f1[i];
  }
  r.precision /= f_;
  r.recall /= f_;
  r.f1 /= f_;
  return r;
}

}  // namespace monosem::sae
