import TensorCore

/// Max and average pooling over NHWC windows (Keras's 'valid' and 'same').
/// 'same' padding never contributes a value: max ignores it (as TensorFlow pads with −∞)
/// and average divides by the count of real pixels under the window, as TensorFlow does.
public enum PoolingKernel {
  /// Max pooling; also returns, per output element, the flat input index of the winner
  /// (for backward; the first maximum wins on ties).
  public static func maxForward(_ x: Tensor, geometry g: WindowGeometry) -> (Tensor, [Int32]) {
    let c = g.channels
    var out = Tensor(zeros: [g.batch, g.outH, g.outW, c])
    var argmax = [Int32](repeating: 0, count: out.count)
    out.withUnsafeMutableBufferPointer { op in
      let ob = op
      argmax.withUnsafeMutableBufferPointer { ap in
        let ab = ap
        x.withUnsafeBufferPointer { xp in
          Parallel.forEach(g.batch) { n in
            for oy in 0..<g.outH {
              for ox in 0..<g.outW {
                let o0 = ((n * g.outH + oy) * g.outW + ox) * c
                for ch in 0..<c {
                  ob[o0 + ch] = -.infinity
                  ab[o0 + ch] = -1
                }
                g.forEachTap(oy, ox) { pixel in
                  let x0 = n * g.inputImageSize + pixel * c
                  for ch in 0..<c where ab[o0 + ch] < 0 || xp[x0 + ch] > ob[o0 + ch] {
                    ob[o0 + ch] = xp[x0 + ch]
                    ab[o0 + ch] = Int32(x0 + ch)
                  }
                }
              }
            }
          }
        }
      }
    }
    return (out, argmax)
  }

  /// Routes each output gradient to the input element that won the max.
  public static func maxBackward(
    _ dy: Tensor, argmax: [Int32], inputShape: [Int]
  ) -> Tensor {
    var dx = Tensor(zeros: inputShape)
    dx.withUnsafeMutableBufferPointer { d in
      dy.withUnsafeBufferPointer { g in
        for i in 0..<min(g.count, argmax.count) where argmax[i] >= 0 {
          d[Int(argmax[i])] += g[i]
        }
      }
    }
    return dx
  }

  /// Number of real (unpadded) input pixels under output pixel (oy, ox).
  @inline(__always)
  static func validCount(_ g: WindowGeometry, _ oy: Int, _ ox: Int) -> Int {
    let y0 = oy * g.strideH - g.padTop
    let x0 = ox * g.strideW - g.padLeft
    let h = min(y0 + g.kH, g.inH) - max(y0, 0)
    let w = min(x0 + g.kW, g.inW) - max(x0, 0)
    return max(h, 0) * max(w, 0)
  }

  /// Average pooling, dividing by the count of real pixels under each window.
  public static func averageForward(_ x: Tensor, geometry g: WindowGeometry) -> Tensor {
    let c = g.channels
    var out = Tensor(zeros: [g.batch, g.outH, g.outW, c])
    out.withUnsafeMutableBufferPointer { op in
      let ob = op
      x.withUnsafeBufferPointer { xp in
        Parallel.forEach(g.batch) { n in
          for oy in 0..<g.outH {
            for ox in 0..<g.outW {
              let o0 = ((n * g.outH + oy) * g.outW + ox) * c
              let scale = 1 / Float(max(1, validCount(g, oy, ox)))
              g.forEachTap(oy, ox) { pixel in
                let x0 = n * g.inputImageSize + pixel * c
                for ch in 0..<c { ob[o0 + ch] += xp[x0 + ch] }
              }
              for ch in 0..<c { ob[o0 + ch] *= scale }
            }
          }
        }
      }
    }
    return out
  }

  /// Spreads each output gradient evenly over the real pixels of its window.
  public static func averageBackward(_ dy: Tensor, geometry g: WindowGeometry) -> Tensor {
    let c = g.channels
    var dx = Tensor(zeros: [g.batch, g.inH, g.inW, c])
    dx.withUnsafeMutableBufferPointer { dp in
      let db = dp
      dy.withUnsafeBufferPointer { gp in
        Parallel.forEach(g.batch) { n in
          for oy in 0..<g.outH {
            for ox in 0..<g.outW {
              let o0 = ((n * g.outH + oy) * g.outW + ox) * c
              let scale = 1 / Float(max(1, validCount(g, oy, ox)))
              g.forEachTap(oy, ox) { pixel in
                let x0 = n * g.inputImageSize + pixel * c
                for ch in 0..<c { db[x0 + ch] += gp[o0 + ch] * scale }
              }
            }
          }
        }
      }
    }
    return dx
  }
}
