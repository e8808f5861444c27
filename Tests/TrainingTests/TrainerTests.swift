import Foundation
import Layers
import Models
import TensorCore
import Testing

@testable import Training

@Suite struct TrainerTests {
  func options(epochs: Int = 3, lr: Float = 0.2) -> TrainingOptions {
    var o = TrainingOptions()
    o.epochs = epochs
    o.batchSize = 4
    o.learningRate = lr
    o.seed = 11
    return o
  }

  @Test func frozenBaseNeverChangesAndGetsNoState() throws {
    let (graph, base, head) = try tinyNet()
    let before = (snapshot(base), snapshot(head))
    let sgd = PlainSGD(momentum: 0.9)
    let trainer = Trainer(graph: graph, optimizer: sgd, options: options(), headStart: 2)
    let result = try trainer.fit(train: try tinyData(count: 30), validation: nil)
    #expect(snapshot(base) == before.0)
    #expect(snapshot(head) != before.1)
    #expect(base.weights.allSatisfy { $0.grad == nil && sgd.velocity[ObjectIdentifier($0)] == nil })
    #expect(head.weights.allSatisfy { sgd.velocity[ObjectIdentifier($0)] != nil })
    // The head learns the separable problem.
    #expect(result.history.last!.trainLoss < result.history.first!.trainLoss)
    #expect(result.history.last!.trainAccuracy > 0.8)
  }

  @Test func baseLearningRateMultiplier() throws {
    for (mult, changes) in [(Float(0), false), (1, true)] {
      let (graph, base, _) = try tinyNet(freezeBase: false)
      let before = snapshot(base)
      var o = options(epochs: 1)
      o.baseLRMultiplier = mult
      let trainer = Trainer(graph: graph, optimizer: PlainSGD(), options: o, headStart: 2)
      _ = try trainer.fit(train: try tinyData(count: 12), validation: nil)
      #expect((snapshot(base) != before) == changes, "multiplier \(mult)")
    }
  }

  /// Feeding cached features at the cut trains the same head as feeding inputs at node 0,
  /// and the frozen base never runs.
  @Test func cachedFeaturesGiveTheSameHead() throws {
    let data = try tinyData(count: 21)
    let (g1, _, head1) = try tinyNet()
    _ = try Trainer(graph: g1, optimizer: PlainSGD(momentum: 0.5), options: options(), headStart: 2)
      .fit(train: data, validation: nil)

    let (g2, base2, head2) = try tinyNet()
    let features = try g2.forward(data.data, mode: .inference, through: 1)
    let cached = try TensorBatches(data: features, labels: data.labels)
    base2.forwardCalls = 0
    let t2 = Trainer(
      graph: g2, optimizer: PlainSGD(momentum: 0.5), options: options(), feedNode: 1,
      headStart: 2)
    _ = try t2.fit(train: cached, validation: nil)
    #expect(base2.forwardCalls == 0)
    for (a, b) in zip(snapshot(head1).joined(), snapshot(head2).joined()) {
      #expect(abs(a - b) <= 1e-6)
    }
  }

  @Test func resumeContinuesExactly() throws {
    let data = try tinyData(count: 18)
    let val = try tinyData(count: 9, seed: 2)
    let dir = temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }

    let (g1, _, head1) = try tinyNet(freezeBase: false)
    let full = Trainer(graph: g1, optimizer: PlainSGD(momentum: 0.9), options: options(epochs: 4),
      headStart: 2)
    full.checkpointURL = dir.appendingPathComponent("a.ftck")
    let whole = try full.fit(train: data, validation: val)

    // "Killed" after epoch 2: a fresh process starts from the same seed and resumes.
    let (g2, _, _) = try tinyNet(freezeBase: false)
    let first = Trainer(graph: g2, optimizer: PlainSGD(momentum: 0.9), options: options(epochs: 2),
      headStart: 2)
    first.checkpointURL = dir.appendingPathComponent("b.ftck")
    _ = try first.fit(train: data, validation: val)
    let (g3, _, head3) = try tinyNet(freezeBase: false)
    let second = Trainer(graph: g3, optimizer: PlainSGD(momentum: 0.9),
      options: options(epochs: 4), headStart: 2)
    second.checkpointURL = first.checkpointURL
    let resumed = try second.fit(train: data, validation: val, resume: true)

    #expect(resumed.history.count == 4)
    #expect(resumed.history.map(\.trainLoss) == whole.history.map(\.trainLoss))
    #expect(resumed.history.map(\.valLoss) == whole.history.map(\.valLoss))
    #expect(snapshot(head3) == snapshot(head1))
  }

  @Test func earlyStoppingRestoresTheBestEpoch() throws {
    // Validation labels disagree with training labels: val loss rises as the model learns.
    let train = try tinyData(count: 24)
    let val = try tinyData(count: 9, flipLabels: true)
    let dir = temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let (g1, _, head1) = try tinyNet()
    var o = options(epochs: 6)
    o.earlyStoppingPatience = 2
    let t1 = Trainer(graph: g1, optimizer: PlainSGD(), options: o, headStart: 2)
    t1.checkpointURL = dir.appendingPathComponent("c.ftck")
    let r = try t1.fit(train: train, validation: val)
    #expect(r.stoppedEarly)
    #expect(r.history.count == 3)
    #expect(r.bestEpoch == 1)
    let h = r.history
    #expect(h[1].valLoss > h[0].valLoss && h[2].valLoss > h[0].valLoss)

    let (g2, _, head2) = try tinyNet()
    _ = try Trainer(graph: g2, optimizer: PlainSGD(), options: options(epochs: 1), headStart: 2)
      .fit(train: train, validation: val)
    #expect(snapshot(head1) == snapshot(head2))
  }

  @Test func gradualUnfreezing() throws {
    let (graph, base, _) = try tinyNet()
    let before = snapshot(base)
    var o = options(epochs: 2)
    o.unfreezeAt = [UnfreezeStep(epoch: 2, freeze: 0)]
    var frozenAtEpochStart: [[[Float]]] = []
    let t = Trainer(graph: graph, optimizer: PlainSGD(), options: o, headStart: 2)
    t.refreeze = { n in
      frozenAtEpochStart.append(snapshot(base))
      base.isFrozen = n >= 1
    }
    _ = try t.fit(train: try tinyData(count: 12), validation: nil)
    // Epoch 1 left the base alone; epoch 2 trained it.
    #expect(frozenAtEpochStart == [before])
    #expect(snapshot(base) != before)
    #expect(!base.isFrozen)

    let (g2, _, _) = try tinyNet()
    let noFreezer = Trainer(graph: g2, optimizer: PlainSGD(), options: o, headStart: 2)
    #expect(throws: TrainingError.self) {
      _ = try noFreezer.fit(train: try tinyData(count: 12), validation: nil)
    }
  }

  @Test func classWeightsChangeWhatIsLearned() throws {
    var heavy = options(epochs: 2)
    heavy.classWeights = [0, 0, 1]
    let (g, _, head) = try tinyNet()
    let before = snapshot(head)
    let t = Trainer(graph: g, optimizer: PlainSGD(), options: heavy, headStart: 2)
    let r = try t.fit(train: try tinyData(count: 12), validation: nil)
    #expect(snapshot(head) != before)
    // Only class 2 counts: everything drifts towards predicting it.
    let probs = try t.predict(try tinyData(count: 3))
    #expect(r.history.count == 2)
    #expect(argmax(probs)[2] == 2)
    #expect(probs.scalars[2] > probs.scalars[0])
  }

  /// A final softmax Activation makes the loss read logits (as Keras does): even with
  /// features so large that the softmax saturates to exact 0/1, the head still learns.
  @Test func saturatedSoftmaxStillLearns() throws {
    let g = Graph(name: "sat", seed: 4)
    let x = try g.input("input_1", shape: [4])
    let head = TinyDense("head", units: 3)
    let logits = try g.add(head, x)
    try g.add(Activation("softmax", .softmax), logits)
    let data = try tinyData(count: 30)
    let big = try TensorBatches(data: data.data.map { $0 * 1000 }, labels: data.labels)
    let t = Trainer(graph: g, optimizer: PlainSGD(), options: options(epochs: 3, lr: 1e-4),
      headStart: 1)
    #expect(t.logitsNode == 1)
    let first = try t.evaluate(big)
    let r = try t.fit(train: big, validation: nil)
    #expect(first.accuracy < 0.5 && r.history.last!.trainAccuracy > 0.8)
    #expect(try t.evaluate(big).loss < first.loss / 10)
  }

  @Test func checkpointRejectsDamagedFiles() throws {
    let dir = temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let (g, _, _) = try tinyNet()
    var cp = Checkpoint(epoch: 1, history: [], bestValLoss: nil, bestEpoch: 1, freeze: nil)
    cp.capture(g)
    let url = dir.appendingPathComponent("x.ftck")
    try cp.write(to: url)
    #expect(try Checkpoint.read(from: url) == cp)
    let data = try Data(contentsOf: url)
    try data.prefix(data.count - 10).write(to: url)
    let error = #expect(throws: TrainingError.self) { try Checkpoint.read(from: url) }
    #expect(error?.description.contains("truncated") == true)
    #expect(error?.description.contains(url.path) == true)
  }
}
