// Matched-firing-frequency comparison and the CSV dumps of unit_label_metrics.h.
#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "monosem/models/sae/unit_label_metrics.h"

namespace monosem::sae {
namespace {

// Median of a non-empty vector (mean of the middle two for even sizes).
double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

int FiringBinOf(int64_t firing) {
  int b = 0;
  while ((firing >> (b + 1)) > 0) ++b;
  return b;
}

std::string Quoted(const std::string& s) {
  return absl::StrCat("\"", absl::StrReplaceAll(s, {{"\"", "\"\""}}), "\"");
}

std::string Name(const LabelSet& s, int id) {
  return id >= 0 && id < s.size() ? Quoted(s.names[id]) : "";
}

std::string Num(double x) { return std::isnan(x) ? "nan" : absl::StrCat(x); }

std::string DetectorCols(const DetectorF1& d) {
  return absl::StrCat(d.unit, ",", Num(d.f1), ",", Num(d.threshold), ",", d.predicted, ",",
                      d.true_positives, ",", Num(d.null_f1), ",", Num(d.excess()));
}

absl::Status Check(const std::ostream& out) {
  return out.good() ? absl::OkStatus()
                    : absl::DataLossError("unit-label metrics: CSV write failed");
}

}  // namespace

std::vector<FiringBin> BinByFiring(absl::Span<const UnitLabelStats> units) {
  struct Columns {
    std::vector<double> spec, spec_null, poly, poly_null;
  };
  std::map<int, Columns> bins;
  for (const UnitLabelStats& u : units) {
    if (u.firing < 1) continue;
    Columns& c = bins[FiringBinOf(u.firing)];
    c.spec.push_back(u.specificity);
    c.spec_null.push_back(u.specificity_null);
    c.poly.push_back(u.polysemanticity);
    c.poly_null.push_back(u.polysemanticity_null);
  }
  std::vector<FiringBin> out;
  for (const auto& [bin, v] : bins) {
    FiringBin f;
    f.bin = bin;
    f.count = static_cast<int64_t>(v.spec.size());
    f.median_specificity = Median(v.spec);
    f.median_specificity_null = Median(v.spec_null);
    f.median_polysemanticity = Median(v.poly);
    f.median_polysemanticity_null = Median(v.poly_null);
    out.push_back(f);
  }
  return out;
}

absl::StatusOr<MatchedComparison> CompareAtMatchedFiring(absl::Span<const UnitLabelStats> a,
                                                         absl::Span<const UnitLabelStats> b,
                                                         UnitStatistic statistic) {
  auto excess = [statistic](const FiringBin& f) {
    return statistic == UnitStatistic::kSpecificity ? f.excess() : f.polysemanticity_excess();
  };
  const std::vector<FiringBin> ba = BinByFiring(a), bb = BinByFiring(b);
  MatchedComparison c;
  double sum = 0;
  size_t j = 0;
  for (const FiringBin& x : ba) {
    while (j < bb.size() && bb[j].bin < x.bin) ++j;
    if (j == bb.size() || bb[j].bin != x.bin) continue;
    const int64_t w = std::min(x.count, bb[j].count);
    sum += static_cast<double>(w) * (excess(x) - excess(bb[j]));
    c.weight += w;
    ++c.shared_bins;
  }
  if (c.shared_bins == 0) {
    return absl::FailedPreconditionError(
        "unit-label metrics: no firing-count bin is populated by both populations");
  }
  c.excess_difference = sum / static_cast<double>(c.weight);
  return c;
}

absl::Status WriteUnitCsv(const UnitLabelMetrics& m, const LabelSet& s, std::ostream& out) {
  out << "unit,firing,firing_windows,firing_bin,mass,top_label,top_label_name,top_label_token_share,"
         "specificity,specificity_null,specificity_excess,polysemanticity,"
         "polysemanticity_null\n";
  for (const UnitLabelStats& u : m.units) {
    out << absl::StrCat(u.unit, ",", u.firing, ",", u.firing_windows, ",", u.firing > 0 ? FiringBinOf(u.firing) : -1, ",",
                        Num(u.mass), ",", u.top_label, ",", Name(s, u.top_label), ",",
                        Num(u.top_label_token_share), ",", Num(u.specificity), ",",
                        Num(u.specificity_null), ",", Num(u.specificity_excess()), ",",
                        u.polysemanticity, ",", Num(u.polysemanticity_null), "\n");
  }
  return Check(out);
}

absl::Status WriteLabelCsv(const UnitLabelMetrics& m, const LabelSet& s, std::ostream& out) {
  std::string header = "label,name,tokens,windows,token_trivial_f1,window_trivial_f1";
  for (const char* d : {"token_active", "token_tuned", "window_active", "window_tuned"}) {
    for (const char* f : {"unit", "f1", "threshold", "predicted", "tp", "null_f1", "excess"}) {
      absl::StrAppend(&header, ",", d, "_", f);
    }
  }
  out << header << "\n";
  for (const LabelStats& l : m.labels) {
    out << absl::StrCat(l.label, ",", Name(s, l.label), ",", l.tokens, ",", l.windows, ",",
                        Num(l.token_trivial_f1), ",", Num(l.window_trivial_f1), ",",
                        DetectorCols(l.token_active), ",", DetectorCols(l.token_tuned), ",",
                        DetectorCols(l.window_active), ",", DetectorCols(l.window_tuned), "\n");
  }
  return Check(out);
}

absl::Status WriteSplitCsv(const UnitLabelMetrics& m, const LabelSet& s, std::ostream& out) {
  out << "parent,name,children,children_with_unit,children_with_unit_null,excess\n";
  for (const SplitStats& sp : m.splits) {
    out << absl::StrCat(sp.parent, ",", Name(s, sp.parent), ",", sp.children, ",",
                        sp.children_with_unit, ",", Num(sp.children_with_unit_null), ",",
                        Num(sp.excess()), "\n");
  }
  return Check(out);
}

}  // namespace monosem::sae
