#include "convexnn/neural_decomposition.h"

#include <Eigen/Eigenvalues>
#include <cmath>
#include <vector>

namespace convexnn {
namespace {

// y^T J y with J = diag(1, ..., 1, -1).
double j_product(const Eigen::VectorXd& u, const Eigen::VectorXd& v) {
  const Eigen::Index last = u.size() - 1;
  return u.head(last).dot(v.head(last)) - u[last] * v[last];
}

// Network skeleton with the problem's activation and standardization; neurons are added as
// columns of `directions` (unit vectors in R^D) with output weights `weights`.
TwoLayerNetwork make_network(const PolynomialProblem& problem,
                             const std::vector<Eigen::VectorXd>& directions,
                             const std::vector<double>& weights) {
  const Eigen::Index D = problem.dim();
  const Eigen::Index inputs = problem.has_bias_column ? D - 1 : D;
  const auto width = static_cast<Eigen::Index>(directions.size());
  TwoLayerNetwork network;
  network.activation = problem.activation;
  network.standardization = problem.standardization;
  network.first_weights.resize(width, inputs);
  network.first_bias = Eigen::VectorXd::Zero(width);
  network.second_weights.resize(width);
  for (Eigen::Index j = 0; j < width; ++j) {
    const Eigen::VectorXd& q = directions[static_cast<std::size_t>(j)];
    network.first_weights.row(j) = q.head(inputs).transpose();
    if (problem.has_bias_column) network.first_bias[j] = q[D - 1];
    network.second_weights[j] = weights[static_cast<std::size_t>(j)];
  }
  return network;
}

}  // namespace

Eigen::MatrixXd neural_decomposition(const Eigen::MatrixXd& Z, double relative_tolerance) {
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eigen(Z);
  const Eigen::VectorXd& mu = eigen.eigenvalues();
  const double largest = mu.size() > 0 ? mu.maxCoeff() : 0.0;
  std::vector<Eigen::VectorXd> pending;
  for (Eigen::Index i = mu.size() - 1; i >= 0; --i) {
    if (mu[i] > relative_tolerance * largest && mu[i] > 0.0) {
      pending.push_back(std::sqrt(mu[i]) * eigen.eigenvectors().col(i));
    }
  }
  std::vector<Eigen::VectorXd> output;
  while (pending.size() > 1) {
    const Eigen::VectorXd p1 = pending.front();
    const double a1 = j_product(p1, p1);
    if (std::abs(a1) <= relative_tolerance * p1.squaredNorm()) {
      output.push_back(p1);
      pending.erase(pending.begin());
      continue;
    }
    // A partner of opposite J-sign exists because the J-products sum to <J, Z> = 0; take the
    // largest one, which keeps the root t well conditioned.
    std::size_t partner = 0;
    double partner_product = 0.0;
    for (std::size_t j = 1; j < pending.size(); ++j) {
      const double aj = j_product(pending[j], pending[j]);
      if (a1 * aj < 0.0 && std::abs(aj) > std::abs(partner_product)) {
        partner = j;
        partner_product = aj;
      }
    }
    if (partner == 0) {
      // Only round-off can leave no partner (<J, Z> slightly off zero): keep p1 as it is.
      output.push_back(p1);
      pending.erase(pending.begin());
      continue;
    }
    const Eigen::VectorXd pj = pending[partner];
    const double aj = partner_product;
    const double b = j_product(p1, pj);
    // (p1 + t pj)^T J (p1 + t pj) = a1 + 2 b t + aj t^2 = 0; a1 aj < 0 makes the discriminant
    // positive, the clamp only guards against round-off (science.md 9.4).
    // The root of smaller magnitude in the cancellation-free form a1 / q.
    const double discriminant = std::max(0.0, b * b - a1 * aj);
    const double q = -(b + std::copysign(std::sqrt(discriminant), b));
    const double t = a1 / q;
    const double norm = std::sqrt(1.0 + t * t);
    output.push_back((p1 + t * pj) / norm);
    // y y^T + w w^T = p1 p1^T + pj pj^T; w replaces the pair.
    pending[partner] = (pj - t * p1) / norm;
    pending.erase(pending.begin());
  }
  if (!pending.empty()) output.push_back(pending.front());
  Eigen::MatrixXd result(Z.rows(), static_cast<Eigen::Index>(output.size()));
  for (std::size_t j = 0; j < output.size(); ++j) {
    result.col(static_cast<Eigen::Index>(j)) = output[j];
  }
  return result;
}

TwoLayerNetwork network_from_lifted(const PolynomialProblem& problem, const Eigen::MatrixXd& Z,
                                    const Eigen::MatrixXd& Z_neg, double relative_tolerance) {
  const Eigen::Index D = problem.dim();
  std::vector<Eigen::VectorXd> directions;
  std::vector<double> weights;
  for (const auto& [matrix, sign] : {std::pair{&Z, 1.0}, std::pair{&Z_neg, -1.0}}) {
    const Eigen::MatrixXd vectors = neural_decomposition(*matrix, relative_tolerance);
    for (Eigen::Index j = 0; j < vectors.cols(); ++j) {
      const Eigen::VectorXd u = vectors.col(j).head(D);
      const double s = vectors(D, j);
      const double u_norm = u.norm();
      // s = 0 forces u = 0 when y^T J y = 0; anything left is round-off and carries no neuron.
      if (s == 0.0 || u_norm == 0.0) continue;
      directions.push_back((s > 0 ? 1.0 : -1.0) * u / u_norm);
      weights.push_back(sign * std::abs(s) * u_norm);
    }
  }
  return make_network(problem, directions, weights);
}

TwoLayerNetwork network_from_quadratic(const PolynomialProblem& problem, const Eigen::MatrixXd& W,
                                       double relative_tolerance) {
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eigen(W);
  const Eigen::VectorXd& lambda = eigen.eigenvalues();
  const double largest = lambda.size() > 0 ? lambda.cwiseAbs().maxCoeff() : 0.0;
  std::vector<Eigen::VectorXd> directions;
  std::vector<double> weights;
  for (Eigen::Index j = lambda.size() - 1; j >= 0; --j) {
    if (lambda[j] == 0.0 || std::abs(lambda[j]) <= relative_tolerance * largest) continue;
    directions.push_back(eigen.eigenvectors().col(j));
    weights.push_back(lambda[j]);
  }
  return make_network(problem, directions, weights);
}

}  // namespace convexnn
