#include "monosem/suites/transformer/suite_corpus.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "monosem/data/brown_corpus.h"
#include "monosem/data/corpus_mix.h"
#include "monosem/status.h"

namespace monosem {

absl::StatusOr<SuiteCorpus> BuildSuiteCorpus(const DataConfig& data, int64_t n_bytes,
                                             double default_share, bool strict) {
  SuiteCorpus out;
  double share = data.has_brown_share() ? data.brown_share() : default_share;
  if (!(share >= 0 && share < 1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("data.brown_share must be in [0, 1), got ", share));
  }
  std::vector<RealDocument> docs;
  if (share > 0) {
    if (!BrownCorpusPresent()) {
      if (strict) {
        return absl::FailedPreconditionError(absl::StrCat(
            "the corpus was built with data.brown_share ", share, ", but ", BrownMissingMessage()));
      }
      out.note = absl::StrCat(BrownMissingMessage(), "; training on generated text alone");
      share = 0;
    } else {
      MONOSEM_ASSIGN_OR_RETURN(BrownCorpus brown, LoadCachedBrownCorpus());
      for (BrownText& t : BrownPlainText(brown, /*detokenize=*/true)) {
        docs.push_back({t.category, std::move(t.text)});
      }
    }
  }
  out.brown_share = share;
  MONOSEM_ASSIGN_OR_RETURN(Corpus generated, GenerateCorpus(data.corpus(), n_bytes));
  if (share == 0) {
    out.corpus = std::move(generated);
    return out;
  }
  MONOSEM_ASSIGN_OR_RETURN(out.corpus, MixRealDocuments(generated, docs, "brown", share,
                                                        data.seed(), n_bytes));
  return out;
}

}  // namespace monosem
