// The experiments of the "embeddings" suite: "Exploring Polysemantic
// Universality with Embeddings" (Williams 2024), word2vec skip-gram with
// gensim 4's defaults on the notebook's minimal corpora and on the Brown corpus.
#ifndef MONOSEM_SUITES_EMBEDDINGS_EMBEDDINGS_EXPERIMENTS_H_
#define MONOSEM_SUITES_EMBEDDINGS_EMBEDDINGS_EXPERIMENTS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "monosem/data/brown_corpus.h"
#include "proto/result.pb.h"

namespace monosem {

struct EmbeddingsScale {
  bool quick = false;
  std::string backend = "cpu";
  std::string out_dir;  // figure data go to out_dir/embeddings/
};

// One Brown model of the comparison.
struct BrownModelSpec {
  int dim;
  uint64_t seed;
  std::string Tag() const;  // "d50_s1"
};

// The Brown settings at a scale: the models, the share of the corpus, epochs
// and how many rotations / frequency-matched draws make each baseline.
struct BrownPlan {
  std::vector<BrownModelSpec> models;
  int64_t max_sentences = 0;  // 0: every sentence
  int epochs = 5;
  int baseline_draws = 5;
};
BrownPlan MakeBrownPlan(bool quick);

// The minimal corpora at 2, 3 and 4 dimensions: cosine tables (CSV) and
// report-only rows.
absl::StatusOr<std::vector<ResultRow>> RunToyEmbeddings(const EmbeddingsScale& scale);

// The Brown models and the dimension-word comparison. `corpus` null: the
// cache is missing; the judged row is emitted as a failure that says so.
absl::StatusOr<std::vector<ResultRow>> RunBrownEmbeddings(const EmbeddingsScale& scale,
                                                          const BrownCorpus* corpus,
                                                          const std::string& missing_reason);

}  // namespace monosem

#endif  // MONOSEM_SUITES_EMBEDDINGS_EMBEDDINGS_EXPERIMENTS_H_
