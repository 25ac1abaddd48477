// The comparison report on a recorded gemm_bench run (ci/testdata), so the
// test is fast and deterministic; `bazel run //benchmarks:report` runs the
// same code on a fresh run.
#include "benchmarks/report_lib.h"

#include <algorithm>
#include <cmath>

#include "gtest/gtest.h"

namespace monosem::bench {
namespace {

TEST(ReportTest, RecordedGemmRun) {
  absl::StatusOr<gate::Run> run = gate::LoadRun("ci/testdata/report_gemm.json", "test");
  ASSERT_TRUE(run.ok()) << run.status();
  const ReportTable t = BuildReport(*run);
  std::printf("%s", RenderReportText(t).c_str());
  EXPECT_GT(t.calibration_flops, 0);
  ASSERT_FALSE(t.rows.empty());
  int with_reference = 0;
  for (const ReportRow& r : t.rows) {
    EXPECT_EQ(r.kernel, "Gemm");
    EXPECT_GT(r.flops_per_s, 0) << r.shape << " " << r.backend;
    EXPECT_GT(r.bytes_per_s, 0);
    EXPECT_GT(r.peak_fraction, 0);
    EXPECT_LT(r.peak_fraction, 5);
    if (r.backend == "torch") {
      EXPECT_DOUBLE_EQ(r.speedup_vs_torch, 1.0);
    }
    if (r.backend == "reference") {
      EXPECT_DOUBLE_EQ(r.speedup_vs_reference, 1.0);
    }
    if (!std::isnan(r.speedup_vs_reference)) ++with_reference;
  }
  EXPECT_GT(with_reference, 0);  // the toy shapes run the reference too
  // Rows of a kernel and shape are adjacent, backends sorted.
  for (size_t i = 1; i < t.rows.size(); ++i) {
    if (t.rows[i].shape == t.rows[i - 1].shape) {
      EXPECT_LT(t.rows[i - 1].backend, t.rows[i].backend);
    }
  }
  const nlohmann::json j = RenderReportJson(t);
  EXPECT_EQ(j["rows"].size(), t.rows.size());
  const std::string csv = RenderReportCsv(t);
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), static_cast<long>(t.rows.size() + 1));
  EXPECT_EQ(csv.rfind("kernel,shape,backend,", 0), 0u);
}

TEST(ReportTest, SpeedupIsPeerTimeOverOurs) {
  nlohmann::json j;
  j["benchmarks"] = nlohmann::json::array();
  auto row = [&](const std::string& name, double ms) {
    j["benchmarks"].push_back({{"name", name}, {"run_name", name}, {"run_type", "iteration"},
                               {"real_time", ms}, {"cpu_time", ms}, {"time_unit", "ms"},
                               {"flops", 1e9 / ms}, {"bytes", 1e8 / ms}});
  };
  row("BM_Calibration_Sgemm/2048/real_time", 1);
  row("BM_Relu/n/cpu/real_time", 1);
  row("BM_Relu/n/torch/real_time", 2);
  row("BM_Relu/n/reference/real_time", 10);
  absl::StatusOr<gate::Run> run = gate::ParseRun(j, "synthetic");
  ASSERT_TRUE(run.ok());
  const ReportTable t = BuildReport(*run);
  ASSERT_EQ(t.rows.size(), 3u);
  EXPECT_EQ(t.rows[0].backend, "cpu");
  EXPECT_DOUBLE_EQ(t.rows[0].speedup_vs_torch, 2.0);
  EXPECT_DOUBLE_EQ(t.rows[0].speedup_vs_reference, 10.0);
  EXPECT_DOUBLE_EQ(t.rows[0].peak_fraction, 1.0);
  EXPECT_DOUBLE_EQ(t.rows[1].speedup_vs_torch, 0.2);  // reference
  EXPECT_DOUBLE_EQ(t.rows[2].speedup_vs_reference, 5.0);  // torch
}

}  // namespace
}  // namespace monosem::bench
