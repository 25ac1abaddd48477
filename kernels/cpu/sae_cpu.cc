// The cpu backend's SAE kernels (the math is in monosem/models/sae/sae_kernels.h).
//
// What no BLAS does, and what this file is for:
//  - a fused encoder: one sgemm for W_enc xc, then ONE pass over each row that
//    adds b_enc, applies the activation, selects the TopK (and the AuxK
//    candidates among dead latents, from a packed dead bitmask) with AVX2
//    compares against the running heap minimum, counts firing features and
//    sums the sparsity penalty;
//  - for topk / batch_topk, a decoder forward and a backward that touch only
//    the active (feature, vector) pairs: O(B*k*d), never O(B*F*d). The
//    scatter into dW_dec / dW_enc goes through a per-feature transposed list
//    (a counting sort whose counts ARE the dead-feature counters), so it is
//    parallel over features, race-free and deterministic;
//  - b_dec's encoder-side gradient as -W_enc^T db_enc (a GEMV), instead of
//    the B x F x d GEMM autograd runs for d(xc);
//  - fused Adam over every parameter and a one-read decoder-norm projection.
#include <cblas.h>
#include <immintrin.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <numeric>
#include <utility>
#include <vector>

#include "monosem/models/sae/sae_kernels.h"

namespace monosem::sae {
namespace {

struct Cand {
  float v;
  int32_t i;
};
// a is better than b: larger value, ties to the lower index.
inline bool Better(const Cand& a, const Cand& b) { return a.v > b.v || (a.v == b.v && a.i < b.i); }
struct Worse {
  bool operator()(const Cand& a, const Cand& b) const { return Better(a, b); }
};

// A bounded min-heap keeping the `cap` best candidates.
class TopHeap {
 public:
  void Reset(int64_t cap) {
    cap_ = cap;
    h_.clear();
  }
  // The value a candidate must exceed to enter (0 until full: only positives).
  float Bar() const { return static_cast<int64_t>(h_.size()) < cap_ ? 0.0f : h_.front().v; }
  void Push(float v, int32_t i) {
    if (static_cast<int64_t>(h_.size()) < cap_) {
      h_.push_back({v, i});
      std::push_heap(h_.begin(), h_.end(), Worse());
    } else if (Better({v, i}, h_.front())) {
      std::pop_heap(h_.begin(), h_.end(), Worse());
      h_.back() = {v, i};
      std::push_heap(h_.begin(), h_.end(), Worse());
    }
  }
  // Entries sorted by feature index.
  std::vector<Cand>& SortedByIndex() {
    std::sort(h_.begin(), h_.end(), [](const Cand& a, const Cand& b) { return a.i < b.i; });
    return h_;
  }

 private:
  int64_t cap_ = 0;
  std::vector<Cand> h_;
};

void Sgemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
           int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  if (m == 0 || n == 0) return;
  // Small GEMMs run on one thread: on a loaded machine OpenBLAS's spinning
  // workers cost far more than they save below a few MFLOP.
  const bool small = static_cast<double>(m) * n * k < 4.0e6;
  const int threads = small ? openblas_get_num_threads() : 1;
  if (small && threads > 1) openblas_set_num_threads(1);
  cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
              static_cast<int>(m), static_cast<int>(n), static_cast<int>(k), alpha, a,
              static_cast<int>(lda), b, static_cast<int>(ldb), beta, c, static_cast<int>(ldc));
  if (small && threads > 1) openblas_set_num_threads(threads);
}

inline float Dot(const float* a, const float* b, int64_t n) {
  float s = 0;
#pragma omp simd reduction(+ : s)
  for (int64_t j = 0; j < n; ++j) s += a[j] * b[j];
  return s;
}
inline void AxpyRow(float alpha, const float* x, float* y, int64_t n) {
#pragma omp simd
  for (int64_t j = 0; j < n; ++j) y[j] += alpha * x[j];
}

// Scans one row of pre-activations v[0..F) plus the bias b, pushing into
// `top` the biased entries above its bar, and into `aux` (when non-null)
// dead entries above its bar. The bias is added on the fly and the row is
// never written: a write-back would add a B x F pass of DRAM writes (537 MB
// at B = 4,096, F = 32,768) to the encoder. Eight lanes at a time: one
// compare against each bar decides whether any scalar work happens at all.
void ScanRow(const float* v, const float* b, int64_t F, TopHeap* top, TopHeap* aux,
             const uint8_t* deadbits) {
  int64_t i = 0;
  for (; i + 8 <= F; i += 8) {
    const __m256 x = _mm256_add_ps(_mm256_loadu_ps(v + i), _mm256_loadu_ps(b + i));
    int m = _mm256_movemask_ps(_mm256_cmp_ps(x, _mm256_set1_ps(top->Bar()), _CMP_GT_OQ));
    int ma = 0;
    if (aux != nullptr && deadbits[i >> 3] != 0) {
      ma = _mm256_movemask_ps(_mm256_cmp_ps(x, _mm256_set1_ps(aux->Bar()), _CMP_GT_OQ)) &
           deadbits[i >> 3];
    }
    if ((m | ma) == 0) continue;
    alignas(32) float lane[8];
    _mm256_store_ps(lane, x);
    while (m != 0) {
      const int l = __builtin_ctz(m);
      m &= m - 1;
      if (lane[l] > top->Bar()) top->Push(lane[l], static_cast<int32_t>(i + l));
    }
    while (ma != 0) {
      const int l = __builtin_ctz(ma);
      ma &= ma - 1;
      if (lane[l] > aux->Bar()) aux->Push(lane[l], static_cast<int32_t>(i + l));
    }
  }
  for (; i < F; ++i) {
    const float x = v[i] + b[i];
    if (x > top->Bar()) top->Push(x, static_cast<int32_t>(i));
    if (aux != nullptr && ((deadbits[i >> 3] >> (i & 7)) & 1) && x > aux->Bar()) {
      aux->Push(x, static_cast<int32_t>(i));
    }
  }
}

class CpuSaeKernels : public SaeKernels {
 public:
  std::string name() const override { return "cpu"; }
  absl::Status Available() const override {
    if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) {
      return absl::UnavailableError("cpu SAE kernels need AVX2 and FMA");
    }
    return absl::OkStatus();
  }

 protected:
  // xc = x - b_dec; pre = xc W_enc^T (no bias yet).
  void Encode(const SaeSpec& s, const SaeParams& p, const Tensor& x) {
    const int64_t B = x.dim(0), d = s.d, F = s.f;
    xc_.resize(B * d);
    pre_.resize(B * F);
    const float* X = x.data();
    const float* bd = p.b_dec.data();
#pragma omp parallel for if (par_)
    for (int64_t n = 0; n < B; ++n) {
      for (int64_t j = 0; j < d; ++j) xc_[n * d + j] = X[n * d + j] - bd[j];
    }
    Sgemm(false, true, B, F, d, 1.0f, xc_.data(), d, p.w_enc.data(), d, 0.0f, pre_.data(), F);
  }

  // Row selection for topk (k per row) with optional AuxK; fills sel_ / aux_
  // as per-row fixed slots with counts (pre_ stays unbiased).
  void SelectTopK(const SaeSpec& s, const SaeParams& p, int64_t B, int64_t k, bool use_aux) {
    const int64_t F = s.f;
    const int64_t ka = use_aux ? s.k_aux : 0;
    sel_i_.resize(B * k);
    sel_v_.resize(B * k);
    cnt_.assign(B, 0);
    aux_i_.resize(B * std::max<int64_t>(ka, 1));
    aux_v_.resize(B * std::max<int64_t>(ka, 1));
    aux_cnt_.assign(B, 0);
    const float* be = p.b_enc.data();
#pragma omp parallel if (par_)
    {
      TopHeap top, aux;
#pragma omp for schedule(static)
      for (int64_t n = 0; n < B; ++n) {
        const float* row = pre_.data() + n * F;
        top.Reset(k);
        aux.Reset(ka);
        ScanRow(row, be, F, &top, use_aux ? &aux : nullptr, deadbits_.data());
        int64_t c = 0;
        for (const Cand& e : top.SortedByIndex()) {
          sel_i_[n * k + c] = e.i;
          sel_v_[n * k + c] = e.v;
          ++c;
        }
        cnt_[n] = c;
        if (use_aux) {
          int64_t ca = 0;
          for (const Cand& e : aux.SortedByIndex()) {
            aux_i_[n * ka + ca] = e.i;
            aux_v_[n * ka + ca] = e.v;
            ++ca;
          }
          aux_cnt_[n] = ca;
        }
      }
    }
  }

  // Global batch top-(k*B) over positive biased pre: returns the selection as
  // CSR (row_ptr_ / csr_i_ / csr_v_) and the smallest kept value.
  float SelectBatchTopK(const SaeSpec& s, const SaeParams& p, int64_t B) {
    const int64_t F = s.f;
    const int64_t want = s.k * B;
    const float* be = p.b_enc.data();
    std::vector<int64_t> pos_count(B, 0);
#pragma omp parallel for schedule(static) if (par_)
    for (int64_t n = 0; n < B; ++n) {
      float* row = pre_.data() + n * F;
      int64_t c = 0;
#pragma omp simd reduction(+ : c)
      for (int64_t i = 0; i < F; ++i) {
        row[i] += be[i];
        c += row[i] > 0.0f;
      }
      pos_count[n] = c;
    }
    int64_t total = 0;
    for (int64_t c : pos_count) total += c;
    float bar = 0.0f;  // keep every positive entry when there are <= want
    int64_t ties_allowed = 0;
    bool all = total <= want;
    if (!all) {
      std::vector<float> vals;
      vals.reserve(total);
      for (int64_t t = 0; t < B * F; ++t) {
        if (pre_[t] > 0) vals.push_back(pre_[t]);
      }
      std::nth_element(vals.begin(), vals.begin() + (want - 1), vals.end(), std::greater<float>());
      bar = vals[want - 1];
      int64_t greater = 0;
      for (float v : vals) greater += v > bar;
      ties_allowed = want - greater;  // entries equal to bar, in flat order
    }
    // Per-row counts, then fill.
    row_ptr_.assign(B + 1, 0);
    std::vector<int64_t> tie_quota(B, 0);
    if (!all) {
      std::vector<int64_t> gt(B, 0), eq(B, 0);
#pragma omp parallel for schedule(static) if (par_)
      for (int64_t n = 0; n < B; ++n) {
        const float* row = pre_.data() + n * F;
        int64_t a = 0, b = 0;
        for (int64_t i = 0; i < F; ++i) {
          a += row[i] > bar;
          b += row[i] == bar;
        }
        gt[n] = a;
        eq[n] = b;
      }
      int64_t left = ties_allowed;
      for (int64_t n = 0; n < B; ++n) {
        tie_quota[n] = std::min(left, eq[n]);
        left -= tie_quota[n];
        row_ptr_[n + 1] = row_ptr_[n] + gt[n] + tie_quota[n];
      }
    } else {
      for (int64_t n = 0; n < B; ++n) row_ptr_[n + 1] = row_ptr_[n] + pos_count[n];
    }
    csr_i_.resize(row_ptr_[B]);
    csr_v_.resize(row_ptr_[B]);
    float min_kept = all ? INFINITY : bar;
#pragma omp parallel for schedule(static) reduction(min : min_kept) if (par_)
    for (int64_t n = 0; n < B; ++n) {
      const float* row = pre_.data() + n * F;
      int64_t o = row_ptr_[n], q = tie_quota[n];
      for (int64_t i = 0; i < F; ++i) {
        const float v = row[i];
        bool keep = all ? v > 0 : (v > bar || (v == bar && q-- > 0));
        if (keep) {
          csr_i_[o] = static_cast<int32_t>(i);
          csr_v_[o] = v;
          ++o;
          if (all) min_kept = std::min(min_kept, v);
        }
      }
    }
    if (row_ptr_[B] == 0) min_kept = 0;
    return min_kept;
  }

  void SparseToCsr(int64_t B, int64_t k) {
    row_ptr_.assign(B + 1, 0);
    for (int64_t n = 0; n < B; ++n) row_ptr_[n + 1] = row_ptr_[n] + cnt_[n];
    csr_i_.resize(row_ptr_[B]);
    csr_v_.resize(row_ptr_[B]);
    for (int64_t n = 0; n < B; ++n) {
      std::memcpy(&csr_i_[row_ptr_[n]], &sel_i_[n * k], cnt_[n] * sizeof(int32_t));
      std::memcpy(&csr_v_[row_ptr_[n]], &sel_v_[n * k], cnt_[n] * sizeof(float));
    }
  }

  // The entries of pre_ [B, F] with keep(value, feature) as CSR (row_ptr_,
  // csr_i_, csr_v_): a counting pass, then a fill, both parallel over rows.
  template <typename Keep>
  void PreToCsr(int64_t B, int64_t F, Keep keep) {
    std::vector<int64_t> c(B, 0);
#pragma omp parallel for schedule(static) if (par_)
    for (int64_t n = 0; n < B; ++n) {
      const float* row = pre_.data() + n * F;
      int64_t a = 0;
      for (int64_t i = 0; i < F; ++i) a += keep(row[i], i);
      c[n] = a;
    }
    row_ptr_.assign(B + 1, 0);
    for (int64_t n = 0; n < B; ++n) row_ptr_[n + 1] = row_ptr_[n] + c[n];
    csr_i_.resize(row_ptr_[B]);
    csr_v_.resize(row_ptr_[B]);
#pragma omp parallel for schedule(static) if (par_)
    for (int64_t n = 0; n < B; ++n) {
      const float* row = pre_.data() + n * F;
      int64_t o = row_ptr_[n];
      for (int64_t i = 0; i < F; ++i) {
        if (keep(row[i], i)) {
          csr_i_[o] = static_cast<int32_t>(i);
          csr_v_[o++] = row[i];
        }
      }
    }
  }

  // The positive entries of f (relu_l1's codes in pre_) as CSR.
  void ReluToCsr(int64_t B, int64_t F) {
    PreToCsr(B, F, [](float v, int64_t) { return v > 0.0f; });
  }

  // x_hat = b_dec + sum over the CSR entries of v * W_dec[i]: O(nnz * d).
  void SparseDecode(const SaeSpec& s, const SaeParams& p, int64_t B, float* xhat) {
    const int64_t d = s.d;
    const float* W = p.w_dec.data();
    const float* bd = p.b_dec.data();
#pragma omp parallel for schedule(static) if (par_)
    for (int64_t n = 0; n < B; ++n) {
      float* o = xhat + n * d;
      std::memcpy(o, bd, d * sizeof(float));
      for (int64_t e = row_ptr_[n]; e < row_ptr_[n + 1]; ++e) AxpyRow(csr_v_[e], W + csr_i_[e] * d, o, d);
    }
  }

  // Dense codes [B, F] (relu_l1, jumprelu) copied from f.
  static void FillDenseCodes(int64_t B, int64_t F, const float* f, SaeCodes* codes) {
    codes->rows = B;
    codes->f = F;
    codes->sparse = false;
    codes->dense = Tensor::Uninitialized({B, F});
    std::memcpy(codes->dense.data(), f, B * F * sizeof(float));
  }

  void FillCodes(const SaeSpec& s, int64_t B, SaeCodes* codes) {
    codes->rows = B;
    codes->f = s.f;
    codes->sparse = true;
    codes->dense = Tensor();
    codes->row_ptr = row_ptr_;
    codes->idx = csr_i_;
    codes->val = csr_v_;
  }

  absl::Status ForwardImpl(const SaeSpec& s, const SaeParams& p, const Tensor& x, SaeCodes* codes,
                           Tensor* x_hat) override {
    const int64_t B = x.dim(0), d = s.d, F = s.f;
    SetParallel(B * F * d);
    Encode(s, p, x);
    const float* be = p.b_enc.data();
    const float* th = p.threshold.data();
    if (s.arch == Arch::kTopK) {
      deadbits_.assign((F + 7) / 8 + 1, 0);
      SelectTopK(s, p, B, s.k, false);
      SparseToCsr(B, s.k);
      SparseDecode(s, p, B, x_hat->data());
      if (codes != nullptr) FillCodes(s, B, codes);
      return absl::OkStatus();
    }
    if (s.arch == Arch::kBatchTopK) {
      // Inference: f = pre * [pre > threshold] (and > 0), pre biased in place.
#pragma omp parallel for schedule(static) if (par_)
      for (int64_t n = 0; n < B; ++n) {
        float* row = pre_.data() + n * F;
#pragma omp simd
        for (int64_t i = 0; i < F; ++i) row[i] += be[i];
      }
      PreToCsr(B, F, [th](float v, int64_t i) { return v > th[i] && v > 0; });
      SparseDecode(s, p, B, x_hat->data());
      if (codes != nullptr) FillCodes(s, B, codes);
      return absl::OkStatus();
    }
    // Dense: relu_l1, jumprelu.
    const bool jump = s.arch == Arch::kJumpReLU;
#pragma omp parallel for schedule(static) if (par_)
    for (int64_t n = 0; n < B; ++n) {
      float* row = pre_.data() + n * F;
#pragma omp simd
      for (int64_t i = 0; i < F; ++i) {
        const float v = row[i] + be[i];
        row[i] = jump ? (v > th[i] ? v : 0.0f) : (v > 0.0f ? v : 0.0f);
      }
    }
    float* xh = x_hat->data();
#pragma omp parallel for if (par_)
    for (int64_t n = 0; n < B; ++n) std::memcpy(xh + n * d, p.b_dec.data(), d * sizeof(float));
    Sgemm(false, false, B, d, F, 1.0f, pre_.data(), F, p.w_dec.data(), d, 1.0f, xh, d);
    if (codes != nullptr) FillDenseCodes(B, F, pre_.data(), codes);
    return absl::OkStatus();
  }

  // Thread-local per-feature accumulators, reduced in a fixed order.
  template <typename T>
  void ReduceThreadLocal(const std::vector<T>& local, int threads, int64_t F, T* out) {
    for (int64_t i = 0; i < F; ++i) {
      T acc = 0;
      for (int t = 0; t < threads; ++t) acc += local[t * F + i];
      out[i] = acc;
    }
  }

  absl::Status DenseLossAndGrad(const SaeSpec& s, const SaeParams& p, const Tensor& x,
                                SaeStepOut* out, SaeCodes* codes) {
    const int64_t B = x.dim(0), d = s.d, F = s.f;
    const bool jump = s.arch == Arch::kJumpReLU;
    Encode(s, p, x);
    const float* be = p.b_enc.data();
    const float* th = p.threshold.data();
    const float* Wd = p.w_dec.data();
    // Decoder row norms (the L1 penalty includes them).
    norm_.resize(F);
#pragma omp parallel for if (par_)
    for (int64_t i = 0; i < F; ++i) norm_[i] = std::sqrt(Dot(Wd + i * d, Wd + i * d, d));
    // Fused pass: bias + activation + fired counts + penalty + column sums.
    // relu_l1 keeps f in pre_; jumprelu keeps pre in pre_ and f in f_.
    if (jump) f_.resize(B * F);
    const int threads = omp_get_max_threads();
    std::vector<int64_t> fired_local(static_cast<size_t>(threads) * F, 0);
    std::vector<double> fsum_local(static_cast<size_t>(threads) * F, 0.0);
    double sparsity = 0, l0 = 0;
#pragma omp parallel reduction(+ : sparsity, l0) if (par_)
    {
      const int t = omp_get_thread_num();
      int64_t* fired = fired_local.data() + static_cast<size_t>(t) * F;
      double* fsum = fsum_local.data() + static_cast<size_t>(t) * F;
#pragma omp for schedule(static)
      for (int64_t n = 0; n < B; ++n) {
        float* row = pre_.data() + n * F;
        float* frow = jump ? f_.data() + n * F : row;
        float sp = 0, c = 0;
        for (int64_t i = 0; i < F; ++i) {
          const float v = row[i] + be[i];
          const bool on = jump ? v > th[i] : v > 0.0f;
          const float f = on ? v : 0.0f;
          row[i] = jump ? v : f;
          frow[i] = f;
          fired[i] += f > 0.0f;
          fsum[i] += f;
          c += f > 0.0f;
          sp += jump ? (on ? 1.0f : 0.0f) : f * norm_[i];
        }
        sparsity += sp;
        l0 += c;
      }
    }
    ReduceThreadLocal(fired_local, threads, F, out->fired.data());
    std::vector<double> fsum(F);
    ReduceThreadLocal(fsum_local, threads, F, fsum.data());
    // A trained ReLU SAE fires a few features per vector (L0 ~ 10 of
    // thousands): then the decoder, dW_dec, df and dW_enc over the active
    // entries only cost O(nnz d), where the four dense GEMMs cost 8 B F d.
    // The row AXPYs and dots run at a fraction of the GEMM's FLOP rate, so
    // the sparse path pays below a density of about 1/16 (kSparseDensity).
    if (!jump && l0 * kSparseDensity <= static_cast<double>(B) * F) {
      ReluToCsr(B, F);
      l1_term_ = true;
      SparseBackward(s, p, x, /*use_aux=*/false, out);
      l1_term_ = false;
      SaeParams& g = out->grad;
      if (s.l1 != 0) {
#pragma omp parallel for if (par_)
        for (int64_t i = 0; i < F; ++i) {
          if (norm_[i] == 0 || fsum[i] == 0) continue;
          AxpyRow(static_cast<float>(s.l1 / B * fsum[i] / norm_[i]), Wd + i * d, g.w_dec.data() + i * d, d);
        }
      }
      out->sparsity = sparsity / B;
      out->aux = 0;
      out->loss = out->recon + s.l1 * out->sparsity;
      if (codes != nullptr) FillDenseCodes(B, F, pre_.data(), codes);
      return absl::OkStatus();
    }
    const float* fmat = jump ? f_.data() : pre_.data();
    // x_hat = b_dec + f W_dec; then dxhat = 2 (x_hat - x) / B in place.
    dxhat_.resize(B * d);
#pragma omp parallel for if (par_)
    for (int64_t n = 0; n < B; ++n) std::memcpy(&dxhat_[n * d], p.b_dec.data(), d * sizeof(float));
    Sgemm(false, false, B, d, F, 1.0f, fmat, F, Wd, d, 1.0f, dxhat_.data(), d);
    double recon = 0;
    const float* X = x.data();
    const float two_over_b = 2.0f / B;
#pragma omp parallel for reduction(+ : recon) if (par_)
    for (int64_t t = 0; t < B * d; ++t) {
      const float e = dxhat_[t] - X[t];
      recon += static_cast<double>(e) * e;
      dxhat_[t] = two_over_b * e;
    }
    out->recon = recon / B;
    out->sparsity = sparsity / B;
    out->l0 = l0 / B;
    out->aux = 0;
    out->loss = out->recon + s.l1 * out->sparsity;
    SaeParams& g = out->grad;
    // dW_dec = f^T dxhat (+ the L1 term's gradient through ||W_dec,i||).
    Sgemm(true, false, F, d, B, 1.0f, fmat, F, dxhat_.data(), d, 0.0f, g.w_dec.data(), d);
    if (!jump && s.l1 != 0) {
#pragma omp parallel for if (par_)
      for (int64_t i = 0; i < F; ++i) {
        if (norm_[i] == 0) continue;
        AxpyRow(static_cast<float>(s.l1 / B * fsum[i] / norm_[i]), Wd + i * d, g.w_dec.data() + i * d, d);
      }
    }
    // df = dxhat W_dec^T, then dpre in place, with db_enc and dtheta.
    dpre_.resize(B * F);
    Sgemm(false, true, B, F, d, 1.0f, dxhat_.data(), d, Wd, d, 0.0f, dpre_.data(), F);
    std::vector<double> db_local(static_cast<size_t>(threads) * F, 0.0);
    std::vector<double> dth_local(jump ? static_cast<size_t>(threads) * F : 0, 0.0);
    const float l1_over_b = s.l1 / B;
    const float inv_bw = 1.0f / s.bandwidth;
#pragma omp parallel if (par_)
    {
      const int t = omp_get_thread_num();
      double* db = db_local.data() + static_cast<size_t>(t) * F;
      double* dth = jump ? dth_local.data() + static_cast<size_t>(t) * F : nullptr;
#pragma omp for schedule(static)
      for (int64_t n = 0; n < B; ++n) {
        float* dp = dpre_.data() + n * F;
        const float* row = pre_.data() + n * F;
        if (!jump) {
          for (int64_t i = 0; i < F; ++i) {
            const float v = row[i] > 0.0f ? dp[i] + l1_over_b * norm_[i] : 0.0f;
            dp[i] = v;
            db[i] += v;
          }
        } else {
          for (int64_t i = 0; i < F; ++i) {
            const float z = row[i], df = dp[i];
            const float v = z > th[i] ? df : 0.0f;
            dp[i] = v;
            db[i] += v;
            if (std::fabs((z - th[i]) * inv_bw) < 0.5f) {
              dth[i] += -(th[i] * inv_bw) * df - l1_over_b * inv_bw;
            }
          }
        }
      }
    }
    std::vector<double> db(F);
    ReduceThreadLocal(db_local, threads, F, db.data());
    for (int64_t i = 0; i < F; ++i) g.b_enc[i] = static_cast<float>(db[i]);
    if (jump) {
      std::vector<double> dth(F);
      ReduceThreadLocal(dth_local, threads, F, dth.data());
      for (int64_t i = 0; i < F; ++i) g.threshold[i] = static_cast<float>(dth[i]);
    } else {
      g.threshold.Fill(0.0f);
    }
    // dW_enc = dpre^T xc.
    Sgemm(true, false, F, d, B, 1.0f, dpre_.data(), F, xc_.data(), d, 0.0f, g.w_enc.data(), d);
    BiasDecGrad(s, p, B, /*sparse_features=*/nullptr, g);
    if (codes != nullptr) FillDenseCodes(B, F, fmat, codes);
    return absl::OkStatus();
  }

  // db_dec = sum_n dxhat_n - W_enc^T db_enc (the encoder side as a GEMV over
  // the features with a nonzero db_enc when a list is given).
  void BiasDecGrad(const SaeSpec& s, const SaeParams& p, int64_t B,
                   const std::vector<int32_t>* features, SaeParams& g) {
    const int64_t d = s.d;
    std::vector<double> acc(d, 0.0);
    for (int64_t n = 0; n < B; ++n) {
      for (int64_t j = 0; j < d; ++j) acc[j] += dxhat_[n * d + j];
    }
    std::vector<float> enc(d, 0.0f);
    const float* We = p.w_enc.data();
    if (features == nullptr) {
      cblas_sgemv(CblasRowMajor, CblasTrans, static_cast<int>(s.f), static_cast<int>(d), 1.0f,
                  We, static_cast<int>(d), g.b_enc.data(), 1, 0.0f, enc.data(), 1);
    } else {
      for (int32_t i : *features) AxpyRow(g.b_enc[i], We + static_cast<int64_t>(i) * d, enc.data(), d);
    }
    for (int64_t j = 0; j < d; ++j) g.b_dec[j] = static_cast<float>(acc[j] - enc[j]);
  }

  absl::Status SparseLossAndGrad(const SaeSpec& s, const SaeParams& p, const Tensor& x,
                                 const std::vector<uint8_t>& dead, SaeStepOut* out,
                                 SaeCodes* codes) {
    const int64_t B = x.dim(0), F = s.f;
    // Packed dead bitmask for the AVX2 scan.
    deadbits_.assign((F + 7) / 8 + 1, 0);
    bool any_dead = false;
    for (int64_t i = 0; i < static_cast<int64_t>(dead.size()); ++i) {
      if (dead[i]) {
        deadbits_[i >> 3] |= static_cast<uint8_t>(1u << (i & 7));
        any_dead = true;
      }
    }
    const bool use_aux = s.k_aux > 0 && any_dead;
    Encode(s, p, x);
    out->min_kept = 0;
    if (s.arch == Arch::kTopK) {
      SelectTopK(s, p, B, s.k, use_aux);
      SparseToCsr(B, s.k);
    } else {
      out->min_kept = SelectBatchTopK(s, p, B);
      if (use_aux) {
        // AuxK candidates per row: pre_ already holds the biased values.
        const int64_t ka = s.k_aux;
        aux_i_.resize(B * ka);
        aux_v_.resize(B * ka);
        aux_cnt_.assign(B, 0);
#pragma omp parallel if (par_)
        {
          TopHeap top, aux;
#pragma omp for schedule(static)
          for (int64_t n = 0; n < B; ++n) {
            top.Reset(0);
            aux.Reset(ka);
            const float* row = pre_.data() + n * F;
            for (int64_t i = 0; i < F; ++i) {
              if (((deadbits_[i >> 3] >> (i & 7)) & 1) && row[i] > aux.Bar()) {
                aux.Push(row[i], static_cast<int32_t>(i));
              }
            }
            int64_t ca = 0;
            for (const Cand& e : aux.SortedByIndex()) {
              aux_i_[n * ka + ca] = e.i;
              aux_v_[n * ka + ca] = e.v;
              ++ca;
            }
            aux_cnt_[n] = ca;
          }
        }
      }
    }
    SparseBackward(s, p, x, use_aux, out);
    out->sparsity = 0;
    out->loss = out->recon + (use_aux ? s.aux_coef * out->aux : 0.0);
    FillCodes(s, B, codes);
    return absl::OkStatus();
  }

  // The backward over the active entries in CSR (row_ptr_, csr_i_, csr_v_)
  // and, with use_aux, the AuxK entries: x_hat, the reconstruction (and aux)
  // terms, every gradient, the firing counts and l0, in O(nnz * d + F * d).
  // relu_l1 (l1_term_) adds its penalty's gradient lambda ||W_dec,i|| / B to
  // each active entry's dpre (its ||W_dec,i|| gradient is added by the caller).
  void SparseBackward(const SaeSpec& s, const SaeParams& p, const Tensor& x, bool use_aux,
                      SaeStepOut* out) {
    const int64_t B = x.dim(0), d = s.d, F = s.f;
    const int64_t nnz = row_ptr_[B];
    // Sparse decode and the residual gradients.
    dxhat_.resize(B * d);
    SparseDecode(s, p, B, dxhat_.data());
    const float* X = x.data();
    const float* Wd = p.w_dec.data();
    const float two_over_b = 2.0f / B;
    const int64_t ka = use_aux ? s.k_aux : 0;
    dehat_.resize(use_aux ? B * d : 0);
    double recon = 0, aux = 0;
#pragma omp parallel for schedule(static) reduction(+ : recon, aux) if (par_)
    for (int64_t n = 0; n < B; ++n) {
      float* dx = dxhat_.data() + n * d;
      for (int64_t j = 0; j < d; ++j) {
        const float e = dx[j] - X[n * d + j];
        recon += static_cast<double>(e) * e;
        dx[j] = e;  // e for now
      }
      if (use_aux) {
        float* de = dehat_.data() + n * d;
        std::fill(de, de + d, 0.0f);
        for (int64_t a = 0; a < aux_cnt_[n]; ++a) AxpyRow(aux_v_[n * ka + a], Wd + aux_i_[n * ka + a] * d, de, d);
        for (int64_t j = 0; j < d; ++j) {
          const float diff = de[j] + dx[j];  // ehat - (x - x_hat)
          aux += static_cast<double>(diff) * diff;
          de[j] = s.aux_coef * two_over_b * diff;
        }
      }
#pragma omp simd
      for (int64_t j = 0; j < d; ++j) dx[j] *= two_over_b;
    }
    // dpre for every active entry (main and aux): one dot product of length d.
    const float l1_over_b = s.l1 / B;
    dval_.resize(nnz);
    daux_.resize(B * std::max<int64_t>(ka, 1));
#pragma omp parallel for schedule(static) if (par_)
    for (int64_t n = 0; n < B; ++n) {
      const float* dx = dxhat_.data() + n * d;
      for (int64_t e = row_ptr_[n]; e < row_ptr_[n + 1]; ++e) {
        dval_[e] = Dot(dx, Wd + csr_i_[e] * d, d);
        if (l1_term_) dval_[e] += l1_over_b * norm_[csr_i_[e]];
      }
      for (int64_t a = 0; a < (use_aux ? aux_cnt_[n] : 0); ++a) {
        daux_[n * ka + a] = Dot(dehat_.data() + n * d, Wd + aux_i_[n * ka + a] * d, d);
      }
    }
    // Transposed lists: feature -> entries, by a counting sort. Its counts of
    // main entries are exactly this batch's firing counts.
    const int64_t n_aux = use_aux ? std::accumulate(aux_cnt_.begin(), aux_cnt_.end(), int64_t{0}) : 0;
    start_.assign(F + 1, 0);
    for (int64_t e = 0; e < nnz; ++e) ++start_[csr_i_[e] + 1];
    for (int64_t i = 0; i < F; ++i) out->fired[i] = start_[i + 1];
    for (int64_t n = 0; n < B && use_aux; ++n) {
      for (int64_t a = 0; a < aux_cnt_[n]; ++a) ++start_[aux_i_[n * ka + a] + 1];
    }
    for (int64_t i = 0; i < F; ++i) start_[i + 1] += start_[i];
    // Entry code: e >= 0 main entry e (row via entry_row_), e < 0 aux entry.
    list_.resize(nnz + n_aux);
    list_row_.resize(nnz + n_aux);
    std::vector<int64_t> fill(start_.begin(), start_.end() - 1);
    for (int64_t n = 0; n < B; ++n) {
      for (int64_t e = row_ptr_[n]; e < row_ptr_[n + 1]; ++e) {
        const int64_t slot = fill[csr_i_[e]]++;
        list_[slot] = e;
        list_row_[slot] = n;
      }
      for (int64_t a = 0; a < (use_aux ? aux_cnt_[n] : 0); ++a) {
        const int64_t slot = fill[aux_i_[n * ka + a]]++;
        list_[slot] = -1 - (n * ka + a);
        list_row_[slot] = n;
      }
    }
    SaeParams& g = out->grad;
    const float* XC = xc_.data();
    std::vector<int32_t> touched;
    touched.reserve(F);
    for (int64_t i = 0; i < F; ++i) {
      if (start_[i + 1] > start_[i]) touched.push_back(static_cast<int32_t>(i));
    }
#pragma omp parallel for schedule(dynamic, 16) if (par_)
    for (int64_t i = 0; i < F; ++i) {
      float* gd = g.w_dec.data() + i * d;
      float* ge = g.w_enc.data() + i * d;
      std::memset(gd, 0, d * sizeof(float));
      std::memset(ge, 0, d * sizeof(float));
      double db = 0;
      for (int64_t t = start_[i]; t < start_[i + 1]; ++t) {
        const int64_t code = list_[t], n = list_row_[t];
        float val, dp;
        const float* up;
        if (code >= 0) {
          val = csr_v_[code];
          dp = dval_[code];
          up = dxhat_.data() + n * d;
        } else {
          const int64_t a = -1 - code;
          val = aux_v_[a];
          dp = daux_[a];
          up = dehat_.data() + n * d;
        }
        AxpyRow(val, up, gd, d);
        AxpyRow(dp, XC + n * d, ge, d);
        db += dp;
      }
      g.b_enc[i] = static_cast<float>(db);
    }
    g.threshold.Fill(0.0f);
    BiasDecGrad(s, p, B, &touched, g);
    out->recon = recon / B;
    out->aux = aux / B;
    out->l0 = static_cast<double>(nnz) / B;
  }

  absl::Status LossAndGradImpl(const SaeSpec& s, const SaeParams& p, const Tensor& x,
                               const std::vector<uint8_t>& dead, SaeStepOut* out,
                               SaeCodes* codes) override {
    SetParallel(x.dim(0) * s.f * s.d);
    if (s.arch == Arch::kTopK || s.arch == Arch::kBatchTopK) {
      return SparseLossAndGrad(s, p, x, dead, out, codes);
    }
    return DenseLossAndGrad(s, p, x, out, codes);
  }

  absl::Status ProjectDecoderGradImpl(const Tensor& w, Tensor* g) override {
    const int64_t F = w.dim(0), d = w.dim(1);
    SetParallel(F * d * 8);
    const float* W = w.data();
    float* G = g->data();
#pragma omp parallel for schedule(static) if (par_)
    for (int64_t i = 0; i < F; ++i) {
      const float* wr = W + i * d;
      float* gr = G + i * d;
      float dot = 0, nn = 0;
#pragma omp simd reduction(+ : dot, nn)
      for (int64_t j = 0; j < d; ++j) {
        dot += wr[j] * gr[j];
        nn += wr[j] * wr[j];
      }
      if (nn == 0) continue;
      const float c = dot / nn;
#pragma omp simd
      for (int64_t j = 0; j < d; ++j) gr[j] -= c * wr[j];
    }
    return absl::OkStatus();
  }

  absl::Status NormalizeDecoderRowsImpl(Tensor* w) override {
    const int64_t F = w->dim(0), d = w->dim(1);
    SetParallel(F * d * 8);
    float* W = w->data();
#pragma omp parallel for schedule(static) if (par_)
    for (int64_t i = 0; i < F; ++i) {
      float* wr = W + i * d;
      const float nn = Dot(wr, wr, d);
      if (nn == 0) continue;
      const float inv = 1.0f / std::sqrt(nn);
#pragma omp simd
      for (int64_t j = 0; j < d; ++j) wr[j] *= inv;
    }
    return absl::OkStatus();
  }

  absl::Status AdamImpl(const AdamConfig& c, int64_t step,
                        const std::vector<AdamSlot>& slots) override {
    const float bc1 = static_cast<float>(1.0 - std::pow(static_cast<double>(c.beta1), static_cast<double>(step)));
    const float bc2_sqrt = static_cast<float>(std::sqrt(1.0 - std::pow(static_cast<double>(c.beta2), static_cast<double>(step))));
    const float b1 = c.beta1, b2 = c.beta2, eps = c.eps;
    const float step_size = c.lr / bc1;
    SetParallel(slots[0].p->size() * 8);
    for (const AdamSlot& sl : slots) {
      float* P = sl.p->data();
      const float* G = sl.g->data();
      float* M = sl.m->data();
      float* V = sl.v->data();
      const int64_t n = sl.p->size();
#pragma omp parallel for simd schedule(static) if (par_)
      for (int64_t i = 0; i < n; ++i) {
        const float g = G[i];
        const float m = b1 * M[i] + (1.0f - b1) * g;
        const float v = b2 * V[i] + (1.0f - b2) * g * g;
        M[i] = m;
        V[i] = v;
        P[i] -= step_size * m / (std::sqrt(v) / bc2_sqrt + eps);
      }
    }
    return absl::OkStatus();
  }

 private:
  // OpenMP only where the work pays for a fork/join: on a loaded 2-core
  // machine a parallel region around a tiny loop costs more than the loop.
  void SetParallel(int64_t work) { par_ = work >= (int64_t{1} << 22); }
  bool par_ = true;
  bool l1_term_ = false;  // SparseBackward adds relu_l1's penalty gradient
  // relu_l1 takes the sparse backward when at most 1/kSparseDensity of f is
  // non-zero.
  static constexpr int64_t kSparseDensity = 16;
  std::vector<float> xc_, pre_, f_, dpre_, dxhat_, dehat_, norm_;
  std::vector<int32_t> sel_i_, aux_i_, csr_i_;
  std::vector<float> sel_v_, aux_v_, csr_v_, dval_, daux_;
  std::vector<int64_t> cnt_, aux_cnt_, row_ptr_, start_, list_, list_row_;
  std::vector<uint8_t> deadbits_;
};

MONOSEM_REGISTER_SAE_KERNELS("cpu", CpuSaeKernels);

}  // namespace
}  // namespace monosem::sae
