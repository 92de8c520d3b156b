#include "convexnn/semidefinite_projection.h"

#include <Eigen/Eigenvalues>
#include <algorithm>
#include <cmath>
#include <limits>

namespace convexnn {
namespace {

// phi(theta) and phi'(theta) at one theta, with the projection itself.
struct Evaluation {
  double theta = 0.0;
  double value = 0.0;
  double slope = 0.0;
  Eigen::MatrixXd projection;
};

Evaluation evaluate(const Eigen::MatrixXd& Y, double theta) {
  const Eigen::Index size = Y.rows();
  Eigen::MatrixXd shifted = Y;
  shifted.diagonal().head(size - 1).array() -= theta;
  shifted(size - 1, size - 1) += theta;
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eigen(shifted);
  const Eigen::VectorXd& mu = eigen.eigenvalues();
  const Eigen::MatrixXd& V = eigen.eigenvectors();
  const Eigen::VectorXd positive = mu.cwiseMax(0.0);
  Evaluation result;
  result.theta = theta;
  result.projection = V * positive.asDiagonal() * V.transpose();
  result.value = result.projection.trace() - 2.0 * result.projection(size - 1, size - 1);
  // d/dtheta <J, P(Y - theta J)> = -<J, DP[J]>, DP[H] = V (Gamma o (V^T H V)) V^T with the
  // divided differences Gamma_ij = (mu_i+ - mu_j+) / (mu_i - mu_j) of max(., 0).
  // V^T J V = I - 2 v v^T with v the last row of V (V is orthogonal).
  const Eigen::MatrixXd rotated =
      Eigen::MatrixXd::Identity(size, size) - 2.0 * V.row(size - 1).transpose() * V.row(size - 1);
  double slope = 0.0;
  for (Eigen::Index i = 0; i < size; ++i) {
    for (Eigen::Index j = 0; j < size; ++j) {
      double gamma;
      const double difference = mu[i] - mu[j];
      if (std::abs(difference) > 1e-14 * (std::abs(mu[i]) + std::abs(mu[j]) + 1e-300)) {
        gamma = (positive[i] - positive[j]) / difference;
      } else {
        gamma = mu[i] > 0.0 ? 1.0 : 0.0;
      }
      slope += gamma * rotated(i, j) * rotated(i, j);
    }
  }
  result.slope = -slope;
  return result;
}

}  // namespace

Eigen::MatrixXd project_psd(const Eigen::MatrixXd& Y) {
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eigen(Y);
  return eigen.eigenvectors() * eigen.eigenvalues().cwiseMax(0.0).asDiagonal() *
         eigen.eigenvectors().transpose();
}

TraceBalancedProjection project_trace_balanced_psd(const Eigen::MatrixXd& Y, double theta_hint,
                                                   double tolerance) {
  TraceBalancedProjection result;
  const double scale = std::max(1.0, Y.cwiseAbs().maxCoeff());
  auto converged = [&](const Evaluation& e) {
    return std::abs(e.value) <= tolerance * std::max(1.0, e.projection.trace());
  };
  auto finish = [&](Evaluation&& e) {
    result.Z = std::move(e.projection);
    result.theta = e.theta;
    result.residual = std::abs(e.value);
    return result;
  };

  Evaluation current = evaluate(Y, theta_hint);
  ++result.eigen_solves;
  if (converged(current)) return finish(std::move(current));

  // Bracket [low, high] with phi(low) > 0 > phi(high); phi(theta) -> -+infinity as theta ->
  // +-infinity (the last diagonal entry of Y - theta J grows, the others shrink).
  double low = -std::numeric_limits<double>::infinity();
  double high = std::numeric_limits<double>::infinity();
  (current.value > 0 ? low : high) = current.theta;
  double step = scale;
  Evaluation best = current;
  for (int iteration = 0; iteration < 200; ++iteration) {
    double next = current.theta - current.value / current.slope;
    const bool newton_ok = current.slope < 0.0 && std::isfinite(next) && next > low && next < high;
    if (!newton_ok) {
      if (!std::isfinite(low)) {
        next = high - step;
        step *= 2.0;
      } else if (!std::isfinite(high)) {
        next = low + step;
        step *= 2.0;
      } else {
        next = 0.5 * (low + high);
      }
    }
    current = evaluate(Y, next);
    ++result.eigen_solves;
    if (std::abs(current.value) < std::abs(best.value)) best = current;
    if (converged(current)) return finish(std::move(current));
    (current.value > 0 ? low : high) = current.theta;
    if (std::isfinite(low) && std::isfinite(high) &&
        high - low <= 1e-15 * std::max({1.0, std::abs(low), std::abs(high)})) {
      break;
    }
  }
  return finish(std::move(best));
}

}  // namespace convexnn
