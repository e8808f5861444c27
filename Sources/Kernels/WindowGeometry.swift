/// The sliding-window arithmetic shared by convolution, depthwise convolution and pooling:
/// an NHWC input of `[batch, inH, inW, channels]`, a `kH × kW` window moved by
/// `strideH × strideW`, `padTop`/`padLeft` virtual zero rows/columns before the data, and
/// an `[outH, outW]` output grid. The caller (Layers' `ConvGeometry`) decides the padding,
/// so TensorFlow's rule (odd pixel at bottom/right) lives in one place.
public struct WindowGeometry: Sendable, Equatable {
  public var batch: Int
  public var inH: Int, inW: Int, channels: Int
  public var kH: Int, kW: Int
  public var strideH: Int, strideW: Int
  public var padTop: Int, padLeft: Int
  public var outH: Int, outW: Int

  /// All fields spelled out; Layers' `ConvGeometry.window` derives them Keras's way.
  public init(
    batch: Int, inH: Int, inW: Int, channels: Int, kH: Int, kW: Int,
    strideH: Int, strideW: Int, padTop: Int, padLeft: Int, outH: Int, outW: Int
  ) {
    self.batch = batch
    self.inH = inH
    self.inW = inW
    self.channels = channels
    self.kH = kH
    self.kW = kW
    self.strideH = strideH
    self.strideW = strideW
    self.padTop = padTop
    self.padLeft = padLeft
    self.outH = outH
    self.outW = outW
  }

  /// Elements of one input image.
  public var inputImageSize: Int { inH * inW * channels }
  /// Output pixels of one image.
  public var outputPixels: Int { outH * outW }
  /// Length of one im2col row: the window flattened as `[kH, kW, channels]`.
  public var patchSize: Int { kH * kW * channels }
  /// Calls `body(pixel)` for each tap of the window at output pixel (oy, ox) that falls on
  /// a real input pixel (padding is skipped), rows then columns; `pixel` is `iy·inW + ix`,
  /// the pixel's index within its image.
  @inline(__always)
  func forEachTap(_ oy: Int, _ ox: Int, _ body: (_ pixel: Int) -> Void) {
    for ky in 0..<kH {
      let iy = oy * strideH - padTop + ky
      guard iy >= 0 && iy < inH else { continue }
      for kx in 0..<kW {
        let ix = ox * strideW - padLeft + kx
        guard ix >= 0 && ix < inW else { continue }
        body(iy * inW + ix)
      }
    }
  }

  /// True when the window is a plain 1×1 unstrided read, so im2col would copy the input.
  public var isPointwise: Bool {
    kH == 1 && kW == 1 && strideH == 1 && strideW == 1 && padTop == 0 && padLeft == 0
      && outH == inH && outW == inW
  }
}
