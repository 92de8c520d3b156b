#include "convexnn/pattern_generation.h"

#include <cmath>
#include <string>
#include <unordered_set>

#include "convexnn/dual_certificate.h"
#include "convexnn/errors.h"

namespace convexnn {
namespace {

std::string mask_key(const Eigen::MatrixXd& masks, Eigen::Index column) {
  std::string key(static_cast<std::size_t>((masks.rows() + 7) / 8), '\0');
  for (Eigen::Index k = 0; k < masks.rows(); ++k) {
    if (masks(k, column) != 0.0)
      key[static_cast<std::size_t>(k / 8)] |= static_cast<char>(1u << (k % 8));
  }
  return key;
}

PatternSet select_columns(const PatternSet& set, const std::vector<Eigen::Index>& columns) {
  PatternSet selected;
  selected.mode = set.mode;
  selected.masks.resize(set.masks.rows(), static_cast<Eigen::Index>(columns.size()));
  selected.generators.resize(set.generators.rows(), static_cast<Eigen::Index>(columns.size()));
  for (std::size_t t = 0; t < columns.size(); ++t) {
    selected.masks.col(static_cast<Eigen::Index>(t)) = set.masks.col(columns[t]);
    selected.generators.col(static_cast<Eigen::Index>(t)) = set.generators.col(columns[t]);
  }
  return selected;
}

// Inserts zero columns so that [v_1..v_P | w_1..w_P] becomes [v_1..v_P v_new | w_1..w_P w_new].
Eigen::MatrixXd widen_blocks(const Eigen::MatrixXd& blocks, Eigen::Index old_P,
                             Eigen::Index added) {
  if (blocks.size() == 0) return blocks;
  Eigen::MatrixXd widened = Eigen::MatrixXd::Zero(blocks.rows(), 2 * (old_P + added));
  widened.leftCols(old_P) = blocks.leftCols(old_P);
  widened.middleCols(old_P + added, old_P) = blocks.rightCols(old_P);
  return widened;
}

}  // namespace

std::string PatternGenerationOptions::validate() const {
  if (batch_size < 1) return "pattern_generation.batch_size must be at least 1";
  if (max_rounds < 0) return "pattern_generation.max_rounds must be >= 0";
  if (!(violation_tolerance >= 0) || !std::isfinite(violation_tolerance)) {
    return "pattern_generation.violation_tolerance must be a finite number >= 0";
  }
  return "";
}

PatternSet violating_patterns(const ConvexProblem& problem, const PatternSet& candidates,
                              const Eigen::VectorXd& lambda, double theta, double tolerance) {
  std::unordered_set<std::string> known;
  for (Eigen::Index i = 0; i < problem.num_patterns(); ++i)
    known.insert(mask_key(problem.patterns.masks, i));
  std::vector<Eigen::Index> fresh;
  for (Eigen::Index i = 0; i < candidates.num_patterns(); ++i) {
    if (known.insert(mask_key(candidates.masks, i)).second) fresh.push_back(i);
  }
  if (fresh.empty()) return select_columns(candidates, fresh);
  ConvexProblem trial = problem;
  trial.patterns = select_columns(candidates, fresh);
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
  return select_columns(candidates, violating);
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
  result.summary = solve_admm(problem, options, &current, context);
  result.round_objectives.push_back(result.summary.network_objective);
  for (int round = 1; round <= generation.max_rounds; ++round) {
    if (result.summary.status != SolverStatus::kConverged &&
        result.summary.status != SolverStatus::kIterationLimit) {
      break;  // cancelled or failed: stop generating
    }
    if (context.stop_token.stop_requested()) break;
    const Eigen::VectorXd prediction = problem.predict(current.blocks);
    const Eigen::VectorXd lambda = dual_candidate(problem, prediction, nullptr);
    const DualBound bound = dual_lower_bound(problem, lambda, nullptr);
    // theta scales lambda into the current program's dual feasible set; when the current solve
    // is optimal a fresh pattern violating at this scale gives a strict decrease.
    const double theta = bound.max_constraint_norm > 0
                             ? std::min(1.0, problem.beta / bound.max_constraint_norm)
                             : 1.0;
    const PatternSet candidates =
        generation.candidates
            ? generation.candidates(problem.X, round)
            : sample_patterns(problem.X, generation.batch_size,
                              generation.seed + static_cast<std::uint64_t>(round));
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
    result.summary = solve_admm(problem, options, &current, context);
    result.round_objectives.push_back(result.summary.network_objective);
  }
  result.summary.num_patterns = problem.num_patterns();
  return result;
}

}  // namespace convexnn
