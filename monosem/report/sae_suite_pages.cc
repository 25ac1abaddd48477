#include "monosem/report/sae_suite_pages.h"

#include <algorithm>
#include <limits>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "monosem/backend.h"
#include "monosem/models/sae/sae_io.h"
#include "monosem/models/transformer/trainer.h"
#include "monosem/report/browse.h"
#include "monosem/results.h"
#include "monosem/status.h"
#include "monosem/steering/steering_judge.h"

namespace monosem::report {

absl::StatusOr<std::vector<ResultRow>> WriteSaeSuitePages(const SaeSuitePages& in) {
  const std::string sae_dir = absl::StrCat(in.out_dir, "/sae_A_F", in.spec.f);
  MONOSEM_RETURN_IF_ERROR(sae::SaveSaeLens(sae_dir, in.spec, in.raw_params,
                                           {{"model_name", "transformer A"},
                                            {"hook_name", "mlp.post_relu"}}));
  BrowseArgs b;
  b.sae = sae_dir;
  b.transformer = in.transformer_checkpoint;
  b.corpus = in.heldout;
  b.out = in.out_dir + "/browser";
  b.contexts = in.quick ? 64 : 256;
  b.backend = in.backend;
  MONOSEM_RETURN_IF_ERROR(Browse(b));

  TransformerDims dims;
  MONOSEM_ASSIGN_OR_RETURN(NamedTensors params, LoadTransformerWeights(in.transformer_checkpoint, &dims));
  MONOSEM_ASSIGN_OR_RETURN(auto backend, BackendRegistry::Create(in.backend));
  MONOSEM_ASSIGN_OR_RETURN(Transformer model, Transformer::Create(dims, backend.get()));
  MONOSEM_ASSIGN_OR_RETURN(sae::LoadedSae sae, sae::LoadSaeLens(sae_dir));
  // A few thousand held-out bytes find the genre's feature; the SAE's codes
  // of these tokens are kept dense.
  const Corpus window = SliceCorpus(*in.heldout, 0, std::min<int64_t>(in.heldout->size(), 16384));
  steering::JudgeOptions o;
  o.backend = in.backend;
  if (in.quick) {
    o.prompts = 4;
    o.tokens = 32;
  }
  MONOSEM_ASSIGN_OR_RETURN(steering::SteeringJudgement j,
                           steering::JudgeSteering(model, params, sae, window, *in.train, o));
  const std::string note = absl::StrFormat(
      "feature %d (the best %s detector, F1 %.2f) clamped to %.3g at every MLP position where a new UTF-8 character starts; %s share "
      "of generated text %.2f steered vs %.2f unclamped (%d prompts from other genres, %d bytes "
      "each, temperature %.1f, same draws), by a byte-bigram classifier trained on the corpus "
      "labels%s; browser in browser/",
      j.feature, j.genre_name, j.feature_f1, j.value, j.genre_name, j.steered_share, j.base_share,
      o.prompts, o.tokens, o.temperature,
      in.quick ? "; report-only in quick mode (a 300-step model)" : "");
  const char* source = "Templeton et al. 2024 (steering by clamping features); Bricken et al. 2023";
  std::vector<ResultRow> rows;
  rows.push_back(MakeRow("sae", absl::StrCat("steering_genre_share_gain[A,F=", in.spec.f, "]"),
                         j.steered_share - j.base_share, in.quick ? REPORT_ONLY : AT_LEAST,
                         in.quick ? std::numeric_limits<double>::quiet_NaN() : 0.1, 0, source,
                         note));
  return rows;
}

}  // namespace monosem::report
