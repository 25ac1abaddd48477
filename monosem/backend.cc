#include "monosem/backend.h"

#include "absl/strings/str_cat.h"

namespace monosem {
namespace {

absl::Status ShapeError(const std::string& op, const std::string& what) {
  return absl::InvalidArgumentError(absl::StrCat(op, ": ", what));
}

absl::Status SameShape(const std::string& op, const char* a_name, const Tensor& a,
                       const char* b_name, const Tensor& b) {
  if (a.shape() != b.shape()) {
    return ShapeError(op, absl::StrCat(a_name, " is ", ShapeToString(a.shape()), " but ", b_name,
                                       " is ", ShapeToString(b.shape())));
  }
  return absl::OkStatus();
}

absl::Status Rank(const std::string& op, const char* name, const Tensor& t, int rank) {
  if (t.rank() != rank) {
    return ShapeError(op, absl::StrCat(name, " must have rank ", rank, ", got ",
                                       ShapeToString(t.shape())));
  }
  return absl::OkStatus();
}

absl::Status NotNull(const std::string& op, const Tensor* t) {
  if (t == nullptr) return ShapeError(op, "output tensor is null");
  return absl::OkStatus();
}

}  // namespace

absl::Status Backend::Gemm(Trans ta, Trans tb, float alpha, const Tensor& a, const Tensor& b,
                           float beta, Tensor* c) {
  const std::string op = name() + " gemm";
  if (auto s = NotNull(op, c); !s.ok()) return s;
  if (auto s = Rank(op, "A", a, 2); !s.ok()) return s;
  if (auto s = Rank(op, "B", b, 2); !s.ok()) return s;
  if (auto s = Rank(op, "C", *c, 2); !s.ok()) return s;
  GemmShape s;
  s.m = ta == Trans::kNo ? a.dim(0) : a.dim(1);
  s.k = ta == Trans::kNo ? a.dim(1) : a.dim(0);
  int64_t kb = tb == Trans::kNo ? b.dim(0) : b.dim(1);
  s.n = tb == Trans::kNo ? b.dim(1) : b.dim(0);
  if (s.k != kb) {
    return ShapeError(op, absl::StrCat("inner dimensions differ: op(A) is ", s.m, "x", s.k,
                                       ", op(B) is ", kb, "x", s.n));
  }
  if (c->dim(0) != s.m || c->dim(1) != s.n) {
    return ShapeError(op, absl::StrCat("C is ", ShapeToString(c->shape()), ", expected [", s.m,
                                       ", ", s.n, "]"));
  }
  return GemmImpl(ta, tb, s, alpha, a, b, beta, c);
}

absl::Status Backend::AddRowBias(const Tensor& bias, Tensor* x) {
  const std::string op = name() + " add_row_bias";
  if (auto s = NotNull(op, x); !s.ok()) return s;
  if (auto s = Rank(op, "x", *x, 2); !s.ok()) return s;
  if (bias.rank() != 1 || bias.dim(0) != x->dim(1)) {
    return ShapeError(op, absl::StrCat("bias is ", ShapeToString(bias.shape()), ", expected [",
                                       x->dim(1), "]"));
  }
  return AddRowBiasImpl(bias, x);
}

absl::Status Backend::SumRows(const Tensor& x, Tensor* out) {
  const std::string op = name() + " sum_rows";
  if (auto s = NotNull(op, out); !s.ok()) return s;
  if (auto s = Rank(op, "x", x, 2); !s.ok()) return s;
  if (out->rank() != 1 || out->dim(0) != x.dim(1)) {
    return ShapeError(op, absl::StrCat("out is ", ShapeToString(out->shape()), ", expected [",
                                       x.dim(1), "]"));
  }
  return SumRowsImpl(x, out);
}

absl::Status Backend::Relu(const Tensor& x, Tensor* y) {
  const std::string op = name() + " relu";
  if (auto s = NotNull(op, y); !s.ok()) return s;
  if (auto s = SameShape(op, "x", x, "y", *y); !s.ok()) return s;
  return ReluImpl(x, y);
}

absl::Status Backend::ReluBackward(const Tensor& y, const Tensor& dy, Tensor* dx) {
  const std::string op = name() + " relu_backward";
  if (auto s = NotNull(op, dx); !s.ok()) return s;
  if (auto s = SameShape(op, "y", y, "dy", dy); !s.ok()) return s;
  if (auto s = SameShape(op, "y", y, "dx", *dx); !s.ok()) return s;
  return ReluBackwardImpl(y, dy, dx);
}

absl::Status Backend::Axpby(float alpha, const Tensor& x, float beta, Tensor* y) {
  const std::string op = name() + " axpby";
  if (auto s = NotNull(op, y); !s.ok()) return s;
  if (auto s = SameShape(op, "x", x, "y", *y); !s.ok()) return s;
  return AxpbyImpl(alpha, x, beta, y);
}

absl::Status Backend::Mul(const Tensor& a, const Tensor& b, Tensor* out) {
  const std::string op = name() + " mul";
  if (auto s = NotNull(op, out); !s.ok()) return s;
  if (auto s = SameShape(op, "a", a, "b", b); !s.ok()) return s;
  if (auto s = SameShape(op, "a", a, "out", *out); !s.ok()) return s;
  return MulImpl(a, b, out);
}

absl::Status Backend::AdamW(const AdamWParams& p, int64_t step, const Tensor& grad,
                            Tensor* param, Tensor* m, Tensor* v) {
  const std::string op = name() + " adamw";
  if (param == nullptr || m == nullptr || v == nullptr) return ShapeError(op, "null tensor");
  if (auto s = SameShape(op, "grad", grad, "param", *param); !s.ok()) return s;
  if (auto s = SameShape(op, "grad", grad, "m", *m); !s.ok()) return s;
  if (auto s = SameShape(op, "grad", grad, "v", *v); !s.ok()) return s;
  if (step < 1) return ShapeError(op, absl::StrCat("step must be >= 1, got ", step));
  if (!(p.lr >= 0) || !(p.beta1 >= 0 && p.beta1 < 1) || !(p.beta2 >= 0 && p.beta2 < 1) ||
      !(p.eps > 0) || !(p.weight_decay >= 0)) {
    return ShapeError(op, absl::StrCat("invalid hyperparameters lr=", p.lr, " beta1=", p.beta1,
                                       " beta2=", p.beta2, " eps=", p.eps,
                                       " weight_decay=", p.weight_decay));
  }
  return AdamWImpl(p, step, grad, param, m, v);
}

}  // namespace monosem
