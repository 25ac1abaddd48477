#include "monosem/suites/sae/sae_synthetic_experiments.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "monosem/io/file_io.h"
#include "monosem/models/sae/sae.h"
#include "monosem/models/sae/sae_metrics.h"
#include "monosem/models/sae/synthetic.h"
#include "monosem/published.h"
#include "monosem/results.h"
#include "monosem/status.h"

namespace monosem {
namespace {

using sae::Arch;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

struct Scale {
  int64_t n_gt, d, batch, steps, n_eval;
};

struct RunResult {
  sae::SaeMetrics m;
  sae::Recovery r;
};

absl::StatusOr<RunResult> TrainAndEval(const SuiteContext& ctx, const Scale& sc,
                                       const sae::SaeSpec& spec, sae::TrainOptions opt,
                                       uint64_t seed) {
  sae::SyntheticOptions so;
  so.n_gt = sc.n_gt;
  so.d = sc.d;
  so.seed = 7;  // the same ground truth for every run
  MONOSEM_ASSIGN_OR_RETURN(sae::SyntheticData data, sae::SyntheticData::Create(so));
  opt.steps = sc.steps;
  opt.batch = sc.batch;
  opt.seed = seed;
  opt.geometric_median_sample = std::min<int64_t>(4096, sc.batch * 4);
  opt.resample_pool = std::min<int64_t>(8192, sc.batch * 8);
  MONOSEM_ASSIGN_OR_RETURN(auto trainer, sae::SaeTrainer::Create(spec, opt, ctx.backend));
  MONOSEM_RETURN_IF_ERROR(trainer->Init(data));
  MONOSEM_RETURN_IF_ERROR(trainer->Train(data));
  // Held-out evaluation window: samples far past the training stream.
  data.Seek(int64_t{1} << 40);
  RunResult out;
  MONOSEM_ASSIGN_OR_RETURN(out.m, sae::Evaluate(trainer->kernels(), spec, trainer->params(), data,
                                                sc.n_eval, sc.batch));
  MONOSEM_ASSIGN_OR_RETURN(out.r, sae::MeasureRecovery(data.features(), trainer->params().w_dec));
  return out;
}

ResultRow Report(const std::string& metric, double v, const std::string& source,
                 const std::string& note) {
  return MakeRow("sae", metric, v, REPORT_ONLY, kNaN, 0, source, note);
}

}  // namespace

absl::StatusOr<std::vector<ResultRow>> RunSaeSyntheticExperiments(const SuiteContext& ctx) {
  // Default: the paper's 512 features in 256 dims; quick: a quarter of each.
  const Scale sc = ctx.quick ? Scale{128, 64, 256, 400, 4096} : Scale{512, 256, 512, 500, 8192};
  const std::string scale_note =
      absl::StrCat("synthetic n_gt=", sc.n_gt, " d=", sc.d, ", ", sc.steps, " steps x batch ",
                   sc.batch, " (papers: far longer runs); eval window ", sc.n_eval, " vectors");
  const std::string mmcs_source = PublishedSource("sae.synthetic.mmcs");
  const std::string fvu_k_source = PublishedSource("sae.topk.fvu_falls_with_k");
  std::vector<ResultRow> rows;
  std::string frontier = "arch,dict_size,lambda,k,l0,fvu,mse,mmcs,frac_recovered_0.9,dead_fraction\n";
  auto frontier_row = [&](const sae::SaeSpec& s, const RunResult& r) {
    absl::StrAppend(&frontier, absl::StrFormat("%s,%d,%g,%d,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g\n",
                                               sae::ArchName(s.arch), s.f, s.l1, s.k, r.m.l0,
                                               r.m.fvu, r.m.mse, r.r.mmcs, r.r.FracRecovered(0.9),
                                               r.m.dead_fraction));
  };
  sae::TrainOptions base;
  base.adam.lr = 1e-3f;  // Sharkey et al.: Adam, lr 1e-3

  // 1. relu_l1: lambda sweep at dictionary ratio 2 (dictionary = 2 d).
  const std::vector<float> lambdas = ctx.quick ? std::vector<float>{0.01f, 0.1f, 1.0f}
                                               : std::vector<float>{0.003f, 0.03f, 0.1f, 0.3f, 3.0f};
  double best_mmcs = -1;
  float best_lambda = lambdas[0];
  std::vector<double> sweep_mmcs;
  sae::SaeMetrics best_metrics;
  for (float lambda : lambdas) {
    sae::SaeSpec s;
    s.arch = Arch::kReluL1;
    s.d = sc.d;
    s.f = 2 * sc.d;
    s.l1 = lambda;
    MONOSEM_ASSIGN_OR_RETURN(RunResult r, TrainAndEval(ctx, sc, s, base, 11));
    const std::string tag = absl::StrCat("[relu_l1,ratio=2,lambda=", lambda, "]");
    rows.push_back(Report("mmcs" + tag, r.r.mmcs, mmcs_source, scale_note));
    rows.push_back(Report("frac_recovered@0.9" + tag, r.r.FracRecovered(0.9), mmcs_source, ""));
    rows.push_back(Report("frac_recovered@0.99" + tag, r.r.FracRecovered(0.99), mmcs_source, ""));
    rows.push_back(Report("l0" + tag, r.m.l0, mmcs_source, ""));
    rows.push_back(Report("fvu" + tag, r.m.fvu, mmcs_source, ""));
    frontier_row(s, r);
    sweep_mmcs.push_back(r.r.mmcs);
    if (r.r.mmcs > best_mmcs) {
      best_mmcs = r.r.mmcs;
      best_lambda = lambda;
      best_metrics = r.m;
    }
  }
  // The paper's shape: recovery peaks inside the sweep and falls off on either side.
  rows.push_back(MakeRow("sae", "mmcs_drop_at_sweep_edges[relu_l1,ratio=2]",
                         best_mmcs - std::max(sweep_mmcs.front(), sweep_mmcs.back()), AT_LEAST, 0.0,
                         0, PublishedSource("sae.synthetic.mmcs_peaks_inside_sweep"),
                         absl::StrCat("best mmcs ", best_mmcs, " at lambda ", best_lambda,
                                      " minus the larger of the two edge values")));
  MONOSEM_RETURN_IF_ERROR(WriteFileAtomic(
      ctx.out_dir + "/sae_density.csv",
      sae::DensityHistogramCsv(best_metrics.density, best_metrics.window)));

  // Dictionary ratios at the best lambda.
  std::vector<double> ratio_mmcs;
  for (double ratio : {0.5, 1.0, 2.0, 4.0}) {
    sae::SaeSpec s;
    s.arch = Arch::kReluL1;
    s.d = sc.d;
    s.f = static_cast<int64_t>(ratio * sc.d);
    s.l1 = best_lambda;
    MONOSEM_ASSIGN_OR_RETURN(RunResult r, TrainAndEval(ctx, sc, s, base, 12));
    const std::string tag = absl::StrCat("[relu_l1,ratio=", ratio, ",lambda=", best_lambda, "]");
    rows.push_back(Report("mmcs" + tag, r.r.mmcs, mmcs_source,
                          absl::StrCat("dictionary ", s.f, " = ratio x d; ", sc.n_gt,
                                       " ground-truth features")));
    rows.push_back(Report("frac_recovered@0.9" + tag, r.r.FracRecovered(0.9), mmcs_source, ""));
    rows.push_back(Report("frac_recovered@0.99" + tag, r.r.FracRecovered(0.99), mmcs_source, ""));
    frontier_row(s, r);
    ratio_mmcs.push_back(r.r.mmcs);
  }
  rows.push_back(MakeRow("sae", "mmcs_gain_ratio_0.5_to_4[relu_l1]",
                         ratio_mmcs.back() - ratio_mmcs.front(), AT_LEAST, 0.0, 0,
                         PublishedSource("sae.synthetic.mmcs_grows_with_dictionary"),
                         "a larger dictionary recovers more of the ground truth"));

  // 2. TopK: dead latents with and without AuxK + init tricks; fvu over k.
  {
    auto topk = [&](int64_t k, bool tricks) -> absl::StatusOr<RunResult> {
      sae::SaeSpec s;
      s.arch = Arch::kTopK;
      s.d = sc.d;
      s.f = 4 * sc.d;  // a wide dictionary, where latents die
      s.k = k;
      s.k_aux = tricks ? std::min<int64_t>(256, s.f / 2) : 0;
      sae::TrainOptions opt = base;
      opt.geometric_median_init = tricks;
      opt.encoder_from_decoder = tricks;
      opt.dead_tokens = sc.batch * std::max<int64_t>(1, sc.steps / 16);
      MONOSEM_ASSIGN_OR_RETURN(RunResult r, TrainAndEval(ctx, sc, s, opt, 13));
      frontier_row(s, r);
      return r;
    };
    const int64_t k_dead = 16;
    MONOSEM_ASSIGN_OR_RETURN(RunResult with, topk(k_dead, true));
    MONOSEM_ASSIGN_OR_RETURN(RunResult without, topk(k_dead, false));
    const std::string note =
        absl::StrCat("F = ", 4 * sc.d, ", k = ", k_dead, "; dead = no firing over ", sc.n_eval,
                     " eval vectors; Gao et al.: up to 90% dead without, 7% with (16M latents)");
    rows.push_back(Report("dead_fraction[topk,with_auxk_and_init]", with.m.dead_fraction,
                          PublishedSource("sae.topk.dead_with_mitigations"), note));
    rows.push_back(Report("dead_fraction[topk,without_auxk_and_init]", without.m.dead_fraction,
                          PublishedSource("sae.topk.dead_without_mitigations"), note));
    // Report-only: at our scale the sign is not settled. The default run
    // (2026-11-21) measured 9.8% dead with the mitigations and 4.9% without;
    // the ground truth's rarest features (p ~ 3e-4) fire only a few times in
    // the eval window, so "dead" here mixes rare and dead latents.
    rows.push_back(Report("dead_fraction_with_minus_without[topk]",
                          with.m.dead_fraction - without.m.dead_fraction,
                          PublishedSource("sae.topk.dead_with_mitigations"),
                          "Gao et al.: the mitigations cut dead latents (90% -> 7% at 16M latents); "
                          "not reproduced at this scale, see docs/models/sae.md"));
    std::vector<double> fvus;
    for (int64_t k : {8, 16, 32, 64}) {
      RunResult r;
      if (k == k_dead) {
        r = with;
      } else {
        MONOSEM_ASSIGN_OR_RETURN(r, topk(k, true));
      }
      rows.push_back(Report(absl::StrCat("fvu[topk,k=", k, "]"), r.m.fvu, fvu_k_source, scale_note));
      rows.push_back(Report(absl::StrCat("l0[topk,k=", k, "]"), r.m.l0, fvu_k_source, ""));
      fvus.push_back(r.m.fvu);
    }
    // Report-only: with ~5 active ground-truth features, k = 8 already
    // suffices and 500 steps leave larger k less converged (default run:
    // fvu 0.044 at k = 8, 0.052 at k = 64).
    rows.push_back(Report("fvu_k64_minus_k8[topk]", fvus.back() - fvus.front(), fvu_k_source,
                          "Gao et al.: fvu falls with k; on ~5-sparse synthetic data k = 8 "
                          "already covers the support"));
  }
  // 3. Gated (lambda sweep, dictionary 2 d like relu_l1) and Matryoshka
  // BatchTopK (k sweep, dictionary 4 d like topk, prefixes F/8 ... F): their
  // points on the L0 / FVU frontier, report-only.
  const std::vector<float> gated_lambdas =
      ctx.quick ? std::vector<float>{0.1f} : std::vector<float>{0.03f, 0.1f, 0.3f};
  for (float lambda : gated_lambdas) {
    sae::SaeSpec s;
    s.arch = Arch::kGated;
    s.d = sc.d;
    s.f = 2 * sc.d;
    s.l1 = lambda;
    MONOSEM_ASSIGN_OR_RETURN(RunResult r, TrainAndEval(ctx, sc, s, base, 14));
    const std::string tag = absl::StrCat("[gated,ratio=2,lambda=", lambda, "]");
    const std::string src = PublishedSource("sae.gated.fewer_firing_features");
    rows.push_back(Report("l0" + tag, r.m.l0, src, scale_note));
    rows.push_back(Report("fvu" + tag, r.m.fvu, src, ""));
    rows.push_back(Report("mmcs" + tag, r.r.mmcs, src, ""));
    frontier_row(s, r);
  }
  for (int64_t k : ctx.quick ? std::vector<int64_t>{16} : std::vector<int64_t>{8, 16, 32}) {
    sae::SaeSpec s;
    s.arch = Arch::kMatryoshkaBatchTopK;
    s.d = sc.d;
    s.f = 4 * sc.d;
    s.k = k;
    s.k_aux = std::min<int64_t>(256, s.f / 2);
    s.prefix_widths = {s.f / 8, s.f / 4, s.f / 2, s.f};
    sae::TrainOptions opt = base;
    opt.dead_tokens = sc.batch * std::max<int64_t>(1, sc.steps / 16);
    MONOSEM_ASSIGN_OR_RETURN(RunResult r, TrainAndEval(ctx, sc, s, opt, 15));
    const std::string tag = absl::StrCat("[matryoshka_batch_topk,k=", k, "]");
    const std::string src = PublishedSource("sae.matryoshka.nested_prefixes");
    rows.push_back(Report("l0" + tag, r.m.l0, src,
                          absl::StrCat(scale_note, "; prefixes F/8, F/4, F/2, F of F = ", s.f)));
    rows.push_back(Report("fvu" + tag, r.m.fvu, src, ""));
    rows.push_back(Report("mmcs" + tag, r.r.mmcs, src, ""));
    frontier_row(s, r);
  }
  MONOSEM_RETURN_IF_ERROR(WriteFileAtomic(ctx.out_dir + "/sae_frontier.csv", frontier));
  return rows;
}

}  // namespace monosem
