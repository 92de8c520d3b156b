#include "convexnn/polynomial_solver_options.h"

#include <cmath>
#include <sstream>

namespace convexnn {

const char* to_string(PolynomialMethod method) {
  switch (method) {
    case PolynomialMethod::kAutomatic:
      return "automatic";
    case PolynomialMethod::kNuclearNorm:
      return "nuclear-norm";
    case PolynomialMethod::kLiftedSdp:
      return "lifted-sdp";
  }
  return "unknown";
}

std::string PolynomialSolverOptions::validate() const {
  std::ostringstream error;
  auto in_unit_interval = [](double value) { return value > 0.0 && value < 1.0; };
  if (max_iterations < 1) {
    error << "max_iterations must be at least 1 (got " << max_iterations << ")";
  } else if (!(relative_gap_tolerance >= 0) || !std::isfinite(relative_gap_tolerance)) {
    error << "relative_gap_tolerance must be a non-negative number (got " << relative_gap_tolerance
          << ")";
  } else if (certificate_interval < 1) {
    error << "certificate_interval must be at least 1 (got " << certificate_interval << ")";
  } else if (report_every < 1) {
    error << "report_every must be at least 1 (got " << report_every << ")";
  } else if (!(max_seconds >= 0) || std::isnan(max_seconds)) {
    error << "max_seconds must be non-negative (got " << max_seconds << ")";
  } else if (!(initial_step >= 0) || !std::isfinite(initial_step)) {
    error << "initial_step must be a non-negative number, 0 for automatic (got " << initial_step
          << ")";
  } else if (!in_unit_interval(backtracking_factor)) {
    error << "backtracking_factor must lie in (0, 1) (got " << backtracking_factor << ")";
  } else if (!(step_growth >= 1.0) || !std::isfinite(step_growth)) {
    error << "step_growth must be at least 1 (got " << step_growth << ")";
  } else if (!(step_growth_threshold >= 1.0) || !std::isfinite(step_growth_threshold)) {
    error << "step_growth_threshold must be at least 1 (got " << step_growth_threshold << ")";
  } else if (max_backtracks < 1) {
    error << "max_backtracks must be at least 1 (got " << max_backtracks << ")";
  } else if (!in_unit_interval(projection_tolerance)) {
    error << "projection_tolerance must lie in (0, 1) (got " << projection_tolerance << ")";
  } else if (!(decomposition_tolerance >= 0.0 && decomposition_tolerance < 1.0)) {
    error << "decomposition_tolerance must lie in [0, 1) (got " << decomposition_tolerance << ")";
  }
  return error.str();
}

}  // namespace convexnn
