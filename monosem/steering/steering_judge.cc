#include "monosem/steering/steering_judge.h"

#include <algorithm>
#include <memory>

#include "absl/strings/str_cat.h"
#include "monosem/status.h"
#include "monosem/steering/genre_classifier.h"
#include "monosem/steering/steering.h"

namespace monosem::steering {
namespace {

// SAE codes of the held-out text, dense [tokens, F]: the caller keeps the
// text to a few thousand bytes (4,096 features x 4,096 tokens is 64 MB).
absl::StatusOr<std::vector<float>> HeldoutCodes(const Transformer& model, const NamedTensors& params,
                                                const sae::LoadedSae& sae, sae::SaeKernels* kernels,
                                                const Corpus& text, int64_t* tokens) {
  const int64_t ctx = std::min<int64_t>(model.dims().n_ctx, text.size());
  const int64_t windows = text.size() / ctx, f = sae.spec.f;
  *tokens = windows * ctx;
  std::vector<float> codes(*tokens * f, 0.0f);
  ForwardCache cache;
  sae::SaeCodes c;
  Tensor x_hat;
  for (int64_t w = 0; w < windows; ++w) {
    TokenBatch b;
    b.batch = 1;
    b.ctx = ctx;
    for (int64_t i = w * ctx; i < (w + 1) * ctx; ++i) {
      b.inputs.push_back(text.bytes[i]);
      b.targets.push_back(i + 1 < text.size() ? text.bytes[i + 1] : 0);
    }
    MlpHook encode = [&](const TokenBatch&, Tensor* acts) {
      EnsureShape(&x_hat, acts->shape());
      MONOSEM_RETURN_IF_ERROR(kernels->Forward(sae.spec, sae.params, *acts, &c, &x_hat));
      const Tensor dense = c.ToDense();
      std::copy(dense.data(), dense.data() + ctx * f, codes.data() + w * ctx * f);
      return absl::OkStatus();
    };
    MONOSEM_RETURN_IF_ERROR(model.Forward(params, b, &cache, &encode));
  }
  return codes;
}

}  // namespace

absl::StatusOr<SteeringJudgement> JudgeSteering(const Transformer& model,
                                                const NamedTensors& params,
                                                const sae::LoadedSae& sae, const Corpus& heldout,
                                                const Corpus& train, const JudgeOptions& o) {
  MONOSEM_ASSIGN_OR_RETURN(auto kernels, sae::SaeKernelRegistry::Create(o.backend));
  MONOSEM_ASSIGN_OR_RETURN(GenreClassifier classifier, GenreClassifier::Train(train));
  int64_t tokens = 0;
  MONOSEM_ASSIGN_OR_RETURN(std::vector<float> codes,
                           HeldoutCodes(model, params, sae, kernels.get(), heldout, &tokens));
  const int64_t f = sae.spec.f;
  const int g_count = static_cast<int>(heldout.genre_names.size());
  std::vector<int64_t> genre_tokens(g_count, 0);
  for (int64_t t = 0; t < tokens; ++t) ++genre_tokens[heldout.genre[t]];

  // The (genre, feature) pair with the best F1 of "feature fires" as a
  // detector of "this byte is in the genre".
  SteeringJudgement j;
  std::vector<int64_t> fired(f, 0);
  std::vector<float> max_act(f, 0.0f);
  for (int64_t t = 0; t < tokens; ++t) {
    for (int64_t i = 0; i < f; ++i) {
      const float v = codes[t * f + i];
      if (v > 0) {
        ++fired[i];
        max_act[i] = std::max(max_act[i], v);
      }
    }
  }
  for (int g = 1; g < g_count; ++g) {
    if (genre_tokens[g] < o.min_genre_tokens) continue;
    std::vector<int64_t> hit(f, 0);
    for (int64_t t = 0; t < tokens; ++t) {
      if (heldout.genre[t] != g) continue;
      for (int64_t i = 0; i < f; ++i) hit[i] += codes[t * f + i] > 0;
    }
    for (int64_t i = 0; i < f; ++i) {
      if (fired[i] == 0) continue;
      const double f1 = 2.0 * hit[i] / (fired[i] + genre_tokens[g]);
      if (f1 > j.feature_f1) {
        j.feature_f1 = f1;
        j.genre = g;
        j.feature = i;
      }
    }
  }
  if (j.genre < 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "steering: no genre has ", o.min_genre_tokens, " held-out tokens and a feature that fires on it"));
  }
  j.genre_name = heldout.genre_names[j.genre];
  j.value = o.clamp_multiple * max_act[j.feature];

  // Prompts: the starts of held-out runs of other genres.
  std::vector<std::string> prompts;
  for (int64_t t = 0; t + o.prompt_bytes <= tokens && static_cast<int>(prompts.size()) < o.prompts;
       t += o.prompt_bytes) {
    bool other = true;
    for (int64_t k = t; k < t + o.prompt_bytes; ++k) other &= heldout.genre[k] != j.genre;
    if (!other) continue;
    prompts.emplace_back(reinterpret_cast<const char*>(heldout.bytes.data()) + t, o.prompt_bytes);
    t += 8 * o.prompt_bytes;  // spread the prompts over the text
  }
  if (prompts.empty()) return absl::FailedPreconditionError("steering: no held-out prompt outside the genre");
  const float value = j.value;
  MONOSEM_ASSIGN_OR_RETURN(MlpHook hook, ClampHook(sae, kernels.get(), j.feature,
                                                   [value](float) { return value; }));
  double base = 0, steered = 0;
  for (size_t p = 0; p < prompts.size(); ++p) {
    GenerateOptions g;
    g.tokens = o.tokens;
    g.temperature = o.temperature;
    g.seed = o.seed + p;
    MONOSEM_ASSIGN_OR_RETURN(Generation b, Generate(model, params, prompts[p], g));
    MONOSEM_ASSIGN_OR_RETURN(Generation s, Generate(model, params, prompts[p], g, &hook));
    base += classifier.Share(b.text, j.genre);
    steered += classifier.Share(s.text, j.genre);
    if (p == 0) {
      j.base_sample = b.text;
      j.steered_sample = s.text;
    }
  }
  j.base_share = base / prompts.size();
  j.steered_share = steered / prompts.size();
  return j;
}

}  // namespace monosem::steering
