// report.html: one self-contained page beside results.json with the result
// table (pass / FAIL / report colouring and each row's note) and a plot for
// every figure whose data the results folder holds. It opens from disk with
// no network: the plotting library (Debian's Chart.js) and every number are
// inlined.
#ifndef MONOSEM_REPORT_REPORT_WRITER_H_
#define MONOSEM_REPORT_REPORT_WRITER_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "monosem/report/plot.h"
#include "proto/result.pb.h"

namespace monosem::report {

// The page for `table` and `sections`, with `chartjs` (the library's text)
// inlined. Every string from the table (metric, source, note) is escaped.
std::string BuildReportHtml(const ResultTable& table, const std::vector<Section>& sections,
                            const std::string& chartjs);

// Reads DIR/results.json and the figure CSVs in DIR, writes DIR/report.html
// atomically. Errors name the file: no or malformed results.json, a malformed
// CSV, a missing plotting library.
absl::Status WriteReport(const std::string& dir);

// Reads DIR/results.json (written by `monosem reproduce`).
absl::StatusOr<ResultTable> ReadResultsJson(const std::string& dir);

}  // namespace monosem::report

#endif  // MONOSEM_REPORT_REPORT_WRITER_H_
