#include "monosem/cli/sae_command.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>

#include "absl/strings/str_cat.h"
#include "monosem/cli/exit_codes.h"
#include "monosem/config.h"
#include "monosem/io/file_io.h"
#include "monosem/models/sae/sae.h"
#include "monosem/report/progress.h"
#include "monosem/status.h"
#include "monosem/models/sae/sae_io.h"
#include "monosem/models/sae/sae_json.h"
#include "monosem/models/sae/sae_matrix_source.h"
#include "monosem/models/sae/sae_metrics.h"
#include "monosem/models/sae/sae_sources.h"
#include "monosem/models/sae/synthetic.h"

namespace monosem {
namespace {

namespace fs = std::filesystem;
using sae::BatchSource;

// A data source as --data / data.source names it: "synthetic" (SyntheticData's
// defaults in d dims with the paper's 2:1 feature ratio), a safetensors
// matrix file, or an activation-store folder. `usage` tells whether an error
// is the caller's spelling (exit 2) rather than a bad file (exit 1). With
// `scale` (training), a store's activations are normalised to mean norm
// sqrt(d) as the sae suite does (the factor, a deterministic function of the
// store, goes to *scale; the SAE is folded back to raw units on export).
absl::StatusOr<std::unique_ptr<BatchSource>> OpenData(const std::string& source, int64_t d,
                                                      uint64_t seed, bool* usage,
                                                      float* scale = nullptr) {
  *usage = false;
  if (scale != nullptr) *scale = 1.0f;
  if (source.empty() || source == "synthetic") {
    sae::SyntheticOptions o;
    o.d = d;
    o.n_gt = 2 * d;
    o.seed = seed;
    auto s = sae::SyntheticData::Create(o);
    if (!s.ok()) return s.status();
    return std::unique_ptr<BatchSource>(new sae::SyntheticData(*std::move(s)));
  }
  std::error_code ec;
  if (fs::is_directory(source, ec)) {
    auto s = sae::StoreSource::Open(source, seed);
    if (!s.ok()) return s.status();
    if (scale != nullptr) {
      auto sample = sae::StoreSource::Open(source, /*seed=*/99);
      if (!sample.ok()) return sample.status();
      auto f = sae::NormScale(**sample, std::min<int64_t>(8192, (*sample)->info().n));
      if (!f.ok()) return f.status();
      *scale = *f;
      (*s)->set_scale(*f);
    }
    return std::unique_ptr<BatchSource>(std::move(*s));
  }
  if (fs::is_regular_file(source, ec)) {
    auto s = sae::SafetensorsMatrixSource::Open(source, "", seed);
    if (!s.ok()) return s.status();
    return std::unique_ptr<BatchSource>(new sae::SafetensorsMatrixSource(*std::move(s)));
  }
  *usage = true;
  return absl::InvalidArgumentError(absl::StrCat(
      "data '", source, "' is neither 'synthetic', a .safetensors file nor an activation-store folder"));
}

std::string LogLine(const sae::StepLog& l, int64_t steps) {
  return absl::StrCat("step ", l.step, "/", steps, "  loss ", l.loss, "  recon ", l.recon, "  l0 ", l.l0,
                      "  dead ", l.dead);
}

// What --resume refuses to mix: a checkpoint of another run. Every field
// that changes what a step computes is compared.
std::string ConfigMismatch(const sae::SaeSpec& a, const sae::TrainOptions& oa, const sae::SaeSpec& b,
                           const sae::TrainOptions& ob) {
  if (a.arch != b.arch) return "sae.architecture";
  if (a.d != b.d) return "sae.d_in";
  if (a.f != b.f) return "sae.d_sae";
  if (a.k != b.k) return "sae.k";
  if (a.l1 != b.l1) return "sae.l1_coefficient";
  if (a.k_aux != b.k_aux) return "sae.k_aux";
  if (a.prefix_widths != b.prefix_widths) return "sae.matryoshka_widths";
  if (a.aux_coef != b.aux_coef) return "sae.aux_coefficient";
  if (a.bandwidth != b.bandwidth) return "sae.jumprelu_bandwidth";
  if (oa.dead_tokens != ob.dead_tokens) return "sae.dead_tokens";
  if (oa.resample != ob.resample) return "sae.disable_resampling";
  if (oa.geometric_median_init != ob.geometric_median_init) return "sae.disable_geometric_median_init";
  if (oa.encoder_from_decoder != ob.encoder_from_decoder) return "sae.disable_encoder_from_decoder";
  if (oa.steps != ob.steps) return "train.steps";
  if (oa.batch != ob.batch) return "train.batch_size";
  if (oa.adam.lr != ob.adam.lr) return "train.lr";
  if (oa.adam.beta1 != ob.adam.beta1) return "train.beta1";
  if (oa.adam.beta2 != ob.adam.beta2) return "train.beta2";
  if (oa.adam.eps != ob.adam.eps) return "train.eps";
  if (oa.seed != ob.seed) return "train.seed";
  return "";
}

// The data a run reads, recorded in DIR/run.json when it starts, so that
// --resume refuses a checkpoint trained on other data (the checkpoint only
// knows how many vectors it drew, not from where).
constexpr char kRunRecord[] = "run.json";

std::string DataKey(const std::string& source) {
  if (source.empty() || source == "synthetic") return "synthetic";
  std::error_code ec;
  const fs::path p = fs::weakly_canonical(source, ec);
  return ec ? source : p.string();
}

absl::Status WriteRunRecord(const std::string& out, const std::string& source, uint64_t seed) {
  nlohmann::json j = {{"data", DataKey(source)}, {"data_seed", seed}};
  return WriteFileAtomic(out + "/" + kRunRecord, j.dump(1) + "\n");
}

// "" when the recorded run read the same data, else the differing field.
absl::StatusOr<std::string> DataMismatch(const std::string& out, const std::string& source, uint64_t seed) {
  const std::string path = out + "/" + kRunRecord;
  MONOSEM_ASSIGN_OR_RETURN(std::string text, ReadFileBounded(path, kMaxConfigBytes));
  MONOSEM_ASSIGN_OR_RETURN(nlohmann::json j, sae::ParseJsonObject(text, path));
  std::string data;
  uint64_t data_seed = 0;
  MONOSEM_RETURN_IF_ERROR(sae::JsonString(j, "data", path, &data));
  MONOSEM_RETURN_IF_ERROR(sae::JsonUint(j, "data_seed", path, &data_seed));
  if (data != DataKey(source)) return absl::StrCat("--data (", data, " then, ", DataKey(source), " now)");
  if (data_seed != seed) return absl::StrCat("data.seed (", data_seed, " then, ", seed, " now)");
  return std::string();
}

// OUT/sae and OUT/checkpoint are replaced as folders; anything else there is
// the user's and is refused before any training.
absl::Status CheckOutputFolder(const std::string& dir) {
  std::error_code ec;
  if (fs::exists(fs::symlink_status(dir, ec)) && !fs::is_directory(fs::status(dir, ec))) {
    return absl::FailedPreconditionError(
        absl::StrCat(dir, " exists and is not a directory; refusing to replace it"));
  }
  return absl::OkStatus();
}

}  // namespace

int SaeTrain(const SaeTrainArgs& a, std::ostream& out, std::ostream& err) {
  if (a.config.empty() || a.out.empty()) {
    err << "monosem sae train: --config FILE and --out DIR are required\n";
    return kExitUsage;
  }
  auto config = LoadRunConfig(a.config);
  if (!config.ok()) {
    err << "monosem: " << config.status().message() << "\n";
    return kExitUsage;
  }
  if (!config->has_sae()) {
    err << "monosem: " << a.config << ": no sae { } section (architecture, d_in, d_sae, ...)\n";
    return kExitUsage;
  }
  auto spec = sae::SpecFromConfig(config->sae());
  if (!spec.ok()) {
    err << "monosem: " << a.config << ": " << spec.status().message() << "\n";
    return kExitUsage;
  }
  sae::TrainOptions opt;
  if (absl::Status s = sae::ApplyTrainConfig(config->sae(), config->train(), &opt); !s.ok()) {
    err << "monosem: " << a.config << ": " << s.message() << "\n";
    return kExitUsage;
  }
  const std::string backend = !a.backend.empty() ? a.backend
                              : config->backend().empty() ? "cpu" : config->backend();
  const std::string source = !a.data.empty() ? a.data : config->data().source();
  const uint64_t seed = config->data().has_seed() ? config->data().seed() : 1;
  bool usage = false;
  float scale = 1.0f;
  auto src = OpenData(source, spec->d, seed, &usage, &scale);
  if (!src.ok()) {
    err << "monosem: --data: " << src.status().message() << "\n";
    return usage ? kExitUsage : kExitError;
  }
  const std::string ckpt = a.out + "/checkpoint", sae_dir = a.out + "/sae";
  for (const std::string& dir : {a.out, ckpt, sae_dir}) {
    if (absl::Status s = CheckOutputFolder(dir); !s.ok()) {
      err << "monosem: --out: " << s.message() << "\n";
      return kExitError;
    }
  }

  std::unique_ptr<sae::SaeTrainer> trainer;
  if (a.resume) {
    if (!fs::exists(ckpt + "/trainer.json")) {
      err << "monosem: --resume: no checkpoint in " << ckpt << "\n";
      return kExitError;
    }
    auto r = sae::SaeTrainer::Resume(ckpt, backend, **src);
    if (!r.ok()) {
      err << "monosem: --resume: " << r.status().message() << "\n";
      return kExitError;
    }
    trainer = *std::move(r);
    if (std::string f = ConfigMismatch(trainer->spec(), trainer->options(), *spec, opt); !f.empty()) {
      err << "monosem: --resume: " << ckpt << " was trained with another " << f << " than " << a.config
          << "\n";
      return kExitError;
    }
    auto data_mismatch = DataMismatch(a.out, source, seed);
    if (!data_mismatch.ok()) {
      err << "monosem: --resume: cannot tell which data " << ckpt << " was trained on: "
          << data_mismatch.status().message() << "\n";
      return kExitError;
    }
    if (!data_mismatch->empty()) {
      err << "monosem: --resume: " << ckpt << " was trained with another " << *data_mismatch << "\n";
      return kExitError;
    }
    out << "resumed from " << ckpt << " at step " << trainer->step() << "\n";
  } else {
    auto t = sae::SaeTrainer::Create(*spec, opt, backend);
    if (!t.ok()) {
      err << "monosem: " << t.status().message() << "\n";
      return kExitUsage;
    }
    trainer = *std::move(t);
    if (absl::Status s = trainer->Init(**src); !s.ok()) {
      err << "monosem: " << s.message() << "\n";
      return kExitError;
    }
  }
  if (absl::Status s = MakeDirs(a.out); !s.ok()) {
    err << "monosem: --out: " << s.message() << "\n";
    return kExitError;
  }
  if (!a.resume) {
    if (absl::Status s = WriteRunRecord(a.out, source, seed); !s.ok()) {
      err << "monosem: " << s.message() << "\n";
      return kExitError;
    }
  }
  const int64_t steps = opt.steps;
  const int64_t until = a.until > 0 ? std::min(a.until, steps) : steps;
  out << "sae train: " << sae::ArchName(spec->arch) << " d_in " << spec->d << " d_sae " << spec->f
      << " on " << (source.empty() ? "synthetic" : source) << ", " << steps << " steps x " << opt.batch
      << ", backend " << backend << "\n";
  if (scale != 1.0f) {
    out << "activations normalised to mean norm sqrt(" << spec->d << ") (x " << scale
        << "); the exported SAE takes raw activations\n";
  }
  report::Progress bar("sae train", until, "steps");
  bar.Update(trainer->step());
  // Steps between progress updates: TrainUntil continues a run exactly, so
  // training in pieces is the same run.
  const int64_t piece = std::max<int64_t>(1, steps / 200);
  while (trainer->step() < until) {
    const int64_t every = a.checkpoint_every;
    const int64_t next = every > 0 ? std::min(until, (trainer->step() / every + 1) * every) : until;
    while (trainer->step() < next) {
      const int64_t to = std::min(next, trainer->step() + piece);
      if (absl::Status s = trainer->TrainUntil(**src, to, {next}); !s.ok()) {
        bar.Interrupt();
        err << "monosem: " << s.message() << "\n";
        return kExitError;
      }
      bar.Update(trainer->step());
    }
    bar.Interrupt();
    if (!trainer->log().empty()) out << LogLine(trainer->log().back(), steps) << "\n";
    if (absl::Status s = trainer->SaveCheckpoint(ckpt); !s.ok()) {
      err << "monosem: " << s.message() << "\n";
      return kExitError;
    }
  }
  bar.Finish();
  if (trainer->step() < steps) {
    // Also reached when a resumed run was already at --until.
    if (absl::Status s = trainer->SaveCheckpoint(ckpt); !s.ok()) {
      err << "monosem: " << s.message() << "\n";
      return kExitError;
    }
    out << "stopped at step " << trainer->step() << " of " << steps << "; checkpoint in " << ckpt
        << " (continue with --resume)\n";
    return kExitOk;
  }
  std::map<std::string, std::string> meta = {
      {"monosem_config", a.config}, {"data_source", source.empty() ? "synthetic" : source},
      {"training_steps", std::to_string(steps)}, {"backend", backend}};
  if (!config->name().empty()) meta["run_name"] = config->name();
  if (scale != 1.0f) meta["trained_on_inputs_scaled_by"] = absl::StrCat(scale);
  // Trained on scale * x; saved for raw x (the checkpoint stays in trained units).
  const sae::SaeParams raw = sae::FoldInputScale(trainer->spec(), trainer->params(), scale);
  if (absl::Status s = sae::SaveSaeLens(sae_dir, trainer->spec(), raw, meta); !s.ok()) {
    err << "monosem: " << s.message() << "\n";
    return kExitError;
  }
  out << "wrote " << ckpt << " and " << sae_dir << " (SAELens folder)\n";
  return kExitOk;
}

int SaeEval(const SaeEvalArgs& a, std::ostream& out, std::ostream& err) {
  if (a.sae.empty()) {
    err << "monosem sae eval: --sae DIR is required\n";
    return kExitUsage;
  }
  if (a.n <= 0) {
    err << "monosem sae eval: --n must be > 0, got " << a.n << "\n";
    return kExitUsage;
  }
  auto loaded = sae::LoadSaeLens(a.sae);
  if (!loaded.ok()) {
    err << "monosem: --sae: " << loaded.status().message() << "\n";
    return kExitError;
  }
  auto kernels = sae::SaeKernelRegistry::Create(BackendRegistry::Create(a.backend));
  if (!kernels.ok()) {
    err << "monosem: --backend: " << kernels.status().message() << "\n";
    return kExitUsage;
  }
  if (absl::Status s = (*kernels)->Available(); !s.ok()) {
    err << "monosem: backend " << a.backend << " cannot run here: " << s.message() << "\n";
    return kExitUsage;
  }
  bool usage = false;
  auto src = OpenData(a.data, loaded->spec.d, 1, &usage);
  if (!src.ok()) {
    err << "monosem: --data: " << src.status().message() << "\n";
    return usage ? kExitUsage : kExitError;
  }
  auto m = sae::Evaluate(**kernels, loaded->spec, loaded->params, **src, a.n, std::min<int64_t>(a.n, 1024));
  if (!m.ok()) {
    err << "monosem: " << m.status().message() << "\n";
    return kExitError;
  }
  const sae::SaeSpec& s = loaded->spec;
  out << "sae " << a.sae << ": " << sae::ArchName(s.arch) << ", d_in " << s.d << ", d_sae " << s.f;
  if (s.k > 0) out << ", k " << s.k;
  out << "\ndata " << (a.data.empty() ? "synthetic" : a.data) << ", window " << m->window << " vectors\n"
      << "mse\t" << m->mse << "\nnmse\t" << m->nmse << "\nfvu\t" << m->fvu << "\nexplained_variance\t"
      << m->explained_variance << "\nl0\t" << m->l0 << "\nl1\t" << m->l1 << "\ndead_fraction\t"
      << m->dead_fraction << "\nultralow_fraction_1e-5\t" << m->ultralow_fraction_1e5
      << "\nultralow_fraction_1e-6\t" << m->ultralow_fraction_1e6 << "\nshrinkage\t" << m->shrinkage
      << "\nwindow\t" << m->window << "\n";
  return kExitOk;
}

}  // namespace monosem
