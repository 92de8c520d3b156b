#include "convexnn/polynomial_training.h"

#include <cmath>
#include <sstream>

#include "convexnn/convex_problem.h"
#include "convexnn/errors.h"

namespace convexnn {

std::string PolynomialTrainingConfig::validate() const {
  PolynomialProblem settings;  // the problem's own checks of activation, loss and beta
  settings.activation = activation;
  settings.loss = loss;
  settings.beta = beta;
  settings.X = Eigen::MatrixXd::Ones(1, 1);
  settings.y = Eigen::VectorXd::Ones(1);
  if (std::string error = settings.validate(); !error.empty()) return error;
  return solver.validate();
}

PreparedPolynomialProblem prepare_polynomial_problem(const Dataset& train, const Dataset* test,
                                                     const PolynomialTrainingConfig& config) {
  if (const std::string error = config.validate(); !error.empty()) throw InputError(error);
  if (train.num_samples() == 0) throw InputError("the training set is empty");
  PreparedPolynomialProblem prepared;
  PolynomialProblem& problem = prepared.problem;
  Eigen::MatrixXd features = train.X;
  if (config.standardize) {
    problem.standardization = Standardization::fit(train.X);
    features = problem.standardization->apply(train.X);
  }
  problem.X = config.bias ? with_bias_column(features) : features;
  problem.has_bias_column = config.bias;
  problem.y = train.y;
  problem.loss = config.loss;
  problem.beta = config.beta;
  problem.activation = config.activation;
  if (const std::string error = problem.validate(); !error.empty()) throw InputError(error);
  if (test && test->num_samples() > 0) {
    if (test->num_features() != train.num_features()) {
      throw InputError("the test set has " + std::to_string(test->num_features()) +
                       " features but the training set has " +
                       std::to_string(train.num_features()));
    }
    const Eigen::MatrixXd test_features =
        problem.standardization ? problem.standardization->apply(test->X) : test->X;
    EvaluationSet evaluation;
    evaluation.X = config.bias ? with_bias_column(test_features) : test_features;
    evaluation.y = test->y;
    prepared.test_set = std::move(evaluation);
  }
  return prepared;
}

PolynomialTrainingConfig polynomial_config_from(const TrainingConfig& config,
                                                const Activation& activation) {
  if (config.epsilon != 0.0) {
    throw InputError("epsilon: adversarial training is not available for the " + activation.name() +
                     " activation (use epsilon 0)");
  }
  PolynomialTrainingConfig result;
  result.activation = activation;
  result.loss = config.loss;
  result.beta = config.beta;
  result.standardize = config.standardize;
  result.bias = true;
  result.solver.max_iterations = config.admm.max_iterations;
  result.solver.relative_gap_tolerance = config.admm.relative_gap_tolerance;
  result.solver.report_every = config.admm.report_every;
  result.solver.max_seconds = config.admm.max_seconds;
  return result;
}

PolynomialTrainingResult train_polynomial_network(const PreparedPolynomialProblem& prepared,
                                                  const PolynomialTrainingConfig& config,
                                                  SolverObserver* observer, std::stop_token stop,
                                                  const PolynomialIterate* warm_start) {
  PolynomialTrainingResult result;
  if (warm_start) result.solution.state = *warm_start;
  SolveContext context;
  context.observer = observer;
  context.stop_token = std::move(stop);
  context.test_set = prepared.test_set ? &*prepared.test_set : nullptr;
  result.summary = solve_polynomial(prepared.problem, config.solver, &result.solution, context);
  result.network = result.solution.network;
  return result;
}

PolynomialTrainingResult train_polynomial_network(const Dataset& train, const Dataset* test,
                                                  const PolynomialTrainingConfig& config,
                                                  SolverObserver* observer, std::stop_token stop) {
  return train_polynomial_network(prepare_polynomial_problem(train, test, config), config, observer,
                                  std::move(stop));
}

}  // namespace convexnn
