// Every registered backend has every model's kernel set (toy, transformer,
// sae; skip-gram on the host backends), registered for it or inherited from a
// parent. A backend that lacks one FAILS here (it does not skip): the models
// could not run on it.
#include <string>

#include "gtest/gtest.h"
#include "monosem/backend.h"
#include "monosem/models/embeddings/sgns_kernels.h"
#include "monosem/models/sae/sae_kernels.h"
#include "monosem/models/toy/toy_kernels.h"
#include "monosem/models/transformer/transformer_kernels.h"

namespace monosem {
namespace {

TEST(KernelSetCoverage, EveryBackendHasEveryKernelSet) {
  ASSERT_FALSE(BackendRegistry::Names().empty());
  for (const std::string& name : BackendRegistry::Names()) {
    auto backend = BackendRegistry::Create(name);
    ASSERT_TRUE(backend.ok()) << backend.status();
    EXPECT_TRUE(ToyKernelsRegistry::Resolve(**backend).ok())
        << ToyKernelsRegistry::Resolve(**backend).status();
    EXPECT_TRUE(TransformerKernelRegistry::Resolve(**backend).ok())
        << TransformerKernelRegistry::Resolve(**backend).status();
    EXPECT_TRUE(sae::SaeKernelRegistry::Resolve(**backend).ok())
        << sae::SaeKernelRegistry::Resolve(**backend).status();
    // Skip-gram kernels exist for the host backends (reference, cpu, torch);
    // no device backend has them yet (docs/models/embeddings.md).
    if ((*backend)->device() == Device::kHost) {
      EXPECT_TRUE(SgnsKernelRegistry::Resolve(**backend).ok())
          << SgnsKernelRegistry::Resolve(**backend).status();
    }
  }
}

TEST(KernelSetCoverage, UnknownBackendErrorListsTheRegistered) {
  auto missing = BackendRegistry::Create("no-such-backend");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("reference"), std::string::npos);
}

}  // namespace
}  // namespace monosem
