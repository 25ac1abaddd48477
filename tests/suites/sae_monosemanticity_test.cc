// The monosemanticity rows on populations whose answer is known: label
// detectors against label-blind units pass every judged row, the reverse
// fails them, and a population with no live unit fails rather than passing.
#include "monosem/suites/sae/sae_monosemanticity.h"

#include <cmath>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "monosem/philox.h"
#include "tests/testing/tmp_dir.h"

namespace monosem::sae {
namespace {

constexpr int kGenres = 4, kLeaves = 3;  // 3 leaves: a genre unit has precision 1/3 on each
constexpr int64_t kCtx = 8, kWindows = 96;

struct World {
  LabelSet set;
  std::vector<LabelId> labels;  // per token
  std::vector<int> leaf_ids;    // all leaves
  std::vector<int> genre_of;    // leaf id -> genre id
};

World MakeWorld() {
  World w;
  w.set.names = {"unknown"};
  w.set.parent = {-1};
  w.genre_of.assign(1 + kGenres * (kLeaves + 1), -1);
  for (int g = 0; g < kGenres; ++g) {
    const int gid = w.set.size();
    w.set.names.push_back("g" + std::to_string(g));
    w.set.parent.push_back(-1);
    for (int l = 0; l < kLeaves; ++l) {
      w.leaf_ids.push_back(w.set.size());
      w.genre_of[w.set.size()] = gid;
      w.set.names.push_back("g" + std::to_string(g) + "/l" + std::to_string(l));
      w.set.parent.push_back(gid);
    }
  }
  for (int64_t win = 0; win < kWindows; ++win) {
    const int leaf = w.leaf_ids[win % w.leaf_ids.size()];
    for (int64_t t = 0; t < kCtx; ++t) w.labels.push_back(static_cast<LabelId>(leaf));
  }
  return w;
}

// Units that ignore labels: unit u fires with probability 2^-(u % 7).
Tensor Blind(int64_t units, uint64_t seed) {
  const int64_t n = kCtx * kWindows;
  Tensor t({n, units});
  Philox rng(seed, 0);
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t u = 0; u < units; ++u) {
      const float p = std::ldexp(1.0f, -static_cast<int>(u % 7));
      t[i * units + u] = rng.Uniform() < p ? 0.5f + rng.Uniform() : 0.0f;
    }
  }
  return t;
}

// One unit per leaf (fine) or per genre (coarse), firing on exactly its label.
Tensor Detectors(const World& w, bool per_leaf) {
  const int64_t n = static_cast<int64_t>(w.labels.size());
  std::map<int, int64_t> column;
  for (int leaf : w.leaf_ids) {
    const int key = per_leaf ? leaf : w.genre_of[leaf];
    if (!column.count(key)) {
      const int64_t c = static_cast<int64_t>(column.size());
      column[key] = c;
    }
  }
  const int64_t units = static_cast<int64_t>(column.size());
  Tensor t({n, units});
  for (int64_t i = 0; i < n; ++i) {
    const int key = per_leaf ? w.labels[i] : w.genre_of[w.labels[i]];
    t[i * units + column[key]] = 1.0f + 0.01f * static_cast<float>(i % 5);
  }
  return t;
}

std::map<std::string, ResultRow> Rows(const std::vector<ResultRow>& rows) {
  std::map<std::string, ResultRow> m;
  for (const ResultRow& r : rows) m[r.metric()] = r;
  return m;
}

TEST(SaeMonosemanticityTest, DetectorsBeatBlindNeuronsOnEveryJudgedRow) {
  const World w = MakeWorld();
  const HeldoutLabels held{w.labels, &w.set, kCtx};
  const std::string dir = testing::TmpDir("monosemanticity_detectors");
  std::filesystem::create_directories(dir);
  auto neurons = MeasureUnitPopulation("neurons", Blind(14, 1), held);
  auto coarse = MeasureUnitPopulation("F=4", Detectors(w, false), held);
  // The fine dictionary: leaf detectors plus blind units, so that it shares
  // firing-count bins with the neurons.
  Tensor fine_only = Detectors(w, true), blind = Blind(14, 2);
  const int64_t n = fine_only.dim(0), a = fine_only.dim(1), b = blind.dim(1);
  Tensor fine({n, a + b});
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t u = 0; u < a; ++u) fine[i * (a + b) + u] = fine_only[i * a + u];
    for (int64_t u = 0; u < b; ++u) fine[i * (a + b) + a + u] = blind[i * b + u];
  }
  auto fine_pop = MeasureUnitPopulation("F=26", fine, held);
  ASSERT_TRUE(neurons.ok() && coarse.ok() && fine_pop.ok()) << fine_pop.status();
  auto rows = MonosemanticityRows(*neurons, {*coarse, *fine_pop}, w.set, /*judged=*/true, dir);
  ASSERT_TRUE(rows.ok()) << rows.status();
  const auto m = Rows(*rows);
  int judged = 0;
  for (const auto& [name, r] : m) {
    if (r.direction() == REPORT_ONLY) continue;
    ++judged;
    EXPECT_EQ(r.status(), PASS) << name << " = " << r.measured() << ": " << r.note();
    EXPECT_NE(r.note().find("margin"), std::string::npos) << name;
  }
  EXPECT_EQ(judged, 5);
  // Splitting: the genre detectors own no leaf, the leaf detectors all 12.
  EXPECT_EQ(m.at("splitting_children_with_unit[A,F=4]").measured(), 0);
  EXPECT_EQ(m.at("splitting_children_with_unit[A,F=26]").measured(), kGenres * kLeaves);
}

TEST(SaeMonosemanticityTest, BlindFeaturesAgainstDetectorNeuronsFail) {
  const World w = MakeWorld();
  const HeldoutLabels held{w.labels, &w.set, kCtx};
  const std::string dir = testing::TmpDir("monosemanticity_reverse");
  std::filesystem::create_directories(dir);
  auto neurons = MeasureUnitPopulation("neurons", Detectors(w, true), held);
  auto f1 = MeasureUnitPopulation("F=14", Blind(14, 3), held);
  auto f2 = MeasureUnitPopulation("F=28", Blind(28, 4), held);
  ASSERT_TRUE(neurons.ok() && f1.ok() && f2.ok());
  auto rows = MonosemanticityRows(*neurons, {*f1, *f2}, w.set, /*judged=*/true, dir);
  ASSERT_TRUE(rows.ok()) << rows.status();
  const auto m = Rows(*rows);
  EXPECT_EQ(m.at("specificity_excess_features_minus_neurons[A,F=28]").status(), FAIL);
  EXPECT_EQ(m.at("context_f1_genres_feature_beats_neuron[A,F=28]").status(), FAIL);
  EXPECT_EQ(m.at("splitting_growth[A,F=14->F=28]").status(), FAIL);
}

TEST(SaeMonosemanticityTest, DeadDictionaryFailsInsteadOfPassing) {
  const World w = MakeWorld();
  const HeldoutLabels held{w.labels, &w.set, kCtx};
  const std::string dir = testing::TmpDir("monosemanticity_dead");
  std::filesystem::create_directories(dir);
  auto neurons = MeasureUnitPopulation("neurons", Blind(14, 1), held);
  Tensor dead({static_cast<int64_t>(w.labels.size()), 8});
  auto d1 = MeasureUnitPopulation("F=8", dead, held);
  auto d2 = MeasureUnitPopulation("F=16", Tensor({static_cast<int64_t>(w.labels.size()), 16}), held);
  ASSERT_TRUE(neurons.ok() && d1.ok() && d2.ok());
  auto rows = MonosemanticityRows(*neurons, {*d1, *d2}, w.set, /*judged=*/true, dir);
  ASSERT_TRUE(rows.ok()) << rows.status();
  for (const ResultRow& r : *rows) {
    if (r.direction() != REPORT_ONLY) {
      EXPECT_EQ(r.status(), FAIL) << r.metric();
    }
  }
}

TEST(SaeMonosemanticityTest, QuickRunsReportOnly) {
  const World w = MakeWorld();
  const HeldoutLabels held{w.labels, &w.set, kCtx};
  const std::string dir = testing::TmpDir("monosemanticity_quick");
  std::filesystem::create_directories(dir);
  auto neurons = MeasureUnitPopulation("neurons", Blind(14, 1), held);
  auto f = MeasureUnitPopulation("F=12", Detectors(w, true), held);
  ASSERT_TRUE(neurons.ok() && f.ok());
  auto rows = MonosemanticityRows(*neurons, {*f}, w.set, /*judged=*/false, dir);
  ASSERT_TRUE(rows.ok());
  for (const ResultRow& r : *rows) EXPECT_EQ(r.direction(), REPORT_ONLY) << r.metric();
}

}  // namespace
}  // namespace monosem::sae
