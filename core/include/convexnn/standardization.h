#pragma once
// z-score standardization: z = (x - mean) / scale, fitted on training data and stored with the model.
#include <Eigen/Dense>

namespace convexnn {

struct Standardization {
  Eigen::RowVectorXd mean;
  Eigen::RowVectorXd scale;  // never zero: constant features get scale 1

  static Standardization fit(const Eigen::MatrixXd& X);
  Eigen::MatrixXd apply(const Eigen::MatrixXd& X) const;
};

}  // namespace convexnn
