#pragma once
// Convex losses of the prediction, summed over samples (science.md 1.1), with what the solver
// and the certificate need: value, gradient, proximal map and convex conjugate.
#include <Eigen/Dense>
#include <string>

namespace convexnn {

enum class LossKind {
  kSquared,   // 1/2 sum (yhat - y)^2
  kHinge,     // sum max(0, 1 - y yhat)
  kLogistic,  // sum log(1 + exp(-y yhat)), labels in {-1, +1}
};

const char* to_string(LossKind kind);
LossKind loss_from_string(const std::string& name);  // throws InputError

double loss_value(LossKind kind, const Eigen::VectorXd& prediction, const Eigen::VectorXd& y);

// A (sub)gradient with respect to the prediction. For the hinge at the kink it returns -y/2.
Eigen::VectorXd loss_gradient(LossKind kind, const Eigen::VectorXd& prediction,
                              const Eigen::VectorXd& y);

// prox_{l/rho}(z) = argmin_t l(t, y) + rho/2 ||t - z||^2, elementwise.
Eigen::VectorXd loss_prox(LossKind kind, const Eigen::VectorXd& z, const Eigen::VectorXd& y,
                          double rho);

// Convex conjugate l*(lambda); +infinity outside its domain.
double loss_conjugate(LossKind kind, const Eigen::VectorXd& lambda, const Eigen::VectorXd& y);

// Largest t in [0, 1] such that t * lambda lies in the conjugate's domain (1 for squared loss).
double conjugate_domain_scale(LossKind kind, const Eigen::VectorXd& lambda,
                              const Eigen::VectorXd& y);

// max over theta in [0, theta_max] of the dual value -l*(theta lambda) (concave in theta): the best
// lower bound from a dual candidate whose feasible scales are [0, theta_max]. theta_max is also
// capped by conjugate_domain_scale; the maximizer is stored in `theta` when given.
double maximize_scaled_dual_value(LossKind kind, const Eigen::VectorXd& lambda,
                                  const Eigen::VectorXd& y, double theta_max,
                                  double* theta = nullptr);

}  // namespace convexnn
