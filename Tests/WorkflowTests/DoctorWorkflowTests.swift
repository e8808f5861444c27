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

/// `ftune doctor` on generated photos with known answers: blocky random images whose colour
/// gives their class, a "network" whose features are the 4x4 block colours, planted label
/// flips, exact, re-saved, resized and noisy copies, some copied into validation.
@Suite struct DoctorWorkflowTests {
  let root = TinyImages.temporaryDirectory()
  let classes = ["red", "green", "blue"]

  /// A 48x48 image of 4x4 random blocks, channel `c` brighter than the others.
  static func blocks(_ c: Int, seed: UInt64) throws -> Image {
    var rng = SeededRNG(seed: seed)
    let cells = (0..<16).map { _ in
      (0..<3).map { ch in UInt8(Int(rng.uniform(0, 110)) + (ch == c ? 140 : 40)) }
    }
    var bytes: [UInt8] = []
    for y in 0..<48 {
      for x in 0..<48 { bytes += cells[(y / 12) * 4 + x / 12] }
    }
    return try Image(width: 48, height: 48, channels: 3, pixels: .rgb8(bytes))
  }

  /// model.h5: 12x12 input, 3x3 average pooling to the 4x4 blocks, reshaped to [1, 1, 48].
  func model() throws -> String {
    let g = Graph(name: "blocks", seed: 0)
    let x = try g.input("input", shape: [12, 12, 3])
    let pooled = try g.add(AveragePooling2D("pool", poolSize: (3, 3)), x)
    try g.add(Reshape("features", targetShape: [1, 1, 48]), pooled)
    let path = root.appendingPathComponent("blocks.h5").path
    try KerasModel.save(g, to: path)
    return path
  }

  /// The same PNG with a tEXt chunk after IHDR: other bytes, the same pixels.
  static func retagged(_ png: [UInt8]) -> [UInt8] {
    let body = Array("tEXtComment\u{0}saved again".utf8)
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in body {
      crc ^= UInt32(byte)
      for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
    }
    crc ^= 0xFFFF_FFFF
    let length = UInt32(body.count - 4)
    let be = { (v: UInt32) in [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: v >> UInt32($0)) } }
    return Array(png[0..<33]) + be(length) + body + be(crc) + Array(png[33...])
  }

  @Test func findsThePlantedFlipsDuplicatesAndLeaks() throws {
    defer { try? FileManager.default.removeItem(at: root) }
    let data = root.appendingPathComponent("photos")
    func put(_ image: Image, _ split: String, _ cls: String, _ name: String) throws -> String {
      let dir = data.appendingPathComponent("\(split)/\(cls)")
      try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
      let path = dir.appendingPathComponent(name).path
      try image.writePNG(to: path)
      return path
    }
    var originals: [String: Image] = [:]
    for (c, cls) in classes.enumerated() {
      for i in 0..<12 {
        let split = i < 9 ? "train" : "val"
        let image = try Self.blocks(c, seed: UInt64(100 * c + i))
        originals["\(cls)\(i)"] = image
        _ = try put(image, split, cls, "\(cls)\(i).png")
      }
    }
    // Label flips: red and blue photos filed under other classes.
    let flips = [
      try put(try Self.blocks(0, seed: 900), "train", "green", "flip_a.png"),
      try put(try Self.blocks(0, seed: 901), "train", "blue", "flip_b.png"),
      try put(try Self.blocks(2, seed: 902), "train", "red", "flip_c.png"),
    ]
    // Copies: exact and re-saved into validation, resized into validation, noisy in train.
    let fm = FileManager.default
    let exact = data.appendingPathComponent("val/red/copy_red0.png").path
    try fm.copyItem(atPath: data.appendingPathComponent("train/red/red0.png").path, toPath: exact)
    let resaved = data.appendingPathComponent("val/green/resaved_green1.png").path
    let png = try Data(contentsOf: data.appendingPathComponent("train/green/green1.png"))
    try Data(Self.retagged([UInt8](png))).write(to: URL(fileURLWithPath: resaved))
    let resized = try put(
      try #require(originals["blue2"]).resized(width: 44, height: 44), "val", "blue",
      "small_blue2.png")
    var noisy = try #require(originals["red3"]).bytes
    var rng = SeededRNG(seed: 7)
    for k in noisy.indices { noisy[k] = UInt8(max(0, min(255, Int(noisy[k]) + Int(rng.uniform(-6, 6))))) }
    let noisyPath = try put(
      try Image(width: 48, height: 48, channels: 3, pixels: .rgb8(noisy)), "train", "red",
      "noisy_red3.png")
    // One file that is not an image: listed, not fatal.
    try Data("not a png".utf8).write(to: data.appendingPathComponent("train/blue/broken.png"))

    let options = DoctorWorkflow.options(flags: [
      .base: try model(), .data: data.path, .preprocess: "tf", .seed: "3",
      .out: root.appendingPathComponent("doctor").path,
      .cacheDir: root.appendingPathComponent("cache").path,
    ])
    var request = DoctorWorkflow.Request()
    request.folds = 4
    let result = try DoctorWorkflow(options: options, request: request, progress: SilentProgress())
      .run()

    // blue, green, red (sorted): 12 each, plus flips and copies; broken.png left out.
    #expect(result.classes == ["blue", "green", "red"])
    #expect(result.counts == [12 + 1 + 1, 12 + 1 + 1, 12 + 1 + 1 + 1])
    #expect(result.quality.undecodable.map(\.path) == [data.appendingPathComponent("train/blue/broken.png").path])
    // Flips: all three named with the class they were drawn from (measured: 3 of 3, no
    // other image flagged).
    let named = Dictionary(uniqueKeysWithValues: result.labelIssues.map { ($0.path, $0.suggested) })
    #expect(named[flips[0]] == "red" && named[flips[1]] == "red" && named[flips[2]] == "blue")
    #expect(result.labelIssues.count <= 4, "\(result.labelIssues.map(\.path))")

    // Duplicates: the four planted pairs with their kinds, the three in val/ across the split.
    let pairs = Dictionary(uniqueKeysWithValues: result.duplicates.map {
      (Set([$0.pathA, $0.pathB]), $0)
    })
    let path = { (split: String, name: String) in
      data.appendingPathComponent("\(split)/\(name).png").path
    }
    let want: [(Set<String>, DuplicatePair.Kind, Bool)] = [
      ([path("train", "red/red0"), exact], .file, true),
      ([path("train", "green/green1"), resaved], .pixels, true),
      ([path("train", "blue/blue2"), resized], .near, true),
      ([path("train", "red/red3"), noisyPath], .near, false),
    ]
    for (members, kind, across) in want {
      let pair = pairs[members]
      #expect(pair?.kind == kind, "\(members.sorted())")
      #expect(pair?.acrossSplit == across)
      #expect(pair?.acrossClasses == false)
    }
    #expect(result.duplicates.count == want.count, "\(result.duplicates.map { [$0.pathA, $0.pathB] })")
    #expect(Set(result.acrossSplit.map { Set([$0.pathA, $0.pathB]) }) == Set(want.filter(\.2).map(\.0)))

    let curve = try #require(result.learningCurve)
    #expect(curve.fractions == LearningCurve.standardFractions)
    #expect(result.featuresComputed == result.counts.reduce(0, +))

    let out = root.appendingPathComponent("doctor")
    for name in [
      "report.html", "doctor.json", "label_issues.csv", "label_issues.png", "duplicates.csv",
      "duplicates.png", "learning_curve.png", "learning_curve_classes.png", "class_counts.png",
    ] {
      #expect(fm.fileExists(atPath: out.appendingPathComponent(name).path), "\(name)")
    }
    let csv = try String(contentsOf: out.appendingPathComponent("label_issues.csv"), encoding: .utf8)
    #expect(csv.hasPrefix("path,given,suggested,score"))
    // Nothing moved or deleted.
    #expect(fm.fileExists(atPath: flips[0]) && fm.fileExists(atPath: exact))

    // Again: every feature comes from the cache.
    let again = try DoctorWorkflow(options: options, request: request, progress: SilentProgress())
      .run()
    #expect(again.featuresComputed == 0 && again.featuresReused == result.featuresComputed)
    #expect(again.labelIssues == result.labelIssues && again.duplicates == result.duplicates)
  }
}
