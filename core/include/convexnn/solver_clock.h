#pragma once
// The clock every solver times itself with (summaries, reports, time limits).
#include <chrono>

namespace convexnn {

using SolverClock = std::chrono::steady_clock;

inline double seconds_since(SolverClock::time_point start) {
  return std::chrono::duration<double>(SolverClock::now() - start).count();
}

}  // namespace convexnn
