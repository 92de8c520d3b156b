#include "convexnn/polynomial_problem.h"

#include <Eigen/Eigenvalues>
#include <cmath>
#include <sstream>

namespace convexnn {

std::string PolynomialProblem::validate() const {
  std::ostringstream error;
  if (activation.kind != ActivationKind::kQuadratic &&
      activation.kind != ActivationKind::kPolynomial) {
    error << "activation must be quadratic or poly2 for the semidefinite program (got "
          << activation.name() << ")";
  } else if (const std::string message = activation.validate(); !message.empty()) {
    error << message;
  } else if (loss == LossKind::kHinge) {
    error << "loss 'hinge' is not supported with the " << activation.name()
          << " activation (its first-order solver needs a smooth loss); use squared or logistic";
  } else if (!(beta > 0) || !std::isfinite(beta)) {
    error << "beta must be a positive number (got " << beta << ")";
  } else if (X.rows() == 0 || X.cols() == 0) {
    error << "the training set is empty";
  } else if (y.size() != X.rows()) {
    error << "y has " << y.size() << " entries but X has " << X.rows() << " rows";
  } else if (!X.allFinite() || !y.allFinite()) {
    error << "the training data contain non-finite values";
  } else if (loss == LossKind::kLogistic && !(y.array().abs() == 1.0).all()) {
    error << "loss 'logistic' needs labels in {-1, +1}";
  } else if (has_bias_column && !(X.col(X.cols() - 1).array() == 1.0).all()) {
    error << "has_bias_column is set but the last column of X is not all ones";
  }
  return error.str();
}

Eigen::VectorXd PolynomialProblem::lifted_prediction(const Eigen::MatrixXd& S) const {
  const Eigen::Index D = dim();
  const Eigen::VectorXd quadratic = (X * S.topLeftCorner(D, D)).cwiseProduct(X).rowwise().sum();
  // <M_k, S> counts the off-diagonal column twice: 2 (b/2) x_k^T S2.
  return a() * quadratic + b() * (X * S.col(D).head(D)) +
         Eigen::VectorXd::Constant(X.rows(), c() * S(D, D));
}

Eigen::MatrixXd PolynomialProblem::lifted_adjoint(const Eigen::VectorXd& r) const {
  const Eigen::Index D = dim();
  Eigen::MatrixXd result(D + 1, D + 1);
  result.topLeftCorner(D, D).noalias() = a() * (X.transpose() * r.asDiagonal() * X);
  const Eigen::VectorXd cross = 0.5 * b() * (X.transpose() * r);
  result.col(D).head(D) = cross;
  result.row(D).head(D) = cross.transpose();
  result(D, D) = c() * r.sum();
  return result;
}

double PolynomialProblem::lifted_objective(const Eigen::MatrixXd& Z,
                                           const Eigen::MatrixXd& Z_neg) const {
  return loss_value(loss, lifted_prediction(Z - Z_neg), y) +
         0.5 * beta * (Z.trace() + Z_neg.trace());
}

Eigen::VectorXd PolynomialProblem::quadratic_prediction(const Eigen::MatrixXd& W) const {
  return a() * (X * W).cwiseProduct(X).rowwise().sum();
}

Eigen::MatrixXd PolynomialProblem::quadratic_adjoint(const Eigen::VectorXd& r) const {
  return a() * (X.transpose() * r.asDiagonal() * X);
}

double PolynomialProblem::quadratic_objective(const Eigen::MatrixXd& W) const {
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eigen(W, Eigen::EigenvaluesOnly);
  return loss_value(loss, quadratic_prediction(W), y) + beta * eigen.eigenvalues().cwiseAbs().sum();
}

Eigen::MatrixXd trace_balance_matrix(Eigen::Index size) {
  Eigen::MatrixXd J = Eigen::MatrixXd::Identity(size, size);
  if (size > 0) J(size - 1, size - 1) = -1.0;
  return J;
}

}  // namespace convexnn
