// Building blocks of the polynomial-activation SDP (science.md 9): neural decomposition (9.4), the
// projection onto {Z psd, <J, Z> = 0} (9.5) and the dual bounds (11.5).
#include <gtest/gtest.h>

#include <Eigen/Eigenvalues>
#include <cmath>

#include "convexnn/neural_decomposition.h"
#include "convexnn/polynomial_certificate.h"
#include "convexnn/polynomial_problem.h"
#include "convexnn/random.h"
#include "convexnn/semidefinite_projection.h"

namespace convexnn {
namespace {

Eigen::MatrixXd gaussian_matrix(Rng& rng, Eigen::Index rows, Eigen::Index cols) {
  Eigen::MatrixXd matrix(rows, cols);
  for (Eigen::Index i = 0; i < matrix.size(); ++i) matrix(i) = rng.normal();
  return matrix;
}

double j_inner(const Eigen::MatrixXd& Z) { return Z.trace() - 2.0 * Z(Z.rows() - 1, Z.cols() - 1); }

// Z = sum_j alpha_j [q_j; 1][q_j; 1]^T with unit q_j, alpha_j > 0 (science.md 9.4's V-num check).
Eigen::MatrixXd planted_lifted_matrix(Rng& rng, Eigen::Index D, int neurons) {
  Eigen::MatrixXd Z = Eigen::MatrixXd::Zero(D + 1, D + 1);
  for (int j = 0; j < neurons; ++j) {
    Eigen::VectorXd v(D + 1);
    v.head(D) = gaussian_matrix(rng, D, 1).col(0).normalized();
    v[D] = 1.0;
    Z += rng.uniform(0.2, 2.0) * v * v.transpose();
  }
  return Z;
}

// A full-rank psd Z with <J, Z> = 0: B B^T, then the trace imbalance moved onto a psd term.
Eigen::MatrixXd generic_lifted_matrix(Rng& rng, Eigen::Index D) {
  const Eigen::MatrixXd B = gaussian_matrix(rng, D + 1, D + 1);
  Eigen::MatrixXd Z = B * B.transpose();
  const double imbalance = j_inner(Z);
  if (imbalance > 0) {
    Z(D, D) += imbalance;
  } else {
    Z.topLeftCorner(D, D).diagonal().array() += -imbalance / static_cast<double>(D);
  }
  return Z;
}

PolynomialProblem small_problem(Rng& rng, const Activation& activation, Eigen::Index n,
                                Eigen::Index features) {
  PolynomialProblem problem;
  problem.X = Eigen::MatrixXd::Ones(n, features + 1);
  problem.X.leftCols(features) = gaussian_matrix(rng, n, features);
  problem.y = gaussian_matrix(rng, n, 1).col(0);
  problem.activation = activation;
  problem.beta = 0.3;
  problem.has_bias_column = true;
  return problem;
}

TEST(NeuralDecomposition, ReconstructsPlantedAndGenericMatricesWithBalancedVectors) {
  Rng rng(11);
  for (int trial = 0; trial < 20; ++trial) {
    const Eigen::Index D = 2 + trial % 4;
    const Eigen::MatrixXd Z =
        trial % 2 == 0 ? planted_lifted_matrix(rng, D, 3) : generic_lifted_matrix(rng, D);
    ASSERT_NEAR(j_inner(Z), 0.0, 1e-12 * Z.trace());
    const Eigen::MatrixXd vectors = neural_decomposition(Z);
    SCOPED_TRACE("trial " + std::to_string(trial));
    EXPECT_LE(vectors.cols(), D + 1);
    EXPECT_LE((vectors * vectors.transpose() - Z).norm(), 1e-13 * Z.norm());
    for (Eigen::Index j = 0; j < vectors.cols(); ++j) {
      const Eigen::VectorXd y = vectors.col(j);
      const double balance = y.head(D).squaredNorm() - y[D] * y[D];
      EXPECT_LE(std::abs(balance), 1e-12 * Z.trace()) << "vector " << j;
    }
  }
}

TEST(NeuralDecomposition, NetworkPredictsTheLiftedPredictionAndPaysTheTrace) {
  Rng rng(12);
  for (const Activation& activation :
       {Activation::quadratic(), Activation::polynomial(0.09, 0.5, 0.47),
        Activation::polynomial(-1.0, 2.0, -0.5)}) {
    PolynomialProblem problem = small_problem(rng, activation, 15, 3);
    const Eigen::Index D = problem.dim();
    const Eigen::MatrixXd Z = generic_lifted_matrix(rng, D);
    const Eigen::MatrixXd Z_neg = planted_lifted_matrix(rng, D, 2);
    const TwoLayerNetwork network = network_from_lifted(problem, Z, Z_neg);
    EXPECT_EQ(network.activation, activation);
    EXPECT_LE(network.width(), 2 * (D + 1));
    const Eigen::VectorXd lifted = problem.lifted_prediction(Z - Z_neg);
    const Eigen::VectorXd predicted = network.predict_standardized(problem.X.leftCols(D - 1));
    EXPECT_LE((predicted - lifted).lpNorm<Eigen::Infinity>(), 1e-12 * (1.0 + lifted.norm()))
        << activation.name();
    // Unit-norm neurons: [w; b] has norm 1, and sum |alpha_j| = Z4 + Z4'.
    for (Eigen::Index j = 0; j < network.width(); ++j) {
      const double norm = std::sqrt(network.first_weights.row(j).squaredNorm() +
                                    network.first_bias[j] * network.first_bias[j]);
      EXPECT_NEAR(norm, 1.0, 1e-14);
    }
    EXPECT_NEAR(network.regularizer(), Z(D, D) + Z_neg(D, D), 1e-12 * Z.trace());
    // Hence the network's objective is the SDP objective at (Z, Z').
    EXPECT_NEAR(network.objective(problem.X.leftCols(D - 1), problem.y, problem.loss, problem.beta),
                problem.lifted_objective(Z, Z_neg), 1e-11 * problem.lifted_objective(Z, Z_neg));
  }
}

TEST(NeuralDecomposition, QuadraticNetworkFromEigenvectors) {
  Rng rng(13);
  PolynomialProblem problem = small_problem(rng, Activation::quadratic(), 10, 3);
  const Eigen::MatrixXd B = gaussian_matrix(rng, 4, 4);
  const Eigen::MatrixXd W = B + B.transpose();  // indefinite
  const TwoLayerNetwork network = network_from_quadratic(problem, W);
  EXPECT_EQ(network.width(), 4);
  const Eigen::VectorXd predicted = network.predict_standardized(problem.X.leftCols(3));
  EXPECT_LE((predicted - problem.quadratic_prediction(W)).norm(), 1e-12 * predicted.norm());
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eigen(W);
  EXPECT_NEAR(network.regularizer(), eigen.eigenvalues().cwiseAbs().sum(), 1e-12);
}

TEST(TraceBalancedProjection, SatisfiesTheVariationalInequality) {
  // Z = P_C(Y) iff Z in C and <Y - Z, W - Z> <= 0 for every W in C.
  Rng rng(14);
  for (int trial = 0; trial < 20; ++trial) {
    const Eigen::Index size = 2 + trial % 5;
    const Eigen::MatrixXd B = gaussian_matrix(rng, size, size) * (trial % 3 == 0 ? 10.0 : 1.0);
    const Eigen::MatrixXd Y = B + B.transpose();
    const TraceBalancedProjection projection =
        project_trace_balanced_psd(Y, trial % 2 == 0 ? 0.0 : 5.0);
    const Eigen::MatrixXd& Z = projection.Z;
    SCOPED_TRACE("trial " + std::to_string(trial));
    const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eigen(Z);
    EXPECT_GE(eigen.eigenvalues().minCoeff(), -1e-12 * (1.0 + Z.norm()));
    EXPECT_LE(std::abs(j_inner(Z)), 1e-12 * (1.0 + Z.trace()));
    EXPECT_LT(projection.eigen_solves, 60);
    for (int sample = 0; sample < 30; ++sample) {
      const Eigen::MatrixXd W = generic_lifted_matrix(rng, size - 1) * rng.uniform(0.0, 3.0);
      EXPECT_LE((Y - Z).cwiseProduct(W - Z).sum(), 1e-9 * (1.0 + Y.norm()) * (1.0 + W.norm()));
    }
    // Points of C are fixed.
    const Eigen::MatrixXd inside = generic_lifted_matrix(rng, size - 1);
    EXPECT_LE((project_trace_balanced_psd(inside).Z - inside).norm(), 1e-11 * inside.norm());
  }
}

TEST(PolynomialCertificate, LiftedBoundEqualsNuclearNormBoundForPureQuadratics) {
  // With b = c = 0 both duals have the same feasible set: ||X^T diag(lambda) X||_2 <= beta.
  Rng rng(15);
  for (int trial = 0; trial < 10; ++trial) {
    const PolynomialProblem problem = small_problem(rng, Activation::quadratic(), 12, 2);
    // Close to -y/2, so that the best scale of the dual value alone is 1 (above the feasible one).
    const Eigen::VectorXd lambda = -0.5 * problem.y + gaussian_matrix(rng, 12, 1).col(0) * 0.05;
    const PolynomialDualBound quadratic = quadratic_dual_bound(problem, lambda);
    const PolynomialDualBound lifted = lifted_dual_bound(problem, lambda);
    EXPECT_NEAR(lifted.feasible_scale, std::min(1.0, quadratic.feasible_scale),
                1e-9 * quadratic.feasible_scale);
    EXPECT_NEAR(lifted.lower_bound, quadratic.lower_bound,
                1e-9 * (1 + std::abs(quadratic.lower_bound)));
  }
}

TEST(PolynomialCertificate, BoundNeverExceedsAnyNetworkObjective) {
  // Weak duality: L(lambda) <= objective of any unit-norm network, for any lambda.
  Rng rng(16);
  for (const Activation& activation :
       {Activation::quadratic(), Activation::polynomial(0.09, 0.5, 0.47)}) {
    for (int trial = 0; trial < 10; ++trial) {
      PolynomialProblem problem = small_problem(rng, activation, 10, 2);
      const Eigen::Index D = problem.dim();
      const Eigen::MatrixXd Z = planted_lifted_matrix(rng, D, 2) * rng.uniform(0.0, 0.5);
      const Eigen::MatrixXd Z_neg = planted_lifted_matrix(rng, D, 2) * rng.uniform(0.0, 0.5);
      const TwoLayerNetwork network = network_from_lifted(problem, Z, Z_neg);
      const double upper =
          network.objective(problem.X.leftCols(D - 1), problem.y, problem.loss, problem.beta);
      const Eigen::VectorXd lambda =
          loss_gradient(problem.loss, problem.lifted_prediction(Z - Z_neg), problem.y);
      const PolynomialDualBound bound = lifted_dual_bound(problem, lambda);
      EXPECT_LE(bound.lower_bound, upper + 1e-12);
      EXPECT_GE(bound.feasible_scale, 0.0);
      // The scale found is feasible: some theta makes both matrices psd.
      const Eigen::MatrixXd adjoint = problem.lifted_adjoint(lambda);
      for (double sign : {1.0, -1.0}) {
        Eigen::MatrixXd B = sign * bound.scale * adjoint;
        B.diagonal().array() += 0.5 * problem.beta;
        EXPECT_GE(max_min_eigenvalue_over_trace_shift(B), -1e-12);
      }
    }
  }
}

TEST(PolynomialCertificate, MaxMinEigenvalueBeatsAGridOfShifts) {
  Rng rng(17);
  for (int trial = 0; trial < 10; ++trial) {
    const Eigen::MatrixXd A = gaussian_matrix(rng, 4, 4);
    const Eigen::MatrixXd B = A + A.transpose();
    double theta = 0.0;
    const double best = max_min_eigenvalue_over_trace_shift(B, &theta);
    const Eigen::MatrixXd J = trace_balance_matrix(4);
    const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> at_theta(B + theta * J);
    EXPECT_NEAR(at_theta.eigenvalues()[0], best, 1e-12);
    for (double shift = -20.0; shift <= 20.0; shift += 0.01) {
      const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eigen(B + shift * J,
                                                                 Eigen::EigenvaluesOnly);
      ASSERT_LE(eigen.eigenvalues()[0], best + 1e-12) << "shift " << shift;
    }
  }
}

}  // namespace
}  // namespace convexnn
