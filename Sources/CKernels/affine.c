// Per-channel affine map with an optional clamp, one pass: inference BatchNorm that could
// not be folded, a conv's bias + ReLU/ReLU6 epilogue, standalone ReLU6.
#include "ckernels.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

static void affine_scalar(
    const float *x, float *out, size_t rows, size_t cols, const float *scale,
    const float *shift, int clamp, float lo, float hi) {
  for (size_t r = 0; r < rows; r++) {
    const float *xr = x + r * cols;
    float *o = out + r * cols;
    for (size_t c = 0; c < cols; c++) {
      float v = xr[c] * (scale ? scale[c] : 1.0f) + (shift ? shift[c] : 0.0f);
      if (clamp) v = v < lo ? lo : (v > hi ? hi : v);
      o[c] = v;
    }
  }
}

#if defined(__x86_64__) || defined(__i386__)
__attribute__((target("avx512f"))) static void affine_avx512(
    const float *x, float *out, size_t rows, size_t cols, const float *scale,
    const float *shift, int clamp, float lo, float hi) {
  const __m512 vlo = _mm512_set1_ps(lo), vhi = _mm512_set1_ps(hi);
  for (size_t r = 0; r < rows; r++) {
    const float *xr = x + r * cols;
    float *o = out + r * cols;
    for (size_t c = 0; c < cols; c += 16) {
      const __mmask16 m = cols - c >= 16 ? 0xFFFF : (__mmask16)((1u << (cols - c)) - 1);
      __m512 v = _mm512_maskz_loadu_ps(m, xr + c);
      if (scale) v = _mm512_mul_ps(v, _mm512_maskz_loadu_ps(m, scale + c));
      if (shift) v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(m, shift + c));
      if (clamp) v = _mm512_min_ps(_mm512_max_ps(v, vlo), vhi);
      _mm512_mask_storeu_ps(o + c, m, v);
    }
  }
}

__attribute__((target("avx2,fma"))) static void affine_avx2(
    const float *x, float *out, size_t rows, size_t cols, const float *scale,
    const float *shift, int clamp, float lo, float hi) {
  const __m256 vlo = _mm256_set1_ps(lo), vhi = _mm256_set1_ps(hi);
  const size_t full = cols / 8 * 8;
  for (size_t r = 0; r < rows; r++) {
    const float *xr = x + r * cols;
    float *o = out + r * cols;
    for (size_t c = 0; c < full; c += 8) {
      __m256 v = _mm256_loadu_ps(xr + c);
      if (scale) v = _mm256_mul_ps(v, _mm256_loadu_ps(scale + c));
      if (shift) v = _mm256_add_ps(v, _mm256_loadu_ps(shift + c));
      if (clamp) v = _mm256_min_ps(_mm256_max_ps(v, vlo), vhi);
      _mm256_storeu_ps(o + c, v);
    }
    if (full < cols) {
      affine_scalar(
          xr + full, o + full, 1, cols - full, scale ? scale + full : 0,
          shift ? shift + full : 0, clamp, lo, hi);
    }
  }
}
#endif

void ck_channel_affine(
    const float *x, float *out, size_t rows, size_t cols, const float *scale,
    const float *shift, int clamp, float lo, float hi) {
  switch (ck_active_isa()) {
#if defined(__x86_64__) || defined(__i386__)
  case CK_ISA_AVX512: affine_avx512(x, out, rows, cols, scale, shift, clamp, lo, hi); return;
  case CK_ISA_AVX2: affine_avx2(x, out, rows, cols, scale, shift, clamp, lo, hi); return;
#endif
  default: affine_scalar(x, out, rows, cols, scale, shift, clamp, lo, hi); return;
  }
}
