#include "monosem/backend.h"
#include "monosem/cli/report_commands.h"
#include "monosem/models/sae/sae_io.h"
#include "monosem/models/transformer/trainer.h"
#include "monosem/steering/steering.h"

namespace monosem {
namespace {

absl::Status Steer(const SteerArgs& a, std::ostream& out) {
  TransformerDims dims;
  auto params = LoadTransformerWeights(a.transformer, &dims);
  if (!params.ok()) return params.status();
  auto sae = sae::LoadSaeLens(a.sae);
  if (!sae.ok()) return sae.status();
  if (sae->spec.d != dims.d_mlp) {
    return absl::InvalidArgumentError(a.sae + ": the SAE reads " + std::to_string(sae->spec.d) +
                                      "-wide vectors but the MLP has " +
                                      std::to_string(dims.d_mlp) + " neurons");
  }
  auto backend = BackendRegistry::Create(a.backend);
  if (!backend.ok()) return backend.status();
  auto model = Transformer::Create(dims, backend->get());
  if (!model.ok()) return model.status();
  auto kernels = sae::SaeKernelRegistry::Create(a.backend);
  if (!kernels.ok()) return kernels.status();
  const float v = static_cast<float>(a.value);
  auto hook = steering::ClampHook(*sae, kernels->get(), a.feature, [v](float) { return v; });
  if (!hook.ok()) return hook.status();
  steering::GenerateOptions o;
  o.tokens = a.tokens;
  o.temperature = static_cast<float>(a.temperature);
  o.seed = a.seed;
  auto base = steering::Generate(*model, *params, a.prompt, o);
  if (!base.ok()) return base.status();
  auto steered = steering::Generate(*model, *params, a.prompt, o, &*hook);
  if (!steered.ok()) return steered.status();
  out << "prompt:   " << a.prompt << "\n"
      << "baseline: " << base->text << "\n"
      << "feature " << a.feature << " = " << a.value << ": " << steered->text << "\n";
  return absl::OkStatus();
}

}  // namespace

int SteerCommand(const SteerArgs& a, std::ostream& out, std::ostream& err) {
  if (a.transformer.empty() || a.sae.empty() || a.prompt.empty() || !a.has_feature ||
      !a.has_value) {
    err << "monosem steer: --transformer CKPT, --sae DIR, --feature I, --value V and --prompt TEXT "
           "are required\n";
    return 2;
  }
  if (absl::Status s = Steer(a, out); !s.ok()) {
    err << "monosem steer: " << s.message() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace monosem
