// Every backend's transformer kernels against the reference's, kernel by
// kernel (forward and backward), on fresh Philox inputs and awkward shapes:
// context 1, primes, d_head not a multiple of 8, vocab not a multiple of 16.
// Outputs are poisoned with NaN first; tolerances scale with each output's
// reduction depth (monosem/compare.h).
#include <functional>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "monosem/backend.h"
#include "monosem/compare.h"
#include "monosem/models/transformer/transformer.h"
#include "monosem/models/transformer/transformer_kernels.h"
#include "monosem/philox.h"
#include "monosem/random_fill.h"
#include "tests/testing/cross_check.h"

namespace monosem::testing {
namespace {

struct Dims {
  int64_t batch, ctx, d, heads, vocab, mlp;
  std::string Name() const {
    return absl::StrCat("b", batch, "_s", ctx, "_d", d, "_h", heads, "_v", vocab, "_m", mlp);
  }
};

std::vector<Dims> Shapes() {
  return {{1, 1, 8, 2, 5, 7},      {2, 7, 12, 3, 17, 13},  {3, 13, 20, 2, 37, 11},
          {1, 31, 24, 4, 97, 29},  {2, 64, 64, 4, 256, 128}};
}

std::vector<std::string> Backends() {
  std::vector<std::string> out;
  for (const std::string& n : BackendRegistry::Names()) {
    if (n != "reference") out.push_back(n);
  }
  return out;
}

Tensor Rand(Shape s, uint64_t seed, uint64_t stream, float lo = -1, float hi = 1) {
  Tensor t = Tensor::Uninitialized(std::move(s));
  FillUniform(seed, stream, lo, hi, &t);
  return t;
}

Tensor Nan(Shape s) { return Tensor::Filled(std::move(s), NAN); }

std::vector<int32_t> Ids(int64_t n, int64_t vocab, uint64_t seed) {
  Philox rng(seed, 99);
  std::vector<int32_t> ids(n);
  for (auto& t : ids) t = static_cast<int32_t>(rng.UniformInt(static_cast<uint32_t>(vocab)));
  return ids;
}

class KernelsCross : public ::testing::TestWithParam<std::tuple<std::string, Dims>> {
 protected:
  void SetUp() override {
    const auto& [name, dims] = GetParam();
    auto b = BackendRegistry::Create(name);
    ASSERT_TRUE(b.ok()) << b.status();
    if (absl::Status s = (*b)->Available(); !s.ok()) GTEST_SKIP() << s.message();
    backend_ = std::move(*b);
    auto k = TransformerKernelRegistry::Create(*backend_);
    if (!k.ok()) GTEST_SKIP() << k.status().message();
    kernels_ = std::move(*k);
    ref_backend_ = std::move(*BackendRegistry::Create("reference"));
    ref_ = std::move(*TransformerKernelRegistry::Create(*ref_backend_));
    seed_ = TestSeed() + std::hash<std::string>()(dims.Name()) % 100000;
  }

  void Expect(const char* what, const Tensor& got, const Tensor& want, int64_t depth) {
    Comparison c = Compare(got, want, Float32Tolerance(depth));
    EXPECT_TRUE(c.ok) << std::get<0>(GetParam()) << " " << what << " "
                      << std::get<1>(GetParam()).Name() << " (seed " << seed_ << "): " << c.message;
  }

  std::unique_ptr<Backend> backend_, ref_backend_;
  std::unique_ptr<TransformerKernels> kernels_, ref_;
  uint64_t seed_ = 0;
};

TEST_P(KernelsCross, Embedding) {
  const Dims& g = std::get<1>(GetParam());
  const int64_t n = g.batch * g.ctx;
  Tensor we = Rand({g.vocab, g.d}, seed_, 1), wp = Rand({g.ctx + 3, g.d}, seed_, 2);
  std::vector<int32_t> ids = Ids(n, g.vocab, seed_);
  Tensor x = Nan({n, g.d}), xr = Nan({n, g.d});
  ASSERT_TRUE(kernels_->EmbeddingForward(ids, g.ctx, we, wp, &x).ok());
  ASSERT_TRUE(ref_->EmbeddingForward(ids, g.ctx, we, wp, &xr).ok());
  Expect("embedding_forward", x, xr, 2);
  Tensor dx = Rand({n, g.d}, seed_, 3);
  Tensor ge = Nan(we.shape()), gp = Nan(wp.shape()), ger = Nan(we.shape()), gpr = Nan(wp.shape());
  ASSERT_TRUE(kernels_->EmbeddingBackward(ids, g.ctx, dx, &ge, &gp).ok());
  ASSERT_TRUE(ref_->EmbeddingBackward(ids, g.ctx, dx, &ger, &gpr).ok());
  Expect("embedding_backward W_E", ge, ger, n);
  Expect("embedding_backward W_pos", gp, gpr, g.batch);
}

TEST_P(KernelsCross, LayerNorm) {
  const Dims& g = std::get<1>(GetParam());
  const int64_t n = g.batch * g.ctx;
  Tensor x = Rand({n, g.d}, seed_, 1, -2, 3), w = Rand({g.d}, seed_, 2, 0.5, 1.5),
         b = Rand({g.d}, seed_, 3);
  Tensor y = Nan({n, g.d}), mu = Nan({n}), rs = Nan({n});
  Tensor yr = Nan({n, g.d}), mur = Nan({n}), rsr = Nan({n});
  ASSERT_TRUE(kernels_->LayerNormForward(x, w, b, &y, &mu, &rs).ok());
  ASSERT_TRUE(ref_->LayerNormForward(x, w, b, &yr, &mur, &rsr).ok());
  Expect("layer_norm_forward y", y, yr, g.d);
  Expect("layer_norm_forward mean", mu, mur, g.d);
  Expect("layer_norm_forward rstd", rs, rsr, g.d);
  Tensor dy = Rand({n, g.d}, seed_, 4);
  Tensor dx = Nan({n, g.d}), dw = Nan({g.d}), db = Nan({g.d});
  Tensor dxr = Nan({n, g.d}), dwr = Nan({g.d}), dbr = Nan({g.d});
  ASSERT_TRUE(kernels_->LayerNormBackward(x, w, mur, rsr, dy, &dx, &dw, &db).ok());
  ASSERT_TRUE(ref_->LayerNormBackward(x, w, mur, rsr, dy, &dxr, &dwr, &dbr).ok());
  Expect("layer_norm_backward dx", dx, dxr, 2 * g.d);
  Expect("layer_norm_backward dw", dw, dwr, n);
  Expect("layer_norm_backward db", db, dbr, n);
}

TEST_P(KernelsCross, Attention) {
  const Dims& g = std::get<1>(GetParam());
  const int64_t n = g.batch * g.ctx, dh = g.d / g.heads;
  Tensor qkv = Rand({n, 3 * g.d}, seed_, 1, -1.5, 1.5);
  Tensor z = Nan({n, g.d}), p = Nan({g.batch, g.heads, g.ctx, g.ctx});
  Tensor zr = Nan({n, g.d}), pr = Nan({g.batch, g.heads, g.ctx, g.ctx});
  ASSERT_TRUE(kernels_->AttentionForward(qkv, g.batch, g.heads, &z, &p).ok());
  ASSERT_TRUE(ref_->AttentionForward(qkv, g.batch, g.heads, &zr, &pr).ok());
  Expect("attention_forward probs", p, pr, dh + g.ctx);
  Expect("attention_forward z", z, zr, dh + g.ctx);
  Tensor dz = Rand({n, g.d}, seed_, 2);
  Tensor dq = Nan({n, 3 * g.d}), dqr = Nan({n, 3 * g.d});
  ASSERT_TRUE(kernels_->AttentionBackward(qkv, pr, dz, g.batch, g.heads, &dq).ok());
  ASSERT_TRUE(ref_->AttentionBackward(qkv, pr, dz, g.batch, g.heads, &dqr).ok());
  Expect("attention_backward dqkv", dq, dqr, g.ctx * dh + g.ctx);
}

TEST_P(KernelsCross, CrossEntropy) {
  const Dims& g = std::get<1>(GetParam());
  const int64_t n = g.batch * g.ctx;
  Tensor logits = Rand({n, g.vocab}, seed_, 1, -4, 4);
  std::vector<int32_t> t = Ids(n, g.vocab, seed_ + 1);
  Tensor l = Nan({n}), lr = Nan({n});
  ASSERT_TRUE(kernels_->CrossEntropyForward(logits, t, &l).ok());
  ASSERT_TRUE(ref_->CrossEntropyForward(logits, t, &lr).ok());
  Expect("cross_entropy_forward", l, lr, g.vocab);
  Tensor d = Nan(logits.shape()), dr = Nan(logits.shape());
  ASSERT_TRUE(kernels_->CrossEntropyBackward(logits, t, 0.37f, &d).ok());
  ASSERT_TRUE(ref_->CrossEntropyBackward(logits, t, 0.37f, &dr).ok());
  Expect("cross_entropy_backward", d, dr, g.vocab);
}

TEST_P(KernelsCross, Mlp) {
  const Dims& g = std::get<1>(GetParam());
  const int64_t n = g.batch * g.ctx;
  Tensor x = Rand({n, g.d}, seed_, 1), wi = Rand({g.d, g.mlp}, seed_, 2),
         bi = Rand({g.mlp}, seed_, 3), wo = Rand({g.mlp, g.d}, seed_, 4), bo = Rand({g.d}, seed_, 5);
  Tensor a = Nan({n, g.mlp}), ar = Nan({n, g.mlp});
  ASSERT_TRUE(kernels_->MlpIn(x, wi, bi, &a).ok());
  ASSERT_TRUE(ref_->MlpIn(x, wi, bi, &ar).ok());
  Expect("mlp_in", a, ar, g.d + 1);
  Tensor o = Nan({n, g.d}), orf = Nan({n, g.d});
  ASSERT_TRUE(kernels_->MlpOut(ar, wo, bo, &o).ok());
  ASSERT_TRUE(ref_->MlpOut(ar, wo, bo, &orf).ok());
  Expect("mlp_out", o, orf, g.mlp + 1);
  Tensor dout = Rand({n, g.d}, seed_, 6);
  Tensor dx = Nan({n, g.d}), dwi = Nan(wi.shape()), dbi = Nan(bi.shape()), dwo = Nan(wo.shape()),
         dbo = Nan(bo.shape());
  Tensor dxr = Nan({n, g.d}), dwir = Nan(wi.shape()), dbir = Nan(bi.shape()),
         dwor = Nan(wo.shape()), dbor = Nan(bo.shape());
  ASSERT_TRUE(kernels_->MlpBackward(x, ar, dout, wi, wo, &dx, &dwi, &dbi, &dwo, &dbo).ok());
  ASSERT_TRUE(ref_->MlpBackward(x, ar, dout, wi, wo, &dxr, &dwir, &dbir, &dwor, &dbor).ok());
  Expect("mlp_backward dx", dx, dxr, g.d + g.mlp);
  Expect("mlp_backward dW_in", dwi, dwir, n * g.d);
  Expect("mlp_backward db_in", dbi, dbir, n * g.d);
  Expect("mlp_backward dW_out", dwo, dwor, n);
  Expect("mlp_backward db_out", dbo, dbor, n);
}

// The whole model: forward loss and every parameter's gradient.
TEST_P(KernelsCross, WholeModelLossAndGradients) {
  const auto& [name, g] = GetParam();
  TransformerDims dims{g.d, g.heads, g.ctx + 2, g.mlp, g.vocab};
  auto model = Transformer::Create(dims, backend_.get());
  auto ref = Transformer::Create(dims, ref_backend_.get());
  ASSERT_TRUE(model.ok() && ref.ok());
  NamedTensors params = InitParams(dims, seed_);
  for (auto& [n, t] : params) FillUniform(seed_, std::hash<std::string>()(n) % 1000, -0.3f, 0.3f, &t);
  TokenBatch batch{g.batch, g.ctx, Ids(g.batch * g.ctx, g.vocab, seed_ + 7),
                   Ids(g.batch * g.ctx, g.vocab, seed_ + 8)};
  ForwardCache c, cr;
  ASSERT_TRUE(model->Forward(params, batch, &c).ok());
  ASSERT_TRUE(ref->Forward(params, batch, &cr).ok());
  Expect("model logits", c.logits, cr.logits, 4 * (g.d + g.mlp + g.ctx));
  NamedTensors grads, gr;
  for (const std::string& n : TransformerParamNames()) {
    grads.emplace(n, Nan(TransformerParamShape(dims, n)));
  }
  ASSERT_TRUE(model->Backward(params, batch, c, &grads).ok());
  ASSERT_TRUE(ref->Backward(params, batch, cr, &gr).ok());
  const int64_t depth = 4 * g.batch * g.ctx * (g.d + g.mlp + g.ctx);
  for (const std::string& n : TransformerParamNames()) {
    Expect(("grad " + n).c_str(), grads.at(n), gr.at(n), depth);
  }
}

INSTANTIATE_TEST_SUITE_P(AllBackends, KernelsCross,
                         ::testing::Combine(::testing::ValuesIn(Backends()),
                                            ::testing::ValuesIn(Shapes())),
                         [](const auto& info) {
                           return std::get<0>(info.param) + "_" + std::get<1>(info.param).Name();
                         });

TEST(TransformerKernelRegistry, EveryFoundationBackendHasKernels) {
#ifdef MONOSEM_GPU_LINK_SET
  // The GPU link set (//tests/kernels:cuda_transformer_kernels_test): reference, cuda.
  for (const char* name : {"reference", "cuda"}) {
#else
  for (const char* name : {"reference", "cpu", "torch"}) {
#endif
    auto b = BackendRegistry::Create(name);
    ASSERT_TRUE(b.ok());
    EXPECT_TRUE(TransformerKernelRegistry::Create(**b).ok()) << name;
  }
}

}  // namespace
}  // namespace monosem::testing
