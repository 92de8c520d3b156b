#pragma once
// Euclidean projection of each block onto its pattern's cone K_i = {u : (2 D_i - I) X u >= 0}.
// A projected point is feasible for the convex program, so its objective is a valid upper bound
// for the program (and equals the recovered network's objective).
#include <Eigen/Dense>
#include <cstdint>

#include "convexnn/convex_problem.h"

namespace convexnn {

// If `nnls_operations` is given, the operation count of the NNLS solves (one per infeasible block,
// see nonnegative_least_squares) is added to it.
Eigen::MatrixXd project_onto_cones(const ConvexProblem& problem, const Eigen::MatrixXd& blocks,
                                   std::int64_t* nnls_operations = nullptr);

}  // namespace convexnn
