import TensorCore

/// Direct NHWC depthwise convolution, kernel `[kh, kw, in, mult]` (Keras's layout):
/// output channel `c·mult + m` is input channel `c` filtered by `kernel[:, :, c, m]`.
/// Images run in parallel; the innermost loop walks contiguous channels.
public enum DepthwiseConvKernel {
  /// The plain Swift loop: the reference the SIMD paths are tested against, and the path
  /// for channel multipliers above 1.
  public static func reference(
    _ x: Tensor, kernel: Tensor, bias: Tensor?, multiplier mult: Int, geometry g: WindowGeometry
  ) -> Tensor {
    let c = g.channels
    let outC = c * mult
    var out = Tensor(zeros: [g.batch, g.outH, g.outW, outC])
    let outImage = g.outputPixels * outC
    out.withUnsafeMutableBufferPointer { o in
      let ob = o
      x.withUnsafeBufferPointer { xp in
        kernel.withUnsafeBufferPointer { w in
          let bp: [Float] = bias?.scalars ?? [Float](repeating: 0, count: outC)
          Parallel.forEach(g.batch) { n in
            let xi = n * g.inputImageSize
            for oy in 0..<g.outH {
              for ox in 0..<g.outW {
                let o0 = n * outImage + (oy * g.outW + ox) * outC
                for j in 0..<outC { ob[o0 + j] = bp[j] }
                for ky in 0..<g.kH {
                  let iy = oy * g.strideH - g.padTop + ky
                  guard iy >= 0 && iy < g.inH else { continue }
                  for kx in 0..<g.kW {
                    let ix = ox * g.strideW - g.padLeft + kx
                    guard ix >= 0 && ix < g.inW else { continue }
                    let x0 = xi + (iy * g.inW + ix) * c
                    let w0 = (ky * g.kW + kx) * outC
                    if mult == 1 {
                      // The common case (MobileNet): one contiguous, vectorisable run.
                      for ch in 0..<c { ob[o0 + ch] += xp[x0 + ch] * w[w0 + ch] }
                    } else {
                      for ch in 0..<c {
                        let v = xp[x0 + ch]
                        for m in 0..<mult {
                          ob[o0 + ch * mult + m] += v * w[w0 + ch * mult + m]
                        }
                      }
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

  /// Backward as plain Swift loops: dLoss/dInput (when `needInput`) and dLoss/dKernel
  /// (when `needKernel`); the reference the SIMD kernel is tested against and the path for
  /// channel multipliers above 1. Each image accumulates its own kernel gradient; the
  /// partials are summed at the end, so the parallel loop never writes shared memory.
  public static func referenceBackward(
    _ x: Tensor, kernel: Tensor, outputGradient dy: Tensor, multiplier mult: Int,
    geometry g: WindowGeometry, needInput: Bool, needKernel: Bool
  ) -> (input: Tensor?, kernel: Tensor?) {
    let c = g.channels
    let outC = c * mult
    let outImage = g.outputPixels * outC
    let kCount = kernel.count
    var dx = Tensor(zeros: needInput ? x.shape : [0])
    var partial = [Float](repeating: 0, count: needKernel ? g.batch * kCount : 0)
    dx.withUnsafeMutableBufferPointer { dxp in
      let dxb = dxp
      partial.withUnsafeMutableBufferPointer { pp in
        let pb = pp
        x.withUnsafeBufferPointer { xp in
          kernel.withUnsafeBufferPointer { w in
            dy.withUnsafeBufferPointer { d in
              Parallel.forEach(g.batch) { n in
                let xi = n * g.inputImageSize
                let pk = n * kCount
                for oy in 0..<g.outH {
                  for ox in 0..<g.outW {
                    let o0 = n * outImage + (oy * g.outW + ox) * outC
                    for ky in 0..<g.kH {
                      let iy = oy * g.strideH - g.padTop + ky
                      guard iy >= 0 && iy < g.inH else { continue }
                      for kx in 0..<g.kW {
                        let ix = ox * g.strideW - g.padLeft + kx
                        guard ix >= 0 && ix < g.inW else { continue }
                        let x0 = xi + (iy * g.inW + ix) * c
                        let w0 = (ky * g.kW + kx) * outC
                        if mult == 1 {
                          if needInput {
                            for ch in 0..<c { dxb[x0 + ch] += d[o0 + ch] * w[w0 + ch] }
                          }
                          if needKernel {
                            for ch in 0..<c { pb[pk + w0 + ch] += d[o0 + ch] * xp[x0 + ch] }
                          }
                          continue
                        }
                        for ch in 0..<c {
                          var acc: Float = 0
                          let v = xp[x0 + ch]
                          for m in 0..<mult {
                            let gy = d[o0 + ch * mult + m]
                            acc += gy * w[w0 + ch * mult + m]
                            if needKernel { pb[pk + w0 + ch * mult + m] += gy * v }
                          }
                          if needInput { dxb[x0 + ch] += acc }
                        }
                      }
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
    var dw: Tensor? = nil
    if needKernel {
      var sum = Tensor(zeros: kernel.shape)
      sum.withUnsafeMutableBufferPointer { s in
        for n in 0..<g.batch {
          for i in 0..<kCount { s[i] += partial[n * kCount + i] }
        }
      }
      dw = sum
    }
    return (needInput ? dx : nil, dw)
  }
}
