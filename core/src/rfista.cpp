#include "convexnn/rfista.h"

#include <cmath>
#include <limits>
#include <sstream>

#include "convexnn/admm_building_blocks.h"
#include "convexnn/errors.h"

namespace convexnn {
namespace {

bool positive_finite(double value) { return std::isfinite(value) && value > 0; }

// Relative size below which a difference of function values is rounding noise.
constexpr double kRoundoff = 1e-10;

}  // namespace

std::string RFistaOptions::validate() const {
  std::ostringstream error;
  if (!positive_finite(initial_step)) {
    error << "initial_step must be a positive number (got " << initial_step << ")";
  } else if (!(backtrack_factor > 0 && backtrack_factor < 1)) {
    error << "backtrack_factor must lie in (0, 1) (got " << backtrack_factor << ")";
  } else if (max_backtracks < 1) {
    error << "max_backtracks must be at least 1 (got " << max_backtracks << ")";
  } else if (!positive_finite(min_step)) {
    error << "min_step must be a positive number (got " << min_step << ")";
  } else if (!(growth_factor >= 1) || !std::isfinite(growth_factor)) {
    error << "growth_factor must be a number >= 1 (got " << growth_factor << ")";
  } else if (!(growth_threshold >= 1) || !std::isfinite(growth_threshold)) {
    error << "growth_threshold must be a number >= 1 (got " << growth_threshold << ")";
  } else if (!(subgradient_tolerance >= 0) || !std::isfinite(subgradient_tolerance)) {
    error << "subgradient_tolerance must be a non-negative number (got " << subgradient_tolerance
          << ")";
  } else if (subgradient_interval < 1) {
    error << "subgradient_interval must be at least 1 (got " << subgradient_interval << ")";
  } else if (max_iterations < 0) {
    error << "max_iterations must be non-negative (got " << max_iterations << ")";
  }
  return error.str();
}

bool RFistaState::matches(Eigen::Index rows, Eigen::Index cols) const {
  return iterate.rows() == rows && iterate.cols() == cols && iterate.allFinite();
}

void RFistaState::reset_momentum() {
  extrapolation = iterate;
  momentum = 1.0;
}

const char* to_string(RFistaStop stop) {
  switch (stop) {
    case RFistaStop::kConverged:
      return "converged";
    case RFistaStop::kIterationLimit:
      return "iteration limit";
    case RFistaStop::kCancelled:
      return "cancelled";
    case RFistaStop::kCallback:
      return "stopped by callback";
    case RFistaStop::kNumericalFailure:
      return "numerical failure";
  }
  return "unknown";
}

Eigen::MatrixXd min_norm_subgradient(const Eigen::MatrixXd& blocks, const Eigen::MatrixXd& gradient,
                                     double penalty) {
  Eigen::MatrixXd result(blocks.rows(), blocks.cols());
  for (Eigen::Index b = 0; b < blocks.cols(); ++b) {
    const double norm = blocks.col(b).norm();
    if (norm > 0) {
      result.col(b) = gradient.col(b) + (penalty / norm) * blocks.col(b);
    } else {
      const double gradient_norm = gradient.col(b).norm();
      const double factor = gradient_norm > penalty ? 1.0 - penalty / gradient_norm : 0.0;
      result.col(b) = factor * gradient.col(b);
    }
  }
  return result;
}

RFistaResult minimize_group_lasso(const SmoothFunction& smooth, double penalty, Eigen::Index rows,
                                  Eigen::Index cols, const RFistaOptions& options,
                                  RFistaState* state, std::stop_token stop,
                                  const RFistaCallback& callback) {
  if (const std::string error = options.validate(); !error.empty()) throw InputError(error);
  if (!(penalty >= 0) || !std::isfinite(penalty)) {
    throw InputError("the group penalty must be a non-negative number");
  }
  RFistaState& s = *state;
  if (!s.matches(rows, cols)) {
    s.iterate = Eigen::MatrixXd::Zero(rows, cols);
    s.reset_momentum();
    s.step = 0.0;
  }
  if (s.extrapolation.rows() != rows || s.extrapolation.cols() != cols ||
      !s.extrapolation.allFinite() || !(s.momentum >= 1) || !std::isfinite(s.momentum)) {
    s.reset_momentum();
  }
  double step = positive_finite(s.step) ? s.step : options.initial_step;

  RFistaResult result;
  auto penalty_value = [&](const Eigen::MatrixXd& blocks) {
    return penalty * blocks.colwise().norm().sum();
  };
  // With a composite smooth part, images travel beside the points: A w (iterate), A v
  // (extrapolation) and A w+ (candidate), and gradients are taken at v only.
  const auto* composite = dynamic_cast<const CompositeSmoothFunction*>(&smooth);
  Eigen::VectorXd iterate_image, extrapolation_image, candidate_image, probe_outer_gradient;
  Eigen::MatrixXd iterate_gradient;
  double iterate_value = 0.0;
  if (composite) {
    iterate_image = composite->image(s.iterate);
    iterate_value = composite->outer_value(iterate_image);
    iterate_gradient = composite->adjoint(composite->outer_gradient(iterate_image));
  } else {
    iterate_value = smooth.value_and_gradient(s.iterate, &iterate_gradient);
  }
  auto finish = [&](RFistaStop reason, double subgradient_squared) {
    result.stop = reason;
    result.smooth_value = iterate_value;
    result.objective = iterate_value + penalty_value(s.iterate);
    result.subgradient_norm_squared = subgradient_squared;
    s.step = step;
    return result;
  };
  if (!std::isfinite(iterate_value) || !iterate_gradient.allFinite()) {
    return finish(RFistaStop::kNumericalFailure, std::numeric_limits<double>::infinity());
  }
  double subgradient_squared =
      min_norm_subgradient(s.iterate, iterate_gradient, penalty).squaredNorm();
  std::int64_t subgradient_iteration = 0;
  if (subgradient_squared <= options.subgradient_tolerance) {
    return finish(RFistaStop::kConverged, subgradient_squared);
  }

  Eigen::MatrixXd extrapolation_gradient, candidate, candidate_gradient, difference;
  // After a restart (or at the start) the extrapolation point is the iterate and its gradient is
  // already known.
  bool extrapolation_is_iterate = (s.extrapolation - s.iterate).squaredNorm() == 0;
  if (composite && !extrapolation_is_iterate)
    extrapolation_image = composite->image(s.extrapolation);
  for (std::int64_t k = 0; k < options.max_iterations; ++k) {
    if (stop.stop_requested()) return finish(RFistaStop::kCancelled, subgradient_squared);
    double extrapolation_value;
    if (extrapolation_is_iterate && !composite && iterate_gradient.size() == 0) {
      // The iterate was accepted on its value alone (see below): its gradient is taken now.
      extrapolation_value = smooth.value_and_gradient(s.iterate, &extrapolation_gradient);
    } else if (extrapolation_is_iterate) {
      extrapolation_value = iterate_value;
      if (composite) {
        extrapolation_image = iterate_image;
        probe_outer_gradient = composite->outer_gradient(extrapolation_image);
      }
      extrapolation_gradient =
          iterate_gradient.size() > 0 ? iterate_gradient : composite->adjoint(probe_outer_gradient);
    } else if (composite) {
      extrapolation_value = composite->outer_value(extrapolation_image);
      probe_outer_gradient = composite->outer_gradient(extrapolation_image);
      extrapolation_gradient = composite->adjoint(probe_outer_gradient);
    } else {
      extrapolation_value = smooth.value_and_gradient(s.extrapolation, &extrapolation_gradient);
    }
    if (!std::isfinite(extrapolation_value) || !extrapolation_gradient.allFinite()) {
      return finish(RFistaStop::kNumericalFailure, subgradient_squared);
    }
    // Backtracking on the quadratic upper bound of the smooth part around the extrapolation.
    // The test needs the candidate's value only; its gradient is taken where the min-norm
    // subgradient is refreshed (or the rounding fallback below needs it), which spares a
    // general smooth part the adjoint half of every other evaluation.
    const bool refresh_subgradient = (k + 1) % options.subgradient_interval == 0;
    bool candidate_gradient_known = false;
    double candidate_value = 0.0;
    double curvature_gap = 0.0;  // L(w+) - L(v) - <g, s>
    double step_norm_squared = 0.0;
    for (int attempt = 0;; ++attempt) {
      const bool last = attempt >= options.max_backtracks;
      if (last) step = options.min_step;
      candidate =
          group_soft_threshold(s.extrapolation - step * extrapolation_gradient, step * penalty);
      difference = candidate - s.extrapolation;
      if (composite) {
        if (composite->inexact_products()) {
          candidate_image = extrapolation_image + composite->image(difference);
        } else {
          candidate_image = composite->image(candidate);
        }
        candidate_value = composite->outer_value(candidate_image);
      } else if (refresh_subgradient) {
        candidate_value = smooth.value_and_gradient(candidate, &candidate_gradient);
        candidate_gradient_known = true;
      } else {
        candidate_value = smooth.value(candidate);
        candidate_gradient_known = false;
      }
      step_norm_squared = difference.squaredNorm();
      // For a composite the linear term is taken in image space, <grad outer(A v), A w+ - A v>:
      // the same as <A^T g, s> for exact products, but it cancels to first order the error of
      // inexact ones (single precision: A w+ and A v off by ~1e-7 relative, which the value
      // difference carries and <A^T g, s> does not), so the test sees the curvature, not noise.
      curvature_gap = candidate_value - extrapolation_value -
                      (composite ? probe_outer_gradient.dot(candidate_image - extrapolation_image)
                                 : (extrapolation_gradient.array() * difference.array()).sum());
      // Near the solution the value difference drowns in rounding and the test would shrink the
      // step forever. Then use <grad(w+) - g, s>, which bounds the gap above by convexity and
      // has no cancellation; for a composite, <grad outer(A w+) - grad outer(A v), A s>.
      if (std::abs(curvature_gap) <=
          kRoundoff * (std::abs(candidate_value) + std::abs(extrapolation_value))) {
        if (!composite && !candidate_gradient_known) {
          smooth.value_and_gradient(candidate, &candidate_gradient);
          candidate_gradient_known = true;
        }
        curvature_gap =
            composite ? (composite->outer_gradient(candidate_image) - probe_outer_gradient)
                            .dot(candidate_image - extrapolation_image)
                      : ((candidate_gradient - extrapolation_gradient).array() * difference.array())
                            .sum();
      }
      if (last ||
          (std::isfinite(candidate_value) && 2.0 * step * curvature_gap <= step_norm_squared)) {
        break;
      }
      step *= options.backtrack_factor;
      ++result.backtracks;
    }
    if (!std::isfinite(candidate_value) ||
        (composite ? !candidate_image.allFinite()
                   : candidate_gradient_known && !candidate_gradient.allFinite())) {
      return finish(RFistaStop::kNumericalFailure, subgradient_squared);
    }
    double next_momentum = 0.5 * (1.0 + std::sqrt(1.0 + 4.0 * s.momentum * s.momentum));
    // Lassplore: a step whose bound holds with room to spare is too cautious.
    if (step_norm_squared > options.growth_threshold * 2.0 * step * curvature_gap) {
      step *= options.growth_factor;
    }
    const Eigen::MatrixXd progress = candidate - s.iterate;
    // Gradient-mapping restart: the momentum points against the step just taken.
    const bool restart =
        options.restart && (progress.array() * (s.extrapolation - candidate).array()).sum() > 0;
    const double extrapolation_weight = restart ? 0.0 : (s.momentum - 1.0) / next_momentum;
    if (restart) {
      next_momentum = 1.0;
      s.extrapolation = candidate;
      ++result.restarts;
    } else {
      s.extrapolation = candidate + extrapolation_weight * progress;
    }
    extrapolation_is_iterate = restart;
    if (composite) {
      // A is linear: A v+ = A w+ + c (A w+ - A w), exactly the images' combination.
      if (!restart) {
        extrapolation_image =
            candidate_image + extrapolation_weight * (candidate_image - iterate_image);
      }
      iterate_image.swap(candidate_image);
      iterate_gradient.resize(0, 0);  // not known until the next refresh
    } else if (candidate_gradient_known) {
      iterate_gradient.swap(candidate_gradient);
    } else {
      iterate_gradient.resize(0, 0);  // taken when needed (a restart or a refresh)
    }
    s.iterate.swap(candidate);
    iterate_value = candidate_value;
    s.momentum = next_momentum;
    result.iterations = k + 1;
    if (refresh_subgradient) {
      if (composite)
        iterate_gradient = composite->adjoint(composite->outer_gradient(iterate_image));
      subgradient_squared =
          min_norm_subgradient(s.iterate, iterate_gradient, penalty).squaredNorm();
      subgradient_iteration = k + 1;
    }
    if (callback) {
      RFistaProgress report{
          k + 1, s.iterate, iterate_value, subgradient_squared, subgradient_iteration, step};
      if (composite) {
        report.image = &iterate_image;
        report.probe_outer_gradient = &probe_outer_gradient;
        report.probe_gradient = &extrapolation_gradient;
      }
      if (!callback(report)) return finish(RFistaStop::kCallback, subgradient_squared);
    }
    if (refresh_subgradient && subgradient_squared <= options.subgradient_tolerance) {
      return finish(RFistaStop::kConverged, subgradient_squared);
    }
  }
  return finish(RFistaStop::kIterationLimit, subgradient_squared);
}

void set_rfista_status(const RFistaResult& result, bool cancelled_by_observer, bool certified,
                       bool time_limit, SolverSummary* summary) {
  if (cancelled_by_observer) {
    summary->status = SolverStatus::kCancelled;
    summary->message = "stopped by the observer";
  } else if (result.stop == RFistaStop::kCancelled) {
    summary->status = SolverStatus::kCancelled;
    summary->message = "cancelled";
  } else if (result.stop == RFistaStop::kNumericalFailure) {
    summary->status = SolverStatus::kNumericalFailure;
    summary->message = "non-finite values in the R-FISTA iterate";
  } else if (certified) {
    summary->status = SolverStatus::kConverged;
    summary->message = "relative gap below tolerance";
  } else if (time_limit) {
    summary->status = SolverStatus::kIterationLimit;
    summary->message = "time limit reached";
  } else if (result.stop == RFistaStop::kConverged) {
    summary->status = SolverStatus::kIterationLimit;
    summary->message = "min-norm subgradient below the R-FISTA tolerance before the gap tolerance";
  } else {
    summary->status = SolverStatus::kIterationLimit;
    summary->message = "iteration limit reached";
  }
}

}  // namespace convexnn
