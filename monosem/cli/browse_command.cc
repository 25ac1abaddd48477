#include "monosem/cli/exit_codes.h"
#include "monosem/cli/report_commands.h"
#include "monosem/report/browse.h"

namespace monosem {

int BrowseCommand(const BrowseCommandArgs& a, std::ostream& out, std::ostream& err) {
  if (a.sae.empty() || a.transformer.empty() || a.out.empty()) {
    err << "monosem browse: --sae DIR, --transformer CKPT and --out DIR are required\n";
    return kExitUsage;
  }
  report::BrowseArgs b;
  b.sae = a.sae;
  b.transformer = a.transformer;
  b.data = a.data;
  b.out = a.out;
  b.backend = a.backend;
  b.contexts = a.contexts;
  if (absl::Status s = report::Browse(b); !s.ok()) {
    err << "monosem browse: " << s.message() << "\n";
    return kExitError;
  }
  out << "wrote " << a.out << "/index.html (features: " << a.out << "/sae/index.html, neurons: "
      << a.out << "/neurons/index.html)\n";
  return kExitOk;
}

}  // namespace monosem
