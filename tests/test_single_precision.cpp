// The single precision kernels of pattern_products.h agree with the double ones to float
// accuracy and are bit-identical for any thread count.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "convexnn/convex_problem.h"
#include "convexnn/parallelism.h"
#include "convexnn/pattern_products.h"
#include "convexnn/random.h"

namespace convexnn {
namespace {

// n x d Gaussian data (bias column last) and P random 0/1 patterns; n is not a multiple of the
// chunk size, so the last chunk is partial.
ConvexProblem random_problem(Eigen::Index n, Eigen::Index d, Eigen::Index P, Activation activation,
                             std::uint64_t seed) {
  Rng rng(seed);
  ConvexProblem problem;
  problem.X.resize(n, d);
  for (Eigen::Index i = 0; i < n; ++i) {
    for (Eigen::Index j = 0; j + 1 < d; ++j) problem.X(i, j) = rng.normal();
    problem.X(i, d - 1) = 1.0;
  }
  problem.y = Eigen::VectorXd::Ones(n);
  problem.patterns.masks.resize(n, P);
  for (Eigen::Index k = 0; k < problem.patterns.masks.size(); ++k) {
    problem.patterns.masks(k) = rng.uniform(0, 1) < 0.5 ? 1.0 : 0.0;
  }
  problem.patterns.generators = Eigen::MatrixXd::Zero(d, P);
  problem.activation = activation;
  problem.finalize();
  return problem;
}

Eigen::MatrixXd random_matrix(Eigen::Index rows, Eigen::Index cols, std::uint64_t seed) {
  Rng rng(seed);
  Eigen::MatrixXd matrix(rows, cols);
  for (Eigen::Index k = 0; k < matrix.size(); ++k) matrix(k) = rng.normal();
  return matrix;
}

struct FloatCopies {
  explicit FloatCopies(const ConvexProblem& problem)
      : X(problem.X.cast<float>()),
        diagonals(problem.activation_diagonals().cast<float>()),
        masks(compact_masks(problem.patterns.masks)),
        diagonal(activation_diagonal_for(problem.activation)) {}
  Eigen::MatrixXf X;
  Eigen::MatrixXf diagonals;
  CompactMasks masks;
  ActivationDiagonal diagonal;
};

class SinglePrecisionProductsTest : public ::testing::TestWithParam<Activation> {};

TEST_P(SinglePrecisionProductsTest, AgreeWithTheDoubleProductsToFloatAccuracy) {
  // P = 300 gives chunks of 432 rows: 4 full chunks and a partial one.
  const ConvexProblem problem = random_problem(2000, 6, 300, GetParam(), 41);
  const FloatCopies single(problem);
  const Eigen::MatrixXd difference = random_matrix(problem.dim(), problem.num_patterns(), 42);
  const Eigen::VectorXd r = random_matrix(problem.num_samples(), 1, 43);

  const Eigen::VectorXd predicted = problem.predict_differences(difference);
  const Eigen::VectorXd predicted_single =
      pattern_predict_differences(single.X, single.masks, single.diagonal, difference);
  EXPECT_LT((predicted_single - predicted).norm(), 2e-6 * predicted.norm());
  EXPECT_GT((predicted_single - predicted).norm(), 0.0);  // it is the float kernel

  const Eigen::MatrixXd adjoint = problem.pattern_adjoint(r);
  const Eigen::MatrixXd adjoint_single = pattern_adjoint_half(single.X, single.diagonals, r);
  EXPECT_LT((adjoint_single - adjoint).norm(), 2e-6 * adjoint.norm());
  // Column by column too: the dual bound reads the largest column norm.
  for (Eigen::Index i = 0; i < adjoint.cols(); ++i) {
    EXPECT_LT((adjoint_single.col(i) - adjoint.col(i)).norm(), 1e-5 * adjoint.col(i).norm() + 1e-12)
        << "column " << i;
  }
}

TEST_P(SinglePrecisionProductsTest, AreBitIdenticalForOneAndTwoThreads) {
  const ConvexProblem problem = random_problem(3001, 5, 150, GetParam(), 51);
  const FloatCopies single(problem);
  const Eigen::MatrixXd difference = random_matrix(problem.dim(), problem.num_patterns(), 52);
  const Eigen::VectorXd r = random_matrix(problem.num_samples(), 1, 53);
  Eigen::VectorXd predict_one, predict_two;
  Eigen::MatrixXd adjoint_one, adjoint_two;
  run_with_thread_limit(1, [&] {
    predict_one = pattern_predict_differences(single.X, single.masks, single.diagonal, difference);
    adjoint_one = pattern_adjoint_half(single.X, single.diagonals, r);
  });
  run_with_thread_limit(2, [&] {
    predict_two = pattern_predict_differences(single.X, single.masks, single.diagonal, difference);
    adjoint_two = pattern_adjoint_half(single.X, single.diagonals, r);
  });
  EXPECT_TRUE(predict_one == predict_two);
  EXPECT_TRUE(adjoint_one == adjoint_two);
}

INSTANTIATE_TEST_SUITE_P(Activations, SinglePrecisionProductsTest,
                         ::testing::Values(Activation{}, Activation::leaky_relu(0.1),
                                           Activation::absolute()),
                         [](const ::testing::TestParamInfo<Activation>& parameter) {
                           switch (parameter.param.kind) {
                             case ActivationKind::kLeakyRelu:
                               return std::string("leaky");
                             case ActivationKind::kAbsolute:
                               return std::string("abs");
                             default:
                               return std::string("relu");
                           }
                         });

}  // namespace
}  // namespace convexnn
