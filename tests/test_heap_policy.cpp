#include <gtest/gtest.h>

#include <cstddef>
#include <memory>

#include "convexnn/heap_policy.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace convexnn {
namespace {

#if defined(__GLIBC__)
// A freed 64 MB block (above glibc's largest automatic mmap threshold, 32 MB, so by default it is
// mapped and unmapped on its own) stays in the heap after keep_freed_heap, and release_freed_heap
// returns it.
TEST(HeapPolicy, KeepsAFreedBlockUntilReleased) {
  keep_freed_heap();
  constexpr std::size_t kBlock = std::size_t{64} << 20;
  {
    const std::unique_ptr<char[]> block(new char[kBlock]);
    for (std::size_t i = 0; i < kBlock; i += 4096) block[i] = static_cast<char>(i);
    EXPECT_EQ(block[4096], static_cast<char>(4096));
  }
  const struct mallinfo2 kept = mallinfo2();
  EXPECT_GE(kept.fordblks, kBlock);  // free bytes the heap holds
  release_freed_heap();
  const struct mallinfo2 released = mallinfo2();
  EXPECT_LT(released.keepcost, kBlock / 64);  // the releasable top of the heap is gone
}
#endif

}  // namespace
}  // namespace convexnn
