// The transformer-MLP half of the sae suite, end to end in quick mode: it
// trains the quick transformers when the folder has none, writes every row
// and file, and refuses a checkpoint or store that does not match the
// manifest, and a malformed manifest, with errors that name them.
#include "monosem/suites/sae/sae_mlp_experiments.h"

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "gtest/gtest.h"
#include "monosem/io/file_io.h"
#include "monosem/suites/artifacts.h"
#include "tests/testing/tmp_dir.h"

namespace monosem::sae {
namespace {

// A fresh, existing scratch folder.
std::string MadeTmpDir(const std::string& name) {
  const std::string dir = testing::TmpDir(name);
  std::filesystem::create_directories(dir);
  return dir;
}

std::map<std::string, double> ByMetric(const std::vector<ResultRow>& rows) {
  std::map<std::string, double> m;
  for (const ResultRow& r : rows) m[r.metric()] = r.measured();
  return m;
}

int CountLines(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) ++n;
  return n;
}

TEST(SaeMlpExperiments, QuickRunTrainsTheTransformersAndReportsEveryRow) {
  SuiteContext ctx;
  ctx.out_dir = MadeTmpDir("mlp_quick");
  ctx.quick = true;
  auto rows = RunSaeMlpExperiments(ctx);
  ASSERT_TRUE(rows.ok()) << rows.status();
  const auto m = ByMetric(*rows);
  // The transformer suite ran first (no manifest in the folder).
  EXPECT_TRUE(m.count("loss_per_byte_heldout[A]"));
  ASSERT_TRUE(std::filesystem::exists(ctx.out_dir + "/transformer_manifest.json"));
  // Quick transformer: d_mlp 64, ladder F = 64 ... 512 with resampling, and
  // the largest without it too.
  for (int f : {64, 128, 256, 512}) {
    for (const char* r : {"resampling", "no_resampling"}) {
      if (f != 512 && std::string(r) == "no_resampling") {
        EXPECT_FALSE(m.count("fvu[A/0,F=" + std::to_string(f) + ",no_resampling]"));
        continue;
      }
      int li = f == 64 ? 0 : f == 128 ? 1 : f == 256 ? 2 : 3;
      const std::string tag = "[A/" + std::to_string(li) + ",F=" + std::to_string(f) + "," + r + "]";
      for (const char* metric : {"mse", "fvu", "l0", "dead_fraction", "ultralow_fraction",
                                 "ultralow_fraction_1e5", "loss_recovered",
                                 "loss_recovered_mean_ablation", "shrinkage"}) {
        ASSERT_TRUE(m.count(metric + tag)) << metric << tag;
        EXPECT_TRUE(std::isfinite(m.at(metric + tag))) << metric << tag;
      }
      // An SAE that reconstructs anything: fvu below 1, some features active,
      // and a spliced loss between clean and zero-ablated (0 < recovered <= 1).
      EXPECT_LT(m.at("fvu" + tag), 1.0) << tag;
      EXPECT_GT(m.at("l0" + tag), 0.0) << tag;
      EXPECT_GT(m.at("loss_recovered" + tag), 0.0) << tag;
      EXPECT_LE(m.at("loss_recovered" + tag), 1.0) << tag;
    }
  }
  ASSERT_TRUE(m.count("max_corr_median_features[F=64]"));
  ASSERT_TRUE(m.count("max_corr_median_neurons"));
  // The paper's comparison size (the ladder's largest dictionary) too.
  ASSERT_TRUE(m.count("max_corr_median_features[F=512]"));
  EXPECT_LE(m.at("max_corr_median_features[F=512]"), 1.0);
  EXPECT_GT(m.at("max_corr_median_neurons"), -1.0);
  EXPECT_LE(m.at("max_corr_median_neurons"), 1.0);
  EXPECT_TRUE(m.count("genres_where_feature_beats_neuron"));
  int genre_rows = 0;
  for (const auto& [k, v] : m) genre_rows += k.rfind("genre_f1_feature[A,", 0) == 0;
  EXPECT_GE(genre_rows, 3) << "the held-out windows should span several genres";
  int corr_rows = 0;
  for (const auto& [k, v] : m) corr_rows += k.rfind("max_corr_genre_feature[A,", 0) == 0;
  EXPECT_EQ(corr_rows, genre_rows);
  EXPECT_EQ(CountLines(ctx.out_dir + "/sae_mlp_ladder.csv"), 1 + 5);
  // The judged comparisons exist in quick mode too, report-only there.
  for (const char* metric :
       {"dead_fraction_resampling_minus_none[A,F=512]", "loss_recovered_smallest_rise[A/0..A/3]",
        "specificity_excess_features_minus_neurons[A,F=512]",
        "specificity_excess_matched_firing_features_minus_neurons[A,F=512]",
        "polysemanticity_excess_neurons_minus_features[A,F=512]",
        "polysemanticity_excess_matched_firing_neurons_minus_features[A,F=512]",
        "context_f1_genres_feature_beats_neuron[A,F=512]", "splitting_growth[A,F=64->F=512]",
        "max_corr_median_features_minus_neurons[F=512]", "train_vectors_per_s[A/3,F=512,resampling]"}) {
    EXPECT_TRUE(m.count(metric)) << metric;
  }
  for (const char* file : {"sae_mlp_units_neurons.csv", "sae_mlp_units_F512.csv", "sae_mlp_splits_F64.csv",
                           "sae_mlp_leaf_labels_F512.csv", "sae_mlp_firing_bins.csv"}) {
    EXPECT_GE(CountLines(ctx.out_dir + "/" + file), 2) << file;
  }
  EXPECT_GE(CountLines(ctx.out_dir + "/sae_mlp_genre_f1.csv"), 1 + 3);
  EXPECT_TRUE(std::filesystem::exists(ctx.out_dir + "/sae_mlp_density_F64.csv"));

  // A second run reuses the transformers: no transformer rows this time.
  auto again = RunSaeMlpExperiments(ctx);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_FALSE(ByMetric(*again).count("loss_per_byte_heldout[A]"));
  // Bitwise the same SAEs: the same figures.
  EXPECT_EQ(ByMetric(*again).at("fvu[A/2,F=256,resampling]"), m.at("fvu[A/2,F=256,resampling]"));

  // A checkpoint changed after the harvest is refused, named.
  {
    const std::string path = ctx.out_dir + "/transformer_B/model.safetensors";
    std::string bytes = *ReadFile(path);
    bytes[bytes.size() - 1] ^= 0x40;
    ASSERT_TRUE(WriteFileAtomic(path, bytes).ok());
    auto bad = RunSaeMlpExperiments(ctx);
    ASSERT_FALSE(bad.ok());
    EXPECT_NE(std::string(bad.status().message()).find("transformer_B/model.safetensors hashes to"),
              std::string::npos)
        << bad.status();
  }
}

TEST(SaeMlpExperiments, MalformedManifestIsNamed) {
  const std::string dir = MadeTmpDir("mlp_bad_manifest");
  const std::string path = dir + "/transformer_manifest.json";
  SuiteContext ctx;
  ctx.out_dir = dir;
  ctx.quick = true;

  ASSERT_TRUE(WriteFileAtomic(path, "{\"quick\": true, \"models\": [").ok());
  auto r = RunSaeMlpExperiments(ctx);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(std::string(r.status().message()).find(path + ": not a monosem.TransformerManifest"),
            std::string::npos)
      << r.status();

  // A manifest of one transformer: the suite needs A and B.
  ASSERT_TRUE(WriteFileAtomic(path, "{\"quick\": true, \"models\": [{\"name\": \"A\", "
                                    "\"checkpoint\": \"c\", \"checkpoint_hash\": \"h\", "
                                    "\"activations\": \"s\"}]}")
                  .ok());
  r = RunSaeMlpExperiments(ctx);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(std::string(r.status().message()).find("expected transformers A and B, found 1"),
            std::string::npos)
      << r.status();
}

}  // namespace
}  // namespace monosem::sae
