#pragma once
// How trained networks' objectives compare with a convex program's optimum U (the `compare`
// command and the Studio's baseline panel use the same rule, so they report the same counts).
#include <vector>

namespace convexnn {

// "Reached the optimum" means an objective at most this fraction above U.
constexpr double kReachedOptimumFraction = 0.01;

// (objective - optimum) / |optimum|: negative when the network ends below U.
double relative_excess(double objective, double optimum);

struct OptimumTally {
  int within = 0;  // at most kReachedOptimumFraction above U (those below it included)
  // More than kReachedOptimumFraction below U: possible only for networks whose activation
  // patterns the sampled program does not contain.
  int far_below = 0;
};

OptimumTally tally_against_optimum(const std::vector<double>& objectives, double optimum);

}  // namespace convexnn
