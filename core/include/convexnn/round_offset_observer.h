#pragma once
// Column generation solves one program per round, and each solve counts its iterations and time
// from zero. This adaptor continues them across rounds, so that logs and charts see one run.
#include <cstdint>

#include "convexnn/solver_observer.h"

namespace convexnn {

class RoundOffsetObserver final : public SolverObserver {
 public:
  explicit RoundOffsetObserver(SolverObserver* inner) : inner_(inner) {}

  // The next solve's reports are shifted by these (the iterations and seconds before it).
  void begin_round(std::int64_t iteration_offset, double elapsed_offset) {
    iteration_offset_ = iteration_offset;
    elapsed_offset_ = elapsed_offset;
  }

  ObserverAction on_iteration(const IterationReport& report,
                              const IterateView& iterate) override {
    IterationReport shifted = report;
    shifted.iteration += iteration_offset_;
    shifted.elapsed_seconds += elapsed_offset_;
    return inner_->on_iteration(shifted, iterate);
  }

 private:
  SolverObserver* inner_;
  std::int64_t iteration_offset_ = 0;
  double elapsed_offset_ = 0.0;
};

}  // namespace convexnn
