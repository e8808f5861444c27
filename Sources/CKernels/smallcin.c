// Direct NHWC convolution for few input channels (the RGB stem of a network: MobileNetV2's
// Conv1, ResNet50's conv1, VGG16's block1_conv1). With Cin = 3 im2col builds a column matrix
// 9-49x the size of the input for a GEMM whose K (27-147) is too short to run well, and
// Winograd spends its transforms on three channels. Here each output row is computed from a
// zero-padded copy of the kH input rows it reads (a few KB, in L1), so the inner loop has no
// bounds checks: for a tile of P output pixels and 2 vectors of output channels, every tap
// (kx, ci) of a kernel row is one broadcast per pixel and two FMAs, the weights of the tap
// one load shared by the P pixels. The bias (folded BatchNorm) and clamp (ReLU/ReLU6) are
// applied before the tile is stored, so the output is written once.
#include "ckernels.h"

#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#include "simd_lanes.h"
#endif

static inline int sc_min(int a, int b) { return a < b ? a : b; }
static inline int sc_max(int a, int b) { return a > b ? a : b; }

// The definition, bounds checked per tap: the portable path, and the fallback when the
// strip buffer cannot be allocated.
static void sc_scalar(
    const float *x, const float *w, const float *bias, float *out, const ck_conv_geometry *g,
    int oy0, int oy1, int clamp, float lo, float hi) {
  const int cin = g->inChannels, cout = g->outChannels;
  for (int oy = oy0; oy < oy1; oy++) {
    const int iy0 = oy * g->strideH - g->padTop;
    const int ky0 = sc_max(0, -iy0), ky1 = sc_min(g->kH, g->inH - iy0);
    for (int ox = 0; ox < g->outW; ox++) {
      const int ix0 = ox * g->strideW - g->padLeft;
      const int kx0 = sc_max(0, -ix0), kx1 = sc_min(g->kW, g->inW - ix0);
      float *o = out + ((size_t)oy * g->outW + ox) * cout;
      for (int n = 0; n < cout; n++) o[n] = bias ? bias[n] : 0.0f;
      for (int ky = ky0; ky < ky1; ky++) {
        for (int kx = kx0; kx < kx1; kx++) {
          const float *xp = x + ((size_t)(iy0 + ky) * g->inW + ix0 + kx) * cin;
          const float *wp = w + ((size_t)ky * g->kW + kx) * cin * cout;
          for (int ci = 0; ci < cin; ci++) {
            const float xv = xp[ci];
            const float *wr = wp + (size_t)ci * cout;
            for (int n = 0; n < cout; n++) o[n] += xv * wr[n];
          }
        }
      }
      if (clamp) {
        for (int n = 0; n < cout; n++) o[n] = o[n] < lo ? lo : (o[n] > hi ? hi : o[n]);
      }
    }
  }
}

// Width of a padded strip row in pixels: every column an output row reads.
static inline int sc_strip_width(const ck_conv_geometry *g) {
  return (g->outW - 1) * g->strideW + g->kW;
}

// The kH input rows output row `oy` reads, zero padded: strip[ky][j] = x[iy, j - padLeft]
// (zero outside the image), `rowStride` floats per row.
static void sc_fill_strip(
    const float *x, const ck_conv_geometry *g, int oy, float *strip, size_t rowStride) {
  const int cin = g->inChannels, padW = sc_strip_width(g);
  // Columns of the strip that hold image pixels.
  const int j0 = sc_min(padW, sc_max(0, g->padLeft));
  const int j1 = sc_max(j0, sc_min(padW, g->padLeft + g->inW));
  for (int ky = 0; ky < g->kH; ky++) {
    float *row = strip + (size_t)ky * rowStride;
    const int iy = oy * g->strideH - g->padTop + ky;
    if (iy < 0 || iy >= g->inH || j0 >= j1) {
      memset(row, 0, (size_t)padW * cin * sizeof(float));
      continue;
    }
    if (j0 > 0) memset(row, 0, (size_t)j0 * cin * sizeof(float));
    memcpy(row + (size_t)j0 * cin,
           x + ((size_t)iy * g->inW + (j0 - g->padLeft)) * cin,
           (size_t)(j1 - j0) * cin * sizeof(float));
    if (j1 < padW) memset(row + (size_t)j1 * cin, 0, (size_t)(padW - j1) * cin * sizeof(float));
  }
}

#if defined(__x86_64__) || defined(__i386__)

// AVX-512: R <= 8 pixels x 32 output channels (two vectors, tail masked).
#define SC512_PIXELS 8
__attribute__((target("avx512f"))) static inline __attribute__((always_inline)) void
sc_tile_avx512(
    const float *xs, size_t rowStride, int pixStep, const float *w, int kH, int taps,
    int cout, int n0, __mmask16 m0, __mmask16 m1, const float *bias, float *o, int R,
    int clamp, __m512 vlo, __m512 vhi) {
  __m512 a0[SC512_PIXELS], a1[SC512_PIXELS];
  const __m512 b0 = bias ? _mm512_maskz_loadu_ps(m0, bias + n0) : _mm512_setzero_ps();
  const __m512 b1 = bias ? _mm512_maskz_loadu_ps(m1, bias + n0 + 16) : _mm512_setzero_ps();
  for (int p = 0; p < SC512_PIXELS; p++) { a0[p] = b0; a1[p] = b1; }
  for (int ky = 0; ky < kH; ky++) {
    const float *xr = xs + (size_t)ky * rowStride;
    const float *wr = w + (size_t)ky * taps * cout + n0;
    // Within a row, tap t = kx·cin + ci sits t floats after the pixel's first input.
    for (int t = 0; t < taps; t++) {
      const __m512 w0 = _mm512_maskz_loadu_ps(m0, wr + (size_t)t * cout);
      const __m512 w1 = _mm512_maskz_loadu_ps(m1, wr + (size_t)t * cout + 16);
      for (int p = 0; p < SC512_PIXELS; p++) {
        if (p < R) {
          const __m512 xv = _mm512_set1_ps(xr[(size_t)p * pixStep + t]);
          a0[p] = _mm512_fmadd_ps(xv, w0, a0[p]);
          a1[p] = _mm512_fmadd_ps(xv, w1, a1[p]);
        }
      }
    }
  }
  for (int p = 0; p < SC512_PIXELS; p++) {
    if (p < R) {
      __m512 v0 = a0[p], v1 = a1[p];
      if (clamp) {
        v0 = _mm512_min_ps(_mm512_max_ps(v0, vlo), vhi);
        v1 = _mm512_min_ps(_mm512_max_ps(v1, vlo), vhi);
      }
      _mm512_mask_storeu_ps(o + (size_t)p * cout + n0, m0, v0);
      _mm512_mask_storeu_ps(o + (size_t)p * cout + n0 + 16, m1, v1);
    }
  }
}

__attribute__((target("avx512f"))) static void sc_row_avx512(
    const float *strip, size_t rowStride, const float *w, const float *bias, float *orow,
    const ck_conv_geometry *g, int clamp, float lo, float hi) {
  const __m512 vlo = _mm512_set1_ps(lo), vhi = _mm512_set1_ps(hi);
  const int cout = g->outChannels, taps = g->kW * g->inChannels;
  const int pixStep = g->strideW * g->inChannels, outW = g->outW;
  for (int n0 = 0; n0 < cout; n0 += 32) {
    const int left = cout - n0;
    const __mmask16 m0 = left >= 16 ? 0xFFFF : (__mmask16)((1u << left) - 1);
    const __mmask16 m1 =
        left >= 32 ? 0xFFFF : (left <= 16 ? 0 : (__mmask16)((1u << (left - 16)) - 1));
    int ox = 0;
    for (; ox + SC512_PIXELS <= outW; ox += SC512_PIXELS)
      sc_tile_avx512(strip + (size_t)ox * pixStep, rowStride, pixStep, w, g->kH, taps, cout,
                     n0, m0, m1, bias, orow + (size_t)ox * cout, SC512_PIXELS, clamp, vlo,
                     vhi);
    if (ox < outW)
      sc_tile_avx512(strip + (size_t)ox * pixStep, rowStride, pixStep, w, g->kH, taps, cout,
                     n0, m0, m1, bias, orow + (size_t)ox * cout, outW - ox, clamp, vlo, vhi);
  }
}

// AVX2: R <= 6 pixels x 16 output channels (two vectors, tail through lane masks).
#define SC256_PIXELS 6
__attribute__((target("avx2,fma"))) static inline __attribute__((always_inline)) void
sc_tile_avx2(
    const float *xs, size_t rowStride, int pixStep, const float *w, int kH, int taps,
    int cout, int n0, int full, __m256i m0, __m256i m1, const float *bias, float *o, int R,
    int clamp, __m256 vlo, __m256 vhi) {
  __m256 a0[SC256_PIXELS], a1[SC256_PIXELS];
  __m256 b0 = _mm256_setzero_ps(), b1 = _mm256_setzero_ps();
  if (bias) {
    b0 = full ? _mm256_loadu_ps(bias + n0) : _mm256_maskload_ps(bias + n0, m0);
    b1 = full ? _mm256_loadu_ps(bias + n0 + 8) : _mm256_maskload_ps(bias + n0 + 8, m1);
  }
  for (int p = 0; p < SC256_PIXELS; p++) { a0[p] = b0; a1[p] = b1; }
  for (int ky = 0; ky < kH; ky++) {
    const float *xr = xs + (size_t)ky * rowStride;
    const float *wr = w + (size_t)ky * taps * cout + n0;
    for (int t = 0; t < taps; t++) {
      const float *wt = wr + (size_t)t * cout;
      const __m256 w0 = full ? _mm256_loadu_ps(wt) : _mm256_maskload_ps(wt, m0);
      const __m256 w1 = full ? _mm256_loadu_ps(wt + 8) : _mm256_maskload_ps(wt + 8, m1);
      for (int p = 0; p < SC256_PIXELS; p++) {
        if (p < R) {
          const __m256 xv = _mm256_broadcast_ss(xr + (size_t)p * pixStep + t);
          a0[p] = _mm256_fmadd_ps(xv, w0, a0[p]);
          a1[p] = _mm256_fmadd_ps(xv, w1, a1[p]);
        }
      }
    }
  }
  for (int p = 0; p < SC256_PIXELS; p++) {
    if (p < R) {
      __m256 v0 = a0[p], v1 = a1[p];
      if (clamp) {
        v0 = _mm256_min_ps(_mm256_max_ps(v0, vlo), vhi);
        v1 = _mm256_min_ps(_mm256_max_ps(v1, vlo), vhi);
      }
      float *op = o + (size_t)p * cout + n0;
      if (full) {
        _mm256_storeu_ps(op, v0);
        _mm256_storeu_ps(op + 8, v1);
      } else {
        _mm256_maskstore_ps(op, m0, v0);
        _mm256_maskstore_ps(op + 8, m1, v1);
      }
    }
  }
}

__attribute__((target("avx2,fma"))) static void sc_row_avx2(
    const float *strip, size_t rowStride, const float *w, const float *bias, float *orow,
    const ck_conv_geometry *g, int clamp, float lo, float hi) {
  const __m256 vlo = _mm256_set1_ps(lo), vhi = _mm256_set1_ps(hi);
  const int cout = g->outChannels, taps = g->kW * g->inChannels;
  const int pixStep = g->strideW * g->inChannels, outW = g->outW;
  for (int n0 = 0; n0 < cout; n0 += 16) {
    const int left = cout - n0;
    const int full = left >= 16;
    const __m256i m0 = ck_lanes256(left), m1 = ck_lanes256(left - 8);
    int ox = 0;
    for (; ox + SC256_PIXELS <= outW; ox += SC256_PIXELS)
      sc_tile_avx2(strip + (size_t)ox * pixStep, rowStride, pixStep, w, g->kH, taps, cout, n0,
                   full, m0, m1, bias, orow + (size_t)ox * cout, SC256_PIXELS, clamp, vlo,
                   vhi);
    if (ox < outW)
      sc_tile_avx2(strip + (size_t)ox * pixStep, rowStride, pixStep, w, g->kH, taps, cout, n0,
                   full, m0, m1, bias, orow + (size_t)ox * cout, outW - ox, clamp, vlo, vhi);
  }
}
#endif

void ck_smallcin_conv_forward(
    const float *x, const float *w, const float *bias, float *out, const ck_conv_geometry *g,
    int oy0, int oy1, int clamp, float lo, float hi) {
  if (g->outW <= 0 || g->outChannels <= 0 || oy0 >= oy1) return;
  const ck_isa isa = ck_active_isa();
  // The strip: kH padded rows, each rounded up to 16 floats.
  const size_t rowStride = ((size_t)sc_strip_width(g) * g->inChannels + 15) / 16 * 16;
  float *strip = isa == CK_ISA_SCALAR ? NULL : malloc((size_t)g->kH * rowStride * sizeof(float));
  if (!strip) {
    sc_scalar(x, w, bias, out, g, oy0, oy1, clamp, lo, hi);
    return;
  }
  for (int oy = oy0; oy < oy1; oy++) {
    sc_fill_strip(x, g, oy, strip, rowStride);
    float *orow = out + (size_t)oy * g->outW * g->outChannels;
#if defined(__x86_64__) || defined(__i386__)
    if (isa == CK_ISA_AVX512) sc_row_avx512(strip, rowStride, w, bias, orow, g, clamp, lo, hi);
    else sc_row_avx2(strip, rowStride, w, bias, orow, g, clamp, lo, hi);
#endif
  }
  free(strip);
}
