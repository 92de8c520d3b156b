#pragma once
// Training a two-layer network with a degree-2 polynomial activation sigma(t) = a t^2 + b t + c
// (science.md 9.1):
//   min  l(sum_j alpha_j sigma(X q_j), y) + beta sum_j |alpha_j|   s.t. ||q_j|| = 1,
// which equals the semidefinite program of science.md 9.2 over Z, Z' in S^{D+1} (D = X.cols()):
//   min  l(A(Z - Z'), y) + (beta/2)(tr Z + tr Z')   s.t. Z, Z' psd, <J, Z> = <J, Z'> = 0,
// with A(S)_k = <M_k, S>, M_k = [[a x_k x_k^T, (b/2) x_k], [(b/2) x_k^T, c]], J = diag(1,..,1,-1).
// For b = c = 0 it reduces to min l(a diag(X W X^T), y) + beta ||W||_* over symmetric D x D W
// (science.md 9.3).
//
// Bias: when `has_bias_column` is set, the last column of X is the constant 1, so a neuron is
// sigma(w . x + b) with the bias inside the unit-norm constraint ||[w; b]|| = 1 (the same
// convention as the ReLU program, where the bias is weight-decayed).
#include <Eigen/Dense>
#include <optional>
#include <string>

#include "convexnn/activation.h"
#include "convexnn/loss.h"
#include "convexnn/standardization.h"

namespace convexnn {

struct PolynomialProblem {
  Eigen::MatrixXd X;  // n x D, standardized and (when has_bias_column) bias-augmented
  Eigen::VectorXd y;  // n targets (labels in {-1, +1} for the logistic loss)
  LossKind loss = LossKind::kSquared;
  double beta = 1e-2;
  Activation activation = Activation::quadratic();  // kQuadratic or kPolynomial
  bool has_bias_column = true;
  std::optional<Standardization> standardization;

  Eigen::Index num_samples() const { return X.rows(); }
  Eigen::Index dim() const { return X.cols(); }
  double a() const { return activation.quadratic_coefficient(); }
  double b() const { return activation.linear_coefficient(); }
  double c() const { return activation.constant_coefficient(); }
  // True when b = c = 0, so the nuclear-norm form (science.md 9.3) applies.
  bool purely_quadratic() const { return b() == 0.0 && c() == 0.0; }

  // Empty when the problem can be solved, else a message naming the field. The hinge loss is
  // rejected: the first-order solvers need a smooth loss.
  std::string validate() const;

  // Lifted form, S in S^{D+1}: yhat_k = <M_k, S>.
  Eigen::VectorXd lifted_prediction(const Eigen::MatrixXd& S) const;
  // A*(r) = sum_k r_k M_k, a (D+1) x (D+1) symmetric matrix.
  Eigen::MatrixXd lifted_adjoint(const Eigen::VectorXd& r) const;
  // Objective of the SDP at (Z, Z') (the constraints are not checked).
  double lifted_objective(const Eigen::MatrixXd& Z, const Eigen::MatrixXd& Z_neg) const;

  // Nuclear-norm form, W in S^D: yhat_k = a x_k^T W x_k.
  Eigen::VectorXd quadratic_prediction(const Eigen::MatrixXd& W) const;
  // a X^T diag(r) X.
  Eigen::MatrixXd quadratic_adjoint(const Eigen::VectorXd& r) const;
  double quadratic_objective(const Eigen::MatrixXd& W) const;
};

// J = diag(1, ..., 1, -1) of size `size`.
Eigen::MatrixXd trace_balance_matrix(Eigen::Index size);

}  // namespace convexnn
