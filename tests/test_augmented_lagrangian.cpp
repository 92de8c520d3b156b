// The augmented Lagrangian method for the ReLU program (science.md 10.3) against closed forms,
// the interior-point reference and ADMM, with the certificate of 11.1.
#include <gtest/gtest.h>

#include <cmath>
#include <stop_token>
#include <vector>

#include "convexnn/augmented_lagrangian.h"
#include "convexnn/network_recovery.h"
#include "reference_data.h"
#include "test_helpers.h"

namespace convexnn {
namespace {

double huberized(double r, double beta) {
  return r <= beta ? 0.5 * r * r : beta * r - 0.5 * beta * beta;
}

AugmentedLagrangianOptions al_options(double tolerance) {
  AugmentedLagrangianOptions options;
  options.relative_gap_tolerance = tolerance;
  options.max_iterations = 20000;
  return options;
}

ConvexProblem exact_xor(int n, std::uint64_t seed, LossKind loss, double beta) {
  const TrainingConfig config = testing::exact_config(loss, beta);
  return prepare_problem(testing::random_xor(n, seed), nullptr, config).problem;
}

TEST(AugmentedLagrangian, OrthonormalSamplesMatchTheClosedForm) {
  Eigen::VectorXd y(4);
  y << 1, -2, 0.5, 3;
  const double beta = 0.7;
  const ConvexProblem problem =
      testing::all_subsets_problem(Eigen::MatrixXd::Identity(4, 4), y, beta);
  const double expected = huberized(std::sqrt(1 + 0.25 + 9), beta) + huberized(2.0, beta);
  AugmentedLagrangianSolution solution;
  const SolverSummary summary = solve_augmented_lagrangian(problem, al_options(1e-9), &solution);
  EXPECT_EQ(summary.status, SolverStatus::kConverged) << summary.full_report();
  EXPECT_EQ(summary.solver, SolverKind::kAugmentedLagrangian);
  EXPECT_NEAR(summary.network_objective, expected, 1e-7);
  EXPECT_LE(summary.lower_bound, expected + 1e-12);
  EXPECT_LE(summary.max_cone_violation, 1e-12);  // U comes from a feasible point
}

TEST(AugmentedLagrangian, MatchesTheInteriorPointReference) {
  for (const std::string name : {"xor12", "circle14"}) {
    const auto reference = testing::load_reference(name);
    ConvexProblem problem = testing::exact_reference_problem(reference);
    for (const auto& stored : reference.at("solutions")) {
      if (stored.at("loss") != "squared") continue;
      problem.loss = LossKind::kSquared;
      problem.beta = stored.at("beta");
      const double optimum = stored.at("optimum");
      SCOPED_TRACE(name + " beta=" + std::to_string(problem.beta));
      AugmentedLagrangianSolution solution;
      const SolverSummary summary =
          solve_augmented_lagrangian(problem, al_options(1e-7), &solution);
      ASSERT_EQ(summary.status, SolverStatus::kConverged) << summary.full_report();
      const double scale = std::max(1.0, optimum);
      // L <= p* <= U with U - L <= 1e-7 relative.
      EXPECT_LE(summary.lower_bound, optimum + 1e-9 * scale);
      EXPECT_GE(summary.network_objective, optimum - 1e-9 * scale);
      EXPECT_LE(summary.network_objective - optimum, 2e-7 * scale);
    }
  }
}

// scnn's stopping rule: the run stops with kKktCriterion only where the rule holds (checked here
// from the returned state, independently of the solver's bookkeeping), is not called certified,
// and its point is near the interior-point optimum, while the gap still bounds it honestly.
TEST(AugmentedLagrangian, KktToleranceStopsByScnnsRuleWithoutClaimingACertificate) {
  const auto reference = testing::load_reference("xor12");
  ConvexProblem problem = testing::exact_reference_problem(reference);
  const auto& stored = reference.at("solutions").at(0);
  ASSERT_EQ(stored.at("loss"), "squared");
  problem.loss = LossKind::kSquared;
  problem.beta = stored.at("beta");
  const double optimum = stored.at("optimum");
  const double n = static_cast<double>(problem.num_samples());

  AugmentedLagrangianOptions options = al_options(0.0);  // no gap can stop it
  options.polish = false;
  options.kkt_tolerance = 1e-8;
  AugmentedLagrangianSolution solution;
  const SolverSummary summary = solve_augmented_lagrangian(problem, options, &solution);
  ASSERT_EQ(summary.status, SolverStatus::kKktCriterion) << summary.full_report();
  EXPECT_FALSE(summary.certifies_global_optimum());
  const AugmentedLagrangianState& state = solution.state;
  const double violation = (-problem.cone_values(state.blocks)).cwiseMax(0.0).squaredNorm();
  EXPECT_LE(violation, options.kkt_tolerance);
  // The augmented Lagrangian's gradient at the final multipliers, written out (science.md 10.3).
  const Eigen::VectorXd prediction = problem.predict(state.blocks);
  const Eigen::MatrixXd gaps =
      (state.multipliers / state.penalty - problem.cone_values(state.blocks)).cwiseMax(0.0);
  const Eigen::MatrixXd gradient =
      problem.predict_adjoint(prediction - problem.y) - state.penalty * problem.cone_adjoint(gaps);
  const double stationarity =
      min_norm_subgradient(state.blocks, gradient, problem.beta).squaredNorm() / (n * n);
  EXPECT_LE(stationarity, options.kkt_tolerance);
  EXPECT_NEAR(problem.objective(state.blocks), optimum, 1e-3 * std::max(1.0, optimum));
  EXPECT_LE(summary.lower_bound, optimum + 1e-9);
  EXPECT_GE(summary.network_objective, optimum - 1e-9);

  // Off (the default), the same run does not stop that way.
  options.kkt_tolerance = 0.0;
  options.max_iterations = summary.iterations;
  AugmentedLagrangianSolution plain;
  EXPECT_NE(solve_augmented_lagrangian(problem, options, &plain).status,
            SolverStatus::kKktCriterion);
}

// AL and ADMM certify the same optimum on shared problems (squared and logistic).
TEST(AugmentedLagrangian, AgreesWithAdmm) {
  for (const LossKind loss : {LossKind::kSquared, LossKind::kLogistic}) {
    const ConvexProblem problem = exact_xor(14, 8, loss, 0.05);
    const double tolerance = 1e-6;
    AugmentedLagrangianSolution al;
    const SolverSummary al_summary =
        solve_augmented_lagrangian(problem, al_options(tolerance), &al);
    AdmmOptions admm_options;
    admm_options.relative_gap_tolerance = tolerance;
    AdmmSolution admm;
    const SolverSummary admm_summary = solve_admm(problem, admm_options, &admm);
    SCOPED_TRACE(to_string(loss));
    ASSERT_EQ(al_summary.status, SolverStatus::kConverged) << al_summary.full_report();
    ASSERT_EQ(admm_summary.status, SolverStatus::kConverged);
    // Each solver's lower bound is below the other's upper bound, and both values agree.
    EXPECT_LE(al_summary.lower_bound, admm_summary.network_objective + 1e-12);
    EXPECT_LE(admm_summary.lower_bound, al_summary.network_objective + 1e-12);
    const double scale = std::max(1.0, std::abs(admm_summary.network_objective));
    EXPECT_NEAR(al_summary.network_objective, admm_summary.network_objective,
                2 * tolerance * scale);
    // The recovered network's objective is U.
    const TwoLayerNetwork network = recover_network(problem, al.blocks);
    EXPECT_NEAR(network.objective(problem.X.leftCols(2), problem.y, loss, problem.beta),
                al_summary.network_objective, 1e-9 * scale);
  }
}

// Without the interior-point polish the method is first order: certified to a moderate gap.
TEST(AugmentedLagrangian, FirstOrderAloneCertifiesAModerateGap) {
  for (const LossKind loss : {LossKind::kSquared, LossKind::kLogistic}) {
    const ConvexProblem problem = exact_xor(12, 6, loss, 0.05);
    AugmentedLagrangianOptions options = al_options(1e-3);
    options.polish = false;
    AugmentedLagrangianSolution al;
    const SolverSummary summary = solve_augmented_lagrangian(problem, options, &al);
    AdmmSolution admm;
    AdmmOptions admm_options;
    admm_options.relative_gap_tolerance = 1e-8;
    const SolverSummary reference = solve_admm(problem, admm_options, &admm);
    SCOPED_TRACE(to_string(loss));
    ASSERT_EQ(summary.status, SolverStatus::kConverged) << summary.full_report();
    EXPECT_EQ(summary.polish_successes, 0);
    EXPECT_LE(summary.lower_bound, reference.network_objective + 1e-12);
    EXPECT_GE(summary.network_objective, reference.lower_bound - 1e-12);
    EXPECT_LE(summary.network_objective - reference.network_objective,
              1e-3 * std::max(1.0, reference.network_objective));
    EXPECT_LE(summary.max_cone_violation, 1e-12);
  }
}

class RecordingObserver : public SolverObserver {
 public:
  explicit RecordingObserver(int stop_after = -1) : stop_after_(stop_after) {}
  ObserverAction on_iteration(const IterationReport& report, const IterateView&) override {
    reports.push_back(report);
    return stop_after_ >= 0 && static_cast<int>(reports.size()) >= stop_after_
               ? ObserverAction::kStop
               : ObserverAction::kContinue;
  }
  std::vector<IterationReport> reports;

 private:
  int stop_after_;
};

TEST(AugmentedLagrangian, LowerBoundStaysBelowUpperBoundAlongTheRun) {
  const ConvexProblem problem = exact_xor(12, 3, LossKind::kLogistic, 0.05);
  RecordingObserver observer;
  SolveContext context;
  context.observer = &observer;
  AugmentedLagrangianOptions options = al_options(1e-6);
  options.report_every = 5;
  AugmentedLagrangianSolution solution;
  const SolverSummary summary = solve_augmented_lagrangian(problem, options, &solution, context);
  ASSERT_EQ(summary.status, SolverStatus::kConverged) << summary.full_report();
  ASSERT_GT(observer.reports.size(), 2u);
  double previous_lower = -std::numeric_limits<double>::infinity();
  for (const IterationReport& report : observer.reports) {
    EXPECT_LE(report.lower_bound, summary.network_objective + 1e-12);
    EXPECT_GE(report.lower_bound, previous_lower);
    if (std::isfinite(report.lower_bound)) {
      EXPECT_LE(report.lower_bound, report.best_network_objective + 1e-12);
    }
    previous_lower = report.lower_bound;
  }
  EXPECT_EQ(observer.reports.back().iteration, summary.iterations);
  EXPECT_GT(solution.outer_iterations, 1);
  EXPECT_TRUE(solution.state.window_reached);
  EXPECT_GT(solution.state.multipliers.maxCoeff(), 0.0);
}

TEST(AugmentedLagrangian, ObserverAndStopTokenCancel) {
  const ConvexProblem problem = exact_xor(12, 3, LossKind::kSquared, 0.01);
  RecordingObserver observer(4);
  SolveContext context;
  context.observer = &observer;
  AugmentedLagrangianSolution solution;
  const SolverSummary stopped =
      solve_augmented_lagrangian(problem, al_options(0.0), &solution, context);
  EXPECT_EQ(stopped.status, SolverStatus::kCancelled);
  EXPECT_EQ(observer.reports.size(), 4u);
  EXPECT_EQ(stopped.iterations, 4);

  std::stop_source source;
  source.request_stop();
  SolveContext cancelled_context;
  cancelled_context.stop_token = source.get_token();
  AugmentedLagrangianSolution other;
  const SolverSummary cancelled =
      solve_augmented_lagrangian(problem, al_options(0.0), &other, cancelled_context);
  EXPECT_EQ(cancelled.status, SolverStatus::kCancelled);
  EXPECT_EQ(cancelled.iterations, 0);
}

TEST(AugmentedLagrangian, WarmStartIsFaster) {
  ConvexProblem problem = exact_xor(12, 5, LossKind::kSquared, 0.1);
  AugmentedLagrangianSolution solution;
  const SolverSummary cold = solve_augmented_lagrangian(problem, al_options(1e-6), &solution);
  ASSERT_EQ(cold.status, SolverStatus::kConverged);
  // A slightly different beta, started from the previous state.
  problem.beta = 0.11;
  const SolverSummary warm = solve_augmented_lagrangian(problem, al_options(1e-6), &solution);
  AugmentedLagrangianSolution fresh;
  const SolverSummary reference = solve_augmented_lagrangian(problem, al_options(1e-6), &fresh);
  ASSERT_EQ(warm.status, SolverStatus::kConverged);
  ASSERT_EQ(reference.status, SolverStatus::kConverged);
  EXPECT_LT(warm.iterations, reference.iterations);
  EXPECT_NEAR(warm.network_objective, reference.network_objective,
              2e-6 * std::max(1.0, reference.network_objective));
}

TEST(AugmentedLagrangian, RejectsHingeLossAndInvalidOptionsByName) {
  ConvexProblem problem = exact_xor(8, 1, LossKind::kHinge, 0.1);
  AugmentedLagrangianSolution solution;
  const SolverSummary hinge = solve_augmented_lagrangian(problem, {}, &solution);
  EXPECT_EQ(hinge.status, SolverStatus::kInvalidOptions);
  EXPECT_NE(hinge.message.find("loss"), std::string::npos) << hinge.message;
  problem.loss = LossKind::kSquared;
  AugmentedLagrangianOptions options;
  options.window_lower = 1.0;  // above window_upper
  const SolverSummary invalid = solve_augmented_lagrangian(problem, options, &solution);
  EXPECT_EQ(invalid.status, SolverStatus::kInvalidOptions);
  EXPECT_NE(invalid.message.find("window_lower"), std::string::npos) << invalid.message;

  TrainingConfig config = testing::exact_config(LossKind::kSquared, 0.1);
  config.solver = SolverKind::kAugmentedLagrangian;
  config.epsilon = 0.1;
  EXPECT_NE(config.validate().find("solver"), std::string::npos);
}

TEST(AugmentedLagrangian, TrainNetworkDispatchesOnTheSolver) {
  TrainingConfig config = testing::exact_config(LossKind::kSquared, 0.05, 1e-6);
  config.solver = SolverKind::kAugmentedLagrangian;
  config.augmented_lagrangian.relative_gap_tolerance = 1e-6;
  const PreparedProblem prepared = prepare_problem(testing::random_xor(12, 2), nullptr, config);
  const TrainingResult al = train_network(prepared, config);
  config.solver = SolverKind::kAdmm;
  const TrainingResult admm = train_network(prepared, config);
  EXPECT_EQ(al.summary.solver, SolverKind::kAugmentedLagrangian);
  EXPECT_EQ(al.summary.status, SolverStatus::kConverged);
  EXPECT_TRUE(al.summary.certifies_global_optimum());
  EXPECT_NEAR(al.summary.network_objective, admm.summary.network_objective,
              2e-6 * std::max(1.0, admm.summary.network_objective));
  EXPECT_EQ(al.network.width(), count_active_blocks(al.solution.blocks));
}

}  // namespace
}  // namespace convexnn
