#include "convexnn/training.h"

#include <cmath>
#include <sstream>

#include "convexnn/errors.h"
#include "convexnn/network_recovery.h"
#include "convexnn/neuron_generation.h"
#include "convexnn/polynomial_training.h"

namespace convexnn {

bool trains_semidefinite_program(const Activation& activation) {
  return activation.kind == ActivationKind::kQuadratic ||
         activation.kind == ActivationKind::kPolynomial;
}

namespace {

// The settings that apply to a quadratic / poly2 run (science.md 9); empty when valid.
std::string semidefinite_config_error(const TrainingConfig& config) {
  std::ostringstream error;
  const std::string name = config.activation.name();
  if (config.epsilon > 0) {
    error << "epsilon: adversarial training (epsilon > 0) is not available for the " << name
          << " activation (got epsilon " << config.epsilon << "; use 0)";
  } else if (config.solver != SolverKind::kAdmm) {
    error << "solver '" << to_string(config.solver) << "' does not apply to the " << name
          << " activation: its semidefinite program has its own FISTA solver (leave solver at "
             "its default, admm)";
  } else if (const std::string admm_error = config.admm.validate(); !admm_error.empty()) {
    error << admm_error;
  } else if (const std::string polynomial_error =
                 polynomial_config_from(config, config.activation).validate();
             !polynomial_error.empty()) {
    error << polynomial_error;
  }
  return error.str();
}

}  // namespace

std::string TrainingConfig::validate() const {
  std::ostringstream error;
  if (!(beta > 0) || !std::isfinite(beta)) {
    error << "beta must be a positive number (got " << beta << ")";
  } else if (!std::isfinite(epsilon) || epsilon < 0) {
    error << "epsilon must be a finite number >= 0 (got " << epsilon << ")";
  } else if (pattern_mode == PatternMode::kSampled && pattern_samples < 1) {
    error << "patterns must be at least 1 (got " << pattern_samples << ")";
  } else if (const std::string activation_error = activation.validate();
             !activation_error.empty()) {
    error << activation_error;
  } else if (trains_semidefinite_program(activation)) {
    error << semidefinite_config_error(*this);
  } else if (epsilon > 0 && activation.kind != ActivationKind::kRelu) {
    error << "epsilon > 0 (robust training) supports only activation relu (got '"
          << activation.name() << "')";
  } else if (const std::string admm_error = admm.validate(); !admm_error.empty()) {
    error << admm_error;
  } else if (solver != SolverKind::kAdmm && epsilon > 0) {
    error << "solver '" << to_string(solver)
          << "' does not train robust programs (epsilon > 0); use solver admm";
  } else if (const std::string loss_error = smooth_loss_error(
                 loss, solver == SolverKind::kGated                 ? "gated ReLU"
                       : solver == SolverKind::kAugmentedLagrangian ? "augmented Lagrangian"
                                                                    : "random-feature (SCP)");
             solver != SolverKind::kAdmm && !loss_error.empty()) {
    error << loss_error;
  } else if (const std::string scp_error = random_features.validate();
             solver == SolverKind::kRandomFeatures && !scp_error.empty()) {
    error << scp_error;
  } else if (generate_patterns &&
             ((solver != SolverKind::kAdmm && solver != SolverKind::kRandomFeatures) ||
              epsilon > 0)) {
    error << "generate_patterns works with solver admm or scp and epsilon 0 only";
  } else if (const std::string neuron_error =
                 neuron_generation_error(activation, pattern_generation.source);
             generate_patterns && solver == SolverKind::kRandomFeatures && !neuron_error.empty()) {
    error << neuron_error;
  } else if (generate_patterns && solver == SolverKind::kAdmm &&
             pattern_mode != PatternMode::kSampled) {
    error << "generate_patterns applies to sampled patterns (exact patterns are all there)";
  } else if (const std::string generation_error = pattern_generation.validate();
             generate_patterns && !generation_error.empty()) {
    error << generation_error;
  } else if (const std::string al_error = augmented_lagrangian.validate();
             solver == SolverKind::kAugmentedLagrangian && !al_error.empty()) {
    error << al_error;
  } else if (const std::string gated_error = gated.validate();
             solver == SolverKind::kGated && !gated_error.empty()) {
    error << gated_error;
  } else if (const std::string decomposition_error = cone_decomposition.validate();
             solver == SolverKind::kGated && !decomposition_error.empty()) {
    error << "cone_decomposition." << decomposition_error;
  }
  return error.str();
}

PreparedProblem prepare_problem(const Dataset& train, const Dataset* test,
                                const TrainingConfig& config) {
  if (const std::string error = config.validate(); !error.empty()) throw InputError(error);
  if (train.num_samples() == 0) throw InputError("the training set is empty");
  PreparedProblem prepared;
  ConvexProblem& problem = prepared.problem;
  if (trains_semidefinite_program(config.activation)) {
    prepared.polynomial =
        prepare_polynomial_problem(train, test, polynomial_config_from(config, config.activation));
    const PolynomialProblem& sdp = prepared.polynomial->problem;
    // The objective's data only (see PreparedProblem): no patterns, not finalized.
    problem.X = sdp.X;
    problem.y = sdp.y;
    problem.loss = sdp.loss;
    problem.beta = sdp.beta;
    problem.activation = sdp.activation;
    problem.has_bias_column = sdp.has_bias_column;
    problem.standardization = sdp.standardization;
    prepared.test_set = prepared.polynomial->test_set;
    return prepared;
  }
  Eigen::MatrixXd features = train.X;
  if (config.standardize) {
    problem.standardization = Standardization::fit(train.X);
    features = problem.standardization->apply(train.X);
  }
  problem.X = with_bias_column(features);
  problem.y = train.y;
  problem.loss = config.loss;
  problem.beta = config.beta;
  problem.activation = config.activation;
  problem.has_bias_column = true;
  if (config.pattern_mode == PatternMode::kExact) {
    if (train.num_features() != 2) {
      throw InputError("formulation 'exact' needs 2-D data (this dataset has " +
                       std::to_string(train.num_features()) +
                       " features); use --formulation sampled");
    }
    if (train.num_samples() > kMaxExactSamples) {
      throw InputError("formulation 'exact' is limited to " + std::to_string(kMaxExactSamples) +
                       " training samples (got " + std::to_string(train.num_samples()) +
                       "); use --formulation sampled or fewer samples");
    }
    problem.patterns = enumerate_patterns_2d(problem.X);
  } else {
    problem.patterns = sample_patterns(problem.X, config.pattern_samples, config.seed);
  }
  if (config.activation.kind == ActivationKind::kAbsolute) {
    problem.patterns = drop_complementary_patterns(problem.patterns);
  }
  problem.finalize();
  if (test && test->num_samples() > 0) {
    if (test->num_features() != train.num_features()) {
      throw InputError("the test set has " + std::to_string(test->num_features()) +
                       " features but the training set has " +
                       std::to_string(train.num_features()));
    }
    EvaluationSet evaluation;
    evaluation.X = with_bias_column(
        problem.standardization ? problem.standardization->apply(test->X) : test->X);
    evaluation.y = test->y;
    prepared.test_set = std::move(evaluation);
  }
  return prepared;
}

TrainingResult train_network(const PreparedProblem& prepared, const TrainingConfig& config,
                             SolverObserver* observer, std::stop_token stop,
                             const AdmmState* warm_start,
                             const PolynomialIterate* polynomial_warm_start) {
  TrainingResult result;
  if (prepared.semidefinite() != trains_semidefinite_program(config.activation)) {
    throw InputError("activation '" + config.activation.name() +
                     "' does not match the prepared problem (built for activation '" +
                     prepared.problem.activation.name() + "'); prepare it again");
  }
  if (prepared.polynomial) {
    PolynomialTrainingResult polynomial = train_polynomial_network(
        *prepared.polynomial, polynomial_config_from(config, config.activation), observer,
        std::move(stop), polynomial_warm_start);
    result.summary = std::move(polynomial.summary);
    result.network = std::move(polynomial.network);
    result.polynomial_solution = std::move(polynomial.solution);
    result.solution.blocks = Eigen::MatrixXd::Zero(prepared.problem.dim(), 0);
    return result;
  }
  if (warm_start) result.solution.state = *warm_start;
  SolveContext context;
  context.observer = observer;
  context.stop_token = std::move(stop);
  context.test_set = prepared.test_set ? &*prepared.test_set : nullptr;
  if (config.epsilon > 0) {
    const RobustProblem robust(prepared.problem, config.epsilon);
    RobustSolution solution;
    result.summary = solve_robust(robust, robust_options_from(config.admm), &solution, context);
    result.solution.blocks = std::move(solution.blocks);
    result.robust_state = std::move(solution.state);
  } else if (config.solver == SolverKind::kAugmentedLagrangian) {
    AugmentedLagrangianSolution solution;
    result.summary = solve_augmented_lagrangian(prepared.problem, config.augmented_lagrangian,
                                                &solution, context);
    result.solution.blocks = std::move(solution.blocks);
    result.augmented_lagrangian_state = std::move(solution.state);
  } else if (config.solver == SolverKind::kGated) {
    result.summary =
        solve_gated_relu(prepared.problem, config.gated, &result.gated_solution, context);
    if (result.summary.status == SolverStatus::kInvalidOptions) {
      result.solution.blocks =
          Eigen::MatrixXd::Zero(prepared.problem.dim(), prepared.problem.num_blocks());
    } else {
      result.decomposition = decompose_gated_solution(
          prepared.problem, result.gated_solution.blocks, config.cone_decomposition);
      result.solution.blocks = result.decomposition.blocks;
      result.summary.decomposed_objective = result.decomposition.relu_objective;
      result.summary.max_cone_violation = result.decomposition.max_cone_violation;
      result.summary.active_neurons = count_active_blocks(result.solution.blocks);
    }
  } else if (config.solver == SolverKind::kRandomFeatures && config.generate_patterns) {
    result.pattern_generation =
        solve_with_neuron_generation(prepared.problem, config.random_features,
                                     config.pattern_generation, &result.random_features, context);
    result.summary = result.pattern_generation->summary;
    result.network = random_feature_network(prepared.problem, result.random_features.directions,
                                            result.random_features.weights);
    result.solution.blocks = Eigen::MatrixXd::Zero(prepared.problem.dim(), 0);
    return result;
  } else if (config.solver == SolverKind::kRandomFeatures) {
    result.summary = solve_random_features(prepared.problem, config.random_features,
                                           &result.random_features, context);
    result.network = random_feature_network(prepared.problem, result.random_features.directions,
                                            result.random_features.weights);
    result.solution.blocks = Eigen::MatrixXd::Zero(prepared.problem.dim(), 0);
    return result;
  } else if (config.generate_patterns) {
    ConvexProblem grown = prepared.problem;
    result.pattern_generation = solve_with_pattern_generation(
        grown, config.admm, config.pattern_generation, &result.solution, context);
    result.summary = result.pattern_generation->summary;
    result.network = recover_network(grown, result.solution.blocks);
    result.generated_patterns = std::move(grown.patterns);
    return result;
  } else {
    result.summary = solve_admm(prepared.problem, config.admm, &result.solution, context);
  }
  result.network = recover_network(prepared.problem, result.solution.blocks);
  return result;
}

void TrainingConfig::set_stopping_rule(std::int64_t max_iterations, double relative_gap_tolerance,
                                       double max_seconds) {
  admm.max_iterations = max_iterations;
  admm.relative_gap_tolerance = relative_gap_tolerance;
  admm.max_seconds = max_seconds;
  augmented_lagrangian.max_iterations = max_iterations;
  augmented_lagrangian.relative_gap_tolerance = relative_gap_tolerance;
  augmented_lagrangian.max_seconds = max_seconds;
  gated.rfista.max_iterations = max_iterations;
  gated.relative_gap_tolerance = relative_gap_tolerance;
  gated.max_seconds = max_seconds;
  random_features.rfista.max_iterations = max_iterations;
  random_features.relative_gap_tolerance = relative_gap_tolerance;
  random_features.max_seconds = max_seconds;
}

}  // namespace convexnn
