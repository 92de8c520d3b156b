#include "convexnn/dataset.h"

#include <stdexcept>
#include <string>

namespace convexnn {

Dataset Dataset::subset(const std::vector<Eigen::Index>& rows) const {
  Dataset result;
  const auto count = static_cast<Eigen::Index>(rows.size());
  result.X.resize(count, X.cols());
  result.y.resize(count);
  for (Eigen::Index r = 0; r < count; ++r) {
    const Eigen::Index row = rows[static_cast<std::size_t>(r)];
    // Eigen checks indices only in debug builds; a bad index here is a programming error.
    if (row < 0 || row >= X.rows() || row >= y.size()) {
      throw std::out_of_range("Dataset::subset: row " + std::to_string(row) + " is outside 0.." +
                              std::to_string(X.rows() - 1));
    }
    result.X.row(r) = X.row(row);
    result.y[r] = y[row];
  }
  result.feature_names = feature_names;
  result.label_name = label_name;
  result.label_mapping = label_mapping;
  result.source = source;
  return result;
}

}  // namespace convexnn
