#include "convexnn/standardization.h"

#include <cmath>
#include <string>

#include "convexnn/errors.h"

namespace convexnn {

Standardization Standardization::fit(const Eigen::MatrixXd& X) {
  Standardization z;
  z.mean = Eigen::RowVectorXd::Zero(X.cols());
  z.scale = Eigen::RowVectorXd::Ones(X.cols());
  if (X.rows() == 0) return z;  // nothing to learn from; keep the identity transform
  z.mean = X.colwise().mean();
  for (Eigen::Index j = 0; j < X.cols(); ++j) {
    // Population (1/n) deviation, computed around the mean in a second pass for accuracy.
    const double deviation = std::sqrt((X.col(j).array() - z.mean[j]).square().mean());
    // A constant feature carries no information; dividing by ~0 would only amplify rounding.
    z.scale[j] = deviation < 1e-12 ? 1.0 : deviation;
  }
  return z;
}

Eigen::MatrixXd Standardization::apply(const Eigen::MatrixXd& X) const {
  if (X.cols() != mean.size()) {
    throw InputError("standardization was fitted on " + std::to_string(mean.size()) +
                     " features but the data has " + std::to_string(X.cols()));
  }
  return ((X.rowwise() - mean).array().rowwise() / scale.array()).matrix();
}

}  // namespace convexnn
