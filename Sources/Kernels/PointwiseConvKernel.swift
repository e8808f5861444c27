import CKernels
import TensorCore

/// 1×1 unstrided convolution on NHWC as a register-blocked GEMM (`CKernels`, AVX-512 or
/// AVX2 by CPU) with the bias and a clamp applied as each output tile is stored: the
/// output is written once, instead of a zero fill, GEMM, then bias/activation passes.
/// Meant for the small input depths of inverted-residual blocks (no packing).
public enum PointwiseConvKernel {
  /// Input depths up to this run here; deeper ones are better served by OpenBLAS's packing.
  public static let maxInputChannels = 1024

  /// `act(x·kernel + bias)` for x `[N, H, W, K]`, kernel `[1, 1, K, F]` (or `[K, F]`),
  /// bias `[F]` or nil (`activation.fusableInEpilogue`); returns `[N, H, W, F]`.
  public static func forward(
    _ x: Tensor, kernel: Tensor, bias: Tensor?, activation: ActivationKind
  ) -> Tensor {
    let clamp = activation.cClamp
    let k = x.shape.last ?? 0
    let f = kernel.shape.last ?? 0
    var shape = x.shape
    shape[shape.count - 1] = f
    var out = Tensor.uninitialized(shape)
    guard k > 0, f > 0, kernel.count == k * f else { return Tensor(zeros: shape) }
    let rows = x.count / k
    // Row chunks whose input rows stay in L2 while every column panel passes over them.
    let chunk = max(8, min(512, (65536 / k) / 8 * 8))
    let tasks = (rows + chunk - 1) / chunk
    out.withUnsafeMutableBufferPointer { o in
      let ob = o
      x.withUnsafeBufferPointer { xp in
        kernel.withUnsafeBufferPointer { w in
          let run = { (b: UnsafePointer<Float>?) in
            Parallel.forEach(tasks) { t in
              guard let xb = xp.baseAddress, let wb = w.baseAddress, let obase = ob.baseAddress
              else { return }
              let r0 = t * chunk
              let n = min(chunk, rows - r0)
              ck_pointwise_forward(
                xb + r0 * k, wb, b, obase + r0 * f, n, Int32(k), Int32(f), clamp.on,
                clamp.lower, clamp.upper)
            }
          }
          if let bias {
            bias.withUnsafeBufferPointer { run($0.baseAddress) }
          } else {
            run(nil)
          }
        }
      }
    }
    return out
  }
}
