// The sae suite's hierarchy experiment: the scales (the paper scale is what
// is tested, it cannot run here), the architecture table, the judged F1
// order row (it fails, never passes or vanishes, without Matryoshka), and a
// quick run on a cut-down table.
#include "monosem/suites/sae/sae_hierarchy_experiments.h"

#include <cmath>
#include <filesystem>
#include <string>

#include "gtest/gtest.h"
#include "monosem/published.h"
#include "tests/testing/tmp_dir.h"

namespace monosem::sae {
namespace {

TEST(HierarchyScale, PaperIsSynthSaeBench16k) {
  const HierarchyScale p = HierarchyScaleFor(SuiteScale::kPaper);
  EXPECT_EQ(p.world.n_features, 16384);
  EXPECT_EQ(p.world.d, 768);
  EXPECT_EQ(p.width, 4096);
  EXPECT_EQ(p.k, 25);
  EXPECT_EQ(p.batch, 1024);
  const double samples = static_cast<double>(p.steps) * p.batch;
  EXPECT_GE(samples, 2e8);
  EXPECT_LT(samples, 2e8 + p.batch);
  EXPECT_EQ(p.world.roots, 128);
  EXPECT_EQ(p.world.branching, 4);
  EXPECT_EQ(p.world.depth, 3);
  EXPECT_TRUE(ValidateHierarchyWorld(p.world).ok());
}

TEST(HierarchyScale, EveryScaleIsAValidWorldInSuperposition) {
  for (SuiteScale s : {SuiteScale::kQuick, SuiteScale::kDefault, SuiteScale::kPaper}) {
    const HierarchyScale sc = HierarchyScaleFor(s);
    EXPECT_TRUE(ValidateHierarchyWorld(sc.world).ok()) << SuiteScaleName(s);
    EXPECT_GT(sc.world.n_features, sc.world.d) << SuiteScaleName(s);
    EXPECT_LT(sc.width, sc.world.n_features) << SuiteScaleName(s);
    EXPECT_GT(sc.k, 0);
  }
  // Default: the brief's profile, 0.16 down to 0.01.
  const HierarchyScale d = HierarchyScaleFor(SuiteScale::kDefault);
  EXPECT_DOUBLE_EQ(d.world.p_max, 0.16);
  EXPECT_DOUBLE_EQ(d.world.p_min, 0.01);
  EXPECT_GT(d.world.correlation, 0);
}

TEST(HierarchyArchTable, OneEntryPerArchWithThePapersNumbers) {
  // Every entry is named as its kernels' architecture, and the judged F1
  // order finds every architecture it needs, Matryoshka included.
  const auto table = HierarchyArchTable();
  ASSERT_EQ(table.size(), 5u);
  const HierarchyScale sc = HierarchyScaleFor(SuiteScale::kDefault);
  for (size_t i = 0; i < table.size(); ++i) {
    const HierarchyArch& a = table[i];
    SaeSpec s;
    s.d = sc.world.d;
    s.f = sc.width;
    TrainOptions o;
    ASSERT_TRUE(a.build(sc, &s, &o).ok()) << a.name;
    EXPECT_TRUE(ValidateSpec(s).ok()) << a.name;
    EXPECT_EQ(ArchName(s.arch), a.name);
    if (a.name == kMatryoshkaArch) {
      EXPECT_EQ(s.prefix_widths, (std::vector<int64_t>{sc.width / 16, sc.width / 4, sc.width}));
    }
  }
  EXPECT_DOUBLE_EQ(table[0].published_f1, 0.556);
  EXPECT_DOUBLE_EQ(table[0].published_mcc, 0.604);
  EXPECT_DOUBLE_EQ(table[0].published_ev, 0.765);
  EXPECT_DOUBLE_EQ(table[2].published_f1, 0.732);
  EXPECT_DOUBLE_EQ(table[3].published_ev, 0.795);
  EXPECT_TRUE(std::isnan(table[1].published_f1));  // no published TopK row
  EXPECT_DOUBLE_EQ(PublishedNumber("sae.synthsaebench.matryoshka_batch_topk.f1"), 0.879);
}

// The tolerance is half the smaller published neighbour gap: 0.147 / 2.
constexpr double kTol = 0.5 * (0.879 - 0.732);

TEST(F1OrderRow, PassesOnThePublishedOrderWithItsMargin) {
  const ResultRow r = F1OrderRow(
      {{kMatryoshkaArch, 0.80}, {"batch_topk", 0.70}, {"jumprelu", 0.68}, {"relu_l1", 0.50}}, true);
  // Margins: 0.80 - 0.70 = 0.10; kTol - 0.02 = 0.0535; 0.68 - 0.50 = 0.18.
  EXPECT_NEAR(r.measured(), kTol - 0.02, 1e-12);
  EXPECT_EQ(r.status(), PASS);
  EXPECT_NE(r.note().find("margin +0.0535"), std::string::npos) << r.note();
}

TEST(F1OrderRow, FailsWhenTheOrderBreaks) {
  // BatchTopK and JumpReLU further apart than the tolerance.
  ResultRow r = F1OrderRow(
      {{kMatryoshkaArch, 0.90}, {"batch_topk", 0.80}, {"jumprelu", 0.70}, {"relu_l1", 0.50}}, true);
  EXPECT_NEAR(r.measured(), kTol - 0.10, 1e-12);
  EXPECT_EQ(r.status(), FAIL);
  // Standard L1 above JumpReLU.
  r = F1OrderRow(
      {{kMatryoshkaArch, 0.90}, {"batch_topk", 0.70}, {"jumprelu", 0.70}, {"relu_l1", 0.75}}, true);
  EXPECT_EQ(r.status(), FAIL);
  // Matryoshka not above BatchTopK.
  r = F1OrderRow(
      {{kMatryoshkaArch, 0.69}, {"batch_topk", 0.70}, {"jumprelu", 0.70}, {"relu_l1", 0.5}}, true);
  EXPECT_EQ(r.status(), FAIL);
}

TEST(F1OrderRow, FailsNamingAMissingArchitecture) {
  const ResultRow r =
      F1OrderRow({{"batch_topk", 0.70}, {"jumprelu", 0.70}, {"relu_l1", 0.50}}, true);
  EXPECT_EQ(r.status(), FAIL);
  EXPECT_TRUE(std::isnan(r.measured()));
  EXPECT_NE(r.note().find("matryoshka_batch_topk"), std::string::npos) << r.note();
  EXPECT_NE(r.note().find("absent"), std::string::npos) << r.note();
  // Quick: report-only, still present and still saying why.
  const ResultRow q = F1OrderRow({{"relu_l1", 0.5}}, false);
  EXPECT_EQ(q.status(), REPORT);
  EXPECT_NE(q.note().find("matryoshka_batch_topk, batch_topk, jumprelu"), std::string::npos)
      << q.note();
}

TEST(HierarchyExperiment, QuickRunOnACutDownTable) {
  SuiteContext ctx;
  ctx.quick = true;
  ctx.out_dir = monosem::testing::TmpDir("hierarchy_quick");
  std::filesystem::create_directories(ctx.out_dir);
  std::vector<HierarchyArch> table = HierarchyArchTable();
  table.erase(table.begin() + 2, table.end());  // relu_l1, topk
  auto rows = RunSaeHierarchyExperiments(ctx, table);
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 2u * 4 + 1);
  for (const ResultRow& r : *rows) {
    if (r.metric().rfind("feature_f1[", 0) == 0 || r.metric().rfind("mcc[", 0) == 0) {
      EXPECT_GE(r.measured(), 0) << r.metric();
      EXPECT_LE(r.measured(), 1) << r.metric();
    }
  }
  EXPECT_EQ((*rows)[0].metric(), "feature_f1[hierarchy,relu_l1]");
  EXPECT_DOUBLE_EQ((*rows)[0].published(), 0.556);
  EXPECT_EQ((*rows)[7].metric(), "l0[hierarchy,topk]");
  EXPECT_DOUBLE_EQ((*rows)[7].measured(), 3.0);  // TopK's L0 is k
  EXPECT_EQ(rows->back().status(), REPORT);
  EXPECT_TRUE(std::filesystem::exists(ctx.out_dir + "/sae_hierarchy.csv"));
}

}  // namespace
}  // namespace monosem::sae
