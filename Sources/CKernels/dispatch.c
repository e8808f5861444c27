// Run-time choice of the instruction set: the CPU's best unless a test forces one.
#include "ckernels.h"

static int forced_isa = -1;

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
    __atomic_store_n(&detected, d, __ATOMIC_RELAXED);
  }
  int f = __atomic_load_n(&forced_isa, __ATOMIC_RELAXED);
  return (ck_isa)(f >= 0 && f < d ? f : d);
}

void ck_force_isa(int isa) { __atomic_store_n(&forced_isa, isa, __ATOMIC_RELAXED); }
