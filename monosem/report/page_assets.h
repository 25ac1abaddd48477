// The pieces every page monosem writes shares: the stylesheet, the error
// sink, the plot renderer (plot.h's JSON to Chart.js) and the plotting
// library itself, read from Debian's libjs-chart.js at run time.
#ifndef MONOSEM_REPORT_PAGE_ASSETS_H_
#define MONOSEM_REPORT_PAGE_ASSETS_H_

#include <string>

#include "absl/status/statusor.h"

namespace monosem::report {

// Where ci/setup's libjs-chart.js puts the UMD bundle. MONOSEM_CHARTJS
// overrides it (tests point it at a missing file to check the error).
std::string ChartJsPath();

// The library's text, checked: it must exist, be non-empty and not contain
// "</script" (it is inlined into a <script> element). Errors name the file
// and say to run ci/setup.
absl::StatusOr<std::string> LoadChartJs();

// CSS for the report and the browser.
const char* PageCss();

// Must be the first script on a page: records every uncaught error and
// console.error call into <pre id="page-errors"> (which the Chromium test
// reads from the dumped DOM) and the page's title bar stays readable.
const char* ErrorSinkJs();

// Defines monosemRenderPlot(element, plotJson) and monosemRenderAll(), which
// renders every <div class="plot" data-plot="i"> from the JSON array in
// <script id="plot-data" type="application/json">. Each rendered plot gets
// data-points (how many values it drew) for the test to check.
const char* PlotRendererJs();

}  // namespace monosem::report

#endif  // MONOSEM_REPORT_PAGE_ASSETS_H_
