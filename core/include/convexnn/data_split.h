#pragma once
#include <cstdint>

#include "convexnn/dataset.h"

namespace convexnn {

struct TrainTestSplit {
  Dataset train;
  Dataset test;  // may have zero rows
};

// Shuffles with the given seed and puts round(test_fraction * n) samples into the test set.
// test_fraction must lie in [0, 1); the training set keeps at least one sample.
TrainTestSplit split_train_test(const Dataset& dataset, double test_fraction, std::uint64_t seed);

}  // namespace convexnn
