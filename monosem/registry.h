// One registry template for everything registered by name at static-init
// time: backends, each model's kernel sets, experiment suites.
//
//   NameTable<V>          name -> V, thread-safe; Names() sorted with
//                         "reference" first; NotFound errors list what is
//                         registered. Suites store their SuiteInfo in one.
//   Registry<T, Args...>  name -> factory of std::unique_ptr<T>(Args...):
//                         Register / Create / Contains / Names, one table per
//                         T (T::kRegistryKind names it in errors).
//
// Registration is one macro line in the registering .cc (linked with
// alwayslink): MONOSEM_REGISTER(Base, "name", factory-lambda). The
// backend and kernel-set macros (monosem/backend.h, monosem/kernel_set.h)
// are this macro with the lambda written for you.
#ifndef MONOSEM_REGISTRY_H_
#define MONOSEM_REGISTRY_H_

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace monosem {

template <typename V>
class NameTable {
 public:
  // `kind` names the entries in errors ("backend", "toy kernels", "suite").
  explicit NameTable(std::string kind) : kind_(std::move(kind)) {}

  // False when the name is taken (the first registration stays).
  bool Add(const std::string& name, V value) {
    std::lock_guard<std::mutex> lock(mu_);
    return entries_.emplace(name, std::move(value)).second;
  }
  // Null when absent. Entries are never removed, so the pointer stays valid.
  const V* Find(const std::string& name) const {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = entries_.find(name);
    return it == entries_.end() ? nullptr : &it->second;
  }
  absl::StatusOr<const V*> Get(const std::string& name) const {
    if (const V* v = Find(name)) return v;
    return NotFound(name);
  }
  absl::Status NotFound(const std::string& name) const {
    return absl::NotFoundError(absl::StrCat("unknown ", kind_, " '", name, "' (registered: ",
                                            absl::StrJoin(Names(), ", "), ")"));
  }
  // Sorted, "reference" (the specification backend) first.
  std::vector<std::string> Names() const {
    std::vector<std::string> names;
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (const auto& [n, v] : entries_) names.push_back(n);
    }
    std::stable_partition(names.begin(), names.end(),
                          [](const std::string& n) { return n == "reference"; });
    return names;
  }
  const std::string& kind() const { return kind_; }

 private:
  const std::string kind_;
  mutable std::mutex mu_;
  std::map<std::string, V> entries_;
};

template <typename T, typename... Args>
class Registry {
 public:
  using Factory = std::function<std::unique_ptr<T>(Args...)>;

  static bool Register(const std::string& name, Factory factory) {
    return Table().Add(name, std::move(factory));
  }
  static absl::StatusOr<std::unique_ptr<T>> Create(const std::string& name, Args... args) {
    const Factory* f = Table().Find(name);
    if (f == nullptr) return Table().NotFound(name);
    return (*f)(std::forward<Args>(args)...);
  }
  static bool Contains(const std::string& name) { return Table().Find(name) != nullptr; }
  static std::vector<std::string> Names() { return Table().Names(); }
  static const NameTable<Factory>& table() { return Table(); }

 private:
  static NameTable<Factory>& Table() {
    // Leaked on purpose: registration runs during static initialization and
    // lookups may run during static destruction.
    static auto* t = new NameTable<Factory>(T::kRegistryKind);
    return *t;
  }
};

#define MONOSEM_REGISTRY_CONCAT_(a, b) a##b
#define MONOSEM_REGISTRY_CONCAT(a, b) MONOSEM_REGISTRY_CONCAT_(a, b)

// Registers `factory` under `name` in RegistryType at static-init time.
#define MONOSEM_REGISTER(RegistryType, name, factory)                      \
  static const bool MONOSEM_REGISTRY_CONCAT(monosem_registered_, __COUNTER__) = \
      RegistryType::Register(name, factory)

}  // namespace monosem

#endif  // MONOSEM_REGISTRY_H_
