// MobileNetV2's inverted-residual block, expand 1x1 -> depthwise -> project 1x1 (each with
// its BatchNorm folded in, ReLU6 clamps after the first two) and the residual Add, run band
// by band of output rows so the expanded tensor (6x the block's input: 38 MB per batch of 8
// at 112x112) never goes to memory. For each band: expand (pointwise kernel) only the input
// rows the band's depthwise window reads and that the previous band did not already expand
// (the rows both need are moved to the front of the buffer, not recomputed), depthwise into
// a second band buffer, project straight into the output rows, then add the block's input.
// Both buffers are sized to stay in L2.
#include "ckernels.h"

#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

static inline int ir_min(int a, int b) { return a < b ? a : b; }
static inline int ir_max(int a, int b) { return a > b ? a : b; }

// Budget of the two band buffers together, in floats (256 KB: well inside a Zen/Skylake L2).
#define IR_BUDGET_FLOATS (64 * 1024)

int ck_inverted_residual_band_rows(const ck_block_geometry *g) {
  const size_t eRow = (size_t)g->inW * g->hidden, dRow = (size_t)g->outW * g->hidden;
  // rows(B) = (B-1)*stride + kH expanded rows plus B depthwise rows.
  int b = 1;
  while (b < g->outH) {
    const size_t next = b + 1;
    const size_t need = ((next - 1) * g->strideH + g->kH) * eRow + next * dRow;
    if (need > IR_BUDGET_FLOATS) break;
    b++;
  }
  return b;
}

size_t ck_inverted_residual_scratch(const ck_block_geometry *g) {
  const int b = ck_inverted_residual_band_rows(g);
  const size_t eRows = (size_t)(b - 1) * g->strideH + g->kH;
  return eRows * g->inW * g->hidden + (size_t)b * g->outW * g->hidden;
}

static void ir_add_scalar(float *out, const float *res, size_t n) {
  for (size_t i = 0; i < n; i++) out[i] += res[i];
}

#if defined(__x86_64__) || defined(__i386__)
__attribute__((target("avx512f"))) static void
ir_add_avx512(float *out, const float *res, size_t n) {
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m512 v = _mm512_add_ps(_mm512_loadu_ps(out + i), _mm512_loadu_ps(res + i));
    _mm512_storeu_ps(out + i, v);
  }
  if (i < n) {
    const __mmask16 m = (__mmask16)((1u << (n - i)) - 1);
    const __m512 v =
        _mm512_add_ps(_mm512_maskz_loadu_ps(m, out + i), _mm512_maskz_loadu_ps(m, res + i));
    _mm512_mask_storeu_ps(out + i, m, v);
  }
}

__attribute__((target("avx2,fma"))) static void
ir_add_avx2(float *out, const float *res, size_t n) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 v = _mm256_add_ps(_mm256_loadu_ps(out + i), _mm256_loadu_ps(res + i));
    _mm256_storeu_ps(out + i, v);
  }
  ir_add_scalar(out + i, res + i, n - i);
}
#endif

static void ir_add(float *out, const float *res, size_t n) {
  switch (ck_active_isa()) {
#if defined(__x86_64__) || defined(__i386__)
  case CK_ISA_AVX512: ir_add_avx512(out, res, n); return;
  case CK_ISA_AVX2: ir_add_avx2(out, res, n); return;
#endif
  default: ir_add_scalar(out, res, n); return;
  }
}

void ck_inverted_residual_forward(
    const float *x, const ck_block_weights *w, float *out, const ck_block_geometry *g,
    int oy0, int oy1, float *scratch) {
  const int inW = g->inW, hid = g->hidden, s = g->strideH;
  const int band = ck_inverted_residual_band_rows(g);
  const size_t eRow = (size_t)inW * hid;
  const size_t eRowsMax = (size_t)(band - 1) * s + g->kH;
  float *ebuf = scratch, *dbuf = scratch + eRowsMax * eRow;
  // Expanded input rows [eLo, eHi) are in ebuf (row eLo first).
  int eLo = 0, eHi = 0;
  for (int b0 = oy0; b0 < oy1; b0 += band) {
    const int b1 = ir_min(oy1, b0 + band);
    const int nLo = ir_max(0, b0 * s - g->padTop);
    const int nHi = ir_max(nLo, ir_min(g->inH, (b1 - 1) * s - g->padTop + g->kH));
    const float *rows = ebuf;
    if (!w->expand) {
      // No expansion (MobileNetV2's first block): the depthwise reads the input rows.
      rows = x + (size_t)nLo * inW * g->inChannels;
    }
    // Keep the rows this band shares with the last one, expand the rest.
    int have = 0;
    if (w->expand && eHi > eLo && nLo >= eLo && nLo < eHi) {
      have = eHi - nLo;
      if (nLo > eLo) {
        memmove(ebuf, ebuf + (size_t)(nLo - eLo) * eRow, (size_t)have * eRow * sizeof(float));
      }
    }
    const int first = nLo + have;
    if (w->expand && first < nHi) {
      ck_pointwise_forward(
          x + (size_t)first * inW * g->inChannels, w->expand, w->expandBias,
          ebuf + (size_t)have * eRow, (size_t)(nHi - first) * inW, g->inChannels, hid,
          g->expandClamp, g->expandLo, g->expandHi);
    }
    eLo = nLo;
    eHi = nHi;
    // Depthwise of output rows [b0, b1) from the buffer: its row 0 is input row nLo.
    const ck_depthwise_geometry dg = {
        .inH = nHi - nLo, .inW = inW, .channels = hid, .kH = g->kH, .kW = g->kW,
        .strideH = s, .strideW = g->strideW, .padTop = nLo + g->padTop - b0 * s,
        .padLeft = g->padLeft, .outH = b1 - b0, .outW = g->outW};
    ck_depthwise_forward(
        rows, w->depthwise, w->depthwiseBias, dbuf, &dg, 0, b1 - b0, g->depthwiseClamp,
        g->depthwiseLo, g->depthwiseHi);
    float *o = out + (size_t)b0 * g->outW * g->outChannels;
    const size_t pixels = (size_t)(b1 - b0) * g->outW;
    ck_pointwise_forward(
        dbuf, w->project, w->projectBias, o, pixels, hid, g->outChannels, 0, 0.0f, 0.0f);
    if (g->residual) {
      // Stride 1 and equal depths: output pixel (oy, ox) adds input pixel (oy, ox).
      ir_add(o, x + (size_t)b0 * inW * g->inChannels, pixels * g->outChannels);
    }
  }
}
