import Layers
import Models
import TensorCore
import Testing

@testable import Training

@Suite struct HeadSwapTests {
  /// input 8x8x3 → conv → pool (trunk) → flatten → fc → predictions (an old top).
  func withTop() throws -> Graph {
    let g = Graph(name: "small", seed: 3)
    var x = try g.input("input_1", shape: [8, 8, 3])
    x = try g.add(Conv2D("conv1", filters: 4, kernelSize: (3, 3), activation: .relu), x)
    x = try g.add(MaxPooling2D("pool1"), x)
    x = try g.add(Flatten("flatten"), x)
    x = try g.add(Dense("fc1", units: 5, activation: .relu), x)
    try g.add(Dense("predictions", units: 10, activation: .softmax), x)
    return g
  }

  @Test func replacesOnlyTheFinalClassifierAndSharesTheRest() throws {
    let base = try withTop()
    #expect(base.classifierStart == 5)
    #expect(base.trunkEnd == 4)
    let spec = HeadSpec(classes: 3, dropout: 0.5, hidden: 6, seed: 9)
    let (g, headStart) = try HeadSwap.attach(spec, to: base)
    #expect(headStart == 5)
    // fc1 is flat: the head goes on it directly, no pooling.
    #expect(g.layers.map(\.name) == [
      "input_1", "conv1", "pool1", "flatten", "fc1", "head_dropout", "head_dense",
      "head_predictions", "head_softmax",
    ])
    #expect(g.layers[4] === base.layers[4])
    #expect(g.outputShape == [3])
    #expect(HeadSwap.unusedLayers(of: base, keptEnd: 4) == ["predictions"])
    // Softmax rows over the 3 new classes.
    let x = Tensor(shape: [2, 8, 8, 3]) { Float($0 % 17) / 17 }
    let y = try g.forward(x, mode: .inference)
    #expect(y.shape == [2, 3])
    for r in 0..<2 {
      #expect(abs(y.scalars[(3 * r)..<(3 * r + 3)].reduce(0, +) - 1) < 1e-5)
    }
  }

  @Test func aSpatialCutIsPooledAndACutPastTheTrunkIsKept() throws {
    let base = try withTop()
    let (spatial, _) = try HeadSwap.attach(HeadSpec(classes: 3), to: base, cut: 2)
    #expect(spatial.layers.map(\.name) == [
      "input_1", "conv1", "pool1", "head_pool", "head_predictions", "head_softmax",
    ])
    // --freeze predictions: the head goes on the old softmax's output.
    #expect(HeadSwap.keptEnd(of: base, frozenThrough: 5) == 5)
    #expect(HeadSwap.keptEnd(of: base, frozenThrough: 1) == 4)
    let (past, _) = try HeadSwap.attach(HeadSpec(classes: 3), to: base, cut: 5)
    #expect(past.layers.map(\.name).suffix(3) == ["predictions", "head_predictions", "head_softmax"])
  }

  @Test func classifierOfAModelEndingInPoolingAndSoftmax() throws {
    // Conv → GlobalAveragePooling2D → Activation(softmax): only the softmax is replaced.
    let g = Graph(name: "gap", seed: 1)
    var x = try g.input("input_1", shape: [6, 6, 3])
    x = try g.add(Conv2D("conv", filters: 4, kernelSize: (3, 3)), x)
    x = try g.add(GlobalAveragePooling2D("pool"), x)
    try g.add(Activation("predictions", .softmax), x)
    #expect(g.trunkEnd == 2)
    #expect(try g.cutIndex(for: .all) == 2)
    // A trunk without a top is kept whole.
    let trunk = Graph(name: "trunk", seed: 1)
    let t = try trunk.input("input_1", shape: [6, 6, 3])
    try trunk.add(Conv2D("conv", filters: 4, kernelSize: (3, 3), activation: .relu), t)
    #expect(trunk.classifierStart == nil)
    #expect(trunk.trunkEnd == 1)
  }

  @Test func headIsGlorotUniformFromTheSeed() throws {
    func head(_ seed: UInt64) throws -> Tensor {
      let (g, _) = try HeadSwap.attach(HeadSpec(classes: 3, seed: seed), to: try withTop())
      let layer = try #require(g.layer(named: HeadSpec.predictionsName) as? Dense)
      return try #require(layer.kernel).value
    }
    let k = try head(1)
    // On fc1's 5 units. Keras glorot_uniform: U(-l, l), l = sqrt(6 / (fan_in + fan_out)).
    #expect(k.shape == [5, 3])
    let limit = (6.0 / 8.0).squareRoot()
    #expect(k.scalars.allSatisfy { abs(Double($0)) <= limit })
    #expect(k.scalars.contains { abs(Double($0)) > limit / 4 })
    #expect(try head(1) == k)
    #expect(try head(2) != k)
  }

  @Test func rejectsFewerThanTwoClasses() throws {
    #expect(throws: TrainingError.self) {
      try HeadSwap.attach(HeadSpec(classes: 1), to: try withTop())
    }
  }
}
