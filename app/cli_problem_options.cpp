#include "cli_problem_options.h"

#include <cmath>
#include <sstream>
#include <vector>

#include "convexnn/errors.h"
#include "convexnn/gated_relu.h"

namespace convexnn::cli {

void add_problem_options(CLI::App& command, ProblemOptions& options, bool allow_auto_formulation) {
  add_data_source_options(command, options.data);
  std::vector<std::string> formulations = {"exact", "sampled"};
  std::string formulation_help =
      "Activation patterns: exact (enumerated, 2-D data only) or sampled";
  if (allow_auto_formulation) {
    formulations.push_back("auto");
    formulation_help += ", or auto (exact when the data allow it)";
  }
  command.add_option("--formulation", options.formulation, formulation_help)
      ->check(CLI::IsMember(formulations))
      ->capture_default_str();
  command.add_option("--patterns", options.patterns, "Number of sampled patterns P")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  command.add_option("--loss", options.loss, "Loss: squared, hinge or logistic")
      ->check(CLI::IsMember({"squared", "hinge", "logistic"}))
      ->capture_default_str();
  command.add_option("--beta", options.beta, "Weight decay (regularization) beta > 0")
      ->capture_default_str();
  command
      .add_option("--test-fraction", options.test_fraction,
                  "Fraction of samples held out for testing, in [0, 1)")
      ->capture_default_str();
  command.add_option("--standardize", options.standardize, "Input scaling: none or zscore")
      ->check(CLI::IsMember({"none", "zscore"}))
      ->capture_default_str();
  command
      .add_option("--activation", options.activation,
                  "Hidden-layer activation: relu, leaky-relu (max(t, kappa t)) or abs (|t|), "
                  "trained as the convex program over activation patterns; or quadratic (t^2) "
                  "or poly2 (a t^2 + b t + c), trained as a semidefinite program (no patterns; "
                  "--formulation and --patterns do not apply)")
      ->capture_default_str();
  command.add_option("--leaky-slope", options.leaky_slope,
                     "Slope kappa in [0, 1) of leaky-relu for t < 0 (default 0.01)");
  command.add_option(
      "--poly", options.poly,
      "Coefficients a,b,c of poly2, sigma(t) = a t^2 + b t + c (default 0.09,0.5,0.47: "
      "a quadratic approximation of ReLU, science.md 9.6)");
}

namespace {

// "a,b,c" -> three finite numbers; throws InputError naming --poly.
Activation parse_poly_coefficients(const std::string& text) {
  double values[3] = {0.0, 0.0, 0.0};
  std::size_t start = 0;
  int count = 0;
  bool ok = true;
  while (ok) {
    const std::size_t comma = text.find(',', start);
    const std::string field =
        text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    std::size_t used = 0;
    try {
      if (count < 3) values[count] = std::stod(field, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    ok = count < 3 && used == field.size() && !field.empty() && std::isfinite(values[count]);
    ++count;
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (!ok || count != 3) {
    throw InputError("--poly: expected three numbers a,b,c for sigma(t) = a t^2 + b t + c (got '" +
                     text + "')");
  }
  const Activation activation = Activation::polynomial(values[0], values[1], values[2]);
  if (const std::string error = activation.validate(); !error.empty()) {
    throw InputError("--poly '" + text + "': " + error);
  }
  return activation;
}

}  // namespace

Activation make_activation(const ProblemOptions& problem) {
  Activation activation;
  activation.kind = parse_activation_kind(problem.activation);
  if (activation.kind == ActivationKind::kPolynomial) {
    activation = problem.poly.empty() ? Activation::polynomial(kDefaultPolyCoefficients[0],
                                                               kDefaultPolyCoefficients[1],
                                                               kDefaultPolyCoefficients[2])
                                      : parse_poly_coefficients(problem.poly);
  } else if (!problem.poly.empty()) {
    throw InputError("--poly applies only to --activation poly2 (got --activation " +
                     problem.activation + ")");
  }
  const bool slope_given = !std::isnan(problem.leaky_slope);
  if (activation.kind == ActivationKind::kLeakyRelu) {
    activation.leaky_slope = slope_given ? problem.leaky_slope : kDefaultLeakySlope;
    if (!activation.validate().empty()) {
      std::ostringstream message;
      message << "--leaky-slope must be in [0, 1) (got " << problem.leaky_slope << ")";
      throw InputError(message.str());
    }
  } else if (slope_given) {
    throw InputError("--leaky-slope applies only to --activation leaky-relu (got --activation " +
                     problem.activation + ")");
  }
  return activation;
}

void add_convex_solver_options(CLI::App& command, ConvexSolverCliOptions& options) {
  command
      .add_option("--solver", options.solver,
                  "Algorithm: admm, al (augmented Lagrangian, R-FISTA subproblems) or gated "
                  "(R-FISTA on the gated ReLU relaxation + cone decomposition; certifies the "
                  "relaxation only). al and gated need a smooth loss (squared or logistic). "
                  "quadratic and poly2 always use FISTA on their semidefinite program. scp: the "
                  "sampled convex program, a lasso over --features random ReLU neurons (certifies "
                  "optimality among those neurons only)")
      ->check(CLI::IsMember({"admm", "al", "gated", "scp"}))
      ->capture_default_str();
  command.add_option("--rho", options.rho, "ADMM penalty: a positive number (fixed) or auto")
      ->capture_default_str();
  command
      .add_option("--max-iter", options.max_iterations,
                  "Maximum iterations (ADMM iterations; R-FISTA iterations for al and gated)")
      ->capture_default_str();
  command
      .add_option("--tol", options.tolerance, "Stop when the relative duality gap is below this")
      ->capture_default_str();
  command.add_option("--max-seconds", options.max_seconds, "Time limit in seconds (0: none)")
      ->capture_default_str();
  command.add_option("--features", options.features, "--solver scp: number of random neurons")
      ->capture_default_str();
  command.add_flag("--generate-patterns", options.generate_patterns,
                   "Sampled patterns: test the certificate on fresh patterns and add the violated "
                   "ones, re-solving until a batch finds none (science.md 11.1); with --solver "
                   "scp the neuron directions grow instead (the lasso's dictionary)");
  command
      .add_option("--generation-batch", options.generation_batch,
                  "Fresh pattern draws per generation round")
      ->capture_default_str();
  command
      .add_option("--generation-rounds", options.generation_rounds,
                  "At most this many generation rounds")
      ->capture_default_str();
  command
      .add_option(
          "--generation-search", options.generation_search,
          "Where a generation round's candidate patterns come from: random (Gaussian "
          "draws) or neuron (local ascent in neuron space on the dual constraint, from "
          "random starts and the current neurons: more violated patterns per round than the "
          "draws, at a higher cost per round)")
      ->check(CLI::IsMember({"random", "neuron"}))
      ->capture_default_str();
  command
      .add_option("--slide-iterations", options.slide_iterations,
                  "--solver scp --generate-patterns: L-BFGS iterations per round that move the "
                  "neurons on the network objective before the next search (sliding; 0: off)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  command
      .add_option("--final-slide", options.final_slide_iterations,
                  "--solver scp --generate-patterns: L-BFGS iterations that move the final "
                  "neurons on the network objective after the last round (0: off)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  command
      .add_option("--final-slide-share", options.final_slide_share,
                  "With --final-slide and --max-seconds: the share of the time kept for the "
                  "final slide (the rounds stop at the rest)")
      ->check(CLI::Range(0.0, 0.99))
      ->capture_default_str();
  command.add_flag("!--no-polish", options.polish,
                   "ADMM and al: skip the interior-point polish on the active blocks");
  command
      .add_option("--kkt-tol", options.kkt_tolerance,
                  "--solver al: also stop by scnn's KKT rule, constraint violation and squared "
                  "stationarity (per sample) both below this (0: off); not a certificate")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  command
      .add_option("--gated-method", options.gated_method,
                  "--solver gated: rfista (accelerated proximal gradient), admm (ADMM with a "
                  "Nystrom-preconditioned CG u-update, CRONOS; squared loss) or auto (admm for "
                  "squared loss when the data have at least 200 columns, else rfista)")
      ->check(CLI::IsMember({"auto", "rfista", "admm"}))
      ->capture_default_str();
  command
      .add_option("--sketch-rank", options.sketch_rank,
                  "--gated-method admm: rank of the Nystrom preconditioner (one product with this "
                  "many columns)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
}

std::string resolve_formulation(const std::string& formulation, const Dataset& train) {
  if (formulation != "auto") return formulation;
  return train.num_features() == 2 && train.num_samples() <= kMaxExactSamples ? "exact" : "sampled";
}

TrainingConfig make_training_config(const ProblemOptions& problem,
                                    const ConvexSolverCliOptions& solver, double epsilon) {
  TrainingConfig config;
  config.pattern_mode = pattern_mode_from_string(problem.formulation);
  config.pattern_samples = problem.patterns;
  config.seed = problem.data.seed;
  config.loss = loss_from_string(problem.loss);
  config.beta = problem.beta;
  config.epsilon = epsilon;
  config.activation = make_activation(problem);
  if (problem.standardize == "zscore") {
    config.standardize = true;
  } else if (problem.standardize != "none") {
    throw InputError("--standardize: expected none or zscore (got '" + problem.standardize + "')");
  }
  if (solver.rho == "auto") {
    config.admm.penalty_mode = PenaltyMode::kAdaptive;
  } else {
    std::size_t used = 0;
    double value = 0.0;
    try {
      value = std::stod(solver.rho, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != solver.rho.size() || !(value > 0) || !std::isfinite(value)) {
      throw InputError("--rho: expected a positive number or 'auto' (got '" + solver.rho + "')");
    }
    config.admm.rho = value;
    config.admm.penalty_mode = PenaltyMode::kFixed;
  }
  config.solver = solver_kind_from_string(solver.solver);
  config.set_stopping_rule(solver.max_iterations, solver.tolerance, solver.max_seconds);
  config.random_features.features = solver.features;
  config.random_features.seed = problem.data.seed;
  config.generate_patterns = solver.generate_patterns;
  config.pattern_generation.batch_size = solver.generation_batch;
  config.pattern_generation.max_rounds = solver.generation_rounds;
  config.pattern_generation.source = solver.generation_search == "neuron"
                                         ? CandidateSource::kNeuronSearch
                                         : CandidateSource::kRandomDraws;
  config.pattern_generation.slide_iterations = solver.slide_iterations;
  config.pattern_generation.final_slide_iterations = solver.final_slide_iterations;
  config.pattern_generation.final_slide_share = solver.final_slide_share;
  config.admm.polish = solver.polish;
  config.augmented_lagrangian.polish = solver.polish;
  config.augmented_lagrangian.kkt_tolerance = solver.kkt_tolerance;
  config.gated.method = parse_gated_method(solver.gated_method);
  config.gated.admm.sketch_rank = solver.sketch_rank;
  if ((solver.slide_iterations > 0 || solver.final_slide_iterations > 0) &&
      (config.solver != SolverKind::kRandomFeatures || !solver.generate_patterns)) {
    throw InputError(
        "--slide-iterations and --final-slide move generated neurons: they need --solver scp "
        "--generate-patterns");
  }
  if (config.solver != SolverKind::kAdmm && solver.rho != "auto") {
    throw InputError("--rho applies to --solver admm only (got --solver " + solver.solver + ")");
  }
  if (trains_semidefinite_program(config.activation) && solver.rho != "auto") {
    throw InputError("--rho applies to the ADMM solver, not to --activation " +
                     config.activation.name() + " (its semidefinite program is solved by FISTA)");
  }
  if (const std::string error = config.validate(); !error.empty()) {
    throw InputError("invalid option: " + error);
  }
  return config;
}

LoadedProblem load_problem(const ProblemOptions& problem, const ConvexSolverCliOptions& solver,
                           double epsilon) {
  LoadedProblem loaded;
  // Option errors first, so that a typo is reported before a large file is read.
  ProblemOptions resolved = problem;
  if (resolved.formulation == "auto") resolved.formulation = "sampled";
  loaded.config = make_training_config(resolved, solver, epsilon);
  loaded.dataset = load_data_source(problem.data);
  loaded.split = split_train_test(loaded.dataset, problem.test_fraction, problem.data.seed);
  loaded.formulation = resolve_formulation(problem.formulation, loaded.split.train);
  loaded.config.pattern_mode = pattern_mode_from_string(loaded.formulation);
  loaded.prepared = prepare_problem(loaded.split.train, &loaded.split.test, loaded.config);
  return loaded;
}

}  // namespace convexnn::cli
