#include "monosem/steering/genre_classifier.h"

#include <cmath>
#include <limits>

namespace monosem::steering {

absl::StatusOr<GenreClassifier> GenreClassifier::Train(const Corpus& leaves) {
  // One bigram table (256 KiB of floats) per top-level genre: with hundreds
  // of leaf labels per-leaf tables would take tens of MiB and the judged
  // steering row is about a genre's share anyway.
  const Corpus corpus = TopLevelCorpus(leaves);
  GenreClassifier c;
  c.names_ = corpus.labels.names;
  const size_t g = c.names_.size();
  std::vector<std::vector<double>> counts(g, std::vector<double>(256 * 256, 0.0));
  std::vector<double> bytes(g, 0.0);
  for (int64_t i = 1; i < corpus.size(); ++i) {
    const LabelId label = corpus.label[i];
    if (label >= g) continue;
    counts[label][corpus.bytes[i - 1] * 256 + corpus.bytes[i]] += 1;
    bytes[label] += 1;
  }
  double total = 0;
  for (double b : bytes) total += b;
  if (total == 0) return absl::InvalidArgumentError("genre classifier: the corpus has no labelled bytes");
  c.log_prior_.resize(g);
  c.log_p_.assign(g, std::vector<float>());
  for (size_t k = 0; k < g; ++k) {
    if (bytes[k] == 0) {
      c.log_prior_[k] = -std::numeric_limits<double>::infinity();
      continue;
    }
    c.log_prior_[k] = std::log(bytes[k] / total);
    c.log_p_[k].resize(256 * 256);
    // P(next | prev, genre) with add-one smoothing over the 256 next bytes.
    for (int prev = 0; prev < 256; ++prev) {
      double row = 0;
      for (int next = 0; next < 256; ++next) row += counts[k][prev * 256 + next];
      for (int next = 0; next < 256; ++next) {
        c.log_p_[k][prev * 256 + next] =
            static_cast<float>(std::log((counts[k][prev * 256 + next] + 1) / (row + 256)));
      }
    }
  }
  return c;
}

int GenreClassifier::Classify(const std::string& text) const {
  int best = 0;
  double best_score = -std::numeric_limits<double>::infinity();
  for (size_t k = 0; k < names_.size(); ++k) {
    if (log_p_[k].empty()) continue;
    double s = log_prior_[k];
    for (size_t i = 1; i < text.size(); ++i) {
      s += log_p_[k][static_cast<uint8_t>(text[i - 1]) * 256 + static_cast<uint8_t>(text[i])];
    }
    if (s > best_score) {
      best_score = s;
      best = static_cast<int>(k);
    }
  }
  return best;
}

double GenreClassifier::Share(const std::string& text, int genre, int window) const {
  int pieces = 0, hits = 0;
  for (size_t i = 0; i + window <= text.size(); i += window) {
    ++pieces;
    hits += Classify(text.substr(i, window)) == genre;
  }
  return pieces > 0 ? static_cast<double>(hits) / pieces : 0.0;
}

}  // namespace monosem::steering
