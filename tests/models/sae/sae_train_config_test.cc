// A train config's values are used as given or refused, never replaced by a
// default without a word.
#include <cmath>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "monosem/models/sae/sae.h"

namespace monosem::sae {
namespace {

TEST(ApplyTrainConfigTest, SetFieldsReplaceDefaults) {
  SaeConfig c;
  TrainConfig t;
  t.set_steps(7);
  t.set_batch_size(3);
  t.set_lr(0.5f);
  t.set_beta1(0.0f);  // a legal value, not "unset"
  t.set_seed(0);
  c.set_dead_tokens(11);
  TrainOptions o;
  o.seed = 99;
  ASSERT_TRUE(ApplyTrainConfig(c, t, &o).ok());
  EXPECT_EQ(o.steps, 7);
  EXPECT_EQ(o.batch, 3);
  EXPECT_FLOAT_EQ(o.adam.lr, 0.5f);
  EXPECT_FLOAT_EQ(o.adam.beta1, 0.0f);
  EXPECT_EQ(o.seed, 0u);
  EXPECT_EQ(o.dead_tokens, 11);
}

TEST(ApplyTrainConfigTest, UnsetFieldsKeepDefaults) {
  TrainOptions o, defaults;
  ASSERT_TRUE(ApplyTrainConfig(SaeConfig(), TrainConfig(), &o).ok());
  EXPECT_EQ(o.steps, defaults.steps);
  EXPECT_EQ(o.batch, defaults.batch);
  EXPECT_FLOAT_EQ(o.adam.lr, defaults.adam.lr);
}

TEST(ApplyTrainConfigTest, BadValuesAreRefusedWithFieldAndRange) {
  struct Case {
    void (*set)(TrainConfig*, SaeConfig*);
    std::string want;
  } cases[] = {
      {[](TrainConfig* t, SaeConfig*) { t->set_steps(-5); }, "train.steps is -5; it must be >= 1"},
      {[](TrainConfig* t, SaeConfig*) { t->set_steps(0); }, "train.steps is 0"},
      {[](TrainConfig* t, SaeConfig*) { t->set_batch_size(-32); }, "train.batch_size is -32"},
      {[](TrainConfig* t, SaeConfig*) { t->set_lr(std::nanf("")); }, "train.lr is nan; it must be finite and > 0"},
      {[](TrainConfig* t, SaeConfig*) { t->set_lr(INFINITY); }, "train.lr is inf"},
      {[](TrainConfig* t, SaeConfig*) { t->set_lr(-1e-3f); }, "train.lr is -0.001"},
      {[](TrainConfig* t, SaeConfig*) { t->set_beta1(1.5f); }, "train.beta1 is 1.5; it must be in [0, 1)"},
      {[](TrainConfig* t, SaeConfig*) { t->set_beta2(std::nanf("")); }, "train.beta2 is nan"},
      {[](TrainConfig* t, SaeConfig*) { t->set_eps(-1); }, "train.eps is -1"},
      {[](TrainConfig*, SaeConfig* c) { c->set_dead_tokens(-5); }, "sae.dead_tokens is -5"},
      {[](TrainConfig* t, SaeConfig*) { t->set_weight_decay(0.1f); }, "train.weight_decay is not used"},
      {[](TrainConfig* t, SaeConfig*) { t->set_warmup_steps(10); }, "train.warmup_steps is not used"},
      {[](TrainConfig* t, SaeConfig*) { t->set_grad_clip(1); }, "train.grad_clip is not used"},
      {[](TrainConfig* t, SaeConfig*) { t->set_min_lr_fraction(0.1f); }, "train.min_lr_fraction is not used"},
  };
  for (const Case& k : cases) {
    TrainConfig t;
    SaeConfig c;
    k.set(&t, &c);
    TrainOptions o;
    const absl::Status s = ApplyTrainConfig(c, t, &o);
    ASSERT_FALSE(s.ok()) << k.want;
    EXPECT_NE(std::string(s.message()).find(k.want), std::string::npos) << s;
  }
}

TEST(SpecFromConfigTest, GatedAndMatryoshkaArchitectures) {
  SaeConfig c;
  c.set_architecture(SaeConfig::GATED);
  c.set_d_in(8);
  c.set_d_sae(32);
  c.set_l1_coefficient(0.5f);
  auto g = SpecFromConfig(c);
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_EQ(g->arch, Arch::kGated);
  EXPECT_FLOAT_EQ(g->l1, 0.5f);

  c.set_architecture(SaeConfig::MATRYOSHKA_BATCH_TOPK);
  c.set_k(4);
  auto none = SpecFromConfig(c);
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find("matryoshka_widths"), std::string::npos) << none.status();
  c.add_matryoshka_widths(4);
  c.add_matryoshka_widths(16);
  auto m = SpecFromConfig(c);
  ASSERT_TRUE(m.ok()) << m.status();
  // As SAELens: d_sae is appended as the last level.
  EXPECT_EQ(m->prefix_widths, (std::vector<int64_t>{4, 16, 32}));
  c.add_matryoshka_widths(8);  // not increasing
  auto bad = SpecFromConfig(c);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("strictly increasing"), std::string::npos) << bad.status();
}

}  // namespace
}  // namespace monosem::sae
