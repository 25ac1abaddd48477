// Beyond the notebook: sparse autoencoders on each model's word vectors, and
// the notebook's question asked of their dictionary features instead of the
// basis directions: are they more universal across seeds, sizes and corpora?
//
// Models: those of 40+ dimensions (Brown d40/d50/d60 seed 1, d50 seed 2, and
// the WordNet model). Each gets a TopK SAE (F = 4d features, k = d/10) trained
// on the vectors of its words seen at least kMinCount times (the rarest words
// barely move from their random initialization; see the dimension-word
// counts). A unit (basis direction e_k, or a feature's decoder direction) is
// described by:
//   * its top words: the kTopN words whose vectors have the highest cosine
//     with its direction (for e_k exactly the notebook's dimension words),
//     among the words both models hold at least kMinCount times;
//   * its scores over those words: the coordinate v_wk for a basis direction
//     (compared by |r|: e_k and −e_k are one axis), the feature's activation
//     for a feature (compared by r).
// Two models are compared by matching each unit with its best partner in the
// other model (mean best Jaccard of top words; mean best correlation), both
// ways. Chance levels: for basis directions, the same embeddings in a random
// orthonormal basis; for features, as many random unit directions as
// features (Gaussian, so their top words come from the same geometry).
//
// The judged row: over the model pairs that share neither corpus nor seed
// (same-seed Brown models share their initial coordinates, which favours the
// basis), the mean of (feature matching − its chance level) − (basis matching
// − its chance level) is at least kMargin: features are more universal than
// basis directions, as dictionary features were across transformers
// (Bricken et al. 2023). kMargin, 0.05, is a twentieth of the Jaccard scale:
// a quarter of a shared word more per 5-word list than chance explains,
// fixed before any run.
#include <algorithm>
#include <cmath>
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "monosem/io/file_io.h"
#include "monosem/models/embeddings/embedding_analysis.h"
#include "monosem/models/embeddings/embedding_sae.h"
#include "monosem/models/embeddings/unit_matching.h"
#include "monosem/published.h"
#include "monosem/results.h"
#include "monosem/status.h"
#include "monosem/suites/embeddings/embeddings_experiments.h"

namespace monosem {
namespace {

constexpr char kSuite[] = "embeddings";
constexpr int kTopN = 5;
constexpr int64_t kMinCount = 5;
constexpr int64_t kMaxShared = 8000;  // the most frequent shared words (cost: words x units x d)
constexpr double kMargin = kFeaturesJudgedMargin;
// The ceiling experiment: how much the two models agree on which words are
// near which, whatever the units: for the kQueries most frequent shared
// words, the Jaccard of their kNeighbours nearest shared words in each model.
constexpr int64_t kQueries = 500;
constexpr int kNeighbours = 10;

struct StudyModel {
  const EmbeddingModel* e;
  WordSae sae;
};

std::vector<float> RotationRows(int64_t d, uint64_t seed) {
  const std::vector<double> q = RandomRotation(d, 5000 + d, seed);
  return std::vector<float>(q.begin(), q.end());
}

// The model's vectors at `ids`, as a candidate-word list's scores.
struct UnitScores {
  ScoreMatrix basis, basis_rot, features_cos, features_rand, features_act;
};

absl::StatusOr<UnitScores> Scores(const StudyModel& s, const std::vector<int32_t>& ids,
                                  const std::string& backend) {
  const Tensor& v = s.e->model.in_vectors;
  const int64_t d = s.e->spec.dim, f = s.sae.spec.f;
  UnitScores u;
  // Raw coordinates (not cosines) for the correlation of basis directions;
  // the top words use cosines (below).
  u.basis.rows = static_cast<int64_t>(ids.size());
  u.basis.cols = d;
  u.basis_rot = u.basis;
  const std::vector<float> rot = RotationRows(d, s.e->spec.seed);
  for (int32_t id : ids) {
    const float* w = v.data() + static_cast<int64_t>(id) * d;
    u.basis.v.insert(u.basis.v.end(), w, w + d);
    for (int64_t j = 0; j < d; ++j) {
      double acc = 0;
      for (int64_t i = 0; i < d; ++i) acc += static_cast<double>(w[i]) * rot[j * d + i];
      u.basis_rot.v.push_back(static_cast<float>(acc));
    }
  }
  u.features_cos = CosineScores(v, ids, DecoderDirections(s.sae), f);
  u.features_rand = CosineScores(v, ids, RandomDirections(f, d, 6000 + d, s.e->spec.seed), f);
  MONOSEM_ASSIGN_OR_RETURN(u.features_act, SaeActivations(s.sae, v, ids, backend));
  return u;
}

// Top words by cosine with each basis direction / rotated basis direction.
std::vector<std::vector<int32_t>> BasisTop(const StudyModel& s, const std::vector<int32_t>& ids,
                                           bool rotated, const std::vector<int32_t>& index) {
  const int64_t d = s.e->spec.dim;
  const std::vector<float> dirs = rotated ? RotationRows(d, s.e->spec.seed) : BasisDirections(d);
  return TopRowsPerColumn(CosineScores(s.e->model.in_vectors, ids, dirs, d), kTopN, index);
}

// The kNeighbours nearest rows (cosine) of row q among all rows but q, sorted.
std::vector<int32_t> NearestRows(const std::vector<float>& unit, int64_t d, int64_t q) {
  const int64_t n = static_cast<int64_t>(unit.size()) / d;
  std::vector<std::pair<float, int32_t>> scored;
  scored.reserve(n);
  for (int64_t r = 0; r < n; ++r) {
    if (r == q) continue;
    float s = 0;
    for (int64_t k = 0; k < d; ++k) s += unit[q * d + k] * unit[r * d + k];
    scored.emplace_back(-s, static_cast<int32_t>(r));
  }
  const size_t top = std::min<size_t>(kNeighbours, scored.size());
  std::partial_sort(scored.begin(), scored.begin() + top, scored.end());
  std::vector<int32_t> out;
  for (size_t i = 0; i < top; ++i) out.push_back(scored[i].second);
  std::sort(out.begin(), out.end());
  return out;
}

double NeighbourOverlap(const StudyModel& a, const StudyModel& b, const SharedWords& sw) {
  const std::vector<float> ua = UnitRows(a.e->model.in_vectors, sw.a);
  const std::vector<float> ub = UnitRows(b.e->model.in_vectors, sw.b);
  const int64_t q = std::min<int64_t>(kQueries, static_cast<int64_t>(sw.a.size()));
  double sum = 0;
  for (int64_t i = 0; i < q; ++i) {
    sum += ListJaccard(NearestRows(ua, a.e->spec.dim, i), NearestRows(ub, b.e->spec.dim, i));
  }
  return q > 0 ? sum / q : NAN;
}

struct PairResult {
  double neighbours = 0;
  int64_t shared = 0;
  double basis_j = 0, basis_rot_j = 0, feat_j = 0, feat_rand_j = 0;
  double basis_r = 0, basis_rot_r = 0, feat_r = 0, feat_rand_r = 0;
  double Delta() const { return (feat_j - feat_rand_j) - (basis_j - basis_rot_j); }
};

absl::StatusOr<PairResult> ComparePair(const StudyModel& a, const StudyModel& b,
                                       const std::string& backend) {
  SharedWords sw = SharedVocabulary(*a.e, *b.e, kMinCount);
  if (static_cast<int64_t>(sw.a.size()) > kMaxShared) {
    sw.a.resize(kMaxShared);
    sw.b.resize(kMaxShared);
  }
  PairResult r;
  r.shared = static_cast<int64_t>(sw.a.size());
  std::vector<int32_t> index(sw.a.size());
  for (size_t i = 0; i < index.size(); ++i) index[i] = static_cast<int32_t>(i);
  MONOSEM_ASSIGN_OR_RETURN(UnitScores ua, Scores(a, sw.a, backend));
  MONOSEM_ASSIGN_OR_RETURN(UnitScores ub, Scores(b, sw.b, backend));
  r.basis_j = MatchedJaccard(BasisTop(a, sw.a, false, index), BasisTop(b, sw.b, false, index));
  r.basis_rot_j = MatchedJaccard(BasisTop(a, sw.a, true, index), BasisTop(b, sw.b, true, index));
  r.feat_j = MatchedJaccard(TopRowsPerColumn(ua.features_cos, kTopN, index),
                            TopRowsPerColumn(ub.features_cos, kTopN, index));
  r.feat_rand_j = MatchedJaccard(TopRowsPerColumn(ua.features_rand, kTopN, index),
                                 TopRowsPerColumn(ub.features_rand, kTopN, index));
  r.basis_r = MeanMaxCorrelation(ua.basis, ub.basis, true);
  r.basis_rot_r = MeanMaxCorrelation(ua.basis_rot, ub.basis_rot, true);
  r.feat_r = MeanMaxCorrelation(ua.features_act, ub.features_act, false);
  r.feat_rand_r = MeanMaxCorrelation(ua.features_rand, ub.features_rand, true);
  r.neighbours = NeighbourOverlap(a, b, sw);
  return r;
}

}  // namespace

absl::StatusOr<std::vector<ResultRow>> FeatureUniversalityRows(const EmbeddingsScale& scale,
                                                               const EmbeddingModels& m) {
  const std::string dir = scale.out_dir + "/embeddings";
  MONOSEM_RETURN_IF_ERROR(MakeDirs(dir));
  const std::string source = PublishedSource("embeddings.sae.features_more_universal");
  std::vector<ResultRow> rows;
  WordSaeConfig config;
  config.backend = scale.backend;
  config.steps = scale.quick ? 300 : 2000;
  if (scale.sae_steps > 0) config.steps = scale.sae_steps;
  if (scale.sae_features_per_dim > 0) config.features_per_dim = scale.sae_features_per_dim;

  std::vector<StudyModel> study;
  std::string words_csv = "model,feature,rank,word,decoder_cosine,count\n";
  for (const EmbeddingModel& e : m.models) {
    if (e.spec.dim < 40) continue;
    const SharedWords own = SharedVocabulary(e, e, kMinCount);
    config.seed = e.spec.seed * 100 + static_cast<uint64_t>(e.spec.dim);
    MONOSEM_ASSIGN_OR_RETURN(WordSae sae, TrainWordSae(e.model.in_vectors, own.a, config));
    const std::string tag = e.Tag();
    std::cout << "embeddings: SAE on " << e.corpus << " " << tag << ": " << own.a.size()
              << " words, " << sae.spec.f << " features, k " << sae.spec.k << std::endl;
    rows.push_back(MakeRow(kSuite, absl::StrCat("sae_relative_mse[", tag, "]"),
                           sae.mean_sq_norm > 0 ? sae.final_recon / sae.mean_sq_norm : NAN,
                           REPORT_ONLY, NAN, 0, source,
                           absl::StrFormat("mean ||x - x_hat||^2 / mean ||x||^2 at the last step; "
                                           "%d words seen >= %d times, F %d, k %d, %d steps",
                                           own.a.size(), kMinCount, sae.spec.f, sae.spec.k,
                                           config.steps)));
    rows.push_back(MakeRow(kSuite, absl::StrCat("sae_dead_features[", tag, "]"),
                           static_cast<double>(sae.dead), REPORT_ONLY, NAN, 0, source,
                           absl::StrCat("of ", sae.spec.f)));
    const ScoreMatrix cos = CosineScores(e.model.in_vectors, own.a, DecoderDirections(sae), sae.spec.f);
    std::vector<int32_t> index(own.a.size());
    for (size_t i = 0; i < index.size(); ++i) index[i] = static_cast<int32_t>(i);
    for (int64_t f = 0; f < sae.spec.f; ++f) {
      std::vector<std::pair<float, int32_t>> col;
      for (int64_t r = 0; r < cos.rows; ++r) col.emplace_back(-cos.at(r, f), static_cast<int32_t>(r));
      const size_t n = std::min<size_t>(kTopN, col.size());
      std::partial_sort(col.begin(), col.begin() + n, col.end());
      for (size_t r = 0; r < n; ++r) {
        const int32_t id = own.a[col[r].second];
        absl::StrAppend(&words_csv, tag, ",", f, ",", r + 1, ",\"", e.data->vocab.words[id], "\",",
                        absl::StrFormat("%.4f", -col[r].first), ",", e.data->vocab.counts[id], "\n");
      }
    }
    study.push_back({&e, std::move(sae)});
  }
  MONOSEM_RETURN_IF_ERROR(WriteFileAtomic(dir + "/sae_feature_words.csv", words_csv));

  std::string csv =
      "a,b,shared_words,basis_jaccard,basis_rotation_jaccard,feature_jaccard,"
      "feature_random_jaccard,basis_corr,basis_rotation_corr,feature_corr,feature_random_corr,"
      "delta,judged,word_neighbour_jaccard\n";
  double delta_sum = 0;
  int delta_n = 0;
  for (size_t i = 0; i < study.size(); ++i) {
    for (size_t j = i + 1; j < study.size(); ++j) {
      const EmbeddingModel &a = *study[i].e, &b = *study[j].e;
      MONOSEM_ASSIGN_OR_RETURN(PairResult r, ComparePair(study[i], study[j], scale.backend));
      const bool judged = a.corpus != b.corpus || a.spec.seed != b.spec.seed;
      if (judged) {
        delta_sum += r.Delta();
        ++delta_n;
      }
      const std::string tag = absl::StrCat(a.Tag(), "~", b.Tag());
      absl::StrAppend(&csv, a.Tag(), ",", b.Tag(), ",", r.shared, ",",
                      absl::StrFormat("%.4f,%.4f,%.4f,%.4f,%.4f,%.4f,%.4f,%.4f,%.4f,", r.basis_j,
                                      r.basis_rot_j, r.feat_j, r.feat_rand_j, r.basis_r,
                                      r.basis_rot_r, r.feat_r, r.feat_rand_r, r.Delta()),
                      judged ? 1 : 0, absl::StrFormat(",%.4f\n", r.neighbours));
      rows.push_back(MakeRow(
          kSuite, absl::StrCat("feature_top_word_match[", tag, "]"), r.feat_j, REPORT_ONLY, NAN, 0,
          source,
          absl::StrFormat("mean best Jaccard of top-%d words; random directions %.4f; basis "
                          "directions %.4f (random rotation %.4f); %d shared words",
                          kTopN, r.feat_rand_j, r.basis_j, r.basis_rot_j, r.shared)));
      rows.push_back(MakeRow(
          kSuite, absl::StrCat("feature_activation_corr[", tag, "]"), r.feat_r, REPORT_ONLY, NAN, 0,
          source,
          absl::StrFormat("mean best Pearson r of activations over the shared words; random "
                          "directions' |r| %.4f; basis coordinates' |r| %.4f (random rotation "
                          "%.4f)",
                          r.feat_rand_r, r.basis_r, r.basis_rot_r)));
      rows.push_back(MakeRow(
          kSuite, absl::StrCat("word_neighbour_overlap[", tag, "]"), r.neighbours, REPORT_ONLY,
          NAN, 0, source,
          absl::StrFormat("mean Jaccard of the %d nearest shared words of the %d most frequent "
                          "shared words: how much of the geometry the two models share, "
                          "whatever the units",
                          kNeighbours, kQueries)));
      rows.push_back(MakeRow(kSuite, absl::StrCat("features_minus_basis_excess[", tag, "]"),
                             r.Delta(), REPORT_ONLY, NAN, 0, source,
                             judged ? "in the judged mean"
                                    : "same corpus and seed (shared initial coordinates): not "
                                      "in the judged mean"));
    }
  }
  MONOSEM_RETURN_IF_ERROR(WriteFileAtomic(dir + "/feature_vs_basis.csv", csv));
  if (m.wordnet == nullptr) {
    rows.push_back(ScaleJudgedRow(kSuite, kFeaturesJudged, NAN, AT_LEAST, kMargin, source,
                                  absl::StrCat("no data: ", m.wordnet_missing,
                                               "; the comparison across corpora needs it"),
                                  !scale.quick));
  } else {
    // Quick models (a few hundred SAE steps on small vocabularies) are too
    // small to judge: report-only there, as in the other suites.
    rows.push_back(ScaleJudgedRow(
        kSuite, kFeaturesJudged, delta_n > 0 ? delta_sum / delta_n : NAN, AT_LEAST, kMargin,
        source,
        absl::StrCat("mean over ", delta_n,
                     " model pairs of different seed or corpus of (feature top-word match - "
                     "random directions) - (basis top-word match - random rotation)"),
        !scale.quick));
  }
  return rows;
}

}  // namespace monosem
