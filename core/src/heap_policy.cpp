#include "convexnn/heap_policy.h"

#include <cstdlib>  // defines __GLIBC__ (via features.h) for the check below

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace convexnn {

void keep_freed_heap() {
#if defined(__GLIBC__)
  mallopt(M_MMAP_THRESHOLD, 1 << 30);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
#endif
}

void release_freed_heap() {
#if defined(__GLIBC__)
  malloc_trim(0);
#endif
}

}  // namespace convexnn
