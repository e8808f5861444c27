// 1x1 convolutions of ResNet-style blocks as a register-blocked GEMM over NHWC pixels, with
// any stride (the strided 1x1 shortcuts and first convs of ResNet50's stage openers read
// every other pixel of every other row in place: no subsampled copy) and a fused epilogue
//   out[r, n] = clamp(bias[n] + sum_k x[pixel(r), k] * w[k, n] + residual[r, n], lo, hi)
// so a folded conv+BN(+shortcut Add)(+ReLU) writes its output exactly once. The tiles are
// those of pointwise.c (8 rows x 32 columns on AVX-512, 6 x 16 on AVX2), with one input
// pointer per row. Also the fused affine+residual+clamp pass for convolutions that run
// elsewhere (im2col + OpenBLAS, Winograd).
#include "ckernels.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#include "simd_lanes.h"
#endif

// Rows per block whose input pointers are worked out once (the caller bounds a call's rows
// so that their inputs stay in L2 while every column panel passes over them).
#define PWS_CHUNK 512

// Input pixel of output row r (over the whole batch) for a 1x1 window with this stride.
static inline const float *pws_row(const float *x, const ck_pointwise_geometry *g, size_t r) {
  const size_t plane = (size_t)g->outH * (size_t)g->outW;
  const size_t img = r / plane, p = r % plane;
  const size_t oy = p / (size_t)g->outW, ox = p % (size_t)g->outW;
  const size_t iy = oy * (size_t)g->strideH, ix = ox * (size_t)g->strideW;
  return x + ((img * (size_t)g->inH + iy) * (size_t)g->inW + ix) * (size_t)g->channels;
}

static void pws_scalar(
    const float *x, const ck_pointwise_geometry *g, const float *w, const float *bias,
    const float *res, float *out, size_t r0, size_t r1, int N, int clamp, float lo,
    float hi) {
  const int K = g->channels;
  for (size_t r = r0; r < r1; r++) {
    const float *xr = pws_row(x, g, r);
    float *o = out + r * N;
    for (int n = 0; n < N; n++) o[n] = (bias ? bias[n] : 0.0f) + (res ? res[r * N + n] : 0.0f);
    for (int k = 0; k < K; k++) {
      const float xv = xr[k];
      const float *wr = w + (size_t)k * N;
      for (int n = 0; n < N; n++) o[n] += xv * wr[n];
    }
    if (clamp) {
      for (int n = 0; n < N; n++) o[n] = o[n] < lo ? lo : (o[n] > hi ? hi : o[n]);
    }
  }
}

static void affres_scalar(
    const float *x, const float *res, float *out, size_t rows, size_t cols,
    const float *shift, int clamp, float lo, float hi) {
  for (size_t i = 0; i < rows * cols; i++) {
    float v = x[i] + (shift ? shift[i % cols] : 0.0f) + res[i];
    if (clamp) v = v < lo ? lo : (v > hi ? hi : v);
    out[i] = v;
  }
}

#if defined(__x86_64__) || defined(__i386__)

#define PWS512_ROWS 8
__attribute__((target("avx512f"))) static inline __attribute__((always_inline)) void
pws_tile_avx512(
    const float *const *xr, const float *w, const float *bias, const float *res, float *out,
    int R, int K, int N, int n0, __mmask16 m0, __mmask16 m1, int clamp, __m512 vlo,
    __m512 vhi) {
  __m512 a0[PWS512_ROWS], a1[PWS512_ROWS];
  const __m512 b0 = bias ? _mm512_maskz_loadu_ps(m0, bias + n0) : _mm512_setzero_ps();
  const __m512 b1 = bias ? _mm512_maskz_loadu_ps(m1, bias + n0 + 16) : _mm512_setzero_ps();
  for (int i = 0; i < PWS512_ROWS; i++) { a0[i] = b0; a1[i] = b1; }
  // The residual is read once, after the k loop: fetch the next tile's (the caller's rows
  // may end earlier: a prefetch never faults) so this loop hides its misses.
  if (res) {
    for (int i = PWS512_ROWS; i < 2 * PWS512_ROWS; i++) {
      _mm_prefetch((const char *)(res + (size_t)i * N + n0), _MM_HINT_T0);
      _mm_prefetch((const char *)(res + (size_t)i * N + n0 + 16), _MM_HINT_T0);
    }
  }
  for (int k = 0; k < K; k++) {
    const float *wr = w + (size_t)k * N + n0;
    const __m512 w0 = _mm512_maskz_loadu_ps(m0, wr);
    const __m512 w1 = _mm512_maskz_loadu_ps(m1, wr + 16);
    for (int i = 0; i < PWS512_ROWS; i++) {
      if (i < R) {
        const __m512 xv = _mm512_set1_ps(xr[i][k]);
        a0[i] = _mm512_fmadd_ps(xv, w0, a0[i]);
        a1[i] = _mm512_fmadd_ps(xv, w1, a1[i]);
      }
    }
  }
  for (int i = 0; i < PWS512_ROWS; i++) {
    if (i < R) {
      __m512 v0 = a0[i], v1 = a1[i];
      if (res) {
        v0 = _mm512_add_ps(v0, _mm512_maskz_loadu_ps(m0, res + (size_t)i * N + n0));
        v1 = _mm512_add_ps(v1, _mm512_maskz_loadu_ps(m1, res + (size_t)i * N + n0 + 16));
      }
      if (clamp) {
        v0 = _mm512_min_ps(_mm512_max_ps(v0, vlo), vhi);
        v1 = _mm512_min_ps(_mm512_max_ps(v1, vlo), vhi);
      }
      _mm512_mask_storeu_ps(out + (size_t)i * N + n0, m0, v0);
      _mm512_mask_storeu_ps(out + (size_t)i * N + n0 + 16, m1, v1);
    }
  }
}

__attribute__((target("avx512f"))) static void pws_avx512(
    const float *x, const ck_pointwise_geometry *g, const float *w, const float *bias,
    const float *res, float *out, size_t r0, size_t r1, int N, int clamp, float lo,
    float hi) {
  const __m512 vlo = _mm512_set1_ps(lo), vhi = _mm512_set1_ps(hi);
  const int K = g->channels;
  const float *rows[PWS_CHUNK];
  for (size_t c0 = r0; c0 < r1; c0 += PWS_CHUNK) {
    const size_t c1 = r1 - c0 < PWS_CHUNK ? r1 : c0 + PWS_CHUNK;
    for (size_t r = c0; r < c1; r++) rows[r - c0] = pws_row(x, g, r);
    // Column panels outer (K x 32 weights stay in L1/L2), row tiles of the chunk inner.
    for (int n0 = 0; n0 < N; n0 += 32) {
      const int left = N - n0;
      const __mmask16 m0 = left >= 16 ? 0xFFFF : (__mmask16)((1u << left) - 1);
      const __mmask16 m1 =
          left >= 32 ? 0xFFFF : (left <= 16 ? 0 : (__mmask16)((1u << (left - 16)) - 1));
      size_t rb = c0;
      // Full tiles with a constant row count (no per-row test in the inner loop), then the tail.
      for (; rb + PWS512_ROWS <= c1; rb += PWS512_ROWS)
        pws_tile_avx512(
            rows + (rb - c0), w, bias, res ? res + rb * N : 0, out + rb * N, PWS512_ROWS, K, N,
            n0, m0, m1, clamp, vlo, vhi);
      if (rb < c1)
        pws_tile_avx512(
            rows + (rb - c0), w, bias, res ? res + rb * N : 0, out + rb * N, (int)(c1 - rb), K,
            N, n0, m0, m1, clamp, vlo, vhi);
    }
  }
}

__attribute__((target("avx512f"))) static void affres_avx512(
    const float *x, const float *res, float *out, size_t rows, size_t cols,
    const float *shift, int clamp, float lo, float hi) {
  const __m512 vlo = _mm512_set1_ps(lo), vhi = _mm512_set1_ps(hi);
  for (size_t r = 0; r < rows; r++) {
    const float *xr = x + r * cols, *rr = res + r * cols;
    float *o = out + r * cols;
    for (size_t c = 0; c < cols; c += 16) {
      const __mmask16 m = cols - c >= 16 ? 0xFFFF : (__mmask16)((1u << (cols - c)) - 1);
      __m512 v = _mm512_add_ps(_mm512_maskz_loadu_ps(m, xr + c), _mm512_maskz_loadu_ps(m, rr + c));
      if (shift) v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(m, shift + c));
      if (clamp) v = _mm512_min_ps(_mm512_max_ps(v, vlo), vhi);
      _mm512_mask_storeu_ps(o + c, m, v);
    }
  }
}

#define PWS256_ROWS 6
__attribute__((target("avx2,fma"))) static inline __attribute__((always_inline)) __m256
pws_load(const float *p, int full, __m256i m) {
  return full ? _mm256_loadu_ps(p) : _mm256_maskload_ps(p, m);
}

__attribute__((target("avx2,fma"))) static inline __attribute__((always_inline)) void
pws_tile_avx2(
    const float *const *xr, const float *w, const float *bias, const float *res, float *out,
    int R, int K, int N, int n0, int full, __m256i m0, __m256i m1, int clamp, __m256 vlo,
    __m256 vhi) {
  __m256 a0[PWS256_ROWS], a1[PWS256_ROWS];
  __m256 b0 = _mm256_setzero_ps(), b1 = _mm256_setzero_ps();
  if (bias) {
    b0 = pws_load(bias + n0, full, m0);
    b1 = pws_load(bias + n0 + 8, full, m1);
  }
  for (int i = 0; i < PWS256_ROWS; i++) { a0[i] = b0; a1[i] = b1; }
  if (res) {
    for (int i = 0; i < PWS256_ROWS; i++) {
      if (i < R) _mm_prefetch((const char *)(res + (size_t)i * N + n0), _MM_HINT_T0);
    }
  }
  for (int k = 0; k < K; k++) {
    const float *wr = w + (size_t)k * N + n0;
    const __m256 w0 = pws_load(wr, full, m0);
    const __m256 w1 = pws_load(wr + 8, full, m1);
    for (int i = 0; i < PWS256_ROWS; i++) {
      if (i < R) {
        const __m256 xv = _mm256_broadcast_ss(xr[i] + k);
        a0[i] = _mm256_fmadd_ps(xv, w0, a0[i]);
        a1[i] = _mm256_fmadd_ps(xv, w1, a1[i]);
      }
    }
  }
  for (int i = 0; i < PWS256_ROWS; i++) {
    if (i < R) {
      __m256 v0 = a0[i], v1 = a1[i];
      if (res) {
        v0 = _mm256_add_ps(v0, pws_load(res + (size_t)i * N + n0, full, m0));
        v1 = _mm256_add_ps(v1, pws_load(res + (size_t)i * N + n0 + 8, full, m1));
      }
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

__attribute__((target("avx2,fma"))) static void pws_avx2(
    const float *x, const ck_pointwise_geometry *g, const float *w, const float *bias,
    const float *res, float *out, size_t r0, size_t r1, int N, int clamp, float lo,
    float hi) {
  const __m256 vlo = _mm256_set1_ps(lo), vhi = _mm256_set1_ps(hi);
  const int K = g->channels;
  const float *rows[PWS_CHUNK];
  for (size_t c0 = r0; c0 < r1; c0 += PWS_CHUNK) {
    const size_t c1 = r1 - c0 < PWS_CHUNK ? r1 : c0 + PWS_CHUNK;
    for (size_t r = c0; r < c1; r++) rows[r - c0] = pws_row(x, g, r);
    for (int n0 = 0; n0 < N; n0 += 16) {
      const int left = N - n0;
      const __m256i m0 = ck_lanes256(left), m1 = ck_lanes256(left - 8);
      size_t rb = c0;
      for (; rb + PWS256_ROWS <= c1; rb += PWS256_ROWS)
        pws_tile_avx2(
            rows + (rb - c0), w, bias, res ? res + rb * N : 0, out + rb * N, PWS256_ROWS, K, N,
            n0, left >= 16, m0, m1, clamp, vlo, vhi);
      if (rb < c1)
        pws_tile_avx2(
            rows + (rb - c0), w, bias, res ? res + rb * N : 0, out + rb * N, (int)(c1 - rb), K,
            N, n0, left >= 16, m0, m1, clamp, vlo, vhi);
    }
  }
}

__attribute__((target("avx2,fma"))) static void affres_avx2(
    const float *x, const float *res, float *out, size_t rows, size_t cols,
    const float *shift, int clamp, float lo, float hi) {
  const __m256 vlo = _mm256_set1_ps(lo), vhi = _mm256_set1_ps(hi);
  const size_t full = cols / 8 * 8;
  for (size_t r = 0; r < rows; r++) {
    const float *xr = x + r * cols, *rr = res + r * cols;
    float *o = out + r * cols;
    for (size_t c = 0; c < full; c += 8) {
      __m256 v = _mm256_add_ps(_mm256_loadu_ps(xr + c), _mm256_loadu_ps(rr + c));
      if (shift) v = _mm256_add_ps(v, _mm256_loadu_ps(shift + c));
      if (clamp) v = _mm256_min_ps(_mm256_max_ps(v, vlo), vhi);
      _mm256_storeu_ps(o + c, v);
    }
    if (full < cols) {
      for (size_t c = full; c < cols; c++) {
        float v = xr[c] + rr[c] + (shift ? shift[c] : 0.0f);
        if (clamp) v = v < lo ? lo : (v > hi ? hi : v);
        o[c] = v;
      }
    }
  }
}
#endif

void ck_pointwise_strided(
    const float *x, const ck_pointwise_geometry *g, const float *w, const float *bias,
    const float *residual, float *out, size_t r0, size_t r1, int N, int clamp, float lo,
    float hi) {
  switch (ck_active_isa()) {
#if defined(__x86_64__) || defined(__i386__)
  case CK_ISA_AVX512:
    pws_avx512(x, g, w, bias, residual, out, r0, r1, N, clamp, lo, hi);
    return;
  case CK_ISA_AVX2: pws_avx2(x, g, w, bias, residual, out, r0, r1, N, clamp, lo, hi); return;
#endif
  default: pws_scalar(x, g, w, bias, residual, out, r0, r1, N, clamp, lo, hi); return;
  }
}

void ck_affine_residual(
    const float *x, const float *residual, float *out, size_t rows, size_t cols,
    const float *shift, int clamp, float lo, float hi) {
  switch (ck_active_isa()) {
#if defined(__x86_64__) || defined(__i386__)
  case CK_ISA_AVX512:
    affres_avx512(x, residual, out, rows, cols, shift, clamp, lo, hi);
    return;
  case CK_ISA_AVX2: affres_avx2(x, residual, out, rows, cols, shift, clamp, lo, hi); return;
#endif
  default: affres_scalar(x, residual, out, rows, cols, shift, clamp, lo, hi); return;
  }
}
