#include "kernels/cuda/toy_cuda.h"

#include "absl/strings/str_cat.h"
#include "kernels/cuda/cuda_backend.h"
#include "kernels/cuda/cuda_check.h"
#include "kernels/cuda/cuda_kernels.h"
#include "monosem/models/toy/toy_kernels.h"
#include "monosem/status.h"

namespace monosem {
namespace {

absl::Status Launch(const ToyDims& d, bool relu, const float* x, const float* w, const float* b,
                    const float* imp, float* loss, float* dw, float* db) {
  MONOSEM_CUDA_RETURN_IF_ERROR(cuda::LaunchToyForwardBackward(
      relu, x, w, b, imp, loss, dw, db, d.instances, d.batch, d.n, d.m, nullptr));
  return absl::OkStatus();
}

class CudaToyKernels : public ToyKernels {
 public:
  using ToyKernels::ToyKernels;

 protected:
  absl::Status ForwardBackwardImpl(const ToyDims& d, bool relu, const Tensor& x, const Tensor& w,
                                   const Tensor& b, const Tensor& importance, Tensor* loss,
                                   Tensor* dw, Tensor* db) override {
    MONOSEM_RETURN_IF_ERROR(CudaAvailable());
    MONOSEM_ASSIGN_OR_RETURN(float* dx, scratch_.Stage(0, x, true));
    MONOSEM_ASSIGN_OR_RETURN(float* d_w, scratch_.Stage(1, w, true));
    MONOSEM_ASSIGN_OR_RETURN(float* d_b, scratch_.Stage(2, b, true));
    MONOSEM_ASSIGN_OR_RETURN(float* d_imp, scratch_.Stage(3, importance, true));
    MONOSEM_ASSIGN_OR_RETURN(float* d_loss, scratch_.Stage(4, *loss, false));
    float* d_dw = nullptr;
    float* d_db = nullptr;
    if (dw != nullptr) {
      MONOSEM_ASSIGN_OR_RETURN(d_dw, scratch_.Stage(5, *dw, false));
      MONOSEM_ASSIGN_OR_RETURN(d_db, scratch_.Stage(6, *db, false));
    }
    MONOSEM_RETURN_IF_ERROR(Launch(d, relu, dx, d_w, d_b, d_imp, d_loss, d_dw, d_db));
    MONOSEM_RETURN_IF_ERROR(scratch_.Unstage(d_loss, loss));
    if (dw != nullptr) {
      MONOSEM_RETURN_IF_ERROR(scratch_.Unstage(d_dw, dw));
      MONOSEM_RETURN_IF_ERROR(scratch_.Unstage(d_db, db));
    }
    return absl::OkStatus();
  }

 private:
  CudaScratch scratch_;
};

// Registered unconditionally: without a GPU, Available() says why and the toy
// suites skip these kernels with that message (ToyKernels::Available).
MONOSEM_REGISTER_KERNEL_SET(ToyKernels, "cuda", CudaToyKernels);

}  // namespace

absl::Status CudaToyForwardBackward(bool relu, const Tensor& x, const Tensor& w,
                                    const Tensor& b, const Tensor& importance, Tensor* loss,
                                    Tensor* dw, Tensor* db) {
  MONOSEM_RETURN_IF_ERROR(CudaAvailable());
  for (const Tensor* t : {&x, &w, &b, &importance, static_cast<const Tensor*>(loss)}) {
    if (t->device() != Device::kCuda) {
      return absl::InvalidArgumentError("CudaToyForwardBackward: tensors must be on the device");
    }
  }
  if ((dw == nullptr) != (db == nullptr) ||
      (dw != nullptr && (dw->device() != Device::kCuda || db->device() != Device::kCuda))) {
    return absl::InvalidArgumentError(
        "CudaToyForwardBackward: pass both dw and db (device tensors), or neither");
  }
  if (w.rank() != 3 || x.rank() != 3) {
    return absl::InvalidArgumentError("CudaToyForwardBackward: x and w must have rank 3");
  }
  const ToyDims d{w.dim(0), x.dim(1), w.dim(2), w.dim(1)};
  if (x.shape() != Shape{d.instances, d.batch, d.n} || b.shape() != Shape{d.instances, d.n} ||
      importance.shape() != b.shape() || loss->shape() != Shape{d.instances} ||
      (dw != nullptr && (dw->shape() != w.shape() || db->shape() != b.shape()))) {
    return absl::InvalidArgumentError(
        absl::StrCat("CudaToyForwardBackward: inconsistent shapes (w ", ShapeToString(w.shape()),
                     ", x ", ShapeToString(x.shape()), ")"));
  }
  return Launch(d, relu, x.data(), w.data(), b.data(), importance.data(), loss->data(),
                dw != nullptr ? dw->data() : nullptr, db != nullptr ? db->data() : nullptr);
}

}  // namespace monosem
