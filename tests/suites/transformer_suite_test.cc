// The transformer reproduce suite: the quick suite end to end (rows, the loss
// bar, checkpoints, activation stores and the manifest), --config overrides,
// and bad input.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>

#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "monosem/config.h"
#include "monosem/data/activation_store.h"
#include "monosem/data/corpus.h"
#include "monosem/models/transformer/trainer.h"
#include "monosem/suites/artifacts.h"
#include "monosem/suites/transformer/transformer_suite.h"
#include "monosem/suites/transformer/transformer_suite_config.h"
#include "tests/testing/tmp_dir.h"

namespace monosem {
namespace {

using ::monosem::testing::TmpDir;

const ResultRow* Find(const std::vector<ResultRow>& rows, const std::string& metric) {
  for (const ResultRow& r : rows) {
    if (r.metric() == metric) return &r;
  }
  return nullptr;
}


TEST(TransformerSuite, QuickRunRowsCheckpointsAndStores) {
  SuiteContext ctx;
  ctx.out_dir = TmpDir("tsuite_quick");
  ctx.quick = true;
  auto rows = RunTransformerSuite(ctx);
  ASSERT_TRUE(rows.ok()) << rows.status();
  for (const char* m : {"loss_per_byte_train[A]", "loss_per_byte_heldout[A]",
                        "loss_per_byte_train[B]", "loss_per_byte_heldout[B]"}) {
    const ResultRow* r = Find(*rows, m);
    ASSERT_NE(r, nullptr) << m;
    // Falsifiable: an untrained byte model sits at ln 256 = 5.55 nats, the
    // unigram entropy is ~3.97; the quick model must beat the latter.
    EXPECT_EQ(r->status(), PASS) << m << " " << r->measured() << " vs " << r->expected();
    EXPECT_LT(r->expected(), 4.2);
    EXPECT_GT(r->expected(), 3.7);
  }
  for (const char* m : {"loss_per_byte_heldout[A,prose]",
                        "neuron_genres_often_active_mean[A]", "neuron_fraction_polysemantic[B]",
                        "genre_f1[A,prose]", "activation_store_vectors[A]",
                        "activation_store_vectors[B]", "suite_wall_seconds"}) {
    const ResultRow* r = Find(*rows, m);
    ASSERT_NE(r, nullptr) << m;
    EXPECT_EQ(r->status(), REPORT) << m;
    EXPECT_TRUE(std::isfinite(r->measured())) << m;
  }
  // The quick stats tokens (256 windows of 32 held-out bytes) cover a few
  // documents, so which genres show up depends on the mixture; several must,
  // and the most detectable of them (formal genres are easy to tell from one
  // neuron's activation) must beat chance.
  int genre_rows = 0;
  double best_f1 = 0;
  for (const ResultRow& r : *rows) {
    if (r.metric().rfind("genre_f1[A,", 0) != 0) continue;
    ++genre_rows;
    best_f1 = std::max(best_f1, r.measured());
  }
  EXPECT_GE(genre_rows, 3);
  EXPECT_GT(best_f1, 0.3);
  EXPECT_GE(Find(*rows, "genre_f1[A,prose]")->measured(), 0.0);
  EXPECT_LE(Find(*rows, "genre_f1[A,prose]")->measured(), 1.0);

  // Rows are per top-level genre: never one per leaf.
  for (const ResultRow& r : *rows) {
    EXPECT_EQ(r.metric().find('/'), std::string::npos) << r.metric();
  }
  for (const char* f : {"transformer_loss_per_genre.csv", "transformer_loss_per_leaf.csv",
                        "transformer_genre_f1.csv",
                        "transformer_polysemanticity_hist.csv", "transformer_neuron_fire_rates.csv",
                        "transformer_manifest.json"}) {
    EXPECT_TRUE(std::filesystem::exists(ctx.out_dir + "/" + f)) << f;
  }
  for (const char* m : {"A", "B"}) {
    TransformerDims dims;
    auto w = LoadTransformerWeights(ctx.out_dir + "/transformer_" + std::string(m), &dims);
    ASSERT_TRUE(w.ok()) << w.status();
    EXPECT_EQ(dims.d_model, 32);
    auto info = OpenActivationStore(ctx.out_dir + "/activations_" + std::string(m));
    ASSERT_TRUE(info.ok()) << info.status();
    EXPECT_EQ(info->d, 64);
    // The store keeps the corpus's whole label tree (leaf ids past 255).
    EXPECT_EQ(info->labels.names, BuiltinLabels().names);
    EXPECT_EQ(info->labels.parent, BuiltinLabels().parent);
    EXPECT_EQ(info->n, 64 * 16);  // 64 contexts x 16 sampled positions
    EXPECT_EQ(static_cast<double>(info->n),
              Find(*rows, "activation_store_vectors[" + std::string(m) + "]")->measured());
  }
  // The typed hand-off to the sae suite names both models, their stores and
  // the config they were trained with.
  auto man = ReadTransformerManifest(TransformerManifestPath(ctx.out_dir));
  ASSERT_TRUE(man.ok()) << man.status();
  EXPECT_EQ(man->suite(), "transformer");
  EXPECT_TRUE(man->quick());
  EXPECT_EQ(man->config().transformer().d_model(), 32);
  ASSERT_EQ(man->models_size(), 2);
  for (int m = 0; m < 2; ++m) {
    const TransformerArtifact& a = man->models(m);
    EXPECT_EQ(a.name(), m == 0 ? "A" : "B");
    EXPECT_EQ(a.checkpoint(), ctx.out_dir + "/transformer_" + a.name());
    EXPECT_EQ(a.activations(), ctx.out_dir + "/activations_" + a.name());
    EXPECT_EQ(a.vectors(), 64 * 16);
    EXPECT_EQ(a.contexts(), 64);
    EXPECT_EQ(a.per_context(), 16);
    auto info = OpenActivationStore(a.activations());
    ASSERT_TRUE(info.ok()) << info.status();
    EXPECT_EQ(info->checkpoint_hash, a.checkpoint_hash());
  }
  // A second run into the same folder replaces the outputs.
  ctx.config = nullptr;
  RunConfig tiny;
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString("train { steps: 5 }", &tiny));
  ctx.config = &tiny;
  auto again = RunTransformerSuite(ctx);
  ASSERT_TRUE(again.ok()) << again.status();
}

TEST(TransformerSuite, ConfigOverridesDefaults) {
  auto cfg = ParseRunConfig(
      "transformer { d_model: 16 n_heads: 2 n_ctx: 16 d_mlp: 24 }\n"
      "train { steps: 20 batch_size: 4 seed: 7 }\n"
      "data { n_train: 50000 n_eval: 5000 corpus { genres { genre: \"dna\" weight: 1 } } }\n",
      "override.textproto");
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  const RunConfig merged = TransformerSuiteConfig(/*quick=*/true, &*cfg);
  EXPECT_EQ(merged.transformer().d_model(), 16);
  EXPECT_EQ(merged.transformer().vocab(), 256);  // unset: the default
  EXPECT_EQ(merged.train().steps(), 20);
  EXPECT_EQ(merged.train().lr(), TransformerSuiteDefaults(true).train().lr());

  SuiteContext ctx;
  ctx.out_dir = TmpDir("tsuite_config");
  ctx.quick = true;
  ctx.config = &*cfg;
  auto rows = RunTransformerSuite(ctx);
  ASSERT_TRUE(rows.ok()) << rows.status();
  // Only DNA in the corpus: its genre rows exist, prose's do not; seeds 7 and 8.
  EXPECT_NE(Find(*rows, "loss_per_byte_heldout[A,dna]"), nullptr);
  EXPECT_EQ(Find(*rows, "loss_per_byte_heldout[A,prose]"), nullptr);
  EXPECT_NE(Find(*rows, "loss_per_byte_train[A]")->note().find("seed 7"), std::string::npos);
  EXPECT_NE(Find(*rows, "loss_per_byte_train[B]")->note().find("seed 8"), std::string::npos);
  TransformerDims dims;
  ASSERT_TRUE(LoadTransformerWeights(ctx.out_dir + "/transformer_B", &dims).ok());
  EXPECT_EQ(dims.d_mlp, 24);
  auto info = OpenActivationStore(ctx.out_dir + "/activations_B");
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->d, 24);
}

void ExpectSuiteError(const std::string& text, const std::string& want) {
  auto cfg = ParseRunConfig(text, "bad.textproto");
  ASSERT_TRUE(cfg.ok()) << cfg.status();
  SuiteContext ctx;
  ctx.out_dir = TmpDir("tsuite_bad");
  ctx.quick = true;
  ctx.config = &*cfg;
  auto rows = RunTransformerSuite(ctx);
  ASSERT_FALSE(rows.ok()) << text;
  EXPECT_EQ(rows.status().code(), absl::StatusCode::kInvalidArgument) << rows.status();
  EXPECT_NE(rows.status().message().find(want), std::string::npos)
      << "got: " << rows.status().message() << "\nwant: " << want;
}

TEST(TransformerSuite, BadInputGivesClearErrors) {
  ExpectSuiteError("data { n_train: -5 }", "empty corpus");
  ExpectSuiteError("data { n_eval: -1 }", "empty corpus");
  ExpectSuiteError("transformer { n_ctx: 100000 }",
                   "transformer.n_ctx 100000 is over the maximum context length 65536");
  ExpectSuiteError("transformer { n_ctx: 64 } data { n_eval: 50 }",
                   "shorter than one window of n_ctx + 1 = 65");
  ExpectSuiteError("transformer { d_model: 30 n_heads: 4 }", "not a multiple of n_heads");
  ExpectSuiteError("data { corpus { genres { genre: \"klingon\" weight: 1 } } }", "klingon");
  ExpectSuiteError("transformer { vocab: 100 }", "below 256");
}

}  // namespace
}  // namespace monosem
