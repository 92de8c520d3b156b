// Pattern enumeration and sampling (science.md 2).
#include <gtest/gtest.h>

#include <set>

#include "convexnn/activation_patterns.h"
#include "convexnn/convex_problem.h"
#include "test_helpers.h"

namespace convexnn {
namespace {

std::set<std::vector<int>> as_set(const PatternSet& patterns) {
  std::set<std::vector<int>> result;
  for (Eigen::Index i = 0; i < patterns.num_patterns(); ++i) {
    std::vector<int> mask;
    for (Eigen::Index k = 0; k < patterns.num_samples(); ++k) mask.push_back(patterns.masks(k, i) > 0.5);
    result.insert(mask);
  }
  return result;
}

// Every stored generator realises its own pattern.
void expect_generators_realise_masks(const Eigen::MatrixXd& X, const PatternSet& patterns) {
  for (Eigen::Index i = 0; i < patterns.num_patterns(); ++i) {
    const Eigen::VectorXd values = X * patterns.generators.col(i);
    for (Eigen::Index k = 0; k < X.rows(); ++k) {
      EXPECT_EQ(values[k] >= 0.0, patterns.masks(k, i) > 0.5) << "pattern " << i << " sample " << k;
    }
  }
}

TEST(ActivationPatterns, GeneralPositionCountMatchesFormula) {
  for (int n : {2, 3, 5, 12, 24}) {
    const Dataset data = testing::random_xor(n, static_cast<std::uint64_t>(n));
    const Eigen::MatrixXd X = with_bias_column(data.X);
    const PatternSet patterns = enumerate_patterns_2d(X);
    EXPECT_EQ(patterns.num_patterns(), general_position_pattern_count_2d(n)) << "n = " << n;
    EXPECT_EQ(as_set(patterns).size(), static_cast<std::size_t>(patterns.num_patterns()));
    expect_generators_realise_masks(X, patterns);
  }
  EXPECT_EQ(general_position_pattern_count_2d(24), 553);  // science.md 2.1
}

TEST(ActivationPatterns, SampledPatternsAreContainedInTheEnumeration) {
  const Dataset data = testing::random_xor(15, 8);
  const Eigen::MatrixXd X = with_bias_column(data.X);
  const auto exact = as_set(enumerate_patterns_2d(X));
  const PatternSet sampled = sample_patterns(X, 20000, 3);
  expect_generators_realise_masks(X, sampled);
  for (const auto& mask : as_set(sampled)) EXPECT_TRUE(exact.count(mask));
  // Complementary patterns are both present (except for the all-ones pattern's zero complement).
  for (const auto& mask : exact) {
    std::vector<int> complement(mask.size());
    int ones = 0;
    for (std::size_t k = 0; k < mask.size(); ++k) {
      complement[k] = 1 - mask[k];
      ones += mask[k];
    }
    if (ones < static_cast<int>(mask.size())) {
      EXPECT_TRUE(exact.count(complement));
    }
  }
}

TEST(ActivationPatterns, CollinearAndRepeatedPointsAreEnumeratedExactly) {
  // Four collinear points, a repeated point and two others. The oracle: the union of patterns
  // from a very dense set of random directions (small cells are still hit at this size), and
  // soundness of every enumerated generator.
  Eigen::MatrixXd points(8, 2);
  points << 0, 0, 1, 1, 2, 2, 3, 3, 0.5, -1, 0.5, -1, -1, 2, 2.5, 0.2;
  const Eigen::MatrixXd X = with_bias_column(points);
  const PatternSet enumerated = enumerate_patterns_2d(X);
  expect_generators_realise_masks(X, enumerated);
  const auto exact = as_set(enumerated);
  const auto sampled = as_set(sample_patterns(X, 400000, 17));
  for (const auto& mask : sampled) EXPECT_TRUE(exact.count(mask));
  EXPECT_EQ(exact.size(), sampled.size());
  EXPECT_LT(static_cast<std::int64_t>(exact.size()), general_position_pattern_count_2d(8));
}

TEST(ActivationPatterns, SamplingIsDeterministicAndDeduplicated) {
  const Dataset data = testing::random_xor(50, 2);
  const Eigen::MatrixXd X = with_bias_column(data.X);
  const PatternSet a = sample_patterns(X, 300, 9);
  const PatternSet b = sample_patterns(X, 300, 9);
  EXPECT_EQ(a.masks, b.masks);
  EXPECT_EQ(as_set(a).size(), static_cast<std::size_t>(a.num_patterns()));
  EXPECT_LE(a.num_patterns(), 300);
  for (Eigen::Index i = 0; i < a.num_patterns(); ++i) EXPECT_GT(a.masks.col(i).sum(), 0.0);
}

TEST(ActivationPatterns, ExactEnumerationRejectsOtherDimensions) {
  const Eigen::MatrixXd X = Eigen::MatrixXd::Ones(5, 4);
  EXPECT_THROW(enumerate_patterns_2d(X), std::exception);
}

}  // namespace
}  // namespace convexnn
