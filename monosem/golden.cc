#include "monosem/golden.h"

#include <google/protobuf/text_format.h>

#include <cstdlib>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "monosem/io/file_io.h"
#include "monosem/random_fill.h"
#include "monosem/status.h"
#include "monosem/textproto.h"

namespace monosem {
namespace {

std::map<std::string, GoldenOpFn>& Ops() {
  static auto* ops = new std::map<std::string, GoldenOpFn>;
  return *ops;
}

}  // namespace

bool GoldenOpRegistry::Register(const std::string& op, GoldenOpFn fn) {
  return Ops().emplace(op, std::move(fn)).second;
}

const GoldenOpFn* GoldenOpRegistry::Find(const std::string& op) {
  auto it = Ops().find(op);
  return it == Ops().end() ? nullptr : &it->second;
}

absl::StatusOr<std::string> ParamString(const GoldenCase& c, const std::string& key) {
  auto it = c.params().find(key);
  if (it == c.params().end()) {
    return absl::InvalidArgumentError(
        absl::StrCat("golden case '", c.name(), "': missing param '", key, "'"));
  }
  return it->second;
}

absl::StatusOr<double> ParamDouble(const GoldenCase& c, const std::string& key) {
  MONOSEM_ASSIGN_OR_RETURN(std::string s, ParamString(c, key));
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (s.empty() || *end != '\0') {
    return absl::InvalidArgumentError(absl::StrCat("golden case '", c.name(), "': param '", key,
                                                   "' = '", s, "' is not a number"));
  }
  return v;
}

absl::StatusOr<const Tensor*> GoldenInput(const GoldenCase& c, const TensorMap& inputs,
                                          const std::string& name) {
  auto it = inputs.find(name);
  if (it == inputs.end()) {
    return absl::InvalidArgumentError(
        absl::StrCat("golden case '", c.name(), "': missing input '", name, "'"));
  }
  return &it->second;
}

InputSpec UniformInput(const std::string& name, const std::vector<int64_t>& shape, uint64_t seed,
                       uint64_t stream, float lo, float hi) {
  InputSpec s;
  s.set_name(name);
  for (int64_t d : shape) s.add_shape(d);
  s.set_seed(seed);
  s.set_stream(stream);
  s.set_distribution(InputSpec::UNIFORM);
  s.set_low(lo);
  s.set_high(hi);
  return s;
}

absl::StatusOr<TensorMap> RunGoldenCase(Backend& backend, const GoldenCase& c) {
  const GoldenOpFn* fn = GoldenOpRegistry::Find(c.op());
  if (fn == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("golden case '", c.name(), "': no golden op '", c.op(), "' registered"));
  }
  TensorMap inputs;
  for (const InputSpec& spec : c.inputs()) {
    MONOSEM_ASSIGN_OR_RETURN(Tensor t, MakeInput(spec));
    inputs.emplace(spec.name(), std::move(t));
  }
  return (*fn)(backend, c, inputs);
}

std::vector<std::pair<std::string, Comparison>> CheckGoldenCase(Backend& backend,
                                                                const GoldenCase& c) {
  std::vector<std::pair<std::string, Comparison>> out;
  auto got = RunGoldenCase(backend, c);
  if (!got.ok()) {
    Comparison cmp;
    cmp.message = std::string(got.status().message());
    out.emplace_back(c.name(), cmp);
    return out;
  }
  const Tolerance tol = ToTolerance(c.tolerance());
  for (const NamedTensor& want : c.outputs()) {
    const std::string label = absl::StrCat(c.name(), "/", want.name());
    auto it = got->find(want.name());
    Comparison cmp;
    if (it == got->end()) {
      cmp.message = "output missing";
    } else {
      Shape shape(want.tensor().shape().begin(), want.tensor().shape().end());
      if (it->second.shape() != shape ||
          static_cast<int64_t>(want.tensor().values_size()) != it->second.size()) {
        cmp.message = absl::StrCat("shape ", ShapeToString(it->second.shape()), " != golden ",
                                   ShapeToString(shape));
      } else {
        cmp = Compare(it->second.data(), want.tensor().values().data(), it->second.size(), tol);
      }
    }
    out.emplace_back(label, cmp);
  }
  return out;
}

absl::Status FillGoldenOutputs(Backend& backend, GoldenCase* c) {
  MONOSEM_ASSIGN_OR_RETURN(TensorMap outputs, RunGoldenCase(backend, *c));
  c->clear_outputs();
  for (const auto& [name, t] : outputs) {
    NamedTensor* nt = c->add_outputs();
    nt->set_name(name);
    for (int64_t d : t.shape()) nt->mutable_tensor()->add_shape(d);
    for (int64_t i = 0; i < t.size(); ++i) nt->mutable_tensor()->add_values(t[i]);
  }
  return absl::OkStatus();
}

absl::StatusOr<GoldenFile> LoadGoldenFile(const std::string& path) {
  MONOSEM_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  GoldenFile file;
  if (absl::Status s = ParseTextProto(text, path, &file); !s.ok()) {
    return absl::DataLossError(absl::StrCat("corrupt golden file: ", s.message()));
  }
  for (const GoldenCase& c : file.cases()) {
    for (const NamedTensor& t : c.outputs()) {
      int64_t n = 1;
      for (int64_t d : t.tensor().shape()) n *= d;
      if (n != t.tensor().values_size()) {
        return absl::DataLossError(absl::StrCat(path, ": case '", c.name(), "' output '",
                                                t.name(), "' holds ", t.tensor().values_size(),
                                                " values for ", n, " elements (truncated?)"));
      }
    }
  }
  return file;
}

std::string FormatGoldenFile(const GoldenFile& file) {
  std::string text;
  google::protobuf::TextFormat::Printer printer;
  printer.SetUseShortRepeatedPrimitives(true);
  printer.PrintToString(file, &text);
  return text;
}

Tolerance ToTolerance(const ToleranceSpec& spec) {
  Tolerance t;
  t.atol = spec.atol();
  t.rtol = spec.rtol();
  t.mean_rtol = spec.mean_rtol();
  t.depth = spec.depth() < 1 ? 1 : spec.depth();
  return t;
}

ToleranceSpec ToSpec(const Tolerance& t) {
  ToleranceSpec s;
  s.set_atol(t.atol);
  s.set_rtol(t.rtol);
  s.set_mean_rtol(t.mean_rtol);
  s.set_depth(t.depth);
  return s;
}

}  // namespace monosem
