#include "monosem/tensor.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace monosem {
namespace {

float* AllocateAligned(int64_t n) {
  if (n == 0) return nullptr;
  size_t bytes = static_cast<size_t>(n) * sizeof(float);
  bytes = (bytes + Tensor::kAlignment - 1) / Tensor::kAlignment * Tensor::kAlignment;
  void* p = std::aligned_alloc(Tensor::kAlignment, bytes);
  if (p == nullptr) throw std::bad_alloc();
  return static_cast<float*>(p);
}

void FreeAligned(float* p) { std::free(p); }

}  // namespace

int64_t NumElements(const Shape& shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

std::string ShapeToString(const Shape& shape) {
  return absl::StrCat("[", absl::StrJoin(shape, ", "), "]");
}

absl::Status ValidateShape(const Shape& shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("shape ", ShapeToString(shape), " has a negative dimension"));
    }
    if (d > 0 && n > std::numeric_limits<int64_t>::max() / 8 / d) {
      return absl::InvalidArgumentError(
          absl::StrCat("shape ", ShapeToString(shape), " is too large"));
    }
    n *= d;
  }
  return absl::OkStatus();
}

void Tensor::Free::operator()(float* p) const {
  if (p != nullptr && deleter != nullptr) deleter(p);
}

Tensor Tensor::Uninitialized(Shape shape) {
  Tensor t;
  t.size_ = NumElements(shape);
  t.shape_ = std::move(shape);
  t.data_ = std::unique_ptr<float, Free>(AllocateAligned(t.size_), Free{&FreeAligned});
  return t;
}

Tensor::Tensor(Shape shape) : Tensor(Uninitialized(std::move(shape))) { Fill(0.0f); }

Tensor Tensor::Filled(Shape shape, float value) {
  Tensor t = Uninitialized(std::move(shape));
  t.Fill(value);
  return t;
}

absl::StatusOr<Tensor> Tensor::FromValues(Shape shape, absl::Span<const float> values) {
  if (NumElements(shape) != static_cast<int64_t>(values.size())) {
    return absl::InvalidArgumentError(absl::StrCat("shape ", ShapeToString(shape), " holds ",
                                                   NumElements(shape), " values, got ",
                                                   values.size()));
  }
  Tensor t = Uninitialized(std::move(shape));
  std::copy(values.begin(), values.end(), t.data());
  return t;
}

Tensor Tensor::Wrap(Shape shape, float* data, Deleter deleter, Device device) {
  Tensor t;
  t.size_ = NumElements(shape);
  t.shape_ = std::move(shape);
  t.device_ = device;
  t.data_ = std::unique_ptr<float, Free>(data, Free{deleter});
  return t;
}

Tensor Tensor::Clone() const {
  Tensor t = Uninitialized(shape_);
  if (size_ > 0) std::memcpy(t.data(), data(), static_cast<size_t>(size_) * sizeof(float));
  return t;
}

absl::Status Tensor::Reshape(Shape shape) {
  if (NumElements(shape) != size_) {
    return absl::InvalidArgumentError(absl::StrCat("cannot reshape ", ShapeToString(shape_),
                                                   " to ", ShapeToString(shape)));
  }
  shape_ = std::move(shape);
  return absl::OkStatus();
}

void Tensor::Fill(float value) { std::fill(data(), data() + size_, value); }

}  // namespace monosem
