/// 2-D convolution as im2col + one GEMM per chunk of images (the whole batch when it fits
/// `maxColumnElements`): `out[N·OH·OW, F] = col[N·OH·OW, K] · kernel[K, F]`, with
/// K = kh·kw·in. Kernel layout is Keras's `[kh, kw, in, out]`, activations NHWC.
/// A 1×1 unstrided convolution skips im2col (the input already is the column matrix).
/// The column matrix lives in a buffer borrowed from `ScratchPool.shared`.
public enum Conv2DKernel {
  /// Default upper bound on the im2col scratch, in floats (16 Mi floats = 64 MB), unless a
  /// single image needs more.
  public static let defaultMaxColumnElements = 1 << 24

  /// Images per chunk so the column matrix stays within `limit` floats.
  static func chunkSize(_ g: WindowGeometry, limit: Int) -> Int {
    let perImage = max(1, g.outputPixels * g.patchSize)
    return max(1, min(g.batch, limit / perImage))
  }

  /// Forward: returns `act(conv(x, kernel) + bias)` `[N, outH, outW, filters]`; `bias`
  /// (`[filters]`) is optional. 3×3 stride-1 convolutions run as Winograd F(4×4, 3×3)
  /// (`WinogradKernel`, with `filter` as the transformed kernel when the caller caches it);
  /// the rest as im2col + GEMM.
  public static func forward(
    _ x: Tensor, kernel: Tensor, filter: WinogradFilter? = nil, bias: Tensor?,
    activation: FusedActivation = .none, geometry g: WindowGeometry,
    maxColumnElements: Int = defaultMaxColumnElements
  ) -> Tensor {
    if WinogradKernel.isApplicable(g) {
      return WinogradKernel.forward(
        x, kernel: kernel, filter: filter, bias: bias, activation: activation, geometry: g)
    }
    var y = im2colForward(x, kernel: kernel, bias: bias, geometry: g, limit: maxColumnElements)
    clamp(&y, activation)
    return y
  }

  /// ReLU/ReLU6 over the output, spread over the cores.
  static func clamp(_ y: inout Tensor, _ activation: FusedActivation) {
    guard activation != .none else { return }
    let upper: Float = activation == .relu6 ? 6 : .infinity
    y.withUnsafeMutableBufferPointer { p in
      let base = p
      let blocks = min(64, max(1, p.count / 65536))
      Parallel.forEach(blocks) { b in
        for i in (b * base.count / blocks)..<((b + 1) * base.count / blocks) {
          base[i] = min(max(base[i], 0), upper)
        }
      }
    }
  }

  /// im2col + GEMM forward (any window), without activation.
  static func im2colForward(
    _ x: Tensor, kernel: Tensor, bias: Tensor?, geometry g: WindowGeometry, limit: Int
  ) -> Tensor {
    let maxColumnElements = limit
    let filters = kernel.shape.last ?? 0
    let k = g.patchSize
    let pixels = g.outputPixels
    var out = Tensor(zeros: [g.batch, g.outH, g.outW, filters])
    let hasBias = bias != nil
    if let bias {
      // Spread over the cores: on two cores a serial fill costs as much as a small GEMM.
      let rows = g.batch * pixels
      let blocks = min(rows, 64)
      out.withUnsafeMutableBufferPointer { o in
        let ob = o
        bias.withUnsafeBufferPointer { b in
          Parallel.forEach(blocks) { block in
            for r in (block * rows / blocks)..<((block + 1) * rows / blocks) {
              for f in 0..<filters { ob[r * filters + f] = b[f] }
            }
          }
        }
      }
    }
    let beta: Float = hasBias ? 1 : 0
    if g.isPointwise {
      out.withUnsafeMutableBufferPointer { o in
        x.withUnsafeBufferPointer { xp in
          kernel.withUnsafeBufferPointer { w in
            sgemm(m: g.batch * pixels, n: filters, k: k, a: xp, b: w, beta: beta, c: o)
          }
        }
      }
      return out
    }
    let chunk = chunkSize(g, limit: maxColumnElements)
    ScratchPool.shared.withBuffer(count: chunk * pixels * k) { col in
      var start = 0
      while start < g.batch {
        let n = min(chunk, g.batch - start)
        x.withUnsafeBufferPointer { xp in
          // Blocks of output rows, so a batch of one still packs on every core.
          let blocks = min(g.outH, 8)
          Parallel.forEach(n * blocks) { task in
            let (i, b) = (task / blocks, task % blocks)
            let img = UnsafeBufferPointer(
              rebasing: xp[((start + i) * g.inputImageSize)...])
            let dst = UnsafeMutableBufferPointer(rebasing: col[(i * pixels * k)...])
            let rows = (b * g.outH / blocks)..<((b + 1) * g.outH / blocks)
            Im2Col.pack(img, g, outputRows: rows, into: dst)
          }
        }
        out.withUnsafeMutableBufferPointer { o in
          kernel.withUnsafeBufferPointer { w in
            let dst = UnsafeMutableBufferPointer(rebasing: o[(start * pixels * filters)...])
            sgemm(
              m: n * pixels, n: filters, k: k, a: UnsafeBufferPointer(col), b: w,
              beta: beta, c: dst)
          }
        }
        start += n
      }
    }
    return out
  }

  /// Backward: given dLoss/dOut `[N, outH, outW, filters]`, returns dLoss/dInput (when
  /// `needInput`) and dLoss/dKernel `[kh, kw, in, out]` (when `needKernel`). The bias
  /// gradient is `sumRows` of `dOut`.
  public static func backward(
    _ x: Tensor, kernel: Tensor, outputGradient dy: Tensor, geometry g: WindowGeometry,
    needInput: Bool, needKernel: Bool, maxColumnElements: Int = defaultMaxColumnElements
  ) -> (input: Tensor?, kernel: Tensor?) {
    let filters = kernel.shape.last ?? 0
    let k = g.patchSize
    let pixels = g.outputPixels
    var dx: Tensor? = needInput ? Tensor(zeros: x.shape) : nil
    var dw: Tensor? = needKernel ? Tensor(zeros: kernel.shape) : nil
    if g.isPointwise {
      dy.withUnsafeBufferPointer { d in
        if needKernel {
          x.withUnsafeBufferPointer { xp in
            dw?.withUnsafeMutableBufferPointer { w in
              sgemm(transA: true, m: k, n: filters, k: g.batch * pixels, a: xp, b: d, c: w)
            }
          }
        }
        if needInput {
          kernel.withUnsafeBufferPointer { w in
            dx?.withUnsafeMutableBufferPointer { xp in
              sgemm(transB: true, m: g.batch * pixels, n: k, k: filters, a: d, b: w, c: xp)
            }
          }
        }
      }
      return (dx, dw)
    }
    let chunk = chunkSize(g, limit: maxColumnElements)
    ScratchPool.shared.withBuffer(count: chunk * pixels * k) { col in
      var start = 0
      while start < g.batch {
        let n = min(chunk, g.batch - start)
        let rows = n * pixels
        dy.withUnsafeBufferPointer { dyAll in
          let d = UnsafeBufferPointer(rebasing: dyAll[(start * pixels * filters)...])
          if needKernel {
            x.withUnsafeBufferPointer { xp in
              Parallel.forEach(n) { i in
                let img = UnsafeBufferPointer(
                  rebasing: xp[((start + i) * g.inputImageSize)...])
                let dst = UnsafeMutableBufferPointer(rebasing: col[(i * pixels * k)...])
                Im2Col.pack(img, g, into: dst)
              }
            }
            let beta: Float = start == 0 ? 0 : 1
            dw?.withUnsafeMutableBufferPointer { w in
              sgemm(
                transA: true, m: k, n: filters, k: rows, a: UnsafeBufferPointer(col), b: d,
                beta: beta, c: w)
            }
          }
          if needInput {
            kernel.withUnsafeBufferPointer { w in
              sgemm(transB: true, m: rows, n: k, k: filters, a: d, b: w, c: col)
            }
            dx?.withUnsafeMutableBufferPointer { xp in
              let xBase = xp
              Parallel.forEach(n) { i in
                let src = UnsafeBufferPointer(rebasing: col[(i * pixels * k)...])
                let img = UnsafeMutableBufferPointer(
                  rebasing: xBase[((start + i) * g.inputImageSize)...])
                Im2Col.unpackAdding(src, g, into: img)
              }
            }
          }
        }
        start += n
      }
    }
    return (dx, dw)
  }

  /// Sums a `[rows, columns]` view over its rows: the bias gradient of conv and dense.
  public static func sumRows(_ t: Tensor, columns: Int) -> Tensor {
    var out = Tensor(zeros: [columns])
    guard columns > 0 else { return out }
    let rows = t.count / columns
    out.withUnsafeMutableBufferPointer { o in
      t.withUnsafeBufferPointer { p in
        for r in 0..<rows {
          for c in 0..<columns { o[c] += p[r * columns + c] }
        }
      }
    }
    return out
  }
}
