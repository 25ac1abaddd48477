#include "monosem/models/sae/sae_analysis.h"

#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "absl/strings/str_cat.h"

namespace monosem::sae {
namespace {

// Columns of x [N, U] centred and scaled to unit variance (population), as
// [U, N] rows (so that the correlation block is one row-major GEMM). Columns
// with zero variance are left as zero rows and flagged not live.
void Standardize(const Tensor& x, std::vector<float>* z, std::vector<uint8_t>* live) {
  const int64_t n = x.dim(0), u = x.dim(1);
  std::vector<double> mean(u, 0.0), m2(u, 0.0);
  for (int64_t r = 0; r < n; ++r) {
    for (int64_t c = 0; c < u; ++c) mean[c] += x[r * u + c];
  }
  for (double& m : mean) m /= n;
  for (int64_t r = 0; r < n; ++r) {
    for (int64_t c = 0; c < u; ++c) {
      const double t = x[r * u + c] - mean[c];
      m2[c] += t * t;
    }
  }
  z->assign(u * n, 0.0f);
  live->assign(u, 0);
  for (int64_t c = 0; c < u; ++c) {
    // Relative test: a column whose spread is at rounding level is constant.
    const double var = m2[c] / n;
    if (!(var > 1e-12 * (mean[c] * mean[c] + 1e-30))) continue;
    (*live)[c] = 1;
    const double inv = 1.0 / std::sqrt(var * n);  // rows of unit norm: dot = correlation
    for (int64_t r = 0; r < n; ++r) (*z)[c * n + r] = static_cast<float>((x[r * u + c] - mean[c]) * inv);
  }
}

}  // namespace

absl::StatusOr<MaxCorrelation> MaxCorrMedian(const Tensor& a, const Tensor& b) {
  if (a.rank() != 2 || b.rank() != 2 || a.dim(0) != b.dim(0)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "max_corr_median: activations must be [N, units] on the same N tokens, got ",
        ShapeToString(a.shape()), " and ", ShapeToString(b.shape())));
  }
  const int64_t n = a.dim(0), ua = a.dim(1), ub = b.dim(1);
  if (n < 2) return absl::InvalidArgumentError("max_corr_median: needs at least 2 tokens");
  std::vector<float> za, zb;
  std::vector<uint8_t> la, lb;
  Standardize(a, &za, &la);
  Standardize(b, &zb, &lb);
  MaxCorrelation out;
  for (uint8_t l : la) out.live_a += l;
  for (uint8_t l : lb) out.live_b += l;
  if (out.live_a == 0 || out.live_b == 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "max_corr_median: no live units (A: ", out.live_a, " of ", ua, ", B: ", out.live_b, " of ",
        ub, ") over ", n, " tokens"));
  }
  out.max_corr.assign(ua, std::numeric_limits<double>::quiet_NaN());
  out.best_match.assign(ua, -1);
  constexpr int64_t kBlock = 256;  // A units per GEMM: bounds the block at 256 x ub floats
  std::vector<float> c(kBlock * ub);
  for (int64_t a0 = 0; a0 < ua; a0 += kBlock) {
    const int64_t rows = std::min(kBlock, ua - a0);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, ub, n, 1.0f, za.data() + a0 * n, n,
                zb.data(), n, 0.0f, c.data(), ub);
    for (int64_t i = 0; i < rows; ++i) {
      if (!la[a0 + i]) continue;
      double best = -std::numeric_limits<double>::infinity();
      int64_t arg = -1;
      for (int64_t j = 0; j < ub; ++j) {
        if (lb[j] && c[i * ub + j] > best) {
          best = c[i * ub + j];
          arg = j;
        }
      }
      out.max_corr[a0 + i] = std::min(1.0, best);
      out.best_match[a0 + i] = arg;
    }
  }
  std::vector<double> v;
  for (int64_t i = 0; i < ua; ++i) {
    if (la[i]) v.push_back(out.max_corr[i]);
  }
  std::sort(v.begin(), v.end());
  const size_t m = v.size();
  out.median = m % 2 == 1 ? v[m / 2] : 0.5 * (v[m / 2 - 1] + v[m / 2]);
  return out;
}

absl::StatusOr<std::vector<GenreDetectorF1>> BestFeatureGenreF1(const Tensor& codes,
                                                                absl::Span<const LabelId> labels,
                                                                int n_genres) {
  if (codes.rank() != 2 || codes.dim(0) != static_cast<int64_t>(labels.size())) {
    return absl::InvalidArgumentError(absl::StrCat("genre_f1: codes ", ShapeToString(codes.shape()),
                                                   " need one row per label (", labels.size(), ")"));
  }
  const int64_t n = codes.dim(0), f = codes.dim(1);
  std::vector<int64_t> positives(n_genres, 0), predicted(f, 0), tp(static_cast<size_t>(n_genres) * f, 0);
  for (int64_t r = 0; r < n; ++r) {
    const int g = labels[r];
    if (g >= n_genres) {
      return absl::InvalidArgumentError(absl::StrCat("genre_f1: label ", g, " at token ", r,
                                                     " is not below n_genres = ", n_genres));
    }
    ++positives[g];
    const float* row = codes.data() + r * f;
    int64_t* tpg = tp.data() + static_cast<size_t>(g) * f;
    for (int64_t i = 0; i < f; ++i) {
      if (row[i] > 0) {
        ++predicted[i];
        ++tpg[i];
      }
    }
  }
  std::vector<GenreDetectorF1> out;
  for (int g = 0; g < n_genres; ++g) {
    if (positives[g] == 0) continue;
    GenreDetectorF1 best;
    best.genre = g;
    best.positives = positives[g];
    for (int64_t i = 0; i < f; ++i) {
      const int64_t t = tp[static_cast<size_t>(g) * f + i];
      if (t == 0) continue;
      // F1 = 2 TP / (positives + predicted); ties keep the lower index.
      const double f1 = 2.0 * t / static_cast<double>(positives[g] + predicted[i]);
      if (f1 > best.f1) {
        best.f1 = f1;
        best.unit = i;
        best.predicted = predicted[i];
        best.true_positives = t;
      }
    }
    out.push_back(best);
  }
  return out;
}

}  // namespace monosem::sae
