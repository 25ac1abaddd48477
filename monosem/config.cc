#include "monosem/config.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "absl/strings/str_cat.h"
#include "monosem/io/file_io.h"
#include "monosem/io/memory_bound.h"
#include "monosem/status.h"
#include "monosem/textproto.h"

namespace monosem {
namespace {

// Range checks that all produce "FILE: FIELD is VALUE; allowed: RANGE".
class Checker {
 public:
  explicit Checker(const std::string& file) : file_(file) {}

  absl::Status Bad(const std::string& field, const std::string& value, const std::string& allowed) const {
    return absl::InvalidArgumentError(
        absl::StrCat(file_, ": ", field, " is ", value, "; allowed: ", allowed));
  }
  absl::Status IntAtLeast(const std::string& field, int64_t v, int64_t lo) const {
    if (v >= lo) return absl::OkStatus();
    return Bad(field, absl::StrCat(v), absl::StrCat("an integer >= ", lo, " (leave it out for the default)"));
  }
  absl::Status IntIn(const std::string& field, int64_t v, int64_t lo, int64_t hi) const {
    if (v >= lo && v <= hi) return absl::OkStatus();
    return Bad(field, absl::StrCat(v), absl::StrCat("an integer in [", lo, ", ", hi, "] (leave it out for the default)"));
  }
  // lo < v (or lo <= v with closed_lo) and v < hi (or v <= hi), v finite.
  absl::Status Real(const std::string& field, double v, double lo, bool closed_lo, double hi,
                    bool closed_hi) const {
    const bool ok = std::isfinite(v) && (closed_lo ? v >= lo : v > lo) && (closed_hi ? v <= hi : v < hi);
    if (ok) return absl::OkStatus();
    std::string range = std::isinf(hi) ? absl::StrCat("finite and ", closed_lo ? ">= " : "> ", lo)
                                       : absl::StrCat("in ", closed_lo ? "[" : "(", lo, ", ", hi,
                                                      closed_hi ? "]" : ")");
    return Bad(field, absl::StrCat(v), range);
  }
  absl::Status Error(const std::string& what) const {
    return absl::InvalidArgumentError(absl::StrCat(file_, ": ", what));
  }
  absl::Status Memory(double bytes, const std::string& what) const {
    return CheckMemoryEstimate(bytes, absl::StrCat(file_, ": ", what));
  }

 private:
  const std::string& file_;
};

constexpr double kInf = INFINITY;

// A size for a message: whole, never 2.14748e+09.
std::string Int(double v) { return absl::StrCat(static_cast<int64_t>(v)); }

absl::Status ValidateTrain(const Checker& c, const TrainConfig& t) {
  if (t.has_steps()) MONOSEM_RETURN_IF_ERROR(c.IntAtLeast("train.steps", t.steps(), 1));
  if (t.has_batch_size()) MONOSEM_RETURN_IF_ERROR(c.IntAtLeast("train.batch_size", t.batch_size(), 1));
  if (t.has_lr()) MONOSEM_RETURN_IF_ERROR(c.Real("train.lr", t.lr(), 0, false, kInf, false));
  if (t.has_beta1()) MONOSEM_RETURN_IF_ERROR(c.Real("train.beta1", t.beta1(), 0, true, 1, false));
  if (t.has_beta2()) MONOSEM_RETURN_IF_ERROR(c.Real("train.beta2", t.beta2(), 0, true, 1, false));
  if (t.has_eps()) MONOSEM_RETURN_IF_ERROR(c.Real("train.eps", t.eps(), 0, false, kInf, false));
  if (t.has_weight_decay()) {
    MONOSEM_RETURN_IF_ERROR(c.Real("train.weight_decay", t.weight_decay(), 0, true, kInf, false));
  }
  if (t.has_warmup_steps()) MONOSEM_RETURN_IF_ERROR(c.IntAtLeast("train.warmup_steps", t.warmup_steps(), 0));
  if (t.has_grad_clip()) MONOSEM_RETURN_IF_ERROR(c.Real("train.grad_clip", t.grad_clip(), 0, true, kInf, false));
  if (t.has_min_lr_fraction()) {
    MONOSEM_RETURN_IF_ERROR(c.Real("train.min_lr_fraction", t.min_lr_fraction(), 0, true, 1, true));
  }
  return absl::OkStatus();
}

absl::Status ValidateToy(const Checker& c, const ToyModelConfig& t, const TrainConfig& train) {
  if (t.has_n_features()) MONOSEM_RETURN_IF_ERROR(c.IntAtLeast("toy.n_features", t.n_features(), 1));
  if (t.has_n_hidden()) MONOSEM_RETURN_IF_ERROR(c.IntAtLeast("toy.n_hidden", t.n_hidden(), 1));
  if (t.has_n_features() && t.has_n_hidden() && t.n_hidden() > t.n_features()) {
    return c.Bad("toy.n_hidden", absl::StrCat(t.n_hidden()),
                 absl::StrCat("at most toy.n_features (", t.n_features(), ")"));
  }
  if (t.has_n_instances()) MONOSEM_RETURN_IF_ERROR(c.IntAtLeast("toy.n_instances", t.n_instances(), 1));
  if (t.has_importance_decay()) {
    MONOSEM_RETURN_IF_ERROR(c.Real("toy.importance_decay", t.importance_decay(), 0, false, kInf, false));
  }
  if (t.has_importance_linspace_base()) {
    MONOSEM_RETURN_IF_ERROR(
        c.Real("toy.importance_linspace_base", t.importance_linspace_base(), 0, false, kInf, false));
  }
  const int specs = t.has_importance_decay() + t.has_importance_linspace_base() + (t.importance_size() > 0);
  if (specs > 1) {
    return c.Bad("toy importance", absl::StrCat(specs, " specifications"),
                 "at most one of importance_decay, importance_linspace_base, importance");
  }
  for (int i = 0; i < t.importance_size(); ++i) {
    MONOSEM_RETURN_IF_ERROR(
        c.Real(absl::StrCat("toy.importance[", i, "]"), t.importance(i), 0, true, kInf, false));
  }
  for (int i = 0; i < t.sparsity_size(); ++i) {
    MONOSEM_RETURN_IF_ERROR(c.Real(absl::StrCat("toy.sparsity[", i, "]"), t.sparsity(i), 0, true, 1, true));
  }
  if (t.has_n_instances() && t.sparsity_size() > 1 && t.sparsity_size() != t.n_instances()) {
    return c.Bad("the number of toy.sparsity values", absl::StrCat(t.sparsity_size()),
                 absl::StrCat("1 (every instance) or toy.n_instances (", t.n_instances(), ")"));
  }
  // The toy model trains with Adam at a constant rate: say so rather than
  // ignore the schedule fields.
  for (const auto& [field, set] : {std::pair<const char*, bool>{"warmup_steps", train.has_warmup_steps()},
                                   {"grad_clip", train.has_grad_clip()},
                                   {"min_lr_fraction", train.has_min_lr_fraction()}}) {
    if (set) {
      return c.Error(absl::StrCat(
          "train.", field, " is not used by the toy model (Adam at a constant learning rate); remove it"));
    }
  }
  // W, its gradient and Adam's two moments per instance, plus the batch and
  // its reconstruction (the toy model's default batch is 1024).
  const double n = t.n_features(), m = t.has_n_hidden() ? t.n_hidden() : 1;
  const double inst = t.has_n_instances() ? t.n_instances() : std::max(1, t.sparsity_size());
  const double batch = train.has_batch_size() ? train.batch_size() : 1024;
  return c.Memory(4.0 * inst * (4 * m * n + 3 * batch * n),
                  absl::StrCat("toy model (", Int(n), " features, ", Int(m), " hidden, ", Int(inst),
                               " instances, batch ", Int(batch), ")"));
}

absl::Status ValidateTransformer(const Checker& c, const TransformerConfig& t, const TrainConfig& train) {
  // The upper bounds are the model's own (TransformerDims::Validate).
  if (t.has_d_model()) MONOSEM_RETURN_IF_ERROR(c.IntIn("transformer.d_model", t.d_model(), 1, 1 << 16));
  if (t.has_n_heads()) MONOSEM_RETURN_IF_ERROR(c.IntAtLeast("transformer.n_heads", t.n_heads(), 1));
  if (t.has_n_ctx()) MONOSEM_RETURN_IF_ERROR(c.IntIn("transformer.n_ctx", t.n_ctx(), 1, 1 << 16));
  if (t.has_d_mlp()) MONOSEM_RETURN_IF_ERROR(c.IntIn("transformer.d_mlp", t.d_mlp(), 1, 1 << 20));
  if (t.has_vocab()) MONOSEM_RETURN_IF_ERROR(c.IntIn("transformer.vocab", t.vocab(), 1, 1 << 24));
  if (t.has_d_model() && t.has_n_heads() && t.d_model() % t.n_heads() != 0) {
    return c.Bad("transformer.d_model", absl::StrCat(t.d_model()),
                 absl::StrCat("a multiple of transformer.n_heads (", t.n_heads(), ")"));
  }
  // Parameters with gradient and Adam moments, then one batch's
  // activations (residual stream and attention scores); unset sizes count 1.
  const double d = t.has_d_model() ? t.d_model() : 1, ctx = t.has_n_ctx() ? t.n_ctx() : 1;
  const double mlp = t.has_d_mlp() ? t.d_mlp() : 1, vocab = t.has_vocab() ? t.vocab() : 1;
  const double heads = t.has_n_heads() ? t.n_heads() : 1;
  const double batch = train.has_batch_size() ? train.batch_size() : 1;
  const double params = 2 * vocab * d + ctx * d + 4 * d * d + 2 * d * mlp;
  const double acts = batch * ctx * (12 * d + 2 * mlp + 2 * vocab) + 2 * batch * heads * ctx * ctx;
  return c.Memory(4.0 * (4 * params + acts),
                  absl::StrCat("transformer (d_model ", Int(d), ", n_ctx ", Int(ctx), ", d_mlp ", Int(mlp),
                               ", vocab ", Int(vocab), ", batch ", Int(batch), ")"));
}

absl::Status ValidateSae(const Checker& c, const SaeConfig& s, const TrainConfig& train) {
  // 0 is "unset" here only for the sae suite's partial overrides; `sae
  // train` refuses it (SpecFromConfig).
  MONOSEM_RETURN_IF_ERROR(c.IntAtLeast("sae.d_in", s.d_in(), 0));
  MONOSEM_RETURN_IF_ERROR(c.IntAtLeast("sae.d_sae", s.d_sae(), 0));
  MONOSEM_RETURN_IF_ERROR(c.IntAtLeast("sae.k", s.k(), 0));
  MONOSEM_RETURN_IF_ERROR(c.IntAtLeast("sae.k_aux", s.k_aux(), 0));
  MONOSEM_RETURN_IF_ERROR(c.IntAtLeast("sae.dead_tokens", s.dead_tokens(), 0));
  MONOSEM_RETURN_IF_ERROR(c.Real("sae.l1_coefficient", s.l1_coefficient(), 0, true, kInf, false));
  MONOSEM_RETURN_IF_ERROR(c.Real("sae.aux_coefficient", s.aux_coefficient(), 0, true, kInf, false));
  MONOSEM_RETURN_IF_ERROR(c.Real("sae.jumprelu_bandwidth", s.jumprelu_bandwidth(), 0, true, kInf, false));
  // Encoder and decoder with gradients and Adam moments, then one batch's
  // inputs, latents and reconstruction (the SAE trainer's default batch is
  // 1024).
  const double d = std::max(1, s.d_in()), f = std::max(1, s.d_sae());
  const double batch = train.has_batch_size() ? train.batch_size() : 1024;
  return c.Memory(4.0 * (4 * (2 * d * f + d + f) + batch * (3 * f + 3 * d)),
                  absl::StrCat("sae (d_in ", Int(d), ", d_sae ", Int(f), ", batch ", Int(batch), ")"));
}

absl::Status ValidateData(const Checker& c, const DataConfig& d) {
  if (d.has_n_train()) MONOSEM_RETURN_IF_ERROR(c.IntAtLeast("data.n_train", d.n_train(), 1));
  if (d.has_n_eval()) MONOSEM_RETURN_IF_ERROR(c.IntAtLeast("data.n_eval", d.n_eval(), 1));
  if (d.has_brown_share()) MONOSEM_RETURN_IF_ERROR(c.Real("data.brown_share", d.brown_share(), 0, true, 1, true));
  const CorpusConfig& k = d.corpus();
  MONOSEM_RETURN_IF_ERROR(c.IntAtLeast("data.corpus.doc_bytes_min", k.doc_bytes_min(), 0));
  MONOSEM_RETURN_IF_ERROR(c.IntAtLeast("data.corpus.doc_bytes_max", k.doc_bytes_max(), 0));
  if (k.doc_bytes_max() > 0 && k.doc_bytes_min() > k.doc_bytes_max()) {
    return c.Bad("data.corpus.doc_bytes_min", absl::StrCat(k.doc_bytes_min()),
                 absl::StrCat("at most data.corpus.doc_bytes_max (", k.doc_bytes_max(), ")"));
  }
  MONOSEM_RETURN_IF_ERROR(c.IntAtLeast("data.corpus.vocab_size", k.vocab_size(), 0));
  MONOSEM_RETURN_IF_ERROR(c.Real("data.corpus.zipf_exponent", k.zipf_exponent(), 0, true, kInf, false));
  if (k.has_leaf_zipf_exponent()) {
    MONOSEM_RETURN_IF_ERROR(
        c.Real("data.corpus.leaf_zipf_exponent", k.leaf_zipf_exponent(), 0, true, kInf, false));
  }
  for (int i = 0; i < k.genres_size(); ++i) {
    MONOSEM_RETURN_IF_ERROR(c.Real(absl::StrCat("data.corpus.genres[", i, "].weight"), k.genres(i).weight(),
                                   0, true, kInf, false));
  }
  for (int i = 0; i < k.leaves_size(); ++i) {
    MONOSEM_RETURN_IF_ERROR(c.Real(absl::StrCat("data.corpus.leaves[", i, "].weight"), k.leaves(i).weight(),
                                   0, true, kInf, false));
  }
  // The corpus is generated in memory: its bytes plus a label per document
  // at least.
  const double bytes = static_cast<double>(d.n_train()) + static_cast<double>(d.n_eval());
  return c.Memory(bytes, absl::StrCat("data (n_train ", d.n_train(), " + n_eval ", d.n_eval(),
                                      " bytes of corpus)"));
}

}  // namespace

absl::StatusOr<RunConfig> ParseRunConfig(const std::string& text, const std::string& filename) {
  RunConfig config;
  MONOSEM_RETURN_IF_ERROR(ParseTextProto(text, filename, &config));
  return config;
}

absl::Status ValidateRunConfig(const RunConfig& config, const std::string& filename) {
  const Checker c(filename);
  MONOSEM_RETURN_IF_ERROR(ValidateTrain(c, config.train()));
  if (config.has_toy()) MONOSEM_RETURN_IF_ERROR(ValidateToy(c, config.toy(), config.train()));
  if (config.has_transformer()) {
    MONOSEM_RETURN_IF_ERROR(ValidateTransformer(c, config.transformer(), config.train()));
  }
  if (config.has_sae()) MONOSEM_RETURN_IF_ERROR(ValidateSae(c, config.sae(), config.train()));
  return ValidateData(c, config.data());
}

absl::StatusOr<RunConfig> LoadRunConfig(const std::string& path) {
  MONOSEM_ASSIGN_OR_RETURN(std::string text, ReadFileBounded(path, kMaxConfigBytes));
  MONOSEM_ASSIGN_OR_RETURN(RunConfig config, ParseRunConfig(text, path));
  MONOSEM_RETURN_IF_ERROR(ValidateRunConfig(config, path));
  return config;
}

}  // namespace monosem
