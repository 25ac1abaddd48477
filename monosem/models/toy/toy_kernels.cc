#include "monosem/models/toy/toy_kernels.h"

#include "absl/strings/str_cat.h"

namespace monosem {
namespace {

absl::Status ShapeError(const char* what, const Tensor& t, const Shape& want) {
  return absl::InvalidArgumentError(absl::StrCat("toy kernels: ", what, " has shape ",
                                                 ShapeToString(t.shape()), ", expected ",
                                                 ShapeToString(want)));
}

}  // namespace

absl::Status ToyKernels::ForwardBackward(bool relu, const Tensor& x, const Tensor& w,
                                         const Tensor& b, const Tensor& importance, Tensor* loss,
                                         Tensor* dw, Tensor* db) {
  if (w.rank() != 3) {
    return absl::InvalidArgumentError(
        absl::StrCat("toy kernels: w must be [instances, m, n], got ", ShapeToString(w.shape())));
  }
  if (x.rank() != 3) {
    return absl::InvalidArgumentError(
        absl::StrCat("toy kernels: x must be [instances, batch, n], got ",
                     ShapeToString(x.shape())));
  }
  ToyDims d{w.dim(0), x.dim(1), w.dim(2), w.dim(1)};
  if (d.n == 0 || d.m == 0 || d.instances == 0 || d.batch == 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "toy kernels: empty dimension (instances ", d.instances, ", batch ", d.batch, ", n ",
        d.n, ", m ", d.m, ")"));
  }
  if (x.shape() != Shape{d.instances, d.batch, d.n}) {
    return ShapeError("x", x, {d.instances, d.batch, d.n});
  }
  if (b.shape() != Shape{d.instances, d.n}) return ShapeError("b", b, {d.instances, d.n});
  if (importance.shape() != Shape{d.instances, d.n}) {
    return ShapeError("importance", importance, {d.instances, d.n});
  }
  if (loss == nullptr) return absl::InvalidArgumentError("toy kernels: loss output is null");
  if (loss->shape() != Shape{d.instances}) return ShapeError("loss", *loss, {d.instances});
  if ((dw == nullptr) != (db == nullptr)) {
    return absl::InvalidArgumentError("toy kernels: pass both dw and db, or neither");
  }
  if (dw != nullptr) {
    if (dw->shape() != w.shape()) return ShapeError("dw", *dw, w.shape());
    if (db->shape() != b.shape()) return ShapeError("db", *db, b.shape());
  }
  for (const Tensor* t : {&x, &w, &b, &importance}) {
    if (t->device() != Device::kHost) {
      return absl::InvalidArgumentError("toy kernels: inputs must be host tensors");
    }
  }
  return ForwardBackwardImpl(d, relu, x, w, b, importance, loss, dw, db);
}

}  // namespace monosem
