// word2vec skip-gram with negative sampling, trained with the defaults of
// gensim 4's Word2Vec(sg=1) (from its documentation): window 5 shrunk at
// random per centre word, 5 negatives drawn from count^0.75, frequent-word
// sub-sampling at 1e-3, learning rate 0.025 decaying linearly to 0.0001 over
// the run, 5 epochs. The arithmetic of each pair is the kernel set's
// (sgns_kernels.h); this file makes the pairs.
//
// Every random choice is a Philox draw addressed by what it is for, so a run
// is bitwise reproducible and independent of batching:
//   initial in-vector of word w, coordinate k: stream kInit, element w·2^16 + k,
//     uniform in [−1/d, 1/d) (out-vectors start at 0). Addressing by (w, k)
//     means two models with the same seed and different d share their initial
//     coordinates up to the smaller d, up to the 1/d scale.
//   keeping token t (its index in the corpus) in epoch e: stream kSubsample(e)
//   the window of centre token t in epoch e: stream kWindow(e)
//   the negatives of the epoch's pairs, in order: stream kNegatives(e)
#ifndef MONOSEM_MODELS_EMBEDDINGS_WORD2VEC_H_
#define MONOSEM_MODELS_EMBEDDINGS_WORD2VEC_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "monosem/models/embeddings/sgns_kernels.h"
#include "monosem/models/embeddings/vocab.h"
#include "monosem/tensor.h"

namespace monosem {

struct Word2VecConfig {
  int dim = 100;
  int window = 5;
  bool shrink_windows = true;  // effective window uniform in 1..window per centre word
  int negative = 5;
  double ns_exponent = 0.75;
  double sample = 1e-3;  // 0: no sub-sampling
  double alpha = 0.025;
  double min_alpha = 1e-4;
  int epochs = 5;
  uint64_t seed = 1;
  int64_t batch_pairs = 16384;  // pairs per kernel call; does not change the result
  // The loss costs a log per target: by default only the last epoch's is
  // measured (the others are NaN).
  bool loss_every_epoch = false;
};

struct Word2VecModel {
  Tensor in_vectors;                 // [V, d]: the word vectors
  Tensor out_vectors;                // [V, d]: the negative-sampling output weights
  std::vector<double> epoch_loss;    // mean loss per pair, per epoch
  std::vector<int64_t> epoch_pairs;  // training pairs per epoch
  std::vector<int64_t> epoch_kept;   // tokens kept by sub-sampling, per epoch
};

// The probability that one occurrence of a word seen `count` times in a
// corpus of `total` tokens survives sub-sampling (capped at 1):
// (sqrt(count / (sample·total)) + 1) · sample·total / count.
double KeepProbability(int64_t count, int64_t total, double sample);

// Cumulative thresholds on [0, 2^32) of the negative-sampling distribution
// count^exponent; the drawn word for a 32-bit r is the first i with table[i] > r.
std::vector<uint64_t> NegativeTable(const std::vector<int64_t>& counts, double exponent);
int32_t DrawNegative(const std::vector<uint64_t>& table, uint32_t r);

// DrawNegative with the search narrowed by the top 16 bits of r (the range
// of words whose interval meets r's bucket), so a draw touches a few table
// entries instead of log2(V) scattered ones. The same word for every r.
class NegativeSampler {
 public:
  NegativeSampler(const std::vector<int64_t>& counts, double exponent);
  int32_t Draw(uint32_t r) const;

 private:
  std::vector<uint64_t> table_;
  std::vector<int32_t> first_;  // [65537]: the first word that can be drawn in each bucket
};

// The initial in-vectors [V, d] (see the header comment).
Tensor InitialVectors(int64_t vocab, int dim, uint64_t seed);

absl::StatusOr<Word2VecModel> TrainWord2Vec(const TokenizedCorpus& corpus,
                                            const Word2VecConfig& config, SgnsKernels& kernels);

}  // namespace monosem

#endif  // MONOSEM_MODELS_EMBEDDINGS_WORD2VEC_H_
