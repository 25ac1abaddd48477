#include "monosem/suites/sae/sae_hierarchy_experiments.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "monosem/io/file_io.h"
#include "monosem/models/sae/feature_matching.h"
#include "monosem/models/sae/sae_metrics.h"
#include "monosem/published.h"
#include "monosem/results.h"
#include "monosem/status.h"
#include "monosem/suites/sae/sae_monosemanticity.h"

namespace monosem::sae {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// The same world for every architecture; training and evaluation streams
// are disjoint (evaluation starts 2^40 samples in).
constexpr uint64_t kWorldSeed = 2602;
constexpr int64_t kEvalStart = int64_t{1} << 40;

struct ArchResult {
  SaeMetrics m;
  FeatureF1 f1;
  double mcc = 0;
  double true_l0 = 0;
};

absl::StatusOr<ArchResult> TrainAndScore(const SuiteContext& ctx, const HierarchyScale& sc,
                                         const HierarchyArch& arch) {
  SaeSpec spec;
  TrainOptions opt;
  opt.steps = sc.steps;
  opt.batch = sc.batch;
  opt.adam.lr = sc.lr;
  opt.seed = 31;
  opt.geometric_median_sample = std::min<int64_t>(4096, sc.batch * 4);
  opt.resample_pool = std::min<int64_t>(8192, sc.batch * 8);
  spec.d = sc.world.d;
  spec.f = sc.width;
  MONOSEM_RETURN_IF_ERROR(arch.build(sc, &spec, &opt));
  MONOSEM_ASSIGN_OR_RETURN(HierarchicalWorld world, HierarchicalWorld::Create(sc.world));
  MONOSEM_ASSIGN_OR_RETURN(auto trainer, SaeTrainer::Create(spec, opt, ctx.backend));
  MONOSEM_RETURN_IF_ERROR(trainer->Init(world));
  MONOSEM_RETURN_IF_ERROR(trainer->Train(world));

  world.Seek(kEvalStart);
  const SaeParams& p = trainer->params();
  SaeMetricsAccumulator acc(spec.d, spec.f);
  MONOSEM_ASSIGN_OR_RETURN(FeatureF1Accumulator f1, FeatureF1Accumulator::Create(p.w_dec, world.features()));
  const int64_t N = sc.world.n_features;
  const int64_t eb = std::min<int64_t>(sc.batch, 1024);
  double true_active = 0;
  for (int64_t done = 0; done < sc.n_eval;) {
    const int64_t b = std::min(eb, sc.n_eval - done);
    Tensor x({b, spec.d}), xh({b, spec.d}), acts({b, N});
    MONOSEM_RETURN_IF_ERROR(world.NextWithActs(b, &x, &acts));
    SaeCodes codes;
    MONOSEM_RETURN_IF_ERROR(trainer->kernels().Forward(spec, p, x, &codes, &xh));
    MONOSEM_RETURN_IF_ERROR(acc.Add(x, xh, codes));
    MONOSEM_RETURN_IF_ERROR(f1.Add(codes, acts));
    for (int64_t t = 0; t < b * N; ++t) true_active += acts[t] > 0;
    done += b;
  }
  ArchResult r;
  r.m = acc.Finish();
  r.f1 = f1.Finish();
  r.true_l0 = true_active / sc.n_eval;
  MONOSEM_ASSIGN_OR_RETURN(MccResult mcc, MatchedMcc(p.w_dec, world.features()));
  r.mcc = mcc.mcc;
  return r;
}

}  // namespace

HierarchyScale HierarchyScaleFor(SuiteScale s) {
  HierarchyScale sc;
  // Sparsity coefficients for magnitudes of 4-5 per feature (every scale's
  // world), interpolated (in log L0) from a sweep at the default scale for
  // an L0 near k = 8: relu_l1 lambda 4, 5, 6.5 gave L0 31, 17, 2.8;
  // jumprelu (threshold from 2, kernel width 0.1) 3 and 10 gave 15 and 4.7.
  // The paper sweeps every architecture to L0 = 25 instead.
  sc.l1 = 5.6f;
  sc.jumprelu_l0 = 6.0f;
  sc.jumprelu_init = 2.0f;
  sc.jumprelu_bandwidth = 0.1f;
  HierarchyWorldOptions& w = sc.world;
  w.seed = kWorldSeed;
  w.p_max = 0.16;
  w.p_min = 0.01;
  w.zipf_exponent = 0.5;
  w.correlation = 0.2;
  switch (s) {
    case SuiteScale::kQuick:
      w.n_features = 256;
      w.d = 64;
      w.roots = 4;
      w.branching = 4;
      w.depth = 2;
      w.factors = 8;
      sc.width = 64;
      sc.k = 3;
      sc.batch = 128;
      sc.steps = 250;
      sc.n_eval = 2048;
      break;
    case SuiteScale::kDefault:
      // 1,024 features in 128 dimensions (8 per dimension), width a quarter
      // of the features as in the paper (4,096 of 16,384); true L0 about 11,
      // the SAE's k about three quarters of it (the paper: 25 of about 34).
      w.n_features = 1024;
      w.d = 128;
      w.roots = 8;
      w.branching = 4;
      w.depth = 2;
      w.factors = 16;
      sc.width = 256;
      sc.k = 8;
      sc.batch = 512;
      sc.steps = 2000;
      sc.n_eval = 16384;
      break;
    case SuiteScale::kPaper:
      // SynthSAEBench-16k as SAELens documents the released model: Zipf
      // exponent 0.5 from 0.4 to 5e-4, 128 roots, branching 4, depth 3,
      // low-rank correlation of rank 25 (here 25 shared factors), mean
      // magnitudes 5 -> 4; SAEs of width 4,096 at L0 = 25, 200M samples.
      w.n_features = 16384;
      w.d = 768;
      w.p_max = 0.4;
      w.p_min = 5e-4;
      w.roots = 128;
      w.branching = 4;
      w.depth = 3;
      w.factors = 25;
      w.correlation = 0.1;
      sc.width = 4096;
      sc.k = 25;
      sc.batch = 1024;
      sc.steps = 195313;  // 200,000,512 samples
      sc.n_eval = 100000;
      sc.lr = 3e-4f;
      break;
  }
  return sc;
}

std::vector<HierarchyArch> HierarchyArchTable() {
  const std::string src = PublishedSource("sae.synthsaebench.batch_topk.f1");
  auto topk_like = [](Arch a) {
    return [a](const HierarchyScale& sc, SaeSpec* s, TrainOptions*) {
      s->arch = a;
      s->k = sc.k;
      s->k_aux = std::min<int64_t>(256, sc.width / 2);
      return absl::OkStatus();
    };
  };
  return {
      {"relu_l1", "standard L1", PublishedNumber("sae.synthsaebench.relu_l1.f1"),
       PublishedNumber("sae.synthsaebench.relu_l1.mcc"),
       PublishedNumber("sae.synthsaebench.relu_l1.ev"), src,
       [](const HierarchyScale& sc, SaeSpec* s, TrainOptions*) {
         s->arch = Arch::kReluL1;
         s->l1 = sc.l1;
         return absl::OkStatus();
       }},
      {"topk", "TopK", kNaN, kNaN, kNaN, src, topk_like(Arch::kTopK)},
      {"batch_topk", "BatchTopK", PublishedNumber("sae.synthsaebench.batch_topk.f1"),
       PublishedNumber("sae.synthsaebench.batch_topk.mcc"),
       PublishedNumber("sae.synthsaebench.batch_topk.ev"), src, topk_like(Arch::kBatchTopK)},
      {"jumprelu", "JumpReLU", PublishedNumber("sae.synthsaebench.jumprelu.f1"),
       PublishedNumber("sae.synthsaebench.jumprelu.mcc"),
       PublishedNumber("sae.synthsaebench.jumprelu.ev"), src,
       [](const HierarchyScale& sc, SaeSpec* s, TrainOptions* o) {
         s->arch = Arch::kJumpReLU;
         s->l1 = sc.jumprelu_l0;
         s->bandwidth = sc.jumprelu_bandwidth;
         o->jumprelu_init_threshold = sc.jumprelu_init;
         return absl::OkStatus();
       }},
      // BatchTopK with nested prefixes at a sixteenth, a quarter and all of
      // the width (each prefix 4x the last, as in Bussmann et al.'s ladders
      // of nested sizes); the top k*B is taken over the full width.
      {kMatryoshkaArch, "Matryoshka BatchTopK",
       PublishedNumber("sae.synthsaebench.matryoshka_batch_topk.f1"),
       PublishedNumber("sae.synthsaebench.matryoshka_batch_topk.mcc"),
       PublishedNumber("sae.synthsaebench.matryoshka_batch_topk.ev"), src,
       [topk_like](const HierarchyScale& sc, SaeSpec* s, TrainOptions* o) {
         MONOSEM_RETURN_IF_ERROR(topk_like(Arch::kMatryoshkaBatchTopK)(sc, s, o));
         s->prefix_widths.clear();
         for (int64_t w : {sc.width / 16, sc.width / 4}) {
           if (w >= 1 && (s->prefix_widths.empty() || w > s->prefix_widths.back())) {
             s->prefix_widths.push_back(w);
           }
         }
         s->prefix_widths.push_back(sc.width);
         return absl::OkStatus();
       }},
  };
}

ResultRow F1OrderRow(const std::map<std::string, double>& f1, bool judged) {
  const std::string source = PublishedSource("sae.synthsaebench.f1_order");
  // "~" between BatchTopK and JumpReLU: half the smaller published gap
  // between neighbouring ranks (Matryoshka - BatchTopK/JumpReLU 0.147,
  // BatchTopK/JumpReLU - standard L1 0.176): 0.0735. A gap that large is a
  // difference the paper would have reported as one.
  const double pm = PublishedNumber("sae.synthsaebench.matryoshka_batch_topk.f1");
  const double pb = PublishedNumber("sae.synthsaebench.batch_topk.f1");
  const double pj = PublishedNumber("sae.synthsaebench.jumprelu.f1");
  const double pl = PublishedNumber("sae.synthsaebench.relu_l1.f1");
  const double tol = 0.5 * std::min(pm - std::max(pb, pj), std::min(pb, pj) - pl);
  std::vector<std::string> missing;
  for (const char* name : {kMatryoshkaArch, "batch_topk", "jumprelu", "relu_l1"}) {
    auto it = f1.find(name);
    if (it == f1.end() || !std::isfinite(it->second)) missing.push_back(name);
  }
  const std::string metric = "feature_f1_order[hierarchy,matryoshka>batch_topk~jumprelu>relu_l1]";
  const std::string rule = absl::StrFormat(
      "published order Matryoshka > BatchTopK ~ JumpReLU > standard L1, '~' = within %.4f (half "
      "the smaller published neighbour gap); measured = the smallest of F1(M) - max(F1(B), F1(J)), "
      "%.4f - |F1(B) - F1(J)|, min(F1(B), F1(J)) - F1(L1)",
      tol, tol);
  if (!missing.empty()) {
    std::string names;
    for (const std::string& m : missing) absl::StrAppend(&names, names.empty() ? "" : ", ", m);
    const std::string note = absl::StrCat(
        "cannot be judged: no measured feature_f1 for ", names,
        " (the architecture is absent from the hierarchy experiment's table); ", rule);
    // NaN measured: a judged row fails, it never passes or disappears.
    return MakeRow("sae", metric, kNaN, judged ? AT_LEAST : REPORT_ONLY, judged ? 0.0 : kNaN, 0,
                   source, judged ? note : note + "; report-only at the quick scale");
  }
  const double m = f1.at(kMatryoshkaArch), b = f1.at("batch_topk"), j = f1.at("jumprelu"),
               l = f1.at("relu_l1");
  const double margin = std::min({m - std::max(b, j), tol - std::fabs(b - j), std::min(b, j) - l});
  return ScaleJudgedRow("sae", metric, margin, AT_LEAST, 0.0, source,
                        absl::StrFormat("F1: matryoshka %.4f, batch_topk %.4f, jumprelu %.4f, "
                                        "relu_l1 %.4f; %s",
                                        m, b, j, l, rule),
                        judged);
}

absl::StatusOr<std::vector<ResultRow>> RunSaeHierarchyExperiments(
    const SuiteContext& ctx, const std::vector<HierarchyArch>& archs) {
  const HierarchyScale sc = HierarchyScaleFor(ctx.Scale());
  const std::string scale_note = absl::StrFormat(
      "%s scale: %d true features in %d dims (hierarchy %d roots x %d children over %d levels, "
      "%d factors at correlation %.2f), width %d, k %d, %d steps x batch %d; held-out window %d "
      "(paper: 16,384 features, d 768, width 4,096, 200M samples, L0 25)",
      SuiteScaleName(ctx.Scale()), sc.world.n_features, sc.world.d, sc.world.roots,
      sc.world.branching, sc.world.depth, sc.world.factors, sc.world.correlation, sc.width, sc.k,
      sc.steps, sc.batch, sc.n_eval);
  std::vector<ResultRow> rows;
  std::map<std::string, double> f1_by_arch;
  std::string csv =
      "arch,l0,true_l0,feature_f1,precision,recall,mcc,explained_variance,dead_fraction,"
      "published_f1,published_mcc,published_ev\n";
  for (const HierarchyArch& arch : archs) {
    MONOSEM_ASSIGN_OR_RETURN(ArchResult r, TrainAndScore(ctx, sc, arch));
    f1_by_arch[arch.name] = r.f1.f1;
    const std::string tag = absl::StrCat("[hierarchy,", arch.name, "]");
    rows.push_back(MakeRow("sae", "feature_f1" + tag, r.f1.f1, REPORT_ONLY, kNaN, 0, arch.source,
                           absl::StrFormat("%s; precision %.4f, recall %.4f over %d latents; %s",
                                           arch.paper_name, r.f1.precision, r.f1.recall,
                                           sc.width, scale_note),
                           arch.published_f1));
    rows.push_back(MakeRow("sae", "mcc" + tag, r.mcc, REPORT_ONLY, kNaN, 0, arch.source,
                           "Hungarian matching on |decoder cosine|", arch.published_mcc));
    rows.push_back(MakeRow("sae", "explained_variance" + tag, r.m.explained_variance, REPORT_ONLY,
                           kNaN, 0, arch.source,
                           "1 - sum ||x - x_hat||^2 / sum ||x - mean||^2 over the window",
                           arch.published_ev));
    rows.push_back(MakeRow("sae", "l0" + tag, r.m.l0, REPORT_ONLY, kNaN, 0, arch.source,
                           absl::StrFormat("target %d; the world's true L0 %.2f", sc.k, r.true_l0)));
    absl::StrAppend(&csv, absl::StrFormat("%s,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g\n",
                                          arch.name, r.m.l0, r.true_l0, r.f1.f1, r.f1.precision,
                                          r.f1.recall, r.mcc, r.m.explained_variance,
                                          r.m.dead_fraction, arch.published_f1,
                                          arch.published_mcc, arch.published_ev));
  }
  rows.push_back(F1OrderRow(f1_by_arch, ctx.Scale() != SuiteScale::kQuick));
  MONOSEM_RETURN_IF_ERROR(WriteFileAtomic(ctx.out_dir + "/sae_hierarchy.csv", csv));
  return rows;
}

}  // namespace monosem::sae
