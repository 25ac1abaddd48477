// The "embeddings" suite: "Exploring Polysemantic Universality with
// Embeddings" (Williams 2024). word2vec skip-gram (gensim 4's defaults) on the
// notebook's minimal corpora, then on the Brown corpus at 3/40/50/60
// dimensions and on WordNet's glosses: dimension words (approach 3) and
// difference vectors (approach 2) across models and corpora, and SAE features
// against basis directions. Figure data go to ctx.out_dir/embeddings/ (CSV
// files listed in docs/models/embeddings.md). Without the Brown cache
// (ci/setup fills it) the suite says so in one line, runs the minimal
// corpora, and its judged rows fail for want of data; without the WordNet
// cache it says so in one line and the cross-corpus parts are "data missing"
// rows (the features row, which needs them, fails). --only toy,brown selects
// the parts ("brown": everything on the real corpora).
//
// --config (proto/config.proto's RunConfig) overrides: train.lr (word2vec's
// starting learning rate), train.seed (added to every model's seed),
// data.n_train (sentences per corpus), train.steps (SAE steps), and an
// sae { d_in d_sae } section whose ratio sets the SAE features per dimension.
#include <iostream>
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "monosem/data/brown_corpus.h"
#include "monosem/data/wordnet_glosses.h"
#include "monosem/status.h"
#include "monosem/suite.h"
#include "monosem/suites/embeddings/embeddings_experiments.h"

namespace monosem {
namespace {

absl::Status ApplyConfig(const RunConfig& c, EmbeddingsScale* scale) {
  if (c.has_toy() || c.has_transformer()) {
    return absl::InvalidArgumentError(
        "embeddings suite: --config has a toy or transformer section; it reads train { lr seed "
        "steps }, data { n_train } and sae { d_in d_sae }");
  }
  const TrainConfig& t = c.train();
  if (t.has_batch_size() || t.has_beta1() || t.has_beta2() || t.has_eps() ||
      t.has_weight_decay() || t.has_warmup_steps() || t.has_grad_clip() ||
      t.has_min_lr_fraction()) {
    return absl::InvalidArgumentError(
        "embeddings suite: --config train sets a field word2vec does not use (it reads lr, seed "
        "and steps)");
  }
  if (t.has_lr()) {
    if (!(t.lr() > 0 && t.lr() < 1)) {
      return absl::InvalidArgumentError(
          absl::StrCat("embeddings suite: --config train.lr ", t.lr(), " is not in (0, 1)"));
    }
    scale->alpha = t.lr();
  }
  if (t.has_seed()) scale->seed_offset = t.seed();
  if (t.has_steps()) {
    if (t.steps() <= 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "embeddings suite: --config train.steps (SAE steps) ", t.steps(), " must be positive"));
    }
    scale->sae_steps = t.steps();
  }
  if (c.data().n_train() < 0) {
    return absl::InvalidArgumentError("embeddings suite: --config data.n_train must be positive");
  }
  scale->max_sentences = c.data().n_train();
  if (c.has_sae()) {
    const SaeConfig& s = c.sae();
    if (s.d_in() <= 0 || s.d_sae() <= 0 || s.d_sae() % s.d_in() != 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "embeddings suite: --config sae needs d_in and d_sae > 0 with d_sae a multiple of d_in "
          "(features per dimension), got d_in ",
          s.d_in(), " d_sae ", s.d_sae()));
    }
    scale->sae_features_per_dim = s.d_sae() / s.d_in();
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<ResultRow>> RunEmbeddings(const SuiteContext& ctx) {
  EmbeddingsScale scale;
  scale.quick = ctx.quick;
  scale.backend = ctx.backend.empty() ? "cpu" : ctx.backend;
  scale.out_dir = ctx.out_dir;
  if (ctx.config != nullptr) MONOSEM_RETURN_IF_ERROR(ApplyConfig(*ctx.config, &scale));
  std::set<std::string> only;
  for (absl::string_view e : absl::StrSplit(ctx.only, ',', absl::SkipEmpty())) {
    if (e != "toy" && e != "brown") {
      return absl::InvalidArgumentError(absl::StrCat("embeddings suite: unknown experiment '", e,
                                                     "' in --only (have: brown, toy)"));
    }
    only.insert(std::string(e));
  }
  if (only.empty()) only = {"toy", "brown"};

  std::vector<ResultRow> rows;
  if (only.count("toy")) {
    MONOSEM_ASSIGN_OR_RETURN(std::vector<ResultRow> toy, RunToyEmbeddings(scale));
    rows.insert(rows.end(), toy.begin(), toy.end());
  }
  if (only.count("brown")) {
    absl::StatusOr<BrownCorpus> brown = LoadCachedBrownCorpus();
    std::string why;
    if (!brown.ok()) {
      why = std::string(brown.status().message());
      std::cout << "embeddings: " << why << "; the Brown part is skipped" << std::endl;
    }
    absl::StatusOr<WordNetGlosses> wordnet = absl::NotFoundError("");
    std::string wn_why;
    if (brown.ok()) {
      wordnet = LoadCachedWordNetGlosses();
      if (!wordnet.ok()) {
        wn_why = std::string(wordnet.status().message());
        std::cout << "embeddings: " << wn_why << "; the cross-corpus rows are skipped"
                  << std::endl;
      }
    }
    MONOSEM_ASSIGN_OR_RETURN(
        std::vector<ResultRow> more,
        RunCorpusEmbeddings(scale, brown.ok() ? &*brown : nullptr, why,
                            wordnet.ok() ? &*wordnet : nullptr, wn_why));
    rows.insert(rows.end(), more.begin(), more.end());
  }
  return rows;
}

MONOSEM_REGISTER_SUITE(embeddings, "embeddings",
                       "Exploring Polysemantic Universality with Embeddings: word2vec on minimal "
                       "corpora, Brown at 3/40/50/60 dims and WordNet glosses; dimension words, "
                       "difference vectors and SAE features across models",
                       RunEmbeddings);

}  // namespace
}  // namespace monosem
