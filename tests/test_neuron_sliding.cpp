// Sliding a lasso solution's neurons: a planted single neuron is recovered from a nearby
// direction (the closed-form optimum as beta -> 0), the slide never raises the lasso objective
// and returns unit directions whose network has exactly the returned objective.
#include <gtest/gtest.h>

#include "convexnn/neuron_sliding.h"
#include "convexnn/random_feature_program.h"
#include "test_helpers.h"

namespace convexnn {
namespace {

// n x (d + 1) Gaussian inputs with a bias column, squared loss, relu.
ConvexProblem regression_problem(Eigen::Index n, Eigen::Index d, double beta, std::uint64_t seed) {
  ConvexProblem problem;
  problem.X.resize(n, d + 1);
  problem.X.leftCols(d) = testing::random_matrix(n, d, seed);
  problem.X.col(d).setOnes();
  problem.has_bias_column = true;
  problem.loss = LossKind::kSquared;
  problem.beta = beta;
  problem.activation = Activation{};
  return problem;
}

TEST(NeuronSliding, RecoversAPlantedNeuronFromANearbyDirection) {
  ConvexProblem problem = regression_problem(300, 4, 1e-10, 3);
  Eigen::VectorXd planted(5);
  planted << 0.6, -0.3, 0.5, 0.2, 0.1;
  planted.normalize();
  const double weight = 1.7;
  problem.y = weight * (problem.X * planted).cwiseMax(0.0);
  Eigen::MatrixXd directions(5, 1);
  directions.col(0) = (planted + 0.15 * testing::random_matrix(5, 1, 9)).normalized();
  Eigen::VectorXd weights(1);
  weights << 1.0;
  LbfgsOptions options;
  options.max_iterations = 500;
  const NeuronSlideResult result = slide_neurons(problem, &directions, &weights, options);
  ASSERT_EQ(directions.cols(), 1);
  EXPECT_LT((directions.col(0) - planted).norm(), 1e-5) << directions.transpose();
  EXPECT_NEAR(weights[0], weight, 1e-5);
  EXPECT_LT(result.objective_after, 1e-8);
  EXPECT_GT(result.objective_before, 1.0);
}

TEST(NeuronSliding, NeverRaisesTheLassoObjectiveAndReturnsItsNetwork) {
  ConvexProblem problem = regression_problem(200, 6, 0.5, 11);
  problem.y = (problem.X.col(0).array() * problem.X.col(1).array() > 0).cast<double>() * 2 - 1;
  RandomFeatureSolution lasso;
  solve_random_features(problem, testing::tight_random_feature_options(40, 2000), &lasso);
  const Eigen::Index used = (lasso.weights.array() != 0.0).count();
  ASSERT_GT(used, 3);
  for (int iterations : {1, 5, 50}) {
    Eigen::MatrixXd directions = lasso.directions;
    Eigen::VectorXd weights = lasso.weights;
    LbfgsOptions options;
    options.max_iterations = iterations;
    const NeuronSlideResult result = slide_neurons(problem, &directions, &weights, options);
    EXPECT_LT(result.objective_after, result.objective_before) << iterations;
    EXPECT_LE(directions.cols(), used);  // the zero-weight directions are gone
    EXPECT_EQ(weights.size(), directions.cols());
    for (Eigen::Index j = 0; j < directions.cols(); ++j)
      EXPECT_NEAR(directions.col(j).norm(), 1.0, 1e-12);
    const TwoLayerNetwork network = random_feature_network(problem, directions, weights);
    EXPECT_NEAR(network.objective(problem.X.leftCols(6), problem.y, problem.loss, problem.beta),
                result.objective_after, 1e-9 * result.objective_after)
        << iterations;
    // The slid network is balanced only at a stationary point; its unit-direction form can only
    // be lower than the weight decay L-BFGS minimized.
    EXPECT_LE(result.objective_after, result.lbfgs.value * (1 + 1e-12)) << iterations;
  }
}

TEST(NeuronSliding, LeavesTheZeroNetworkAlone) {
  ConvexProblem problem = regression_problem(20, 2, 0.5, 4);
  problem.y = Eigen::VectorXd::Ones(20);
  Eigen::MatrixXd directions = Eigen::MatrixXd::Identity(3, 2);
  Eigen::VectorXd weights = Eigen::VectorXd::Zero(2);
  const NeuronSlideResult result = slide_neurons(problem, &directions, &weights, LbfgsOptions{});
  EXPECT_EQ(directions.cols(), 0);
  EXPECT_EQ(weights.size(), 0);
  EXPECT_EQ(result.lbfgs.iterations, 0);
  EXPECT_DOUBLE_EQ(result.objective_after, 10.0);  // ||y||^2 / 2
}

}  // namespace
}  // namespace convexnn
