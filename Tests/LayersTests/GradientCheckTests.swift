import Testing
import TensorCore
@testable import Layers

/// y = x² elementwise, with a deliberately configurable backward, to show the checker
/// catches wrong gradients (a checker that cannot fail proves nothing).
private final class Square: Layer {
  let name = "square"
  var kerasClassName: String { "Square" }
  var isFrozen = false
  let factor: Float
  private var x: Tensor?
  init(factor: Float) { self.factor = factor }
  func build(_ inputShapes: [[Int]], rng: inout SeededRNG) throws -> [Int] { inputShapes[0] }
  func forward(_ inputs: [Tensor], mode: ForwardMode) throws -> Tensor {
    x = inputs[0]
    return inputs[0].map { $0 * $0 }
  }
  func backward(_ g: Tensor, needsInputGradient: Bool) throws -> [Tensor] {
    let x = try #require(self.x)
    return [Tensor(shape: g.shape) { factor * x.scalars[$0] * g.scalars[$0] }]
  }
}

@Test func gradientCheckPassesCorrectAndCatchesWrongBackward() throws {
  let good = try GradientCheck.run(layer: Square(factor: 2), inputShapes: [[3, 4]])
  #expect(good.maxError < 1e-4 && good.checked == 12)
  let bad = try GradientCheck.run(layer: Square(factor: 1.9), inputShapes: [[3, 4]])
  #expect(bad.maxError > 1e-2)
}
