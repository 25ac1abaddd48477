// The experiments of the "embeddings" suite: "Exploring Polysemantic
// Universality with Embeddings" (Williams 2024), word2vec skip-gram with
// gensim 4's defaults on the notebook's minimal corpora, on the Brown corpus
// and on WordNet's glosses (the second corpus, in place of the notebook's
// pretrained models), then its approaches 2 and 3 and SAE features.
#ifndef MONOSEM_SUITES_EMBEDDINGS_EMBEDDINGS_EXPERIMENTS_H_
#define MONOSEM_SUITES_EMBEDDINGS_EMBEDDINGS_EXPERIMENTS_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "monosem/data/brown_corpus.h"
#include "monosem/data/wordnet_glosses.h"
#include "monosem/models/embeddings/word2vec.h"
#include "proto/result.pb.h"

namespace monosem {

struct EmbeddingsScale {
  bool quick = false;
  std::string backend = "cpu";
  std::string out_dir;  // figure data go to out_dir/embeddings/
  // --config overrides (0: the plan's value).
  double alpha = 0;             // train.lr: word2vec's starting learning rate
  uint64_t seed_offset = 0;     // train.seed: added to every model's seed
  int64_t max_sentences = 0;    // data.n_train: sentences per corpus
  int64_t sae_steps = 0;        // sae steps (train.steps with an sae {} section)
  int64_t sae_features_per_dim = 0;  // sae.d_sae / d
};

// One model of the comparison.
struct BrownModelSpec {
  int dim;
  uint64_t seed;
  std::string Tag() const;  // "d50_s1"
};

// A corpus's settings at a scale: the models, the share of the corpus,
// epochs and how many rotations / frequency-matched draws make each baseline.
struct BrownPlan {
  std::vector<BrownModelSpec> models;
  int64_t max_sentences = 0;  // 0: every sentence
  int epochs = 5;
  int baseline_draws = 5;
};
BrownPlan MakeBrownPlan(bool quick);
// WordNet's glosses: one model at 50 dimensions, seed 3 (a seed no Brown
// model uses: word ids are frequency ranks in both vocabularies, so equal
// seeds would start equal-rank words from equal vectors).
BrownPlan MakeWordNetPlan(bool quick);

// A trained model and the corpus it was trained on.
struct EmbeddingModel {
  std::string corpus;  // "brown" or "wordnet"
  BrownModelSpec spec;
  const TokenizedCorpus* data = nullptr;
  Word2VecModel model;
  double seconds = 0;
  std::string Tag() const;  // "d50_s1" (Brown), "wn_d50_s3" (WordNet)
};

// The corpora as trained on (kept alive for the models' vocabularies).
struct EmbeddingModels {
  std::unique_ptr<TokenizedCorpus> brown, wordnet;  // null: not loaded
  std::string brown_note, wordnet_note;              // sentences, tokens, words, epochs
  std::string wordnet_missing;                       // why WordNet is absent ("" if present)
  std::vector<EmbeddingModel> models;                // Brown's first, in plan order
  int baseline_draws = 5;
};

// Trains every model of both plans (two at a time: each model is one
// sequential, deterministic run, so the results do not depend on the order).
absl::StatusOr<EmbeddingModels> TrainEmbeddingModels(const EmbeddingsScale& scale,
                                                     const BrownCorpus& brown,
                                                     const WordNetGlosses* wordnet,
                                                     const std::string& wordnet_missing);

// The minimal corpora at 2, 3 and 4 dimensions: cosine tables (CSV) and
// report-only rows.
absl::StatusOr<std::vector<ResultRow>> RunToyEmbeddings(const EmbeddingsScale& scale);

// Everything trained on the real corpora. `brown` null: the Brown cache is
// missing; the judged rows are emitted as failures that say so. `wordnet`
// null: the cross-corpus rows are one report-only "data missing" row each
// part, and the features-versus-basis judged row fails for want of data.
absl::StatusOr<std::vector<ResultRow>> RunCorpusEmbeddings(const EmbeddingsScale& scale,
                                                           const BrownCorpus* brown,
                                                           const std::string& brown_missing,
                                                           const WordNetGlosses* wordnet,
                                                           const std::string& wordnet_missing);
// RunCorpusEmbeddings without the second corpus.
absl::StatusOr<std::vector<ResultRow>> RunBrownEmbeddings(const EmbeddingsScale& scale,
                                                          const BrownCorpus* brown,
                                                          const std::string& missing_reason);

// The parts, on trained models (each writes its CSVs into out_dir/embeddings).
// Approach 3 on Brown (the notebook's comparison) and Brown against WordNet.
absl::StatusOr<std::vector<ResultRow>> DimensionWordRows(const EmbeddingsScale& scale,
                                                         const EmbeddingModels& m);
// Approach 2: nearest words to difference vectors of dissimilar pairs.
absl::StatusOr<std::vector<ResultRow>> DifferenceVectorRows(const EmbeddingsScale& scale,
                                                            const EmbeddingModels& m);
// SAE features against basis directions, across seeds, sizes and corpora.
absl::StatusOr<std::vector<ResultRow>> FeatureUniversalityRows(const EmbeddingsScale& scale,
                                                               const EmbeddingModels& m);

// The judged rows' metrics.
inline constexpr char kDimensionWordsJudged[] =
    "brown_overlap_coef_excess_over_rotation[d3 vs d40/d50/d60]";
inline constexpr char kFeaturesJudged[] =
    "features_minus_basis_top_word_match_excess[across seeds, sizes, corpora]";
// The features-versus-basis row's margin (feature_universality.cc says why).
inline constexpr double kFeaturesJudgedMargin = 0.05;

// Missing-data rows: judged rows fail (NaN, the reason in the note), parts
// that are report-only say "data missing".
std::vector<ResultRow> MissingBrownRows(const std::string& why);
ResultRow DataMissingRow(const std::string& metric, const std::string& source,
                         const std::string& why);

// Words present in both models' vocabularies, as (id in a, id in b), in
// order of a's ids; `min_count` applies to both corpora's counts.
struct SharedWords {
  std::vector<int32_t> a, b;
};
SharedWords SharedVocabulary(const EmbeddingModel& a, const EmbeddingModel& b, int64_t min_count);

}  // namespace monosem

#endif  // MONOSEM_SUITES_EMBEDDINGS_EMBEDDINGS_EXPERIMENTS_H_
