#include "monosem/models/toy/toy_model.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "monosem/philox.h"
#include "monosem/status.h"

namespace monosem {
namespace {

absl::Status Bad(const std::string& what) {
  return absl::InvalidArgumentError(absl::StrCat("toy model: ", what));
}

// Fills x[j] from Philox(seed, 2j + 1), elements [step·B·n, (step+1)·B·n).
void FillBatch(const ToySpec& spec, uint64_t seed, int64_t step, Tensor* x) {
  const int64_t per = spec.batch * spec.n;
#pragma omp parallel for schedule(static)
  for (int64_t j = 0; j < spec.instances; ++j) {
    const Philox rng(seed, 2 * static_cast<uint64_t>(j) + 1);
    const float S = spec.sparsity[j];
    float* out = x->data() + j * per;
    const uint64_t e0 = static_cast<uint64_t>(step) * per;
    auto map = [S](uint32_t word) {  // bit-identical to the per-element form
      const float u = WordToUniform(word);
      return u < S ? 0.0f : (u - S) / (1.0f - S);
    };
    int64_t k = 0;
    for (; k < per && (e0 + k) % 4 != 0; ++k) out[k] = map(rng.WordAt(e0 + k));
    for (; k + 4 <= per; k += 4) {  // whole Philox blocks
      const PhiloxBlock words = rng.Block((e0 + k) / 4);
      out[k] = map(words[0]);
      out[k + 1] = map(words[1]);
      out[k + 2] = map(words[2]);
      out[k + 3] = map(words[3]);
    }
    for (; k < per; ++k) out[k] = map(rng.WordAt(e0 + k));
  }
}

}  // namespace

absl::Status ValidateToySpec(const ToySpec& s) {
  if (s.n <= 0) return Bad(absl::StrCat("n_features must be positive, got ", s.n));
  if (s.m <= 0) return Bad(absl::StrCat("n_hidden must be positive, got ", s.m));
  if (s.m > s.n) {
    return Bad(absl::StrCat("n_hidden (", s.m, ") must not exceed n_features (", s.n,
                            "): the toy model compresses n features into m <= n dimensions"));
  }
  if (s.instances <= 0) return Bad(absl::StrCat("n_instances must be positive, got ", s.instances));
  if (static_cast<int64_t>(s.sparsity.size()) != s.instances) {
    return Bad(absl::StrCat("need one sparsity per instance: ", s.sparsity.size(),
                            " values for ", s.instances, " instances"));
  }
  for (size_t j = 0; j < s.sparsity.size(); ++j) {
    const float S = s.sparsity[j];
    if (!(S >= 0.0f && S <= 1.0f)) {
      return Bad(absl::StrCat("sparsity of instance ", j, " is ", S, "; it must be in [0, 1]"));
    }
  }
  if (static_cast<int64_t>(s.importance.size()) != s.instances * s.n) {
    return Bad(absl::StrCat("importance has ", s.importance.size(), " values, expected ",
                            s.instances * s.n, " (instances x n_features)"));
  }
  for (size_t k = 0; k < s.importance.size(); ++k) {
    const float v = s.importance[k];
    if (!(v >= 0.0f) || !std::isfinite(v)) {
      return Bad(absl::StrCat("importance of feature ", k % s.n, " (instance ", k / s.n,
                              ") is ", v, "; importance must be finite and non-negative"));
    }
  }
  if (s.steps <= 0) return Bad(absl::StrCat("steps must be positive, got ", s.steps));
  if (s.batch <= 0) return Bad(absl::StrCat("batch_size must be positive, got ", s.batch));
  if (!(s.adam.lr > 0.0f) || !std::isfinite(s.adam.lr)) {
    return Bad(absl::StrCat("lr must be positive and finite, got ", s.adam.lr));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<float>> ToyImportance(const ToyModelConfig& c, int64_t instances) {
  const int64_t n = c.n_features();
  if (n <= 0) return Bad(absl::StrCat("n_features must be positive, got ", n));
  const int ways = (c.importance_decay() != 0) + (c.importance_size() > 0) +
                   (c.importance_linspace_base() != 0);
  if (ways > 1) {
    return Bad("set at most one of importance_decay, importance, importance_linspace_base");
  }
  std::vector<float> per(n, 1.0f);
  if (c.importance_decay() != 0) {
    if (!(c.importance_decay() > 0)) {
      return Bad(absl::StrCat("importance_decay must be positive, got ", c.importance_decay()));
    }
    for (int64_t i = 0; i < n; ++i) per[i] = static_cast<float>(std::pow(c.importance_decay(), i));
  } else if (c.importance_linspace_base() != 0) {
    if (!(c.importance_linspace_base() > 0)) {
      return Bad(absl::StrCat("importance_linspace_base must be positive, got ",
                              c.importance_linspace_base()));
    }
    for (int64_t i = 0; i < n; ++i) {
      const double t = n == 1 ? 0.0 : static_cast<double>(i) / static_cast<double>(n - 1);
      per[i] = static_cast<float>(std::pow(c.importance_linspace_base(), -t));
    }
  } else if (c.importance_size() > 0) {
    if (c.importance_size() == n * instances) {
      return std::vector<float>(c.importance().begin(), c.importance().end());
    }
    if (c.importance_size() != n) {
      return Bad(absl::StrCat("importance has ", c.importance_size(), " values; give n_features (",
                              n, ") or n_features x n_instances (", n * instances, ")"));
    }
    per.assign(c.importance().begin(), c.importance().end());
  }
  std::vector<float> all;
  for (int64_t j = 0; j < instances; ++j) all.insert(all.end(), per.begin(), per.end());
  return all;
}

absl::StatusOr<ToySpec> ToySpecFromConfig(const RunConfig& config) {
  if (!config.has_toy()) return Bad("the run config has no `toy { ... }` model section");
  const ToyModelConfig& c = config.toy();
  ToySpec s;
  s.n = c.n_features();
  s.m = c.n_hidden();
  s.relu = c.relu_output();
  s.instances = c.n_instances() > 0 ? c.n_instances()
                                    : std::max<int64_t>(1, c.sparsity_size());
  if (c.n_instances() < 0) return Bad(absl::StrCat("n_instances must be positive, got ", c.n_instances()));
  if (c.sparsity_size() == 0) {
    s.sparsity.assign(s.instances, 0.0f);
  } else if (c.sparsity_size() == 1) {
    s.sparsity.assign(s.instances, c.sparsity(0));
  } else if (c.sparsity_size() == s.instances) {
    s.sparsity.assign(c.sparsity().begin(), c.sparsity().end());
  } else {
    return Bad(absl::StrCat("sparsity has ", c.sparsity_size(), " values for ", s.instances,
                            " instances (give 1 or one per instance)"));
  }
  if (s.n <= 0) return Bad(absl::StrCat("n_features must be positive, got ", s.n));
  MONOSEM_ASSIGN_OR_RETURN(s.importance, ToyImportance(c, s.instances));
  const TrainConfig& t = config.train();
  if (t.steps() != 0) s.steps = t.steps();
  if (t.batch_size() != 0) s.batch = t.batch_size();
  if (t.lr() != 0) s.adam.lr = t.lr();
  if (t.beta1() != 0) s.adam.beta1 = t.beta1();
  if (t.beta2() != 0) s.adam.beta2 = t.beta2();
  if (t.eps() != 0) s.adam.eps = t.eps();
  if (t.weight_decay() != 0) s.adam.weight_decay = t.weight_decay();
  s.seed = t.seed();
  MONOSEM_RETURN_IF_ERROR(ValidateToySpec(s));
  return s;
}

void ToyBatch(const ToySpec& spec, int64_t step, Tensor* x) { FillBatch(spec, spec.seed, step, x); }

void ToyBatchFrom(const ToySpec& spec, uint64_t seed, int64_t step, Tensor* x) {
  FillBatch(spec, seed, step, x);
}

void ToyInit(const ToySpec& spec, Tensor* w, Tensor* b) {
  *w = Tensor::Uninitialized({spec.instances, spec.m, spec.n});
  *b = Tensor({spec.instances, spec.n});
  const float stddev = std::sqrt(2.0f / static_cast<float>(spec.m + spec.n));
  const int64_t per = spec.m * spec.n;
  for (int64_t j = 0; j < spec.instances; ++j) {
    const Philox rng(spec.seed, 2 * static_cast<uint64_t>(j));
    for (int64_t k = 0; k < per; ++k) (*w)[j * per + k] = stddev * rng.NormalAt(k);
  }
}

Tensor ToyImportanceTensor(const ToySpec& spec) {
  Tensor t = Tensor::Uninitialized({spec.instances, spec.n});
  for (int64_t k = 0; k < t.size(); ++k) t[k] = spec.importance[k];
  return t;
}

absl::StatusOr<ToyTrainResult> TrainToy(const ToySpec& spec, Backend& backend,
                                        ToyKernels& kernels) {
  MONOSEM_RETURN_IF_ERROR(ValidateToySpec(spec));
  ToyTrainResult r;
  ToyInit(spec, &r.w, &r.b);
  const Tensor importance = ToyImportanceTensor(spec);
  Tensor x = Tensor::Uninitialized({spec.instances, spec.batch, spec.n});
  Tensor loss({spec.instances});
  Tensor dw(r.w.shape()), db(r.b.shape());
  Tensor mw(r.w.shape()), vw(r.w.shape()), mb(r.b.shape()), vb(r.b.shape());
  size_t next_record = 0;
  std::vector<int64_t> records = spec.record_steps;
  std::sort(records.begin(), records.end());
  for (int64_t step = 1; step <= spec.steps; ++step) {
    ToyBatch(spec, step - 1, &x);
    MONOSEM_RETURN_IF_ERROR(
        kernels.ForwardBackward(spec.relu, x, r.w, r.b, importance, &loss, &dw, &db));
    for (int64_t j = 0; j < spec.instances; ++j) {
      if (!std::isfinite(loss[j])) {
        return absl::InternalError(absl::StrCat(
            "toy training: non-finite loss (", loss[j], ") at step ", step, ", instance ", j,
            " (S = ", spec.sparsity[j], ", n = ", spec.n, ", m = ", spec.m, ", lr = ",
            spec.adam.lr, ", backend ", backend.name(), ")"));
      }
    }
    while (next_record < records.size() && records[next_record] == step) {
      r.recorded_steps.push_back(step);
      r.recorded_loss.emplace_back(loss.data(), loss.data() + spec.instances);
      ++next_record;
    }
    MONOSEM_RETURN_IF_ERROR(backend.AdamW(spec.adam, step, dw, &r.w, &mw, &vw));
    MONOSEM_RETURN_IF_ERROR(backend.AdamW(spec.adam, step, db, &r.b, &mb, &vb));
  }
  r.last_loss.assign(loss.data(), loss.data() + spec.instances);
  return r;
}

absl::StatusOr<std::vector<double>> EvaluateToy(const ToySpec& spec, const Tensor& w,
                                                const Tensor& b, ToyKernels& kernels,
                                                int64_t batches) {
  const Tensor importance = ToyImportanceTensor(spec);
  Tensor x = Tensor::Uninitialized({spec.instances, spec.batch, spec.n});
  Tensor loss({spec.instances});
  std::vector<double> total(spec.instances, 0.0);
  for (int64_t k = 0; k < batches; ++k) {
    ToyBatchFrom(spec, spec.seed ^ 0x5eedULL, k, &x);
    MONOSEM_RETURN_IF_ERROR(
        kernels.ForwardBackward(spec.relu, x, w, b, importance, &loss, nullptr, nullptr));
    for (int64_t j = 0; j < spec.instances; ++j) total[j] += loss[j] / batches;
  }
  return total;
}

}  // namespace monosem
