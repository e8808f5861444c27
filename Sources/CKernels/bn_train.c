// Training-mode BatchNormalization and ReLU/ReLU6 backward over NHWC rows (channels
// contiguous), one body per ISA through macros as in depthwise.c. Memory-bound: each kernel
// streams its inputs once, with vector accumulators per block of channels. Partial sums go
// to double arrays per caller block, so the caller can reduce the blocks in a fixed order
// (results do not depend on thread timing).
#include "ckernels.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#include "simd_lanes.h"
#endif

// Rows summed in float registers before the partial goes to the double accumulators.
#define BN_CHUNK 16

// The clamp mask: the gradient passes where lo < y < hi (TensorFlow's choice at the kinks,
// and false for NaN), y recomputed as x*scale + shift exactly as ck_channel_affine does.
static inline float bn_mask_scalar(
    float x, const float *scale, const float *shift, size_t c, int clamp, float lo, float hi) {
  if (!clamp) return 1.0f;
  // The same expression as affine_scalar, so the compiler makes the same rounding choice.
  const float y = x * (scale ? scale[c] : 1.0f) + (shift ? shift[c] : 0.0f);
  return (y > lo && y < hi) ? 1.0f : 0.0f;
}

static void stats_scalar(
    const float *x, size_t rows, size_t cols, const float *shift, double *sum,
    double *sumsq) {
  for (size_t r = 0; r < rows; r++) {
    const float *xr = x + r * cols;
    for (size_t c = 0; c < cols; c++) {
      const double v = (double)(xr[c] - shift[c]);
      sum[c] += v;
      sumsq[c] += v * v;
    }
  }
}

static void reduce_scalar(
    const float *dy, const float *x, size_t rows, size_t cols, const float *mean,
    const float *scale, const float *shift, int clamp, float lo, float hi, double *sumDy,
    double *sumDyX) {
  for (size_t r = 0; r < rows; r++) {
    for (size_t c = 0; c < cols; c++) {
      const size_t i = r * cols + c;
      float d = dy[i];
      if (clamp && bn_mask_scalar(x[i], scale, shift, c, clamp, lo, hi) == 0.0f) d = 0.0f;
      sumDy[c] += d;
      sumDyX[c] += (double)(d * (x[i] - mean[c]));
    }
  }
}

static void apply_scalar(
    const float *dy, const float *x, float *out, size_t rows, size_t cols, const float *mean,
    const float *a, const float *b, const float *k, const float *scale, const float *shift,
    int clamp, float lo, float hi) {
  for (size_t r = 0; r < rows; r++) {
    for (size_t c = 0; c < cols; c++) {
      const size_t i = r * cols + c;
      float d = dy[i];
      if (clamp && bn_mask_scalar(x[i], scale, shift, c, clamp, lo, hi) == 0.0f) d = 0.0f;
      out[i] = a[c] * d + (b ? b[c] * (x[i] - mean[c]) + k[c] : 0.0f);
    }
  }
}

static void clamp_backward_scalar(
    const float *dy, const float *y, float *out, size_t n, float lo, float hi) {
  for (size_t i = 0; i < n; i++) out[i] = (y[i] > lo && y[i] < hi) ? dy[i] : 0.0f;
}

#if defined(__x86_64__) || defined(__i386__)

// BN_BODY(suffix, vector, lanes, mask type, mask of n lanes, masked load, masked store,
// fma, add, sub, mul, broadcast, zero, "lo < v < hi" as a vector of 0/1 selects applied to d).
#define BN_BODY(SFX, V, L, M, MASK, LD, ST, FMA, ADD, SUB, MUL, SET1, ZERO, KEEP)            \
  static void stats_##SFX(                                                                  \
      const float *x, size_t rows, size_t cols, const float *shift, double *sum,            \
      double *sumsq) {                                                                      \
    float ts[L], tq[L];                                                                     \
    for (size_t r0 = 0; r0 < rows; r0 += BN_CHUNK) {                                        \
      const size_t r1 = rows - r0 < BN_CHUNK ? rows : r0 + BN_CHUNK;                        \
      for (size_t c0 = 0; c0 < cols; c0 += L) {                                             \
        const int n = cols - c0 >= L ? L : (int)(cols - c0);                                \
        const M m = MASK(n);                                                                \
        const V sh = LD(m, shift + c0);                                                     \
        V s = ZERO, q = ZERO;                                                               \
        for (size_t r = r0; r < r1; r++) {                                                  \
          const V v = SUB(LD(m, x + r * cols + c0), sh);                                    \
          s = ADD(s, v);                                                                    \
          q = FMA(v, v, q);                                                                 \
        }                                                                                   \
        ST(ts, m, s);                                                                       \
        ST(tq, m, q);                                                                       \
        for (int j = 0; j < n; j++) {                                                       \
          sum[c0 + j] += ts[j];                                                             \
          sumsq[c0 + j] += tq[j];                                                           \
        }                                                                                   \
      }                                                                                     \
    }                                                                                       \
  }                                                                                         \
  static void reduce_##SFX(                                                                 \
      const float *dy, const float *x, size_t rows, size_t cols, const float *mean,         \
      const float *scale, const float *shift, int clamp, float lo, float hi, double *sumDy, \
      double *sumDyX) {                                                                     \
    float ts[L], tq[L];                                                                     \
    const V vlo = SET1(lo), vhi = SET1(hi), one = SET1(1.0f);                               \
    for (size_t r0 = 0; r0 < rows; r0 += BN_CHUNK) {                                        \
      const size_t r1 = rows - r0 < BN_CHUNK ? rows : r0 + BN_CHUNK;                        \
      for (size_t c0 = 0; c0 < cols; c0 += L) {                                             \
        const int n = cols - c0 >= L ? L : (int)(cols - c0);                                \
        const M m = MASK(n);                                                                \
        const V mu = LD(m, mean + c0);                                                      \
        const V sc = scale ? LD(m, scale + c0) : one;                                       \
        const V sf = shift ? LD(m, shift + c0) : ZERO;                                      \
        V s = ZERO, q = ZERO;                                                               \
        for (size_t r = r0; r < r1; r++) {                                                  \
          const V xv = LD(m, x + r * cols + c0);                                            \
          V d = LD(m, dy + r * cols + c0);                                                  \
          if (clamp) d = KEEP(ADD(MUL(xv, sc), sf), vlo, vhi, d);                           \
          s = ADD(s, d);                                                                    \
          q = FMA(d, SUB(xv, mu), q);                                                       \
        }                                                                                   \
        ST(ts, m, s);                                                                       \
        ST(tq, m, q);                                                                       \
        for (int j = 0; j < n; j++) {                                                       \
          sumDy[c0 + j] += ts[j];                                                           \
          sumDyX[c0 + j] += tq[j];                                                          \
        }                                                                                   \
      }                                                                                     \
    }                                                                                       \
  }                                                                                         \
  static void apply_##SFX(                                                                  \
      const float *dy, const float *x, float *out, size_t rows, size_t cols,                \
      const float *mean, const float *a, const float *b, const float *k, const float *scale, \
      const float *shift, int clamp, float lo, float hi) {                                  \
    const V vlo = SET1(lo), vhi = SET1(hi), one = SET1(1.0f);                               \
    for (size_t c0 = 0; c0 < cols; c0 += L) {                                               \
      const int n = cols - c0 >= L ? L : (int)(cols - c0);                                  \
      const M m = MASK(n);                                                                  \
      const V mu = LD(m, mean + c0), va = LD(m, a + c0);                                    \
      const V vb = b ? LD(m, b + c0) : ZERO, vk = b ? LD(m, k + c0) : ZERO;                 \
      const V sc = scale ? LD(m, scale + c0) : one;                                         \
      const V sf = shift ? LD(m, shift + c0) : ZERO;                                        \
      for (size_t r = 0; r < rows; r++) {                                                   \
        const V xv = LD(m, x + r * cols + c0);                                              \
        V d = LD(m, dy + r * cols + c0);                                                    \
        if (clamp) d = KEEP(ADD(MUL(xv, sc), sf), vlo, vhi, d);                             \
        const V o = FMA(va, d, FMA(vb, SUB(xv, mu), vk));                                   \
        ST(out + r * cols + c0, m, o);                                                      \
      }                                                                                     \
    }                                                                                       \
  }

#define AVX512 __attribute__((target("avx512f")))
#define MASK512(n) ((__mmask16)((n) >= 16 ? 0xFFFF : ((1u << (n)) - 1)))
#define LD512(m, p) _mm512_maskz_loadu_ps(m, p)
#define ST512(p, m, v) _mm512_mask_storeu_ps(p, m, v)
#pragma clang attribute push(AVX512, apply_to = function)
static inline __attribute__((always_inline)) __m512 keep512(__m512 y, __m512 lo, __m512 hi,
                                                            __m512 d) {
  const __mmask16 k =
      _mm512_cmp_ps_mask(y, lo, _CMP_GT_OQ) & _mm512_cmp_ps_mask(y, hi, _CMP_LT_OQ);
  return _mm512_maskz_mov_ps(k, d);
}
BN_BODY(avx512, __m512, 16, __mmask16, MASK512, LD512, ST512, _mm512_fmadd_ps, _mm512_add_ps,
        _mm512_sub_ps, _mm512_mul_ps, _mm512_set1_ps, _mm512_setzero_ps(), keep512)

static void clamp_backward_avx512(
    const float *dy, const float *y, float *out, size_t n, float lo, float hi) {
  const __m512 vlo = _mm512_set1_ps(lo), vhi = _mm512_set1_ps(hi);
  for (size_t i = 0; i < n; i += 16) {
    const __mmask16 m = MASK512(n - i >= 16 ? 16 : (int)(n - i));
    const __m512 d = keep512(LD512(m, y + i), vlo, vhi, LD512(m, dy + i));
    ST512(out + i, m, d);
  }
}
#pragma clang attribute pop

#define AVX2 __attribute__((target("avx2,fma")))
#pragma clang attribute push(AVX2, apply_to = function)
static inline __attribute__((always_inline)) __m256 keep256(__m256 y, __m256 lo, __m256 hi,
                                                            __m256 d) {
  const __m256 k =
      _mm256_and_ps(_mm256_cmp_ps(y, lo, _CMP_GT_OQ), _mm256_cmp_ps(y, hi, _CMP_LT_OQ));
  return _mm256_and_ps(k, d);
}
#define BN_MASK256(n) (n)
BN_BODY(avx2, __m256, 8, int, BN_MASK256, ck_ld256, ck_st256, _mm256_fmadd_ps, _mm256_add_ps,
        _mm256_sub_ps, _mm256_mul_ps, _mm256_set1_ps, _mm256_setzero_ps(), keep256)

static void clamp_backward_avx2(
    const float *dy, const float *y, float *out, size_t n, float lo, float hi) {
  const __m256 vlo = _mm256_set1_ps(lo), vhi = _mm256_set1_ps(hi);
  for (size_t i = 0; i < n; i += 8) {
    const int m = n - i >= 8 ? 8 : (int)(n - i);
    ck_st256(out + i, m, keep256(ck_ld256(m, y + i), vlo, vhi, ck_ld256(m, dy + i)));
  }
}
#pragma clang attribute pop

#endif

void ck_bn_stats(
    const float *x, size_t rows, size_t cols, const float *shift, double *sum,
    double *sumsq) {
  switch (ck_active_isa()) {
#if defined(__x86_64__) || defined(__i386__)
  case CK_ISA_AVX512: stats_avx512(x, rows, cols, shift, sum, sumsq); return;
  case CK_ISA_AVX2: stats_avx2(x, rows, cols, shift, sum, sumsq); return;
#endif
  default: stats_scalar(x, rows, cols, shift, sum, sumsq); return;
  }
}

void ck_bn_backward_reduce(
    const float *dy, const float *x, size_t rows, size_t cols, const float *mean,
    const float *scale, const float *shift, int clamp, float lo, float hi, double *sumDy,
    double *sumDyX) {
  switch (ck_active_isa()) {
#if defined(__x86_64__) || defined(__i386__)
  case CK_ISA_AVX512:
    reduce_avx512(dy, x, rows, cols, mean, scale, shift, clamp, lo, hi, sumDy, sumDyX);
    return;
  case CK_ISA_AVX2:
    reduce_avx2(dy, x, rows, cols, mean, scale, shift, clamp, lo, hi, sumDy, sumDyX);
    return;
#endif
  default:
    reduce_scalar(dy, x, rows, cols, mean, scale, shift, clamp, lo, hi, sumDy, sumDyX);
    return;
  }
}

void ck_bn_backward_apply(
    const float *dy, const float *x, float *out, size_t rows, size_t cols, const float *mean,
    const float *a, const float *b, const float *k, const float *scale, const float *shift,
    int clamp, float lo, float hi) {
  switch (ck_active_isa()) {
#if defined(__x86_64__) || defined(__i386__)
  case CK_ISA_AVX512:
    apply_avx512(dy, x, out, rows, cols, mean, a, b, k, scale, shift, clamp, lo, hi);
    return;
  case CK_ISA_AVX2:
    apply_avx2(dy, x, out, rows, cols, mean, a, b, k, scale, shift, clamp, lo, hi);
    return;
#endif
  default:
    apply_scalar(dy, x, out, rows, cols, mean, a, b, k, scale, shift, clamp, lo, hi);
    return;
  }
}

void ck_clamp_backward(const float *dy, const float *y, float *out, size_t n, float lo,
                       float hi) {
  switch (ck_active_isa()) {
#if defined(__x86_64__) || defined(__i386__)
  case CK_ISA_AVX512: clamp_backward_avx512(dy, y, out, n, lo, hi); return;
  case CK_ISA_AVX2: clamp_backward_avx2(dy, y, out, n, lo, hi); return;
#endif
  default: clamp_backward_scalar(dy, y, out, n, lo, hi); return;
  }
}
