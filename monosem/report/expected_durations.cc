// The suites' durations from the README's measured runs (2-core machine,
// default and --quick). They only shape the ETA of `reproduce`'s per-suite
// progress line; a wrong figure makes the ETA wrong, never a result.
#include <map>
#include <string>

#include "monosem/report/progress.h"

namespace monosem::report {

double ExpectedSuiteSeconds(const std::string& suite, bool quick) {
  static const auto* full = new std::map<std::string, double>{
      {"smoke", 2}, {"toy", 132}, {"transformer", 234}, {"sae", 426}, {"embeddings", 200}};
  static const auto* fast = new std::map<std::string, double>{
      {"smoke", 1}, {"toy", 12}, {"transformer", 5}, {"sae", 13}, {"embeddings", 8}};
  const auto& table = quick ? *fast : *full;
  const auto it = table.find(suite);
  return it != table.end() ? it->second : 60;
}

}  // namespace monosem::report
