import CKernels
import TensorCore

/// `y = act(x·scale + shift)` per channel (last axis) in one SIMD pass over the cores, for
/// a clamp activation (relu, relu6) or none: inference BatchNorm, bias + ReLU epilogues.
public enum ChannelAffine {
  /// Returns `act(x·scale + shift)`; `scale`/`shift` nil mean 1/0. An `activation` that is
  /// not a clamp (`clampBounds == nil`) is not applied: the caller applies it.
  public static func map(
    _ x: Tensor, channels: Int, scale: [Float]?, shift: [Float]?, activation: ActivationKind
  ) -> Tensor {
    map(x, channels: channels, scale: scale, shift: shift, bounds: activation.clampBounds)
  }

  /// `map` clamping to `bounds` (`ReLU(max_value:)` with any maximum), nil none.
  public static func map(
    _ x: Tensor, channels: Int, scale: [Float]?, shift: [Float]?,
    bounds: (lower: Float, upper: Float)?
  ) -> Tensor {
    var y = Tensor.uninitialized(x.shape)
    y.withUnsafeMutableBufferPointer { yp in
      let yb = yp
      x.withUnsafeBufferPointer { xp in
        run(xp, yb, channels: channels, scale: scale, shift: shift, bounds: bounds)
      }
    }
    return y
  }

  /// In place: `t = act(t·scale + shift)` (clamp activations only, as `map`).
  public static func apply(
    _ t: inout Tensor, channels: Int, scale: [Float]? = nil, shift: [Float]? = nil,
    activation: ActivationKind
  ) {
    let bounds = activation.clampBounds
    t.withUnsafeMutableBufferPointer { p in
      let pb = p
      run(UnsafeBufferPointer(pb), pb, channels: channels, scale: scale, shift: shift,
        bounds: bounds)
    }
  }

  private static func run(
    _ x: UnsafeBufferPointer<Float>, _ y: UnsafeMutableBufferPointer<Float>, channels c: Int,
    scale: [Float]?, shift: [Float]?, bounds: (lower: Float, upper: Float)?
  ) {
    guard c > 0, let xb = x.baseAddress, let yb = y.baseAddress else { return }
    let rows = x.count / c
    let blocks = max(1, min(rows, x.count / 16384 + 1, 64))
    let body = { (s: UnsafePointer<Float>?, d: UnsafePointer<Float>?) in
      Parallel.forEach(blocks) { block in
        let r0 = block * rows / blocks, r1 = (block + 1) * rows / blocks
        ck_channel_affine(
          xb + r0 * c, yb + r0 * c, r1 - r0, c, s, d, bounds == nil ? 0 : 1,
          bounds?.lower ?? 0, bounds?.upper ?? 0)
      }
    }
    switch (scale, shift) {
    case (let s?, let d?):
      s.withUnsafeBufferPointer { sp in
        d.withUnsafeBufferPointer { body(sp.baseAddress, $0.baseAddress) }
      }
    case (let s?, nil): s.withUnsafeBufferPointer { body($0.baseAddress, nil) }
    case (nil, let d?): d.withUnsafeBufferPointer { body(nil, $0.baseAddress) }
    case (nil, nil): body(nil, nil)
    }
  }
}
