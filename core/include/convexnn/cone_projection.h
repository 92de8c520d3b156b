#pragma once
// Euclidean projection of each block onto its pattern's cone K_i = {u : (2 D_i - I) X u >= 0}.
// A projected point is feasible for the convex program, so its objective is a valid upper bound
// for the program (and equals the recovered network's objective).
#include <Eigen/Dense>

#include "convexnn/convex_problem.h"

namespace convexnn {

Eigen::MatrixXd project_onto_cones(const ConvexProblem& problem, const Eigen::MatrixXd& blocks);

}  // namespace convexnn
