// A genre classifier that does not look at any SAE: byte-bigram naive Bayes
// trained on the labelled corpus. It judges steering (does clamping a genre's
// feature make generated text more of that genre?) independently of the
// feature being steered.
#ifndef MONOSEM_STEERING_GENRE_CLASSIFIER_H_
#define MONOSEM_STEERING_GENRE_CLASSIFIER_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "monosem/data/corpus.h"

namespace monosem::steering {

class GenreClassifier {
 public:
  // Counts each top-level genre's byte bigrams (add-one smoothing); genre
  // ids are those of TopLevelLabels(corpus.labels). A corpus with no
  // labelled bytes is an error.
  static absl::StatusOr<GenreClassifier> Train(const Corpus& corpus);

  // The most likely genre of `text` (its bigrams' log-likelihood plus the
  // genre's log prior); genres without training bytes are never chosen.
  int Classify(const std::string& text) const;
  // The fraction of `window`-byte pieces of `text` classified as `genre`.
  double Share(const std::string& text, int genre, int window = 16) const;
  const std::vector<std::string>& genre_names() const { return names_; }

 private:
  std::vector<std::string> names_;
  std::vector<double> log_prior_;
  std::vector<std::vector<float>> log_p_;  // [genre][prev * 256 + next]
};

}  // namespace monosem::steering

#endif  // MONOSEM_STEERING_GENRE_CLASSIFIER_H_
