// The gate's decisions, on recorded runs of gemm_bench (ci/testdata, recorded
// on the development machine with and without a planted 25% slowdown) and on
// synthetic samples, so the test is fast and never flaky.
#include "ci/gate/gate.h"

#include <cstdio>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace monosem::gate {
namespace {

using nlohmann::json;

Config TestConfig() {
  absl::StatusOr<Config> c = LoadConfig("ci/gate_config.json");
  EXPECT_TRUE(c.ok()) << c.status();
  return *c;
}

gate::Run MustLoad(const std::string& path) {
  absl::StatusOr<gate::Run> r = LoadRun(path, "test");
  EXPECT_TRUE(r.ok()) << r.status();
  return *r;
}

int Count(const Report& r, Verdict v) {
  int n = 0;
  for (const Row& row : r.rows) n += row.verdict == v;
  return n;
}

// A Google Benchmark JSON run: for each benchmark, one row per repetition
// with real_time (ms) and the given counter values.
json MakeRun(const std::vector<std::pair<std::string, std::vector<json>>>& benches) {
  json j;
  j["context"] = {{"date", "synthetic"}, {"num_cpus", 2}};
  j["benchmarks"] = json::array();
  for (const auto& [name, reps] : benches) {
    int i = 0;
    for (json row : reps) {
      row["name"] = name;
      row["run_name"] = name;
      row["run_type"] = "iteration";
      row["repetitions"] = reps.size();
      row["repetition_index"] = i++;
      row["iterations"] = 10;
      row["time_unit"] = "ms";
      if (!row.contains("real_time")) row["real_time"] = 1.0;
      if (!row.contains("cpu_time")) row["cpu_time"] = row["real_time"];
      j["benchmarks"].push_back(row);
    }
    // Aggregates as Google Benchmark writes them; the gate must skip them.
    json mean = reps.front();
    mean["name"] = name + "_mean";
    mean["run_name"] = name;
    mean["run_type"] = "aggregate";
    mean["aggregate_name"] = "mean";
    mean["time_unit"] = "ms";
    mean["real_time"] = 1e9;
    mean["cpu_time"] = 1e9;
    j["benchmarks"].push_back(mean);
  }
  return j;
}

gate::Run Parse(const json& j) {
  absl::StatusOr<gate::Run> r = ParseRun(j, "synthetic");
  EXPECT_TRUE(r.ok()) << r.status();
  return *r;
}

// Repetitions of a speed benchmark: peak_fraction ~ level * (1 + noise), and
// real_time inversely, for backends cpu and torch.
gate::Run NoisySpeedRun(std::mt19937* rng, double cpu_level, double torch_level, int reps,
                  double noise) {
  std::normal_distribution<double> n(0, noise);
  std::vector<json> cpu, torch;
  for (int i = 0; i < reps; ++i) {
    const double c = cpu_level * (1 + n(*rng)), t = torch_level * (1 + n(*rng));
    cpu.push_back({{"peak_fraction", c}, {"real_time", 1 / c}});
    torch.push_back({{"peak_fraction", t}, {"real_time", 1 / t}});
  }
  gate::Run run = Parse(MakeRun({{"BM_Gemm/s/cpu", cpu}, {"BM_Gemm/s/torch", torch}}));
  AddSpeedups(TestConfig().speedups, &run);
  return run;
}

TEST(GateTest, CommittedConfigParses) {
  Config c = TestConfig();
  EXPECT_DOUBLE_EQ(c.alpha, 0.05);
  EXPECT_DOUBLE_EQ(c.threshold, 0.15);
  EXPECT_EQ(c.time_field, "cpu_time");
  EXPECT_FALSE(c.gate_peer_peak_fraction);
  EXPECT_FALSE(c.speed_suites.empty());
  EXPECT_TRUE(c.quality.count("loss"));
}

// --- recorded runs of //benchmarks:gemm_bench -------------------------------

TEST(GateTest, RecordedPlantedSlowdownIsCaught) {
  Config c = TestConfig();
  gate::Run base = MustLoad("ci/testdata/gemm_base.json");
  gate::Run slow = MustLoad("ci/testdata/gemm_slow25.json");
  PrepareSpeedRun(c, &base);
  PrepareSpeedRun(c, &slow);
  Report r = Compare(c, Mode::kSpeed, base, slow);
  std::printf("%s", RenderTable(r).c_str());
  EXPECT_TRUE(r.failed());
  // Every backend was slowed: every gated peak_fraction (ours, not the torch
  // peer's) regresses by ~20%.
  int peak_regressions = 0;
  for (const Row& row : r.rows) {
    if (row.metric != "peak_fraction") continue;
    EXPECT_EQ(row.verdict, Verdict::kRegression) << row.benchmark;
    EXPECT_LT(row.p, 0.05);
    EXPECT_LT(row.change, -0.10);
    ++peak_regressions;
  }
  EXPECT_EQ(peak_regressions, 2);
}

TEST(GateTest, RecordedUnchangedRerunPasses) {
  Config c = TestConfig();
  gate::Run base = MustLoad("ci/testdata/gemm_base.json");
  gate::Run rerun = MustLoad("ci/testdata/gemm_rerun.json");
  PrepareSpeedRun(c, &base);
  PrepareSpeedRun(c, &rerun);
  Report r = Compare(c, Mode::kSpeed, base, rerun);
  std::printf("%s", RenderTable(r).c_str());
  EXPECT_FALSE(r.failed());
  EXPECT_GE(r.rows.size(), 4u);  // 2 peak_fraction (cpu) + 2 speedup_vs_torch
}

// --- synthetic speed samples ------------------------------------------------

TEST(GateTest, NoFalseAlarmsIn20UnchangedReruns) {
  // 5% noise on every repetition, same distribution as the baseline.
  std::mt19937 rng(6);
  gate::Run base = NoisySpeedRun(&rng, 0.5, 0.4, 10, 0.05);
  for (int i = 0; i < 20; ++i) {
    gate::Run now = NoisySpeedRun(&rng, 0.5, 0.4, 10, 0.05);
    Report r = Compare(TestConfig(), Mode::kSpeed, base, now);
    EXPECT_FALSE(r.failed()) << "try " << i << "\n" << RenderTable(r);
  }
}

TEST(GateTest, Planted25PercentSlowdownCaughtIn20Of20) {
  std::mt19937 rng(7);
  gate::Run base = NoisySpeedRun(&rng, 0.5, 0.4, 10, 0.05);
  for (int i = 0; i < 20; ++i) {
    // Our backend 25% slower: peak_fraction and speedup over torch drop to 0.8x.
    gate::Run now = NoisySpeedRun(&rng, 0.5 / 1.25, 0.4, 10, 0.05);
    Report r = Compare(TestConfig(), Mode::kSpeed, base, now);
    EXPECT_TRUE(r.failed()) << "try " << i << "\n" << RenderTable(r);
    for (const Row& row : r.rows) {
      if (row.benchmark == "BM_Gemm/s/cpu") EXPECT_EQ(row.verdict, Verdict::kRegression);
    }
  }
}

TEST(GateTest, CpuTimeBaseIgnoresTimeSlicingAndPeersPeakFractionIsNotGated) {
  // The rerun waited for a core half the time (real_time doubled, cpu_time
  // unchanged) and the torch peer got 30% slower in CPU time too.
  auto make = [](double wait, double torch_cpu) {
    std::vector<json> cal, cpu, torch;
    for (int i = 0; i < 10; ++i) {
      const double e = 1 + 0.001 * i;
      cal.push_back({{"flops", 100.0 / (wait * e)}, {"real_time", wait * e}, {"cpu_time", e}});
      cpu.push_back({{"flops", 50.0 / (wait * e)}, {"real_time", wait * e}, {"cpu_time", e}});
      torch.push_back({{"flops", 50.0 / (wait * e)},
                       {"real_time", wait * e},
                       {"cpu_time", torch_cpu * e}});
    }
    return Parse(MakeRun({{"BM_Calibration_Sgemm/8", cal},
                          {"BM_Gemm/s/cpu", cpu},
                          {"BM_Gemm/s/torch", torch}}));
  };
  Config c = TestConfig();
  gate::Run base = make(1.0, 1.0), now = make(2.0, 1.3);
  PrepareSpeedRun(c, &base);
  PrepareSpeedRun(c, &now);
  EXPECT_FALSE(now.benches.at("BM_Gemm/s/torch").metrics.count("peak_fraction"));
  EXPECT_NEAR(Median(now.benches.at("BM_Gemm/s/cpu").metrics.at("peak_fraction")), 0.5, 1e-3);
  Report r = Compare(c, Mode::kSpeed, base, now);
  EXPECT_FALSE(r.failed()) << RenderTable(r);
  EXPECT_EQ(r.rows.size(), 2u) << RenderTable(r);  // cpu peak_fraction, speedup_vs_torch

  // The same run compared on real_time with the peer gated would fail.
  c.time_field = "real_time";
  c.gate_peer_peak_fraction = true;
  gate::Run base2 = make(1.0, 1.0), now2 = make(2.0, 1.3);
  PrepareSpeedRun(c, &base2);
  PrepareSpeedRun(c, &now2);
  EXPECT_EQ(Median(now2.benches.at("BM_Gemm/s/torch").metrics.at("peak_fraction")) > 0, true);
}

TEST(GateTest, SignificantButSmallChangeIsNotFlagged) {
  // 5% slower with tiny noise: significant, but under the 15% threshold.
  std::mt19937 rng(8);
  gate::Run base = NoisySpeedRun(&rng, 0.5, 0.4, 10, 0.002);
  gate::Run now = NoisySpeedRun(&rng, 0.5 * 0.95, 0.4, 10, 0.002);
  Config c = TestConfig();
  Report r = Compare(c, Mode::kSpeed, base, now);
  EXPECT_FALSE(r.failed()) << RenderTable(r);
  c.threshold = 0.03;  // configurable: now it counts
  EXPECT_TRUE(Compare(c, Mode::kSpeed, base, now).failed());
}

TEST(GateTest, LargeButInsignificantChangeIsNotFlagged) {
  // Two repetitions each: even complete separation has p = 1/3 > alpha.
  gate::Run base = Parse(MakeRun({{"BM_X/cpu", {{{"peak_fraction", 0.5}}, {{"peak_fraction", 0.52}}}}}));
  gate::Run now = Parse(MakeRun({{"BM_X/cpu", {{{"peak_fraction", 0.3}}, {{"peak_fraction", 0.31}}}}}));
  Config c = TestConfig();
  Report r = Compare(c, Mode::kSpeed, base, now);
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_NEAR(r.rows[0].p, 1.0 / 3, 1e-12);
  EXPECT_FALSE(r.failed());
  c.alpha = 0.5;  // configurable
  EXPECT_TRUE(Compare(c, Mode::kSpeed, base, now).failed());
}

TEST(GateTest, RawTimesAreNotGated) {
  // Only ratios are gated: a run where everything (calibration included) got
  // slower, so peak_fraction is unchanged, passes.
  std::vector<json> base_reps, now_reps;
  for (int i = 0; i < 10; ++i) {
    base_reps.push_back({{"peak_fraction", 0.5 + 0.001 * i}, {"real_time", 1.0 + 0.01 * i}});
    now_reps.push_back({{"peak_fraction", 0.5 + 0.001 * i}, {"real_time", 2.0 + 0.01 * i}});
  }
  Report r = Compare(TestConfig(), Mode::kSpeed, Parse(MakeRun({{"BM_X/cpu", base_reps}})),
                     Parse(MakeRun({{"BM_X/cpu", now_reps}})));
  EXPECT_FALSE(r.failed()) << RenderTable(r);
}

// --- quality counters -------------------------------------------------------

gate::Run QualityRun(double loss, double l0) {
  return Parse(MakeRun({{"BM_SaeQuality/topk/cpu", {{{"loss", loss}, {"l0", l0}}}}}));
}

TEST(GateTest, QualityWithinToleranceIsNotFlagged) {
  // loss: atol 1e-6 + rtol 1e-4 * 0.25 = 2.6e-5.
  Report r = Compare(TestConfig(), Mode::kQuality, QualityRun(0.25, 32), QualityRun(0.25002, 32));
  EXPECT_FALSE(r.failed()) << RenderTable(r);
  EXPECT_EQ(Count(r, Verdict::kOk), 2);
}

TEST(GateTest, QualityBeyondToleranceIsCaught) {
  Report r = Compare(TestConfig(), Mode::kQuality, QualityRun(0.25, 32), QualityRun(0.2501, 32));
  EXPECT_TRUE(r.failed()) << RenderTable(r);
  EXPECT_EQ(Count(r, Verdict::kRegression), 1);
  // l0 has better = either: any change beyond tolerance fails, either way.
  r = Compare(TestConfig(), Mode::kQuality, QualityRun(0.25, 32), QualityRun(0.25, 31));
  EXPECT_TRUE(r.failed()) << RenderTable(r);
}

TEST(GateTest, QualityImprovementPassesWithNote) {
  Report r = Compare(TestConfig(), Mode::kQuality, QualityRun(0.25, 32), QualityRun(0.2, 32));
  EXPECT_FALSE(r.failed());
  EXPECT_EQ(Count(r, Verdict::kImproved), 1);
}

TEST(GateTest, SpeedModeIgnoresQualityCountersAndViceVersa) {
  Report r = Compare(TestConfig(), Mode::kSpeed, QualityRun(0.25, 32), QualityRun(9, 9));
  EXPECT_TRUE(r.rows.empty());
}

TEST(GateTest, InstructionCounts) {
  auto run = [](double instr) {
    return Parse(MakeRun({{"gemm/toy/cpu", {{{"instructions", instr}}}}}));
  };
  EXPECT_FALSE(Compare(TestConfig(), Mode::kInstructions, run(1e6), run(1.01e6)).failed());
  EXPECT_TRUE(Compare(TestConfig(), Mode::kInstructions, run(1e6), run(1.25e6)).failed());
}

// --- bad input --------------------------------------------------------------

TEST(GateTest, BaselineWithExtraBenchmarkFailsWithClearMessage) {
  // The baseline has a benchmark this run lacks: it may hide a regression.
  gate::Run base = Parse(MakeRun({{"BM_A/cpu", {{{"peak_fraction", 0.5}}}},
                            {"BM_B/cpu", {{{"peak_fraction", 0.5}}}}}));
  gate::Run now = Parse(MakeRun({{"BM_A/cpu", {{{"peak_fraction", 0.5}}}}}));
  Report r = Compare(TestConfig(), Mode::kSpeed, base, now);
  EXPECT_TRUE(r.failed());
  ASSERT_EQ(Count(r, Verdict::kMissing), 1);
  const std::string table = RenderTable(r);
  EXPECT_NE(table.find("BM_B/cpu"), std::string::npos);
  EXPECT_NE(table.find("in the baseline but not in this run"), std::string::npos) << table;
}

TEST(GateTest, BaselineMissingABenchmarkWarnsAndPasses) {
  gate::Run base = Parse(MakeRun({{"BM_A/cpu", {{{"peak_fraction", 0.5}}}}}));
  gate::Run now = Parse(MakeRun({{"BM_A/cpu", {{{"peak_fraction", 0.5}}}},
                           {"BM_New/cpu", {{{"peak_fraction", 0.5}}}}}));
  Report r = Compare(TestConfig(), Mode::kSpeed, base, now);
  EXPECT_FALSE(r.failed());
  EXPECT_EQ(Count(r, Verdict::kNew), 1);
  EXPECT_NE(RenderTable(r).find("not in the baseline"), std::string::npos);
}

TEST(GateTest, BenchmarkErrorFails) {
  gate::Run base = Parse(MakeRun({{"BM_A/cpu", {{{"peak_fraction", 0.5}}}}}));
  json j = MakeRun({{"BM_A/cpu", {{{"peak_fraction", 0.5}}}}});
  j["benchmarks"][0]["error_occurred"] = true;
  j["benchmarks"][0]["error_message"] = "backend unavailable";
  Report r = Compare(TestConfig(), Mode::kSpeed, base, Parse(j));
  EXPECT_TRUE(r.failed());
  EXPECT_NE(RenderTable(r).find("backend unavailable"), std::string::npos);
}

std::string WriteTemp(const std::string& name, const std::string& text) {
  const std::string path = std::string(std::getenv("TEST_TMPDIR")) + "/" + name;
  std::ofstream(path) << text;
  return path;
}

TEST(GateTest, MalformedBaselineGivesClearMessage) {
  const std::string path = WriteTemp("truncated.json", "{\"context\": {}, \"benchmarks\": [{\"na");
  absl::StatusOr<gate::Run> r = LoadRun(path, "baseline");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("malformed JSON"), std::string::npos) << r.status();
  EXPECT_NE(r.status().message().find(path), std::string::npos) << r.status();
}

TEST(GateTest, WrongShapeBaselineGivesClearMessage) {
  const struct {
    const char* text;
    const char* expect;
  } cases[] = {
      {"[1, 2]", "not a Google Benchmark JSON object"},
      {"{\"context\": {}}", "no \"benchmarks\" array"},
      {"{\"benchmarks\": [42]}", "benchmarks[0] is not an object"},
      {"{\"benchmarks\": [{\"real_time\": 1}]}", "no string \"name\""},
      {"{\"benchmarks\": [{\"name\": \"a\", \"real_time\": \"x\"}]}", "real_time is not a number"},
      {"{\"benchmarks\": [{\"name\": \"a\", \"real_time\": 1, \"time_unit\": \"h\"}]}",
       "unknown time_unit"},
  };
  for (const auto& c : cases) {
    absl::StatusOr<gate::Run> r = LoadRun(WriteTemp("bad.json", c.text), "baseline");
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_NE(r.status().message().find(c.expect), std::string::npos) << r.status();
  }
  EXPECT_FALSE(LoadRun("/nonexistent/x.json", "baseline").ok());
}

TEST(GateTest, MergeKeepsGoogleBenchmarkFormat) {
  const std::string a = WriteTemp("a.json", MakeRun({{"BM_A", {{{"peak_fraction", 1}}}}}).dump());
  const std::string b = WriteTemp("b.json", MakeRun({{"BM_B", {{{"peak_fraction", 2}}}}}).dump());
  absl::StatusOr<json> m = MergeFiles({a, b});
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_TRUE((*m)["context"].is_object());
  EXPECT_EQ((*m)["benchmarks"].size(), 4u);  // two iterations + two aggregates
  gate::Run run = Parse(*m);
  EXPECT_EQ(run.order, (std::vector<std::string>{"BM_A", "BM_B"}));
  EXPECT_FALSE(MergeFiles({a, WriteTemp("c.json", "nope")}).ok());
}

}  // namespace
}  // namespace monosem::gate
