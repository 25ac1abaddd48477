// Philox4x32-10 on the GPU, bit-identical to monosem/philox.{h,cc} and
// monosem/portable_math.cc: the same element addressing, and every floating
// operation of the Box-Muller path written with an explicitly rounded
// intrinsic (__dadd_rn, __dmul_rn, __ddiv_rn, __dsqrt_rn, ...) in the host
// code's order, so nvcc cannot contract a*b+c into an FMA (the file is also
// compiled with -fmad=false, see BUILD.bazel). Checked element for element
// against the host by tests/kernels/cuda_philox_test.cc on a GPU.
#include "kernels/cuda/cuda_kernels.h"

namespace monosem::cuda {
namespace {

constexpr uint32_t kMul0 = 0xD2511F53u;
constexpr uint32_t kMul1 = 0xCD9E8D57u;
constexpr uint32_t kWeyl0 = 0x9E3779B9u;
constexpr uint32_t kWeyl1 = 0xBB67AE85u;

constexpr double kLn2 = 0.693147180559945309417232121458176568;
constexpr double kSqrtHalf = 0.707106781186547524400844362104849039;
constexpr double kHalfPi = 1.57079632679489661923132169163975144;

struct Block4 {
  uint32_t x[4];
};

__device__ __forceinline__ Block4 Philox(uint32_t c0, uint32_t c1, uint32_t c2, uint32_t c3,
                                         uint32_t k0, uint32_t k1) {
#pragma unroll
  for (int round = 0; round < 10; ++round) {
    const uint32_t hi0 = __umulhi(kMul0, c0), lo0 = kMul0 * c0;
    const uint32_t hi1 = __umulhi(kMul1, c2), lo1 = kMul1 * c2;
    const uint32_t n0 = hi1 ^ c1 ^ k0, n2 = hi0 ^ c3 ^ k1;
    c0 = n0;
    c1 = lo1;
    c2 = n2;
    c3 = lo0;
    k0 += kWeyl0;
    k1 += kWeyl1;
  }
  return Block4{{c0, c1, c2, c3}};
}

__device__ __forceinline__ Block4 BlockAt(uint64_t seed, uint64_t stream, uint64_t block) {
  return Philox(static_cast<uint32_t>(block), static_cast<uint32_t>(block >> 32),
                static_cast<uint32_t>(stream), static_cast<uint32_t>(stream >> 32),
                static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32));
}

// portable_math.cc's PortableLog, operation for operation.
__device__ double DeviceLog(double x) {
  unsigned long long bits = static_cast<unsigned long long>(__double_as_longlong(x));
  int e = static_cast<int>((bits >> 52) & 0x7ff) - 1023;
  bits = (bits & ~(0x7ffull << 52)) | (1023ull << 52);
  double m = __longlong_as_double(static_cast<long long>(bits));
  if (m > 2.0 * kSqrtHalf) {  // constant folded exactly as on the host
    m = __dmul_rn(m, 0.5);
    ++e;
  }
  const double s = __ddiv_rn(__dsub_rn(m, 1.0), __dadd_rn(m, 1.0));
  const double s2 = __dmul_rn(s, s);
  double term = s, sum = 0.0;
  for (int k = 0; k < 12; ++k) {
    sum = __dadd_rn(sum, __ddiv_rn(term, static_cast<double>(2 * k + 1)));
    term = __dmul_rn(term, s2);
  }
  return __dadd_rn(__dmul_rn(2.0, sum), __dmul_rn(static_cast<double>(e), kLn2));
}

// portable_math.cc's PortableSinCos2Pi; only the cosine is used.
__device__ double DeviceCos2Pi(double t) {
  const double q4 = __dmul_rn(t, 4.0);
  const int quadrant = static_cast<int>(__dadd_rn(q4, 0.5));
  const double r = __dmul_rn(__dsub_rn(q4, static_cast<double>(quadrant)), kHalfPi);
  const double r2 = __dmul_rn(r, r);
  double sin_r = 0.0, cos_r = 0.0, ts = r, tc = 1.0;
  for (int k = 0; k < 11; ++k) {
    sin_r = __dadd_rn(sin_r, ts);
    cos_r = __dadd_rn(cos_r, tc);
    ts = __dmul_rn(ts, __ddiv_rn(-r2, static_cast<double>((2 * k + 2) * (2 * k + 3))));
    tc = __dmul_rn(tc, __ddiv_rn(-r2, static_cast<double>((2 * k + 1) * (2 * k + 2))));
  }
  switch (quadrant & 3) {
    case 0: return cos_r;
    case 1: return -sin_r;
    case 2: return -cos_r;
    default: return sin_r;
  }
}

__device__ float WordsToNormal(uint32_t w0, uint32_t w1) {
  const double u0 = __dmul_rn(__dadd_rn(static_cast<double>(w0), 0.5), 1.0 / 4294967296.0);
  const double u1 = __dmul_rn(static_cast<double>(w1), 1.0 / 4294967296.0);
  const double radius = __dsqrt_rn(__dmul_rn(-2.0, DeviceLog(u0)));
  return __double2float_rn(__dmul_rn(radius, DeviceCos2Pi(u1)));
}

__device__ __forceinline__ float WordToUniform(uint32_t w) {
  return __fmul_rn(static_cast<float>(w >> 8), 1.0f / 16777216.0f);
}

#define MONOSEM_GRID_STRIDE(i, n)                                                  \
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < (n); \
       i += static_cast<int64_t>(gridDim.x) * blockDim.x)

__global__ void UniformKernel(uint64_t seed, uint64_t stream, float lo, float hi, float* out,
                              int64_t n) {
  const float span = __fsub_rn(hi, lo);
  MONOSEM_GRID_STRIDE(i, n) {
    const Block4 b = BlockAt(seed, stream, static_cast<uint64_t>(i) / 4);
    out[i] = __fadd_rn(lo, __fmul_rn(span, WordToUniform(b.x[i % 4])));
  }
}

__global__ void NormalKernel(uint64_t seed, uint64_t stream, float mean, float stddev,
                             float* out, int64_t n) {
  MONOSEM_GRID_STRIDE(i, n) {
    const Block4 b = BlockAt(seed, stream, static_cast<uint64_t>(i));
    out[i] = __fadd_rn(mean, __fmul_rn(stddev, WordsToNormal(b.x[0], b.x[1])));
  }
}

__global__ void WordsKernel(uint64_t seed, uint64_t stream, uint32_t* out, int64_t n) {
  MONOSEM_GRID_STRIDE(i, n) {
    out[i] = BlockAt(seed, stream, static_cast<uint64_t>(i) / 4).x[i % 4];
  }
}

__global__ void RawKernel(const uint32_t* ctr, const uint32_t* key, uint32_t* out,
                          int64_t count) {
  MONOSEM_GRID_STRIDE(j, count) {
    const Block4 b = Philox(ctr[4 * j], ctr[4 * j + 1], ctr[4 * j + 2], ctr[4 * j + 3],
                            key[2 * j], key[2 * j + 1]);
    for (int w = 0; w < 4; ++w) out[4 * j + w] = b.x[w];
  }
}

unsigned Blocks(int64_t n) {
  int64_t b = (n + 255) / 256;
  if (b < 1) b = 1;
  if (b > (int64_t{1} << 20)) b = int64_t{1} << 20;
  return static_cast<unsigned>(b);
}

}  // namespace

cudaError_t LaunchPhiloxUniform(uint64_t seed, uint64_t stream_id, float lo, float hi,
                                float* out, int64_t n, cudaStream_t stream) {
  if (n == 0) return cudaSuccess;
  UniformKernel<<<Blocks(n), 256, 0, stream>>>(seed, stream_id, lo, hi, out, n);
  return cudaGetLastError();
}

cudaError_t LaunchPhiloxNormal(uint64_t seed, uint64_t stream_id, float mean, float stddev,
                               float* out, int64_t n, cudaStream_t stream) {
  if (n == 0) return cudaSuccess;
  NormalKernel<<<Blocks(n), 256, 0, stream>>>(seed, stream_id, mean, stddev, out, n);
  return cudaGetLastError();
}

cudaError_t LaunchPhiloxWords(uint64_t seed, uint64_t stream_id, uint32_t* out, int64_t n,
                              cudaStream_t stream) {
  if (n == 0) return cudaSuccess;
  WordsKernel<<<Blocks(n), 256, 0, stream>>>(seed, stream_id, out, n);
  return cudaGetLastError();
}

cudaError_t LaunchPhiloxRaw(const uint32_t* ctr, const uint32_t* key, uint32_t* out,
                            int64_t count, cudaStream_t stream) {
  if (count == 0) return cudaSuccess;
  RawKernel<<<Blocks(count), 256, 0, stream>>>(ctr, key, out, count);
  return cudaGetLastError();
}

}  // namespace monosem::cuda
