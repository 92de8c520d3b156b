// Neuron search for column generation: against brute force over every pattern of 2-D data (the
// best candidate attains the largest exact dual constraint value), the structure of its result,
// generation driven by it reaching the exact optimum, and it beating random draws in 8-D.
#include <gtest/gtest.h>

#include <set>
#include <vector>

#include "convexnn/neuron_search.h"
#include "convexnn/parallelism.h"
#include "convexnn/pattern_generation.h"
#include "convexnn/restricted_interior_point.h"
#include "test_helpers.h"

namespace convexnn {
namespace {

ConvexProblem exact_problem(int n, std::uint64_t seed) {
  const Dataset data = testing::random_xor(n, seed);
  TrainingConfig config = testing::exact_config(LossKind::kSquared, 0.1);
  return prepare_problem(data, nullptr, config).problem;
}

// The largest exact dual constraint value max_b q_b(lambda) over the blocks of `patterns`.
double largest_constraint_value(const ConvexProblem& base, const PatternSet& patterns,
                                const Eigen::VectorXd& lambda) {
  ConvexProblem problem = base;
  problem.patterns = patterns;
  problem.finalize();
  return dual_constraint_values(problem, lambda, 0.0).maxCoeff();
}

TEST(NeuronSearch, FindsTheMostViolatedPatternOfAllOnTwoDimensionalData) {
  // On 2-D data every pattern is enumerable, so the global maximum of the dual constraint value
  // is known; the maximizer v* of the best block has g(v*) = q*, which the ascent must reach.
  const ConvexProblem problem = exact_problem(40, 5);
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    const Eigen::VectorXd lambda = testing::random_matrix(problem.num_samples(), 1, seed);
    const double best_of_all = largest_constraint_value(problem, problem.patterns, lambda);
    NeuronSearchOptions options;
    options.random_starts = 200;
    options.max_patterns = 10;
    const NeuronSearchResult found =
        search_neuron_patterns(problem.X, lambda, Eigen::MatrixXd(problem.dim(), 0), options);
    ASSERT_GT(found.patterns.num_patterns(), 0);
    const double best_found = largest_constraint_value(problem, found.patterns, lambda);
    EXPECT_NEAR(best_found, best_of_all, 1e-9 * best_of_all) << "lambda seed " << seed;
    // g(u) <= q_b for the block of u's own pattern, and no realizable pattern exceeds q*; the
    // ascent's generator need not be the cone's maximizer, so g may stay a little below q*.
    EXPECT_LE(found.best_score, best_of_all * (1 + 1e-12));
    EXPECT_GT(found.best_score, 0.95 * best_of_all);
  }
}

TEST(NeuronSearch, GivesTheSameCandidatesOnAnyNumberOfThreads) {
  const ConvexProblem problem = testing::random_pattern_problem(301, 6, 1, Activation{}, 3);
  const Eigen::VectorXd lambda = testing::random_matrix(problem.num_samples(), 1, 9);
  NeuronSearchOptions options;
  options.random_starts = 300;  // with the seeds' starts, not a multiple of the start block
  options.max_patterns = 25;
  options.refine_one_start_per_cell = true;
  const Eigen::MatrixXd seeds = testing::random_matrix(problem.dim(), 5, 11);
  NeuronSearchResult one;
  NeuronSearchResult two;
  run_with_thread_limit(1,
                        [&] { one = search_neuron_patterns(problem.X, lambda, seeds, options); });
  run_with_thread_limit(2,
                        [&] { two = search_neuron_patterns(problem.X, lambda, seeds, options); });
  ASSERT_EQ(one.patterns.num_patterns(), 25);
  EXPECT_EQ(one.patterns.generators, two.patterns.generators);
  EXPECT_EQ(one.scores, two.scores);
}

TEST(NeuronSearch, ReturnsDistinctConsistentPatternsBestFirst) {
  const ConvexProblem problem = testing::random_pattern_problem(301, 6, 1, Activation{}, 3);
  const Eigen::VectorXd lambda = testing::random_matrix(problem.num_samples(), 1, 9);
  NeuronSearchOptions options;
  options.random_starts = 300;
  options.max_patterns = 25;
  const Eigen::MatrixXd seeds = testing::random_matrix(problem.dim(), 4, 11);
  const NeuronSearchResult found = search_neuron_patterns(problem.X, lambda, seeds, options);
  const PatternSet& patterns = found.patterns;
  ASSERT_EQ(patterns.num_patterns(), 25);
  ASSERT_EQ(found.scores.size(), 25);
  std::set<std::vector<bool>> distinct;
  for (Eigen::Index i = 0; i < patterns.num_patterns(); ++i) {
    const Eigen::VectorXd values = problem.X * patterns.generators.col(i);
    std::vector<bool> mask;
    for (Eigen::Index k = 0; k < values.size(); ++k) {
      EXPECT_EQ(patterns.masks(k, i), values[k] >= 0 ? 1.0 : 0.0);
      mask.push_back(patterns.masks(k, i) != 0.0);
    }
    distinct.insert(mask);
    const double norm = patterns.generators.col(i).norm();
    const double up = (-lambda.array() * values.array().max(0.0)).sum() / norm;
    const double down = (lambda.array() * values.array().max(0.0)).sum() / norm;
    EXPECT_NEAR(found.scores[i], std::max(up, down), 1e-12 * (1 + std::abs(found.scores[i])));
    EXPECT_GT(found.scores[i], 0.0);
    if (i > 0) {
      EXPECT_LE(found.scores[i], found.scores[i - 1] * (1 + 1e-12));
    }
  }
  EXPECT_EQ(distinct.size(), 25u);
  EXPECT_DOUBLE_EQ(found.best_score, found.scores[0]);
}

TEST(NeuronSearch, AZeroGradientGivesNoCandidate) {
  const ConvexProblem problem = exact_problem(20, 2);
  const NeuronSearchResult found =
      search_neuron_patterns(problem.X, Eigen::VectorXd::Zero(problem.num_samples()),
                             Eigen::MatrixXd(problem.dim(), 0), NeuronSearchOptions{});
  EXPECT_EQ(found.patterns.num_patterns(), 0);
  EXPECT_EQ(found.best_score, 0.0);
}

TEST(NeuronSearch, OptionsAreValidatedByName) {
  NeuronSearchOptions options;
  EXPECT_EQ(options.validate(), "");
  options.max_patterns = 0;
  EXPECT_NE(options.validate().find("max_patterns"), std::string::npos);
  options = {};
  options.perturbation_scale = -1;
  EXPECT_NE(options.validate().find("perturbation_scale"), std::string::npos);
  PatternGenerationOptions generation;
  generation.search.ascent_steps = -2;
  EXPECT_NE(generation.validate().find("pattern_generation.neuron_search.ascent_steps"),
            std::string::npos);
}

TEST(NeuronSearch, GenerationFromFewPatternsReachesTheExactOptimum) {
  // Column generation with an oracle that finds the most violated pattern ends at the optimum of
  // the program over all patterns.
  const Dataset data = testing::random_xor(16, 3);
  TrainingConfig exact = testing::exact_config(LossKind::kSquared, 0.1, 1e-9);
  const TrainingResult optimum = train_network(prepare_problem(data, nullptr, exact), exact);
  ASSERT_EQ(optimum.summary.status, SolverStatus::kConverged);
  TrainingConfig sampled = exact;
  sampled.pattern_mode = PatternMode::kSampled;
  sampled.pattern_samples = 3;
  ConvexProblem problem = prepare_problem(data, nullptr, sampled).problem;
  const Eigen::Index all_patterns = enumerate_patterns_2d(problem.X).num_patterns();
  PatternGenerationOptions generation;
  generation.source = CandidateSource::kNeuronSearch;
  generation.search.max_patterns = 10;
  const PatternGenerationSummary result = solve_with_pattern_generation(
      problem, testing::tight_admm_options(1e-8), generation, nullptr);
  EXPECT_TRUE(result.no_violation_found);
  EXPECT_GT(result.patterns_added, 0);
  EXPECT_LT(problem.num_patterns(), all_patterns) << "only violating patterns are added";
  const double exact_optimum = optimum.summary.network_objective;
  for (double objective : result.round_objectives) EXPECT_GE(objective, exact_optimum * (1 - 1e-7));
  EXPECT_NEAR(result.summary.network_objective, exact_optimum, 1e-6 * exact_optimum);
}

TEST(NeuronSearch, FindsMoreViolatedPatternsThanAsManyRandomDrawsInEightDimensions) {
  // The oracle's purpose: for the gradient of a restricted solve, the most violated pattern. In
  // 8-D with 300 samples, Gaussian draws rarely land near the maximizers of the constraint value;
  // the search, given the same number of starting directions, must do better than all the draws.
  const Dataset data = testing::random_xor(300, 8);
  Dataset wide = data;
  wide.X.conservativeResize(Eigen::NoChange, 8);
  Rng rng(4);
  for (Eigen::Index i = 0; i < wide.X.rows(); ++i)
    for (Eigen::Index j = 2; j < 8; ++j) wide.X(i, j) = rng.normal();
  for (int j = 2; j < 8; ++j) wide.feature_names.push_back("noise" + std::to_string(j));
  TrainingConfig config = testing::exact_config(LossKind::kSquared, 0.05);
  config.pattern_mode = PatternMode::kSampled;
  config.pattern_samples = 4;
  ConvexProblem problem = prepare_problem(wide, nullptr, config).problem;
  AdmmSolution solution;
  solve_admm(problem, testing::tight_admm_options(1e-8), &solution);
  const Eigen::VectorXd lambda =
      loss_gradient(problem.loss, problem.predict(solution.blocks), problem.y);
  NeuronSearchOptions options;
  options.random_starts = 500;
  options.max_patterns = 5;
  const NeuronSearchResult found = search_neuron_patterns(
      problem.X, lambda, Eigen::MatrixXd(problem.dim(), 0), options, &problem.patterns);
  ASSERT_GT(found.patterns.num_patterns(), 0);
  const double searched = largest_constraint_value(problem, found.patterns, lambda);
  // Both output signs count for the draws too: dual_constraint_values takes the larger.
  const double drawn = largest_constraint_value(
      problem, sample_patterns(problem.X, 2 * options.random_starts, 77), lambda);
  EXPECT_GT(searched, 1.2 * drawn) << "searched " << searched << ", drawn " << drawn;
  // Still ahead when the draws get as many patterns as the search evaluates (every start at
  // every ascent step): the ascent and the exact refinement must do better than luck. Measured:
  // 22.79 against 22.15; with either step reversed the search falls below the draws.
  const int evaluated = 2 * options.random_starts * (options.ascent_steps + 1);
  const double drawn_as_many =
      largest_constraint_value(problem, sample_patterns(problem.X, evaluated, 77), lambda);
  EXPECT_GT(searched, drawn_as_many) << "searched " << searched << ", drawn " << drawn_as_many;
  EXPECT_GT(searched, problem.beta) << "the restricted solve is not optimal over all patterns";
}

}  // namespace
}  // namespace convexnn
