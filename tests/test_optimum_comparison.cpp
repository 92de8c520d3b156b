#include <gtest/gtest.h>

#include <vector>

#include "convexnn/optimum_comparison.h"

namespace convexnn {
namespace {

TEST(OptimumComparison, CountsWithinAndFarBelowAtTheOnePercentEdges) {
  const double optimum = 200.0;  // 1% is 2.0
  // 201.9 and 202.0 reach it, 202.1 does not; 198.1 and 198.0 are below but not far below,
  // 197.9 and 100 are far below (and count as within too: they are not above it).
  const std::vector<double> objectives{201.9, 202.0, 202.1, 200.0, 198.1, 198.0, 197.9, 100.0};
  const OptimumTally tally = tally_against_optimum(objectives, optimum);
  EXPECT_EQ(tally.within, 7);
  EXPECT_EQ(tally.far_below, 2);
  EXPECT_DOUBLE_EQ(relative_excess(202.0, optimum), 0.01);
  EXPECT_DOUBLE_EQ(relative_excess(150.0, optimum), -0.25);
}

TEST(OptimumComparison, RelativeToTheOptimumsMagnitudeWhenItIsNegative) {
  // A loss shifted below zero: 1% of |U| above U still reaches it.
  const OptimumTally tally = tally_against_optimum({-99.5, -98.0, -102.0}, -100.0);
  EXPECT_EQ(tally.within, 2);     // -99.5 (0.5% above) and -102 (below)
  EXPECT_EQ(tally.far_below, 1);  // -102 is 2% below
  EXPECT_TRUE(tally_against_optimum({}, 1.0).within == 0);
}

}  // namespace
}  // namespace convexnn
