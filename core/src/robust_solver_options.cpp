#include "convexnn/robust_solver_options.h"

#include <cmath>
#include <sstream>

namespace convexnn {
namespace {

bool positive_finite(double value) { return std::isfinite(value) && value > 0; }

}  // namespace

std::string RobustSolverOptions::validate() const {
  std::ostringstream error;
  if (!positive_finite(rho)) {
    error << "rho must be a positive number (got " << rho << ")";
  } else if (!positive_finite(min_rho) || !positive_finite(max_rho) || min_rho > max_rho) {
    error << "min_rho and max_rho must be positive with min_rho <= max_rho";
  } else if (!(penalty_balance > 1.0) || !std::isfinite(penalty_balance)) {
    error << "penalty_balance must be greater than 1 (got " << penalty_balance << ")";
  } else if (!(penalty_scale > 1.0) || !std::isfinite(penalty_scale)) {
    error << "penalty_scale must be greater than 1 (got " << penalty_scale << ")";
  } else if (penalty_update_interval < 1) {
    error << "penalty_update_interval must be at least 1 (got " << penalty_update_interval << ")";
  } else if (!(relaxation > 0.0 && relaxation < 2.0)) {
    error << "relaxation must lie in (0, 2) (got " << relaxation << ")";
  } else if (max_iterations < 1) {
    error << "max_iterations must be at least 1 (got " << max_iterations << ")";
  } else if (!(tolerance >= 0) || !std::isfinite(tolerance)) {
    error << "tolerance must be a non-negative number (got " << tolerance << ")";
  } else if (check_interval < 1) {
    error << "check_interval must be at least 1 (got " << check_interval << ")";
  } else if (report_every < 1) {
    error << "report_every must be at least 1 (got " << report_every << ")";
  } else if (!(max_seconds >= 0) || std::isnan(max_seconds)) {
    error << "max_seconds must be non-negative (got " << max_seconds << ")";
  }
  return error.str();
}

RobustSolverOptions robust_options_from(const AdmmOptions& options) {
  RobustSolverOptions robust;
  robust.rho = options.rho;
  robust.penalty_mode = options.penalty_mode;
  robust.penalty_balance = options.penalty_balance;
  robust.penalty_scale = options.penalty_scale;
  robust.penalty_update_interval = options.penalty_update_interval;
  robust.min_rho = options.min_rho;
  robust.max_rho = options.max_rho;
  robust.relaxation = options.relaxation;
  robust.max_iterations = options.max_iterations;
  robust.tolerance = options.relative_gap_tolerance;
  robust.report_every = options.report_every;
  robust.max_seconds = options.max_seconds;
  robust.linear_solver = options.linear_solver;
  return robust;
}

}  // namespace convexnn
