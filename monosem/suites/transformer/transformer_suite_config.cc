#include "monosem/suites/transformer/transformer_suite_config.h"

namespace monosem {

RunConfig TransformerSuiteDefaults(bool quick) {
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
  tr->set_seed(1);  // A; B is seed + 1
  return c;
}

RunConfig TransformerSuiteConfig(bool quick, const RunConfig* override) {
  RunConfig c = TransformerSuiteDefaults(quick);
  if (override != nullptr) {
    if (!override->name().empty()) c.set_name(override->name());
    if (override->has_transformer()) c.mutable_transformer()->MergeFrom(override->transformer());
    if (override->has_train()) c.mutable_train()->MergeFrom(override->train());
    if (override->has_data()) c.mutable_data()->MergeFrom(override->data());
  }
  return c;
}

TransformerSuiteScale TransformerSuiteScaleFor(bool quick) {
  return quick ? TransformerSuiteScale{1024, 64, 256, 64, 16, 32}
               : TransformerSuiteScale{2048, 256, 256, 2048, 32, 32};
}

}  // namespace monosem
