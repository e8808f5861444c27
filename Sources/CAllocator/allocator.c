// glibc malloc settings (malloc.h is not visible to Swift's Glibc module).
#include "callocator.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

int ck_malloc_reuse_freed(void) {
#if defined(__GLIBC__)
  // No mmap-per-block, no trimming, 64 MB growth steps: freed buffers are reused.
  int ok = mallopt(M_MMAP_MAX, 0);
  ok &= mallopt(M_TRIM_THRESHOLD, 0x7fffffff);
  ok &= mallopt(M_TOP_PAD, 64 << 20);
  return ok;
#else
  return 0;
#endif
}
