// The SAE kernel set's optimizer steps on the cuda backend (kernels in
// sae_optim.cu): the decoder-norm projection of the decoder gradient, the
// decoder row normalization, and one fused Adam launch over every parameter.
#include <cmath>
#include <vector>

#include "kernels/cuda/cuda_check.h"
#include "kernels/cuda/sae_cuda_workspace.h"
#include "monosem/status.h"

namespace monosem::sae {

namespace cu = ::monosem::cuda;

absl::Status CudaSaeKernels::ProjectDecoderGradImpl(const Tensor& w, Tensor* g) {
  MONOSEM_RETURN_IF_ERROR(CudaAvailable());
  if (w.size() == 0) return absl::OkStatus();
  MONOSEM_ASSIGN_OR_RETURN(float* dw, ws_.w_dec.Stage(w, true));
  MONOSEM_ASSIGN_OR_RETURN(float* dg, ws_.g_w_dec.Stage(*g, true));
  MONOSEM_CUDA_RETURN_IF_ERROR(
      cu::LaunchSaeProjectDecoderGrad(dw, dg, w.dim(0), w.dim(1), nullptr));
  return CudaBuffer::Unstage(dg, g);
}

absl::Status CudaSaeKernels::NormalizeDecoderRowsImpl(Tensor* w) {
  MONOSEM_RETURN_IF_ERROR(CudaAvailable());
  if (w->size() == 0) return absl::OkStatus();
  MONOSEM_ASSIGN_OR_RETURN(float* dw, ws_.w_dec.Stage(*w, true));
  MONOSEM_CUDA_RETURN_IF_ERROR(cu::LaunchSaeNormalizeRows(dw, w->dim(0), w->dim(1), nullptr));
  return CudaBuffer::Unstage(dw, w);
}

absl::Status CudaSaeKernels::AdamImpl(const AdamConfig& c, int64_t step,
                                      const std::vector<AdamSlot>& slots) {
  MONOSEM_RETURN_IF_ERROR(CudaAvailable());
  if (slots.size() > static_cast<size_t>(cu::SaeAdamSlots::kMaxSlots)) {
    return absl::InternalError("cuda sae: more Adam slots than the fused kernel takes");
  }
  // The same float formula as the cpu kernels; bias corrections in double.
  const float bc1 =
      static_cast<float>(1.0 - std::pow(static_cast<double>(c.beta1), static_cast<double>(step)));
  const float bc2_sqrt = static_cast<float>(
      std::sqrt(1.0 - std::pow(static_cast<double>(c.beta2), static_cast<double>(step))));
  cu::SaeAdamSlots k{};
  int64_t total = 0;
  for (size_t i = 0; i < slots.size(); ++i) {
    SaeCudaWorkspace::AdamBuffers& b = ws_.adam[i];
    MONOSEM_ASSIGN_OR_RETURN(k.p[i], b.p.Stage(*slots[i].p, true));
    MONOSEM_ASSIGN_OR_RETURN(float* g, b.g.Stage(*slots[i].g, true));
    k.g[i] = g;
    MONOSEM_ASSIGN_OR_RETURN(k.m[i], b.m.Stage(*slots[i].m, true));
    MONOSEM_ASSIGN_OR_RETURN(k.v[i], b.v.Stage(*slots[i].v, true));
    total += slots[i].p->size();
    k.end[i] = total;
  }
  k.count = static_cast<int>(slots.size());
  MONOSEM_CUDA_RETURN_IF_ERROR(
      cu::LaunchSaeAdam(k, c.beta1, c.beta2, c.eps, c.lr / bc1, bc2_sqrt, nullptr));
  for (size_t i = 0; i < slots.size(); ++i) {
    MONOSEM_RETURN_IF_ERROR(CudaBuffer::Unstage(k.p[i], slots[i].p));
    MONOSEM_RETURN_IF_ERROR(CudaBuffer::Unstage(k.m[i], slots[i].m));
    MONOSEM_RETURN_IF_ERROR(CudaBuffer::Unstage(k.v[i], slots[i].v));
  }
  return absl::OkStatus();
}

}  // namespace monosem::sae
