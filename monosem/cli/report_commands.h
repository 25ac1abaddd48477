// `monosem report`, `monosem browse` and `monosem steer` (flag parsing stays
// in cli.cc, as for the sae commands).
#ifndef MONOSEM_CLI_REPORT_COMMANDS_H_
#define MONOSEM_CLI_REPORT_COMMANDS_H_

#include <cstdint>
#include <ostream>
#include <string>

namespace monosem {

struct ReportArgs {
  std::string out;  // a results folder: reads results.json, writes report.html
};

struct BrowseCommandArgs {
  std::string sae, transformer, data, out, backend = "cpu";
  int64_t contexts = 256;
};

struct SteerArgs {
  std::string transformer, sae, prompt, backend = "cpu";
  int64_t feature = -1;
  double value = 0;
  bool has_feature = false, has_value = false;  // both are required
  int64_t tokens = 64;
  double temperature = 0;
  uint64_t seed = 1;
  std::string positions = "every";  // steering::ParseClampPositions
};

// Exit status: monosem/cli/exit_codes.h (1 a bad or missing file, a feature
// outside the SAE; 2 a required flag missing).
int ReportCommand(const ReportArgs& a, std::ostream& out, std::ostream& err);
int BrowseCommand(const BrowseCommandArgs& a, std::ostream& out, std::ostream& err);
int SteerCommand(const SteerArgs& a, std::ostream& out, std::ostream& err);

}  // namespace monosem

#endif  // MONOSEM_CLI_REPORT_COMMANDS_H_
