#include "convexnn/admm_solver.h"
#include "convexnn/solver_summary.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <memory>
#include <numeric>
#include <vector>

#include "convexnn/admm_building_blocks.h"
#include "convexnn/admm_cone_step.h"
#include "convexnn/block_linear_system.h"
#include "convexnn/cone_projection.h"
#include "convexnn/dual_certificate.h"
#include "convexnn/network_recovery.h"
#include "convexnn/restricted_interior_point.h"
#include "convexnn/solver_clock.h"
#include "convexnn/solver_cost_model.h"
#include "convexnn/two_layer_network.h"

namespace convexnn {
namespace {

using Clock = SolverClock;

// The value of a candidate point: the recovered network's objective (an upper bound on the
// network training problem) and its predictions.
struct PointValue {
  Eigen::VectorXd prediction;
  double network_objective = 0.0;
};

PointValue evaluate_point(const ConvexProblem& problem, const Eigen::MatrixXd& blocks) {
  PointValue value;
  value.prediction = recovered_network_prediction(problem, blocks);
  value.network_objective = loss_value(problem.loss, value.prediction, problem.y) +
                            problem.beta * blocks.colwise().norm().sum();
  return value;
}

bool all_finite(const Eigen::MatrixXd& matrix) { return matrix.allFinite(); }

using cost::sample_block_dims;
using cost::sample_blocks;

// Size of the factor the u-update solves with: n x n (Woodbury core) or 2dP x 2dP (direct).
double factor_size(const ConvexProblem& problem, LinearSolverKind kind) {
  return kind == LinearSolverKind::kWoodbury
             ? static_cast<double>(problem.num_samples())
             : static_cast<double>(problem.dim() * problem.num_blocks());
}

double iteration_cost(const ConvexProblem& problem, LinearSolverKind kind, bool split) {
  const double size = factor_size(problem, kind);
  return cost::kIteration + cost::kIterationBlock * sample_blocks(problem) +
         cost::kIterationBlockDim * sample_block_dims(problem) +
         (split ? cost::kSplitBlock * sample_blocks(problem) : 0.0) +
         cost::kSolveEntry * size * size;
}

double factorization_cost(const ConvexProblem& problem, LinearSolverKind kind) {
  const double size = factor_size(problem, kind);
  return cost::kFlop * size * size * size / 3.0;
}

// Building the u-update system: the n x n kernel and pattern overlap (Woodbury) or the Gram
// matrix of the stacked S_i X (direct).
double setup_cost(const ConvexProblem& problem, LinearSolverKind kind) {
  const auto n = static_cast<double>(problem.num_samples());
  const auto d = static_cast<double>(problem.dim());
  const auto P = static_cast<double>(problem.num_patterns());
  return kind == LinearSolverKind::kWoodbury ? cost::kFlop * n * n * (d + P)
                                             : cost::kFlop * n * (d * P) * (d * P);
}

// Iterations between certificates, as a multiple of a certificate's cost in iterations: they
// take at most 1/4 of the run.
constexpr double kCertificateSpacing = 3.0;
// The same for polishing after a failed polish: the multiple starts at the first value and
// doubles with every further failure up to the second, where failing polishes take at most 1/9
// of the run. After a polish that halved the gap the next one follows polish_interval iterations
// later; as each such polish must halve the gap again, there are at most log2(gap / tolerance)
// of them in a row.
constexpr double kFirstPolishBackoff = 0.5;
constexpr double kMaxPolishBackoff = 8.0;

}  // namespace

bool AdmmState::matches(const ConvexProblem& problem) const {
  const Eigen::Index B = problem.num_blocks();
  return u.rows() == problem.dim() && u.cols() == B && v.rows() == u.rows() && v.cols() == B &&
         lambda.rows() == u.rows() && lambda.cols() == B && s.rows() == problem.num_samples() &&
         s.cols() == B && nu.rows() == s.rows() && nu.cols() == B &&
         prediction.size() == problem.num_samples() &&
         prediction_dual.size() == problem.num_samples() && rho > 0;
}

namespace {

class AdmmRun {
 public:
  AdmmRun(const ConvexProblem& problem, const AdmmOptions& options, AdmmSolution* solution,
          const SolveContext& context)
      : problem_(problem), options_(options), solution_(*solution), context_(context) {}

  SolverSummary run();
  // Estimated cost of everything done so far (cost model above), including nested solves.
  double work() const { return work_; }

 private:
  void initialize_state();
  void unpack_cone_state();
  void pack_cone_state();
  bool change_rho(double new_rho);
  void update_certificate(std::int64_t iteration);
  void polish();
  void consider_point(const Eigen::MatrixXd& blocks, const Eigen::VectorXd* hint);
  IterationReport make_report(std::int64_t iteration, double primal, double dual);

  const ConvexProblem& problem_;
  const AdmmOptions& options_;
  AdmmSolution& solution_;
  const SolveContext& context_;
  Clock::time_point start_ = Clock::now();

  bool split_prediction_ = false;
  std::unique_ptr<BlockLinearSystem> system_;
  Eigen::MatrixXd adjoint_targets_;  // F^T y, for the squared-loss update
  double best_upper_ = std::numeric_limits<double>::infinity();
  double best_lower_ = -std::numeric_limits<double>::infinity();
  Eigen::VectorXd last_constraint_norms_;
  std::vector<Eigen::Index> polish_columns_;  // the block set the last polish ended with
  std::int64_t polish_successes_ = 0;
  std::int64_t next_certificate_ = 0;
  std::int64_t next_polish_ = 0;
  double work_ = 0.0;
  double work_at_last_schedule_ = 0.0;
  // Polishing is spaced by this multiple of its cost: zero while polishes make progress, growing
  // while they fail (see run()).
  double polish_spacing_ = 0.0;
  std::int64_t iteration_at_last_schedule_ = 0;
  // The slacks and scaled cone duals as one n x 2P matrix w = s + nu (admm_cone_step.h); the
  // state's s and nu are written back when the run ends.
  Eigen::MatrixXd cone_state_;
  Eigen::MatrixXd cone_rhs_;  // G^T (s - nu) for the next u-update
  // Work buffers reused across iterations (large temporaries would hit the allocator each time).
  Eigen::MatrixXd previous_v_, relaxed_u_;
};

void AdmmRun::initialize_state() {
  AdmmState& state = solution_.state;
  const Eigen::Index n = problem_.num_samples();
  const Eigen::Index d = problem_.dim();
  const Eigen::Index B = problem_.num_blocks();
  if (!state.matches(problem_)) {
    state.u = Eigen::MatrixXd::Zero(d, B);
    state.v = Eigen::MatrixXd::Zero(d, B);
    state.lambda = Eigen::MatrixXd::Zero(d, B);
    state.s = Eigen::MatrixXd::Zero(n, B);
    state.nu = Eigen::MatrixXd::Zero(n, B);
    state.prediction = Eigen::VectorXd::Zero(n);
    state.prediction_dual = Eigen::VectorXd::Zero(n);
    state.rho = options_.rho;
    return;
  }
  // Warm start: keep the unscaled multipliers rho * lambda, rho * nu, rho * mu.
  const double ratio = state.rho / options_.rho;
  state.lambda *= ratio;
  state.nu *= ratio;
  state.prediction_dual *= ratio;
  state.rho = options_.rho;
}

void AdmmRun::unpack_cone_state() {
  AdmmState& state = solution_.state;
  // Our own states are complementary (s >= 0, nu <= 0, s nu = 0), so w = s + nu loses nothing.
  cone_state_ = state.s + state.nu;
  state.s.resize(0, 0);
  state.nu.resize(0, 0);
  cone_rhs_ = cone_rhs_of_state(problem_, cone_state_);
}

void AdmmRun::pack_cone_state() {
  AdmmState& state = solution_.state;
  state.s = cone_state_.cwiseMax(0.0);
  state.nu = cone_state_.cwiseMin(0.0);
}

bool AdmmRun::change_rho(double new_rho) {
  AdmmState& state = solution_.state;
  const double ratio = state.rho / new_rho;
  state.lambda *= ratio;
  cone_state_ = cone_state_.cwiseMax(0.0) + ratio * cone_state_.cwiseMin(0.0);  // nu *= ratio
  cone_rhs_ = cone_rhs_of_state(problem_, cone_state_);
  state.prediction_dual *= ratio;
  state.rho = new_rho;
  if (split_prediction_) return true;  // the system does not depend on rho
  work_ += factorization_cost(problem_, system_->kind());
  return system_->factorize(1.0 / new_rho);
}

void AdmmRun::consider_point(const Eigen::MatrixXd& blocks, const Eigen::VectorXd* hint) {
  // The upper bound comes from the point projected onto the cones: feasible, so its objective
  // bounds the convex program (an infeasible iterate's network could undercut the sampled
  // program's optimum and fake a negative gap).
  std::int64_t nnls_operations = 0;
  const Eigen::MatrixXd feasible = project_onto_cones(problem_, blocks, &nnls_operations);
  const PointValue value = evaluate_point(problem_, feasible);
  if (value.network_objective < best_upper_) {
    best_upper_ = value.network_objective;
    solution_.blocks = feasible;
  }
  // lambda from the iterate's own prediction F u, not the projected point's: the cone multipliers
  // below are ADMM's for this iterate, and the pair is consistent (teacher10, 40 s on one thread:
  // L 383 instead of 85 with the projected point's gradient). Any lambda gives a valid bound.
  const Eigen::VectorXd lambda = dual_candidate(problem_, problem_.predict(blocks), hint);
  const AdmmState& state = solution_.state;
  const Eigen::MatrixXd multipliers = (-state.rho * cone_state_).cwiseMax(0.0);
  const DualBound bound = dual_lower_bound(
      problem_, lambda, multipliers.cols() == problem_.num_blocks() ? &multipliers : nullptr);
  last_constraint_norms_ = bound.block_constraint_norms;
  best_lower_ = std::max(best_lower_, bound.lower_bound);
  work_ += cost::certificate(problem_, nnls_operations + bound.nnls_operations);
}

void AdmmRun::update_certificate(std::int64_t /*iteration*/) {
  const AdmmState& state = solution_.state;
  const Eigen::VectorXd hint = state.rho * state.prediction_dual;
  consider_point(state.v, split_prediction_ ? &hint : nullptr);
}

// Re-solves the program restricted to the significant blocks of the iterate to high accuracy by
// an interior-point method (restricted_interior_point.h), then adds the blocks whose dual
// constraint the result violates (column generation) and repeats a few rounds. Sound: the result
// is feasible for the full program (other blocks zero) and consider_point certifies it with the
// dual bound over all patterns; only that certificate decides convergence.
void AdmmRun::polish() {
  const AdmmState& state = solution_.state;
  const Eigen::Index B = problem_.num_blocks();
  const Eigen::VectorXd norms = state.v.colwise().norm().transpose();
  // Start from the largest blocks: an optimal solution needs at most n + 1 of them (science.md
  // 3.3), and ADMM iterates carry many tiny ones. Keep the set an earlier polish ended with:
  // its generated columns are usually still needed.
  std::vector<bool> selected(static_cast<std::size_t>(B), false);
  std::vector<Eigen::Index> columns;
  for (const Eigen::Index b : polish_columns_) {
    selected[static_cast<std::size_t>(b)] = true;
    columns.push_back(b);
  }
  std::vector<Eigen::Index> order(static_cast<std::size_t>(B));
  std::iota(order.begin(), order.end(), Eigen::Index{0});
  std::sort(order.begin(), order.end(),
            [&](Eigen::Index a, Eigen::Index b) { return norms[a] > norms[b]; });
  const double threshold = 1e-3 * norms.maxCoeff();
  const Eigen::Index limit = 2 * (problem_.num_samples() + 1);
  for (Eigen::Index rank = 0; rank < std::min(limit, B); ++rank) {
    const Eigen::Index b = order[static_cast<std::size_t>(rank)];
    if (!(norms[b] > threshold)) break;
    if (!selected[static_cast<std::size_t>(b)]) {
      selected[static_cast<std::size_t>(b)] = true;
      columns.push_back(b);
    }
  }
  if (columns.empty()) return;
  // Larger restricted programs are left to ADMM (kMaxPolishVariables).
  if (static_cast<Eigen::Index>(columns.size()) * problem_.dim() > kMaxPolishVariables) return;

  // Each round's barrier gap a tenth of the tolerance: enough for the certificate to pass on the
  // final set, and far cheaper than solving to full precision.
  RestrictedSolveOptions interior_point;
  interior_point.stop_token = context_.stop_token;  // cancel stays prompt during a polish
  if (options_.max_seconds > 0) {
    interior_point.deadline = start_ + std::chrono::duration_cast<Clock::duration>(
                                           std::chrono::duration<double>(options_.max_seconds));
  }
  interior_point.relative_gap_tolerance = 0.1 * options_.relative_gap_tolerance;
  constexpr int kRounds = 10;
  const double violation_limit = problem_.beta * (1.0 + 1e-9);
  for (int round = 0; round < kRounds; ++round) {
    if (context_.stop_token.stop_requested() || Clock::now() >= interior_point.deadline) return;
    const RestrictedSolveResult result =
        solve_restricted_interior_point(problem_, columns, interior_point);
    if (context_.stop_token.stop_requested()) return;
    work_ += cost::kFlop * static_cast<double>(result.operations);
    const double previous_upper = best_upper_;
    const double previous_lower = best_lower_;
    // The barrier's dual point is the certificate's candidate; for the hinge it is passed as the
    // subgradient hint (the gradient is ambiguous at the kinks).
    consider_point(result.blocks, &result.dual);
    if (best_upper_ < previous_upper || best_lower_ > previous_lower) ++polish_successes_;
    polish_columns_ = columns;
    if (relative_gap(best_upper_, best_lower_) <= options_.relative_gap_tolerance) return;

    // Column generation: the blocks outside the set whose dual constraint the restricted
    // optimum violates, worst first.
    std::int64_t operations = 0;
    const Eigen::VectorXd values =
        dual_constraint_values(problem_, result.dual, violation_limit, &operations);
    work_ += cost::kNnlsOperation * static_cast<double>(operations);
    std::vector<std::pair<double, Eigen::Index>> violations;
    for (Eigen::Index b = 0; b < B; ++b) {
      if (!selected[static_cast<std::size_t>(b)] && values[b] > violation_limit) {
        violations.emplace_back(values[b], b);
      }
    }
    if (violations.empty()) return;
    std::sort(violations.begin(), violations.end(), std::greater<>());
    const std::size_t add =
        std::min<std::size_t>(violations.size(), static_cast<std::size_t>(problem_.num_samples()));
    for (std::size_t t = 0; t < add; ++t) {
      selected[static_cast<std::size_t>(violations[t].second)] = true;
      columns.push_back(violations[t].second);
    }
  }
}

IterationReport AdmmRun::make_report(std::int64_t iteration, double primal, double dual) {
  const AdmmState& state = solution_.state;
  // About an iteration's products with X and the masks (value, objective, active count).
  work_ += cost::kIteration + cost::kIterationBlock * sample_blocks(problem_) +
           cost::kIterationBlockDim * sample_block_dims(problem_);
  IterationReport report;
  report.iteration = iteration;
  const PointValue value = evaluate_point(problem_, state.v);
  report.network_objective = value.network_objective;
  report.convex_objective = problem_.objective(state.v);
  // U is the best *certified* point's objective (consider_point): the iterate's own network is
  // infeasible for the program in general and could undercut its optimum, faking a small gap.
  report.best_network_objective = best_upper_;
  report.lower_bound = best_lower_;
  report.relative_gap = std::isfinite(best_lower_)
                            ? relative_gap(report.best_network_objective, best_lower_)
                            : std::numeric_limits<double>::infinity();
  report.primal_residual = primal;
  report.dual_residual = dual;
  report.rho = state.rho;
  report.active_neurons = count_active_blocks(state.v);
  report.train_accuracy = classification_accuracy(value.prediction, problem_.y);
  report.test_accuracy = std::numeric_limits<double>::quiet_NaN();
  if (context_.test_set && context_.test_set->X.rows() > 0) {
    const Eigen::Index P = problem_.num_patterns();
    const Eigen::MatrixXd activations = problem_.activation.apply(context_.test_set->X * state.v);
    const Eigen::VectorXd prediction =
        activations.leftCols(P).rowwise().sum() - activations.rightCols(P).rowwise().sum();
    report.test_accuracy = classification_accuracy(prediction, context_.test_set->y);
  }
  report.elapsed_seconds = seconds_since(start_);
  return report;
}

SolverSummary AdmmRun::run() {
  SolverSummary summary;
  summary.num_patterns = problem_.num_patterns();
  summary.pattern_mode = problem_.patterns.mode;
  if (const std::string error = options_.validate(); !error.empty()) {
    summary.status = SolverStatus::kInvalidOptions;
    summary.message = error;
    return summary;
  }
  if (problem_.num_patterns() == 0 || problem_.num_samples() == 0) {
    summary.status = SolverStatus::kInvalidOptions;
    summary.message = "the problem has no samples or no activation patterns";
    return summary;
  }
  split_prediction_ = problem_.loss != LossKind::kSquared;
  initialize_state();
  AdmmState& state = solution_.state;
  system_ = std::make_unique<BlockLinearSystem>(problem_, options_.linear_solver);
  summary.linear_solver = system_->kind();
  work_ += setup_cost(problem_, system_->kind()) + factorization_cost(problem_, system_->kind());
  const double cost_per_iteration = iteration_cost(problem_, system_->kind(), split_prediction_);
  if (!system_->factorize(split_prediction_ ? 1.0 : 1.0 / state.rho)) {
    summary.status = SolverStatus::kNumericalFailure;
    summary.message = "the u-update system could not be factorized";
    return summary;
  }
  if (!split_prediction_) adjoint_targets_ = problem_.predict_adjoint(problem_.y);
  solution_.blocks = Eigen::MatrixXd::Zero(problem_.dim(), problem_.num_blocks());
  summary.setup_seconds = seconds_since(start_);

  double primal = std::numeric_limits<double>::infinity();
  double dual = std::numeric_limits<double>::infinity();
  summary.status = SolverStatus::kIterationLimit;
  std::int64_t iteration = 0;
  bool stop = false;
  unpack_cone_state();
  // Consider the starting point (zero or warm) so a bound exists from the first report on.
  update_certificate(0);
  next_certificate_ = options_.certificate_interval;
  next_polish_ = options_.polish_interval;
  work_at_last_schedule_ = work_;

  while (!stop && iteration < options_.max_iterations) {
    if (context_.stop_token.stop_requested()) {
      summary.status = SolverStatus::kCancelled;
      summary.message = "cancelled";
      break;
    }
    ++iteration;
    work_ += cost_per_iteration;
    // u-update.
    Eigen::MatrixXd rhs = state.v - state.lambda + cone_rhs_;
    if (split_prediction_) {
      rhs += problem_.predict_adjoint(state.prediction - state.prediction_dual);
    } else {
      rhs += adjoint_targets_ / state.rho;
    }
    state.u = system_->solve(rhs);

    const bool report_now = context_.observer && (iteration % options_.report_every == 0);
    const bool adapt_now = options_.penalty_mode == PenaltyMode::kAdaptive &&
                           iteration % options_.penalty_update_interval == 0;
    const bool certify_now = iteration >= next_certificate_;
    const bool residuals_now =
        report_now || adapt_now || certify_now || iteration == options_.max_iterations;

    // (s, nu)-update fused with G u and F u (admm_cone_step.h), then the v-, prediction- and
    // dual updates, over-relaxed (Boyd et al. 3.4.3): the relaxed point alpha * new +
    // (1 - alpha) * previous replaces u, G u and F u.
    const double alpha = options_.relaxation;
    ConeStepResult step = admm_cone_step(problem_, state.u, alpha, residuals_now, &cone_state_);
    cone_rhs_ = std::move(step.next_cone_rhs);
    const Eigen::VectorXd& fitted = step.fitted;
    previous_v_ = state.v;
    const Eigen::VectorXd previous_prediction = state.prediction;
    relaxed_u_ = alpha * state.u + (1.0 - alpha) * state.v;
    state.v = group_soft_threshold(relaxed_u_ + state.lambda, problem_.beta / state.rho);
    Eigen::VectorXd prediction_residual;
    if (split_prediction_) {
      const Eigen::VectorXd relaxed_fit = alpha * fitted + (1.0 - alpha) * state.prediction;
      state.prediction =
          loss_prox(problem_.loss, relaxed_fit + state.prediction_dual, problem_.y, state.rho);
      state.prediction_dual += relaxed_fit - state.prediction;
      prediction_residual = fitted - state.prediction;
    }
    state.lambda += relaxed_u_ - state.v;
    if (!all_finite(state.u) || !all_finite(state.v) || !fitted.allFinite()) {
      summary.status = SolverStatus::kNumericalFailure;
      summary.message = "non-finite values in the ADMM iterate (try a larger rho)";
      break;
    }

    if (residuals_now) {
      primal = std::sqrt((state.u - state.v).squaredNorm() + step.cone_residual_squared +
                         prediction_residual.squaredNorm());
      Eigen::MatrixXd dual_direction = (state.v - previous_v_) + step.slack_change_adjoint;
      if (split_prediction_)
        dual_direction += problem_.predict_adjoint(state.prediction - previous_prediction);
      dual = state.rho * dual_direction.norm();
    }
    if (certify_now) {
      // Certificates and polishing cost more than an iteration; keep them to a fraction of the
      // run by spacing them according to their estimated cost. The estimates come from operation
      // counts, not clock readings, so the schedule is reproducible.
      const double iteration_work =
          (work_ - work_at_last_schedule_) /
          static_cast<double>(std::max<std::int64_t>(1, iteration - iteration_at_last_schedule_));
      const double work_before_certificate = work_;
      update_certificate(iteration);
      const double certificate_work = work_ - work_before_certificate;
      if (options_.polish && iteration >= next_polish_ &&
          relative_gap(best_upper_, best_lower_) > options_.relative_gap_tolerance) {
        const double work_before_polish = work_;
        const double gap_before_polish = relative_gap(best_upper_, best_lower_);
        polish();
        const double gap_after_polish = relative_gap(best_upper_, best_lower_);
        // A polish that halves the gap has found most of the active set and the next one is
        // likely to finish the job, so polish again soon. Failures back off geometrically, which
        // keeps their share of the run small where polishing does not succeed.
        polish_spacing_ =
            gap_after_polish <= 0.5 * gap_before_polish
                ? 0.0
                : std::clamp(2.0 * polish_spacing_, kFirstPolishBackoff, kMaxPolishBackoff);
        const double polish_work = work_ - work_before_polish;
        next_polish_ =
            iteration + std::max<std::int64_t>(options_.polish_interval,
                                               static_cast<std::int64_t>(
                                                   polish_spacing_ * polish_work / iteration_work));
      }
      next_certificate_ =
          iteration +
          std::max<std::int64_t>(
              options_.certificate_interval,
              static_cast<std::int64_t>(kCertificateSpacing * certificate_work / iteration_work));
      work_at_last_schedule_ = work_;
      iteration_at_last_schedule_ = iteration;
      if (relative_gap(best_upper_, best_lower_) <= options_.relative_gap_tolerance) {
        summary.status = SolverStatus::kConverged;
        stop = true;
      }
    }
    if (report_now || (stop && context_.observer)) {
      const IterationReport report = make_report(iteration, primal, dual);
      if (context_.observer->on_iteration(report, BlocksView(problem_, state.v)) ==
          ObserverAction::kStop) {
        summary.status = SolverStatus::kCancelled;
        summary.message = "stopped by the observer";
        stop = true;
      }
    }
    if (!stop && options_.max_seconds > 0 && seconds_since(start_) > options_.max_seconds) {
      summary.status = SolverStatus::kIterationLimit;
      summary.message = "time limit reached";
      break;
    }
    if (!stop && adapt_now) {
      const double new_rho =
          balanced_penalty(state.rho, primal, dual, options_.penalty_balance,
                           options_.penalty_scale, options_.min_rho, options_.max_rho);
      if (new_rho != state.rho && !change_rho(new_rho)) {
        summary.status = SolverStatus::kNumericalFailure;
        summary.message = "refactorization failed after a change of rho";
        break;
      }
    }
  }
  if (summary.status == SolverStatus::kIterationLimit) update_certificate(iteration);
  pack_cone_state();

  summary.iterations = iteration;
  summary.network_objective = best_upper_;
  summary.convex_objective = problem_.objective(solution_.blocks);
  summary.lower_bound = best_lower_;
  summary.gap = best_upper_ - best_lower_;
  summary.relative_gap = relative_gap(best_upper_, best_lower_);
  summary.primal_residual = primal;
  summary.dual_residual = dual;
  summary.final_rho = state.rho;
  summary.max_cone_violation = problem_.max_cone_violation(solution_.blocks);
  summary.active_neurons = count_active_blocks(solution_.blocks);
  summary.polish_successes = polish_successes_;
  summary.total_seconds = seconds_since(start_);
  summary.solve_seconds = summary.total_seconds - summary.setup_seconds;
  if (summary.message.empty()) {
    summary.message = summary.status == SolverStatus::kConverged ? "relative gap below tolerance"
                                                                 : "iteration limit reached";
  }
  return summary;
}

}  // namespace

SolverSummary solve_admm(const ConvexProblem& problem, const AdmmOptions& options,
                         AdmmSolution* solution, const SolveContext& context) {
  AdmmRun run(problem, options, solution, context);
  return run.run();
}

}  // namespace convexnn
