// What the cross-backend suites cannot see about the cuda backend:
//   - without a GPU (this test runs everywhere the cuda build does): the
//     backend is registered, says "no CUDA device: <reason>", and every
//     kernel returns that Unavailable error instead of crashing;
//   - with a GPU: the device-resident path (Device::kCuda tensors, no copies)
//     gives the same bits as the host-staged path the cross-backend tests use,
//     for GEMM, AdamW and the toy kernels, and the toy kernels are registered.
#include <cmath>
#include <vector>

#include "gtest/gtest.h"
#include "kernels/cuda/cuda_backend.h"
#include "kernels/cuda/toy_cuda.h"
#include "monosem/backend.h"
#include "monosem/compare.h"
#include "monosem/models/sae/sae_kernels.h"
#include "monosem/models/toy/toy_kernels.h"
#include "monosem/models/transformer/transformer_kernels.h"
#include "monosem/random_fill.h"

namespace monosem {
namespace {

bool HaveGpu() { return CudaAvailable().ok(); }

TEST(CudaBackend, IsRegistered) {
  auto backend = BackendRegistry::Create("cuda");
  ASSERT_TRUE(backend.ok()) << backend.status();
  EXPECT_EQ((*backend)->name(), "cuda");
}

TEST(CudaBackend, WithoutAGpuSaysWhyAndEveryKernelFailsCleanly) {
  if (HaveGpu()) GTEST_SKIP() << "a GPU is present; the no-GPU behaviour is checked elsewhere";
  auto backend = BackendRegistry::Create("cuda");
  ASSERT_TRUE(backend.ok());
  const absl::Status available = (*backend)->Available();
  EXPECT_TRUE(absl::IsUnavailable(available)) << available;
  EXPECT_EQ(available.message().substr(0, 16), "no CUDA device: ") << available;
  Tensor a = Tensor::Filled({3, 4}, 1.0f), b = Tensor::Filled({4, 5}, 1.0f), c({3, 5});
  const absl::Status gemm = (*backend)->Gemm(Trans::kNo, Trans::kNo, 1, a, b, 0, &c);
  EXPECT_TRUE(absl::IsUnavailable(gemm)) << gemm;
  Tensor y({3, 4});
  EXPECT_TRUE(absl::IsUnavailable((*backend)->Relu(a, &y)));
  EXPECT_FALSE(CudaDeviceTensor({4}).ok());
  // The toy kernels are registered everywhere and say why they cannot run.
  auto toy = ToyKernelsRegistry::Create(BackendRegistry::Create("cuda"));
  ASSERT_TRUE(toy.ok()) << toy.status();
  const absl::Status toy_available = (*toy)->Available();
  EXPECT_TRUE(absl::IsUnavailable(toy_available)) << toy_available;
  EXPECT_EQ(toy_available.message().substr(0, 16), "no CUDA device: ") << toy_available;
  // So are the SAE and transformer kernels; their entry points fail cleanly.
  auto sae_kernels = sae::SaeKernelRegistry::Create(BackendRegistry::Create("cuda"));
  ASSERT_TRUE(sae_kernels.ok()) << sae_kernels.status();
  const absl::Status sae_available = (*sae_kernels)->Available();
  EXPECT_TRUE(absl::IsUnavailable(sae_available)) << sae_available;
  EXPECT_EQ(sae_available.message().substr(0, 16), "no CUDA device: ") << sae_available;
  sae::SaeSpec spec;
  spec.arch = sae::Arch::kTopK;
  spec.d = 4;
  spec.f = 8;
  spec.k = 2;
  const sae::SaeParams params = sae::SaeParams::Zeros(spec);
  sae::SaeStepOut step;
  const absl::Status sae_step = (*sae_kernels)->LossAndGrad(
      spec, params, Tensor::Filled({3, 4}, 1.0f), std::vector<uint8_t>(8, 0), &step);
  EXPECT_TRUE(absl::IsUnavailable(sae_step)) << sae_step;
  auto transformer = TransformerKernelRegistry::Create(**backend);
  ASSERT_TRUE(transformer.ok()) << transformer.status();
  Tensor ln_y({3, 4}), ln_mean({3}), ln_rstd({3});
  const absl::Status ln = (*transformer)->LayerNormForward(
      a, Tensor::Filled({4}, 1.0f), Tensor({4}), &ln_y, &ln_mean, &ln_rstd);
  EXPECT_TRUE(absl::IsUnavailable(ln)) << ln;
}

TEST(CudaBackend, DeviceResidentGemmAndAdamWMatchTheStagedPathBitForBit) {
  if (absl::Status s = CudaAvailable(); !s.ok()) GTEST_SKIP() << s.message();
  CudaBackend backend;
  const int64_t m = 67, n = 131, k = 257;
  Tensor a = Tensor::Uninitialized({k, m}), b = Tensor::Uninitialized({n, k});
  FillUniform(7, 1, -1, 1, &a);
  FillUniform(7, 2, -1, 1, &b);
  Tensor staged = Tensor::Filled({m, n}, NAN);
  ASSERT_TRUE(backend.Gemm(Trans::kYes, Trans::kYes, 0.5f, a, b, 0, &staged).ok());
  auto da = CudaDeviceTensor(a.shape()), db = CudaDeviceTensor(b.shape()),
       dc = CudaDeviceTensor({m, n});
  ASSERT_TRUE(da.ok() && db.ok() && dc.ok());
  ASSERT_TRUE(CudaCopyToDevice(a, &*da).ok());
  ASSERT_TRUE(CudaCopyToDevice(b, &*db).ok());
  ASSERT_TRUE(CudaCopyToDevice(Tensor::Filled({m, n}, NAN), &*dc).ok());
  ASSERT_TRUE(backend.Gemm(Trans::kYes, Trans::kYes, 0.5f, *da, *db, 0, &*dc).ok());
  Tensor resident({m, n});
  ASSERT_TRUE(CudaCopyToHost(*dc, &resident).ok());
  for (int64_t i = 0; i < staged.size(); ++i) ASSERT_EQ(staged[i], resident[i]) << i;

  // AdamW in place on device tensors.
  Tensor g = Tensor::Uninitialized({1000}), p = Tensor::Uninitialized({1000});
  FillNormal(7, 3, 0, 1, &g);
  FillNormal(7, 4, 0, 1, &p);
  Tensor p1 = p.Clone(), m1({1000}), v1({1000});
  ASSERT_TRUE(backend.AdamW({}, 3, g, &p1, &m1, &v1).ok());
  auto dg = CudaDeviceTensor({1000}), dp = CudaDeviceTensor({1000}),
       dm = CudaDeviceTensor({1000}), dv = CudaDeviceTensor({1000});
  ASSERT_TRUE(dg.ok() && dp.ok() && dm.ok() && dv.ok());
  ASSERT_TRUE(CudaCopyToDevice(g, &*dg).ok());
  ASSERT_TRUE(CudaCopyToDevice(p, &*dp).ok());
  ASSERT_TRUE(CudaCopyToDevice(Tensor({1000}), &*dm).ok());
  ASSERT_TRUE(CudaCopyToDevice(Tensor({1000}), &*dv).ok());
  ASSERT_TRUE(backend.AdamW({}, 3, *dg, &*dp, &*dm, &*dv).ok());
  Tensor p2({1000});
  ASSERT_TRUE(CudaCopyToHost(*dp, &p2).ok());
  for (int64_t i = 0; i < p1.size(); ++i) ASSERT_EQ(p1[i], p2[i]) << i;
}

TEST(CudaToy, RegisteredAndDeviceResidentPathMatchesTheStagedOne) {
  if (absl::Status s = CudaAvailable(); !s.ok()) GTEST_SKIP() << s.message();
  auto kernels = ToyKernelsRegistry::Create(BackendRegistry::Create("cuda"));
  ASSERT_TRUE(kernels.ok()) << kernels.status();
  const int64_t I = 5, B = 33, n = 400, m = 30;
  Tensor x = Tensor::Uninitialized({I, B, n}), w = Tensor::Uninitialized({I, m, n});
  Tensor b = Tensor::Uninitialized({I, n}), imp = Tensor::Uninitialized({I, n});
  FillUniform(3, 1, 0, 1, &x);
  FillNormal(3, 2, 0, 0.3f, &w);
  FillUniform(3, 3, -0.1f, 0.1f, &b);
  FillUniform(3, 4, 0.1f, 1, &imp);
  Tensor loss = Tensor::Filled({I}, NAN), dw = Tensor::Filled(w.shape(), NAN),
         db = Tensor::Filled(b.shape(), NAN);
  ASSERT_TRUE((*kernels)->ForwardBackward(true, x, w, b, imp, &loss, &dw, &db).ok());
  auto up = [](const Tensor& t) {
    auto d = CudaDeviceTensor(t.shape());
    EXPECT_TRUE(d.ok() && CudaCopyToDevice(t, &*d).ok());
    return std::move(d).value();
  };
  Tensor dx = up(x), d_w = up(w), d_b = up(b), d_imp = up(imp);
  Tensor d_loss = up(Tensor::Filled({I}, NAN)), d_dw = up(Tensor::Filled(w.shape(), NAN)),
         d_db = up(Tensor::Filled(b.shape(), NAN));
  ASSERT_TRUE(CudaToyForwardBackward(true, dx, d_w, d_b, d_imp, &d_loss, &d_dw, &d_db).ok());
  Tensor loss2({I}), dw2(w.shape()), db2(b.shape());
  ASSERT_TRUE(CudaCopyToHost(d_loss, &loss2).ok());
  ASSERT_TRUE(CudaCopyToHost(d_dw, &dw2).ok());
  ASSERT_TRUE(CudaCopyToHost(d_db, &db2).ok());
  for (int64_t i = 0; i < I; ++i) ASSERT_EQ(loss[i], loss2[i]);
  for (int64_t i = 0; i < dw.size(); ++i) ASSERT_EQ(dw[i], dw2[i]) << i;
  for (int64_t i = 0; i < db.size(); ++i) ASSERT_EQ(db[i], db2[i]) << i;
}

}  // namespace
}  // namespace monosem
