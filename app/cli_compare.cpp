// `convexnn compare`: K back-propagation runs (different seeds) against the certified convex
// optimum of the same objective, the contrast the product teaches.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <numeric>
#include <string>
#include <vector>

#include "cli_common.h"
#include "cli_problem_options.h"
#include "convexnn/errors.h"
#include "convexnn/model_json.h"
#include "convexnn/nonconvex_training.h"
#include "convexnn/optimum_comparison.h"
#include "convexnn/training.h"

namespace convexnn::cli {
namespace {

struct CompareOptions {
  ProblemOptions problem;
  ConvexSolverCliOptions solver;
  int seeds = 10;
  std::string optimizer = "adam";
  double learning_rate = 0.0;
  bool learning_rate_given = false;  // else the optimizer's default (kDefaultSgdRate, ...)
  double momentum = 0.9;
  int epochs = 2000;
  int width = 50;
  int batch_size = 0;
  double init_scale = 1.0;
  bool json = false;
  std::string best_out;  // --best-out: the lowest-objective back-propagation network
};

constexpr double kDefaultSgdRate = 0.05;
constexpr double kDefaultAdamRate = 0.01;

std::string format_number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", value);
  return text;
}

NonconvexOptions make_nonconvex_options(const CompareOptions& options) {
  if (options.seeds < 1) {
    throw InputError("--seeds must be at least 1 (got " + std::to_string(options.seeds) + ")");
  }
  NonconvexOptions nonconvex;
  nonconvex.optimizer = nonconvex_optimizer_from_string(options.optimizer);
  nonconvex.learning_rate = options.learning_rate_given ? options.learning_rate
                            : nonconvex.optimizer == NonconvexOptimizer::kSgd ? kDefaultSgdRate
                                                                              : kDefaultAdamRate;
  nonconvex.momentum = options.momentum;
  nonconvex.epochs = options.epochs;
  nonconvex.width = options.width;
  nonconvex.batch_size = options.batch_size;
  nonconvex.init_scale = options.init_scale;
  nonconvex.report_every = options.epochs;  // no observer; only the final epoch matters
  if (const std::string error = nonconvex.validate(); !error.empty()) {
    throw InputError("invalid option: " + error);
  }
  return nonconvex;
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const std::size_t half = values.size() / 2;
  return values.size() % 2 == 1 ? values[half] : 0.5 * (values[half - 1] + values[half]);
}

nlohmann::json number_or_null(double value) {
  return std::isfinite(value) ? nlohmann::json(value) : nlohmann::json(nullptr);
}

struct ConvexOutcome {
  TrainingResult result;
  double train_accuracy = 0.0;
  double test_accuracy = std::nan("");
};

struct Aggregate {
  double min_objective = 0.0;
  double median_objective = 0.0;
  double max_objective = 0.0;
  OptimumTally against_optimum;
  int below_lower_bound = 0;
  std::int64_t dead_neurons = 0;
};

Aggregate aggregate(const std::vector<NonconvexResult>& runs, const SolverSummary& convex) {
  Aggregate totals;
  std::vector<double> objectives;
  for (const NonconvexResult& run : runs) {
    objectives.push_back(run.objective);
    if (run.objective < convex.lower_bound) ++totals.below_lower_bound;
    totals.dead_neurons += run.dead_neurons;
  }
  totals.against_optimum = tally_against_optimum(objectives, convex.network_objective);
  totals.min_objective = *std::min_element(objectives.begin(), objectives.end());
  totals.max_objective = *std::max_element(objectives.begin(), objectives.end());
  totals.median_objective = median(objectives);
  return totals;
}

void print_json(const LoadedProblem& loaded, const NonconvexOptions& nonconvex,
                const std::vector<NonconvexResult>& runs, double nonconvex_wall_seconds,
                const ConvexOutcome& convex, const Aggregate& totals) {
  const SolverSummary& s = convex.result.summary;
  nlohmann::json j;
  j["data"] = {{"source", loaded.dataset.source},
               {"train_samples", loaded.split.train.num_samples()},
               {"test_samples", loaded.split.test.num_samples()},
               {"features", loaded.dataset.num_features()}};
  j["program"] = {{"formulation", loaded.formulation},
                  {"loss", to_string(loaded.config.loss)},
                  {"beta", loaded.config.beta},
                  {"activation", loaded.config.activation.name()}};
  if (loaded.config.activation.kind == ActivationKind::kLeakyRelu) {
    j["program"]["leaky_slope"] = loaded.config.activation.leaky_slope;
  }
  nlohmann::json run_list = nlohmann::json::array();
  for (const NonconvexResult& run : runs) {
    run_list.push_back({{"seed", run.seed},
                        {"status", to_string(run.status)},
                        {"objective", run.objective},
                        {"relative_excess", relative_excess(run.objective, s.network_objective)},
                        {"train_accuracy", run.train_accuracy},
                        {"test_accuracy", number_or_null(run.test_accuracy)},
                        {"dead_neurons", run.dead_neurons},
                        {"epochs", run.epochs_completed},
                        {"seconds", run.seconds}});
  }
  j["nonconvex"] = {{"optimizer", to_string(nonconvex.optimizer)},
                    {"learning_rate", nonconvex.learning_rate},
                    {"momentum", nonconvex.momentum},
                    {"epochs", nonconvex.epochs},
                    {"batch_size", nonconvex.batch_size},
                    {"width", nonconvex.width},
                    {"init_scale", nonconvex.init_scale},
                    {"wall_seconds", nonconvex_wall_seconds},
                    {"runs", run_list}};
  j["convex"] = {{"status", to_string(s.status)},
                 {"objective", s.network_objective},
                 {"lower_bound", s.lower_bound},
                 {"relative_gap", s.relative_gap},
                 {"certified_global_optimum", s.certifies_global_optimum()},
                 {"certificate", s.certificate_statement()},
                 {"active_neurons", convex.result.network.width()},
                 {"patterns", s.num_patterns},
                 {"iterations", s.iterations},
                 {"train_accuracy", convex.train_accuracy},
                 {"test_accuracy", number_or_null(convex.test_accuracy)},
                 {"seconds", s.total_seconds}};
  j["summary"] = {{"seeds", runs.size()},
                  {"within_1_percent", totals.against_optimum.within},
                  {"more_than_1_percent_below", totals.against_optimum.far_below},
                  {"below_lower_bound", totals.below_lower_bound},
                  {"min_objective", totals.min_objective},
                  {"median_objective", totals.median_objective},
                  {"max_objective", totals.max_objective},
                  {"dead_neurons", totals.dead_neurons}};
  std::cout << j.dump(2) << "\n";
}

void print_table(const LoadedProblem& loaded, const NonconvexOptions& nonconvex,
                 const std::vector<NonconvexResult>& runs, double nonconvex_wall_seconds,
                 const ConvexOutcome& convex, const Aggregate& totals) {
  const SolverSummary& s = convex.result.summary;
  const bool has_test = loaded.split.test.num_samples() > 0;
  char line[256];
  std::cout << "Data: " << loaded.dataset.source << " (" << loaded.split.train.num_samples()
            << " train, " << loaded.split.test.num_samples() << " test, "
            << loaded.dataset.num_features() << " features)\n";
  std::cout << "Objective: " << to_string(loaded.config.loss) << " loss + beta/2 sum_j "
            << "(|[w_j, b_j]|^2 + a_j^2), beta " << loaded.config.beta << ", activation "
            << loaded.config.activation.name() << " = " << loaded.config.activation.formula()
            << "\n";
  std::cout << "Back-propagation: " << to_string(nonconvex.optimizer) << ", lr "
            << format_number(nonconvex.learning_rate);
  if (nonconvex.optimizer == NonconvexOptimizer::kSgd) {
    std::cout << ", momentum " << format_number(nonconvex.momentum);
  }
  std::cout << ", " << nonconvex.epochs << " epochs, "
            << (nonconvex.batch_size == 0 ? std::string("full batch")
                                          : "batch " + std::to_string(nonconvex.batch_size))
            << ", width " << nonconvex.width << ", " << runs.size() << " seeds in parallel ("
            << format_number(std::round(nonconvex_wall_seconds * 1000.0) / 1000.0)
            << " s wall)\n\n";
  std::cout << "  seed      objective  vs optimum  train acc  test acc  dead  epochs  time (s)"
               "  status\n";
  for (const NonconvexResult& run : runs) {
    char test_accuracy[16] = "        -";
    if (has_test) std::snprintf(test_accuracy, sizeof test_accuracy, "%9.4f", run.test_accuracy);
    std::snprintf(line, sizeof line,
                  "  %4llu  %13.6g  %+9.2f%%  %9.4f  %s  %4lld  %6lld  %8.3f  %s\n",
                  static_cast<unsigned long long>(run.seed), run.objective,
                  100.0 * relative_excess(run.objective, s.network_objective), run.train_accuracy,
                  test_accuracy, static_cast<long long>(run.dead_neurons),
                  static_cast<long long>(run.epochs_completed), run.seconds, to_string(run.status));
    std::cout << line;
  }
  std::cout << "\nConvex program (" << loaded.formulation << " patterns, " << s.num_patterns
            << "):\n";
  std::snprintf(line, sizeof line,
                "  objective %.8g, lower bound %.8g, relative gap %.2e, %s after %lld iterations "
                "(%.3f s)\n",
                s.network_objective, s.lower_bound, s.relative_gap, to_string(s.status),
                static_cast<long long>(s.iterations), s.total_seconds);
  std::cout << line;
  std::snprintf(line, sizeof line, "  %lld active neurons, train accuracy %.4f",
                static_cast<long long>(convex.result.network.width()), convex.train_accuracy);
  std::cout << line;
  if (has_test) {
    std::snprintf(line, sizeof line, ", test accuracy %.4f", convex.test_accuracy);
    std::cout << line;
  }
  std::cout << "\n  " << s.certificate_statement() << "\n\n";

  const char* reference = s.certifies_global_optimum() ? "the certified optimum"
                                                       : "the convex solution (not certified)";
  std::snprintf(line, sizeof line,
                "Summary: %d of %zu seeds ended within 1%% of %s; final objectives min %.6g, "
                "median %.6g, max %.6g; %lld dead neurons in all.\n",
                totals.against_optimum.within, runs.size(), reference, totals.min_objective,
                totals.median_objective, totals.max_objective,
                static_cast<long long>(totals.dead_neurons));
  std::cout << line;
  if (totals.against_optimum.far_below > 0) {
    std::cout << "Note: " << totals.against_optimum.far_below
              << " of them ended more than 1% below it: "
              << "the program covers only its " << s.num_patterns
              << " sampled activation patterns, and these networks use others.\n";
  }
  if (totals.below_lower_bound > 0) {
    std::cout << "Note: " << totals.below_lower_bound
              << " seed(s) ended below the lower bound, which bounds only the program over the "
                 "chosen patterns"
              << (s.certifies_global_optimum() ? " (unexpected with exact patterns)" : "") << ".\n";
  }
}

void run_compare(const CompareOptions& options) {
  if (options.solver.solver == "gated") {
    // Its optimum and bound belong to the gated relaxation, below the networks' objective.
    throw InputError(
        "--solver gated is not available in compare: its optimum is that of the gated ReLU "
        "relaxation, not of the network objective the seeds minimize; use --solver admm or al");
  }
  if (options.problem.activation == "quadratic" || options.problem.activation == "poly2") {
    // The baseline trains weight-decayed networks; the SDP's objective has unit-norm neurons and
    // an l1 output penalty, so the two objectives would not be comparable.
    throw InputError("--activation " + options.problem.activation +
                     " is not available in compare: its back-propagation baseline trains the "
                     "weight-decay objective of relu, leaky-relu or abs; train it with `convexnn "
                     "train --activation " +
                     options.problem.activation + "`");
  }
  const NonconvexOptions nonconvex = make_nonconvex_options(options);
  const LoadedProblem loaded = load_problem(options.problem, options.solver);

  std::vector<std::uint64_t> seeds(static_cast<std::size_t>(options.seeds));
  std::iota(seeds.begin(), seeds.end(), std::uint64_t{1});
  const auto start = std::chrono::steady_clock::now();
  const std::vector<NonconvexResult> runs =
      train_nonconvex_seeds(loaded.prepared, nonconvex, seeds);
  const double nonconvex_wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  ConvexOutcome convex;
  convex.result = train_network(loaded.prepared, loaded.config);
  const TwoLayerNetwork& network = convex.result.network;
  convex.train_accuracy =
      classification_accuracy(network.predict(loaded.split.train.X), loaded.split.train.y);
  if (loaded.split.test.num_samples() > 0) {
    convex.test_accuracy =
        classification_accuracy(network.predict(loaded.split.test.X), loaded.split.test.y);
  }
  const Aggregate totals = aggregate(runs, convex.result.summary);
  if (!options.best_out.empty()) {
    // The lowest-objective run, for `convexnn certify`.
    const auto best = std::min_element(runs.begin(), runs.end(), [](const auto& a, const auto& b) {
      return a.objective < b.objective;
    });
    Model model;
    model.network = best->network;
    model.label_mapping = loaded.dataset.label_mapping;
    TrainingRecord record;
    record.formulation = "backpropagation";
    record.loss = to_string(loaded.config.loss);
    record.beta = loaded.config.beta;
    record.seed = best->seed;
    record.objective = best->objective;
    record.lower_bound = convex.result.summary.lower_bound;
    record.gap = (best->objective - record.lower_bound) / std::max(1.0, std::abs(best->objective));
    record.iterations = best->epochs_completed;
    record.status = to_string(best->status);
    record.certified_global_optimum = false;
    record.activation = loaded.config.activation.name();
    model.training = record;
    save_model(model, options.best_out);
  }
  if (options.json) {
    print_json(loaded, nonconvex, runs, nonconvex_wall_seconds, convex, totals);
  } else {
    print_table(loaded, nonconvex, runs, nonconvex_wall_seconds, convex, totals);
  }
  if (convex.result.summary.status == SolverStatus::kNumericalFailure) {
    throw CommandFailed("convex training failed: " + convex.result.summary.message, 1);
  }
}

}  // namespace

void register_compare_command(CLI::App& app) {
  auto options = std::make_shared<CompareOptions>();
  options->problem.formulation = "auto";
  CLI::App* compare = app.add_subcommand(
      "compare", "Train K networks by back-propagation and compare them with the convex optimum");
  add_problem_options(*compare, options->problem, /*allow_auto_formulation=*/true);
  add_convex_solver_options(*compare, options->solver);
  compare
      ->add_option("--seeds", options->seeds,
                   "Number of back-propagation runs K (initialization seeds 1..K)")
      ->capture_default_str();
  compare->add_option("--optimizer", options->optimizer, "Back-propagation optimizer: sgd or adam")
      ->check(CLI::IsMember({"sgd", "adam"}))
      ->capture_default_str();
  CLI::Option* learning_rate = compare->add_option(
      "--lr", options->learning_rate,
      "Learning rate on the per-sample mean objective (default " + format_number(kDefaultSgdRate) +
          " for sgd, " + format_number(kDefaultAdamRate) + " for adam)");
  compare->add_option("--momentum", options->momentum, "SGD momentum in [0, 1)")
      ->capture_default_str();
  compare->add_option("--epochs", options->epochs, "Passes over the training set")
      ->capture_default_str();
  compare->add_option("--width", options->width, "Hidden neurons m of each network")
      ->capture_default_str();
  compare->add_option("--batch-size", options->batch_size, "Mini-batch size (0: full batch)")
      ->capture_default_str();
  compare
      ->add_option("--init-scale", options->init_scale,
                   "Scale of the random initial weights (1: He initialization)")
      ->capture_default_str();
  compare->add_flag("--json", options->json, "Print the comparison as JSON on stdout");
  compare->add_option("--best-out", options->best_out,
                      "Write the lowest-objective back-propagation network as a model JSON (for "
                      "`convexnn certify`)");
  compare->callback([options, learning_rate] {
    options->learning_rate_given = learning_rate->count() > 0;
    run_compare(*options);
  });
}

}  // namespace convexnn::cli
