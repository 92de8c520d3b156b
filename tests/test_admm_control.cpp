// Solver control: option validation, cancellation, observer stop, warm starts, linear solvers.
#include <gtest/gtest.h>

#include <set>
#include <thread>
#include <utility>
#include <vector>

#include "test_helpers.h"

namespace convexnn {
namespace {

TEST(AdmmOptions, ValidationNamesTheField) {
  AdmmOptions options;
  EXPECT_EQ(options.validate(), "");
  options.rho = -1;
  EXPECT_NE(options.validate().find("rho"), std::string::npos);
  options = AdmmOptions{};
  options.max_iterations = 0;
  EXPECT_NE(options.validate().find("max_iterations"), std::string::npos);
  options = AdmmOptions{};
  options.relative_gap_tolerance = std::nan("");
  EXPECT_NE(options.validate().find("relative_gap_tolerance"), std::string::npos);
  options = AdmmOptions{};
  options.report_every = 0;
  EXPECT_NE(options.validate().find("report_every"), std::string::npos);

  TrainingConfig config;
  config.beta = 0;
  EXPECT_NE(config.validate().find("beta"), std::string::npos);
  const Dataset data = testing::random_xor(10, 1);
  EXPECT_THROW(prepare_problem(data, nullptr, config), std::exception);

  AdmmOptions invalid;
  invalid.rho = 0;
  AdmmSolution solution;
  config.beta = 0.1;
  const PreparedProblem prepared = prepare_problem(data, nullptr, config);
  const SolverSummary summary = solve_admm(prepared.problem, invalid, &solution);
  EXPECT_EQ(summary.status, SolverStatus::kInvalidOptions);
  EXPECT_NE(summary.message.find("rho"), std::string::npos);
}

// Stops after a fixed number of reports; counts iterations seen.
class StopAfter : public SolverObserver {
 public:
  explicit StopAfter(int reports) : remaining_(reports) {}
  ObserverAction on_iteration(const IterationReport& report, const IterateView& view) override {
    last_iteration = report.iteration;
    width = view.network().width();
    return --remaining_ <= 0 ? ObserverAction::kStop : ObserverAction::kContinue;
  }
  std::int64_t last_iteration = 0;
  Eigen::Index width = -1;

 private:
  int remaining_;
};

TEST(AdmmControl, ObserverStopEndsTheRunAtThatIteration) {
  const Dataset data = testing::random_xor(60, 3);
  TrainingConfig config;
  config.admm.relative_gap_tolerance = 0;  // never converges
  config.admm.report_every = 5;
  StopAfter observer(4);
  const TrainingResult result = train_network(prepare_problem(data, nullptr, config), config, &observer);
  EXPECT_EQ(result.summary.status, SolverStatus::kCancelled);
  EXPECT_EQ(result.summary.iterations, 20);
  EXPECT_EQ(observer.last_iteration, 20);
  EXPECT_GE(observer.width, 0);
}

class CountingObserver : public SolverObserver {
 public:
  ObserverAction on_iteration(const IterationReport& report, const IterateView&) override {
    last_iteration = report.iteration;
    return ObserverAction::kContinue;
  }
  std::atomic<std::int64_t> last_iteration{0};
};

TEST(AdmmControl, StopTokenCancelsWithinOneIteration) {
  const Dataset data = testing::random_xor(200, 4);
  TrainingConfig config;
  config.pattern_samples = 100;
  config.admm.relative_gap_tolerance = 0;
  config.admm.max_iterations = 100000000;
  config.admm.report_every = 1;
  const PreparedProblem prepared = prepare_problem(data, nullptr, config);
  std::stop_source source;
  CountingObserver observer;
  TrainingResult result;
  std::thread worker([&] { result = train_network(prepared, config, &observer, source.get_token()); });
  while (observer.last_iteration < 50) std::this_thread::yield();
  source.request_stop();
  const std::int64_t seen_at_stop = observer.last_iteration;
  worker.join();
  EXPECT_EQ(result.summary.status, SolverStatus::kCancelled);
  // The iteration running when stop was requested may finish; no further one starts.
  EXPECT_LE(result.summary.iterations, seen_at_stop + 1);
}

TEST(AdmmControl, WarmStartAfterChangingBetaNeedsFewerIterations) {
  const Dataset data = testing::random_xor(14, 6);
  TrainingConfig config = testing::exact_config(LossKind::kSquared, 0.1, 1e-6);
  config.admm.polish = false;
  config.admm.max_iterations = 200000;
  const TrainingResult first = train_network(prepare_problem(data, nullptr, config), config);
  ASSERT_EQ(first.summary.status, SolverStatus::kConverged);
  config.beta = 0.12;
  const PreparedProblem changed = prepare_problem(data, nullptr, config);
  const TrainingResult cold = train_network(changed, config);
  const TrainingResult warm = train_network(changed, config, nullptr, {}, &first.solution.state);
  ASSERT_EQ(cold.summary.status, SolverStatus::kConverged);
  ASSERT_EQ(warm.summary.status, SolverStatus::kConverged);
  EXPECT_LT(warm.summary.iterations, cold.summary.iterations);
  EXPECT_NEAR(warm.summary.network_objective, cold.summary.network_objective,
              2e-6 * cold.summary.network_objective);
}

TEST(AdmmControl, DirectAndWoodburySolversAgree) {
  const Dataset data = testing::random_xor(80, 8);
  TrainingConfig config;
  config.pattern_samples = 10;  // 2dP = 60 < n: automatic picks direct
  config.admm.relative_gap_tolerance = 1e-8;
  const PreparedProblem prepared = prepare_problem(data, nullptr, config);
  config.admm.linear_solver = LinearSolverKind::kDirect;
  const TrainingResult direct = train_network(prepared, config);
  config.admm.linear_solver = LinearSolverKind::kWoodbury;
  const TrainingResult woodbury = train_network(prepared, config);
  EXPECT_EQ(direct.summary.linear_solver, LinearSolverKind::kDirect);
  EXPECT_EQ(woodbury.summary.linear_solver, LinearSolverKind::kWoodbury);
  EXPECT_NEAR(direct.summary.network_objective, woodbury.summary.network_objective,
              1e-7 * direct.summary.network_objective);
  config.admm.linear_solver = LinearSolverKind::kAutomatic;
  EXPECT_EQ(train_network(prepared, config).summary.linear_solver, LinearSolverKind::kDirect);
}

// Records the bounds after every iteration.
class BoundsRecorder : public SolverObserver {
 public:
  ObserverAction on_iteration(const IterationReport& report, const IterateView&) override {
    bounds.emplace_back(report.lower_bound, report.best_network_objective);
    return ObserverAction::kContinue;
  }
  std::vector<std::pair<double, double>> bounds;
};

TEST(AdmmControl, RunsAreReproducibleWhateverTheLoad) {
  // Certificates and polishing are scheduled by estimated operation counts, not by the clock, so
  // a run takes exactly the same steps when another thread competes for the CPU.
  const Dataset data = testing::random_xor(16, 1);
  TrainingConfig config = testing::exact_config(LossKind::kSquared, 0.05, 1e-7);
  config.admm.report_every = 1;
  const PreparedProblem prepared = prepare_problem(data, nullptr, config);
  auto solve = [&](BoundsRecorder& recorder) {
    AdmmSolution solution;
    const SolveContext context{&recorder, {}, nullptr};
    return solve_admm(prepared.problem, config.admm, &solution, context);
  };
  BoundsRecorder quiet;
  const SolverSummary first = solve(quiet);
  BoundsRecorder loaded;
  SolverSummary second;
  {
    std::jthread busy([](std::stop_token stop) {
      volatile double sink = 0.0;
      while (!stop.stop_requested()) sink = sink + 1.0;
    });
    second = solve(loaded);
  }
  // The run goes through several certificates (each may raise the lower bound) and polishing.
  std::set<double> lower_bounds;
  for (const auto& [lower, upper] : quiet.bounds) lower_bounds.insert(lower);
  EXPECT_GE(lower_bounds.size(), 4u);
  EXPECT_GT(first.polish_successes, 0);
  EXPECT_EQ(second.iterations, first.iterations);
  EXPECT_EQ(second.lower_bound, first.lower_bound);
  EXPECT_EQ(second.network_objective, first.network_objective);
  EXPECT_EQ(second.polish_successes, first.polish_successes);
  EXPECT_EQ(loaded.bounds, quiet.bounds);
}

TEST(AdmmControl, ExactFormulationRejectsUnsuitableData) {
  TrainingConfig config = testing::exact_config(LossKind::kSquared, 0.1);
  Dataset wide = testing::random_xor(10, 1);
  wide.X.conservativeResize(10, 3);
  wide.X.col(2).setOnes();
  try {
    prepare_problem(wide, nullptr, config);
    FAIL();
  } catch (const std::exception& error) {
    EXPECT_NE(std::string(error.what()).find("2-D"), std::string::npos);
  }
  EXPECT_THROW(prepare_problem(testing::random_xor(500, 1), nullptr, config), std::exception);
}

}  // namespace
}  // namespace convexnn
