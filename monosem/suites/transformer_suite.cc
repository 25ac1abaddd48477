// The "transformer" suite (issue 4): transformers A and B on the built-in
// labelled corpus; see monosem/models/transformer/transformer_suite.h and
// docs/transformer_model.md ("The transformer suite") for rows and outputs.
#include "monosem/models/transformer/transformer_suite.h"
#include "monosem/suite.h"

namespace monosem {
namespace {

MONOSEM_REGISTER_SUITE(transformer, "transformer",
                       "one-layer transformers A and B on the labelled corpus: loss vs unigram "
                       "entropy, loss per genre, neuron polysemanticity and genre_f1; "
                       "checkpoints and MLP activation stores",
                       RunTransformerSuite);

}  // namespace
}  // namespace monosem
