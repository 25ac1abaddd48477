// The cuda backend: cuBLAS SGEMM plus hand-written kernels (cuda_kernels.h).
//
// It accepts tensors on either side (docs/kernels/cuda.md):
//   - host tensors (what every cross-backend test, golden test and model
//     passes): inputs are copied into device buffers cached per operand slot
//     (grown, never shrunk), the kernel runs, outputs are copied back. So the
//     tests exercise the real kernels, at the cost of PCIe transfers;
//   - device tensors (Device::kCuda, from DeviceTensor()): used in place, no
//     copies, asynchronous on the default stream. Benchmarks and GPU-resident
//     models use these so timing excludes transfers.
// Available() says "no CUDA device: <reason>" where there is no GPU, and every
// kernel then returns that same Unavailable error instead of crashing.
#ifndef MONOSEM_KERNELS_CUDA_CUDA_BACKEND_H_
#define MONOSEM_KERNELS_CUDA_CUDA_BACKEND_H_

#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "monosem/backend.h"

namespace monosem {

// Unavailable("no CUDA device: ...") unless a CUDA device is usable.
absl::Status CudaAvailable();

// Device memory helpers (no-GPU: they return CudaAvailable()'s error).
// An uninitialized float32 tensor in device memory, freed with cudaFree.
absl::StatusOr<Tensor> CudaDeviceTensor(Shape shape);
// Copies between a host tensor and a device tensor of the same shape.
absl::Status CudaCopyToDevice(const Tensor& host, Tensor* device);
absl::Status CudaCopyToHost(const Tensor& device, Tensor* host);
absl::Status CudaSynchronize();

// One cached device buffer, grown to the largest size asked for and never
// shrunk, so that steady use allocates nothing. Kernel sets name one per
// intermediate in their workspace structs, so a reader sees what each buffer
// holds and that two uses share one only where the code says so.
class CudaBuffer {
 public:
  CudaBuffer() = default;
  ~CudaBuffer();
  CudaBuffer(const CudaBuffer&) = delete;
  CudaBuffer& operator=(const CudaBuffer&) = delete;

  // At least `elements` floats.
  absl::StatusOr<float*> Get(int64_t elements);

  // At least n elements of T, one float more than that needs: never a
  // zero-size (null) buffer, so kernels can be given it blindly.
  template <typename T>
  absl::StatusOr<T*> As(int64_t n) {
    constexpr int64_t kFloat = static_cast<int64_t>(sizeof(float));
    const int64_t floats = (n * static_cast<int64_t>(sizeof(T)) + kFloat - 1) / kFloat + 1;
    absl::StatusOr<float*> p = Get(floats);
    if (!p.ok()) return p.status();
    return reinterpret_cast<T*>(*p);
  }

  // A device pointer for t: t's own if it is a device tensor, else this
  // buffer, holding a copy of t when `upload`.
  absl::StatusOr<float*> Stage(const Tensor& t, bool upload);
  // Copies dev back into t if t is a host tensor (dev was Stage()d for t).
  static absl::Status Unstage(const float* dev, Tensor* t);

 private:
  float* p_ = nullptr;
  int64_t cap_ = 0;
};

// Cached device buffers indexed by operand position: slot i stages the i-th
// tensor argument of whichever op runs (the Backend's ops and the small
// kernel sets, whose operands have no meaning beyond their position).
class CudaScratch {
 public:
  CudaScratch() = default;
  CudaScratch(const CudaScratch&) = delete;
  CudaScratch& operator=(const CudaScratch&) = delete;
  absl::StatusOr<float*> Get(int slot, int64_t elements);

  // A device pointer for t: t's own if it is a device tensor, else slot's
  // buffer, holding a copy of t when `upload`.
  absl::StatusOr<float*> Stage(int slot, const Tensor& t, bool upload);
  // Copies dev back into t if t is a host tensor (dev was Stage()d for t).
  absl::Status Unstage(const float* dev, Tensor* t) { return CudaBuffer::Unstage(dev, t); }

 private:
  CudaBuffer& Slot(int slot);

  // unique_ptr: CudaBuffer is not movable, and pointers handed out must stay.
  std::vector<std::unique_ptr<CudaBuffer>> slots_;
};

class CudaBackend : public Backend {
 public:
  CudaBackend();
  ~CudaBackend() override;

  std::string name() const override { return "cuda"; }
  Device device() const override { return Device::kCuda; }
  absl::Status Available() const override { return CudaAvailable(); }

  // The backend's cuBLAS handle (cublasHandle_t), created on first use: the
  // one handle of the backend and its kernel sets (and the benchmarks'
  // calibration GEMM).
  absl::StatusOr<void*> CublasHandle();

  // Row-major C[m, n] = alpha op(A) op(B) + beta C on device pointers; lda,
  // ldb, ldc are the row lengths of A, B, C as stored. The one cuBLAS GEMM of
  // the backend: GemmImpl and every cuda kernel set call it.
  absl::Status DeviceGemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, float alpha,
                          const float* a, int64_t lda, const float* b, int64_t ldb, float beta,
                          float* c, int64_t ldc);

 protected:
  MONOSEM_BACKEND_KERNEL_OVERRIDES;

 private:
  void* cublas_ = nullptr;
  CudaScratch scratch_;
};

// The CudaBackend a cuda kernel set was created on (the cuda backend or one
// derived from it); FailedPrecondition for any other backend.
absl::StatusOr<CudaBackend*> AsCudaBackend(Backend& backend);

}  // namespace monosem

#endif  // MONOSEM_KERNELS_CUDA_CUDA_BACKEND_H_
