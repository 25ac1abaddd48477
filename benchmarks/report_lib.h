// The comparison report's table, built from Google Benchmark JSON of the
// kernel suites (BM_<kernel>/<shape>/<backend>), and its text, JSON and CSV
// renderings. See benchmarks/report.cc.
#ifndef MONOSEM_BENCHMARKS_REPORT_LIB_H_
#define MONOSEM_BENCHMARKS_REPORT_LIB_H_

#include <string>
#include <vector>

#include "ci/gate/gate.h"
#include "nlohmann/json.hpp"

namespace monosem::bench {

struct ReportRow {
  std::string kernel, shape, backend;
  double flops_per_s = 0;   // median over repetitions; 0 when not reported
  double bytes_per_s = 0;
  double peak_fraction = 0;  // against the run's median calibration FLOP/s
  double time_ns = 0;        // median real time per call
  // Peer's time / this backend's time; NaN when that peer was not run at
  // this kernel and shape.
  double speedup_vs_torch = 0, speedup_vs_reference = 0;
};

struct ReportTable {
  std::vector<ReportRow> rows;  // kernel, shape order of first appearance
  double calibration_flops = 0;  // 0 when the run had no calibration
};

ReportTable BuildReport(gate::Run run);
std::string RenderReportText(const ReportTable& t);
nlohmann::json RenderReportJson(const ReportTable& t);
std::string RenderReportCsv(const ReportTable& t);

}  // namespace monosem::bench

#endif  // MONOSEM_BENCHMARKS_REPORT_LIB_H_
