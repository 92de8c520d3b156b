// `convexnn train`: dataset -> convex program -> ADMM -> model file and summary.
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli_common.h"
#include "convexnn/atomic_file.h"
#include "convexnn/data_split.h"
#include "convexnn/errors.h"
#include "convexnn/model_json.h"
#include "convexnn/training.h"

namespace convexnn::cli {
namespace {

volatile std::sig_atomic_t g_interrupted = 0;
void on_interrupt(int) { g_interrupted = 1; }

struct TrainOptions {
  DataSourceOptions data;
  std::string formulation = "sampled";
  int patterns = 200;
  std::string loss = "squared";
  double beta = 1e-2;
  std::string rho = "auto";
  std::int64_t max_iterations = 20000;
  double tolerance = 1e-6;
  double test_fraction = 0.0;
  std::string standardize = "none";
  std::string out_path;
  std::string log_path;
  bool json = false;
  int report_every = 10;
  double max_seconds = 0.0;
};

// Progress line on a terminal, iteration log rows, Ctrl-C.
class CliObserver : public SolverObserver {
 public:
  CliObserver(bool progress, bool log) : progress_(progress), log_(log) {
    if (log_) {
      rows_ << "iteration,elapsed_seconds,convex_objective,network_objective,best_objective,"
               "lower_bound,relative_gap,primal_residual,dual_residual,rho,active_neurons,"
               "train_accuracy,test_accuracy\n";
    }
  }

  ObserverAction on_iteration(const IterationReport& r, const IterateView&) override {
    if (log_) {
      char line[512];
      std::snprintf(line, sizeof line, "%lld,%.6f,%.17g,%.17g,%.17g,%.17g,%.6e,%.6e,%.6e,%.6g,%lld,%.6f,%.6f\n",
                    static_cast<long long>(r.iteration), r.elapsed_seconds, r.convex_objective,
                    r.network_objective, r.best_network_objective, r.lower_bound, r.relative_gap,
                    r.primal_residual, r.dual_residual, r.rho,
                    static_cast<long long>(r.active_neurons), r.train_accuracy, r.test_accuracy);
      rows_ << line;
    }
    const auto now = std::chrono::steady_clock::now();
    if (progress_ && now - last_progress_ > std::chrono::milliseconds(100)) {
      last_progress_ = now;
      std::fprintf(stderr, "\r  iter %7lld  objective %.8g  bound %.8g  gap %.2e  neurons %lld  acc %.3f   ",
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
  TrainingConfig config;
  config.pattern_mode = pattern_mode_from_string(options.formulation);
  config.pattern_samples = options.patterns;
  config.seed = options.data.seed;
  config.loss = loss_from_string(options.loss);
  config.beta = options.beta;
  if (options.standardize == "zscore") {
    config.standardize = true;
  } else if (options.standardize != "none") {
    throw InputError("--standardize: expected none or zscore (got '" + options.standardize + "')");
  }
  if (options.rho == "auto") {
    config.admm.penalty_mode = PenaltyMode::kAdaptive;
  } else {
    std::size_t used = 0;
    double value = 0.0;
    try {
      value = std::stod(options.rho, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != options.rho.size() || !(value > 0) || !std::isfinite(value)) {
      throw InputError("--rho: expected a positive number or 'auto' (got '" + options.rho + "')");
    }
    config.admm.rho = value;
    config.admm.penalty_mode = PenaltyMode::kFixed;
  }
  config.admm.max_iterations = options.max_iterations;
  config.admm.relative_gap_tolerance = options.tolerance;
  config.admm.report_every = options.report_every;
  config.admm.max_seconds = options.max_seconds;
  if (const std::string error = config.validate(); !error.empty()) {
    throw InputError("invalid option: " + error);
  }
  return config;
}

nlohmann::json summary_json(const SolverSummary& s, const TrainingResult& result,
                            double train_accuracy, double test_accuracy, Eigen::Index n_train,
                            Eigen::Index n_test) {
  nlohmann::json j;
  j["status"] = to_string(s.status);
  j["message"] = s.message;
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
  return j;
}

void run_train(const TrainOptions& options) {
  const TrainingConfig config = make_config(options);
  const Dataset dataset = load_data_source(options.data);
  const TrainTestSplit split = split_train_test(dataset, options.test_fraction, options.data.seed);
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

  if (!options.log_path.empty()) write_file_atomically(options.log_path, observer.log_text());
  if (!options.out_path.empty() && summary.status != SolverStatus::kNumericalFailure) {
    Model model;
    model.network = result.network;
    TrainingRecord record;
    record.formulation = options.formulation;
    record.loss = options.loss;
    record.beta = config.beta;
    record.patterns = summary.num_patterns;
    record.rho = summary.final_rho;
    record.rho_mode = config.admm.penalty_mode == PenaltyMode::kAdaptive ? "auto" : "fixed";
    record.seed = config.seed;
    record.objective = summary.network_objective;
    record.lower_bound = summary.lower_bound;
    record.gap = summary.relative_gap;
    record.iterations = summary.iterations;
    record.status = to_string(summary.status);
    record.certified_global_optimum = summary.certifies_global_optimum();
    model.training = record;
    model.label_mapping = dataset.label_mapping;
    save_model(model, options.out_path);
  }

  if (options.json) {
    std::cout << summary_json(summary, result, train_accuracy, test_accuracy,
                              split.train.num_samples(), split.test.num_samples())
                     .dump(2)
              << "\n";
  } else {
    std::cout << "Data: " << dataset.source << " (" << split.train.num_samples() << " train, "
              << split.test.num_samples() << " test, " << dataset.num_features() << " features)\n";
    std::cout << "Program: " << options.formulation << " patterns, " << options.loss
              << " loss, beta " << config.beta << "\n\n";
    std::cout << summary.full_report();
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
    if (!options.out_path.empty()) std::cout << "  model written to      " << options.out_path << "\n";
  }
  if (summary.status == SolverStatus::kNumericalFailure) {
    throw CommandFailed("training failed: " + summary.message, 1);
  }
}

}  // namespace

void register_train_command(CLI::App& app) {
  auto options = std::make_shared<TrainOptions>();
  CLI::App* train = app.add_subcommand("train", "Train a two-layer ReLU network by convex optimization");
  add_data_source_options(*train, options->data);
  train->add_option("--formulation", options->formulation,
                    "Activation patterns: exact (enumerated, 2-D data only) or sampled")
      ->check(CLI::IsMember({"exact", "sampled"}))
      ->capture_default_str();
  train->add_option("--patterns", options->patterns, "Number of sampled patterns P")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  train->add_option("--loss", options->loss, "Loss: squared, hinge or logistic")
      ->check(CLI::IsMember({"squared", "hinge", "logistic"}))
      ->capture_default_str();
  train->add_option("--beta", options->beta, "Weight decay (regularization) beta > 0")
      ->capture_default_str();
  train->add_option("--rho", options->rho, "ADMM penalty: a positive number (fixed) or auto")
      ->capture_default_str();
  train->add_option("--max-iter", options->max_iterations, "Maximum ADMM iterations")
      ->capture_default_str();
  train->add_option("--tol", options->tolerance, "Stop when the relative duality gap is below this")
      ->capture_default_str();
  train->add_option("--test-fraction", options->test_fraction,
                    "Fraction of samples held out for testing, in [0, 1)")
      ->capture_default_str();
  train->add_option("--standardize", options->standardize, "Input scaling: none or zscore")
      ->check(CLI::IsMember({"none", "zscore"}))
      ->capture_default_str();
  train->add_option("--out", options->out_path, "Write the trained model as JSON");
  train->add_option("--log", options->log_path, "Write one CSV row per reported iteration");
  train->add_option("--report-every", options->report_every,
                    "Report (progress, log) every k-th iteration")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  train->add_option("--max-seconds", options->max_seconds, "Time limit in seconds (0: none)")
      ->capture_default_str();
  train->add_flag("--json", options->json, "Print the final summary as JSON on stdout");
  train->callback([options] { run_train(*options); });
}

}  // namespace convexnn::cli
