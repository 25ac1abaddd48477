// Plots from the figure data a results folder holds, one Section per suite.
// A figure whose CSV is absent becomes a `missing` line naming the file and
// what writes it; a CSV that is present but malformed is an error naming the
// file (a report that silently drops a broken figure would hide the bug).
#ifndef MONOSEM_REPORT_FIGURES_H_
#define MONOSEM_REPORT_FIGURES_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "monosem/report/csv.h"
#include "monosem/report/plot.h"

namespace monosem::report {

absl::StatusOr<Section> ToyFigures(const std::string& dir);
absl::StatusOr<Section> TransformerFigures(const std::string& dir);
absl::StatusOr<Section> SaeFigures(const std::string& dir);

// Every section, in the order the page shows them.
absl::StatusOr<std::vector<Section>> AllFigures(const std::string& dir);

// Helpers shared by the figure builders.
// Reads DIR/NAME when it exists; nullopt-like: returns false and adds a
// missing line ("NAME: <what>") when it does not.
absl::StatusOr<bool> ReadIfPresent(const std::string& dir, const std::string& name,
                                   const std::string& what, Section* section, CsvTable* out);
// Distinct values of a text column, in first-seen order.
std::vector<std::string> Distinct(const CsvTable& t, int column);
// A histogram of `values` over `bins` equal bins on [lo, hi] as a bar plot.
Plot Histogram(const std::string& title, const std::vector<double>& values, double lo, double hi,
               int bins, const std::string& x_label);

}  // namespace monosem::report

#endif  // MONOSEM_REPORT_FIGURES_H_
