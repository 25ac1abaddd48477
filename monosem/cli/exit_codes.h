// The one exit-code convention of every `monosem` command. Every command
// returns one of these, and `monosem help` prints the same table:
//
//   0  success (reproduce: every judged row passed)
//   1  bad data or a run-time error: a missing, corrupt or non-finite input
//      file, a checkpoint of another run, an output that cannot be written,
//      a judged row that failed, a suite's own error, divergence
//   2  bad usage or a bad config: an unknown command or flag, a bad flag
//      value, a required flag missing, a config file that is malformed or
//      has a field outside its range, a run too big for this machine's memory
//
// A script can thus tell "fix the command or the config" (2) from "the data or
// the run failed" (1) without parsing messages.
#ifndef MONOSEM_CLI_EXIT_CODES_H_
#define MONOSEM_CLI_EXIT_CODES_H_

namespace monosem {

inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;
inline constexpr int kExitUsage = 2;

// The table above, for the CLI's help text.
inline constexpr char kExitCodeHelp[] =
    "exit codes (every command):\n"
    "  0  success (reproduce: every judged row passed)\n"
    "  1  bad data or a run-time error: a missing, corrupt or non-finite input\n"
    "     file, a checkpoint of another run, an output that cannot be written,\n"
    "     a failed judged row, a suite's error\n"
    "  2  bad usage or a bad config: an unknown command or flag, a bad or\n"
    "     missing flag value, a config field outside its range, a run whose\n"
    "     memory estimate exceeds the memory available\n";

}  // namespace monosem

#endif  // MONOSEM_CLI_EXIT_CODES_H_
