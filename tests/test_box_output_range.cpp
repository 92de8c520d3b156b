// The exact range of a 2-D network over a box, against dense sampling and closed forms.
#include <gtest/gtest.h>

#include <cmath>

#include "convexnn/box_output_range.h"
#include "convexnn/errors.h"
#include "convexnn/random.h"

namespace convexnn {
namespace {

TwoLayerNetwork random_network(std::uint64_t seed, int width) {
  Rng rng(seed);
  TwoLayerNetwork network;
  network.first_weights.resize(width, 2);
  network.first_bias.resize(width);
  network.second_weights.resize(width);
  for (int j = 0; j < width; ++j) {
    network.first_weights(j, 0) = rng.normal();
    network.first_weights(j, 1) = rng.normal();
    network.first_bias(j) = 0.5 * rng.normal();
    network.second_weights(j) = rng.normal();
  }
  network.second_bias = 0.1;
  return network;
}

TEST(BoxOutputRange, ContainsAndReachesDenseSamples) {
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    TwoLayerNetwork network = random_network(seed, 6);
    if (seed % 2 == 0) {
      Standardization standardization;
      standardization.mean = Eigen::RowVector2d(0.3, -0.2);
      standardization.scale = Eigen::RowVector2d(1.7, 0.6);
      network.standardization = standardization;
    }
    const Eigen::Vector2d center(0.2 * static_cast<double>(seed % 5) - 0.4, 0.1);
    const double radius = 0.3;
    const OutputRange range = output_range_on_box_2d(network, center, radius);
    constexpr int kSteps = 400;
    Eigen::MatrixXd grid((kSteps + 1) * (kSteps + 1), 2);
    for (int i = 0; i <= kSteps; ++i) {
      for (int k = 0; k <= kSteps; ++k) {
        grid.row(i * (kSteps + 1) + k) << center(0) - radius + 2 * radius * i / kSteps,
            center(1) - radius + 2 * radius * k / kSteps;
      }
    }
    const Eigen::VectorXd values = network.predict(grid);
    // No sample leaves the range, and the dense grid gets within its resolution of both ends
    // (f is Lipschitz with constant sum |a_j| |w_j|).
    EXPECT_GE(values.minCoeff(), range.min - 1e-12) << "seed " << seed;
    EXPECT_LE(values.maxCoeff(), range.max + 1e-12) << "seed " << seed;
    double lipschitz = 0;
    for (Eigen::Index j = 0; j < network.width(); ++j) {
      lipschitz += std::abs(network.second_weights(j)) * network.first_weights.row(j).norm() /
                   (network.standardization ? network.standardization->scale.minCoeff() : 1.0);
    }
    const double resolution = lipschitz * std::sqrt(2.0) * radius / kSteps;
    EXPECT_LE(values.minCoeff() - range.min, resolution) << "seed " << seed;
    EXPECT_LE(range.max - values.maxCoeff(), resolution) << "seed " << seed;
  }
}

TEST(BoxOutputRange, AffineNetworkRangeIsCenterPlusMinusEpsilonTimesL1Norm) {
  // One neuron active on the whole box: f(x) = a (w . x + b) + c, range f(center) -+ r |a| |w|_1.
  TwoLayerNetwork network;
  network.first_weights.resize(1, 2);
  network.first_weights << 2.0, -3.0;
  network.first_bias = Eigen::VectorXd::Constant(1, 10.0);
  network.second_weights = Eigen::VectorXd::Constant(1, 0.5);
  network.second_bias = -1.0;
  const Eigen::Vector2d center(0.5, 0.5);
  const double radius = 0.2;
  const OutputRange range = output_range_on_box_2d(network, center, radius);
  const double f = 0.5 * (2.0 * 0.5 - 3.0 * 0.5 + 10.0) - 1.0;
  EXPECT_NEAR(range.min, f - radius * 0.5 * 5.0, 1e-12);
  EXPECT_NEAR(range.max, f + radius * 0.5 * 5.0, 1e-12);
}

TEST(BoxOutputRange, ZeroRadiusIsThePointValueAndOtherDimensionsAreRejected) {
  const TwoLayerNetwork network = random_network(3, 4);
  const Eigen::Vector2d center(0.1, -0.7);
  const OutputRange range = output_range_on_box_2d(network, center, 0.0);
  const double f = network.predict(center.transpose())(0);
  EXPECT_NEAR(range.min, f, 1e-12);
  EXPECT_NEAR(range.max, f, 1e-12);
  TwoLayerNetwork three_d;
  three_d.first_weights = Eigen::MatrixXd::Ones(2, 3);
  three_d.first_bias = Eigen::VectorXd::Zero(2);
  three_d.second_weights = Eigen::VectorXd::Ones(2);
  EXPECT_THROW(output_range_on_box_2d(three_d, center, 0.1), InputError);
}

}  // namespace
}  // namespace convexnn
