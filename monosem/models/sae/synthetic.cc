#include "monosem/models/sae/synthetic.h"

#include <cmath>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "monosem/philox.h"

namespace monosem::sae {

absl::StatusOr<SyntheticData> SyntheticData::Create(const SyntheticOptions& opt) {
  if (opt.n_gt <= 0 || opt.d <= 0) {
    return absl::InvalidArgumentError(absl::StrCat("synthetic data: n_gt and d must be > 0, got ",
                                                   opt.n_gt, " and ", opt.d));
  }
  if (!(opt.expected_active > 0) || !(opt.decay > 0 && opt.decay <= 1) ||
      !(opt.correlation >= 0 && opt.correlation <= 1)) {
    return absl::InvalidArgumentError(
        "synthetic data: need expected_active > 0, decay in (0, 1], correlation in [0, 1]");
  }
  SyntheticData s;
  s.opt_ = opt;
  s.features_ = Tensor({opt.n_gt, opt.d});
  Philox g(opt.seed, 0);
  for (int64_t i = 0; i < opt.n_gt; ++i) {
    double nn = 0;
    for (int64_t j = 0; j < opt.d; ++j) {
      const float v = g.NormalAt(i * opt.d + j);
      s.features_[i * opt.d + j] = v;
      nn += static_cast<double>(v) * v;
    }
    const double inv = 1.0 / std::sqrt(nn);
    for (int64_t j = 0; j < opt.d; ++j) {
      s.features_[i * opt.d + j] = static_cast<float>(s.features_[i * opt.d + j] * inv);
    }
  }
  double sum = 0, w = 1;
  for (int64_t i = 0; i < opt.n_gt; ++i, w *= opt.decay) sum += w;
  const double c = opt.expected_active / sum;
  w = 1;
  s.p_.resize(opt.n_gt);
  for (int64_t i = 0; i < opt.n_gt; ++i, w *= opt.decay) s.p_[i] = std::min(1.0, c * w);
  return s;
}

void SyntheticData::Fill(int64_t first, int64_t batch, Tensor* out) const {
  const int64_t G = opt_.n_gt, d = opt_.d;
  const Philox act(opt_.seed, 1), mag(opt_.seed, 2), shared(opt_.seed, 3), mix(opt_.seed, 4);
  const bool corr = opt_.correlation > 0;
#pragma omp parallel for schedule(static) if (batch * G >= (int64_t{1} << 18))
  for (int64_t b = 0; b < batch; ++b) {
    const uint64_t n = static_cast<uint64_t>(first + b);
    float* x = out->data() + b * d;
    std::memset(x, 0, d * sizeof(float));
    const float u0 = corr ? shared.UniformAt(n) : 0.0f;
    const uint64_t base = n * static_cast<uint64_t>(G);
    PhiloxBlock blk{};
    uint64_t blk_id = ~uint64_t{0};
    for (int64_t i = 0; i < G; ++i) {
      const uint64_t a = base + i;
      if (a / 4 != blk_id) {
        blk_id = a / 4;
        blk = act.Block(blk_id);
      }
      float u = WordToUniform(blk[a % 4]);
      if (corr && mix.UniformAt(a) < opt_.correlation) u = u0;
      if (u < p_[i]) {
        const float m = mag.UniformAt(a);
        const float* f = features_.data() + i * d;
        for (int64_t j = 0; j < d; ++j) x[j] += m * f[j];
      }
    }
  }
}

absl::Status SyntheticData::Next(int64_t batch, Tensor* out) {
  if (out->rank() != 2 || out->dim(0) != batch || out->dim(1) != opt_.d) {
    return absl::InvalidArgumentError(absl::StrCat("synthetic data: output has shape ",
                                                   ShapeToString(out->shape()), ", expected [",
                                                   batch, ", ", opt_.d, "]"));
  }
  Fill(next_, batch, out);
  next_ += batch;
  return absl::OkStatus();
}

absl::Status SyntheticData::Skip(int64_t n) {
  if (n < 0) return absl::InvalidArgumentError(absl::StrCat("synthetic data: cannot skip ", n, " vectors"));
  next_ += n;
  return absl::OkStatus();
}

}  // namespace monosem::sae
