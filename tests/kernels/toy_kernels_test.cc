// Every registered toy-model kernel set against the reference: forward loss,
// dW and db on fresh Philox inputs at awkward shapes (1, primes, many
// instances, the experiment shapes), with poisoned outputs and depth-scaled
// tolerances; then a short training run per backend. The torch backend's
// gradients come from autograd, so this is also the autograd check of the
// hand-written backward passes.
#include <cmath>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "monosem/backend.h"
#include "monosem/compare.h"
#include "monosem/models/toy/toy_kernels.h"
#include "monosem/models/toy/toy_model.h"
#include "monosem/random_fill.h"
#include "tests/testing/cross_check.h"

namespace monosem {
namespace {

struct Case {
  int64_t instances, batch, n, m;
  bool relu;
  std::string Name() const {
    return absl::StrCat("I", instances, "_B", batch, "_n", n, "_m", m, relu ? "_relu" : "_linear");
  }
};

std::vector<Case> Cases() {
  std::vector<Case> cases;
  for (bool relu : {true, false}) {
    for (Case c : {Case{1, 1, 1, 1}, Case{3, 7, 2, 1}, Case{5, 33, 13, 7}, Case{2, 64, 20, 5},
                   Case{67, 9, 20, 5}, Case{2, 31, 400, 30}, Case{1, 17, 5, 5},
                   Case{2, 13, 37, 29}, Case{1, 9, 90, 20}, Case{2, 19, 30, 11}}) {
      c.relu = relu;
      cases.push_back(c);
    }
  }
  return cases;
}

std::vector<std::string> Backends() {
  std::vector<std::string> names;
  for (const std::string& n : ToyKernelsRegistry::Names()) {
    if (n != "reference") names.push_back(n);
  }
  return names;
}

class ToyCrossBackend : public ::testing::TestWithParam<std::string> {};

TEST_P(ToyCrossBackend, ForwardBackwardMatchesReference) {
  auto kernels = ToyKernelsRegistry::Create(BackendRegistry::Create(GetParam()));
  ASSERT_TRUE(kernels.ok()) << kernels.status();
  if (absl::Status st = (*kernels)->Available(); !st.ok()) GTEST_SKIP() << st.message();
  auto reference = ToyKernelsRegistry::Create(BackendRegistry::Create("reference"));
  ASSERT_TRUE(reference.ok());
  const uint64_t seed = testing::TestSeed();
  for (const Case& c : Cases()) {
    SCOPED_TRACE(c.Name());
    Tensor x = Tensor::Uninitialized({c.instances, c.batch, c.n});
    Tensor mask = Tensor::Uninitialized(x.shape());
    Tensor w = Tensor::Uninitialized({c.instances, c.m, c.n});
    Tensor b = Tensor::Uninitialized({c.instances, c.n});
    Tensor imp = Tensor::Uninitialized({c.instances, c.n});
    FillUniform(seed, 1, 0, 1, &x);
    FillBernoulli(seed, 2, 0.6f, &mask);  // sparse inputs, as in training
    for (int64_t e = 0; e < x.size(); ++e) x[e] *= mask[e];
    FillNormal(seed, 3, 0, 0.5f, &w);
    FillUniform(seed, 4, -0.2f, 0.2f, &b);
    FillUniform(seed, 5, 0.1f, 1.0f, &imp);
    Tensor want_loss({c.instances}), want_dw(w.shape()), want_db(b.shape());
    ASSERT_TRUE((*reference)
                    ->ForwardBackward(c.relu, x, w, b, imp, &want_loss, &want_dw, &want_db)
                    .ok());
    Tensor loss = Tensor::Filled({c.instances}, NAN), dw = Tensor::Filled(w.shape(), NAN),
           db = Tensor::Filled(b.shape(), NAN);
    absl::Status st = (*kernels)->ForwardBackward(c.relu, x, w, b, imp, &loss, &dw, &db);
    ASSERT_TRUE(st.ok()) << st;
    const Tolerance tol = Float32Tolerance(c.batch * (c.n + c.m));
    // The loss squares y − x, which cancels: an output error δ moves the loss
    // by ~2·Σ I·|y − x|·δ, with δ ~ ulp(1)·sqrt(K) and |y − x| ~
    // sqrt(loss / Σ I), not by a multiple of the loss itself.
    double max_loss = 0;
    for (int64_t j = 0; j < want_loss.size(); ++j) max_loss = std::max(max_loss, double(want_loss[j]));
    Tolerance loss_tol = tol;
    loss_tol.atol = 4 * 6e-8 * std::sqrt(double(tol.depth)) * std::sqrt(c.n * max_loss);
    {
      const Comparison cmp = Compare(loss, want_loss, loss_tol);
      EXPECT_TRUE(cmp.ok) << "loss: " << cmp.message;
    }
    for (auto [label, got, want] : {
                                    std::make_tuple("dw", &dw, &want_dw),
                                    std::make_tuple("db", &db, &want_db)}) {
      const Comparison cmp = Compare(*got, *want, tol);
      EXPECT_TRUE(cmp.ok) << label << ": " << cmp.message;
    }
    // Forward only: the loss without gradients.
    Tensor loss_only = Tensor::Filled({c.instances}, NAN);
    ASSERT_TRUE((*kernels)->ForwardBackward(c.relu, x, w, b, imp, &loss_only, nullptr, nullptr).ok());
    const Comparison cmp = Compare(loss_only, want_loss, loss_tol);
    EXPECT_TRUE(cmp.ok) << "forward-only loss: " << cmp.message;
  }
}

TEST_P(ToyCrossBackend, ShortTrainingRunMatchesReference) {
  {
    auto kernels = ToyKernelsRegistry::Create(BackendRegistry::Create(GetParam()));
    ASSERT_TRUE(kernels.ok()) << kernels.status();
    if (absl::Status st = (*kernels)->Available(); !st.ok()) GTEST_SKIP() << st.message();
  }
  ToySpec s;
  s.n = 20;
  s.m = 5;
  s.instances = 3;
  s.relu = true;
  s.sparsity = {0.0f, 0.7f, 0.97f};
  for (int64_t j = 0; j < s.instances; ++j) {
    for (int i = 0; i < s.n; ++i) s.importance.push_back(std::pow(0.7f, i));
  }
  s.steps = 30;
  s.batch = 128;
  s.adam.lr = 1e-2f;
  s.seed = 11;
  auto run = [&](const std::string& name) {
    auto backend = BackendRegistry::Create(name);
    auto kernels = ToyKernelsRegistry::Create(**backend);
    EXPECT_TRUE(backend.ok() && kernels.ok());
    auto r = TrainToy(s, **backend, **kernels);
    EXPECT_TRUE(r.ok()) << r.status();
    return std::move(r).value();
  };
  const ToyTrainResult want = run("reference");
  const ToyTrainResult got = run(GetParam());
  // Rounding differences compound over steps: depth steps x B x (n + m).
  const Tolerance tol = Float32Tolerance(s.steps * s.batch * (s.n + s.m));
  const Comparison cw = Compare(got.w, want.w, tol);
  EXPECT_TRUE(cw.ok) << "W after 30 steps: " << cw.message;
  const Comparison cb = Compare(got.b, want.b, tol);
  EXPECT_TRUE(cb.ok) << "b after 30 steps: " << cb.message;
}

INSTANTIATE_TEST_SUITE_P(AllBackends, ToyCrossBackend, ::testing::ValuesIn(Backends()),
                         [](const auto& info) { return info.param; });

TEST(ToyCrossBackend, EveryBackendHasToyKernels) {
  for (const std::string& name : BackendRegistry::Names()) {
    auto backend = BackendRegistry::Create(name);
    ASSERT_TRUE(backend.ok());
    if (!(*backend)->Available().ok()) continue;
    EXPECT_TRUE(ToyKernelsRegistry::Create(BackendRegistry::Create(name)).ok()) << name << " has no toy-model kernels";
  }
}

}  // namespace
}  // namespace monosem
