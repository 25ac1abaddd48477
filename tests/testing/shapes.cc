#include "tests/testing/shapes.h"

namespace monosem::testing {

const std::vector<GemmDims>& AwkwardGemmDims() {
  static const auto* dims = new std::vector<GemmDims>{
      {1, 1, 1},    {1, 7, 1},     {7, 1, 13},     {17, 31, 13},   {15, 33, 17},
      {64, 64, 64}, {127, 5, 257}, {3, 5, 140003}, {128, 512, 97}, {31, 512, 128},
  };
  return *dims;
}

const std::vector<ModelGemm>& ModelGemms() {
  static const auto* shapes = new std::vector<ModelGemm>{
      {"toy_fwd_b1024_n400_m30", {1024, 30, 400}, Trans::kNo, Trans::kYes},
      {"toy_bwd_dW_m30_n400", {30, 400, 1024}, Trans::kYes, Trans::kNo},
      {"mlp_in_t4096_d128_f512", {4096, 512, 128}, Trans::kNo, Trans::kYes},
      {"mlp_out_t4096_f512_d128", {4096, 128, 512}, Trans::kNo, Trans::kYes},
      {"sae_enc_b4096_d512_F4096", {4096, 4096, 512}, Trans::kNo, Trans::kYes},
      {"sae_dec_b4096_F4096_d512", {4096, 512, 4096}, Trans::kNo, Trans::kNo},
      // The SAE encoder at the dictionary sizes of the scaling runs: 137 and
      // 1100 GFLOP, and a 4 GiB output at F = 131072.
      {"sae_enc_b8192_d512_F16384", {8192, 16384, 512}, Trans::kNo, Trans::kYes,
       Where::kDeviceOnly},
      {"sae_enc_b8192_d512_F131072", {8192, 131072, 512}, Trans::kNo, Trans::kYes,
       Where::kDeviceOnly},
  };
  return *shapes;
}

const std::vector<ToyTrainShape>& ToyTrainShapes() {
  static const auto* shapes = new std::vector<ToyTrainShape>{
      {"n400_m30_I32_B1024", 400, 30, 32, 1024},
      {"n20_m5_I64_B1024", 20, 5, 64, 1024},
      // Many instances at once, as the phase-diagram sweeps train them on a GPU.
      {"n400_m30_I1024_B1024", 400, 30, 1024, 1024, Where::kDeviceOnly},
      {"n20_m5_I16384_B1024", 20, 5, 16384, 1024, Where::kDeviceOnly},
  };
  return *shapes;
}

const std::vector<Matrix>& ElementwiseMatrices() {
  static const auto* shapes = new std::vector<Matrix>{
      // The transformer's MLP activations (32x128 tokens x 512) and an SAE
      // parameter matrix (F=4096 x d=512).
      {"act_t4096_f512", 4096, 512},
      {"param_F4096_d512", 4096, 512},
      // 2^24 elements: well past a GPU's L2, so device bandwidth is measured.
      {"flat_16M", 4096, 4096, Where::kDeviceOnly},
  };
  return *shapes;
}

}  // namespace monosem::testing
