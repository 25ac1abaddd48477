// `monosem browse`: runs a transformer over labelled text, encodes its MLP
// activations with an SAE, and writes two feature browsers, one for the SAE's
// features and one for the MLP's neurons, so the two can be compared:
//   DIR/index.html     links to both, with what was browsed
//   DIR/sae/           the SAE's features (browser_writer.h)
//   DIR/neurons/       the MLP's neurons
#ifndef MONOSEM_REPORT_BROWSE_H_
#define MONOSEM_REPORT_BROWSE_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "monosem/data/corpus.h"
#include "monosem/report/browser_writer.h"

namespace monosem::report {

struct BrowseArgs {
  std::string sae;          // a SAELens folder whose d_in is the MLP width
  std::string transformer;  // a transformer checkpoint folder
  // Text to browse (text_loader.h: file, folder, .jsonl, .jsonl.zst), or
  // empty: the built-in labelled corpus (its genres label the contexts).
  std::string data;
  // Or the text itself (the sae suite passes its held-out split); wins over
  // `data` when set.
  const Corpus* corpus = nullptr;
  std::string out;
  int64_t contexts = 256;   // windows of n_ctx bytes browsed
  std::string backend = "cpu";
  BrowserOptions options;
  bool progress = true;     // report.h Progress on stdout
};

absl::Status Browse(const BrowseArgs& args);

}  // namespace monosem::report

#endif  // MONOSEM_REPORT_BROWSE_H_
