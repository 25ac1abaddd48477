// Asks the CUDA runtime how many GPUs this process can see (0 on a machine
// without a GPU or driver). The first CUDA piece; the backend builds on it.
#ifndef MONOSEM_KERNELS_CUDA_DEVICE_PROBE_H_
#define MONOSEM_KERNELS_CUDA_DEVICE_PROBE_H_

#include <string>

namespace monosem {

// Number of CUDA devices; on failure 0, with the runtime's reason in *why.
int CudaDeviceCount(std::string* why);

}  // namespace monosem

#endif  // MONOSEM_KERNELS_CUDA_DEVICE_PROBE_H_
