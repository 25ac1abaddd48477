// This unit's kernel table (one per ISA level, see kernels.h).
#include "kernels/cpu/simd/unit.h"

namespace monosem::cpu::simd::MONOSEM_SIMD_ISA {
namespace {

Kernels Make() {
  Kernels k{};
  k.isa = MONOSEM_SIMD_ISA_LEVEL;
  k.add_row_bias = AddRowBias;
  k.sum_rows = SumRows;
  k.relu = Relu;
  k.relu_backward = ReluBackward;
  k.axpby = Axpby;
  k.mul = Mul;
  k.adam = Adam;
  k.dot = Dot;
  k.axpy = Axpy;
  k.scale = Scale;
  k.add = Add;
  k.bias_relu = BiasRelu;
  k.toy_scratch_floats = ToyScratchFloats;
  k.toy_instance = ToyInstance;
  k.next_above = NextAbove;
  k.bias_count_positive = BiasCountPositive;
  k.count_positive = CountPositive;
  k.compress_positive = CompressPositive;
  k.relu_l1_row = ReluL1Row;
  k.relu_l1_dpre_row = ReluL1DpreRow;
  k.layer_norm_row = LayerNormRow;
  k.layer_norm_backward_row = LayerNormBackwardRow;
  k.attention_scratch_floats = AttentionScratchFloats;
  k.attention_forward_head = AttentionForwardHead;
  k.attention_backward_head = AttentionBackwardHead;
  k.cross_entropy_row = CrossEntropyRow;
  k.cross_entropy_backward_row = CrossEntropyBackwardRow;
  k.sgns_train = SgnsTrain;
  return k;
}

}  // namespace

const Kernels& Table() {
  static const Kernels table = Make();
  return table;
}

}  // namespace monosem::cpu::simd::MONOSEM_SIMD_ISA
