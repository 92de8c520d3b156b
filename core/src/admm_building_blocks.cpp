#include "convexnn/admm_building_blocks.h"

#include <algorithm>

#include "convexnn/network_recovery.h"

namespace convexnn {

Eigen::MatrixXd group_soft_threshold(const Eigen::MatrixXd& blocks, double threshold) {
  Eigen::MatrixXd result(blocks.rows(), blocks.cols());
  for (Eigen::Index b = 0; b < blocks.cols(); ++b) {
    const double norm = blocks.col(b).norm();
    const double factor = norm > threshold ? 1.0 - threshold / norm : 0.0;
    result.col(b) = factor * blocks.col(b);
  }
  return result;
}

double balanced_penalty(double rho, double primal, double dual, double balance, double scale,
                        double min_rho, double max_rho) {
  double new_rho = rho;
  if (primal > balance * dual) new_rho *= scale;
  if (dual > balance * primal) new_rho /= scale;
  return std::clamp(new_rho, min_rho, max_rho);
}

TwoLayerNetwork BlocksView::network() const { return recover_network(problem_, blocks_); }

}  // namespace convexnn
