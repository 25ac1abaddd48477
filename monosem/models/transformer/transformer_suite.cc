#include "monosem/models/transformer/transformer_suite.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "google/protobuf/text_format.h"
#include "monosem/data/activation_store.h"
#include "monosem/data/corpus.h"
#include "monosem/io/file_io.h"
#include "monosem/models/transformer/trainer.h"
#include "monosem/models/transformer/transformer.h"
#include "monosem/philox.h"
#include "monosem/results.h"
#include "monosem/status.h"

namespace monosem {

absl::StatusOr<std::vector<NeuronGenreF1>> BestNeuronGenreF1(absl::Span<const float> acts,
                                                             int64_t n, int64_t n_neurons,
                                                             absl::Span<const uint8_t> labels,
                                                             int n_genres) {
  if (n < 0 || n_neurons < 1 || n_genres < 1 ||
      static_cast<int64_t>(acts.size()) != n * n_neurons ||
      static_cast<int64_t>(labels.size()) != n) {
    return absl::InvalidArgumentError(
        absl::StrCat("genre_f1: acts has ", acts.size(), " values and labels ", labels.size(),
                     " for n ", n, " x ", n_neurons, " neurons (", n_genres, " genres)"));
  }
  std::vector<int64_t> positives(n_genres, 0);
  for (uint8_t g : labels) {
    if (g >= n_genres) {
      return absl::InvalidArgumentError(
          absl::StrCat("genre_f1: label ", int{g}, " out of range [0, ", n_genres, ")"));
    }
    ++positives[g];
  }
  std::vector<NeuronGenreF1> best(n_genres);
  for (int g = 0; g < n_genres; ++g) {
    best[g].genre = g;
    best[g].positives = positives[g];
  }
  std::vector<std::pair<float, uint8_t>> col(n);
  std::vector<int64_t> tp(n_genres);
  std::vector<int> touched;
  std::vector<char> in_group(n_genres, 0);
  for (int64_t i = 0; i < n_neurons; ++i) {
    for (int64_t t = 0; t < n; ++t) col[t] = {acts[t * n_neurons + i], labels[t]};
    std::sort(col.begin(), col.end(),
              [](const auto& a, const auto& b) { return a.first > b.first; });
    std::fill(tp.begin(), tp.end(), 0);
    // Lower the threshold one distinct value at a time: after the group of
    // value v the detector flags every token with act >= v. F1 of genre g only
    // rises when g gains true positives, so only those genres are re-scored.
    for (int64_t at = 0; at < n;) {
      const float v = col[at].first;
      touched.clear();
      int64_t end = at;
      for (; end < n && col[end].first == v; ++end) {
        const uint8_t g = col[end].second;
        if (!in_group[g]) {
          in_group[g] = 1;
          touched.push_back(g);
        }
        ++tp[g];
      }
      const float next = end < n ? col[end].first : v - 1.0f;
      for (int g : touched) {
        in_group[g] = 0;
        const double f1 = 2.0 * tp[g] / static_cast<double>(end + positives[g]);
        if (f1 > best[g].f1) {
          best[g].f1 = f1;
          best[g].neuron = i;
          best[g].threshold = 0.5f * (v + next);
          if (!(best[g].threshold < v)) best[g].threshold = next;  // adjacent floats
          best[g].predicted = end;
        }
      }
      at = end;
    }
  }
  std::vector<NeuronGenreF1> out;
  for (int g = 0; g < n_genres; ++g) {
    if (positives[g] > 0) out.push_back(best[g]);
  }
  return out;
}

absl::StatusOr<Polysemanticity> NeuronPolysemanticity(absl::Span<const float> acts, int64_t n,
                                                      int64_t n_neurons,
                                                      absl::Span<const uint8_t> labels,
                                                      int n_genres, double min_fire_fraction,
                                                      int64_t min_genre_tokens) {
  if (n < 0 || n_neurons < 1 || n_genres < 1 ||
      static_cast<int64_t>(acts.size()) != n * n_neurons ||
      static_cast<int64_t>(labels.size()) != n) {
    return absl::InvalidArgumentError(
        absl::StrCat("polysemanticity: acts has ", acts.size(), " values and labels ",
                     labels.size(), " for n ", n, " x ", n_neurons, " neurons"));
  }
  if (!(min_fire_fraction > 0 && min_fire_fraction <= 1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("polysemanticity: min_fire_fraction ", min_fire_fraction,
                     " must be in (0, 1]"));
  }
  Polysemanticity p;
  p.genre_tokens.assign(n_genres, 0);
  for (uint8_t g : labels) {
    if (g >= n_genres) {
      return absl::InvalidArgumentError(
          absl::StrCat("polysemanticity: label ", int{g}, " out of range [0, ", n_genres, ")"));
    }
    ++p.genre_tokens[g];
  }
  p.eligible.resize(n_genres);
  int n_eligible = 0;
  for (int g = 0; g < n_genres; ++g) {
    p.eligible[g] = p.genre_tokens[g] >= std::max<int64_t>(1, min_genre_tokens);
    n_eligible += p.eligible[g];
  }
  std::vector<std::vector<int64_t>> fires(n_neurons, std::vector<int64_t>(n_genres, 0));
  for (int64_t t = 0; t < n; ++t) {
    const float* row = acts.data() + t * n_neurons;
    for (int64_t i = 0; i < n_neurons; ++i) {
      if (row[i] > 0) ++fires[i][labels[t]];
    }
  }
  p.genres_per_neuron.assign(n_neurons, 0);
  p.histogram.assign(n_eligible + 1, 0);
  p.fire_rate.assign(n_neurons, std::vector<double>(n_genres, NAN));
  int64_t poly = 0;
  double sum = 0;
  for (int64_t i = 0; i < n_neurons; ++i) {
    int k = 0;
    for (int g = 0; g < n_genres; ++g) {
      if (p.genre_tokens[g] == 0) continue;
      const double rate = static_cast<double>(fires[i][g]) / p.genre_tokens[g];
      p.fire_rate[i][g] = rate;
      if (p.eligible[g] && rate >= min_fire_fraction) ++k;
    }
    p.genres_per_neuron[i] = k;
    ++p.histogram[k];
    sum += k;
    poly += k >= 2;
  }
  p.mean_genres = sum / n_neurons;
  p.fraction_polysemantic = static_cast<double>(poly) / n_neurons;
  return p;
}

RunConfig TransformerSuiteDefaults(bool quick) {
  RunConfig c;
  c.set_name(quick ? "transformer_suite_quick" : "transformer_suite");
  TransformerConfig* t = c.mutable_transformer();
  TrainConfig* tr = c.mutable_train();
  DataConfig* d = c.mutable_data();
  d->set_source("corpus");
  d->set_seed(1);
  if (quick) {
    t->set_d_model(32);
    t->set_n_heads(2);
    t->set_n_ctx(32);
    t->set_d_mlp(64);
    t->set_vocab(256);
    tr->set_steps(300);
    tr->set_batch_size(16);
    tr->set_lr(1e-2f);
    tr->set_warmup_steps(30);
    d->set_n_train(1000000);
    d->set_n_eval(200000);
  } else {
    // The paper's shape (d 128, 4 heads, ctx 128, MLP 512, bytes).
    t->set_d_model(128);
    t->set_n_heads(4);
    t->set_n_ctx(128);
    t->set_d_mlp(512);
    t->set_vocab(256);
    tr->set_steps(1000);  // 1000 x 32 x 128 = 4.1M tokens per model
    tr->set_batch_size(32);
    tr->set_lr(3e-3f);
    tr->set_warmup_steps(100);
    d->set_n_train(8000000);
    d->set_n_eval(262144);
  }
  tr->set_seed(1);  // A; B is seed + 1
  return c;
}

std::string CheckpointHash(const std::string& bytes) {
  uint64_t h = 1469598103934665603ull;  // FNV-1a
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return absl::StrFormat("fnv1a64:%016x", h);
}

// Windows of ctx + 1 bytes at the given starts, as token ids, with the genre
// label of each input byte.
void GatherWindows(const Corpus& c, absl::Span<const int64_t> starts, int64_t window,
            std::vector<int32_t>* ids, std::vector<uint8_t>* genres) {
  ids->resize(starts.size() * window);
  genres->resize(starts.size() * (window - 1));
  for (size_t r = 0; r < starts.size(); ++r) {
    for (int64_t j = 0; j < window; ++j) {
      (*ids)[r * window + j] = c.bytes[starts[r] + j];
      if (j + 1 < window) (*genres)[r * (window - 1) + j] = c.genre[starts[r] + j];
    }
  }
}

RunConfig TransformerSuiteConfig(bool quick, const RunConfig* override) {
  RunConfig c = TransformerSuiteDefaults(quick);
  if (override != nullptr) {
    if (!override->name().empty()) c.set_name(override->name());
    if (override->has_transformer()) c.mutable_transformer()->MergeFrom(override->transformer());
    if (override->has_train()) c.mutable_train()->MergeFrom(override->train());
    if (override->has_data()) c.mutable_data()->MergeFrom(override->data());
  }
  return c;
}

namespace {

constexpr int64_t kMaxContext = 1 << 16;     // TransformerDims' limit
constexpr double kOftenActive = 0.5;         // fires on >= 50% of a genre's tokens
constexpr int64_t kMinGenreTokens = 100;     // genres with fewer held-out tokens: not counted
constexpr uint64_t kTrainEvalSeed = 0x7e57;  // train-loss windows
constexpr uint64_t kHarvestSeed = 0x4a11;    // harvest contexts and positions

struct Scale {
  int64_t eval_windows;      // held-out windows for the losses (at most)
  int64_t train_eval_windows;
  int64_t stats_windows;     // held-out windows whose activations feed the neuron stats
  int64_t harvest_contexts;  // train-split contexts harvested per model
  int32_t per_context;       // positions sampled per context
  int64_t eval_batch;
};

double LoadAverage() {
  double l = NAN;
  if (FILE* f = std::fopen("/proc/loadavg", "r")) {
    if (std::fscanf(f, "%lf", &l) != 1) l = NAN;
    std::fclose(f);
  }
  return l;
}


std::string JsonEscape(const std::string& s) {
  std::string o;
  for (char c : s) {
    if (c == '"' || c == '\\') o += '\\';
    if (static_cast<unsigned char>(c) < 0x20) {
      o += absl::StrFormat("\\u%04x", c);
      continue;
    }
    o += c;
  }
  return o;
}

struct Evaluation {
  double loss = 0;  // mean over tokens, nats per byte
  int64_t tokens = 0;
  std::vector<double> genre_loss_sum;  // by the target byte's genre
  std::vector<int64_t> genre_tokens;
  std::vector<float> stats_acts;       // [stats tokens, d_mlp]
  std::vector<uint8_t> stats_genres;   // input byte's genre
};

// Loss over windows at `starts` (sums over all tokens, then one division);
// the activations of the first `stats_windows` windows are kept.
absl::StatusOr<Evaluation> Evaluate(const Transformer& model, const NamedTensors& params,
                                    const Corpus& c, const std::vector<int64_t>& starts,
                                    int64_t stats_windows, int64_t eval_batch) {
  const int64_t ctx = model.dims().n_ctx, d_mlp = model.dims().d_mlp;
  const int n_genres = static_cast<int>(c.genre_names.size());
  Evaluation e;
  e.genre_loss_sum.assign(n_genres, 0.0);
  e.genre_tokens.assign(n_genres, 0);
  double sum = 0;
  ForwardCache cache;
  std::vector<int32_t> ids;
  std::vector<uint8_t> genres;
  for (size_t at = 0; at < starts.size(); at += eval_batch) {
    const int64_t b = std::min<int64_t>(eval_batch, starts.size() - at);
    GatherWindows(c, absl::MakeConstSpan(starts).subspan(at, b), ctx + 1, &ids, &genres);
    MONOSEM_ASSIGN_OR_RETURN(TokenBatch batch, NextTokenBatch(ids, b, ctx));
    MONOSEM_RETURN_IF_ERROR(model.Forward(params, batch, &cache));
    for (int64_t r = 0; r < b; ++r) {
      for (int64_t j = 0; j < ctx; ++j) {
        const double l = cache.losses[r * ctx + j];
        sum += l;
        const uint8_t tg = c.genre[starts[at + r] + j + 1];
        e.genre_loss_sum[tg] += l;
        ++e.genre_tokens[tg];
      }
    }
    e.tokens += b * ctx;
    const int64_t keep = std::min<int64_t>(b, stats_windows - static_cast<int64_t>(at));
    if (keep > 0) {
      e.stats_acts.insert(e.stats_acts.end(), cache.acts.data(),
                          cache.acts.data() + keep * ctx * d_mlp);
      e.stats_genres.insert(e.stats_genres.end(), genres.begin(), genres.begin() + keep * ctx);
    }
  }
  e.loss = sum / std::max<int64_t>(1, e.tokens);
  return e;
}

// Harvests the MLP activations of `contexts` train-split windows into DIR:
// SamplePositions(kHarvestSeed, context, ctx, per_context) of each (the same
// contexts and positions for A and B). Written to DIR.partial, then renamed.
absl::StatusOr<int64_t> Harvest(const Transformer& model, const NamedTensors& params,
                                const Corpus& train, const std::vector<int64_t>& starts,
                                int32_t per_context, int64_t eval_batch, const std::string& dir,
                                const std::string& hash, const std::string& config_text) {
  namespace fs = std::filesystem;
  const int64_t ctx = model.dims().n_ctx;
  const std::string partial = dir + ".partial";
  std::error_code ec;
  fs::remove_all(partial, ec);
  ActivationStoreOptions o;
  o.dir = partial;
  o.d = model.dims().d_mlp;
  o.dtype = ActivationDtype::kFloat32;
  o.checkpoint_hash = hash;
  o.config_text = config_text;
  o.genre_names = train.genre_names;
  MONOSEM_ASSIGN_OR_RETURN(std::unique_ptr<ActivationStoreWriter> w,
                           ActivationStoreWriter::Create(o));
  ForwardCache cache;
  std::vector<int32_t> ids;
  std::vector<uint8_t> genres;
  for (size_t at = 0; at < starts.size(); at += eval_batch) {
    const int64_t b = std::min<int64_t>(eval_batch, starts.size() - at);
    GatherWindows(train, absl::MakeConstSpan(starts).subspan(at, b), ctx + 1, &ids, &genres);
    MONOSEM_ASSIGN_OR_RETURN(TokenBatch batch, NextTokenBatch(ids, b, ctx));
    MONOSEM_RETURN_IF_ERROR(model.Forward(params, batch, &cache));
    MONOSEM_RETURN_IF_ERROR(AppendSampledActivations(w.get(), cache.acts, b, ctx, batch.inputs,
                                                     genres, static_cast<int64_t>(at),
                                                     per_context, kHarvestSeed));
  }
  MONOSEM_RETURN_IF_ERROR(w->Finish());
  const int64_t n = w->size();
  w.reset();
  fs::remove_all(dir, ec);
  fs::rename(partial, dir, ec);
  if (ec) {
    return absl::InternalError(
        absl::StrCat("cannot rename ", partial, " to ", dir, ": ", ec.message()));
  }
  return n;
}

std::vector<int64_t> RandomStarts(int64_t count, int64_t corpus_bytes, int64_t window,
                                  uint64_t seed) {
  std::vector<int64_t> s(count);
  const uint64_t range = static_cast<uint64_t>(corpus_bytes - window + 1);
  for (int64_t i = 0; i < count; ++i) {
    Philox rng(seed, static_cast<uint64_t>(i));
    s[i] = static_cast<int64_t>(rng.UniformInt(static_cast<uint32_t>(range)));
  }
  return s;
}

struct ModelResult {
  std::string name;  // "A" / "B"
  uint64_t seed = 0;
  Evaluation train_eval, heldout;
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
  const RunConfig cfg = TransformerSuiteConfig(ctx.quick, ctx.config);
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
  const Scale scale = ctx.quick ? Scale{1024, 64, 256, 64, 16, 32}
                                : Scale{2048, 256, 256, 2048, 32, 32};

  // One stream, cut into train and held-out splits.
  CorpusConfig corpus_cfg = cfg.data().corpus();
  MONOSEM_ASSIGN_OR_RETURN(Corpus all, GenerateCorpus(corpus_cfg, n_train + n_eval));
  const Corpus train = SliceCorpus(all, 0, n_train);
  const Corpus heldout = SliceCorpus(all, n_train, all.size());
  if (heldout.size() < window) {
    return absl::InvalidArgumentError(absl::StrCat(
        "transformer suite: held-out split has ", heldout.size(),
        " bytes, fewer than one window of ", window));
  }
  const double unigram = UnigramEntropyNats(train.bytes);
  const std::vector<double> genre_unigram = UnigramEntropyNatsPerGenre(train);
  const int n_genres = static_cast<int>(all.genre_names.size());
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
  for (int m = 0; m < 2; ++m) {
    ModelResult& r = models[m];
    r.name = m == 0 ? "A" : "B";
    TrainOptions o = opt;
    o.seed = opt.seed + m;
    r.seed = o.seed;
    MONOSEM_ASSIGN_OR_RETURN(std::unique_ptr<TransformerTrainer> trainer,
                             TransformerTrainer::Create(dims, o, backend));
    const auto t0 = std::chrono::steady_clock::now();
    MONOSEM_RETURN_IF_ERROR(trainer->Train(StreamTokenSource(stream, data_seed), o.steps));
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
                                     cfg_text));
  }

  // CSVs: loss per genre, genre_f1, polysemanticity histogram and fire rates.
  std::ostringstream loss_csv, f1_csv, hist_csv, rate_csv;
  loss_csv << "model,genre,heldout_tokens,loss_nats_per_byte,unigram_entropy_nats\n";
  f1_csv << "model,genre,positives,best_neuron,threshold,predicted,f1\n";
  hist_csv << "model,genres_often_active,neurons\n";
  rate_csv << "model,neuron";
  for (const std::string& g : all.genre_names) rate_csv << "," << g;
  rate_csv << ",genres_often_active\n";
  for (const ModelResult& r : models) {
    for (int g = 0; g < n_genres; ++g) {
      const int64_t k = r.heldout.genre_tokens[g];
      if (k == 0) continue;
      loss_csv << r.name << "," << all.genre_names[g] << "," << k << ","
               << absl::StrFormat("%.6f,%.6f\n", r.heldout.genre_loss_sum[g] / k,
                                  genre_unigram[g]);
    }
    for (const NeuronGenreF1& f : r.f1) {
      f1_csv << r.name << "," << all.genre_names[f.genre] << "," << f.positives << ","
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
  MONOSEM_RETURN_IF_ERROR(WriteFileAtomic(out + "transformer_genre_f1.csv", f1_csv.str()));
  MONOSEM_RETURN_IF_ERROR(
      WriteFileAtomic(out + "transformer_polysemanticity_hist.csv", hist_csv.str()));
  MONOSEM_RETURN_IF_ERROR(
      WriteFileAtomic(out + "transformer_neuron_fire_rates.csv", rate_csv.str()));

  // Manifest for the SAE suite.
  std::ostringstream man;
  man << "{\n  \"suite\": \"transformer\",\n  \"quick\": " << (ctx.quick ? "true" : "false")
      << ",\n  \"config\": \"" << JsonEscape(cfg_text) << "\",\n  \"models\": [\n";
  for (size_t m = 0; m < models.size(); ++m) {
    const ModelResult& r = models[m];
    man << "    {\"name\": \"" << r.name << "\", \"seed\": " << r.seed
        << ", \"checkpoint\": \"" << JsonEscape(r.checkpoint_dir)
        << "\", \"checkpoint_hash\": \"" << r.hash << "\", \"activations\": \""
        << JsonEscape(r.store_dir) << "\", \"vectors\": " << r.harvested
        << ", \"contexts\": " << scale.harvest_contexts
        << ", \"per_context\": " << scale.per_context << "}"
        << (m + 1 < models.size() ? "," : "") << "\n";
  }
  man << "  ]\n}\n";
  MONOSEM_RETURN_IF_ERROR(WriteFileAtomic(out + "transformer_manifest.json", man.str()));

  // Rows.
  const std::string scale_note = absl::StrCat(
      "d_model ", dims.d_model, ", ", dims.n_heads, " heads, ctx ", dims.n_ctx, ", MLP ",
      dims.d_mlp, "; ", opt.steps, " steps x ", opt.batch_size, " x ", dims.n_ctx, " = ",
      absl::StrFormat("%.2fM", opt.steps * opt.batch_size * dims.n_ctx / 1e6),
      " tokens of the synthetic corpus (paper: 100B Pile tokens)");
  const char* kBar = "issue 4: below the corpus's unigram entropy";
  std::vector<ResultRow> rows;
  for (const ModelResult& r : models) {
    const std::string tag = absl::StrCat("[", r.name, "]");
    rows.push_back(MakeRow(
        "transformer", "loss_per_byte_train" + tag, r.train_eval.loss, AT_MOST, unigram, 0, kBar,
        absl::StrFormat("nats/byte over %d random train windows; expected = train-split unigram "
                        "entropy; seed %d; %s",
                        scale.train_eval_windows, r.seed, scale_note)));
    rows.push_back(MakeRow(
        "transformer", "loss_per_byte_heldout" + tag, r.heldout.loss, AT_MOST, unigram, 0, kBar,
        absl::StrFormat("nats/byte over %d held-out tokens (separate split, %d bytes); "
                        "expected = train-split unigram entropy",
                        r.heldout.tokens, heldout.size())));
  }
  const ModelResult& a = models[0];
  for (int g = 0; g < n_genres; ++g) {
    const int64_t k = a.heldout.genre_tokens[g];
    if (k == 0) continue;
    rows.push_back(MakeRow(
        "transformer", absl::StrCat("loss_per_byte_heldout[A,", all.genre_names[g], "]"),
        a.heldout.genre_loss_sum[g] / k, REPORT_ONLY, genre_unigram[g], 0,
        "PUBLISHED.md replication notes (genre floors)",
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
        "Bricken et al. 2023: single neurons are polysemantic",
        absl::StrCat(often, " (", eligible,
                     " genres); histogram in transformer_polysemanticity_hist.csv; report-only: "
                     "synthetic corpus and small scale")));
    rows.push_back(MakeRow(
        "transformer", absl::StrCat("neuron_fraction_polysemantic[", r.name, "]"),
        r.poly.fraction_polysemantic, REPORT_ONLY, NAN, 0,
        "Bricken et al. 2023: single neurons are polysemantic",
        "fraction of neurons often active on >= 2 genres (definition as above)"));
  }
  for (const NeuronGenreF1& f : a.f1) {
    if (f.genre == kGenreUnknown) continue;
    rows.push_back(MakeRow(
        "transformer", absl::StrCat("genre_f1[A,", all.genre_names[f.genre], "]"), f.f1,
        REPORT_ONLY, NAN, 0, "METRICS.md genre_f1 (neurons: activation above best threshold)",
        absl::StrFormat("best neuron %d, act > %.4g, %d positives of %d held-out tokens; "
                        "report-only: synthetic corpus and small scale; B in "
                        "transformer_genre_f1.csv",
                        f.neuron, f.threshold, f.positives, a.heldout.stats_genres.size())));
  }
  for (const ModelResult& r : models) {
    rows.push_back(MakeRow(
        "transformer", absl::StrCat("activation_store_vectors[", r.name, "]"), r.harvested,
        REPORT_ONLY, NAN, 0, "Bricken et al. 2023 harvest (250 sampled per context)",
        absl::StrCat("store ", r.store_dir, " (", scale.harvest_contexts, " train contexts x ",
                     scale.per_context, " sampled positions, float32, MLP post-ReLU); checkpoint ",
                     r.checkpoint_dir, " ", r.hash, "; manifest ", out,
                     "transformer_manifest.json")));
    rows.push_back(MakeRow(
        "transformer", absl::StrCat("train_tokens_per_s[", r.name, "]"), r.tokens_per_s,
        REPORT_ONLY, NAN, 0, "PUBLISHED.md replication notes: ~40k tokens/s PyTorch 1 thread",
        absl::StrFormat("backend %s, %.1f s training; 1-min load average %.2f when it ended",
                        backend, r.train_seconds, r.load_after_training)));
  }
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t_suite).count();
  rows.push_back(MakeRow(
      "transformer", "suite_wall_seconds", wall, REPORT_ONLY, ctx.quick ? 60 : 900, 0,
      "issue 4: default < 15 min, --quick < 1 min on 2 cores",
      absl::StrFormat("load average %.2f at the end (shared machine: not judged)",
                      LoadAverage())));
  return rows;
}

}  // namespace monosem
