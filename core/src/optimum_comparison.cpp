#include "convexnn/optimum_comparison.h"

#include <algorithm>
#include <cmath>

namespace convexnn {

double relative_excess(double objective, double optimum) {
  return (objective - optimum) / std::max(1e-12, std::abs(optimum));
}

OptimumTally tally_against_optimum(const std::vector<double>& objectives, double optimum) {
  OptimumTally tally;
  for (const double objective : objectives) {
    const double excess = relative_excess(objective, optimum);
    if (excess <= kReachedOptimumFraction) ++tally.within;
    if (excess < -kReachedOptimumFraction) ++tally.far_below;
  }
  return tally;
}

}  // namespace convexnn
