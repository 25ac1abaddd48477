#include "monosem/report/browse.h"

#include <algorithm>
#include <memory>

#include "absl/strings/str_cat.h"
#include "monosem/backend.h"
#include "monosem/data/corpus.h"
#include "monosem/data/text_loader.h"
#include "monosem/io/file_io.h"
#include "monosem/models/sae/sae_io.h"
#include "monosem/models/transformer/trainer.h"
#include "monosem/models/transformer/transformer.h"
#include "monosem/report/html.h"
#include "monosem/report/page_assets.h"
#include "monosem/report/progress.h"
#include "monosem/status.h"

namespace monosem::report {
namespace {

absl::StatusOr<Corpus> BrowseText(const BrowseArgs& a, int64_t bytes) {
  if (a.corpus != nullptr) return SliceCorpus(*a.corpus, 0, std::min(bytes, a.corpus->size()));
  if (a.data.empty()) return GenerateCorpus(DefaultCorpusConfig(), bytes);
  TextLoadOptions o;
  o.max_bytes = bytes;
  return LoadText(a.data, o);
}

// The direct effect of writing `dir` [d_mlp] from the MLP on the next-byte
// logits: through W_out, then the final LayerNorm treated as its centring and
// per-channel gain (its scale depends on the whole residual stream, which a
// direction alone does not fix), then the unembedding.
void LogitEffect(const float* r_in, const NamedTensors& p, int64_t d_model, int64_t vocab,
                 float* out) {
  const float* gain = p.at("ln_final.w").data();
  const float* w_u = p.at("unembed.W_U").data();
  std::vector<double> r(r_in, r_in + d_model);
  double mean = 0;
  for (double v : r) mean += v;
  mean /= d_model;
  for (int64_t j = 0; j < d_model; ++j) r[j] = (r[j] - mean) * gain[j];
  for (int64_t v = 0; v < vocab; ++v) {
    double s = 0;
    for (int64_t j = 0; j < d_model; ++j) s += r[j] * w_u[j * vocab + v];
    out[v] = static_cast<float>(s);
  }
}

// MLP activations for the stream: [tokens, d_mlp], tokens = windows * ctx.
absl::StatusOr<std::vector<float>> MlpActs(const Transformer& model, const NamedTensors& params,
                                           const LabelledStream& s, int64_t ctx, bool progress) {
  const int64_t d_mlp = model.dims().d_mlp, windows = s.size() / ctx, per_batch = 8;
  std::vector<float> acts(s.size() * d_mlp);
  std::unique_ptr<Progress> bar;
  if (progress) bar = std::make_unique<Progress>("browse: MLP activations", windows, "contexts");
  ForwardCache cache;
  for (int64_t w0 = 0; w0 < windows; w0 += per_batch) {
    const int64_t nb = std::min(per_batch, windows - w0);
    TokenBatch b;
    b.batch = nb;
    b.ctx = ctx;
    for (int64_t i = w0 * ctx; i < (w0 + nb) * ctx; ++i) {
      b.inputs.push_back(s.bytes[i]);
      b.targets.push_back(i + 1 < s.size() ? s.bytes[i + 1] : 0);
    }
    float* dst = acts.data() + w0 * ctx * d_mlp;
    MlpHook harvest = [dst](const TokenBatch&, Tensor* a) {
      std::copy(a->data(), a->data() + a->size(), dst);
      return absl::OkStatus();
    };
    MONOSEM_RETURN_IF_ERROR(model.Forward(params, b, &cache, &harvest));
    if (bar) bar->Update(w0 + nb);
  }
  return acts;
}

absl::Status WriteLanding(const BrowseArgs& a, const LabelledStream& s, const sae::LoadedSae& sae) {
  const std::string page = absl::StrCat(
      "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>monosem browse</title>"
      "<style>", PageCss(), "</style></head><body>\n<h1>monosem feature browser</h1>\n<p>",
      s.size(), " tokens of ",
      HtmlEscape(a.corpus != nullptr ? "held-out text"
                 : a.data.empty()    ? "the built-in labelled corpus"
                                     : a.data),
      " through the transformer ", HtmlEscape(a.transformer), ".</p>\n<ul><li><a href=\"sae/index.html\">",
      sae.spec.f, " features of the SAE ", HtmlEscape(a.sae), " (", sae::ArchName(sae.spec.arch),
      ")</a></li>\n<li><a href=\"neurons/index.html\">the MLP's ", sae.spec.d,
      " neurons</a></li></ul>\n</body></html>\n");
  return WriteFileAtomic(a.out + "/index.html", page);
}

}  // namespace

absl::Status Browse(const BrowseArgs& a) {
  MONOSEM_ASSIGN_OR_RETURN(std::string chartjs, LoadChartJs());
  TransformerDims dims;
  MONOSEM_ASSIGN_OR_RETURN(NamedTensors params, LoadTransformerWeights(a.transformer, &dims));
  MONOSEM_ASSIGN_OR_RETURN(sae::LoadedSae sae, sae::LoadSaeLens(a.sae));
  if (sae.spec.d != dims.d_mlp) {
    return absl::InvalidArgumentError(absl::StrCat(a.sae, ": the SAE reads ", sae.spec.d,
                                                   "-wide vectors but the MLP of ", a.transformer,
                                                   " has ", dims.d_mlp, " neurons"));
  }
  if (a.contexts <= 0) return absl::InvalidArgumentError("browse: --contexts must be > 0");
  MONOSEM_ASSIGN_OR_RETURN(Corpus leaves, BrowseText(a, a.contexts * dims.n_ctx));
  const Corpus corpus = TopLevelCorpus(leaves);
  const int64_t ctx = std::min<int64_t>(dims.n_ctx, corpus.size());
  const int64_t tokens = corpus.size() / ctx * ctx;
  if (tokens == 0) return absl::InvalidArgumentError(absl::StrCat(a.data, ": no text to browse"));
  LabelledStream s;
  s.bytes.assign(corpus.bytes.begin(), corpus.bytes.begin() + tokens);
  s.genre.assign(corpus.label.begin(), corpus.label.begin() + tokens);
  s.genre_names = corpus.labels.names;

  MONOSEM_ASSIGN_OR_RETURN(auto backend, BackendRegistry::Create(a.backend));
  MONOSEM_RETURN_IF_ERROR(backend->Available());
  MONOSEM_ASSIGN_OR_RETURN(Transformer model, Transformer::Create(dims, backend.get()));
  MONOSEM_ASSIGN_OR_RETURN(std::vector<float> acts, MlpActs(model, params, s, ctx, a.progress));

  const int64_t d_mlp = dims.d_mlp, d_model = dims.d_model, vocab = dims.vocab, f = sae.spec.f;
  const float* w_out = params.at("mlp.W_out").data();

  // The neurons: activations as they are; direction = the neuron's W_out row.
  BrowserUnits neurons;
  neurons.kind = "neuron";
  neurons.title = absl::StrCat("the MLP's ", d_mlp, " neurons");
  neurons.acts.resize(d_mlp);
  for (int64_t t = 0; t < tokens; ++t) {
    for (int64_t j = 0; j < d_mlp; ++j) {
      const float v = acts[t * d_mlp + j];
      if (v > 0) {
        neurons.acts[j].token.push_back(t);
        neurons.acts[j].value.push_back(v);
      }
    }
  }
  neurons.dim = d_model;
  neurons.directions.assign(w_out, w_out + d_mlp * d_model);
  neurons.vocab = vocab;
  neurons.logit_effects.resize(d_mlp * vocab);
  for (int64_t j = 0; j < d_mlp; ++j) {
    LogitEffect(w_out + j * d_model, params, d_model, vocab, &neurons.logit_effects[j * vocab]);
  }
  neurons.notes = "Logit effects: the neuron's W_out row through the final LayerNorm's centring "
                  "and gain and the unembedding. Nearest: cosine of W_out rows.";
  neurons.compare_link = "../sae/index.html";
  neurons.compare_name = "the SAE's features";

  // The SAE's features, encoded in batches.
  MONOSEM_ASSIGN_OR_RETURN(auto kernels, sae::SaeKernelRegistry::Create(*backend));
  BrowserUnits features;
  features.kind = "feature";
  features.title = absl::StrCat("SAE ", sae::ArchName(sae.spec.arch), " F=", f, " on the MLP");
  features.acts.resize(f);
  {
    std::unique_ptr<Progress> bar;
    if (a.progress) bar = std::make_unique<Progress>("browse: SAE codes", tokens, "tokens");
    const int64_t rows = 1024;
    sae::SaeCodes codes;
    Tensor x_hat;
    for (int64_t t0 = 0; t0 < tokens; t0 += rows) {
      const int64_t n = std::min(rows, tokens - t0);
      Tensor x = Tensor::Uninitialized({n, d_mlp});
      std::copy(acts.data() + t0 * d_mlp, acts.data() + (t0 + n) * d_mlp, x.data());
      EnsureShape(&x_hat, x.shape());
      MONOSEM_RETURN_IF_ERROR(kernels->Forward(sae.spec, sae.params, x, &codes, &x_hat));
      for (int64_t r = 0; r < n; ++r) {
        auto add = [&](int64_t i, float v) {
          if (v > 0) {
            features.acts[i].token.push_back(t0 + r);
            features.acts[i].value.push_back(v);
          }
        };
        if (codes.sparse) {
          for (int64_t k = codes.row_ptr[r]; k < codes.row_ptr[r + 1]; ++k) add(codes.idx[k], codes.val[k]);
        } else {
          for (int64_t i = 0; i < f; ++i) add(i, codes.dense.data()[r * f + i]);
        }
      }
      if (bar) bar->Update(t0 + n);
    }
  }
  features.dim = d_mlp;
  const float* w_dec = sae.params.w_dec.data();
  features.directions.assign(w_dec, w_dec + f * d_mlp);
  features.vocab = vocab;
  features.logit_effects.resize(f * vocab);
  std::vector<float> r(d_model);
  for (int64_t i = 0; i < f; ++i) {
    std::fill(r.begin(), r.end(), 0.0f);
    for (int64_t j = 0; j < d_mlp; ++j) {
      const float c = w_dec[i * d_mlp + j];
      if (c == 0) continue;
      for (int64_t k = 0; k < d_model; ++k) r[k] += c * w_out[j * d_model + k];
    }
    LogitEffect(r.data(), params, d_model, vocab, &features.logit_effects[i * vocab]);
  }
  features.notes = "Logit effects: the decoder row through W_out, the final LayerNorm's centring "
                   "and gain, and the unembedding. Nearest: cosine of decoder rows.";
  features.compare_link = "../neurons/index.html";
  features.compare_name = "the MLP's neurons";

  MONOSEM_RETURN_IF_ERROR(MakeDirs(a.out));
  {
    std::unique_ptr<Progress> bar;
    if (a.progress) bar = std::make_unique<Progress>("browse: pages", 2, "browsers");
    MONOSEM_RETURN_IF_ERROR(WriteBrowser(features, s, a.options, chartjs, a.out + "/sae"));
    if (bar) bar->Update(1);
    MONOSEM_RETURN_IF_ERROR(WriteBrowser(neurons, s, a.options, chartjs, a.out + "/neurons"));
    if (bar) bar->Update(2);
  }
  return WriteLanding(a, s, sae);
}

}  // namespace monosem::report
