#include <cuda_runtime.h>

#include "kernels/cuda/device_probe.h"

namespace monosem {

int CudaDeviceCount(std::string* why) {
  int count = 0;
  cudaError_t err = cudaGetDeviceCount(&count);
  if (err != cudaSuccess) {
    if (why != nullptr) *why = cudaGetErrorString(err);
    return 0;
  }
  return count;
}

}  // namespace monosem
