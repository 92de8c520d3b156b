#pragma once
// A two-class dataset: features X (n x d) and labels y in {-1, +1}.
#include <Eigen/Dense>
#include <string>
#include <vector>

namespace convexnn {

// How the original two label values were mapped to -1 and +1 (kept so predictions can be reported
// in the user's own label values).
struct LabelMapping {
  double negative_value = -1.0;  // original value mapped to -1
  double positive_value = 1.0;   // original value mapped to +1
};

struct Dataset {
  Eigen::MatrixXd X;                       // n x d features, row per sample
  Eigen::VectorXd y;                       // n labels in {-1, +1}
  std::vector<std::string> feature_names;  // d names
  std::string label_name = "y";
  LabelMapping label_mapping;
  std::string source;  // file path or generator description, for messages and sessions

  Eigen::Index num_samples() const { return X.rows(); }
  Eigen::Index num_features() const { return X.cols(); }
  Eigen::Index count_label(double label) const { return (y.array() == label).count(); }
  // Rows selected by index, keeping names and mapping.
  Dataset subset(const std::vector<Eigen::Index>& rows) const;
};

}  // namespace convexnn
