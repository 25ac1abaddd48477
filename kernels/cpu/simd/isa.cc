#include "kernels/cpu/simd/isa.h"

#include <atomic>
#include <cstdlib>

#include "absl/strings/str_cat.h"

namespace monosem::cpu {
namespace {

constexpr const char* kEnv = "MONOSEM_CPU_ISA";

// What the environment asked for: the level to run and, if it cannot be
// honoured, why.
struct Request {
  Isa isa;
  absl::Status status;
  bool forced;
};

Request FromEnvironment() {
  const Isa detected = DetectedIsa();
  const char* env = std::getenv(kEnv);
  if (env == nullptr || *env == '\0' || absl::string_view(env) == "auto") {
    return {detected, absl::OkStatus(), false};
  }
  absl::StatusOr<Isa> want = ParseIsa(env);
  if (!want.ok()) {
    return {detected, absl::InvalidArgumentError(absl::StrCat(kEnv, ": ", want.status().message())),
            false};
  }
  if (*want > detected) {
    return {detected,
            absl::UnavailableError(absl::StrCat(kEnv, "=", env, " asks for a path this CPU lacks; it runs ",
                                                IsaName(detected), " and narrower")),
            false};
  }
  return {*want, absl::OkStatus(), true};
}

const Request& Env() {
  static const Request r = FromEnvironment();
  return r;
}

std::atomic<int>& Current() {
  static std::atomic<int> isa{static_cast<int>(Env().isa)};
  return isa;
}

}  // namespace

const char* IsaName(Isa isa) {
  switch (isa) {
    case Isa::kAvx512: return "avx512";
    case Isa::kAvx2: return "avx2";
    case Isa::kPortable: return "portable";
  }
  return "portable";
}

absl::StatusOr<Isa> ParseIsa(absl::string_view name) {
  for (Isa isa : {Isa::kPortable, Isa::kAvx2, Isa::kAvx512}) {
    if (name == IsaName(isa)) return isa;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown SIMD path \"", name, "\"; expected auto, avx512, avx2 or portable"));
}

Isa DetectedIsa() {
  __builtin_cpu_init();
  const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  if (!avx2) return Isa::kPortable;
  const bool avx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                      __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq");
  return avx512 ? Isa::kAvx512 : Isa::kAvx2;
}

std::vector<Isa> RunnableIsas() {
  std::vector<Isa> out;
  for (int i = 0; i <= static_cast<int>(DetectedIsa()); ++i) out.push_back(static_cast<Isa>(i));
  return out;
}

Isa ActiveIsa() { return static_cast<Isa>(Current().load(std::memory_order_relaxed)); }

absl::Status IsaOverrideStatus() { return Env().status; }

absl::Status SetActiveIsa(Isa isa) {
  if (isa > DetectedIsa()) {
    return absl::UnavailableError(absl::StrCat("this CPU cannot run the ", IsaName(isa),
                                               " path; it runs ", IsaName(DetectedIsa()),
                                               " and narrower"));
  }
  Current().store(static_cast<int>(isa), std::memory_order_relaxed);
  return absl::OkStatus();
}

std::string IsaDescription() {
  const Isa active = ActiveIsa(), detected = DetectedIsa();
  if (active == detected) return absl::StrCat(IsaName(active), " (the widest this CPU runs)");
  return absl::StrCat(IsaName(active), " (", Env().forced ? absl::StrCat("forced by ", kEnv) : "set",
                      "; this CPU runs ", IsaName(detected), ")");
}

}  // namespace monosem::cpu
