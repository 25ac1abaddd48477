#include "monosem/config.h"

#include "gtest/gtest.h"

namespace monosem {
namespace {

TEST(Config, ParsesATextProto) {
  auto c = ParseRunConfig(R"pb(
    name: "toy-20-5"
    backend: "cpu"
    toy { n_features: 20 n_hidden: 5 relu_output: true importance_decay: 0.7 }
    train { steps: 100 batch_size: 1024 lr: 1e-3 }
  )pb",
                          "inline.textproto");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->toy().n_features(), 20);
  EXPECT_FLOAT_EQ(c->train().lr(), 1e-3f);
}

TEST(Config, MalformedConfigNamesFileAndLine) {
  auto c = ParseRunConfig("name: \"x\"\ntrain {\n  steps: banana\n}\n", "bad.textproto");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(c.status().message().find("bad.textproto:3:"), std::string::npos) << c.status();
}

TEST(Config, UnknownFieldIsAnErrorWithItsLine) {
  auto c = ParseRunConfig("name: \"x\"\n\ntoy { n_featurez: 3 }\n", "typo.textproto");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("typo.textproto:3:"), std::string::npos) << c.status();
  EXPECT_NE(c.status().message().find("n_featurez"), std::string::npos) << c.status();
}

TEST(Config, MissingFileIsNotFound) {
  auto c = LoadRunConfig("/nonexistent/monosem.textproto");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("/nonexistent/monosem.textproto"), std::string::npos);
}

// Each bad field is refused at load with the file, the field, the bad value
// and the allowed range; an explicit 0 never reads as "unset".
void ExpectInvalid(const std::string& text, std::initializer_list<const char*> parts) {
  auto c = ParseRunConfig(text, "run.textproto");
  ASSERT_TRUE(c.ok()) << c.status();
  absl::Status s = ValidateRunConfig(*c, "run.textproto");
  ASSERT_FALSE(s.ok()) << text;
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  EXPECT_NE(s.message().find("run.textproto: "), std::string::npos) << s;
  for (const char* p : parts) EXPECT_NE(s.message().find(p), std::string::npos) << "'" << p << "' not in " << s;
}

TEST(ConfigValidation, FieldsOutOfRangeNameFieldValueAndRange) {
  ExpectInvalid("transformer { n_heads: 0 }", {"transformer.n_heads is 0", "allowed: an integer >= 1"});
  ExpectInvalid("transformer { d_model: 0 }", {"transformer.d_model is 0"});
  ExpectInvalid("transformer { d_model: 30 n_heads: 4 }", {"transformer.d_model is 30", "multiple of"});
  ExpectInvalid("toy { n_features: 5 n_instances: 0 }", {"toy.n_instances is 0", ">= 1"});
  ExpectInvalid("toy { n_features: 2 n_hidden: 3 }", {"toy.n_hidden is 3", "at most toy.n_features (2)"});
  ExpectInvalid("toy { n_features: 5 importance_decay: 0 }", {"toy.importance_decay is 0", "> 0"});
  ExpectInvalid("toy { n_features: 5 importance_decay: 0.5 importance_linspace_base: 2 }",
                {"at most one of"});
  ExpectInvalid("toy { n_features: 5 sparsity: [0.1, 1.5] }", {"toy.sparsity[1] is 1.5", "in [0, 1]"});
  ExpectInvalid("toy { n_features: 5 n_instances: 3 sparsity: [0.1, 0.5] }", {"toy.n_instances (3)"});
  ExpectInvalid("toy { n_features: 5 } train { warmup_steps: 10 }", {"train.warmup_steps is not used"});
  ExpectInvalid("train { steps: -5 }", {"train.steps is -5", ">= 1"});
  ExpectInvalid("train { batch_size: 0 }", {"train.batch_size is 0"});
  ExpectInvalid("train { lr: inf }", {"train.lr is inf", "finite and > 0"});
  ExpectInvalid("train { lr: nan }", {"train.lr is nan"});
  ExpectInvalid("train { beta1: 1.5 }", {"train.beta1 is 1.5", "in [0, 1)"});
  ExpectInvalid("train { eps: -1 }", {"train.eps is -1"});
  ExpectInvalid("train { min_lr_fraction: 2 }", {"train.min_lr_fraction is 2", "in [0, 1]"});
  ExpectInvalid("data { n_train: 0 }", {"data.n_train is 0", ">= 1"});
  ExpectInvalid("data { n_eval: -3 }", {"data.n_eval is -3"});
  ExpectInvalid("data { brown_share: 1.5 }", {"data.brown_share is 1.5"});
  ExpectInvalid("data { corpus { genres { genre: \"dna\" weight: -1 } } }",
                {"data.corpus.genres[0].weight is -1"});
  ExpectInvalid("sae { d_in: 8 d_sae: 16 l1_coefficient: nan }", {"sae.l1_coefficient is nan"});
}

TEST(ConfigValidation, PresenceIsExplicit) {
  auto c = ParseRunConfig("transformer { d_model: 64 } data { seed: 0 }", "p.textproto");
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->transformer().has_d_model());
  EXPECT_FALSE(c->transformer().has_n_heads());
  EXPECT_TRUE(c->data().has_seed());  // seed 0 is a seed, not "unset"
  EXPECT_TRUE(ValidateRunConfig(*c, "p.textproto").ok());
}

// Sizes beyond this machine's memory are refused with the estimate, before
// anything is allocated.
TEST(ConfigValidation, AbsurdSizesAreRefusedWithTheEstimate) {
  ExpectInvalid("sae { architecture: TOPK d_in: 8 d_sae: 2147483647 k: 4 }",
                {"sae (d_in 8, d_sae 2147483647", "needs an estimated", "MemAvailable"});
  ExpectInvalid("sae { architecture: TOPK d_in: 8 d_sae: 32 k: 4 } train { batch_size: 2147483647 }",
                {"batch 2147483647", "needs an estimated"});
  ExpectInvalid("toy { n_features: 100000000 n_hidden: 5 n_instances: 100000 }", {"toy model", "needs an estimated"});
  ExpectInvalid("data { n_train: 100000000000000 }", {"n_train 100000000000000", "needs an estimated"});
  ExpectInvalid("transformer { d_model: 65536 vocab: 16000000 }", {"transformer (", "needs an estimated"});
  ExpectInvalid("transformer { n_ctx: 100000 }", {"transformer.n_ctx is 100000", "[1, 65536]"});
}

TEST(ConfigValidation, ReasonableConfigsPass) {
  for (const char* text : {"toy { n_features: 20 n_hidden: 5 n_instances: 2 sparsity: [0, 0.9] }",
                           "transformer { d_model: 32 n_heads: 2 n_ctx: 32 d_mlp: 64 vocab: 256 }"
                           " train { steps: 300 batch_size: 16 lr: 0.01 warmup_steps: 30 }"
                           " data { n_train: 1000000 n_eval: 200000 }",
                           "sae { architecture: TOPK d_in: 64 d_sae: 256 k: 8 } train { steps: 10 }"}) {
    auto c = ParseRunConfig(text, "ok.textproto");
    ASSERT_TRUE(c.ok());
    EXPECT_TRUE(ValidateRunConfig(*c, "ok.textproto").ok()) << ValidateRunConfig(*c, "ok.textproto");
  }
}

// A device or a huge file as --config fails at once, naming the bound.
TEST(ConfigValidation, ReadsAreBounded) {
  auto c = LoadRunConfig("/dev/zero");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("/dev/zero: larger than"), std::string::npos) << c.status();
}

}  // namespace
}  // namespace monosem
