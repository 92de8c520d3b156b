#pragma once
// A small, fully specified pseudo-random generator (xoshiro256** seeded by SplitMix64) with our own
// uniform and normal samplers, so that datasets and pattern samples are identical on every platform
// and standard library (std:: distributions are implementation-defined).
#include <cstdint>

namespace convexnn {

class Rng {
 public:
  explicit Rng(std::uint64_t seed);

  std::uint64_t next_u64();
  // Uniform on [0, 1) with 53 random bits.
  double uniform();
  double uniform(double low, double high) { return low + (high - low) * uniform(); }
  // Standard normal by the Box-Muller transform (one value per call; the pair's twin is cached).
  double normal();
  double normal(double mean, double stddev) { return mean + stddev * normal(); }
  // Uniform integer in [0, bound) without modulo bias.
  std::uint64_t below(std::uint64_t bound);

 private:
  std::uint64_t state_[4];
  bool has_cached_normal_ = false;
  double cached_normal_ = 0.0;
};

}  // namespace convexnn
