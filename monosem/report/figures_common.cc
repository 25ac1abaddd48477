#include <sys/stat.h>

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "monosem/report/figures.h"
#include "monosem/status.h"

namespace monosem::report {

absl::StatusOr<bool> ReadIfPresent(const std::string& dir, const std::string& name,
                                   const std::string& what, Section* section, CsvTable* out) {
  const std::string path = dir + "/" + name;
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    section->missing.push_back(absl::StrCat(name, " is not in the results folder: ", what));
    return false;
  }
  MONOSEM_ASSIGN_OR_RETURN(*out, CsvTable::Read(path));
  if (out->rows() == 0) {
    section->missing.push_back(absl::StrCat(name, " has no data rows: ", what));
    return false;
  }
  return true;
}

std::vector<std::string> Distinct(const CsvTable& t, int column) {
  std::vector<std::string> out;
  for (size_t r = 0; r < t.rows(); ++r) {
    if (std::find(out.begin(), out.end(), t.Text(r, column)) == out.end()) {
      out.push_back(t.Text(r, column));
    }
  }
  return out;
}

Plot Histogram(const std::string& title, const std::vector<double>& values, double lo, double hi,
               int bins, const std::string& x_label) {
  Plot p;
  p.title = title;
  p.kind = "bar";
  p.x_label = x_label;
  p.y_label = "count";
  Series s;
  s.label = "count";
  s.y.assign(bins, 0);
  for (double v : values) {
    if (!std::isfinite(v)) continue;
    int b = static_cast<int>(std::floor((v - lo) / (hi - lo) * bins));
    s.y[std::clamp(b, 0, bins - 1)] += 1;
  }
  for (int b = 0; b < bins; ++b) {
    p.categories.push_back(absl::StrFormat("%.2f", lo + (hi - lo) * (b + 0.5) / bins));
  }
  p.series.push_back(std::move(s));
  return p;
}

absl::StatusOr<std::vector<Section>> AllFigures(const std::string& dir) {
  std::vector<Section> out;
  MONOSEM_ASSIGN_OR_RETURN(Section toy, ToyFigures(dir));
  MONOSEM_ASSIGN_OR_RETURN(Section transformer, TransformerFigures(dir));
  MONOSEM_ASSIGN_OR_RETURN(Section sae, SaeFigures(dir));
  out.push_back(std::move(toy));
  out.push_back(std::move(transformer));
  out.push_back(std::move(sae));
  return out;
}

}  // namespace monosem::report
