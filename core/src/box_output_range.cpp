#include "convexnn/box_output_range.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "convexnn/errors.h"

namespace convexnn {

OutputRange output_range_on_box_2d(const TwoLayerNetwork& network, const Eigen::Vector2d& center,
                                   double radius) {
  if (network.input_dim() != 2) {
    throw InputError("the exact box range needs a 2-D network (this one has " +
                     std::to_string(network.input_dim()) + " inputs)");
  }
  // Every piecewise-linear activation has its only kink at 0, so f is affine on the cells of the
  // neuron lines and its extremes lie at the candidate points below; degree-2 activations are not.
  if (!network.activation.positively_homogeneous()) {
    throw InputError(
        "the exact box range needs a piecewise-linear activation (relu, leaky-relu or "
        "abs); this network uses '" +
        network.activation.name() + "'");
  }
  // Neuron lines a x + b y + c = 0 in raw units (standardization folded in).
  const Eigen::Index m = network.width();
  Eigen::MatrixXd lines(m, 3);
  for (Eigen::Index j = 0; j < m; ++j) {
    double a = network.first_weights(j, 0);
    double b = network.first_weights(j, 1);
    double c = network.first_bias(j);
    if (network.standardization) {
      const Standardization& s = *network.standardization;
      a /= s.scale(0);
      b /= s.scale(1);
      c -= a * s.mean(0) + b * s.mean(1);
    }
    lines.row(j) << a, b, c;
  }
  const double x0 = center(0) - radius, x1 = center(0) + radius;
  const double y0 = center(1) - radius, y1 = center(1) + radius;
  const double slack = 1e-12 * (1.0 + std::abs(center(0)) + std::abs(center(1)) + radius);
  const auto inside = [&](double x, double y) {
    return x >= x0 - slack && x <= x1 + slack && y >= y0 - slack && y <= y1 + slack;
  };
  std::vector<Eigen::Vector2d> candidates = {{x0, y0}, {x0, y1}, {x1, y0}, {x1, y1}};
  for (Eigen::Index j = 0; j < m; ++j) {
    const double a = lines(j, 0), b = lines(j, 1), c = lines(j, 2);
    if (b != 0.0) {
      for (const double x : {x0, x1}) {
        const double y = -(a * x + c) / b;
        if (inside(x, y)) candidates.emplace_back(x, std::clamp(y, y0, y1));
      }
    }
    if (a != 0.0) {
      for (const double y : {y0, y1}) {
        const double x = -(b * y + c) / a;
        if (inside(x, y)) candidates.emplace_back(std::clamp(x, x0, x1), y);
      }
    }
    for (Eigen::Index k = j + 1; k < m; ++k) {
      const double det = a * lines(k, 1) - b * lines(k, 0);
      const double scale =
          (std::abs(a) + std::abs(b)) * (std::abs(lines(k, 0)) + std::abs(lines(k, 1)));
      if (!(std::abs(det) > 1e-14 * scale)) {
        continue;  // parallel lines meet nowhere (or everywhere: their points are covered above)
      }
      const double x = (b * lines(k, 2) - c * lines(k, 1)) / det;
      const double y = (c * lines(k, 0) - a * lines(k, 2)) / det;
      if (inside(x, y)) candidates.emplace_back(std::clamp(x, x0, x1), std::clamp(y, y0, y1));
    }
  }
  Eigen::MatrixXd points(static_cast<Eigen::Index>(candidates.size()), 2);
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    points.row(static_cast<Eigen::Index>(i)) = candidates[i].transpose();
  }
  const Eigen::VectorXd values = network.predict(points);
  return {values.minCoeff(), values.maxCoeff()};
}

}  // namespace convexnn
