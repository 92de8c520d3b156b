#pragma once
// How a running solver reports progress and how a caller stops it (in the spirit of Ceres'
// IterationCallback and ensmallen's callbacks).
#include <Eigen/Core>
#include <cstdint>
#include <limits>

namespace convexnn {

struct TwoLayerNetwork;

// One report. Quantities that a solver cannot compute are NaN.
struct IterationReport {
  std::int64_t iteration = 0;
  double convex_objective = 0.0;  // objective of the convex program at the current iterate
  double network_objective =
      0.0;  // non-convex objective of the network recovered from this iterate
  double best_network_objective = 0.0;  // upper bound U: best objective of a feasible point so far
  double lower_bound = 0.0;             // certified lower bound L (best so far)
  double relative_gap = 0.0;            // (U - L) / max(1, |U|)
  double primal_residual = 0.0;
  double dual_residual = 0.0;
  double rho = 0.0;
  std::int64_t active_neurons = 0;
  double train_accuracy = 0.0;
  double test_accuracy = 0.0;  // NaN without a test set
  // Fraction of training samples certified robust at the training epsilon by the exact local
  // check of science.md 6.3 (local_robustness.h); NaN when the solver does not compute it.
  double robust_train_accuracy = std::numeric_limits<double>::quiet_NaN();
  double elapsed_seconds = 0.0;
};

// A report on a network that is no convex iterate (back-propagation, sliding neurons): the
// convex-only fields (convex objective, lower bound, gap, residuals, rho) are NaN.
inline IterationReport network_only_report(std::int64_t iteration, double objective,
                                           double best_objective) {
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  IterationReport report;
  report.iteration = iteration;
  report.convex_objective = kNaN;
  report.network_objective = objective;
  report.best_network_objective = best_objective;
  report.lower_bound = kNaN;
  report.relative_gap = kNaN;
  report.primal_residual = kNaN;
  report.dual_residual = kNaN;
  report.rho = kNaN;
  return report;
}

// Gives the observer access to the current iterate without copying it on every report.
class IterateView {
 public:
  virtual ~IterateView() = default;
  // The recovered network at this iterate (zero blocks dropped).
  virtual TwoLayerNetwork network() const = 0;
};

enum class ObserverAction { kContinue, kStop };

class SolverObserver {
 public:
  virtual ~SolverObserver() = default;
  // Called from the solver's thread every `report_every` iterations and once at the end.
  // Returning kStop ends the run with status kCancelled.
  virtual ObserverAction on_iteration(const IterationReport& report,
                                      const IterateView& iterate) = 0;
};

}  // namespace convexnn
