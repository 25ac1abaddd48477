// SAE training checkpoints: train T straight == train t, save, resume in a
// new trainer, train to T (bitwise), on every backend x architecture,
// including resampling on both sides of t and BatchTopK's threshold; Skip on
// every source; and the resume errors.
#include <cmath>
#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <string>

#include "gtest/gtest.h"
#include "monosem/io/file_io.h"
#include "monosem/io/safetensors.h"
#include "monosem/models/sae/sae.h"
#include "monosem/models/sae/sae_matrix_source.h"
#include "monosem/models/sae/synthetic.h"
#include "nlohmann/json.hpp"
#include "tests/testing/backends.h"
#include "tests/testing/tmp_dir.h"

namespace monosem::sae {
namespace {

using ::monosem::testing::TmpDir;

namespace fs = std::filesystem;

constexpr int64_t kSteps = 16;  // relu_l1 resamples at steps 2, 4, 6, 8
constexpr int64_t kSplit = 5;

SyntheticOptions Data() {
  SyntheticOptions o;
  o.n_gt = 24;
  o.d = 16;
  o.expected_active = 3;
  o.seed = 5;
  return o;
}

SaeSpec Spec(Arch a) {
  SaeSpec s;
  s.arch = a;
  s.d = 16;
  s.f = 24;
  s.k = 4;
  s.k_aux = UsesK(a) ? 6 : 0;
  s.l1 = a == Arch::kJumpReLU ? 0.01f : a == Arch::kReluL1 ? 3.0f : 0.05f;
  if (a == Arch::kMatryoshkaBatchTopK) s.prefix_widths = {3, 12, 24};
  return s;
}

TrainOptions Options() {
  TrainOptions o;
  o.steps = kSteps;
  o.batch = 32;
  o.geometric_median_sample = 64;
  o.resample_pool = 48;
  o.dead_tokens = 64;  // AuxK active from step 2 on
  o.seed = 9;
  return o;
}

// Init, then kill a third of the latents (relu_l1) so resampling has work at
// every scheduled step.
std::unique_ptr<SaeTrainer> Start(const std::string& backend, Arch arch, BatchSource& src) {
  TrainOptions opt = Options();
  // relu_l1: with a large step and a strong penalty latents keep dying, so
  // every scheduled resampling (before and after the split) has work.
  if (arch == Arch::kReluL1) opt.adam.lr = 0.05f;
  auto t = SaeTrainer::Create(Spec(arch), opt, backend);
  EXPECT_TRUE(t.ok()) << t.status();
  EXPECT_TRUE((*t)->Init(src).ok());
  if (arch == Arch::kReluL1) {
    SaeParams p = (*t)->params().Clone();
    for (int64_t i = 0; i < 8; ++i) p.b_enc[i] = -1e4f;
    EXPECT_TRUE((*t)->SetParams(std::move(p)).ok());
  }
  return std::move(*t);
}

void ExpectSameParams(const SaeParams& a, const SaeParams& b, const std::string& what) {
  const auto na = a.Named(), nb = b.Named();
  for (size_t t = 0; t < na.size(); ++t) {
    EXPECT_EQ(0, std::memcmp(na[t].second->data(), nb[t].second->data(), na[t].second->size() * 4))
        << what << ": " << na[t].first << " differs";
  }
}

class CheckpointAllBackends : public ::testing::TestWithParam<std::tuple<std::string, Arch>> {};

TEST_P(CheckpointAllBackends, ResumeIsBitwise) {
  const auto& [backend, arch] = GetParam();
  const std::string what = backend + "/" + ArchName(arch);
  {
    auto probe = SaeKernelRegistry::Create(BackendRegistry::Create(backend));
    ASSERT_TRUE(probe.ok());
    MONOSEM_SKIP_UNLESS_AVAILABLE(backend, (*probe)->Available());
  }
  if (backend == "cuda" && (arch == Arch::kGated || arch == Arch::kMatryoshkaBatchTopK)) {
    GTEST_SKIP() << ArchName(arch) << " has no cuda kernels (they answer Unimplemented)";
  }
  auto straight_data = *SyntheticData::Create(Data());
  auto straight = Start(backend, arch, straight_data);
  ASSERT_TRUE(straight->Train(straight_data, {3, kSteps}).ok());

  auto first_data = *SyntheticData::Create(Data());
  auto first = Start(backend, arch, first_data);
  ASSERT_TRUE(first->TrainUntil(first_data, kSplit, {3, kSteps}).ok());
  ASSERT_EQ(first->step(), kSplit);
  const int64_t resampled_before = first->resamples();
  const std::string dir = TmpDir(backend + "_" + ArchName(arch));
  ASSERT_TRUE(first->SaveCheckpoint(dir).ok());
  EXPECT_FALSE(fs::exists(dir + ".partial"));
  first.reset();

  auto second_data = *SyntheticData::Create(Data());  // a fresh stream: Resume skips ahead
  auto resumed = SaeTrainer::Resume(dir, backend, second_data);
  ASSERT_TRUE(resumed.ok()) << resumed.status();
  SaeTrainer& r = **resumed;
  EXPECT_EQ(r.step(), kSplit);
  EXPECT_EQ(r.resamples(), resampled_before);
  EXPECT_EQ(second_data.position(), r.vectors_drawn());
  ASSERT_TRUE(r.Train(second_data, {3, kSteps}).ok());

  ExpectSameParams(straight->params(), r.params(), what);
  EXPECT_EQ(straight->tokens_since_fired(), r.tokens_since_fired()) << what;
  EXPECT_EQ(straight->resamples(), r.resamples()) << what;
  EXPECT_EQ(straight->vectors_drawn(), r.vectors_drawn()) << what;
  EXPECT_EQ(straight_data.position(), second_data.position()) << what;
  ASSERT_EQ(straight->log().size(), 2u);
  ASSERT_EQ(r.log().size(), 2u);  // step 3 came back from the checkpoint
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(straight->log()[i].step, r.log()[i].step);
    EXPECT_EQ(straight->log()[i].loss, r.log()[i].loss) << what;
    EXPECT_EQ(straight->log()[i].dead, r.log()[i].dead) << what;
  }
  if (arch == Arch::kReluL1) {
    // Resampling really happened before and after the split.
    EXPECT_GT(resampled_before, 0) << what;
    EXPECT_GT(r.resamples(), resampled_before) << what;
  }
  if (IsBatchTopK(arch)) {
    EXPECT_GT(r.params().threshold[0], 0.0f);
  }
  if (arch == Arch::kGated) {
    // The magnitude path trained and came back from the checkpoint.
    EXPECT_EQ(r.params().Named().size(), 7u);
    double moved = 0;
    for (int64_t i = 0; i < r.params().r_mag.size(); ++i) moved += std::fabs(r.params().r_mag[i]);
    EXPECT_GT(moved, 0.0) << what;
  }
  // Every vector is counted: GM sample + T batches + a pool per resampling
  // that found dead latents (at least one on each side of the split).
  const int64_t pools = r.vectors_drawn() - 64 - kSteps * 32;
  EXPECT_EQ(pools % Options().resample_pool, 0) << what;
  EXPECT_GE(pools, arch == Arch::kReluL1 ? 2 * Options().resample_pool : 0) << what;
  if (arch != Arch::kReluL1) {
    EXPECT_EQ(pools, 0) << what;
  }
}

INSTANTIATE_TEST_SUITE_P(
    All, CheckpointAllBackends,
    ::testing::Combine(::testing::ValuesIn(SaeKernelRegistry::Names()),
                       ::testing::Values(Arch::kReluL1, Arch::kTopK, Arch::kBatchTopK, Arch::kJumpReLU,
                                         Arch::kGated, Arch::kMatryoshkaBatchTopK)),
    [](const auto& info) { return std::get<0>(info.param) + "_" + ArchName(std::get<1>(info.param)); });

// Forwards Next only, so BatchSource's default Skip (draw and discard) runs.
class NextOnly : public BatchSource {
 public:
  explicit NextOnly(BatchSource* inner) : inner_(inner) {}
  int64_t dim() const override { return inner_->dim(); }
  absl::Status Next(int64_t batch, Tensor* out) override { return inner_->Next(batch, out); }

 private:
  BatchSource* inner_;
};

TEST(Checkpoint, DefaultSkipMatchesCounterSkip) {
  auto a = *SyntheticData::Create(Data());
  auto b = *SyntheticData::Create(Data());
  NextOnly wrapped(&a);
  // More than one bounded chunk (2^20 / d = 65536 vectors at d = 16).
  ASSERT_TRUE(wrapped.Skip(70000).ok());
  ASSERT_TRUE(b.Skip(70000).ok());
  EXPECT_EQ(a.position(), 70000);
  Tensor x({3, 16}), y({3, 16});
  ASSERT_TRUE(a.Next(3, &x).ok());
  ASSERT_TRUE(b.Next(3, &y).ok());
  EXPECT_EQ(0, std::memcmp(x.data(), y.data(), x.size() * 4));
  EXPECT_FALSE(wrapped.Skip(-1).ok());
  EXPECT_FALSE(b.Skip(-1).ok());
}

// Resuming from a safetensors matrix: the shuffled epochs continue exactly.
TEST(Checkpoint, ResumeOnAMatrixSourceIsBitwise) {
  auto syn = *SyntheticData::Create(Data());
  Tensor m({50, 16});  // fewer rows than one run draws: several epochs
  ASSERT_TRUE(syn.Next(50, &m).ok());
  std::map<std::string, Tensor> tensors;
  tensors.emplace("x", std::move(m));
  const std::string path = ::testing::TempDir() + "/ckpt_matrix.safetensors";
  ASSERT_TRUE(WriteSafetensors(path, tensors).ok());

  auto s1 = *SafetensorsMatrixSource::Open(path, "", 4);
  auto straight = Start("cpu", Arch::kTopK, s1);
  ASSERT_TRUE(straight->Train(s1).ok());
  auto s2 = *SafetensorsMatrixSource::Open(path, "", 4);
  auto first = Start("cpu", Arch::kTopK, s2);
  ASSERT_TRUE(first->TrainUntil(s2, 7).ok());
  const std::string dir = TmpDir("matrix");
  ASSERT_TRUE(first->SaveCheckpoint(dir).ok());
  auto s3 = *SafetensorsMatrixSource::Open(path, "", 4);
  auto resumed = SaeTrainer::Resume(dir, "cpu", s3);
  ASSERT_TRUE(resumed.ok()) << resumed.status();
  ASSERT_TRUE((*resumed)->Train(s3).ok());
  ExpectSameParams(straight->params(), (*resumed)->params(), "matrix source");
}

void ExpectResumeError(const std::string& dir, BatchSource& src, std::initializer_list<const char*> parts) {
  auto r = SaeTrainer::Resume(dir, "cpu", src);
  ASSERT_FALSE(r.ok());
  const std::string msg(r.status().message());
  for (const char* p : parts) EXPECT_NE(msg.find(p), std::string::npos) << "'" << p << "' not in: " << msg;
}

// A regular file where the checkpoint folder goes is the user's: refused,
// left as it was.
TEST(Checkpoint, RegularFileAtTheFolderIsRefusedNotDeleted) {
  auto data = *SyntheticData::Create(Data());
  auto t = Start("cpu", Arch::kTopK, data);
  ASSERT_TRUE(t->TrainUntil(data, 2).ok());
  const std::string dir = TmpDir("afile");
  fs::remove_all(dir);
  ASSERT_TRUE(WriteFileAtomic(dir, "keep me").ok());
  absl::Status st = t->SaveCheckpoint(dir);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("exists and is not a directory"), std::string::npos) << st;
  EXPECT_EQ(*ReadFile(dir), "keep me");
}

TEST(Checkpoint, ResumeErrorsNameTheProblem) {
  auto data = *SyntheticData::Create(Data());
  auto t = Start("cpu", Arch::kTopK, data);
  ASSERT_TRUE(t->TrainUntil(data, 3).ok());
  const std::string dir = TmpDir("errors");
  ASSERT_TRUE(t->SaveCheckpoint(dir).ok());
  ASSERT_TRUE(t->SaveCheckpoint(dir).ok());  // overwriting a checkpoint works
  EXPECT_FALSE(fs::exists(dir + ".partial"));
  EXPECT_FALSE(fs::exists(dir + ".old"));

  SyntheticOptions narrow = Data();
  narrow.d = 8;
  auto other = *SyntheticData::Create(narrow);
  ExpectResumeError(dir, other, {"d_in = 16", "d = 8"});

  auto fresh = [&] { return *SyntheticData::Create(Data()); };
  auto s = fresh();
  ExpectResumeError(TmpDir("missing"), s, {"missing/trainer.json"});

  const std::string json = *ReadFile(dir + "/trainer.json");
  const std::string state = *ReadFile(dir + "/state.safetensors");
  ASSERT_TRUE(WriteFileAtomic(dir + "/trainer.json", json.substr(0, json.size() / 2)).ok());
  s = fresh();
  ExpectResumeError(dir, s, {"trainer.json", "not valid JSON"});

  std::string bad = json;
  bad.replace(bad.find("\"vectors_drawn\""), 15, "\"vectors_drawm\"");
  ASSERT_TRUE(WriteFileAtomic(dir + "/trainer.json", bad).ok());
  s = fresh();
  ExpectResumeError(dir, s, {"trainer.json", "'vectors_drawn' is missing"});

  // Hand edits a run never writes: each named by field, value and range.
  auto edited = [&](const std::function<void(nlohmann::json&)>& edit) {
    nlohmann::json j = nlohmann::json::parse(json);
    edit(j);
    ASSERT_TRUE(WriteFileAtomic(dir + "/trainer.json", j.dump()).ok());
  };
  edited([](nlohmann::json& j) { j["step"] = 0; });
  s = fresh();
  ExpectResumeError(dir, s, {"trainer.json", "field 'step' is 0", "allowed: 1 to"});
  edited([](nlohmann::json& j) { j["vectors_drawn"] = int64_t{1000000000000000000}; });
  s = fresh();
  ExpectResumeError(dir, s, {"trainer.json", "field 'vectors_drawn' is 1000000000000000000", "allowed at step 3"});
  edited([](nlohmann::json& j) { j["backend"] = "gpu9"; });
  s = fresh();
  ExpectResumeError(dir, s, {"trainer.json", "field 'backend' is 'gpu9'"});
  edited([](nlohmann::json& j) { j["options"]["beta1"] = 1.5; });
  s = fresh();
  ExpectResumeError(dir, s, {"trainer.json: options", "field 'beta1' is 1.5"});

  ASSERT_TRUE(WriteFileAtomic(dir + "/trainer.json", json).ok());
  {  // A negative Adam second moment is a corrupt state, not a learning-rate problem.
    auto st = ParseSafetensors(state, "state");
    ASSERT_TRUE(st.ok());
    st->tensors.at("v.W_dec")[5] = -1.0f;
    ASSERT_TRUE(WriteSafetensors(dir + "/state.safetensors", st->tensors).ok());
    s = fresh();
    ExpectResumeError(dir, s, {"state.safetensors", "'v.W_dec'[5] = -1", "second moment"});
  }
  ASSERT_TRUE(WriteFileAtomic(dir + "/state.safetensors", state.substr(0, state.size() - 100)).ok());
  s = fresh();
  ExpectResumeError(dir, s, {"state.safetensors"});

  // A state file without Adam's v for W_enc.
  auto parsed = ParseSafetensors(state, "state");
  ASSERT_TRUE(parsed.ok());
  parsed->tensors.erase("v.W_enc");
  ASSERT_TRUE(WriteSafetensors(dir + "/state.safetensors", parsed->tensors).ok());
  s = fresh();
  ExpectResumeError(dir, s, {"state.safetensors", "missing tensor 'v.W_enc'"});

  fs::remove(dir + "/state.safetensors");
  s = fresh();
  ExpectResumeError(dir, s, {"state.safetensors"});
}

}  // namespace
}  // namespace monosem::sae
