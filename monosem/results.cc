#include "monosem/results.h"

#include <google/protobuf/util/json_util.h>

#include <cmath>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "monosem/io/file_io.h"

namespace monosem {

void Judge(ResultRow* row) {
  const double m = row->measured();
  if (row->direction() == REPORT_ONLY || !row->has_expected()) {
    row->set_status(REPORT);
    return;
  }
  const double e = row->expected();
  bool pass = false;
  if (std::isfinite(m)) {
    switch (row->direction()) {
      case WITHIN_TOLERANCE: pass = std::fabs(m - e) <= row->tolerance(); break;
      case AT_LEAST: pass = m >= e; break;
      case AT_MOST: pass = m <= e; break;
      default: pass = false;
    }
  }
  row->set_status(pass ? PASS : FAIL);
}

ResultRow MakeRow(const std::string& suite, const std::string& metric, double measured,
                  Direction direction, double expected, double tolerance,
                  const std::string& source, const std::string& note, double published) {
  ResultRow row;
  row.set_suite(suite);
  row.set_metric(metric);
  row.set_measured(measured);
  row.set_direction(direction);
  if (std::isfinite(expected)) row.set_expected(expected);
  row.set_tolerance(tolerance);
  row.set_source(source);
  row.set_note(note);
  if (std::isfinite(published)) row.set_published(published);
  Judge(&row);
  return row;
}

ResultRow ScaleJudgedRow(const std::string& suite, const std::string& metric, double measured,
                         Direction direction, double bar, const std::string& source,
                         const std::string& note, bool judged) {
  const double margin = direction == AT_MOST ? bar - measured : measured - bar;
  const std::string full = absl::StrCat(note, absl::StrFormat("; margin %+.4g", margin),
                                        judged ? "" : "; report-only at the quick scale");
  return MakeRow(suite, metric, measured, judged ? direction : REPORT_ONLY,
                 judged ? bar : std::numeric_limits<double>::quiet_NaN(), 0, source, full);
}

namespace {

std::string Num(double v) { return absl::StrFormat("%.6g", v); }

std::string Criterion(const ResultRow& r) {
  if (!r.has_expected()) return "report";
  switch (r.direction()) {
    case WITHIN_TOLERANCE: return absl::StrCat(Num(r.expected()), " ± ", Num(r.tolerance()));
    case AT_LEAST: return absl::StrCat(">= ", Num(r.expected()));
    case AT_MOST: return absl::StrCat("<= ", Num(r.expected()));
    default: return "report";
  }
}

const char* StatusName(RowStatus s) {
  switch (s) {
    case PASS: return "pass";
    case FAIL: return "FAIL";
    case REPORT: return "report";
    default: return "?";
  }
}

}  // namespace

std::string FormatTable(const ResultTable& table) {
  std::vector<std::vector<std::string>> cells;
  cells.push_back({"suite", "metric", "measured", "expected", "published", "source", "status"});
  int pass = 0, fail = 0, report = 0;
  for (const ResultRow& r : table.rows()) {
    cells.push_back({r.suite(), r.metric(), Num(r.measured()), Criterion(r),
                     r.has_published() ? Num(r.published()) : "-", r.source(),
                     StatusName(r.status())});
    pass += r.status() == PASS;
    fail += r.status() == FAIL;
    report += r.status() == REPORT;
  }
  std::vector<size_t> width(cells[0].size(), 0);
  for (const auto& row : cells) {
    for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  }
  std::string out;
  for (size_t r = 0; r < cells.size(); ++r) {
    for (size_t i = 0; i < cells[r].size(); ++i) {
      absl::StrAppend(&out, cells[r][i], std::string(width[i] - cells[r][i].size() + 2, ' '));
    }
    out.back() = '\n';
    if (r == 0) {
      size_t total = 0;
      for (size_t w : width) total += w + 2;
      absl::StrAppend(&out, std::string(total, '-'), "\n");
    }
  }
  for (const ResultRow& r : table.rows()) {
    if (!r.note().empty()) absl::StrAppend(&out, "  note [", r.metric(), "]: ", r.note(), "\n");
  }
  absl::StrAppend(&out, pass, " passed, ", fail, " failed, ", report, " report-only\n");
  return out;
}

absl::Status WriteResultsJson(const std::string& dir, const ResultTable& table) {
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.always_print_primitive_fields = true;
  options.preserve_proto_field_names = true;
  auto status = google::protobuf::util::MessageToJsonString(table, &json, options);
  if (!status.ok()) {
    return absl::InternalError(absl::StrCat("cannot encode results: ", status.ToString()));
  }
  return WriteFileAtomic(absl::StrCat(dir, "/results.json"), json);
}

}  // namespace monosem
