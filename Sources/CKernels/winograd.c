// Winograd F(4x4, 3x3) filter, input and output transforms on NHWC tiles, a vector of channels at a
// time (16 with AVX-512, 8 with AVX2+FMA, 1 in portable C): the channels of a pixel are
// contiguous, so each transform is a few dozen vector adds/FMAs per channel block.
// Input:  V[p] = (Bᵀ d B)[p] for the 6x6 input tile d (zero outside the image).
// Output: y = clamp(bias + (Aᵀ M A)), 4x4 pixels, clipped at the image edge.
// The matrices are those of WinogradKernel (Swift), which stays the reference.
#include "ckernels.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#include "simd_lanes.h"
#endif

// Bᵀ applied to six values (one axis of the input transform), any vector or scalar type.
#define WINO_BT(d0, d1, d2, d3, d4, d5, o0, o1, o2, o3, o4, o5) \
  do {                                                           \
    o0 = 4.0f * d0 - 5.0f * d2 + d4;                             \
    o1 = d3 + d4 - 4.0f * (d1 + d2);                             \
    o2 = 4.0f * (d1 - d2) + d4 - d3;                             \
    o3 = 2.0f * (d3 - d1) + d4 - d2;                             \
    o4 = 2.0f * (d1 - d3) + d4 - d2;                             \
    o5 = 4.0f * d1 - 5.0f * d3 + d5;                             \
  } while (0)

// Aᵀ applied to six values (one axis of the output transform).
#define WINO_AT(m0, m1, m2, m3, m4, m5, o0, o1, o2, o3) \
  do {                                                   \
    const __typeof__(m0) a_ = m1 + m2, b_ = m1 - m2;     \
    const __typeof__(m0) c_ = m3 + m4, d_ = m3 - m4;     \
    o0 = m0 + a_ + c_;                                   \
    o1 = b_ + 2.0f * d_;                                 \
    o2 = a_ + 4.0f * c_;                                 \
    o3 = b_ + 8.0f * d_ + m5;                            \
  } while (0)

// G applied to three values (one axis of the filter transform).
#define WINO_G(g0, g1, g2, o0, o1, o2, o3, o4, o5)         \
  do {                                                      \
    const __typeof__(g0) s_ = g0 + g2;                      \
    const __typeof__(g0) q_ = g0 * (1.0f / 24) + g2 * (1.0f / 6); \
    o0 = g0 * 0.25f;                                        \
    o1 = (s_ + g1) * (-1.0f / 6);                           \
    o2 = (g1 - s_) * (1.0f / 6);                            \
    o3 = q_ + g1 * (1.0f / 12);                             \
    o4 = q_ - g1 * (1.0f / 12);                             \
    o5 = g2;                                                \
  } while (0)

// G g Gᵀ of one 3x3 filter `k[9]` (row-major) into `o[36]`.
#define WINO_FILTER_TILE(T, k, o)                                                      \
  do {                                                                                 \
    T w_[18];                                                                          \
    for (int j = 0; j < 3; j++)                                                        \
      WINO_G(k[j], k[3 + j], k[6 + j], w_[j], w_[3 + j], w_[6 + j], w_[9 + j],        \
             w_[12 + j], w_[15 + j]);                                                  \
    for (int i = 0; i < 6; i++)                                                        \
      WINO_G(w_[i * 3], w_[i * 3 + 1], w_[i * 3 + 2], o[i * 6], o[i * 6 + 1],          \
             o[i * 6 + 2], o[i * 6 + 3], o[i * 6 + 4], o[i * 6 + 5]);                  \
  } while (0)

// Both passes of a transform over a tile held in `d[36]` (row-major 6x6) into `o`.
#define WINO_INPUT_TILE(T, d, o)                                                      \
  do {                                                                                 \
    T w_[36];                                                                          \
    for (int j = 0; j < 6; j++)                                                        \
      WINO_BT(d[j], d[6 + j], d[12 + j], d[18 + j], d[24 + j], d[30 + j], w_[j],       \
              w_[6 + j], w_[12 + j], w_[18 + j], w_[24 + j], w_[30 + j]);              \
    for (int i = 0; i < 6; i++)                                                        \
      WINO_BT(w_[i * 6], w_[i * 6 + 1], w_[i * 6 + 2], w_[i * 6 + 3], w_[i * 6 + 4],   \
              w_[i * 6 + 5], o[i * 6], o[i * 6 + 1], o[i * 6 + 2], o[i * 6 + 3],       \
              o[i * 6 + 4], o[i * 6 + 5]);                                             \
  } while (0)

#define WINO_OUTPUT_TILE(T, m, y)                                                     \
  do {                                                                                 \
    T w_[24];                                                                          \
    for (int j = 0; j < 6; j++)                                                        \
      WINO_AT(m[j], m[6 + j], m[12 + j], m[18 + j], m[24 + j], m[30 + j], w_[j],       \
              w_[6 + j], w_[12 + j], w_[18 + j]);                                      \
    for (int i = 0; i < 4; i++)                                                        \
      WINO_AT(w_[i * 6], w_[i * 6 + 1], w_[i * 6 + 2], w_[i * 6 + 3], w_[i * 6 + 4],   \
              w_[i * 6 + 5], y[i * 4], y[i * 4 + 1], y[i * 4 + 2], y[i * 4 + 3]);      \
  } while (0)

/// The 36 pixel addresses of tile `t` (NULL in the padding) and its image's output origin.
static inline void tile_pixels(
    const float *x, const ck_winograd_geometry *g, long t, const float **px, long *img,
    int *oy0, int *ox0) {
  const long per = (long)g->tilesH * g->tilesW;
  *img = t / per;
  const long r = t % per;
  *oy0 = (int)(r / g->tilesW) * 4;
  *ox0 = (int)(r % g->tilesW) * 4;
  const int y0 = *oy0 - g->padTop, x0 = *ox0 - g->padLeft;
  const float *base = x + (size_t)(*img) * g->inH * g->inW * g->channels;
  for (int i = 0; i < 6; i++) {
    const int iy = y0 + i;
    for (int j = 0; j < 6; j++) {
      const int ix = x0 + j;
      const int inside = iy >= 0 && iy < g->inH && ix >= 0 && ix < g->inW;
      px[i * 6 + j] = inside ? base + ((size_t)iy * g->inW + ix) * g->channels : 0;
    }
  }
}

static void input_scalar(
    const float *x, const ck_winograd_geometry *g, long t0, long t1, float *v,
    size_t pointStride) {
  const int C = g->channels;
  const float *px[36];
  long img;
  int oy0, ox0;
  for (long t = t0; t < t1; t++) {
    tile_pixels(x, g, t, px, &img, &oy0, &ox0);
    float *dst = v + (size_t)(t - t0) * C;
    for (int c = 0; c < C; c++) {
      float d[36], o[36];
      for (int k = 0; k < 36; k++) d[k] = px[k] ? px[k][c] : 0.0f;
      WINO_INPUT_TILE(float, d, o);
      for (int p = 0; p < 36; p++) dst[p * pointStride + c] = o[p];
    }
  }
}

static void output_scalar(
    const float *m, size_t pointStride, int ldm, const ck_winograd_geometry *g, long t0,
    long t1, int count, const float *bias, float *out, int ldo, int clamp, float lo,
    float hi) {
  const long per = (long)g->tilesH * g->tilesW;
  for (long t = t0; t < t1; t++) {
    const long img = t / per, r = t % per;
    const int oy0 = (int)(r / g->tilesW) * 4, ox0 = (int)(r % g->tilesW) * 4;
    const int rows = g->outH - oy0 < 4 ? g->outH - oy0 : 4;
    const int cols = g->outW - ox0 < 4 ? g->outW - ox0 : 4;
    const float *src = m + (size_t)(t - t0) * ldm;
    for (int k = 0; k < count; k++) {
      float d[36], y[16];
      for (int p = 0; p < 36; p++) d[p] = src[p * pointStride + k];
      WINO_OUTPUT_TILE(float, d, y);
      const float b = bias ? bias[k] : 0.0f;
      for (int py = 0; py < rows; py++) {
        for (int qx = 0; qx < cols; qx++) {
          float val = y[py * 4 + qx] + b;
          if (clamp) val = val < lo ? lo : (val > hi ? hi : val);
          out[(((size_t)img * g->outH + oy0 + py) * g->outW + ox0 + qx) * ldo + k] = val;
        }
      }
    }
  }
}

static void filter_scalar(
    const float *w, size_t ldw, float *u, size_t ldu, int cin, int cout, int ci0, int ci1) {
  const size_t tap = (size_t)cin * ldw, point = (size_t)cin * ldu;
  for (int ci = ci0; ci < ci1; ci++) {
    for (int co = 0; co < cout; co++) {
      float k[9], o[36];
      for (int t = 0; t < 9; t++) k[t] = w[t * tap + (size_t)ci * ldw + co];
      WINO_FILTER_TILE(float, k, o);
      for (int p = 0; p < 36; p++) u[p * point + (size_t)ci * ldu + co] = o[p];
    }
  }
}

#if defined(__x86_64__) || defined(__i386__)

// AVX-512: 16 channels per vector, the tail masked (masked loads never fault).
__attribute__((target("avx512f"))) static void input_avx512(
    const float *x, const ck_winograd_geometry *g, long t0, long t1, float *v,
    size_t pointStride) {
  const int C = g->channels;
  const float *px[36];
  long img;
  int oy0, ox0;
  for (long t = t0; t < t1; t++) {
    tile_pixels(x, g, t, px, &img, &oy0, &ox0);
    float *dst = v + (size_t)(t - t0) * C;
    for (int c = 0; c < C; c += 16) {
      const __mmask16 mk = C - c >= 16 ? 0xFFFF : (__mmask16)((1u << (C - c)) - 1);
      __m512 d[36], o[36];
      for (int k = 0; k < 36; k++)
        d[k] = px[k] ? _mm512_maskz_loadu_ps(mk, px[k] + c) : _mm512_setzero_ps();
      WINO_INPUT_TILE(__m512, d, o);
      for (int p = 0; p < 36; p++) _mm512_mask_storeu_ps(dst + p * pointStride + c, mk, o[p]);
    }
  }
}

__attribute__((target("avx512f"))) static void output_avx512(
    const float *m, size_t pointStride, int ldm, const ck_winograd_geometry *g, long t0,
    long t1, int count, const float *bias, float *out, int ldo, int clamp, float lo,
    float hi) {
  const long per = (long)g->tilesH * g->tilesW;
  const __m512 vlo = _mm512_set1_ps(lo), vhi = _mm512_set1_ps(hi);
  for (long t = t0; t < t1; t++) {
    const long img = t / per, r = t % per;
    const int oy0 = (int)(r / g->tilesW) * 4, ox0 = (int)(r % g->tilesW) * 4;
    const int rows = g->outH - oy0 < 4 ? g->outH - oy0 : 4;
    const int cols = g->outW - ox0 < 4 ? g->outW - ox0 : 4;
    const float *src = m + (size_t)(t - t0) * ldm;
    float *o0 = out + (((size_t)img * g->outH + oy0) * g->outW + ox0) * ldo;
    for (int k = 0; k < count; k += 16) {
      const __mmask16 mk = count - k >= 16 ? 0xFFFF : (__mmask16)((1u << (count - k)) - 1);
      __m512 d[36], y[16];
      for (int p = 0; p < 36; p++) d[p] = _mm512_maskz_loadu_ps(mk, src + p * pointStride + k);
      WINO_OUTPUT_TILE(__m512, d, y);
      const __m512 b = bias ? _mm512_maskz_loadu_ps(mk, bias + k) : _mm512_setzero_ps();
      for (int py = 0; py < rows; py++) {
        for (int qx = 0; qx < cols; qx++) {
          __m512 val = _mm512_add_ps(y[py * 4 + qx], b);
          if (clamp) val = _mm512_min_ps(_mm512_max_ps(val, vlo), vhi);
          _mm512_mask_storeu_ps(o0 + ((size_t)py * g->outW + qx) * ldo + k, mk, val);
        }
      }
    }
  }
}

// AVX2: 8 channels per vector; the tail through lane masks.
__attribute__((target("avx2,fma"))) static void input_avx2(
    const float *x, const ck_winograd_geometry *g, long t0, long t1, float *v,
    size_t pointStride) {
  const int C = g->channels;
  const float *px[36];
  long img;
  int oy0, ox0;
  for (long t = t0; t < t1; t++) {
    tile_pixels(x, g, t, px, &img, &oy0, &ox0);
    float *dst = v + (size_t)(t - t0) * C;
    for (int c = 0; c < C; c += 8) {
      const int full = C - c >= 8;
      const __m256i mk = ck_lanes256(C - c);
      __m256 d[36], o[36];
      for (int k = 0; k < 36; k++) {
        if (!px[k]) d[k] = _mm256_setzero_ps();
        else d[k] = full ? _mm256_loadu_ps(px[k] + c) : _mm256_maskload_ps(px[k] + c, mk);
      }
      WINO_INPUT_TILE(__m256, d, o);
      for (int p = 0; p < 36; p++) {
        if (full) _mm256_storeu_ps(dst + p * pointStride + c, o[p]);
        else _mm256_maskstore_ps(dst + p * pointStride + c, mk, o[p]);
      }
    }
  }
}

__attribute__((target("avx2,fma"))) static void output_avx2(
    const float *m, size_t pointStride, int ldm, const ck_winograd_geometry *g, long t0,
    long t1, int count, const float *bias, float *out, int ldo, int clamp, float lo,
    float hi) {
  const long per = (long)g->tilesH * g->tilesW;
  const __m256 vlo = _mm256_set1_ps(lo), vhi = _mm256_set1_ps(hi);
  for (long t = t0; t < t1; t++) {
    const long img = t / per, r = t % per;
    const int oy0 = (int)(r / g->tilesW) * 4, ox0 = (int)(r % g->tilesW) * 4;
    const int rows = g->outH - oy0 < 4 ? g->outH - oy0 : 4;
    const int cols = g->outW - ox0 < 4 ? g->outW - ox0 : 4;
    const float *src = m + (size_t)(t - t0) * ldm;
    float *o0 = out + (((size_t)img * g->outH + oy0) * g->outW + ox0) * ldo;
    for (int k = 0; k < count; k += 8) {
      const int full = count - k >= 8;
      const __m256i mk = ck_lanes256(count - k);
      __m256 d[36], y[16];
      for (int p = 0; p < 36; p++) {
        const float *s = src + p * pointStride + k;
        d[p] = full ? _mm256_loadu_ps(s) : _mm256_maskload_ps(s, mk);
      }
      WINO_OUTPUT_TILE(__m256, d, y);
      __m256 b = _mm256_setzero_ps();
      if (bias) b = full ? _mm256_loadu_ps(bias + k) : _mm256_maskload_ps(bias + k, mk);
      for (int py = 0; py < rows; py++) {
        for (int qx = 0; qx < cols; qx++) {
          __m256 val = _mm256_add_ps(y[py * 4 + qx], b);
          if (clamp) val = _mm256_min_ps(_mm256_max_ps(val, vlo), vhi);
          float *o = o0 + ((size_t)py * g->outW + qx) * ldo + k;
          if (full) _mm256_storeu_ps(o, val);
          else _mm256_maskstore_ps(o, mk, val);
        }
      }
    }
  }
}

__attribute__((target("avx512f"))) static void filter_avx512(
    const float *w, size_t ldw, float *u, size_t ldu, int cin, int cout, int ci0, int ci1) {
  const size_t tap = (size_t)cin * ldw, point = (size_t)cin * ldu;
  for (int ci = ci0; ci < ci1; ci++) {
    for (int co = 0; co < cout; co += 16) {
      const __mmask16 mk = cout - co >= 16 ? 0xFFFF : (__mmask16)((1u << (cout - co)) - 1);
      __m512 k[9], o[36];
      for (int t = 0; t < 9; t++) k[t] = _mm512_maskz_loadu_ps(mk, w + t * tap + ci * ldw + co);
      WINO_FILTER_TILE(__m512, k, o);
      for (int p = 0; p < 36; p++) _mm512_mask_storeu_ps(u + p * point + ci * ldu + co, mk, o[p]);
    }
  }
}

__attribute__((target("avx2,fma"))) static void filter_avx2(
    const float *w, size_t ldw, float *u, size_t ldu, int cin, int cout, int ci0, int ci1) {
  const size_t tap = (size_t)cin * ldw, point = (size_t)cin * ldu;
  for (int ci = ci0; ci < ci1; ci++) {
    for (int co = 0; co < cout; co += 8) {
      const int full = cout - co >= 8;
      const __m256i mk = ck_lanes256(cout - co);
      __m256 k[9], o[36];
      for (int t = 0; t < 9; t++) {
        const float *s = w + t * tap + ci * ldw + co;
        k[t] = full ? _mm256_loadu_ps(s) : _mm256_maskload_ps(s, mk);
      }
      WINO_FILTER_TILE(__m256, k, o);
      for (int p = 0; p < 36; p++) {
        float *d = u + p * point + ci * ldu + co;
        if (full) _mm256_storeu_ps(d, o[p]);
        else _mm256_maskstore_ps(d, mk, o[p]);
      }
    }
  }
}
#endif

void ck_winograd_input(
    const float *x, const ck_winograd_geometry *g, long t0, long t1, float *v,
    size_t pointStride) {
  switch (ck_active_isa()) {
#if defined(__x86_64__) || defined(__i386__)
  case CK_ISA_AVX512: input_avx512(x, g, t0, t1, v, pointStride); return;
  case CK_ISA_AVX2: input_avx2(x, g, t0, t1, v, pointStride); return;
#endif
  default: input_scalar(x, g, t0, t1, v, pointStride); return;
  }
}

void ck_winograd_output(
    const float *m, size_t pointStride, int ldm, const ck_winograd_geometry *g, long t0,
    long t1, int count, const float *bias, float *out, int ldo, int clamp, float lo,
    float hi) {
  switch (ck_active_isa()) {
#if defined(__x86_64__) || defined(__i386__)
  case CK_ISA_AVX512:
    output_avx512(m, pointStride, ldm, g, t0, t1, count, bias, out, ldo, clamp, lo, hi);
    return;
  case CK_ISA_AVX2:
    output_avx2(m, pointStride, ldm, g, t0, t1, count, bias, out, ldo, clamp, lo, hi);
    return;
#endif
  default:
    output_scalar(m, pointStride, ldm, g, t0, t1, count, bias, out, ldo, clamp, lo, hi);
    return;
  }
}

void ck_winograd_filter(
    const float *w, size_t ldw, float *u, size_t ldu, int cin, int cout, int ci0, int ci1) {
  switch (ck_active_isa()) {
#if defined(__x86_64__) || defined(__i386__)
  case CK_ISA_AVX512: filter_avx512(w, ldw, u, ldu, cin, cout, ci0, ci1); return;
  case CK_ISA_AVX2: filter_avx2(w, ldw, u, ldu, cin, cout, ci0, ci1); return;
#endif
  default: filter_scalar(w, ldw, u, ldu, cin, cout, ci0, ci1); return;
  }
}
