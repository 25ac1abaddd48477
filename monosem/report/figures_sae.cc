// The SAE suite's figures: density histograms (log10, with the dead bin),
// the L0/FVU frontier, MMCS against lambda, the dictionary ladder,
// universality of features and of neurons, genre_f1 features vs neurons.
#include <dirent.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "monosem/report/figures.h"
#include "monosem/status.h"

namespace monosem::report {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

absl::Status AddDensity(const CsvTable& t, const std::string& title, Section* s) {
  MONOSEM_RETURN_IF_ERROR(t.Require({"log10_density_lo", "log10_density_hi", "count"}));
  Plot p;
  p.kind = "bar";
  p.title = title;
  p.x_label = "log10 feature density (first bar: dead)";
  p.y_label = "features";
  Series c;
  c.label = "features";
  for (size_t r = 0; r < t.rows(); ++r) {
    const std::string& lo = t.Text(r, t.Index("log10_density_lo"));
    p.categories.push_back(lo == "dead" ? "dead" : absl::StrFormat("%.1f", t.Number(r, t.Index("log10_density_lo"))));
    c.y.push_back(t.Number(r, t.Index("count")));
  }
  c.color = "#4c72b0";
  p.series.push_back(std::move(c));
  s->plots.push_back(std::move(p));
  return absl::OkStatus();
}

// The MLP density files, sae_mlp_density_F<size>.csv, by increasing size.
std::vector<std::pair<long, std::string>> MlpDensityFiles(const std::string& dir) {
  std::vector<std::pair<long, std::string>> out;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) {
      const std::string name = e->d_name;
      if (absl::StartsWith(name, "sae_mlp_density_F") && absl::EndsWith(name, ".csv")) {
        out.push_back({std::atol(name.c_str() + 17), name});
      }
    }
    closedir(d);
  }
  std::sort(out.begin(), out.end());
  return out;
}

absl::Status AddFrontier(const CsvTable& t, Section* s) {
  MONOSEM_RETURN_IF_ERROR(t.Require({"arch", "dict_size", "lambda", "l0", "fvu", "mmcs"}));
  const int arch = t.Index("arch"), l0 = t.Index("l0"), fvu = t.Index("fvu");
  Plot p;
  p.title = "L0 / FVU frontier (synthetic ground truth)";
  p.x_label = "L0 (active latents per vector)";
  p.y_label = "FVU";
  p.x_log = true;
  p.y_log = true;
  for (const std::string& a : Distinct(t, arch)) {
    Series c;
    c.label = a;
    c.style = "points";
    for (size_t r = 0; r < t.rows(); ++r) {
      if (t.Text(r, arch) != a || !(t.Number(r, l0) > 0) || !(t.Number(r, fvu) > 0)) continue;
      c.x.push_back(t.Number(r, l0));
      c.y.push_back(t.Number(r, fvu));
    }
    p.series.push_back(std::move(c));
  }
  s->plots.push_back(std::move(p));

  Plot m;
  m.title = "MMCS against \u03BB (relu_l1, synthetic ground truth)";
  m.x_label = "\u03BB";
  m.y_label = "MMCS";
  m.x_log = true;
  const int size = t.Index("dict_size"), lambda = t.Index("lambda"), mmcs = t.Index("mmcs");
  for (const std::string& f : Distinct(t, size)) {
    Series c;
    c.label = absl::StrCat("F=", f);
    for (size_t r = 0; r < t.rows(); ++r) {
      if (t.Text(r, arch) != "relu_l1" || t.Text(r, size) != f || !(t.Number(r, lambda) > 0)) continue;
      c.x.push_back(t.Number(r, lambda));
      c.y.push_back(t.Number(r, mmcs));
    }
    // A single point is a dictionary-ratio run, not a sweep.
    if (c.x.size() < 2) continue;
    std::vector<size_t> order(c.x.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&c](size_t a, size_t b) { return c.x[a] < c.x[b]; });
    Series sorted = c;
    for (size_t i = 0; i < order.size(); ++i) {
      sorted.x[i] = c.x[order[i]];
      sorted.y[i] = c.y[order[i]];
    }
    m.series.push_back(std::move(sorted));
  }
  if (m.Points() > 0) {
    s->plots.push_back(std::move(m));
  } else {
    s->missing.push_back("sae_frontier.csv holds no relu_l1 \u03BB sweep: no MMCS-against-\u03BB plot");
  }
  return absl::OkStatus();
}

absl::Status AddLadder(const CsvTable& t, Section* s) {
  MONOSEM_RETURN_IF_ERROR(t.Require({"dict_size", "resampling", "fvu", "dead_fraction", "loss_recovered", "l0"}));
  const int size = t.Index("dict_size"), res = t.Index("resampling");
  for (const auto& [column, label] : std::vector<std::pair<std::string, std::string>>{
           {"fvu", "FVU"}, {"l0", "L0"}, {"dead_fraction", "dead fraction"},
           {"loss_recovered", "loss recovered"}}) {
    Plot p;
    p.title = absl::StrCat("ladder on transformer A's MLP: ", label);
    p.x_label = "dictionary size F";
    p.y_label = label;
    p.x_log = true;
    p.small = false;
    p.width_class = "third";
    for (const std::string& flag : Distinct(t, res)) {
      Series c;
      c.label = flag == "1" ? "with resampling" : "without resampling";
      c.dashed = flag != "1";
      for (size_t r = 0; r < t.rows(); ++r) {
        if (t.Text(r, res) != flag) continue;
        c.x.push_back(t.Number(r, size));
        c.y.push_back(t.Number(r, t.Index(column)));
      }
      p.series.push_back(std::move(c));
    }
    s->plots.push_back(std::move(p));
  }
  return absl::OkStatus();
}

absl::Status AddUniversality(const CsvTable& t, Section* s) {
  MONOSEM_RETURN_IF_ERROR(t.Require({"kind", "unit", "max_corr"}));
  const int kind = t.Index("kind"), corr = t.Index("max_corr");
  for (const std::string& k : Distinct(t, kind)) {
    std::vector<double> v;
    for (size_t r = 0; r < t.rows(); ++r) {
      if (t.Text(r, kind) == k) v.push_back(t.Number(r, corr));
    }
    Plot p = Histogram(absl::StrCat("universality: each ", k, "'s best correlation in model B"), v,
                       0.0, 1.0, 20, "max activation correlation with model B");
    p.y_label = absl::StrCat(k, "s");
    p.width_class = "third";
    s->plots.push_back(std::move(p));
  }
  return absl::OkStatus();
}

absl::Status AddGenreF1(const CsvTable& t, Section* s) {
  MONOSEM_RETURN_IF_ERROR(t.Require({"genre", "feature_f1", "neuron_f1"}));
  Plot p;
  p.kind = "bar";
  p.title = "genre_f1: best SAE feature vs best neuron";
  p.y_label = "F1";
  p.categories = Distinct(t, t.Index("genre"));
  for (const auto& [column, label] : std::vector<std::pair<std::string, std::string>>{
           {"feature_f1", "best feature"}, {"neuron_f1", "best neuron"}}) {
    Series c;
    c.label = label;
    for (size_t r = 0; r < t.rows(); ++r) c.y.push_back(t.Number(r, t.Index(column)));
    p.series.push_back(std::move(c));
  }
  s->plots.push_back(std::move(p));
  return absl::OkStatus();
}

// Median specificity against firing count, each population beside its
// label-shuffled null (dashed): the matched-firing comparison the judged
// specificity row makes, drawn.
absl::Status AddFiringBins(const CsvTable& t, Section* s) {
  MONOSEM_RETURN_IF_ERROR(t.Require(
      {"population", "firing_bin", "median_specificity", "median_specificity_null"}));
  const int pop = t.Index("population"), bin = t.Index("firing_bin");
  Plot p;
  p.title = "specificity at matched firing count: features vs neurons (dashed: label-shuffled null)";
  p.x_label = "tokens the unit fires on (bin start)";
  p.y_label = "median specificity (top genre's share of mass)";
  p.x_log = true;
  p.small = false;
  for (const std::string& name : Distinct(t, pop)) {
    for (bool null : {false, true}) {
      Series c;
      c.label = null ? name + " (null)" : name;
      c.dashed = null;
      const int col = t.Index(null ? "median_specificity_null" : "median_specificity");
      for (size_t r = 0; r < t.rows(); ++r) {
        if (t.Text(r, pop) != name) continue;
        c.x.push_back(std::ldexp(1.0, static_cast<int>(t.Number(r, bin))));
        c.y.push_back(t.Number(r, col));
      }
      p.series.push_back(std::move(c));
    }
  }
  s->plots.push_back(std::move(p));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Section> SaeFigures(const std::string& dir) {
  Section s;
  s.id = "sae";
  s.title = "Sparse autoencoders";
  const std::string how = "written by `monosem reproduce --suite sae`";
  CsvTable t;
  MONOSEM_ASSIGN_OR_RETURN(bool have, ReadIfPresent(dir, "sae_density.csv",
                                                    absl::StrCat("the synthetic density histogram; ", how), &s, &t));
  if (have) MONOSEM_RETURN_IF_ERROR(AddDensity(t, "feature density, synthetic data (best relu_l1 run)", &s));
  const auto mlp = MlpDensityFiles(dir);
  if (mlp.empty()) {
    s.missing.push_back(absl::StrCat("no sae_mlp_density_F*.csv in the results folder: the MLP "
                                     "density histograms; ", how, " (--only ladder)"));
  }
  for (const auto& [f, name] : mlp) {
    MONOSEM_ASSIGN_OR_RETURN(CsvTable d, CsvTable::Read(dir + "/" + name));
    MONOSEM_RETURN_IF_ERROR(AddDensity(d, absl::StrCat("feature density, transformer A's MLP, F=", f), &s));
    s.plots.back().width_class = "third";
  }
  MONOSEM_ASSIGN_OR_RETURN(have, ReadIfPresent(dir, "sae_frontier.csv",
                                               absl::StrCat("the L0/FVU frontier and MMCS against \u03BB; ", how), &s, &t));
  if (have) MONOSEM_RETURN_IF_ERROR(AddFrontier(t, &s));
  MONOSEM_ASSIGN_OR_RETURN(have, ReadIfPresent(dir, "sae_mlp_ladder.csv",
                                               absl::StrCat("the dictionary ladder; ", how, " (--only ladder)"), &s, &t));
  if (have) MONOSEM_RETURN_IF_ERROR(AddLadder(t, &s));
  MONOSEM_ASSIGN_OR_RETURN(have, ReadIfPresent(dir, "sae_mlp_universality.csv",
                                               absl::StrCat("universality histograms; ", how, " (--only universality)"), &s, &t));
  if (have) MONOSEM_RETURN_IF_ERROR(AddUniversality(t, &s));
  MONOSEM_ASSIGN_OR_RETURN(have, ReadIfPresent(dir, "sae_mlp_genre_f1.csv",
                                               absl::StrCat("genre_f1 features vs neurons; ", how), &s, &t));
  if (have) MONOSEM_RETURN_IF_ERROR(AddGenreF1(t, &s));
  MONOSEM_ASSIGN_OR_RETURN(have, ReadIfPresent(dir, "sae_mlp_firing_bins.csv",
                                               absl::StrCat("specificity at matched firing count; ", how), &s, &t));
  if (have) MONOSEM_RETURN_IF_ERROR(AddFiringBins(t, &s));
  return s;
}

}  // namespace monosem::report
