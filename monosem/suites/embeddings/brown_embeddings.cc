// Brown models at 3, 40, 50 and 60 dimensions (seed 1) and a second seed at
// 50, then the notebook's approach 3: each model's dimension words (top 5 by
// cosine with each basis vector), their duplicates within a model, and their
// overlap across models beside two chance levels (random rotations of the
// same embeddings; frequency-matched random words).
//
// The judged row: the notebook concludes the dimension words barely overlap
// across models except between Brown models of similar size. The clear part
// of that claim is the different-size pairs: the 3-dimensional model against
// the 40/50/60 ones. We judge that the share of the smaller set found in the
// other (the overlap coefficient) is at most kMargin above what the same
// embeddings give in random bases. The similar-size pairs (40/50/60, same seed)
// and the two seeds at 50 are reported, not judged: "similar size" has no
// stated threshold, and with our initialization (word2vec.h) same-seed models
// share their initial coordinates, which the seed pair separates out.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "monosem/backend.h"
#include "monosem/io/file_io.h"
#include "monosem/models/embeddings/embedding_analysis.h"
#include "monosem/models/embeddings/word2vec.h"
#include "monosem/published.h"
#include "monosem/results.h"
#include "monosem/status.h"
#include "monosem/suites/embeddings/embeddings_experiments.h"

namespace monosem {
namespace {

constexpr char kSuite[] = "embeddings";
constexpr int kTopN = 5;
// How far above the random-rotation level the different-size overlap may go:
// 0.2 of the smaller set is 3 of the 3-dimensional model's 15 words.
constexpr double kMargin = 0.2;
constexpr char kJudgedMetric[] = "brown_overlap_coef_excess_over_rotation[d3 vs d40/d50/d60]";

struct TrainedModel {
  BrownModelSpec spec;
  Word2VecModel model;
  std::vector<std::vector<int32_t>> lists;  // dimension words per coordinate
  std::vector<int32_t> distinct;
  // The same per random rotation r, and per frequency-matched draw r.
  std::vector<std::vector<int32_t>> rotated_distinct;
  std::vector<std::vector<int32_t>> frequency_distinct;
  double seconds = 0;
};

double Median(std::vector<double> v) {
  if (v.empty()) return NAN;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

struct PairStats {
  Overlap actual;
  // Means over the baseline draws.
  double rotation_shared = 0, rotation_jaccard = 0, rotation_coef = 0;
  double frequency_shared = 0, frequency_jaccard = 0, frequency_coef = 0;
};

PairStats ComparePair(const TrainedModel& a, const TrainedModel& b) {
  PairStats s;
  s.actual = SetOverlap(a.distinct, b.distinct);
  const size_t r = a.rotated_distinct.size();
  for (size_t i = 0; i < r; ++i) {
    const Overlap o = SetOverlap(a.rotated_distinct[i], b.rotated_distinct[i]);
    s.rotation_shared += static_cast<double>(o.shared) / r;
    s.rotation_jaccard += o.jaccard / r;
    s.rotation_coef += o.coefficient / r;
    const Overlap f = SetOverlap(a.frequency_distinct[i], b.frequency_distinct[i]);
    s.frequency_shared += static_cast<double>(f.shared) / r;
    s.frequency_jaccard += f.jaccard / r;
    s.frequency_coef += f.coefficient / r;
  }
  return s;
}

ResultRow MissingJudgedRow(const std::string& why) {
  return MakeRow(kSuite, kJudgedMetric, NAN, AT_MOST, kMargin, 0,
                 PublishedSource("embeddings.brown.no_overlap_across_sizes"),
                 absl::StrCat("no data: ", why));
}

}  // namespace

std::string BrownModelSpec::Tag() const { return absl::StrCat("d", dim, "_s", seed); }

BrownPlan MakeBrownPlan(bool quick) {
  BrownPlan plan;
  plan.models = {{3, 1}, {40, 1}, {50, 1}, {60, 1}, {50, 2}};
  if (quick) {
    plan.max_sentences = 4000;
    plan.epochs = 1;
    plan.baseline_draws = 2;
  }
  return plan;
}

absl::StatusOr<std::vector<ResultRow>> RunBrownEmbeddings(const EmbeddingsScale& scale,
                                                          const BrownCorpus* brown,
                                                          const std::string& missing_reason) {
  if (brown == nullptr) return std::vector<ResultRow>{MissingJudgedRow(missing_reason)};
  auto kernels = SgnsKernelRegistry::Create(BackendRegistry::Create(scale.backend));
  if (!kernels.ok()) return kernels.status();
  const BrownPlan plan = MakeBrownPlan(scale.quick);
  std::vector<BrownSentence> sentences = AllBrownSentences(*brown);
  if (plan.max_sentences > 0 && static_cast<int64_t>(sentences.size()) > plan.max_sentences) {
    sentences.resize(plan.max_sentences);
  }
  const TokenizedCorpus corpus = BuildCorpus(sentences);  // min_count 1, as the notebook
  const Vocab& vocab = corpus.vocab;
  const std::string dir = scale.out_dir + "/embeddings";
  MONOSEM_RETURN_IF_ERROR(MakeDirs(dir));
  const std::string scale_note =
      absl::StrCat(sentences.size(), " sentences, ", corpus.tokens, " tokens, ", vocab.size(),
                   " words, ", plan.epochs, " epochs");

  std::vector<TrainedModel> models;
  for (const BrownModelSpec& spec : plan.models) {
    Word2VecConfig config;
    config.dim = spec.dim;
    config.seed = spec.seed;
    config.epochs = plan.epochs;
    const auto start = std::chrono::steady_clock::now();
    MONOSEM_ASSIGN_OR_RETURN(Word2VecModel m, TrainWord2Vec(corpus, config, **kernels));
    TrainedModel t{spec, std::move(m)};
    t.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    t.lists = DimensionWords(t.model.in_vectors, kTopN);
    t.distinct = DistinctWords(t.lists);
    for (int r = 0; r < plan.baseline_draws; ++r) {
      // Streams per model and draw; seed 1000 + dim keeps models' rotations apart.
      const Tensor rotated =
          Rotate(t.model.in_vectors, RandomRotation(spec.dim, 1000 + spec.dim, spec.seed * 64 + r));
      t.rotated_distinct.push_back(DistinctWords(DimensionWords(rotated, kTopN)));
      t.frequency_distinct.push_back(
          FrequencyMatchedDraw(t.distinct, vocab.counts, 2000 + spec.dim, spec.seed * 64 + r));
    }
    std::cout << "embeddings: brown " << spec.Tag() << " trained in "
              << absl::StrFormat("%.1f", t.seconds) << " s (" << t.model.epoch_pairs.back()
              << " pairs in the last epoch)" << std::endl;
    models.push_back(std::move(t));
  }

  std::vector<ResultRow> rows;
  const std::string dw_source = PublishedSource("embeddings.brown.dimension_words");
  std::vector<double> all_counts(vocab.counts.begin(), vocab.counts.end());
  const double vocab_median = Median(all_counts);
  std::string words_csv = "model,dimension,rank,word,cosine,count\n";
  for (const TrainedModel& t : models) {
    const std::string tag = t.spec.Tag();
    const int64_t d = t.spec.dim;
    std::vector<double> counts;
    for (int64_t k = 0; k < d; ++k) {
      for (size_t r = 0; r < t.lists[k].size(); ++r) {
        const int32_t w = t.lists[k][r];
        const float* v = t.model.in_vectors.data() + w * d;
        double norm = 0;
        for (int64_t i = 0; i < d; ++i) norm += static_cast<double>(v[i]) * v[i];
        absl::StrAppend(&words_csv, tag, ",", k, ",", r + 1, ",\"", vocab.words[w], "\",",
                        absl::StrFormat("%.4f", v[k] / std::sqrt(norm)), ",", vocab.counts[w],
                        "\n");
        counts.push_back(static_cast<double>(vocab.counts[w]));
      }
    }
    rows.push_back(MakeRow(kSuite, absl::StrCat("brown_final_epoch_loss[", tag, "]"),
                           t.model.epoch_loss.back(), REPORT_ONLY, NAN, 0, dw_source,
                           absl::StrCat("mean loss per pair; ", scale_note, "; trained in ",
                                        absl::StrFormat("%.1f", t.seconds), " s")));
    rows.push_back(
        MakeRow(kSuite, absl::StrCat("brown_distinct_dimension_words[", tag, "]"),
                static_cast<double>(t.distinct.size()), REPORT_ONLY, NAN, 0, dw_source,
                absl::StrCat("of ", d * kTopN, " entries (", d, " dimensions x ", kTopN, ")")));
    // Every list has kTopN entries, so a rotated model's duplicates follow
    // from its distinct count.
    double rotated_duplicates = 0;
    for (const auto& r : t.rotated_distinct) {
      rotated_duplicates += static_cast<double>(d * kTopN - static_cast<int64_t>(r.size())) /
                            static_cast<double>(t.rotated_distinct.size());
    }
    rows.push_back(MakeRow(
        kSuite, absl::StrCat("brown_within_model_duplicates[", tag, "]"),
        static_cast<double>(WithinModelDuplicates(t.lists)), REPORT_ONLY, NAN, 0, dw_source,
        absl::StrFormat("entries repeating a word listed for another dimension; random rotations "
                        "%.1f",
                        rotated_duplicates)));
    rows.push_back(MakeRow(kSuite, absl::StrCat("brown_dimension_word_median_count[", tag, "]"),
                           Median(counts), REPORT_ONLY, NAN, 0, dw_source,
                           absl::StrCat("training count; the vocabulary's median is ", vocab_median,
                                        "; every word in embeddings/brown_dimension_words.csv")));
  }
  MONOSEM_RETURN_IF_ERROR(WriteFileAtomic(dir + "/brown_dimension_words.csv", words_csv));

  const std::string overlap_source = PublishedSource("embeddings.brown.no_overlap_across_sizes");
  std::string pairs_csv =
      "a,b,shared,size_a,size_b,jaccard,coef,rotation_shared,rotation_jaccard,rotation_coef,"
      "frequency_shared,frequency_jaccard,frequency_coef\n";
  double different_size_excess = -INFINITY, similar_size_excess = -INFINITY, seed_excess = NAN;
  for (size_t i = 0; i < models.size(); ++i) {
    for (size_t j = i + 1; j < models.size(); ++j) {
      const TrainedModel &a = models[i], &b = models[j];
      const PairStats s = ComparePair(a, b);
      const std::string tag = absl::StrCat(a.spec.Tag(), "~", b.spec.Tag());
      absl::StrAppend(&pairs_csv, a.spec.Tag(), ",", b.spec.Tag(), ",", s.actual.shared, ",",
                      s.actual.size_a, ",", s.actual.size_b, ",",
                      absl::StrFormat("%.4f,%.4f,%.1f,%.4f,%.4f,%.1f,%.4f,%.4f\n", s.actual.jaccard,
                                      s.actual.coefficient, s.rotation_shared, s.rotation_jaccard,
                                      s.rotation_coef, s.frequency_shared, s.frequency_jaccard,
                                      s.frequency_coef));
      rows.push_back(
          MakeRow(kSuite, absl::StrCat("brown_overlap_shared[", tag, "]"),
                  static_cast<double>(s.actual.shared), REPORT_ONLY, NAN, 0, overlap_source,
                  absl::StrFormat("of %d and %d distinct dimension words; random rotations %.1f, "
                                  "frequency-matched words %.1f",
                                  s.actual.size_a, s.actual.size_b, s.rotation_shared,
                                  s.frequency_shared)));
      rows.push_back(MakeRow(kSuite, absl::StrCat("brown_overlap_jaccard_rotations[", tag, "]"),
                             s.rotation_jaccard, REPORT_ONLY, NAN, 0, overlap_source,
                             "baseline: the same embeddings in random orthonormal bases"));
      rows.push_back(MakeRow(kSuite, absl::StrCat("brown_overlap_jaccard_frequency[", tag, "]"),
                             s.frequency_jaccard, REPORT_ONLY, NAN, 0, overlap_source,
                             "baseline: random words of the same training-count band"));
      rows.push_back(MakeRow(
          kSuite, absl::StrCat("brown_overlap_jaccard[", tag, "]"), s.actual.jaccard, REPORT_ONLY,
          NAN, 0, overlap_source,
          absl::StrFormat("random rotations %.4f, frequency-matched words %.4f (mean of %d)",
                          s.rotation_jaccard, s.frequency_jaccard, plan.baseline_draws)));
      const double excess = s.actual.coefficient - s.rotation_coef;
      rows.push_back(
          MakeRow(kSuite, absl::StrCat("brown_overlap_coef[", tag, "]"), s.actual.coefficient,
                  REPORT_ONLY, NAN, 0, overlap_source,
                  absl::StrFormat("share of the smaller set in the other; random rotations %.4f, "
                                  "frequency-matched words %.4f",
                                  s.rotation_coef, s.frequency_coef)));
      const bool same_seed = a.spec.seed == b.spec.seed;
      if (same_seed && (a.spec.dim == 3) != (b.spec.dim == 3)) {
        different_size_excess = std::max(different_size_excess, excess);
      } else if (same_seed && a.spec.dim != b.spec.dim) {
        similar_size_excess = std::max(similar_size_excess, excess);
      } else if (a.spec.dim == b.spec.dim) {
        seed_excess = excess;
      }
    }
  }
  MONOSEM_RETURN_IF_ERROR(WriteFileAtomic(dir + "/brown_overlaps.csv", pairs_csv));

  rows.push_back(MakeRow(kSuite, kJudgedMetric, different_size_excess, AT_MOST, kMargin, 0,
                         overlap_source,
                         absl::StrCat("max over the three pairs of overlap coefficient minus its "
                                      "mean over random rotations; ",
                                      scale_note)));
  rows.push_back(MakeRow(kSuite,
                         "brown_overlap_coef_excess_over_rotation[similar sizes d40/d50/d60]",
                         similar_size_excess, REPORT_ONLY, NAN, 0, overlap_source,
                         "max over the pairs; same seed, so shared initial coordinates"));
  rows.push_back(MakeRow(kSuite, "brown_overlap_coef_excess_over_rotation[d50 seed 1 vs 2]",
                         seed_excess, REPORT_ONLY, NAN, 0, overlap_source,
                         "same size, different initialization"));
  return rows;
}

}  // namespace monosem
