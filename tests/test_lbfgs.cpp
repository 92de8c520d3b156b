// L-BFGS against closed forms: the minimizer of a strictly convex quadratic (A x = b) and of
// Rosenbrock's function (1, 1); it never returns a point above its start, stops on the token and
// names invalid fields.
#include <gtest/gtest.h>

#include <stop_token>

#include "convexnn/lbfgs.h"
#include "test_helpers.h"

namespace convexnn {
namespace {

TEST(Lbfgs, SolvesAStrictlyConvexQuadratic) {
  const Eigen::MatrixXd B = testing::random_matrix(30, 30, 5);
  const Eigen::MatrixXd A = B.transpose() * B + Eigen::MatrixXd::Identity(30, 30);
  const Eigen::VectorXd b = testing::random_matrix(30, 1, 6);
  const ValueAndGradient quadratic = [&](const Eigen::VectorXd& x, Eigen::VectorXd* g) {
    *g = A * x - b;
    return 0.5 * x.dot(A * x) - b.dot(x);
  };
  Eigen::VectorXd x = Eigen::VectorXd::Zero(30);
  LbfgsOptions options;
  options.max_iterations = 500;
  options.gradient_tolerance = 1e-9;
  const LbfgsResult result = minimize_lbfgs(quadratic, &x, options);
  EXPECT_EQ(result.status, LbfgsStatus::kGradientTolerance) << to_string(result.status);
  const Eigen::VectorXd solution = A.ldlt().solve(b);
  EXPECT_LT((x - solution).norm(), 1e-7 * solution.norm());
  EXPECT_NEAR(result.value, -0.5 * b.dot(solution), 1e-9 * std::abs(b.dot(solution)));
  EXPECT_LE(result.value, result.initial_value);
}

TEST(Lbfgs, FindsTheRosenbrockMinimum) {
  const ValueAndGradient rosenbrock = [](const Eigen::VectorXd& x, Eigen::VectorXd* g) {
    const double a = 1 - x[0];
    const double b = x[1] - x[0] * x[0];
    (*g)[0] = -2 * a - 400 * x[0] * b;
    (*g)[1] = 200 * b;
    return a * a + 100 * b * b;
  };
  Eigen::VectorXd x(2);
  x << -1.2, 1.0;
  LbfgsOptions options;
  options.max_iterations = 1000;
  options.gradient_tolerance = 1e-10;
  const LbfgsResult result = minimize_lbfgs(rosenbrock, &x, options);
  EXPECT_NEAR(x[0], 1.0, 1e-6);
  EXPECT_NEAR(x[1], 1.0, 1e-6);
  EXPECT_LT(result.iterations, 200);  // quasi-Newton, not gradient descent (which needs thousands)
}

TEST(Lbfgs, StopsOnTheTokenAndOnTheIterationLimit) {
  const ValueAndGradient bowl = [](const Eigen::VectorXd& x, Eigen::VectorXd* g) {
    *g = x.cwiseProduct(Eigen::VectorXd::LinSpaced(x.size(), 1, 100));
    return 0.5 * x.dot(*g);
  };
  std::stop_source source;
  source.request_stop();
  Eigen::VectorXd x = Eigen::VectorXd::Ones(50);
  const LbfgsResult cancelled = minimize_lbfgs(bowl, &x, LbfgsOptions{}, source.get_token());
  EXPECT_EQ(cancelled.status, LbfgsStatus::kCancelled);
  EXPECT_EQ(cancelled.iterations, 0);
  EXPECT_EQ(x, Eigen::VectorXd::Ones(50));
  LbfgsOptions three;
  three.max_iterations = 3;
  const LbfgsResult limited = minimize_lbfgs(bowl, &x, three);
  EXPECT_EQ(limited.status, LbfgsStatus::kIterationLimit);
  EXPECT_EQ(limited.iterations, 3);
  EXPECT_LT(limited.value, limited.initial_value);
}

TEST(Lbfgs, NamesTheInvalidField) {
  LbfgsOptions options;
  options.history = 0;
  EXPECT_NE(options.validate().find("lbfgs.history"), std::string::npos);
  options = {};
  options.sufficient_decrease = 1.5;
  EXPECT_NE(options.validate().find("lbfgs.sufficient_decrease"), std::string::npos);
  Eigen::VectorXd x = Eigen::VectorXd::Zero(2);
  const LbfgsResult result =
      minimize_lbfgs([](const Eigen::VectorXd&, Eigen::VectorXd*) { return 0.0; }, &x, options);
  EXPECT_EQ(result.status, LbfgsStatus::kInvalidOptions);
  EXPECT_NE(result.message.find("sufficient_decrease"), std::string::npos);
}

}  // namespace
}  // namespace convexnn
