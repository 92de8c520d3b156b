#pragma once
// High-accuracy solve of the convex program (science.md 3.1) restricted to a subset S of its
// blocks (all other blocks fixed at zero), by a primal barrier interior-point method:
//   min  l(sum_{b in S} sigma_b S_i(b) X u_b) + beta sum_{b in S} tau_b
//   s.t. ||u_b|| <= tau_b,  (2 D_i(b) - I) X u_b >= 0,
// with the hinge written through slacks xi >= 0, xi >= 1 - y yhat. ADMM's tail is slow; a few
// hundred cheap Newton steps reach a relative accuracy of ~1e-10.
//
// Two phases. The conic phase (variables u_b, tau_b; Newton systems solved in O(|S|) through an
// n x n Woodbury core) runs to a moderate gap and tells the active blocks from those heading to
// zero: near the optimum the second-order-cone Hessian cannot be formed accurately. The norm phase
// then keeps only the active blocks, replaces tau_b by ||u_b|| (smooth there: the cone barrier
// keeps u_b off zero) and finishes with dense Cholesky on the (|active| d)-dimensional Newton
// system, whose remaining barrier terms are all linear. Blocks of S left out that the result's
// dual point says are needed are added back.
//
// Pattern (column) generation on top: the restricted optimum is optimal for the full program iff
// its dual point satisfies every block's dual constraint (science.md 3.2); blocks that violate it
// are the ones to add. Callers must still certify a result with the full-program certificate.
#include <Eigen/Dense>
#include <chrono>
#include <cstdint>
#include <stop_token>
#include <vector>

#include "convexnn/convex_problem.h"

namespace convexnn {

struct RestrictedSolveOptions {
  // The barrier method stops when its duality-gap bound (number of barrier terms) / t is below
  // this times max(1, |objective|).
  double relative_gap_tolerance = 1e-11;
  double barrier_growth = 16.0;  // factor by which t grows between centering steps
  int max_newton_steps = 400;
  // Checked before every Newton step: a cancelled solve returns the point it reached.
  std::stop_token stop_token;
  // Also checked before every Newton step, so that a caller's time limit holds during a polish.
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
};

struct RestrictedSolveResult {
  // d x 2P: the restricted solution placed into the full block matrix (zero outside S and for the
  // blocks the norm phase left out); strictly inside the cones of the other blocks.
  Eigen::MatrixXd blocks;
  double objective = 0.0;  // problem.objective(blocks)
  // The dual point of the restricted program: lambda = d l / d yhat at the solution (for the
  // hinge the barrier's multipliers, -y_k z_k with z_k in [0, 1]). A dual candidate for the full
  // program's certificate.
  Eigen::VectorXd dual;
  double gap_bound = 0.0;  // (barrier terms) / t: the restricted sub-optimality, if centered
  int newton_steps = 0;
  // Multiply-adds spent (estimated from the sizes and steps taken, so the same on every run):
  // lets callers schedule the solve by work instead of by measured time.
  std::int64_t operations = 0;
  bool converged = false;  // reached the gap target (else the best point reached is returned)
  // Blocks of S whose cone has an empty interior; they stay at zero (still a restriction).
  std::vector<Eigen::Index> dropped_blocks;
};

// The barrier method factors a dense system in all restricted variables: with thousands of them
// (teacher10: ~550 active blocks x 11) one Newton step costs seconds, more than the first-order
// iterations it would save. ADMM and AL polish only restricted sets up to this size.
constexpr Eigen::Index kMaxPolishVariables = 2500;

// `block_columns`: the columns of S in the d x 2P block matrix (v_i is column i, w_i column
// P + i); duplicates are ignored.
RestrictedSolveResult solve_restricted_interior_point(
    const ConvexProblem& problem, const std::vector<Eigen::Index>& block_columns,
    const RestrictedSolveOptions& options = {});

// Exact dual-constraint values q_b(lambda) = min_{a >= 0} || sigma_b X^T S_i lambda - A_b^T a ||
// (NNLS) for every block whose cheap bound ||sigma_b X^T S_i lambda|| exceeds `threshold`; the
// others get that cheap bound. A value above beta marks a block whose addition lowers the
// restricted optimum. `operations` (optional) accumulates the NNLS work.
Eigen::VectorXd dual_constraint_values(const ConvexProblem& problem, const Eigen::VectorXd& lambda,
                                       double threshold, std::int64_t* operations = nullptr);

// Column generation driven by the dual certificate: starting from `initial_columns`, solves the
// restricted program, adds up to `columns_per_round` blocks with the largest dual violation
// (> beta (1 + 1e-9)) and repeats for at most `max_rounds` rounds or until no block is violated.
// Returns the last restricted solution (its `operations` summed over all rounds);
// `final_columns` (optional) receives the final set S.
RestrictedSolveResult solve_by_column_generation(
    const ConvexProblem& problem, const std::vector<Eigen::Index>& initial_columns, int max_rounds,
    Eigen::Index columns_per_round, const RestrictedSolveOptions& options = {},
    std::vector<Eigen::Index>* final_columns = nullptr);

}  // namespace convexnn
