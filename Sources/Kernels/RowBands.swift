import TensorCore

/// The launch shared by the row-banded NHWC forward kernels (depthwise, small-Cin
/// convolution): each image's output rows split into up to 8 bands, so a batch of one
/// still fills every core.
enum RowBands {
  /// Per (image, band) with `Parallel.forEach`: `body(x, kernel, bias, out, firstRow,
  /// endRow)`, the pointers already at that image (`out` holds `[N, g.outH, g.outW,
  /// outChannels]`).
  static func forEach(
    _ x: Tensor, kernel: Tensor, bias: Tensor?, into out: inout Tensor, geometry g: WindowGeometry,
    outChannels: Int,
    _ body: (
      UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>?,
      UnsafeMutablePointer<Float>, Int32, Int32
    ) -> Void
  ) {
    let outImage = g.outputPixels * outChannels
    let bands = max(1, min(g.outH, 8))
    out.withUnsafeMutableBufferPointer { o in
      let ob = o
      x.withUnsafeBufferPointer { xp in
        kernel.withUnsafeBufferPointer { w in
          func run(_ b: UnsafePointer<Float>?) {
            Parallel.forEach(g.batch * bands) { task in
              let (n, band) = (task / bands, task % bands)
              guard let xb = xp.baseAddress, let wb = w.baseAddress, let obase = ob.baseAddress
              else { return }
              body(
                xb + n * g.inputImageSize, wb, b, obase + n * outImage,
                Int32(band * g.outH / bands), Int32((band + 1) * g.outH / bands))
            }
          }
          if let bias {
            bias.withUnsafeBufferPointer { run($0.baseAddress) }
          } else {
            run(nil)
          }
        }
      }
    }
  }
}
