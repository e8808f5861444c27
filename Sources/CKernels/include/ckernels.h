// Hand-written SIMD kernels for ftune, each compiled for AVX-512 and for AVX2+FMA (with
// function-level target attributes) and picked at run time by CPU features, so one binary
// runs at full width on both kinds of machine. A portable C path covers everything else.
#ifndef FTUNE_CKERNELS_H
#define FTUNE_CKERNELS_H

#include <stddef.h>

/// Instruction sets a kernel can run with.
typedef enum {
  CK_ISA_SCALAR = 0,
  CK_ISA_AVX2 = 1,
  CK_ISA_AVX512 = 2,
} ck_isa;

/// The best ISA this CPU supports (AVX-512 F, AVX2+FMA, or scalar).
ck_isa ck_detect_isa(void);
/// The ISA the kernels use now: `ck_detect_isa()` unless forced by `ck_force_isa`.
ck_isa ck_active_isa(void);
/// Forces `isa` (clamped to what the CPU supports); -1 restores detection. For tests.
void ck_force_isa(int isa);

/// NHWC depthwise window with a channel multiplier of 1.
typedef struct {
  int inH, inW, channels;
  int kH, kW;
  int strideH, strideW;
  int padTop, padLeft;
  int outH, outW;
} ck_depthwise_geometry;

/// Depthwise convolution of one image, output rows `[oy0, oy1)`:
/// out[oy, ox, c] = clamp(bias[c] + sum_{ky,kx} x[iy, ix, c] * w[ky, kx, c], lo, hi)
/// with iy = oy*strideH - padTop + ky (zero outside), likewise ix. `bias` may be NULL
/// (zero); `clamp` = 0 skips the clamp (linear). `x` is the image, `out` the output image.
void ck_depthwise_forward(
    const float *x, const float *w, const float *bias, float *out,
    const ck_depthwise_geometry *g, int oy0, int oy1, int clamp, float lo, float hi);

/// Over `rows` rows of `cols` channels: out = clamp(x * scale[c] + shift[c], lo, hi).
/// `x` may equal `out` (in place) but must not otherwise overlap it. `scale` or `shift` may
/// be NULL (1 / 0); `clamp` = 0 skips the clamp.
void ck_channel_affine(
    const float *x, float *out, size_t rows, size_t cols, const float *scale,
    const float *shift, int clamp, float lo, float hi);

/// 1x1 convolution of `rows` NHWC pixels: out[r, n] = clamp(bias[n] + sum_k x[r, k] *
/// w[k, n], lo, hi), `x` `[rows, K]`, `w` `[K, N]`, `out` `[rows, N]`; each output element
/// written once. `bias` may be NULL; `clamp` = 0 skips the clamp.
void ck_pointwise_forward(
    const float *x, const float *w, const float *bias, float *out, size_t rows, int K, int N,
    int clamp, float lo, float hi);

/// Makes glibc's malloc serve large blocks from the heap and keep freed memory, so
/// activation buffers are reused instead of mmap'ed and page-faulted anew. 1 when applied.
int ck_malloc_reuse_freed(void);

#endif
