import TensorCore

/// NumPy broadcasting of two tensors, as Keras's merge layers (`Multiply`, `Subtract`) and
/// `tf.math` ops do: shapes align on the right, and each axis is equal or 1 in one operand.
enum Broadcast {
  /// The broadcast shape, or nil when an axis differs and neither side is 1.
  static func shape(_ a: [Int], _ b: [Int]) -> [Int]? {
    let r = max(a.count, b.count)
    let pa = [Int](repeating: 1, count: r - a.count) + a
    let pb = [Int](repeating: 1, count: r - b.count) + b
    var out = [Int]()
    for (x, y) in zip(pa, pb) {
      guard x == y || x == 1 || y == 1 else { return nil }
      out.append(x == 1 ? y : x)
    }
    return out
  }

  /// How to walk the output of `a ⊙ b`: axes merged where both operands keep (or both
  /// broadcast) them together, with each operand's stride per merged axis (0: broadcast).
  private struct Walk {
    var dims: [Int] = []
    var strideA: [Int] = []
    var strideB: [Int] = []

    init(_ a: [Int], _ b: [Int], out: [Int]) {
      let r = out.count
      let pa = [Int](repeating: 1, count: r - a.count) + a
      let pb = [Int](repeating: 1, count: r - b.count) + b
      var flags: [(Bool, Bool)] = []
      for d in 0..<r where out[d] != 1 {
        let f = (pa[d] == 1, pb[d] == 1)
        if let last = flags.last, last == f {
          dims[dims.count - 1] *= out[d]
        } else {
          dims.append(out[d])
          flags.append(f)
        }
      }
      func strides(_ broadcast: (Int) -> Bool) -> [Int] {
        var s = [Int](repeating: 0, count: dims.count)
        var step = 1
        for d in stride(from: dims.count - 1, through: 0, by: -1) where !broadcast(d) {
          s[d] = step
          step *= dims[d]
        }
        return s
      }
      strideA = strides { flags[$0].0 }
      strideB = strides { flags[$0].1 }
    }

    /// Calls `row(out, a, b, n, stepA, stepB)` for each run along the innermost axis.
    func forEachRow(_ row: (Int, Int, Int, Int, Int, Int) -> Void) {
      guard let inner = dims.last else {
        row(0, 0, 0, 1, 0, 0)
        return
      }
      let outer = dims.dropLast()
      let rows = outer.reduce(1, *)
      var index = [Int](repeating: 0, count: outer.count)
      var (oa, ob) = (0, 0)
      for r in 0..<rows {
        row(r * inner, oa, ob, inner, strideA[dims.count - 1], strideB[dims.count - 1])
        // Odometer over the outer axes.
        var d = outer.count - 1
        while d >= 0 {
          index[d] += 1
          oa += strideA[d]
          ob += strideB[d]
          if index[d] < dims[d] { break }
          oa -= strideA[d] * dims[d]
          ob -= strideB[d] * dims[d]
          index[d] = 0
          d -= 1
        }
      }
    }
  }

  /// `f(a, b)` element-wise over the broadcast shape; nil when the shapes do not broadcast.
  static func combine(_ a: Tensor, _ b: Tensor, _ f: (Float, Float) -> Float) -> Tensor? {
    guard let s = shape(a.shape, b.shape) else { return nil }
    var y = Tensor(zeros: s)
    if a.shape == b.shape {
      y.withUnsafeMutableBufferPointer { o in
        for i in 0..<o.count { o[i] = f(a.scalars[i], b.scalars[i]) }
      }
      return y
    }
    let walk = Walk(a.shape, b.shape, out: s)
    y.withUnsafeMutableBufferPointer { o in
      a.withUnsafeBufferPointer { ap in
        b.withUnsafeBufferPointer { bp in
          walk.forEachRow { oo, oa, ob, n, sa, sb in
            for i in 0..<n { o[oo + i] = f(ap[oa + i * sa], bp[ob + i * sb]) }
          }
        }
      }
    }
    return y
  }

  /// Sums `g` (a gradient of the broadcast shape) over the axes `shape` broadcast, giving
  /// the gradient of the operand that had `shape`.
  static func reduce(_ g: Tensor, to target: [Int]) throws -> Tensor {
    if g.shape == target { return g }
    guard shape(target, g.shape) == g.shape else {
      throw TensorError.shapeMismatch(context: "broadcast gradient", expected: target, got: g.shape)
    }
    var out = Tensor(zeros: target)
    let walk = Walk(target, g.shape, out: g.shape)
    out.withUnsafeMutableBufferPointer { o in
      g.withUnsafeBufferPointer { gp in
        walk.forEachRow { og, ot, _, n, st, _ in
          for i in 0..<n { o[ot + i * st] += gp[og + i] }
        }
      }
    }
    return out
  }
}
