// Experiment suites for `monosem reproduce`. A suite registers itself by name
// (MONOSEM_REGISTER_SUITE in its .cc, linked with alwayslink) and returns
// result rows; it may also write the data behind its figures into out_dir.
// The suites live in the one registry template's name table
// (monosem/registry.h), like backends and kernel sets.
#ifndef MONOSEM_SUITE_H_
#define MONOSEM_SUITE_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "proto/config.pb.h"
#include "proto/result.pb.h"

namespace monosem {

// How large each experiment is: kQuick (tests and CI: seconds to a minute),
// kDefault (the 2-core machine's budget: the whole default reproduce stays
// under 40 minutes), kPaper (the papers' shapes and budgets from the same
// code, for a bigger machine or a GPU: days on 2 cores).
enum class SuiteScale { kQuick, kDefault, kPaper };
// "quick", "default", "paper".
const char* SuiteScaleName(SuiteScale s);
// InvalidArgument naming the allowed values.
absl::StatusOr<SuiteScale> ParseSuiteScale(const std::string& name);

struct SuiteContext {
  std::string out_dir;
  std::string backend = "cpu";
  // quick is kept beside scale because most suites only ask "quick or not";
  // quick = true means kQuick whatever `scale` says (Scale()).
  bool quick = false;
  SuiteScale scale = SuiteScale::kDefault;
  SuiteScale Scale() const { return quick ? SuiteScale::kQuick : scale; }
  const RunConfig* config = nullptr;  // from --config, or null for defaults
  // From --only: comma-separated experiments within a suite (e.g. the toy
  // suite's exp1..exp4, custom); empty: the suite's default set.
  std::string only;
};

struct SuiteInfo {
  std::string name;
  std::string description;
  std::function<absl::StatusOr<std::vector<ResultRow>>(const SuiteContext&)> run;
  // Suites whose outputs (in the same --out folder) this one reuses: they run
  // first when both are selected (the sae suite reuses the transformer
  // suite's checkpoints and activation stores).
  std::vector<std::string> after = {};
};

class SuiteRegistry {
 public:
  static bool Register(SuiteInfo info);
  // Null when no suite has that name.
  static const SuiteInfo* Find(const std::string& name);
  // NotFound lists the registered suites.
  static absl::StatusOr<const SuiteInfo*> Get(const std::string& name);
  // Registered names, sorted.
  static std::vector<std::string> Names();
  // Every suite, each after the suites it names in `after`, otherwise in
  // name order.
  static std::vector<const SuiteInfo*> All();
};

#define MONOSEM_REGISTER_SUITE(var, name, description, fn, ...) \
  static const bool monosem_suite_##var =                       \
      ::monosem::SuiteRegistry::Register({name, description, fn, {__VA_ARGS__}})

}  // namespace monosem

#endif  // MONOSEM_SUITE_H_
