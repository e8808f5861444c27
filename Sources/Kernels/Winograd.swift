import CKernels
import TensorCore

/// Winograd F(4×4, 3×3) (Lavin & Gray 2015): a 6×6 input tile `d` and a 3×3 filter `g`
/// give a 4×4 output tile `Y = Aᵀ[(G g Gᵀ) ⊙ (Bᵀ d B)]A` with 36 multiplications per
/// channel pair instead of 144: 4x fewer GEMM FLOPs than im2col for 3×3 stride-1
/// convolutions.
///
/// The points are 0, ±1, ±2, ∞ (the standard choice, as in oneDNN and NNPACK). Each
/// transform runs on vectors of channels (NHWC keeps a pixel's channels contiguous), so one
/// tile of a whole channel block is transformed with SIMD loads and stores.
public enum Winograd {
  /// Output tile side (m) and input tile side (m + 2).
  public static let outputTile = 4
  public static let inputTile = 6
  /// Transformed-domain points per tile: one GEMM each.
  public static let points = 36

  /// The channel vector the transforms work on.
  typealias Lane = SIMD8<Float>
  static let lane = Lane.scalarCount

  /// `Bᵀ x` for one column of six vectors (input transform, one axis).
  @inline(__always)
  static func inputRows(
    _ d0: Lane, _ d1: Lane, _ d2: Lane, _ d3: Lane, _ d4: Lane, _ d5: Lane
  ) -> (Lane, Lane, Lane, Lane, Lane, Lane) {
    let t0 = 4 * d0 - 5 * d2 + d4
    let t1 = d3 + d4 - 4 * (d1 + d2)
    let t2 = 4 * (d1 - d2) + d4 - d3
    let t3 = 2 * (d3 - d1) + d4 - d2
    let t4 = 2 * (d1 - d3) + d4 - d2
    let t5 = 4 * d1 - 5 * d3 + d5
    return (t0, t1, t2, t3, t4, t5)
  }

  /// `Aᵀ x` for one column of six vectors (output transform, one axis).
  @inline(__always)
  static func outputRows(
    _ m0: Lane, _ m1: Lane, _ m2: Lane, _ m3: Lane, _ m4: Lane, _ m5: Lane
  ) -> (Lane, Lane, Lane, Lane) {
    let a = m1 + m2, b = m1 - m2, c = m3 + m4, d = m3 - m4
    return (m0 + a + c, b + 2 * d, a + 4 * c, b + 8 * d + m5)
  }

  /// `G x` for one column of three vectors (filter transform, one axis).
  @inline(__always)
  static func filterRows(
    _ g0: Lane, _ g1: Lane, _ g2: Lane
  ) -> (Lane, Lane, Lane, Lane, Lane, Lane) {
    let s = g0 + g2
    let r1 = -(s + g1) / 6
    let r2 = (g1 - s) / 6
    let q = g0 / 24 + g2 / 6
    return (g0 / 4, r1, r2, q + g1 / 12, q - g1 / 12, g2)
  }

  @inline(__always)
  static func load(_ p: UnsafePointer<Float>) -> Lane {
    UnsafeRawPointer(p).loadUnaligned(as: Lane.self)
  }

  @inline(__always)
  static func store(_ v: Lane, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: Lane.self)
  }
}

/// A 3×3 kernel `[3, 3, in, out]` in the Winograd domain: 36 matrices `[in, out]`, one per
/// tile point, laid out point-major so each is the B operand of one GEMM.
public struct WinogradFilter: Sendable {
  public let inputChannels: Int
  public let outputChannels: Int
  /// `[36, in, out]`.
  public private(set) var scalars: [Float]
  /// Which transform made it: the C and Swift ones differ in the last bits.
  let byCKernels: Bool

  /// Whether the running pass would transform the kernel the same way (the C kernels run in
  /// inference passes only): a cached filter from the other path would change the last bits
  /// of outputs with the order of passes (a resumed run would not repeat an uninterrupted one).
  public var matchesCurrentPath: Bool { byCKernels == WinogradKernel.useCKernels }

  /// Transforms a Keras kernel `[3, 3, in, out]`; nil for any other shape.
  public init?(kernel: Tensor) {
    self.init(kernel: kernel, cKernels: WinogradKernel.useCKernels)
  }

  /// The transform by the C kernel or the Swift reference loop.
  init?(kernel: Tensor, cKernels: Bool) {
    guard kernel.rank == 4, kernel.shape[0] == 3, kernel.shape[1] == 3 else { return nil }
    let (cin, cout) = (kernel.shape[2], kernel.shape[3])
    inputChannels = cin
    outputChannels = cout
    byCKernels = cKernels
    scalars = [Float](repeating: 0, count: Winograd.points * cin * cout)
    scalars.withUnsafeMutableBufferPointer { u in
      kernel.withUnsafeBufferPointer { w in
        guard let wp = w.baseAddress, let up = u.baseAddress else { return }
        Self.transform(
          wp, ldw: cout, into: up, ldu: cout, inputChannels: cin, outputChannels: cout,
          cKernels: cKernels)
      }
    }
  }

  /// `U = G g Gᵀ` for every (in, out) pair of output channels `0..<outputChannels` of `w`
  /// (element (tap, in, out) at `w[(tap·in_count + in)·ldw + out]`) into `u` (element
  /// (point, in, out) at `u[(point·in_count + in)·ldu + out]`). Vectorized over output
  /// channels, spread over the cores by input channel (disjoint rows of the 36 matrices).
  /// `cKernels` picks the C kernel (`ck_winograd_filter`, AVX-512/AVX2 by CPU) or the Swift
  /// SIMD8 loop below (the reference).
  static func transform(
    _ w: UnsafePointer<Float>, ldw: Int, into u: UnsafeMutablePointer<Float>, ldu: Int,
    inputChannels cin: Int, outputChannels cout: Int,
    cKernels: Bool = WinogradKernel.useCKernels
  ) {
    guard cout > 0, cin > 0 else { return }
    let lane = Winograd.lane
    let (tap, point) = (cin * ldw, cin * ldu)
    let blocks = min(cin, 32)
    if cKernels {
      Parallel.forEach(blocks) { block in
        ck_winograd_filter(
          w, ldw, u, ldu, Int32(cin), Int32(cout), Int32(block * cin / blocks),
          Int32((block + 1) * cin / blocks))
      }
      return
    }
    Parallel.forEach(blocks) { block in
      // Remainder channels go through a zero-padded staging buffer: 9 taps in, 36 points out.
      withUnsafeTemporaryAllocation(of: Float.self, capacity: 45 * lane) { tmp in
        guard let t = tmp.baseAddress else { return }
        for ci in (block * cin / blocks)..<((block + 1) * cin / blocks) {
          var co = 0
          while co < cout {
            let n = min(lane, cout - co)
            let src = w + ci * ldw + co
            let dst = u + ci * ldu + co
            if n == lane {
              transformLane(src, tap, dst, point)
            } else {
              t.initialize(repeating: 0, count: 45 * lane)
              for k in 0..<9 {
                for j in 0..<n { t[k * lane + j] = src[k * tap + j] }
              }
              transformLane(t, lane, t + 9 * lane, lane)
              for p in 0..<36 {
                for j in 0..<n { dst[p * point + j] = t[(9 + p) * lane + j] }
              }
            }
            co += n
          }
        }
      }
    }
  }

  /// One lane of output channels: 9 taps `tap` apart in, 36 points `point` apart out.
  @inline(__always)
  static func transformLane(
    _ src: UnsafePointer<Float>, _ tap: Int, _ dst: UnsafeMutablePointer<Float>, _ point: Int
  ) {
    typealias W = Winograd
    // Columns first: for each kx, G applied along ky.
    let c0 = W.filterRows(W.load(src), W.load(src + 3 * tap), W.load(src + 6 * tap))
    let c1 = W.filterRows(
      W.load(src + tap), W.load(src + 4 * tap), W.load(src + 7 * tap))
    let c2 = W.filterRows(
      W.load(src + 2 * tap), W.load(src + 5 * tap), W.load(src + 8 * tap))
    // Then rows: for each of the six rows i, G along kx.
    func row(_ i: Int, _ a: W.Lane, _ b: W.Lane, _ c: W.Lane) {
      let r = W.filterRows(a, b, c)
      W.store(r.0, dst + (i * 6 + 0) * point)
      W.store(r.1, dst + (i * 6 + 1) * point)
      W.store(r.2, dst + (i * 6 + 2) * point)
      W.store(r.3, dst + (i * 6 + 3) * point)
      W.store(r.4, dst + (i * 6 + 4) * point)
      W.store(r.5, dst + (i * 6 + 5) * point)
    }
    row(0, c0.0, c1.0, c2.0)
    row(1, c0.1, c1.1, c2.1)
    row(2, c0.2, c1.2, c2.2)
    row(3, c0.3, c1.3, c2.3)
    row(4, c0.4, c1.4, c2.4)
    row(5, c0.5, c1.5, c2.5)
  }
}
