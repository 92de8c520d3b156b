// Pattern column generation (science.md 11.1): violating fresh patterns are found, added and the
// objective decreases towards the exact optimum, never below it and never up.
#include <gtest/gtest.h>

#include "convexnn/dual_certificate.h"
#include "convexnn/pattern_generation.h"
#include "test_helpers.h"

namespace convexnn {
namespace {

struct TinyProblem {
  ConvexProblem sampled;
  double exact_optimum = 0.0;
};

TinyProblem make_tiny(int n, int initial_draws, double beta, LossKind loss) {
  const Dataset data = testing::random_xor(n, 3);
  TrainingConfig exact = testing::exact_config(loss, beta, 1e-9);
  const PreparedProblem prepared_exact = prepare_problem(data, nullptr, exact);
  const TrainingResult optimum = train_network(prepared_exact, exact);
  EXPECT_EQ(optimum.summary.status, SolverStatus::kConverged);
  TrainingConfig sampled = exact;
  sampled.pattern_mode = PatternMode::kSampled;
  sampled.pattern_samples = initial_draws;
  TinyProblem tiny;
  tiny.sampled = prepare_problem(data, nullptr, sampled).problem;
  tiny.exact_optimum = optimum.summary.network_objective;
  return tiny;
}

void expect_monotone_and_above(const PatternGenerationSummary& result, double exact_optimum) {
  for (std::size_t r = 1; r < result.round_objectives.size(); ++r) {
    EXPECT_LE(result.round_objectives[r], result.round_objectives[r - 1] * (1 + 1e-9));
  }
  for (double objective : result.round_objectives) {
    EXPECT_GE(objective, exact_optimum * (1 - 1e-7));  // no network beats the global optimum
  }
}

TEST(PatternGeneration, WithAllPatternsOfferedItReachesTheExactOptimum) {
  // Offering the exact enumeration as candidates makes "no violation" a certificate for the
  // exact program, so generation must end at its optimum.
  for (LossKind loss : {LossKind::kSquared, LossKind::kLogistic}) {
    TinyProblem tiny = make_tiny(16, 4, 0.1, loss);
    const Eigen::Index start = tiny.sampled.num_patterns();
    PatternGenerationOptions generation;
    generation.candidates = [](const Eigen::MatrixXd& X, int) { return enumerate_patterns_2d(X); };
    const PatternGenerationSummary result = solve_with_pattern_generation(
        tiny.sampled, testing::tight_admm_options(1e-8), generation, nullptr);
    ASSERT_GE(result.round_objectives.size(), 2u) << "the first batch should find violations";
    EXPECT_EQ(result.initial_patterns, start);
    EXPECT_EQ(result.patterns_added, tiny.sampled.num_patterns() - start);
    EXPECT_LT(tiny.sampled.num_patterns(), enumerate_patterns_2d(tiny.sampled.X).num_patterns())
        << "only violating patterns are added";
    expect_monotone_and_above(result, tiny.exact_optimum);
    EXPECT_TRUE(result.no_violation_found);
    EXPECT_NEAR(result.summary.network_objective, tiny.exact_optimum, 1e-6 * tiny.exact_optimum)
        << "loss " << to_string(loss) << " after adding " << result.patterns_added << " patterns";
  }
}

TEST(PatternGeneration, GaussianBatchesLowerTheObjectiveTowardsTheOptimum) {
  TinyProblem tiny = make_tiny(16, 4, 0.1, LossKind::kSquared);
  PatternGenerationOptions generation;
  generation.batch_size = 300;
  const PatternGenerationSummary result = solve_with_pattern_generation(
      tiny.sampled, testing::tight_admm_options(1e-8), generation, nullptr);
  ASSERT_GE(result.round_objectives.size(), 2u);
  expect_monotone_and_above(result, tiny.exact_optimum);
  EXPECT_LT(result.round_objectives.back(), result.round_objectives.front());
  // The gap to the optimum closes by at least half (it need not close: rare patterns may never
  // be drawn, which is why the result certifies only the patterns seen).
  EXPECT_LT(result.round_objectives.back() - tiny.exact_optimum,
            0.5 * (result.round_objectives.front() - tiny.exact_optimum));
}

TEST(PatternGeneration, NothingViolatesAtTheExactOptimumButMuchDoesAtZero) {
  const Dataset data = testing::random_xor(14, 5);
  TrainingConfig exact = testing::exact_config(LossKind::kSquared, 0.05, 1e-9);
  const PreparedProblem prepared = prepare_problem(data, nullptr, exact);
  const TrainingResult optimum = train_network(prepared, exact);
  ASSERT_EQ(optimum.summary.status, SolverStatus::kConverged);
  const ConvexProblem& problem = prepared.problem;
  // Split the exact set: half known, the other half offered as candidates.
  ConvexProblem half = problem;
  const Eigen::Index P = problem.num_patterns();
  half.patterns.masks = problem.patterns.masks.leftCols(P / 2);
  half.patterns.generators = problem.patterns.generators.leftCols(P / 2);
  half.finalize();
  PatternSet rest;
  rest.masks = problem.patterns.masks.rightCols(P - P / 2);
  rest.generators = problem.patterns.generators.rightCols(P - P / 2);

  const Eigen::VectorXd at_optimum =
      dual_candidate(problem, problem.predict(optimum.solution.blocks), nullptr);
  EXPECT_EQ(violating_patterns(half, rest, at_optimum, 1.0, 1e-4).num_patterns(), 0);
  const Eigen::VectorXd at_zero =
      dual_candidate(problem, Eigen::VectorXd::Zero(problem.num_samples()), nullptr);
  const PatternSet violating = violating_patterns(half, rest, at_zero, 1.0, 1e-4);
  EXPECT_GT(violating.num_patterns(), 0);
  // Known patterns are never offered again.
  PatternSet known;
  known.masks = half.patterns.masks;
  known.generators = half.patterns.generators;
  EXPECT_EQ(violating_patterns(half, known, at_zero, 1.0, 1e-4).num_patterns(), 0);
}

TEST(PatternGeneration, AppendingKeepsThePointAndAWarmStartableState) {
  TinyProblem tiny = make_tiny(12, 6, 0.1, LossKind::kSquared);
  AdmmSolution solution;
  solve_admm(tiny.sampled, testing::tight_admm_options(1e-8), &solution);
  const Eigen::VectorXd before = tiny.sampled.predict(solution.blocks);
  const double objective = tiny.sampled.objective(solution.blocks);
  const PatternSet extra = sample_patterns(tiny.sampled.X, 50, 99);
  const PatternSet fresh =
      violating_patterns(tiny.sampled, extra, Eigen::VectorXd::Ones(12) * 1e3, 1.0, 0.0);
  ASSERT_GT(fresh.num_patterns(), 0);
  append_patterns(tiny.sampled, fresh, &solution);
  EXPECT_TRUE(solution.state.matches(tiny.sampled));
  EXPECT_TRUE(tiny.sampled.predict(solution.blocks).isApprox(before, 1e-12));
  EXPECT_NEAR(tiny.sampled.objective(solution.blocks), objective, 1e-12 * objective);
}

TEST(PatternGeneration, OptionsAreValidatedByName) {
  PatternGenerationOptions options;
  options.batch_size = 0;
  EXPECT_NE(options.validate().find("batch_size"), std::string::npos);
  options = {};
  options.violation_tolerance = -1;
  EXPECT_NE(options.validate().find("violation_tolerance"), std::string::npos);
}

}  // namespace
}  // namespace convexnn
