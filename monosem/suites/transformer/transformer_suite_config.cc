#include "monosem/suites/transformer/transformer_suite_config.h"

namespace monosem {

RunConfig TransformerSuiteDefaults(SuiteScale scale) {
  const bool quick = scale == SuiteScale::kQuick;
  RunConfig c;
  c.set_name(quick ? "transformer_suite_quick" : "transformer_suite");
  TransformerConfig* t = c.mutable_transformer();
  TrainConfig* tr = c.mutable_train();
  DataConfig* d = c.mutable_data();
  d->set_source("corpus");
  d->set_seed(1);
  if (quick) {
    t->set_d_model(32);
    t->set_n_heads(2);
    t->set_n_ctx(32);
    t->set_d_mlp(64);
    t->set_vocab(256);
    tr->set_steps(300);
    tr->set_batch_size(16);
    tr->set_lr(1e-2f);
    tr->set_warmup_steps(30);
    d->set_n_train(1000000);
    d->set_n_eval(200000);
  } else {
    // The paper's shape (d 128, 4 heads, ctx 128, MLP 512, bytes).
    t->set_d_model(128);
    t->set_n_heads(4);
    t->set_n_ctx(128);
    t->set_d_mlp(512);
    t->set_vocab(256);
    tr->set_steps(1000);  // 1000 x 32 x 128 = 4.1M tokens per model
    tr->set_batch_size(32);
    tr->set_lr(3e-3f);
    tr->set_warmup_steps(100);
    d->set_n_train(8000000);
    d->set_n_eval(262144);
  }
  if (scale == SuiteScale::kPaper) {
    // The paper trained on 100B tokens of the Pile; at 32 x 128 tokens per
    // step that is 24.4M steps. The corpus is regenerated in memory (labels
    // included), so it is capped at 1 GiB of text: the run cycles over it.
    c.set_name("transformer_suite_paper");
    tr->set_steps(24414063);
    tr->set_warmup_steps(10000);
    d->set_n_train(int64_t{1} << 30);
    d->set_n_eval(int64_t{1} << 24);
  }
  tr->set_seed(1);  // A; B is seed + 1
  return c;
}

RunConfig TransformerSuiteConfig(SuiteScale scale, const RunConfig* override) {
  RunConfig c = TransformerSuiteDefaults(scale);
  if (override != nullptr) {
    if (!override->name().empty()) c.set_name(override->name());
    if (override->has_transformer()) c.mutable_transformer()->MergeFrom(override->transformer());
    if (override->has_train()) c.mutable_train()->MergeFrom(override->train());
    if (override->has_data()) c.mutable_data()->MergeFrom(override->data());
  }
  return c;
}

TransformerSuiteScale TransformerSuiteScaleFor(SuiteScale scale) {
  switch (scale) {
    case SuiteScale::kQuick:
      return {1024, 64, 256, 64, 16, 32};
    case SuiteScale::kDefault:
      // 32,768 contexts x 32 positions: 1.05M MLP vectors per transformer
      // (1 GiB as bf16), enough for a 4,096-feature dictionary to see
      // several passes of distinct data.
      return {2048, 256, 256, 32768, 32, 32, /*bf16_store=*/true};
    case SuiteScale::kPaper:
      // 16M vectors per transformer (16 GiB as bf16); the SAEs cycle over
      // them for their ~8B training vectors.
      return {16384, 2048, 2048, 524288, 32, 32, /*bf16_store=*/true};
  }
  return {};
}

}  // namespace monosem
