#include "monosem/suites/transformer/transformer_evaluation.h"

#include <algorithm>
#include <filesystem>
#include <memory>

#include "absl/strings/str_cat.h"
#include "monosem/data/activation_store.h"
#include "monosem/models/transformer/trainer.h"
#include "monosem/status.h"
#include "monosem/suites/transformer/corpus_windows.h"

namespace monosem {

absl::StatusOr<Evaluation> Evaluate(const Transformer& model, const NamedTensors& params,
                                    const Corpus& c, const std::vector<int64_t>& starts,
                                    int64_t stats_windows, int64_t eval_batch) {
  const int64_t ctx = model.dims().n_ctx, d_mlp = model.dims().d_mlp;
  const int n_genres = c.labels.size();
  Evaluation e;
  e.genre_loss_sum.assign(n_genres, 0.0);
  e.genre_tokens.assign(n_genres, 0);
  double sum = 0;
  ForwardCache cache;
  std::vector<int32_t> ids;
  std::vector<LabelId> genres;
  for (size_t at = 0; at < starts.size(); at += eval_batch) {
    const int64_t b = std::min<int64_t>(eval_batch, starts.size() - at);
    GatherWindows(c, absl::MakeConstSpan(starts).subspan(at, b), ctx + 1, &ids, &genres);
    MONOSEM_ASSIGN_OR_RETURN(TokenBatch batch, NextTokenBatch(ids, b, ctx));
    MONOSEM_RETURN_IF_ERROR(model.Forward(params, batch, &cache));
    for (int64_t r = 0; r < b; ++r) {
      for (int64_t j = 0; j < ctx; ++j) {
        const double l = cache.losses[r * ctx + j];
        sum += l;
        const LabelId tg = c.label[starts[at + r] + j + 1];
        e.genre_loss_sum[tg] += l;
        ++e.genre_tokens[tg];
      }
    }
    e.tokens += b * ctx;
    const int64_t keep = std::min<int64_t>(b, stats_windows - static_cast<int64_t>(at));
    if (keep > 0) {
      e.stats_acts.insert(e.stats_acts.end(), cache.acts.data(),
                          cache.acts.data() + keep * ctx * d_mlp);
      e.stats_genres.insert(e.stats_genres.end(), genres.begin(), genres.begin() + keep * ctx);
    }
  }
  e.loss = sum / std::max<int64_t>(1, e.tokens);
  return e;
}

void CollapseToGenres(const std::vector<LabelId>& to_top, int n_top, Evaluation* e) {
  std::vector<double> loss(n_top, 0.0);
  std::vector<int64_t> tokens(n_top, 0);
  for (size_t g = 0; g < e->genre_tokens.size() && g < to_top.size(); ++g) {
    loss[to_top[g]] += e->genre_loss_sum[g];
    tokens[to_top[g]] += e->genre_tokens[g];
  }
  e->genre_loss_sum = std::move(loss);
  e->genre_tokens = std::move(tokens);
  for (LabelId& g : e->stats_genres) g = g < to_top.size() ? to_top[g] : 0;
}

absl::StatusOr<int64_t> Harvest(const Transformer& model, const NamedTensors& params,
                                const Corpus& train, const std::vector<int64_t>& starts,
                                int32_t per_context, int64_t eval_batch, const std::string& dir,
                                const std::string& hash, const std::string& config_text,
                                bool bf16) {
  namespace fs = std::filesystem;
  const int64_t ctx = model.dims().n_ctx;
  const std::string partial = dir + ".partial";
  std::error_code ec;
  fs::remove_all(partial, ec);
  ActivationStoreOptions o;
  o.dir = partial;
  o.d = model.dims().d_mlp;
  o.dtype = bf16 ? ActivationDtype::kBf16 : ActivationDtype::kFloat32;
  o.checkpoint_hash = hash;
  o.config_text = config_text;
  o.labels = train.labels;
  MONOSEM_ASSIGN_OR_RETURN(std::unique_ptr<ActivationStoreWriter> w,
                           ActivationStoreWriter::Create(o));
  ForwardCache cache;
  std::vector<int32_t> ids;
  std::vector<LabelId> genres;
  for (size_t at = 0; at < starts.size(); at += eval_batch) {
    const int64_t b = std::min<int64_t>(eval_batch, starts.size() - at);
    GatherWindows(train, absl::MakeConstSpan(starts).subspan(at, b), ctx + 1, &ids, &genres);
    MONOSEM_ASSIGN_OR_RETURN(TokenBatch batch, NextTokenBatch(ids, b, ctx));
    MONOSEM_RETURN_IF_ERROR(model.Forward(params, batch, &cache));
    MONOSEM_RETURN_IF_ERROR(AppendSampledActivations(w.get(), cache.acts, b, ctx, batch.inputs,
                                                     genres, static_cast<int64_t>(at),
                                                     per_context, kHarvestSeed));
  }
  MONOSEM_RETURN_IF_ERROR(w->Finish());
  const int64_t n = w->size();
  w.reset();
  fs::remove_all(dir, ec);
  fs::rename(partial, dir, ec);
  if (ec) {
    return absl::InternalError(
        absl::StrCat("cannot rename ", partial, " to ", dir, ": ", ec.message()));
  }
  return n;
}

}  // namespace monosem
