import CKernels
import TensorCore

extension PointwiseConvKernel {
  /// Strided windows deeper than this go to im2col + OpenBLAS, whose packing wins there
  /// (ResNet50's 1024-deep stride-2 1×1s: ~170 vs ~130 GFLOP/s per core on Zen 5).
  public static let maxStridedInputChannels = 512

  /// True for the windows `forward(_:kernel:bias:geometry:residual:activation:)` computes: 1×1,
  /// any stride, no padding, input depth up to `maxInputChannels` (unstrided) or
  /// `maxStridedInputChannels`.
  public static func isApplicable(_ g: WindowGeometry) -> Bool {
    let strided = g.strideH != 1 || g.strideW != 1
    return g.kH == 1 && g.kW == 1 && g.padTop == 0 && g.padLeft == 0 && g.channels > 0
      && g.channels <= (strided ? maxStridedInputChannels : maxInputChannels)
      && g.outH > 0 && g.outW > 0
      && (g.outH - 1) * g.strideH < g.inH && (g.outW - 1) * g.strideW < g.inW
  }

  /// `act(conv1x1(x, kernel, strides) + bias + residual)` for x `[N, H, W, K]`, kernel
  /// `[1, 1, K, F]`, bias `[F]` or nil, residual `[N, outH, outW, F]` or nil; returns
  /// `[N, outH, outW, F]`, each element written once as its tile leaves the registers.
  /// A strided window reads its pixels in place (no subsampled copy). The caller checks
  /// `isApplicable(g)` and the residual's shape.
  public static func forward(
    _ x: Tensor, kernel: Tensor, bias: Tensor?, geometry g: WindowGeometry, residual: Tensor?,
    activation: ActivationKind
  ) -> Tensor {
    let k = g.channels
    let f = kernel.shape.last ?? 0
    let shape = [g.batch, g.outH, g.outW, f]
    let rows = g.batch * g.outputPixels
    guard f > 0, kernel.count == k * f, x.count == g.batch * g.inputImageSize,
      residual.map({ $0.count == rows * f }) ?? true
    else { return Tensor(zeros: shape) }
    // A reused buffer: every element is written.
    var out = TensorPool.shared.tensor(shape: shape)
    var cg = ck_pointwise_geometry(
      inH: Int32(g.inH), inW: Int32(g.inW), channels: Int32(k), strideH: Int32(g.strideH),
      strideW: Int32(g.strideW), outH: Int32(g.outH), outW: Int32(g.outW))
    // Row chunks whose input rows stay in L2 while every column panel passes over them.
    let chunk = max(8, min(512, (65536 / k) / 8 * 8))
    let tasks = (rows + chunk - 1) / chunk
    let clamp = activation.cClamp
    out.withUnsafeMutableBufferPointer { o in
      let ob = o
      withUnsafePointer(to: &cg) { gp in
        x.withUnsafeBufferPointer { xp in
          kernel.withUnsafeBufferPointer { w in
            withOptionalPointer(bias) { b in
              withOptionalPointer(residual) { r in
                Parallel.forEach(tasks) { t in
                  guard let xb = xp.baseAddress, let wb = w.baseAddress,
                    let obase = ob.baseAddress
                  else { return }
                  let r0 = t * chunk
                  ck_pointwise_strided(
                    xb, gp, wb, b, r, obase, r0, min(rows, r0 + chunk), Int32(f),
                    clamp.on, clamp.lower, clamp.upper)
                }
              }
            }
          }
        }
      }
    }
    return out
  }

  private static func withOptionalPointer<R>(
    _ t: Tensor?, _ body: (UnsafePointer<Float>?) -> R
  ) -> R {
    guard let t else { return body(nil) }
    return t.withUnsafeBufferPointer { body($0.baseAddress) }
  }
}

extension ChannelAffine {
  /// In place: `t = act(t + shift + residual)` per channel (last axis), one SIMD pass over
  /// the cores: the epilogue of a convolution whose output feeds a residual Add.
  public static func addResidual(
    _ t: inout Tensor, _ residual: Tensor, channels c: Int, shift: [Float]?,
    activation: ActivationKind
  ) {
    guard c > 0, t.count == residual.count else { return }
    let rows = t.count / c
    let blocks = max(1, min(rows, t.count / 16384 + 1, 64))
    let clamp = activation.cClamp
    t.withUnsafeMutableBufferPointer { p in
      let pb = p
      residual.withUnsafeBufferPointer { r in
        let body = { (s: UnsafePointer<Float>?) in
          Parallel.forEach(blocks) { block in
            guard let base = pb.baseAddress, let rb = r.baseAddress else { return }
            let r0 = block * rows / blocks, r1 = (block + 1) * rows / blocks
            ck_affine_residual(
              base + r0 * c, rb + r0 * c, base + r0 * c, r1 - r0, c, s, clamp.on, clamp.lower,
              clamp.upper)
          }
        }
        if let shift {
          shift.withUnsafeBufferPointer { body($0.baseAddress) }
        } else {
          body(nil)
        }
      }
    }
  }
}
