#include "convexnn/gated_relu.h"
#include "convexnn/solver_summary.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <sstream>

#include "convexnn/cone_decomposition.h"
#include "convexnn/dual_certificate.h"
#include "convexnn/errors.h"
#include "convexnn/gated_admm.h"
#include "convexnn/network_recovery.h"
#include "convexnn/two_layer_network.h"

namespace convexnn {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// l(F u, y) as outer(image) with image = the gated prediction F u.
class GatedLoss : public CompositeSmoothFunction {
 public:
  explicit GatedLoss(const ConvexProblem& problem) : problem_(problem) {}
  Eigen::VectorXd image(const Eigen::MatrixXd& blocks) const override {
    return gated_prediction(problem_, blocks);
  }
  double outer_value(const Eigen::VectorXd& prediction) const override {
    return loss_value(problem_.loss, prediction, problem_.y);
  }
  Eigen::VectorXd outer_gradient(const Eigen::VectorXd& prediction) const override {
    return loss_gradient(problem_.loss, prediction, problem_.y);
  }
  Eigen::MatrixXd adjoint(const Eigen::VectorXd& r) const override {
    return gated_prediction_adjoint(problem_, r);
  }

 private:
  const ConvexProblem& problem_;
};

}  // namespace

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
  const Eigen::Index d = problem.dim();
  const Eigen::Index P = problem.num_patterns();
  const GatedLoss smooth(problem);
  double best_upper = std::numeric_limits<double>::infinity();
  double best_lower = -std::numeric_limits<double>::infinity();
  solution->blocks = Eigen::MatrixXd::Zero(d, P);

  // The upper bound is the iterate's objective. The dual candidate is the loss gradient at some
  // prediction (any gives a bound): R-FISTA's last one, at its extrapolation, whose F^T it has
  // already computed (`gradient_adjoint`), so a certificate costs no product.
  auto certify = [&](const Eigen::MatrixXd& blocks, double loss,
                     const Eigen::VectorXd& loss_gradient_at_probe,
                     const Eigen::MatrixXd* gradient_adjoint) {
    const double upper = loss + problem.beta * blocks.colwise().norm().sum();
    if (upper < best_upper) {
      best_upper = upper;
      solution->blocks = blocks;
    }
    const Eigen::VectorXd lambda = clip_to_conjugate_domain(problem, loss_gradient_at_probe);
    // Clipping moves lambda only by rounding for squared and logistic loss; if it moved, F^T
    // lambda is recomputed.
    const bool adjoint_known = gradient_adjoint && lambda == loss_gradient_at_probe;
    const GatedDualBound bound = adjoint_known
                                     ? gated_dual_lower_bound(problem, lambda, *gradient_adjoint)
                                     : gated_dual_lower_bound(problem, lambda);
    best_lower = std::max(best_lower, bound.lower_bound);
  };
  auto certify_at = [&](const Eigen::MatrixXd& blocks, const Eigen::VectorXd& prediction) {
    certify(blocks, loss_value(problem.loss, prediction, problem.y),
            loss_gradient(problem.loss, prediction, problem.y), nullptr);
  };
  auto converged = [&] {
    return relative_gap(best_upper, best_lower) <= options.relative_gap_tolerance;
  };
  auto make_report = [&](std::int64_t iteration, const Eigen::MatrixXd& blocks,
                         const Eigen::VectorXd& prediction, double subgradient_squared,
                         double step) {
    IterationReport report;
    report.iteration = iteration;
    report.convex_objective = loss_value(problem.loss, prediction, problem.y) +
                              problem.beta * blocks.colwise().norm().sum();
    report.network_objective = report.convex_objective;  // the gated network's objective
    report.best_network_objective = std::min(best_upper, report.convex_objective);
    report.lower_bound = best_lower;
    report.relative_gap = relative_gap(report.best_network_objective, best_lower);
    report.primal_residual = 0.0;  // no constraints
    report.dual_residual = std::sqrt(subgradient_squared);
    report.rho = step;
    report.active_neurons = count_active_blocks(blocks);
    report.train_accuracy = classification_accuracy(prediction, problem.y);
    report.test_accuracy = std::numeric_limits<double>::quiet_NaN();
    if (context.test_set && context.test_set->X.rows() > 0) {
      report.test_accuracy = classification_accuracy(
          gated_network_prediction(problem, blocks, context.test_set->X), context.test_set->y);
    }
    report.elapsed_seconds = seconds_since(start);
    return report;
  };

  RFistaState& state = solution->state;
  if (!state.matches(d, P)) state = RFistaState{};
  {
    const Eigen::MatrixXd initial =
        state.matches(d, P) ? state.iterate : Eigen::MatrixXd::Zero(d, P);
    certify_at(initial, gated_prediction(problem, initial));
  }
  summary.setup_seconds = seconds_since(start);

  bool cancelled_by_observer = false;
  bool time_limit = false;
  bool certified = converged();
  std::int64_t last_reported = -1;
  const RFistaCallback callback = [&](const RFistaProgress& progress) {
    const bool certify_now = progress.iteration % options.certificate_interval == 0;
    const bool report_now = context.observer && progress.iteration % options.report_every == 0;
    if (!certify_now && !report_now) return true;
    // GatedLoss is composite, so R-FISTA hands over the iterate's prediction and its last
    // gradient: certificates and reports cost no product.
    const Eigen::VectorXd& prediction = *progress.image;
    if (certify_now) {
      certify(progress.iterate, progress.smooth_value, *progress.probe_outer_gradient,
              progress.probe_gradient);
      certified = converged();
    }
    if (report_now || (certified && context.observer)) {
      last_reported = progress.iteration;
      const IterationReport report = make_report(progress.iteration, progress.iterate, prediction,
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
    return true;
  };
  RFistaResult result;
  if (!certified) {
    result = minimize_group_lasso(smooth, problem.beta, d, P, options.rfista, &state,
                                  context.stop_token, callback);
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
