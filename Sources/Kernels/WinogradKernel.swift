import TensorCore

/// 3×3 stride-1 convolution (any padding) by Winograd F(4×4, 3×3), NHWC, forward only.
///
/// Per chunk of tiles (bounded scratch, `maxScratchElements`): input transform into
/// `V[36][tiles][in]`, then 36 GEMMs `M[p] = V[p] · U[p]` (`[tiles × in] · [in × out]`,
/// OpenBLAS on its own threads), then the output
/// transform with bias and activation fused. The transformed filter `U` comes from the
/// caller's cache or is recomputed into scratch, by blocks of output channels.
///
/// Error: the transforms multiply by up to 8 (Aᵀ) and 5 (Bᵀ), so rounding grows a little
/// over direct convolution; on random data the max abs error is a few 1e-6 relative to
/// the output's scale (see `WinogradTests`), well inside the 1e-4 Keras parity.
public enum WinogradKernel {
  /// Scratch bound in floats (16 MB): transformed tiles, GEMM results and filter blocks.
  public static let defaultMaxScratchElements = 1 << 22
  /// Callers keep a transformed filter only below this many tiles per call: above it the
  /// per-call transform costs a few percent of the GEMMs, not worth 4x the kernel's memory.
  public static let cachedFilterTileLimit = 128
  /// Fewer input channels than this go to im2col: GEMMs with a tiny K waste the transforms.
  public static let minimumInputChannels = 8

  /// True for the convolutions this kernel computes: 3×3, stride 1, enough input channels.
  public static func isApplicable(_ g: WindowGeometry) -> Bool {
    g.kH == 3 && g.kW == 3 && g.strideH == 1 && g.strideW == 1
      && g.channels >= minimumInputChannels && g.outH > 0 && g.outW > 0
  }

  /// Tiles of 4×4 output pixels in one call.
  public static func tileCount(_ g: WindowGeometry) -> Int {
    g.batch * ((g.outH + 3) / 4) * ((g.outW + 3) / 4)
  }

  /// Forward: `x` `[N, H, W, in]`, `kernel` `[3, 3, in, out]` → `[N, outH, outW, out]`.
  /// `filter`, when given, is `kernel` already transformed (it must match it).
  public static func forward(
    _ x: Tensor, kernel: Tensor, filter: WinogradFilter? = nil, bias: Tensor?,
    activation: ActivationKind = .linear, geometry g: WindowGeometry,
    maxScratchElements: Int = defaultMaxScratchElements
  ) -> Tensor {
    forward(
      x, kernel: kernel, filter: filter, bias: bias, activation: activation, geometry: g,
      maxScratchElements: maxScratchElements, cKernels: useCKernels)
  }

  /// `forward` with the path chosen: the C kernels, or the Swift transforms + OpenBLAS.
  static func forward(
    _ x: Tensor, kernel: Tensor, filter: WinogradFilter?, bias: Tensor?,
    activation: ActivationKind, geometry g: WindowGeometry, maxScratchElements: Int,
    cKernels: Bool
  ) -> Tensor {
    let filters = kernel.shape.last ?? 0
    // A reused buffer: every output pixel of every channel is written.
    var out = TensorPool.shared.tensor(shape: [g.batch, g.outH, g.outW, filters])
    out.withUnsafeMutableBufferPointer { o in
      x.withUnsafeBufferPointer { xp in
        kernel.withUnsafeBufferPointer { w in
          withFilter(filter, w) { u in
            forward(
              xp, kernel: w, transformed: u, bias: bias?.scalars, activation: activation,
              geometry: g, filters: filters, limit: maxScratchElements, cKernels: cKernels,
              into: o)
          }
        }
      }
    }
    return out
  }

  private static func withFilter<R>(
    _ f: WinogradFilter?, _ w: UnsafeBufferPointer<Float>,
    _ body: (UnsafeBufferPointer<Float>?) -> R
  ) -> R {
    guard let f else { return body(nil) }
    return f.scalars.withUnsafeBufferPointer { body($0) }
  }

  /// The plan of one call: tiles per chunk (transformed tiles and GEMM results within
  /// the scratch bound; the transformed filter, when not cached, comes on top).
  struct Plan {
    let tilesH: Int, tilesW: Int, total: Int
    let chunk: Int

    init(_ g: WindowGeometry, filters: Int, limit: Int) {
      tilesH = (g.outH + 3) / 4
      tilesW = (g.outW + 3) / 4
      total = g.batch * tilesH * tilesW
      let most = max(1, min(total, limit / (36 * (g.channels + filters))))
      // Chunks of equal size: a short last chunk would stream the whole filter for a few
      // tiles (VGG16's block 5 at batch 8: 113 + 15 tiles).
      let count = (total + most - 1) / most
      chunk = max(1, (total + count - 1) / max(1, count))
    }
  }

  /// Largest per-call transformed filter kept in `ScratchPool` (4 MB); larger ones are
  /// allocated for the call and freed after it. Kept, VGG16's block 4-5 filters (19-38 MB
  /// each) sat idle in the pool next to the one in use: 90 MB at the forward pass's peak.
  static let maxPooledFilterElements = 1 << 20

  static func withFilterScratch<R>(
    count: Int, _ body: (UnsafeMutableBufferPointer<Float>) -> R
  ) -> R {
    if count <= maxPooledFilterElements { return ScratchPool.shared.withBuffer(count: count, body) }
    return withUnsafeTemporaryAllocation(of: Float.self, capacity: count, body)
  }

  static func forward(
    _ x: UnsafeBufferPointer<Float>, kernel w: UnsafeBufferPointer<Float>,
    transformed: UnsafeBufferPointer<Float>?, bias: [Float]?, activation: ActivationKind,
    geometry g: WindowGeometry, filters: Int, limit: Int, cKernels: Bool,
    into out: UnsafeMutableBufferPointer<Float>
  ) {
    let c = g.channels
    let plan = Plan(g, filters: filters, limit: limit)
    guard plan.total > 0, filters > 0, let xBase = x.baseAddress, let wBase = w.baseAddress,
      let oBase = out.baseAddress
    else { return }
    let lane = Winograd.lane
    let vSize = 36 * plan.chunk * c
    let mSize = 36 * plan.chunk * filters
    let zeros = c + lane
    let biasVector = bias ?? [Float](repeating: 0, count: filters)
    // The filter once per call when not cached: recomputing it per chunk would cost more.
    let uSize = transformed == nil ? 36 * c * filters : 0
    withFilterScratch(count: uSize) { uScratch in
      let u: UnsafePointer<Float>
      if let t = transformed?.baseAddress {
        u = t
      } else if let us = uScratch.baseAddress {
        WinogradFilter.transform(
          wBase, ldw: filters, into: us, ldu: filters, inputChannels: c, outputChannels: filters)
        u = UnsafePointer(us)
      } else {
        return
      }
      ScratchPool.shared.withBuffer(count: vSize + mSize + zeros) { s in
        guard let v = s.baseAddress else { return }
        let m = v + vSize
        let zero = m + mSize
        zero.initialize(repeating: 0, count: zeros)
        var t0 = 0
        while t0 < plan.total {
          let n = min(plan.chunk, plan.total - t0)
          if cKernels {
            biasVector.withUnsafeBufferPointer { bp in
              chunkWithCKernels(
                xBase, g, plan, tiles: t0..<(t0 + n), filter: u, filters: filters,
                bias: bp.baseAddress, activation: activation, v: v, m: m, into: oBase)
            }
            t0 += n
            continue
          }
          let tasks = min(n, 32)
          Parallel.forEach(tasks) { task in
            let range = (t0 + task * n / tasks)..<(t0 + (task + 1) * n / tasks)
            inputTransform(xBase, g, plan, tiles: range, first: t0, zero: zero, into: v)
          }
          // One GEMM after another on OpenBLAS's own threads. (Not one per core with BLAS set
          // to one thread: the thread count is process-global, and changing it changes the
          // last bits of GEMMs other threads are running.)
          for p in 0..<36 {
            sgemm(
              m: n, n: filters, k: c, a: v + p * plan.chunk * c, lda: c,
              b: u + p * c * filters, ldb: filters, c: m + p * plan.chunk * filters,
              ldc: filters)
          }
          biasVector.withUnsafeBufferPointer { bp in
            guard let b = bp.baseAddress else { return }
            Parallel.forEach(tasks) { task in
              let range = (t0 + task * n / tasks)..<(t0 + (task + 1) * n / tasks)
              outputTransform(
                m, g, plan, tiles: range, first: t0, channels: 0..<filters,
                filters: filters, bias: b, activation: activation, into: oBase)
            }
          }
          t0 += n
        }
      }
    }
  }
}
