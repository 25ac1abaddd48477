// The GPU Philox (kernels/cuda/philox.cu) against the host's (monosem/philox.h)
// bit for bit: raw words, uniform and normal fills for several seeds, streams
// and sizes, and the Random123 known-answer vectors computed on the GPU. Runs
// only where a GPU is present; elsewhere every test skips and says why.
#include <cstdint>
#include <cstring>
#include <vector>

#include "gtest/gtest.h"
#include "kernels/cuda/cuda_backend.h"
#include "kernels/cuda/cuda_kernels.h"
#include "monosem/philox.h"
#include "monosem/random_fill.h"

namespace monosem {
namespace {

#define SKIP_WITHOUT_GPU()                                                   \
  do {                                                                       \
    if (absl::Status s = CudaAvailable(); !s.ok()) GTEST_SKIP() << s.message(); \
  } while (0)

#define ASSERT_CUDA(expr)                                          \
  do {                                                             \
    const cudaError_t cuda_err_ = (expr);                          \
    ASSERT_EQ(cuda_err_, cudaSuccess) << cudaGetErrorString(cuda_err_); \
  } while (0)

// A device buffer of n 32-bit values, freed at scope exit.
class DeviceBuffer {
 public:
  explicit DeviceBuffer(int64_t n) : n_(n) {
    if (n > 0) err_ = cudaMalloc(&p_, n * 4);
  }
  ~DeviceBuffer() { cudaFree(p_); }
  cudaError_t err() const { return err_; }
  float* f() { return static_cast<float*>(p_); }
  uint32_t* u() { return static_cast<uint32_t*>(p_); }
  template <typename T>
  std::vector<T> Read() {
    std::vector<T> out(n_);
    err_ = cudaMemcpy(out.data(), p_, n_ * 4, cudaMemcpyDeviceToHost);
    return out;
  }

 private:
  int64_t n_;
  void* p_ = nullptr;
  cudaError_t err_ = cudaSuccess;
};

uint32_t Bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}

struct Case {
  uint64_t seed, stream;
  int64_t n;
};

const Case kCases[] = {
    {0, 0, 1},
    {1, 2, 1001},
    {0xa4093822299f31d0ull, 0x0370734413198a2eull, 4099},
    {42, (uint64_t{1} << 32) + 7, 65537},
    {~uint64_t{0}, ~uint64_t{0}, 300007},
};

TEST(CudaPhilox, KnownAnswerVectorsOnTheGpu) {
  SKIP_WITHOUT_GPU();
  const std::vector<uint32_t> ctr = {0,          0,          0,          0,
                                     0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff,
                                     0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344};
  const std::vector<uint32_t> key = {0, 0, 0xffffffff, 0xffffffff, 0xa4093822, 0x299f31d0};
  const std::vector<uint32_t> want = {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8,
                                      0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd,
                                      0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1};
  DeviceBuffer dctr(12), dkey(6), dout(12);
  ASSERT_CUDA(dctr.err());
  ASSERT_CUDA(cudaMemcpy(dctr.u(), ctr.data(), 48, cudaMemcpyHostToDevice));
  ASSERT_CUDA(cudaMemcpy(dkey.u(), key.data(), 24, cudaMemcpyHostToDevice));
  ASSERT_CUDA(cuda::LaunchPhiloxRaw(dctr.u(), dkey.u(), dout.u(), 3, nullptr));
  EXPECT_EQ(dout.Read<uint32_t>(), want);
}

TEST(CudaPhilox, WordsMatchTheHostBitForBit) {
  SKIP_WITHOUT_GPU();
  for (const Case& c : kCases) {
    DeviceBuffer d(c.n);
    ASSERT_CUDA(d.err());
    ASSERT_CUDA(cuda::LaunchPhiloxWords(c.seed, c.stream, d.u(), c.n, nullptr));
    const std::vector<uint32_t> got = d.Read<uint32_t>();
    const Philox host(c.seed, c.stream);
    int64_t bad = 0;
    for (int64_t i = 0; i < c.n; ++i) bad += got[i] != host.WordAt(i);
    EXPECT_EQ(bad, 0) << "seed " << c.seed << " stream " << c.stream;
  }
}

TEST(CudaPhilox, UniformAndNormalFillsMatchTheHostBitForBit) {
  SKIP_WITHOUT_GPU();
  for (const Case& c : kCases) {
    SCOPED_TRACE(testing::Message() << "seed " << c.seed << " stream " << c.stream << " n "
                                    << c.n);
    Tensor uniform = Tensor::Uninitialized({c.n}), normal = Tensor::Uninitialized({c.n});
    FillUniform(c.seed, c.stream, -0.25f, 3.0f, &uniform);
    FillNormal(c.seed, c.stream, 0.5f, 2.0f, &normal);
    DeviceBuffer du(c.n), dn(c.n);
    ASSERT_CUDA(du.err());
    ASSERT_CUDA(cuda::LaunchPhiloxUniform(c.seed, c.stream, -0.25f, 3.0f, du.f(), c.n, nullptr));
    ASSERT_CUDA(cuda::LaunchPhiloxNormal(c.seed, c.stream, 0.5f, 2.0f, dn.f(), c.n, nullptr));
    const std::vector<float> gu = du.Read<float>(), gn = dn.Read<float>();
    int64_t bad_u = 0, bad_n = 0, first_n = -1;
    for (int64_t i = 0; i < c.n; ++i) {
      bad_u += Bits(gu[i]) != Bits(uniform[i]);
      if (Bits(gn[i]) != Bits(normal[i])) {
        if (first_n < 0) first_n = i;
        ++bad_n;
      }
    }
    EXPECT_EQ(bad_u, 0);
    EXPECT_EQ(bad_n, 0) << "first mismatch at " << first_n << ": gpu "
                        << (first_n >= 0 ? gn[first_n] : 0) << " host "
                        << (first_n >= 0 ? normal[first_n] : 0);
  }
}

}  // namespace
}  // namespace monosem
