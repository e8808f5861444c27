import CKernels
import TensorCore

/// Training-mode BatchNormalization over the last axis of NHWC tensors (`rows × channels`),
/// as SIMD passes over both cores (`Sources/CKernels/bn_train.c`): one pass for the batch
/// statistics, one for normalise + affine (+ clamp), and for backward one pass of two
/// reductions and one pass for the input gradient.
///
/// Rows are split into blocks whose number depends only on the shape; each block sums into
/// its own double partials and the partials are added in block order, so results never
/// depend on thread timing.
public enum BatchNormKernel {
  /// Per-channel batch mean and biased variance (Keras's `ops.moments`), in Double.
  ///
  /// One pass over `x`: sums of `x − k` and `(x − k)²` with `k` the first row (a value of
  /// each channel, so the subtraction keeps the sum of squares from cancelling), in float
  /// within chunks of 16 rows and in double beyond.
  public static func moments(_ x: Tensor, channels c: Int) -> (mean: [Double], variance: [Double])
  {
    let rows = c > 0 ? x.count / c : 0
    guard rows > 0 else {
      return ([Double](repeating: 0, count: c), [Double](repeating: 0, count: c))
    }
    let shift = Array(x.scalars[0..<c])
    let blocks = blockCount(rows: rows, channels: c)
    var partial = [Double](repeating: 0, count: blocks * 2 * c)
    partial.withUnsafeMutableBufferPointer { pp in
      let pb = pp
      x.withUnsafeBufferPointer { xp in
        shift.withUnsafeBufferPointer { sp in
          Parallel.forEach(blocks) { blk in
            let (r0, r1) = (blk * rows / blocks, (blk + 1) * rows / blocks)
            guard let xb = xp.baseAddress, let s = sp.baseAddress, let p = pb.baseAddress
            else { return }
            ck_bn_stats(xb + r0 * c, r1 - r0, c, s, p + blk * 2 * c, p + blk * 2 * c + c)
          }
        }
      }
    }
    var mean = [Double](repeating: 0, count: c)
    var variance = [Double](repeating: 0, count: c)
    let n = Double(rows)
    for j in 0..<c {
      var s = 0.0, q = 0.0
      for blk in 0..<blocks {
        s += partial[blk * 2 * c + j]
        q += partial[blk * 2 * c + c + j]
      }
      let m = s / n
      mean[j] = Double(shift[j]) + m
      variance[j] = max(0, q / n - m * m)
    }
    return (mean, variance)
  }

  /// Backward reductions: `Σ d` and `Σ d·(x − mean)` per channel, in Double, where `d` is
  /// `dy` masked by the fused clamp (zero where `x·scale + shift` lies outside the open
  /// interval `lower…upper`); no clamp, no mask.
  public static func backwardSums(
    _ dy: Tensor, _ x: Tensor, channels c: Int, mean: [Float], mask: ClampMask?
  ) -> (sumDy: [Double], sumDyX: [Double]) {
    let rows = c > 0 ? min(x.count, dy.count) / c : 0
    guard rows > 0 else {
      return ([Double](repeating: 0, count: c), [Double](repeating: 0, count: c))
    }
    let blocks = blockCount(rows: rows, channels: c)
    var partial = [Double](repeating: 0, count: blocks * 2 * c)
    partial.withUnsafeMutableBufferPointer { pp in
      let pb = pp
      dy.withUnsafeBufferPointer { dp in
        x.withUnsafeBufferPointer { xp in
          mean.withUnsafeBufferPointer { mp in
            ClampMask.with(mask) { sc, sf, on, lo, hi in
              Parallel.forEach(blocks) { blk in
                let (r0, r1) = (blk * rows / blocks, (blk + 1) * rows / blocks)
                guard let db = dp.baseAddress, let xb = xp.baseAddress,
                  let m = mp.baseAddress, let p = pb.baseAddress
                else { return }
                ck_bn_backward_reduce(
                  db + r0 * c, xb + r0 * c, r1 - r0, c, m, sc, sf, on, lo, hi,
                  p + blk * 2 * c, p + blk * 2 * c + c)
              }
            }
          }
        }
      }
    }
    var sumDy = [Double](repeating: 0, count: c)
    var sumDyX = [Double](repeating: 0, count: c)
    for j in 0..<c {
      for blk in 0..<blocks {
        sumDy[j] += partial[blk * 2 * c + j]
        sumDyX[j] += partial[blk * 2 * c + c + j]
      }
    }
    return (sumDy, sumDyX)
  }

  /// Input gradient `a·d + b·(x − mean) + k` per channel (`d` = `dy` masked as in
  /// `backwardSums`); `b` nil gives `a·d` (fixed statistics). A new tensor shaped as `x`.
  public static func inputGradient(
    _ dy: Tensor, _ x: Tensor, channels c: Int, mean: [Float], a: [Float], b: [Float]?,
    k: [Float]?, mask: ClampMask?
  ) -> Tensor {
    var out = Tensor.uninitialized(x.shape)
    let rows = c > 0 ? x.count / c : 0
    guard rows > 0, dy.count == x.count else { return out }
    let blocks = blockCount(rows: rows, channels: c)
    let kk = k ?? [Float](repeating: 0, count: c)
    out.withUnsafeMutableBufferPointer { op in
      let ob = op
      dy.withUnsafeBufferPointer { dp in
        x.withUnsafeBufferPointer { xp in
          mean.withUnsafeBufferPointer { mp in
            a.withUnsafeBufferPointer { ap in
              kk.withUnsafeBufferPointer { kp in
                withOptional(b) { bp in
                  ClampMask.with(mask) { sc, sf, on, lo, hi in
                    Parallel.forEach(blocks) { blk in
                      let (r0, r1) = (blk * rows / blocks, (blk + 1) * rows / blocks)
                      guard let db = dp.baseAddress, let xb = xp.baseAddress,
                        let o = ob.baseAddress
                      else { return }
                      ck_bn_backward_apply(
                        db + r0 * c, xb + r0 * c, o + r0 * c, r1 - r0, c, mp.baseAddress,
                        ap.baseAddress, bp, kp.baseAddress, sc, sf, on, lo, hi)
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
    return out
  }

  /// Blocks of rows for one pass: about 64 KB of each input per block (enough work per
  /// task), at most 64; a function of the shape only.
  static func blockCount(rows: Int, channels c: Int) -> Int {
    max(1, min(64, rows, rows * c / 16384))
  }

  private static func withOptional<R>(
    _ a: [Float]?, _ body: (UnsafePointer<Float>?) -> R
  ) -> R {
    guard let a else { return body(nil) }
    return a.withUnsafeBufferPointer { body($0.baseAddress) }
  }
}

/// A ReLU/ReLU6 fused after a per-channel affine map: the gradient passes where
/// `lower < x·scale + shift < upper` (TensorFlow's choice at the kinks), recomputed from the
/// affine's input with the same float operations as `ChannelAffine`.
public struct ClampMask: Sendable {
  public var scale: [Float]
  public var shift: [Float]
  public var lower: Float
  public var upper: Float

  /// The mask of `activation` after the affine map; nil when it is not a clamp.
  public init?(scale: [Float], shift: [Float], activation: ActivationKind) {
    guard let bounds = activation.clampBounds else { return nil }
    self.scale = scale
    self.shift = shift
    (lower, upper) = bounds
  }

  /// Calls `body(scale, shift, on, lower, upper)` with C pointers (NULL and 0 when nil).
  static func with<R>(
    _ mask: ClampMask?,
    _ body: (UnsafePointer<Float>?, UnsafePointer<Float>?, Int32, Float, Float) -> R
  ) -> R {
    guard let mask else { return body(nil, nil, 0, 0, 0) }
    return mask.scale.withUnsafeBufferPointer { sp in
      mask.shift.withUnsafeBufferPointer { fp in
        body(sp.baseAddress, fp.baseAddress, 1, mask.lower, mask.upper)
      }
    }
  }
}

/// ReLU/ReLU6 backward from the recorded output in one SIMD pass over both cores:
/// `dx = dy` where `lower < y < upper`, else 0.
public enum ClampBackward {
  public static func gradient(
    _ dy: Tensor, output y: Tensor, lower: Float, upper: Float
  ) -> Tensor {
    var out = Tensor.uninitialized(y.shape)
    let n = min(dy.count, y.count)
    let blocks = max(1, min(64, n / 65536))
    out.withUnsafeMutableBufferPointer { op in
      let ob = op
      dy.withUnsafeBufferPointer { dp in
        y.withUnsafeBufferPointer { yp in
          Parallel.forEach(blocks) { blk in
            let (i0, i1) = (blk * n / blocks, (blk + 1) * n / blocks)
            guard let db = dp.baseAddress, let yb = yp.baseAddress, let o = ob.baseAddress
            else { return }
            ck_clamp_backward(db + i0, yb + i0, o + i0, i1 - i0, lower, upper)
          }
        }
      }
    }
    return out
  }
}
