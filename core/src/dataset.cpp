#include "convexnn/dataset.h"

namespace convexnn {

Dataset Dataset::subset(const std::vector<Eigen::Index>& rows) const {
  Dataset result;
  result.X.resize(static_cast<Eigen::Index>(rows.size()), X.cols());
  result.y.resize(static_cast<Eigen::Index>(rows.size()));
  for (std::size_t r = 0; r < rows.size(); ++r) {
    result.X.row(static_cast<Eigen::Index>(r)) = X.row(rows[r]);
    result.y[static_cast<Eigen::Index>(r)] = y[rows[r]];
  }
  result.feature_names = feature_names;
  result.label_name = label_name;
  result.label_mapping = label_mapping;
  result.source = source;
  return result;
}

}  // namespace convexnn
