// Neuron generation for the sampled convex program: on 2-D data it reaches the global optimum of
// the exact convex program (every pattern enumerated), it never raises the objective, it beats as
// many fixed random neurons, and a beta above every constraint value stops at the zero network
// (closed form: objective ||y||^2 / 2).
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "convexnn/neuron_generation.h"
#include "test_helpers.h"

namespace convexnn {
namespace {

ConvexProblem xor_problem(int n, double beta) {
  TrainingConfig config = testing::exact_config(LossKind::kSquared, beta);
  return prepare_problem(testing::random_xor(n, 4), nullptr, config).problem;
}

RandomFeatureOptions lasso_options(int features) {
  return testing::tight_random_feature_options(features, 20000);
}

PatternGenerationOptions neuron_search(int batch, int rounds) {
  PatternGenerationOptions generation;
  generation.source = CandidateSource::kNeuronSearch;
  generation.batch_size = batch;
  generation.max_rounds = rounds;
  return generation;
}

TEST(NeuronGeneration, ReachesTheExactProgramsOptimumOnTwoDimensionalData) {
  // Every optimal block of the exact program points at the maximizer of the dual constraint over
  // its cell, which the search's exact steps find on 2-D data; so the grown lasso attains the
  // global optimum, and no network lies below the exact program's lower bound.
  for (double beta : {0.1, 0.3}) {
    const ConvexProblem problem = xor_problem(20, beta);
    TrainingConfig exact = testing::exact_config(LossKind::kSquared, beta, 1e-9);
    const TrainingResult optimum =
        train_network(prepare_problem(testing::random_xor(20, 4), nullptr, exact), exact);
    ASSERT_EQ(optimum.summary.status, SolverStatus::kConverged);
    RandomFeatureSolution solution;
    const PatternGenerationSummary grown = solve_with_neuron_generation(
        problem, lasso_options(3), neuron_search(10, 60), &solution);
    EXPECT_TRUE(grown.no_violation_found) << beta;
    const double upper = grown.summary.network_objective;
    EXPECT_GE(upper, optimum.summary.lower_bound * (1 - 1e-9)) << beta;
    EXPECT_LE(upper, optimum.summary.network_objective * (1 + 1e-6)) << beta;
    // The network is the lasso's: its own objective is U.
    const TwoLayerNetwork network =
        random_feature_network(problem, solution.directions, solution.weights);
    EXPECT_NEAR(network.objective(problem.X.leftCols(2), problem.y, problem.loss, problem.beta),
                upper, 1e-9 * std::max(1.0, upper))
        << beta;
  }
}

TEST(NeuronGeneration, NeverRaisesTheObjectiveAndBeatsAsManyFixedNeurons) {
  const Eigen::MatrixXd inputs = testing::random_matrix(200, 8, 3);
  Dataset data;
  data.X = inputs;
  data.y = (inputs.col(0).array() * inputs.col(1).array() + inputs.col(2).array() > 0)
               .cast<double>() * 2.0 - 1.0;
  for (int j = 0; j < 8; ++j) data.feature_names.push_back("x" + std::to_string(j));
  TrainingConfig config;
  config.pattern_samples = 1;
  config.beta = 0.5;
  const ConvexProblem problem = prepare_problem(data, nullptr, config).problem;
  for (CandidateSource source : {CandidateSource::kNeuronSearch, CandidateSource::kRandomDraws}) {
    PatternGenerationOptions generation = neuron_search(20, 8);
    generation.source = source;
    RandomFeatureSolution solution;
    const PatternGenerationSummary grown =
        solve_with_neuron_generation(problem, lasso_options(10), generation, &solution);
    ASSERT_EQ(grown.round_objectives.size(), static_cast<std::size_t>(grown.rounds + 1));
    ASSERT_GT(grown.rounds, 0);
    for (std::size_t r = 1; r < grown.round_objectives.size(); ++r) {
      EXPECT_LE(grown.round_objectives[r], grown.round_objectives[r - 1] * (1 + 1e-12)) << r;
    }
    EXPECT_LT(grown.round_objectives.back(), grown.round_objectives.front());
    EXPECT_EQ(grown.summary.num_patterns, solution.directions.cols());
    // As many random directions as the grown dictionary holds do worse.
    RandomFeatureSolution fixed;
    const SolverSummary random = solve_random_features(
        problem, lasso_options(static_cast<int>(solution.directions.cols())), &fixed);
    EXPECT_LT(grown.summary.network_objective, random.network_objective)
        << static_cast<int>(source);
  }
}

TEST(NeuronGeneration, StopsAtTheZeroNetworkWhenBetaExceedsEveryConstraint) {
  // At the zero network lambda = -y, and |y^T (X u)_+| <= sum_k |y_k| ||x_k|| for unit u: with
  // beta above that bound no direction violates and the optimum is the zero network.
  // A final slide has nothing to move there and leaves the certified zero network alone.
  ConvexProblem problem = xor_problem(20, 1.0);
  problem.beta = 1.01 * (problem.y.cwiseAbs().array() * problem.X.rowwise().norm().array()).sum();
  for (int final_slide : {0, 100}) {
    PatternGenerationOptions generation = neuron_search(10, 5);
    generation.final_slide_iterations = final_slide;
    RandomFeatureSolution solution;
    const PatternGenerationSummary grown =
        solve_with_neuron_generation(problem, lasso_options(4), generation, &solution);
    EXPECT_EQ(grown.rounds, 0) << final_slide;
    EXPECT_TRUE(grown.no_violation_found) << final_slide;
    EXPECT_EQ(grown.patterns_added, 0) << final_slide;
    EXPECT_NEAR(grown.summary.network_objective, 0.5 * problem.y.squaredNorm(), 1e-12)
        << final_slide;
    EXPECT_EQ(grown.summary.active_neurons, 0) << final_slide;
    EXPECT_EQ(grown.summary.status, SolverStatus::kConverged) << final_slide;
    EXPECT_EQ(grown.slide_iterations, 0) << final_slide;
  }
}

// Records the iteration numbers and times it is shown.
class RecordingObserver final : public SolverObserver {
 public:
  ObserverAction on_iteration(const IterationReport& report, const IterateView&) override {
    iterations.push_back(report.iteration);
    seconds.push_back(report.elapsed_seconds);
    return ObserverAction::kContinue;
  }
  std::vector<std::int64_t> iterations;
  std::vector<double> seconds;
};

TEST(NeuronGeneration, ReportsCountOnAcrossRounds) {
  // Every round's lasso counts from zero; the observer must see one run (charts, logs).
  for (bool neurons : {true, false}) {
    RecordingObserver observer;
    SolveContext context;
    context.observer = &observer;
    std::int64_t last_solve = 0;
    int rounds = 0;
    if (neurons) {
      const ConvexProblem problem = xor_problem(20, 0.1);
      RandomFeatureOptions lasso = lasso_options(3);
      lasso.rfista.max_iterations = 50;
      const PatternGenerationSummary grown =
          solve_with_neuron_generation(problem, lasso, neuron_search(5, 4), nullptr, context);
      last_solve = grown.summary.iterations;
      rounds = grown.rounds;
    } else {
      TrainingConfig config = testing::exact_config(LossKind::kSquared, 0.1);
      config.pattern_mode = PatternMode::kSampled;
      config.pattern_samples = 3;
      ConvexProblem problem = prepare_problem(testing::random_xor(20, 4), nullptr, config).problem;
      AdmmOptions admm = testing::tight_admm_options(1e-8);
      admm.max_iterations = 50;
      const PatternGenerationSummary grown = solve_with_pattern_generation(
          problem, admm, neuron_search(5, 4), nullptr, context);
      last_solve = grown.summary.iterations;
      rounds = grown.rounds;
    }
    ASSERT_GE(rounds, 2) << neurons;
    ASSERT_FALSE(observer.iterations.empty());
    for (std::size_t k = 1; k < observer.iterations.size(); ++k) {
      EXPECT_GT(observer.iterations[k], observer.iterations[k - 1]) << neurons << " " << k;
      EXPECT_GE(observer.seconds[k], observer.seconds[k - 1]) << neurons << " " << k;
    }
    // The summary keeps the last solve's own count.
    EXPECT_GT(observer.iterations.back(), last_solve) << neurons;
  }
}

// Records every report; stops at the first slide report when asked to.
class SlideObserver final : public SolverObserver {
 public:
  explicit SlideObserver(bool stop_in_slide) : stop_in_slide_(stop_in_slide) {}
  ObserverAction on_iteration(const IterationReport& report, const IterateView& view) override {
    reports.push_back(report);
    const bool sliding = std::isnan(report.lower_bound);
    if (sliding) last_slide_width = view.network().width();
    return sliding && stop_in_slide_ ? ObserverAction::kStop : ObserverAction::kContinue;
  }
  std::vector<IterationReport> reports;
  Eigen::Index last_slide_width = -1;

 private:
  bool stop_in_slide_;
};

TEST(NeuronGeneration, SlidesLowerTheObjectiveAndReportOnTheSameAxis) {
  const ConvexProblem problem = xor_problem(30, 0.1);
  RandomFeatureOptions lasso = lasso_options(3);
  lasso.rfista.max_iterations = 200;
  PatternGenerationOptions generation = neuron_search(5, 3);
  RandomFeatureSolution fixed;
  const PatternGenerationSummary plain =
      solve_with_neuron_generation(problem, lasso, generation, &fixed);
  generation.slide_iterations = 20;
  generation.final_slide_iterations = 200;
  SlideObserver observer(false);
  SolveContext context;
  context.observer = &observer;
  RandomFeatureSolution slid;
  const PatternGenerationSummary result =
      solve_with_neuron_generation(problem, lasso, generation, &slid, context);
  EXPECT_GT(result.slide_iterations, 200);
  EXPECT_LT(result.slide_objective_after, result.slide_objective_before);
  // The final lasso starts at the slid neurons: never above the slide's result.
  EXPECT_LE(result.summary.network_objective, result.slide_objective_after * (1 + 1e-12));
  EXPECT_LT(result.summary.network_objective, plain.summary.network_objective);
  const TwoLayerNetwork network = random_feature_network(problem, slid.directions, slid.weights);
  EXPECT_NEAR(network.objective(problem.X.leftCols(2), problem.y, problem.loss, problem.beta),
              result.summary.network_objective, 1e-9 * result.summary.network_objective);
  // Slide reports (no lower bound) sit on the same iteration axis as the lasso's.
  int slide_reports = 0;
  for (std::size_t k = 0; k < observer.reports.size(); ++k) {
    if (std::isnan(observer.reports[k].lower_bound)) ++slide_reports;
    if (k > 0) {
      EXPECT_GT(observer.reports[k].iteration, observer.reports[k - 1].iteration) << k;
    }
  }
  EXPECT_GT(slide_reports, 200);
  EXPECT_GT(observer.last_slide_width, 0);
}

TEST(NeuronGeneration, AnObserverStopsASlide) {
  const ConvexProblem problem = xor_problem(30, 0.1);
  PatternGenerationOptions generation = neuron_search(5, 3);
  generation.final_slide_iterations = 500;
  SlideObserver observer(true);
  SolveContext context;
  context.observer = &observer;
  const PatternGenerationSummary result =
      solve_with_neuron_generation(problem, lasso_options(3), generation, nullptr, context);
  EXPECT_EQ(result.summary.status, SolverStatus::kCancelled);
  EXPECT_EQ(result.slide_iterations, 1);
}

TEST(NeuronGeneration, RejectsTheNeuronSearchForOtherActivations) {
  ConvexProblem problem = xor_problem(20, 0.1);
  problem.activation.kind = ActivationKind::kAbsolute;
  const PatternGenerationSummary result =
      solve_with_neuron_generation(problem, lasso_options(4), neuron_search(10, 5), nullptr);
  EXPECT_EQ(result.summary.status, SolverStatus::kInvalidOptions);
  EXPECT_NE(result.summary.message.find("relu"), std::string::npos) << result.summary.message;
}

}  // namespace
}  // namespace convexnn
