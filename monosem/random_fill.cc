#include "monosem/random_fill.h"

#include "absl/strings/str_cat.h"
#include "monosem/philox.h"

namespace monosem {

void FillUniform(uint64_t seed, uint64_t stream, float lo, float hi, Tensor* t) {
  Philox rng(seed, stream);
  for (int64_t i = 0; i < t->size(); ++i) (*t)[i] = lo + (hi - lo) * rng.UniformAt(i);
}

void FillNormal(uint64_t seed, uint64_t stream, float mean, float stddev, Tensor* t) {
  Philox rng(seed, stream);
  for (int64_t i = 0; i < t->size(); ++i) (*t)[i] = mean + stddev * rng.NormalAt(i);
}

void FillBernoulli(uint64_t seed, uint64_t stream, float p, Tensor* t) {
  Philox rng(seed, stream);
  for (int64_t i = 0; i < t->size(); ++i) (*t)[i] = rng.BernoulliAt(i, p) ? 1.0f : 0.0f;
}

absl::StatusOr<Tensor> MakeInput(const InputSpec& spec) {
  Shape shape(spec.shape().begin(), spec.shape().end());
  if (absl::Status s = ValidateShape(shape); !s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("input '", spec.name(), "': ", s.message()));
  }
  Tensor t = Tensor::Uninitialized(shape);
  switch (spec.distribution()) {
    case InputSpec::UNIFORM:
      if (!(spec.low() <= spec.high())) {
        return absl::InvalidArgumentError(
            absl::StrCat("input '", spec.name(), "': uniform needs low <= high"));
      }
      FillUniform(spec.seed(), spec.stream(), spec.low(), spec.high(), &t);
      break;
    case InputSpec::NORMAL:
      if (!(spec.stddev() >= 0)) {
        return absl::InvalidArgumentError(
            absl::StrCat("input '", spec.name(), "': normal needs stddev >= 0"));
      }
      FillNormal(spec.seed(), spec.stream(), spec.mean(), spec.stddev(), &t);
      break;
    case InputSpec::BERNOULLI:
      if (!(spec.p() >= 0 && spec.p() <= 1)) {
        return absl::InvalidArgumentError(
            absl::StrCat("input '", spec.name(), "': bernoulli needs p in [0, 1]"));
      }
      FillBernoulli(spec.seed(), spec.stream(), spec.p(), &t);
      break;
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("input '", spec.name(), "': no distribution given"));
  }
  return t;
}

}  // namespace monosem
