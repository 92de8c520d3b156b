#include "convexnn/robust_solver.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

#include "convexnn/admm_building_blocks.h"
#include "convexnn/dual_certificate.h"
#include "convexnn/local_robustness.h"
#include "convexnn/network_recovery.h"
#include "convexnn/robust_linear_system.h"
#include "convexnn/robust_prox.h"
#include "convexnn/solver_clock.h"
#include "convexnn/two_layer_network.h"

namespace convexnn {
namespace {

using Clock = SolverClock;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// A residual relative to its scale; the floor keeps an all-zero solution (beta >= beta_max)
// from dividing by zero.
double relative(double residual, double scale) { return residual / std::max(scale, 1e-9); }

// The five parts of A u (or of any vector in the range space of A).
struct Parts {
  Eigen::MatrixXd copy;         // d x 2P
  Eigen::MatrixXd cone;         // n x 2P
  Eigen::MatrixXd features;     // d' x 2P
  Eigen::VectorXd prediction;   // n
  Eigen::MatrixXd sensitivity;  // d' x n

  double squared_norm() const {
    return copy.squaredNorm() + cone.squaredNorm() + features.squaredNorm() +
           prediction.squaredNorm() + sensitivity.squaredNorm();
  }
};

class RobustAdmmRun {
 public:
  RobustAdmmRun(const RobustProblem& problem, const RobustSolverOptions& options,
                RobustSolution* solution, const SolveContext& context)
      : problem_(problem),
        base_(problem.base()),
        options_(options),
        solution_(*solution),
        context_(context) {}

  SolverSummary run();

 private:
  void initialize_state();
  void change_rho(double new_rho);
  Parts apply(const Eigen::MatrixXd& u) const;
  Eigen::MatrixXd apply_adjoint(const Parts& parts) const;
  Parts state_parts() const;
  Parts dual_parts() const;
  double dual_scale() const;
  void update_lower_bound();
  IterationReport make_report(std::int64_t iteration);

  const RobustProblem& problem_;
  const ConvexProblem& base_;
  const RobustSolverOptions& options_;
  RobustSolution& solution_;
  const SolveContext& context_;
  Clock::time_point start_ = Clock::now();
  Eigen::Index features_ = 0;
  Eigen::MatrixXd raw_inputs_;
  double lower_bound_ = -std::numeric_limits<double>::infinity();
  double primal_ = std::numeric_limits<double>::infinity();  // relative residuals
  double dual_ = std::numeric_limits<double>::infinity();
};

bool same_shape(const Eigen::MatrixXd& a, Eigen::Index rows, Eigen::Index cols) {
  return a.rows() == rows && a.cols() == cols;
}

}  // namespace

bool RobustAdmmState::matches(const RobustProblem& problem) const {
  const ConvexProblem& base = problem.base();
  const Eigen::Index d = base.dim();
  const Eigen::Index n = base.num_samples();
  const Eigen::Index B = base.num_blocks();
  const Eigen::Index f = problem.num_features();
  return same_shape(u, d, B) && same_shape(copy, d, B) && same_shape(copy_dual, d, B) &&
         same_shape(cone, n, B) && same_shape(cone_dual, n, B) && same_shape(features, f, B) &&
         same_shape(features_dual, f, B) && prediction.size() == n && prediction_dual.size() == n &&
         same_shape(sensitivity, f, n) && same_shape(sensitivity_dual, f, n) && rho > 0;
}

Eigen::MatrixXd raw_inputs(const ConvexProblem& problem) {
  const Eigen::Index features = problem.has_bias_column ? problem.dim() - 1 : problem.dim();
  Eigen::MatrixXd inputs = problem.X.leftCols(features);
  if (problem.standardization && problem.standardization->scale.size() == features) {
    inputs = ((inputs.array().rowwise() * problem.standardization->scale.array()).rowwise() +
              problem.standardization->mean.array())
                 .matrix();
  }
  return inputs;
}

double network_adversarial_objective(const RobustProblem& problem, const TwoLayerNetwork& network) {
  const ConvexProblem& base = problem.base();
  const Eigen::MatrixXd inputs = raw_inputs(base);
  const std::vector<LocalRobustness> checks =
      check_local_robustness(network, inputs, base.y, problem.epsilon());
  double total = base.beta * network.weight_decay();
  for (std::size_t k = 0; k < checks.size(); ++k) {
    total += worst_case_loss_bound(base.loss, checks[k], base.y[static_cast<Eigen::Index>(k)]);
  }
  return total;
}

namespace {

void RobustAdmmRun::initialize_state() {
  RobustAdmmState& state = solution_.state;
  if (!state.matches(problem_)) {
    const Eigen::Index d = base_.dim();
    const Eigen::Index n = base_.num_samples();
    const Eigen::Index B = base_.num_blocks();
    state.u = Eigen::MatrixXd::Zero(d, B);
    state.copy = state.copy_dual = Eigen::MatrixXd::Zero(d, B);
    state.cone = state.cone_dual = Eigen::MatrixXd::Zero(n, B);
    state.features = state.features_dual = Eigen::MatrixXd::Zero(features_, B);
    state.prediction = state.prediction_dual = Eigen::VectorXd::Zero(n);
    state.sensitivity = state.sensitivity_dual = Eigen::MatrixXd::Zero(features_, n);
    state.rho = options_.rho;
    return;
  }
  change_rho(options_.rho);  // keeps the unscaled multipliers rho * w
}

void RobustAdmmRun::change_rho(double new_rho) {
  RobustAdmmState& state = solution_.state;
  const double ratio = state.rho / new_rho;
  state.copy_dual *= ratio;
  state.cone_dual *= ratio;
  state.features_dual *= ratio;
  state.prediction_dual *= ratio;
  state.sensitivity_dual *= ratio;
  state.rho = new_rho;
}

Parts RobustAdmmRun::apply(const Eigen::MatrixXd& u) const {
  const Eigen::Index P = base_.num_patterns();
  const Eigen::MatrixXd& masks = base_.patterns.masks;
  Parts parts;
  parts.copy = u;
  Eigen::MatrixXd products = base_.X * u;
  parts.prediction =
      ((products.leftCols(P) - products.rightCols(P)).array() * masks.array()).rowwise().sum();
  const Eigen::MatrixXd& signs = base_.pattern_signs();
  products.leftCols(P).array() *= signs.array();
  products.rightCols(P).array() *= signs.array();
  parts.cone = std::move(products);
  parts.features = u.topRows(features_);
  parts.sensitivity =
      (u.topLeftCorner(features_, P) - u.topRightCorner(features_, P)) * masks.transpose();
  return parts;
}

Eigen::MatrixXd RobustAdmmRun::apply_adjoint(const Parts& parts) const {
  const Eigen::Index P = base_.num_patterns();
  Eigen::MatrixXd result =
      parts.copy + base_.cone_adjoint(parts.cone) + base_.predict_adjoint(parts.prediction);
  result.topRows(features_) += parts.features;
  const Eigen::MatrixXd sensitivity = parts.sensitivity * base_.patterns.masks;  // d' x P
  result.topLeftCorner(features_, P) += sensitivity;
  result.topRightCorner(features_, P) -= sensitivity;
  return result;
}

Parts RobustAdmmRun::state_parts() const {
  const RobustAdmmState& s = solution_.state;
  return Parts{s.copy, s.cone, s.features, s.prediction, s.sensitivity};
}

Parts RobustAdmmRun::dual_parts() const {
  const RobustAdmmState& s = solution_.state;
  return Parts{s.copy_dual, s.cone_dual, s.features_dual, s.prediction_dual, s.sensitivity_dual};
}

// |A_i^T y_i| summed in squares over the five parts (y = rho w): at an optimum the parts cancel
// (A^T y = 0) but each stays of the size of the multipliers.
double RobustAdmmRun::dual_scale() const {
  const Parts duals = dual_parts();
  double total = duals.copy.squaredNorm() + duals.features.squaredNorm();
  total += base_.cone_adjoint(duals.cone).squaredNorm();
  total += base_.predict_adjoint(duals.prediction).squaredNorm();
  const Eigen::MatrixXd sensitivity = duals.sensitivity * base_.patterns.masks;
  total += 2.0 * sensitivity.squaredNorm();  // it enters the v- and the w-blocks
  return solution_.state.rho * std::sqrt(total);
}

// The weak bound of science.md 11.4: a certificate of the standard program (eps = 0) at the
// current prediction; valid because (RC) >= (C) pointwise on a smaller feasible set.
void RobustAdmmRun::update_lower_bound() {
  const Eigen::VectorXd prediction = base_.predict(solution_.state.copy);
  const Eigen::VectorXd lambda = dual_candidate(base_, prediction, nullptr);
  const DualBound bound = dual_lower_bound(base_, lambda, nullptr);
  if (std::isfinite(bound.lower_bound)) lower_bound_ = std::max(lower_bound_, bound.lower_bound);
}

IterationReport RobustAdmmRun::make_report(std::int64_t iteration) {
  const RobustAdmmState& state = solution_.state;
  IterationReport report;
  report.iteration = iteration;
  report.convex_objective = problem_.objective(state.copy);
  const TwoLayerNetwork network = recover_network(base_, state.copy);
  const std::vector<LocalRobustness> checks =
      check_local_robustness(network, raw_inputs_, base_.y, problem_.epsilon());
  double adversarial = base_.beta * network.weight_decay();
  Eigen::Index certified = 0;
  for (std::size_t k = 0; k < checks.size(); ++k) {
    adversarial +=
        worst_case_loss_bound(base_.loss, checks[k], base_.y[static_cast<Eigen::Index>(k)]);
    if (checks[k].certified) ++certified;
  }
  report.network_objective = adversarial;
  report.best_network_objective = adversarial;  // ADMM is not monotone; the last iterate counts
  report.lower_bound = std::isfinite(lower_bound_) ? lower_bound_ : kNaN;
  report.relative_gap = std::isfinite(lower_bound_)
                            ? (adversarial - lower_bound_) / std::max(1.0, std::abs(adversarial))
                            : kNaN;
  report.primal_residual = primal_;
  report.dual_residual = dual_;
  report.rho = state.rho;
  report.active_neurons = network.width();
  const Eigen::Index n = base_.num_samples();
  report.train_accuracy =
      classification_accuracy(recovered_network_prediction(base_, state.copy), base_.y);
  report.robust_train_accuracy =
      n > 0 ? static_cast<double>(certified) / static_cast<double>(n) : kNaN;
  report.test_accuracy = kNaN;
  if (context_.test_set && context_.test_set->X.rows() > 0) {
    const Eigen::Index P = base_.num_patterns();
    const Eigen::MatrixXd activations = (context_.test_set->X * state.copy).cwiseMax(0.0);
    const Eigen::VectorXd prediction =
        activations.leftCols(P).rowwise().sum() - activations.rightCols(P).rowwise().sum();
    report.test_accuracy = classification_accuracy(prediction, context_.test_set->y);
  }
  report.elapsed_seconds = seconds_since(start_);
  return report;
}

SolverSummary RobustAdmmRun::run() {
  SolverSummary summary;
  summary.robust = true;
  summary.epsilon = problem_.epsilon();
  summary.num_patterns = base_.num_patterns();
  summary.pattern_mode = base_.patterns.mode;
  summary.primal_residual = primal_;
  summary.dual_residual = dual_;
  if (const std::string error = options_.validate(); !error.empty()) {
    summary.status = SolverStatus::kInvalidOptions;
    summary.message = error;
    return summary;
  }
  if (base_.num_patterns() == 0 || base_.num_samples() == 0) {
    summary.status = SolverStatus::kInvalidOptions;
    summary.message = "the problem has no samples or no activation patterns";
    return summary;
  }
  features_ = problem_.num_features();
  raw_inputs_ = raw_inputs(base_);
  initialize_state();
  RobustLinearSystem system(base_, features_, options_.linear_solver);
  summary.linear_solver = system.kind();
  if (!system.factorize()) {
    summary.status = SolverStatus::kNumericalFailure;
    summary.message = "the u-update system could not be factorized";
    return summary;
  }
  update_lower_bound();
  summary.setup_seconds = seconds_since(start_);

  RobustAdmmState& state = solution_.state;
  const Eigen::VectorXd& radii = problem_.radii();
  const Eigen::Index n = base_.num_samples();
  const Eigen::Index B = base_.num_blocks();
  const double alpha = options_.relaxation;
  summary.status = SolverStatus::kIterationLimit;
  std::int64_t iteration = 0;
  std::int64_t last_report = -1;
  bool stop = false;
  while (!stop && iteration < options_.max_iterations) {
    if (context_.stop_token.stop_requested()) {
      summary.status = SolverStatus::kCancelled;
      summary.message = "cancelled";
      break;
    }
    ++iteration;
    const bool check_now =
        iteration % options_.check_interval == 0 || iteration == options_.max_iterations;
    const bool adapt_now = options_.penalty_mode == PenaltyMode::kAdaptive &&
                           iteration % options_.penalty_update_interval == 0;
    const bool report_now = context_.observer && iteration % options_.report_every == 0;
    const bool residuals_now = check_now || adapt_now || report_now;

    // u-update: least squares on the range of A.
    Parts target = state_parts();
    const Parts duals = dual_parts();
    target.copy -= duals.copy;
    target.cone -= duals.cone;
    target.features -= duals.features;
    target.prediction -= duals.prediction;
    target.sensitivity -= duals.sensitivity;
    state.u = system.solve(apply_adjoint(target));
    const Parts mapped = apply(state.u);
    Parts previous;
    if (residuals_now) previous = state_parts();

    // z-update (over-relaxed) and dual ascent, part by part.
    const double rho = state.rho;
    auto relaxed = [&](const auto& new_value, const auto& old_value) {
      return (alpha * new_value + (1.0 - alpha) * old_value).eval();
    };
    const Eigen::MatrixXd relaxed_copy = relaxed(mapped.copy, state.copy);
    const Eigen::MatrixXd relaxed_cone = relaxed(mapped.cone, state.cone);
    const Eigen::MatrixXd relaxed_features = relaxed(mapped.features, state.features);
    const Eigen::VectorXd relaxed_prediction = relaxed(mapped.prediction, state.prediction);
    const Eigen::MatrixXd relaxed_sensitivity = relaxed(mapped.sensitivity, state.sensitivity);

    state.copy = group_soft_threshold(relaxed_copy + state.copy_dual, base_.beta / rho);
    state.cone = relaxed_cone + state.cone_dual;
    state.features = relaxed_features + state.features_dual;
    for (Eigen::Index b = 0; b < B; ++b) {
      project_onto_robust_cone(state.cone.col(b), state.features.col(b), radii);
    }
    state.prediction = relaxed_prediction + state.prediction_dual;
    state.sensitivity = relaxed_sensitivity + state.sensitivity_dual;
    for (Eigen::Index k = 0; k < n; ++k) {
      robust_loss_prox(base_.loss, base_.y[k], rho, radii, state.prediction[k],
                       state.sensitivity.col(k));
    }
    state.copy_dual += relaxed_copy - state.copy;
    state.cone_dual += relaxed_cone - state.cone;
    state.features_dual += relaxed_features - state.features;
    state.prediction_dual += relaxed_prediction - state.prediction;
    state.sensitivity_dual += relaxed_sensitivity - state.sensitivity;
    if (!state.u.allFinite() || !state.copy.allFinite() || !state.cone_dual.allFinite() ||
        !state.prediction.allFinite()) {
      summary.status = SolverStatus::kNumericalFailure;
      summary.message = "non-finite values in the robust ADMM iterate (try a larger rho)";
      break;
    }

    if (residuals_now) {
      const Parts current = state_parts();
      const double primal_norm = std::sqrt(
          (mapped.copy - current.copy).squaredNorm() + (mapped.cone - current.cone).squaredNorm() +
          (mapped.features - current.features).squaredNorm() +
          (mapped.prediction - current.prediction).squaredNorm() +
          (mapped.sensitivity - current.sensitivity).squaredNorm());
      const double primal_scale =
          std::max(std::sqrt(mapped.squared_norm()), std::sqrt(current.squared_norm()));
      Parts change{current.copy - previous.copy, current.cone - previous.cone,
                   current.features - previous.features, current.prediction - previous.prediction,
                   current.sensitivity - previous.sensitivity};
      const double dual_norm = state.rho * apply_adjoint(change).norm();
      primal_ = relative(primal_norm, primal_scale);
      dual_ = relative(dual_norm, dual_scale());
    }
    if (check_now && primal_ <= options_.tolerance && dual_ <= options_.tolerance) {
      summary.status = SolverStatus::kConverged;
      summary.message = "relative KKT residuals below tolerance";
      stop = true;
    }
    if (report_now || (stop && context_.observer)) {
      if (stop) update_lower_bound();
      last_report = iteration;
      if (context_.observer->on_iteration(make_report(iteration), BlocksView(base_, state.copy)) ==
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
          balanced_penalty(state.rho, primal_, dual_, options_.penalty_balance,
                           options_.penalty_scale, options_.min_rho, options_.max_rho);
      if (new_rho != state.rho) change_rho(new_rho);
    }
  }
  update_lower_bound();
  if (context_.observer && last_report != iteration && iteration > 0 &&
      summary.status != SolverStatus::kCancelled) {
    context_.observer->on_iteration(make_report(iteration), BlocksView(base_, state.copy));
  }

  solution_.blocks = state.copy;
  const TwoLayerNetwork network = recover_network(base_, solution_.blocks);
  summary.iterations = iteration;
  summary.convex_objective = problem_.objective(solution_.blocks);
  summary.network_objective = network_adversarial_objective(problem_, network);
  summary.lower_bound = lower_bound_;
  summary.gap = summary.network_objective - lower_bound_;
  summary.relative_gap = summary.gap / std::max(1.0, std::abs(summary.network_objective));
  summary.primal_residual = primal_;
  summary.dual_residual = dual_;
  summary.final_rho = state.rho;
  summary.max_cone_violation = problem_.max_cone_violation(solution_.blocks);
  summary.active_neurons = count_active_blocks(solution_.blocks);
  summary.total_seconds = seconds_since(start_);
  summary.solve_seconds = summary.total_seconds - summary.setup_seconds;
  if (summary.message.empty()) summary.message = "iteration limit reached";
  return summary;
}

}  // namespace

SolverSummary solve_robust(const RobustProblem& problem, const RobustSolverOptions& options,
                           RobustSolution* solution, const SolveContext& context) {
  RobustAdmmRun run(problem, options, solution, context);
  return run.run();
}

}  // namespace convexnn
