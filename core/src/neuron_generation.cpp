#include "convexnn/neuron_generation.h"

#include <algorithm>
#include <chrono>
#include <limits>
#include <numeric>
#include <vector>

#include "convexnn/dual_certificate.h"
#include "convexnn/neuron_search.h"
#include "convexnn/neuron_sliding.h"
#include "convexnn/round_offset_observer.h"
#include "convexnn/solver_clock.h"

namespace convexnn {
namespace {

using Clock = SolverClock;

constexpr double kNeuronMinAngleDegrees = 2.0;
// The thorough search's cost in rounds' searches (round_candidates).
constexpr double kThoroughSearchCost = 30.0;
// L-BFGS pairs kept while sliding: on teacher10 (1139 neurons, 5000 iterations) 50 ended at
// 0.08639, 20 at 0.08698 and 10 lower still after 2000 (0.08795 against 0.08736 with 20).
constexpr int kSlideHistory = 50;

std::vector<Eigen::Index> nonzero_entries(const Eigen::VectorXd& weights) {
  std::vector<Eigen::Index> indices;
  for (Eigen::Index j = 0; j < weights.size(); ++j)
    if (weights[j] != 0.0) indices.push_back(j);
  return indices;
}

// Candidate unit directions (d x k) for a round.
Eigen::MatrixXd round_candidates(const ConvexProblem& problem, const Eigen::MatrixXd& in_use,
                                 const Eigen::VectorXd& lambda,
                                 const PatternGenerationOptions& generation, int round,
                                 bool thorough = false) {
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
    if (thorough) {
      // Before generation stops on "no violation found": the economical search can miss the one
      // direction left (a 2-D run stalled 1.6e-4 above the exact optimum on a machine whose
      // rounding differed), and a stop costs one search, not one per round.
      search.random_starts *= 10;
      search.ascent_steps *= 3;
      search.refinement_steps *= 3;
      search.refined_candidates_per_pattern = 3;
    }
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

// A slide's network for the observer: the lasso form of its neurons.
class SlideNetworkView final : public IterateView {
 public:
  SlideNetworkView(const ConvexProblem& problem, const ReluNetworkParameters& network)
      : problem_(problem), network_(network) {}
  TwoLayerNetwork network() const override {
    Eigen::MatrixXd directions;
    Eigen::VectorXd weights;
    to_unit_directions(network_, &directions, &weights);
    return random_feature_network(problem_, directions, weights);
  }

 private:
  const ConvexProblem& problem_;
  const ReluNetworkParameters& network_;
};

// During a slide there is no lasso iterate: a network-only report.
IterationReport slide_report(const ConvexProblem& problem, const SolveContext& context,
                             const ReluNetworkParameters& network, double objective,
                             double best_objective, std::int64_t iteration, double seconds) {
  IterationReport report = network_only_report(iteration, objective, best_objective);
  report.active_neurons = (network.output.array() != 0.0).count();
  report.train_accuracy = classification_accuracy(network_output(network, problem.X), problem.y);
  report.test_accuracy = context.test_set && context.test_set->X.rows() > 0
                             ? classification_accuracy(network_output(network, context.test_set->X),
                                                       context.test_set->y)
                             : std::numeric_limits<double>::quiet_NaN();
  report.elapsed_seconds = seconds;
  return report;
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
  RoundOffsetObserver continuing(context.observer);
  SolveContext round_context = context;
  if (context.observer) round_context.observer = &continuing;
  std::int64_t iterations_so_far = 0;
  bool slid_since_solve = false;  // the last lasso solve was before a slide
  bool observer_stopped = false;  // during a slide
  // With a final slide and a time limit, the rounds stop early enough to leave the slide its
  // share of the time.
  const double rounds_seconds = lasso.max_seconds > 0 && generation.final_slide_iterations > 0
                                    ? lasso.max_seconds * (1.0 - generation.final_slide_share)
                                    : lasso.max_seconds;
  auto slide = [&](int iterations, double until_seconds) {
    if ((current.weights.array() == 0.0).all()) return;  // the zero network: nothing to move
    LbfgsOptions options;
    options.max_iterations = iterations;
    options.history = kSlideHistory;
    if (until_seconds > 0) {
      options.max_seconds = until_seconds - seconds_since(start);
      if (options.max_seconds <= 0) return;
    }
    SlideProgress progress;
    const std::int64_t first_iteration = iterations_so_far;
    if (context.observer) {
      progress = [&](int iteration, double objective, const ReluNetworkParameters& network) {
        if (iteration % lasso.report_every != 0) return true;
        return context.observer->on_iteration(
                   slide_report(problem, context, network, objective,
                                std::min(objective, result.summary.network_objective),
                                first_iteration + iteration, seconds_since(start)),
                   SlideNetworkView(problem, network)) == ObserverAction::kContinue;
      };
    }
    const NeuronSlideResult slid = slide_neurons(problem, &current.directions, &current.weights,
                                                 options, context.stop_token, progress);
    iterations_so_far = first_iteration + slid.lbfgs.iterations;
    result.slide_iterations += slid.lbfgs.iterations;
    result.slide_objective_before = slid.objective_before;
    result.slide_objective_after = slid.objective_after;
    if (slid.lbfgs.status == LbfgsStatus::kCancelled && !context.stop_token.stop_requested())
      observer_stopped = true;
    slid_since_solve = true;
  };
  // One lasso solve on the current dictionary, its reports and time counted on.
  auto solve_lasso = [&](RandomFeatureOptions options) {
    // The first solve samples lasso.features directions unless `solution` brings its own.
    if (current.directions.rows() == problem.dim() && current.directions.cols() > 0)
      options.features = static_cast<int>(current.directions.cols());
    continuing.begin_round(iterations_so_far, seconds_since(start));
    result.summary = solve_random_features(problem, options, &current, round_context);
    iterations_so_far += result.summary.iterations;
    result.round_objectives.push_back(result.summary.network_objective);
  };
  // False when no time is left for it.
  auto solve_round = [&]() -> bool {
    RandomFeatureOptions options = lasso;
    if (rounds_seconds > 0) {
      options.max_seconds = rounds_seconds - seconds_since(start);
      if (options.max_seconds <= 0) return false;
    }
    solve_lasso(options);
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
    if (rounds_seconds > 0 && seconds_since(start) >= rounds_seconds) {
      if (rounds_seconds == lasso.max_seconds) result.summary.message = "time limit reached";
      break;
    }
    if (generation.slide_iterations > 0) {
      slide(generation.slide_iterations, rounds_seconds);
      if (observer_stopped) break;
    }
    // The first-order test at the current point: a direction with |lambda^T sigma(X u)| > beta
    // lowers the objective when added, however inexact the lasso solve (as in
    // solve_with_pattern_generation's neuron search).
    const Eigen::VectorXd prediction =
        problem.activation.apply(problem.X * current.directions) * current.weights;
    const Eigen::VectorXd lambda = dual_candidate(problem, prediction, nullptr);
    const std::vector<Eigen::Index> in_use = nonzero_entries(current.weights);
    const double search_start = seconds_since(start);
    const Eigen::MatrixXd candidates = round_candidates(
        problem, current.directions(Eigen::all, in_use), lambda, generation, round);
    const double search_seconds = seconds_since(start) - search_start;
    Eigen::MatrixXd extra = violating_directions(
        problem, candidates, lambda, generation.violation_tolerance, generation.batch_size);
    // The thorough search costs ~30 searches (10x starts, 3x steps); the search is not
    // interruptible, so under a time limit it runs only when that fits.
    const bool thorough_fits =
        rounds_seconds <= 0 ||
        seconds_since(start) + kThoroughSearchCost * search_seconds < rounds_seconds;
    if (extra.cols() == 0 && generation.source == CandidateSource::kNeuronSearch && thorough_fits) {
      const Eigen::MatrixXd thorough_candidates = round_candidates(
          problem, current.directions(Eigen::all, in_use), lambda, generation, round, true);
      extra = violating_directions(problem, thorough_candidates, lambda,
                                   generation.violation_tolerance, generation.batch_size);
    }
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
      if (rounds_seconds == lasso.max_seconds) result.summary.message = "time limit reached";
      break;
    }
    slid_since_solve = false;
  }
  const bool stopped = result.summary.status == SolverStatus::kCancelled ||
                       result.summary.status == SolverStatus::kNumericalFailure ||
                       context.stop_token.stop_requested() || observer_stopped;
  if (generation.final_slide_iterations > 0 && !stopped)
    slide(generation.final_slide_iterations, lasso.max_seconds);
  if (slid_since_solve) {
    // The summary (objective, the lasso's bound, the network) must describe the slid neurons:
    // one more lasso solve on them, in the time left or, with none left, a short one.
    const SolverSummary before = result.summary;
    replace_dictionary(Eigen::MatrixXd(problem.dim(), 0), &current);
    RandomFeatureOptions options = lasso;
    if (lasso.max_seconds > 0) {
      options.max_seconds = lasso.max_seconds - seconds_since(start);
      if (options.max_seconds <= 0) {
        options.max_seconds = 0.0;
        options.rfista.max_iterations = std::min<std::int64_t>(lasso.rfista.max_iterations, 10);
      }
    }
    solve_lasso(options);
    if (before.status == SolverStatus::kCancelled) result.summary.status = before.status;
    if (!before.message.empty()) result.summary.message = before.message;
  }
  if (observer_stopped) {
    result.summary.status = SolverStatus::kCancelled;
    result.summary.message = "stopped by the observer";
  }
  result.summary.num_patterns = current.directions.cols();
  result.summary.total_seconds = seconds_since(start);
  return result;
}

}  // namespace convexnn
