// Sparse autoencoders on a word2vec model's word vectors: the rows of the
// embedding matrix (a chosen subset of words) are the training vectors,
// served by an in-memory BatchSource, and the SAE trainer of
// monosem/models/sae/sae.h does the rest. Used by the embeddings suite to ask
// of dictionary features what the notebook asked of basis directions.
#ifndef MONOSEM_MODELS_EMBEDDINGS_EMBEDDING_SAE_H_
#define MONOSEM_MODELS_EMBEDDINGS_EMBEDDING_SAE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "monosem/models/embeddings/unit_matching.h"
#include "monosem/models/sae/sae.h"
#include "monosem/tensor.h"

namespace monosem {

// Rows `rows` of `vectors` [V, d] in a Philox-shuffled order, a fresh
// permutation each epoch, cycling forever (the order is a pure function of
// seed and position, like SafetensorsMatrixSource). `vectors` must outlive it.
class EmbeddingRowSource : public sae::BatchSource {
 public:
  EmbeddingRowSource(const Tensor& vectors, std::vector<int32_t> rows, uint64_t seed);
  int64_t dim() const override { return vectors_.dim(1); }
  absl::Status Next(int64_t batch, Tensor* out) override;

 private:
  const Tensor& vectors_;
  std::vector<int32_t> rows_;
  uint64_t seed_;
  int64_t pos_ = 0, epoch_ = -1;
  std::vector<int32_t> order_;
};

struct WordSaeConfig {
  int64_t features_per_dim = 4;  // F = features_per_dim · d
  int64_t k_per_10_dims = 1;     // TopK: k = max(1, k_per_10_dims · d / 10)
  int64_t steps = 2000;
  int64_t batch = 256;
  float lr = 1e-3f;
  uint64_t seed = 1;
  std::string backend = "cpu";
};

struct WordSae {
  sae::SaeSpec spec;
  sae::SaeParams params;
  double final_recon = 0;  // mean ||x − x̂||² over the last logged step
  double mean_sq_norm = 0;  // mean ||x||² of the training rows (scale for final_recon)
  double final_l0 = 0;
  int64_t dead = 0;
};

// A TopK SAE trained on vectors[rows].
absl::StatusOr<WordSae> TrainWordSae(const Tensor& vectors, const std::vector<int32_t>& rows,
                                     const WordSaeConfig& config);

// The SAE's feature activations on vectors[words]: [|words|, F].
absl::StatusOr<ScoreMatrix> SaeActivations(const WordSae& s, const Tensor& vectors,
                                           const std::vector<int32_t>& words,
                                           const std::string& backend);

// The decoder rows W_dec [F, d] as directions.
std::vector<float> DecoderDirections(const WordSae& s);

}  // namespace monosem

#endif  // MONOSEM_MODELS_EMBEDDINGS_EMBEDDING_SAE_H_
