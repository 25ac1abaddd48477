#include "monosem/models/transformer/transformer_metrics.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"

namespace monosem {

absl::StatusOr<std::vector<NeuronGenreF1>> BestNeuronGenreF1(absl::Span<const float> acts,
                                                             int64_t n, int64_t n_neurons,
                                                             absl::Span<const LabelId> labels,
                                                             int n_genres) {
  if (n < 0 || n_neurons < 1 || n_genres < 1 ||
      static_cast<int64_t>(acts.size()) != n * n_neurons ||
      static_cast<int64_t>(labels.size()) != n) {
    return absl::InvalidArgumentError(
        absl::StrCat("genre_f1: acts has ", acts.size(), " values and labels ", labels.size(),
                     " for n ", n, " x ", n_neurons, " neurons (", n_genres, " genres)"));
  }
  std::vector<int64_t> positives(n_genres, 0);
  for (LabelId g : labels) {
    if (g >= n_genres) {
      return absl::InvalidArgumentError(
          absl::StrCat("genre_f1: label ", int{g}, " out of range [0, ", n_genres, ")"));
    }
    ++positives[g];
  }
  std::vector<NeuronGenreF1> best(n_genres);
  for (int g = 0; g < n_genres; ++g) {
    best[g].genre = g;
    best[g].positives = positives[g];
  }
  std::vector<std::pair<float, LabelId>> col(n);
  std::vector<int64_t> tp(n_genres);
  std::vector<int> touched;
  std::vector<char> in_group(n_genres, 0);
  for (int64_t i = 0; i < n_neurons; ++i) {
    for (int64_t t = 0; t < n; ++t) col[t] = {acts[t * n_neurons + i], labels[t]};
    std::sort(col.begin(), col.end(),
              [](const auto& a, const auto& b) { return a.first > b.first; });
    std::fill(tp.begin(), tp.end(), 0);
    // Lower the threshold one distinct value at a time: after the group of
    // value v the detector flags every token with act >= v. F1 of genre g only
    // rises when g gains true positives, so only those genres are re-scored.
    for (int64_t at = 0; at < n;) {
      const float v = col[at].first;
      touched.clear();
      int64_t end = at;
      for (; end < n && col[end].first == v; ++end) {
        const LabelId g = col[end].second;
        if (!in_group[g]) {
          in_group[g] = 1;
          touched.push_back(g);
        }
        ++tp[g];
      }
      const float next = end < n ? col[end].first : v - 1.0f;
      for (int g : touched) {
        in_group[g] = 0;
        const double f1 = 2.0 * tp[g] / static_cast<double>(end + positives[g]);
        if (f1 > best[g].f1) {
          best[g].f1 = f1;
          best[g].neuron = i;
          best[g].threshold = 0.5f * (v + next);
          if (!(best[g].threshold < v)) best[g].threshold = next;  // adjacent floats
          best[g].predicted = end;
        }
      }
      at = end;
    }
  }
  std::vector<NeuronGenreF1> out;
  for (int g = 0; g < n_genres; ++g) {
    if (positives[g] > 0) out.push_back(best[g]);
  }
  return out;
}

absl::StatusOr<Polysemanticity> NeuronPolysemanticity(absl::Span<const float> acts, int64_t n,
                                                      int64_t n_neurons,
                                                      absl::Span<const LabelId> labels,
                                                      int n_genres, double min_fire_fraction,
                                                      int64_t min_genre_tokens) {
  if (n < 0 || n_neurons < 1 || n_genres < 1 ||
      static_cast<int64_t>(acts.size()) != n * n_neurons ||
      static_cast<int64_t>(labels.size()) != n) {
    return absl::InvalidArgumentError(
        absl::StrCat("polysemanticity: acts has ", acts.size(), " values and labels ",
                     labels.size(), " for n ", n, " x ", n_neurons, " neurons"));
  }
  if (!(min_fire_fraction > 0 && min_fire_fraction <= 1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("polysemanticity: min_fire_fraction ", min_fire_fraction,
                     " must be in (0, 1]"));
  }
  Polysemanticity p;
  p.genre_tokens.assign(n_genres, 0);
  for (LabelId g : labels) {
    if (g >= n_genres) {
      return absl::InvalidArgumentError(
          absl::StrCat("polysemanticity: label ", int{g}, " out of range [0, ", n_genres, ")"));
    }
    ++p.genre_tokens[g];
  }
  p.eligible.resize(n_genres);
  int n_eligible = 0;
  for (int g = 0; g < n_genres; ++g) {
    p.eligible[g] = p.genre_tokens[g] >= std::max<int64_t>(1, min_genre_tokens);
    n_eligible += p.eligible[g];
  }
  std::vector<std::vector<int64_t>> fires(n_neurons, std::vector<int64_t>(n_genres, 0));
  for (int64_t t = 0; t < n; ++t) {
    const float* row = acts.data() + t * n_neurons;
    for (int64_t i = 0; i < n_neurons; ++i) {
      if (row[i] > 0) ++fires[i][labels[t]];
    }
  }
  p.genres_per_neuron.assign(n_neurons, 0);
  p.histogram.assign(n_eligible + 1, 0);
  p.fire_rate.assign(n_neurons, std::vector<double>(n_genres, NAN));
  int64_t poly = 0;
  double sum = 0;
  for (int64_t i = 0; i < n_neurons; ++i) {
    int k = 0;
    for (int g = 0; g < n_genres; ++g) {
      if (p.genre_tokens[g] == 0) continue;
      const double rate = static_cast<double>(fires[i][g]) / p.genre_tokens[g];
      p.fire_rate[i][g] = rate;
      if (p.eligible[g] && rate >= min_fire_fraction) ++k;
    }
    p.genres_per_neuron[i] = k;
    ++p.histogram[k];
    sum += k;
    poly += k >= 2;
  }
  p.mean_genres = sum / n_neurons;
  p.fraction_polysemantic = static_cast<double>(poly) / n_neurons;
  return p;
}

}  // namespace monosem
