import CKernels
import TensorCore

extension PoolingKernel {
  /// Max pooling for passes that keep nothing for backward (no argmax), SIMD over channels
  /// (AVX-512 or AVX2 by CPU) on all cores by bands of output rows. Window cells outside
  /// the input never win, or count as 0 with `zeroPadding` (a ZeroPadding2D folded into
  /// the pool: Keras pads with zeros, then pools 'valid'). Same values as `maxForward`.
  public static func maxForwardFast(
    _ x: Tensor, geometry g: WindowGeometry, zeroPadding: Bool = false
  ) -> Tensor {
    let c = g.channels
    let shape = [g.batch, g.outH, g.outW, c]
    guard c > 0, g.outH > 0, g.outW > 0, x.count == g.batch * g.inputImageSize else {
      return Tensor(zeros: shape)
    }
    // A reused buffer: every output element is written.
    var out = TensorPool.shared.tensor(shape: shape)
    var cg = ck_depthwise_geometry(
      inH: Int32(g.inH), inW: Int32(g.inW), channels: Int32(c), kH: Int32(g.kH),
      kW: Int32(g.kW), strideH: Int32(g.strideH), strideW: Int32(g.strideW),
      padTop: Int32(g.padTop), padLeft: Int32(g.padLeft), outH: Int32(g.outH),
      outW: Int32(g.outW))
    let outImage = g.outputPixels * c
    // Bands of output rows per image, so a batch of one still fills every core.
    let blocks = max(1, min(g.outH, 8))
    out.withUnsafeMutableBufferPointer { o in
      let ob = o
      x.withUnsafeBufferPointer { xp in
        withUnsafePointer(to: &cg) { gp in
          Parallel.forEach(g.batch * blocks) { task in
            let (n, b) = (task / blocks, task % blocks)
            guard let xb = xp.baseAddress, let obase = ob.baseAddress else { return }
            ck_max_pool(
              xb + n * g.inputImageSize, obase + n * outImage, gp,
              Int32(b * g.outH / blocks), Int32((b + 1) * g.outH / blocks),
              zeroPadding ? 1 : 0)
          }
        }
      }
    }
    return out
  }
}
