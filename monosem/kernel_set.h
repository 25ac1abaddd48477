// The one shape of a model's kernel set (toy, transformer, sae).
//
// A kernel set is created from the Backend it runs on and keeps it, so the
// generic kernels (GEMM above all) have one home per backend: a kernel set
// calls backend().Gemm(...) (or, for pointer-level work, its own backend
// class's GEMM) instead of owning a BLAS or a cuBLAS handle of its own.
//
// Kernel sets register under the name of the backend they are written for
// (MONOSEM_REGISTER_KERNEL_SET). Create(backend) takes the backend's own
// registration, else its parent's (Backend::parent()), and so on up: a
// backend derived from another is an addition that needs no kernel-set
// registration of its own.
#ifndef MONOSEM_KERNEL_SET_H_
#define MONOSEM_KERNEL_SET_H_

#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "monosem/backend.h"
#include "monosem/registry.h"

namespace monosem {

class KernelSet {
 public:
  explicit KernelSet(Backend& backend) : backend_(&backend) {}
  virtual ~KernelSet() = default;
  KernelSet(const KernelSet&) = delete;
  KernelSet& operator=(const KernelSet&) = delete;

  Backend& backend() const { return *backend_; }
  // The backend's name (a derived backend's own, not its parent's).
  std::string name() const { return backend_->name(); }
  // OK where these kernels can run here; by default, where the backend can.
  virtual absl::Status Available() const { return backend_->Available(); }

  // Keeps `backend` alive as long as this kernel set (for callers that create
  // a backend only to run one kernel set on it).
  void Own(std::unique_ptr<Backend> backend) { owned_ = std::move(backend); }

 private:
  Backend* backend_;
  std::unique_ptr<Backend> owned_;
};

// The registry of one kernel-set type K (a KernelSet with a constructor from
// Backend& and a static kRegistryKind).
template <typename K>
class KernelSetRegistry {
 public:
  using Table = Registry<K, Backend&>;
  using Factory = typename Table::Factory;

  static bool Register(const std::string& backend_name, Factory factory) {
    return Table::Register(backend_name, std::move(factory));
  }

  // The registration Create(backend) uses: the backend's own name, else its
  // nearest ancestor's. NotFound names the chain that was tried and the
  // backends that have kernel sets of this kind.
  static absl::StatusOr<std::string> Resolve(const Backend& backend) {
    std::vector<std::string> tried = {backend.name()};
    std::string parent = backend.parent();
    if (Table::Contains(backend.name())) return backend.name();
    // Parents are looked up through the backend registry; a cycle or a
    // parent that is not registered ends the walk.
    std::set<std::string> seen = {backend.name()};
    while (!parent.empty() && seen.insert(parent).second) {
      tried.push_back(parent);
      if (Table::Contains(parent)) return parent;
      auto p = BackendRegistry::Create(parent);
      if (!p.ok()) break;
      parent = (*p)->parent();
    }
    return absl::NotFoundError(absl::StrCat(
        "backend '", backend.name(), "' has no ", K::kRegistryKind, " (tried ",
        absl::StrJoin(tried, " -> "), "; registered: ", absl::StrJoin(Table::Names(), ", "), ")"));
  }

  // The kernel set for `backend`, constructed on it; `backend` must outlive it.
  static absl::StatusOr<std::unique_ptr<K>> Create(Backend& backend) {
    auto name = Resolve(backend);
    if (!name.ok()) return name.status();
    return Table::Create(*name, backend);
  }
  // As above, and the kernel set keeps the backend.
  static absl::StatusOr<std::unique_ptr<K>> Create(std::unique_ptr<Backend> backend) {
    if (backend == nullptr) return absl::InvalidArgumentError("null backend");
    auto k = Create(*backend);
    if (!k.ok()) return k.status();
    (*k)->Own(std::move(backend));
    return k;
  }
  // Create(BackendRegistry::Create(name)): an unknown backend's error passes
  // through; the kernel set keeps the backend.
  static absl::StatusOr<std::unique_ptr<K>> Create(
      absl::StatusOr<std::unique_ptr<Backend>> backend) {
    if (!backend.ok()) return backend.status();
    return Create(*std::move(backend));
  }

  // Every registered backend that has this kernel set, directly or through a
  // parent (sorted, "reference" first): what tests and benchmarks iterate.
  static std::vector<std::string> Names() {
    std::vector<std::string> out;
    for (const std::string& name : BackendRegistry::Names()) {
      if (Table::Contains(name)) {
        out.push_back(name);
        continue;
      }
      auto b = BackendRegistry::Create(name);
      if (b.ok() && Resolve(**b).ok()) out.push_back(name);
    }
    return out;
  }
  // The backend names kernel sets of this kind are registered under.
  static std::vector<std::string> RegisteredNames() { return Table::Names(); }
};

// One line in a backend's kernel file: `cls` has a constructor from Backend&.
#define MONOSEM_REGISTER_KERNEL_SET(Kind, backend_name, cls)                       \
  MONOSEM_REGISTER(::monosem::KernelSetRegistry<Kind>, backend_name,               \
                   [](::monosem::Backend& b) { return std::unique_ptr<Kind>(new cls(b)); })

}  // namespace monosem

#endif  // MONOSEM_KERNEL_SET_H_
