// Matching the "units" of two embedding models: basis directions (the
// notebook's approach 3), SAE dictionary features, or random directions as a
// chance level. A unit is described two ways:
//   * its top words: the candidate words with the highest score for it (the
//     cosine of the word vector with the unit's direction, or the unit's
//     activation on the word vector);
//   * its scores over a shared word list, compared by Pearson correlation.
// Two models' units are matched by the best partner of each unit of one
// model in the other (mean over units of the best Jaccard / correlation).
#ifndef MONOSEM_MODELS_EMBEDDINGS_UNIT_MATCHING_H_
#define MONOSEM_MODELS_EMBEDDINGS_UNIT_MATCHING_H_

#include <cstdint>
#include <vector>

#include "monosem/tensor.h"

namespace monosem {

// A row-major matrix of unit scores: rows are words, columns are units.
struct ScoreMatrix {
  int64_t rows = 0, cols = 0;
  std::vector<float> v;  // [rows, cols]
  float at(int64_t r, int64_t c) const { return v[r * cols + c]; }
};

// Cosine of vectors[words[i]] ([V, d]) with each direction (rows of
// `directions`, [n, d]); a zero word vector or direction scores 0.
ScoreMatrix CosineScores(const Tensor& vectors, const std::vector<int32_t>& words,
                         const std::vector<float>& directions, int64_t n);

// For each column, the rows of its top_n scores, best first (ties: lower row
// first), each mapped through `ids` (row i -> ids[i]) and the list sorted.
std::vector<std::vector<int32_t>> TopRowsPerColumn(const ScoreMatrix& m, int top_n,
                                                   const std::vector<int32_t>& ids);

// Unit-norm copies of vectors[ids[i]] ([V, d]; ids empty: every row), as
// [n, d]; a zero row stays zero.
std::vector<float> UnitRows(const Tensor& vectors, const std::vector<int32_t>& ids = {});

// n unit directions [n, d] from Philox normals (Gaussian directions: uniform
// on the sphere, not orthogonal), the chance level for n > d units.
std::vector<float> RandomDirections(int64_t n, int64_t d, uint64_t seed, uint64_t stream);

// The d basis directions (the identity), or the rows of a rotation.
std::vector<float> BasisDirections(int64_t d);

// Jaccard of two sorted id lists.
double ListJaccard(const std::vector<int32_t>& a, const std::vector<int32_t>& b);

// Mean over a's lists of the best Jaccard with any of b's, averaged with the
// same from b's side (symmetric). Empty lists count as 0.
double MatchedJaccard(const std::vector<std::vector<int32_t>>& a,
                      const std::vector<std::vector<int32_t>>& b);

// Mean over a's columns of the best Pearson correlation with any of b's
// columns over the same rows, averaged with the same from b's side.
// `absolute`: |r| (a basis direction and its negation are one axis).
// Columns with no variance (a feature that never fires) are left out of the
// mean on their side and match nothing; NaN when a side has none.
double MeanMaxCorrelation(const ScoreMatrix& a, const ScoreMatrix& b, bool absolute);

}  // namespace monosem

#endif  // MONOSEM_MODELS_EMBEDDINGS_UNIT_MATCHING_H_
