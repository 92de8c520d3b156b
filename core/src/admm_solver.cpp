#include "convexnn/admm_solver.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <memory>
#include <vector>

#include "convexnn/block_linear_system.h"
#include "convexnn/cone_projection.h"
#include "convexnn/dual_certificate.h"
#include "convexnn/network_recovery.h"
#include "convexnn/newton_polish.h"
#include "convexnn/two_layer_network.h"

namespace convexnn {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

double relative_gap(double upper, double lower) {
  return (upper - lower) / std::max(1.0, std::abs(upper));
}

// Group soft-thresholding: each column shrunk towards zero by `threshold` in norm.
Eigen::MatrixXd group_soft_threshold(const Eigen::MatrixXd& blocks, double threshold) {
  Eigen::MatrixXd result(blocks.rows(), blocks.cols());
  for (Eigen::Index b = 0; b < blocks.cols(); ++b) {
    const double norm = blocks.col(b).norm();
    const double factor = norm > threshold ? 1.0 - threshold / norm : 0.0;
    result.col(b) = factor * blocks.col(b);
  }
  return result;
}

class BlocksView : public IterateView {
 public:
  BlocksView(const ConvexProblem& problem, const Eigen::MatrixXd& blocks)
      : problem_(problem), blocks_(blocks) {}
  TwoLayerNetwork network() const override { return recover_network(problem_, blocks_); }

 private:
  const ConvexProblem& problem_;
  const Eigen::MatrixXd& blocks_;
};

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

}  // namespace

bool AdmmState::matches(const ConvexProblem& problem) const {
  const Eigen::Index B = problem.num_blocks();
  return u.rows() == problem.dim() && u.cols() == B && v.rows() == u.rows() &&
         v.cols() == B && lambda.rows() == u.rows() && lambda.cols() == B &&
         s.rows() == problem.num_samples() && s.cols() == B && nu.rows() == s.rows() &&
         nu.cols() == B && prediction.size() == problem.num_samples() &&
         prediction_dual.size() == problem.num_samples() && rho > 0;
}

namespace {

class AdmmRun {
 public:
  AdmmRun(const ConvexProblem& problem, const AdmmOptions& options, AdmmSolution* solution,
          const SolveContext& context)
      : problem_(problem), options_(options), solution_(*solution), context_(context) {}

  SolverSummary run();

 private:
  void initialize_state();
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
  std::int64_t polish_successes_ = 0;
  std::int64_t next_certificate_ = 0;
  std::int64_t next_polish_ = 0;
  Clock::time_point iterations_start_ = Clock::now();
  std::int64_t iterations_at_start_ = 0;
  // Work buffers reused across iterations (large temporaries would hit the allocator each time).
  Eigen::MatrixXd previous_v_, previous_s_, relaxed_u_, relaxed_cone_;
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

bool AdmmRun::change_rho(double new_rho) {
  AdmmState& state = solution_.state;
  const double ratio = state.rho / new_rho;
  state.lambda *= ratio;
  state.nu *= ratio;
  state.prediction_dual *= ratio;
  state.rho = new_rho;
  return split_prediction_ || system_->factorize(1.0 / new_rho);
}

void AdmmRun::consider_point(const Eigen::MatrixXd& blocks, const Eigen::VectorXd* hint) {
  // The upper bound comes from the point projected onto the cones: feasible, so its objective
  // bounds the convex program (an infeasible iterate's network could undercut the sampled
  // program's optimum and fake a negative gap).
  const Eigen::MatrixXd feasible = project_onto_cones(problem_, blocks);
  const PointValue value = evaluate_point(problem_, feasible);
  if (value.network_objective < best_upper_) {
    best_upper_ = value.network_objective;
    solution_.blocks = feasible;
  }
  const Eigen::VectorXd lambda = dual_candidate(problem_, value.prediction, hint);
  const AdmmState& state = solution_.state;
  const Eigen::MatrixXd multipliers = (-state.rho * state.nu).cwiseMax(0.0);
  const DualBound bound = dual_lower_bound(
      problem_, lambda, multipliers.cols() == problem_.num_blocks() ? &multipliers : nullptr);
  last_constraint_norms_ = bound.block_constraint_norms;
  best_lower_ = std::max(best_lower_, bound.lower_bound);
}

void AdmmRun::update_certificate(std::int64_t /*iteration*/) {
  const AdmmState& state = solution_.state;
  const Eigen::VectorXd hint = state.rho * state.prediction_dual;
  consider_point(state.v, split_prediction_ ? &hint : nullptr);
}

// Re-solves the program restricted to the significant blocks, then adds the patterns whose dual
// constraint the polished point violates (column generation) and repeats a few rounds. Sound:
// the polished point is feasible for the full program (other blocks zero) and its certificate is
// computed over all patterns.
void AdmmRun::polish() {
  const AdmmState& state = solution_.state;
  const Eigen::Index P = problem_.num_patterns();
  const Eigen::VectorXd norms = state.v.colwise().norm().transpose();
  // Start from the largest blocks: an optimal solution needs at most n + 1 of them (science.md
  // 3.3), and ADMM iterates carry many tiny ones that only slow the restricted solve down.
  const double threshold = 1e-3 * norms.maxCoeff();
  std::vector<Eigen::Index> order(static_cast<std::size_t>(2 * P));
  for (Eigen::Index b = 0; b < 2 * P; ++b) order[static_cast<std::size_t>(b)] = b;
  std::sort(order.begin(), order.end(), [&](Eigen::Index a, Eigen::Index b) { return norms[a] > norms[b]; });
  std::vector<bool> selected(static_cast<std::size_t>(P), false);
  const Eigen::Index limit = 2 * (problem_.num_samples() + 1);
  Eigen::Index chosen = 0;
  for (Eigen::Index b : order) {
    if (!(norms[b] > threshold) || chosen >= limit) break;
    if (!selected[static_cast<std::size_t>(b % P)]) {
      selected[static_cast<std::size_t>(b % P)] = true;
      ++chosen;
    }
  }
  AdmmState inner_state;  // carried across rounds on growing pattern sets
  std::vector<Eigen::Index> previous_patterns;
  constexpr int kRounds = 4;
  for (int round = 0; round < kRounds; ++round) {
    std::vector<Eigen::Index> patterns;
    for (Eigen::Index i = 0; i < P; ++i) {
      if (selected[static_cast<std::size_t>(i)]) patterns.push_back(i);
    }
    const auto Q = static_cast<Eigen::Index>(patterns.size());
    if (Q == 0 || 2 * Q > P) return;
    auto full_column = [&](const std::vector<Eigen::Index>& set, Eigen::Index block) {
      const auto count = static_cast<Eigen::Index>(set.size());
      return block < count ? set[static_cast<std::size_t>(block)]
                           : P + set[static_cast<std::size_t>(block - count)];
    };
    ConvexProblem restricted;
    restricted.X = problem_.X;
    restricted.y = problem_.y;
    restricted.loss = problem_.loss;
    restricted.beta = problem_.beta;
    restricted.has_bias_column = problem_.has_bias_column;
    restricted.patterns.mode = PatternMode::kSampled;
    restricted.patterns.masks.resize(problem_.num_samples(), Q);
    restricted.patterns.generators.resize(problem_.patterns.generators.rows(), Q);
    for (Eigen::Index q = 0; q < Q; ++q) {
      const Eigen::Index i = patterns[static_cast<std::size_t>(q)];
      restricted.patterns.masks.col(q) = problem_.patterns.masks.col(i);
      restricted.patterns.generators.col(q) = problem_.patterns.generators.col(i);
    }
    restricted.finalize();

    // Warm start: from the previous round where the pattern was already present, else from the
    // main iterate.
    AdmmSolution inner;
    AdmmState& warm = inner.state;
    warm.u.resize(problem_.dim(), 2 * Q);
    warm.v.resize(problem_.dim(), 2 * Q);
    warm.lambda.resize(problem_.dim(), 2 * Q);
    warm.s.resize(problem_.num_samples(), 2 * Q);
    warm.nu.resize(problem_.num_samples(), 2 * Q);
    std::vector<Eigen::Index> previous_index(static_cast<std::size_t>(P), -1);
    for (std::size_t t = 0; t < previous_patterns.size(); ++t) {
      previous_index[static_cast<std::size_t>(previous_patterns[t])] = static_cast<Eigen::Index>(t);
    }
    const auto previous_count = static_cast<Eigen::Index>(previous_patterns.size());
    for (Eigen::Index b = 0; b < 2 * Q; ++b) {
      const Eigen::Index i = patterns[static_cast<std::size_t>(b % Q)];
      const Eigen::Index old = previous_index[static_cast<std::size_t>(i)];
      if (old >= 0) {
        const Eigen::Index column = b < Q ? old : previous_count + old;
        warm.u.col(b) = inner_state.u.col(column);
        warm.v.col(b) = inner_state.v.col(column);
        warm.lambda.col(b) = inner_state.lambda.col(column);
        warm.s.col(b) = inner_state.s.col(column);
        warm.nu.col(b) = inner_state.nu.col(column);
      } else {
        const Eigen::Index column = full_column(patterns, b);
        warm.u.col(b) = state.u.col(column);
        warm.v.col(b) = state.v.col(column);
        warm.lambda.col(b) = state.lambda.col(column);
        warm.s.col(b) = state.s.col(column);
        warm.nu.col(b) = state.nu.col(column);
      }
    }
    warm.prediction = round > 0 ? inner_state.prediction : state.prediction;
    warm.prediction_dual = round > 0 ? inner_state.prediction_dual : state.prediction_dual;
    warm.rho = round > 0 ? inner_state.rho : state.rho;

    AdmmOptions inner_options = options_;
    inner_options.polish = false;
    inner_options.rho = warm.rho;
    inner_options.max_iterations = 5000;
    inner_options.relative_gap_tolerance = 0.05 * options_.relative_gap_tolerance;
    inner_options.certificate_interval = 100;
    inner_options.report_every = 1 << 30;
    inner_options.penalty_update_interval = std::min(options_.penalty_update_interval, 25);
    inner_options.max_seconds = 0.0;
    inner_options.linear_solver = LinearSolverKind::kAutomatic;
    SolveContext inner_context;
    inner_context.stop_token = context_.stop_token;
    const SolverSummary inner_summary = solve_admm(restricted, inner_options, &inner, inner_context);
    if (inner_summary.status == SolverStatus::kNumericalFailure ||
        inner_summary.status == SolverStatus::kCancelled) {
      return;
    }

    const Eigen::MatrixXd refined = refine_by_newton(restricted, inner.blocks);
    Eigen::MatrixXd full = Eigen::MatrixXd::Zero(problem_.dim(), 2 * P);
    for (Eigen::Index b = 0; b < 2 * Q; ++b) full.col(full_column(patterns, b)) = refined.col(b);
    const double previous_upper = best_upper_;
    const double previous_lower = best_lower_;
    const Eigen::VectorXd hint = inner.state.rho * inner.state.prediction_dual;
    consider_point(full, split_prediction_ ? &hint : nullptr);
    if (best_upper_ < previous_upper || best_lower_ > previous_lower) ++polish_successes_;
    if (relative_gap(best_upper_, best_lower_) <= options_.relative_gap_tolerance) return;

    // Patterns whose dual constraint is violated at the polished point: add the worst ones.
    std::vector<std::pair<double, Eigen::Index>> violations;
    for (Eigen::Index b = 0; b < 2 * P; ++b) {
      const Eigen::Index i = b % P;
      if (!selected[static_cast<std::size_t>(i)] &&
          last_constraint_norms_[b] > problem_.beta * (1.0 + 1e-9)) {
        violations.emplace_back(last_constraint_norms_[b], i);
      }
    }
    if (violations.empty()) return;
    std::sort(violations.begin(), violations.end(), std::greater<>());
    const std::size_t add = std::min<std::size_t>(violations.size(), 16);
    for (std::size_t t = 0; t < add; ++t) selected[static_cast<std::size_t>(violations[t].second)] = true;
    inner_state = std::move(inner.state);
    previous_patterns = patterns;
  }
}

IterationReport AdmmRun::make_report(std::int64_t iteration, double primal, double dual) {
  const AdmmState& state = solution_.state;
  IterationReport report;
  report.iteration = iteration;
  const PointValue value = evaluate_point(problem_, state.v);
  report.network_objective = value.network_objective;
  report.convex_objective = problem_.objective(state.v);
  report.best_network_objective = std::min(best_upper_, value.network_objective);
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
    const Eigen::MatrixXd activations = (context_.test_set->X * state.v).cwiseMax(0.0);
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
  if (!system_->factorize(split_prediction_ ? 1.0 : 1.0 / state.rho)) {
    summary.status = SolverStatus::kNumericalFailure;
    summary.message = "the u-update system could not be factorized";
    return summary;
  }
  if (!split_prediction_) adjoint_targets_ = problem_.predict_adjoint(problem_.y);
  solution_.blocks = Eigen::MatrixXd::Zero(problem_.dim(), problem_.num_blocks());
  summary.setup_seconds = seconds_since(start_);

  const Eigen::Index P = problem_.num_patterns();
  const Eigen::MatrixXd& signs = problem_.pattern_signs();
  const Eigen::MatrixXd& masks = problem_.patterns.masks;
  double primal = std::numeric_limits<double>::infinity();
  double dual = std::numeric_limits<double>::infinity();
  summary.status = SolverStatus::kIterationLimit;
  std::int64_t iteration = 0;
  bool stop = false;
  // Consider the starting point (zero or warm) so a bound exists from the first report on.
  update_certificate(0);
  next_certificate_ = options_.certificate_interval;
  next_polish_ = options_.polish_interval;
  iterations_start_ = Clock::now();

  while (!stop && iteration < options_.max_iterations) {
    if (context_.stop_token.stop_requested()) {
      summary.status = SolverStatus::kCancelled;
      summary.message = "cancelled";
      break;
    }
    ++iteration;
    // u-update.
    Eigen::MatrixXd rhs = state.v - state.lambda + problem_.cone_adjoint(state.s - state.nu);
    if (split_prediction_) {
      rhs += problem_.predict_adjoint(state.prediction - state.prediction_dual);
    } else {
      rhs += adjoint_targets_ / state.rho;
    }
    state.u = system_->solve(rhs);
    Eigen::MatrixXd cone = problem_.X * state.u;  // becomes G u after the sign flip
    const Eigen::VectorXd fitted =
        ((cone.leftCols(P) - cone.rightCols(P)).array() * masks.array()).rowwise().sum();
    cone.leftCols(P).array() *= signs.array();
    cone.rightCols(P).array() *= signs.array();

    // (v, s, prediction)-update and dual ascent, over-relaxed (Boyd et al. 3.4.3): the relaxed
    // point alpha * new + (1 - alpha) * previous replaces u, G u and F u.
    const double alpha = options_.relaxation;
    previous_v_ = state.v;
    previous_s_ = state.s;
    const Eigen::VectorXd previous_prediction = state.prediction;
    relaxed_u_ = alpha * state.u + (1.0 - alpha) * state.v;
    relaxed_cone_ = alpha * cone + (1.0 - alpha) * state.s;
    state.v = group_soft_threshold(relaxed_u_ + state.lambda, problem_.beta / state.rho);
    state.s = (relaxed_cone_ + state.nu).cwiseMax(0.0);
    Eigen::VectorXd prediction_residual = Eigen::VectorXd::Zero(problem_.num_samples());
    if (split_prediction_) {
      const Eigen::VectorXd relaxed_fit = alpha * fitted + (1.0 - alpha) * state.prediction;
      state.prediction = loss_prox(problem_.loss, relaxed_fit + state.prediction_dual, problem_.y, state.rho);
      state.prediction_dual += relaxed_fit - state.prediction;
      prediction_residual = fitted - state.prediction;
    }
    state.lambda += relaxed_u_ - state.v;
    state.nu += relaxed_cone_ - state.s;
    if (!all_finite(state.u) || !all_finite(state.v) || !all_finite(state.nu)) {
      summary.status = SolverStatus::kNumericalFailure;
      summary.message = "non-finite values in the ADMM iterate (try a larger rho)";
      break;
    }

    const bool report_now =
        context_.observer && (iteration % options_.report_every == 0);
    const bool adapt_now = options_.penalty_mode == PenaltyMode::kAdaptive &&
                           iteration % options_.penalty_update_interval == 0;
    const bool certify_now = iteration >= next_certificate_;
    if (report_now || adapt_now || certify_now || iteration == options_.max_iterations) {
      primal = std::sqrt((state.u - state.v).squaredNorm() + (cone - state.s).squaredNorm() +
                         prediction_residual.squaredNorm());
      Eigen::MatrixXd dual_direction =
          (state.v - previous_v_) + problem_.cone_adjoint(state.s - previous_s_);
      if (split_prediction_) dual_direction += problem_.predict_adjoint(state.prediction - previous_prediction);
      dual = state.rho * dual_direction.norm();
    }
    if (certify_now) {
      // Certificates and polishing cost more than an iteration; keep them to a fraction of the
      // run by spacing them according to their measured cost.
      const auto certificate_start = Clock::now();
      const double iteration_seconds =
          std::chrono::duration<double>(certificate_start - iterations_start_).count() /
          static_cast<double>(std::max<std::int64_t>(1, iteration - iterations_at_start_));
      update_certificate(iteration);
      const double certificate_seconds = seconds_since(certificate_start);
      if (options_.polish && iteration >= next_polish_ &&
          relative_gap(best_upper_, best_lower_) > options_.relative_gap_tolerance) {
        const auto polish_start = Clock::now();
        polish();
        const double polish_seconds = seconds_since(polish_start);
        next_polish_ = iteration + std::max<std::int64_t>(
                                       options_.polish_interval,
                                       static_cast<std::int64_t>(2.0 * polish_seconds /
                                                                 std::max(iteration_seconds, 1e-9)));
      }
      next_certificate_ = iteration + std::max<std::int64_t>(
                                          options_.certificate_interval,
                                          static_cast<std::int64_t>(3.0 * certificate_seconds /
                                                                    std::max(iteration_seconds, 1e-9)));
      iterations_start_ = Clock::now();
      iterations_at_start_ = iteration;
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
      double new_rho = state.rho;
      if (primal > options_.penalty_balance * dual) new_rho *= options_.penalty_scale;
      if (dual > options_.penalty_balance * primal) new_rho /= options_.penalty_scale;
      new_rho = std::clamp(new_rho, options_.min_rho, options_.max_rho);
      if (new_rho != state.rho && !change_rho(new_rho)) {
        summary.status = SolverStatus::kNumericalFailure;
        summary.message = "refactorization failed after a change of rho";
        break;
      }
    }
  }
  if (summary.status == SolverStatus::kIterationLimit) update_certificate(iteration);

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
    summary.message = summary.status == SolverStatus::kConverged
                          ? "relative gap below tolerance"
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
