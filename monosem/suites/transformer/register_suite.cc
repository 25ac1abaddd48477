// Registers the "transformer" suite (transformer_suite.h).
#include "monosem/suite.h"
#include "monosem/suites/transformer/transformer_suite.h"

namespace monosem {
namespace {

MONOSEM_REGISTER_SUITE(transformer, "transformer",
                       "one-layer transformers A and B on the labelled corpus: loss vs unigram "
                       "entropy, loss per genre, neuron polysemanticity and genre_f1; "
                       "checkpoints and MLP activation stores",
                       RunTransformerSuite);

}  // namespace
}  // namespace monosem
