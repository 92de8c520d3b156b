#pragma once
// Built-in two-class dataset generators, deterministic on every platform.
#include <cstdint>
#include <string>
#include <vector>

#include "convexnn/dataset.h"

namespace convexnn {

struct GeneratorInfo {
  std::string name;
  std::string description;
  double default_noise;
};

// circle, xor, gaussians, spiral, moons, xor-clusters.
const std::vector<GeneratorInfo>& dataset_generators();

struct GeneratorSettings {
  std::string name = "xor";
  int n = 200;
  double noise = 0.1;  // generator-specific scale; for xor-clusters also the flipped-label fraction
  std::uint64_t seed = 1;
};

// Throws InputError for an unknown name, n < 2 or negative noise.
Dataset generate_dataset(const GeneratorSettings& settings);

}  // namespace convexnn
