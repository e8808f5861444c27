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
/// Forces `isa` on the calling thread (clamped to what the CPU supports); -1 restores
/// detection. For tests.
void ck_force_isa(int isa);
/// The calling thread's forced ISA, or -1.
int ck_forced_isa(void);

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

// --- bntrain: training-mode BatchNormalization, ReLU/ReLU6 and depthwise backward ---

/// Adds, per channel c of `rows` rows of `cols` channels, sum(x - shift[c]) into sum[c] and
/// sum((x - shift[c])^2) into sumsq[c] (float within chunks of rows, then double).
void ck_bn_stats(
    const float *x, size_t rows, size_t cols, const float *shift, double *sum, double *sumsq);

/// BatchNorm backward reductions: with d = dy masked to 0 where the fused clamp is inactive
/// (clamp != 0 and not lo < x*scale[c] + shift[c] < hi; scale/shift NULL mean 1/0), adds
/// sum(d) into sumDy[c] and sum(d * (x - mean[c])) into sumDyX[c].
void ck_bn_backward_reduce(
    const float *dy, const float *x, size_t rows, size_t cols, const float *mean,
    const float *scale, const float *shift, int clamp, float lo, float hi, double *sumDy,
    double *sumDyX);

/// BatchNorm input gradient: out = a[c]*d + b[c]*(x - mean[c]) + k[c], d masked as in
/// ck_bn_backward_reduce; `b` NULL means out = a[c]*d (`k` unused then).
void ck_bn_backward_apply(
    const float *dy, const float *x, float *out, size_t rows, size_t cols, const float *mean,
    const float *a, const float *b, const float *k, const float *scale, const float *shift,
    int clamp, float lo, float hi);

/// ReLU/ReLU6 backward from the output y: out[i] = lo < y[i] < hi ? dy[i] : 0.
void ck_clamp_backward(
    const float *dy, const float *y, float *out, size_t n, float lo, float hi);

/// Depthwise convolution backward (multiplier 1) for images [n0, n1) and channels [c0, c1)
/// of NHWC tensors with geometry `g`: `dx` (NULL: skipped) gets the input gradient of those
/// images and channels, written; `dw` (NULL: skipped) gets the kernel gradient of those
/// channels summed over those images, written into its `[kH, kW, channels]` layout.
void ck_depthwise_backward(
    const float *x, const float *w, const float *dy, float *dx, float *dw,
    const ck_depthwise_geometry *g, int n0, int n1, int c0, int c1);
/// The channel block `ck_depthwise_backward` works in (vector lanes of the active ISA);
/// channel ranges split at multiples of it keep every block full.
int ck_depthwise_backward_block(void);
// --- resnet: strided 1x1 convolution with a residual epilogue, fused affine+residual,
// NHWC max pooling (pointwise_strided.c, pooling.c) ---

/// A 1x1 window over NHWC images `[batch, inH, inW, channels]` read with a stride, no padding:
/// output pixel (oy, ox) reads input pixel (oy*strideH, ox*strideW).
typedef struct {
  int inH, inW, channels;
  int strideH, strideW;
  int outH, outW;
} ck_pointwise_geometry;

/// Output rows `[r0, r1)` (pixels over the whole batch, `[N*outH*outW, N]` output) of a 1x1
/// convolution with stride: out[r, n] = clamp(bias[n] + sum_k x[pixel(r), k] * w[k, n] +
/// residual[r, n], lo, hi), `w` `[channels, N]`. `bias` and `residual` may be NULL; `clamp`
/// = 0 skips the clamp. Each output element is written once.
void ck_pointwise_strided(
    const float *x, const ck_pointwise_geometry *g, const float *w, const float *bias,
    const float *residual, float *out, size_t r0, size_t r1, int N, int clamp, float lo,
    float hi);

/// Over `rows` rows of `cols` channels: out = clamp(x + shift[c] + residual, lo, hi).
/// `out` may equal `x` or `residual`; `shift` may be NULL; `clamp` = 0 skips the clamp.
void ck_affine_residual(
    const float *x, const float *residual, float *out, size_t rows, size_t cols,
    const float *shift, int clamp, float lo, float hi);

/// Max pooling of one image (geometry as for depthwise; `channels` per pixel), output rows
/// `[oy0, oy1)`: out[oy, ox, c] = max over the window's pixels inside the input. Window
/// cells outside the input never win (`zeroPad` = 0, TensorFlow's 'same') or count as 0
/// (`zeroPad` = 1: a folded ZeroPadding2D). `x` is the image, `out` the output image.
void ck_max_pool(
    const float *x, float *out, const ck_depthwise_geometry *g, int oy0, int oy1,
    int zeroPad);

// --- mnv2: direct small-Cin convolution (smallcin.c) and fused inverted-residual block ---

/// NHWC convolution window with `inChannels` -> `outChannels`, kernel `[kH, kW, in, out]`.
typedef struct {
  int inH, inW, inChannels;
  int kH, kW;
  int strideH, strideW;
  int padTop, padLeft;
  int outH, outW, outChannels;
} ck_conv_geometry;

/// Direct convolution of one image, output rows `[oy0, oy1)`, for few input channels:
/// out[oy, ox, n] = clamp(bias[n] + sum_{ky,kx,ci} x[iy, ix, ci] * w[ky, kx, ci, n], lo, hi)
/// with iy = oy*strideH - padTop + ky (zero outside the image), likewise ix. `bias` may be
/// NULL (zero); `clamp` = 0 skips the clamp. Each output element is written once.
void ck_smallcin_conv_forward(
    const float *x, const float *w, const float *bias, float *out, const ck_conv_geometry *g,
    int oy0, int oy1, int clamp, float lo, float hi);

/// An inverted-residual block (MobileNetV2): 1x1 expand `inChannels -> hidden` with a clamp,
/// a `kH x kW` depthwise window (stride, padding) with a clamp, 1x1 project `hidden ->
/// outChannels`, and when `residual` is 1 the block's input added (stride 1, equal depths).
typedef struct {
  int inH, inW, inChannels, hidden, outChannels;
  int kH, kW, strideH, strideW, padTop, padLeft;
  int outH, outW;
  int residual;
  int expandClamp, depthwiseClamp;
  float expandLo, expandHi, depthwiseLo, depthwiseHi;
} ck_block_geometry;

/// The block's folded weights: expand `[in, hidden]`, depthwise `[kH, kW, hidden]`, project
/// `[hidden, out]`, biases per output channel (any bias may be NULL: zero). `expand` NULL:
/// no expansion (hidden = in), the depthwise reads the input.
typedef struct {
  const float *expand, *expandBias;
  const float *depthwise, *depthwiseBias;
  const float *project, *projectBias;
} ck_block_weights;

/// Output rows per band (the band buffers of `ck_inverted_residual_scratch` stay in L2).
int ck_inverted_residual_band_rows(const ck_block_geometry *g);
/// Floats of scratch `ck_inverted_residual_forward` needs per concurrent call.
size_t ck_inverted_residual_scratch(const ck_block_geometry *g);
/// The block on one image (`x` `[inH, inW, in]`, `out` `[outH, outW, out]`), output rows
/// `[oy0, oy1)`, band by band through `scratch` (`ck_inverted_residual_scratch` floats).
void ck_inverted_residual_forward(
    const float *x, const ck_block_weights *w, float *out, const ck_block_geometry *g,
    int oy0, int oy1, float *scratch);

// --- wino: Winograd F(4x4, 3x3) transforms and per-point GEMMs (winograd*.c) ---

/// One 3x3 stride-1 NHWC convolution as Winograd tiles: 4x4 output tiles numbered
/// t = (image * tilesH + ty) * tilesW + tx, input tile origin (4ty - padTop, 4tx - padLeft).
typedef struct {
  int inH, inW, channels;
  int padTop, padLeft;
  int outH, outW;
  int tilesH, tilesW;
} ck_winograd_geometry;

/// Input transform of tiles [t0, t1) of `x` (batch of NHWC images):
/// v[p * pointStride + (t - t0) * channels + c] = (Bᵀ d B)[p], d the 6x6 tile of channel c
/// (zero outside the image), p < 36.
void ck_winograd_input(
    const float *x, const ck_winograd_geometry *g, long t0, long t1, float *v,
    size_t pointStride);

/// For p in [p0, p1): m[p·mStride + r·ldm + n] = Σ_k v[p·vStride + r·K + k] ·
/// u[p·uStride + k·ldu + n], r < rows, n in [n0, n1) (overwritten, not accumulated).
void ck_winograd_multiply(
    const float *v, size_t vStride, const float *u, size_t uStride, int ldu, float *m,
    size_t mStride, int ldm, int rows, int K, int p0, int p1, int n0, int n1);

/// Output transform of tiles [t0, t1): for k < count, the 4x4 pixels (clipped at the image
/// edge) of out[((image·outH + oy)·outW + ox)·ldo + k] = clamp(bias[k] + (Aᵀ M A)), M's
/// point p at m[p·pointStride + (t - t0)·ldm + k]. `bias` may be NULL; `clamp` = 0 skips it.
void ck_winograd_output(
    const float *m, size_t pointStride, int ldm, const ck_winograd_geometry *g, long t0,
    long t1, int count, const float *bias, float *out, int ldo, int clamp, float lo,
    float hi);

/// Filter transform of input channels [ci0, ci1) of a Keras kernel [3, 3, cin, cout]
/// (element (tap, ci, co) at w[(tap·cin + ci)·ldw + co]): u[(p·cin + ci)·ldu + co] =
/// (G g Gᵀ)[p] for every co < cout.
void ck_winograd_filter(
    const float *w, size_t ldw, float *u, size_t ldu, int cin, int cout, int ci0, int ci1);
// --- end wino ---

#endif
