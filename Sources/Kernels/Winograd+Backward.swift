import TensorCore

/// The input gradient of a 3×3 stride-1 convolution as a Winograd forward convolution.
///
/// For `y = conv(x, W)` with top/left padding `p`, `dx = conv(dy, W')` where `W'` is `W`
/// rotated by 180° with its in/out channels swapped (`W'[ky, kx, o, i] = W[2-ky, 2-kx, i, o]`)
/// and top/left padding `2 - p`; rows and columns past `dy`'s edge read as zero. So the
/// input gradient costs what the forward pass costs (4x fewer GEMM FLOPs than the im2col
/// GEMM plus col2im it replaces), through `WinogradKernel.forward`.
extension WinogradKernel {
  /// Whether `inputGradient` computes dX for the forward geometry `g` with `filters` output
  /// channels: 3×3, stride 1, padding at most 2, and enough channels in `dy` for Winograd.
  public static func backwardIsApplicable(_ g: WindowGeometry, filters: Int) -> Bool {
    g.kH == 3 && g.kW == 3 && g.strideH == 1 && g.strideW == 1
      && (0...2).contains(g.padTop) && (0...2).contains(g.padLeft)
      && filters >= minimumInputChannels && g.channels > 0 && g.outH > 0 && g.outW > 0
  }

  /// dLoss/dInput `[N, inH, inW, in]` of the 3×3 stride-1 convolution with forward geometry
  /// `g` and `kernel` `[3, 3, in, out]`, from `dy` `[N, H, W, out]` with H ≥ outH, W ≥ outW:
  /// either exactly dLoss/dOutput, or it on a larger grid whose extra rows/columns (bottom,
  /// right) are zero. The flipped kernel is transformed once per call: weights change every
  /// training step, so a cache would never hit.
  public static func inputGradient(
    _ dy: Tensor, kernel: Tensor, geometry g: WindowGeometry
  ) -> Tensor {
    let filters = kernel.shape.last ?? 0
    let t = transposedGeometry(g, gradientShape: dy.shape, filters: filters)
    return forward(dy, kernel: flipped(kernel), bias: nil, geometry: t)
  }

  /// The geometry of `dx = conv(dy, W')`: `dy`'s grid in, the forward input's size out.
  static func transposedGeometry(
    _ g: WindowGeometry, gradientShape s: [Int], filters: Int
  ) -> WindowGeometry {
    WindowGeometry(
      batch: g.batch, inH: s.count == 4 ? s[1] : g.outH, inW: s.count == 4 ? s[2] : g.outW,
      channels: filters, kH: 3, kW: 3, strideH: 1, strideW: 1,
      padTop: 2 - g.padTop, padLeft: 2 - g.padLeft, outH: g.inH, outW: g.inW)
  }

  /// `[3, 3, in, out]` → `[3, 3, out, in]` rotated by 180°: the taps reversed, each tap's
  /// `[in, out]` matrix transposed (in 16×16 blocks, one tap per task).
  static func flipped(_ kernel: Tensor) -> Tensor {
    guard kernel.rank == 4 else { return kernel }
    let (cin, cout) = (kernel.shape[2], kernel.shape[3])
    let taps = kernel.shape[0] * kernel.shape[1]
    var out = Tensor(zeros: [kernel.shape[0], kernel.shape[1], cout, cin])
    let size = cin * cout
    out.withUnsafeMutableBufferPointer { o in
      kernel.withUnsafeBufferPointer { w in
        guard let op = o.baseAddress, let wp = w.baseAddress else { return }
        Parallel.forEach(taps) { t in
          let src = wp + (taps - 1 - t) * size
          let dst = op + t * size
          let block = 16
          for i0 in stride(from: 0, to: cin, by: block) {
            for o0 in stride(from: 0, to: cout, by: block) {
              for i in i0..<min(i0 + block, cin) {
                for c in o0..<min(o0 + block, cout) { dst[c * cin + i] = src[i * cout + c] }
              }
            }
          }
        }
      }
    }
    return out
  }
}
