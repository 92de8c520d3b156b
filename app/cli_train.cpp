// `convexnn train`: dataset -> convex program -> solver (ADMM, AL or gated) -> model file and
// summary; for quadratic / poly2: dataset -> semidefinite program -> FISTA -> neural decomposition.
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "cli_common.h"
#include "cli_problem_options.h"
#include "convexnn/adversarial_attacks.h"
#include "convexnn/atomic_file.h"
#include "convexnn/data_split.h"
#include "convexnn/errors.h"
#include "convexnn/local_robustness.h"
#include "convexnn/model_json.h"
#include "convexnn/parallelism.h"
#include "convexnn/training.h"
#include "convexnn/training_record.h"

namespace convexnn::cli {
namespace {

volatile std::sig_atomic_t g_interrupted = 0;
void on_interrupt(int) { g_interrupted = 1; }

struct TrainOptions {
  ProblemOptions problem;  // shared with `compare`
  ConvexSolverCliOptions solver;
  bool float32 = false;  // --solver gated: single precision products
  double epsilon = 0.0;
  std::string out_path;
  std::string log_path;
  bool json = false;
  int report_every = 10;
  int threads = 0;  // 0: all hardware threads
};

// Progress line on a terminal, iteration log rows, Ctrl-C.
class CliObserver : public SolverObserver {
 public:
  CliObserver(bool progress, bool log) : progress_(progress), log_(log) {
    if (log_) {
      rows_ << "iteration,elapsed_seconds,convex_objective,network_objective,best_objective,"
               "lower_bound,relative_gap,primal_residual,dual_residual,rho,active_neurons,"
               "train_accuracy,test_accuracy,robust_train_accuracy\n";
    }
  }

  ObserverAction on_iteration(const IterationReport& r, const IterateView&) override {
    if (log_) {
      char line[512];
      std::snprintf(line, sizeof line,
                    "%lld,%.6f,%.17g,%.17g,%.17g,%.17g,%.6e,%.6e,%.6e,%.6g,%lld,%.6f,%.6f,%.6f\n",
                    static_cast<long long>(r.iteration), r.elapsed_seconds, r.convex_objective,
                    r.network_objective, r.best_network_objective, r.lower_bound, r.relative_gap,
                    r.primal_residual, r.dual_residual, r.rho,
                    static_cast<long long>(r.active_neurons), r.train_accuracy, r.test_accuracy,
                    r.robust_train_accuracy);
      rows_ << line;
    }
    const auto now = std::chrono::steady_clock::now();
    if (progress_ && now - last_progress_ > std::chrono::milliseconds(100)) {
      last_progress_ = now;
      std::fprintf(
          stderr, "\r  iter %7lld  objective %.8g  bound %.8g  gap %.2e  neurons %lld  acc %.3f   ",
          static_cast<long long>(r.iteration), r.best_network_objective, r.lower_bound,
          r.relative_gap, static_cast<long long>(r.active_neurons), r.train_accuracy);
      std::fflush(stderr);
      printed_ = true;
    }
    return g_interrupted ? ObserverAction::kStop : ObserverAction::kContinue;
  }

  void finish() const {
    if (printed_) std::fprintf(stderr, "\r%100s\r", "");
  }
  std::string log_text() const { return rows_.str(); }

 private:
  bool progress_;
  bool log_;
  bool printed_ = false;
  std::chrono::steady_clock::time_point last_progress_{};
  std::ostringstream rows_;
};

TrainingConfig make_config(const TrainOptions& options) {
  TrainingConfig config = make_training_config(options.problem, options.solver, options.epsilon);
  config.admm.report_every = options.report_every;
  config.augmented_lagrangian.report_every = options.report_every;
  config.gated.report_every = options.report_every;
  config.random_features.report_every = options.report_every;
  if (options.float32) {
    if (config.solver != SolverKind::kGated) {
      throw InputError("--float32 applies to --solver gated only (got --solver " +
                       options.solver.solver + ")");
    }
    if (trains_semidefinite_program(config.activation)) {
      throw InputError("--float32 applies to the gated solver, not to --activation " +
                       options.problem.activation + " (FISTA on its semidefinite program)");
    }
    if (config.gated.method == GatedMethod::kNystromAdmm) {
      throw InputError("--float32 applies to --gated-method rfista or auto (R-FISTA), not admm");
    }
    config.gated.single_precision = true;
  }
  if (const std::string error = config.validate(); !error.empty()) {
    throw InputError("invalid option: " + error);
  }
  return config;
}

// Clean, PGD and certified accuracy at the training epsilon (robust runs only).
struct RobustnessReport {
  RobustnessMetrics train;
  std::optional<RobustnessMetrics> test;
};

nlohmann::json metrics_json(const RobustnessMetrics& m) {
  return {{"clean_accuracy", m.clean_accuracy},
          {"fgsm_accuracy", m.fgsm_accuracy},
          {"pgd_accuracy", m.pgd_accuracy},
          {"certified_accuracy", m.certified_accuracy}};
}

nlohmann::json summary_json(const SolverSummary& s, const TrainingResult& result,
                            const Activation& activation, double train_accuracy,
                            double test_accuracy, Eigen::Index n_train, Eigen::Index n_test,
                            const std::optional<RobustnessReport>& robust) {
  nlohmann::json j;
  // "semidefinite" (quadratic, poly2: science.md 9, FISTA) or "convex" (the C-sigma program over
  // activation patterns).
  j["program"] = s.semidefinite ? "semidefinite" : "convex";
  j["solver"] = s.semidefinite ? "fista" : to_string(s.solver);
  if (!s.algorithm.empty()) j["algorithm"] = s.algorithm;
  j["status"] = to_string(s.status);
  j["message"] = s.message;
  j["activation"] = activation.name();
  if (activation.kind == ActivationKind::kLeakyRelu) j["leaky_slope"] = activation.leaky_slope;
  if (activation.kind == ActivationKind::kPolynomial) {
    j["coefficients"] = {activation.a, activation.b, activation.c};
  }
  j["iterations"] = s.iterations;
  j["setup_seconds"] = s.setup_seconds;
  j["solve_seconds"] = s.solve_seconds;
  j["total_seconds"] = s.total_seconds;
  j["objective"] = s.network_objective;
  j["convex_objective"] = s.convex_objective;
  j["lower_bound"] = s.lower_bound;
  j["gap"] = s.gap;
  j["relative_gap"] = s.relative_gap;
  j["primal_residual"] = s.primal_residual;
  j["dual_residual"] = s.dual_residual;
  j["rho"] = s.final_rho;
  j["max_cone_violation"] = s.max_cone_violation;
  j["active_neurons"] = result.network.width();
  j["patterns"] = s.num_patterns;
  j["pattern_mode"] = to_string(s.pattern_mode);
  j["linear_solver"] = to_string(s.linear_solver);
  j["certified_global_optimum"] = s.certifies_global_optimum();
  j["certificate"] = s.certificate_statement();
  j["train_samples"] = n_train;
  j["test_samples"] = n_test;
  j["train_accuracy"] = train_accuracy;
  j["test_accuracy"] = n_test > 0 ? nlohmann::json(test_accuracy) : nlohmann::json(nullptr);
  j["epsilon"] = s.epsilon;
  j["robust"] = s.robust;
  j["decomposed_objective"] = std::isnan(s.decomposed_objective)
                                  ? nlohmann::json(nullptr)
                                  : nlohmann::json(s.decomposed_objective);
  if (s.semidefinite) {
    // No patterns, no ADMM penalty and no linear solver; primal_residual is |<J, Z>| and
    // dual_residual the gradient mapping (see SolverSummary's semidefinite report).
    j["patterns"] = nullptr;
    j["pattern_mode"] = nullptr;
    j["linear_solver"] = nullptr;
    j["rho"] = nullptr;
    j["max_cone_violation"] = nullptr;
  }
  if (robust) {
    j["robust_train"] = metrics_json(robust->train);
    j["robust_test"] = robust->test ? metrics_json(*robust->test) : nlohmann::json(nullptr);
  }
  return j;
}

void run_train(const TrainOptions& options) {
  const TrainingConfig config = make_config(options);
  const Dataset dataset = load_data_source(options.problem.data);
  const TrainTestSplit split =
      split_train_test(dataset, options.problem.test_fraction, options.problem.data.seed);
  const PreparedProblem prepared = prepare_problem(split.train, &split.test, config);

  const bool terminal = isatty(STDERR_FILENO) != 0 && !options.json;
  CliObserver observer(terminal, !options.log_path.empty());
  g_interrupted = 0;
  auto previous_handler = std::signal(SIGINT, on_interrupt);
  const TrainingResult result = train_network(prepared, config, &observer);
  std::signal(SIGINT, previous_handler);
  observer.finish();

  const SolverSummary& summary = result.summary;
  const double train_accuracy =
      classification_accuracy(result.network.predict(split.train.X), split.train.y);
  const double test_accuracy =
      split.test.num_samples() > 0
          ? classification_accuracy(result.network.predict(split.test.X), split.test.y)
          : std::nan("");
  std::optional<RobustnessReport> robust;
  if (config.epsilon > 0) {
    // PGD with the margin objective, 20 steps from the clean point: the attack `convexnn attack`
    // runs by default, with more steps.
    AttackOptions attack;
    attack.epsilon = config.epsilon;
    attack.steps = 20;
    attack.loss = config.loss;
    robust.emplace();
    robust->train = evaluate_robustness(result.network, split.train.X, split.train.y, attack);
    if (split.test.num_samples() > 0) {
      robust->test = evaluate_robustness(result.network, split.test.X, split.test.y, attack);
    }
  }

  if (!options.log_path.empty()) write_file_atomically(options.log_path, observer.log_text());
  if (!options.out_path.empty() && summary.status != SolverStatus::kNumericalFailure) {
    Model model;
    model.network = result.network;
    model.training = make_training_record(summary, config);
    model.label_mapping = dataset.label_mapping;
    save_model(model, options.out_path);
  }

  if (options.json) {
    nlohmann::json j =
        summary_json(summary, result, config.activation, train_accuracy, test_accuracy,
                     split.train.num_samples(), split.test.num_samples(), robust);
    if (result.pattern_generation) {
      const PatternGenerationSummary& g = *result.pattern_generation;
      j["pattern_generation"] = {{"initial_patterns", g.initial_patterns},
                                 {"patterns_added", g.patterns_added},
                                 {"rounds", g.rounds},
                                 {"no_violation_found", g.no_violation_found},
                                 {"round_objectives", g.round_objectives},
                                 {"round_additions", g.round_additions}};
      if (g.slide_iterations > 0) {
        j["pattern_generation"]["slide"] = {{"iterations", g.slide_iterations},
                                            {"objective_before", g.slide_objective_before},
                                            {"objective_after", g.slide_objective_after}};
      }
    }
    std::cout << j.dump(2) << "\n";
  } else {
    std::cout << "Data: " << dataset.source << " (" << split.train.num_samples() << " train, "
              << split.test.num_samples() << " test, " << dataset.num_features() << " features)\n";
    if (prepared.semidefinite()) {
      std::cout << "Program: semidefinite program (science.md 9; no activation patterns), ";
    } else {
      std::cout << "Program: " << options.problem.formulation << " patterns, ";
    }
    std::cout << options.problem.loss << " loss, beta " << config.beta << ", activation "
              << config.activation.name();
    if (config.activation.kind != ActivationKind::kRelu) {
      std::cout << " = " << config.activation.formula();
    }
    if (config.activation.kind == ActivationKind::kAbsolute) {
      std::cout << " (one pattern per complementary pair)";
    }
    if (config.epsilon > 0) std::cout << ", robust with epsilon " << config.epsilon;
    std::cout << "\n\n";
    std::cout << summary.full_report();
    if (result.pattern_generation) {
      const PatternGenerationSummary& g = *result.pattern_generation;
      if (summary.solver == SolverKind::kRandomFeatures) {
        // Directions whose weight became zero leave the dictionary between rounds.
        std::cout << "  neuron generation     " << g.patterns_added
                  << " violating directions added in " << g.rounds << " rounds (dictionary "
                  << g.initial_patterns << " -> " << summary.num_patterns << "); objective ";
      } else {
        std::cout << "  pattern generation    " << g.patterns_added
                  << " violated patterns added in " << g.rounds << " rounds (" << g.initial_patterns
                  << " -> " << g.initial_patterns + g.patterns_added << "); objective ";
      }
      std::cout << g.round_objectives.front() << " -> " << g.round_objectives.back() << "; "
                << (g.no_violation_found ? "the last batch found no violation"
                                         : "stopped before a batch came back clean")
                << "\n";
      if (g.slide_iterations > 0) {
        std::cout << "  sliding               " << g.slide_iterations
                  << " L-BFGS iterations; last slide " << g.slide_objective_before << " -> "
                  << g.slide_objective_after << "\n";
      }
    }
    char line[160];
    std::snprintf(line, sizeof line, "  network width         %lld neurons\n",
                  static_cast<long long>(result.network.width()));
    std::cout << line;
    std::snprintf(line, sizeof line, "  train accuracy        %.4f\n", train_accuracy);
    std::cout << line;
    if (split.test.num_samples() > 0) {
      std::snprintf(line, sizeof line, "  test accuracy         %.4f\n", test_accuracy);
      std::cout << line;
    }
    if (robust) {
      auto print_metrics = [&](const char* set, const RobustnessMetrics& m) {
        std::snprintf(line, sizeof line,
                      "  %-5s at epsilon %-6g certified %.4f, PGD %.4f, FGSM %.4f\n", set,
                      m.epsilon, m.certified_accuracy, m.pgd_accuracy, m.fgsm_accuracy);
        std::cout << line;
      };
      print_metrics("train", robust->train);
      if (robust->test) print_metrics("test", *robust->test);
    }
    if (!options.out_path.empty())
      std::cout << "  model written to      " << options.out_path << "\n";
  }
  if (summary.status == SolverStatus::kNumericalFailure) {
    throw CommandFailed("training failed: " + summary.message, 1);
  }
}

}  // namespace

void register_train_command(CLI::App& app) {
  auto options = std::make_shared<TrainOptions>();
  CLI::App* train = app.add_subcommand(
      "train",
      "Train a two-layer network (ReLU, leaky ReLU, |t|, t^2 or a t^2 + b t + c) by convex "
      "optimization");
  add_problem_options(*train, options->problem);
  train
      ->add_option("--epsilon", options->epsilon,
                   "Adversarial training: l_inf radius in the data's units (0: standard "
                   "training). Trains the robust convex program; --tol then bounds its relative "
                   "KKT residuals")
      ->capture_default_str();
  add_convex_solver_options(*train, options->solver);
  train->add_flag("--float32", options->float32,
                  "--solver gated, R-FISTA: single precision products (about twice as fast per "
                  "product); the certified bounds and gap are computed in double, and the run "
                  "switches to double products once the gap is below 1e-5 (the Nystrom ADMM "
                  "that --gated-method auto picks for d >= 200 runs in double)");
  train->add_option("--out", options->out_path, "Write the trained model as JSON");
  train->add_option("--log", options->log_path, "Write one CSV row per reported iteration");
  train
      ->add_option("--report-every", options->report_every,
                   "Report (progress, log) every k-th iteration")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  train->add_flag("--json", options->json, "Print the final summary as JSON on stdout");
  train
      ->add_option("--threads", options->threads,
                   "Threads for the parallel kernels (0: all); results are identical for any count")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  train->callback(
      [options] { run_with_thread_limit(options->threads, [&] { run_train(*options); }); });
}

}  // namespace convexnn::cli
