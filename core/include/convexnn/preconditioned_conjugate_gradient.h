#pragma once
// Preconditioned conjugate gradients for (A + mu I) x = b with A symmetric positive semidefinite
// given by its product: the matrix-free u-update of the Nystrom-preconditioned ADMM.
#include <Eigen/Dense>
#include <functional>

namespace convexnn {

struct ConjugateGradientResult {
  int iterations = 0;
  double relative_residual = 0.0;  // ||b - (A + mu I) x|| / ||b||
  bool converged = false;
};

// Starts from *x (a warm start) and stops when the relative residual is at most `tolerance` or
// after `max_iterations` products.
ConjugateGradientResult preconditioned_conjugate_gradient(
    const std::function<Eigen::VectorXd(const Eigen::VectorXd&)>& apply_operator,
    const std::function<Eigen::VectorXd(const Eigen::VectorXd&)>& apply_preconditioner,
    const Eigen::VectorXd& b, double tolerance, int max_iterations, Eigen::VectorXd* x);

}  // namespace convexnn
