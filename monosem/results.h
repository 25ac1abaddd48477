// Result rows (proto/result.proto): judging a measured value, printing the
// table `monosem reproduce` shows, and writing results.json.
#ifndef MONOSEM_RESULTS_H_
#define MONOSEM_RESULTS_H_

#include <limits>
#include <string>

#include "absl/status/status.h"
#include "proto/result.pb.h"

namespace monosem {

// Sets row->status from measured, expected, tolerance and direction.
void Judge(ResultRow* row);

// A row judged against `expected` with `direction`; `published` is optional
// (NaN means "no published value").
ResultRow MakeRow(const std::string& suite, const std::string& metric, double measured,
                  Direction direction, double expected, double tolerance,
                  const std::string& source, const std::string& note = "",
                  double published = std::numeric_limits<double>::quiet_NaN());

// A row judged against `bar` in `direction` when `judged` (default and paper
// scales), report-only otherwise (quick runs train too little to mean
// anything). The note ends with the margin: how far the measurement is on
// the passing side of the bar (negative: it fails).
ResultRow ScaleJudgedRow(const std::string& suite, const std::string& metric, double measured,
                         Direction direction, double bar, const std::string& source,
                         const std::string& note, bool judged);

std::string FormatTable(const ResultTable& table);
// Writes DIR/results.json atomically.
absl::Status WriteResultsJson(const std::string& dir, const ResultTable& table);

}  // namespace monosem

#endif  // MONOSEM_RESULTS_H_
