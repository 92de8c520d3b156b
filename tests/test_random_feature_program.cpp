// The sampled convex program over random ReLU features (SCP, science.md 5): lasso optimality,
// nesting in the number of features, never below the global optimum, and the balanced network.
#include <gtest/gtest.h>

#include <stop_token>

#include "convexnn/random_feature_program.h"
#include "test_helpers.h"

namespace convexnn {
namespace {

ConvexProblem xor_problem(int n, LossKind loss, double beta) {
  TrainingConfig config = testing::exact_config(loss, beta);
  return prepare_problem(testing::random_xor(n, 4), nullptr, config).problem;
}

RandomFeatureOptions tight(int features) { return testing::tight_random_feature_options(features); }

TEST(RandomFeatures, SolutionSatisfiesTheLassoOptimalityConditions) {
  for (LossKind loss : {LossKind::kSquared, LossKind::kLogistic}) {
    const ConvexProblem problem = xor_problem(30, loss, 0.1);
    RandomFeatureSolution solution;
    const SolverSummary summary = solve_random_features(problem, tight(60), &solution);
    ASSERT_EQ(summary.status, SolverStatus::kConverged) << summary.message;
    EXPECT_LE(summary.lower_bound, summary.network_objective);
    // KKT: |h_j^T g| <= beta, with equality and opposite sign where alpha_j != 0.
    const Eigen::MatrixXd H = (problem.X * solution.directions).cwiseMax(0.0);
    const Eigen::VectorXd g = H.transpose() * loss_gradient(loss, H * solution.weights, problem.y);
    const double scale = 1e-3 * problem.beta;
    Eigen::Index active = 0;
    for (Eigen::Index j = 0; j < g.size(); ++j) {
      EXPECT_LE(std::abs(g[j]), problem.beta + scale) << j;
      if (solution.weights[j] != 0.0) {
        ++active;
        EXPECT_NEAR(g[j], -problem.beta * (solution.weights[j] > 0 ? 1.0 : -1.0), scale) << j;
      }
    }
    EXPECT_GT(active, 0);
    EXPECT_EQ(summary.active_neurons, active);
  }
}

TEST(RandomFeatures, MoreFeaturesNeverHurtAndNoneBeatTheGlobalOptimum) {
  const ConvexProblem problem = xor_problem(20, LossKind::kSquared, 0.1);
  TrainingConfig exact = testing::exact_config(LossKind::kSquared, 0.1, 1e-9);
  const TrainingResult optimum =
      train_network(prepare_problem(testing::random_xor(20, 4), nullptr, exact), exact);
  ASSERT_EQ(optimum.summary.status, SolverStatus::kConverged);
  double previous = std::numeric_limits<double>::infinity();
  for (int features : {5, 20, 80, 320}) {
    RandomFeatureSolution solution;
    const SolverSummary summary = solve_random_features(problem, tight(features), &solution);
    ASSERT_EQ(summary.status, SolverStatus::kConverged) << features;
    // The first N directions of a larger draw are the same, so the programs are nested.
    EXPECT_TRUE(
        solution.directions.leftCols(5).isApprox(sample_unit_directions(problem.dim(), 5, 1)));
    EXPECT_LE(summary.network_objective, previous * (1 + 1e-7)) << features;
    EXPECT_GE(summary.network_objective, optimum.summary.lower_bound * (1 - 1e-9)) << features;
    previous = summary.network_objective;
  }
  EXPECT_LT(previous, 2.0 * optimum.summary.network_objective) << "320 features should come close";
}

TEST(RandomFeatures, BalancedNetworkHasTheLassoObjective) {
  const ConvexProblem problem = xor_problem(25, LossKind::kSquared, 0.05);
  RandomFeatureSolution solution;
  const SolverSummary summary = solve_random_features(problem, tight(40), &solution);
  const TwoLayerNetwork network =
      random_feature_network(problem, solution.directions, solution.weights);
  EXPECT_EQ(network.width(), summary.active_neurons);
  const Eigen::MatrixXd Z = problem.X.leftCols(2);
  EXPECT_NEAR(network.objective(Z, problem.y, problem.loss, problem.beta),
              summary.network_objective, 1e-10 * summary.network_objective);
  EXPECT_TRUE(network.predict_standardized(Z).isApprox(
      (problem.X * solution.directions).cwiseMax(0.0) * solution.weights, 1e-10));
}

TEST(RandomFeatures, ObserverSeesValidBoundsAndCanStop) {
  const ConvexProblem problem = xor_problem(25, LossKind::kLogistic, 0.05);
  struct Recorder : SolverObserver {
    int calls = 0;
    bool bounds_ok = true;
    ObserverAction on_iteration(const IterationReport& report, const IterateView& view) override {
      bounds_ok = bounds_ok && report.lower_bound <= report.best_network_objective + 1e-12 &&
                  report.relative_gap >= -1e-15;
      if (++calls == 5) {
        EXPECT_GE(view.network().width(), 0);
        return ObserverAction::kStop;
      }
      return ObserverAction::kContinue;
    }
  } recorder;
  SolveContext context;
  context.observer = &recorder;
  RandomFeatureSolution solution;
  const SolverSummary summary = solve_random_features(problem, tight(50), &solution, context);
  EXPECT_EQ(summary.status, SolverStatus::kCancelled);
  EXPECT_EQ(recorder.calls, 5);
  EXPECT_TRUE(recorder.bounds_ok);

  std::stop_source source;
  source.request_stop();
  context = {};
  context.stop_token = source.get_token();
  RandomFeatureSolution cold;
  EXPECT_EQ(solve_random_features(problem, tight(50), &cold, context).status,
            SolverStatus::kCancelled);
}

TEST(RandomFeatures, RejectsHingeAndBadOptionsByName) {
  const ConvexProblem hinge = xor_problem(10, LossKind::kHinge, 0.1);
  RandomFeatureSolution solution;
  const SolverSummary summary = solve_random_features(hinge, tight(10), &solution);
  EXPECT_EQ(summary.status, SolverStatus::kInvalidOptions);
  EXPECT_NE(summary.message.find("loss"), std::string::npos) << summary.message;
  RandomFeatureOptions options;
  options.features = 0;
  EXPECT_NE(options.validate().find("random_features.features"), std::string::npos);
}

}  // namespace
}  // namespace convexnn
