// AVX2 tails shared by the kernels' AVX2 paths: a mask of the first n of 8 float lanes, and
// a load/store that uses it only for a partial block (internal to CKernels).
#ifndef CK_SIMD_LANES_H
#define CK_SIMD_LANES_H
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

#define CK_AVX2_INLINE static inline __attribute__((always_inline, target("avx2,fma")))

CK_AVX2_INLINE __m256i ck_lanes256(int n) {
  const __m256i idx = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), idx);
}

CK_AVX2_INLINE __m256 ck_ld256(int n, const float *p) {
  return n >= 8 ? _mm256_loadu_ps(p) : _mm256_maskload_ps(p, ck_lanes256(n));
}

CK_AVX2_INLINE void ck_st256(float *p, int n, __m256 v) {
  if (n >= 8) _mm256_storeu_ps(p, v);
  else _mm256_maskstore_ps(p, ck_lanes256(n), v);
}

#endif
#endif
