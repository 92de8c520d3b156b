#pragma once
// Thread control for the parallel kernels (oneTBB stays out of this header, so GUI code can
// include it).
#include <functional>

namespace convexnn {

// Runs `work` with at most `threads` oneTBB threads (the calling thread included); 0 leaves the
// default (all hardware threads). Results do not depend on it (pattern_products.h); the time does.
void run_with_thread_limit(int threads, const std::function<void()>& work);

// The number of threads parallel kernels use here and now.
int available_threads();

}  // namespace convexnn
