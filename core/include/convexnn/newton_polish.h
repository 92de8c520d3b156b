#pragma once
// Second-order refinement of a nearly optimal point of the convex program for smooth losses
// (squared, logistic). With the active blocks and the active cone rows fixed (identified from
// the ADMM iterate), the program is smooth on the null space of the active rows; Newton's method
// there converges quadratically where ADMM's tail is slow. The caller must treat the result as a
// candidate only: its value and certificate are checked on the full program.
#include <Eigen/Dense>
#include <cstdint>

#include "convexnn/convex_problem.h"

namespace convexnn {

// Returns refined blocks (same shape), or `blocks` unchanged if the loss is not smooth or no
// step improved the objective while keeping every cone constraint satisfied. If `operations` is
// given, the multiply-adds of the products and factorizations done are added to it (a
// reproducible cost estimate for scheduling).
Eigen::MatrixXd refine_by_newton(const ConvexProblem& problem, const Eigen::MatrixXd& blocks,
                                 std::int64_t* operations = nullptr);

}  // namespace convexnn
