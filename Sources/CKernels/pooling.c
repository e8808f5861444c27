// NHWC max pooling, SIMD over channels: each output pixel takes the max over the real input
// pixels under its window. Cells outside the input either never win (TensorFlow's 'same'
// padding pads with -inf) or count as 0 (a ZeroPadding2D folded into the pool: Keras pads
// with zeros, then pools 'valid').
#include "ckernels.h"

#include <math.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

// The window of output pixel (oy, ox) clipped to the input, and whether it was clipped.
typedef struct {
  int y0, y1, x0, x1, clipped;
} pool_window;

static inline pool_window pool_clip(const ck_depthwise_geometry *g, int oy, int ox) {
  pool_window w;
  const int ys = oy * g->strideH - g->padTop, xs = ox * g->strideW - g->padLeft;
  w.y0 = ys < 0 ? 0 : ys;
  w.x0 = xs < 0 ? 0 : xs;
  w.y1 = ys + g->kH > g->inH ? g->inH : ys + g->kH;
  w.x1 = xs + g->kW > g->inW ? g->inW : xs + g->kW;
  w.clipped = w.y0 != ys || w.x0 != xs || w.y1 != ys + g->kH || w.x1 != xs + g->kW;
  return w;
}

static void pool_scalar(
    const float *x, float *out, const ck_depthwise_geometry *g, int oy0, int oy1,
    int zeroPad) {
  const int C = g->channels;
  for (int oy = oy0; oy < oy1; oy++) {
    for (int ox = 0; ox < g->outW; ox++) {
      const pool_window w = pool_clip(g, oy, ox);
      float *o = out + ((size_t)oy * g->outW + ox) * C;
      const float init = zeroPad && w.clipped ? 0.0f : -INFINITY;
      for (int c = 0; c < C; c++) o[c] = init;
      for (int iy = w.y0; iy < w.y1; iy++) {
        for (int ix = w.x0; ix < w.x1; ix++) {
          const float *p = x + ((size_t)iy * g->inW + ix) * C;
          for (int c = 0; c < C; c++) o[c] = p[c] > o[c] ? p[c] : o[c];
        }
      }
    }
  }
}

#if defined(__x86_64__) || defined(__i386__)
__attribute__((target("avx512f"))) static void pool_avx512(
    const float *x, float *out, const ck_depthwise_geometry *g, int oy0, int oy1,
    int zeroPad) {
  const int C = g->channels;
  for (int oy = oy0; oy < oy1; oy++) {
    for (int ox = 0; ox < g->outW; ox++) {
      const pool_window w = pool_clip(g, oy, ox);
      float *o = out + ((size_t)oy * g->outW + ox) * C;
      const __m512 init = _mm512_set1_ps(zeroPad && w.clipped ? 0.0f : -INFINITY);
      // Four vectors of channels at a time: the window's loads stay in flight together.
      for (int c0 = 0; c0 < C; c0 += 64) {
        __mmask16 m[4];
        for (int v = 0; v < 4; v++) {
          const int left = C - c0 - 16 * v;
          m[v] = left >= 16 ? 0xFFFF : (left <= 0 ? 0 : (__mmask16)((1u << left) - 1));
        }
        __m512 a0 = init, a1 = init, a2 = init, a3 = init;
        for (int iy = w.y0; iy < w.y1; iy++) {
          for (int ix = w.x0; ix < w.x1; ix++) {
            const float *p = x + ((size_t)iy * g->inW + ix) * C + c0;
            a0 = _mm512_mask_max_ps(a0, m[0], a0, _mm512_maskz_loadu_ps(m[0], p));
            a1 = _mm512_mask_max_ps(a1, m[1], a1, _mm512_maskz_loadu_ps(m[1], p + 16));
            a2 = _mm512_mask_max_ps(a2, m[2], a2, _mm512_maskz_loadu_ps(m[2], p + 32));
            a3 = _mm512_mask_max_ps(a3, m[3], a3, _mm512_maskz_loadu_ps(m[3], p + 48));
          }
        }
        _mm512_mask_storeu_ps(o + c0, m[0], a0);
        _mm512_mask_storeu_ps(o + c0 + 16, m[1], a1);
        _mm512_mask_storeu_ps(o + c0 + 32, m[2], a2);
        _mm512_mask_storeu_ps(o + c0 + 48, m[3], a3);
      }
    }
  }
}

__attribute__((target("avx2,fma"))) static void pool_avx2(
    const float *x, float *out, const ck_depthwise_geometry *g, int oy0, int oy1,
    int zeroPad) {
  const int C = g->channels;
  const int full = C / 8 * 8;
  for (int oy = oy0; oy < oy1; oy++) {
    for (int ox = 0; ox < g->outW; ox++) {
      const pool_window w = pool_clip(g, oy, ox);
      float *o = out + ((size_t)oy * g->outW + ox) * C;
      const float init = zeroPad && w.clipped ? 0.0f : -INFINITY;
      int c0 = 0;
      for (; c0 + 32 <= full; c0 += 32) {
        __m256 a0 = _mm256_set1_ps(init), a1 = a0, a2 = a0, a3 = a0;
        for (int iy = w.y0; iy < w.y1; iy++) {
          for (int ix = w.x0; ix < w.x1; ix++) {
            const float *p = x + ((size_t)iy * g->inW + ix) * C + c0;
            a0 = _mm256_max_ps(a0, _mm256_loadu_ps(p));
            a1 = _mm256_max_ps(a1, _mm256_loadu_ps(p + 8));
            a2 = _mm256_max_ps(a2, _mm256_loadu_ps(p + 16));
            a3 = _mm256_max_ps(a3, _mm256_loadu_ps(p + 24));
          }
        }
        _mm256_storeu_ps(o + c0, a0);
        _mm256_storeu_ps(o + c0 + 8, a1);
        _mm256_storeu_ps(o + c0 + 16, a2);
        _mm256_storeu_ps(o + c0 + 24, a3);
      }
      for (; c0 < full; c0 += 8) {
        __m256 a = _mm256_set1_ps(init);
        for (int iy = w.y0; iy < w.y1; iy++) {
          for (int ix = w.x0; ix < w.x1; ix++) {
            a = _mm256_max_ps(a, _mm256_loadu_ps(x + ((size_t)iy * g->inW + ix) * C + c0));
          }
        }
        _mm256_storeu_ps(o + c0, a);
      }
      for (int c = full; c < C; c++) {
        float a = init;
        for (int iy = w.y0; iy < w.y1; iy++) {
          for (int ix = w.x0; ix < w.x1; ix++) {
            const float v = x[((size_t)iy * g->inW + ix) * C + c];
            a = v > a ? v : a;
          }
        }
        o[c] = a;
      }
    }
  }
}
#endif

void ck_max_pool(
    const float *x, float *out, const ck_depthwise_geometry *g, int oy0, int oy1,
    int zeroPad) {
  switch (ck_active_isa()) {
#if defined(__x86_64__) || defined(__i386__)
  case CK_ISA_AVX512: pool_avx512(x, out, g, oy0, oy1, zeroPad); return;
  case CK_ISA_AVX2: pool_avx2(x, out, g, oy0, oy1, zeroPad); return;
#endif
  default: pool_scalar(x, out, g, oy0, oy1, zeroPad); return;
  }
}
