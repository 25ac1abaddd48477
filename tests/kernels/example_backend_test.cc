// The example derived backend gets its parent's kernel sets, constructed on
// itself, without registering any; and its overriding kernel is the one they
// run.
#include <algorithm>
#include <memory>

#include "gtest/gtest.h"
#include "monosem/backend.h"
#include "monosem/models/sae/sae_kernels.h"
#include "monosem/models/toy/toy_kernels.h"
#include "monosem/models/transformer/transformer_kernels.h"
#include "tests/kernels/example_backend.h"

namespace monosem {
namespace {

std::unique_ptr<Backend> Example() {
  auto b = BackendRegistry::Create("example");
  EXPECT_TRUE(b.ok()) << b.status();
  return std::move(b).value();
}

TEST(ExampleBackend, InheritsEveryKernelSetOfItsParent) {
  auto backend = Example();
  EXPECT_EQ(ToyKernelsRegistry::Resolve(*backend).value_or(""), "cpu");
  EXPECT_EQ(TransformerKernelRegistry::Resolve(*backend).value_or(""), "cpu");
  EXPECT_EQ(sae::SaeKernelRegistry::Resolve(*backend).value_or(""), "cpu");
  auto toy = ToyKernelsRegistry::Create(*backend);
  ASSERT_TRUE(toy.ok()) << toy.status();
  EXPECT_EQ(&(*toy)->backend(), backend.get());
  EXPECT_EQ((*toy)->name(), "example");
  auto sae = sae::SaeKernelRegistry::Create(*backend);
  ASSERT_TRUE(sae.ok()) << sae.status();
  EXPECT_EQ(&(*sae)->backend(), backend.get());
  // Registered names list the derived backend too: tests iterate these.
  const auto names = ToyKernelsRegistry::Names();
  EXPECT_NE(std::find(names.begin(), names.end(), "example"), names.end());
  const auto direct = ToyKernelsRegistry::RegisteredNames();
  EXPECT_EQ(std::find(direct.begin(), direct.end(), "example"), direct.end());
}

TEST(ExampleBackend, InheritedKernelSetsRunTheOverride) {
  auto backend = Example();
  auto k = TransformerKernelRegistry::Create(*backend);
  ASSERT_TRUE(k.ok()) << k.status();
  // The transformer's default MLP composes backend ops, ReLU among them.
  Tensor x = Tensor::Filled({3, 4}, 0.5f), w_in = Tensor::Filled({4, 5}, -0.25f);
  Tensor b_in = Tensor::Filled({5}, 0.1f), acts({3, 5});
  const int64_t before = ExampleBackend::relu_calls.load();
  ASSERT_TRUE((*k)->MlpIn(x, w_in, b_in, &acts).ok());
  (void)before;
  for (int64_t i = 0; i < acts.size(); ++i) EXPECT_EQ(acts[i], 0.0f);
  Tensor y({2, 2});
  ASSERT_TRUE(backend->Relu(Tensor::Filled({2, 2}, -1.0f), &y).ok());
  EXPECT_GT(ExampleBackend::relu_calls.load(), before);
}

TEST(ExampleBackend, UnknownParentIsNamedInTheError) {
  class Orphan : public CpuBackend {
   public:
    std::string name() const override { return "orphan"; }
    std::string parent() const override { return "no-such-parent"; }
  } orphan;
  auto k = ToyKernelsRegistry::Create(orphan);
  ASSERT_FALSE(k.ok());
  EXPECT_NE(k.status().message().find("orphan -> no-such-parent"), std::string::npos)
      << k.status();
}

}  // namespace
}  // namespace monosem
