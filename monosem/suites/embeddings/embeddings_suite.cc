// The "embeddings" suite: "Exploring Polysemantic Universality with
// Embeddings" (Williams 2024). word2vec skip-gram (gensim 4's defaults) on the
// notebook's minimal corpora, then on the Brown corpus at 3/40/50/60
// dimensions with the dimension-word comparison across models. Figure data go
// to ctx.out_dir/embeddings/ (toy_*_cosines.csv, brown_dimension_words.csv,
// brown_overlaps.csv). Without the Brown cache (ci/setup fills it) the suite
// says so in one line, runs the minimal corpora, and its judged row fails for
// want of data. --only toy,brown selects the parts.
#include <iostream>
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "monosem/data/brown_corpus.h"
#include "monosem/status.h"
#include "monosem/suite.h"
#include "monosem/suites/embeddings/embeddings_experiments.h"

namespace monosem {
namespace {

absl::StatusOr<std::vector<ResultRow>> RunEmbeddings(const SuiteContext& ctx) {
  EmbeddingsScale scale;
  scale.quick = ctx.quick;
  scale.backend = ctx.backend.empty() ? "cpu" : ctx.backend;
  scale.out_dir = ctx.out_dir;
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
    MONOSEM_ASSIGN_OR_RETURN(std::vector<ResultRow> more,
                             RunBrownEmbeddings(scale, brown.ok() ? &*brown : nullptr, why));
    rows.insert(rows.end(), more.begin(), more.end());
  }
  return rows;
}

MONOSEM_REGISTER_SUITE(embeddings, "embeddings",
                       "Exploring Polysemantic Universality with Embeddings: word2vec on minimal "
                       "corpora and Brown at 3/40/50/60 dims, dimension words across models",
                       RunEmbeddings);

}  // namespace
}  // namespace monosem
