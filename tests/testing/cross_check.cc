#include "tests/testing/cross_check.h"

#include <cstdlib>
#include <limits>

#include "absl/strings/str_cat.h"
#include "monosem/random_fill.h"
#include "reference/reference_backend.h"
#include "tests/testing/shapes.h"

namespace monosem::testing {
namespace {

const char* T(Trans t) { return t == Trans::kNo ? "N" : "T"; }

Comparison StatusFailure(const absl::Status& s) {
  Comparison c;
  c.message = absl::StrCat("kernel returned ", s.ToString());
  return c;
}

// Mixes a case's fields into a seed so that every case draws its own inputs.
uint64_t Mix(uint64_t seed, uint64_t v) {
  uint64_t z = seed + 0x9E3779B97F4A7C15ull * (v + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

Tensor Random(Shape shape, uint64_t seed, uint64_t stream, float lo = -1.0f, float hi = 1.0f) {
  Tensor t = Tensor::Uninitialized(std::move(shape));
  FillUniform(seed, stream, lo, hi, &t);
  return t;
}

}  // namespace

uint64_t TestSeed() {
  const char* env = std::getenv("MONOSEM_TEST_SEED");
  if (env != nullptr && *env != '\0') return std::strtoull(env, nullptr, 10);
  return 20261121;
}

void Poison(Tensor* t) { t->Fill(std::numeric_limits<float>::quiet_NaN()); }

std::string GemmCase::Name() const {
  std::string name = absl::StrCat(T(ta), T(tb), "_", m, "x", n, "x", k, beta == 0 ? "" : "_beta");
  if (alpha != 1.0f) absl::StrAppend(&name, "_alpha");
  return name;
}

std::vector<GemmCase> GemmCases() {
  std::vector<GemmCase> cases;
  for (const GemmDims& d : AwkwardGemmDims()) {
    for (Trans ta : {Trans::kNo, Trans::kYes}) {
      for (Trans tb : {Trans::kNo, Trans::kYes}) {
        cases.push_back({d.m, d.n, d.k, ta, tb, 1.0f, 0.0f});
        cases.push_back({d.m, d.n, d.k, ta, tb, -0.75f, 0.5f});
      }
    }
  }
  return cases;
}

Comparison CheckGemm(Backend& backend, const GemmCase& c, uint64_t seed) {
  ReferenceBackend reference;
  const uint64_t s = Mix(Mix(Mix(seed, c.m), c.n), c.k);
  Tensor a = Random(c.ta == Trans::kNo ? Shape{c.m, c.k} : Shape{c.k, c.m}, s, 1);
  Tensor b = Random(c.tb == Trans::kNo ? Shape{c.k, c.n} : Shape{c.n, c.k}, s, 2);
  Tensor want = Random({c.m, c.n}, s, 3);
  Tensor got = want.Clone();
  if (c.beta == 0.0f) {
    Poison(&want);
    Poison(&got);
  }
  if (absl::Status st = reference.Gemm(c.ta, c.tb, c.alpha, a, b, c.beta, &want); !st.ok()) {
    return StatusFailure(st);
  }
  if (absl::Status st = backend.Gemm(c.ta, c.tb, c.alpha, a, b, c.beta, &got); !st.ok()) {
    return StatusFailure(st);
  }
  return Compare(got, want, Float32Tolerance(c.k + (c.beta != 0.0f ? 1 : 0)));
}

std::string OpCase::Name() const { return absl::StrCat(op, "_", rows, "x", cols); }

std::vector<OpCase> OpCases() {
  const std::vector<std::pair<int64_t, int64_t>> shapes = {
      {1, 1}, {1, 17}, {13, 1}, {7, 33}, {61, 127}, {1024, 20}, {300, 517}};
  std::vector<OpCase> cases;
  for (const char* op : {"relu", "relu_backward", "add_row_bias", "sum_rows", "axpby",
                         "axpby_beta0", "mul", "adamw"}) {
    for (const auto& [r, c] : shapes) cases.push_back({op, r, c});
  }
  return cases;
}

Comparison CheckOp(Backend& backend, const OpCase& c, uint64_t seed) {
  ReferenceBackend reference;
  const uint64_t s = Mix(Mix(Mix(seed, c.rows), c.cols), std::hash<std::string>{}(c.op) & 0xffff);
  const Shape shape = {c.rows, c.cols};
  Tensor x = Random(shape, s, 1);
  Tensor y = Random(shape, s, 2);
  if (c.op == "relu" || c.op == "relu_backward" || c.op == "mul" || c.op == "axpby_beta0") {
    Tensor want = Tensor::Uninitialized(shape), got = Tensor::Uninitialized(shape);
    Poison(&want);
    Poison(&got);
    for (int pass = 0; pass < 2; ++pass) {
      Backend& b = pass == 0 ? static_cast<Backend&>(reference) : backend;
      Tensor* out = pass == 0 ? &want : &got;
      absl::Status st;
      if (c.op == "relu") st = b.Relu(x, out);
      if (c.op == "relu_backward") {
        Tensor relu_y = Tensor::Uninitialized(shape);
        (void)reference.Relu(x, &relu_y);
        st = b.ReluBackward(relu_y, y, out);
      }
      if (c.op == "mul") st = b.Mul(x, y, out);
      if (c.op == "axpby_beta0") st = b.Axpby(1.7f, x, 0.0f, out);
      if (!st.ok()) return StatusFailure(st);
    }
    return Compare(got, want, Float32Tolerance(1));
  }
  if (c.op == "axpby" || c.op == "add_row_bias") {
    Tensor want = y.Clone(), got = y.Clone();
    Tensor bias = Random({c.cols}, s, 3);
    for (int pass = 0; pass < 2; ++pass) {
      Backend& b = pass == 0 ? static_cast<Backend&>(reference) : backend;
      Tensor* out = pass == 0 ? &want : &got;
      absl::Status st = c.op == "axpby" ? b.Axpby(-0.3f, x, 1.25f, out) : b.AddRowBias(bias, out);
      if (!st.ok()) return StatusFailure(st);
    }
    return Compare(got, want, Float32Tolerance(2));
  }
  if (c.op == "sum_rows") {
    Tensor want = Tensor::Uninitialized({c.cols}), got = Tensor::Uninitialized({c.cols});
    Poison(&want);
    Poison(&got);
    if (absl::Status st = reference.SumRows(x, &want); !st.ok()) return StatusFailure(st);
    if (absl::Status st = backend.SumRows(x, &got); !st.ok()) return StatusFailure(st);
    return Compare(got, want, Float32Tolerance(c.rows));
  }
  if (c.op == "adamw") {
    // Three steps from a random state, with a gradient that changes each step.
    AdamWParams p;
    p.lr = 1e-2f;
    p.weight_decay = 0.05f;
    Tensor w_ref = x.Clone(), w = x.Clone();
    Tensor m_ref = Random(shape, s, 4, -0.1f, 0.1f), m = m_ref.Clone();
    Tensor v_ref = Random(shape, s, 5, 0.0f, 0.01f), v = v_ref.Clone();
    for (int step = 1; step <= 3; ++step) {
      Tensor g = Random(shape, s, 10 + step);
      if (absl::Status st = reference.AdamW(p, step, g, &w_ref, &m_ref, &v_ref); !st.ok()) {
        return StatusFailure(st);
      }
      if (absl::Status st = backend.AdamW(p, step, g, &w, &m, &v); !st.ok()) {
        return StatusFailure(st);
      }
    }
    // ~4 dependent roundings per step, 3 steps.
    for (auto [got, want] : {std::pair<Tensor*, Tensor*>{&m, &m_ref}, {&v, &v_ref}}) {
      Comparison cm = Compare(*got, *want, Float32Tolerance(12));
      if (!cm.ok) {
        cm.message = absl::StrCat(got == &m ? "moment m: " : "moment v: ", cm.message);
        return cm;
      }
    }
    return Compare(w, w_ref, Float32Tolerance(12));
  }
  Comparison unknown;
  unknown.message = absl::StrCat("unknown op ", c.op);
  return unknown;
}

}  // namespace monosem::testing
