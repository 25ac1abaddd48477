#include "monosem/models/embeddings/embedding_sae.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "gtest/gtest.h"
#include "monosem/philox.h"

namespace monosem {
namespace {

TEST(EmbeddingRowSource, EveryRowOncePerEpochInASeededOrder) {
  Tensor v = Tensor::Uninitialized({10, 2});
  for (int w = 0; w < 10; ++w) v[w * 2] = static_cast<float>(w), v[w * 2 + 1] = -w;
  const std::vector<int32_t> rows = {1, 3, 4, 8, 9};
  EmbeddingRowSource src(v, rows, 7);
  Tensor batch;
  ASSERT_TRUE(src.Next(5, &batch).ok());
  std::vector<int> seen;
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(batch[i * 2 + 1], -batch[i * 2]);  // whole rows
    seen.push_back(static_cast<int>(batch[i * 2]));
  }
  std::vector<int> sorted = seen;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(sorted, std::vector<int>({1, 3, 4, 8, 9}));
  // The next epoch is another permutation of the same rows; the same seed
  // gives the same stream.
  ASSERT_TRUE(src.Next(5, &batch).ok());
  EmbeddingRowSource again(v, rows, 7);
  Tensor first;
  ASSERT_TRUE(again.Next(5, &first).ok());
  for (int i = 0; i < 5; ++i) EXPECT_EQ(first[i * 2], seen[i]);
  EmbeddingRowSource empty(v, {}, 7);
  EXPECT_FALSE(empty.Next(1, &batch).ok());
}

// Vectors that are each one of 12 directions times a positive scale: a TopK
// SAE with k = 1 and 24 features can reconstruct them almost exactly, and its
// activations pick each word's direction.
TEST(WordSae, LearnsSparseStructureInWordVectors) {
  const int64_t d = 10, V = 600, n_dirs = 12;
  const Philox rng(3, 0);
  std::vector<float> dirs(n_dirs * d);
  for (int64_t i = 0; i < n_dirs * d; ++i) dirs[i] = rng.NormalAt(i);
  Tensor v = Tensor::Uninitialized({V, d});
  std::vector<int32_t> rows;
  for (int64_t w = 0; w < V; ++w) {
    const int64_t j = w % n_dirs;
    const float scale = 0.5f + rng.UniformAt(10000 + w);
    for (int64_t k = 0; k < d; ++k) v[w * d + k] = scale * dirs[j * d + k];
    rows.push_back(static_cast<int32_t>(w));
  }
  WordSaeConfig config;
  config.features_per_dim = 2;  // 20 features... at least the 12 directions
  config.k_per_10_dims = 1;     // k = 1
  config.steps = 1500;
  config.batch = 64;
  config.lr = 3e-3f;
  auto s = TrainWordSae(v, rows, config);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->spec.f, 20);
  EXPECT_EQ(s->spec.k, 1);
  EXPECT_LT(s->final_recon / s->mean_sq_norm, 0.1);
  auto act = SaeActivations(*s, v, rows, "cpu");
  ASSERT_TRUE(act.ok()) << act.status();
  ASSERT_EQ(act->rows, V);
  ASSERT_EQ(act->cols, 20);
  // Words of one direction mostly fire the same feature.
  int agree = 0;
  for (int64_t w = n_dirs; w < V; ++w) {
    auto argmax = [&](int64_t r) {
      return std::max_element(act->v.begin() + r * 20, act->v.begin() + (r + 1) * 20) -
             (act->v.begin() + r * 20);
    };
    agree += argmax(w) == argmax(w % n_dirs);
  }
  EXPECT_GT(agree, (V - n_dirs) * 8 / 10);
  EXPECT_EQ(DecoderDirections(*s).size(), static_cast<size_t>(20 * d));
}

}  // namespace
}  // namespace monosem
