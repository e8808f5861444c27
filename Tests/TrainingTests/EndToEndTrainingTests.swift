import Testing
import Layers
import Models
import TensorCore
import Training

/// A tiny conv net learns a synthetic, separable problem: 6×6 images holding a vertical
/// (class 0) or horizontal (class 1) bar at a random position, plus noise.
struct EndToEndTrainingTests {
  static func data(count: Int, seed: UInt64) throws -> (Tensor, [Int]) {
    var rng = SeededRNG(seed: seed)
    var xs = [Float](repeating: 0, count: count * 36)
    var labels: [Int] = []
    for i in 0..<count {
      let c = i % 2
      let pos = Int(rng.next() % 6)
      for y in 0..<6 {
        for x in 0..<6 {
          let on = c == 0 ? x == pos : y == pos
          xs[i * 36 + y * 6 + x] = (on ? 1 : 0) + 0.2 * rng.normal()
        }
      }
      labels.append(c)
    }
    return (try Tensor(shape: [count, 6, 6, 1], scalars: xs), labels)
  }

  static func net() throws -> Graph {
    let g = Graph(name: "bars", seed: 1)
    let x = try g.input("input_1", shape: [6, 6, 1])
    let c = try g.add(
      Conv2D("conv", filters: 4, kernelSize: (3, 3), padding: .same, activation: .relu), x)
    let bn = try g.add(BatchNormalization("bn"), c)
    let p = try g.add(MaxPooling2D("pool"), bn)
    let f = try g.add(Flatten("flat"), p)
    try g.add(Dense("fc", units: 2), f)
    return g
  }

  /// Full-batch training for 60 steps; the loss must fall below 0.1 (from ≈ ln 2 ≈ 0.69).
  @Test(arguments: ["sgd", "adam"])
  func learnsBars(optimizer: String) throws {
    let (x, labels) = try Self.data(count: 32, seed: 2)
    let g = try Self.net()
    let opt: any Optimizer = optimizer == "sgd"
      ? SGD(learningRate: 0.1, momentum: 0.9) : Adam(learningRate: 0.02)
    let loss = SoftmaxCrossEntropy()
    var first: Float = 0
    var last: Float = 0
    for step in 0..<60 {
      let logits = try g.forward(x, mode: .training)
      let (l, dLogits) = try loss(logits: logits, labels: .indices(labels))
      if step == 0 { first = l }
      last = l
      g.parameters.forEach { $0.zeroGrad() }
      try g.backward(dLogits)
      opt.step(g.parameters)
    }
    #expect(first > 0.5)
    #expect(last < 0.1, "\(optimizer): loss \(first) → \(last)")
    // Held-out images are classified correctly in inference mode (moving BN statistics).
    let (tx, tl) = try Self.data(count: 20, seed: 99)
    let out = try g.forward(tx, mode: .inference)
    let predicted = (0..<20).map { out.scalars[2 * $0] > out.scalars[2 * $0 + 1] ? 0 : 1 }
    let correct = zip(predicted, tl).filter { $0 == $1 }.count
    #expect(correct >= 18, "\(optimizer): \(correct)/20 held out")
  }
}
