#pragma once
// Cone decomposition (science.md 10.4): a gated ReLU solution u_i becomes a feasible point of the
// ReLU program, v_i - w_i = u_i with v_i, w_i in K_i = {z : (2 D_i - I) X z >= 0}. Predictions on
// the training set are unchanged (D_i X (v_i - w_i) = D_i X u_i); the penalty can only grow
// (||v_i|| + ||w_i|| >= ||u_i||), and that growth is the approximation gap of the gated relaxation.
#include <Eigen/Dense>
#include <cstdint>
#include <string>

#include "convexnn/convex_problem.h"
#include "convexnn/rfista.h"

namespace convexnn {

enum class ConeDecompositionMethod {
  // Exact: per block the split with the least ||v_i||^2 + ||w_i||^2 (scnn's quadratic
  // decomposition). With z = w + u/2 it is the least-distance program min ||z|| s.t.
  // Xt z >= tau + Xt u / 2, solved exactly by one NNLS in n variables (Lawson & Hanson, ch. 23).
  // Above d = 200 (image data) that NNLS would take hours per block, and only the exact repair
  // below is applied.
  kMinimumNorm,
  // scnn's first-order form below: feasible, but nothing keeps ||w|| small (measured on moons,
  // n = 40: ReLU objective 183 vs 1.6 for the gated optimum).
  kApproximateFista,
};

struct ConeDecompositionOptions {
  ConeDecompositionMethod method = ConeDecompositionMethod::kMinimumNorm;
  // Per block, with Xt = (2 D_i - I) X and tau = (-Xt u_i)_+, R-FISTA solves the approximate form
  //   min_w (1/(2n)) ||(tau - Xt w)_+||^2 + penalty ||w||
  // (tau - Xt w <= 0 is exactly feasibility of w and u_i + w); scnn's settings by default.
  double penalty = 1e-10;
  RFistaOptions fista = [] {
    RFistaOptions options;
    options.subgradient_tolerance = 1e-20;
    options.max_iterations = 10000;
    return options;
  }();
  // Remaining violations are removed exactly by moving w along a strictly interior direction of
  // the cone (the pattern's gate h_i when it is non-singular): feasibility is then exact.
  bool exact_repair = true;

  std::string validate() const;
};

struct ConeDecomposition {
  Eigen::MatrixXd blocks;              // d x 2P ReLU blocks: v_i in column i, w_i in column P + i
  double gated_objective = 0.0;        // of the input
  double relu_objective = 0.0;         // ReLU-program objective of `blocks` (>= gated_objective)
  double max_cone_violation = 0.0;     // of `blocks`
  std::int64_t split_blocks = 0;       // gated blocks outside their cone, which needed w_i != 0
  std::int64_t repaired_blocks = 0;    // of those, the ones the exact repair had to move
  std::int64_t unrepaired_blocks = 0;  // no interior direction found: may stay infeasible
  std::int64_t fista_iterations = 0;   // summed over blocks (kApproximateFista only)
};

// gated_blocks: d x P. Throws InputError for invalid options or a shape mismatch.
ConeDecomposition decompose_gated_solution(const ConvexProblem& problem,
                                           const Eigen::MatrixXd& gated_blocks,
                                           const ConeDecompositionOptions& options = {});

}  // namespace convexnn
