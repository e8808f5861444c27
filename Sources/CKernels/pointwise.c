// 1x1 convolution on NHWC as a register-blocked GEMM with the bias (folded BatchNorm) and
// a clamp (ReLU/ReLU6) applied before each output tile is stored: out[r, n] =
// clamp(bias[n] + sum_k x[r, k] * w[k, n]). The output is written exactly once, where
// GEMM + separate bias/activation passes stream it three to four times. No packing: meant
// for the small K (16-960) of inverted-residual blocks, with the weight panel in L2.
#include "ckernels.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#include "simd_lanes.h"
#endif

static void pw_scalar(
    const float *x, const float *w, const float *bias, float *out, size_t rows, int K, int N,
    int clamp, float lo, float hi) {
  for (size_t r = 0; r < rows; r++) {
    float *o = out + r * N;
    for (int n = 0; n < N; n++) o[n] = bias ? bias[n] : 0.0f;
    for (int k = 0; k < K; k++) {
      const float xv = x[r * K + k];
      const float *wr = w + (size_t)k * N;
      for (int n = 0; n < N; n++) o[n] += xv * wr[n];
    }
    if (clamp) {
      for (int n = 0; n < N; n++) o[n] = o[n] < lo ? lo : (o[n] > hi ? hi : o[n]);
    }
  }
}

#if defined(__x86_64__) || defined(__i386__)

// AVX-512: tiles of R rows x 32 columns (two vectors), R <= 8, column tail masked.
#define PW512_ROWS 8
__attribute__((target("avx512f"))) static inline __attribute__((always_inline)) void
pw_tile_avx512(
    const float *x, const float *w, const float *bias, float *out, int R, int K, int N,
    int n0, __mmask16 m0, __mmask16 m1, int clamp, __m512 vlo, __m512 vhi) {
  __m512 a0[PW512_ROWS], a1[PW512_ROWS];
  const __m512 b0 = bias ? _mm512_maskz_loadu_ps(m0, bias + n0) : _mm512_setzero_ps();
  const __m512 b1 = bias ? _mm512_maskz_loadu_ps(m1, bias + n0 + 16) : _mm512_setzero_ps();
  for (int i = 0; i < PW512_ROWS; i++) { a0[i] = b0; a1[i] = b1; }
  for (int k = 0; k < K; k++) {
    const float *wr = w + (size_t)k * N + n0;
    const __m512 w0 = _mm512_maskz_loadu_ps(m0, wr);
    const __m512 w1 = _mm512_maskz_loadu_ps(m1, wr + 16);
    for (int i = 0; i < PW512_ROWS; i++) {
      if (i < R) {
        const __m512 xv = _mm512_set1_ps(x[(size_t)i * K + k]);
        a0[i] = _mm512_fmadd_ps(xv, w0, a0[i]);
        a1[i] = _mm512_fmadd_ps(xv, w1, a1[i]);
      }
    }
  }
  for (int i = 0; i < PW512_ROWS; i++) {
    if (i < R) {
      __m512 v0 = a0[i], v1 = a1[i];
      if (clamp) {
        v0 = _mm512_min_ps(_mm512_max_ps(v0, vlo), vhi);
        v1 = _mm512_min_ps(_mm512_max_ps(v1, vlo), vhi);
      }
      _mm512_mask_storeu_ps(out + (size_t)i * N + n0, m0, v0);
      _mm512_mask_storeu_ps(out + (size_t)i * N + n0 + 16, m1, v1);
    }
  }
}

__attribute__((target("avx512f"))) static void pw_avx512(
    const float *x, const float *w, const float *bias, float *out, size_t rows, int K, int N,
    int clamp, float lo, float hi) {
  const __m512 vlo = _mm512_set1_ps(lo), vhi = _mm512_set1_ps(hi);
  for (int n0 = 0; n0 < N; n0 += 32) {
    const int left = N - n0;
    const __mmask16 m0 = left >= 16 ? 0xFFFF : (__mmask16)((1u << left) - 1);
    const __mmask16 m1 =
        left >= 32 ? 0xFFFF : (left <= 16 ? 0 : (__mmask16)((1u << (left - 16)) - 1));
    size_t r = 0;
    for (; r + PW512_ROWS <= rows; r += PW512_ROWS)
      pw_tile_avx512(x + r * K, w, bias, out + r * N, PW512_ROWS, K, N, n0, m0, m1, clamp,
                     vlo, vhi);
    if (r < rows)
      pw_tile_avx512(x + r * K, w, bias, out + r * N, (int)(rows - r), K, N, n0, m0, m1,
                     clamp, vlo, vhi);
  }
}

// AVX2: tiles of R rows x 16 columns (two vectors), R <= 6, column tail through lane masks.
#define PW256_ROWS 6
__attribute__((target("avx2,fma"))) static inline __attribute__((always_inline)) void
pw_tile_avx2(
    const float *x, const float *w, const float *bias, float *out, int R, int K, int N,
    int n0, int full, __m256i m0, __m256i m1, int clamp, __m256 vlo, __m256 vhi) {
  __m256 a0[PW256_ROWS], a1[PW256_ROWS];
  __m256 b0 = _mm256_setzero_ps(), b1 = _mm256_setzero_ps();
  if (bias) {
    b0 = full ? _mm256_loadu_ps(bias + n0) : _mm256_maskload_ps(bias + n0, m0);
    b1 = full ? _mm256_loadu_ps(bias + n0 + 8) : _mm256_maskload_ps(bias + n0 + 8, m1);
  }
  for (int i = 0; i < PW256_ROWS; i++) { a0[i] = b0; a1[i] = b1; }
  for (int k = 0; k < K; k++) {
    const float *wr = w + (size_t)k * N + n0;
    const __m256 w0 = full ? _mm256_loadu_ps(wr) : _mm256_maskload_ps(wr, m0);
    const __m256 w1 = full ? _mm256_loadu_ps(wr + 8) : _mm256_maskload_ps(wr + 8, m1);
    for (int i = 0; i < PW256_ROWS; i++) {
      if (i < R) {
        const __m256 xv = _mm256_broadcast_ss(x + (size_t)i * K + k);
        a0[i] = _mm256_fmadd_ps(xv, w0, a0[i]);
        a1[i] = _mm256_fmadd_ps(xv, w1, a1[i]);
      }
    }
  }
  for (int i = 0; i < PW256_ROWS; i++) {
    if (i < R) {
      __m256 v0 = a0[i], v1 = a1[i];
      if (clamp) {
        v0 = _mm256_min_ps(_mm256_max_ps(v0, vlo), vhi);
        v1 = _mm256_min_ps(_mm256_max_ps(v1, vlo), vhi);
      }
      float *o = out + (size_t)i * N + n0;
      if (full) {
        _mm256_storeu_ps(o, v0);
        _mm256_storeu_ps(o + 8, v1);
      } else {
        _mm256_maskstore_ps(o, m0, v0);
        _mm256_maskstore_ps(o + 8, m1, v1);
      }
    }
  }
}

__attribute__((target("avx2,fma"))) static void pw_avx2(
    const float *x, const float *w, const float *bias, float *out, size_t rows, int K, int N,
    int clamp, float lo, float hi) {
  const __m256 vlo = _mm256_set1_ps(lo), vhi = _mm256_set1_ps(hi);
  for (int n0 = 0; n0 < N; n0 += 16) {
    const int left = N - n0;
    const int full = left >= 16;
    const __m256i m0 = ck_lanes256(left), m1 = ck_lanes256(left - 8);
    size_t r = 0;
    for (; r + PW256_ROWS <= rows; r += PW256_ROWS)
      pw_tile_avx2(x + r * K, w, bias, out + r * N, PW256_ROWS, K, N, n0, full, m0, m1, clamp,
                   vlo, vhi);
    if (r < rows)
      pw_tile_avx2(x + r * K, w, bias, out + r * N, (int)(rows - r), K, N, n0, full, m0, m1,
                   clamp, vlo, vhi);
  }
}
#endif

void ck_pointwise_forward(
    const float *x, const float *w, const float *bias, float *out, size_t rows, int K, int N,
    int clamp, float lo, float hi) {
  switch (ck_active_isa()) {
#if defined(__x86_64__) || defined(__i386__)
  case CK_ISA_AVX512: pw_avx512(x, w, bias, out, rows, K, N, clamp, lo, hi); return;
  case CK_ISA_AVX2: pw_avx2(x, w, bias, out, rows, K, N, clamp, lo, hi); return;
#endif
  default: pw_scalar(x, w, bias, out, rows, K, N, clamp, lo, hi); return;
  }
}
