#include "monosem/models/sae/synthetic_hierarchy.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

#include "absl/strings/str_cat.h"
#include "monosem/philox.h"

namespace monosem::sae {
namespace {

// Philox streams of the world (the features use stream 0).
enum Stream : uint64_t { kFire = 1, kMix = 2, kShared = 3, kSelect = 4, kMagnitude = 5 };

absl::Status Bad(const std::string& field, double v, const std::string& range) {
  return absl::InvalidArgumentError(
      absl::StrCat("hierarchical world: ", field, " is ", v, "; it must be ", range));
}

// Nodes in `roots` trees of `branching` children over `depth` child levels,
// or -1 when that exceeds `cap`.
int64_t TreeSize(int64_t roots, int64_t branching, int64_t depth, int64_t cap) {
  int64_t level = roots, total = 0;
  for (int64_t l = 0; l <= depth; ++l) {
    total += level;
    if (total > cap) return -1;
    if (l < depth) {
      if (level > cap / std::max<int64_t>(branching, 1)) return -1;
      level *= branching;
    }
  }
  return total;
}

}  // namespace

absl::Status ValidateHierarchyWorld(const HierarchyWorldOptions& o) {
  if (o.n_features < 1) return Bad("n_features", o.n_features, ">= 1");
  if (o.d < 1) return Bad("d", o.d, ">= 1");
  if (!(o.p_max > 0 && o.p_max <= 1)) return Bad("p_max", o.p_max, "in (0, 1]");
  if (!(o.p_min > 0 && o.p_min <= o.p_max)) return Bad("p_min", o.p_min, "in (0, p_max]");
  if (!(o.zipf_exponent > 0 && std::isfinite(o.zipf_exponent))) {
    return Bad("zipf_exponent", o.zipf_exponent, "finite and > 0");
  }
  if (o.roots < 0) return Bad("roots", o.roots, ">= 0 (0: no hierarchy)");
  if (o.roots > 0) {
    if (o.branching < 1) return Bad("branching", o.branching, ">= 1 when roots > 0");
    if (o.depth < 0) return Bad("depth", o.depth, ">= 0");
    if (TreeSize(o.roots, o.branching, o.depth, o.n_features) < 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "hierarchical world: ", o.roots, " roots with branching ", o.branching, " over depth ",
          o.depth, " need more nodes than the ", o.n_features, " features"));
    }
  }
  if (!(o.correlation >= 0 && o.correlation <= 1)) {
    return Bad("correlation", o.correlation, "in [0, 1]");
  }
  if (o.correlation > 0 && o.factors < 1) return Bad("factors", o.factors, ">= 1 when correlation > 0");
  if (!(o.mag_mean_first > 0 && std::isfinite(o.mag_mean_first))) {
    return Bad("mag_mean_first", o.mag_mean_first, "finite and > 0");
  }
  if (!(o.mag_mean_last > 0 && std::isfinite(o.mag_mean_last))) {
    return Bad("mag_mean_last", o.mag_mean_last, "finite and > 0");
  }
  if (!(o.mag_std >= 0 && std::isfinite(o.mag_std))) return Bad("mag_std", o.mag_std, "finite and >= 0");
  return absl::OkStatus();
}

absl::StatusOr<HierarchicalWorld> HierarchicalWorld::Create(const HierarchyWorldOptions& opt) {
  if (absl::Status s = ValidateHierarchyWorld(opt); !s.ok()) return s;
  const int64_t N = opt.n_features, d = opt.d;
  HierarchicalWorld w;
  w.opt_ = opt;
  w.features_ = Tensor({N, d});
  const Philox g(opt.seed, 0);
  for (int64_t i = 0; i < N; ++i) {
    float* f = w.features_.data() + i * d;
    double nn = 0;
    for (int64_t j = 0; j < d; ++j) {
      f[j] = g.NormalAt(i * d + j);
      nn += static_cast<double>(f[j]) * f[j];
    }
    const double inv = 1.0 / std::sqrt(nn);
    for (int64_t j = 0; j < d; ++j) f[j] = static_cast<float>(f[j] * inv);
  }
  // The power-law profile, rescaled onto [p_min, p_max].
  const double r_min = std::pow(static_cast<double>(N), -opt.zipf_exponent);
  w.p_.resize(N);
  w.p_f_.resize(N);
  w.mag_mean_.resize(N);
  for (int64_t i = 0; i < N; ++i) {
    const double r = std::pow(static_cast<double>(i + 1), -opt.zipf_exponent);
    w.p_[i] = N == 1 ? opt.p_max : opt.p_min + (opt.p_max - opt.p_min) * (r - r_min) / (1.0 - r_min);
    w.p_f_[i] = static_cast<float>(w.p_[i]);
    const double t = N == 1 ? 0.0 : static_cast<double>(i) / (N - 1);
    w.mag_mean_[i] = static_cast<float>(opt.mag_mean_first + t * (opt.mag_mean_last - opt.mag_mean_first));
  }
  // Breadth-first layout: level l occupies [start_l, start_l + roots * b^l).
  w.parent_.assign(N, -1);
  w.children_.assign(N, {});
  if (opt.roots > 0) {
    int64_t start = 0, level = opt.roots;
    for (int64_t l = 0; l < opt.depth; ++l) {
      const int64_t next_start = start + level;
      for (int64_t k = 0; k < level * opt.branching; ++k) {
        const int64_t child = next_start + k, par = start + k / opt.branching;
        w.parent_[child] = par;
        w.children_[par].push_back(child);
      }
      start = next_start;
      level *= opt.branching;
    }
    w.tree_size_ = start + level;
  }
  for (int64_t i = 0; i < N; ++i) {
    if (!w.children_[i].empty()) w.parents_in_order_.push_back(i);
  }
  return w;
}

void HierarchicalWorld::Fill(int64_t first, int64_t batch, Tensor* x, Tensor* acts) const {
  const int64_t N = opt_.n_features, d = opt_.d, K = std::max<int64_t>(opt_.factors, 1);
  const Philox fire(opt_.seed, kFire), mix(opt_.seed, kMix), shared(opt_.seed, kShared),
      select(opt_.seed, kSelect), magnitude(opt_.seed, kMagnitude);
  const bool corr = opt_.correlation > 0;
  const float rho = static_cast<float>(opt_.correlation);
  const float sigma = static_cast<float>(opt_.mag_std);
#pragma omp parallel if (batch * N >= (int64_t{1} << 18))
  {
    std::vector<uint8_t> on(N);
    std::vector<int64_t> firing;
    std::vector<float> factor_u(K);
#pragma omp for schedule(static)
    for (int64_t b = 0; b < batch; ++b) {
      const uint64_t n = static_cast<uint64_t>(first + b), base = n * static_cast<uint64_t>(N);
      // Base draws, four uniforms per Philox block; the factors' shared
      // uniforms once per sample.
      if (corr) {
        for (int64_t k = 0; k < K; ++k) factor_u[k] = shared.UniformAt(n * K + k);
      }
      PhiloxBlock fb{}, mb{};
      uint64_t f_id = ~uint64_t{0}, m_id = ~uint64_t{0};
      for (int64_t i = 0; i < N; ++i) {
        const uint64_t a = base + i;
        if (a / 4 != f_id) {
          f_id = a / 4;
          fb = fire.Block(f_id);
        }
        float u = WordToUniform(fb[a % 4]);
        if (corr) {
          if (a / 4 != m_id) {
            m_id = a / 4;
            mb = mix.Block(m_id);
          }
          if (WordToUniform(mb[a % 4]) < rho) u = factor_u[i % K];
        }
        on[i] = u < p_f_[i];
      }
      // Gating and exclusion, parents before their children. A parent whose
      // magnitude comes out <= 0 does not fire, so it gates its children too.
      auto magnitude_of = [&](int64_t i) {
        return std::max(0.0f, mag_mean_[i] + sigma * magnitude.NormalAt(base + i));
      };
      for (int64_t g : parents_in_order_) {
        const std::vector<int64_t>& kids = children_[g];
        if (on[g] && magnitude_of(g) <= 0) on[g] = 0;
        if (!on[g]) {
          for (int64_t c : kids) on[c] = 0;
          continue;
        }
        firing.clear();
        for (int64_t c : kids) {
          if (on[c]) firing.push_back(c);
        }
        if (firing.size() < 2) continue;
        const int64_t m = static_cast<int64_t>(firing.size());
        const int64_t keep = std::min<int64_t>(m - 1, static_cast<int64_t>(select.UniformAt(base + g) * m));
        for (int64_t j = 0; j < m; ++j) on[firing[j]] = j == keep;
      }
      float* xr = x->data() + b * d;
      std::memset(xr, 0, d * sizeof(float));
      float* ar = acts != nullptr ? acts->data() + b * N : nullptr;
      if (ar != nullptr) std::memset(ar, 0, N * sizeof(float));
      for (int64_t i = 0; i < N; ++i) {
        if (!on[i]) continue;
        const float a = magnitude_of(i);
        if (a <= 0) continue;
        if (ar != nullptr) ar[i] = a;
        const float* f = features_.data() + i * d;
        for (int64_t j = 0; j < d; ++j) xr[j] += a * f[j];
      }
    }
  }
}

absl::Status HierarchicalWorld::Next(int64_t batch, Tensor* out) {
  if (out->rank() != 2 || out->dim(0) != batch || out->dim(1) != opt_.d) {
    return absl::InvalidArgumentError(absl::StrCat("hierarchical world: output has shape ",
                                                   ShapeToString(out->shape()), ", expected [",
                                                   batch, ", ", opt_.d, "]"));
  }
  Fill(next_, batch, out);
  next_ += batch;
  return absl::OkStatus();
}

absl::Status HierarchicalWorld::NextWithActs(int64_t batch, Tensor* x, Tensor* acts) {
  if (acts->rank() != 2 || acts->dim(0) != batch || acts->dim(1) != opt_.n_features) {
    return absl::InvalidArgumentError(absl::StrCat(
        "hierarchical world: activations have shape ", ShapeToString(acts->shape()),
        ", expected [", batch, ", ", opt_.n_features, "]"));
  }
  if (x->rank() != 2 || x->dim(0) != batch || x->dim(1) != opt_.d) {
    return absl::InvalidArgumentError(absl::StrCat("hierarchical world: output has shape ",
                                                   ShapeToString(x->shape()), ", expected [",
                                                   batch, ", ", opt_.d, "]"));
  }
  Fill(next_, batch, x, acts);
  next_ += batch;
  return absl::OkStatus();
}

absl::Status HierarchicalWorld::Skip(int64_t n) {
  if (n < 0) return absl::InvalidArgumentError(absl::StrCat("hierarchical world: cannot skip ", n, " vectors"));
  next_ += n;
  return absl::OkStatus();
}

std::vector<double> HierarchicalWorld::ExpectedFiringRates() const {
  // P(mu_i + sigma z > 0): a non-positive magnitude silences a feature.
  auto positive = [&](int64_t i) {
    return opt_.mag_std > 0 ? 0.5 * std::erfc(-mag_mean_[i] / (opt_.mag_std * std::sqrt(2.0))) : 1.0;
  };
  std::vector<double> rate(p_f_.begin(), p_f_.end());
  for (int64_t i = 0; i < opt_.n_features; ++i) {
    if (parent_[i] < 0) rate[i] *= positive(i);
  }
  for (int64_t g : parents_in_order_) {
    const std::vector<int64_t>& kids = children_[g];
    for (int64_t c : kids) {
      // Distribution of the number of c's siblings whose base draw fires.
      std::vector<double> dist = {1.0};
      for (int64_t s : kids) {
        if (s == c) continue;
        std::vector<double> next(dist.size() + 1, 0.0);
        for (size_t k = 0; k < dist.size(); ++k) {
          next[k] += dist[k] * (1 - p_f_[s]);
          next[k + 1] += dist[k] * p_f_[s];
        }
        dist.swap(next);
      }
      double share = 0;
      for (size_t k = 0; k < dist.size(); ++k) share += dist[k] / (1.0 + k);
      rate[c] = rate[g] * p_f_[c] * share * positive(c);
    }
  }
  return rate;
}

}  // namespace monosem::sae
