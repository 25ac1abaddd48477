// The toy model: hand-written gradients of the reference against finite
// differences, data and init properties, training behaviour, and bad input
// (each rejected with a clear message).
#include <cmath>
#include <cstring>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "monosem/config.h"
#include "monosem/models/toy/toy_kernels.h"
#include "monosem/models/toy/toy_model.h"
#include "monosem/models/toy/toy_metrics.h"
#include "monosem/random_fill.h"
#include "reference/reference_backend.h"

namespace monosem {
namespace {

using ::testing::HasSubstr;

std::unique_ptr<ToyKernels> Reference() {
  auto k = ToyKernelsRegistry::Create(BackendRegistry::Create("reference"));
  EXPECT_TRUE(k.ok()) << k.status();
  return std::move(k).value();
}

double TotalLoss(ToyKernels& k, bool relu, const Tensor& x, const Tensor& w, const Tensor& b,
                 const Tensor& imp) {
  Tensor loss({w.dim(0)});
  EXPECT_TRUE(k.ForwardBackward(relu, x, w, b, imp, &loss, nullptr, nullptr).ok());
  double t = 0;
  for (int64_t j = 0; j < loss.size(); ++j) t += loss[j];
  return t;
}

class ToyGradient : public ::testing::TestWithParam<bool> {};

TEST_P(ToyGradient, ReferenceMatchesCentralFiniteDifferences) {
  const bool relu = GetParam();
  const int64_t I = 2, B = 6, n = 5, m = 3;
  Tensor x({I, B, n}), w({I, m, n}), b({I, n}), imp({I, n});
  FillUniform(7, 1, 0, 1, &x);
  FillUniform(7, 2, -1, 1, &w);
  FillUniform(7, 3, -0.3f, 0.3f, &b);
  FillUniform(7, 4, 0.2f, 1.5f, &imp);
  auto k = Reference();
  Tensor loss({I}), dw(w.shape()), db(b.shape());
  ASSERT_TRUE(k->ForwardBackward(relu, x, w, b, imp, &loss, &dw, &db).ok());
  const float h = 1e-3f;
  auto check = [&](Tensor* param, const Tensor& grad, const char* what) {
    double max_grad = 0;
    for (int64_t e = 0; e < grad.size(); ++e) max_grad = std::max(max_grad, double(std::fabs(grad[e])));
    for (int64_t e = 0; e < param->size(); ++e) {
      const float saved = (*param)[e];
      (*param)[e] = saved + h;
      const double up = TotalLoss(*k, relu, x, w, b, imp);
      (*param)[e] = saved - h;
      const double down = TotalLoss(*k, relu, x, w, b, imp);
      (*param)[e] = saved;
      const double fd = (up - down) / (2.0 * h);
      EXPECT_NEAR(grad[e], fd, 2e-3 * (1 + max_grad)) << what << "[" << e << "]";
    }
  };
  check(&w, dw, "dw");
  check(&b, db, "db");
}

INSTANTIATE_TEST_SUITE_P(LinearAndRelu, ToyGradient, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "relu" : "linear"; });

ToySpec SmallSpec() {
  ToySpec s;
  s.n = 6;
  s.m = 2;
  s.instances = 3;
  s.sparsity = {0.0f, 0.5f, 0.9f};
  s.importance.assign(s.instances * s.n, 1.0f);
  s.steps = 20;
  s.batch = 64;
  s.seed = 3;
  return s;
}

TEST(ToyData, SparsityAndRangeAreRight) {
  ToySpec s = SmallSpec();
  s.batch = 4000;
  Tensor x({s.instances, s.batch, s.n});
  ToyBatch(s, 5, &x);
  for (int64_t j = 0; j < s.instances; ++j) {
    int64_t zeros = 0;
    double sum = 0;
    const int64_t per = s.batch * s.n;
    for (int64_t k = 0; k < per; ++k) {
      const float v = x[j * per + k];
      ASSERT_GE(v, 0.0f);
      ASSERT_LT(v, 1.0f);
      zeros += v == 0.0f;
      sum += v;
    }
    EXPECT_NEAR(double(zeros) / per, s.sparsity[j], 0.02) << j;
    EXPECT_NEAR(sum / (per - zeros), 0.5, 0.02) << j;
  }
  // Same step, same bits; another step differs.
  Tensor again({s.instances, s.batch, s.n}), other({s.instances, s.batch, s.n});
  ToyBatch(s, 5, &again);
  ToyBatch(s, 6, &other);
  EXPECT_EQ(0, std::memcmp(x.data(), again.data(), x.size() * sizeof(float)));
  EXPECT_NE(0, std::memcmp(x.data(), other.data(), x.size() * sizeof(float)));
}

TEST(ToyTrain, LinearModelLearnsTheTopFeatures) {
  ToySpec s;
  s.n = 8;
  s.m = 3;
  s.instances = 1;
  s.relu = false;
  s.sparsity = {0.0f};
  for (int i = 0; i < s.n; ++i) s.importance.push_back(std::pow(0.7f, i));
  s.steps = 1500;
  s.batch = 256;
  s.adam.lr = 1e-2f;
  s.record_steps = {1, 1500};
  ReferenceBackend backend;
  auto k = ToyKernelsRegistry::Create(backend);
  ASSERT_TRUE(k.ok());
  auto r = TrainToy(s, backend, **k);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->recorded_loss.size(), 2u);
  EXPECT_LT(r->recorded_loss[1][0], r->recorded_loss[0][0]);
  const ToyMetrics met = ComputeToyMetrics(r->w.data(), s.m, s.n);
  EXPECT_EQ(met.represented, 3);
  for (int i = 0; i < 3; ++i) EXPECT_GT(met.norm[i], 0.8) << i;
}

TEST(ToyBadInput, EachIsRejectedWithAClearMessage) {
  auto expect_bad = [](ToySpec s, const std::string& fragment) {
    absl::Status st = ValidateToySpec(s);
    EXPECT_FALSE(st.ok()) << fragment;
    EXPECT_THAT(std::string(st.message()), HasSubstr(fragment));
  };
  ToySpec s = SmallSpec();
  ASSERT_TRUE(ValidateToySpec(s).ok());
  ToySpec t = s;
  t.m = 7;
  expect_bad(t, "n_hidden (7) must not exceed n_features (6)");
  t = s;
  t.n = 0;
  t.importance.clear();
  expect_bad(t, "n_features must be positive");
  t = s;
  t.sparsity[1] = 1.5f;
  expect_bad(t, "sparsity of instance 1 is 1.5; it must be in [0, 1]");
  t = s;
  t.sparsity[0] = -0.1f;
  expect_bad(t, "must be in [0, 1]");
  t = s;
  t.importance[7] = -2.0f;
  expect_bad(t, "importance of feature 1 (instance 1) is -2");
}

TEST(ToyBadInput, ConfigErrors) {
  auto parse = [](const std::string& text) -> absl::StatusOr<ToySpec> {
    auto c = ParseRunConfig(text, "toy.textproto");
    if (!c.ok()) return c.status();
    return ToySpecFromConfig(*c);
  };
  auto ok = parse("toy { n_features: 20 n_hidden: 5 importance_decay: 0.7 sparsity: [0, 0.9] }"
                  " train { steps: 10 }");
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->instances, 2);
  EXPECT_EQ(ok->steps, 10);
  EXPECT_EQ(ok->batch, 1024);
  EXPECT_FLOAT_EQ(ok->importance[3], std::pow(0.7f, 3));
  auto unknown = parse("toy { n_featurs: 20 }");
  ASSERT_FALSE(unknown.ok());
  EXPECT_THAT(std::string(unknown.status().message()), HasSubstr("toy.textproto:1:"));
  EXPECT_THAT(std::string(unknown.status().message()), HasSubstr("n_featurs"));
  auto m_gt_n = parse("toy { n_features: 2 n_hidden: 3 }");
  ASSERT_FALSE(m_gt_n.ok());
  EXPECT_THAT(std::string(m_gt_n.status().message()), HasSubstr("must not exceed"));
  auto n0 = parse("toy { n_features: 0 n_hidden: 0 }");
  ASSERT_FALSE(n0.ok());
  EXPECT_THAT(std::string(n0.status().message()), HasSubstr("n_features must be positive"));
  auto bad_s = parse("toy { n_features: 3 n_hidden: 1 sparsity: 1.2 }");
  ASSERT_FALSE(bad_s.ok());
  EXPECT_THAT(std::string(bad_s.status().message()), HasSubstr("must be in [0, 1]"));
  auto neg = parse("toy { n_features: 3 n_hidden: 1 importance: [1, -1, 1] }");
  ASSERT_FALSE(neg.ok());
  EXPECT_THAT(std::string(neg.status().message()), HasSubstr("non-negative"));
  auto two = parse("toy { n_features: 3 n_hidden: 1 importance_decay: 0.9 importance: [1, 1, 1] }");
  ASSERT_FALSE(two.ok());
  EXPECT_THAT(std::string(two.status().message()), HasSubstr("at most one"));
  auto linspace = parse("toy { n_features: 3 n_hidden: 1 importance_linspace_base: 100 }");
  ASSERT_TRUE(linspace.ok());
  EXPECT_NEAR(linspace->importance[1], 0.1f, 1e-6);
  EXPECT_NEAR(linspace->importance[2], 0.01f, 1e-7);
}

TEST(ToyBadInput, NanDuringTrainingNamesStepAndInstance) {
  ToySpec s = SmallSpec();
  s.instances = 2;
  s.sparsity = {1.0f, 0.0f};  // instance 0 sees only zeros and stays finite
  s.importance.assign(s.instances * s.n, 1.0f);
  s.adam.lr = 1e30f;
  ReferenceBackend backend;
  auto k = Reference();
  auto r = TrainToy(s, backend, *k);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("non-finite loss"));
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("at step 2, instance 1"));
}

TEST(ToyKernelsInterface, ShapeErrorsAreClear) {
  auto k = Reference();
  Tensor x({2, 4, 5}), w({2, 3, 5}), b({2, 5}), imp({2, 5}), loss({2});
  Tensor bad_b({2, 4});
  absl::Status st = k->ForwardBackward(true, x, w, bad_b, imp, &loss, nullptr, nullptr);
  EXPECT_THAT(std::string(st.message()), HasSubstr("b has shape [2, 4], expected [2, 5]"));
  auto missing = ToyKernelsRegistry::Create(BackendRegistry::Create("nope"));
  EXPECT_FALSE(missing.ok());
}

}  // namespace
}  // namespace monosem
