#include "monosem/report/unit_stats.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace monosem::report {

float UnitActs::At(int64_t t) const {
  const auto it = std::lower_bound(token.begin(), token.end(), t);
  return it != token.end() && *it == t ? value[it - token.begin()] : 0.0f;
}

UnitSummary Summarize(const UnitActs& acts, const LabelledStream& stream, int bins, int top_k) {
  UnitSummary s;
  const size_t g = stream.genre_names.size();
  s.genre_count.assign(g, 0);
  s.genre_mass.assign(g, 0.0);
  s.histogram.assign(bins, 0);
  for (size_t i = 0; i < acts.token.size(); ++i) {
    const float v = acts.value[i];
    if (!(v > 0)) continue;
    ++s.fired;
    s.max_act = std::max(s.max_act, static_cast<double>(v));
    const LabelId label = stream.genre[acts.token[i]];
    if (label < g) {
      ++s.genre_count[label];
      s.genre_mass[label] += v;
    }
  }
  s.density = stream.size() > 0 ? static_cast<double>(s.fired) / stream.size() : 0;
  if (s.fired == 0) return s;
  for (size_t i = 0; i < acts.token.size(); ++i) {
    const float v = acts.value[i];
    if (!(v > 0)) continue;
    const int b = static_cast<int>(std::ceil(v / s.max_act * bins)) - 1;
    ++s.histogram[std::clamp(b, 0, bins - 1)];
  }
  const double mass = std::accumulate(s.genre_mass.begin(), s.genre_mass.end(), 0.0);
  const auto best = std::max_element(s.genre_mass.begin(), s.genre_mass.end());
  s.label = static_cast<int>(best - s.genre_mass.begin());
  s.specificity = mass > 0 ? *best / mass : 0;
  std::vector<size_t> order(acts.token.size());
  std::iota(order.begin(), order.end(), 0);
  const size_t k = std::min<size_t>(top_k, order.size());
  // Ties go to the earlier position so that pages are reproducible.
  std::partial_sort(order.begin(), order.begin() + k, order.end(), [&acts](size_t a, size_t b) {
    return acts.value[a] != acts.value[b] ? acts.value[a] > acts.value[b] : a < b;
  });
  for (size_t i = 0; i < k; ++i) {
    if (acts.value[order[i]] > 0) s.top_tokens.push_back(acts.token[order[i]]);
  }
  return s;
}

std::vector<std::vector<std::pair<int, float>>> NearestByCosine(const std::vector<float>& rows,
                                                                int64_t n, int64_t dim, int k) {
  std::vector<float> unit(rows.size());
  std::vector<bool> zero(n, false);
  for (int64_t i = 0; i < n; ++i) {
    double ss = 0;
    for (int64_t j = 0; j < dim; ++j) ss += double(rows[i * dim + j]) * rows[i * dim + j];
    zero[i] = !(ss > 0);
    const float inv = zero[i] ? 0.0f : static_cast<float>(1.0 / std::sqrt(ss));
    for (int64_t j = 0; j < dim; ++j) unit[i * dim + j] = rows[i * dim + j] * inv;
  }
  std::vector<std::vector<std::pair<int, float>>> out(n);
#pragma omp parallel for schedule(dynamic, 16)
  for (int64_t i = 0; i < n; ++i) {
    if (zero[i]) continue;
    std::vector<std::pair<int, float>> best;  // kept sorted, at most k
    const float* a = &unit[i * dim];
    for (int64_t j = 0; j < n; ++j) {
      if (j == i || zero[j]) continue;
      const float* b = &unit[j * dim];
      float dot = 0;
      for (int64_t d = 0; d < dim; ++d) dot += a[d] * b[d];
      if (static_cast<int>(best.size()) == k && dot <= best.back().second) continue;
      auto pos = std::upper_bound(best.begin(), best.end(), dot,
                                  [](float v, const std::pair<int, float>& e) { return v > e.second; });
      best.insert(pos, {static_cast<int>(j), dot});
      if (static_cast<int>(best.size()) > k) best.pop_back();
    }
    out[i] = std::move(best);
  }
  return out;
}

std::pair<std::vector<std::pair<int, float>>, std::vector<std::pair<int, float>>> TopAndBottom(
    const float* effect, int64_t n, int k) {
  std::vector<int> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [effect](int a, int b) { return effect[a] > effect[b]; });
  std::vector<std::pair<int, float>> top, bottom;
  for (int i = 0; i < k && i < n; ++i) top.push_back({order[i], effect[order[i]]});
  for (int i = 0; i < k && i < n; ++i) {
    const int j = order[n - 1 - i];
    bottom.push_back({j, effect[j]});
  }
  return {top, bottom};
}

}  // namespace monosem::report
