#pragma once
// How the process's heap treats freed memory. The solvers free and re-allocate n x 2P
// temporaries (16 MB on teacher10) many times a second, and glibc hands each such block back to
// the kernel and faults its pages in again on the next allocation. teacher10 on one thread: AL
// 1500 iterations 55.1 s -> 44.5 s, ADMM 800 iterations 22.4 s -> 19.3 s with the heap kept,
// same peak memory. No-ops where the C library is not glibc.
namespace convexnn {

// Keep freed memory in the process (up to 1 GB) instead of returning it at once: call at
// start-up, before the first solve.
void keep_freed_heap();

// Return the freed memory the process keeps to the kernel: for a long-lived program (the Studio)
// when a run ends, so an idle session does not hold a finished run's peak.
void release_freed_heap();

}  // namespace convexnn
