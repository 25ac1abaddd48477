// Golden files (proto/golden.proto): cases that name an op, its parameters,
// how its inputs are generated (Philox seed + shape) and the reference's
// outputs, with the tolerance a backend must meet.
//
// Ops are registered by name (GoldenOpRegistry) by the library that owns them
// (golden/kernel_ops.cc for kernels; each model adds its own), so a golden
// file for a new model is an addition, not an edit here.
#ifndef MONOSEM_GOLDEN_H_
#define MONOSEM_GOLDEN_H_

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "monosem/backend.h"
#include "monosem/compare.h"
#include "proto/golden.pb.h"

namespace monosem {

using TensorMap = std::map<std::string, Tensor>;

// Runs one case's op on a backend: inputs are already generated from the
// case's InputSpecs; returns the named outputs.
using GoldenOpFn =
    std::function<absl::StatusOr<TensorMap>(Backend&, const GoldenCase&, TensorMap& inputs)>;

class GoldenOpRegistry {
 public:
  static bool Register(const std::string& op, GoldenOpFn fn);
  static const GoldenOpFn* Find(const std::string& op);
};

#define MONOSEM_REGISTER_GOLDEN_OP(var, op, fn) \
  static const bool monosem_golden_op_##var = ::monosem::GoldenOpRegistry::Register(op, fn)

// Parameter accessors with clear errors ("case 'x': param 'alpha' ...").
absl::StatusOr<double> ParamDouble(const GoldenCase& c, const std::string& key);
absl::StatusOr<std::string> ParamString(const GoldenCase& c, const std::string& key);

// The named input of a case, or an error naming case and input.
absl::StatusOr<const Tensor*> GoldenInput(const GoldenCase& c, const TensorMap& inputs,
                                          const std::string& name);

// An input drawn U[lo, hi) from Philox (seed, stream).
InputSpec UniformInput(const std::string& name, const std::vector<int64_t>& shape, uint64_t seed,
                       uint64_t stream, float lo = -1.0f, float hi = 1.0f);

// Generates the inputs and runs the op.
absl::StatusOr<TensorMap> RunGoldenCase(Backend& backend, const GoldenCase& c);

// Compares a backend's outputs with the stored ones; one Comparison per output,
// with the message naming case and output.
std::vector<std::pair<std::string, Comparison>> CheckGoldenCase(Backend& backend,
                                                                const GoldenCase& c);

// Fills a case's outputs from a backend run (the regen tool uses reference).
absl::Status FillGoldenOutputs(Backend& backend, GoldenCase* c);

absl::StatusOr<GoldenFile> LoadGoldenFile(const std::string& path);
std::string FormatGoldenFile(const GoldenFile& file);

Tolerance ToTolerance(const ToleranceSpec& spec);
ToleranceSpec ToSpec(const Tolerance& t);

}  // namespace monosem

#endif  // MONOSEM_GOLDEN_H_
