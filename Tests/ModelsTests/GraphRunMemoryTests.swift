import Testing
import TensorCore
@testable import Models

/// Inference passes recycle finished activations through TensorPool (Graph+Run): the
/// output must be what running every layer by hand gives (residual adds read activations
/// that other nodes also consume), also on a second pass over reused buffers, and the
/// caller's input must stay untouched. Tolerance 1e-5 relative to max |reference|: the
/// property is "no buffer was overwritten", which breaks far above rounding.
struct GraphRunMemoryTests {
  @Test(arguments: [
    "vgg16_notop_max_64", "resnet50_top_64", "mobilenet_v2_1.0_avg_64",
  ])
  func recycledPassesEqualLayerByLayer(id: String) throws {
    let fx = try ZooFixture.load(id)
    let g = try fx.build()
    WeightPattern.apply(to: g, seed: fx.seed)
    let x = WeightPattern.input(shape: [fx.batch] + g.inputShape, seed: fx.seed)
    let copy = x.scalars
    let reference = try #require(try forwardAll(g, x).last)
    let first = try g.forward(x, mode: .inference)
    let second = try g.forward(x, mode: .inference)
    let scale = reference.scalars.map(abs).max() ?? 0
    for (name, y) in [("first", first), ("second", second)] {
      let err = zip(y.scalars, reference.scalars).map { abs($0 - $1) }.max() ?? .infinity
      #expect(y.shape == reference.shape && err <= 1e-5 * scale, "\(id) \(name) pass: \(err)")
    }
    #expect(x.scalars == copy, "\(id): the input was overwritten")
  }

  /// Recycling is for inference only: a recording pass keeps what backward needs, and its
  /// output and gradients match those of a pass that never saw a recycled buffer.
  @Test func recordingPassIsNotRecycled() throws {
    let fx = try ZooFixture.load("vgg16_notop_max_64")
    func run(afterInference: Bool) throws -> (Tensor, [Tensor]) {
      let g = try fx.build()
      WeightPattern.apply(to: g, seed: fx.seed)
      let x = WeightPattern.input(shape: [fx.batch] + g.inputShape, seed: fx.seed)
      if afterInference { _ = try g.forward(x, mode: .inference) }
      let y = try g.forward(x, mode: .training)
      try g.backward(Tensor(zeros: y.shape, value: 1))
      return (y, g.parameters.compactMap(\.grad))
    }
    let (y1, g1) = try run(afterInference: false)
    let (y2, g2) = try run(afterInference: true)
    #expect(!g1.isEmpty && g1.count == g2.count)
    for (a, b) in zip([y1] + g1, [y2] + g2) {
      let scale = a.scalars.map(abs).max() ?? 0
      let err = zip(a.scalars, b.scalars).map { abs($0 - $1) }.max() ?? .infinity
      #expect(a.shape == b.shape && err <= 1e-5 * max(scale, 1e-6), "\(err)")
    }
  }
}
