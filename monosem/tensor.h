// An owning, 64-byte-aligned float32 tensor with a row-major shape.
//
// Tensors are move-only (Clone() copies) so that a large buffer is never
// duplicated by accident. Storage lives in host memory unless a backend (e.g.
// cuda) wraps memory of its own with Tensor::Wrap and a matching deleter.
#ifndef MONOSEM_TENSOR_H_
#define MONOSEM_TENSOR_H_

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace monosem {

using Shape = std::vector<int64_t>;

enum class Device { kHost, kCuda };

// Number of elements of a shape (1 for a scalar shape {}).
int64_t NumElements(const Shape& shape);
std::string ShapeToString(const Shape& shape);

// Checks that every dimension is >= 0 and the element count fits memory.
absl::Status ValidateShape(const Shape& shape);

class Tensor {
 public:
  static constexpr size_t kAlignment = 64;
  using Deleter = void (*)(float*);

  Tensor() = default;
  // Host tensor of `shape`, zero-filled.
  explicit Tensor(Shape shape);
  Tensor(std::initializer_list<int64_t> shape) : Tensor(Shape(shape)) {}
  // Host tensor with explicit values (size must match the shape).
  static absl::StatusOr<Tensor> FromValues(Shape shape, absl::Span<const float> values);
  // Host tensor whose contents are left unset (the caller writes every element).
  static Tensor Uninitialized(Shape shape);
  static Tensor Filled(Shape shape, float value);
  // Adopts memory owned elsewhere (device memory, for instance).
  static Tensor Wrap(Shape shape, float* data, Deleter deleter, Device device);

  Tensor(Tensor&&) noexcept = default;
  Tensor& operator=(Tensor&&) noexcept = default;
  Tensor(const Tensor&) = delete;
  Tensor& operator=(const Tensor&) = delete;

  Tensor Clone() const;  // host tensors only

  const Shape& shape() const { return shape_; }
  int rank() const { return static_cast<int>(shape_.size()); }
  int64_t dim(int i) const { return shape_[i]; }
  int64_t size() const { return size_; }
  Device device() const { return device_; }
  bool empty() const { return size_ == 0; }

  float* data() { return data_.get(); }
  const float* data() const { return data_.get(); }
  float& operator[](int64_t i) { return data_.get()[i]; }
  float operator[](int64_t i) const { return data_.get()[i]; }
  absl::Span<float> span() { return {data(), static_cast<size_t>(size_)}; }
  absl::Span<const float> span() const { return {data(), static_cast<size_t>(size_)}; }

  // Same storage, new shape with the same element count.
  absl::Status Reshape(Shape shape);
  void Fill(float value);

 private:
  struct Free {
    Free() noexcept : deleter(nullptr) {}
    explicit Free(Deleter d) noexcept : deleter(d) {}
    void operator()(float* p) const;
    Deleter deleter;
  };
  Shape shape_;
  int64_t size_ = 0;
  Device device_ = Device::kHost;
  std::unique_ptr<float, Free> data_;
};

}  // namespace monosem

#endif  // MONOSEM_TENSOR_H_
