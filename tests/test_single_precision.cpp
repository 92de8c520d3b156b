// Single precision products for the gated solver (GatedReluOptions::single_precision): the float
// kernels of pattern_products.h agree with the double ones to float accuracy and are
// bit-identical for any thread count, and the solver certifies the double optimum with bounds
// computed in double.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli_runner.h"
#include "convexnn/convex_problem.h"
#include "convexnn/gated_relu.h"
#include "convexnn/parallelism.h"
#include "convexnn/pattern_products.h"
#include "convexnn/random.h"
#include "convexnn/training.h"
#include "test_helpers.h"

namespace convexnn {
namespace {

using testing::random_matrix;
using testing::random_pattern_problem;

class SinglePrecisionProductsTest : public ::testing::TestWithParam<Activation> {};

TEST_P(SinglePrecisionProductsTest, AgreeWithTheDoubleProductsToFloatAccuracy) {
  // P = 300 gives chunks of 432 rows: 4 full chunks and a partial one.
  const ConvexProblem problem = random_pattern_problem(2000, 6, 300, GetParam(), 41);
  const SinglePrecisionProducts single(problem);
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
  const ConvexProblem problem = random_pattern_problem(3001, 5, 150, GetParam(), 51);
  const SinglePrecisionProducts single(problem);
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

// A sampled gated program on a random two-layer teacher: n = 600 samples in 6 dimensions.
ConvexProblem teacher_problem(LossKind loss) {
  Rng rng(61);
  Dataset data;
  const Eigen::Index n = 600;
  const Eigen::Index d = 6;
  data.X = random_matrix(n, d, 62);
  const Eigen::MatrixXd hidden = random_matrix(d, 4, 63);
  const Eigen::VectorXd output = random_matrix(4, 1, 64);
  const Eigen::VectorXd teacher = (data.X * hidden).cwiseMax(0.0) * output;
  data.y.resize(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    data.y[i] = loss == LossKind::kSquared ? teacher[i] + 0.1 * rng.normal()
                                           : (teacher[i] >= teacher.mean() ? 1.0 : -1.0);
  }
  for (Eigen::Index j = 0; j < d; ++j) data.feature_names.push_back("x" + std::to_string(j));
  TrainingConfig config;
  config.pattern_samples = 80;
  config.loss = loss;
  config.beta = 0.05;
  config.solver = SolverKind::kGated;
  return prepare_problem(data, nullptr, config).problem;
}

struct Recorder : SolverObserver {
  ObserverAction on_iteration(const IterationReport& report, const IterateView&) override {
    reports.push_back(report);
    return ObserverAction::kContinue;
  }
  std::vector<IterationReport> reports;
};

class SinglePrecisionSolverTest : public ::testing::TestWithParam<LossKind> {};

TEST_P(SinglePrecisionSolverTest, CertifiesTheDoubleOptimumWithDoubleBounds) {
  const ConvexProblem problem = teacher_problem(GetParam());
  GatedReluOptions options;
  options.relative_gap_tolerance = 1e-6;
  options.rfista.max_iterations = 100000;
  options.certificate_interval = 10;  // the logistic dual bound is slow on small problems
  GatedReluSolution exact;
  const SolverSummary reference = solve_gated_relu(problem, options, &exact);
  ASSERT_EQ(reference.status, SolverStatus::kConverged) << reference.full_report();

  options.certificate_interval = 1;  // the defaults: every 10th iteration on float products
  options.single_precision = true;
  Recorder recorder;
  SolveContext context;
  context.observer = &recorder;
  GatedReluSolution single;
  const SolverSummary summary = solve_gated_relu(problem, options, &single, context);
  ASSERT_EQ(summary.status, SolverStatus::kConverged) << summary.full_report();
  EXPECT_LE(summary.relative_gap, 1e-6);
  EXPECT_NEAR(summary.network_objective, reference.network_objective,
              1e-6 * std::max(1.0, reference.network_objective));

  // The summary's bounds are double precision: the upper bound is the best point's objective
  // with double products, and both lower bounds lie below both optima.
  const double upper = gated_objective(problem, single.blocks);
  EXPECT_NEAR(summary.network_objective, upper, 1e-13 * std::max(1.0, upper));
  EXPECT_NEAR(summary.gap, upper - summary.lower_bound, 1e-13 * std::max(1.0, upper));
  EXPECT_NEAR(summary.relative_gap, relative_gap(upper, summary.lower_bound), 1e-15);
  EXPECT_LE(summary.lower_bound, reference.network_objective);
  EXPECT_LE(reference.lower_bound, summary.network_objective);

  // Every report carries double bounds as well: below the optimum, never decreasing, and the
  // reported objective is the iterate's double objective, so never below the lower bound.
  ASSERT_GT(recorder.reports.size(), 2u);
  double previous_lower = -std::numeric_limits<double>::infinity();
  for (const IterationReport& report : recorder.reports) {
    EXPECT_LE(report.lower_bound, reference.network_objective) << report.iteration;
    EXPECT_GE(report.lower_bound, previous_lower) << report.iteration;
    EXPECT_GE(report.convex_objective, summary.lower_bound) << report.iteration;
    previous_lower = report.lower_bound;
  }
  EXPECT_EQ(recorder.reports.back().iteration, summary.iterations);
}

TEST_P(SinglePrecisionSolverTest, FollowsTheDoubleIteratesToFloatAccuracy) {
  // 60 iterations, far from the switch to double: the float products are in use, so the iterates
  // differ from the double run's, but only by rounding.
  const ConvexProblem problem = teacher_problem(GetParam());
  GatedReluOptions options;
  options.relative_gap_tolerance = 0.0;
  options.rfista.max_iterations = 60;
  GatedReluSolution exact;
  const SolverSummary reference = solve_gated_relu(problem, options, &exact);
  options.single_precision = true;
  GatedReluSolution single;
  const SolverSummary summary = solve_gated_relu(problem, options, &single);
  ASSERT_EQ(reference.iterations, 60);
  ASSERT_EQ(summary.iterations, 60);
  const Eigen::MatrixXd& w = exact.state.iterate;
  EXPECT_FALSE(single.state.iterate == w);
  EXPECT_LT((single.state.iterate - w).norm(), 1e-4 * w.norm());
}

INSTANTIATE_TEST_SUITE_P(Losses, SinglePrecisionSolverTest,
                         ::testing::Values(LossKind::kSquared, LossKind::kLogistic),
                         [](const ::testing::TestParamInfo<LossKind>& parameter) {
                           return std::string(parameter.param == LossKind::kSquared ? "squared"
                                                                                    : "logistic");
                         });

TEST(SinglePrecisionSolver, ValidatesItsOptionsByName) {
  ConvexProblem problem = teacher_problem(LossKind::kSquared);
  GatedReluOptions options;
  options.single_precision = true;
  options.single_precision_certificate_interval = 0;
  GatedReluSolution solution;
  const SolverSummary invalid = solve_gated_relu(problem, options, &solution);
  EXPECT_EQ(invalid.status, SolverStatus::kInvalidOptions);
  EXPECT_NE(invalid.message.find("single_precision_certificate_interval"), std::string::npos)
      << invalid.message;

  options.single_precision_certificate_interval = 10;
  problem.X(0, 0) = 1e39;  // beyond the float range
  const SolverSummary huge = solve_gated_relu(problem, options, &solution);
  EXPECT_EQ(huge.status, SolverStatus::kInvalidOptions);
  EXPECT_NE(huge.message.find("single_precision"), std::string::npos) << huge.message;
}

TEST(SinglePrecisionCli, Float32TrainsTheGatedProgramAndIsRejectedElsewhere) {
  using convexnn::testing::run_cli;
  const std::string problem =
      "train --dataset xor --n 40 --formulation exact --beta 0.1 --tol 1e-6 --json --solver ";
  const auto single = run_cli(problem + "gated --float32", false);
  ASSERT_EQ(single.exit_code, 0) << single.output;
  const auto exact = run_cli(problem + "gated", false);
  ASSERT_EQ(exact.exit_code, 0) << exact.output;
  const nlohmann::json a = nlohmann::json::parse(single.output);
  const nlohmann::json b = nlohmann::json::parse(exact.output);
  EXPECT_EQ(a["status"], "converged");
  EXPECT_LE(a["relative_gap"].get<double>(), 1e-6);
  EXPECT_NEAR(a["objective"].get<double>(), b["objective"].get<double>(),
              1e-6 * std::max(1.0, b["objective"].get<double>()));

  const auto admm = run_cli(problem + "admm --float32");
  EXPECT_NE(admm.exit_code, 0);
  EXPECT_NE(admm.output.find("--float32"), std::string::npos) << admm.output;
  const auto nystrom = run_cli(problem + "gated --gated-method admm --float32");
  EXPECT_NE(nystrom.exit_code, 0);
  EXPECT_NE(nystrom.output.find("--float32"), std::string::npos) << nystrom.output;
}

}  // namespace
}  // namespace convexnn
