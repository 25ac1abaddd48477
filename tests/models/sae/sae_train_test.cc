// SAE training: init tricks, the training loop on every backend, resampling,
// determinism, synthetic ground truth and the bad-input errors.
#include <cmath>
#include <cstring>
#include <limits>

#include "gtest/gtest.h"
#include "monosem/models/sae/sae.h"
#include "monosem/models/sae/sae_metrics.h"
#include "monosem/models/sae/synthetic.h"
#include "tests/testing/backends.h"

namespace monosem::sae {
namespace {

SyntheticOptions SmallData() {
  SyntheticOptions o;
  o.n_gt = 24;
  o.d = 16;
  o.expected_active = 3;
  o.seed = 5;
  return o;
}

SaeSpec Spec(Arch a, int64_t f, int64_t k = 4) {
  SaeSpec s;
  s.arch = a;
  s.d = 16;
  s.f = f;
  s.k = k;
  s.k_aux = UsesK(a) ? 8 : 0;
  s.l1 = a == Arch::kJumpReLU ? 0.01f : 0.05f;
  if (a == Arch::kMatryoshkaBatchTopK) s.prefix_widths = {f / 8, f / 4, f / 2, f};
  return s;
}

TEST(SaeTrain, GeometricMedianOfCollinearPointsIsTheMiddleOne) {
  Tensor pts = *Tensor::FromValues({3, 2}, {0, 0, 1, 0, 100, 0});
  Tensor gm = GeometricMedian(pts, 1000, 1e-9);
  EXPECT_NEAR(gm[0], 1.0, 1e-3);
  EXPECT_NEAR(gm[1], 0.0, 1e-6);
}

TEST(SaeTrain, SyntheticDataHasTheStatedStatistics) {
  SyntheticOptions o;  // the paper's defaults: 512 features in 256 dims, ~5 active
  auto data = SyntheticData::Create(o);
  ASSERT_TRUE(data.ok());
  double psum = 0;
  for (double p : data->probabilities()) psum += p;
  EXPECT_NEAR(psum, 5.0, 1e-9);
  EXPECT_NEAR(data->probabilities()[1] / data->probabilities()[0], 0.99, 1e-12);
  const Tensor& g = data->features();
  for (int64_t i = 0; i < 512; i += 97) {
    double nn = 0;
    for (int64_t j = 0; j < 256; ++j) nn += g[i * 256 + j] * g[i * 256 + j];
    EXPECT_NEAR(nn, 1.0, 1e-5);
  }
  // Same index, same vector, whatever the batching.
  Tensor a({8, 256}), b({3, 256});
  ASSERT_TRUE(data->Next(8, &a).ok());
  data->Fill(5, 3, &b);
  for (int64_t t = 0; t < 3 * 256; ++t) EXPECT_EQ(a[5 * 256 + t], b[t]);
  EXPECT_FALSE(SyntheticData::Create({0, 4}).ok());
}

TEST(SaeTrain, CorrelatedSyntheticDataKeepsMarginals) {
  SyntheticOptions o = SmallData();
  o.correlation = 0.5;
  auto data = SyntheticData::Create(o);
  ASSERT_TRUE(data.ok());
  Tensor x({4000, o.d});
  ASSERT_TRUE(data->Next(4000, &x).ok());
  double nz = 0;
  for (int64_t t = 0; t < x.size(); ++t) nz += x[t] != 0;
  EXPECT_GT(nz, 0);
}

class SaeTrainAllBackends : public ::testing::TestWithParam<std::tuple<std::string, Arch>> {};

TEST_P(SaeTrainAllBackends, LossFallsAndDecoderStaysUnitNorm) {
  const auto& [backend, arch] = GetParam();
  auto data = SyntheticData::Create(SmallData());
  ASSERT_TRUE(data.ok());
  TrainOptions opt;
  opt.steps = 150;
  opt.batch = 64;
  opt.geometric_median_sample = 256;
  opt.resample_pool = 256;
  auto t = SaeTrainer::Create(Spec(arch, 32), opt, backend);
  ASSERT_TRUE(t.ok()) << t.status();
  MONOSEM_SKIP_UNLESS_AVAILABLE(backend, (*t)->kernels().Available());
  if (backend == "cuda" && (arch == Arch::kGated || arch == Arch::kMatryoshkaBatchTopK)) {
    GTEST_SKIP() << ArchName(arch) << " has no cuda kernels (they answer Unimplemented)";
  }
  ASSERT_TRUE((*t)->Init(*data).ok());
  ASSERT_TRUE((*t)->Train(*data, {1, 150}).ok());
  const auto& log = (*t)->log();
  ASSERT_EQ(log.size(), 2u);
  EXPECT_LT(log[1].recon, log[0].recon) << backend << " " << ArchName(arch);
  const Tensor& w = (*t)->params().w_dec;
  for (int64_t i = 0; i < 32; ++i) {
    double nn = 0;
    for (int64_t j = 0; j < 16; ++j) nn += w[i * 16 + j] * w[i * 16 + j];
    EXPECT_NEAR(nn, 1.0, 1e-4);
  }
  if (IsBatchTopK(arch)) {
    EXPECT_GT((*t)->params().threshold[0], 0.0f);
  }
  if (arch == Arch::kMatryoshkaBatchTopK) {
    // The nested prefixes trained too: the first step's and the last step's
    // loss include them, and it fell.
    EXPECT_LT(log[1].loss, log[0].loss) << backend;
  }
}

INSTANTIATE_TEST_SUITE_P(
    All, SaeTrainAllBackends,
    ::testing::Combine(::testing::ValuesIn(testing::AllBackends()),
                       ::testing::Values(Arch::kReluL1, Arch::kTopK, Arch::kBatchTopK,
                                         Arch::kJumpReLU, Arch::kGated,
                                         Arch::kMatryoshkaBatchTopK)),
    [](const auto& info) {
      return std::get<0>(info.param) + "_" + ArchName(std::get<1>(info.param));
    });

std::unique_ptr<SaeTrainer> TrainCpu(Arch arch, int64_t f, int64_t steps, TrainOptions opt = {},
                                     float l1 = -1) {
  auto data = SyntheticData::Create(SmallData());
  SaeSpec spec = Spec(arch, f);
  if (l1 >= 0) spec.l1 = l1;
  opt.steps = steps;
  opt.batch = 128;
  opt.geometric_median_sample = 512;
  opt.resample_pool = 512;
  auto t = SaeTrainer::Create(spec, opt, "cpu");
  EXPECT_TRUE(t.ok());
  EXPECT_TRUE((*t)->Init(*data).ok());
  EXPECT_TRUE((*t)->Train(*data).ok());
  return std::move(*t);
}

TEST(SaeTrain, RunsAreBitwiseReproducible) {
  auto a = TrainCpu(Arch::kTopK, 32, 40), b = TrainCpu(Arch::kTopK, 32, 40);
  const auto na = a->params().Named();
  const auto nb = b->params().Named();
  for (size_t t = 0; t < na.size(); ++t) {
    ASSERT_EQ(0, std::memcmp(na[t].second->data(), nb[t].second->data(), na[t].second->size() * 4))
        << na[t].first;
  }
}

TEST(SaeTrain, ResamplingRevivesDeadNeuronsOnSchedule) {
  for (bool resample : {true, false}) {
    auto data = SyntheticData::Create(SmallData());
    TrainOptions opt;
    opt.steps = 160;
    opt.batch = 64;
    opt.resample = resample;
    opt.resample_pool = 256;
    auto t = SaeTrainer::Create(Spec(Arch::kReluL1, 64), opt, "cpu");
    ASSERT_TRUE(t.ok());
    ASSERT_TRUE((*t)->Init(*data).ok());
    // Kill half the features: they can never fire with this encoder bias.
    SaeParams p = (*t)->params().Clone();
    for (int64_t i = 32; i < 64; ++i) p.b_enc[i] = -1e4f;
    ASSERT_TRUE((*t)->SetParams(std::move(p)).ok());
    if (resample) {
      EXPECT_EQ((*t)->ResampleSteps(), (std::vector<int64_t>{20, 40, 60, 80}));
    }
    for (int s = 0; s < 20; ++s) ASSERT_TRUE((*t)->Step(*data).ok());
    if (!resample) {
      EXPECT_EQ((*t)->resamples(), 0);
      EXPECT_LT((*t)->params().b_enc[40], -100.0f);
      continue;
    }
    // Step 20 resampled every dead feature: b_enc 0, unit decoder row, and
    // the encoder row 0.2 x the mean live norm along the same direction.
    EXPECT_GE((*t)->resamples(), 32);
    const SaeParams& q = (*t)->params();
    for (int64_t i = 32; i < 64; ++i) {
      EXPECT_EQ(q.b_enc[i], 0.0f);
      double nn = 0, dot = 0, ne = 0;
      for (int64_t j = 0; j < 16; ++j) {
        nn += q.w_dec[i * 16 + j] * q.w_dec[i * 16 + j];
        ne += q.w_enc[i * 16 + j] * q.w_enc[i * 16 + j];
        dot += q.w_dec[i * 16 + j] * q.w_enc[i * 16 + j];
      }
      EXPECT_NEAR(nn, 1.0, 1e-5);
      EXPECT_NEAR(dot / std::sqrt(ne * nn), 1.0, 1e-5);
    }
  }
}

TEST(SaeTrain, RecoversGroundTruthFeatures) {
  SyntheticOptions so = SmallData();
  auto data = SyntheticData::Create(so);
  TrainOptions opt;
  opt.steps = 600;
  opt.batch = 256;
  SaeSpec s = Spec(Arch::kTopK, 48, 3);
  auto t = SaeTrainer::Create(s, opt, "cpu");
  ASSERT_TRUE(t.ok());
  ASSERT_TRUE((*t)->Init(*data).ok());
  auto before = MeasureRecovery(data->features(), (*t)->params().w_dec);
  ASSERT_TRUE((*t)->Train(*data).ok());
  auto after = MeasureRecovery(data->features(), (*t)->params().w_dec);
  EXPECT_GT(after->mmcs, before->mmcs + 0.2);
  EXPECT_GT(after->mmcs, 0.8);
  auto m = Evaluate((*t)->kernels(), s, (*t)->params(), *data, 2048, 512);
  ASSERT_TRUE(m.ok());
  EXPECT_LT(m->fvu, 0.5);
  EXPECT_LE(m->l0, 3.0);
}

TEST(SaeBadInput, ClearErrors) {
  SaeSpec s = Spec(Arch::kTopK, 8, 9);
  auto t = SaeTrainer::Create(s, {}, "cpu");
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("k = 9 exceeds the dictionary size F = 8"), std::string::npos)
      << t.status();
  s.k = 0;
  t = SaeTrainer::Create(s, {}, "cpu");
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("k must be >= 1"), std::string::npos) << t.status();
  s = Spec(Arch::kReluL1, 8);
  s.l1 = -0.1f;
  t = SaeTrainer::Create(s, {}, "cpu");
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("lambda"), std::string::npos) << t.status();
  EXPECT_FALSE(SaeTrainer::Create(Spec(Arch::kReluL1, 8), {}, "no-such-backend").ok());
  // The data's d does not match the SAE.
  s = Spec(Arch::kReluL1, 8);
  s.d = 17;
  auto data = SyntheticData::Create(SmallData());
  t = SaeTrainer::Create(s, {}, "cpu");
  ASSERT_TRUE(t.ok());
  absl::Status st = (*t)->Init(*data);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("d = 16 but the SAE's d_in is 17"), std::string::npos) << st;
}

TEST(SaeBadInput, ConfigErrorsNameTheField) {
  SaeConfig c;
  EXPECT_FALSE(SpecFromConfig(c).ok());
  c.set_architecture(SaeConfig::TOPK);
  c.set_d_in(16);
  c.set_d_sae(32);
  c.set_k(40);
  auto s = SpecFromConfig(c);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("k = 40 exceeds"), std::string::npos);
  c.set_k(4);
  c.set_k_aux(8);
  s = SpecFromConfig(c);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->k_aux, 8);
  EXPECT_FLOAT_EQ(s->aux_coef, 1.0f / 32);
}

class NanSource : public BatchSource {
 public:
  int64_t dim() const override { return 16; }
  absl::Status Next(int64_t batch, Tensor* out) override {
    out->Fill(0.5f);
    if (++calls_ > 2) (*out)[3] = std::numeric_limits<float>::quiet_NaN();
    return absl::OkStatus();
  }
  int calls_ = 0;
};

TEST(SaeBadInput, NanDuringTrainingNamesTheStep) {
  for (const char* backend : {"reference", "cpu", "torch"}) {
    TrainOptions opt;
    opt.steps = 10;
    opt.batch = 4;
    opt.geometric_median_sample = 4;
    auto t = SaeTrainer::Create(Spec(Arch::kReluL1, 8), opt, backend);
    ASSERT_TRUE(t.ok());
    NanSource src;
    ASSERT_TRUE((*t)->Init(src).ok());
    absl::Status st = (*t)->Train(src);
    ASSERT_FALSE(st.ok()) << backend;
    EXPECT_NE(st.message().find("diverged"), std::string::npos) << st;
    EXPECT_NE(st.message().find("at step 2"), std::string::npos) << st;
    EXPECT_NE(st.message().find("1 non-finite values"), std::string::npos) << st;
  }
}

}  // namespace
}  // namespace monosem::sae
