// The analysis of "Exploring Polysemantic Universality with Embeddings"
// (D. J. M. Williams 2024, approach 3): for every basis direction e_k of an
// embedding, the words whose vectors have the highest cosine with e_k, its
// "dimension words"; and how much those word sets overlap across models,
// beside two chance levels:
//   * random rotations: the same embeddings in a random orthonormal basis
//     (Haar-distributed, from Philox normals); overlap at this level means the
//     basis carries nothing beyond the geometry;
//   * frequency-matched draws: each dimension word replaced by a random word of
//     the same frequency band; overlap at this level means frequency alone
//     explains it.
#ifndef MONOSEM_MODELS_EMBEDDINGS_EMBEDDING_ANALYSIS_H_
#define MONOSEM_MODELS_EMBEDDINGS_EMBEDDING_ANALYSIS_H_

#include <cstdint>
#include <vector>

#include "monosem/tensor.h"

namespace monosem {

double Cosine(const float* a, const float* b, int64_t d);

// For each coordinate k of vectors [V, d], the ids of the top_n words by
// cos(v_w, e_k) = v_wk / |v_w|, best first (ties: lower id first). Zero
// vectors are never chosen.
std::vector<std::vector<int32_t>> DimensionWords(const Tensor& vectors, int top_n);

// The distinct words of a model's dimension-word lists, sorted.
std::vector<int32_t> DistinctWords(const std::vector<std::vector<int32_t>>& lists);

// Entries that repeat a word already listed for another coordinate of the same
// model: d·top_n − |distinct|.
int64_t WithinModelDuplicates(const std::vector<std::vector<int32_t>>& lists);

struct Overlap {
  int64_t shared = 0;  // |A ∩ B|
  int64_t size_a = 0, size_b = 0;
  double jaccard = 0;  // |A ∩ B| / |A ∪ B|
  // |A ∩ B| / min(|A|, |B|): the share of the smaller set found in the other.
  double coefficient = 0;
};
// A and B sorted and distinct.
Overlap SetOverlap(const std::vector<int32_t>& a, const std::vector<int32_t>& b);

// A Haar-random d x d orthogonal matrix (Gram-Schmidt on Philox normals, the
// signs fixed so the distribution is uniform), row-major.
std::vector<double> RandomRotation(int64_t d, uint64_t seed, uint64_t stream);
// vectors · Q.
Tensor Rotate(const Tensor& vectors, const std::vector<double>& q);

// Words of `ids` replaced by distinct random words of the same frequency
// band (quarter-octaves of the training count: floor(4·log2(count))), drawn
// from stream `stream` of `seed`. counts are the vocabulary's, by id.
std::vector<int32_t> FrequencyMatchedDraw(const std::vector<int32_t>& ids,
                                          const std::vector<int64_t>& counts, uint64_t seed,
                                          uint64_t stream);

}  // namespace monosem

#endif  // MONOSEM_MODELS_EMBEDDINGS_EMBEDDING_ANALYSIS_H_
