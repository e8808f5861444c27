// Run-time choice of the instruction set: the CPU's best unless a test forces one, or
// FTUNE_ISA=avx2|scalar caps it for the whole process (to measure the AVX2 path on an
// AVX-512 machine; with FTUNE_BLAS_CORETYPE=Haswell for OpenBLAS's side).
#include <stdlib.h>
#include <string.h>
#include "ckernels.h"

// Per thread, so a test forcing a path does not change the kernels of tests running beside
// it; Parallel.forEach hands the caller's choice to its workers.
static _Thread_local int forced_isa = -1;

ck_isa ck_detect_isa(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  // compiler-rt also checks that the OS saves the wide registers (XCR0).
  if (__builtin_cpu_supports("avx512f")) return CK_ISA_AVX512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return CK_ISA_AVX2;
#endif
  return CK_ISA_SCALAR;
}

ck_isa ck_active_isa(void) {
  static int detected = -1;
  int d = __atomic_load_n(&detected, __ATOMIC_RELAXED);
  if (d < 0) {
    d = (int)ck_detect_isa();
    const char *cap = getenv("FTUNE_ISA");
    if (cap && strcmp(cap, "avx2") == 0 && d > CK_ISA_AVX2) d = CK_ISA_AVX2;
    if (cap && strcmp(cap, "scalar") == 0) d = CK_ISA_SCALAR;
    __atomic_store_n(&detected, d, __ATOMIC_RELAXED);
  }
  int f = forced_isa;
  return (ck_isa)(f >= 0 && f < d ? f : d);
}

void ck_force_isa(int isa) { forced_isa = isa; }

int ck_forced_isa(void) { return forced_isa; }
