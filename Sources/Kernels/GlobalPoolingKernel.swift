import TensorCore

/// Global average and max pooling: `[N, H, W, C]` → `[N, C]`.
public enum GlobalPoolingKernel {
  /// Mean over H and W per image and channel.
  public static func averageForward(_ x: Tensor) -> Tensor {
    let (n, pixels, c) = dims(x)
    var out = Tensor(zeros: [n, c])
    let scale = 1 / Float(max(1, pixels))
    out.withUnsafeMutableBufferPointer { o in
      x.withUnsafeBufferPointer { p in
        for b in 0..<n {
          for i in 0..<pixels {
            let x0 = (b * pixels + i) * c
            for ch in 0..<c { o[b * c + ch] += p[x0 + ch] }
          }
          for ch in 0..<c { o[b * c + ch] *= scale }
        }
      }
    }
    return out
  }

  /// dInput = dOut / (H·W), broadcast over the pixels.
  public static func averageBackward(_ dy: Tensor, inputShape: [Int]) -> Tensor {
    var dx = Tensor(zeros: inputShape)
    let (n, pixels, c) = dims(dx)
    let scale = 1 / Float(max(1, pixels))
    dx.withUnsafeMutableBufferPointer { d in
      dy.withUnsafeBufferPointer { g in
        for b in 0..<n {
          for i in 0..<pixels {
            let x0 = (b * pixels + i) * c
            for ch in 0..<c { d[x0 + ch] = g[b * c + ch] * scale }
          }
        }
      }
    }
    return dx
  }

  /// Max over H and W; also the flat input index of each winner (first on ties).
  public static func maxForward(_ x: Tensor) -> (Tensor, [Int32]) {
    let (n, pixels, c) = dims(x)
    var out = Tensor(zeros: [n, c], value: -.infinity)
    var argmax = [Int32](repeating: -1, count: n * c)
    out.withUnsafeMutableBufferPointer { o in
      x.withUnsafeBufferPointer { p in
        for b in 0..<n {
          for i in 0..<pixels {
            let x0 = (b * pixels + i) * c
            for ch in 0..<c where argmax[b * c + ch] < 0 || p[x0 + ch] > o[b * c + ch] {
              o[b * c + ch] = p[x0 + ch]
              argmax[b * c + ch] = Int32(x0 + ch)
            }
          }
        }
      }
    }
    return (out, argmax)
  }

  static func dims(_ x: Tensor) -> (Int, Int, Int) {
    let n = x.shape.first ?? 0
    let c = x.shape.last ?? 0
    let pixels = x.shape.dropFirst().dropLast().reduce(1, *)
    return (n, pixels, c)
  }
}
