#include "monosem/models/embeddings/word2vec.h"

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "monosem/backend.h"
#include "monosem/models/embeddings/vocab.h"
#include "monosem/philox.h"

namespace monosem {
namespace {

using ::testing::ElementsAre;

std::vector<std::vector<std::string>> Bark() {
  std::vector<std::vector<std::string>> s;
  for (int r = 0; r < 200; ++r) {
    s.push_back({"Dog", "Bark"});
    s.push_back({"Tree", "Bark"});
    s.push_back({"Dog", "Sound", "Bark"});
    s.push_back({"Tree", "Sound", "Creak"});
  }
  return s;
}

TEST(Vocab, SortedByCountTiesByFirstAppearance) {
  const TokenizedCorpus c = BuildCorpus({{"b", "a", "c"}, {"a", "d", "c"}, {"a"}});
  EXPECT_THAT(c.vocab.words, ElementsAre("a", "c", "b", "d"));
  EXPECT_THAT(c.vocab.counts, ElementsAre(3, 2, 1, 1));
  EXPECT_THAT(c.sentences[0], ElementsAre(2, 0, 1));
  EXPECT_EQ(c.tokens, 7);
  EXPECT_EQ(c.vocab.Find("d"), 3);
  EXPECT_EQ(c.vocab.Find("zz"), -1);
  const TokenizedCorpus c2 = BuildCorpus({{"b", "a", "c"}, {"a", "d", "c"}, {"a"}}, 2);
  EXPECT_THAT(c2.vocab.words, ElementsAre("a", "c"));
  EXPECT_THAT(c2.sentences[1], ElementsAre(0, 1));
  EXPECT_EQ(c2.tokens, 5);
}

TEST(Word2Vec, KeepProbability) {
  // threshold = 1e-3 · 1e6 = 1000: a word at the threshold is kept with
  // probability (1 + 1) · 1 = 2 -> 1; at 4x the threshold (2 + 1) / 4.
  EXPECT_DOUBLE_EQ(KeepProbability(1000, 1000000, 1e-3), 1.0);
  EXPECT_DOUBLE_EQ(KeepProbability(4000, 1000000, 1e-3), 0.75);
  EXPECT_DOUBLE_EQ(KeepProbability(5, 100, 0), 1.0);
}

TEST(Word2Vec, NegativeTableFollowsCountsToThePower) {
  const std::vector<int64_t> counts = {16, 1, 0, 81};
  const auto table = NegativeTable(counts, 0.75);
  // Weights 8, 1, 0, 27 of 36.
  std::vector<int64_t> hits(4, 0);
  Philox rng(5);
  const int n = 360000;
  for (int i = 0; i < n; ++i) ++hits[DrawNegative(table, rng.NextWord())];
  EXPECT_NEAR(hits[0] / double(n), 8.0 / 36, 0.005);
  EXPECT_NEAR(hits[1] / double(n), 1.0 / 36, 0.002);
  EXPECT_EQ(hits[2], 0);
  EXPECT_NEAR(hits[3] / double(n), 27.0 / 36, 0.005);
  EXPECT_EQ(DrawNegative(table, 0xFFFFFFFFu), 3);
}

TEST(Word2Vec, BucketedSamplerDrawsWhatTheFullSearchDraws) {
  // Zipf-like counts over 3000 words, and a few huge ones, so buckets hold
  // anything from many words to a fraction of one.
  std::vector<int64_t> counts;
  for (int i = 1; i <= 3000; ++i) counts.push_back(i <= 3 ? 50000000 : 1000000 / i + 1);
  const auto table = NegativeTable(counts, 0.75);
  const NegativeSampler sampler(counts, 0.75);
  Philox rng(11);
  for (int i = 0; i < 200000; ++i) {
    const uint32_t r = rng.NextWord();
    ASSERT_EQ(sampler.Draw(r), DrawNegative(table, r)) << r;
  }
  for (uint32_t r : {0u, 1u, 65535u, 65536u, 0xFFFF0000u, 0xFFFFFFFFu}) {
    EXPECT_EQ(sampler.Draw(r), DrawNegative(table, r)) << r;
  }
}

TEST(Word2Vec, InitialVectorsShareCoordinatesAcrossSizes) {
  const Tensor a = InitialVectors(5, 3, 1), b = InitialVectors(5, 4, 1);
  for (int w = 0; w < 5; ++w) {
    for (int k = 0; k < 3; ++k) {
      EXPECT_FLOAT_EQ(a[w * 3 + k] * 3, b[w * 4 + k] * 4);
      EXPECT_LE(std::abs(a[w * 3 + k]), 1.0f / 3);
    }
  }
  const Tensor c = InitialVectors(5, 3, 2);
  EXPECT_NE(a[0], c[0]);
}

absl::StatusOr<Word2VecModel> Train(const std::string& backend, const Word2VecConfig& config,
                                    const TokenizedCorpus& corpus) {
  auto kernels = SgnsKernelRegistry::Create(BackendRegistry::Create(backend));
  if (!kernels.ok()) return kernels.status();
  return TrainWord2Vec(corpus, config, **kernels);
}

TEST(Word2Vec, BitwiseReproducibleAndIndependentOfBatching) {
  const TokenizedCorpus corpus = BuildCorpus(Bark());
  Word2VecConfig config;
  config.dim = 7;
  config.sample = 0;
  auto a = Train("cpu", config, corpus);
  ASSERT_TRUE(a.ok()) << a.status();
  auto b = Train("cpu", config, corpus);
  config.batch_pairs = 7;
  auto c = Train("cpu", config, corpus);
  ASSERT_TRUE(b.ok() && c.ok());
  for (const Word2VecModel* m : {&*b, &*c}) {
    EXPECT_EQ(0, std::memcmp(a->in_vectors.data(), m->in_vectors.data(),
                             a->in_vectors.size() * sizeof(float)));
    EXPECT_EQ(0, std::memcmp(a->out_vectors.data(), m->out_vectors.data(),
                             a->out_vectors.size() * sizeof(float)));
  }
  config.seed = 2;
  auto d = Train("cpu", config, corpus);
  ASSERT_TRUE(d.ok());
  EXPECT_NE(a->in_vectors[0], d->in_vectors[0]);
}

TEST(Word2Vec, LearnsTheBarkCorpusAndAgreesWithTheReference) {
  const TokenizedCorpus corpus = BuildCorpus(Bark());
  Word2VecConfig config;
  config.dim = 4;
  config.sample = 0;  // the corpus is too small for sub-sampling to leave much
  config.shrink_windows = false;
  auto cpu = Train("cpu", config, corpus);
  auto ref = Train("reference", config, corpus);
  ASSERT_TRUE(cpu.ok() && ref.ok());
  // At the start every dot is 0: (1 + 5 negatives) log 2 per pair. With five
  // words, negatives are often true contexts, so the loss levels off well above 0.
  EXPECT_LT(cpu->epoch_loss.back(), 0.5 * 6 * std::log(2.0));
  // Full windows: pairs per sentence 2, 2, 6, 6, each repeated 200 times.
  EXPECT_EQ(cpu->epoch_pairs[0], 200 * (2 + 2 + 6 + 6));
  // A whole training run drifts apart by rounding only.
  for (int64_t i = 0; i < cpu->in_vectors.size(); ++i) {
    EXPECT_NEAR(cpu->in_vectors[i], ref->in_vectors[i], 1e-4) << i;
  }
  EXPECT_NEAR(cpu->epoch_loss.back(), ref->epoch_loss.back(), 1e-4);
}

TEST(Word2Vec, SubsamplingDropsFrequentWords) {
  const TokenizedCorpus corpus = BuildCorpus(Bark());
  Word2VecConfig config;
  config.dim = 2;
  config.epochs = 1;
  auto m = Train("cpu", config, corpus);
  ASSERT_TRUE(m.ok());
  // threshold 1e-3 · 2000 = 2 tokens: each word keeps about sqrt(2/c)+2/c of c.
  double expected = 0;
  for (int64_t c : corpus.vocab.counts) expected += c * KeepProbability(c, corpus.tokens, 1e-3);
  EXPECT_NEAR(static_cast<double>(m->epoch_kept[0]), expected, 4 * std::sqrt(expected));
}

TEST(Word2Vec, RefusesBadConfig) {
  const TokenizedCorpus corpus = BuildCorpus(Bark());
  Word2VecConfig config;
  config.dim = 0;
  EXPECT_FALSE(Train("cpu", config, corpus).ok());
  config.dim = 3;
  config.window = 0;
  EXPECT_FALSE(Train("cpu", config, corpus).ok());
  EXPECT_FALSE(Train("cpu", Word2VecConfig{}, BuildCorpus({})).ok());
}

}  // namespace
}  // namespace monosem
