// The transformer reproduce suite: genre_f1 and polysemanticity pinned by
// hand-computed examples, the quick suite end to end (rows, the loss bar,
// checkpoints and activation stores), --config overrides, and bad input.
#include <cmath>
#include <filesystem>
#include <string>

#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "monosem/config.h"
#include "monosem/data/activation_store.h"
#include "monosem/models/transformer/trainer.h"
#include "monosem/models/transformer/transformer_suite.h"
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

// One neuron, acts [3, 2, 1, 0], labels [1, 0, 1, 0], genre 1 (P = 2):
//   act > 2   flags {3}:       TP 1, F1 = 2*1 / (1 + 2) = 0.667
//   act > 1   flags {3, 2}:    TP 1, F1 = 2 / (2 + 2)   = 0.5
//   act > 0   flags {3, 2, 1}: TP 2, F1 = 4 / (3 + 2)   = 0.8   <- best
//   act > -1  flags all:       TP 2, F1 = 4 / (4 + 2)   = 0.667
// Genre 0 (P = 2): best is "act > -1" with TP 2 of 4 flagged (0.667), vs 2/(2+2)=0.5
// at "act > 1"; so 0.667 with every token flagged.
TEST(GenreF1, HandComputedSingleNeuron) {
  const std::vector<float> acts = {3, 2, 1, 0};
  const std::vector<uint8_t> labels = {1, 0, 1, 0};
  auto f = BestNeuronGenreF1(acts, 4, 1, labels, 2);
  ASSERT_TRUE(f.ok()) << f.status();
  ASSERT_EQ(f->size(), 2u);
  EXPECT_EQ((*f)[1].genre, 1);
  EXPECT_NEAR((*f)[1].f1, 0.8, 1e-12);
  EXPECT_EQ((*f)[1].predicted, 3);
  EXPECT_GT(1.0f, (*f)[1].threshold);  // flags act 1 ...
  EXPECT_LE(0.0f, (*f)[1].threshold);  // ... but not act 0
  EXPECT_NEAR((*f)[0].f1, 2.0 / 3.0, 1e-12);
  EXPECT_EQ((*f)[0].predicted, 4);
  EXPECT_LT((*f)[0].threshold, 0.0f);
}

// Ties cannot be split: acts [1, 1, 0], labels [1, 0, 0]. act > 0 flags both 1s:
// F1 = 2 / (2 + 1) = 0.667, not 1.
TEST(GenreF1, TiesAreNotSplit) {
  auto f = BestNeuronGenreF1(std::vector<float>{1, 1, 0}, 3, 1, std::vector<uint8_t>{1, 0, 0}, 2);
  ASSERT_TRUE(f.ok());
  EXPECT_NEAR((*f)[1].f1, 2.0 / 3.0, 1e-12);
}

// Two neurons, the best one per genre wins; a genre with no tokens is skipped.
// Tokens (rows): labels [0, 0, 1, 1]; neuron 0 = [5, 4, 0, 0] (perfect for
// genre 0), neuron 1 = [0, 1, 2, 0] (genre 1: act > 1 flags {2}: TP 1,
// F1 = 2/(1+2) = 0.667; act > 0 flags {1, 2}: TP 1, F1 = 0.5; act > -1: 4/(4+2)
// = 0.667 ties, the higher threshold is kept; neuron 0 for genre 1: act > -1
// -> 0.667 too, but neuron 1 at its higher threshold came... first by F1 only,
// so the first neuron reaching 0.667 is kept: neuron 0 (all flagged)).
TEST(GenreF1, BestNeuronPerGenre) {
  // row-major [4 tokens, 2 neurons]
  const std::vector<float> acts = {5, 0, 4, 1, 0, 2, 0, 0};
  const std::vector<uint8_t> labels = {0, 0, 1, 1};
  auto f = BestNeuronGenreF1(acts, 4, 2, labels, 3);
  ASSERT_TRUE(f.ok());
  ASSERT_EQ(f->size(), 2u);  // genre 2 has no tokens
  EXPECT_EQ((*f)[0].neuron, 0);
  EXPECT_NEAR((*f)[0].f1, 1.0, 1e-12);
  EXPECT_EQ((*f)[0].predicted, 2);
  EXPECT_NEAR((*f)[1].f1, 2.0 / 3.0, 1e-12);
}

TEST(GenreF1, BadInput) {
  EXPECT_FALSE(BestNeuronGenreF1(std::vector<float>{1, 2}, 2, 2, std::vector<uint8_t>{0, 0}, 1)
                   .ok());
  auto s = BestNeuronGenreF1(std::vector<float>{1}, 1, 1, std::vector<uint8_t>{4}, 2);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("label 4 out of range"), std::string::npos);
}

// 2 neurons, 3 genres, 10 tokens: genre 0 x4, genre 1 x4, genre 2 x2.
// Neuron 0 fires on 2/4 of genre 0 (0.5: often active at 50%), 3/4 of genre 1,
// 1/2 of genre 2 -> 3 genres at 50%, but genre 2 (2 tokens) is not eligible
// with min 3 tokens -> 2. Neuron 1 fires on 1/4 of genre 0 only -> 0.
TEST(Polysemanticity, HandComputed) {
  const std::vector<uint8_t> labels = {0, 0, 0, 0, 1, 1, 1, 1, 2, 2};
  // [token, neuron]
  const std::vector<float> acts = {1, 0.5f, 2, 0, 0, 0, 0, 0,   // genre 0
                                   3, 0, 3, 0, 3, 0, 0, 0,       // genre 1
                                   1, 0, 0, 0};                  // genre 2
  auto p = NeuronPolysemanticity(acts, 10, 2, labels, 3, 0.5, 3);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->genres_per_neuron, (std::vector<int>{2, 0}));
  EXPECT_DOUBLE_EQ(p->fire_rate[0][0], 0.5);
  EXPECT_DOUBLE_EQ(p->fire_rate[0][1], 0.75);
  EXPECT_DOUBLE_EQ(p->fire_rate[0][2], 0.5);
  EXPECT_DOUBLE_EQ(p->fire_rate[1][0], 0.25);
  EXPECT_EQ(p->histogram, (std::vector<int64_t>{1, 0, 1}));  // 2 eligible genres
  EXPECT_DOUBLE_EQ(p->mean_genres, 1.0);
  EXPECT_DOUBLE_EQ(p->fraction_polysemantic, 0.5);
  // Every genre eligible: neuron 0 -> 3 genres.
  auto all = NeuronPolysemanticity(acts, 10, 2, labels, 3, 0.5, 1);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->genres_per_neuron, (std::vector<int>{3, 0}));
  // A stricter threshold: 0.75 keeps only genre 1.
  auto strict = NeuronPolysemanticity(acts, 10, 2, labels, 3, 0.75, 1);
  ASSERT_TRUE(strict.ok());
  EXPECT_EQ(strict->genres_per_neuron, (std::vector<int>{1, 0}));
  EXPECT_FALSE(NeuronPolysemanticity(acts, 10, 2, labels, 3, 0.0, 1).ok());
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
  for (const char* m : {"loss_per_byte_heldout[A,prose]", "loss_per_byte_heldout[A,dna]",
                        "neuron_genres_often_active_mean[A]", "neuron_fraction_polysemantic[B]",
                        "genre_f1[A,dna]", "genre_f1[A,prose]", "activation_store_vectors[A]",
                        "activation_store_vectors[B]", "suite_wall_seconds"}) {
    const ResultRow* r = Find(*rows, m);
    ASSERT_NE(r, nullptr) << m;
    EXPECT_EQ(r->status(), REPORT) << m;
    EXPECT_TRUE(std::isfinite(r->measured())) << m;
  }
  // DNA is easy to detect from one neuron's activation; it must beat chance.
  EXPECT_GT(Find(*rows, "genre_f1[A,dna]")->measured(), 0.3);
  EXPECT_GE(Find(*rows, "genre_f1[A,prose]")->measured(), 0.0);
  EXPECT_LE(Find(*rows, "genre_f1[A,prose]")->measured(), 1.0);

  for (const char* f : {"transformer_loss_per_genre.csv", "transformer_genre_f1.csv",
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
    EXPECT_EQ(info->n, 64 * 16);  // 64 contexts x 16 sampled positions
    EXPECT_EQ(static_cast<double>(info->n),
              Find(*rows, "activation_store_vectors[" + std::string(m) + "]")->measured());
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
