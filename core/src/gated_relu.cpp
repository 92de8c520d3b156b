#include "convexnn/gated_relu.h"
#include "convexnn/solver_summary.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <optional>
#include <sstream>

#include "convexnn/cone_decomposition.h"
#include "convexnn/dual_certificate.h"
#include "convexnn/errors.h"
#include "convexnn/gated_admm.h"
#include "convexnn/network_recovery.h"
#include "convexnn/pattern_products.h"
#include "convexnn/solver_clock.h"
#include "convexnn/two_layer_network.h"

namespace convexnn {
namespace {

using Clock = SolverClock;

// Single precision hands over to double products below this certified relative gap, or when
// the gap has not shrunk below kStallFactor times its value over kStallCertificates certificates
// in a row (300 iterations at the default interval; the gap moves in steps as the dual bound
// improves, ~130 iterations apart on teacher10), or when the line search collapses.
constexpr double kSinglePrecisionGap = 1e-5;
constexpr double kStallFactor = 0.99;
constexpr int kStallCertificates = 30;

// l(F u, y) as outer(image) with image = the gated prediction F u, with double products, or
// float ones when `single` is given.
class GatedLoss : public CompositeSmoothFunction {
 public:
  explicit GatedLoss(const ConvexProblem& problem, const SinglePrecisionProducts* single = nullptr)
      : problem_(problem), single_(single) {}
  Eigen::VectorXd image(const Eigen::MatrixXd& blocks) const override {
    if (single_) {
      return pattern_predict_differences(single_->X, single_->masks, single_->diagonal, blocks);
    }
    return gated_prediction(problem_, blocks);
  }
  double outer_value(const Eigen::VectorXd& prediction) const override {
    return loss_value(problem_.loss, prediction, problem_.y);
  }
  Eigen::VectorXd outer_gradient(const Eigen::VectorXd& prediction) const override {
    return loss_gradient(problem_.loss, prediction, problem_.y);
  }
  Eigen::MatrixXd adjoint(const Eigen::VectorXd& r) const override {
    if (single_) return pattern_adjoint_half(single_->X, single_->diagonals, r);
    return gated_prediction_adjoint(problem_, r);
  }
  bool inexact_products() const override { return single_ != nullptr; }

 private:
  const ConvexProblem& problem_;
  const SinglePrecisionProducts* single_;
};

}  // namespace

SinglePrecisionProducts::SinglePrecisionProducts(const ConvexProblem& problem)
    : X(problem.X.cast<float>()),
      diagonals(problem.activation_diagonals().cast<float>()),
      masks(compact_masks(problem.patterns.masks)),
      diagonal(activation_diagonal_for(problem.activation)) {}

TwoLayerNetwork GatedBlocksView::network() const {
  return recover_network(problem_, decompose_gated_solution(problem_, gated_blocks_).blocks);
}

const char* to_string(GatedMethod method) {
  switch (method) {
    case GatedMethod::kAuto:
      return "auto";
    case GatedMethod::kRFista:
      return "rfista";
    case GatedMethod::kNystromAdmm:
      return "admm";
  }
  return "unknown";
}

GatedMethod parse_gated_method(const std::string& name) {
  if (name == "auto") return GatedMethod::kAuto;
  if (name == "rfista") return GatedMethod::kRFista;
  if (name == "admm") return GatedMethod::kNystromAdmm;
  throw InputError("unknown gated method '" + name + "' (expected auto, rfista or admm)");
}

IterationReport gated_iteration_report(const ConvexProblem& problem, std::int64_t iteration,
                                       const Eigen::MatrixXd& blocks,
                                       const Eigen::VectorXd& prediction, double best_upper,
                                       double best_lower, const SolveContext& context) {
  IterationReport report;
  report.iteration = iteration;
  report.convex_objective = loss_value(problem.loss, prediction, problem.y) +
                            problem.beta * blocks.colwise().norm().sum();
  report.network_objective = report.convex_objective;  // the gated network's objective
  report.best_network_objective = std::min(best_upper, report.convex_objective);
  report.lower_bound = best_lower;
  report.relative_gap = relative_gap(report.best_network_objective, best_lower);
  report.active_neurons = count_active_blocks(blocks);
  report.train_accuracy = classification_accuracy(prediction, problem.y);
  report.test_accuracy = std::numeric_limits<double>::quiet_NaN();
  if (context.test_set && context.test_set->X.rows() > 0) {
    report.test_accuracy = classification_accuracy(
        gated_network_prediction(problem, blocks, context.test_set->X), context.test_set->y);
  }
  return report;
}

GatedMethod resolved_gated_method(const ConvexProblem& problem, const GatedReluOptions& options) {
  if (options.method != GatedMethod::kAuto) return options.method;
  return problem.loss == LossKind::kSquared && problem.dim() >= kNystromAdmmMinDimension
             ? GatedMethod::kNystromAdmm
             : GatedMethod::kRFista;
}

std::string GatedAdmmOptions::validate() const {
  std::ostringstream error;
  if (sketch_rank < 1) {
    error << "admm.sketch_rank must be at least 1 (got " << sketch_rank << ")";
  } else if (!(rho >= 0) || !std::isfinite(rho)) {
    error << "admm.rho must be a non-negative number (got " << rho << ")";
  } else if (!(relaxation >= 1 && relaxation < 2)) {
    error << "admm.relaxation must lie in [1, 2) (got " << relaxation << ")";
  } else if (!(penalty_balance > 1) || !std::isfinite(penalty_balance)) {
    error << "admm.penalty_balance must be a number > 1 (got " << penalty_balance << ")";
  } else if (penalty_update_interval < 1) {
    error << "admm.penalty_update_interval must be at least 1 (got " << penalty_update_interval
          << ")";
  } else if (!(cg_tolerance > 0) || !std::isfinite(cg_tolerance)) {
    error << "admm.cg_tolerance must be a positive number (got " << cg_tolerance << ")";
  } else if (!(min_cg_tolerance > 0) || !(min_cg_tolerance <= cg_tolerance)) {
    error << "admm.min_cg_tolerance must be positive and at most cg_tolerance (got "
          << min_cg_tolerance << ")";
  } else if (max_cg_iterations < 1) {
    error << "admm.max_cg_iterations must be at least 1 (got " << max_cg_iterations << ")";
  }
  return error.str();
}

Eigen::VectorXd gated_prediction(const ConvexProblem& problem,
                                 const Eigen::MatrixXd& gated_blocks) {
  return problem.predict_differences(gated_blocks);
}

Eigen::MatrixXd gated_prediction_adjoint(const ConvexProblem& problem, const Eigen::VectorXd& r) {
  return problem.pattern_adjoint(r);
}

double gated_objective(const ConvexProblem& problem, const Eigen::MatrixXd& gated_blocks) {
  return loss_value(problem.loss, gated_prediction(problem, gated_blocks), problem.y) +
         problem.beta * gated_blocks.colwise().norm().sum();
}

Eigen::VectorXd gated_network_prediction(const ConvexProblem& problem,
                                         const Eigen::MatrixXd& gated_blocks,
                                         const Eigen::MatrixXd& Z) {
  const Eigen::MatrixXd gates = ((Z * problem.patterns.generators).array() >= 0).cast<double>();
  return ((Z * gated_blocks).array() * gates.array()).rowwise().sum();
}

GatedDualBound gated_dual_lower_bound(const ConvexProblem& problem, const Eigen::VectorXd& lambda) {
  return gated_dual_lower_bound(problem, lambda, gated_prediction_adjoint(problem, lambda));
}

GatedDualBound gated_dual_lower_bound(const ConvexProblem& problem, const Eigen::VectorXd& lambda,
                                      const Eigen::MatrixXd& adjoint) {
  GatedDualBound bound;
  bound.max_constraint_norm = adjoint.cols() > 0 ? adjoint.colwise().norm().maxCoeff() : 0.0;
  const ScaledDualValue scaled = best_scaled_dual_value(problem, lambda, bound.max_constraint_norm);
  bound.lower_bound = scaled.lower_bound;
  bound.theta = scaled.theta;
  return bound;
}

std::string GatedReluOptions::validate() const {
  std::ostringstream error;
  if (const std::string rfista_error = rfista.validate(); !rfista_error.empty()) {
    error << "rfista." << rfista_error;
  } else if (const std::string admm_error = admm.validate(); !admm_error.empty()) {
    error << admm_error;
  } else if (!(relative_gap_tolerance >= 0) || !std::isfinite(relative_gap_tolerance)) {
    error << "relative_gap_tolerance must be a non-negative number (got " << relative_gap_tolerance
          << ")";
  } else if (certificate_interval < 1) {
    error << "certificate_interval must be at least 1 (got " << certificate_interval << ")";
  } else if (single_precision_certificate_interval < 1) {
    error << "single_precision_certificate_interval must be at least 1 (got "
          << single_precision_certificate_interval << ")";
  } else if (report_every < 1) {
    error << "report_every must be at least 1 (got " << report_every << ")";
  } else if (!(max_seconds >= 0) || std::isnan(max_seconds)) {
    error << "max_seconds must be non-negative (got " << max_seconds << ")";
  }
  return error.str();
}

std::string smooth_loss_error(LossKind loss, const char* solver_name) {
  if (loss == LossKind::kSquared || loss == LossKind::kLogistic) return {};
  return std::string("loss '") + to_string(loss) + "' is not supported by the " + solver_name +
         " solver: R-FISTA needs a smooth loss (squared or logistic)";
}

SolverSummary solve_gated_relu(const ConvexProblem& problem, const GatedReluOptions& options,
                               GatedReluSolution* solution, const SolveContext& context) {
  const Clock::time_point start = Clock::now();
  SolverSummary summary;
  summary.solver = SolverKind::kGated;
  summary.algorithm = "R-FISTA";
  summary.num_patterns = problem.num_patterns();
  summary.pattern_mode = problem.patterns.mode;
  if (const std::string error = options.validate(); !error.empty()) {
    summary.status = SolverStatus::kInvalidOptions;
    summary.message = error;
    return summary;
  }
  if (const std::string error = smooth_loss_error(problem.loss, "gated ReLU"); !error.empty()) {
    summary.status = SolverStatus::kInvalidOptions;
    summary.message = error;
    return summary;
  }
  if (problem.num_patterns() == 0 || problem.num_samples() == 0) {
    summary.status = SolverStatus::kInvalidOptions;
    summary.message = "the problem has no samples or no activation patterns";
    return summary;
  }
  if (resolved_gated_method(problem, options) == GatedMethod::kNystromAdmm) {
    return solve_gated_admm(problem, options, solution, context);
  }
  if (options.single_precision &&
      !(problem.X.cwiseAbs().maxCoeff() <= std::numeric_limits<float>::max())) {
    summary.status = SolverStatus::kInvalidOptions;
    summary.message = "single_precision needs X within the float range";
    return summary;
  }
  const Eigen::Index d = problem.dim();
  const Eigen::Index P = problem.num_patterns();
  const GatedLoss exact_loss(problem);
  std::optional<SinglePrecisionProducts> single;
  std::optional<GatedLoss> single_loss;
  if (options.single_precision) {
    single.emplace(problem);
    single_loss.emplace(problem, &*single);
  }
  double best_upper = std::numeric_limits<double>::infinity();
  double best_lower = -std::numeric_limits<double>::infinity();
  // A warm start resumes from R-FISTA's last iterate, but the previous run's best point and best
  // dual candidate may certify a little better; both are certified again below, so a converged
  // run stays converged.
  Eigen::MatrixXd previous_best;
  if (solution->blocks.rows() == d && solution->blocks.cols() == P &&
      solution->blocks.allFinite()) {
    previous_best.swap(solution->blocks);
  }
  Eigen::VectorXd previous_dual;
  if (solution->best_dual.size() == problem.num_samples() && solution->best_dual.allFinite()) {
    previous_dual.swap(solution->best_dual);
  }
  solution->best_dual.resize(0);
  solution->blocks = Eigen::MatrixXd::Zero(d, P);

  // The upper bound is the iterate's objective. The dual candidate is the loss gradient at some
  // prediction (any gives a bound): R-FISTA's last one, at its extrapolation, whose F^T it has
  // already computed (`gradient_adjoint`), so a certificate costs no product.
  auto certify_dual = [&](const Eigen::VectorXd& candidate, const Eigen::MatrixXd* adjoint) {
    const Eigen::VectorXd lambda = clip_to_conjugate_domain(problem, candidate);
    // Clipping moves lambda only by rounding for squared and logistic loss; if it moved, F^T
    // lambda is recomputed.
    const bool adjoint_known = adjoint && lambda == candidate;
    const GatedDualBound bound = adjoint_known ? gated_dual_lower_bound(problem, lambda, *adjoint)
                                               : gated_dual_lower_bound(problem, lambda);
    if (bound.lower_bound > best_lower) {
      best_lower = bound.lower_bound;
      solution->best_dual = lambda;
    }
  };
  auto certify = [&](const Eigen::MatrixXd& blocks, double loss,
                     const Eigen::VectorXd& loss_gradient_at_probe,
                     const Eigen::MatrixXd* gradient_adjoint) {
    const double upper = loss + problem.beta * blocks.colwise().norm().sum();
    if (upper < best_upper) {
      best_upper = upper;
      solution->blocks = blocks;
    }
    certify_dual(loss_gradient_at_probe, gradient_adjoint);
  };
  auto certify_at = [&](const Eigen::MatrixXd& blocks, const Eigen::VectorXd& prediction) {
    certify(blocks, loss_value(problem.loss, prediction, problem.y),
            loss_gradient(problem.loss, prediction, problem.y), nullptr);
  };
  auto converged = [&] {
    return relative_gap(best_upper, best_lower) <= options.relative_gap_tolerance;
  };
  // Whether R-FISTA runs on the float products now (single precision, until the switch).
  bool in_single = false;
  const auto certificate_interval = [&] {
    return in_single ? options.single_precision_certificate_interval : options.certificate_interval;
  };
  // Whether the float products have done what they can, checked at each certificate. Their
  // rounding (~1e-7 relative in F u and F^T r) limits how close R-FISTA gets: near the optimum
  // the line search and the gradient see rounding as large as the progress they measure, so the
  // step collapses to its minimum (checked every iteration in the callback) or the gap stops
  // shrinking. Double products take over from there (mixed precision), and a gap of 1e-6 stays
  // reachable.
  double stall_reference_gap = std::numeric_limits<double>::infinity();
  int certificates_without_progress = 0;
  const auto single_precision_exhausted = [&] {
    const double gap = relative_gap(best_upper, best_lower);
    if (gap <= kSinglePrecisionGap) return true;
    if (gap < kStallFactor * stall_reference_gap) {
      stall_reference_gap = gap;
      certificates_without_progress = 0;
    } else {
      ++certificates_without_progress;
    }
    return certificates_without_progress >= kStallCertificates;
  };
  auto make_report = [&](std::int64_t iteration, const Eigen::MatrixXd& blocks,
                         const Eigen::VectorXd& prediction, double subgradient_squared,
                         double step) {
    IterationReport report = gated_iteration_report(problem, iteration, blocks, prediction,
                                                    best_upper, best_lower, context);
    report.primal_residual = 0.0;  // no constraints
    report.dual_residual = std::sqrt(subgradient_squared);
    report.rho = step;
    report.elapsed_seconds = seconds_since(start);
    return report;
  };

  RFistaState& state = solution->state;
  if (!state.matches(d, P)) state = RFistaState{};
  {
    const Eigen::MatrixXd initial =
        state.matches(d, P) ? state.iterate : Eigen::MatrixXd::Zero(d, P);
    certify_at(initial, gated_prediction(problem, initial));
    if (previous_best.size() > 0 && state.matches(d, P)) {
      certify_at(previous_best, gated_prediction(problem, previous_best));
    }
    if (previous_dual.size() > 0) certify_dual(previous_dual, nullptr);
  }
  summary.setup_seconds = seconds_since(start);
  in_single = options.single_precision && !single_precision_exhausted();

  bool cancelled_by_observer = false;
  bool time_limit = false;
  bool certified = converged();
  bool switch_to_double = false;
  std::int64_t last_reported = -1;
  std::int64_t iteration_offset = 0;  // iterations run on float products before the switch
  double last_single_step = 0.0;      // the last step before a failed float line search
  const RFistaCallback callback = [&](const RFistaProgress& progress) {
    const std::int64_t iteration = iteration_offset + progress.iteration;
    if (in_single) {
      // The float line search failed: back at the minimum step after larger ones (the first
      // iterations start there when the initial step is far too long, in double as well).
      if (progress.step > options.rfista.min_step * options.rfista.growth_factor) {
        last_single_step = progress.step;
      } else if (last_single_step > 0) {
        switch_to_double = true;
      }
    }
    const bool certify_now = iteration % certificate_interval() == 0;
    const bool report_now = context.observer && iteration % options.report_every == 0;
    if (!certify_now && !report_now) return !switch_to_double;
    // GatedLoss is composite, so R-FISTA hands over the iterate's prediction and its last
    // gradient: in double precision certificates and reports cost no product. In single
    // precision both carry float rounding; for honest bounds the iterate's prediction is
    // recomputed in double, and the dual candidate is the loss gradient there, with F^T in double.
    Eigen::VectorXd exact_prediction;
    if (in_single) exact_prediction = gated_prediction(problem, progress.iterate);
    const Eigen::VectorXd& prediction = in_single ? exact_prediction : *progress.image;
    if (certify_now) {
      if (in_single) {
        certify_at(progress.iterate, prediction);
      } else {
        certify(progress.iterate, progress.smooth_value, *progress.probe_outer_gradient,
                progress.probe_gradient);
      }
      certified = converged();
      if (in_single && !certified && single_precision_exhausted()) switch_to_double = true;
    }
    if (report_now || (certified && context.observer)) {
      last_reported = iteration;
      const IterationReport report = make_report(iteration, progress.iterate, prediction,
                                                 progress.subgradient_norm_squared, progress.step);
      if (context.observer->on_iteration(report, GatedBlocksView(problem, progress.iterate)) ==
          ObserverAction::kStop) {
        cancelled_by_observer = true;
        return false;
      }
    }
    if (certified) return false;
    if (options.max_seconds > 0 && seconds_since(start) > options.max_seconds) {
      time_limit = true;
      return false;
    }
    return !switch_to_double;
  };
  RFistaResult result;
  if (!certified) {
    result = minimize_group_lasso(in_single ? *single_loss : exact_loss, problem.beta, d, P,
                                  options.rfista, &state, context.stop_token, callback);
    if (switch_to_double && result.stop == RFistaStop::kCallback && !certified && !time_limit &&
        !cancelled_by_observer) {
      // Mixed precision: R-FISTA goes on from its state (iterate, extrapolation, momentum, step)
      // on the double products, which recomputes the two predictions it carries.
      in_single = false;
      switch_to_double = false;
      iteration_offset = result.iterations;
      state.step = std::max(state.step, last_single_step);
      RFistaOptions rest = options.rfista;
      rest.max_iterations = std::max<std::int64_t>(0, rest.max_iterations - result.iterations);
      RFistaResult tail = minimize_group_lasso(exact_loss, problem.beta, d, P, rest, &state,
                                               context.stop_token, callback);
      tail.iterations += result.iterations;
      tail.restarts += result.restarts;
      tail.backtracks += result.backtracks;
      result = tail;
    }
  } else {
    result.stop = RFistaStop::kCallback;
    if (state.iterate.size() == 0) state.iterate = Eigen::MatrixXd::Zero(d, P);
  }
  // The final iterate is always certified (the interval may have skipped it).
  const Eigen::VectorXd final_prediction = gated_prediction(problem, state.iterate);
  certify_at(state.iterate, final_prediction);
  certified = converged();

  set_rfista_status(result, cancelled_by_observer, certified, time_limit, &summary);
  if (context.observer && !cancelled_by_observer && last_reported != result.iterations) {
    const IterationReport report = make_report(result.iterations, state.iterate, final_prediction,
                                               result.subgradient_norm_squared, state.step);
    if (context.observer->on_iteration(report, GatedBlocksView(problem, state.iterate)) ==
            ObserverAction::kStop &&
        summary.status != SolverStatus::kConverged) {
      summary.status = SolverStatus::kCancelled;
      summary.message = "stopped by the observer";
    }
  }

  summary.iterations = result.iterations;
  summary.network_objective = best_upper;
  summary.convex_objective = best_upper;
  summary.lower_bound = best_lower;
  summary.gap = best_upper - best_lower;
  summary.relative_gap = relative_gap(best_upper, best_lower);
  summary.primal_residual = 0.0;
  summary.dual_residual = std::sqrt(result.subgradient_norm_squared);
  summary.final_rho = state.step;
  summary.max_cone_violation = 0.0;
  summary.active_neurons = count_active_blocks(solution->blocks);
  summary.total_seconds = seconds_since(start);
  summary.solve_seconds = summary.total_seconds - summary.setup_seconds;
  return summary;
}

}  // namespace convexnn
