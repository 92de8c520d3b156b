#include "convexnn/preconditioned_conjugate_gradient.h"

#include <cmath>

namespace convexnn {

ConjugateGradientResult preconditioned_conjugate_gradient(
    const std::function<Eigen::VectorXd(const Eigen::VectorXd&)>& apply_operator,
    const std::function<Eigen::VectorXd(const Eigen::VectorXd&)>& apply_preconditioner,
    const Eigen::VectorXd& b, double tolerance, int max_iterations, Eigen::VectorXd* x) {
  ConjugateGradientResult result;
  const double b_norm = b.norm();
  if (b_norm == 0) {
    x->setZero(b.size());
    result.converged = true;
    return result;
  }
  if (x->size() != b.size() || !x->allFinite()) x->setZero(b.size());
  Eigen::VectorXd residual = b - apply_operator(*x);
  result.relative_residual = residual.norm() / b_norm;
  if (result.relative_residual <= tolerance) {
    result.converged = true;
    return result;
  }
  Eigen::VectorXd preconditioned = apply_preconditioner(residual);
  Eigen::VectorXd direction = preconditioned;
  double inner = residual.dot(preconditioned);
  while (result.iterations < max_iterations) {
    const Eigen::VectorXd image = apply_operator(direction);
    const double curvature = direction.dot(image);
    if (!(curvature > 0) || !std::isfinite(curvature)) break;  // breakdown: keep the last x
    const double alpha = inner / curvature;
    *x += alpha * direction;
    residual -= alpha * image;
    ++result.iterations;
    result.relative_residual = residual.norm() / b_norm;
    if (result.relative_residual <= tolerance) {
      result.converged = true;
      break;
    }
    preconditioned = apply_preconditioner(residual);
    const double next_inner = residual.dot(preconditioned);
    direction = preconditioned + (next_inner / inner) * direction;
    inner = next_inner;
  }
  return result;
}

}  // namespace convexnn
