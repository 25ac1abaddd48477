// The transformer model: training (schedule, clipping, NaN), checkpoints
// (bitwise resume, shape mismatch), the MLP hook and splicing losses, and bad
// input. Runs on the cpu backend, as training does by default.
#include <cmath>
#include <cstdlib>
#include <filesystem>

#include "absl/strings/str_replace.h"
#include "gtest/gtest.h"
#include "monosem/io/file_io.h"
#include "monosem/io/safetensors.h"
#include "monosem/models/transformer/trainer.h"
#include "monosem/models/transformer/transformer.h"
#include "monosem/random_fill.h"
#include "tests/testing/tmp_dir.h"

namespace monosem {
namespace {

using ::monosem::testing::TmpDir;

const TransformerDims kDims{/*d_model=*/16, /*n_heads=*/2, /*n_ctx=*/16, /*d_mlp=*/32,
                            /*vocab=*/13};

std::unique_ptr<Backend> Cpu() { return std::move(*BackendRegistry::Create("cpu")); }

// A learnable stream: a fixed cycle of 13 symbols with one noisy position.
std::vector<int32_t> PatternStream(int64_t n) {
  std::vector<int32_t> s(n);
  for (int64_t i = 0; i < n; ++i) s[i] = static_cast<int32_t>((i * 5 + (i / 7) % 2) % 13);
  return s;
}

TrainOptions SmallOptions(int64_t steps) {
  TrainOptions o;
  o.steps = steps;
  o.batch_size = 4;
  o.warmup_steps = 5;
  o.adam.lr = 1e-2f;
  o.seed = 7;
  o.grad_clip = 1.0f;
  return o;
}

TEST(TransformerTraining, LossFallsOnALearnableStream) {
  auto be = Cpu();
  auto trainer = TransformerTrainer::Create(kDims, SmallOptions(60), be.get());
  ASSERT_TRUE(trainer.ok()) << trainer.status();
  std::vector<double> losses;
  ASSERT_TRUE((*trainer)
                  ->Train(StreamTokenSource(PatternStream(5000), 3), 60,
                          [&](const StepStats& s) { losses.push_back(s.loss); })
                  .ok());
  ASSERT_EQ(losses.size(), 60u);
  EXPECT_NEAR(losses.front(), std::log(13.0), 0.3);
  EXPECT_LT(losses.back(), 0.5 * losses.front());
}

TEST(TransformerTraining, RunsOnCpuByDefault) {
  auto trainer = TransformerTrainer::Create(kDims, SmallOptions(3));
  ASSERT_TRUE(trainer.ok()) << trainer.status();
  EXPECT_EQ((*trainer)->model().backend().name(), "cpu");
  EXPECT_TRUE((*trainer)->Train(PhiloxTokenSource(4, kDims.vocab), 3).ok());
  EXPECT_FALSE(TransformerTrainer::Create(kDims, SmallOptions(3), "no-such-backend").ok());
  const std::string dir = TmpDir("ckpt_default");
  ASSERT_TRUE((*trainer)->SaveCheckpoint(dir).ok());
  auto resumed = TransformerTrainer::Resume(dir);
  ASSERT_TRUE(resumed.ok()) << resumed.status();
  EXPECT_EQ((*resumed)->step(), 3);
  EXPECT_EQ((*resumed)->model().backend().name(), "cpu");
}

TEST(TransformerTraining, ScheduleWarmsUpThenDecaysByCosine) {
  TrainOptions o = SmallOptions(100);
  o.warmup_steps = 10;
  o.min_lr_fraction = 0.1f;
  EXPECT_NEAR(ScheduledLearningRate(o, 1), 1e-3, 1e-9);
  EXPECT_NEAR(ScheduledLearningRate(o, 10), 1e-2, 1e-9);
  EXPECT_NEAR(ScheduledLearningRate(o, 55), 1e-2 * (0.1 + 0.9 * 0.5), 1e-9);
  EXPECT_NEAR(ScheduledLearningRate(o, 100), 1e-3, 1e-9);
}

TEST(TransformerTraining, NanIsAnErrorNamingTheStep) {
  auto be = Cpu();
  auto trainer = TransformerTrainer::Create(kDims, SmallOptions(10), be.get());
  ASSERT_TRUE(trainer.ok());
  TokenSource src = PhiloxTokenSource(1, kDims.vocab);
  ASSERT_TRUE((*trainer)->Train(src, 2).ok());
  (*trainer)->mutable_params().at("mlp.W_out")[3] = NAN;
  absl::Status s = (*trainer)->Train(src, 5);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("step 3"), std::string::npos) << s;
  EXPECT_EQ((*trainer)->step(), 2);
}

TEST(TransformerCheckpoint, ResumeIsBitwiseTheUninterruptedRun) {
  auto be = Cpu();
  TokenSource src = StreamTokenSource(PatternStream(3000), 11);
  auto full = TransformerTrainer::Create(kDims, SmallOptions(20), be.get());
  ASSERT_TRUE(full.ok());
  ASSERT_TRUE((*full)->Train(src, 20).ok());

  auto first = TransformerTrainer::Create(kDims, SmallOptions(20), be.get());
  ASSERT_TRUE((*first)->Train(src, 8).ok());
  const std::string dir = TmpDir("ckpt_resume");
  ASSERT_TRUE((*first)->SaveCheckpoint(dir).ok());
  ASSERT_TRUE((*first)->SaveCheckpoint(dir).ok());  // overwriting an existing checkpoint
  EXPECT_FALSE(std::filesystem::exists(dir + ".partial"));
  auto resumed = TransformerTrainer::Resume(dir, be.get());
  ASSERT_TRUE(resumed.ok()) << resumed.status();
  EXPECT_EQ((*resumed)->step(), 8);
  ASSERT_TRUE((*resumed)->Train(src, 20).ok());
  for (const std::string& n : TransformerParamNames()) {
    const Tensor& a = (*full)->params().at(n);
    const Tensor& b = (*resumed)->params().at(n);
    ASSERT_EQ(a.size(), b.size());
    EXPECT_EQ(0, std::memcmp(a.data(), b.data(), sizeof(float) * a.size())) << n;
  }
}

TEST(TransformerCheckpoint, ShapesNotMatchingTheConfigAreAClearError) {
  auto be = Cpu();
  auto t = TransformerTrainer::Create(kDims, SmallOptions(4), be.get());
  const std::string dir = TmpDir("ckpt_mismatch");
  ASSERT_TRUE((*t)->SaveCheckpoint(dir).ok());
  auto cfg = ReadFile(dir + "/config.textproto");
  ASSERT_TRUE(cfg.ok());
  ASSERT_NE(cfg->find("d_mlp: 32"), std::string::npos) << *cfg;
  ASSERT_TRUE(WriteFileAtomic(dir + "/config.textproto",
                              absl::StrReplaceAll(*cfg, {{"d_mlp: 32", "d_mlp: 64"}}))
                  .ok());
  auto r = TransformerTrainer::Resume(dir, be.get());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("mlp.W_in"), std::string::npos) << r.status();
  EXPECT_NE(r.status().message().find("model.safetensors"), std::string::npos) << r.status();

  // A missing tensor names file and tensor.
  ASSERT_TRUE(WriteFileAtomic(dir + "/config.textproto", *cfg).ok());
  auto file = ReadSafetensors(dir + "/model.safetensors");
  ASSERT_TRUE(file.ok());
  file->tensors.erase("ln2.b");
  ASSERT_TRUE(WriteSafetensors(dir + "/model.safetensors", file->tensors).ok());
  TransformerDims dims;
  auto w = LoadTransformerWeights(dir, &dims);
  ASSERT_FALSE(w.ok());
  EXPECT_NE(w.status().message().find("missing tensor 'ln2.b'"), std::string::npos) << w.status();

  // A truncated weights file is an error, not a crash.
  auto bytes = ReadFile(dir + "/model.safetensors");
  ASSERT_TRUE(WriteFileAtomic(dir + "/model.safetensors", bytes->substr(0, bytes->size() / 2)).ok());
  EXPECT_FALSE(LoadTransformerWeights(dir, &dims).ok());
}

TEST(TransformerHook, ReadsReplacesAndAblates) {
  auto be = Cpu();
  auto model = Transformer::Create(kDims, be.get());
  ASSERT_TRUE(model.ok());
  NamedTensors params = InitParams(kDims, 3);
  for (auto& [n, t] : params) {
    if (t.rank() == 2) FillUniform(9, n.size(), -0.4f, 0.4f, &t);
  }
  auto windows = PhiloxTokenSource(2, kDims.vocab)(1, 3, 11);
  auto batch = NextTokenBatch(*windows, 3, 10);
  ASSERT_TRUE(batch.ok());
  ForwardCache clean;
  ASSERT_TRUE(model->Forward(params, *batch, &clean).ok());

  // Harvesting: the hook sees exactly the post-ReLU activations.
  Tensor seen;
  MlpHook harvest = [&](const TokenBatch&, Tensor* acts) {
    seen = acts->Clone();
    return absl::OkStatus();
  };
  ForwardCache c;
  ASSERT_TRUE(model->Forward(params, *batch, &c, &harvest).ok());
  ASSERT_EQ(seen.shape(), (Shape{30, kDims.d_mlp}));
  EXPECT_EQ(0, std::memcmp(seen.data(), clean.acts.data(), sizeof(float) * seen.size()));
  EXPECT_EQ(c.loss, clean.loss);

  // Identity replacement recovers all the loss; zero replacement none.
  MlpHook identity = ReplaceHook([](const Tensor& a) -> absl::StatusOr<Tensor> { return a.Clone(); });
  auto s = MeasureSpliceLosses(*model, params, *batch, &identity);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->replaced, s->clean);
  EXPECT_NE(s->zero, s->clean);
  EXPECT_NE(s->mean_ablated, s->clean);
  EXPECT_DOUBLE_EQ(s->LossRecovered(), 1.0);
  MlpHook zeros = ReplaceHook([](const Tensor& a) -> absl::StatusOr<Tensor> { return Tensor(a.shape()); });
  s = MeasureSpliceLosses(*model, params, *batch, &zeros);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->replaced, s->zero);
  EXPECT_DOUBLE_EQ(s->LossRecovered(), 0.0);

  // Zero ablation equals a model whose W_out and b_out... contribute nothing.
  NamedTensors ablated = InitParams(kDims, 3);
  for (auto& [n, t] : ablated) std::memcpy(t.data(), params.at(n).data(), sizeof(float) * t.size());
  ablated.at("mlp.W_out").Fill(0.0f);
  ForwardCache z;
  ASSERT_TRUE(model->Forward(ablated, *batch, &z).ok());
  EXPECT_NEAR(z.loss, s->zero, 1e-6);

  // A hook that returns the wrong shape is an error.
  MlpHook bad = ReplaceHook([](const Tensor&) -> absl::StatusOr<Tensor> { return Tensor({2, 2}); });
  EXPECT_FALSE(model->Forward(params, *batch, &c, &bad).ok());
}

TEST(TransformerBadInput, ClearErrorsNeverACrash) {
  auto be = Cpu();
  auto model = Transformer::Create(kDims, be.get());
  NamedTensors params = InitParams(kDims, 1);
  ForwardCache c;
  TokenBatch too_long{1, 17, std::vector<int32_t>(17, 1), std::vector<int32_t>(17, 1)};
  absl::Status s = model->Forward(params, too_long, &c);
  EXPECT_NE(s.message().find("context length 17 is over the configured maximum n_ctx 16"),
            std::string::npos)
      << s;
  TokenBatch bad_id{1, 3, {1, 13, 2}, {0, 0, 0}};
  s = model->Forward(params, bad_id, &c);
  EXPECT_NE(s.message().find("token id 13"), std::string::npos) << s;
  TokenBatch neg{1, 3, {1, 2, 3}, {0, -1, 0}};
  s = model->Forward(params, neg, &c);
  EXPECT_NE(s.message().find("token id -1"), std::string::npos) << s;
  TokenBatch ragged{2, 3, {1, 2, 3}, {0, 1, 0}};
  EXPECT_FALSE(model->Forward(params, ragged, &c).ok());
  params.at("mlp.b_in") = Tensor({5});
  s = model->Forward(params, TokenBatch{1, 1, {1}, {2}}, &c);
  EXPECT_NE(s.message().find("mlp.b_in"), std::string::npos) << s;
  // Bad configs and an empty token stream.
  TransformerConfig cfg;
  cfg.set_d_model(10);
  cfg.set_n_heads(4);
  EXPECT_FALSE(TransformerDims::FromProto(cfg).ok());
  cfg.set_d_model(-8);
  EXPECT_FALSE(TransformerDims::FromProto(cfg).ok());
  auto empty = StreamTokenSource({}, 1)(1, 2, 5);
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.status().message().find("empty"), std::string::npos);
  auto t = TransformerTrainer::Create(kDims, SmallOptions(5), be.get());
  EXPECT_FALSE((*t)->Train(StreamTokenSource({}, 1), 2).ok());
}

TEST(TransformerConfig, DefaultsAreThePapers) {
  auto d = TransformerDims::FromProto(TransformerConfig());
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->d_model, 128);
  EXPECT_EQ(d->n_heads, 4);
  EXPECT_EQ(d->n_ctx, 128);
  EXPECT_EQ(d->d_mlp, 512);
  EXPECT_EQ(d->vocab, 256);
}

}  // namespace
}  // namespace monosem
