// The back-propagation baseline: gradients, objective bookkeeping, determinism and the lower bound
// of the convex certificate.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <stop_token>

#include "convexnn/errors.h"
#include "convexnn/network_gradient.h"
#include "convexnn/nonconvex_training.h"
#include "convexnn/parallelism.h"
#include "test_helpers.h"

namespace convexnn {
namespace {

ReluNetworkParameters random_parameters(Eigen::Index width, Eigen::Index input_dim,
                                        std::uint64_t seed) {
  Rng rng(seed);
  ReluNetworkParameters parameters;
  parameters.hidden.resize(width, input_dim + 1);
  parameters.output.resize(width);
  for (Eigen::Index j = 0; j < width; ++j) {
    for (Eigen::Index c = 0; c <= input_dim; ++c) parameters.hidden(j, c) = rng.normal();
    parameters.output[j] = rng.normal();
  }
  return parameters;
}

double objective_of(const ReluNetworkParameters& parameters, const Dataset& data, LossKind loss,
                    double beta) {
  return to_network(parameters, std::nullopt).objective(data.X, data.y, loss, beta);
}

PreparedProblem prepare(const Dataset& train, const Dataset* test, LossKind loss, double beta,
                        bool standardize = false) {
  TrainingConfig config;
  config.pattern_samples = 4;  // patterns are not used by the non-convex trainer
  config.loss = loss;
  config.beta = beta;
  config.standardize = standardize;
  return prepare_problem(train, test, config);
}

class GradientCheck : public ::testing::TestWithParam<LossKind> {};

TEST_P(GradientCheck, BackPropagationMatchesCentralDifferencesOfTheObjective) {
  const LossKind loss = GetParam();
  const Dataset data = testing::random_xor(15, 7);
  const double beta = 0.3;
  ReluNetworkParameters parameters = random_parameters(6, 2, 11);
  const ReluNetworkParameters gradient =
      objective_gradient(parameters, with_bias_column(data.X), data.y, loss, 1.0, beta);
  const double step = 1e-6;
  auto check = [&](double& entry, double analytic) {
    const double saved = entry;
    entry = saved + step;
    const double up = objective_of(parameters, data, loss, beta);
    entry = saved - step;
    const double down = objective_of(parameters, data, loss, beta);
    entry = saved;
    EXPECT_NEAR(analytic, (up - down) / (2 * step), 1e-5 * (1.0 + std::abs(analytic)));
  };
  for (Eigen::Index j = 0; j < parameters.width(); ++j) {
    for (Eigen::Index c = 0; c < parameters.hidden.cols(); ++c) {
      check(parameters.hidden(j, c), gradient.hidden(j, c));
    }
    check(parameters.output[j], gradient.output[j]);
  }
}

INSTANTIATE_TEST_SUITE_P(AllLosses, GradientCheck,
                         ::testing::Values(LossKind::kSquared, LossKind::kHinge,
                                           LossKind::kLogistic),
                         [](const auto& param_info) {
                           return std::string(to_string(param_info.param));
                         });

// Blocks of rows run in parallel and their sums are added in block order: the same bits on one
// and two threads (a sum in completion order, or a shared chunk buffer, would differ).
TEST(NetworkPass, GivesTheSameBitsOnAnyNumberOfThreads) {
  const Dataset data = testing::random_xor(700, 8);
  const Eigen::MatrixXd inputs = with_bias_column(data.X);
  const ReluNetworkParameters parameters = random_parameters(3000, 2, 19);  // 64-row blocks
  NetworkPass passes[2];
  ReluNetworkParameters gradients[2];
  for (int threads : {1, 2}) {
    run_with_thread_limit(threads, [&] {
      NetworkPassWorkspace workspace;
      for (int repeat = 0; repeat < 3; ++repeat) {  // reuse the workspace too
        passes[threads - 1] = network_pass(parameters, inputs, data.y, LossKind::kSquared, 1.0, 0.1,
                                           &gradients[threads - 1], &workspace);
      }
    });
  }
  EXPECT_EQ(passes[0].output, passes[1].output);
  EXPECT_EQ(passes[0].loss, passes[1].loss);
  EXPECT_EQ(passes[0].dead_neurons, passes[1].dead_neurons);
  EXPECT_EQ(gradients[0].hidden, gradients[1].hidden);
  EXPECT_EQ(gradients[0].output, gradients[1].output);
}

// The chunked pass against the textbook dense formulas (H = X W^T, f = sigma(H) a, ...), on a wide
// network whose rows span several chunks with a partial last one, reusing one workspace across
// calls of different sizes (a stale buffer or a chunk boundary error changes the results).
TEST(NetworkPass, MatchesDenseFormulasAcrossChunksAndWorkspaceReuse) {
  const Dataset data = testing::random_xor(150, 5);
  const Eigen::MatrixXd inputs = with_bias_column(data.X);
  ReluNetworkParameters parameters = random_parameters(3000, 2, 17);
  // Dead ReLU units: a large negative bias keeps them off on every sample.
  for (Eigen::Index j = 0; j < 40; ++j) parameters.hidden(j * 7, 2) = -100.0;
  NetworkPassWorkspace workspace;
  for (const Activation activation :
       {Activation::relu(), Activation::leaky_relu(0.2), Activation::absolute()}) {
    parameters.activation = activation;
    for (const Eigen::Index rows : {Eigen::Index{150}, Eigen::Index{37}}) {
      const Eigen::MatrixXd X = inputs.topRows(rows);
      const Eigen::VectorXd y = data.y.head(rows);
      const double loss_weight = 0.7;
      const double regularization_weight = 0.3;
      ReluNetworkParameters gradient;
      const NetworkPass pass = network_pass(parameters, X, y, LossKind::kLogistic, loss_weight,
                                            regularization_weight, &gradient, &workspace);

      const Eigen::MatrixXd H = X * parameters.hidden.transpose();
      const Eigen::MatrixXd A = activation.apply(H);
      const Eigen::VectorXd f = A * parameters.output;
      const Eigen::VectorXd g = loss_weight * loss_gradient(LossKind::kLogistic, f, y);
      const Eigen::MatrixXd G =
          ((g * parameters.output.transpose()).array() * activation.derivative(H).array())
              .matrix();
      const Eigen::MatrixXd hidden_gradient =
          G.transpose() * X + regularization_weight * parameters.hidden;
      const Eigen::VectorXd output_gradient =
          A.transpose() * g + regularization_weight * parameters.output;
      std::int64_t dead = 0;
      for (Eigen::Index j = 0; j < H.cols(); ++j) dead += (H.col(j).array() <= 0.0).all();

      EXPECT_LT((pass.output - f).norm(), 1e-10 * f.norm()) << activation.name() << " " << rows;
      EXPECT_NEAR(pass.loss, loss_value(LossKind::kLogistic, f, y), 1e-10);
      EXPECT_LT((gradient.hidden - hidden_gradient).norm(), 1e-10 * hidden_gradient.norm());
      EXPECT_LT((gradient.output - output_gradient).norm(), 1e-10 * output_gradient.norm());
      EXPECT_EQ(pass.dead_neurons, activation.kind == ActivationKind::kRelu ? dead : 0);
      if (activation.kind == ActivationKind::kRelu) {
        EXPECT_GE(dead, 40);
      }
      EXPECT_EQ(network_output(parameters, X), pass.output);
    }
  }
}

// Checks every report against the network the view hands out.
class RecordingObserver : public SolverObserver {
 public:
  RecordingObserver(const Eigen::MatrixXd& Z, const Eigen::VectorXd& y, LossKind loss, double beta,
                    std::int64_t stop_at = -1)
      : Z_(Z), y_(y), loss_(loss), beta_(beta), stop_at_(stop_at) {}

  ObserverAction on_iteration(const IterationReport& report, const IterateView& view) override {
    ++reports;
    last_iteration = report.iteration;
    const double expected = view.network().objective(Z_, y_, loss_, beta_);
    max_objective_error =
        std::max(max_objective_error, std::abs(report.network_objective - expected));
    if (!std::isnan(report.lower_bound) || !std::isnan(report.convex_objective)) {
      convex_fields_filled = true;
    }
    return report.iteration == stop_at_ ? ObserverAction::kStop : ObserverAction::kContinue;
  }

  int reports = 0;
  std::int64_t last_iteration = 0;
  double max_objective_error = 0.0;
  bool convex_fields_filled = false;

 private:
  Eigen::MatrixXd Z_;
  Eigen::VectorXd y_;
  LossKind loss_;
  double beta_;
  std::int64_t stop_at_;
};

TEST(NonconvexTraining, ReportedObjectiveIsTheNetworksObjectiveOnStandardizedInputs) {
  Dataset data = testing::random_xor(40, 3);
  data.X = 3.0 * data.X.array() + 5.0;  // far from standardized, so a missing z-score would show
  const Dataset test = testing::random_xor(20, 4);
  const double beta = 0.05;
  const PreparedProblem prepared = prepare(data, &test, LossKind::kLogistic, beta, true);
  const Eigen::MatrixXd Z = prepared.problem.standardization->apply(data.X);

  NonconvexOptions options;
  options.epochs = 150;
  options.batch_size = 8;
  options.width = 12;
  options.report_every = 10;
  RecordingObserver observer(Z, data.y, LossKind::kLogistic, beta);
  const NonconvexResult result = train_nonconvex(prepared, options, &observer);

  EXPECT_EQ(result.status, NonconvexStatus::kCompleted);
  EXPECT_EQ(result.epochs_completed, 150);
  ASSERT_EQ(result.objective_history.size(), 151u);
  const double objective = result.network.objective(Z, data.y, LossKind::kLogistic, beta);
  EXPECT_NEAR(result.objective, objective, 1e-12 * objective);
  EXPECT_EQ(result.objective_history.back(), result.objective);
  EXPECT_LT(result.objective, result.objective_history.front());
  EXPECT_EQ(result.network.second_bias, 0.0);
  EXPECT_EQ(observer.reports, 15);
  EXPECT_EQ(observer.last_iteration, 150);
  EXPECT_LT(observer.max_objective_error, 1e-9);
  EXPECT_FALSE(observer.convex_fields_filled);

  // Accuracies and dead neurons recomputed from the returned network (raw inputs).
  EXPECT_DOUBLE_EQ(result.train_accuracy,
                   classification_accuracy(result.network.predict(data.X), data.y));
  EXPECT_DOUBLE_EQ(result.test_accuracy,
                   classification_accuracy(result.network.predict(test.X), test.y));
  Eigen::MatrixXd preactivations = Z * result.network.first_weights.transpose();
  preactivations.rowwise() += result.network.first_bias.transpose();
  std::int64_t dead = 0;
  for (Eigen::Index j = 0; j < preactivations.cols(); ++j) {
    if (preactivations.col(j).maxCoeff() <= 0.0) ++dead;
  }
  EXPECT_EQ(result.dead_neurons, dead);
}

TEST(NonconvexTraining, DeterministicPerSeedAndParallelRunsEqualSingleRuns) {
  const Dataset data = testing::random_xor(40, 5);
  const PreparedProblem prepared = prepare(data, nullptr, LossKind::kHinge, 0.1);
  NonconvexOptions options;
  options.epochs = 60;
  options.batch_size = 10;
  options.width = 10;

  options.seed = 3;
  const NonconvexResult first = train_nonconvex(prepared, options);
  const NonconvexResult again = train_nonconvex(prepared, options);
  EXPECT_EQ(first.objective_history, again.objective_history);
  options.seed = 4;
  EXPECT_NE(train_nonconvex(prepared, options).objective, first.objective);

  for (NonconvexOptimizer optimizer : {NonconvexOptimizer::kSgd, NonconvexOptimizer::kAdam}) {
    options.optimizer = optimizer;
    options.learning_rate = optimizer == NonconvexOptimizer::kSgd ? 0.05 : 0.01;
    const std::vector<std::uint64_t> seeds = {1, 2, 3, 4, 5, 6};
    const std::vector<NonconvexResult> parallel = train_nonconvex_seeds(prepared, options, seeds);
    ASSERT_EQ(parallel.size(), seeds.size());
    for (std::size_t run = 0; run < seeds.size(); ++run) {
      options.seed = seeds[run];
      const NonconvexResult alone = train_nonconvex(prepared, options);
      EXPECT_EQ(parallel[run].seed, seeds[run]);
      EXPECT_EQ(parallel[run].objective_history, alone.objective_history);
      EXPECT_EQ(parallel[run].network.first_weights, alone.network.first_weights);
      EXPECT_EQ(parallel[run].network.first_bias, alone.network.first_bias);
      EXPECT_EQ(parallel[run].network.second_weights, alone.network.second_weights);
      EXPECT_EQ(parallel[run].dead_neurons, alone.dead_neurons);
    }
  }
}

TEST(NonconvexTraining, NoRunEndsBelowTheCertifiedLowerBoundOnExactPatterns) {
  const Dataset data = testing::random_xor(16, 9);
  for (LossKind loss : {LossKind::kSquared, LossKind::kHinge}) {
    // L <= p* holds at every iterate; a modest tolerance keeps the solve short.
    const TrainingConfig config = testing::exact_config(loss, 0.1, 1e-4);
    const PreparedProblem prepared = prepare_problem(data, nullptr, config);
    const TrainingResult convex = train_network(prepared, config);
    ASSERT_TRUE(convex.summary.certifies_global_optimum()) << convex.summary.brief_report();
    const double lower_bound = convex.summary.lower_bound;

    NonconvexOptions options;
    options.epochs = 400;
    options.width = 30;
    std::vector<std::uint64_t> seeds;
    for (std::uint64_t seed = 1; seed <= 6; ++seed) seeds.push_back(seed);
    for (NonconvexOptimizer optimizer : {NonconvexOptimizer::kSgd, NonconvexOptimizer::kAdam}) {
      options.optimizer = optimizer;
      options.learning_rate = optimizer == NonconvexOptimizer::kSgd ? 0.1 : 0.02;
      for (const NonconvexResult& run : train_nonconvex_seeds(prepared, options, seeds)) {
        ASSERT_EQ(run.status, NonconvexStatus::kCompleted);
        const double lowest =
            *std::min_element(run.objective_history.begin(), run.objective_history.end());
        EXPECT_GE(lowest, lower_bound - 1e-9 * std::abs(lower_bound))
            << to_string(loss) << " " << to_string(optimizer) << " seed " << run.seed;
        // Training did something: the comparison is not against untrained networks.
        EXPECT_LT(run.objective, run.objective_history.front());
      }
    }
  }
}

TEST(NonconvexTraining, FullBatchGradientDescentWithTinyStepsNeverIncreasesTheObjective) {
  const Dataset data = testing::random_xor(30, 12);
  const PreparedProblem prepared = prepare(data, nullptr, LossKind::kSquared, 0.1);
  NonconvexOptions options;
  options.optimizer = NonconvexOptimizer::kSgd;
  options.momentum = 0.0;
  options.learning_rate = 1e-3;
  options.epochs = 300;
  options.width = 16;
  const NonconvexResult result = train_nonconvex(prepared, options);
  ASSERT_EQ(result.objective_history.size(), 301u);
  for (std::size_t epoch = 1; epoch < result.objective_history.size(); ++epoch) {
    EXPECT_LE(result.objective_history[epoch], result.objective_history[epoch - 1] * (1.0 + 1e-14))
        << "epoch " << epoch;
  }
  EXPECT_LT(result.objective, result.objective_history.front());
}

TEST(NonconvexTraining, StopTokenObserverAndDivergenceEndTheRunCleanly) {
  const Dataset data = testing::random_xor(20, 2);
  const PreparedProblem prepared = prepare(data, nullptr, LossKind::kSquared, 0.1);
  NonconvexOptions options;
  options.epochs = 100;
  options.width = 8;

  std::stop_source source;
  source.request_stop();
  const NonconvexResult stopped = train_nonconvex(prepared, options, nullptr, source.get_token());
  EXPECT_EQ(stopped.status, NonconvexStatus::kCancelled);
  EXPECT_EQ(stopped.epochs_completed, 0);
  EXPECT_EQ(stopped.objective_history.size(), 1u);

  RecordingObserver observer(data.X, data.y, LossKind::kSquared, 0.1, 7);
  const NonconvexResult observed = train_nonconvex(prepared, options, &observer);
  EXPECT_EQ(observed.status, NonconvexStatus::kCancelled);
  EXPECT_EQ(observed.epochs_completed, 7);

  options.optimizer = NonconvexOptimizer::kSgd;
  options.learning_rate = 1e6;
  const NonconvexResult diverged = train_nonconvex(prepared, options);
  EXPECT_EQ(diverged.status, NonconvexStatus::kDiverged);
  EXPECT_TRUE(std::isfinite(diverged.objective));
  EXPECT_LT(diverged.epochs_completed, 100);
  EXPECT_DOUBLE_EQ(diverged.objective,
                   diverged.network.objective(data.X, data.y, LossKind::kSquared, 0.1));
}

TEST(NonconvexTraining, InvalidOptionsNameTheField) {
  const auto message_for = [](auto change) {
    NonconvexOptions options;
    change(options);
    return options.validate();
  };
  EXPECT_EQ(NonconvexOptions{}.validate(), "");
  EXPECT_NE(message_for([](auto& o) { o.learning_rate = 0; }).find("learning_rate"),
            std::string::npos);
  EXPECT_NE(message_for([](auto& o) { o.learning_rate = NAN; }).find("learning_rate"),
            std::string::npos);
  EXPECT_NE(message_for([](auto& o) { o.momentum = 1.0; }).find("momentum"), std::string::npos);
  EXPECT_NE(message_for([](auto& o) { o.adam_beta1 = -0.1; }).find("adam_beta1"),
            std::string::npos);
  EXPECT_NE(message_for([](auto& o) { o.adam_beta2 = 1.0; }).find("adam_beta2"), std::string::npos);
  EXPECT_NE(message_for([](auto& o) { o.adam_epsilon = 0; }).find("adam_epsilon"),
            std::string::npos);
  EXPECT_NE(message_for([](auto& o) { o.epochs = 0; }).find("epochs"), std::string::npos);
  EXPECT_NE(message_for([](auto& o) { o.batch_size = -1; }).find("batch_size"), std::string::npos);
  EXPECT_NE(message_for([](auto& o) { o.width = 0; }).find("width"), std::string::npos);
  EXPECT_NE(message_for([](auto& o) { o.init_scale = -1; }).find("init_scale"), std::string::npos);
  EXPECT_NE(message_for([](auto& o) { o.report_every = 0; }).find("report_every"),
            std::string::npos);

  const Dataset data = testing::random_xor(10, 1);
  const PreparedProblem prepared = prepare(data, nullptr, LossKind::kSquared, 0.1);
  NonconvexOptions invalid;
  invalid.width = 0;
  EXPECT_THROW(train_nonconvex(prepared, invalid), InputError);
  const std::vector<std::uint64_t> two_seeds = {1, 2};
  EXPECT_THROW(train_nonconvex_seeds(prepared, invalid, two_seeds), InputError);
  const std::vector<SolverObserver*> one_observer = {nullptr};
  EXPECT_THROW(train_nonconvex_seeds(prepared, NonconvexOptions{}, two_seeds, one_observer),
               InputError);
  EXPECT_EQ(nonconvex_optimizer_from_string("adam"), NonconvexOptimizer::kAdam);
  EXPECT_EQ(nonconvex_optimizer_from_string("sgd"), NonconvexOptimizer::kSgd);
  EXPECT_THROW(nonconvex_optimizer_from_string("lbfgs"), InputError);
}

}  // namespace
}  // namespace convexnn

namespace convexnn {
namespace {

// science.md 8.3: the patterns of a trained network's own neurons make that network feasible for
// the convex program, so its optimum over those patterns is never above the network's objective.
TEST(NonconvexTraining, ConvexOptimumOverANetworksOwnPatternsIsNeverWorse) {
  const Dataset data = testing::random_xor(30, 5);
  for (LossKind loss : {LossKind::kSquared, LossKind::kHinge}) {
    const PreparedProblem prepared = prepare(data, nullptr, loss, 0.1, /*standardize=*/true);
    NonconvexOptions options;
    options.epochs = 300;
    options.width = 12;
    options.learning_rate = 0.02;
    const NonconvexResult run = train_nonconvex(prepared, options);
    ASSERT_EQ(run.status, NonconvexStatus::kCompleted);

    // The neurons [w_j, b_j] act on the problem's inputs [z, 1] (standardized, bias last).
    const TwoLayerNetwork& network = run.network;
    Eigen::MatrixXd generators(network.input_dim() + 1, network.width());
    generators.topRows(network.input_dim()) = network.first_weights.transpose();
    generators.row(network.input_dim()) = network.first_bias.transpose();
    ConvexProblem problem = prepared.problem;
    problem.patterns = patterns_from_generators(problem.X, generators);
    problem.finalize();
    ASSERT_GE(problem.num_patterns(), 1);
    ASSERT_LE(problem.num_patterns(), network.width());

    AdmmOptions admm;
    admm.relative_gap_tolerance = 1e-8;
    AdmmSolution solution;
    const SolverSummary summary = solve_admm(problem, admm, &solution);
    ASSERT_EQ(summary.status, SolverStatus::kConverged) << summary.full_report();
    const double scale = std::max(1.0, std::abs(run.objective));
    // U is within 1e-8 of the optimum over these patterns, which is at most the network's objective.
    EXPECT_LE(summary.network_objective, run.objective + 1e-7 * scale) << to_string(loss);
    EXPECT_LE(summary.lower_bound, run.objective) << to_string(loss);
  }
}

TEST(ActivationPatterns, FromGeneratorsDeduplicatesAndDropsTheZeroPattern) {
  Eigen::MatrixXd X(3, 2);
  X << 1, 1, -1, 1, 2, 1;  // (x, bias)
  Eigen::MatrixXd generators(2, 4);
  generators << 1, 2, 0, -1,  // x >= 0, again x >= 0, nothing below 0 (all ones), x <= 0
      0, 0, 1, 0;
  generators(1, 2) = 1.0;
  const PatternSet set = patterns_from_generators(X, generators);
  ASSERT_EQ(set.num_patterns(), 3);  // {1,0,1}, {1,1,1}, {0,1,0}
  for (Eigen::Index i = 0; i < set.num_patterns(); ++i) {
    const Eigen::VectorXd values = X * set.generators.col(i);
    for (Eigen::Index k = 0; k < 3; ++k) EXPECT_EQ(set.masks(k, i), values[k] >= 0 ? 1.0 : 0.0);
  }
  Eigen::MatrixXd zero_only = Eigen::MatrixXd::Zero(2, 1);
  zero_only(0, 0) = 1.0;
  zero_only(1, 0) = -10.0;  // x - 10 < 0 everywhere: the zero pattern, dropped
  EXPECT_EQ(patterns_from_generators(X, zero_only).num_patterns(), 0);
  EXPECT_THROW(patterns_from_generators(X, Eigen::MatrixXd::Ones(3, 1)), InputError);
}

}  // namespace
}  // namespace convexnn
