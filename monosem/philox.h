// Philox4x32-10 (Salmon et al., SC'11), the project's only source of randomness
// for anything that reaches a golden file or an experiment.
//
// It is counter-based: block b of stream s under seed k is a pure function of
// (k, s, b), so element i of any draw can be computed independently (on a GPU
// thread, say) and every machine produces the same bits. The derived
// distributions below use only IEEE-754 +, -, *, /, sqrt and integer ops in a
// fixed order (portable_math.h), never libm or std::*_distribution, so they are
// bit-identical wherever IEEE double arithmetic is (compile without FMA
// contraction: see the BUILD file).
//
// Element addressing (the contract other backends must follow):
//   UniformAt(i)   word i%4 of block i/4 -> (u >> 8) * 2^-24 in [0, 1)
//   NormalAt(i)    Box-Muller on words (0,1) of block i (one normal per block)
//   BernoulliAt(i) UniformAt(i) < p
// with block counter = (b_lo, b_hi, stream_lo, stream_hi), key = (seed_lo, seed_hi).
#ifndef MONOSEM_PHILOX_H_
#define MONOSEM_PHILOX_H_

#include <array>
#include <cstdint>

namespace monosem {

using PhiloxBlock = std::array<uint32_t, 4>;

// The raw bijection: ten rounds on a 128-bit counter under a 64-bit key.
PhiloxBlock Philox4x32_10(PhiloxBlock counter, std::array<uint32_t, 2> key);

// Maps a 32-bit word to a float in [0, 1) with 24 random bits (exact).
inline float WordToUniform(uint32_t w) { return static_cast<float>(w >> 8) * (1.0f / 16777216.0f); }

// Box-Muller on two words; deterministic, see portable_math.h.
float WordsToNormal(uint32_t w0, uint32_t w1);

class Philox {
 public:
  explicit Philox(uint64_t seed, uint64_t stream = 0) : seed_(seed), stream_(stream) {}

  uint64_t seed() const { return seed_; }
  uint64_t stream() const { return stream_; }

  PhiloxBlock Block(uint64_t block) const;

  // Addressable draws (see the header comment).
  uint32_t WordAt(uint64_t i) const { return Block(i / 4)[i % 4]; }
  float UniformAt(uint64_t i) const { return WordToUniform(WordAt(i)); }
  float NormalAt(uint64_t i) const;
  bool BernoulliAt(uint64_t i, float p) const { return UniformAt(i) < p; }

  // Sequential draws: the i-th call returns the i-th addressable value.
  float Uniform() { return UniformAt(next_++); }
  float Uniform(float lo, float hi) { return lo + (hi - lo) * Uniform(); }
  float Normal() { return NormalAt(next_++); }
  float Normal(float mean, float stddev) { return mean + stddev * Normal(); }
  bool Bernoulli(float p) { return BernoulliAt(next_++, p); }
  uint32_t NextWord() { return WordAt(next_++); }
  // Uniform integer in [0, n) by Lemire's multiply-shift (bias < n / 2^32).
  uint32_t UniformInt(uint32_t n) {
    return static_cast<uint32_t>((static_cast<uint64_t>(NextWord()) * n) >> 32);
  }

  uint64_t position() const { return next_; }
  void Seek(uint64_t i) { next_ = i; }

 private:
  uint64_t seed_;
  uint64_t stream_;
  uint64_t next_ = 0;
};

}  // namespace monosem

#endif  // MONOSEM_PHILOX_H_
