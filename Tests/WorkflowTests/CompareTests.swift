import Foundation
import Models
import TensorCore
import Testing
import Training

@testable import Workflow

@Suite struct CompareFoldTests {
  // 3 classes of unequal size: 10, 7, 5.
  let labels = [Int](repeating: 0, count: 10) + [Int](repeating: 1, count: 7)
    + [Int](repeating: 2, count: 5)

  @Test func foldsAreDisjointCoverEverythingAndAreStratified() throws {
    let folds = try CompareFolds.stratified(labels: labels, k: 5, seed: 3).folds
    #expect(folds.count == 5)
    var seen = [Int](repeating: 0, count: labels.count)
    for fold in folds {
      #expect(Set(fold.train).isDisjoint(with: fold.validation))
      #expect(fold.train.count + fold.validation.count == labels.count)
      for i in fold.validation { seen[i] += 1 }
      // Each class: validation count is floor or ceil of n/k.
      for (c, n) in [(0, 10), (1, 7), (2, 5)] {
        let v = fold.validation.filter { labels[$0] == c }.count
        #expect(v == n / 5 || v == n / 5 + 1, "class \(c): \(v) of \(n) in one fold")
      }
      // Fold sizes differ by at most one.
      #expect(fold.validation.count == 4 || fold.validation.count == 5)
    }
    #expect(seen == [Int](repeating: 1, count: labels.count))
  }

  @Test func sameSeedSameFoldsOtherSeedOtherFolds() throws {
    let a = try CompareFolds.stratified(labels: labels, k: 4, seed: 7)
    let b = try CompareFolds.stratified(labels: labels, k: 4, seed: 7)
    let c = try CompareFolds.stratified(labels: labels, k: 4, seed: 8)
    #expect(a == b)
    #expect(a != c)
  }

  @Test func badFoldCountsAreRefusedNamingTheOption() {
    #expect(throws: WorkflowError.self) {
      try CompareFolds.stratified(labels: labels, k: 1, seed: 0)
    }
    do {
      _ = try CompareFolds.stratified(labels: [0, 1], k: 3, seed: 0)
      Issue.record("k > n accepted")
    } catch {
      #expect("\(error)".contains("cv"))
    }
  }
}

/// Cross-validated head training on synthetic features: learnable labels score high,
/// shuffled labels score at chance (nothing leaks from the validation fold).
@Suite struct CompareChanceTests {
  static let n = 120
  static let d = 8
  static let classes = 3

  static func problem() throws -> (features: [[Float]], labels: [Int]) {
    var rng = SeededRNG(seed: 11)
    var features: [[Float]] = []
    var labels: [Int] = []
    for i in 0..<n {
      let c = i % classes
      var x = (0..<d).map { _ in rng.normal() }
      x[c] += 3
      features.append(x)
      labels.append(c)
    }
    return (features, labels)
  }

  static func crossValidate(_ features: [[Float]], _ labels: [Int]) throws -> [Double] {
    let options = RunOptions(flags: [
      .base: "synthetic", .epochs: "20", .lr: "0.05", .batch: "16", .seed: "5",
    ])
    let settings = try TrainSettings(options)
    let folds = try CompareFolds.stratified(labels: labels, k: 5, seed: 5)
    return try folds.folds.map { fold in
      let trunk = Graph(name: "features", seed: 1)
      _ = try trunk.input("x", shape: [1, 1, d])
      let (graph, headStart) = try HeadSwap.attach(HeadSpec(classes: classes, seed: 2), to: trunk)
      func batches(_ idx: [Int]) throws -> TensorBatches {
        try TensorBatches(
          data: Tensor(shape: [idx.count, 1, 1, d], scalars: idx.flatMap { features[$0] }),
          labels: idx.map { labels[$0] })
      }
      let run = try CompareWorkflow.fitAndEvaluate(
        graph: graph, headStart: headStart, feedNode: 0, train: try batches(fold.train),
        validation: try batches(fold.validation), settings: settings,
        classCounts: [n / classes, n / classes, n / classes])
      return run.accuracy
    }
  }

  @Test func learnableLabelsScoreWellAboveChance() throws {
    let (x, y) = try Self.problem()
    let acc = try Self.crossValidate(x, y)
    let mean = acc.reduce(0, +) / Double(acc.count)
    #expect(mean > 0.85, "mean CV accuracy \(mean)")
  }

  @Test func shuffledLabelsScoreAtChance() throws {
    let (x, y) = try Self.problem()
    var rng = SeededRNG(seed: 99)
    let shuffled = y.shuffled(using: &rng)
    let acc = try Self.crossValidate(x, shuffled)
    let mean = acc.reduce(0, +) / Double(acc.count)
    // Chance is 1/3; 120 validation predictions give a standard error of about 0.043.
    #expect(abs(mean - 1.0 / 3.0) < 0.12, "mean CV accuracy \(mean) with shuffled labels")
  }
}
