import Testing
import TensorCore
@testable import Layers

/// Conv2D's cached Winograd filter follows its kernel: changing the weights (in place, as
/// optimizers do, or by assignment, as loading does) gives the new convolution, never the
/// cached old one. Reference: direct convolution in Double; tolerance 1e-4·(1 + |ref|)
/// (Winograd's error on these sizes is ~1e-6 relative, see WinogradTests).
struct Conv2DWinogradTests {
  func direct(_ x: Tensor, _ w: Tensor, _ b: Tensor, relu: Bool) -> [Double] {
    let (n, h, wd, c, f) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3], w.shape[3])
    var out = [Double](repeating: 0, count: n * h * wd * f)
    for i in 0..<n {
      for oy in 0..<h {
        for ox in 0..<wd {
          for o in 0..<f {
            var s = Double(b.scalars[o])
            for ky in 0..<3 {
              for kx in 0..<3 {
                let (iy, ix) = (oy + ky - 1, ox + kx - 1)
                guard iy >= 0, iy < h, ix >= 0, ix < wd else { continue }
                for ci in 0..<c {
                  s += Double(x.scalars[((i * h + iy) * wd + ix) * c + ci])
                    * Double(w.scalars[((ky * 3 + kx) * c + ci) * f + o])
                }
              }
            }
            out[((i * h + oy) * wd + ox) * f + o] = relu ? max(s, 0) : s
          }
        }
      }
    }
    return out
  }

  func expectClose(_ y: Tensor, _ ref: [Double], _ what: String) {
    let worst = zip(y.scalars, ref).map { abs(Double($0) - $1) / (1 + abs($1)) }.max() ?? 1
    #expect(y.count == ref.count && worst <= 1e-4, "\(what): \(worst)")
  }

  @Test func cachedFilterFollowsKernelChanges() throws {
    var rng = SeededRNG(seed: 3)
    let conv = Conv2D("c", filters: 10, kernelSize: (3, 3), padding: .same, activation: .relu)
    _ = try conv.build([[6, 5, 12]], rng: &rng)
    let k = try #require(conv.kernel)
    let b = try #require(conv.bias)
    b.value = Tensor(shape: [10]) { _ in rng.uniform(-1, 1) }
    let x = Tensor(shape: [1, 6, 5, 12]) { _ in rng.uniform(-1, 1) }
    let y0 = try conv.forward([x], mode: .inference)
    expectClose(y0, direct(x, k.value, b.value, relu: true), "first pass")
    // In place, as an optimizer step does.
    k.value.withUnsafeMutableBufferPointer { p in
      for i in 0..<p.count { p[i] = -p[i] * 0.5 }
    }
    let y1 = try conv.forward([x], mode: .inference)
    expectClose(y1, direct(x, k.value, b.value, relu: true), "after in-place update")
    #expect(y1 != y0)
    // By assignment, as loading weights does.
    k.value = Tensor(shape: k.value.shape) { _ in rng.uniform(-1, 1) }
    let y2 = try conv.forward([x], mode: .inference)
    expectClose(y2, direct(x, k.value, b.value, relu: true), "after assignment")
  }
}
