// FISTA solvers for quadratic and polynomial activations (science.md 9.3, 9.5) with the duality-gap
// certificate (11.5): closed form (12.1 item 4), the two formulations against each other,
// invariants (L <= U, network objective == SDP objective, predictions == <M_k, Z - Z'>) and the
// solver API (options, observer, stop token, warm start, training entry point).
#include <gtest/gtest.h>

#include <Eigen/Eigenvalues>
#include <cmath>
#include <stop_token>
#include <vector>

#include "convexnn/errors.h"
#include "convexnn/generators.h"
#include "convexnn/model_json.h"
#include "convexnn/polynomial_training.h"

namespace convexnn {
namespace {

// f(r) = r^2/2 for r <= beta, beta r - beta^2/2 otherwise (science.md 12.1).
double soft_cost(double r, double beta) {
  return r <= beta ? 0.5 * r * r : beta * r - 0.5 * beta * beta;
}

PolynomialProblem identity_problem(const Eigen::VectorXd& y, double beta) {
  PolynomialProblem problem;
  problem.X = Eigen::MatrixXd::Identity(y.size(), y.size());
  problem.y = y;
  problem.beta = beta;
  problem.activation = Activation::quadratic();
  problem.has_bias_column = false;
  return problem;
}

PreparedPolynomialProblem moons_problem(int n, const Activation& activation, double beta,
                                        LossKind loss = LossKind::kSquared) {
  GeneratorSettings settings;
  settings.name = "moons";
  settings.n = n;
  settings.seed = 3;
  PolynomialTrainingConfig config;
  config.activation = activation;
  config.beta = beta;
  config.loss = loss;
  return prepare_polynomial_problem(generate_dataset(settings), nullptr, config);
}

PolynomialSolverOptions tight_options(PolynomialMethod method = PolynomialMethod::kAutomatic) {
  PolynomialSolverOptions options;
  options.method = method;
  options.relative_gap_tolerance = 1e-8;
  options.max_iterations = 20000;
  return options;
}

Eigen::MatrixXd features_of(const PolynomialProblem& problem) {
  return problem.has_bias_column ? Eigen::MatrixXd(problem.X.leftCols(problem.dim() - 1))
                                 : problem.X;
}

TEST(PolynomialSolver, ClosedFormWithIdentityDataForBothFormulations) {
  // X = I: yhat_k = W_kk, the optimum is diagonal with W_kk = sign(y_k)(|y_k| - beta)_+ and
  // p* = sum_k f(|y_k|) (science.md 12.1 item 4).
  Eigen::VectorXd y(4);
  y << 1.0, -2.0, 0.5, 3.0;
  const double beta = 0.7;
  double expected = 0.0;
  Eigen::VectorXd expected_prediction(4);
  for (Eigen::Index k = 0; k < 4; ++k) {
    expected += soft_cost(std::abs(y[k]), beta);
    expected_prediction[k] = std::copysign(std::max(std::abs(y[k]) - beta, 0.0), y[k]);
  }
  const PolynomialProblem problem = identity_problem(y, beta);
  for (PolynomialMethod method : {PolynomialMethod::kNuclearNorm, PolynomialMethod::kLiftedSdp}) {
    SCOPED_TRACE(to_string(method));
    PolynomialSolution solution;
    const SolverSummary summary = solve_polynomial(problem, tight_options(method), &solution);
    EXPECT_EQ(summary.status, SolverStatus::kConverged) << summary.message;
    EXPECT_TRUE(summary.certifies_global_optimum());
    EXPECT_LE(summary.lower_bound, expected + 1e-12);
    EXPECT_GE(summary.network_objective, expected - 1e-12);
    EXPECT_NEAR(summary.network_objective, expected, 1e-7);
    const Eigen::VectorXd prediction = solution.network.predict_standardized(problem.X);
    // The loss is strongly convex in yhat: ||yhat - yhat*||^2 / 2 <= U - p*.
    EXPECT_LE((prediction - expected_prediction).lpNorm<Eigen::Infinity>(), 1e-3);
    if (method == PolynomialMethod::kNuclearNorm) {
      EXPECT_EQ(solution.network.width(), 3);  // one neuron per non-zero W_kk
    }
  }
}

TEST(PolynomialSolver, NuclearNormAndLiftedFormulationsAgreeOnPureQuadratics) {
  const PreparedPolynomialProblem prepared = moons_problem(20, Activation::quadratic(), 0.1);
  PolynomialSolution nuclear;
  PolynomialSolution lifted;
  const SolverSummary a =
      solve_polynomial(prepared.problem, tight_options(PolynomialMethod::kNuclearNorm), &nuclear);
  const SolverSummary b =
      solve_polynomial(prepared.problem, tight_options(PolynomialMethod::kLiftedSdp), &lifted);
  ASSERT_EQ(a.status, SolverStatus::kConverged) << a.message;
  ASSERT_EQ(b.status, SolverStatus::kConverged) << b.message;
  // Each optimum lies in the other's [L, U].
  EXPECT_LE(a.lower_bound, b.network_objective + 1e-12);
  EXPECT_LE(b.lower_bound, a.network_objective + 1e-12);
  EXPECT_NEAR(a.network_objective, b.network_objective, 1e-7 * a.network_objective);
}

TEST(PolynomialSolver, ZeroNetworkExactlyFromTheDualThreshold) {
  // At yhat = 0 the dual candidate is lambda = -y, feasible iff ||X^T diag(y) X||_2 <= beta: from
  // that beta on the zero network is optimal with p* = ||y||^2 / 2 (science.md 12.1 item 3's
  // analogue for 9.3); just below it a neuron pays off.
  const PreparedPolynomialProblem prepared = moons_problem(20, Activation::quadratic(), 1.0);
  PolynomialProblem problem = prepared.problem;
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eigen(problem.quadratic_adjoint(problem.y),
                                                             Eigen::EigenvaluesOnly);
  const double threshold = eigen.eigenvalues().cwiseAbs().maxCoeff();
  const double zero_objective = 0.5 * problem.y.squaredNorm();
  for (PolynomialMethod method : {PolynomialMethod::kNuclearNorm, PolynomialMethod::kLiftedSdp}) {
    SCOPED_TRACE(to_string(method));
    problem.beta = 1.001 * threshold;
    PolynomialSolution at_threshold;
    const SolverSummary zero = solve_polynomial(problem, tight_options(method), &at_threshold);
    ASSERT_EQ(zero.status, SolverStatus::kConverged) << zero.message;
    EXPECT_EQ(at_threshold.network.width(), 0);
    EXPECT_NEAR(zero.network_objective, zero_objective, 1e-12 * zero_objective);
    EXPECT_NEAR(zero.lower_bound, zero_objective, 1e-8 * zero_objective);
    problem.beta = 0.95 * threshold;
    PolynomialSolution below;
    const SolverSummary active = solve_polynomial(problem, tight_options(method), &below);
    ASSERT_EQ(active.status, SolverStatus::kConverged) << active.message;
    EXPECT_GT(below.network.width(), 0);
    EXPECT_LT(active.network_objective, zero_objective * (1 - 1e-6));
  }
}

class PolynomialSolverInvariants : public ::testing::TestWithParam<int> {};

Activation activation_case(int index) {
  switch (index) {
    case 0:
      return Activation::quadratic();
    case 1:
      return Activation::polynomial(0.09, 0.5, 0.47);
    default:
      return Activation::polynomial(0.5, -1.0, 0.25);
  }
}

TEST_P(PolynomialSolverInvariants, GapClosesAndTheNetworkIsTheSdpSolution) {
  const Activation activation = activation_case(GetParam());
  const PreparedPolynomialProblem prepared = moons_problem(24, activation, 0.05);
  const PolynomialProblem& problem = prepared.problem;
  PolynomialSolverOptions options = tight_options(PolynomialMethod::kLiftedSdp);
  PolynomialSolution solution;
  const SolverSummary summary = solve_polynomial(problem, options, &solution);
  SCOPED_TRACE(activation.formula() + ": " + summary.brief_report());
  ASSERT_EQ(summary.status, SolverStatus::kConverged) << summary.message;
  EXPECT_LE(summary.lower_bound, summary.network_objective);
  EXPECT_LE(summary.relative_gap, options.relative_gap_tolerance);
  EXPECT_TRUE(summary.certifies_global_optimum());
  EXPECT_EQ(solution.network.activation, activation);
  // The network objective equals the SDP objective at the iterate it came from ...
  EXPECT_NEAR(summary.network_objective, summary.convex_objective,
              1e-9 * summary.network_objective);
  EXPECT_NEAR(problem.lifted_objective(solution.best.Z, solution.best.Z_neg),
              summary.convex_objective, 1e-12 * summary.convex_objective);
  // ... because its predictions are <M_k, Z - Z'> and its l1 norm is Z4 + Z4'.
  const Eigen::VectorXd lifted = problem.lifted_prediction(solution.best.Z - solution.best.Z_neg);
  const Eigen::VectorXd predicted = solution.network.predict_standardized(features_of(problem));
  EXPECT_LE((predicted - lifted).lpNorm<Eigen::Infinity>(), 1e-10 * (1.0 + lifted.norm()));
  const Eigen::Index D = problem.dim();
  EXPECT_NEAR(solution.network.regularizer(), solution.best.Z(D, D) + solution.best.Z_neg(D, D),
              1e-10);
  EXPECT_LE(solution.network.width(), 2 * (D + 1));
  EXPECT_LE(summary.primal_residual, 1e-10);  // |<J, Z>| + |<J, Z'>|
}

INSTANTIATE_TEST_SUITE_P(Activations, PolynomialSolverInvariants, ::testing::Values(0, 1, 2));

class BoundsRecorder : public SolverObserver {
 public:
  ObserverAction on_iteration(const IterationReport& report, const IterateView& view) override {
    reports.push_back(report);
    if (reports.size() == 1) first_width = view.network().width();
    return ObserverAction::kContinue;
  }
  std::vector<IterationReport> reports;
  Eigen::Index first_width = -1;
};

TEST(PolynomialSolver, LogisticLossCertifiesAndBoundsAreMonotone) {
  const PreparedPolynomialProblem prepared =
      moons_problem(24, Activation::polynomial(0.09, 0.5, 0.47), 0.05, LossKind::kLogistic);
  PolynomialSolverOptions options;
  options.relative_gap_tolerance = 1e-6;
  options.report_every = 5;
  BoundsRecorder recorder;
  SolveContext context;
  context.observer = &recorder;
  PolynomialSolution solution;
  const SolverSummary summary = solve_polynomial(prepared.problem, options, &solution, context);
  ASSERT_EQ(summary.status, SolverStatus::kConverged) << summary.message;
  ASSERT_FALSE(recorder.reports.empty());
  EXPECT_GE(recorder.first_width, 0);
  for (std::size_t i = 0; i < recorder.reports.size(); ++i) {
    const IterationReport& report = recorder.reports[i];
    EXPECT_LE(report.lower_bound, report.best_network_objective);
    EXPECT_GE(report.relative_gap, 0.0);
    if (i > 0) {
      EXPECT_GE(report.lower_bound, recorder.reports[i - 1].lower_bound);
      EXPECT_LE(report.best_network_objective, recorder.reports[i - 1].best_network_objective);
    }
  }
  // Reports every 5 iterations and once at the end (the converged iteration).
  EXPECT_EQ(recorder.reports.back().iteration, summary.iterations);
  EXPECT_EQ(recorder.reports.front().iteration, 5);
  EXPECT_DOUBLE_EQ(recorder.reports.back().lower_bound, summary.lower_bound);
}

TEST(PolynomialSolver, HingeLossIsRejectedByName) {
  PolynomialTrainingConfig config;
  config.loss = LossKind::kHinge;
  EXPECT_NE(config.validate().find("hinge"), std::string::npos);
  GeneratorSettings settings;
  settings.name = "moons";
  settings.n = 10;
  try {
    prepare_polynomial_problem(generate_dataset(settings), nullptr, config);
    FAIL() << "hinge accepted";
  } catch (const InputError& error) {
    EXPECT_NE(std::string(error.what()).find("hinge"), std::string::npos) << error.what();
  }
  config.loss = LossKind::kSquared;
  config.activation = Activation::relu();
  EXPECT_NE(config.validate().find("activation"), std::string::npos);
}

TEST(PolynomialSolver, InvalidOptionsNameTheirField) {
  const PolynomialProblem problem = identity_problem(Eigen::VectorXd::Ones(3), 0.1);
  struct Case {
    void (*change)(PolynomialSolverOptions&);
    const char* field;
  };
  const Case cases[] = {
      {[](PolynomialSolverOptions& o) { o.max_iterations = 0; }, "max_iterations"},
      {[](PolynomialSolverOptions& o) { o.relative_gap_tolerance = -1; }, "relative_gap_tolerance"},
      {[](PolynomialSolverOptions& o) { o.certificate_interval = 0; }, "certificate_interval"},
      {[](PolynomialSolverOptions& o) { o.report_every = 0; }, "report_every"},
      {[](PolynomialSolverOptions& o) { o.backtracking_factor = 1.0; }, "backtracking_factor"},
      {[](PolynomialSolverOptions& o) { o.step_growth = 0.5; }, "step_growth"},
      {[](PolynomialSolverOptions& o) { o.initial_step = -1; }, "initial_step"},
      {[](PolynomialSolverOptions& o) { o.projection_tolerance = 0; }, "projection_tolerance"},
  };
  for (const Case& c : cases) {
    PolynomialSolverOptions options;
    c.change(options);
    PolynomialSolution solution;
    const SolverSummary summary = solve_polynomial(problem, options, &solution);
    EXPECT_EQ(summary.status, SolverStatus::kInvalidOptions);
    EXPECT_NE(summary.message.find(c.field), std::string::npos) << summary.message;
  }
  // The nuclear-norm form needs b = c = 0.
  PolynomialProblem general = problem;
  general.activation = Activation::polynomial(1.0, 1.0, 0.0);
  PolynomialSolution solution;
  try {
    solve_polynomial(general, tight_options(PolynomialMethod::kNuclearNorm), &solution);
    FAIL() << "nuclear norm accepted for b != 0";
  } catch (const InputError& error) {
    EXPECT_NE(std::string(error.what()).find("options.method"), std::string::npos);
  }
}

class StopAfter : public SolverObserver {
 public:
  explicit StopAfter(int reports) : remaining_(reports) {}
  ObserverAction on_iteration(const IterationReport& report, const IterateView&) override {
    last_iteration = report.iteration;
    return --remaining_ <= 0 ? ObserverAction::kStop : ObserverAction::kContinue;
  }
  std::int64_t last_iteration = 0;

 private:
  int remaining_;
};

TEST(PolynomialSolver, ObserverAndStopTokenCancel) {
  const PreparedPolynomialProblem prepared =
      moons_problem(20, Activation::polynomial(0.09, 0.5, 0.47), 0.05);
  PolynomialSolverOptions options = tight_options();
  options.relative_gap_tolerance = 0.0;  // never converges
  StopAfter observer(3);
  SolveContext context;
  context.observer = &observer;
  PolynomialSolution solution;
  const SolverSummary stopped = solve_polynomial(prepared.problem, options, &solution, context);
  EXPECT_EQ(stopped.status, SolverStatus::kCancelled);
  EXPECT_EQ(stopped.iterations, 3);
  EXPECT_EQ(observer.last_iteration, 3);
  EXPECT_GT(solution.network.width(), 0);  // the best network so far is kept

  std::stop_source source;
  source.request_stop();
  SolveContext cancelled;
  cancelled.stop_token = source.get_token();
  PolynomialSolution other;
  const SolverSummary summary = solve_polynomial(prepared.problem, options, &other, cancelled);
  EXPECT_EQ(summary.status, SolverStatus::kCancelled);
  EXPECT_EQ(summary.iterations, 0);
}

TEST(PolynomialSolver, WarmStartFromTheSolutionCertifiesAtOnce) {
  for (const Activation& activation :
       {Activation::quadratic(), Activation::polynomial(0.09, 0.5, 0.47)}) {
    const PreparedPolynomialProblem prepared = moons_problem(20, activation, 0.05);
    PolynomialSolverOptions options;
    options.relative_gap_tolerance = 1e-7;
    PolynomialSolution solution;
    const SolverSummary cold = solve_polynomial(prepared.problem, options, &solution);
    ASSERT_EQ(cold.status, SolverStatus::kConverged) << cold.message;
    ASSERT_TRUE(solution.state.matches(
        prepared.problem, resolve_polynomial_method(prepared.problem, options.method)));
    const SolverSummary warm = solve_polynomial(prepared.problem, options, &solution);
    EXPECT_EQ(warm.status, SolverStatus::kConverged);
    EXPECT_LE(warm.iterations, options.certificate_interval) << activation.name();
    EXPECT_LT(warm.iterations, cold.iterations);
    EXPECT_NEAR(warm.network_objective, cold.network_objective, 1e-6 * cold.network_objective);
  }
}

TEST(PolynomialTraining, TrainedModelRoundTripsThroughJsonWithTheSamePredictions) {
  GeneratorSettings settings;
  settings.name = "moons";
  settings.n = 30;
  settings.seed = 5;
  const Dataset train = generate_dataset(settings);
  settings.seed = 6;
  const Dataset test = generate_dataset(settings);
  PolynomialTrainingConfig config;
  config.activation = Activation::polynomial(0.09, 0.5, 0.47);
  config.beta = 0.05;
  config.standardize = true;
  config.solver.relative_gap_tolerance = 1e-6;
  BoundsRecorder recorder;
  const PolynomialTrainingResult result = train_polynomial_network(train, &test, config, &recorder);
  ASSERT_EQ(result.summary.status, SolverStatus::kConverged) << result.summary.message;
  ASSERT_TRUE(result.network.standardization.has_value());
  // The network works on raw inputs: its objective on the standardized training data is U.
  const Eigen::MatrixXd standardized = result.network.standardization->apply(train.X);
  EXPECT_NEAR(result.network.objective(standardized, train.y, config.loss, config.beta),
              result.summary.network_objective, 1e-12 * result.summary.network_objective);
  EXPECT_FALSE(std::isnan(recorder.reports.back().test_accuracy));
  EXPECT_GT(recorder.reports.back().train_accuracy, 0.8);

  Model model;
  model.network = result.network;
  const Model loaded = model_from_json(model_to_json(model), "memory");
  EXPECT_EQ(loaded.network.activation, config.activation);
  EXPECT_LE((loaded.network.predict(test.X) - result.network.predict(test.X)).norm(),
            1e-12 * (1.0 + result.network.predict(test.X).norm()));
}

TEST(PolynomialTraining, WithoutBiasTheNeuronsHaveNoBias) {
  GeneratorSettings settings;
  settings.name = "gaussians";
  settings.n = 20;
  PolynomialTrainingConfig config;
  config.bias = false;
  config.beta = 0.1;
  const PolynomialTrainingResult result =
      train_polynomial_network(generate_dataset(settings), nullptr, config);
  ASSERT_EQ(result.summary.status, SolverStatus::kConverged) << result.summary.message;
  ASSERT_GT(result.network.width(), 0);
  EXPECT_EQ(result.network.first_bias.cwiseAbs().maxCoeff(), 0.0);
  for (Eigen::Index j = 0; j < result.network.width(); ++j) {
    EXPECT_NEAR(result.network.first_weights.row(j).norm(), 1.0, 1e-12);
  }
}

TEST(PolynomialTraining, ConfigFromTheReluPipelineCarriesItsSettings) {
  TrainingConfig relu;
  relu.loss = LossKind::kLogistic;
  relu.beta = 0.25;
  relu.standardize = true;
  relu.admm.max_iterations = 123;
  relu.admm.relative_gap_tolerance = 1e-5;
  relu.admm.report_every = 7;
  relu.admm.max_seconds = 9.0;
  const Activation activation = Activation::polynomial(0.09, 0.5, 0.47);
  const PolynomialTrainingConfig config = polynomial_config_from(relu, activation);
  EXPECT_EQ(config.activation, activation);
  EXPECT_EQ(config.loss, LossKind::kLogistic);
  EXPECT_EQ(config.beta, 0.25);
  EXPECT_TRUE(config.standardize);
  EXPECT_TRUE(config.bias);
  EXPECT_EQ(config.solver.max_iterations, 123);
  EXPECT_EQ(config.solver.relative_gap_tolerance, 1e-5);
  EXPECT_EQ(config.solver.report_every, 7);
  EXPECT_EQ(config.solver.max_seconds, 9.0);
  relu.epsilon = 0.1;
  try {
    polynomial_config_from(relu, activation);
    FAIL() << "epsilon accepted";
  } catch (const InputError& error) {
    EXPECT_NE(std::string(error.what()).find("epsilon"), std::string::npos);
  }
}

TEST(PolynomialTraining, SummaryReportsTheSemidefiniteProgram) {
  GeneratorSettings settings;
  settings.name = "xor";
  settings.n = 16;
  PolynomialTrainingConfig config;
  config.beta = 0.1;
  const PolynomialTrainingResult result =
      train_polynomial_network(generate_dataset(settings), nullptr, config);
  ASSERT_EQ(result.summary.status, SolverStatus::kConverged);
  EXPECT_TRUE(result.summary.semidefinite);
  EXPECT_TRUE(result.summary.certifies_global_optimum());
  const std::string report = result.summary.full_report();
  EXPECT_NE(report.find("semidefinite program"), std::string::npos) << report;
  EXPECT_EQ(report.find("patterns"), std::string::npos) << report;
  EXPECT_NE(result.summary.certificate_statement().find("semidefinite program is exact"),
            std::string::npos);
}

}  // namespace
}  // namespace convexnn
