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

}  // namespace
}  // namespace monosem
