#include "monosem/suites/transformer/transformer_suite.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "google/protobuf/text_format.h"
#include "monosem/data/corpus.h"
#include "monosem/io/file_io.h"
#include "monosem/models/transformer/trainer.h"
#include "monosem/models/transformer/transformer.h"
#include "monosem/models/transformer/transformer_metrics.h"
#include "monosem/published.h"
#include "monosem/results.h"
#include "monosem/status.h"
#include "monosem/suites/artifacts.h"
#include "monosem/suites/transformer/corpus_windows.h"
#include "monosem/suites/transformer/suite_corpus.h"
#include "monosem/suites/transformer/transformer_evaluation.h"
#include "monosem/suites/transformer/transformer_suite_config.h"
#include "proto/artifacts.pb.h"

namespace monosem {
namespace {

constexpr int64_t kMaxContext = 1 << 16;  // TransformerDims' limit
constexpr double kOftenActive = 0.5;      // fires on >= 50% of a genre's tokens
constexpr int64_t kMinGenreTokens = 100;  // genres with fewer held-out tokens: not counted

double LoadAverage() {
  double l = NAN;
  if (FILE* f = std::fopen("/proc/loadavg", "r")) {
    if (std::fscanf(f, "%lf", &l) != 1) l = NAN;
    std::fclose(f);
  }
  return l;
}

struct ModelResult {
  std::string name;  // "A" / "B"
  uint64_t seed = 0;
  Evaluation train_eval, heldout;     // per top-level genre after CollapseToGenres
  std::vector<double> leaf_loss_sum;  // held-out, by leaf label
  std::vector<int64_t> leaf_tokens;
  std::vector<NeuronGenreF1> f1;
  Polysemanticity poly;
  double train_seconds = 0, tokens_per_s = 0, load_after_training = NAN;
  std::string checkpoint_dir, store_dir, hash;
  int64_t harvested = 0;
};

}  // namespace

absl::StatusOr<std::vector<ResultRow>> RunTransformerSuite(const SuiteContext& ctx) {
  namespace fs = std::filesystem;
  const auto t_suite = std::chrono::steady_clock::now();
  const RunConfig cfg = TransformerSuiteConfig(ctx.Scale(), ctx.config);
  std::string cfg_text;
  google::protobuf::TextFormat::PrintToString(cfg, &cfg_text);

  // Validate everything before any work, with the config field in the message.
  if (cfg.transformer().n_ctx() > kMaxContext) {
    return absl::InvalidArgumentError(absl::StrCat(
        "transformer suite: transformer.n_ctx ", cfg.transformer().n_ctx(),
        " is over the maximum context length ", kMaxContext));
  }
  MONOSEM_ASSIGN_OR_RETURN(TransformerDims dims, TransformerDims::FromProto(cfg.transformer()));
  if (dims.vocab < 256) {
    return absl::InvalidArgumentError(absl::StrCat(
        "transformer suite: transformer.vocab ", dims.vocab,
        " is below 256; the corpus is bytes"));
  }
  TrainOptions opt = TrainOptions::FromProto(cfg.train());
  const int64_t window = dims.n_ctx + 1;
  const int64_t n_train = cfg.data().n_train(), n_eval = cfg.data().n_eval();
  if (n_train <= 0 || n_eval <= 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "transformer suite: empty corpus: data.n_train ", n_train, " and data.n_eval ", n_eval,
        " bytes must both be positive"));
  }
  if (n_train < window || n_eval < window) {
    return absl::InvalidArgumentError(absl::StrCat(
        "transformer suite: the corpus is shorter than one window of n_ctx + 1 = ", window,
        " bytes (data.n_train ", n_train, ", data.n_eval ", n_eval, ")"));
  }
  const TransformerSuiteScale scale = TransformerSuiteScaleFor(ctx.Scale());

  // One stream, cut into train and held-out splits.
  // Generated genres with Brown documents mixed in (none in quick mode
  // unless configured: tests must not depend on the data cache).
  MONOSEM_ASSIGN_OR_RETURN(
      SuiteCorpus mixed, BuildSuiteCorpus(cfg.data(), n_train + n_eval,
                                          ctx.quick ? 0.0 : kDefaultBrownShare, /*strict=*/false));
  if (!mixed.note.empty()) std::cout << "transformer suite: " << mixed.note << "\n" << std::flush;
  const Corpus all = std::move(mixed.corpus);
  const Corpus train = SliceCorpus(all, 0, n_train);
  const Corpus heldout = SliceCorpus(all, n_train, all.size());
  if (heldout.size() < window) {
    return absl::InvalidArgumentError(absl::StrCat(
        "transformer suite: held-out split has ", heldout.size(),
        " bytes, fewer than one window of ", window));
  }
  const double unigram = UnigramEntropyNats(train.bytes);
  // Rows and neuron metrics are per top-level genre (a couple of dozen), the
  // per-leaf loss goes to a CSV: hundreds of leaves would swamp results.json.
  std::vector<LabelId> to_top;
  const LabelSet genres = TopLevelLabels(all.labels, &to_top);
  const std::vector<double> genre_unigram = UnigramEntropyNatsPerLabel(TopLevelCorpus(train));
  const std::vector<double> leaf_unigram = UnigramEntropyNatsPerLabel(train);
  const int n_genres = genres.size();
  std::vector<int32_t> stream(train.bytes.begin(), train.bytes.end());

  // Held-out: consecutive non-overlapping windows; train: random windows.
  std::vector<int64_t> heldout_starts;
  for (int64_t s = 0; s + window <= heldout.size() &&
                      static_cast<int64_t>(heldout_starts.size()) < scale.eval_windows;
       s += window) {
    heldout_starts.push_back(s);
  }
  const std::vector<int64_t> train_starts =
      RandomStarts(scale.train_eval_windows, train.size(), window, kTrainEvalSeed);
  const std::vector<int64_t> harvest_starts =
      RandomStarts(scale.harvest_contexts, train.size(), window, kHarvestSeed);
  const uint64_t data_seed = cfg.data().seed();

  MONOSEM_RETURN_IF_ERROR(MakeDirs(ctx.out_dir));
  const std::string backend = ctx.backend.empty() ? kDefaultTrainingBackend : ctx.backend;
  std::vector<ModelResult> models(2);
  std::string curve_csv = "model,step,train_loss_nats,unigram_entropy_nats\n";
  for (int m = 0; m < 2; ++m) {
    ModelResult& r = models[m];
    r.name = m == 0 ? "A" : "B";
    TrainOptions o = opt;
    o.seed = opt.seed + m;
    r.seed = o.seed;
    MONOSEM_ASSIGN_OR_RETURN(std::unique_ptr<TransformerTrainer> trainer,
                             TransformerTrainer::Create(dims, o, backend));
    const auto t0 = std::chrono::steady_clock::now();
    // The loss curve for report.html, about 200 points per model.
    const int64_t every = std::max<int64_t>(1, o.steps / 200);
    auto on_step = [&](const StepStats& st) {
      if (st.step % every == 0 || st.step == o.steps) {
        absl::StrAppend(&curve_csv, r.name, ",", st.step, ",", absl::StrFormat("%.6f,%.6f\n", st.loss, unigram));
      }
    };
    MONOSEM_RETURN_IF_ERROR(trainer->Train(StreamTokenSource(stream, data_seed), o.steps, on_step));
    r.train_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    r.load_after_training = LoadAverage();
    r.tokens_per_s = o.steps * o.batch_size * dims.n_ctx / std::max(1e-9, r.train_seconds);
    r.checkpoint_dir = (fs::path(ctx.out_dir) / ("transformer_" + r.name)).string();
    MONOSEM_RETURN_IF_ERROR(trainer->SaveCheckpoint(r.checkpoint_dir));
    MONOSEM_ASSIGN_OR_RETURN(std::string weights,
                             ReadFile(r.checkpoint_dir + "/model.safetensors"));
    r.hash = CheckpointHash(weights);

    const Transformer& model = trainer->model();
    MONOSEM_ASSIGN_OR_RETURN(r.train_eval, Evaluate(model, trainer->params(), train, train_starts,
                                                    0, scale.eval_batch));
    MONOSEM_ASSIGN_OR_RETURN(r.heldout, Evaluate(model, trainer->params(), heldout,
                                                 heldout_starts, scale.stats_windows,
                                                 scale.eval_batch));
    r.leaf_loss_sum = r.heldout.genre_loss_sum;
    r.leaf_tokens = r.heldout.genre_tokens;
    CollapseToGenres(to_top, n_genres, &r.train_eval);
    CollapseToGenres(to_top, n_genres, &r.heldout);
    const int64_t n_stats = static_cast<int64_t>(r.heldout.stats_genres.size());
    MONOSEM_ASSIGN_OR_RETURN(r.f1, BestNeuronGenreF1(r.heldout.stats_acts, n_stats, dims.d_mlp,
                                                     r.heldout.stats_genres, n_genres));
    MONOSEM_ASSIGN_OR_RETURN(
        r.poly, NeuronPolysemanticity(r.heldout.stats_acts, n_stats, dims.d_mlp,
                                      r.heldout.stats_genres, n_genres, kOftenActive,
                                      kMinGenreTokens));
    r.heldout.stats_acts.clear();
    r.heldout.stats_acts.shrink_to_fit();

    r.store_dir = (fs::path(ctx.out_dir) / ("activations_" + r.name)).string();
    MONOSEM_ASSIGN_OR_RETURN(r.harvested,
                             Harvest(model, trainer->params(), train, harvest_starts,
                                     scale.per_context, scale.eval_batch, r.store_dir, r.hash,
                                     cfg_text, scale.bf16_store));
  }

  // CSVs: loss per genre, genre_f1, polysemanticity histogram and fire rates.
  std::ostringstream loss_csv, leaf_csv, f1_csv, hist_csv, rate_csv;
  loss_csv << "model,genre,heldout_tokens,loss_nats_per_byte,unigram_entropy_nats\n";
  leaf_csv << "model,label,genre,heldout_tokens,loss_nats_per_byte,unigram_entropy_nats\n";
  f1_csv << "model,genre,positives,best_neuron,threshold,predicted,f1\n";
  hist_csv << "model,genres_often_active,neurons\n";
  rate_csv << "model,neuron";
  for (const std::string& g : genres.names) rate_csv << "," << g;
  rate_csv << ",genres_often_active\n";
  for (const ModelResult& r : models) {
    for (int g = 0; g < n_genres; ++g) {
      const int64_t k = r.heldout.genre_tokens[g];
      if (k == 0) continue;
      loss_csv << r.name << "," << genres.names[g] << "," << k << ","
               << absl::StrFormat("%.6f,%.6f\n", r.heldout.genre_loss_sum[g] / k,
                                  genre_unigram[g]);
    }
    for (size_t l = 0; l < r.leaf_tokens.size(); ++l) {
      const int64_t k = r.leaf_tokens[l];
      if (k == 0) continue;
      leaf_csv << r.name << "," << all.labels.names[l] << "," << genres.names[to_top[l]] << ","
               << k << ","
               << absl::StrFormat("%.6f,%.6f\n", r.leaf_loss_sum[l] / k, leaf_unigram[l]);
    }
    for (const NeuronGenreF1& f : r.f1) {
      f1_csv << r.name << "," << genres.names[f.genre] << "," << f.positives << ","
             << f.neuron << "," << absl::StrFormat("%.6g", f.threshold) << "," << f.predicted
             << "," << absl::StrFormat("%.6f\n", f.f1);
    }
    for (size_t k = 0; k < r.poly.histogram.size(); ++k) {
      hist_csv << r.name << "," << k << "," << r.poly.histogram[k] << "\n";
    }
    for (size_t i = 0; i < r.poly.genres_per_neuron.size(); ++i) {
      rate_csv << r.name << "," << i;
      for (int g = 0; g < n_genres; ++g) {
        const double v = r.poly.fire_rate[i][g];
        rate_csv << "," << (std::isnan(v) ? std::string("") : absl::StrFormat("%.4f", v));
      }
      rate_csv << "," << r.poly.genres_per_neuron[i] << "\n";
    }
  }
  const std::string out = ctx.out_dir + "/";
  MONOSEM_RETURN_IF_ERROR(WriteFileAtomic(out + "transformer_loss_per_genre.csv", loss_csv.str()));
  MONOSEM_RETURN_IF_ERROR(WriteFileAtomic(out + "transformer_loss_per_leaf.csv", leaf_csv.str()));
  MONOSEM_RETURN_IF_ERROR(WriteFileAtomic(out + "transformer_loss_curve.csv", curve_csv));
  MONOSEM_RETURN_IF_ERROR(WriteFileAtomic(out + "transformer_genre_f1.csv", f1_csv.str()));
  MONOSEM_RETURN_IF_ERROR(
      WriteFileAtomic(out + "transformer_polysemanticity_hist.csv", hist_csv.str()));
  MONOSEM_RETURN_IF_ERROR(
      WriteFileAtomic(out + "transformer_neuron_fire_rates.csv", rate_csv.str()));

  // The hand-off to the sae suite.
  TransformerManifest manifest;
  manifest.set_suite("transformer");
  manifest.set_quick(ctx.quick);
  manifest.set_scale(SuiteScaleName(ctx.Scale()));
  *manifest.mutable_config() = cfg;
  // The share really used, so that the sae suite rebuilds the same corpus.
  manifest.mutable_config()->mutable_data()->set_brown_share(mixed.brown_share);
  for (const ModelResult& r : models) {
    TransformerArtifact* a = manifest.add_models();
    a->set_name(r.name);
    a->set_seed(r.seed);
    a->set_checkpoint(r.checkpoint_dir);
    a->set_checkpoint_hash(r.hash);
    a->set_activations(r.store_dir);
    a->set_vectors(r.harvested);
    a->set_contexts(scale.harvest_contexts);
    a->set_per_context(scale.per_context);
  }
  MONOSEM_RETURN_IF_ERROR(
      WriteTransformerManifest(TransformerManifestPath(ctx.out_dir), manifest));

  // Rows.
  const std::string scale_note = absl::StrCat(
      "d_model ", dims.d_model, ", ", dims.n_heads, " heads, ctx ", dims.n_ctx, ", MLP ",
      dims.d_mlp, "; ", opt.steps, " steps x ", opt.batch_size, " x ", dims.n_ctx, " = ",
      absl::StrFormat("%.2fM", opt.steps * opt.batch_size * dims.n_ctx / 1e6),
      " tokens of the labelled corpus (paper: 100B Pile tokens)");
  const std::string bar = PublishedSource("transformer.loss_below_unigram");
  std::vector<ResultRow> rows;
  rows.push_back(MakeRow("transformer", "brown_share", mixed.brown_share, REPORT_ONLY, NAN, 0,
                         PublishedSource("transformer.real_text"),
                         mixed.note.empty()
                             ? "share of the corpus's bytes that are Brown corpus documents (real English)"
                             : mixed.note));
  for (const ModelResult& r : models) {
    const std::string tag = absl::StrCat("[", r.name, "]");
    rows.push_back(MakeRow(
        "transformer", "loss_per_byte_train" + tag, r.train_eval.loss, AT_MOST, unigram, 0, bar,
        absl::StrFormat("nats/byte over %d random train windows; expected = train-split unigram "
                        "entropy; seed %d; %s",
                        scale.train_eval_windows, r.seed, scale_note)));
    rows.push_back(MakeRow(
        "transformer", "loss_per_byte_heldout" + tag, r.heldout.loss, AT_MOST, unigram, 0, bar,
        absl::StrFormat("nats/byte over %d held-out tokens (separate split, %d bytes); "
                        "expected = train-split unigram entropy",
                        r.heldout.tokens, heldout.size())));
  }
  const ModelResult& a = models[0];
  for (int g = 0; g < n_genres; ++g) {
    const int64_t k = a.heldout.genre_tokens[g];
    if (k == 0) continue;
    rows.push_back(MakeRow(
        "transformer", absl::StrCat("loss_per_byte_heldout[A,", genres.names[g], "]"),
        a.heldout.genre_loss_sum[g] / k, REPORT_ONLY, genre_unigram[g], 0,
        PublishedSource("transformer.genre_loss_floors"),
        absl::StrFormat("%d held-out target bytes; expected = the genre's unigram entropy; "
                        "report-only: synthetic corpus and small scale; B in "
                        "transformer_loss_per_genre.csv",
                        k)));
  }
  const std::string often = absl::StrFormat(
      "often active on a genre = fires (act > 0) on >= %.0f%% of that genre's held-out tokens; "
      "genres with >= %d tokens in the %d stats tokens counted",
      kOftenActive * 100, kMinGenreTokens, a.heldout.stats_genres.size());
  for (const ModelResult& r : models) {
    int eligible = 0;
    for (bool e : r.poly.eligible) eligible += e;
    rows.push_back(MakeRow(
        "transformer", absl::StrCat("neuron_genres_often_active_mean[", r.name, "]"),
        r.poly.mean_genres, REPORT_ONLY, NAN, 0,
        PublishedSource("transformer.neurons_polysemantic"),
        absl::StrCat(often, " (", eligible,
                     " genres); histogram in transformer_polysemanticity_hist.csv; report-only: "
                     "synthetic corpus and small scale")));
    rows.push_back(MakeRow(
        "transformer", absl::StrCat("neuron_fraction_polysemantic[", r.name, "]"),
        r.poly.fraction_polysemantic, REPORT_ONLY, NAN, 0,
        PublishedSource("transformer.neurons_polysemantic"),
        "fraction of neurons often active on >= 2 genres (definition as above)"));
  }
  for (const NeuronGenreF1& f : a.f1) {
    if (f.genre == kLabelUnknown) continue;
    rows.push_back(MakeRow(
        "transformer", absl::StrCat("genre_f1[A,", genres.names[f.genre], "]"), f.f1,
        REPORT_ONLY, NAN, 0, PublishedSource("transformer.neuron_genre_f1"),
        absl::StrFormat("best neuron %d, act > %.4g, %d positives of %d held-out tokens; "
                        "report-only: synthetic corpus and small scale; B in "
                        "transformer_genre_f1.csv",
                        f.neuron, f.threshold, f.positives, a.heldout.stats_genres.size())));
  }
  for (const ModelResult& r : models) {
    rows.push_back(MakeRow(
        "transformer", absl::StrCat("activation_store_vectors[", r.name, "]"), r.harvested,
        REPORT_ONLY, NAN, 0, PublishedSource("transformer.harvest_per_context"),
        absl::StrCat("store ", r.store_dir, " (", scale.harvest_contexts, " train contexts x ",
                     scale.per_context, " sampled positions, float32, MLP post-ReLU); checkpoint ",
                     r.checkpoint_dir, " ", r.hash, "; manifest ", out,
                     "transformer_manifest.json")));
    rows.push_back(MakeRow(
        "transformer", absl::StrCat("train_tokens_per_s[", r.name, "]"), r.tokens_per_s,
        REPORT_ONLY, NAN, 0, PublishedSource("transformer.train_tokens_per_s"),
        absl::StrFormat("backend %s, %.1f s training; 1-min load average %.2f when it ended",
                        backend, r.train_seconds, r.load_after_training)));
  }
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t_suite).count();
  rows.push_back(MakeRow(
      "transformer", "suite_wall_seconds", wall, REPORT_ONLY, ctx.quick ? 60 : 900, 0,
      "the suite's time budget on 2 cores: default < 15 min, --quick < 1 min",
      absl::StrFormat("load average %.2f at the end (shared machine: not judged)",
                      LoadAverage())));
  return rows;
}

}  // namespace monosem
