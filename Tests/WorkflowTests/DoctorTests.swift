import Foundation
import ImageIO
import KerasIO
import Layers
import Models
import TensorCore
import TestSupport
import Testing
import Training

@testable import Workflow

/// Confident learning as cleanlab 2.9 computes it (tools/fixtures/doctor_fixtures.py).
@Suite struct ConfidentLearningTests {
  typealias F = DoctorCleanlabFixture

  @Test func thresholdsAndIssuesAreCleanlabs() {
    let t = ConfidentLearning.thresholds(F.probabilities, labels: F.labels, classes: F.classes)
    for (mine, theirs) in zip(t, F.thresholds) { #expect(abs(mine - theirs) < 1e-12) }
    let names = (0..<F.classes).map { "c\($0)" }
    let issues = ConfidentLearning.issues(
      F.probabilities, labels: F.labels, classes: names,
      paths: F.labels.indices.map { "\($0).png" })
    #expect(issues.map(\.index).sorted() == F.issues)
    #expect(F.issues == F.offDiagonal)
    // Ranked by p(suggested) − p(given), highest first; the suggestion is a confident class.
    #expect(zip(issues, issues.dropFirst()).allSatisfy { $0.score >= $1.score })
    for issue in issues {
      let row = F.probabilities[issue.index]
      let c = names.firstIndex(of: issue.suggested) ?? -1
      #expect(row[c] >= t[c] - 1e-6)
    }
  }
}

@Suite struct PowerLawTests {
  let n: [Double] = [12, 30, 60, 90, 120]

  @Test func recoversAKnownCurveAndItsValueAtTwiceTheData() throws {
    let truth = PowerLaw(a: 0.93, b: 1.4, c: 0.6)
    let fit = try #require(PowerLaw.fit(n: n, accuracy: n.map { truth($0) }))
    #expect(abs(fit.a - truth.a) < 1e-3 && abs(fit.c - truth.c) < 1e-2, "\(fit)")
    #expect(abs(fit(240) - truth(240)) < 1e-4)
  }

  @Test func aFlatOrFallingCurveGainsNothingAndAccuracyStaysAtMostOne() throws {
    let flat = try #require(PowerLaw.fit(n: n, accuracy: [0.34, 0.31, 0.35, 0.33, 0.32]))
    #expect(flat.b == 0 && abs(flat(240) - 0.33) < 1e-9)
    let falling = try #require(PowerLaw.fit(n: n, accuracy: [0.9, 0.85, 0.8, 0.75, 0.7]))
    #expect(falling.b == 0)
    // Perfect-looking data cannot extrapolate past 1.
    let steep = try #require(PowerLaw.fit(n: n, accuracy: [0.6, 0.8, 0.95, 0.99, 1.0]))
    #expect(steep.a <= 1 && steep(10_000) <= 1)
    #expect(PowerLaw.fit(n: [10, 20], accuracy: [0.5, 0.6]) == nil)
  }

  /// Folds scattered around a known curve: the bootstrap interval holds the true value at
  /// twice the data and the point prediction is close to it.
  @Test func bootstrapIntervalOverFoldsHoldsTheTruth() {
    let truth = PowerLaw(a: 0.9, b: 2, c: 0.7)
    var rng = SeededRNG(seed: 3)
    let folds = (0..<5).map { _ in n.map { truth($0) + 0.02 * Double(rng.normal()) } }
    var curve = LearningCurve(
      fractions: LearningCurve.standardFractions, trainImages: n,
      accuracy: n.indices.map { j in folds.reduce(0) { $0 + $1[j] } / 5 },
      spread: n.map { _ in 0.02 }, folds: folds, classes: [], perClass: [], fit: nil,
      doubled: nil)
    curve.extrapolate(seed: 1)
    let d = curve.doubled
    #expect(d != nil)
    if let d {
      #expect(d.trainImages == 240)
      #expect(d.low <= truth(240) && truth(240) <= d.high, "\(d) vs \(truth(240))")
      #expect(abs(d.accuracy - truth(240)) < 0.03)
      #expect(d.high - d.low < 0.15)
    }
  }
}

/// The analyses on feature rows with known answers: Gaussian classes, planted flips.
@Suite struct DoctorFeatureTests {
  static func settings() throws -> TrainSettings {
    try TrainSettings(DoctorWorkflow.options(flags: [.base: "synthetic", .seed: "5"]))
  }

  /// `perClass` rows per class in `d` dimensions, class c shifted by `shift` along axis c.
  static func problem(perClass: Int, d: Int, shift: Float, classes: Int = 3, seed: UInt64 = 11)
    -> (x: [[Float]], y: [Int])
  {
    var rng = SeededRNG(seed: seed)
    var x: [[Float]] = []
    var y: [Int] = []
    for i in 0..<(perClass * classes) {
      var row = (0..<d).map { _ in rng.normal() }
      row[i % classes] += shift
      x.append(row)
      y.append(i % classes)
    }
    return (x, y)
  }

  static func measure(_ x: [[Float]], _ y: [Int], fractions: [Double]) throws
    -> (curve: LearningCurve, outOfFold: [[Double]])
  {
    let classes = ["a", "b", "c"]
    let folds = try CompareFolds.stratified(labels: y, k: 5, seed: 5)
    return try LearningCurve.measure(
      features: x, labels: y, classes: classes, folds: folds, fractions: fractions, repeats: 2,
      seed: 5, head: DoctorHead(classes: 3, settings: try settings()))
  }

  /// 150 images, 9 labels flipped (docs/doctor.md states the figures).
  @Test func plantedLabelFlipsAreFound() throws {
    var (x, y) = Self.problem(perClass: 50, d: 16, shift: 4)
    let flipped = [3, 17, 40, 58, 77, 91, 104, 120, 143]
    for i in flipped { y[i] = (y[i] + 1) % 3 }
    let (_, first) = try Self.measure(x, y, fractions: [1])
    // As the command does: the mean over 5 partitions of 5 folds.
    let oof = try OutOfFold.probabilities(
      features: x, labels: y, k: 5, seed: 5, partitions: 5, first: first,
      head: DoctorHead(classes: 3, settings: try Self.settings()))
    let issues = ConfidentLearning.issues(
      oof, labels: y, classes: ["a", "b", "c"], paths: y.indices.map { "\($0)" })
    let found = Set(issues.map(\.index))
    let acc = Double(zip(oof, y).filter { argmax($0) == $1 }.count) / Double(y.count)
    #expect(acc > 0.85, "out-of-fold accuracy \(acc)")
    let recall = Double(found.intersection(flipped).count) / Double(flipped.count)
    let precision = Double(found.intersection(flipped).count) / Double(max(1, found.count))
    print("doctor synthetic flips: recall \(recall), precision \(precision)")
    #expect(recall >= 7.0 / 9.0, "recall \(recall), found \(found.sorted())")
    #expect(precision >= 0.75, "precision \(precision), found \(found.sorted())")
    // The suggestion is the class the image was drawn from.
    for issue in issues where flipped.contains(issue.index) {
      #expect(issue.suggested == ["a", "b", "c"][issue.index % 3])
    }
  }

  @Test func learningCurveRisesOnALearnableTaskAndIsFlatOnShuffledLabels() throws {
    let (x, y) = Self.problem(perClass: 60, d: 40, shift: 1.6)
    let (curve, _) = try Self.measure(x, y, fractions: LearningCurve.standardFractions)
    #expect(curve.accuracy.count == 5 && curve.perClass.count == 3)
    #expect(curve.accuracy[4] > curve.accuracy[0] + 0.1, "\(curve.accuracy)")
    #expect(curve.trainImages[0] < curve.trainImages[4] / 5)
    #expect((curve.fit?.b ?? 0) > 0)
    let d = try #require(curve.doubled)
    #expect(d.low <= d.accuracy && d.accuracy <= d.high && d.high <= 1)
    #expect(d.accuracy >= curve.accuracy[4] - 0.05)

    var rng = SeededRNG(seed: 99)
    let (flat, _) = try Self.measure(x, y.shuffled(using: &rng), fractions: LearningCurve.standardFractions)
    // Chance is 1/3; 180 validation predictions give a standard error of about 0.035.
    for a in flat.accuracy { #expect(abs(a - 1.0 / 3.0) < 0.12, "\(flat.accuracy)") }
    let gain = (flat.doubled?.accuracy ?? 0) - (flat.accuracy.last ?? 0)
    #expect(gain < 0.08, "shuffled labels predicted to gain \(gain)")
  }
}
