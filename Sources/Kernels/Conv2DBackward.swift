import Foundation
import TensorCore

/// Backward of 3×3 stride-1 convolutions (VGG16's and ResNet50's 3×3s) without im2col.
///
/// The output gradient is first copied once onto a padded grid `[N, outH+2, outW+2, out]`
/// (zeros in the two extra rows and columns), with the activation's mask (ReLU/ReLU6, from
/// the recorded output) and the bias gradient's sums fused into that copy. Then:
/// - dX is a Winograd forward convolution of that grid with the flipped kernel
///   (`WinogradKernel.inputGradient`): 4x fewer GEMM FLOPs than im2col's GEMM, no col2im;
/// - dW is 9 GEMMs, one per tap, over a zero-padded copy of the input on the same grid:
///   with pixels flattened row-major, the input pixel under tap (ky, kx) of output pixel
///   `r` is row `r + ky·W' + kx` of the padded input, so each tap is
///   `dW[ky, kx] = X'[shifted]ᵀ · dY'` with both operands contiguous (no 9x column matrix;
///   the zero columns of dY' cancel the rows that wrap around an image edge).
/// `FTUNE_CONV_BACKWARD=im2col` keeps the im2col path (for before/after measurements).
public enum Conv2DBackward {
  /// Upper bound on the padded input copy per chunk of images, in floats (8 Mi = 32 MB),
  /// unless one image needs more.
  public static let defaultMaxPaddedElements = 1 << 23

  static let forcedIm2col =
    ProcessInfo.processInfo.environment["FTUNE_CONV_BACKWARD"] == "im2col"

  /// Whether this path computes the gradients of the convolution `g` with `filters`
  /// outputs: 3×3 stride 1 (padding ≤ 2), at least 8 channels in and out (fewer make GEMMs
  /// too thin for the per-tap form; they stay im2col).
  public static func isApplicable(_ g: WindowGeometry, filters: Int) -> Bool {
    !forcedIm2col && WinogradKernel.backwardIsApplicable(g, filters: filters)
      && g.channels >= WinogradKernel.minimumInputChannels
  }

  /// The padded grid's height and width: the output's plus kH-1 and kW-1.
  static func grid(_ g: WindowGeometry) -> (h: Int, w: Int) {
    (g.outH + g.kH - 1, g.outW + g.kW - 1)
  }

  /// The gradients of one call; nil where not asked for.
  public struct Gradients {
    public var input: Tensor?
    public var kernel: Tensor?
    public var bias: Tensor?
  }

  /// All gradients at once: `x` the recorded input, `y` the recorded output (needed when
  /// `activation` is not `.linear`), `dy` dLoss/dOutput after the activation.
  public static func backward(
    _ x: Tensor, kernel: Tensor, outputGradient dy: Tensor, output y: Tensor?,
    activation: ActivationKind, geometry g: WindowGeometry,
    needInput: Bool, needKernel: Bool, needBias: Bool,
    maxPaddedElements: Int = defaultMaxPaddedElements
  ) -> Gradients {
    let (dz, db) = paddedGradient(
      dy, output: y, activation: activation, geometry: g, biasGradient: needBias)
    var r = Gradients(input: nil, kernel: nil, bias: db)
    if needKernel {
      r.kernel = kernelGradient(
        x, paddedGradient: dz, geometry: g, kernelShape: kernel.shape,
        maxPaddedElements: maxPaddedElements)
    }
    if needInput { r.input = WinogradKernel.inputGradient(dz, kernel: kernel, geometry: g) }
    return r
  }

  /// dLoss/dz (dy masked by the activation's derivative) on the padded grid
  /// `[N, outH+2, outW+2, out]`, and its sums over pixels (the bias gradient) when asked.
  /// The mask reads the recorded output `y`: ReLU passes where y > 0, ReLU6 where 0 < y < 6
  /// (TensorFlow's choice at the kinks).
  public static func paddedGradient(
    _ dy: Tensor, output y: Tensor?, activation: ActivationKind, geometry g: WindowGeometry,
    biasGradient: Bool
  ) -> (gradient: Tensor, bias: Tensor?) {
    let f = dy.shape.last ?? 0
    let (hp, wp) = grid(g)
    var dz = TensorPool.shared.tensor(shape: [g.batch, hp, wp, f])
    let rows = g.batch * hp
    let tasks = max(1, min(rows, 32))
    // Per-task partial sums, added in task order: the bias gradient does not depend on
    // thread timing.
    var partials = [Float](repeating: 0, count: biasGradient ? tasks * f : 0)
    let mask = y == nil ? ActivationKind.linear : activation
    dz.withUnsafeMutableBufferPointer { zb in
      dy.withUnsafeBufferPointer { db in
        withOptionalBuffer(y) { yb in
          partials.withUnsafeMutableBufferPointer { pb in
            guard let z = zb.baseAddress, let d = db.baseAddress else { return }
            let yp = yb?.baseAddress
            // An empty array's base address is a shared non-nil sentinel: never write it.
            let part = biasGradient ? pb.baseAddress : nil
            Parallel.forEach(tasks) { task in
              let sums = part.map { $0 + task * f }
              for row in (task * rows / tasks)..<((task + 1) * rows / tasks) {
                let (n, oy) = (row / hp, row % hp)
                let dst = z + row * wp * f
                guard oy < g.outH else {
                  dst.update(repeating: 0, count: wp * f)
                  continue
                }
                let offset = (n * g.outH + oy) * g.outW * f
                maskRow(
                  d + offset, yp.map { $0 + offset }, mask, count: g.outW, channels: f,
                  into: dst, sums: sums)
                (dst + g.outW * f).update(repeating: 0, count: (wp - g.outW) * f)
              }
            }
          }
        }
      }
    }
    guard biasGradient else { return (dz, nil) }
    var db = Tensor(zeros: [f])
    db.withUnsafeMutableBufferPointer { o in
      for t in 0..<tasks {
        for c in 0..<f { o[c] += partials[t * f + c] }
      }
    }
    return (dz, db)
  }

  private static func withOptionalBuffer<R>(
    _ t: Tensor?, _ body: (UnsafeBufferPointer<Float>?) -> R
  ) -> R {
    guard let t else { return body(nil) }
    return t.withUnsafeBufferPointer { body($0) }
  }

  typealias Lane = SIMD16<Float>

  /// `count` pixels of `channels`: dst = src masked by the activation at `y`; adds each
  /// channel's values into `sums` when given.
  @inline(__always)
  static func maskRow(
    _ src: UnsafePointer<Float>, _ y: UnsafePointer<Float>?, _ mask: ActivationKind,
    count: Int, channels f: Int, into dst: UnsafeMutablePointer<Float>,
    sums: UnsafeMutablePointer<Float>?
  ) {
    let lane = Lane.scalarCount
    // Only clamps have a mask (the caller takes other activations' gradient first).
    let bounds = mask.clampBounds
    let (masked, lower, upper) = (bounds != nil, bounds?.lower ?? 0, bounds?.upper ?? 0)
    for p in 0..<count {
      let (s, o) = (src + p * f, dst + p * f)
      let yp = y.map { $0 + p * f }
      var c = 0
      while c + lane <= f {
        var v = UnsafeRawPointer(s + c).loadUnaligned(as: Lane.self)
        if let yp, masked {
          let m = UnsafeRawPointer(yp + c).loadUnaligned(as: Lane.self)
          v.replace(with: 0, where: (m .<= lower) .| (m .>= upper))
        }
        UnsafeMutableRawPointer(o + c).storeBytes(of: v, as: Lane.self)
        if let sums {
          let a = UnsafeRawPointer(sums + c).loadUnaligned(as: Lane.self)
          UnsafeMutableRawPointer(sums + c).storeBytes(of: a + v, as: Lane.self)
        }
        c += lane
      }
      while c < f {
        var v = s[c]
        if let yp, masked, yp[c] <= lower || yp[c] >= upper { v = 0 }
        o[c] = v
        sums?[c] += v
        c += 1
      }
    }
  }

  /// dLoss/dKernel `[kH, kW, in, out]` from the recorded input `x` and the padded gradient
  /// `dz` (from `paddedGradient`): per chunk of images, a zero-padded copy of the input on
  /// the same grid, then one GEMM per tap accumulating over the chunks.
  public static func kernelGradient(
    _ x: Tensor, paddedGradient dz: Tensor, geometry g: WindowGeometry, kernelShape: [Int],
    maxPaddedElements: Int = defaultMaxPaddedElements
  ) -> Tensor {
    var dw = Tensor(zeros: kernelShape)
    let f = kernelShape.last ?? 0
    let c = g.channels
    let (hp, wp) = grid(g)
    let image = hp * wp * c
    guard image > 0, f > 0, g.batch > 0 else { return dw }
    let chunk = max(1, min(g.batch, maxPaddedElements / image))
    // The farthest tap's row shift; the last `shift` rows of a chunk of dY' are zero
    // (padding rows/columns), so every tap's GEMM runs over the same row count.
    let shift = (g.kH - 1) * wp + (g.kW - 1)
    var padded = [Float](unsafeUninitializedCapacity: chunk * image) { _, n in
      n = chunk * image
    }
    padded.withUnsafeMutableBufferPointer { pb in
      x.withUnsafeBufferPointer { xb in
        dz.withUnsafeBufferPointer { zb in
          dw.withUnsafeMutableBufferPointer { wb in
            guard let xp = pb.baseAddress, let xs = xb.baseAddress, let z = zb.baseAddress,
              let w = wb.baseAddress
            else { return }
            var start = 0
            while start < g.batch {
              let n = min(chunk, g.batch - start)
              padInput(xs, g, images: start..<(start + n), into: xp)
              let rows = n * hp * wp - shift
              let beta: Float = start == 0 ? 0 : 1
              for ky in 0..<g.kH {
                for kx in 0..<g.kW {
                  sgemm(
                    transA: true, m: c, n: f, k: rows, a: xp + (ky * wp + kx) * c, lda: c,
                    b: z + start * hp * wp * f, ldb: f, beta: beta,
                    c: w + (ky * g.kW + kx) * c * f, ldc: f)
                }
              }
              start += n
            }
          }
        }
      }
    }
    return dw
  }

  /// Copies images `images` of `x` onto the padded grid (input pixel (iy, ix) at
  /// (iy + padTop, ix + padLeft), zeros elsewhere), chunk-relative, spread over the cores.
  static func padInput(
    _ x: UnsafePointer<Float>, _ g: WindowGeometry, images: Range<Int>,
    into xp: UnsafeMutablePointer<Float>
  ) {
    let c = g.channels
    let (hp, wp) = grid(g)
    let rows = images.count * hp
    let tasks = max(1, min(rows, 32))
    // The input columns that land inside the grid.
    let firstX = max(0, -g.padLeft)
    let lastX = min(g.inW, wp - g.padLeft)
    Parallel.forEach(tasks) { task in
      for row in (task * rows / tasks)..<((task + 1) * rows / tasks) {
        let (i, r) = (images.lowerBound + row / hp, row % hp)
        let dst = xp + row * wp * c
        let iy = r - g.padTop
        guard iy >= 0, iy < g.inH, firstX < lastX else {
          dst.update(repeating: 0, count: wp * c)
          continue
        }
        let left = (firstX + g.padLeft) * c
        dst.update(repeating: 0, count: left)
        let count = (lastX - firstX) * c
        (dst + left).update(from: x + ((i * g.inH + iy) * g.inW + firstX) * c, count: count)
        dst.advanced(by: left + count).update(repeating: 0, count: wp * c - left - count)
      }
    }
  }
}
