#include "monosem/report/report_writer.h"

#include <google/protobuf/util/json_util.h>

#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "monosem/io/file_io.h"
#include "monosem/report/figures.h"
#include "monosem/report/html.h"
#include "monosem/report/page_assets.h"
#include "monosem/status.h"

namespace monosem::report {
namespace {

std::string Num(double v) {
  if (std::isnan(v)) return "";
  return absl::StrFormat("%.4g", v);
}

std::string Expected(const ResultRow& r) {
  switch (r.direction()) {
    case WITHIN_TOLERANCE:
      return absl::StrCat(Num(r.expected()), " \u00B1 ", Num(r.tolerance()));
    case AT_LEAST:
      return absl::StrCat("\u2265 ", Num(r.expected()));
    case AT_MOST:
      return absl::StrCat("\u2264 ", Num(r.expected()));
    default:
      return "report";
  }
}

const char* StatusClass(RowStatus s) {
  switch (s) {
    case PASS: return "pass";
    case FAIL: return "fail";
    default: return "report";
  }
}

const char* StatusText(RowStatus s) {
  switch (s) {
    case PASS: return "pass";
    case FAIL: return "FAIL";
    default: return "report";
  }
}

std::string RowHtml(const ResultRow& r) {
  return absl::StrCat("<tr class=\"", StatusClass(r.status()), "\"><td>", HtmlEscape(r.suite()),
                      "</td><td>", HtmlEscape(r.metric()), "</td><td class=\"num\">",
                      Num(r.measured()), "</td><td class=\"num\">", HtmlEscape(Expected(r)),
                      "</td><td class=\"num\">", r.has_published() ? Num(r.published()) : "",
                      "</td><td>", HtmlEscape(r.source()), "</td><td class=\"status\">",
                      StatusText(r.status()), "</td><td class=\"note\">", HtmlEscape(r.note()),
                      "</td></tr>\n");
}

constexpr char kTableHead[] =
    "<thead><tr><th>suite</th><th>metric</th><th>measured</th><th>expected</th>"
    "<th>published</th><th>source</th><th>status</th><th>note</th></tr></thead><tbody>\n";

// Judged rows (pass / FAIL) in full, failures first; the report-only rows,
// usually most of them, folded below so the figures are not pages away.
std::string ResultTableHtml(const ResultTable& table) {
  int pass = 0, fail = 0, report = 0;
  std::string failed, passed, reported;
  for (const ResultRow& r : table.rows()) {
    if (r.status() == FAIL) {
      ++fail;
      absl::StrAppend(&failed, RowHtml(r));
    } else if (r.status() == PASS) {
      ++pass;
      absl::StrAppend(&passed, RowHtml(r));
    } else {
      ++report;
      absl::StrAppend(&reported, RowHtml(r));
    }
  }
  return absl::StrCat(
      "<p id=\"summary\">", pass, " passed, ", fail, " failed, ", report,
      " report-only (report-only: our setup differs from the paper's; the note says how).</p>\n",
      "<table id=\"results\">", kTableHead, failed, passed, "</tbody></table>\n",
      "<details><summary>the ", report, " report-only rows</summary>\n<table id=\"report-rows\">",
      kTableHead, reported, "</tbody></table></details>\n");
}

}  // namespace

std::string BuildReportHtml(const ResultTable& table, const std::vector<Section>& sections,
                            const std::string& chartjs) {
  nlohmann::json plots = nlohmann::json::array();
  std::string body;
  std::string nav = "<a href=\"#table\">results</a>";
  for (const Section& s : sections) {
    absl::StrAppend(&nav, " \u00B7 <a href=\"#", HtmlEscape(s.id), "\">", HtmlEscape(s.title), "</a>");
    absl::StrAppend(&body, "<section id=\"", HtmlEscape(s.id), "\"><h2>", HtmlEscape(s.title), "</h2>\n");
    if (!s.intro.empty()) absl::StrAppend(&body, "<p>", HtmlEscape(s.intro), "</p>\n");
    for (const std::string& m : s.missing) {
      absl::StrAppend(&body, "<p class=\"missing\">missing: ", HtmlEscape(m), "</p>\n");
    }
    absl::StrAppend(&body, "<div class=\"plots\">\n");
    for (const Plot& p : s.plots) {
      std::string cls = "plot";
      if (p.small) cls += " small";
      if (!p.width_class.empty()) absl::StrAppend(&cls, " ", p.width_class);
      absl::StrAppend(&body, "<div class=\"", cls, "\" id=\"plot-", plots.size(), "\" data-plot=\"",
                      plots.size(), "\">");
      if (!p.caption.empty()) absl::StrAppend(&body, "<div class=\"caption\">", HtmlEscape(p.caption), "</div>");
      absl::StrAppend(&body, "</div>\n");
      plots.push_back(p.ToJson());
    }
    absl::StrAppend(&body, "</div></section>\n");
  }
  const std::string title = absl::StrCat("monosem report \u2014 backend ", table.backend(),
                                         table.quick() ? " (quick)" : "");
  return absl::StrCat(
      "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>",
      HtmlEscape(title), "</title>\n<style>", PageCss(), "</style>\n<script>", ErrorSinkJs(),
      "</script>\n<script>\n", chartjs, "\n</script>\n<script>", PlotRendererJs(),
      "</script>\n</head><body>\n<pre id=\"page-errors\"></pre>\n<h1>", HtmlEscape(title), "</h1>\n",
      "<p>monosem ", HtmlEscape(table.monosem_version()), ". <nav>", nav, "</nav></p>\n",
      "<section id=\"table\"><h2>Results</h2>\n", ResultTableHtml(table), "</section>\n", body,
      "<p class=\"closing\">Plots: Chart.js (Debian's libjs-chart.js), inlined into this file so "
      "that it opens from disk with no network. Chosen because Debian ships it as one "
      "self-contained browser bundle; Debian's libjs-vega comes only as separate modules "
      "without vega-lite or vega-embed, which would have to be stitched together by hand.</p>\n",
      "<script id=\"plot-data\" type=\"application/json\">", JsonForScript(plots),
      "</script>\n<script>monosemRenderAll();</script>\n</body></html>\n");
}

absl::StatusOr<ResultTable> ReadResultsJson(const std::string& dir) {
  const std::string path = dir + "/results.json";
  auto text = ReadFile(path);
  if (!text.ok()) {
    return absl::NotFoundError(absl::StrCat(path, ": cannot read (", text.status().message(),
                                            "); run `monosem reproduce --out ", dir, "` first"));
  }
  ResultTable table;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  auto status = google::protobuf::util::JsonStringToMessage(*text, &table, options);
  if (!status.ok()) {
    return absl::DataLossError(absl::StrCat(path, ": not a results table: ", status.ToString()));
  }
  return table;
}

absl::Status WriteReport(const std::string& dir) {
  MONOSEM_ASSIGN_OR_RETURN(ResultTable table, ReadResultsJson(dir));
  MONOSEM_ASSIGN_OR_RETURN(std::vector<Section> sections, AllFigures(dir));
  MONOSEM_ASSIGN_OR_RETURN(std::string chartjs, LoadChartJs());
  return WriteFileAtomic(dir + "/report.html", BuildReportHtml(table, sections, chartjs));
}

}  // namespace monosem::report
