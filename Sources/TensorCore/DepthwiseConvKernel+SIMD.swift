import CKernels

/// A clamp applied in a kernel's output pass: ReLU is `0...∞`, ReLU6 `0...6`.
public struct OutputClamp: Sendable, Equatable {
  public var lower: Float
  public var upper: Float

  public init(lower: Float, upper: Float) {
    self.lower = lower
    self.upper = upper
  }

  public static let relu = OutputClamp(lower: 0, upper: .infinity)
  public static let relu6 = OutputClamp(lower: 0, upper: 6)
}

/// The instruction set of the hand-written SIMD kernels (`CKernels`), chosen at run time.
public enum KernelISA: Int, Sendable, CaseIterable, CustomStringConvertible {
  case scalar = 0, avx2 = 1, avx512 = 2

  /// The best the CPU offers.
  public static var detected: KernelISA {
    KernelISA(rawValue: Int(ck_detect_isa().rawValue)) ?? .scalar
  }
  /// What the kernels use now (the detected one unless forced).
  public static var active: KernelISA {
    KernelISA(rawValue: Int(ck_active_isa().rawValue)) ?? .scalar
  }

  /// Runs `body` with the kernels forced to `isa` (or the best below it the CPU has), then
  /// restores what was forced before. For tests of every path: the choice holds for this
  /// thread and the `Parallel.forEach` workers it starts, not for other threads.
  public static func withForced<R>(_ isa: KernelISA, _ body: () throws -> R) rethrows -> R {
    let previous = ck_forced_isa()
    ck_force_isa(Int32(isa.rawValue))
    defer { ck_force_isa(previous) }
    return try body()
  }

  public var description: String {
    switch self {
    case .scalar: return "scalar"
    case .avx2: return "AVX2"
    case .avx512: return "AVX-512"
    }
  }
}

extension Tensor {
  /// A tensor of this shape whose scalars the caller overwrites entirely (no zero fill).
  static func uninitialized(_ shape: [Int]) -> Tensor {
    let count = shape.reduce(1, *)
    let scalars = [Float](unsafeUninitializedCapacity: count) { _, n in n = count }
    return (try? Tensor(shape: shape, scalars: scalars)) ?? Tensor(zeros: shape)
  }
}

extension DepthwiseConvKernel {
  /// Forward with the bias and an optional clamp fused into the output pass:
  /// `clamp(depthwise(x, kernel) + bias)`. Multiplier 1 runs the SIMD kernel (AVX-512 or
  /// AVX2 by CPU); other multipliers the reference loop then one clamp pass.
  public static func forward(
    _ x: Tensor, kernel: Tensor, bias: Tensor?, multiplier mult: Int, geometry g: WindowGeometry,
    clamp: OutputClamp?
  ) -> Tensor {
    guard mult == 1 else {
      var y = reference(x, kernel: kernel, bias: bias, multiplier: mult, geometry: g)
      if let clamp { ChannelAffine.apply(&y, channels: y.shape.last ?? 1, clamp: clamp) }
      return y
    }
    let c = g.channels
    var out = Tensor.uninitialized([g.batch, g.outH, g.outW, c])
    var cg = ck_depthwise_geometry(
      inH: Int32(g.inH), inW: Int32(g.inW), channels: Int32(c), kH: Int32(g.kH),
      kW: Int32(g.kW), strideH: Int32(g.strideH), strideW: Int32(g.strideW),
      padTop: Int32(g.padTop), padLeft: Int32(g.padLeft), outH: Int32(g.outH),
      outW: Int32(g.outW))
    withUnsafePointer(to: &cg) { gp in
      RowBands.forEach(x, kernel: kernel, bias: bias, into: &out, geometry: g, outChannels: c) {
        x, w, b, o, first, end in
        ck_depthwise_forward(
          x, w, b, o, gp, first, end, clamp == nil ? 0 : 1, clamp?.lower ?? 0, clamp?.upper ?? 0)
      }
    }
    return out
  }
}

/// `y = clamp(x·scale + shift)` per channel (last axis) in one SIMD pass over the cores:
/// inference BatchNorm, bias + ReLU epilogues, ReLU6.
public enum ChannelAffine {
  /// Returns `clamp(x·scale + shift)`; `scale`/`shift` nil mean 1/0, `clamp` nil none.
  public static func map(
    _ x: Tensor, channels: Int, scale: [Float]?, shift: [Float]?, clamp: OutputClamp?
  ) -> Tensor {
    var y = Tensor.uninitialized(x.shape)
    y.withUnsafeMutableBufferPointer { yp in
      let yb = yp
      x.withUnsafeBufferPointer { xp in
        run(xp, yb, channels: channels, scale: scale, shift: shift, clamp: clamp)
      }
    }
    return y
  }

  /// In place: `t = clamp(t·scale + shift)`.
  public static func apply(
    _ t: inout Tensor, channels: Int, scale: [Float]? = nil, shift: [Float]? = nil,
    clamp: OutputClamp?
  ) {
    t.withUnsafeMutableBufferPointer { p in
      let pb = p
      run(UnsafeBufferPointer(pb), pb, channels: channels, scale: scale, shift: shift,
        clamp: clamp)
    }
  }

  private static func run(
    _ x: UnsafeBufferPointer<Float>, _ y: UnsafeMutableBufferPointer<Float>, channels c: Int,
    scale: [Float]?, shift: [Float]?, clamp: OutputClamp?
  ) {
    guard c > 0, let xb = x.baseAddress, let yb = y.baseAddress else { return }
    let rows = x.count / c
    let blocks = max(1, min(rows, x.count / 16384 + 1, 64))
    let body = { (s: UnsafePointer<Float>?, d: UnsafePointer<Float>?) in
      Parallel.forEach(blocks) { block in
        let r0 = block * rows / blocks, r1 = (block + 1) * rows / blocks
        ck_channel_affine(
          xb + r0 * c, yb + r0 * c, r1 - r0, c, s, d, clamp == nil ? 0 : 1,
          clamp?.lower ?? 0, clamp?.upper ?? 0)
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
