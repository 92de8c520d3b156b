#include "convexnn/nystrom_preconditioner.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "convexnn/errors.h"
#include "convexnn/random.h"

namespace convexnn {

NystromPreconditioner::NystromPreconditioner(Eigen::Index dimension, Eigen::Index rank,
                                             const BlockOperator& apply, std::uint64_t seed,
                                             double operator_accuracy) {
  if (dimension < 1 || rank < 1) {
    throw InputError("the Nystrom sketch needs a positive dimension and rank");
  }
  rank = std::min(rank, dimension);
  Rng rng(seed);
  Eigen::MatrixXd test(dimension, rank);
  for (Eigen::Index k = 0; k < test.size(); ++k) test(k) = rng.normal();
  // Orthonormal test matrix Omega (thin QR).
  const Eigen::HouseholderQR<Eigen::MatrixXd> qr(test);
  const Eigen::MatrixXd omega = qr.householderQ() * Eigen::MatrixXd::Identity(dimension, rank);
  Eigen::MatrixXd sketch = apply(omega);  // Y = A Omega
  if (sketch.rows() != dimension || sketch.cols() != rank || !sketch.allFinite()) {
    throw InputError("the operator given to the Nystrom sketch returned a wrong shape or NaN");
  }
  // A small shift keeps the Cholesky factor of Omega^T Y defined when A is singular or its
  // products are rounded (a float operator); it is subtracted from the eigenvalues afterwards.
  // Should rounding still leave the core indefinite, the shift grows tenfold, a few times.
  double shift = std::sqrt(static_cast<double>(dimension)) *
                 std::max(operator_accuracy, std::numeric_limits<double>::epsilon()) *
                 std::max(sketch.norm(), std::numeric_limits<double>::min());
  Eigen::LLT<Eigen::MatrixXd> cholesky;
  for (int attempt = 0;; ++attempt) {
    Eigen::MatrixXd core = omega.transpose() * (sketch + shift * omega);
    core = 0.5 * (core + core.transpose());
    cholesky.compute(core);
    if (cholesky.info() == Eigen::Success) break;
    if (attempt == 4) {
      throw InputError("the Nystrom sketch's core matrix is not positive definite (is A PSD?)");
    }
    shift *= 10.0;
  }
  sketch += shift * omega;
  // B = Y C^{-T} with core = C C^T (C lower), so that B B^T = Y core^{-1} Y^T.
  const Eigen::MatrixXd factor = cholesky.matrixL().solve(sketch.transpose()).transpose();  // N x s
  const Eigen::JacobiSVD<Eigen::MatrixXd> svd(factor, Eigen::ComputeThinU);
  basis_ = svd.matrixU();
  eigenvalues_ = (svd.singularValues().array().square() - shift).cwiseMax(0.0).matrix();
}

Eigen::VectorXd NystromPreconditioner::apply_inverse(const Eigen::VectorXd& v, double mu) const {
  if (basis_.cols() == 0) return v;
  const Eigen::VectorXd coefficients = basis_.transpose() * v;
  const double last = eigenvalues_[eigenvalues_.size() - 1];
  const Eigen::VectorXd scaled =
      ((last + mu) / (eigenvalues_.array() + mu) - 1.0).matrix().cwiseProduct(coefficients);
  return v + basis_ * scaled;
}

}  // namespace convexnn
