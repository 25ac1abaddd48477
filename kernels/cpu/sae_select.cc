// The cpu SAE encoder and selection: one GEMM for W_enc xc, then ONE pass
// over each row that adds b_enc and selects the TopK (and the AuxK candidates
// among dead latents, from a packed dead bitmask) with SIMD compares against
// the running heap minimum (simd::Kernels::next_above); BatchTopK's global
// selection over the batch.
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <vector>

#include "kernels/cpu/sae_workspace.h"
#include "monosem/status.h"

namespace monosem::sae::cpu {
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

// Row n's heap contents into its slots.
void Store(TopHeap& heap, int64_t n, RowSlots* slots) {
  int64_t c = 0;
  for (const Cand& e : heap.SortedByIndex()) {
    slots->idx[n * slots->width + c] = e.i;
    slots->val[n * slots->width + c] = e.v;
    ++c;
  }
  slots->count[n] = c;
}

// Scans one row of pre-activations v[0..F) plus the bias b, pushing into
// `top` the biased entries above its bar, and into `aux` (when non-null)
// dead entries above its bar. The bias is added on the fly and the row is
// never written: a write-back would add a B x F pass of DRAM writes (537 MB
// at B = 4,096, F = 32,768) to the encoder. The SIMD scan skips, a vector at
// a time, the entries that pass neither bar; those it stops at are pushed
// in index order.
void ScanRow(const simd::Kernels& k, const float* v, const float* b, int64_t F, TopHeap* top,
             TopHeap* aux, const uint8_t* deadbits) {
  const uint8_t* dead = aux != nullptr ? deadbits : nullptr;
  for (int64_t i = 0;; ++i) {
    i = k.next_above(v, b, i, F, top->Bar(), dead, dead != nullptr ? aux->Bar() : 0.0f);
    if (i >= F) break;
    const float x = v[i] + b[i];
    if (x > top->Bar()) top->Push(x, static_cast<int32_t>(i));
    if (dead != nullptr && ((deadbits[i >> 3] >> (i & 7)) & 1) && x > aux->Bar()) {
      aux->Push(x, static_cast<int32_t>(i));
    }
  }
}

}  // namespace

absl::Status Encode(const Ctx& c, const SaeSpec& s, const SaeParams& p, const Tensor& x,
                    SaeWorkspace* ws) {
  const int64_t B = x.dim(0), d = s.d, F = s.f;
  float* xc = Sized(ws->xc, {B, d}).data();
  Sized(ws->pre, {B, F});
  const float* X = x.data();
  const float* bd = p.b_dec.data();
#pragma omp parallel for if (c.par)
  for (int64_t n = 0; n < B; ++n) {
    for (int64_t j = 0; j < d; ++j) xc[n * d + j] = X[n * d + j] - bd[j];
  }
  return c.backend.Gemm(Trans::kNo, Trans::kYes, 1.0f, ws->xc, p.w_enc, 0.0f, &ws->pre);
}

bool PackDeadBits(const std::vector<uint8_t>& dead, int64_t F, SaeWorkspace* ws) {
  ws->deadbits.assign((F + 7) / 8 + 1, 0);
  bool any_dead = false;
  for (int64_t i = 0; i < static_cast<int64_t>(dead.size()); ++i) {
    if (dead[i]) {
      ws->deadbits[i >> 3] |= static_cast<uint8_t>(1u << (i & 7));
      any_dead = true;
    }
  }
  return any_dead;
}

void SelectTopK(const Ctx& c, const SaeSpec& s, const SaeParams& p, int64_t B, bool use_aux,
                SaeWorkspace* ws) {
  const int64_t F = s.f, k = s.k;
  const int64_t ka = use_aux ? s.k_aux : 0;
  ws->top.Reset(B, k);
  ws->aux.Reset(B, ka);
  const float* be = p.b_enc.data();
  const float* pre = ws->pre.data();
  const uint8_t* deadbits = ws->deadbits.data();
  const simd::Kernels& kern = simd::Active();
#pragma omp parallel if (c.par)
  {
    TopHeap top, aux;
#pragma omp for schedule(static)
    for (int64_t n = 0; n < B; ++n) {
      top.Reset(k);
      aux.Reset(ka);
      ScanRow(kern, pre + n * F, be, F, &top, use_aux ? &aux : nullptr, deadbits);
      Store(top, n, &ws->top);
      if (use_aux) Store(aux, n, &ws->aux);
    }
  }
}

void TopKToCsr(int64_t B, SaeWorkspace* ws) {
  const RowSlots& top = ws->top;
  Csr& a = ws->active;
  a.row_ptr.assign(B + 1, 0);
  for (int64_t n = 0; n < B; ++n) a.row_ptr[n + 1] = a.row_ptr[n] + top.count[n];
  a.SizeFromRowPtr(B);
  for (int64_t n = 0; n < B; ++n) {
    std::memcpy(&a.idx[a.row_ptr[n]], &top.idx[n * top.width], top.count[n] * sizeof(int32_t));
    std::memcpy(&a.val[a.row_ptr[n]], &top.val[n * top.width], top.count[n] * sizeof(float));
  }
}

float SelectBatchTopK(const Ctx& c, const SaeSpec& s, const SaeParams& p, int64_t B,
                      SaeWorkspace* ws) {
  const int64_t F = s.f;
  const int64_t want = s.k * B;
  const float* be = p.b_enc.data();
  float* pre = ws->pre.data();
  std::vector<int64_t> pos_count(B, 0);
  const auto bias_count = simd::Active().bias_count_positive;
#pragma omp parallel for schedule(static) if (c.par)
  for (int64_t n = 0; n < B; ++n) pos_count[n] = bias_count(pre + n * F, be, F);
  int64_t total = 0;
  for (int64_t cnt : pos_count) total += cnt;
  float bar = 0.0f;  // keep every positive entry when there are <= want
  int64_t ties_allowed = 0;
  bool all = total <= want;
  if (!all) {
    std::vector<float> vals;
    vals.reserve(total);
    for (int64_t t = 0; t < B * F; ++t) {
      if (pre[t] > 0) vals.push_back(pre[t]);
    }
    std::nth_element(vals.begin(), vals.begin() + (want - 1), vals.end(), std::greater<float>());
    bar = vals[want - 1];
    int64_t greater = 0;
    for (float v : vals) greater += v > bar;
    ties_allowed = want - greater;  // entries equal to bar, in flat order
  }
  // Per-row counts, then fill.
  Csr& a = ws->active;
  a.row_ptr.assign(B + 1, 0);
  std::vector<int64_t> tie_quota(B, 0);
  if (!all) {
    std::vector<int64_t> gt(B, 0), eq(B, 0);
#pragma omp parallel for schedule(static) if (c.par)
    for (int64_t n = 0; n < B; ++n) {
      const float* row = pre + n * F;
      int64_t g = 0, e = 0;
      for (int64_t i = 0; i < F; ++i) {
        g += row[i] > bar;
        e += row[i] == bar;
      }
      gt[n] = g;
      eq[n] = e;
    }
    int64_t left = ties_allowed;
    for (int64_t n = 0; n < B; ++n) {
      tie_quota[n] = std::min(left, eq[n]);
      left -= tie_quota[n];
      a.row_ptr[n + 1] = a.row_ptr[n] + gt[n] + tie_quota[n];
    }
  } else {
    for (int64_t n = 0; n < B; ++n) a.row_ptr[n + 1] = a.row_ptr[n] + pos_count[n];
  }
  a.SizeFromRowPtr(B);
  float min_kept = all ? INFINITY : bar;
#pragma omp parallel for schedule(static) reduction(min : min_kept) if (c.par)
  for (int64_t n = 0; n < B; ++n) {
    const float* row = pre + n * F;
    int64_t o = a.row_ptr[n], q = tie_quota[n];
    for (int64_t i = 0; i < F; ++i) {
      const float v = row[i];
      bool keep = all ? v > 0 : (v > bar || (v == bar && q-- > 0));
      if (keep) {
        a.idx[o] = static_cast<int32_t>(i);
        a.val[o] = v;
        ++o;
        if (all) min_kept = std::min(min_kept, v);
      }
    }
  }
  if (a.row_ptr[B] == 0) min_kept = 0;
  return min_kept;
}

void PositiveToCsr(const Ctx& c, int64_t B, int64_t F, SaeWorkspace* ws) {
  const float* pre = ws->pre.data();
  Csr& a = ws->active;
  const simd::Kernels& k = simd::Active();
  std::vector<int64_t> cnt(B, 0);
#pragma omp parallel for schedule(static) if (c.par)
  for (int64_t n = 0; n < B; ++n) cnt[n] = k.count_positive(pre + n * F, F);
  a.row_ptr.assign(B + 1, 0);
  for (int64_t n = 0; n < B; ++n) a.row_ptr[n + 1] = a.row_ptr[n] + cnt[n];
  a.SizeFromRowPtr(B);
#pragma omp parallel for schedule(static) if (c.par)
  for (int64_t n = 0; n < B; ++n) {
    k.compress_positive(pre + n * F, F, a.idx.data() + a.row_ptr[n], a.val.data() + a.row_ptr[n]);
  }
}

void SelectBatchAux(const Ctx& c, const SaeSpec& s, int64_t B, SaeWorkspace* ws) {
  const int64_t F = s.f, ka = s.k_aux;
  ws->aux.Reset(B, ka);
  const float* pre = ws->pre.data();
  const uint8_t* deadbits = ws->deadbits.data();
#pragma omp parallel if (c.par)
  {
    TopHeap aux;
#pragma omp for schedule(static)
    for (int64_t n = 0; n < B; ++n) {
      aux.Reset(ka);
      const float* row = pre + n * F;
      for (int64_t i = 0; i < F; ++i) {
        if (((deadbits[i >> 3] >> (i & 7)) & 1) && row[i] > aux.Bar()) {
          aux.Push(row[i], static_cast<int32_t>(i));
        }
      }
      Store(aux, n, &ws->aux);
    }
  }
}

}  // namespace monosem::sae::cpu
