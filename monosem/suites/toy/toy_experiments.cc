#include "monosem/suites/toy/toy_experiments.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "monosem/backend.h"
#include "monosem/io/file_io.h"
#include "monosem/models/toy/toy_kernels.h"
#include "monosem/models/toy/toy_metrics.h"
#include "monosem/models/toy/toy_model.h"
#include "monosem/models/toy/toy_phase.h"
#include "monosem/published.h"
#include "monosem/results.h"
#include "monosem/status.h"

namespace monosem {
namespace {

constexpr char kSuite[] = "toy";
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

absl::StatusOr<ToyTrainResult> Train(const ToySpec& spec, const std::string& backend_name) {
  MONOSEM_ASSIGN_OR_RETURN(auto backend, BackendRegistry::Create(backend_name));
  MONOSEM_RETURN_IF_ERROR(backend->Available());
  MONOSEM_ASSIGN_OR_RETURN(auto kernels, ToyKernelsRegistry::Create(*backend));
  return TrainToy(spec, *backend, *kernels);
}

absl::Status WriteCsv(const ToyExperimentScale& x, const std::string& name,
                      const std::string& text) {
  if (x.out_dir.empty()) return absl::OkStatus();
  MONOSEM_RETURN_IF_ERROR(MakeDirs(x.out_dir));
  return WriteFileAtomic(x.out_dir + "/" + name, text);
}

std::string ScaleNote(const ToySpec& s, bool quick) {
  return absl::StrCat(quick ? "quick mode; " : "", s.steps, " steps, batch ", s.batch, ", lr ",
                      s.adam.lr);
}

// Applies the config's train overrides; returns a note for the rows.
std::string ApplyOverrides(const ToyExperimentScale& x, ToySpec* s) {
  if (x.steps > 0) s->steps = x.steps;
  if (x.batch > 0) s->batch = x.batch;
  if (x.lr > 0) s->adam.lr = x.lr;
  return x.steps > 0 || x.batch > 0 || x.lr > 0 ? "; train overridden by --config" : "";
}

ToyMetrics InstanceMetrics(const ToySpec& s, const Tensor& w, int64_t j) {
  return ComputeToyMetrics(w.data() + j * s.m * s.n, s.m, s.n);
}

// Per-feature CSV rows: tag,S,feature,importance,norm,interference,dimensionality,w...
void AppendFeatures(const ToySpec& s, const Tensor& w, const std::string& tag, std::string* csv) {
  for (int64_t j = 0; j < s.instances; ++j) {
    const ToyMetrics met = InstanceMetrics(s, w, j);
    for (int64_t i = 0; i < s.n; ++i) {
      absl::StrAppend(csv, tag, ",", s.sparsity[j], ",", i, ",", s.importance[j * s.n + i], ",",
                      absl::StrFormat("%.6g,%.6g,%.6g", met.norm[i], met.interference[i],
                                      met.dimensionality[i]));
      for (int64_t k = 0; k < s.m; ++k) {
        absl::StrAppend(csv, ",", absl::StrFormat("%.6g", w[j * s.m * s.n + k * s.n + i]));
      }
      absl::StrAppend(csv, "\n");
    }
  }
}

std::string FeatureHeader(int64_t m) {
  std::string h = "model,sparsity,feature,importance,norm,interference,dimensionality";
  for (int64_t k = 0; k < m; ++k) absl::StrAppend(&h, ",w", k);
  return h + "\n";
}

}  // namespace

// 1. n=20, m=5, I_i = 0.7^i, linear and ReLU, S in {0, .7, .9, .97, .99, .999}.
absl::StatusOr<std::vector<ResultRow>> ToyExperimentTopFeatures(const ToyExperimentScale& x) {
  std::vector<ResultRow> rows;
  const std::vector<float> sparsities = {0.0f, 0.7f, 0.9f, 0.97f, 0.99f, 0.999f};
  std::string csv = FeatureHeader(5);
  for (bool relu : {false, true}) {
    ToySpec s;
    s.n = 20;
    s.m = 5;
    s.relu = relu;
    s.instances = static_cast<int64_t>(sparsities.size());
    s.sparsity = sparsities;
    for (int64_t j = 0; j < s.instances; ++j) {
      for (int i = 0; i < s.n; ++i) s.importance.push_back(std::pow(0.7f, i));
    }
    s.seed = 1;
    if (x.quick) {
      s.steps = 2000;
      s.batch = 256;
      s.adam.lr = 5e-3f;
    }
    ApplyOverrides(x, &s);
    MONOSEM_ASSIGN_OR_RETURN(ToyTrainResult r, Train(s, x.backend));
    const std::string model = relu ? "relu" : "linear";
    AppendFeatures(s, r.w, model, &csv);
    std::vector<int64_t> represented;
    for (int64_t j = 0; j < s.instances; ++j) {
      const ToyMetrics met = InstanceMetrics(s, r.w, j);
      represented.push_back(met.represented);
      // "Exactly the top 5": features 0..4 have norm > 0.5 and no other does.
      bool top5 = met.represented == 5;
      for (int i = 0; i < 5; ++i) top5 = top5 && met.norm[i] > kRepresentedNorm;
      const std::string tag = absl::StrCat(model, "_n20_m5_S", s.sparsity[j]);
      const bool judged = s.sparsity[j] == 0.0f;  // the paper's claim at S = 0 (both models)
      if (judged) {
        rows.push_back(MakeRow(kSuite, absl::StrCat("top5_exact[", tag, "]"), top5 ? 1 : 0,
                               WITHIN_TOLERANCE, PublishedNumber("toy.n20_m5.top5_exact"), 0,
                               PublishedSource("toy.n20_m5.top5_exact"),
                               absl::StrCat("1 = features 0-4 have norm > 0.5, the rest do not; ",
                                            ScaleNote(s, x.quick)),
                               PublishedNumber("toy.n20_m5.top5_exact")));
      }
      double expected = kNaN;
      std::string note = ScaleNote(s, x.quick);
      const double m_features = PublishedNumber("toy.n20_m5.represented_m");
      if (!relu && (j == 0 || s.sparsity[j] == 0.9f || s.sparsity[j] == 0.99f)) {
        expected = m_features;
      }
      if (relu && j == 0) expected = m_features;
      if (relu && s.sparsity[j] == 0.9f) note += "; notes: 9-10 at S=0.9";
      if (relu && s.sparsity[j] == 0.99f) note += "; notes: 11-12 at S=0.99";
      rows.push_back(MakeRow(kSuite, absl::StrCat("represented[", tag, "]"), met.represented,
                             REPORT_ONLY, expected, 0,
                             std::isnan(expected)
                                 ? PublishedSource("toy.n20_m5.relu_represented_sparse")
                                 : PublishedSource("toy.n20_m5.represented_m"),
                             note));
    }
    if (relu) {
      // represented grows with S: nondecreasing over the sweep (allowing one
      // feature of noise between neighbours) and above m at the sparse end.
      bool grows = represented.back() > 5 || represented[represented.size() - 2] > 5;
      for (size_t k = 1; k < represented.size(); ++k) {
        grows = grows && represented[k] + 1 >= represented[k - 1];
      }
      rows.push_back(MakeRow(kSuite, "relu_represented_grows_with_S[n20_m5]", grows ? 1 : 0,
                             WITHIN_TOLERANCE, 1, 0,
                             PublishedSource("toy.n20_m5.relu_represented_grows"),
                             absl::StrCat("1 = nondecreasing in S (±1) and > m=5 at S >= 0.99; ",
                                          ScaleNote(s, x.quick))));
    }
  }
  MONOSEM_RETURN_IF_ERROR(WriteCsv(x, "toy_exp1_n20_m5.csv", csv));
  return rows;
}

// 2. n=5, m=2, I_i = 0.9^i, feature probability 20^(−linspace(0, 1, 10)).
// As in the paper's practice, several runs (instances with their own init and
// data) per density, keeping the one with the lowest evaluation loss: a single
// run can stall with the least important feature small (measured at lr 1e-3,
// 10k steps: 4 represented, the 5th at norm 0.28), a local optimum that a
// lower-loss sibling run avoids.
absl::StatusOr<std::vector<ResultRow>> ToyExperimentPentagon(const ToyExperimentScale& x) {
  constexpr int kDensities = 10;
  const int runs = x.quick ? 4 : 8;
  ToySpec s;
  s.n = 5;
  s.m = 2;
  s.relu = true;
  s.instances = kDensities * runs;
  for (int j = 0; j < kDensities; ++j) {
    for (int k = 0; k < runs; ++k) {
      s.sparsity.push_back(1.0f - static_cast<float>(std::pow(20.0, -j / 9.0)));
      for (int i = 0; i < s.n; ++i) s.importance.push_back(std::pow(0.9f, i));
    }
  }
  s.seed = 2;
  s.adam.lr = 1e-3f;  // the notebook's
  if (x.quick) {
    s.steps = 3000;
    s.batch = 256;
    s.adam.lr = 1e-2f;  // quick mode: 3k steps need a larger rate
  }
  const std::string overridden = ApplyOverrides(x, &s);
  MONOSEM_ASSIGN_OR_RETURN(ToyTrainResult r, Train(s, x.backend));
  MONOSEM_ASSIGN_OR_RETURN(auto kernels, ToyKernelsRegistry::Create(BackendRegistry::Create(x.backend)));
  MONOSEM_ASSIGN_OR_RETURN(std::vector<double> eval, EvaluateToy(s, r.w, r.b, *kernels, 16));
  // Keep the lowest-loss run per density.
  ToySpec best = s;
  best.instances = kDensities;
  best.sparsity.clear();
  best.importance.clear();
  Tensor w({kDensities, s.m, s.n});
  std::vector<int> represented_runs(kDensities, 0);
  for (int j = 0; j < kDensities; ++j) {
    int pick = 0;
    for (int k = 0; k < runs; ++k) {
      const int64_t inst = static_cast<int64_t>(j) * runs + k;
      if (eval[inst] < eval[j * runs + pick]) pick = k;
      represented_runs[j] += InstanceMetrics(s, r.w, inst).represented == 5;
    }
    const int64_t inst = static_cast<int64_t>(j) * runs + pick;
    best.sparsity.push_back(s.sparsity[inst]);
    best.importance.insert(best.importance.end(), s.importance.begin() + inst * s.n,
                           s.importance.begin() + (inst + 1) * s.n);
    std::copy(r.w.data() + inst * s.m * s.n, r.w.data() + (inst + 1) * s.m * s.n,
              w.data() + j * s.m * s.n);
  }
  std::string csv = FeatureHeader(2);
  AppendFeatures(best, w, "relu", &csv);
  MONOSEM_RETURN_IF_ERROR(WriteCsv(x, "toy_exp2_n5_m2.csv", csv));
  const std::string setup = absl::StrCat("lowest eval loss of ", runs, " runs per density; ",
                                         ScaleNote(s, x.quick), overridden);
  std::vector<ResultRow> rows;
  const ToyMetrics met = InstanceMetrics(best, w, kDensities - 1);
  const double five = PublishedNumber("toy.n5_m2.represented_sparsest");
  rows.push_back(MakeRow(kSuite, "represented[n5_m2_sparsest]", met.represented, WITHIN_TOLERANCE,
                         five, 0, PublishedSource("toy.n5_m2.represented_sparsest"),
                         absl::StrCat("feature probability 1/20; ", setup), five));
  // A pentagon: five represented features, each with D_i = 2/5 (5 in 2-D).
  double worst = 0;
  for (double d : met.dimensionality) worst = std::max(worst, std::fabs(d - 0.4));
  rows.push_back(MakeRow(kSuite, "pentagon_max_abs_Di_minus_0.4[n5_m2_sparsest]", worst, AT_MOST,
                         0.05, 0, PublishedSource("toy.n5_m2.pentagon_di_deviation"),
                         "0 for a regular pentagon (D_i = 2/5)",
                         PublishedNumber("toy.n5_m2.pentagon_di_deviation")));
  rows.push_back(MakeRow(kSuite, "pentagon_runs_with_5_represented[n5_m2_sparsest]",
                         represented_runs[kDensities - 1], REPORT_ONLY, kNaN, 0,
                         PublishedSource("toy.n5_m2.represented_sparsest"),
                         absl::StrCat("of ", runs, " runs at feature probability 1/20")));
  const ToyMetrics dense = InstanceMetrics(best, w, 0);
  const double two = PublishedNumber("toy.n5_m2.represented_dense");
  rows.push_back(MakeRow(kSuite, "represented[n5_m2_dense]", dense.represented, WITHIN_TOLERANCE,
                         two, 0, PublishedSource("toy.n5_m2.represented_dense"),
                         "feature probability 1: the top m = 2 features", two));
  return rows;
}

// 3. Phase diagram, n=2, m=1.
absl::StatusOr<std::vector<ResultRow>> ToyExperimentPhaseDiagram(const ToyExperimentScale& x) {
  const int grid = x.quick ? 5 : 13;
  const int runs = x.quick ? 4 : 6;
  ToySpec s;
  s.n = 2;
  s.m = 1;
  s.relu = true;
  s.instances = static_cast<int64_t>(grid) * grid * runs;
  s.steps = x.quick ? 2500 : 5000;
  s.batch = x.quick ? 256 : 512;
  s.adam.lr = 5e-3f;
  s.seed = 3;
  std::vector<double> rs(grid), ss(grid);
  for (int k = 0; k < grid; ++k) {
    rs[k] = std::pow(10.0, -1.0 + 2.0 * k / (grid - 1));  // 0.1 .. 10
    ss[k] = std::pow(10.0, -2.0 + 2.0 * k / (grid - 1));  // density 0.01 .. 1
  }
  for (int a = 0; a < grid; ++a) {
    for (int c = 0; c < grid; ++c) {
      for (int k = 0; k < runs; ++k) {
        s.sparsity.push_back(static_cast<float>(1.0 - ss[c]));
        s.importance.push_back(1.0f);
        s.importance.push_back(static_cast<float>(rs[a]));
      }
    }
  }
  ApplyOverrides(x, &s);
  MONOSEM_ASSIGN_OR_RETURN(ToyTrainResult r, Train(s, x.backend));
  int points = 0, trained_vs_exact = 0, trained_vs_exact_far = 0, far_exact = 0;
  int closed_vs_exact = 0, closed_vs_exact_far = 0, far_closed = 0, trained_vs_closed = 0;
  std::string csv =
      "r,density,closed_form,exact,exact_loss,trained,trained_loss,w0,w1,b0,b1,near_exact_boundary,"
      "near_closed_form_boundary\n";
  for (int a = 0; a < grid; ++a) {
    for (int c = 0; c < grid; ++c) {
      const double rr = rs[a], dd = ss[c];
      // The lowest-loss run, judged on the exact expected loss (an infinite
      // evaluation set).
      PhaseParams best{};
      double best_loss = INFINITY;
      for (int k = 0; k < runs; ++k) {
        const int64_t j = (static_cast<int64_t>(a) * grid + c) * runs + k;
        const PhaseParams p = {r.w[2 * j], r.w[2 * j + 1], r.b[2 * j], r.b[2 * j + 1]};
        const double l = PhaseExpectedLoss(p, rr, dd);
        if (l < best_loss) best_loss = l, best = p;
      }
      const PhaseClass trained = ClassifyPhaseWeights(best[0], best[1]);
      const PhaseOptimum exact = ExactPhaseOptimum(rr, dd);
      const PhaseClass closed = ClosedFormPhaseClass(rr, dd);
      bool near_exact = false;
      for (auto [fr, fs] : {std::pair{1.05, 1.0}, {1 / 1.05, 1.0}, {1.0, 1.05}, {1.0, 1 / 1.05}}) {
        if (dd * fs > 1.0) continue;
        near_exact = near_exact || ExactPhaseOptimum(rr * fr, dd * fs).cls != exact.cls;
      }
      const bool near_closed = NearClosedFormBoundary(rr, dd, 0.05);
      ++points;
      trained_vs_exact += trained == exact.cls;
      trained_vs_closed += trained == closed;
      closed_vs_exact += closed == exact.cls;
      if (!near_exact) {
        ++far_exact;
        trained_vs_exact_far += trained == exact.cls;
      }
      if (!near_closed) {
        ++far_closed;
        closed_vs_exact_far += closed == exact.cls;
      }
      absl::StrAppend(&csv, absl::StrFormat("%.6g,%.6g,%s,%s,%.8g,%s,%.8g,%.6g,%.6g,%.6g,%.6g,%d,%d\n",
                                            rr, dd, PhaseClassName(closed),
                                            PhaseClassName(exact.cls), exact.loss,
                                            PhaseClassName(trained), best_loss, best[0], best[1],
                                            best[2], best[3], near_exact, near_closed));
    }
  }
  MONOSEM_RETURN_IF_ERROR(WriteCsv(x, "toy_exp3_phase_diagram.csv", csv));
  const std::string setup =
      absl::StrCat(grid, "x", grid, " log grid (r 0.1-10, density 0.01-1), lowest exact-loss of ",
                   runs, " runs per point; ", ScaleNote(s, x.quick),
                   (x.quick ? "" : "; the paper: 10 runs per point, 10k steps at lr 1e-3"));
  const std::string training_source = PublishedSource("toy.phase.lowest_loss_run_agreement");
  std::vector<ResultRow> rows;
  rows.push_back(MakeRow(kSuite, "phase_agreement_trained_vs_exact_optimum",
                         double(trained_vs_exact) / points, AT_LEAST, x.quick ? 0.8 : 0.9, 0,
                         training_source, absl::StrCat(setup, "; all ", points, " points")));
  rows.push_back(MakeRow(
      kSuite, "phase_agreement_trained_vs_exact_optimum_excl_boundary",
      far_exact > 0 ? double(trained_vs_exact_far) / far_exact : 1.0, AT_LEAST,
      x.quick ? 0.85 : 0.95, 0, training_source,
      absl::StrCat(points - far_exact, " of ", points,
                   " points excluded: within 5% (in r or s) of an exact-optimum boundary")));
  rows.push_back(MakeRow(kSuite, "phase_agreement_trained_vs_closed_form",
                         double(trained_vs_closed) / points, REPORT_ONLY, kNaN, 0,
                         PublishedSource("toy.phase.closed_form"),
                         "the closed form fixes the antipodal bias at 0; its own agreement with "
                         "the exact optimum is the ceiling (next rows)"));
  rows.push_back(MakeRow(kSuite, "phase_agreement_exact_vs_closed_form",
                         double(closed_vs_exact) / points, REPORT_ONLY,
                         PublishedNumber("toy.phase.exact_vs_closed_form"), 0,
                         PublishedSource("toy.phase.exact_vs_closed_form"),
                         absl::StrCat("notes: 96.6% on a 25x25 grid; here ", grid, "x", grid)));
  rows.push_back(MakeRow(
      kSuite, "phase_agreement_exact_vs_closed_form_excl_boundary",
      far_closed > 0 ? double(closed_vs_exact_far) / far_closed : 1.0, REPORT_ONLY,
      PublishedNumber("toy.phase.exact_vs_closed_form_excl_boundary"), 0,
      PublishedSource("toy.phase.exact_vs_closed_form_excl_boundary"),
      absl::StrCat(points - far_closed, " of ", points,
                   " points excluded: within 5% of a closed-form boundary; notes: 97.7% at 25x25")));
  return rows;
}

// 4. Uniform superposition, n=400, m=30, I_i = 1, over a sparsity sweep.
absl::StatusOr<std::vector<ResultRow>> ToyExperimentUniform(const ToyExperimentScale& x) {
  ToySpec s;
  s.relu = true;
  // Dense where the geometry lives: 1/(1−S) between 1.5 and 7, plus S = 0.
  std::vector<double> inv_density = {1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0, 6.0, 7.0};
  if (x.quick) {
    s.n = 100;
    s.m = 10;
    inv_density = {1.0, 2.0, 3.0, 5.0};
    s.steps = 1200;
    s.batch = 256;
    s.adam.lr = 3e-3f;
  } else {
    s.n = 400;
    s.m = 30;
    inv_density = {1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.5, 5.5, 7.0};
    s.steps = 2500;
    s.batch = 512;
  }
  s.instances = static_cast<int64_t>(inv_density.size());
  for (double v : inv_density) s.sparsity.push_back(static_cast<float>(1.0 - 1.0 / v));
  s.importance.assign(s.instances * s.n, 1.0f);
  s.seed = 4;
  ApplyOverrides(x, &s);
  MONOSEM_ASSIGN_OR_RETURN(ToyTrainResult r, Train(s, x.backend));
  const std::string scale =
      absl::StrCat("n=", s.n, ", m=", s.m, "; ", ScaleNote(s, x.quick),
                   x.quick ? "" : "; scaled down for 2 cores from the notes' 2,500-5,000 steps "
                                  "at batch 1024 (the paper trains longer)");
  std::string curve = "sparsity,inv_density,d_star,features_per_dim,represented,sum_D,m\n";
  std::string dims = "sparsity,feature,norm,interference,dimensionality\n";
  const std::vector<double> targets = {1.0, 0.75, 2.0 / 3, 0.5, 0.4, 0.375};
  const std::vector<std::string> target_names = {"1", "3/4", "2/3", "1/2", "2/5", "3/8"};
  std::vector<int64_t> near(targets.size(), 0);
  int64_t near_any = 0, near_three_fifths = 0, total_represented = 0;
  int64_t plateau_half = 0;
  std::vector<double> sum_ratio;
  double d_star_dense = 0;
  for (int64_t j = 0; j < s.instances; ++j) {
    const ToyMetrics met = InstanceMetrics(s, r.w, j);
    if (j == 0) d_star_dense = met.d_star;
    if (std::fabs(met.d_star - 0.5) <= 0.05) ++plateau_half;
    if (met.represented > 0) sum_ratio.push_back(met.sum_dimensionality / s.m);
    absl::StrAppend(&curve, absl::StrFormat("%.6g,%.6g,%.6g,%.6g,%d,%.6g,%d\n", s.sparsity[j],
                                            inv_density[j], met.d_star, met.features_per_dim,
                                            met.represented, met.sum_dimensionality, s.m));
    for (int64_t i = 0; i < s.n; ++i) {
      absl::StrAppend(&dims, absl::StrFormat("%.6g,%d,%.6g,%.6g,%.6g\n", s.sparsity[j], i,
                                             met.norm[i], met.interference[i],
                                             met.dimensionality[i]));
      if (met.norm[i] <= kRepresentedNorm) continue;
      ++total_represented;
      bool any = false;
      for (size_t t = 0; t < targets.size(); ++t) {
        if (std::fabs(met.dimensionality[i] - targets[t]) <= 0.03) ++near[t], any = true;
      }
      near_any += any;
      near_three_fifths += std::fabs(met.dimensionality[i] - 0.6) <= 0.03;
    }
  }
  MONOSEM_RETURN_IF_ERROR(WriteCsv(x, "toy_exp4_dstar_curve.csv", curve));
  MONOSEM_RETURN_IF_ERROR(WriteCsv(x, "toy_exp4_dimensionality.csv", dims));
  std::vector<ResultRow> rows;
  const Direction judged = x.quick ? REPORT_ONLY : WITHIN_TOLERANCE;
  const double d_star_one = PublishedNumber("toy.uniform.d_star_dense");
  rows.push_back(MakeRow(kSuite, "uniform_d_star_at_S0", d_star_dense, judged, d_star_one, 0.1,
                         PublishedSource("toy.uniform.d_star_dense"),
                         absl::StrCat("plateau near 1 at low sparsity; ", scale), d_star_one));
  rows.push_back(MakeRow(kSuite, "uniform_d_star_points_on_half_plateau", plateau_half,
                         x.quick ? REPORT_ONLY : AT_LEAST, 1, 0,
                         PublishedSource("toy.uniform.d_star_half_plateau"),
                         absl::StrCat("sweep points with |D* - 1/2| <= 0.05 of ", s.instances,
                                      "; ", scale)));
  const double denom = std::max<int64_t>(1, total_represented);
  const std::string clusters_source = PublishedSource("toy.uniform.dimensionality_clusters");
  for (size_t t = 0; t < targets.size(); ++t) {
    rows.push_back(MakeRow(kSuite, absl::StrCat("uniform_frac_Di_near_", target_names[t]),
                           near[t] / denom, REPORT_ONLY, kNaN, 0, clusters_source,
                           absl::StrCat("fraction of ", total_represented,
                                        " represented features (all sweep points) within ±0.03")));
  }
  rows.push_back(MakeRow(kSuite, "uniform_frac_Di_near_any_named_cluster", near_any / denom,
                         REPORT_ONLY, kNaN, 0, clusters_source,
                         "1, 3/4, 2/3, 1/2, 2/5, 3/8 (±0.03)"));
  rows.push_back(MakeRow(kSuite, "uniform_frac_Di_near_3/5", near_three_fifths / denom,
                         REPORT_ONLY, PublishedNumber("toy.uniform.no_cluster_three_fifths"), 0,
                         PublishedSource("toy.uniform.no_cluster_three_fifths"),
                         "the paper finds no cluster at 3/5; reported as measured (notes: a "
                         "transitional group near 0.6 can appear)"));
  std::sort(sum_ratio.begin(), sum_ratio.end());
  const double median = sum_ratio.empty() ? 0 : sum_ratio[sum_ratio.size() / 2];
  const double sum_over_m = PublishedNumber("toy.uniform.sum_di_over_m");
  rows.push_back(MakeRow(kSuite, "uniform_median_sum_Di_over_m", median, REPORT_ONLY, sum_over_m, 0,
                         PublishedSource("toy.uniform.sum_di_over_m"),
                         "Σ_i D_i ≈ m when features pack efficiently; median over sweep",
                         sum_over_m));
  return rows;
}

absl::StatusOr<std::vector<ResultRow>> ToyExperimentCustom(const ToyExperimentScale& x,
                                                           const RunConfig& config) {
  MONOSEM_ASSIGN_OR_RETURN(ToySpec s, ToySpecFromConfig(config));
  MONOSEM_ASSIGN_OR_RETURN(ToyTrainResult r, Train(s, x.backend));
  MONOSEM_ASSIGN_OR_RETURN(auto kernels, ToyKernelsRegistry::Create(BackendRegistry::Create(x.backend)));
  MONOSEM_ASSIGN_OR_RETURN(std::vector<double> eval, EvaluateToy(s, r.w, r.b, *kernels, 8));
  std::string csv = FeatureHeader(s.m);
  AppendFeatures(s, r.w, s.relu ? "relu" : "linear", &csv);
  MONOSEM_RETURN_IF_ERROR(WriteCsv(x, "toy_custom.csv", csv));
  const std::string name = config.name().empty() ? "custom" : config.name();
  const std::string note = absl::StrCat("--config run '", name, "': n=", s.n, ", m=", s.m, ", ",
                                        s.instances, " instances, ", s.relu ? "ReLU" : "linear",
                                        "; ", ScaleNote(s, false), ", seed ", s.seed);
  std::vector<ResultRow> rows;
  for (int64_t j = 0; j < s.instances; ++j) {
    const ToyMetrics met = InstanceMetrics(s, r.w, j);
    const std::string tag = absl::StrCat("[", name, "_i", j, "_S", s.sparsity[j], "]");
    rows.push_back(MakeRow(kSuite, absl::StrCat("custom_eval_loss", tag), eval[j], REPORT_ONLY,
                           kNaN, 0, "", note));
    rows.push_back(MakeRow(kSuite, absl::StrCat("custom_represented", tag), met.represented,
                           REPORT_ONLY, kNaN, 0, "", note));
    rows.push_back(MakeRow(kSuite, absl::StrCat("custom_features_per_dim", tag),
                           met.features_per_dim, REPORT_ONLY, kNaN, 0, "", note));
    rows.push_back(MakeRow(kSuite, absl::StrCat("custom_d_star", tag), met.d_star, REPORT_ONLY,
                           kNaN, 0, "", note));
  }
  return rows;
}

}  // namespace monosem
