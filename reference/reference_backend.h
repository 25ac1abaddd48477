// The reference backend: the specification. Plain loops, double accumulation,
// no tricks; its speed does not matter, its obviousness does.
#ifndef MONOSEM_REFERENCE_REFERENCE_BACKEND_H_
#define MONOSEM_REFERENCE_REFERENCE_BACKEND_H_

#include "monosem/backend.h"

namespace monosem {

class ReferenceBackend : public Backend {
 public:
  std::string name() const override { return "reference"; }

 protected:
  absl::Status GemmImpl(Trans ta, Trans tb, const GemmShape& s, float alpha, const Tensor& a,
                        const Tensor& b, float beta, Tensor* c) override;
  absl::Status AddRowBiasImpl(const Tensor& bias, Tensor* x) override;
  absl::Status SumRowsImpl(const Tensor& x, Tensor* out) override;
  absl::Status ReluImpl(const Tensor& x, Tensor* y) override;
  absl::Status ReluBackwardImpl(const Tensor& y, const Tensor& dy, Tensor* dx) override;
  absl::Status AxpbyImpl(float alpha, const Tensor& x, float beta, Tensor* y) override;
  absl::Status MulImpl(const Tensor& a, const Tensor& b, Tensor* out) override;
  absl::Status AdamWImpl(const AdamWParams& p, int64_t step, const Tensor& grad, Tensor* param,
                         Tensor* m, Tensor* v) override;
};

}  // namespace monosem

#endif  // MONOSEM_REFERENCE_REFERENCE_BACKEND_H_
