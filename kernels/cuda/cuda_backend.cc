#include "kernels/cuda/cuda_backend.h"

#include <cmath>
#include <cstring>
#include <limits>

#include "absl/strings/str_cat.h"
#include "kernels/cuda/cuda_check.h"
#include "kernels/cuda/cuda_kernels.h"
#include "kernels/cuda/device_probe.h"
#include "monosem/status.h"

namespace monosem {
namespace cuda {

absl::Status CudaError(cudaError_t err, const char* expr, const char* file, int line) {
  return absl::InternalError(absl::StrCat(file, ":", line, ": ", expr, " failed: ",
                                          cudaGetErrorName(err), " (", cudaGetErrorString(err),
                                          ")"));
}

absl::Status CublasError(cublasStatus_t st, const char* expr, const char* file, int line) {
  return absl::InternalError(absl::StrCat(file, ":", line, ": ", expr, " failed: ",
                                          cublasGetStatusName(st), " (",
                                          cublasGetStatusString(st), ")"));
}

}  // namespace cuda

absl::Status CudaAvailable() {
  std::string why;
  const int count = CudaDeviceCount(&why);
  if (count > 0) return absl::OkStatus();
  if (why.empty()) why = "cudaGetDeviceCount found 0 devices";
  return absl::UnavailableError(absl::StrCat("no CUDA device: ", why));
}

namespace {

void FreeDevice(float* p) { cudaFree(p); }

int64_t Bytes(const Tensor& t) { return t.size() * static_cast<int64_t>(sizeof(float)); }

}  // namespace

absl::StatusOr<Tensor> CudaDeviceTensor(Shape shape) {
  MONOSEM_RETURN_IF_ERROR(CudaAvailable());
  MONOSEM_RETURN_IF_ERROR(ValidateShape(shape));
  const int64_t n = NumElements(shape);
  float* p = nullptr;
  if (n > 0) MONOSEM_CUDA_RETURN_IF_ERROR(cudaMalloc(&p, n * sizeof(float)));
  return Tensor::Wrap(std::move(shape), p, &FreeDevice, Device::kCuda);
}

absl::Status CudaCopyToDevice(const Tensor& host, Tensor* device) {
  if (host.device() != Device::kHost || device->device() != Device::kCuda ||
      host.shape() != device->shape()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "CudaCopyToDevice: need a host tensor and a device tensor of one shape, got ",
        ShapeToString(host.shape()), " and ", ShapeToString(device->shape())));
  }
  if (host.size() == 0) return absl::OkStatus();
  MONOSEM_CUDA_RETURN_IF_ERROR(
      cudaMemcpy(device->data(), host.data(), Bytes(host), cudaMemcpyHostToDevice));
  return absl::OkStatus();
}

absl::Status CudaCopyToHost(const Tensor& device, Tensor* host) {
  if (host->device() != Device::kHost || device.device() != Device::kCuda ||
      host->shape() != device.shape()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "CudaCopyToHost: need a device tensor and a host tensor of one shape, got ",
        ShapeToString(device.shape()), " and ", ShapeToString(host->shape())));
  }
  if (host->size() == 0) return absl::OkStatus();
  MONOSEM_CUDA_RETURN_IF_ERROR(
      cudaMemcpy(host->data(), device.data(), Bytes(device), cudaMemcpyDeviceToHost));
  return absl::OkStatus();
}

absl::Status CudaSynchronize() {
  MONOSEM_CUDA_RETURN_IF_ERROR(cudaDeviceSynchronize());
  return absl::OkStatus();
}

CudaBuffer::~CudaBuffer() {
  if (p_ != nullptr) cudaFree(p_);
}

absl::StatusOr<float*> CudaBuffer::Get(int64_t elements) {
  if (cap_ < elements) {
    if (p_ != nullptr) MONOSEM_CUDA_RETURN_IF_ERROR(cudaFree(p_));
    p_ = nullptr;
    cap_ = 0;
    MONOSEM_CUDA_RETURN_IF_ERROR(cudaMalloc(&p_, elements * sizeof(float)));
    cap_ = elements;
  }
  return p_;
}

absl::StatusOr<float*> CudaBuffer::Stage(const Tensor& t, bool upload) {
  if (t.device() == Device::kCuda) return const_cast<float*>(t.data());
  MONOSEM_ASSIGN_OR_RETURN(float* p, Get(t.size()));
  if (upload && t.size() > 0) {
    MONOSEM_CUDA_RETURN_IF_ERROR(cudaMemcpy(p, t.data(), Bytes(t), cudaMemcpyHostToDevice));
  }
  return p;
}

absl::Status CudaBuffer::Unstage(const float* dev, Tensor* t) {
  if (t->device() == Device::kCuda || t->size() == 0) return absl::OkStatus();
  // A synchronous copy on the legacy default stream: waits for the kernel.
  MONOSEM_CUDA_RETURN_IF_ERROR(cudaMemcpy(t->data(), dev, Bytes(*t), cudaMemcpyDeviceToHost));
  return absl::OkStatus();
}

CudaBuffer& CudaScratch::Slot(int slot) {
  while (static_cast<int>(slots_.size()) <= slot) slots_.push_back(std::make_unique<CudaBuffer>());
  return *slots_[slot];
}

absl::StatusOr<float*> CudaScratch::Get(int slot, int64_t elements) {
  return Slot(slot).Get(elements);
}

absl::StatusOr<float*> CudaScratch::Stage(int slot, const Tensor& t, bool upload) {
  return Slot(slot).Stage(t, upload);
}

CudaBackend::CudaBackend() = default;

CudaBackend::~CudaBackend() {
  if (cublas_ != nullptr) cublasDestroy(static_cast<cublasHandle_t>(cublas_));
}

absl::StatusOr<void*> CudaBackend::CublasHandle() {
  if (cublas_ == nullptr) {
    MONOSEM_RETURN_IF_ERROR(CudaAvailable());
    cublasHandle_t h;
    MONOSEM_CUBLAS_RETURN_IF_ERROR(cublasCreate(&h));
    cublas_ = h;
    // FP32 math (no TF32 down-conversion): the tolerances are float32 ones.
    MONOSEM_CUBLAS_RETURN_IF_ERROR(cublasSetMathMode(h, CUBLAS_DEFAULT_MATH));
    MONOSEM_CUBLAS_RETURN_IF_ERROR(cublasSetPointerMode(h, CUBLAS_POINTER_MODE_HOST));
  }
  return cublas_;
}

absl::StatusOr<CudaBackend*> AsCudaBackend(Backend& backend) {
  auto* cuda = dynamic_cast<CudaBackend*>(&backend);
  if (cuda == nullptr) {
    return absl::FailedPreconditionError(absl::StrCat(
        "cuda kernels need the cuda backend (or one derived from it), got '", backend.name(), "'"));
  }
  return cuda;
}

absl::Status CudaBackend::DeviceGemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k,
                                     float alpha, const float* a, int64_t lda, const float* b,
                                     int64_t ldb, float beta, float* c, int64_t ldc) {
  constexpr int64_t kMax = std::numeric_limits<int>::max();
  for (int64_t v : {m, n, k, lda, ldb, ldc}) {
    if (v > kMax) {
      return absl::InvalidArgumentError(absl::StrCat(
          "cuda gemm: dimension ", v, " beyond 32-bit cuBLAS (", m, "x", n, "x", k, ")"));
    }
  }
  MONOSEM_ASSIGN_OR_RETURN(void* handle, CublasHandle());
  // See GemmImpl: cuBLAS is column-major, so swap the operands.
  MONOSEM_CUBLAS_RETURN_IF_ERROR(cublasSgemm(
      static_cast<cublasHandle_t>(handle), tb ? CUBLAS_OP_T : CUBLAS_OP_N,
      ta ? CUBLAS_OP_T : CUBLAS_OP_N, static_cast<int>(n), static_cast<int>(m),
      static_cast<int>(k), &alpha, b, static_cast<int>(ldb), a, static_cast<int>(lda), &beta, c,
      static_cast<int>(ldc)));
  return absl::OkStatus();
}

// Row-major C[M,N] = op(A) op(B) is column-major Cᵀ[N,M] = op(B)ᵀ op(A)ᵀ, and
// a row-major matrix read column-major is its transpose: so call cuBLAS with
// the operands swapped and the same transpose flags. beta == 0: C is not
// uploaded and cuBLAS does not read it (NaN in C does not propagate).
absl::Status CudaBackend::GemmImpl(Trans ta, Trans tb, const GemmShape& s, float alpha,
                                   const Tensor& a, const Tensor& b, float beta, Tensor* c) {
  MONOSEM_RETURN_IF_ERROR(CudaAvailable());
  constexpr int64_t kMax = std::numeric_limits<int>::max();
  if (s.m > kMax || s.n > kMax || s.k > kMax || a.size() > kMax || b.size() > kMax) {
    return absl::InvalidArgumentError(
        absl::StrCat("cuda gemm: dimensions beyond 32-bit cuBLAS: ", s.m, "x", s.n, "x", s.k));
  }
  if (s.m == 0 || s.n == 0) return absl::OkStatus();
  MONOSEM_ASSIGN_OR_RETURN(float* dc, scratch_.Stage(2, *c, beta != 0.0f));
  if (s.k == 0) {
    MONOSEM_CUDA_RETURN_IF_ERROR(cuda::LaunchScale(beta, dc, c->size(), nullptr));
    return scratch_.Unstage(dc, c);
  }
  MONOSEM_ASSIGN_OR_RETURN(float* da, scratch_.Stage(0, a, true));
  MONOSEM_ASSIGN_OR_RETURN(float* db, scratch_.Stage(1, b, true));
  const int64_t lda = ta == Trans::kNo ? s.k : s.m;  // row length of A as stored
  const int64_t ldb = tb == Trans::kNo ? s.n : s.k;
  MONOSEM_RETURN_IF_ERROR(DeviceGemm(ta == Trans::kYes, tb == Trans::kYes, s.m, s.n, s.k, alpha,
                                     da, lda, db, ldb, beta, dc, s.n));
  return scratch_.Unstage(dc, c);
}

absl::Status CudaBackend::AddRowBiasImpl(const Tensor& bias, Tensor* x) {
  MONOSEM_RETURN_IF_ERROR(CudaAvailable());
  MONOSEM_ASSIGN_OR_RETURN(float* dbias, scratch_.Stage(0, bias, true));
  MONOSEM_ASSIGN_OR_RETURN(float* dx, scratch_.Stage(1, *x, true));
  MONOSEM_CUDA_RETURN_IF_ERROR(
      cuda::LaunchAddRowBias(dbias, dx, x->dim(0), x->dim(1), nullptr));
  return scratch_.Unstage(dx, x);
}

absl::Status CudaBackend::SumRowsImpl(const Tensor& x, Tensor* out) {
  MONOSEM_RETURN_IF_ERROR(CudaAvailable());
  MONOSEM_ASSIGN_OR_RETURN(float* dx, scratch_.Stage(0, x, true));
  MONOSEM_ASSIGN_OR_RETURN(float* dout, scratch_.Stage(1, *out, false));
  MONOSEM_CUDA_RETURN_IF_ERROR(cuda::LaunchSumRows(dx, dout, x.dim(0), x.dim(1), nullptr));
  return scratch_.Unstage(dout, out);
}

absl::Status CudaBackend::ReluImpl(const Tensor& x, Tensor* y) {
  MONOSEM_RETURN_IF_ERROR(CudaAvailable());
  MONOSEM_ASSIGN_OR_RETURN(float* dx, scratch_.Stage(0, x, true));
  MONOSEM_ASSIGN_OR_RETURN(float* dy, scratch_.Stage(1, *y, false));
  MONOSEM_CUDA_RETURN_IF_ERROR(cuda::LaunchRelu(dx, dy, x.size(), nullptr));
  return scratch_.Unstage(dy, y);
}

absl::Status CudaBackend::ReluBackwardImpl(const Tensor& y, const Tensor& dy, Tensor* dx) {
  MONOSEM_RETURN_IF_ERROR(CudaAvailable());
  MONOSEM_ASSIGN_OR_RETURN(float* d_y, scratch_.Stage(0, y, true));
  MONOSEM_ASSIGN_OR_RETURN(float* d_dy, scratch_.Stage(1, dy, true));
  MONOSEM_ASSIGN_OR_RETURN(float* d_dx, scratch_.Stage(2, *dx, false));
  MONOSEM_CUDA_RETURN_IF_ERROR(cuda::LaunchReluBackward(d_y, d_dy, d_dx, y.size(), nullptr));
  return scratch_.Unstage(d_dx, dx);
}

absl::Status CudaBackend::AxpbyImpl(float alpha, const Tensor& x, float beta, Tensor* y) {
  MONOSEM_RETURN_IF_ERROR(CudaAvailable());
  MONOSEM_ASSIGN_OR_RETURN(float* dx, scratch_.Stage(0, x, true));
  MONOSEM_ASSIGN_OR_RETURN(float* dy, scratch_.Stage(1, *y, beta != 0.0f));
  MONOSEM_CUDA_RETURN_IF_ERROR(cuda::LaunchAxpby(alpha, dx, beta, dy, x.size(), nullptr));
  return scratch_.Unstage(dy, y);
}

absl::Status CudaBackend::MulImpl(const Tensor& a, const Tensor& b, Tensor* out) {
  MONOSEM_RETURN_IF_ERROR(CudaAvailable());
  MONOSEM_ASSIGN_OR_RETURN(float* da, scratch_.Stage(0, a, true));
  MONOSEM_ASSIGN_OR_RETURN(float* db, scratch_.Stage(1, b, true));
  MONOSEM_ASSIGN_OR_RETURN(float* dout, scratch_.Stage(2, *out, false));
  MONOSEM_CUDA_RETURN_IF_ERROR(cuda::LaunchMul(da, db, dout, a.size(), nullptr));
  return scratch_.Unstage(dout, out);
}

absl::Status CudaBackend::AdamWImpl(const AdamWParams& p, int64_t step, const Tensor& grad,
                                    Tensor* param, Tensor* m, Tensor* v) {
  MONOSEM_RETURN_IF_ERROR(CudaAvailable());
  const double bc1 = 1.0 - std::pow(static_cast<double>(p.beta1), static_cast<double>(step));
  const double bc2 = 1.0 - std::pow(static_cast<double>(p.beta2), static_cast<double>(step));
  MONOSEM_ASSIGN_OR_RETURN(float* dg, scratch_.Stage(0, grad, true));
  MONOSEM_ASSIGN_OR_RETURN(float* dp, scratch_.Stage(1, *param, true));
  MONOSEM_ASSIGN_OR_RETURN(float* dm, scratch_.Stage(2, *m, true));
  MONOSEM_ASSIGN_OR_RETURN(float* dv, scratch_.Stage(3, *v, true));
  MONOSEM_CUDA_RETURN_IF_ERROR(cuda::LaunchAdamW(p.lr, p.beta1, p.beta2, p.eps, p.weight_decay,
                                                 bc1, bc2, dg, dp, dm, dv, grad.size(),
                                                 nullptr));
  MONOSEM_RETURN_IF_ERROR(scratch_.Unstage(dp, param));
  MONOSEM_RETURN_IF_ERROR(scratch_.Unstage(dm, m));
  return scratch_.Unstage(dv, v);
}

MONOSEM_REGISTER_BACKEND("cuda", CudaBackend);

}  // namespace monosem
