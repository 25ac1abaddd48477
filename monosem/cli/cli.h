// The `monosem` command line: subcommands with absl flags.
//
//   monosem reproduce [--out DIR] [--suite a,b] [--quick] [--backend NAME] [--config FILE]
//   monosem backends
//   monosem suites
//   monosem help
//
// Exit codes: one convention for every command, in monosem/cli/exit_codes.h
// (0 success, 1 bad data or a run-time error, 2 bad usage or config). Flags are parsed here rather than by
// absl::ParseCommandLine so that every usage error exits with 2 and one clear
// line instead of absl's exit(1).
#ifndef MONOSEM_CLI_CLI_H_
#define MONOSEM_CLI_CLI_H_

#include <ostream>

namespace monosem {

int MonosemMain(int argc, char** argv, std::ostream& out, std::ostream& err);

}  // namespace monosem

#endif  // MONOSEM_CLI_CLI_H_
