#include "convexnn/solver_options.h"

#include <cmath>
#include <sstream>

#include "convexnn/errors.h"

namespace convexnn {
namespace {

bool positive_finite(double value) { return std::isfinite(value) && value > 0; }

}  // namespace

std::string AdmmOptions::validate() const {
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
  } else if (!(relative_gap_tolerance >= 0) || !std::isfinite(relative_gap_tolerance)) {
    error << "relative_gap_tolerance must be a non-negative number (got " << relative_gap_tolerance
          << ")";
  } else if (certificate_interval < 1) {
    error << "certificate_interval must be at least 1 (got " << certificate_interval << ")";
  } else if (report_every < 1) {
    error << "report_every must be at least 1 (got " << report_every << ")";
  } else if (!(max_seconds >= 0) || std::isnan(max_seconds)) {
    error << "max_seconds must be non-negative (got " << max_seconds << ")";
  } else if (polish_interval < 1) {
    error << "polish_interval must be at least 1 (got " << polish_interval << ")";
  }
  return error.str();
}

const char* to_string(LinearSolverKind kind) {
  switch (kind) {
    case LinearSolverKind::kAutomatic:
      return "automatic";
    case LinearSolverKind::kDirect:
      return "direct";
    case LinearSolverKind::kWoodbury:
      return "woodbury";
  }
  return "unknown";
}

const char* to_string(SolverKind kind) {
  switch (kind) {
    case SolverKind::kAdmm:
      return "admm";
    case SolverKind::kAugmentedLagrangian:
      return "al";
    case SolverKind::kGated:
      return "gated";
    case SolverKind::kRandomFeatures:
      return "scp";
  }
  return "unknown";
}

SolverKind solver_kind_from_string(const std::string& name) {
  if (name == "admm") return SolverKind::kAdmm;
  if (name == "al") return SolverKind::kAugmentedLagrangian;
  if (name == "gated") return SolverKind::kGated;
  if (name == "scp") return SolverKind::kRandomFeatures;
  throw InputError("unknown solver '" + name + "' (expected admm, al, gated or scp)");
}

}  // namespace convexnn
