// `monosem sae train` and `monosem sae eval` (flag parsing stays in cli.cc).
#ifndef MONOSEM_CLI_SAE_COMMAND_H_
#define MONOSEM_CLI_SAE_COMMAND_H_

#include <cstdint>
#include <ostream>
#include <string>

namespace monosem {

struct SaeTrainArgs {
  std::string config;            // RunConfig text proto with sae {} and train {}
  std::string out;               // DIR: DIR/checkpoint, DIR/sae
  std::string backend;           // "" : the config's backend, else cpu
  std::string data;              // "" : the config's data.source, else synthetic
  int64_t checkpoint_every = 0;  // 0: a checkpoint only at the end
  int64_t until = 0;             // stop after this step (0: run to the end)
  bool resume = false;           // continue from DIR/checkpoint
};

struct SaeEvalArgs {
  std::string sae;   // a SAELens folder (ours or SAELens's)
  std::string data;  // "" : synthetic
  int64_t n = 8192;  // evaluation window
  std::string backend = "cpu";
};

// Exit status: monosem/cli/exit_codes.h (1 a bad data file or checkpoint,
// divergence; 2 a malformed or out-of-range config, a bad flag value).
int SaeTrain(const SaeTrainArgs& a, std::ostream& out, std::ostream& err);
int SaeEval(const SaeEvalArgs& a, std::ostream& out, std::ostream& err);

}  // namespace monosem

#endif  // MONOSEM_CLI_SAE_COMMAND_H_
