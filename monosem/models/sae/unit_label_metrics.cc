// The per-unit pass behind ComputeUnitLabelMetrics. Every statistic depends
// only on a unit's firing tokens, so each unit is turned into a sparse list
// (token, a > 0) once, sorted by activation once, and then swept once per
// labelling: the real labels and each of the R window permutations. Cost per
// unit is O(nnz log nnz + (R + 1) * nnz * depth); memory is one block of
// sparse columns per thread plus per-label best-so-far tables.
#include "monosem/models/sae/unit_label_metrics.h"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "monosem/philox.h"

namespace monosem::sae {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// Units are gathered from the row-major matrix a block at a time: every row
// read touches kBlock contiguous floats (1 KiB), so the strided column access
// streams whole cache lines and the prefetcher keeps up (64 measured 1.5x
// slower on 32k x 4096). A block's sparse columns cost at most
// 8 * kBlock * N bytes per thread (128 MiB for dense units at N = 64k).
constexpr int64_t kBlock = 256;
constexpr int64_t kPrefetchRows = 4;
// The four detectors of every label, in LabelStats order.
enum Detector { kTokenActive = 0, kTokenTuned, kWindowActive, kWindowTuned, kDetectors };

// Everything about the labels that does not depend on the activations.
struct Labelling {
  int64_t n = 0, ctx = 0, windows = 0;
  int shuffles = 0;
  int L = 0;                                // labels at the chosen level
  std::vector<int> level_id;                // compact index -> LabelSet id
  std::vector<int32_t> token_label;         // token -> compact level label
  std::vector<int32_t> window_label;        // window -> compact majority label
  std::vector<int64_t> label_tokens;        // compact -> tokens
  std::vector<int64_t> label_windows;       // compact -> windows
  absl::Span<const LabelId> leaf;           // token -> leaf id
  std::vector<int> parent;                  // LabelSet id -> parent id
  std::vector<std::vector<int64_t>> perms;  // r -> window permutation
  // Labels as labelling r (-1 = real) sees them, precomputed per shuffle
  // (6 bytes per token and shuffle) so that the per-unit sweeps index them
  // directly.
  std::vector<std::vector<int32_t>> shuffled_token_label;   // [r][token]
  std::vector<std::vector<LabelId>> shuffled_leaf;          // [r][token]
  std::vector<std::vector<int32_t>> shuffled_window_label;  // [r][window]

  const int32_t* TokenLabels(int r) const {
    return r < 0 ? token_label.data() : shuffled_token_label[r].data();
  }
  const LabelId* Leaves(int r) const { return r < 0 ? leaf.data() : shuffled_leaf[r].data(); }
  const int32_t* WindowLabels(int r) const {
    return r < 0 ? window_label.data() : shuffled_window_label[r].data();
  }
};

absl::Status ValidateLabelSet(const LabelSet& s) {
  const int size = s.size();
  if (size == 0) return absl::InvalidArgumentError("unit-label metrics: the LabelSet is empty");
  if (size > kMaxLabels) {
    return absl::InvalidArgumentError(
        absl::StrCat("unit-label metrics: ", size, " labels, more than ", kMaxLabels));
  }
  if (static_cast<int>(s.parent.size()) != size) {
    return absl::InvalidArgumentError(absl::StrCat("unit-label metrics: LabelSet has ", size,
                                                   " names but ", s.parent.size(), " parents"));
  }
  for (int i = 0; i < size; ++i) {
    // A chain longer than the label count is a cycle.
    int p = i, steps = 0;
    while (p != -1) {
      if (p < -1 || p >= size) {
        return absl::InvalidArgumentError(absl::StrCat("unit-label metrics: label ", i,
                                                       " has an ancestor id ", p,
                                                       " out of range [-1, ", size, ")"));
      }
      if (++steps > size) {
        return absl::InvalidArgumentError(
            absl::StrCat("unit-label metrics: label ", i, "'s parents form a cycle"));
      }
      p = s.parent[p];
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<Labelling> Prepare(int64_t n, int64_t u, int64_t act_size,
                                  absl::Span<const LabelId> labels, const LabelSet& s,
                                  const UnitLabelOptions& o) {
  if (n <= 0 || u <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("unit-label metrics: need n_tokens > 0 and n_units > 0, got ", n, " and ", u));
  }
  if (n >= (int64_t{1} << 31)) {
    return absl::InvalidArgumentError(
        absl::StrCat("unit-label metrics: ", n, " tokens, more than 2^31 - 1"));
  }
  if (u > std::numeric_limits<int64_t>::max() / n || act_size != n * u) {
    return absl::InvalidArgumentError(absl::StrCat("unit-label metrics: activations hold ",
                                                   act_size, " values, expected N*U = ", n, "*", u,
                                                   " = ", n * u));
  }
  if (static_cast<int64_t>(labels.size()) != n) {
    return absl::InvalidArgumentError(
        absl::StrCat("unit-label metrics: ", labels.size(), " token labels for ", n, " tokens"));
  }
  if (o.ctx <= 0 || n % o.ctx != 0) {
    return absl::InvalidArgumentError(absl::StrCat("unit-label metrics: N = ", n,
                                                   " tokens is not a whole number of windows "
                                                   "of ctx = ",
                                                   o.ctx, " tokens"));
  }
  if (o.shuffles < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("unit-label metrics: shuffles = ", o.shuffles, " < 0"));
  }
  if (!(o.mass_cover > 0 && o.mass_cover <= 1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("unit-label metrics: mass_cover = ", o.mass_cover, " not in (0, 1]"));
  }
  if (o.min_support < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("unit-label metrics: min_support = ", o.min_support, " < 1"));
  }
  if (o.threads < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("unit-label metrics: threads = ", o.threads, " < 1"));
  }
  if (absl::Status st = ValidateLabelSet(s); !st.ok()) return st;

  const int size = s.size();
  std::vector<int> children(size, 0);
  for (int i = 0; i < size; ++i) {
    if (s.parent[i] >= 0) ++children[s.parent[i]];
  }
  for (int64_t t = 0; t < n; ++t) {
    const int id = labels[t];
    if (id >= size) {
      return absl::InvalidArgumentError(absl::StrCat("unit-label metrics: token ", t,
                                                     " has label id ", id, ", out of range for ",
                                                     size, " labels"));
    }
    if (children[id] > 0) {
      return absl::InvalidArgumentError(absl::StrCat("unit-label metrics: token ", t, " has label ",
                                                     id, " (\"", s.names[id],
                                                     "\"), which is not a leaf"));
    }
  }

  Labelling lab;
  lab.n = n;
  lab.ctx = o.ctx;
  lab.windows = n / o.ctx;
  lab.shuffles = o.shuffles;
  lab.leaf = labels;
  lab.parent = s.parent;

  // The level's labels, in id order: leaves, or top-level labels.
  std::vector<int> compact(size, -1);
  for (int i = 0; i < size; ++i) {
    const bool in_level = o.level == LabelLevel::kLeaf ? children[i] == 0 : s.parent[i] == -1;
    if (in_level) {
      compact[i] = static_cast<int>(lab.level_id.size());
      lab.level_id.push_back(i);
    }
  }
  lab.L = static_cast<int>(lab.level_id.size());
  auto level_of = [&](int leaf) {
    int id = leaf;
    if (o.level == LabelLevel::kTop) {
      while (s.parent[id] != -1) id = s.parent[id];
    }
    return compact[id];
  };
  std::vector<int32_t> leaf_to_level(size, -1);
  for (int i = 0; i < size; ++i) {
    if (children[i] == 0) leaf_to_level[i] = level_of(i);
  }

  lab.token_label.resize(n);
  lab.label_tokens.assign(lab.L, 0);
  for (int64_t t = 0; t < n; ++t) {
    lab.token_label[t] = leaf_to_level[labels[t]];
    ++lab.label_tokens[lab.token_label[t]];
  }
  // Majority label of each window; ties go to the lowest id.
  lab.window_label.resize(lab.windows);
  lab.label_windows.assign(lab.L, 0);
  std::vector<int64_t> count(lab.L, 0);
  for (int64_t w = 0; w < lab.windows; ++w) {
    const int32_t* tl = lab.token_label.data() + w * o.ctx;
    for (int64_t i = 0; i < o.ctx; ++i) ++count[tl[i]];
    int32_t best = tl[0];
    for (int64_t i = 0; i < o.ctx; ++i) {
      const int32_t l = tl[i];
      if (count[l] > count[best] || (count[l] == count[best] && l < best)) best = l;
    }
    for (int64_t i = 0; i < o.ctx; ++i) count[tl[i]] = 0;
    lab.window_label[w] = best;
    ++lab.label_windows[best];
  }
  for (int r = 0; r < o.shuffles; ++r) {
    lab.perms.push_back(WindowPermutation(lab.windows, o.seed, r));
    const std::vector<int64_t>& perm = lab.perms.back();
    std::vector<int32_t> tl(n), wl(lab.windows);
    std::vector<LabelId> lf(n);
    for (int64_t w = 0; w < lab.windows; ++w) {
      wl[w] = lab.window_label[perm[w]];
      for (int64_t i = 0; i < o.ctx; ++i) {
        tl[w * o.ctx + i] = lab.token_label[perm[w] * o.ctx + i];
        lf[w * o.ctx + i] = labels[perm[w] * o.ctx + i];
      }
    }
    lab.shuffled_token_label.push_back(std::move(tl));
    lab.shuffled_leaf.push_back(std::move(lf));
    lab.shuffled_window_label.push_back(std::move(wl));
  }
  return lab;
}

struct Entry {
  int32_t index;  // token (or window)
  float value;    // a > 0 (window: mean of max(a, 0))
};

struct Best {
  double f1 = 0;
  int64_t unit = -1;
  double threshold = 0;
  int64_t predicted = 0, tp = 0;
};

// Per-thread tables: the best detector of every label so far (real labels),
// the best shuffled F1 for every shuffle, and which labels have a unit of
// their own under each labelling; merged after the parallel loop.
struct Tables {
  Tables(const Labelling& lab, int size)
      : best(kDetectors * lab.L),
        null_best(static_cast<size_t>(lab.shuffles) * kDetectors * lab.L, 0.0),
        owned(static_cast<size_t>(lab.shuffles + 1) * size, 0) {}
  std::vector<Best> best;         // [detector][label]
  std::vector<double> null_best;  // [r][detector][label]
  std::vector<uint8_t> owned;     // [r + 1][LabelSet id]
};

// Per-thread scratch, reset through `touched` lists so that a unit costs
// O(its nnz), not O(labels).
struct Scratch {
  Scratch(int L, int size) : mass(L, 0), tp(L, 0), node(size, 0) {}
  std::vector<double> mass;
  std::vector<int64_t> tp;
  std::vector<int> touched;
  std::vector<int64_t> node;
  std::vector<int> node_touched;
  std::vector<int32_t> label;         // labels of the firing tokens, by token
  std::vector<int32_t> sorted_label;  // labels of the items in sorted order
  std::vector<std::pair<double, int>> masses;
};

void Update(Best& b, double f1, int64_t unit, double threshold, int64_t predicted, int64_t tp) {
  // Strictly better, or as good from a lower unit: the result does not
  // depend on how units were split among threads. Within a unit the first
  // (highest) threshold reaching the best F1 is kept.
  if (f1 > b.f1 || (f1 == b.f1 && b.unit >= 0 && unit < b.unit))
    b = {f1, unit, threshold, predicted, tp};
}

// Sweeps items sorted by value, descending, as detectors "value >= t" for
// every t. Predicted count k and per-label true positives grow with each
// group of equal values; label l's F1 = 2 tp_l / (k + P_l) only rises when a
// group holds an item of l (otherwise k grows and tp_l does not), so
// evaluating the labels of each group at its end finds every label's exact
// best. emit(label, f1, threshold, k, tp) is called there; active(label, f1,
// k, tp) at the end with the "value > 0" detector (all items).
template <class Emit, class Active>
void Sweep(const std::vector<Entry>& sorted, const std::vector<int32_t>& label,
           const std::vector<int64_t>& positives, Scratch& s, Emit emit, Active active) {
  const size_t m = sorted.size();
  size_t i = 0;
  while (i < m) {
    size_t j = i;
    while (j < m && sorted[j].value == sorted[i].value) {
      const int32_t l = label[j];
      if (s.tp[l]++ == 0) s.touched.push_back(l);
      ++j;
    }
    const int64_t k = static_cast<int64_t>(j);
    for (size_t g = i; g < j; ++g) {
      const int32_t l = label[g];
      emit(l, 2.0 * s.tp[l] / static_cast<double>(k + positives[l]), sorted[i].value, k, s.tp[l]);
    }
    i = j;
  }
  for (int l : s.touched) {
    active(l, 2.0 * s.tp[l] / static_cast<double>(m + positives[l]), static_cast<int64_t>(m),
           s.tp[l]);
    s.tp[l] = 0;
  }
  s.touched.clear();
}

// Specificity and polysemanticity of one unit under one labelling, from the
// sparse entries (by token) and their labels.
std::pair<double, int> Concentration(const std::vector<Entry>& by_token,
                                     const std::vector<int32_t>& label, double cover, Scratch& s,
                                     int* top) {
  double total = 0;
  for (size_t i = 0; i < by_token.size(); ++i) {
    const int32_t l = label[i];
    if (s.mass[l] == 0) s.touched.push_back(l);
    s.mass[l] += by_token[i].value;
    total += by_token[i].value;
  }
  s.masses.clear();
  for (int l : s.touched) {
    s.masses.push_back({s.mass[l], l});
    s.mass[l] = 0;
  }
  s.touched.clear();
  if (total <= 0) {
    *top = -1;
    return {kNaN, 0};
  }
  // Largest mass first, lowest label among equals.
  std::sort(s.masses.begin(), s.masses.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  *top = s.masses[0].second;
  const double goal = cover * total * (1 - 1e-12);  // rounding must not add a label
  double cum = 0;
  int needed = 0;
  for (const auto& [m, l] : s.masses) {
    cum += m;
    ++needed;
    if (cum >= goal) break;
  }
  return {s.masses[0].first / total, needed};
}

// Marks, under labelling slot `slot`, every non-top-level label on which
// this unit has precision >= 0.5 and at least min_support firing tokens.
void MarkOwned(const Labelling& lab, const std::vector<Entry>& by_token, int r, int64_t min_support,
               Scratch& s, uint8_t* owned) {
  const LabelId* leaves = lab.Leaves(r);
  for (const Entry& e : by_token) {
    int id = leaves[e.index];
    while (id != -1) {
      if (s.node[id]++ == 0) s.node_touched.push_back(id);
      id = lab.parent[id];
    }
  }
  const int64_t firing = static_cast<int64_t>(by_token.size());
  for (int id : s.node_touched) {
    const int64_t c = s.node[id];
    if (lab.parent[id] != -1 && c >= min_support && 2 * c >= firing) owned[id] = 1;
    s.node[id] = 0;
  }
  s.node_touched.clear();
}

// All statistics of one unit, under the real labels and every shuffle.
void ProcessUnit(const Labelling& lab, const UnitLabelOptions& o, int64_t unit,
                 const std::vector<Entry>& by_token, std::vector<Entry>& by_value,
                 std::vector<Entry>& windows, std::vector<Entry>& windows_by_value, Scratch& s,
                 Tables& t, UnitLabelStats& out) {
  const int L = lab.L;
  const int size = static_cast<int>(lab.parent.size());
  out = UnitLabelStats{};
  out.unit = unit;
  out.firing = static_cast<int64_t>(by_token.size());
  double mass = 0;
  for (const Entry& e : by_token) mass += e.value;
  out.mass = mass;
  if (by_token.empty()) {
    out.specificity = out.specificity_null = out.polysemanticity_null = kNaN;
    return;
  }

  // Windows the unit fires in, with their mean positive activation.
  windows.clear();
  for (const Entry& e : by_token) {
    const int32_t w = static_cast<int32_t>(e.index / lab.ctx);
    if (windows.empty() || windows.back().index != w) windows.push_back({w, 0.0f});
    windows.back().value += e.value;  // summed in float, like the activations
  }
  for (Entry& w : windows) w.value = static_cast<float>(w.value / static_cast<double>(lab.ctx));
  out.firing_windows = static_cast<int64_t>(windows.size());
  // Sorted once; every labelling sweeps the same order.
  auto by_desc = [](const Entry& a, const Entry& b) {
    return a.value != b.value ? a.value > b.value : a.index < b.index;
  };
  by_value = by_token;
  std::sort(by_value.begin(), by_value.end(), by_desc);
  windows_by_value = windows;
  std::sort(windows_by_value.begin(), windows_by_value.end(), by_desc);

  std::vector<int32_t>& label = s.label;
  label.resize(by_token.size());
  double spec_null = 0, poly_null = 0;
  for (int r = -1; r < lab.shuffles; ++r) {
    const int32_t* token_label = lab.TokenLabels(r);
    const int32_t* window_label = lab.WindowLabels(r);
    for (size_t i = 0; i < by_token.size(); ++i) label[i] = token_label[by_token[i].index];
    int top = -1;
    const auto [spec, poly] = Concentration(by_token, label, o.mass_cover, s, &top);

    // Detectors. Real labels update the Best tables; shuffles only the best F1.
    double* nb = r < 0 ? nullptr : t.null_best.data() + static_cast<size_t>(r) * kDetectors * L;
    auto sink = [&](int det) {
      return [&, det](int l, double f1, double thr, int64_t k, int64_t tp) {
        if (nb == nullptr) {
          Update(t.best[det * L + l], f1, unit, thr, k, tp);
        } else {
          nb[det * L + l] = std::max(nb[det * L + l], f1);
        }
      };
    };
    auto active = [&](int det) {
      auto emit = sink(det);
      return [emit](int l, double f1, int64_t k, int64_t tp) { emit(l, f1, 0.0, k, tp); };
    };
    s.sorted_label.resize(by_value.size());
    for (size_t i = 0; i < by_value.size(); ++i) {
      s.sorted_label[i] = token_label[by_value[i].index];
    }
    Sweep(by_value, s.sorted_label, lab.label_tokens, s, sink(kTokenTuned), active(kTokenActive));
    s.sorted_label.resize(windows_by_value.size());
    for (size_t i = 0; i < windows_by_value.size(); ++i) {
      s.sorted_label[i] = window_label[windows_by_value[i].index];
    }
    Sweep(windows_by_value, s.sorted_label, lab.label_windows, s, sink(kWindowTuned),
          active(kWindowActive));

    MarkOwned(lab, by_token, r, o.min_support, s,
              t.owned.data() + static_cast<size_t>(r + 1) * size);

    if (r < 0) {
      out.specificity = spec;
      out.polysemanticity = poly;
      out.top_label = lab.level_id[top];
      out.top_label_token_share = static_cast<double>(lab.label_tokens[top]) / lab.n;
    } else {
      spec_null += spec;
      poly_null += poly;
    }
  }
  out.specificity_null = lab.shuffles > 0 ? spec_null / lab.shuffles : kNaN;
  out.polysemanticity_null = lab.shuffles > 0 ? poly_null / lab.shuffles : kNaN;
}

void Merge(const Tables& from, Tables& into) {
  for (size_t i = 0; i < from.best.size(); ++i) {
    const Best& b = from.best[i];
    if (b.unit >= 0) Update(into.best[i], b.f1, b.unit, b.threshold, b.predicted, b.tp);
  }
  for (size_t i = 0; i < from.null_best.size(); ++i) {
    into.null_best[i] = std::max(into.null_best[i], from.null_best[i]);
  }
  for (size_t i = 0; i < from.owned.size(); ++i) into.owned[i] |= from.owned[i];
}

DetectorF1 ToDetector(const Tables& t, const Labelling& lab, int det, int l) {
  const Best& b = t.best[det * lab.L + l];
  DetectorF1 d;
  d.unit = b.unit;
  d.f1 = b.f1;
  d.threshold = b.threshold;
  d.predicted = b.predicted;
  d.true_positives = b.tp;
  if (lab.shuffles == 0) {
    d.null_f1 = kNaN;
  } else {
    double sum = 0;
    for (int r = 0; r < lab.shuffles; ++r) {
      sum += t.null_best[(static_cast<size_t>(r) * kDetectors + det) * lab.L + l];
    }
    d.null_f1 = sum / lab.shuffles;
  }
  return d;
}

double TrivialF1(int64_t positives, int64_t items) {
  const double p = static_cast<double>(positives) / static_cast<double>(items);
  return 2 * p / (1 + p);
}

}  // namespace

std::vector<int64_t> WindowPermutation(int64_t windows, uint64_t seed, int r) {
  std::vector<int64_t> p(windows);
  std::iota(p.begin(), p.end(), 0);
  Philox rng(seed, static_cast<uint64_t>(r));
  for (int64_t i = windows - 1; i > 0; --i) {
    const int64_t j = rng.UniformInt(static_cast<uint32_t>(i + 1));
    std::swap(p[i], p[j]);
  }
  return p;
}

absl::StatusOr<UnitLabelMetrics> ComputeUnitLabelMetrics(absl::Span<const float> activations,
                                                         int64_t n_tokens, int64_t n_units,
                                                         absl::Span<const LabelId> labels,
                                                         const LabelSet& label_set,
                                                         const UnitLabelOptions& options) {
  auto prepared = Prepare(n_tokens, n_units, static_cast<int64_t>(activations.size()), labels,
                          label_set, options);
  if (!prepared.ok()) return prepared.status();
  const Labelling& lab = *prepared;
  const int size = label_set.size();
  const float* acts = activations.data();

  UnitLabelMetrics m;
  m.level = options.level;
  m.tokens = n_tokens;
  m.windows = lab.windows;
  m.ctx = lab.ctx;
  m.shuffles = lab.shuffles;
  m.units.resize(n_units);

  Tables merged(lab, size);
  const int64_t blocks = (n_units + kBlock - 1) / kBlock;
  // The first non-finite activation (by token, then unit) any thread saw.
  int64_t bad = std::numeric_limits<int64_t>::max();
  const int threads =
      static_cast<int>(std::min<int64_t>({options.threads, omp_get_max_threads(), blocks}));

#pragma omp parallel num_threads(threads)
  {
    Tables tables(lab, size);
    Scratch scratch(lab.L, size);
    std::vector<std::vector<Entry>> cols(kBlock);
    std::vector<Entry> by_value, windows, windows_by_value;
    int64_t my_bad = std::numeric_limits<int64_t>::max();
#pragma omp for schedule(dynamic, 1)
    for (int64_t b = 0; b < blocks; ++b) {
      const int64_t u0 = b * kBlock, width = std::min(kBlock, n_units - u0);
      for (int64_t j = 0; j < width; ++j) cols[j].clear();
      for (int64_t tok = 0; tok < n_tokens; ++tok) {
        const float* row = acts + tok * n_units + u0;
        // Rows are n_units floats apart, in different pages, so the hardware
        // prefetcher never runs ahead; ask for a row a few rows ahead (the
        // R = 0 call on 32k x 4096 measured 0.6-0.7 s CPU with it, 0.8-0.9
        // without, on the loaded 2-core machine).
        if (tok + kPrefetchRows < n_tokens) {
          const float* next = row + kPrefetchRows * n_units;
          for (int64_t j = 0; j < width; j += 16) __builtin_prefetch(next + j, 0, 0);
        }
        for (int64_t j = 0; j < width; ++j) {
          const float v = row[j];
          if (v > 0 && v <= std::numeric_limits<float>::max()) {
            cols[j].push_back({static_cast<int32_t>(tok), v});
          } else if (!std::isfinite(v)) {
            my_bad = std::min(my_bad, tok * n_units + u0 + j);
          }
        }
      }
      if (my_bad != std::numeric_limits<int64_t>::max()) continue;  // the call fails anyway
      for (int64_t j = 0; j < width; ++j) {
        ProcessUnit(lab, options, u0 + j, cols[j], by_value, windows, windows_by_value, scratch,
                    tables, m.units[u0 + j]);
      }
    }
#pragma omp critical
    {
      Merge(tables, merged);
      bad = std::min(bad, my_bad);
    }
  }
  if (bad != std::numeric_limits<int64_t>::max()) {
    return absl::InvalidArgumentError(absl::StrCat("unit-label metrics: activation of token ",
                                                   bad / n_units, ", unit ", bad % n_units, " is ",
                                                   acts[bad], "; activations must be finite"));
  }

  for (int l = 0; l < lab.L; ++l) {
    if (lab.label_tokens[l] == 0) continue;
    LabelStats ls;
    ls.label = lab.level_id[l];
    ls.tokens = lab.label_tokens[l];
    ls.windows = lab.label_windows[l];
    ls.token_active = ToDetector(merged, lab, kTokenActive, l);
    ls.token_tuned = ToDetector(merged, lab, kTokenTuned, l);
    ls.token_trivial_f1 = TrivialF1(ls.tokens, lab.n);
    ls.window_active = ToDetector(merged, lab, kWindowActive, l);
    ls.window_tuned = ToDetector(merged, lab, kWindowTuned, l);
    ls.window_trivial_f1 = TrivialF1(ls.windows, lab.windows);
    m.labels.push_back(ls);
  }

  std::vector<int> children(size, 0);
  for (int i = 0; i < size; ++i) {
    if (label_set.parent[i] >= 0) ++children[label_set.parent[i]];
  }
  for (int p = 0; p < size; ++p) {
    if (children[p] == 0) continue;
    SplitStats sp;
    sp.parent = p;
    sp.children = children[p];
    std::vector<int> with_unit(lab.shuffles + 1, 0);
    for (int c = 0; c < size; ++c) {
      if (label_set.parent[c] != p) continue;
      for (int r = 0; r <= lab.shuffles; ++r)
        with_unit[r] += merged.owned[static_cast<size_t>(r) * size + c];
    }
    sp.children_with_unit = with_unit[0];
    double null = 0;
    for (int r = 1; r <= lab.shuffles; ++r) null += with_unit[r];
    sp.children_with_unit_null = lab.shuffles > 0 ? null / lab.shuffles : kNaN;
    m.splits.push_back(sp);
  }
  return m;
}

absl::StatusOr<UnitLabelMetrics> ComputeUnitLabelMetrics(const Tensor& activations,
                                                         absl::Span<const LabelId> labels,
                                                         const LabelSet& label_set,
                                                         const UnitLabelOptions& options) {
  if (activations.rank() != 2) {
    return absl::InvalidArgumentError(
        absl::StrCat("unit-label metrics: activations must be [N tokens, U units], got rank ",
                     activations.rank()));
  }
  return ComputeUnitLabelMetrics(activations.span(), activations.dim(0), activations.dim(1), labels,
                                 label_set, options);
}

}  // namespace monosem::sae
