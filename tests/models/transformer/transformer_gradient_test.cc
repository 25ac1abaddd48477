// Hand-written transformer gradients against (1) central finite differences
// of the reference's loss on a small model and (2) LibTorch autograd on the
// whole model (loss and every parameter's gradient), for every backend.
#include <cmath>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "kernels/torch/transformer_torch.h"
#include "monosem/compare.h"
#include "monosem/models/transformer/transformer.h"
#include "monosem/philox.h"
#include "monosem/random_fill.h"
#include "tests/testing/backends.h"
#include "tests/testing/cross_check.h"

namespace monosem {
namespace {

const TransformerDims kSmall{/*d_model=*/12, /*n_heads=*/3, /*n_ctx=*/6, /*d_mlp=*/10,
                             /*vocab=*/11};

NamedTensors RandomParams(const TransformerDims& dims, uint64_t seed) {
  NamedTensors p = ZeroParams(dims);
  uint64_t stream = 1;
  for (auto& [name, t] : p) {
    const bool ln_w = name.size() > 2 && name.substr(name.size() - 2) == ".w";
    FillUniform(seed, stream++, ln_w ? 0.5f : -0.5f, ln_w ? 1.5f : 0.5f, &t);
  }
  return p;
}

TokenBatch RandomBatch(const TransformerDims& dims, int64_t batch, int64_t ctx, uint64_t seed) {
  Philox rng(seed, 5);
  TokenBatch b{batch, ctx, {}, {}};
  for (int64_t i = 0; i < batch * ctx; ++i) {
    b.inputs.push_back(static_cast<int32_t>(rng.UniformInt(dims.vocab)));
    b.targets.push_back(static_cast<int32_t>(rng.UniformInt(dims.vocab)));
  }
  return b;
}

TEST(TransformerGradient, ReferenceMatchesFiniteDifferences) {
  auto backend = BackendRegistry::Create("reference");
  ASSERT_TRUE(backend.ok());
  auto model = Transformer::Create(kSmall, backend->get());
  ASSERT_TRUE(model.ok()) << model.status();
  const uint64_t seed = testing::TestSeed();
  NamedTensors params = RandomParams(kSmall, seed);
  TokenBatch batch = RandomBatch(kSmall, 2, 5, seed);
  ForwardCache cache;
  ASSERT_TRUE(model->Forward(params, batch, &cache).ok());
  NamedTensors grads;
  ASSERT_TRUE(model->Backward(params, batch, cache, &grads).ok());
  auto loss_at = [&](const std::string& name, int64_t i, float value) {
    Tensor& t = params.at(name);
    const float saved = t[i];
    t[i] = value;
    ForwardCache c;
    EXPECT_TRUE(model->Forward(params, batch, &c).ok());
    t[i] = saved;
    return c.loss;
  };
  Philox pick(seed, 77);
  int checked = 0;
  for (const std::string& name : TransformerParamNames()) {
    const Tensor& t = params.at(name);
    for (int k = 0; k < 6; ++k) {
      const int64_t i = pick.UniformInt(static_cast<uint32_t>(t.size()));
      const float x = t[i];
      const float h = 1e-2f * std::max(1.0f, std::fabs(x));
      const double fd =
          (loss_at(name, i, x + h) - loss_at(name, i, x - h)) / (double(x + h) - double(x - h));
      const double g = grads.at(name)[i];
      EXPECT_NEAR(g, fd, 3e-4 + 3e-2 * std::fabs(fd)) << name << "[" << i << "] seed " << seed;
      ++checked;
    }
  }
  EXPECT_EQ(checked, 6 * static_cast<int>(TransformerParamNames().size()));
}

class AutogradTest : public ::testing::TestWithParam<std::string> {};

TEST_P(AutogradTest, HandWrittenBackwardMatchesTorchAutograd) {
  MONOSEM_ASSIGN_BACKEND_OR_SKIP(backend, GetParam());
  auto model = Transformer::Create(kSmall, backend.get());
  if (!model.ok()) GTEST_SKIP() << model.status().message();
  const uint64_t seed = testing::TestSeed() + 1;
  for (int64_t ctx : {1, 6}) {
    NamedTensors params = RandomParams(kSmall, seed + ctx);
    TokenBatch batch = RandomBatch(kSmall, 3, ctx, seed + ctx);
    ForwardCache cache;
    ASSERT_TRUE(model->Forward(params, batch, &cache).ok());
    NamedTensors grads;
    ASSERT_TRUE(model->Backward(params, batch, cache, &grads).ok());
    auto ag = TorchAutogradLossAndGrads(kSmall, params, batch, /*double_precision=*/true);
    ASSERT_TRUE(ag.ok()) << ag.status();
    EXPECT_NEAR(cache.loss, ag->loss, 1e-5 * std::fabs(ag->loss)) << GetParam();
    const int64_t depth = 3 * ctx * (kSmall.d_model + kSmall.d_mlp + kSmall.vocab);
    for (const std::string& name : TransformerParamNames()) {
      Comparison c = Compare(grads.at(name), ag->grads.at(name), Float32Tolerance(depth));
      EXPECT_TRUE(c.ok) << GetParam() << " ctx " << ctx << " grad " << name << ": " << c.message;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(AllBackends, AutogradTest,
                         ::testing::ValuesIn(testing::AllBackends()),
                         testing::BackendParamName);

}  // namespace
}  // namespace monosem
