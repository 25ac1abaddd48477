#include "monosem/io/memory_bound.h"

#include <cmath>

#include "gtest/gtest.h"

namespace monosem {
namespace {

TEST(MemoryBound, ReadsMemAvailable) {
  const int64_t available = AvailableMemoryBytes();
  ASSERT_GT(available, 0) << "no MemAvailable in /proc/meminfo";
  EXPECT_TRUE(CheckMemoryEstimate(1024.0, "tiny").ok());
  // Just over the memory available: refused, with the estimate and the bound.
  absl::Status s = CheckMemoryEstimate(2.0 * static_cast<double>(available), "run.textproto: sae");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("run.textproto: sae: needs an estimated "), std::string::npos) << s;
  EXPECT_NE(s.message().find(HumanBytes(static_cast<double>(available))), std::string::npos) << s;
}

TEST(MemoryBound, OverflowedEstimatesAreRefused) {
  EXPECT_FALSE(CheckMemoryEstimate(INFINITY, "x").ok());
  EXPECT_FALSE(CheckMemoryEstimate(NAN, "x").ok());
}

TEST(MemoryBound, HumanBytes) {
  EXPECT_EQ(HumanBytes(512), "512 bytes");
  EXPECT_EQ(HumanBytes(1536), "1.5 KiB");
  EXPECT_EQ(HumanBytes(3.0 * (1 << 30)), "3 GiB");
}

}  // namespace
}  // namespace monosem
