// Every CUDA runtime and cuBLAS call's status becomes an absl::Status that
// names the call and its file:line; kernel launches are checked with
// cudaGetLastError (the Launch* functions return it).
#ifndef MONOSEM_KERNELS_CUDA_CUDA_CHECK_H_
#define MONOSEM_KERNELS_CUDA_CUDA_CHECK_H_

#include <cublas_v2.h>
#include <cuda_runtime.h>

#include "absl/status/status.h"

namespace monosem::cuda {

absl::Status CudaError(cudaError_t err, const char* expr, const char* file, int line);
absl::Status CublasError(cublasStatus_t st, const char* expr, const char* file, int line);

}  // namespace monosem::cuda

#define MONOSEM_CUDA_RETURN_IF_ERROR(expr)                                          \
  do {                                                                              \
    const cudaError_t monosem_cuda_err_ = (expr);                                   \
    if (monosem_cuda_err_ != cudaSuccess) {                                         \
      return ::monosem::cuda::CudaError(monosem_cuda_err_, #expr, __FILE__, __LINE__); \
    }                                                                               \
  } while (0)

#define MONOSEM_CUBLAS_RETURN_IF_ERROR(expr)                                          \
  do {                                                                                \
    const cublasStatus_t monosem_cublas_st_ = (expr);                                 \
    if (monosem_cublas_st_ != CUBLAS_STATUS_SUCCESS) {                                \
      return ::monosem::cuda::CublasError(monosem_cublas_st_, #expr, __FILE__, __LINE__); \
    }                                                                                 \
  } while (0)

#endif  // MONOSEM_KERNELS_CUDA_CUDA_CHECK_H_
