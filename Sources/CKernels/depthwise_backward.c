// Depthwise convolution backward (multiplier 1), NHWC, any kernel size, stride and padding
// (ZeroPadding2D's zeros arrive as padding). One body per ISA through macros, as in
// depthwise.c, over a block of channels (one vector) at a time:
// - kernel gradient: for each output pixel, dw[ky, kx] += dy[oy, ox] * x[iy, ix], with the
//   taps' accumulators in a small array (in registers for the interior of 3x3 kernels);
// - input gradient as a gather, each dx pixel written once (no zero fill, no
//   read-modify-write): dx[iy, ix] = sum over the taps that reach it of dy[oy, ox] * w[ky, kx].
#include "ckernels.h"

#include <stdlib.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#include "simd_lanes.h"
#endif

// Taps whose kernel gradient the SIMD path accumulates on the stack (7x7 and below).
#define DWB_MAX_TAPS 64

static inline int dwb_min(int a, int b) { return a < b ? a : b; }
static inline int dwb_max(int a, int b) { return a > b ? a : b; }

// The taps of one axis that reach input coordinate i: k = k0, k0 + s, ... < kEnd, with output
// coordinate o = (i + pad - k) / s in [0, outN). Returns the first tap and sets *kEnd.
static inline int dwb_taps(int i, int pad, int s, int k, int outN, int *kEnd) {
  const int t = i + pad;  // = o*s + k
  // o <= outN - 1  <=>  k >= t - (outN - 1) * s; o >= 0 <=> k <= t.
  int lo = dwb_max(0, t - (outN - 1) * s);
  lo += ((t - lo) % s + s) % s;  // first k >= lo with (t - k) % s == 0
  *kEnd = dwb_min(k, t + 1);
  return lo;
}

static void dwb_scalar(
    const float *x, const float *w, const float *dy, float *dx, float *dw,
    const ck_depthwise_geometry *g, int n0, int n1, int c0, int c1) {
  const int C = g->channels, kH = g->kH, kW = g->kW;
  const size_t inImage = (size_t)g->inH * g->inW * C, outImage = (size_t)g->outH * g->outW * C;
  if (dw) {
    for (int t = 0; t < kH * kW; t++)
      for (int c = c0; c < c1; c++) dw[(size_t)t * C + c] = 0.0f;
  }
  for (int n = n0; n < n1; n++) {
    const float *xi = x + n * inImage, *di = dy + n * outImage;
    if (dw) {
      for (int oy = 0; oy < g->outH; oy++) {
        const int iy0 = oy * g->strideH - g->padTop;
        for (int ox = 0; ox < g->outW; ox++) {
          const int ix0 = ox * g->strideW - g->padLeft;
          const float *d = di + ((size_t)oy * g->outW + ox) * C;
          for (int ky = dwb_max(0, -iy0); ky < dwb_min(kH, g->inH - iy0); ky++)
            for (int kx = dwb_max(0, -ix0); kx < dwb_min(kW, g->inW - ix0); kx++) {
              const float *xp = xi + ((size_t)(iy0 + ky) * g->inW + ix0 + kx) * C;
              float *wp = dw + ((size_t)ky * kW + kx) * C;
              for (int c = c0; c < c1; c++) wp[c] += d[c] * xp[c];
            }
        }
      }
    }
    if (dx) {
      float *xo = dx + n * inImage;
      for (int iy = 0; iy < g->inH; iy++) {
        int kyEnd;
        const int ky0 = dwb_taps(iy, g->padTop, g->strideH, kH, g->outH, &kyEnd);
        for (int ix = 0; ix < g->inW; ix++) {
          int kxEnd;
          const int kx0 = dwb_taps(ix, g->padLeft, g->strideW, kW, g->outW, &kxEnd);
          float *o = xo + ((size_t)iy * g->inW + ix) * C;
          for (int c = c0; c < c1; c++) o[c] = 0.0f;
          for (int ky = ky0; ky < kyEnd; ky += g->strideH) {
            const int oy = (iy + g->padTop - ky) / g->strideH;
            for (int kx = kx0; kx < kxEnd; kx += g->strideW) {
              const int ox = (ix + g->padLeft - kx) / g->strideW;
              const float *d = di + ((size_t)oy * g->outW + ox) * C;
              const float *wp = w + ((size_t)ky * kW + kx) * C;
              for (int c = c0; c < c1; c++) o[c] += d[c] * wp[c];
            }
          }
        }
      }
    }
  }
}

#if defined(__x86_64__) || defined(__i386__)

// DWB_BODY(suffix, vector, lanes, mask type, mask of n lanes, masked load, masked store, fma,
// zero): one block of channels [c, c + n) for images [n0, n1).
#define DWB_BODY(SFX, V, L, M, MASK, LD, ST, FMA, ZERO)                                      \
  static void dwb_block_##SFX(                                                               \
      const float *x, const float *w, const float *dy, float *dx, float *dw,                 \
      const ck_depthwise_geometry *g, int n0, int n1, int c, M m, const int *tx) {           \
    const int C = g->channels, kH = g->kH, kW = g->kW, sH = g->strideH, sW = g->strideW;    \
    const int inW = g->inW, outW = g->outW;                                                  \
    const size_t inImage = (size_t)g->inH * inW * C, outImage = (size_t)g->outH * outW * C; \
    const int k33 = kH == 3 && kW == 3;                                                      \
    if (dw) {                                                                                \
      V acc[DWB_MAX_TAPS];                                                                   \
      for (int t = 0; t < kH * kW; t++) acc[t] = ZERO;                                       \
      /* Output columns whose window lies inside the image. */                               \
      const int oxa = dwb_min((g->padLeft + sW - 1) / sW, outW);                             \
      const int hi = inW - kW + g->padLeft;                                                  \
      const int oxb = dwb_max(oxa, dwb_min(hi < 0 ? 0 : hi / sW + 1, outW));                 \
      for (int n = n0; n < n1; n++) {                                                        \
        const float *xi = x + n * inImage + c, *di = dy + n * outImage + c;                  \
        for (int oy = 0; oy < g->outH; oy++) {                                               \
          const int iy0 = oy * sH - g->padTop;                                               \
          const int ky0 = dwb_max(0, -iy0), ky1 = dwb_min(kH, g->inH - iy0);                 \
          const float *drow = di + (size_t)oy * outW * C;                                    \
          const int fast = k33 && ky0 == 0 && ky1 == 3 && oxa < oxb;                         \
          for (int ox = 0; ox < outW; ox++) {                                                \
            if (fast && ox == oxa) { ox = oxb - 1; continue; }                               \
            const int ix0 = ox * sW - g->padLeft;                                            \
            const int kx0 = dwb_max(0, -ix0), kx1 = dwb_min(kW, inW - ix0);                  \
            const V d = LD(m, drow + (size_t)ox * C);                                        \
            for (int ky = ky0; ky < ky1; ky++) {                                             \
              const float *xr = xi + ((size_t)(iy0 + ky) * inW + ix0) * C;                   \
              for (int kx = kx0; kx < kx1; kx++)                                             \
                acc[ky * kW + kx] = FMA(d, LD(m, xr + (size_t)kx * C), acc[ky * kW + kx]);   \
            }                                                                                \
          }                                                                                  \
          if (!fast) continue;                                                               \
          /* Interior of a 3x3 kernel: the nine accumulators in registers. */                \
          V a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3], a4 = acc[4];                 \
          V a5 = acc[5], a6 = acc[6], a7 = acc[7], a8 = acc[8];                              \
          const size_t rs = (size_t)inW * C;                                                 \
          for (int ox = oxa; ox < oxb; ox++) {                                               \
            const V d = LD(m, drow + (size_t)ox * C);                                        \
            const float *p = xi + ((size_t)iy0 * inW + ox * sW - g->padLeft) * C;            \
            a0 = FMA(d, LD(m, p), a0);                                                       \
            a1 = FMA(d, LD(m, p + C), a1);                                                   \
            a2 = FMA(d, LD(m, p + 2 * (size_t)C), a2);                                       \
            a3 = FMA(d, LD(m, p + rs), a3);                                                  \
            a4 = FMA(d, LD(m, p + rs + C), a4);                                              \
            a5 = FMA(d, LD(m, p + rs + 2 * (size_t)C), a5);                                  \
            a6 = FMA(d, LD(m, p + 2 * rs), a6);                                              \
            a7 = FMA(d, LD(m, p + 2 * rs + C), a7);                                          \
            a8 = FMA(d, LD(m, p + 2 * rs + 2 * (size_t)C), a8);                              \
          }                                                                                  \
          acc[0] = a0; acc[1] = a1; acc[2] = a2; acc[3] = a3; acc[4] = a4;                   \
          acc[5] = a5; acc[6] = a6; acc[7] = a7; acc[8] = a8;                                \
        }                                                                                    \
      }                                                                                      \
      for (int t = 0; t < kH * kW; t++) ST(dw + (size_t)t * C + c, m, acc[t]);               \
    }                                                                                        \
    if (!dx) return;                                                                         \
    /* Stride-1 3x3: columns where all three taps reach an output column. */                 \
    const int s1 = k33 && sH == 1 && sW == 1;                                                \
    const int ixa = dwb_min(dwb_max(0, 2 - g->padLeft), inW);                                \
    const int ixb = dwb_max(ixa, dwb_min(inW, outW - g->padLeft));                           \
    V wv[9];                                                                                 \
    if (s1)                                                                                  \
      for (int t = 0; t < 9; t++) wv[t] = LD(m, w + (size_t)t * C + c);                      \
    for (int n = n0; n < n1; n++) {                                                          \
      const float *di = dy + n * outImage + c;                                               \
      float *xo = dx + n * inImage + c;                                                      \
      for (int iy = 0; iy < g->inH; iy++) {                                                  \
        int kyEnd;                                                                           \
        const int ky0 = dwb_taps(iy, g->padTop, sH, kH, g->outH, &kyEnd);                    \
        const int oy0 = (iy + g->padTop - ky0) / sH;                                         \
        float *orow = xo + (size_t)iy * inW * C;                                             \
        const int fast = s1 && ky0 == 0 && kyEnd == 3 && ixa < ixb;                          \
        for (int ix = 0; ix < inW; ix++) {                                                   \
          if (fast && ix == ixa) { ix = ixb - 1; continue; }                                 \
          /* Taps of this column from the table: first kx, end, and its output column. */    \
          const int kx0 = tx[3 * ix], kxEnd = tx[3 * ix + 1], ox0 = tx[3 * ix + 2];          \
          V a = ZERO;                                                                        \
          for (int ky = ky0, oy = oy0; ky < kyEnd; ky += sH, oy--) {                         \
            const float *dr = di + (size_t)oy * outW * C;                                    \
            const float *wr = w + (size_t)ky * kW * C + c;                                   \
            for (int kx = kx0, ox = ox0; kx < kxEnd; kx += sW, ox--)                         \
              a = FMA(LD(m, dr + (size_t)ox * C), LD(m, wr + (size_t)kx * C), a);            \
          }                                                                                  \
          ST(orow + (size_t)ix * C, m, a);                                                   \
        }                                                                                    \
        if (!fast) continue;                                                                 \
        /* dx[iy, ix] = sum dy[iy + pT - ky, ix + pL - kx] * w[ky, kx], all taps inside. */  \
        const float *d0 = di + (size_t)(iy + g->padTop) * outW * C;                          \
        const size_t rs = (size_t)outW * C;                                                  \
        for (int ix = ixa; ix < ixb; ix++) {                                                 \
          const float *p = d0 + (size_t)(ix + g->padLeft) * C;                               \
          V a = FMA(LD(m, p), wv[0], ZERO);                                                  \
          V b = FMA(LD(m, p - C), wv[1], ZERO);                                              \
          a = FMA(LD(m, p - 2 * (size_t)C), wv[2], a);                                       \
          b = FMA(LD(m, p - rs), wv[3], b);                                                  \
          a = FMA(LD(m, p - rs - C), wv[4], a);                                              \
          b = FMA(LD(m, p - rs - 2 * (size_t)C), wv[5], b);                                  \
          a = FMA(LD(m, p - 2 * rs), wv[6], a);                                              \
          b = FMA(LD(m, p - 2 * rs - C), wv[7], b);                                          \
          a = FMA(LD(m, p - 2 * rs - 2 * (size_t)C), wv[8], a);                              \
          ST(orow + (size_t)ix * C, m, dwb_add_##SFX(a, b));                                    \
        }                                                                                    \
      }                                                                                      \
    }                                                                                        \
  }                                                                                          \
  static void dwb_##SFX(                                                                     \
      const float *x, const float *w, const float *dy, float *dx, float *dw,                 \
      const ck_depthwise_geometry *g, int n0, int n1, int c0, int c1, const int *tx) {       \
    for (int c = c0; c < c1; c += L)                                                         \
      dwb_block_##SFX(x, w, dy, dx, dw, g, n0, n1, c, MASK(c1 - c >= L ? L : c1 - c), tx);   \
  }

#define AVX512 __attribute__((target("avx512f")))
#define DWB_MASK512(n) ((__mmask16)((n) >= 16 ? 0xFFFF : ((1u << (n)) - 1)))
#define DWB_LD512(m, p) _mm512_maskz_loadu_ps(m, p)
#define DWB_ST512(p, m, v) _mm512_mask_storeu_ps(p, m, v)
#pragma clang attribute push(AVX512, apply_to = function)
static inline __attribute__((always_inline)) __m512 dwb_add_avx512(__m512 a, __m512 b) {
  return _mm512_add_ps(a, b);
}
DWB_BODY(avx512, __m512, 16, __mmask16, DWB_MASK512, DWB_LD512, DWB_ST512, _mm512_fmadd_ps,
         _mm512_setzero_ps())
#pragma clang attribute pop

#define AVX2 __attribute__((target("avx2,fma")))
#pragma clang attribute push(AVX2, apply_to = function)
static inline __attribute__((always_inline)) __m256 dwb_add_avx2(__m256 a, __m256 b) {
  return _mm256_add_ps(a, b);
}
#define DWB_MASK256(n) (n)
DWB_BODY(avx2, __m256, 8, int, DWB_MASK256, ck_ld256, ck_st256, _mm256_fmadd_ps,
         _mm256_setzero_ps())
#pragma clang attribute pop

#endif

int ck_depthwise_backward_block(void) {
  switch (ck_active_isa()) {
  case CK_ISA_AVX512: return 16;
  case CK_ISA_AVX2: return 8;
  default: return 8;
  }
}

void ck_depthwise_backward(
    const float *x, const float *w, const float *dy, float *dx, float *dw,
    const ck_depthwise_geometry *g, int n0, int n1, int c0, int c1) {
  if (g->kH * g->kW > DWB_MAX_TAPS) {
    dwb_scalar(x, w, dy, dx, dw, g, n0, n1, c0, c1);
    return;
  }
  const ck_isa isa = ck_active_isa();
  // Per input column: its first tap, the tap end and the first tap's output column, so the
  // gather does no division per pixel.
  int *tx = isa == CK_ISA_SCALAR ? NULL : malloc(sizeof(int) * 3 * (size_t)(g->inW + 1));
  if (!tx) {
    dwb_scalar(x, w, dy, dx, dw, g, n0, n1, c0, c1);
    return;
  }
  for (int ix = 0; ix < g->inW; ix++) {
    int kxEnd;
    const int kx0 = dwb_taps(ix, g->padLeft, g->strideW, g->kW, g->outW, &kxEnd);
    tx[3 * ix] = kx0;
    tx[3 * ix + 1] = kxEnd;
    tx[3 * ix + 2] = (ix + g->padLeft - kx0) / g->strideW;
  }
  switch (isa) {
#if defined(__x86_64__) || defined(__i386__)
  case CK_ISA_AVX512: dwb_avx512(x, w, dy, dx, dw, g, n0, n1, c0, c1, tx); break;
  case CK_ISA_AVX2: dwb_avx2(x, w, dy, dx, dw, g, n0, n1, c0, c1, tx); break;
#endif
  default: dwb_scalar(x, w, dy, dx, dw, g, n0, n1, c0, c1); break;
  }
  free(tx);
}
