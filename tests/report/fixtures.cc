#include "tests/report/fixtures.h"

#include <cmath>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "monosem/io/file_io.h"
#include "monosem/models/sae/sae_io.h"
#include "monosem/models/transformer/trainer.h"
#include "monosem/philox.h"
#include "monosem/results.h"

namespace monosem::testing {
namespace {

std::string Tmp(const std::string& name) {
  const char* t = std::getenv("TEST_TMPDIR");
  return absl::StrCat(t != nullptr ? t : "/tmp", "/", name);
}

void Write(const std::string& dir, const std::string& file, const std::string& text) {
  ASSERT_TRUE(WriteFileAtomic(dir + "/" + file, text).ok()) << file;
}

std::string ToyFeatures(int n, int m) {
  std::string csv = "model,sparsity,feature,importance,norm,interference,dimensionality";
  for (int k = 0; k < m; ++k) absl::StrAppend(&csv, ",w", k);
  csv += "\n";
  for (const char* model : {"linear", "relu"}) {
    for (const char* s : {"0", "0.9"}) {
      for (int i = 0; i < n; ++i) {
        absl::StrAppend(&csv, model, ",", s, ",", i, ",", 1.0 / (i + 1), ",", 1.0 - 0.1 * i, ",",
                        0.1 * i, ",", 0.5);
        for (int k = 0; k < m; ++k) absl::StrAppend(&csv, ",", ((i + k) % 3) - 1.0);
        csv += "\n";
      }
    }
  }
  return csv;
}

}  // namespace

std::string MakeResultsFolder(const std::string& name, bool all_figures) {
  const std::string dir = Tmp(name);
  EXPECT_TRUE(MakeDirs(dir).ok());
  ResultTable t;
  t.set_backend("cpu");
  t.set_quick(true);
  t.set_monosem_version("test");
  *t.add_rows() = MakeRow("toy", "passes", 1.0, AT_LEAST, 0.5, 0, "a paper");
  *t.add_rows() = MakeRow("sae", "fails", 0.1, AT_LEAST, 0.5, 0, "a paper", "why it failed");
  *t.add_rows() = MakeRow("sae", "report_only", 3.0, REPORT_ONLY, 0, 0, "a paper",
                          "note with <b>markup</b> & \"quotes\" <img src=x "
                          "onerror=\"document.body.setAttribute('data-pwned','1')\">");
  EXPECT_TRUE(WriteResultsJson(dir, t).ok());
  Write(dir, "toy_exp1_n20_m5.csv", ToyFeatures(6, 3));
  if (!all_figures) return dir;
  // The pentagon file: one instance per (model, sparsity) pair; keep two.
  std::string pent = "model,sparsity,feature,importance,norm,interference,dimensionality,w0,w1\n";
  for (int i = 0; i < 5; ++i) {
    absl::StrAppend(&pent, "relu,0.9,", i, ",1,1,0,0.4,", std::cos(i * 1.2566), ",", std::sin(i * 1.2566), "\n");
  }
  for (int i = 0; i < 5; ++i) absl::StrAppend(&pent, "relu,0,", i, ",1,1,0,1,", i == 0, ",", i == 1, "\n");
  Write(dir, "toy_exp2_n5_m2.csv", pent);
  std::string phase = "r,density,closed_form,exact,exact_loss,trained,trained_loss,w0,w1,b0,b1,"
                      "near_exact_boundary,near_closed_form_boundary\n";
  const char* classes[] = {"ignore_extra", "dedicate_to_extra", "antipodal"};
  for (double r : {0.1, 1.0, 10.0}) {
    for (double d : {0.01, 0.1, 1.0}) {
      const char* c = classes[(static_cast<int>(r * 7) + static_cast<int>(d * 13)) % 3];
      absl::StrAppend(&phase, r, ",", d, ",", c, ",", c, ",0.1,", c, ",0.1,0,0,0,0,0,0\n");
    }
  }
  Write(dir, "toy_exp3_phase_diagram.csv", phase);
  Write(dir, "toy_exp4_dstar_curve.csv",
        "sparsity,inv_density,d_star,features_per_dim,represented,sum_D,m\n"
        "0,1,1,1,30,30,30\n0.9,10,0.5,2,60,30,30\n0.99,100,0.4,2.5,75,30,30\n");
  Write(dir, "toy_exp4_dimensionality.csv",
        "sparsity,feature,norm,interference,dimensionality\n0,0,1,0,1\n0.9,0,1,0.5,0.5\n0.9,1,1,0.5,0.5\n");
  Write(dir, "transformer_loss_curve.csv",
        "model,step,train_loss_nats,unigram_entropy_nats\nA,1,5.5,3.2\nA,100,2.0,3.2\nB,1,5.4,3.2\nB,100,2.1,3.2\n");
  Write(dir, "transformer_loss_per_genre.csv",
        "model,genre,heldout_tokens,loss_nats_per_byte,unigram_entropy_nats\n"
        "A,prose,100,1.5,3.0\nA,dna,100,1.38,1.386\nB,prose,100,1.6,3.0\nB,dna,100,1.39,1.386\n");
  Write(dir, "transformer_genre_f1.csv",
        "model,genre,positives,best_neuron,threshold,predicted,f1\nA,prose,10,3,0.1,9,0.8\nA,dna,10,4,0.2,10,0.95\n");
  Write(dir, "transformer_polysemanticity_hist.csv",
        "model,genres_often_active,neurons\nA,0,10\nA,1,300\nA,2,202\n");
  Write(dir, "sae_density.csv",
        "# feature density over a window of 1000 vectors\nlog10_density_lo,log10_density_hi,count\n"
        "dead,dead,3\n-3.00,-2.50,10\n-2.50,-2.00,40\n");
  Write(dir, "sae_mlp_density_F1024.csv",
        "log10_density_lo,log10_density_hi,count\ndead,dead,100\n-5.00,-4.50,200\n-2.00,-1.50,724\n");
  Write(dir, "sae_frontier.csv",
        "arch,dict_size,lambda,k,l0,fvu,mse,mmcs,frac_recovered_0.9,dead_fraction\n"
        "relu_l1,64,0.01,0,20,0.05,0.1,0.8,0.7,0\nrelu_l1,64,0.1,0,8,0.1,0.2,0.9,0.8,0\n"
        "relu_l1,64,1,0,2,0.5,1,0.6,0.3,0.1\ntopk,64,0,8,8,0.04,0.1,0.9,0.9,0\n");
  Write(dir, "sae_mlp_ladder.csv",
        "dict_size,resampling,resampled,mse,fvu,l0,dead_fraction,ultralow_1e6,ultralow_1e5,"
        "loss_recovered,loss_recovered_mean_ablation,shrinkage,clean_loss,sae_loss,zero_loss,"
        "mean_ablated_loss,train_seconds\n"
        "512,1,3,0.1,0.2,30,0.01,0,0,0.8,0.7,0.9,1,1.2,3,2,10\n"
        "1024,1,3,0.08,0.15,25,0.02,0,0,0.85,0.75,0.9,1,1.15,3,2,20\n"
        "512,0,0,0.12,0.25,35,0.2,0,0,0.75,0.6,0.9,1,1.3,3,2,10\n"
        "1024,0,0,0.1,0.2,28,0.3,0,0,0.8,0.7,0.9,1,1.2,3,2,20\n");
  Write(dir, "sae_mlp_universality.csv",
        "kind,unit,max_corr\nfeature,0,0.9\nfeature,1,0.7\nneuron,0,0.4\nneuron,1,0.5\n");
  Write(dir, "sae_mlp_genre_f1.csv",
        "genre,tokens,dict_size,best_feature,feature_f1,feature_max_corr_to_B,best_neuron,"
        "neuron_threshold,neuron_f1\nprose,10,1024,5,0.9,0.8,3,0.1,0.7\ndna,10,1024,6,0.99,0.9,4,0.2,0.9\n");
  Write(dir, "sae_mlp_firing_bins.csv",
        "population,firing_bin,units,median_specificity,median_specificity_null\n"
        "neurons,9,300,0.3,0.28\nneurons,10,200,0.25,0.24\nF=1024,3,40,0.8,0.5\nF=1024,9,10,0.5,0.3\n");
  return dir;
}

std::string HostileText() {
  return "Dear <script>document.title='PWNED'</script> reader & friends, \"quoted\" and 'single'.\n"
         "<img src=x onerror=\"document.body.setAttribute('data-pwned','1')\"> &amp; &lt;b&gt;\n"
         "\xED\x95\x9C\xEA\xB5\xAD\xEC\x96\xB4 text, invalid \xFF\xFE bytes, cut \xED\x95 here.\n"
         "</div></table><!-- comment --> ]]> </script><script>alert(1)</script>\n";
}

BrowseFixture MakeBrowseFixture(const std::string& name) {
  BrowseFixture f;
  const std::string dir = Tmp(name);
  EXPECT_TRUE(MakeDirs(dir).ok());
  TransformerDims dims;
  dims.d_model = 16;
  dims.n_heads = 2;
  dims.n_ctx = 32;
  dims.d_mlp = 24;
  dims.vocab = 256;
  TrainOptions opt;
  opt.seed = 3;
  auto trainer = TransformerTrainer::Create(dims, opt);
  EXPECT_TRUE(trainer.ok()) << trainer.status();
  f.transformer = dir + "/transformer";
  EXPECT_TRUE((*trainer)->SaveCheckpoint(f.transformer).ok());

  sae::SaeSpec spec;
  spec.arch = sae::Arch::kReluL1;
  spec.d = dims.d_mlp;
  spec.f = 40;
  spec.l1 = 1e-3f;
  sae::SaeParams p = sae::SaeParams::Zeros(spec);
  const Philox rng(11, 0);
  uint64_t i = 0;
  for (int64_t k = 0; k < p.w_enc.size(); ++k) p.w_enc.data()[k] = rng.NormalAt(i++);
  for (int64_t k = 0; k < p.w_dec.size(); ++k) p.w_dec.data()[k] = rng.NormalAt(i++) * 0.2f;
  f.sae = dir + "/sae";
  EXPECT_TRUE(sae::SaveSaeLens(f.sae, spec, p).ok());

  std::string text;
  for (int r = 0; r < 24; ++r) absl::StrAppend(&text, HostileText(), "#", r, " ");
  f.text = dir + "/hostile.txt";
  EXPECT_TRUE(WriteFileAtomic(f.text, text).ok());
  return f;
}

}  // namespace monosem::testing
