#include "convexnn/data_split.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

#include "convexnn/errors.h"
#include "convexnn/random.h"

namespace convexnn {

TrainTestSplit split_train_test(const Dataset& dataset, double test_fraction, std::uint64_t seed) {
  if (!(test_fraction >= 0.0 && test_fraction < 1.0)) {
    throw InputError("test fraction must lie in [0, 1) (got " + std::to_string(test_fraction) + ")");
  }
  const Eigen::Index n = dataset.num_samples();
  std::vector<Eigen::Index> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), Eigen::Index{0});
  Rng rng(seed ^ 0x5eed5a1175ULL);
  for (Eigen::Index i = n - 1; i > 0; --i) {  // Fisher-Yates
    const auto j = static_cast<Eigen::Index>(rng.below(static_cast<std::uint64_t>(i + 1)));
    std::swap(order[static_cast<std::size_t>(i)], order[static_cast<std::size_t>(j)]);
  }
  auto test_count = static_cast<Eigen::Index>(std::llround(test_fraction * static_cast<double>(n)));
  test_count = std::min(test_count, n - 1);
  std::vector<Eigen::Index> test(order.begin(), order.begin() + test_count);
  std::vector<Eigen::Index> train(order.begin() + test_count, order.end());
  std::sort(test.begin(), test.end());
  std::sort(train.begin(), train.end());
  return {dataset.subset(train), dataset.subset(test)};
}

}  // namespace convexnn
