#include "convexnn/neuron_generation.h"

#include <algorithm>
#include <chrono>
#include <numeric>
#include <vector>

#include "convexnn/dual_certificate.h"
#include "convexnn/neuron_search.h"
#include "convexnn/round_offset_observer.h"
#include "convexnn/solver_clock.h"

namespace convexnn {
namespace {

using Clock = SolverClock;

constexpr double kNeuronMinAngleDegrees = 2.0;

std::vector<Eigen::Index> nonzero_entries(const Eigen::VectorXd& weights) {
  std::vector<Eigen::Index> indices;
  for (Eigen::Index j = 0; j < weights.size(); ++j)
    if (weights[j] != 0.0) indices.push_back(j);
  return indices;
}

// Candidate unit directions (d x k) for a round.
Eigen::MatrixXd round_candidates(const ConvexProblem& problem, const Eigen::MatrixXd& in_use,
                                 const Eigen::VectorXd& lambda,
                                 const PatternGenerationOptions& generation, int round) {
  if (generation.source == CandidateSource::kNeuronSearch) {
    NeuronSearchOptions search = generation.search;
    search.seed += static_cast<std::uint64_t>(round);
    search.max_patterns = generation.batch_size;
    // Atoms here are directions, not cells: directions a few degrees apart are distinct
    // features, and the patterns' 10 degrees left a 2-D run 1e-5 above the optimum (2: 7e-9).
    search.min_angle_degrees = std::min(search.min_angle_degrees, kNeuronMinAngleDegrees);
    search.refine_one_start_per_cell = true;
    // One start per cell makes the leading starts distinct already; refining 3 per wanted
    // direction cost ~30% of a round and did not pay (teacher10, 50 s: 0.1233 with 3, 0.1228
    // with 2, 0.1211 with 1).
    search.refined_candidates_per_pattern = 1;
    Eigen::MatrixXd generators =
        search_neuron_patterns(problem.X, lambda, in_use, search).patterns.generators;
    for (Eigen::Index j = 0; j < generators.cols(); ++j) generators.col(j).normalize();
    return generators;
  }
  return sample_unit_directions(problem.dim(), generation.batch_size,
                                generation.seed + static_cast<std::uint64_t>(round));
}

// The candidates whose lasso optimality condition |lambda^T sigma(X u)| <= beta fails, most
// violating first, at most `limit`.
Eigen::MatrixXd violating_directions(const ConvexProblem& problem,
                                     const Eigen::MatrixXd& candidates,
                                     const Eigen::VectorXd& lambda, double tolerance,
                                     int limit) {
  const Eigen::VectorXd values =
      (problem.activation.apply(problem.X * candidates).transpose() * lambda).cwiseAbs();
  std::vector<Eigen::Index> violating;
  for (Eigen::Index j = 0; j < values.size(); ++j) {
    if (values[j] > problem.beta * (1.0 + tolerance)) violating.push_back(j);
  }
  std::stable_sort(violating.begin(), violating.end(),
                   [&](Eigen::Index a, Eigen::Index b) { return values[a] > values[b]; });
  if (violating.size() > static_cast<std::size_t>(limit))
    violating.resize(static_cast<std::size_t>(limit));
  Eigen::MatrixXd chosen(candidates.rows(), static_cast<Eigen::Index>(violating.size()));
  for (std::size_t t = 0; t < violating.size(); ++t)
    chosen.col(static_cast<Eigen::Index>(t)) = candidates.col(violating[t]);
  return chosen;
}

// Keeps the directions with non-zero weight and appends `extra` at weight zero; the R-FISTA
// state restarts from the kept weights with the previous step and fresh momentum.
void replace_dictionary(const Eigen::MatrixXd& extra, RandomFeatureSolution* solution) {
  const std::vector<Eigen::Index> kept = nonzero_entries(solution->weights);
  const auto kept_count = static_cast<Eigen::Index>(kept.size());
  const Eigen::Index size = kept_count + extra.cols();
  Eigen::MatrixXd directions(solution->directions.rows(), size);
  Eigen::VectorXd weights = Eigen::VectorXd::Zero(size);
  for (Eigen::Index t = 0; t < kept_count; ++t) {
    directions.col(t) = solution->directions.col(kept[static_cast<std::size_t>(t)]);
    weights[t] = solution->weights[kept[static_cast<std::size_t>(t)]];
  }
  directions.rightCols(extra.cols()) = extra;
  const double step = solution->state.step;
  solution->directions = std::move(directions);
  solution->weights = weights;
  solution->state = RFistaState{};
  solution->state.iterate = weights.transpose();
  solution->state.extrapolation = solution->state.iterate;
  solution->state.step = step;
}

}  // namespace

std::string neuron_generation_error(const Activation& activation, CandidateSource source) {
  if (source != CandidateSource::kNeuronSearch || activation.kind == ActivationKind::kRelu)
    return "";
  return "pattern_generation.source: the neuron search needs activation relu, not '" +
         activation.name() + "' (use random draws)";
}

PatternGenerationSummary solve_with_neuron_generation(const ConvexProblem& problem,
                                                      const RandomFeatureOptions& lasso,
                                                      const PatternGenerationOptions& generation,
                                                      RandomFeatureSolution* solution,
                                                      const SolveContext& context) {
  const Clock::time_point start = Clock::now();
  PatternGenerationSummary result;
  auto invalid = [&](const std::string& message) {
    result.summary.solver = SolverKind::kRandomFeatures;
    result.summary.status = SolverStatus::kInvalidOptions;
    result.summary.message = message;
    return result;
  };
  if (const std::string error = generation.validate(); !error.empty()) return invalid(error);
  if (const std::string error = neuron_generation_error(problem.activation, generation.source);
      !error.empty()) {
    return invalid(error);
  }
  RandomFeatureSolution local;
  RandomFeatureSolution& current = solution ? *solution : local;
  RandomFeatureOptions round_options = lasso;
  RoundOffsetObserver continuing(context.observer);
  SolveContext round_context = context;
  if (context.observer) round_context.observer = &continuing;
  std::int64_t iterations_so_far = 0;
  // False when no time is left for it.
  auto solve_round = [&]() -> bool {
    if (lasso.max_seconds > 0) {
      const double remaining = lasso.max_seconds - seconds_since(start);
      if (remaining <= 0) return false;
      round_options.max_seconds = remaining;
    }
    // The first solve samples lasso.features directions unless `solution` brings its own.
    if (current.directions.rows() == problem.dim() && current.directions.cols() > 0)
      round_options.features = static_cast<int>(current.directions.cols());
    continuing.begin_round(iterations_so_far, seconds_since(start));
    result.summary = solve_random_features(problem, round_options, &current, round_context);
    iterations_so_far += result.summary.iterations;
    result.round_objectives.push_back(result.summary.network_objective);
    return true;
  };
  solve_round();
  result.initial_patterns = current.directions.cols();
  for (int round = 1; round <= generation.max_rounds; ++round) {
    if (result.summary.status != SolverStatus::kConverged &&
        result.summary.status != SolverStatus::kIterationLimit) {
      break;  // cancelled, out of time or failed
    }
    if (context.stop_token.stop_requested()) break;
    if (lasso.max_seconds > 0 && seconds_since(start) >= lasso.max_seconds) {
      result.summary.message = "time limit reached";
      break;
    }
    // The first-order test at the current point: a direction with |lambda^T sigma(X u)| > beta
    // lowers the objective when added, however inexact the lasso solve (as in
    // solve_with_pattern_generation's neuron search).
    const Eigen::VectorXd prediction =
        problem.activation.apply(problem.X * current.directions) * current.weights;
    const Eigen::VectorXd lambda = dual_candidate(problem, prediction, nullptr);
    const std::vector<Eigen::Index> in_use = nonzero_entries(current.weights);
    const Eigen::MatrixXd candidates = round_candidates(
        problem, current.directions(Eigen::all, in_use), lambda, generation, round);
    const Eigen::MatrixXd extra = violating_directions(
        problem, candidates, lambda, generation.violation_tolerance, generation.batch_size);
    result.round_additions.push_back(extra.cols());
    if (extra.cols() == 0) {
      result.no_violation_found = true;
      break;
    }
    replace_dictionary(extra, &current);
    result.patterns_added += extra.cols();
    result.rounds = round;
    if (!solve_round()) {
      result.summary.status = SolverStatus::kIterationLimit;
      result.summary.message = "time limit reached";
      break;
    }
  }
  result.summary.num_patterns = current.directions.cols();
  result.summary.total_seconds = seconds_since(start);
  return result;
}

}  // namespace convexnn
