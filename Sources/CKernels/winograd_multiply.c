// The 36 per-point GEMMs of Winograd F(4x4, 3x3): M[p] = V[p] · U[p], [rows x K]·[K x N].
// Register-blocked without packing: V's rows are read in place (row-major, lda = K) and U's
// column panel is cut into K blocks that stay in L1 while every row block of the chunk runs
// over it. Called from ftune's own threads, one (point, column block) per call, so the work
// spreads over the cores without OpenBLAS's thread pool (which spins between the 36 small
// GEMMs and competes with the transforms for the cores).
#include "ckernels.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#include "simd_lanes.h"
#endif

// Rows of U per K block: a block of the column panel (KB x 64 floats = 32 KB) fits L1.
#define WM_KB 128

static void mul_scalar(
    const float *a, const float *b, size_t ldb, float *c, size_t ldc, int rows, int K,
    int n0, int n1) {
  for (int r = 0; r < rows; r++) {
    float *cr = c + (size_t)r * ldc;
    for (int n = n0; n < n1; n++) cr[n] = 0.0f;
    for (int k = 0; k < K; k++) {
      const float av = a[(size_t)r * K + k];
      const float *br = b + (size_t)k * ldb;
      for (int n = n0; n < n1; n++) cr[n] += av * br[n];
    }
  }
}

#if defined(__x86_64__) || defined(__i386__)

// AVX-512: R (<= 6) rows x 64 columns (four vectors) of C in registers.
__attribute__((target("avx512f"))) static inline __attribute__((always_inline)) void
tile_avx512(
    const float *a, size_t lda, const float *b, size_t ldb, float *c, size_t ldc, const int R,
    int K, int accumulate, const __mmask16 *mk) {
  __m512 acc[6][4];
  for (int i = 0; i < 6; i++) {
    if (i >= R) continue;
    for (int j = 0; j < 4; j++) {
      acc[i][j] = accumulate ? _mm512_maskz_loadu_ps(mk[j], c + i * ldc + 16 * j)
                             : _mm512_setzero_ps();
    }
  }
  for (int k = 0; k < K; k++) {
    const float *bk = b + (size_t)k * ldb;
    const __m512 b0 = _mm512_maskz_loadu_ps(mk[0], bk);
    const __m512 b1 = _mm512_maskz_loadu_ps(mk[1], bk + 16);
    const __m512 b2 = _mm512_maskz_loadu_ps(mk[2], bk + 32);
    const __m512 b3 = _mm512_maskz_loadu_ps(mk[3], bk + 48);
    for (int i = 0; i < 6; i++) {
      if (i >= R) continue;
      const __m512 x = _mm512_set1_ps(a[i * lda + k]);
      acc[i][0] = _mm512_fmadd_ps(x, b0, acc[i][0]);
      acc[i][1] = _mm512_fmadd_ps(x, b1, acc[i][1]);
      acc[i][2] = _mm512_fmadd_ps(x, b2, acc[i][2]);
      acc[i][3] = _mm512_fmadd_ps(x, b3, acc[i][3]);
    }
  }
  for (int i = 0; i < 6; i++) {
    if (i >= R) continue;
    for (int j = 0; j < 4; j++) _mm512_mask_storeu_ps(c + i * ldc + 16 * j, mk[j], acc[i][j]);
  }
}

__attribute__((target("avx512f"))) static void mul_avx512(
    const float *a, const float *b, size_t ldb, float *c, size_t ldc, int rows, int K,
    int n0, int n1) {
  for (int nb = n0; nb < n1; nb += 64) {
    __mmask16 mk[4];
    for (int j = 0; j < 4; j++) {
      const int left = n1 - nb - 16 * j;
      mk[j] = left >= 16 ? 0xFFFF : (left <= 0 ? 0 : (__mmask16)((1u << left) - 1));
    }
    for (int kb = 0; kb < K; kb += WM_KB) {
      const int kl = K - kb < WM_KB ? K - kb : WM_KB;
      const float *bp = b + (size_t)kb * ldb + nb;
      int r = 0;
      for (; r + 6 <= rows; r += 6)
        tile_avx512(a + (size_t)r * K + kb, K, bp, ldb, c + r * ldc + nb, ldc, 6, kl, kb > 0, mk);
      const float *ar = a + (size_t)r * K + kb;
      float *cr = c + r * ldc + nb;
      switch (rows - r) {
      case 5: tile_avx512(ar, K, bp, ldb, cr, ldc, 5, kl, kb > 0, mk); break;
      case 4: tile_avx512(ar, K, bp, ldb, cr, ldc, 4, kl, kb > 0, mk); break;
      case 3: tile_avx512(ar, K, bp, ldb, cr, ldc, 3, kl, kb > 0, mk); break;
      case 2: tile_avx512(ar, K, bp, ldb, cr, ldc, 2, kl, kb > 0, mk); break;
      case 1: tile_avx512(ar, K, bp, ldb, cr, ldc, 1, kl, kb > 0, mk); break;
      default: break;
      }
    }
  }
}

// AVX2: R (<= 6) rows x 16 columns (two vectors); the column tail through lane masks.
__attribute__((target("avx2,fma"))) static inline __attribute__((always_inline)) void
tile_avx2(
    const float *a, size_t lda, const float *b, size_t ldb, float *c, size_t ldc, const int R,
    int K, int accumulate, __m256i m0, __m256i m1, const int full) {
  __m256 acc[6][2];
  for (int i = 0; i < 6; i++) {
    if (i >= R) continue;
    acc[i][0] = accumulate ? _mm256_maskload_ps(c + i * ldc, m0) : _mm256_setzero_ps();
    acc[i][1] = accumulate ? _mm256_maskload_ps(c + i * ldc + 8, m1) : _mm256_setzero_ps();
  }
  for (int k = 0; k < K; k++) {
    const float *bk = b + (size_t)k * ldb;
    const __m256 b0 = full ? _mm256_loadu_ps(bk) : _mm256_maskload_ps(bk, m0);
    const __m256 b1 = full ? _mm256_loadu_ps(bk + 8) : _mm256_maskload_ps(bk + 8, m1);
    for (int i = 0; i < 6; i++) {
      if (i >= R) continue;
      const __m256 x = _mm256_broadcast_ss(a + i * lda + k);
      acc[i][0] = _mm256_fmadd_ps(x, b0, acc[i][0]);
      acc[i][1] = _mm256_fmadd_ps(x, b1, acc[i][1]);
    }
  }
  for (int i = 0; i < 6; i++) {
    if (i >= R) continue;
    _mm256_maskstore_ps(c + i * ldc, m0, acc[i][0]);
    _mm256_maskstore_ps(c + i * ldc + 8, m1, acc[i][1]);
  }
}

__attribute__((target("avx2,fma"))) static void mul_avx2(
    const float *a, const float *b, size_t ldb, float *c, size_t ldc, int rows, int K,
    int n0, int n1) {
  for (int nb = n0; nb < n1; nb += 16) {
    const __m256i m0 = ck_lanes256(n1 - nb), m1 = ck_lanes256(n1 - nb - 8);
    for (int kb = 0; kb < K; kb += WM_KB) {
      const int kl = K - kb < WM_KB ? K - kb : WM_KB;
      const float *bp = b + (size_t)kb * ldb + nb;
      int r = 0;
      if (n1 - nb >= 16) {
        for (; r + 6 <= rows; r += 6)
          tile_avx2(a + (size_t)r * K + kb, K, bp, ldb, c + r * ldc + nb, ldc, 6, kl, kb > 0,
                    m0, m1, 1);
      } else {
        for (; r + 6 <= rows; r += 6)
          tile_avx2(a + (size_t)r * K + kb, K, bp, ldb, c + r * ldc + nb, ldc, 6, kl, kb > 0,
                    m0, m1, 0);
      }
      const float *ar = a + (size_t)r * K + kb;
      float *cr = c + r * ldc + nb;
      switch (rows - r) {
      case 5: tile_avx2(ar, K, bp, ldb, cr, ldc, 5, kl, kb > 0, m0, m1, 0); break;
      case 4: tile_avx2(ar, K, bp, ldb, cr, ldc, 4, kl, kb > 0, m0, m1, 0); break;
      case 3: tile_avx2(ar, K, bp, ldb, cr, ldc, 3, kl, kb > 0, m0, m1, 0); break;
      case 2: tile_avx2(ar, K, bp, ldb, cr, ldc, 2, kl, kb > 0, m0, m1, 0); break;
      case 1: tile_avx2(ar, K, bp, ldb, cr, ldc, 1, kl, kb > 0, m0, m1, 0); break;
      default: break;
      }
    }
  }
}
#endif

void ck_winograd_multiply(
    const float *v, size_t vStride, const float *u, size_t uStride, int ldu, float *m,
    size_t mStride, int ldm, int rows, int K, int p0, int p1, int n0, int n1) {
  if (rows <= 0 || K <= 0 || n1 <= n0) return;
  const ck_isa isa = ck_active_isa();
  for (int p = p0; p < p1; p++) {
    const float *a = v + (size_t)p * vStride;
    const float *b = u + (size_t)p * uStride;
    float *c = m + (size_t)p * mStride;
    switch (isa) {
#if defined(__x86_64__) || defined(__i386__)
    case CK_ISA_AVX512: mul_avx512(a, b, (size_t)ldu, c, (size_t)ldm, rows, K, n0, n1); break;
    case CK_ISA_AVX2: mul_avx2(a, b, (size_t)ldu, c, (size_t)ldm, rows, K, n0, n1); break;
#endif
    default: mul_scalar(a, b, (size_t)ldu, c, (size_t)ldm, rows, K, n0, n1); break;
    }
  }
}
