// SAELens folders: round trip, the W_enc transpose, a hand-written SAELens
// folder (v5 keys, apply_b_dec_to_input = false), FoldInputScale, and every
// bad-input error naming its file and field or tensor.
#include <cmath>
#include <cstring>
#include <filesystem>
#include <string>

#include "gtest/gtest.h"
#include "monosem/io/file_io.h"
#include "monosem/io/safetensors.h"
#include "monosem/models/sae/sae_io.h"
#include "monosem/models/sae/sae_kernels.h"
#include "monosem/philox.h"
#include "nlohmann/json.hpp"
#include "tests/testing/tmp_dir.h"

namespace monosem::sae {
namespace {

using ::monosem::testing::TmpDir;

namespace fs = std::filesystem;

SaeSpec Spec(Arch a) {
  SaeSpec s;
  s.arch = a;
  s.d = 5;  // d != F so a missing transpose cannot go unnoticed
  s.f = 7;
  s.k = UsesK(a) ? 3 : 0;
  if (a == Arch::kMatryoshkaBatchTopK) s.prefix_widths = {1, 3, 7};
  s.k_aux = a == Arch::kTopK ? 2 : 0;
  s.l1 = 0.125f;
  s.aux_coef = 0.0625f;
  s.bandwidth = 0.002f;
  return s;
}

// Random parameters; thresholds only where the architecture has them
// (batch_topk: one global value, broadcast).
SaeParams RandomParams(const SaeSpec& s, uint64_t seed) {
  SaeParams p = SaeParams::Zeros(s);
  Philox g(seed, 7);
  uint64_t c = 0;
  for (auto& [name, t] : p.Named()) {
    if (name == "threshold") continue;
    for (int64_t i = 0; i < t->size(); ++i) (*t)[i] = g.NormalAt(c++) * 0.5f;
  }
  if (s.arch == Arch::kJumpReLU) {
    for (int64_t i = 0; i < s.f; ++i) p.threshold[i] = 0.05f + 0.1f * g.UniformAt(c++);
  }
  if (IsBatchTopK(s.arch)) p.threshold.Fill(0.17f);
  return p;
}

Tensor RandomX(int64_t n, int64_t d, uint64_t seed) {
  Tensor x({n, d});
  Philox g(seed, 9);
  for (int64_t i = 0; i < x.size(); ++i) x[i] = g.NormalAt(i);
  return x;
}

Tensor Forward(const SaeSpec& s, const SaeParams& p, const Tensor& x) {
  auto k = SaeKernelRegistry::Create(BackendRegistry::Create("reference"));
  EXPECT_TRUE(k.ok()) << k.status();
  Tensor xh({x.dim(0), x.dim(1)});
  absl::Status st = (*k)->Forward(s, p, x, nullptr, &xh);
  EXPECT_TRUE(st.ok()) << st;
  return xh;
}

void ExpectBitwise(const SaeParams& a, const SaeParams& b) {
  const auto na = a.Named(), nb = b.Named();
  ASSERT_EQ(na.size(), nb.size());
  for (size_t t = 0; t < na.size(); ++t) {
    ASSERT_EQ(na[t].second->shape(), nb[t].second->shape()) << na[t].first;
    EXPECT_EQ(0, std::memcmp(na[t].second->data(), nb[t].second->data(), na[t].second->size() * 4))
        << na[t].first;
  }
}

class SaeLensRoundTrip : public ::testing::TestWithParam<Arch> {};

TEST_P(SaeLensRoundTrip, ParamsSpecAndForwardSurvive) {
  const SaeSpec s = Spec(GetParam());
  const SaeParams p = RandomParams(s, 3);
  const std::string dir = TmpDir(std::string("rt_") + ArchName(s.arch));
  ASSERT_TRUE(SaveSaeLens(dir, s, p, {{"hook_name", "blocks.0.mlp.hook_post"}}).ok());
  EXPECT_FALSE(fs::exists(dir + ".partial"));
  auto loaded = LoadSaeLens(dir);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->spec.arch, s.arch);
  EXPECT_EQ(loaded->spec.d, s.d);
  EXPECT_EQ(loaded->spec.f, s.f);
  EXPECT_EQ(loaded->spec.k, s.k);
  EXPECT_EQ(loaded->spec.k_aux, s.k_aux);
  EXPECT_EQ(loaded->spec.l1, s.l1);
  EXPECT_EQ(loaded->spec.aux_coef, s.aux_coef);
  EXPECT_EQ(loaded->spec.bandwidth, s.bandwidth);
  EXPECT_EQ(loaded->spec.prefix_widths, s.prefix_widths);
  EXPECT_EQ(loaded->metadata["hook_name"], "blocks.0.mlp.hook_post");
  ExpectBitwise(p, loaded->params);
  const Tensor x = RandomX(11, s.d, 4);
  const Tensor a = Forward(s, p, x), b = Forward(loaded->spec, loaded->params, x);
  EXPECT_EQ(0, std::memcmp(a.data(), b.data(), a.size() * 4));

  // SAELens's own keys, both styles.
  auto cfg = nlohmann::json::parse(*ReadFile(dir + "/cfg.json"));
  const char* want_arch = s.arch == Arch::kReluL1 ? "standard"
                          : s.arch == Arch::kTopK ? "topk"
                          : s.arch == Arch::kGated ? "gated"
                                                  : "jumprelu";
  EXPECT_EQ(cfg["architecture"], want_arch);
  EXPECT_EQ(cfg["d_in"], 5);
  EXPECT_EQ(cfg["d_sae"], 7);
  EXPECT_EQ(cfg["dtype"], "float32");
  EXPECT_EQ(cfg["apply_b_dec_to_input"], true);
  EXPECT_EQ(cfg["normalize_activations"], "none");
  EXPECT_EQ(cfg["activation_fn_str"], s.arch == Arch::kTopK ? "topk" : "relu");
  if (s.arch == Arch::kTopK) {
    EXPECT_EQ(cfg["k"], 3);
    EXPECT_EQ(cfg["activation_fn_kwargs"]["k"], 3);
  }
  EXPECT_EQ(cfg["monosem"]["arch"], ArchName(s.arch));
  auto st = ReadSafetensors(dir + "/sae_weights.safetensors");
  ASSERT_TRUE(st.ok());
  const bool has_threshold = s.arch == Arch::kJumpReLU || IsBatchTopK(s.arch);
  EXPECT_EQ(st->tensors.count("threshold"), has_threshold ? 1u : 0u);
  // SAELens's gated names: b_gate (no b_enc), r_mag, b_mag.
  const bool gated = s.arch == Arch::kGated;
  EXPECT_EQ(st->tensors.count("b_enc"), gated ? 0u : 1u);
  for (const char* n : {"b_gate", "r_mag", "b_mag"}) EXPECT_EQ(st->tensors.count(n), gated ? 1u : 0u) << n;
  if (s.arch == Arch::kMatryoshkaBatchTopK) {
    EXPECT_EQ(cfg["matryoshka_widths"], nlohmann::json::array({1, 3, 7}));
    EXPECT_EQ(cfg["monosem"]["matryoshka_widths"], nlohmann::json::array({1, 3, 7}));
  } else {
    EXPECT_FALSE(cfg.contains("matryoshka_widths"));
    EXPECT_FALSE(cfg["monosem"].contains("matryoshka_widths"));
  }
}

INSTANTIATE_TEST_SUITE_P(All, SaeLensRoundTrip,
                         ::testing::Values(Arch::kReluL1, Arch::kTopK, Arch::kBatchTopK, Arch::kJumpReLU,
                                           Arch::kGated, Arch::kMatryoshkaBatchTopK),
                         [](const auto& info) { return std::string(ArchName(info.param)); });

TEST(SaeLens, WEncIsStoredTransposedInTheRawFile) {
  const SaeSpec s = Spec(Arch::kReluL1);
  const SaeParams p = RandomParams(s, 5);
  const std::string dir = TmpDir("raw");
  ASSERT_TRUE(SaveSaeLens(dir, s, p).ok());
  // Read the header by hand, not through our reader.
  const std::string bytes = *ReadFile(dir + "/sae_weights.safetensors");
  uint64_t n = 0;
  for (int i = 0; i < 8; ++i) n |= static_cast<uint64_t>(static_cast<unsigned char>(bytes[i])) << (8 * i);
  auto header = nlohmann::json::parse(bytes.substr(8, n));
  EXPECT_EQ(header["W_enc"]["shape"], (std::vector<int64_t>{5, 7}));  // [d_in, d_sae]
  EXPECT_EQ(header["W_dec"]["shape"], (std::vector<int64_t>{7, 5}));  // [d_sae, d_in]
  const uint64_t begin = header["W_enc"]["data_offsets"][0].get<uint64_t>();
  // SAELens W_enc[j=2, i=6] is our encoder row 6, column 2.
  const int64_t i = 6, j = 2;
  float got;
  std::memcpy(&got, bytes.data() + 8 + n + begin + (j * s.f + i) * 4, 4);
  EXPECT_EQ(got, p.w_enc[i * s.d + j]);
  EXPECT_NE(got, p.w_enc[j * s.d + i]);  // what an untransposed copy would hold
}

// A folder as SAELens v5 writes it: "standard" + activation_fn_str, and
// apply_b_dec_to_input = false (pre = W_enc^T x + b_enc, no b_dec shift).
TEST(SaeLens, HandWrittenV5FolderLoadsAndMatchesHandComputation) {
  const std::string dir = TmpDir("v5");
  ASSERT_TRUE(MakeDirs(dir).ok());
  // d_in = 3, d_sae = 2. SAELens layout: W_enc [3, 2], W_dec [2, 3].
  std::map<std::string, Tensor> t;
  t.emplace("W_enc", *Tensor::FromValues({3, 2}, {1, -1, 2, 0.5f, 0, 1}));
  t.emplace("W_dec", *Tensor::FromValues({2, 3}, {1, 0, 0, 0, 1, 1}));
  t.emplace("b_enc", *Tensor::FromValues({2}, {0.5f, -4}));
  t.emplace("b_dec", *Tensor::FromValues({3}, {10, 20, 30}));
  ASSERT_TRUE(WriteSafetensors(dir + "/sae_weights.safetensors", t).ok());
  ASSERT_TRUE(WriteFileAtomic(dir + "/cfg.json", R"({
    "architecture": "standard", "d_in": 3, "d_sae": 2, "dtype": "torch.float32",
    "device": "cuda", "activation_fn_str": "relu", "activation_fn_kwargs": {},
    "apply_b_dec_to_input": false, "normalize_activations": "none",
    "model_name": "gelu-1l", "hook_name": "blocks.0.hook_mlp_out", "hook_layer": 0})")
                  .ok());
  auto sae = LoadSaeLens(dir);
  ASSERT_TRUE(sae.ok()) << sae.status();
  EXPECT_EQ(sae->spec.arch, Arch::kReluL1);
  EXPECT_EQ(sae->metadata["model_name"], "gelu-1l");
  EXPECT_EQ(sae->metadata["hook_layer"], "0");
  // x = (1, 2, 3): pre_0 = 1*1 + 2*2 + 3*0 + 0.5 = 5.5, pre_1 = -1 + 1 + 3 - 4 = -1
  // f = (5.5, 0); x_hat = 5.5 * (1, 0, 0) + (10, 20, 30) = (15.5, 20, 30).
  Tensor x = *Tensor::FromValues({1, 3}, {1, 2, 3});
  Tensor xh = Forward(sae->spec, sae->params, x);
  EXPECT_NEAR(xh[0], 15.5, 1e-5);
  EXPECT_NEAR(xh[1], 20.0, 1e-5);
  EXPECT_NEAR(xh[2], 30.0, 1e-5);
  // The folded bias: b_enc' = b_enc + W_enc b_dec = (0.5 + 10 + 40, -4 - 10 + 10 + 30).
  EXPECT_FLOAT_EQ(sae->params.b_enc[0], 50.5f);
  EXPECT_FLOAT_EQ(sae->params.b_enc[1], 26.0f);
}

TEST(SaeLens, V5TopKFolderUsesActivationFnKwargs) {
  const std::string dir = TmpDir("v5topk");
  ASSERT_TRUE(MakeDirs(dir).ok());
  std::map<std::string, Tensor> t;
  t.emplace("W_enc", *Tensor::FromValues({2, 3}, {1, 2, 3, 0, 0, 0}));
  t.emplace("W_dec", *Tensor::FromValues({3, 2}, {1, 0, 0, 1, 1, 1}));
  t.emplace("b_enc", Tensor({3}));
  t.emplace("b_dec", Tensor({2}));
  ASSERT_TRUE(WriteSafetensors(dir + "/sae_weights.safetensors", t).ok());
  ASSERT_TRUE(WriteFileAtomic(dir + "/cfg.json", R"({"architecture": "standard", "d_in": 2,
    "d_sae": 3, "activation_fn_str": "topk", "activation_fn_kwargs": {"k": 1}})").ok());
  auto sae = LoadSaeLens(dir);
  ASSERT_TRUE(sae.ok()) << sae.status();
  EXPECT_EQ(sae->spec.arch, Arch::kTopK);
  EXPECT_EQ(sae->spec.k, 1);
  // x = (1, 0): pre = (1, 2, 3); top-1 keeps latent 2: x_hat = 3 * (1, 1).
  Tensor xh = Forward(sae->spec, sae->params, *Tensor::FromValues({1, 2}, {1, 0}));
  EXPECT_FLOAT_EQ(xh[0], 3.0f);
  EXPECT_FLOAT_EQ(xh[1], 3.0f);
}

TEST(SaeLens, HandWrittenGatedFolderLoadsAndMatchesHandComputation) {
  const std::string dir = TmpDir("gated_v6");
  ASSERT_TRUE(MakeDirs(dir).ok());
  // d_in = d_sae = 2, W_enc = W_dec = I; apply_b_dec_to_input = false.
  std::map<std::string, Tensor> t;
  t.emplace("W_enc", *Tensor::FromValues({2, 2}, {1, 0, 0, 1}));
  t.emplace("W_dec", *Tensor::FromValues({2, 2}, {1, 0, 0, 1}));
  t.emplace("b_gate", *Tensor::FromValues({2}, {0, -10}));
  t.emplace("r_mag", *Tensor::FromValues({2}, {std::log(2.0f), 0}));
  t.emplace("b_mag", *Tensor::FromValues({2}, {1, 0}));
  t.emplace("b_dec", *Tensor::FromValues({2}, {1, 1}));
  ASSERT_TRUE(WriteSafetensors(dir + "/sae_weights.safetensors", t).ok());
  ASSERT_TRUE(WriteFileAtomic(dir + "/cfg.json", R"({"architecture": "gated", "d_in": 2,
    "d_sae": 2, "dtype": "float32", "apply_b_dec_to_input": false,
    "metadata": {"hook_name": "h"}})").ok());
  auto sae = LoadSaeLens(dir);
  ASSERT_TRUE(sae.ok()) << sae.status();
  EXPECT_EQ(sae->spec.arch, Arch::kGated);
  // x = (3, 5): pi_gate = (3, -5): only latent 0 is open; pi_mag = (2*3 + 1, 5)
  // so f = (7, 0) and x_hat = 7 * (1, 0) + (1, 1) = (8, 1).
  Tensor xh = Forward(sae->spec, sae->params, *Tensor::FromValues({1, 2}, {3, 5}));
  EXPECT_NEAR(xh[0], 8.0, 1e-5);
  EXPECT_NEAR(xh[1], 1.0, 1e-5);
}

class FoldScale : public ::testing::TestWithParam<Arch> {};

TEST_P(FoldScale, RawInputsReconstructLikeScaledOnes) {
  const SaeSpec s = Spec(GetParam());
  const SaeParams p = RandomParams(s, 11);
  const float scale = 3.7f;
  const SaeParams raw = FoldInputScale(s, p, scale);
  EXPECT_EQ(0, std::memcmp(raw.b_enc.data(), p.b_enc.data(), s.f * 4));
  EXPECT_EQ(0, std::memcmp(raw.threshold.data(), p.threshold.data(), s.f * 4));
  const Tensor x = RandomX(16, s.d, 12);
  Tensor xs({16, s.d});
  for (int64_t t = 0; t < x.size(); ++t) xs[t] = x[t] * scale;
  const Tensor a = Forward(s, p, xs);    // SAE on scaled inputs
  const Tensor b = Forward(s, raw, x);   // folded SAE on raw inputs
  double worst = 0, amax = 0;
  for (int64_t t = 0; t < a.size(); ++t) {
    worst = std::max(worst, std::fabs(static_cast<double>(a[t]) - static_cast<double>(b[t]) * scale));
    amax = std::max(amax, std::fabs(static_cast<double>(a[t])));
  }
  // A few float roundings per term of a depth-d (and depth-F) sum.
  const double tol = 8 * 1.2e-7 * (s.d + s.f) * amax;
  EXPECT_LE(worst, tol) << ArchName(s.arch);
  EXPECT_GT(amax, 0.1);
}

INSTANTIATE_TEST_SUITE_P(All, FoldScale,
                         ::testing::Values(Arch::kReluL1, Arch::kTopK, Arch::kBatchTopK, Arch::kJumpReLU,
                                           Arch::kGated, Arch::kMatryoshkaBatchTopK),
                         [](const auto& info) { return std::string(ArchName(info.param)); });

// A good monosem folder to corrupt one piece at a time.
std::string GoodFolder(const std::string& name, Arch a = Arch::kJumpReLU) {
  const std::string dir = TmpDir(name);
  const SaeSpec s = Spec(a);
  EXPECT_TRUE(SaveSaeLens(dir, s, RandomParams(s, 1)).ok());
  return dir;
}

void EditCfg(const std::string& dir, const std::function<void(nlohmann::json&)>& edit) {
  auto j = nlohmann::json::parse(*ReadFile(dir + "/cfg.json"));
  edit(j);
  ASSERT_TRUE(WriteFileAtomic(dir + "/cfg.json", j.dump()).ok());
}

void EditWeights(const std::string& dir, const std::function<void(std::map<std::string, Tensor>&)>& edit) {
  auto st = ReadSafetensors(dir + "/sae_weights.safetensors");
  ASSERT_TRUE(st.ok());
  edit(st->tensors);
  ASSERT_TRUE(WriteSafetensors(dir + "/sae_weights.safetensors", st->tensors).ok());
}

void ExpectError(const std::string& dir, std::initializer_list<const char*> parts) {
  auto r = LoadSaeLens(dir);
  ASSERT_FALSE(r.ok()) << dir << " loaded";
  const std::string msg(r.status().message());
  for (const char* p : parts) EXPECT_NE(msg.find(p), std::string::npos) << "'" << p << "' not in: " << msg;
}

TEST(SaeLensBadInput, ErrorsNameTheFileAndField) {
  std::string d = GoodFolder("bad_json");
  ASSERT_TRUE(WriteFileAtomic(d + "/cfg.json", "{\"d_in\": 5,").ok());
  ExpectError(d, {"cfg.json", "not valid JSON"});

  d = GoodFolder("bad_array");
  ASSERT_TRUE(WriteFileAtomic(d + "/cfg.json", "[1, 2]").ok());
  ExpectError(d, {"cfg.json", "must be a JSON object"});

  d = GoodFolder("bad_dtype");
  EditCfg(d, [](auto& j) { j["dtype"] = "bfloat16"; });
  ExpectError(d, {"cfg.json", "'dtype'", "bfloat16"});

  d = GoodFolder("bad_norm");
  EditCfg(d, [](auto& j) { j["normalize_activations"] = "expected_average_only_in"; });
  ExpectError(d, {"cfg.json", "'normalize_activations'", "expected_average_only_in"});

  d = GoodFolder("null_norm");  // null means none: loads
  EditCfg(d, [](auto& j) { j["normalize_activations"] = nullptr; });
  EXPECT_TRUE(LoadSaeLens(d).ok());

  d = GoodFolder("bad_arch");
  EditCfg(d, [](auto& j) { j["architecture"] = "transcoder"; j.erase("monosem"); });
  ExpectError(d, {"cfg.json", "'architecture'", "transcoder"});

  d = GoodFolder("no_arch");  // no longer guessed as "standard"
  EditCfg(d, [](auto& j) { j.erase("architecture"); j.erase("monosem"); });
  ExpectError(d, {"cfg.json", "'architecture' is missing"});

  d = GoodFolder("null_dtype");
  EditCfg(d, [](auto& j) { j["dtype"] = nullptr; });
  ExpectError(d, {"cfg.json", "'dtype'", "null"});

  d = GoodFolder("k_conflict", Arch::kTopK);  // which k SAELens used is unknowable
  EditCfg(d, [](auto& j) { j["k"] = 2; j["activation_fn_kwargs"] = {{"k", 3}}; j.erase("monosem"); });
  ExpectError(d, {"cfg.json", "'k' (2) contradicts 'activation_fn_kwargs.k' (3)"});

  d = GoodFolder("huge_d_in");  // refused before anything is allocated from it
  EditCfg(d, [](auto& j) { j["d_in"] = int64_t{1000000000000}; j.erase("monosem"); });
  ExpectError(d, {"cfg.json", "d_in 1000000000000", "needs an estimated"});

  d = GoodFolder("no_d_in");
  EditCfg(d, [](auto& j) { j.erase("d_in"); });
  ExpectError(d, {"cfg.json", "'d_in' is missing"});

  d = GoodFolder("bad_k", Arch::kTopK);
  EditCfg(d, [](auto& j) { j["k"] = 2.5; j.erase("monosem"); });
  ExpectError(d, {"cfg.json", "'k'"});

  d = GoodFolder("contradiction");
  EditCfg(d, [](auto& j) { j["d_sae"] = 8; });
  ExpectError(d, {"cfg.json", "'monosem'"});

  d = GoodFolder("no_bdec");
  EditWeights(d, [](auto& t) { t.erase("b_dec"); });
  ExpectError(d, {"sae_weights.safetensors", "missing tensor 'b_dec'"});

  d = GoodFolder("no_threshold");
  EditWeights(d, [](auto& t) { t.erase("threshold"); });
  ExpectError(d, {"sae_weights.safetensors", "missing tensor 'threshold'"});

  d = GoodFolder("untransposed");  // our [F, d] orientation where SAELens wants [d, F]
  EditWeights(d, [](auto& t) { t["W_enc"] = Tensor({7, 5}); });
  ExpectError(d, {"sae_weights.safetensors", "tensor 'W_enc' has shape [7, 5]", "[5, 7]"});

  d = GoodFolder("nan_weight");
  EditWeights(d, [](auto& t) { t["W_dec"][4] = std::nanf(""); });
  ExpectError(d, {"sae_weights.safetensors", "tensor 'W_dec'[4] = nan", "must be finite"});

  d = GoodFolder("inf_bias");
  EditWeights(d, [](auto& t) { t["b_enc"][0] = -INFINITY; });
  ExpectError(d, {"sae_weights.safetensors", "tensor 'b_enc'[0] = -inf"});

  d = GoodFolder("neg_threshold");
  EditWeights(d, [](auto& t) { t["threshold"][3] = -0.5f; });
  ExpectError(d, {"sae_weights.safetensors", "'threshold'[3]"});

  d = GoodFolder("truncated");
  {
    std::string bytes = *ReadFile(d + "/sae_weights.safetensors");
    ASSERT_TRUE(WriteFileAtomic(d + "/sae_weights.safetensors", bytes.substr(0, bytes.size() - 4)).ok());
  }
  ExpectError(d, {"sae_weights.safetensors"});

  ExpectError(TmpDir("nonexistent"), {"nonexistent/cfg.json"});
}

TEST(SaeLensBadInput, FailedSaveLeavesNoFolderAndKeepsTheOldOne) {
  const SaeSpec s = Spec(Arch::kTopK);
  const std::map<std::string, std::string> bad = {{"note", std::string("\xff\xfe", 2)}};
  // A fresh folder: nothing is left behind.
  const std::string fresh = TmpDir("fail_fresh");
  absl::Status st = SaveSaeLens(fresh, s, RandomParams(s, 1), bad);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("metadata 'note'"), std::string::npos) << st;
  EXPECT_FALSE(fs::exists(fresh));
  EXPECT_FALSE(fs::exists(fresh + ".partial"));
  // An existing good folder survives a failed overwrite untouched.
  const std::string dir = TmpDir("fail_keep");
  const SaeParams good = RandomParams(s, 2);
  ASSERT_TRUE(SaveSaeLens(dir, s, good).ok());
  ASSERT_FALSE(SaveSaeLens(dir, s, RandomParams(s, 3), bad).ok());
  EXPECT_FALSE(fs::exists(dir + ".partial"));
  auto loaded = LoadSaeLens(dir);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  ExpectBitwise(good, loaded->params);
  // Bad params are refused before anything is written.
  SaeParams wrong = RandomParams(s, 4);
  wrong.b_dec = Tensor({3});
  EXPECT_FALSE(SaveSaeLens(TmpDir("fail_shape"), s, wrong).ok());
  EXPECT_FALSE(fs::exists(TmpDir("fail_shape")));
}

TEST(SaeLens, MatryoshkaTrainingFolderLoadsWithItsWidthsAndThreshold) {
  const std::string dir = TmpDir("matryoshka_train");
  ASSERT_TRUE(MakeDirs(dir).ok());
  std::map<std::string, Tensor> t;
  t.emplace("W_enc", Tensor({2, 3}));
  t.emplace("W_dec", Tensor({3, 2}));
  t.emplace("b_enc", Tensor({3}));
  t.emplace("b_dec", Tensor({2}));
  t.emplace("topk_threshold", *Tensor::FromValues({1}, {0.25f}));
  ASSERT_TRUE(WriteSafetensors(dir + "/sae_weights.safetensors", t).ok());
  // The widths stop short of d_sae: SAELens appends it.
  ASSERT_TRUE(WriteFileAtomic(dir + "/cfg.json", R"({"architecture": "matryoshka_batchtopk",
    "d_in": 2, "d_sae": 3, "k": 1, "matryoshka_widths": [1, 2]})").ok());
  auto sae = LoadSaeLens(dir);
  ASSERT_TRUE(sae.ok()) << sae.status();
  EXPECT_EQ(sae->spec.arch, Arch::kMatryoshkaBatchTopK);
  EXPECT_EQ(sae->spec.k, 1);
  EXPECT_EQ(sae->spec.prefix_widths, (std::vector<int64_t>{1, 2, 3}));
  for (int64_t i = 0; i < 3; ++i) EXPECT_EQ(sae->params.threshold[i], 0.25f);
  EXPECT_EQ(sae->metadata.count("matryoshka_widths"), 0u);

  EditCfg(dir, [](nlohmann::json& j) { j.erase("matryoshka_widths"); });
  ExpectError(dir, {"cfg.json", "matryoshka_widths", "missing"});
  EditCfg(dir, [](nlohmann::json& j) { j["matryoshka_widths"] = {2, 1}; });
  ExpectError(dir, {"cfg.json", "strictly increasing"});
}

TEST(SaeLensBadInput, GatedTensorsMissingOrMisshapenAreNamed) {
  std::string d = GoodFolder("gated_no_rmag", Arch::kGated);
  EditWeights(d, [](std::map<std::string, Tensor>& t) { t.erase("r_mag"); });
  ExpectError(d, {"sae_weights.safetensors", "r_mag"});
  d = GoodFolder("gated_bad_bmag", Arch::kGated);
  EditWeights(d, [](std::map<std::string, Tensor>& t) { t["b_mag"] = Tensor({6}); });
  ExpectError(d, {"sae_weights.safetensors", "'b_mag'", "[6]", "[7]"});
  d = GoodFolder("gated_b_enc_only", Arch::kGated);
  EditWeights(d, [](std::map<std::string, Tensor>& t) {
    t.emplace("b_enc", std::move(t.at("b_gate")));
    t.erase("b_gate");
  });
  ExpectError(d, {"sae_weights.safetensors", "b_gate"});
}

}  // namespace
}  // namespace monosem::sae
