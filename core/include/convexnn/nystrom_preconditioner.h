#pragma once
// Randomized Nystrom approximation of a symmetric positive semidefinite operator A given only by
// its products, A ~ U diag(lambda) U^T of rank s, and the preconditioner it yields for
// (A + mu I) x = b (Frangella, Tropp & Udell, SIAM J. Matrix Anal. Appl. 2023, Algorithms 2.1
// and 5.1; the u-update of CRONOS, Feng, Frangella & Pilanci, NeurIPS 2024):
//   P^{-1} = (lambda_s + mu) U (diag(lambda) + mu I)^{-1} U^T + (I - U U^T).
// With A's spectrum decaying fast (image data), P^{-1}(A + mu I) has condition number about
// (lambda_s + mu) / mu, so conjugate gradients converge in a few steps for any mu >= lambda_s.
#include <Eigen/Dense>
#include <cstdint>
#include <functional>

namespace convexnn {

// apply(V) = A V for an N x k matrix V, column by column.
using BlockOperator = std::function<Eigen::MatrixXd(const Eigen::MatrixXd&)>;

class NystromPreconditioner {
 public:
  NystromPreconditioner() = default;
  // Sketches A with a Gaussian test matrix of `rank` columns (seeded, so reproducible). Costs
  // one call of `apply` on an N x rank matrix. `operator_accuracy` is the relative rounding of
  // `apply` (double epsilon; about 1e-6 for float products): it sets the stabilizing shift.
  // Throws InputError when A is not positive semidefinite.
  NystromPreconditioner(Eigen::Index dimension, Eigen::Index rank, const BlockOperator& apply,
                        std::uint64_t seed, double operator_accuracy = 0.0);

  Eigen::Index dimension() const { return basis_.rows(); }
  // The approximate eigenvalues, descending (lambda_1 >= ... >= lambda_s >= 0).
  const Eigen::VectorXd& eigenvalues() const { return eigenvalues_; }
  const Eigen::MatrixXd& basis() const { return basis_; }
  // P^{-1} v for the shift mu > 0.
  Eigen::VectorXd apply_inverse(const Eigen::VectorXd& v, double mu) const;

 private:
  Eigen::MatrixXd basis_;        // U, N x s with orthonormal columns
  Eigen::VectorXd eigenvalues_;  // lambda
};

}  // namespace convexnn
