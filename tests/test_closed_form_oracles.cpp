// Closed-form optima of science.md 12.1.
#include <gtest/gtest.h>

#include "convexnn/admm_solver.h"
#include "convexnn/dual_certificate.h"
#include "test_helpers.h"

namespace convexnn {
namespace {

double huberized(double r, double beta) { return r <= beta ? 0.5 * r * r : beta * r - 0.5 * beta * beta; }

TEST(ClosedFormOracles, SingleSampleWithBias) {
  for (double y_value : {2.0, -1.5, 0.3}) {
    for (double beta : {0.1, 0.5, 5.0}) {
      ConvexProblem problem;
      problem.X = Eigen::MatrixXd(1, 3);
      problem.X << 0.6, -0.8, 1.0;
      problem.y = Eigen::VectorXd::Constant(1, y_value);
      problem.beta = beta;
      problem.patterns = enumerate_patterns_2d(problem.X);
      problem.finalize();
      ASSERT_EQ(problem.num_patterns(), 1);
      const double norm = problem.X.row(0).norm();
      const double expected = std::abs(y_value) * norm <= beta
                                  ? 0.5 * y_value * y_value
                                  : beta * std::abs(y_value) / norm - beta * beta / (2 * norm * norm);
      AdmmSolution solution;
      const SolverSummary summary =
          solve_admm(problem, testing::tight_admm_options(1e-9), &solution);
      EXPECT_EQ(summary.status, SolverStatus::kConverged) << summary.full_report();
      EXPECT_NEAR(summary.network_objective, expected, 1e-7 * std::max(1.0, expected))
          << "y=" << y_value << " beta=" << beta;
      EXPECT_LE(summary.lower_bound, expected + 1e-9);
    }
  }
}

TEST(ClosedFormOracles, OrthonormalSamplesMatchSoftThresholding) {
  const Eigen::MatrixXd X = Eigen::MatrixXd::Identity(4, 4);
  Eigen::VectorXd y(4);
  y << 1, -2, 0.5, 3;
  const double beta = 0.7;
  const ConvexProblem problem = testing::all_subsets_problem(X, y, beta);
  const double positive_norm = std::sqrt(1 + 0.25 + 9);
  const double expected = huberized(positive_norm, beta) + huberized(2.0, beta);
  EXPECT_NEAR(expected, 3.1510935, 1e-6);  // science.md 12.1 item 2
  AdmmSolution solution;
  const SolverSummary summary = solve_admm(problem, testing::tight_admm_options(1e-9), &solution);
  EXPECT_EQ(summary.status, SolverStatus::kConverged) << summary.full_report();
  EXPECT_NEAR(summary.network_objective, expected, 1e-7);
  // The prediction is each sign group soft-thresholded: y_k (1 - beta / ||y_group||).
  const Eigen::VectorXd prediction = problem.predict(solution.blocks);
  for (Eigen::Index k = 0; k < 4; ++k) {
    const double group_norm = y[k] > 0 ? positive_norm : 2.0;
    EXPECT_NEAR(prediction[k], y[k] * (1 - beta / group_norm), 1e-4) << "sample " << k;
  }
}

TEST(ClosedFormOracles, ZeroSolutionAboveBetaMax) {
  const Dataset data = testing::random_xor(10, 4);
  TrainingConfig config = testing::exact_config(LossKind::kSquared, 1.0);
  const PreparedProblem prepared = prepare_problem(data, nullptr, config);
  // beta_max: largest dual constraint norm at lambda = grad l(0) = -y.
  const DualBound at_zero = dual_lower_bound(prepared.problem, -prepared.problem.y, nullptr);
  const double beta_max = at_zero.max_constraint_norm;
  ASSERT_GT(beta_max, 0.0);

  config.beta = 1.001 * beta_max;
  TrainingResult above = train_network(prepare_problem(data, nullptr, config), config);
  EXPECT_EQ(above.network.width(), 0);
  EXPECT_NEAR(above.summary.network_objective, 0.5 * data.y.squaredNorm(), 1e-9);

  config.beta = 0.9 * beta_max;
  TrainingResult below = train_network(prepare_problem(data, nullptr, config), config);
  EXPECT_GE(below.network.width(), 1);
  EXPECT_LT(below.summary.network_objective, 0.5 * data.y.squaredNorm() - 1e-6);
}

}  // namespace
}  // namespace convexnn
