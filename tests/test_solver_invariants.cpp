// Invariants of science.md 12.3 on small exact and sampled problems.
#include <gtest/gtest.h>

#include <cmath>

#include "convexnn/network_recovery.h"
#include "test_helpers.h"

namespace convexnn {
namespace {

// Records every report so tests can check properties along the run.
class RecordingObserver : public SolverObserver {
 public:
  ObserverAction on_iteration(const IterationReport& report, const IterateView&) override {
    reports.push_back(report);
    return ObserverAction::kContinue;
  }
  std::vector<IterationReport> reports;
};

TEST(SolverInvariants, RecoveredNetworkObjectiveEqualsConvexObjective) {
  for (LossKind loss : {LossKind::kSquared, LossKind::kHinge, LossKind::kLogistic}) {
    const Dataset data = testing::random_xor(12, 7);
    const TrainingConfig config = testing::exact_config(loss, 0.1, 1e-6);
    const PreparedProblem prepared = prepare_problem(data, nullptr, config);
    const TrainingResult result = train_network(prepared, config);
    EXPECT_EQ(result.summary.status, SolverStatus::kConverged) << to_string(loss) << "\n"
                                                               << result.summary.full_report();
    const double network = result.network.objective(data.X, data.y, loss, config.beta);
    EXPECT_NEAR(network, result.summary.network_objective, 1e-9 * std::max(1.0, network));
    // The solution is (nearly) feasible, so the convex objective agrees too.
    EXPECT_LT(result.summary.max_cone_violation, 1e-5);
    EXPECT_NEAR(result.summary.convex_objective, network, 1e-5 * std::max(1.0, network));
    // Predictions of the exported network equal F u on the training set.
    const Eigen::VectorXd fitted = prepared.problem.predict(result.solution.blocks);
    EXPECT_LT((result.network.predict(data.X) - fitted).cwiseAbs().maxCoeff(), 1e-4);
    EXPECT_TRUE(result.summary.certifies_global_optimum());
    EXPECT_NE(result.summary.certificate_statement().find("Certified globally optimal"),
              std::string::npos);
  }
}

TEST(SolverInvariants, LowerBoundNeverExceedsUpperBoundAlongTheRun) {
  const Dataset data = testing::random_xor(14, 11);
  TrainingConfig config = testing::exact_config(LossKind::kSquared, 0.05, 1e-7);
  config.admm.report_every = 1;
  const PreparedProblem prepared = prepare_problem(data, nullptr, config);
  RecordingObserver observer;
  const TrainingResult result = train_network(prepared, config, &observer);
  ASSERT_FALSE(observer.reports.empty());
  double previous_lower = -INFINITY;
  for (const IterationReport& report : observer.reports) {
    EXPECT_LE(report.lower_bound, report.best_network_objective + 1e-12);
    EXPECT_GE(report.relative_gap, -1e-12);
    EXPECT_GE(report.lower_bound, previous_lower);  // best bound is monotone
    previous_lower = report.lower_bound;
  }
  // No other network does better than the certified bound: random networks and the optimum.
  Rng rng(5);
  for (int trial = 0; trial < 50; ++trial) {
    TwoLayerNetwork random;
    random.first_weights = Eigen::MatrixXd::NullaryExpr(20, 2, [&] { return rng.normal(); });
    random.first_bias = Eigen::VectorXd::NullaryExpr(20, [&] { return rng.normal(); });
    random.second_weights = Eigen::VectorXd::NullaryExpr(20, [&] { return 0.3 * rng.normal(); });
    EXPECT_GE(random.objective(data.X, data.y, LossKind::kSquared, config.beta),
              result.summary.lower_bound);
  }
}

TEST(SolverInvariants, NestedPatternSetsGiveNonIncreasingOptimum) {
  const Dataset data = testing::random_xor(30, 3);
  TrainingConfig config;
  config.beta = 0.05;
  config.admm.relative_gap_tolerance = 1e-5;
  config.pattern_samples = 120;
  const PreparedProblem large = prepare_problem(data, nullptr, config);
  // The smaller set: the first half of the larger set's patterns (same sampling order).
  PreparedProblem small = large;
  const Eigen::Index half = large.problem.num_patterns() / 2;
  small.problem.patterns.masks = large.problem.patterns.masks.leftCols(half).eval();
  small.problem.patterns.generators = large.problem.patterns.generators.leftCols(half).eval();
  small.problem.finalize();
  const TrainingResult small_result = train_network(small, config);
  const TrainingResult large_result = train_network(large, config);
  ASSERT_EQ(small_result.summary.status, SolverStatus::kConverged);
  ASSERT_EQ(large_result.summary.status, SolverStatus::kConverged);
  // p*(S2) <= p*(S1): compare the certified lower bound of the small set with the large optimum.
  EXPECT_LE(large_result.summary.lower_bound, small_result.summary.network_objective + 1e-9);
  EXPECT_LE(large_result.summary.network_objective,
            small_result.summary.lower_bound * (1 + 3e-5) + 1e-9);
}

TEST(SolverInvariants, SymmetryUnderLabelFlip) {
  Dataset data = testing::random_xor(12, 21);
  data.y(0) *= -1;  // break the XOR symmetry so both signs matter
  for (LossKind loss : {LossKind::kSquared, LossKind::kHinge}) {
    const TrainingConfig config = testing::exact_config(loss, 0.2, 1e-7);
    Dataset flipped = data;
    flipped.y = -data.y;
    const TrainingResult original = train_network(prepare_problem(data, nullptr, config), config);
    const TrainingResult mirrored =
        train_network(prepare_problem(flipped, nullptr, config), config);
    EXPECT_NEAR(original.summary.network_objective, mirrored.summary.network_objective,
                1e-6 * std::max(1.0, original.summary.network_objective));
  }
}

TEST(SolverInvariants, ScalingOfTargetsAndBeta) {
  // p*(X, c y, c beta) = c^2 p*(X, y, beta) for squared loss (labels need not be +-1 here).
  const Dataset data = testing::random_xor(10, 9);
  TrainingConfig config = testing::exact_config(LossKind::kSquared, 0.1, 1e-8);
  PreparedProblem prepared = prepare_problem(data, nullptr, config);
  AdmmSolution base;
  const SolverSummary base_summary = solve_admm(prepared.problem, config.admm, &base);
  const double c = 3.0;
  prepared.problem.y *= c;
  prepared.problem.beta *= c;
  AdmmSolution scaled;
  const SolverSummary scaled_summary = solve_admm(prepared.problem, config.admm, &scaled);
  EXPECT_NEAR(scaled_summary.network_objective, c * c * base_summary.network_objective,
              1e-6 * c * c * base_summary.network_objective);
}

TEST(SolverInvariants, ObjectiveNonDecreasingInBeta) {
  const Dataset data = testing::random_xor(10, 13);
  double previous = 0.0;
  for (double beta : {0.01, 0.1, 0.5, 2.0}) {
    const TrainingConfig config = testing::exact_config(LossKind::kSquared, beta, 1e-7);
    const TrainingResult result = train_network(prepare_problem(data, nullptr, config), config);
    EXPECT_GE(result.summary.network_objective, previous - 1e-7);
    EXPECT_LE(result.summary.network_objective, 0.5 * data.y.squaredNorm() + 1e-9);
    previous = result.summary.network_objective;
  }
}

TEST(SolverInvariants, SampledPatternsReachTheRequestedGap) {
  GeneratorSettings settings;
  settings.name = "gaussians";
  settings.n = 200;
  const Dataset data = generate_dataset(settings);
  TrainingConfig config;
  config.pattern_samples = 40;
  config.beta = 0.1;
  config.admm.relative_gap_tolerance = 1e-3;
  const TrainingResult result = train_network(prepare_problem(data, nullptr, config), config);
  EXPECT_EQ(result.summary.status, SolverStatus::kConverged) << result.summary.full_report();
  EXPECT_LE(result.summary.relative_gap, 1e-3);
  EXPECT_FALSE(result.summary.certifies_global_optimum());
  EXPECT_NE(result.summary.certificate_statement().find("sampled convex program"),
            std::string::npos);
  EXPECT_GT(classification_accuracy(result.network.predict(data.X), data.y), 0.8);
}

TEST(SolverInvariants, ReportedUpperBoundComesFromFeasiblePointsOnly) {
  // Before convergence the iterate is infeasible for the cone constraints, and its recovered
  // network can have a lower objective than the projected points the certificate uses (its
  // neurons' patterns lie outside the sampled set). The reported U and gap must be the
  // certificate's, never that network's: else the live gap is smaller than the certified one.
  Rng rng(8);
  Dataset data;
  data.X.resize(150, 6);
  data.y.resize(150);
  for (Eigen::Index i = 0; i < data.X.rows(); ++i) {
    for (Eigen::Index j = 0; j < data.X.cols(); ++j) data.X(i, j) = rng.normal();
    const double score = std::max(0.0, data.X(i, 0) - data.X(i, 1)) -
                         std::max(0.0, data.X(i, 2) + 0.5 * data.X(i, 3) - 0.3);
    data.y[i] = score > 0.1 ? 1.0 : -1.0;
  }
  for (int j = 0; j < 6; ++j) data.feature_names.push_back("x" + std::to_string(j));
  for (SolverKind solver : {SolverKind::kAdmm, SolverKind::kAugmentedLagrangian}) {
    TrainingConfig config;
    config.solver = solver;
    config.pattern_samples = 30;
    config.beta = 0.05;
    config.admm.max_iterations = 60;
    config.admm.polish = false;
    config.augmented_lagrangian.max_iterations = 150;
    config.augmented_lagrangian.polish = false;
    config.augmented_lagrangian.report_every = 1;
    const PreparedProblem prepared = prepare_problem(data, nullptr, config);
    RecordingObserver observer;
    const TrainingResult result = train_network(prepared, config, &observer);
    ASSERT_FALSE(observer.reports.empty());
    bool iterate_undercuts = false;  // the situation this test is about must occur
    double previous_upper = INFINITY;
    for (const IterationReport& report : observer.reports) {
      // The final U is the best certified point of the whole run, so no report goes below it.
      EXPECT_GE(report.best_network_objective, result.summary.network_objective * (1 - 1e-12))
          << to_string(solver) << " iteration " << report.iteration;
      EXPECT_LE(report.best_network_objective, previous_upper);
      EXPECT_GE(report.relative_gap, result.summary.relative_gap * (1 - 1e-12));
      previous_upper = report.best_network_objective;
      iterate_undercuts =
          iterate_undercuts || report.network_objective < result.summary.network_objective;
    }
    EXPECT_TRUE(iterate_undercuts) << to_string(solver) << ": no report tested the rule";
    EXPECT_EQ(result.summary.status, SolverStatus::kIterationLimit) << to_string(solver);
  }
}

}  // namespace
}  // namespace convexnn
