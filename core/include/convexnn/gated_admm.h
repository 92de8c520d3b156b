#pragma once
// The gated ReLU program by ADMM with a Nystrom-preconditioned conjugate-gradient u-update, the
// approach of CRONOS (Feng, Frangella & Pilanci, NeurIPS 2024) for large d, where R-FISTA's
// first-order steps are at the mercy of X's conditioning:
//   min_{u, z}  1/2 ||F u - y||^2 + beta sum_i ||z_i||   s.t. u = z,
//   u+ = (F^T F + rho I)^{-1} (F^T y + rho (z - lambda))   (PCG, warm-started, matrix-free)
//   z+ = group_soft_threshold(alpha u+ + (1 - alpha) z + lambda, beta / rho)
//   lambda+ = lambda + alpha u+ + (1 - alpha) z - z+,
// with F u = sum_i D_i X u_i the gated prediction. The certificate and stopping rule are the gated
// solver's (science.md 11.2), evaluated at the sparse z.
#include "convexnn/gated_relu.h"

namespace convexnn {

// Called by solve_gated_relu when the method resolves to kNystromAdmm (options.admm); the same
// summary fields. Squared loss only; others get kInvalidOptions with the reason.
SolverSummary solve_gated_admm(const ConvexProblem& problem, const GatedReluOptions& options,
                               GatedReluSolution* solution, const SolveContext& context);

}  // namespace convexnn
