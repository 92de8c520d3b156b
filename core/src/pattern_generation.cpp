#include "convexnn/pattern_generation.h"

#include <cmath>
#include <string>
#include <unordered_set>

#include "convexnn/dual_certificate.h"
#include "convexnn/errors.h"
#include "convexnn/round_offset_observer.h"
#include "convexnn/solver_clock.h"

namespace convexnn {
namespace {

// Inserts zero columns so that [v_1..v_P | w_1..w_P] becomes [v_1..v_P v_new | w_1..w_P w_new].
Eigen::MatrixXd widen_blocks(const Eigen::MatrixXd& blocks, Eigen::Index old_P,
                             Eigen::Index added) {
  if (blocks.size() == 0) return blocks;
  Eigen::MatrixXd widened = Eigen::MatrixXd::Zero(blocks.rows(), 2 * (old_P + added));
  widened.leftCols(old_P) = blocks.leftCols(old_P);
  widened.middleCols(old_P + added, old_P) = blocks.rightCols(old_P);
  return widened;
}

// The directions of the blocks in use (non-zero columns of the d x 2P block matrix).
Eigen::MatrixXd active_directions(const Eigen::MatrixXd& blocks) {
  std::vector<Eigen::Index> active;
  for (Eigen::Index b = 0; b < blocks.cols(); ++b) {
    if (blocks.col(b).squaredNorm() > 0) active.push_back(b);
  }
  Eigen::MatrixXd directions(blocks.rows(), static_cast<Eigen::Index>(active.size()));
  for (std::size_t t = 0; t < active.size(); ++t)
    directions.col(static_cast<Eigen::Index>(t)) = blocks.col(active[t]);
  return directions;
}

PatternSet round_candidates(const ConvexProblem& problem, const Eigen::MatrixXd& blocks,
                            const Eigen::VectorXd& lambda,
                            const PatternGenerationOptions& generation, int round) {
  const auto round_seed = generation.seed + static_cast<std::uint64_t>(round);
  if (generation.candidates) return generation.candidates(problem.X, round);
  if (generation.source == CandidateSource::kNeuronSearch) {
    NeuronSearchOptions search = generation.search;
    search.seed += static_cast<std::uint64_t>(round);
    return search_neuron_patterns(problem.X, lambda, active_directions(blocks), search,
                                  &problem.patterns)
        .patterns;
  }
  return sample_patterns(problem.X, generation.batch_size, round_seed);
}

}  // namespace

std::string PatternGenerationOptions::validate() const {
  if (batch_size < 1) return "pattern_generation.batch_size must be at least 1";
  if (max_rounds < 0) return "pattern_generation.max_rounds must be >= 0";
  if (const std::string error = search.validate(); !error.empty()) {
    return "pattern_generation." + error;
  }
  if (!(violation_tolerance >= 0) || !std::isfinite(violation_tolerance)) {
    return "pattern_generation.violation_tolerance must be a finite number >= 0";
  }
  if (slide_iterations < 0) return "pattern_generation.slide_iterations must be >= 0";
  if (final_slide_iterations < 0) return "pattern_generation.final_slide_iterations must be >= 0";
  if (!(final_slide_share >= 0 && final_slide_share < 1))
    return "pattern_generation.final_slide_share must be in [0, 1)";
  return "";
}

PatternSet violating_patterns(const ConvexProblem& problem, const PatternSet& candidates,
                              const Eigen::VectorXd& lambda, double theta, double tolerance) {
  std::unordered_set<std::string> known;
  for (Eigen::Index i = 0; i < problem.num_patterns(); ++i)
    known.insert(pattern_mask_key(problem.patterns.masks.col(i)));
  std::vector<Eigen::Index> fresh;
  for (Eigen::Index i = 0; i < candidates.num_patterns(); ++i) {
    if (known.insert(pattern_mask_key(candidates.masks.col(i))).second) fresh.push_back(i);
  }
  if (fresh.empty()) return select_patterns(candidates, fresh);
  ConvexProblem trial = problem;
  trial.patterns = select_patterns(candidates, fresh);
  trial.finalize();
  // Each fresh pattern gives a v-block and a w-block (c and -c); a pattern is added when either
  // violates. Exact NNLS norms for all of them: the bound's lazy refinement only guarantees the
  // largest ones.
  const Eigen::MatrixXd targets = trial.predict_adjoint(lambda);
  const Eigen::Index P = trial.num_patterns();
  std::vector<Eigen::Index> violating;
  for (Eigen::Index i = 0; i < P; ++i) {
    const Eigen::MatrixXd cone_rows =
        (trial.X.array().colwise() * trial.pattern_signs().col(i).array()).matrix().transpose();
    double worst = 0.0;
    for (Eigen::Index b : {i, P + i}) {
      const Eigen::VectorXd alpha = nonnegative_least_squares(cone_rows, targets.col(b));
      worst = std::max(worst, (targets.col(b) - cone_rows * alpha).norm());
    }
    if (theta * worst > problem.beta * (1.0 + tolerance))
      violating.push_back(fresh[static_cast<std::size_t>(i)]);
  }
  return select_patterns(candidates, violating);
}

void append_patterns(ConvexProblem& problem, const PatternSet& extra, AdmmSolution* solution) {
  const Eigen::Index old_P = problem.num_patterns();
  const Eigen::Index added = extra.num_patterns();
  if (added == 0) return;
  PatternSet& patterns = problem.patterns;
  patterns.masks.conservativeResize(Eigen::NoChange, old_P + added);
  patterns.masks.rightCols(added) = extra.masks;
  patterns.generators.conservativeResize(Eigen::NoChange, old_P + added);
  patterns.generators.rightCols(added) = extra.generators;
  problem.finalize();
  if (!solution) return;
  solution->blocks = widen_blocks(solution->blocks, old_P, added);
  AdmmState& state = solution->state;
  state.u = widen_blocks(state.u, old_P, added);
  state.v = widen_blocks(state.v, old_P, added);
  state.lambda = widen_blocks(state.lambda, old_P, added);
  state.s = widen_blocks(state.s, old_P, added);
  state.nu = widen_blocks(state.nu, old_P, added);
}

PatternGenerationSummary solve_with_pattern_generation(ConvexProblem& problem,
                                                       const AdmmOptions& options,
                                                       const PatternGenerationOptions& generation,
                                                       AdmmSolution* solution,
                                                       const SolveContext& context) {
  PatternGenerationSummary result;
  if (const std::string error = generation.validate(); !error.empty()) {
    result.summary.status = SolverStatus::kInvalidOptions;
    result.summary.message = error;
    return result;
  }
  result.initial_patterns = problem.num_patterns();
  AdmmSolution local;
  AdmmSolution& current = solution ? *solution : local;
  const SolverClock::time_point start = SolverClock::now();
  RoundOffsetObserver continuing(context.observer);
  SolveContext round_context = context;
  if (context.observer) round_context.observer = &continuing;
  std::int64_t iterations_so_far = 0;
  auto solve_round = [&] {
    continuing.begin_round(iterations_so_far, seconds_since(start));
    result.summary = solve_admm(problem, options, &current, round_context);
    iterations_so_far += result.summary.iterations;
    result.round_objectives.push_back(result.summary.network_objective);
  };
  solve_round();
  for (int round = 1; round <= generation.max_rounds; ++round) {
    if (result.summary.status != SolverStatus::kConverged &&
        result.summary.status != SolverStatus::kIterationLimit) {
      break;  // cancelled or failed: stop generating
    }
    if (context.stop_token.stop_requested()) break;
    const Eigen::VectorXd prediction = problem.predict(current.blocks);
    const Eigen::VectorXd lambda = dual_candidate(problem, prediction, nullptr);
    // Random draws: theta scales lambda into the current program's dual feasible set, so that a
    // round without violation certifies the candidates (when the current solve is optimal, a
    // fresh pattern violating at this scale gives a strict decrease). Neuron search: the
    // first-order test at the current point (theta = 1): a fresh block with q_b(lambda) > beta
    // lowers the objective when added, however inexact the current solve; a scaled test would
    // stop the generation early whenever the restricted solve is still far from its optimum.
    double theta = 1.0;
    if (generation.source == CandidateSource::kRandomDraws || generation.candidates) {
      const DualBound bound = dual_lower_bound(problem, lambda, nullptr);
      if (bound.max_constraint_norm > 0)
        theta = std::min(1.0, problem.beta / bound.max_constraint_norm);
    }
    const PatternSet candidates =
        round_candidates(problem, current.blocks, lambda, generation, round);
    const PatternSet extra =
        violating_patterns(problem, candidates, lambda, theta, generation.violation_tolerance);
    result.round_additions.push_back(extra.num_patterns());
    if (extra.num_patterns() == 0) {
      result.no_violation_found = true;
      break;
    }
    append_patterns(problem, extra, &current);
    result.patterns_added += extra.num_patterns();
    result.rounds = round;
    solve_round();
  }
  result.summary.num_patterns = problem.num_patterns();
  return result;
}

}  // namespace convexnn
