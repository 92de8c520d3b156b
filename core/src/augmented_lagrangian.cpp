#include "convexnn/augmented_lagrangian.h"
#include "convexnn/solver_summary.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numeric>
#include <optional>
#include <sstream>
#include <vector>

#include "convexnn/admm_building_blocks.h"
#include "convexnn/cone_projection.h"
#include "convexnn/dual_certificate.h"
#include "convexnn/gated_relu.h"
#include "convexnn/network_recovery.h"
#include "convexnn/restricted_interior_point.h"
#include "convexnn/solver_clock.h"
#include "convexnn/solver_cost_model.h"
#include "convexnn/two_layer_network.h"

namespace convexnn {
namespace {

using Clock = SolverClock;

bool positive_finite(double value) { return std::isfinite(value) && value > 0; }

// Estimated cost (solver_cost_model.h) of the evaluations an AugmentedSmooth has done.
struct EvaluationWork {
  double total = 0.0;
};

// The smooth part of a subproblem: loss plus the penalty term of the augmented Lagrangian, by
// the fused kernel (pattern_products.h: one GEMM forward and one back per evaluation).
class AugmentedSmooth : public SmoothFunction {
 public:
  AugmentedSmooth(const ConvexProblem& problem, const Eigen::MatrixXd& multipliers, double penalty,
                  EvaluationWork* work)
      : problem_(problem),
        scaled_multipliers_(chunk_multipliers(multipliers / penalty)),
        penalty_(penalty),
        work_(*work),
        gradient_cost_(cost::kAugmentedGradientBlock * cost::sample_blocks(problem) +
                       cost::kAugmentedGradientBlockDim * cost::sample_block_dims(problem)),
        value_cost_(cost::kAugmentedValueBlock * cost::sample_blocks(problem) +
                    cost::kAugmentedValueBlockDim * cost::sample_block_dims(problem)) {}

  double value(const Eigen::MatrixXd& blocks) const override { return evaluate(blocks, nullptr); }
  double value_and_gradient(const Eigen::MatrixXd& blocks,
                            Eigen::MatrixXd* gradient) const override {
    return evaluate(blocks, gradient);
  }

 private:
  double evaluate(const Eigen::MatrixXd& blocks, Eigen::MatrixXd* gradient) const {
    work_.total += gradient ? gradient_cost_ : value_cost_;
    return problem_.augmented_lagrangian_value(blocks, scaled_multipliers_, penalty_, gradient);
  }
  const ConvexProblem& problem_;
  const ChunkedMultipliers scaled_multipliers_;  // gamma / delta, nonzeros only
  double penalty_;
  EvaluationWork& work_;
  double gradient_cost_;
  double value_cost_;
};

// Inner iterations between certificates, as a multiple of a certificate's cost in iterations:
// they take at most about 1/10 of the run. On teacher10 (1000 blocks in 11-D) a certificate's
// cone projection and dual bound cost ~25 R-FISTA iterations, and certificates every 50
// iterations took a third of the time.
constexpr double kCertificateSpacing = 9.0;

class AugmentedLagrangianRun {
 public:
  AugmentedLagrangianRun(const ConvexProblem& problem, const AugmentedLagrangianOptions& options,
                         AugmentedLagrangianSolution* solution, const SolveContext& context)
      : problem_(problem), options_(options), solution_(*solution), context_(context) {}

  SolverSummary run();

 private:
  void initialize_state();
  void certify(const Eigen::MatrixXd& blocks);
  // Certifies if one is due by the cost-based schedule (kCertificateSpacing), then schedules the
  // next one. Returns whether it certified.
  bool certify_if_due(const Eigen::MatrixXd& blocks, std::int64_t iteration);
  void polish(const Eigen::MatrixXd& blocks);
  bool converged() const {
    return relative_gap(best_upper_, best_lower_) <= options_.relative_gap_tolerance;
  }
  IterationReport make_report(std::int64_t iteration, const Eigen::MatrixXd& blocks,
                              double subgradient_squared) const;
  // The callback of one subproblem; `base` is the number of inner iterations before it.
  bool on_inner_iteration(const RFistaProgress& progress, std::int64_t base);

  const ConvexProblem& problem_;
  const AugmentedLagrangianOptions& options_;
  AugmentedLagrangianSolution& solution_;
  const SolveContext& context_;
  Clock::time_point start_ = Clock::now();
  double best_upper_ = std::numeric_limits<double>::infinity();
  double best_lower_ = -std::numeric_limits<double>::infinity();
  bool cancelled_by_observer_ = false;
  bool time_limit_ = false;
  std::int64_t last_reported_ = -1;
  double last_reported_gap_ = std::numeric_limits<double>::quiet_NaN();
  std::int64_t polish_successes_ = 0;
  EvaluationWork work_;  // estimated cost of the run so far (evaluations and certificates)
  std::int64_t next_certificate_ = 0;
  double work_at_last_certificate_ = 0.0;
  std::int64_t iteration_at_last_certificate_ = 0;
};

void AugmentedLagrangianRun::initialize_state() {
  AugmentedLagrangianState& state = solution_.state;
  if (state.matches(problem_)) return;
  state.blocks = Eigen::MatrixXd::Zero(problem_.dim(), problem_.num_blocks());
  state.multipliers = Eigen::MatrixXd::Zero(problem_.num_samples(), problem_.num_blocks());
  state.penalty = options_.initial_penalty;
  state.window_reached = !options_.tune_penalty;
  state.subproblem_tolerance =
      state.window_reached ? options_.subproblem_tolerance : options_.initial_subproblem_tolerance;
  state.step = 0.0;
}

// U as ADMM's: from the point projected onto the cones (feasible, so it bounds the program). L
// from the multiplier estimate the subproblem implies: at a subproblem's solution, lambda =
// grad l(F u) and alpha_b = (gamma_b + delta g_b(u))_+ satisfy the dual constraints up to the
// subproblem's min-norm subgradient, so the bound tightens as the subproblems are solved
// (dual_lower_bound still takes the better of these and the NNLS multipliers per block).
void AugmentedLagrangianRun::certify(const Eigen::MatrixXd& blocks) {
  std::int64_t nnls_operations = 0;
  const Eigen::MatrixXd feasible = project_onto_cones(problem_, blocks, &nnls_operations);
  const Eigen::VectorXd prediction = recovered_network_prediction(problem_, feasible);
  const double upper = loss_value(problem_.loss, prediction, problem_.y) +
                       problem_.beta * feasible.colwise().norm().sum();
  if (upper < best_upper_) {
    best_upper_ = upper;
    solution_.blocks = feasible;
  }
  const AugmentedLagrangianState& state = solution_.state;
  const Eigen::MatrixXd multipliers =
      (state.multipliers - state.penalty * problem_.cone_values(blocks)).cwiseMax(0.0);
  const DualBound bound = dual_lower_bound(
      problem_, dual_candidate(problem_, problem_.predict(blocks), nullptr), &multipliers);
  best_lower_ = std::max(best_lower_, bound.lower_bound);
  work_.total += cost::certificate(problem_, nnls_operations + bound.nnls_operations);
}

bool AugmentedLagrangianRun::certify_if_due(const Eigen::MatrixXd& blocks, std::int64_t iteration) {
  if (iteration < next_certificate_) return false;
  const double iteration_work =
      (work_.total - work_at_last_certificate_) /
      static_cast<double>(std::max<std::int64_t>(1, iteration - iteration_at_last_certificate_));
  const double work_before = work_.total;
  certify(blocks);
  const double certificate_work = work_.total - work_before;
  next_certificate_ =
      iteration +
      std::max<std::int64_t>(options_.certificate_interval,
                             static_cast<std::int64_t>(kCertificateSpacing * certificate_work /
                                                       std::max(iteration_work, 1.0)));
  work_at_last_certificate_ = work_.total;
  iteration_at_last_certificate_ = iteration;
  return true;
}

// As ADMM's polish: the program restricted to the iterate's largest blocks solved to high accuracy
// by the interior-point method, with column generation from its dual point. Sound: the result is
// feasible for the full program and certified with the bound over all patterns.
void AugmentedLagrangianRun::polish(const Eigen::MatrixXd& blocks) {
  const Eigen::VectorXd norms = blocks.colwise().norm().transpose();
  if (!(norms.maxCoeff() > 0)) return;
  std::vector<Eigen::Index> order(static_cast<std::size_t>(norms.size()));
  std::iota(order.begin(), order.end(), Eigen::Index{0});
  std::sort(order.begin(), order.end(),
            [&](Eigen::Index a, Eigen::Index b) { return norms[a] > norms[b]; });
  const auto limit = static_cast<std::size_t>(2 * (problem_.num_samples() + 1));
  std::vector<Eigen::Index> columns;
  for (std::size_t rank = 0; rank < std::min(limit, order.size()); ++rank) {
    if (!(norms[order[rank]] > 1e-3 * norms.maxCoeff())) break;
    columns.push_back(order[rank]);
  }
  // Larger restricted programs are left to the first-order method (kMaxPolishVariables): on
  // teacher10 (1000 blocks in 11-D) one polish took 48 s of a 60 s run and left the gap at 0.69.
  if (static_cast<Eigen::Index>(columns.size()) * problem_.dim() > kMaxPolishVariables) return;
  RestrictedSolveOptions interior_point;
  interior_point.stop_token = context_.stop_token;
  if (options_.max_seconds > 0) {  // the time limit holds during a polish too
    interior_point.deadline = start_ + std::chrono::duration_cast<Clock::duration>(
                                           std::chrono::duration<double>(options_.max_seconds));
  }
  interior_point.relative_gap_tolerance = 0.1 * options_.relative_gap_tolerance;
  const RestrictedSolveResult result =
      solve_by_column_generation(problem_, columns, 10, problem_.num_samples(), interior_point);
  if (context_.stop_token.stop_requested()) return;
  const double previous_upper = best_upper_;
  const double previous_lower = best_lower_;
  // Projected like every candidate (a no-op for the barrier's interior points).
  const Eigen::MatrixXd feasible = project_onto_cones(problem_, result.blocks);
  const Eigen::VectorXd prediction = recovered_network_prediction(problem_, feasible);
  const double upper = loss_value(problem_.loss, prediction, problem_.y) +
                       problem_.beta * feasible.colwise().norm().sum();
  if (upper < best_upper_) {
    best_upper_ = upper;
    solution_.blocks = feasible;
  }
  const DualBound bound =
      dual_lower_bound(problem_, dual_candidate(problem_, prediction, &result.dual), nullptr);
  best_lower_ = std::max(best_lower_, bound.lower_bound);
  if (best_upper_ < previous_upper || best_lower_ > previous_lower) ++polish_successes_;
}

IterationReport AugmentedLagrangianRun::make_report(std::int64_t iteration,
                                                    const Eigen::MatrixXd& blocks,
                                                    double subgradient_squared) const {
  IterationReport report;
  report.iteration = iteration;
  const Eigen::VectorXd prediction = recovered_network_prediction(problem_, blocks);
  report.network_objective = loss_value(problem_.loss, prediction, problem_.y) +
                             problem_.beta * blocks.colwise().norm().sum();
  report.convex_objective = problem_.objective(blocks);
  // U from certified (projected) points only, as in certify(): the iterate is infeasible.
  report.best_network_objective = best_upper_;
  report.lower_bound = best_lower_;
  report.relative_gap = std::isfinite(best_lower_)
                            ? relative_gap(report.best_network_objective, best_lower_)
                            : std::numeric_limits<double>::infinity();
  report.primal_residual = std::sqrt(problem_.squared_cone_violation(blocks));
  report.dual_residual = std::sqrt(subgradient_squared);
  report.rho = solution_.state.penalty;
  report.active_neurons = count_active_blocks(blocks);
  report.train_accuracy = classification_accuracy(prediction, problem_.y);
  report.test_accuracy = std::numeric_limits<double>::quiet_NaN();
  if (context_.test_set && context_.test_set->X.rows() > 0) {
    const Eigen::Index P = problem_.num_patterns();
    const Eigen::MatrixXd activations = (context_.test_set->X * blocks).cwiseMax(0.0);
    const Eigen::VectorXd test_prediction =
        activations.leftCols(P).rowwise().sum() - activations.rightCols(P).rowwise().sum();
    report.test_accuracy = classification_accuracy(test_prediction, context_.test_set->y);
  }
  report.elapsed_seconds = seconds_since(start_);
  return report;
}

bool AugmentedLagrangianRun::on_inner_iteration(const RFistaProgress& progress, std::int64_t base) {
  const std::int64_t iteration = base + progress.iteration;
  const bool certified = certify_if_due(progress.iterate, iteration) && converged();
  if (context_.observer && (iteration % options_.report_every == 0 || certified)) {
    last_reported_ = iteration;
    last_reported_gap_ = relative_gap(best_upper_, best_lower_);
    const IterationReport report =
        make_report(iteration, progress.iterate, progress.subgradient_norm_squared);
    if (context_.observer->on_iteration(report, BlocksView(problem_, progress.iterate)) ==
        ObserverAction::kStop) {
      cancelled_by_observer_ = true;
      return false;
    }
  }
  if (certified) return false;
  if (options_.max_seconds > 0 && seconds_since(start_) > options_.max_seconds) {
    time_limit_ = true;
    return false;
  }
  return true;
}

SolverSummary AugmentedLagrangianRun::run() {
  SolverSummary summary;
  summary.solver = SolverKind::kAugmentedLagrangian;
  summary.num_patterns = problem_.num_patterns();
  summary.pattern_mode = problem_.patterns.mode;
  if (const std::string error = options_.validate(); !error.empty()) {
    summary.status = SolverStatus::kInvalidOptions;
    summary.message = error;
    return summary;
  }
  if (const std::string error = smooth_loss_error(problem_.loss, "augmented Lagrangian");
      !error.empty()) {
    summary.status = SolverStatus::kInvalidOptions;
    summary.message = error;
    return summary;
  }
  if (problem_.num_patterns() == 0 || problem_.num_samples() == 0) {
    summary.status = SolverStatus::kInvalidOptions;
    summary.message = "the problem has no samples or no activation patterns";
    return summary;
  }
  initialize_state();
  AugmentedLagrangianState& state = solution_.state;
  const Eigen::Index d = problem_.dim();
  const Eigen::Index B = problem_.num_blocks();
  const double n = static_cast<double>(problem_.num_samples());
  solution_.blocks = Eigen::MatrixXd::Zero(d, B);
  solution_.outer_iterations = 0;
  certify(state.blocks);
  next_certificate_ = options_.certificate_interval;
  work_at_last_certificate_ = work_.total;
  summary.setup_seconds = seconds_since(start_);

  RFistaState inner;
  inner.iterate = state.blocks;
  inner.step = state.step;
  inner.reset_momentum();
  std::int64_t total = 0;
  std::optional<AugmentedSmooth> smooth;  // the current subproblem's smooth part
  int window_steps = 0;
  std::int64_t next_polish = options_.polish_interval;
  std::int64_t polish_spacing = options_.polish_interval;
  double violation = problem_.squared_cone_violation(state.blocks);
  double last_subgradient_squared = std::numeric_limits<double>::quiet_NaN();
  summary.status = converged() ? SolverStatus::kConverged : SolverStatus::kIterationLimit;
  while (summary.status != SolverStatus::kConverged &&
         solution_.outer_iterations < options_.max_outer_iterations &&
         total < options_.max_iterations) {
    RFistaOptions inner_options = options_.inner;
    inner_options.subgradient_tolerance = state.subproblem_tolerance * n * n;
    inner_options.max_iterations = options_.max_iterations - total;
    // Built here unless the KKT check below already built it for these multipliers.
    if (!smooth) smooth.emplace(problem_, state.multipliers, state.penalty, &work_);
    inner.reset_momentum();  // a new objective
    const std::int64_t base = total;
    const RFistaResult result = minimize_group_lasso(
        *smooth, problem_.beta, d, B, inner_options, &inner, context_.stop_token,
        [&](const RFistaProgress& progress) { return on_inner_iteration(progress, base); });
    total += result.iterations;
    smooth.reset();  // the penalty or the multipliers change below
    ++solution_.outer_iterations;
    state.blocks = inner.iterate;
    state.step = inner.step;
    last_subgradient_squared = result.subgradient_norm_squared;
    if (result.stop == RFistaStop::kNumericalFailure) {
      summary.status = SolverStatus::kNumericalFailure;
      summary.message = "non-finite values in the R-FISTA iterate";
      break;
    }
    if (result.stop == RFistaStop::kCancelled) {
      summary.status = SolverStatus::kCancelled;
      summary.message = "cancelled";
      break;
    }
    if (result.stop == RFistaStop::kCallback) {
      if (cancelled_by_observer_) {
        summary.status = SolverStatus::kCancelled;
        summary.message = "stopped by the observer";
      } else if (converged()) {
        summary.status = SolverStatus::kConverged;
      } else {
        summary.message = "time limit reached";
      }
      break;
    }
    // Before the multiplier update, which the bound anticipates; a subproblem's solution gives
    // the best bound of its multipliers, but it is taken only when due, as the subproblems of
    // the late outer iterations are short.
    certify_if_due(state.blocks, total);
    if (options_.polish && !converged() && total >= next_polish) {
      polish(state.blocks);
      next_polish = total + polish_spacing;
      polish_spacing *= 2;  // a polish that did not finish the job backs off
    }
    violation = problem_.squared_cone_violation(state.blocks);
    if (!state.window_reached) {
      // Tune the penalty until the violation lies in the window, then start the multiplier updates.
      ++window_steps;
      if (violation > options_.window_upper && window_steps < options_.max_window_steps) {
        state.penalty *= options_.penalty_factor;
      } else if (violation < options_.window_lower && window_steps < options_.max_window_steps) {
        state.penalty /= options_.penalty_factor;
        state.subproblem_tolerance /= options_.penalty_factor;
      } else {
        state.window_reached = true;
        state.subproblem_tolerance = options_.subproblem_tolerance;
      }
    }
    if (state.window_reached) {
      state.multipliers =
          (state.multipliers - state.penalty * problem_.cone_values(state.blocks)).cwiseMax(0.0);
      if (options_.penalty_factor * violation < state.subproblem_tolerance) {
        state.subproblem_tolerance /= options_.penalty_factor;
      }
    }
    if (converged()) {
      summary.status = SolverStatus::kConverged;
    } else if (options_.kkt_tolerance > 0 && violation <= options_.kkt_tolerance) {
      smooth.emplace(problem_, state.multipliers, state.penalty, &work_);  // the next subproblem's
      Eigen::MatrixXd gradient;
      smooth->value_and_gradient(state.blocks, &gradient);
      const double stationarity =
          min_norm_subgradient(state.blocks, gradient, problem_.beta).squaredNorm();
      if (stationarity <= options_.kkt_tolerance * n * n) {
        summary.status = SolverStatus::kKktCriterion;
        last_subgradient_squared = stationarity;
        char message[200];
        std::snprintf(message, sizeof message,
                      "scnn's stopping rule: constraint violation %.2e and squared "
                      "stationarity %.2e per sample, both <= %.2e; not certified",
                      violation, stationarity / (n * n), options_.kkt_tolerance);
        summary.message = message;
        break;
      }
    }
  }
  if ((summary.status == SolverStatus::kIterationLimit ||
       summary.status == SolverStatus::kKktCriterion) &&
      iteration_at_last_certificate_ != total) {
    certify(state.blocks);  // the spaced schedule may have left the last iterations uncertified
    if (converged()) {
      summary.status = SolverStatus::kConverged;
      summary.message.clear();
    }
  }
  // Also when a polish after the last report moved the bounds: the observer must see the end.
  if (context_.observer && !cancelled_by_observer_ &&
      (last_reported_ != total || last_reported_gap_ != relative_gap(best_upper_, best_lower_))) {
    const IterationReport report = make_report(total, state.blocks, last_subgradient_squared);
    if (context_.observer->on_iteration(report, BlocksView(problem_, state.blocks)) ==
            ObserverAction::kStop &&
        summary.status != SolverStatus::kConverged) {
      summary.status = SolverStatus::kCancelled;
      summary.message = "stopped by the observer";
    }
  }
  if (summary.message.empty()) {
    summary.message = summary.status == SolverStatus::kConverged ? "relative gap below tolerance"
                                                                 : "iteration limit reached";
  }
  summary.iterations = total;
  summary.network_objective = best_upper_;
  summary.convex_objective = problem_.objective(solution_.blocks);
  summary.lower_bound = best_lower_;
  summary.gap = best_upper_ - best_lower_;
  summary.relative_gap = relative_gap(best_upper_, best_lower_);
  summary.primal_residual = std::sqrt(problem_.squared_cone_violation(state.blocks));
  summary.dual_residual = std::sqrt(last_subgradient_squared);
  summary.final_rho = state.penalty;
  summary.polish_successes = polish_successes_;
  summary.max_cone_violation = problem_.max_cone_violation(solution_.blocks);
  summary.active_neurons = count_active_blocks(solution_.blocks);
  summary.total_seconds = seconds_since(start_);
  summary.solve_seconds = summary.total_seconds - summary.setup_seconds;
  return summary;
}

}  // namespace

std::string AugmentedLagrangianOptions::validate() const {
  std::ostringstream error;
  if (!positive_finite(initial_penalty)) {
    error << "initial_penalty must be a positive number (got " << initial_penalty << ")";
  } else if (!(penalty_factor > 1) || !std::isfinite(penalty_factor)) {
    error << "penalty_factor must be greater than 1 (got " << penalty_factor << ")";
  } else if (!positive_finite(window_upper) || !positive_finite(window_lower) ||
             window_lower > window_upper) {
    error << "window_lower and window_upper must be positive with window_lower <= window_upper";
  } else if (max_window_steps < 1) {
    error << "max_window_steps must be at least 1 (got " << max_window_steps << ")";
  } else if (!(initial_subproblem_tolerance >= 0) || !std::isfinite(initial_subproblem_tolerance)) {
    error << "initial_subproblem_tolerance must be a non-negative number (got "
          << initial_subproblem_tolerance << ")";
  } else if (!(subproblem_tolerance >= 0) || !std::isfinite(subproblem_tolerance)) {
    error << "subproblem_tolerance must be a non-negative number (got " << subproblem_tolerance
          << ")";
  } else if (const std::string inner_error = inner.validate(); !inner_error.empty()) {
    error << "inner." << inner_error;
  } else if (polish_interval < 1) {
    error << "polish_interval must be at least 1 (got " << polish_interval << ")";
  } else if (max_iterations < 1) {
    error << "max_iterations must be at least 1 (got " << max_iterations << ")";
  } else if (max_outer_iterations < 1) {
    error << "max_outer_iterations must be at least 1 (got " << max_outer_iterations << ")";
  } else if (!(relative_gap_tolerance >= 0) || !std::isfinite(relative_gap_tolerance)) {
    error << "relative_gap_tolerance must be a non-negative number (got " << relative_gap_tolerance
          << ")";
  } else if (!(kkt_tolerance >= 0) || !std::isfinite(kkt_tolerance)) {
    error << "kkt_tolerance must be a non-negative number (got " << kkt_tolerance << ")";
  } else if (certificate_interval < 1) {
    error << "certificate_interval must be at least 1 (got " << certificate_interval << ")";
  } else if (report_every < 1) {
    error << "report_every must be at least 1 (got " << report_every << ")";
  } else if (!(max_seconds >= 0) || std::isnan(max_seconds)) {
    error << "max_seconds must be non-negative (got " << max_seconds << ")";
  }
  return error.str();
}

bool AugmentedLagrangianState::matches(const ConvexProblem& problem) const {
  return blocks.rows() == problem.dim() && blocks.cols() == problem.num_blocks() &&
         multipliers.rows() == problem.num_samples() &&
         multipliers.cols() == problem.num_blocks() && positive_finite(penalty) &&
         blocks.allFinite() && multipliers.allFinite() && (multipliers.array() >= 0).all() &&
         subproblem_tolerance >= 0;
}

SolverSummary solve_augmented_lagrangian(const ConvexProblem& problem,
                                         const AugmentedLagrangianOptions& options,
                                         AugmentedLagrangianSolution* solution,
                                         const SolveContext& context) {
  AugmentedLagrangianRun run(problem, options, solution, context);
  return run.run();
}

}  // namespace convexnn
