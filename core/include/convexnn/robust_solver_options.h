#pragma once
// Options of the robust ADMM (robust_solver.h), validated with messages that name the field.
#include <cstdint>
#include <string>

#include "convexnn/solver_options.h"

namespace convexnn {

struct RobustSolverOptions {
  double rho = 1.0;  // initial ADMM penalty
  PenaltyMode penalty_mode = PenaltyMode::kAdaptive;
  // Residual balancing on the relative residuals; rho changes need no refactorization here.
  double penalty_balance = 10.0;
  double penalty_scale = 2.0;
  int penalty_update_interval = 50;
  double min_rho = 1e-6;
  double max_rho = 1e6;
  double relaxation = 1.0;  // over-relaxation factor in (0, 2)

  std::int64_t max_iterations = 20000;
  // Stop when both relative KKT residuals (primal |Au - z| / max(|Au|, |z|), dual
  // |A^T(z - z_prev)| / |A^T y| by parts) are below this.
  double tolerance = 1e-6;
  int check_interval = 10;   // iterations between residual checks
  int report_every = 1;      // observer is called every k-th iteration
  double max_seconds = 0.0;  // 0: no time limit
  LinearSolverKind linear_solver = LinearSolverKind::kAutomatic;

  // Empty when valid, otherwise a message naming the first invalid field.
  std::string validate() const;
};

// The robust counterpart of standard options: the same penalty, limits and reporting, and the
// relative gap tolerance used as the KKT residual tolerance (the robust program has no tight
// duality-gap certificate, science.md 11.4).
RobustSolverOptions robust_options_from(const AdmmOptions& options);

}  // namespace convexnn
