// The gated ReLU program (science.md 3.4) by R-FISTA with the certificate of 11.2, and the cone
// decomposition (10.4) back to a ReLU network.
#include <gtest/gtest.h>

#include <cmath>
#include <stop_token>
#include <vector>

#include "convexnn/activation_patterns.h"
#include "convexnn/cone_decomposition.h"
#include "convexnn/dual_certificate.h"
#include "convexnn/errors.h"
#include "convexnn/gated_relu.h"
#include "convexnn/network_recovery.h"
#include "convexnn/random.h"
#include "reference_data.h"
#include "test_helpers.h"

namespace convexnn {
namespace {

double huberized(double r, double beta) {
  return r <= beta ? 0.5 * r * r : beta * r - 0.5 * beta * beta;
}

GatedReluOptions tight_options(double tolerance = 1e-9) {
  GatedReluOptions options;
  options.relative_gap_tolerance = tolerance;
  options.rfista.max_iterations = 20000;
  return options;
}

AdmmOptions admm_options(double tolerance) {
  AdmmOptions options;
  options.relative_gap_tolerance = tolerance;
  options.max_iterations = 20000;
  return options;
}

// X = I with every subset as a pattern; with X = I the gate of pattern d is its sign vector.
ConvexProblem orthonormal_problem(double beta) {
  Eigen::VectorXd y(4);
  y << 1, -2, 0.5, 3;
  ConvexProblem problem = testing::all_subsets_problem(Eigen::MatrixXd::Identity(4, 4), y, beta);
  problem.patterns.generators = 2.0 * problem.patterns.masks.array() - 1.0;
  return problem;
}

ConvexProblem exact_xor(int n, std::uint64_t seed, LossKind loss, double beta) {
  const TrainingConfig config = testing::exact_config(loss, beta);
  return prepare_problem(testing::random_xor(n, seed), nullptr, config).problem;
}

TEST(GatedRelu, OrthonormalSamplesMatchTheClosedForm) {
  const double beta = 0.7;
  const ConvexProblem problem = orthonormal_problem(beta);
  Eigen::VectorXd y = problem.y;
  // p*_G = f(||y||): one gated neuron on all samples (science.md 12.1 item 2).
  const double expected = huberized(y.norm(), beta);
  EXPECT_NEAR(expected, 2.3974421, 1e-6);
  GatedReluSolution solution;
  const SolverSummary summary = solve_gated_relu(problem, tight_options(), &solution);
  EXPECT_EQ(summary.status, SolverStatus::kConverged) << summary.full_report();
  EXPECT_EQ(summary.solver, SolverKind::kGated);
  EXPECT_NEAR(summary.network_objective, expected, 1e-8);
  EXPECT_LE(summary.lower_bound, expected + 1e-12);
  EXPECT_GE(summary.lower_bound, expected - 1e-8);
  // The prediction is y soft-thresholded as one group.
  const Eigen::VectorXd prediction = gated_prediction(problem, solution.blocks);
  EXPECT_LT((prediction - y * (1 - beta / y.norm())).cwiseAbs().maxCoeff(), 1e-4);
  // The gated optimum is below the ReLU one (3.1510935, two neurons).
  EXPECT_LT(summary.network_objective, 3.1510935 - 0.5);
}

TEST(GatedRelu, SingleSampleEqualsTheReluClosedForm) {
  for (const double y_value : {2.0, -1.5}) {
    for (const double beta : {0.1, 0.5, 5.0}) {
      ConvexProblem problem;
      problem.X = Eigen::MatrixXd(1, 3);
      problem.X << 0.6, -0.8, 1.0;
      problem.y = Eigen::VectorXd::Constant(1, y_value);
      problem.beta = beta;
      problem.patterns = enumerate_patterns_2d(problem.X);
      problem.finalize();
      const double norm = problem.X.row(0).norm();
      const double expected =
          std::abs(y_value) * norm <= beta
              ? 0.5 * y_value * y_value
              : beta * std::abs(y_value) / norm - beta * beta / (2 * norm * norm);
      GatedReluSolution solution;
      const SolverSummary summary = solve_gated_relu(problem, tight_options(), &solution);
      EXPECT_EQ(summary.status, SolverStatus::kConverged);
      EXPECT_NEAR(summary.network_objective, expected, 1e-8 * std::max(1.0, expected))
          << "y=" << y_value << " beta=" << beta;
    }
  }
}

// Zero-solution threshold beta_max^G = max_i ||X^T D_i grad l(0)|| (science.md 3.5).
TEST(GatedRelu, ZeroSolutionExactlyAboveItsThreshold) {
  ConvexProblem problem = exact_xor(10, 4, LossKind::kSquared, 1.0);
  const double threshold =
      gated_prediction_adjoint(problem, -problem.y).colwise().norm().maxCoeff();
  problem.beta = 1.001 * threshold;
  GatedReluSolution above;
  const SolverSummary summary_above = solve_gated_relu(problem, tight_options(), &above);
  EXPECT_EQ(summary_above.status, SolverStatus::kConverged);
  EXPECT_EQ(count_active_blocks(above.blocks), 0);
  EXPECT_NEAR(summary_above.network_objective, 0.5 * problem.y.squaredNorm(), 1e-9);
  problem.beta = 0.95 * threshold;
  GatedReluSolution below;
  const SolverSummary summary_below = solve_gated_relu(problem, tight_options(), &below);
  EXPECT_EQ(summary_below.status, SolverStatus::kConverged);
  EXPECT_GE(count_active_blocks(below.blocks), 1);
  EXPECT_LT(summary_below.network_objective, 0.5 * problem.y.squaredNorm() - 1e-6);
}

// p*_G <= p*_C on the same patterns (science.md 3.4), against the interior-point optimum and ADMM.
TEST(GatedRelu, GatedOptimumIsBelowTheReluOptimum) {
  const auto reference = testing::load_reference("xor12");
  ConvexProblem problem = testing::exact_reference_problem(reference);
  for (const auto& stored : reference.at("solutions")) {
    if (stored.at("loss") != "squared") continue;
    problem.loss = LossKind::kSquared;
    problem.beta = stored.at("beta");
    const double relu_optimum = stored.at("optimum");
    GatedReluSolution solution;
    const SolverSummary summary = solve_gated_relu(problem, tight_options(), &solution);
    ASSERT_EQ(summary.status, SolverStatus::kConverged) << summary.full_report();
    EXPECT_LE(summary.network_objective, relu_optimum + 1e-9) << "beta " << problem.beta;
    EXPECT_LE(summary.lower_bound, summary.network_objective);
  }
  for (const LossKind loss : {LossKind::kSquared, LossKind::kLogistic}) {
    const ConvexProblem xor_problem = exact_xor(14, 8, loss, 0.05);
    GatedReluSolution gated;
    const SolverSummary gated_summary = solve_gated_relu(xor_problem, tight_options(1e-7), &gated);
    AdmmSolution relu;
    const SolverSummary relu_summary = solve_admm(xor_problem, admm_options(1e-7), &relu);
    ASSERT_EQ(gated_summary.status, SolverStatus::kConverged) << gated_summary.full_report();
    ASSERT_EQ(relu_summary.status, SolverStatus::kConverged);
    // L_G <= p*_G <= U_G <= p*_C + tol, and p*_C >= L_C.
    EXPECT_LE(gated_summary.network_objective, relu_summary.network_objective * (1 + 1e-7) + 1e-12)
        << to_string(loss);
    // Strictly below on XOR: the gated relaxation drops the cone constraints that bind.
    EXPECT_LT(gated_summary.network_objective, relu_summary.lower_bound) << to_string(loss);
  }
}

class RecordingObserver : public SolverObserver {
 public:
  explicit RecordingObserver(int stop_after = -1) : stop_after_(stop_after) {}
  ObserverAction on_iteration(const IterationReport& report, const IterateView& iterate) override {
    reports.push_back(report);
    if (reports.size() == 3) network_width = iterate.network().width();
    return stop_after_ >= 0 && static_cast<int>(reports.size()) >= stop_after_
               ? ObserverAction::kStop
               : ObserverAction::kContinue;
  }
  std::vector<IterationReport> reports;
  Eigen::Index network_width = -1;

 private:
  int stop_after_;
};

TEST(GatedRelu, BoundsEncloseTheOptimumAlongTheRun) {
  const ConvexProblem problem = exact_xor(12, 3, LossKind::kLogistic, 0.05);
  RecordingObserver observer;
  SolveContext context;
  context.observer = &observer;
  GatedReluSolution solution;
  GatedReluOptions options = tight_options(1e-8);
  const SolverSummary summary = solve_gated_relu(problem, options, &solution, context);
  ASSERT_EQ(summary.status, SolverStatus::kConverged);
  ASSERT_GT(observer.reports.size(), 3u);
  double previous_lower = -std::numeric_limits<double>::infinity();
  for (const IterationReport& report : observer.reports) {
    EXPECT_LE(report.lower_bound, summary.network_objective + 1e-12);
    EXPECT_LE(report.lower_bound, report.best_network_objective + 1e-12);
    EXPECT_GE(report.lower_bound, previous_lower);
    EXPECT_GE(report.relative_gap, 0.0);
    previous_lower = report.lower_bound;
  }
  EXPECT_GE(observer.network_width, 0);
  EXPECT_EQ(observer.reports.back().iteration, summary.iterations);
}

TEST(GatedRelu, ObserverAndStopTokenCancel) {
  const ConvexProblem problem = exact_xor(12, 3, LossKind::kSquared, 0.01);
  RecordingObserver observer(2);
  SolveContext context;
  context.observer = &observer;
  GatedReluSolution solution;
  const SolverSummary stopped = solve_gated_relu(problem, tight_options(0.0), &solution, context);
  EXPECT_EQ(stopped.status, SolverStatus::kCancelled);
  EXPECT_EQ(observer.reports.size(), 2u);
  EXPECT_EQ(stopped.iterations, 2);

  std::stop_source source;
  source.request_stop();
  SolveContext cancelled_context;
  cancelled_context.stop_token = source.get_token();
  GatedReluSolution other;
  const SolverSummary cancelled =
      solve_gated_relu(problem, tight_options(0.0), &other, cancelled_context);
  EXPECT_EQ(cancelled.status, SolverStatus::kCancelled);
  EXPECT_EQ(cancelled.iterations, 0);
}

TEST(GatedRelu, WarmStartFromTheSolutionNeedsNoIterations) {
  const ConvexProblem problem = exact_xor(12, 5, LossKind::kSquared, 0.1);
  GatedReluSolution solution;
  const SolverSummary cold = solve_gated_relu(problem, tight_options(1e-8), &solution);
  ASSERT_EQ(cold.status, SolverStatus::kConverged);
  ASSERT_GT(cold.iterations, 5);
  const SolverSummary warm = solve_gated_relu(problem, tight_options(1e-8), &solution);
  EXPECT_EQ(warm.status, SolverStatus::kConverged);
  EXPECT_EQ(warm.iterations, 0);
  EXPECT_NEAR(warm.network_objective, cold.network_objective, 1e-8);
}

TEST(GatedRelu, RejectsHingeLossAndInvalidOptionsByName) {
  ConvexProblem problem = exact_xor(8, 1, LossKind::kHinge, 0.1);
  GatedReluSolution solution;
  const SolverSummary hinge = solve_gated_relu(problem, GatedReluOptions{}, &solution);
  EXPECT_EQ(hinge.status, SolverStatus::kInvalidOptions);
  EXPECT_NE(hinge.message.find("loss"), std::string::npos) << hinge.message;
  EXPECT_NE(hinge.message.find("hinge"), std::string::npos) << hinge.message;

  problem.loss = LossKind::kSquared;
  GatedReluOptions options;
  options.rfista.growth_factor = 0.5;
  const SolverSummary invalid = solve_gated_relu(problem, options, &solution);
  EXPECT_EQ(invalid.status, SolverStatus::kInvalidOptions);
  EXPECT_NE(invalid.message.find("rfista.growth_factor"), std::string::npos) << invalid.message;

  TrainingConfig config = testing::exact_config(LossKind::kHinge, 0.1);
  config.solver = SolverKind::kGated;
  EXPECT_NE(config.validate().find("loss"), std::string::npos);
  EXPECT_THROW(prepare_problem(testing::random_xor(8, 1), nullptr, config), InputError);
  EXPECT_THROW(solver_kind_from_string("sgd"), InputError);
  EXPECT_EQ(solver_kind_from_string("gated"), SolverKind::kGated);
}

// The gated network with the generators as gates reproduces the program's prediction on the
// training set, since every generator realises its pattern there.
TEST(GatedRelu, GatesReproduceThePatternsOnTheTrainingSet) {
  const ConvexProblem problem = exact_xor(12, 7, LossKind::kSquared, 0.05);
  GatedReluSolution solution;
  solve_gated_relu(problem, tight_options(1e-8), &solution);
  const Eigen::VectorXd direct = gated_prediction(problem, solution.blocks);
  const Eigen::VectorXd gated = gated_network_prediction(problem, solution.blocks, problem.X);
  EXPECT_LT((direct - gated).cwiseAbs().maxCoeff(), 1e-12);
}

TEST(ConeDecomposition, KeepsPredictionsAndGivesFeasibleBlocks) {
  for (const LossKind loss : {LossKind::kSquared, LossKind::kLogistic}) {
    const ConvexProblem problem = exact_xor(14, 8, loss, 0.05);
    GatedReluSolution gated;
    const SolverSummary summary = solve_gated_relu(problem, tight_options(1e-8), &gated);
    ASSERT_EQ(summary.status, SolverStatus::kConverged);
    const ConeDecomposition decomposition = decompose_gated_solution(problem, gated.blocks);
    // (the default, exact least-norm split; the first-order form is checked below)
    const Eigen::Index P = problem.num_patterns();
    // Some gated blocks leave their cone on XOR, so the decomposition has work to do.
    EXPECT_GT(decomposition.split_blocks, 0) << to_string(loss);
    EXPECT_EQ(decomposition.unrepaired_blocks, 0);
    // v_i - w_i = u_i, and both in K_i.
    EXPECT_LT((decomposition.blocks.leftCols(P) - decomposition.blocks.rightCols(P) - gated.blocks)
                  .cwiseAbs()
                  .maxCoeff(),
              1e-12);
    EXPECT_LE(decomposition.max_cone_violation, 1e-12);
    EXPECT_EQ(problem.max_cone_violation(decomposition.blocks), decomposition.max_cone_violation);
    // Predictions preserved: F [v; w] and the recovered ReLU network on the training set equal the
    // gated prediction.
    const Eigen::VectorXd gated_fit = gated_prediction(problem, gated.blocks);
    EXPECT_LT((problem.predict(decomposition.blocks) - gated_fit).cwiseAbs().maxCoeff(), 1e-10);
    const TwoLayerNetwork network = recover_network(problem, decomposition.blocks);
    EXPECT_LT(
        (network.predict_standardized(problem.X.leftCols(2)) - gated_fit).cwiseAbs().maxCoeff(),
        1e-9);
    // The ReLU objective is the network's, at least the gated optimum, and at least the ReLU
    // program's certified lower bound.
    EXPECT_NEAR(decomposition.relu_objective,
                network.objective(problem.X.leftCols(2), problem.y, loss, problem.beta),
                1e-9 * std::max(1.0, decomposition.relu_objective));
    EXPECT_GE(decomposition.relu_objective, decomposition.gated_objective);
    AdmmSolution relu;
    const SolverSummary relu_summary = solve_admm(problem, admm_options(1e-7), &relu);
    EXPECT_GE(decomposition.relu_objective, relu_summary.lower_bound - 1e-9);
  }
}

TEST(ConeDecomposition, BlocksInsideTheirConesAreKept) {
  const ConvexProblem problem = orthonormal_problem(0.7);
  Eigen::MatrixXd gated = Eigen::MatrixXd::Zero(4, problem.num_patterns());
  // Pattern of all samples (mask 1111 is the last column): any u with u >= 0 is inside.
  gated.col(problem.num_patterns() - 1) << 0.5, 0.1, 0.0, 2.0;
  const ConeDecomposition inside = decompose_gated_solution(problem, gated);
  EXPECT_EQ(inside.split_blocks, 0);
  EXPECT_EQ(inside.relu_objective, inside.gated_objective);
  // A mixed-sign block on that pattern splits into its positive and negative parts' worth.
  gated.col(problem.num_patterns() - 1) << 1.0, -2.0, 0.5, 3.0;
  const ConeDecomposition split = decompose_gated_solution(problem, gated);
  EXPECT_EQ(split.split_blocks, 1);
  EXPECT_LE(split.max_cone_violation, 1e-12);
  EXPECT_GT(split.relu_objective, split.gated_objective);
  // Here K = {z >= 0}, and the least ||v||^2 + ||w||^2 split of u is v = u_+, w = u_-.
  const Eigen::Index last = problem.num_patterns() - 1;
  Eigen::VectorXd positive(4), negative(4);
  positive << 1.0, 0.0, 0.5, 3.0;
  negative << 0.0, 2.0, 0.0, 0.0;
  EXPECT_LT((split.blocks.col(last) - positive).cwiseAbs().maxCoeff(), 1e-9);
  EXPECT_LT((split.blocks.col(2 * last + 1) - negative).cwiseAbs().maxCoeff(), 1e-9);
  // scnn's first-order form is feasible and keeps the prediction too, with a larger penalty.
  ConeDecompositionOptions approximate;
  approximate.method = ConeDecompositionMethod::kApproximateFista;
  const ConeDecomposition first_order = decompose_gated_solution(problem, gated, approximate);
  EXPECT_LE(first_order.max_cone_violation, 1e-12);
  EXPECT_GE(first_order.relu_objective, split.relu_objective - 1e-9);
  EXPECT_LT(
      (problem.predict(first_order.blocks) - problem.predict(split.blocks)).cwiseAbs().maxCoeff(),
      1e-12);
}

TEST(ConeDecomposition, HighDimensionalBlocksAreRepairedFeasiblyWithoutTheLeastDistanceSplit) {
  // d = 301 (above the least-distance limit, as for images): every split block is made feasible
  // by the interior-direction repair alone, the training predictions are unchanged, and the
  // penalty can only grow. (The exact split would be an NNLS in n variables per block.)
  Rng rng(5);
  const Eigen::Index n = 60;
  const Eigen::Index d = 301;
  Eigen::MatrixXd X(n, d);
  for (Eigen::Index k = 0; k < X.size(); ++k) X(k) = rng.normal();
  X.col(d - 1).setOnes();
  ConvexProblem problem;
  problem.X = X;
  problem.y = Eigen::VectorXd::Ones(n);
  problem.beta = 0.1;
  problem.patterns = sample_patterns(X, 6, 7);
  problem.finalize();
  Eigen::MatrixXd gated(d, problem.num_patterns());
  for (Eigen::Index k = 0; k < gated.size(); ++k) gated(k) = rng.normal();
  const ConeDecomposition decomposition = decompose_gated_solution(problem, gated);
  EXPECT_EQ(decomposition.split_blocks, problem.num_patterns());  // random blocks leave their cones
  EXPECT_EQ(decomposition.repaired_blocks, decomposition.split_blocks);
  EXPECT_EQ(decomposition.unrepaired_blocks, 0);
  EXPECT_LE(decomposition.max_cone_violation, 1e-12);
  EXPECT_LE(problem.max_cone_violation(decomposition.blocks), 1e-12);
  Eigen::MatrixXd as_relu = Eigen::MatrixXd::Zero(d, 2 * problem.num_patterns());
  as_relu.leftCols(problem.num_patterns()) = gated;
  EXPECT_LT(
      (problem.predict(decomposition.blocks) - problem.predict(as_relu)).cwiseAbs().maxCoeff(),
      1e-8 * problem.predict(as_relu).cwiseAbs().maxCoeff());
  EXPECT_GE(decomposition.relu_objective, decomposition.gated_objective);
}

TEST(GatedRelu, TrainNetworkRunsTheGatedSolverAndDecomposes) {
  TrainingConfig config = testing::exact_config(LossKind::kSquared, 0.05, 1e-7);
  config.solver = SolverKind::kGated;
  const PreparedProblem prepared = prepare_problem(testing::random_xor(12, 2), nullptr, config);
  const TrainingResult result = train_network(prepared, config);
  EXPECT_EQ(result.summary.status, SolverStatus::kConverged);
  EXPECT_EQ(result.summary.solver, SolverKind::kGated);
  EXPECT_FALSE(result.summary.certifies_global_optimum());
  EXPECT_GE(result.summary.decomposed_objective, result.summary.network_objective);
  EXPECT_NEAR(result.summary.decomposed_objective,
              result.network.objective(prepared.problem.X.leftCols(2), prepared.problem.y,
                                       config.loss, config.beta),
              1e-9);
  EXPECT_NE(result.summary.full_report().find("gated"), std::string::npos);
}

}  // namespace
}  // namespace convexnn
