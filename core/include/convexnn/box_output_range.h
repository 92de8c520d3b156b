#pragma once
// The exact range of a 2-D two-layer piecewise-linear (ReLU, leaky ReLU, abs) network over an
// axis-aligned box. f is piecewise linear with pieces cut by the neurons' lines, so its extremes
// over the box are attained at vertices of that arrangement inside the box: the corners, where a
// neuron's line crosses an edge, and where two neurons' lines cross. Checking all of them is exact
// (unlike the stable-neuron bound of local_robustness.h, which is sound but loose when a neuron can
// flip).
#include <Eigen/Dense>

#include "convexnn/two_layer_network.h"

namespace convexnn {

struct OutputRange {
  double min = 0.0;
  double max = 0.0;
};

// f over [center - radius, center + radius] (raw units, 2-D networks only; radius >= 0).
// Cost O(m^2) for m neurons. Throws InputError for other input dimensions.
OutputRange output_range_on_box_2d(const TwoLayerNetwork& network, const Eigen::Vector2d& center,
                                   double radius);

}  // namespace convexnn
