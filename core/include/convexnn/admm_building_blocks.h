#pragma once
// Pieces shared by the ADMM solvers of the standard program (admm_solver.cpp) and the robust
// program (robust_solver.cpp).
#include <Eigen/Dense>

#include "convexnn/convex_problem.h"
#include "convexnn/solver_observer.h"

namespace convexnn {

// Group soft-thresholding, the proximal map of threshold * sum_b ||block_b||: each column shrunk
// towards zero by `threshold` in norm.
Eigen::MatrixXd group_soft_threshold(const Eigen::MatrixXd& blocks, double threshold);

// Residual balancing (Boyd et al. 3.4.1): rho times `scale` when the primal residual exceeds the
// dual one by `balance`, divided by it in the opposite case, clamped to [min_rho, max_rho].
double balanced_penalty(double rho, double primal, double dual, double balance, double scale,
                        double min_rho, double max_rho);

// Gives the observer the network recovered from a d x 2P block matrix, computed only on request.
class BlocksView : public IterateView {
 public:
  BlocksView(const ConvexProblem& problem, const Eigen::MatrixXd& blocks)
      : problem_(problem), blocks_(blocks) {}
  TwoLayerNetwork network() const override;

 private:
  const ConvexProblem& problem_;
  const Eigen::MatrixXd& blocks_;
};

}  // namespace convexnn
