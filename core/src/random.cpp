#include "convexnn/random.h"

#include <cmath>
#include <numbers>

namespace convexnn {
namespace {

// SplitMix64 spreads any seed (including 0 and small consecutive seeds) over the 256-bit state,
// as recommended by the xoshiro authors; xoshiro must never start from an all-zero state.
std::uint64_t splitmix64_next(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::uint64_t rotate_left(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

}  // namespace

Rng::Rng(std::uint64_t seed) {
  for (std::uint64_t& word : state_) word = splitmix64_next(seed);
}

// xoshiro256** 1.0 (Blackman and Vigna).
std::uint64_t Rng::next_u64() {
  const std::uint64_t result = rotate_left(state_[1] * 5, 7) * 9;
  const std::uint64_t shifted = state_[1] << 17;
  state_[2] ^= state_[0];
  state_[3] ^= state_[1];
  state_[1] ^= state_[2];
  state_[0] ^= state_[3];
  state_[2] ^= shifted;
  state_[3] = rotate_left(state_[3], 45);
  return result;
}

// The top 53 bits fill a double's mantissa exactly, so every value is a multiple of 2^-53.
double Rng::uniform() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }

double Rng::normal() {
  if (has_cached_normal_) {
    has_cached_normal_ = false;
    return cached_normal_;
  }
  const double u1 = 1.0 - uniform();  // in (0, 1], so the logarithm is finite
  const double u2 = uniform();
  const double radius = std::sqrt(-2.0 * std::log(u1));
  const double angle = 2.0 * std::numbers::pi * u2;
  cached_normal_ = radius * std::sin(angle);
  has_cached_normal_ = true;
  return radius * std::cos(angle);
}

std::uint64_t Rng::below(std::uint64_t bound) {
  if (bound <= 1) return 0;  // [0, 1) holds only 0; an empty range has no better answer
  // Accept only values below the largest multiple of `bound` that fits in 64 bits, so every
  // residue is equally likely (plain modulo would favour small residues).
  const std::uint64_t max_value = ~std::uint64_t{0};
  const std::uint64_t limit = max_value - max_value % bound;
  std::uint64_t value = next_u64();
  while (value >= limit) value = next_u64();
  return value % bound;
}

}  // namespace convexnn
