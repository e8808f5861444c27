import CKernels
import Foundation
import TensorCore

/// One chunk of tiles through the C kernels (`Sources/CKernels/winograd*.c`, AVX-512 /
/// AVX2+FMA / portable C by CPU): input transform, the 36 GEMMs, output transform with bias
/// and activation, each phase spread over the cores by `Parallel.forEach`. The GEMMs are
/// ftune's own register-blocked kernel: on these shapes (a few hundred tiles × 64-512
/// channels) it runs ~1.5x OpenBLAS per core, and on ftune's threads it leaves no BLAS
/// threads spinning between the 36 calls while the transforms run.
extension WinogradKernel {
  /// On by default in inference passes (VGG16 forward 16 → 27 images/s on a quiet 2-core
  /// Zen 5, same run); `FTUNE_WINOGRAD=swift` keeps the Swift transforms and OpenBLAS GEMMs
  /// (the reference path) everywhere.
  static let cKernelsEnabled = ProcessInfo.processInfo.environment["FTUNE_WINOGRAD"] != "swift"

  /// Set for the duration of an inference pass by `withCKernels` (Graph does).
  @TaskLocal static var passUsesCKernels = false

  /// Whether calls use the C kernels: inside inference passes only. Recording passes and
  /// backward keep the Swift + OpenBLAS path: with the C kernels everywhere, the 2-rank vs
  /// 1-process fine-tune test (MPITrainingTests, Adam over 5 steps) drifted to max |Δw|
  /// 2.4e-4 against its 1e-4 tolerance (both paths are per-tile deterministic).
  static var useCKernels: Bool { passUsesCKernels }

  /// Runs `body` (a forward pass) with the C kernels on when `on` (and switched on).
  public static func withCKernels<R>(_ on: Bool, _ body: () throws -> R) rethrows -> R {
    try $passUsesCKernels.withValue(on && cKernelsEnabled, operation: body)
  }

  /// Output channels per GEMM work item (the AVX-512 kernel's tile width).
  static let columnBlock = 64

  static func chunkWithCKernels(
    _ x: UnsafePointer<Float>, _ g: WindowGeometry, _ plan: Plan, tiles: Range<Int>,
    filter u: UnsafePointer<Float>, filters: Int, bias: UnsafePointer<Float>?,
    activation: ActivationKind, v: UnsafeMutablePointer<Float>,
    m: UnsafeMutablePointer<Float>, into out: UnsafeMutablePointer<Float>
  ) {
    let c = g.channels
    let n = tiles.count
    var cg = ck_winograd_geometry(
      inH: Int32(g.inH), inW: Int32(g.inW), channels: Int32(c), padTop: Int32(g.padTop),
      padLeft: Int32(g.padLeft), outH: Int32(g.outH), outW: Int32(g.outW),
      tilesH: Int32(plan.tilesH), tilesW: Int32(plan.tilesW))
    let tasks = min(n, 32)
    func range(_ task: Int) -> Range<Int> {
      (tiles.lowerBound + task * n / tasks)..<(tiles.lowerBound + (task + 1) * n / tasks)
    }
    let (vStride, mStride) = (plan.chunk * c, plan.chunk * filters)
    withUnsafePointer(to: &cg) { gp in
      Parallel.forEach(tasks) { task in
        let r = range(task)
        ck_winograd_input(
          x, gp, r.lowerBound, r.upperBound, v + (r.lowerBound - tiles.lowerBound) * c,
          vStride)
      }
      let blocks = (filters + columnBlock - 1) / columnBlock
      Parallel.forEach(36 * blocks) { item in
        let (p, b) = (item / blocks, item % blocks)
        ck_winograd_multiply(
          v, vStride, u, c * filters, Int32(filters), m, mStride, Int32(filters), Int32(n),
          Int32(c), Int32(p), Int32(p + 1), Int32(b * columnBlock),
          Int32(min(filters, (b + 1) * columnBlock)))
      }
      let clamp = activation.cClamp
      Parallel.forEach(tasks) { task in
        let r = range(task)
        ck_winograd_output(
          m + (r.lowerBound - tiles.lowerBound) * filters, mStride, Int32(filters), gp,
          r.lowerBound, r.upperBound, Int32(filters), bias, out, Int32(filters), clamp.on,
          clamp.lower, clamp.upper)
      }
    }
  }
}
