#include "monosem/cli/cli.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/flags/commandlineflag.h"
#include "absl/flags/flag.h"
#include "absl/flags/reflection.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "monosem/backend.h"
#include "monosem/cli/exit_codes.h"
#include "monosem/cli/report_commands.h"
#include "monosem/cli/sae_command.h"
#include "monosem/config.h"
#include "monosem/io/file_io.h"
#include "monosem/report/progress.h"
#include "monosem/report/report_writer.h"
#include "monosem/results.h"
#include "monosem/suite.h"

ABSL_FLAG(std::string, out, "monosem_out",
          "folder for results.json and the data behind every figure");
ABSL_FLAG(std::string, suite, "all", "comma-separated suites to run, or 'all'");
ABSL_FLAG(bool, quick, false, "small, fast versions of every experiment (--scale=quick)");
ABSL_FLAG(std::string, scale, "default", "reproduce: quick, default or paper");
ABSL_FLAG(std::string, backend, "cpu", "backend that trains the models");
ABSL_FLAG(std::string, config, "", "text-proto RunConfig overriding a suite's defaults");
ABSL_FLAG(std::string, only, "", "comma-separated experiments within the suites (toy: exp1..exp4, custom)");
ABSL_FLAG(std::string, data, "", "sae: synthetic, a .safetensors matrix or an activation-store folder");
ABSL_FLAG(int64_t, checkpoint_every, 0, "sae train: write DIR/checkpoint every N steps");
ABSL_FLAG(int64_t, until, 0, "sae train: stop after step N (continue later with --resume)");
ABSL_FLAG(bool, resume, false, "sae train: continue from DIR/checkpoint");
ABSL_FLAG(std::string, sae, "", "sae eval: a SAELens folder");
ABSL_FLAG(int64_t, n, 8192, "sae eval: evaluation window (vectors)");
ABSL_FLAG(std::string, transformer, "", "browse, steer: a transformer checkpoint folder");
ABSL_FLAG(int64_t, contexts, 256, "browse: contexts (windows of n_ctx bytes) to browse");
ABSL_FLAG(int64_t, feature, -1, "steer: the SAE feature to clamp");
ABSL_FLAG(double, value, 0, "steer: the value the feature is clamped to");
ABSL_FLAG(std::string, prompt, "", "steer: the text generation starts from");
ABSL_FLAG(int64_t, tokens, 64, "steer: bytes to generate");
ABSL_FLAG(double, temperature, 0, "steer: 0 greedy, else sampling temperature");
ABSL_FLAG(uint64_t, seed, 1, "steer: sampling seed");
ABSL_FLAG(std::string, positions, "every",
          "steer: where the clamp applies: every position, or char_starts (only where a new UTF-8 "
          "character starts)");

namespace monosem {
namespace {

const char kUsage[] =
    "usage: monosem <command> [flags]\n"
    "\n"
    "commands:\n"
    "  reproduce   run the experiment suites, print the result table and write\n"
    "              DIR/results.json (plus each figure's data) into --out DIR\n"
    "  backends    list the registered backends and whether each runs here\n"
    "  suites      list the registered experiment suites\n"
    "  sae train   train one SAE from a config; checkpoints and a SAELens folder\n"
    "  sae eval    evaluate a SAELens folder (ours or SAELens's) on data\n"
    "  report      rebuild DIR/report.html from a results folder (--out DIR)\n"
    "  browse      feature browser for an SAE and for the MLP's neurons\n"
    "  steer       generate with one SAE feature clamped in the MLP\n"
    "  help        this text\n"
    "\n"
    "reproduce flags:\n"
    "  --out DIR        output folder (default monosem_out; relative paths are\n"
    "                   taken from the directory `bazel run` was started in)\n"
    "  --suite a,b      suites to run (default all)\n"
    "  --scale S        quick (seconds: tests, CI), default (the 2-core budget,\n"
    "                   under 40 minutes in all) or paper (the papers' shapes and\n"
    "                   budgets, for a bigger machine or a GPU)\n"
    "  --quick          the same as --scale=quick\n"
    "  --backend NAME   backend that trains the models (default cpu)\n"
    "  --config FILE    text-proto RunConfig (see proto/config.proto)\n"
    "  --only a,b       experiments within a suite (toy: exp1,exp2,exp3,exp4,custom)\n"
    "\n"
    "sae train --config FILE --out DIR [flags]:\n"
    "  --config FILE    RunConfig with sae {} and train {} (data.source optional)\n"
    "  --out DIR        writes DIR/checkpoint and, at the end, DIR/sae (SAELens)\n"
    "  --backend NAME   default: the config's backend, else cpu\n"
    "  --data PATH      synthetic (default), a .safetensors [N, d] matrix, or an\n"
    "                   activation-store folder; overrides data.source\n"
    "  --checkpoint_every N  also checkpoint every N steps (atomic)\n"
    "  --until N        stop after step N, leaving a checkpoint\n"
    "  --resume         continue from DIR/checkpoint (bitwise the same run)\n"
    "\n"
    "sae eval --sae DIR [flags]:\n"
    "  --sae DIR        folder with cfg.json + sae_weights.safetensors\n"
    "  --data PATH      as for train (default synthetic)\n"
    "  --n N            evaluation window in vectors (default 8192)\n"
    "  --backend NAME   default cpu\n"
    "\n"
    "report --out DIR   the page from DIR/results.json and DIR's figure CSVs\n"
    "\n"
    "browse --sae DIR --transformer CKPT --out DIR [--data PATH] [--contexts N]:\n"
    "  writes DIR/index.html, DIR/sae/ (features) and DIR/neurons/; --data is\n"
    "  text (file, folder, .jsonl, .jsonl.zst), default the built-in corpus\n"
    "\n"
    "steer --transformer CKPT --sae DIR --feature I --value V --prompt TEXT\n"
    "      [--tokens N] [--temperature T] [--seed S] [--positions every|char_starts]\n"
    "      [--backend NAME]:\n"
    "  prints the baseline and the steered continuation\n";

const std::map<std::string, std::set<std::string>>& CommandFlags() {
  static const auto* flags = new std::map<std::string, std::set<std::string>>{
      {"reproduce", {"out", "suite", "quick", "scale", "backend", "config", "only"}},
      {"backends", {}},
      {"suites", {}},
      {"sae train", {"config", "out", "backend", "data", "checkpoint_every", "until", "resume"}},
      {"sae eval", {"sae", "data", "n", "backend"}},
      {"report", {"out"}},
      {"browse", {"sae", "transformer", "data", "out", "contexts", "backend"}},
      {"steer", {"transformer", "sae", "feature", "value", "prompt", "tokens", "temperature", "seed",
                 "positions", "backend"}},
      {"help", {}},
  };
  return *flags;
}

// Parses --name=value, --name value, --bool and --nobool for the flags a
// command accepts, from argv[first] on; `given` collects the names seen.
// Returns an error message, or "" on success.
std::string ParseFlags(const std::string& command, int argc, char** argv, int first,
                       std::set<std::string>* given) {
  const std::set<std::string>& allowed = CommandFlags().at(command);
  for (int i = first; i < argc; ++i) {
    std::string arg = argv[i];
    if (!absl::StartsWith(arg, "-")) {
      return absl::StrCat("unexpected argument '", arg, "' for '", command, "'");
    }
    std::string body = arg.substr(absl::StartsWith(arg, "--") ? 2 : 1);
    std::string name = body, value;
    bool has_value = false;
    if (size_t eq = body.find('='); eq != std::string::npos) {
      name = body.substr(0, eq);
      value = body.substr(eq + 1);
      has_value = true;
    }
    bool negated = false;
    if (!allowed.count(name) && absl::StartsWith(name, "no") && allowed.count(name.substr(2))) {
      name = name.substr(2);
      negated = true;
    }
    if (!allowed.count(name)) {
      std::string known = allowed.empty() ? "none" : absl::StrJoin(allowed, ", --");
      return absl::StrCat("unknown flag '", arg, "' for '", command, "' (known: ",
                          allowed.empty() ? "" : "--", known, ")");
    }
    absl::CommandLineFlag* flag = absl::FindCommandLineFlag(name);
    if (flag == nullptr) return absl::StrCat("internal: flag --", name, " is not defined");
    const bool is_bool = flag->IsOfType<bool>();
    if (negated) {
      if (!is_bool || has_value) return absl::StrCat("'", arg, "' is not a boolean negation");
      value = "false";
    } else if (!has_value) {
      if (is_bool) {
        value = "true";
      } else if (i + 1 < argc) {
        value = argv[++i];
      } else {
        return absl::StrCat("flag --", name, " needs a value");
      }
    }
    std::string error;
    if (!flag->ParseFrom(value, &error)) {
      return absl::StrCat("bad value for --", name, ": ", error);
    }
    given->insert(name);
  }
  return "";
}

// `bazel run` starts the binary in its runfiles; resolve relative output
// paths against the directory the user ran bazel from.
std::string ResolvePath(const std::string& path) {
  if (path.empty() || path[0] == '/') return path;
  const char* cwd = std::getenv("BUILD_WORKING_DIRECTORY");
  return cwd != nullptr ? absl::StrCat(cwd, "/", path) : path;
}

// --data is a path unless it is the keyword "synthetic".
std::string ResolveData(const std::string& data) {
  return data.empty() || data == "synthetic" ? data : ResolvePath(data);
}

int ListBackends(std::ostream& out) {
  for (const std::string& name : BackendRegistry::Names()) {
    auto backend = BackendRegistry::Create(name);
    absl::Status available = backend.ok() ? (*backend)->Available() : backend.status();
    out << name << "\t" << (available.ok() ? "available" : std::string(available.message()))
        << "\n";
  }
  return kExitOk;
}

int ListSuites(std::ostream& out) {
  for (const SuiteInfo* s : SuiteRegistry::All()) out << s->name << "\t" << s->description << "\n";
  return kExitOk;
}

int Reproduce(std::ostream& out, std::ostream& err) {
  RunConfig config;
  const std::string config_path = absl::GetFlag(FLAGS_config);
  if (!config_path.empty()) {
    auto loaded = LoadRunConfig(ResolvePath(config_path));
    if (!loaded.ok()) {
      err << "monosem: " << loaded.status().message() << "\n";
      return kExitUsage;
    }
    config = *std::move(loaded);
  }
  SuiteContext ctx;
  ctx.out_dir = ResolvePath(absl::GetFlag(FLAGS_out));
  auto scale = ParseSuiteScale(absl::GetFlag(FLAGS_scale));
  if (!scale.ok()) {
    err << "monosem: " << scale.status().message() << "\n";
    return kExitUsage;
  }
  if (absl::GetFlag(FLAGS_quick) && *scale != SuiteScale::kQuick &&
      absl::GetFlag(FLAGS_scale) != "default") {
    err << "monosem: --quick and --scale=" << absl::GetFlag(FLAGS_scale) << " disagree\n";
    return kExitUsage;
  }
  ctx.scale = absl::GetFlag(FLAGS_quick) ? SuiteScale::kQuick : *scale;
  ctx.quick = ctx.scale == SuiteScale::kQuick;
  ctx.backend = config.backend().empty() ? absl::GetFlag(FLAGS_backend) : config.backend();
  ctx.config = config_path.empty() ? nullptr : &config;
  ctx.only = absl::GetFlag(FLAGS_only);

  auto backend = BackendRegistry::Create(ctx.backend);
  if (!backend.ok()) {
    err << "monosem: --backend: " << backend.status().message() << "\n";
    return kExitUsage;
  }
  if (absl::Status s = (*backend)->Available(); !s.ok()) {
    err << "monosem: backend " << ctx.backend << " cannot run here: " << s.message() << "\n";
    return kExitUsage;
  }

  std::vector<const SuiteInfo*> suites;
  const std::string wanted = absl::GetFlag(FLAGS_suite);
  if (wanted == "all") {
    suites = SuiteRegistry::All();
  } else {
    for (absl::string_view name : absl::StrSplit(wanted, ',', absl::SkipEmpty())) {
      const SuiteInfo* s = SuiteRegistry::Find(std::string(name));
      if (s == nullptr) {
        std::vector<std::string> names;
        for (const SuiteInfo* x : SuiteRegistry::All()) names.push_back(x->name);
        err << "monosem: unknown suite '" << name << "' (registered: "
            << absl::StrJoin(names, ", ") << ")\n";
        return kExitUsage;
      }
      suites.push_back(s);
    }
  }
  // In the registry's order, so that a suite runs after the ones it reuses.
  const std::vector<const SuiteInfo*> order = SuiteRegistry::All();
  auto rank = [&order](const SuiteInfo* s) { return std::find(order.begin(), order.end(), s) - order.begin(); };
  std::stable_sort(suites.begin(), suites.end(),
                   [&rank](const SuiteInfo* a, const SuiteInfo* b) { return rank(a) < rank(b); });
  if (absl::Status s = MakeDirs(ctx.out_dir); !s.ok()) {
    err << "monosem: --out: " << s.message() << "\n";
    return kExitError;
  }

  ResultTable table;
  table.set_backend(ctx.backend);
  table.set_quick(ctx.quick);
  table.set_scale(SuiteScaleName(ctx.scale));
  table.set_monosem_version("0.1.0");
  bool suite_error = false;
  for (const SuiteInfo* suite : suites) {
    out << "== suite " << suite->name
        << (ctx.scale != SuiteScale::kDefault ? absl::StrCat(" (", SuiteScaleName(ctx.scale), ")") : "")
        << "\n" << std::flush;
    report::TimedProgress progress(absl::StrCat("suite ", suite->name),
                                   report::ExpectedSuiteSeconds(suite->name, ctx.quick));
    auto rows = suite->run(ctx);
    progress.Finish(rows.ok() ? "" : "error");
    if (!rows.ok()) {
      err << "monosem: suite " << suite->name << ": " << rows.status().message() << "\n";
      suite_error = true;
      continue;
    }
    for (ResultRow& r : *rows) *table.add_rows() = std::move(r);
  }
  out << "\n" << FormatTable(table);
  if (absl::Status s = WriteResultsJson(ctx.out_dir, table); !s.ok()) {
    err << "monosem: " << s.message() << "\n";
    return kExitError;
  }
  out << "wrote " << ctx.out_dir << "/results.json\n";
  if (absl::Status s = report::WriteReport(ctx.out_dir); !s.ok()) {
    err << "monosem: report.html: " << s.message() << "\n";
    return kExitError;
  }
  out << "wrote " << ctx.out_dir << "/report.html\n";
  bool any_fail = false;
  for (const ResultRow& r : table.rows()) any_fail |= r.status() == FAIL;
  return suite_error || any_fail ? kExitError : kExitOk;
}

}  // namespace

int MonosemMain(int argc, char** argv, std::ostream& out, std::ostream& err) {
  if (argc < 2) {
    err << kUsage << "\n" << kExitCodeHelp;
    return kExitUsage;
  }
  std::string command = argv[1];
  int first_flag = 2;
  if (command == "--help" || command == "-h") command = "help";
  if (command == "sae") {
    const std::string sub = argc > 2 ? argv[2] : "";
    if (sub != "train" && sub != "eval") {
      err << "monosem sae: expected 'train' or 'eval'" << (sub.empty() ? "" : ", got '" + sub + "'")
          << "\n";
      return kExitUsage;
    }
    command = "sae " + sub;
    first_flag = 3;
  }
  if (!CommandFlags().count(command)) {
    err << "monosem: unknown command '" << command << "'\n\n" << kUsage;
    return kExitUsage;
  }
  std::set<std::string> given;
  if (std::string error = ParseFlags(command, argc, argv, first_flag, &given); !error.empty()) {
    err << "monosem " << command << ": " << error << "\n";
    return kExitUsage;
  }
  if (command == "help") {
    out << kUsage << "\n" << kExitCodeHelp;
    return kExitOk;
  }
  if (command == "backends") return ListBackends(out);
  if (command == "suites") return ListSuites(out);
  if (command == "sae train") {
    SaeTrainArgs a;
    a.config = given.count("config") ? ResolvePath(absl::GetFlag(FLAGS_config)) : "";
    a.out = given.count("out") ? ResolvePath(absl::GetFlag(FLAGS_out)) : "";
    a.backend = given.count("backend") ? absl::GetFlag(FLAGS_backend) : "";
    a.data = ResolveData(absl::GetFlag(FLAGS_data));
    a.checkpoint_every = absl::GetFlag(FLAGS_checkpoint_every);
    a.until = absl::GetFlag(FLAGS_until);
    a.resume = absl::GetFlag(FLAGS_resume);
    if (a.checkpoint_every < 0 || a.until < 0) {
      err << "monosem sae train: --checkpoint_every and --until must be >= 0\n";
      return kExitUsage;
    }
    return SaeTrain(a, out, err);
  }
  if (command == "sae eval") {
    SaeEvalArgs a;
    a.sae = ResolvePath(absl::GetFlag(FLAGS_sae));
    a.data = ResolveData(absl::GetFlag(FLAGS_data));
    a.n = absl::GetFlag(FLAGS_n);
    a.backend = absl::GetFlag(FLAGS_backend);
    return SaeEval(a, out, err);
  }
  if (command == "report") return ReportCommand({given.count("out") ? ResolvePath(absl::GetFlag(FLAGS_out)) : ""}, out, err);
  if (command == "browse") {
    BrowseCommandArgs a;
    a.sae = ResolvePath(absl::GetFlag(FLAGS_sae));
    a.transformer = ResolvePath(absl::GetFlag(FLAGS_transformer));
    a.data = ResolvePath(absl::GetFlag(FLAGS_data));
    a.out = given.count("out") ? ResolvePath(absl::GetFlag(FLAGS_out)) : "";
    a.contexts = absl::GetFlag(FLAGS_contexts);
    a.backend = absl::GetFlag(FLAGS_backend);
    return BrowseCommand(a, out, err);
  }
  if (command == "steer") {
    SteerArgs a;
    a.transformer = ResolvePath(absl::GetFlag(FLAGS_transformer));
    a.sae = ResolvePath(absl::GetFlag(FLAGS_sae));
    a.prompt = absl::GetFlag(FLAGS_prompt);
    a.feature = absl::GetFlag(FLAGS_feature);
    a.value = absl::GetFlag(FLAGS_value);
    a.has_feature = given.count("feature") > 0;
    a.has_value = given.count("value") > 0;
    a.tokens = absl::GetFlag(FLAGS_tokens);
    a.temperature = absl::GetFlag(FLAGS_temperature);
    a.seed = absl::GetFlag(FLAGS_seed);
    a.positions = absl::GetFlag(FLAGS_positions);
    a.backend = absl::GetFlag(FLAGS_backend);
    return SteerCommand(a, out, err);
  }
  return Reproduce(out, err);
}

}  // namespace monosem
