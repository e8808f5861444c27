// glibc malloc settings for Runtime's AllocatorTuning: malloc.h (mallopt) is not visible to
// Swift's Glibc module, so this one call is C.
#ifndef CALLOCATOR_H
#define CALLOCATOR_H

/// Makes glibc's malloc serve large blocks from the heap and keep freed memory, so
/// activation buffers are reused instead of mmap'ed and page-faulted anew. 1 when applied.
int ck_malloc_reuse_freed(void);

#endif
