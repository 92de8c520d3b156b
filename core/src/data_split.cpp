#include "convexnn/data_split.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

#include "convexnn/csv_loader.h"
#include "convexnn/errors.h"
#include "convexnn/random.h"

namespace convexnn {

TrainTestSplit split_train_test(const Dataset& dataset, double test_fraction, std::uint64_t seed) {
  if (!(test_fraction >= 0.0 && test_fraction < 1.0)) {
    throw InputError("test fraction must lie in [0, 1) (got " + format_csv_number(test_fraction) +
                     ")");
  }
  const Eigen::Index n = dataset.num_samples();
  if (n == 0) {
    throw InputError("cannot split a dataset without samples" +
                     (dataset.source.empty() ? std::string() : " (" + dataset.source + ")"));
  }

  std::vector<Eigen::Index> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), Eigen::Index{0});
  // Callers pass the same seed to the generators; a distinct stream keeps test-set membership
  // from echoing the draws that placed the points.
  constexpr std::uint64_t kSplitStream = 0x5eed5a1175ULL;
  Rng rng(seed ^ kSplitStream);
  for (Eigen::Index i = n - 1; i > 0; --i) {  // Fisher-Yates
    const auto j = static_cast<Eigen::Index>(rng.below(static_cast<std::uint64_t>(i + 1)));
    std::swap(order[static_cast<std::size_t>(i)], order[static_cast<std::size_t>(j)]);
  }
  const auto rounded =
      static_cast<Eigen::Index>(std::llround(test_fraction * static_cast<double>(n)));
  const Eigen::Index test_count = std::min(rounded, n - 1);  // training needs at least one sample

  std::vector<Eigen::Index> test(order.begin(), order.begin() + test_count);
  std::vector<Eigen::Index> train(order.begin() + test_count, order.end());
  // Original order within each part, so that results do not depend on the shuffle's details.
  std::sort(test.begin(), test.end());
  std::sort(train.begin(), train.end());
  return {dataset.subset(train), dataset.subset(test)};
}

}  // namespace convexnn
