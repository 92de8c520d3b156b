#include "convexnn/standardization.h"

#include <cmath>

namespace convexnn {

Standardization Standardization::fit(const Eigen::MatrixXd& X) {
  Standardization z;
  z.mean = X.colwise().mean();
  z.scale.resize(X.cols());
  for (Eigen::Index j = 0; j < X.cols(); ++j) {
    const double variance =
        X.rows() > 0 ? (X.col(j).array() - z.mean[j]).square().mean() : 0.0;
    const double deviation = std::sqrt(variance);
    z.scale[j] = deviation > 1e-12 ? deviation : 1.0;  // constant feature: leave it centred only
  }
  return z;
}

Eigen::MatrixXd Standardization::apply(const Eigen::MatrixXd& X) const {
  return ((X.rowwise() - mean).array().rowwise() / scale.array()).matrix();
}

}  // namespace convexnn
