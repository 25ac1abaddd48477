#include "monosem/steering/steering_judge.h"

#include <algorithm>
#include <memory>

#include "absl/strings/str_cat.h"
#include "monosem/backend.h"
#include "monosem/status.h"
#include "monosem/steering/genre_classifier.h"
#include "monosem/steering/steering.h"

namespace monosem::steering {
namespace {

// Per feature: how often it fires, its largest activation, and how often it
// fires on each genre's tokens, accumulated window by window so that no
// [tokens, F] matrix is kept.
struct FeatureCounts {
  std::vector<int64_t> fired;
  std::vector<float> max_act;
  std::vector<std::vector<int64_t>> hits;  // [genre][feature]
  std::vector<int64_t> genre_tokens;
  int64_t tokens = 0;
};

absl::StatusOr<FeatureCounts> CountFeatures(const Transformer& model, const NamedTensors& params,
                                            const sae::LoadedSae& sae, sae::SaeKernels* kernels,
                                            const Corpus& text) {
  const int64_t ctx = std::min<int64_t>(model.dims().n_ctx, text.size());
  const int64_t windows = text.size() / ctx, f = sae.spec.f;
  const size_t g_count = text.labels.names.size();
  FeatureCounts c;
  c.fired.assign(f, 0);
  c.max_act.assign(f, 0.0f);
  c.hits.assign(g_count, std::vector<int64_t>(f, 0));
  c.genre_tokens.assign(g_count, 0);
  c.tokens = windows * ctx;
  ForwardCache cache;
  sae::SaeCodes codes;
  Tensor x_hat;
  for (int64_t w = 0; w < windows; ++w) {
    TokenBatch b;
    b.batch = 1;
    b.ctx = ctx;
    for (int64_t i = w * ctx; i < (w + 1) * ctx; ++i) {
      b.inputs.push_back(text.bytes[i]);
      b.targets.push_back(i + 1 < text.size() ? text.bytes[i + 1] : 0);
    }
    MlpHook count = [&](const TokenBatch&, Tensor* acts) {
      EnsureShape(&x_hat, acts->shape());
      MONOSEM_RETURN_IF_ERROR(kernels->Forward(sae.spec, sae.params, *acts, &codes, &x_hat));
      const Tensor dense = codes.ToDense();
      for (int64_t r = 0; r < ctx; ++r) {
        const LabelId g = text.label[w * ctx + r];
        ++c.genre_tokens[g];
        for (int64_t i = 0; i < f; ++i) {
          const float v = dense.data()[r * f + i];
          if (v > 0) {
            ++c.fired[i];
            ++c.hits[g][i];
            c.max_act[i] = std::max(c.max_act[i], v);
          }
        }
      }
      return absl::OkStatus();
    };
    MONOSEM_RETURN_IF_ERROR(model.Forward(params, b, &cache, &count));
  }
  return c;
}

}  // namespace

absl::StatusOr<SteeringJudgement> JudgeSteering(const Transformer& model,
                                                const NamedTensors& params,
                                                const sae::LoadedSae& sae, const Corpus& heldout_leaves,
                                                const Corpus& train, const JudgeOptions& o) {
  // Genres are top-level labels, as in the classifier (GenreClassifier::Train).
  const Corpus heldout = TopLevelCorpus(heldout_leaves);
  MONOSEM_ASSIGN_OR_RETURN(auto kernels, sae::SaeKernelRegistry::Create(BackendRegistry::Create(o.backend)));
  MONOSEM_ASSIGN_OR_RETURN(GenreClassifier classifier, GenreClassifier::Train(train));
  MONOSEM_ASSIGN_OR_RETURN(FeatureCounts c, CountFeatures(model, params, sae, kernels.get(), heldout));
  const int64_t f = sae.spec.f, tokens = c.tokens;
  const int g_count = heldout.labels.size();

  // The (genre, feature) pair with the best F1 of "feature fires" as a
  // detector of "this byte is in the genre".
  SteeringJudgement j;
  for (int g = 1; g < g_count; ++g) {
    if (c.genre_tokens[g] < o.min_genre_tokens) continue;
    for (int64_t i = 0; i < f; ++i) {
      if (c.fired[i] == 0) continue;
      const double f1 = 2.0 * c.hits[g][i] / (c.fired[i] + c.genre_tokens[g]);
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
  j.genre_name = heldout.labels.names[j.genre];
  j.value = o.clamp_multiple * c.max_act[j.feature];

  // Prompts: the starts of held-out runs of other genres.
  std::vector<std::string> prompts;
  for (int64_t t = 0; t + o.prompt_bytes <= tokens && static_cast<int>(prompts.size()) < o.prompts;
       t += o.prompt_bytes) {
    bool other = true;
    for (int64_t k = t; k < t + o.prompt_bytes; ++k) other &= heldout.label[k] != j.genre;
    if (!other) continue;
    prompts.emplace_back(reinterpret_cast<const char*>(heldout.bytes.data()) + t, o.prompt_bytes);
    t += 8 * o.prompt_bytes;  // spread the prompts over the text
  }
  if (prompts.empty()) return absl::FailedPreconditionError("steering: no held-out prompt outside the genre");
  const float value = j.value;
  MONOSEM_ASSIGN_OR_RETURN(MlpHook hook, ClampHook(sae, kernels.get(), j.feature,
                                                   [value](float) { return value; }, o.positions));
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
