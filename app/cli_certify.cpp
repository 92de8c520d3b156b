// `convexnn certify`: is a trained network (e.g. from back-propagation) a global optimum of the
// convex program over its own activation patterns, and do fresh patterns beat it
// (science.md 8.3)? Optionally re-solves from it on own + violating patterns.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

#include "cli_common.h"
#include "convexnn/errors.h"
#include "convexnn/model_json.h"
#include "convexnn/network_certificate.h"

namespace convexnn::cli {
namespace {

// A pattern as the string of d_k over the samples, e.g. "0110".
std::string pattern_string(const PatternSet& patterns, Eigen::Index column) {
  std::string text;
  for (Eigen::Index k = 0; k < patterns.num_samples(); ++k) {
    text += patterns.masks(k, column) > 0.5 ? '1' : '0';
  }
  return text;
}

struct CertifyOptions {
  std::string model_path;
  DataSourceOptions data;
  std::string loss;            // empty: the model's training loss
  double beta = std::nan("");  // NaN: the model's training beta
  int patterns = 200;
  double tolerance = 1e-4;
  bool resolve = false;
  std::string output_path;
  std::int64_t max_iterations = 20000;
  bool json = false;
};

void run_certify(const CertifyOptions& options) {
  if (!options.output_path.empty() && !options.resolve) {
    throw InputError("--output needs --resolve (it writes the re-solved network)");
  }
  if (options.max_iterations < 1) {
    throw InputError("--max-iter must be at least 1 (got " +
                     std::to_string(options.max_iterations) + ")");
  }
  const Model model = load_model(options.model_path);
  std::string loss_name = options.loss;
  if (loss_name.empty()) {
    if (!model.training || model.training->loss.empty()) {
      throw InputError("--loss: the model file does not record its training loss; give --loss");
    }
    loss_name = model.training->loss;
  }
  const LossKind loss = loss_from_string(loss_name);
  double beta = options.beta;
  if (std::isnan(beta)) {
    if (!model.training || !(model.training->beta > 0)) {
      throw InputError("--beta: the model file does not record its training beta; give --beta");
    }
    beta = model.training->beta;
  }
  if (!(beta > 0) || !std::isfinite(beta)) {
    throw InputError("--beta must be a positive number (got " + std::to_string(beta) + ")");
  }
  NetworkCertificateOptions certificate_options;
  certificate_options.fresh_patterns = options.patterns;
  certificate_options.seed = options.data.seed;
  certificate_options.gap_tolerance = options.tolerance;
  if (const std::string error = certificate_options.validate(); !error.empty()) {
    throw InputError("invalid option: " + error);
  }
  const Dataset data = load_data_source(options.data);
  const NetworkCertificate certificate =
      certify_network(model.network, data, loss, beta, certificate_options);
  const bool optimal = certificate.globally_optimal_on_tested_patterns();

  std::optional<NetworkResolveResult> resolved;
  if (options.resolve && !optimal) {
    AdmmOptions admm;
    admm.max_iterations = options.max_iterations;
    resolved = resolve_from_certificate(certificate, admm);
    if (!options.output_path.empty()) {
      Model better;
      better.network = resolved->network;
      better.label_mapping = model.label_mapping ? model.label_mapping : data.label_mapping;
      TrainingRecord record;
      record.formulation = "sampled";
      record.loss = to_string(loss);
      record.beta = beta;
      record.patterns = resolved->problem.num_patterns();
      record.rho = resolved->summary.final_rho;
      record.rho_mode = "auto";
      record.seed = options.data.seed;
      record.objective = resolved->summary.network_objective;
      record.lower_bound = resolved->summary.lower_bound;
      record.gap = resolved->summary.relative_gap;
      record.iterations = resolved->summary.iterations;
      record.status = to_string(resolved->summary.status);
      record.certified_global_optimum = false;  // sampled patterns
      record.activation = model.network.activation.name();
      better.training = record;
      save_model(better, options.output_path);
    }
  }

  const Activation& activation = model.network.activation;
  if (options.json) {
    nlohmann::json j;
    j["activation"] = activation.name();
    j["loss"] = to_string(loss);
    j["beta"] = beta;
    j["samples"] = data.num_samples();
    j["width"] = model.network.width();
    j["neurons_mapped"] = certificate.neurons_mapped;
    j["own_patterns"] = certificate.own_problem.num_patterns();
    j["network_objective"] = certificate.network_objective;
    j["convex_objective"] = certificate.convex_objective;
    j["own_lower_bound"] = certificate.own_lower_bound;
    j["own_relative_gap"] = certificate.own_relative_gap;
    j["optimal_on_own_patterns"] = certificate.optimal_on_own_patterns;
    j["fresh_patterns"] = certificate.fresh_patterns.num_patterns();
    j["violating_patterns"] = certificate.violations.size();
    j["max_fresh_constraint_over_beta"] = certificate.fresh_max_constraint / beta;
    j["combined_lower_bound"] = certificate.combined_lower_bound;
    nlohmann::json violations = nlohmann::json::array();
    for (const PatternViolation& violation : certificate.violations) {
      violations.push_back(
          {{"q_over_beta", violation.value / beta},
           {"pattern", pattern_string(certificate.fresh_patterns, violation.fresh_index)}});
    }
    j["violations"] = violations;
    j["globally_optimal_on_tested_patterns"] = optimal;
    if (resolved) {
      j["resolve"] = {{"patterns", resolved->problem.num_patterns()},
                      {"status", to_string(resolved->summary.status)},
                      {"objective_before", certificate.network_objective},
                      {"objective_after", resolved->summary.network_objective},
                      {"lower_bound", resolved->summary.lower_bound},
                      {"relative_gap", resolved->summary.relative_gap},
                      {"iterations", resolved->summary.iterations},
                      {"width", resolved->network.width()}};
    } else {
      j["resolve"] = nullptr;
    }
    j["output"] = resolved && !options.output_path.empty() ? nlohmann::json(options.output_path)
                                                           : nlohmann::json(nullptr);
    std::cout << j.dump(2) << "\n";
    return;
  }

  char line[256];
  std::cout << "Data: " << data.source << " (" << data.num_samples() << " samples)\n";
  std::cout << "Network: width " << model.network.width() << ", activation " << activation.name()
            << " = " << activation.formula() << "; " << to_string(loss) << " loss, beta " << beta
            << "\n\n";
  std::snprintf(line, sizeof line, "  own patterns          %lld (from %lld neurons)\n",
                static_cast<long long>(certificate.own_problem.num_patterns()),
                static_cast<long long>(certificate.neurons_mapped));
  std::cout << line;
  std::snprintf(line, sizeof line, "  network objective     %.10g\n",
                certificate.network_objective);
  std::cout << line;
  std::snprintf(line, sizeof line, "  convex objective      %.10g (its blocks on own patterns)\n",
                certificate.convex_objective);
  std::cout << line;
  std::snprintf(line, sizeof line, "  own lower bound       %.10g (relative gap %.2e)\n",
                certificate.own_lower_bound, certificate.own_relative_gap);
  std::cout << line;
  std::snprintf(line, sizeof line,
                "  fresh patterns        %lld tested, %zu violate q_i(lambda) <= beta",
                static_cast<long long>(certificate.fresh_patterns.num_patterns()),
                certificate.violations.size());
  std::cout << line;
  if (!certificate.violations.empty()) {
    std::snprintf(line, sizeof line, " (worst q/beta = %.4g)",
                  certificate.violations.front().value / beta);
    std::cout << line;
  }
  std::cout << "\n";
  // The worst few violated patterns (d_k over the samples), when they fit on a line.
  if (data.num_samples() <= 80) {
    const std::size_t shown = std::min<std::size_t>(certificate.violations.size(), 5);
    for (std::size_t t = 0; t < shown; ++t) {
      const PatternViolation& violation = certificate.violations[t];
      std::snprintf(line, sizeof line, "    q/beta %-8.4g %s\n", violation.value / beta,
                    pattern_string(certificate.fresh_patterns, violation.fresh_index).c_str());
      std::cout << line;
    }
  }
  std::snprintf(line, sizeof line, "  lower bound own+fresh %.10g\n",
                certificate.combined_lower_bound);
  std::cout << line;
  std::cout << "\nVerdict: ";
  if (optimal) {
    std::cout << "globally optimal for the convex program over its own and the "
              << certificate.fresh_patterns.num_patterns() << " fresh patterns (gap "
              << certificate.own_relative_gap << ", no violated pattern).\n";
  } else if (!certificate.optimal_on_own_patterns) {
    std::cout << "NOT optimal even over its own patterns (relative gap "
              << certificate.own_relative_gap << " > " << options.tolerance
              << "): training has not reached a stationary point, or neurons that collapsed "
                 "towards zero sit at a saddle.\n";
  } else {
    std::cout << "optimal over its own patterns, but NOT globally optimal: "
              << certificate.violations.size() << " fresh pattern(s) give a descent direction.\n";
  }
  if (resolved) {
    std::snprintf(line, sizeof line,
                  "\nRe-solved on own + violating patterns (%lld): objective %.10g -> %.10g, "
                  "lower bound %.10g, %s after %lld iterations, width %lld\n",
                  static_cast<long long>(resolved->problem.num_patterns()),
                  certificate.network_objective, resolved->summary.network_objective,
                  resolved->summary.lower_bound, to_string(resolved->summary.status),
                  static_cast<long long>(resolved->summary.iterations),
                  static_cast<long long>(resolved->network.width()));
    std::cout << line;
    if (!options.output_path.empty()) {
      std::cout << "  model written to      " << options.output_path << "\n";
    }
  } else if (options.resolve) {
    std::cout << "Nothing to re-solve.\n";
  }
}

}  // namespace

void register_certify_command(CLI::App& app) {
  auto options = std::make_shared<CertifyOptions>();
  CLI::App* command = app.add_subcommand(
      "certify",
      "Check whether a trained network is a global optimum of its subsampled convex program "
      "(dual certificate on its own and fresh patterns) and optionally improve it");
  command->add_option("--model", options->model_path, "Model JSON (train, compare or imported)")
      ->required();
  add_data_source_options(*command, options->data);
  command
      ->add_option("--loss", options->loss,
                   "Training loss: squared, hinge or logistic (default: the model's)")
      ->check(CLI::IsMember({"squared", "hinge", "logistic"}));
  command->add_option("--beta", options->beta, "Weight decay beta > 0 (default: the model's)");
  command->add_option("--patterns", options->patterns, "Fresh patterns to sample")
      ->capture_default_str();
  command
      ->add_option("--tol", options->tolerance,
                   "Relative duality gap on its own patterns below which it counts as optimal")
      ->capture_default_str();
  command->add_flag(
      "--resolve", options->resolve,
      "If not optimal, re-solve by ADMM from the network on own + violating patterns");
  command->add_option("--output", options->output_path,
                      "With --resolve: write the re-solved network as a model JSON");
  command
      ->add_option("--max-iter", options->max_iterations, "Maximum ADMM iterations of the re-solve")
      ->capture_default_str();
  command->add_flag("--json", options->json, "Print the results as JSON on stdout");
  command->callback([options] { run_certify(*options); });
}

}  // namespace convexnn::cli
