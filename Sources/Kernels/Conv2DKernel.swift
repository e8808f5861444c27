import TensorCore

/// 2-D convolution as im2col + one GEMM per chunk of images (the whole batch when it fits
/// `maxColumnElements`): `out[N·OH·OW, F] = col[N·OH·OW, K] · kernel[K, F]`, with
/// K = kh·kw·in. Kernel layout is Keras's `[kh, kw, in, out]`, activations NHWC.
/// A 1×1 unstrided convolution skips im2col (the input already is the column matrix).
/// The column matrix lives in a buffer borrowed from `ScratchPool.shared`.
public enum Conv2DKernel {
  /// Default upper bound on the im2col scratch of backward, in floats (16 Mi floats =
  /// 64 MB), unless a single image needs more.
  public static let defaultMaxColumnElements = 1 << 24
  /// Forward's bound (2 Mi floats = 8 MB): forward packs by output rows, so it never needs
  /// a whole image's column matrix, and inference memory is what users watch.
  public static let forwardMaxColumnElements = 1 << 21

  /// Images per chunk so the column matrix stays within `limit` floats.
  static func chunkSize(_ g: WindowGeometry, limit: Int) -> Int {
    let perImage = max(1, g.outputPixels * g.patchSize)
    return max(1, min(g.batch, limit / perImage))
  }

  /// The kernels a convolution forward runs on (`choice` picks one).
  public enum Choice: Sendable, Equatable {
    /// ≤ 4 input channels (RGB stems): direct, no im2col or Winograd transforms.
    case smallCin
    /// 1×1 unstrided, up to `PointwiseConvKernel.maxInputChannels` deep: a register-blocked
    /// GEMM with the epilogue fused.
    case pointwise
    /// 1×1 strided (ResNet's stage openers), pixels read in place, epilogue fused; also the
    /// 1×1s with a residual epilogue.
    case stridedPointwise
    /// 3×3 stride 1, enough channels, outputs big enough: Winograd F(4×4, 3×3).
    case winograd
    /// Any other window: im2col + OpenBLAS, then one pass for bias, residual, activation.
    case im2col
  }

  /// The one place that decides which kernel computes a convolution forward: layers, folds,
  /// bands and residual folds all run `forward`, which asks here.
  public static func choice(_ g: WindowGeometry, residual: Bool = false) -> Choice {
    if residual { return PointwiseConvKernel.isApplicable(g) ? .stridedPointwise : .im2col }
    if SmallCinConvKernel.isApplicable(g) { return .smallCin }
    if g.isPointwise && g.channels <= PointwiseConvKernel.maxInputChannels { return .pointwise }
    if PointwiseConvKernel.isApplicable(g) { return .stridedPointwise }
    if WinogradKernel.isChosen(g) { return .winograd }
    return .im2col
  }

  /// Forward: returns `act(conv(x, kernel) + bias + residual)` `[N, outH, outW, filters]` on
  /// the kernel `choice` picks; `bias` (`[filters]`) and `residual` (the output's shape) are
  /// optional, `activation` must be `fusableInEpilogue` (callers apply others after).
  /// `filter` is the Winograd-transformed kernel when the caller caches it.
  public static func forward(
    _ x: Tensor, kernel: Tensor, filter: WinogradFilter? = nil, bias: Tensor?,
    residual: Tensor? = nil, activation: ActivationKind = .linear, geometry g: WindowGeometry,
    maxColumnElements: Int = forwardMaxColumnElements
  ) -> Tensor {
    switch choice(g, residual: residual != nil) {
    case .smallCin:
      return SmallCinConvKernel.forward(
        x, kernel: kernel, bias: bias, geometry: g, activation: activation)
    case .pointwise:
      return PointwiseConvKernel.forward(x, kernel: kernel, bias: bias, activation: activation)
    case .stridedPointwise:
      return PointwiseConvKernel.forward(
        x, kernel: kernel, bias: bias, geometry: g, residual: residual, activation: activation)
    case .winograd:
      return WinogradKernel.forward(
        x, kernel: kernel, filter: filter, bias: bias, activation: activation, geometry: g)
    case .im2col:
      var y = im2colForward(x, kernel: kernel, bias: nil, geometry: g, limit: maxColumnElements)
      let filters = kernel.shape.last ?? 1
      if let residual {
        ChannelAffine.addResidual(
          &y, residual, channels: filters, shift: bias?.scalars, activation: activation)
      } else if bias != nil || activation != .linear {
        ChannelAffine.apply(&y, channels: filters, shift: bias?.scalars, activation: activation)
      }
      return y
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
    // A reused buffer: the bias fill or the GEMM (beta 0) writes every element.
    var out = k > 0
      ? TensorPool.shared.tensor(shape: [g.batch, g.outH, g.outW, filters])
      : Tensor(zeros: [g.batch, g.outH, g.outW, filters])
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
    // Bands of output rows (image, oy) across the batch: the column matrix stays within
    // `maxColumnElements` (at least one row), and a band is one GEMM.
    let rowSize = g.outW * k
    let totalRows = g.batch * g.outH
    let band = max(1, min(totalRows, maxColumnElements / max(1, rowSize)))
    ScratchPool.shared.withBuffer(count: band * rowSize) { col in
      var first = 0
      while first < totalRows {
        let n = min(band, totalRows - first)
        x.withUnsafeBufferPointer { xp in
          let tasks = min(n, 16)
          Parallel.forEach(tasks) { task in
            for r in (first + task * n / tasks)..<(first + (task + 1) * n / tasks) {
              let (i, oy) = (r / g.outH, r % g.outH)
              let img = UnsafeBufferPointer(rebasing: xp[(i * g.inputImageSize)...])
              // `pack` addresses rows by oy within the image's matrix: shift the base so
              // row oy lands at this band's row r - first.
              let offset = (r - first - oy) * rowSize
              Im2Col.pack(img, g, outputRows: oy..<(oy + 1), into: col, offset: offset)
            }
          }
        }
        out.withUnsafeMutableBufferPointer { o in
          kernel.withUnsafeBufferPointer { w in
            let dst = UnsafeMutableBufferPointer(rebasing: o[(first * g.outW * filters)...])
            sgemm(
              m: n * g.outW, n: filters, k: k, a: UnsafeBufferPointer(col), b: w,
              beta: beta, c: dst)
          }
        }
        first += n
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
              // Blocks of output rows, so a chunk of one image still packs on every core.
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
              // Bands of at least kH output rows: even bands first, then odd ones, so no two
              // threads add into the same input row (one image no longer runs on one core).
              let bands = max(1, min(8, g.outH / max(1, g.kH)))
              for parity in 0..<(bands > 1 ? 2 : 1) {
                let perImage = (bands - parity + 1) / 2
                Parallel.forEach(n * perImage) { task in
                  let (i, b) = (task / perImage, 2 * (task % perImage) + parity)
                  let src = UnsafeBufferPointer(rebasing: col[(i * pixels * k)...])
                  let img = UnsafeMutableBufferPointer(
                    rebasing: xBase[((start + i) * g.inputImageSize)...])
                  let rows = (b * g.outH / bands)..<((b + 1) * g.outH / bands)
                  Im2Col.unpackAdding(src, g, outputRows: rows, into: img)
                }
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
