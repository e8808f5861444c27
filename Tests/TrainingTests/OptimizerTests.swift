import Foundation
import Testing
import Layers
import TensorCore
@testable import Training

/// Keras 3 optimizer trajectories (`tools/fixtures/layers_fixtures.py`): 3 steps from w0
/// with fixed gradients. Tolerance |ours − keras| ≤ 1e-6·(1 + |keras|): the updates are a
/// few Float32 operations per element, done in Keras's order.
struct OptimizerTests {
  struct Case {
    let w0: [Float]
    let grads: [[Float]]
    let steps: [[Float]]
  }

  static func kerasCase(_ name: String) throws -> Case {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("Fixtures/layers/keras_optimizers.json")
    let root = try JSONSerialization.jsonObject(with: Data(contentsOf: url))
    let entries = (root as? [String: Any])?["cases"] as? [String: Any]
    guard let c = entries?[name] as? [String: [String: Any]] else {
      throw TensorError.invalidArgument("optimizer fixture lacks case \(name)")
    }
    func rows(_ key: String) -> [[Float]] {
      let data = (c[key]?["data"] as? [NSNumber])?.map(\.floatValue) ?? []
      let width = (c[key]?["shape"] as? [Int])?.last ?? 1
      return stride(from: 0, to: data.count, by: width).map { Array(data[$0..<$0 + width]) }
    }
    return Case(w0: rows("w0").flatMap { $0 }, grads: rows("grads"), steps: rows("steps"))
  }

  static let configs: [(String, @Sendable () -> any Optimizer)] = [
    ("sgd_plain", { SGD(learningRate: 0.1) }),
    ("sgd_momentum", { SGD(learningRate: 0.1, momentum: 0.9) }),
    ("sgd_nesterov", { SGD(learningRate: 0.1, momentum: 0.9, nesterov: true) }),
    ("adam", { Adam(learningRate: 0.01) }),
    ("adamw", { Adam.adamW(learningRate: 0.01, weightDecay: 0.1) }),
    ("sgd_momentum_decay", { SGD(learningRate: 0.1, momentum: 0.9, weightDecay: 0.05) }),
  ]

  @Test(arguments: configs.map(\.0))
  func matchesKeras3(name: String) throws {
    let c = try Self.kerasCase(name)
    let make = try #require(Self.configs.first { $0.0 == name }?.1)
    let opt = make()
    let p = Parameter(name: "w", value: try Tensor(shape: [c.w0.count], scalars: c.w0))
    #expect(c.steps.count == 3)
    for (g, expected) in zip(c.grads, c.steps) {
      p.grad = try Tensor(shape: [g.count], scalars: g)
      opt.step([p])
      for (a, b) in zip(p.value.scalars, expected) {
        #expect(abs(a - b) <= 1e-6 * (1 + abs(b)), "\(name): \(a) vs \(b)")
      }
    }
  }

  @Test(arguments: [false, true])
  func skipsFrozenAndStateParametersEntirely(adam: Bool) throws {
    let opt: any Optimizer = adam
      ? Adam(weightDecay: 0.1) : SGD(learningRate: 0.1, momentum: 0.9, weightDecay: 0.1)
    let trained = Parameter(name: "kernel", value: Tensor(zeros: [3], value: 1))
    let frozen = Parameter(name: "kernel", value: Tensor(zeros: [3], value: 1))
    frozen.isFrozen = true
    let state = Parameter(name: "moving_mean", value: Tensor(zeros: [3], value: 1),
                          isTrainable: false)
    for p in [trained, frozen, state] { p.grad = Tensor(zeros: [3], value: 0.5) }
    opt.step([trained, frozen, state])
    #expect(opt.stateCount == 1)  // only `trained`
    #expect(trained.value.scalars != [1, 1, 1])
    #expect(frozen.value.scalars == [1, 1, 1])  // no update, no decay
    #expect(state.value.scalars == [1, 1, 1])
    // Plain SGD keeps no state at all.
    let plain = SGD(learningRate: 0.1)
    plain.step([trained])
    #expect(plain.stateCount == 0)
  }

  @Test func learningRateMultiplierScalesStepAndDecay() throws {
    let a = Parameter(name: "a", value: Tensor(zeros: [2], value: 1))
    let b = Parameter(name: "b", value: Tensor(zeros: [2], value: 1))
    let opt = SGD(learningRate: 0.1, weightDecay: 0.5)
    opt.setLearningRateMultiplier(0.1, for: [b])
    for p in [a, b] { p.grad = Tensor(zeros: [2], value: 2) }
    opt.step([a, b])
    // a: 1·(1 − 0.5·0.1) − 0.1·2 = 0.75; b at lr 0.01: 1·(1 − 0.005) − 0.02 = 0.975.
    #expect(abs(a.value.scalars[0] - 0.75) < 1e-6)
    #expect(abs(b.value.scalars[0] - 0.975) < 1e-6)
  }

  /// Saving after two steps and restoring into a fresh optimizer continues the same path.
  @Test(arguments: [false, true])
  func stateRoundTripsThroughTrainerProtocol(adam: Bool) throws {
    func make() -> any TrainerOptimizer {
      adam ? Adam(learningRate: 0.01) : SGD(learningRate: 0.1, momentum: 0.9)
    }
    let grads: [[Float]] = [[1, -2], [0.5, 0.5], [-1, 3]]
    let p = Parameter(name: "w", value: Tensor(zeros: [2], value: 1))
    let frozen = Parameter(name: "f", value: Tensor(zeros: [2]))
    frozen.isFrozen = true
    let straight = make()
    for g in grads {
      p.grad = try Tensor(shape: [2], scalars: g)
      try straight.update([frozen, p], learningRate: 0.05, multipliers: [1, 2])
    }
    let expected = p.value.scalars
    p.value = Tensor(zeros: [2], value: 1)
    let first = make()
    for g in grads.prefix(2) {
      p.grad = try Tensor(shape: [2], scalars: g)
      try first.update([frozen, p], learningRate: 0.05, multipliers: [1, 2])
    }
    let saved = first.saveState([frozen, p])
    let second = make()
    try second.restoreState(saved, parameters: [frozen, p])
    p.grad = try Tensor(shape: [2], scalars: grads[2])
    try second.update([frozen, p], learningRate: 0.05, multipliers: [1, 2])
    #expect(p.value.scalars == expected)
    #expect(throws: OptimizerError.self) { try make().restoreState([[1]], parameters: [p]) }
  }
}
