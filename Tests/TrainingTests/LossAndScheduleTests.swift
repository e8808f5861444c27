import Foundation
import TensorCore
import Testing

@testable import Training

@Suite struct LossAndScheduleTests {
  @Test func crossEntropyMatchesKeras() throws {
    let f = try fixture("training.json")["cce"] as! [String: Any]
    let probs = try Tensor(shape: [4, 3], scalars: floats(f["probabilities"]))
    let labels = (f["labels"] as! [NSNumber]).map(\.intValue)
    let weights = floats(f["class_weights"])
    let (weighted, grad) = try CategoricalCrossentropy(classWeights: weights)(probs, labels: labels)
    // Keras computes in float32 too; 1e-5 relative covers summation order.
    let expected = (f["weighted_loss"] as! NSNumber).floatValue
    #expect(abs(weighted - expected) <= 1e-5 * expected)
    let expectedGrad = floats(f["weighted_gradient"])
    for (a, b) in zip(grad.scalars, expectedGrad) { #expect(abs(a - b) <= 1e-5) }
    let (plain, _) = try CategoricalCrossentropy()(probs, labels: labels)
    let expectedPlain = (f["loss"] as! NSNumber).floatValue
    #expect(abs(plain - expectedPlain) <= 1e-5 * expectedPlain)
  }

  /// Central differences in Double on unnormalised positive inputs; tolerance 1e-3 relative.
  @Test func crossEntropyGradientCheck() throws {
    var rng = SeededRNG(seed: 3)
    let (n, k) = (5, 4)
    let p = (0..<(n * k)).map { _ in rng.uniform(0.05, 1) }
    let labels = [0, 3, 1, 2, 3]
    let weights: [Float] = [1, 0.5, 2, 1.5]
    let (_, grad) = try CategoricalCrossentropy(classWeights: weights)(
      Tensor(shape: [n, k], scalars: p), labels: labels)
    func loss(_ q: [Double]) -> Double {
      var total = 0.0
      for i in 0..<n {
        let s = (0..<k).reduce(0.0) { $0 + q[i * k + $1] }
        total += Double(weights[labels[i]]) * -Foundation.log(q[i * k + labels[i]] / s)
      }
      return total / Double(n)
    }
    let base = p.map(Double.init)
    let h = 1e-6
    for j in 0..<(n * k) {
      var plus = base
      var minus = base
      plus[j] += h
      minus[j] -= h
      let numeric = (loss(plus) - loss(minus)) / (2 * h)
      #expect(abs(numeric - Double(grad.scalars[j])) <= 1e-3 * max(1, abs(numeric)))
    }
  }

  @Test func crossEntropyRejectsBadLabels() throws {
    let probs = Tensor(zeros: [1, 3], value: 1.0 / 3)
    #expect(throws: TrainingError.labelOutOfRange(label: 3, classes: 3)) {
      _ = try CategoricalCrossentropy()(probs, labels: [3])
    }
  }

  @Test func cosineAndStepMatchKeras() throws {
    let all = try fixture("training.json")
    let cos = all["cosine"] as! [String: Any]
    let steps = (cos["steps"] as! [NSNumber]).map(\.intValue)
    for (s, expected) in zip(steps, floats(cos["rates"])) {
      let r = LRSchedule.cosine(minFactor: 0.1).rate(
        base: 0.1, step: s, totalSteps: 20, stepsPerEpoch: 5)
      #expect(abs(r - expected) <= 1e-6, "cosine step \(s)")
    }
    let step = all["step"] as! [String: Any]
    for (s, expected) in zip(steps, floats(step["rates"])) {
      let r = LRSchedule.step(every: 2, gamma: 0.5).rate(
        base: 0.1, step: s, totalSteps: 20, stepsPerEpoch: 5)
      #expect(abs(r - expected) <= 1e-7, "step schedule step \(s)")
    }
  }

  @Test func oneCycleAndWarmup() {
    let one = LRSchedule.oneCycle(warmFraction: 0.25)
    #expect(abs(one.rate(base: 1, step: 0, totalSteps: 100, stepsPerEpoch: 10) - 0.04) < 1e-6)
    #expect(abs(one.rate(base: 1, step: 25, totalSteps: 100, stepsPerEpoch: 10) - 1) < 1e-6)
    #expect(abs(one.rate(base: 1, step: 100, totalSteps: 100, stepsPerEpoch: 10) - 1e-4) < 1e-7)
    let mid = one.rate(base: 1, step: 62, totalSteps: 100, stepsPerEpoch: 10)
    #expect(mid > 0.4 && mid < 0.6)
    // Warmup: linear ramp over 2 epochs of 5 steps, then the schedule's own value.
    let c = LRSchedule.constant
    #expect(c.rate(base: 0.5, step: 0, totalSteps: 50, stepsPerEpoch: 5, warmupEpochs: 2) == 0.05)
    #expect(c.rate(base: 0.5, step: 4, totalSteps: 50, stepsPerEpoch: 5, warmupEpochs: 2) == 0.25)
    #expect(c.rate(base: 0.5, step: 10, totalSteps: 50, stepsPerEpoch: 5, warmupEpochs: 2) == 0.5)
  }

  @Test func schedulesParseAndPrintBack() throws {
    for text in ["constant", "step:3:0.5", "cosine:0.1", "onecycle:0.3"] {
      let s = try LRSchedule(parsing: text)
      #expect(try LRSchedule(parsing: s.description) == s)
    }
    #expect(throws: TrainingError.self) { try LRSchedule(parsing: "linear") }
    let error = #expect(throws: TrainingError.self) { try UnfreezeStep(parsing: "5") }
    #expect(error?.description.contains("EPOCH:N") == true)
    #expect(try UnfreezeStep(parsing: "5:10") == UnfreezeStep(epoch: 5, freeze: 10))
  }
}

@Suite struct ProgressTests {
  @Test func plainLinesCarryLossAccuracySpeedAndETA() throws {
    let pipe = Pipe()
    let progress = ConsoleProgress(handle: pipe.fileHandleForWriting, live: false)
    let m = EpochMetrics(
      epoch: 2, trainLoss: 0.51234, trainAccuracy: 0.8, valLoss: 0.6, valAccuracy: 0.75,
      hasValidation: true, learningRate: 0.01, seconds: 30, imagesPerSecond: 123.44)
    progress.batchDone(
      epoch: 2, epochs: 5, step: 1, steps: 2, loss: 1, accuracy: 0, imagesPerSecond: 1,
      etaSeconds: 1)
    progress.epochDone(m, epochs: 5)
    try pipe.fileHandleForWriting.close()
    let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    // No live bar when not a terminal: exactly one line.
    #expect(
      text == "epoch 2/5: loss 0.5123 acc 0.800 val_loss 0.6000 val_acc 0.750 lr 0.01"
        + " 123.4 img/s 30.0s ETA 1:30\n")
    #expect(ConsoleProgress.clock(3725) == "1:02:05")
  }
}
