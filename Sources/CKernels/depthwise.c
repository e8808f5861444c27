// Direct NHWC depthwise convolution (multiplier 1) with the bias (folded BatchNorm) and a
// clamp (ReLU/ReLU6) fused into the output pass. One body, instantiated per ISA by macros:
// for each output row, each block of channels (one vector), walk the output pixels; the
// pixels whose window lies inside the image run four at a time (four independent FMA
// chains hide the FMA latency) with 3x3 weights held in registers.
#include "ckernels.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#include "simd_lanes.h"
#endif

static inline int imin(int a, int b) { return a < b ? a : b; }
static inline int imax(int a, int b) { return a > b ? a : b; }

// The first/last output column whose window lies inside the image.
static inline void interior(const ck_depthwise_geometry *g, int *ox0, int *ox1) {
  int lo = (g->padLeft + g->strideW - 1) / g->strideW;
  int hi = g->inW - g->kW + g->padLeft;  // largest ix0 + padLeft allowed
  int last = hi < 0 ? -1 : hi / g->strideW;
  *ox0 = imin(lo, g->outW);
  *ox1 = imax(*ox0, imin(last + 1, g->outW));
}

static void dw_scalar(
    const float *x, const float *w, const float *bias, float *out,
    const ck_depthwise_geometry *g, int oy0, int oy1, int clamp, float lo, float hi) {
  const int C = g->channels;
  for (int oy = oy0; oy < oy1; oy++) {
    const int iy0 = oy * g->strideH - g->padTop;
    const int ky0 = imax(0, -iy0), ky1 = imin(g->kH, g->inH - iy0);
    for (int ox = 0; ox < g->outW; ox++) {
      const int ix0 = ox * g->strideW - g->padLeft;
      const int kx0 = imax(0, -ix0), kx1 = imin(g->kW, g->inW - ix0);
      float *o = out + ((size_t)oy * g->outW + ox) * C;
      for (int c = 0; c < C; c++) o[c] = bias ? bias[c] : 0.0f;
      for (int ky = ky0; ky < ky1; ky++) {
        for (int kx = kx0; kx < kx1; kx++) {
          const float *xp = x + ((size_t)(iy0 + ky) * g->inW + ix0 + kx) * C;
          const float *wp = w + ((size_t)ky * g->kW + kx) * C;
          for (int c = 0; c < C; c++) o[c] += xp[c] * wp[c];
        }
      }
      if (clamp) {
        for (int c = 0; c < C; c++) o[c] = o[c] < lo ? lo : (o[c] > hi ? hi : o[c]);
      }
    }
  }
}

#if defined(__x86_64__) || defined(__i386__)

// DW_BODY(ISA suffix, vector type, lanes, mask type, mask expression, masked load, masked
// store, fma, max, min, broadcast, zero): one block of `L` channels starting at c0 with
// mask `m` (all lanes for full blocks; the compiler drops the mask for those).
#define DW_BODY(SFX, V, L, M, MASK, LD, ST, FMA, MAX, MIN, SET1, ZERO)                       \
  static inline __attribute__((always_inline)) void dw_block_##SFX(                          \
      const float *x, const float *w, const float *bias, float *out,                         \
      const ck_depthwise_geometry *g, int oy, int c0, M m, int clamp, V vlo, V vhi,         \
      int ox0, int ox1, int k33) {                                                           \
    const int C = g->channels, kW = g->kW, sW = g->strideW, inW = g->inW;                    \
    const int iy0 = oy * g->strideH - g->padTop;                                             \
    const int ky0 = imax(0, -iy0), ky1 = imin(g->kH, g->inH - iy0);                          \
    float *orow = out + (size_t)oy * g->outW * C + c0;                                       \
    const V b = bias ? LD(m, bias + c0) : ZERO;                                              \
    /* Edge pixels (and every pixel of non-3x3 kernels): bounds per tap. */                  \
    for (int ox = 0; ox < g->outW; ox++) {                                                   \
      if (k33 && ox == ox0 && ox0 < ox1) { ox = ox1 - 1; continue; }                         \
      const int ix0 = ox * sW - g->padLeft;                                                  \
      const int kx0 = imax(0, -ix0), kx1 = imin(kW, inW - ix0);                              \
      V acc = b;                                                                             \
      for (int ky = ky0; ky < ky1; ky++) {                                                   \
        const float *xr = x + ((size_t)(iy0 + ky) * inW + ix0) * C + c0;                     \
        const float *wr = w + (size_t)ky * kW * C + c0;                                      \
        for (int kx = kx0; kx < kx1; kx++)                                                   \
          acc = FMA(LD(m, xr + (size_t)kx * C), LD(m, wr + (size_t)kx * C), acc);            \
      }                                                                                      \
      if (clamp) acc = MIN(MAX(acc, vlo), vhi);                                              \
      ST(orow + (size_t)ox * C, m, acc);                                                     \
    }                                                                                        \
    if (!k33 || ox0 >= ox1) return;                                                          \
    /* Interior pixels of a 3x3 kernel: weights in registers, rows clipped once. */          \
    V wv[9];                                                                                 \
    for (int t = 0; t < 9; t++) wv[t] = LD(m, w + (size_t)t * C + c0);                       \
    const size_t step = (size_t)sW * C;                                                      \
    int ox = ox0;                                                                            \
    for (; ox + 4 <= ox1; ox += 4) {                                                         \
      V a0 = b, a1 = b, a2 = b, a3 = b;                                                      \
      for (int ky = 0; ky < 3; ky++) { /* constant trip: unrolled, wv stays in registers */ \
        if (ky < ky0 || ky >= ky1) continue;                                                 \
        const float *xr = x + ((size_t)(iy0 + ky) * inW + ox * sW - g->padLeft) * C + c0;    \
        for (int kx = 0; kx < 3; kx++) {                                                     \
          const V wk = wv[ky * 3 + kx];                                                      \
          const float *p = xr + (size_t)kx * C;                                              \
          a0 = FMA(LD(m, p), wk, a0);                                                        \
          a1 = FMA(LD(m, p + step), wk, a1);                                                 \
          a2 = FMA(LD(m, p + 2 * step), wk, a2);                                             \
          a3 = FMA(LD(m, p + 3 * step), wk, a3);                                             \
        }                                                                                    \
      }                                                                                      \
      if (clamp) {                                                                           \
        a0 = MIN(MAX(a0, vlo), vhi);                                                         \
        a1 = MIN(MAX(a1, vlo), vhi);                                                         \
        a2 = MIN(MAX(a2, vlo), vhi);                                                         \
        a3 = MIN(MAX(a3, vlo), vhi);                                                         \
      }                                                                                      \
      float *o = orow + (size_t)ox * C;                                                      \
      ST(o, m, a0);                                                                          \
      ST(o + C, m, a1);                                                                      \
      ST(o + 2 * (size_t)C, m, a2);                                                          \
      ST(o + 3 * (size_t)C, m, a3);                                                          \
    }                                                                                        \
    for (; ox < ox1; ox++) {                                                                 \
      V a0 = b;                                                                              \
      for (int ky = 0; ky < 3; ky++) {                                                       \
        if (ky < ky0 || ky >= ky1) continue;                                                 \
        const float *xr = x + ((size_t)(iy0 + ky) * inW + ox * sW - g->padLeft) * C + c0;    \
        for (int kx = 0; kx < 3; kx++)                                                       \
          a0 = FMA(LD(m, xr + (size_t)kx * C), wv[ky * 3 + kx], a0);                         \
      }                                                                                      \
      if (clamp) a0 = MIN(MAX(a0, vlo), vhi);                                                \
      ST(orow + (size_t)ox * C, m, a0);                                                      \
    }                                                                                        \
  }                                                                                          \
  static void dw_##SFX(                                                                      \
      const float *x, const float *w, const float *bias, float *out,                         \
      const ck_depthwise_geometry *g, int oy0, int oy1, int clamp, float lo, float hi) {     \
    const int C = g->channels;                                                               \
    const V vlo = SET1(lo), vhi = SET1(hi);                                                  \
    int ox0, ox1;                                                                            \
    interior(g, &ox0, &ox1);                                                                 \
    const int k33 = g->kH == 3 && g->kW == 3;                                                \
    for (int oy = oy0; oy < oy1; oy++) {                                                     \
      int c0 = 0;                                                                            \
      for (; c0 + L <= C; c0 += L)                                                           \
        dw_block_##SFX(x, w, bias, out, g, oy, c0, MASK(L), clamp, vlo, vhi, ox0, ox1, k33); \
      if (c0 < C)                                                                            \
        dw_block_##SFX(                                                                      \
            x, w, bias, out, g, oy, c0, MASK(C - c0), clamp, vlo, vhi, ox0, ox1, k33);     \
    }                                                                                        \
  }

// AVX-512: masked loads/stores (a full mask costs nothing).
#define AVX512 __attribute__((target("avx512f")))
#define MASK512(n) ((__mmask16)((n) >= 16 ? 0xFFFF : ((1u << (n)) - 1)))
#define LD512(m, p) _mm512_maskz_loadu_ps(m, p)
#define ST512(p, m, v) _mm512_mask_storeu_ps(p, m, v)
#pragma clang attribute push(AVX512, apply_to = function)
DW_BODY(avx512, __m512, 16, __mmask16, MASK512, LD512, ST512, _mm512_fmadd_ps, _mm512_max_ps,
        _mm512_min_ps, _mm512_set1_ps, _mm512_setzero_ps())
#pragma clang attribute pop

// AVX2: `m` is the lane count; full blocks use plain loads, the tail a lane mask.
#define AVX2 __attribute__((target("avx2,fma")))
#pragma clang attribute push(AVX2, apply_to = function)
#define MASK256(n) (n)
DW_BODY(avx2, __m256, 8, int, MASK256, ck_ld256, ck_st256, _mm256_fmadd_ps, _mm256_max_ps,
        _mm256_min_ps, _mm256_set1_ps, _mm256_setzero_ps())
#pragma clang attribute pop

#endif

void ck_depthwise_forward(
    const float *x, const float *w, const float *bias, float *out,
    const ck_depthwise_geometry *g, int oy0, int oy1, int clamp, float lo, float hi) {
  switch (ck_active_isa()) {
#if defined(__x86_64__) || defined(__i386__)
  case CK_ISA_AVX512: dw_avx512(x, w, bias, out, g, oy0, oy1, clamp, lo, hi); return;
  case CK_ISA_AVX2: dw_avx2(x, w, bias, out, g, oy0, oy1, clamp, lo, hi); return;
#endif
  default: dw_scalar(x, w, bias, out, g, oy0, oy1, clamp, lo, hi); return;
  }
}
