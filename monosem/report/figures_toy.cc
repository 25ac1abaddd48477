// The toy model's figures (Elhage et al. 2022): W^T W with the norm and
// superposition bars per sparsity, the pentagon, the phase diagrams, D* and
// the D_i clusters.
#include <algorithm>
#include <cmath>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "monosem/report/figures.h"
#include "monosem/status.h"

namespace monosem::report {
namespace {

// Feature rows of one (model, sparsity) instance: w columns per feature.
struct Instance {
  std::string model, sparsity;
  std::vector<std::vector<double>> w;  // [feature][m]
  std::vector<double> norm, interference;
};

absl::StatusOr<std::vector<Instance>> Instances(const CsvTable& t) {
  MONOSEM_RETURN_IF_ERROR(t.Require({"model", "sparsity", "feature", "norm", "interference", "w0"}));
  std::vector<int> wcols;
  for (int k = 0; t.Has(absl::StrCat("w", k)); ++k) wcols.push_back(t.Index(absl::StrCat("w", k)));
  const int model = t.Index("model"), sparsity = t.Index("sparsity");
  const int norm = t.Index("norm"), interference = t.Index("interference");
  std::vector<Instance> out;
  for (size_t r = 0; r < t.rows(); ++r) {
    if (out.empty() || out.back().model != t.Text(r, model) ||
        out.back().sparsity != t.Text(r, sparsity)) {
      out.push_back({t.Text(r, model), t.Text(r, sparsity), {}, {}, {}});
    }
    Instance& in = out.back();
    std::vector<double> w;
    for (int c : wcols) w.push_back(t.Number(r, c));
    in.w.push_back(std::move(w));
    in.norm.push_back(t.Number(r, norm));
    in.interference.push_back(t.Number(r, interference));
  }
  return out;
}

void AddGramFigures(const std::vector<Instance>& instances, Section* s) {
  // One row of W^T W heatmaps per model (sparsity increasing to the right),
  // then the matching bars: the layout of the paper's first figures.
  std::vector<std::string> models;
  for (const Instance& in : instances) {
    if (std::find(models.begin(), models.end(), in.model) == models.end()) models.push_back(in.model);
  }
  for (const std::string& model : models) {
    for (int pass = 0; pass < 2; ++pass) {
      for (const Instance& in : instances) {
        if (in.model != model) continue;
        const int n = static_cast<int>(in.w.size());
        Plot p;
        p.small = true;
        if (pass == 0) {
          p.kind = "heatmap";
          p.title = absl::StrCat(model, " S=", in.sparsity, ": W\u1D40W");
          p.rows = p.cols = n;
          double lim = 0;
          for (int i = 0; i < n; ++i) {
            for (int j = 0; j < n; ++j) {
              double dot = 0;
              for (size_t k = 0; k < in.w[i].size(); ++k) dot += in.w[i][k] * in.w[j][k];
              p.cells.push_back(dot);
              lim = std::max(lim, std::fabs(dot));
            }
          }
          p.limit = lim > 0 ? lim : 1;
        } else {
          p.kind = "bar";
          p.title = absl::StrCat(model, " S=", in.sparsity, ": \u2016W\u1D62\u2016");
          p.x_label = "feature (colour: superposition)";
          Series b;
          b.label = "norm";
          b.y = in.norm;
          for (double v : in.interference) b.shade.push_back(std::isfinite(v) ? std::min(v, 1.0) : 0);
          for (int i = 0; i < n; ++i) p.categories.push_back(absl::StrCat(i));
          p.series.push_back(std::move(b));
        }
        s->plots.push_back(std::move(p));
      }
    }
  }
}

void AddPentagon(const std::vector<Instance>& instances, Section* s) {
  for (const Instance& in : instances) {
    Plot p;
    p.title = absl::StrCat("n=5, m=2 ", in.model, " S=", in.sparsity, ": columns of W");
    p.x_label = "hidden dim 0";
    p.y_label = "hidden dim 1";
    p.square = true;
    p.width_class = "quarter";
    double lim = 0;
    for (size_t i = 0; i < in.w.size(); ++i) {
      Series f;
      f.label = absl::StrCat("feature ", i);
      f.x = {0, in.w[i].size() > 0 ? in.w[i][0] : 0};
      f.y = {0, in.w[i].size() > 1 ? in.w[i][1] : 0};
      lim = std::max({lim, std::fabs(f.x[1]), std::fabs(f.y[1])});
      p.series.push_back(std::move(f));
    }
    lim = lim > 0 ? lim * 1.1 : 1;
    p.x_range = p.y_range = {-lim, lim};
    s->plots.push_back(std::move(p));
  }
}

absl::Status AddPhaseDiagrams(const CsvTable& t, Section* s) {
  MONOSEM_RETURN_IF_ERROR(t.Require({"r", "density", "closed_form", "exact", "trained"}));
  const int r = t.Index("r"), d = t.Index("density");
  std::vector<double> rs, ds;
  for (size_t i = 0; i < t.rows(); ++i) {
    if (std::find(rs.begin(), rs.end(), t.Number(i, r)) == rs.end()) rs.push_back(t.Number(i, r));
    if (std::find(ds.begin(), ds.end(), t.Number(i, d)) == ds.end()) ds.push_back(t.Number(i, d));
  }
  std::sort(rs.rbegin(), rs.rend());  // r grows upwards, as in the paper
  std::sort(ds.begin(), ds.end());
  const std::vector<std::string> classes = {"ignore_extra", "dedicate_to_extra", "antipodal",
                                            "other"};
  const std::vector<std::pair<std::string, std::string>> panels = {
      {"trained", "trained (best of runs)"}, {"exact", "exact optimum"},
      {"closed_form", "closed form"}};
  for (const auto& [column, name] : panels) {
    Plot p;
    p.kind = "heatmap";
    p.title = absl::StrCat("phase diagram n=2, m=1: ", name);
    p.x_label = "feature density 1\u2212S";
    p.y_label = "relative importance r";
    p.rows = static_cast<int>(rs.size());
    p.cols = static_cast<int>(ds.size());
    p.classes = classes;
    p.cells.assign(p.rows * p.cols, classes.size() - 1);
    for (double v : rs) p.row_labels.push_back(absl::StrFormat("%.2g", v));
    for (double v : ds) p.col_labels.push_back(absl::StrFormat("%.2g", v));
    const int c = t.Index(column);
    for (size_t i = 0; i < t.rows(); ++i) {
      const int row = std::find(rs.begin(), rs.end(), t.Number(i, r)) - rs.begin();
      const int col = std::find(ds.begin(), ds.end(), t.Number(i, d)) - ds.begin();
      const auto it = std::find(classes.begin(), classes.end(), t.Text(i, c));
      p.cells[row * p.cols + col] = it == classes.end() ? classes.size() - 1 : it - classes.begin();
    }
    p.width_class = "third";
    s->plots.push_back(std::move(p));
  }
  return absl::OkStatus();
}

absl::Status AddDStar(const CsvTable& t, Section* s) {
  MONOSEM_RETURN_IF_ERROR(t.Require({"inv_density", "d_star"}));
  Plot p;
  p.title = "D* = m / \u2016W\u2016\u00B2_F against 1/(1\u2212S)";
  p.x_label = "1/(1\u2212S)";
  p.y_label = "dimensions per feature D*";
  p.x_log = true;
  Series c;
  c.label = "D*";
  for (size_t i = 0; i < t.rows(); ++i) {
    c.x.push_back(t.Number(i, t.Index("inv_density")));
    c.y.push_back(t.Number(i, t.Index("d_star")));
  }
  p.series.push_back(std::move(c));
  p.lines = {{false, 1.0, "1"}, {false, 0.5, "1/2"}};
  s->plots.push_back(std::move(p));
  return absl::OkStatus();
}

absl::Status AddDimensionality(const CsvTable& t, Section* s) {
  MONOSEM_RETURN_IF_ERROR(t.Require({"sparsity", "dimensionality"}));
  Plot p;
  p.title = "feature dimensionality D\u1D62 against 1/(1\u2212S)";
  p.x_label = "1/(1\u2212S)";
  p.y_label = "D\u1D62";
  p.x_log = true;
  Series c;
  c.label = "D\u1D62 (one point per feature)";
  c.style = "points";
  for (size_t i = 0; i < t.rows(); ++i) {
    const double sp = t.Number(i, t.Index("sparsity"));
    c.x.push_back(1.0 / (1.0 - sp));
    c.y.push_back(t.Number(i, t.Index("dimensionality")));
  }
  p.series.push_back(std::move(c));
  for (auto [v, label] : std::vector<std::pair<double, const char*>>{
           {1.0, "1"}, {0.75, "3/4"}, {2.0 / 3, "2/3"}, {0.5, "1/2"}, {0.4, "2/5"}, {0.375, "3/8"}}) {
    p.lines.push_back({false, v, label});
  }
  s->plots.push_back(std::move(p));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Section> ToyFigures(const std::string& dir) {
  Section s;
  s.id = "toy";
  s.title = "Toy models of superposition";
  const std::string how = "written by `monosem reproduce --suite toy`";
  CsvTable t;
  MONOSEM_ASSIGN_OR_RETURN(bool have, ReadIfPresent(dir, "toy_exp1_n20_m5.csv",
                                                    absl::StrCat("W\u1D40W and norm bars; ", how), &s, &t));
  if (have) {
    MONOSEM_ASSIGN_OR_RETURN(auto instances, Instances(t));
    AddGramFigures(instances, &s);
  }
  MONOSEM_ASSIGN_OR_RETURN(have, ReadIfPresent(dir, "toy_exp2_n5_m2.csv",
                                               absl::StrCat("the pentagon; ", how), &s, &t));
  if (have) {
    MONOSEM_ASSIGN_OR_RETURN(auto instances, Instances(t));
    AddPentagon(instances, &s);
  }
  MONOSEM_ASSIGN_OR_RETURN(have, ReadIfPresent(dir, "toy_exp3_phase_diagram.csv",
                                               absl::StrCat("the phase diagrams; ", how), &s, &t));
  if (have) MONOSEM_RETURN_IF_ERROR(AddPhaseDiagrams(t, &s));
  MONOSEM_ASSIGN_OR_RETURN(have, ReadIfPresent(dir, "toy_exp4_dstar_curve.csv",
                                               absl::StrCat("the D* curve; ", how), &s, &t));
  if (have) MONOSEM_RETURN_IF_ERROR(AddDStar(t, &s));
  MONOSEM_ASSIGN_OR_RETURN(have, ReadIfPresent(dir, "toy_exp4_dimensionality.csv",
                                               absl::StrCat("the D\u1D62 clusters; ", how), &s, &t));
  if (have) MONOSEM_RETURN_IF_ERROR(AddDimensionality(t, &s));
  return s;
}

}  // namespace monosem::report
