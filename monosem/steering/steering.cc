#include "monosem/steering/steering.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "monosem/data/utf8.h"
#include "monosem/philox.h"
#include "monosem/status.h"

namespace monosem::steering {

absl::StatusOr<ClampPositions> ParseClampPositions(const std::string& name) {
  if (name == "every") return ClampPositions::kEvery;
  if (name == "char_starts") return ClampPositions::kCharacterStarts;
  return absl::InvalidArgumentError(
      absl::StrCat("steering: clamp positions \"", name, "\" is not one of every, char_starts"));
}

absl::StatusOr<MlpHook> ClampHook(const sae::LoadedSae& sae, sae::SaeKernels* kernels,
                                  int64_t feature, ClampFn value, ClampPositions positions) {
  const int64_t f = sae.spec.f;
  if (feature < 0 || feature >= f) {
    return absl::OutOfRangeError(absl::StrCat("feature ", feature, " is outside the SAE's ", f,
                                              " features (valid: 0..", f - 1, ")"));
  }
  const int64_t d = sae.spec.d;
  auto codes = std::make_shared<sae::SaeCodes>();
  auto x_hat = std::make_shared<Tensor>();
  return MlpHook([&sae, kernels, feature, value, positions, d, codes, x_hat](
                     const TokenBatch& batch, Tensor* acts) -> absl::Status {
    if (acts->shape().size() != 2 || acts->shape()[1] != d) {
      return absl::InvalidArgumentError(
          absl::StrCat("steering: the MLP has ", acts->shape().back(), " neurons, the SAE reads ", d));
    }
    EnsureShape(x_hat.get(), acts->shape());
    MONOSEM_RETURN_IF_ERROR(kernels->Forward(sae.spec, sae.params, *acts, codes.get(), x_hat.get()));
    const int64_t rows = acts->shape()[0];
    const float* dir = sae.params.w_dec.data() + feature * d;
    std::vector<bool> clamp(rows, true);
    if (positions == ClampPositions::kCharacterStarts) {
      if (static_cast<int64_t>(batch.inputs.size()) != rows || batch.ctx <= 0) {
        return absl::InvalidArgumentError(absl::StrCat("steering: the MLP has ", rows,
                                                       " rows for a batch of ", batch.inputs.size(),
                                                       " bytes"));
      }
      // Character boundaries are found within each sequence of the batch.
      for (int64_t s0 = 0; s0 < rows; s0 += batch.ctx) {
        const int64_t len = std::min<int64_t>(batch.ctx, rows - s0);
        const std::vector<bool> ends =
            CharacterEnds(absl::MakeConstSpan(batch.inputs.data() + s0, len));
        for (int64_t r = 0; r < len; ++r) clamp[s0 + r] = ends[r];
      }
    }
    for (int64_t r = 0; r < rows; ++r) {
      if (!clamp[r]) continue;
      float own = 0;
      if (codes->sparse) {
        for (int64_t k = codes->row_ptr[r]; k < codes->row_ptr[r + 1]; ++k) {
          if (codes->idx[k] == feature) own = codes->val[k];
        }
      } else {
        own = codes->dense.data()[r * codes->f + feature];
      }
      const float delta = value(own) - own;
      // Exactly zero: leave the row's bits alone (adding -0.0 could flip a
      // +0.0 activation's sign bit).
      if (delta == 0) continue;
      float* x = acts->data() + r * d;
      for (int64_t j = 0; j < d; ++j) x[j] += delta * dir[j];
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<Generation> Generate(const Transformer& model, const NamedTensors& params,
                                    const std::string& prompt, const GenerateOptions& o,
                                    const MlpHook* hook) {
  if (prompt.empty()) return absl::InvalidArgumentError("steering: the prompt is empty");
  if (o.tokens < 0) return absl::InvalidArgumentError("steering: --tokens must be >= 0");
  const int64_t n_ctx = model.dims().n_ctx, vocab = model.dims().vocab;
  std::string all = prompt;
  Generation g;
  ForwardCache cache;
  const Philox rng(o.seed, 0);
  for (int64_t step = 0; step < o.tokens; ++step) {
    const int64_t ctx = std::min<int64_t>(n_ctx, all.size());
    TokenBatch batch;
    batch.batch = 1;
    batch.ctx = ctx;
    for (int64_t i = 0; i < ctx; ++i) {
      batch.inputs.push_back(static_cast<uint8_t>(all[all.size() - ctx + i]));
    }
    for (int32_t& t : batch.inputs) {
      if (t >= vocab) return absl::InvalidArgumentError(absl::StrCat("steering: byte ", t, " is outside the model's vocabulary of ", vocab));
    }
    // Targets only feed the loss, which generation ignores.
    batch.targets = batch.inputs;
    MONOSEM_RETURN_IF_ERROR(model.Forward(params, batch, &cache, hook));
    const float* logits = cache.logits.data() + (ctx - 1) * vocab;
    g.logits.insert(g.logits.end(), logits, logits + vocab);
    int next = 0;
    if (o.temperature <= 0) {
      next = static_cast<int>(std::max_element(logits, logits + vocab) - logits);
    } else {
      const float mx = *std::max_element(logits, logits + vocab);
      std::vector<double> p(vocab);
      double sum = 0;
      for (int64_t v = 0; v < vocab; ++v) sum += p[v] = std::exp((logits[v] - mx) / o.temperature);
      double u = rng.UniformAt(step) * sum;
      next = static_cast<int>(vocab - 1);
      for (int64_t v = 0; v < vocab; ++v) {
        if ((u -= p[v]) < 0) {
          next = static_cast<int>(v);
          break;
        }
      }
    }
    g.text.push_back(static_cast<char>(next));
    all.push_back(static_cast<char>(next));
  }
  return g;
}

}  // namespace monosem::steering
