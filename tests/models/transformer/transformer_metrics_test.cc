// The transformer's neuron metrics (transformer_metrics.h), pinned by
// hand-computed examples: genre_f1 of the best neuron and polysemanticity.
#include <cmath>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "monosem/models/transformer/transformer_metrics.h"

namespace monosem {
namespace {

// One neuron, acts [3, 2, 1, 0], labels [1, 0, 1, 0], genre 1 (P = 2):
//   act > 2   flags {3}:       TP 1, F1 = 2*1 / (1 + 2) = 0.667
//   act > 1   flags {3, 2}:    TP 1, F1 = 2 / (2 + 2)   = 0.5
//   act > 0   flags {3, 2, 1}: TP 2, F1 = 4 / (3 + 2)   = 0.8   <- best
//   act > -1  flags all:       TP 2, F1 = 4 / (4 + 2)   = 0.667
// Genre 0 (P = 2): best is "act > -1" with TP 2 of 4 flagged (0.667), vs 2/(2+2)=0.5
// at "act > 1"; so 0.667 with every token flagged.
TEST(GenreF1, HandComputedSingleNeuron) {
  const std::vector<float> acts = {3, 2, 1, 0};
  const std::vector<LabelId> labels = {1, 0, 1, 0};
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

// Label ids are 16 bits: a genre id past 255 is its own genre, not id % 256.
TEST(GenreF1, LabelIdsPast255) {
  const std::vector<float> acts = {3, 2, 1, 0};
  const std::vector<LabelId> labels = {300, 44, 300, 44};
  auto f = BestNeuronGenreF1(acts, 4, 1, labels, 301);
  ASSERT_TRUE(f.ok()) << f.status();
  ASSERT_EQ(f->size(), 2u);
  EXPECT_EQ((*f)[1].genre, 300);
  EXPECT_NEAR((*f)[1].f1, 0.8, 1e-12);
  EXPECT_EQ((*f)[1].positives, 2);
  auto p = NeuronPolysemanticity(acts, 4, 1, labels, 301, 0.5, 1);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->genre_tokens[300], 2);
  EXPECT_EQ(p->genre_tokens[44], 2);
}

// Ties cannot be split: acts [1, 1, 0], labels [1, 0, 0]. act > 0 flags both 1s:
// F1 = 2 / (2 + 1) = 0.667, not 1.
TEST(GenreF1, TiesAreNotSplit) {
  auto f = BestNeuronGenreF1(std::vector<float>{1, 1, 0}, 3, 1, std::vector<LabelId>{1, 0, 0}, 2);
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
  const std::vector<LabelId> labels = {0, 0, 1, 1};
  auto f = BestNeuronGenreF1(acts, 4, 2, labels, 3);
  ASSERT_TRUE(f.ok());
  ASSERT_EQ(f->size(), 2u);  // genre 2 has no tokens
  EXPECT_EQ((*f)[0].neuron, 0);
  EXPECT_NEAR((*f)[0].f1, 1.0, 1e-12);
  EXPECT_EQ((*f)[0].predicted, 2);
  EXPECT_NEAR((*f)[1].f1, 2.0 / 3.0, 1e-12);
}

TEST(GenreF1, BadInput) {
  EXPECT_FALSE(BestNeuronGenreF1(std::vector<float>{1, 2}, 2, 2, std::vector<LabelId>{0, 0}, 1)
                   .ok());
  auto s = BestNeuronGenreF1(std::vector<float>{1}, 1, 1, std::vector<LabelId>{4}, 2);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("label 4 out of range"), std::string::npos);
}

// 2 neurons, 3 genres, 10 tokens: genre 0 x4, genre 1 x4, genre 2 x2.
// Neuron 0 fires on 2/4 of genre 0 (0.5: often active at 50%), 3/4 of genre 1,
// 1/2 of genre 2 -> 3 genres at 50%, but genre 2 (2 tokens) is not eligible
// with min 3 tokens -> 2. Neuron 1 fires on 1/4 of genre 0 only -> 0.
TEST(Polysemanticity, HandComputed) {
  const std::vector<LabelId> labels = {0, 0, 0, 0, 1, 1, 1, 1, 2, 2};
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

}  // namespace
}  // namespace monosem
