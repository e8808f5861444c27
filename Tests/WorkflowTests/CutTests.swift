import Dataset
import Features
import Foundation
import ImageIO
import KerasIO
import Models
import TensorCore
import TestSupport
import Testing
import Training

@testable import Workflow

/// Exact cuts and heads (issue 15) against what real Keras computed on the same weights:
/// the fixtures of tools/fixtures/cut_fixtures.py in Tests/Fixtures/cut.
@Suite(.serialized) struct CutTests {
  static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Fixtures/cut")
  static var images: String { fixtures.appendingPathComponent("images").path }
  static func model(_ name: String) -> String { fixtures.appendingPathComponent(name).path }

  /// Keras's output at one cut: whole, or a fixed subsample of flat indices.
  struct KerasCut {
    var shape: [Int]
    var subsample: Int
    var maxAbs: Double
    var values: [Double]

    /// max |ours − Keras| / max |Keras| over the values the fixture holds.
    func relativeError(_ t: Tensor) -> Double {
      let n = t.scalars.count
      let indices = subsample == 0 ? Array(0..<n) : (0..<subsample).map { $0 * n / subsample }
      let err = zip(indices, values).map { abs(Double(t.scalars[$0]) - $1) }.max() ?? .infinity
      return err / max(maxAbs, 1e-30)
    }
  }

  static func kerasCuts(_ model: String) throws -> (tolerance: Double, cuts: [String: KerasCut]) {
    let data = try Data(contentsOf: fixtures.appendingPathComponent("cuts.json"))
    let doc = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    let models = try #require(doc["models"] as? [String: [String: Any]])
    let cuts = try #require(models[model]?["cuts"] as? [[String: Any]])
    var out: [String: KerasCut] = [:]
    for c in cuts {
      out[try #require(c["layer"] as? String)] = KerasCut(
        shape: try #require(c["shape"] as? [Int]), subsample: try #require(c["subsample"] as? Int),
        maxAbs: try #require(c["max_abs"] as? Double), values: try #require(c["values"] as? [Double]))
    }
    return (try #require(doc["tolerance"] as? Double), out)
  }

  let root = TinyImages.temporaryDirectory()

  func cache(_ base: String, freeze: String, pool: FeaturePooling = .none, log: [String]? = nil)
    throws -> FeatureFile
  {
    var job = CacheWorkflow(
      base: base, weights: "", freeze: freeze, data: Self.images, classes: nil,
      out: root.appendingPathComponent("\(freeze).h5").path, size: nil, preprocessing: .tf,
      pooling: pool, cacheDir: root.appendingPathComponent("store").path, batchSize: 2)
    job.environment = ["HOME": root.path]
    return try job.run().0
  }

  /// `ftune cache` on full models saved by tf_keras writes exactly the named layer's
  /// output, flat or spatial, including layers of the top (fc1, fc2, the softmax).
  @Test(arguments: [
    ("gap_softmax", ["conv", "pool", "predictions"]),
    ("mini_vgg_top", ["block2_conv2", "block2_pool", "flatten", "fc1", "fc2", "predictions"]),
  ])
  func cacheWritesExactlyTheNamedLayer(model: String, cuts: [String]) throws {
    defer { try? FileManager.default.removeItem(at: root) }
    let (tolerance, keras) = try Self.kerasCuts(model)
    for cut in cuts {
      let file = try cache(Self.model(model + ".h5"), freeze: cut)
      let expected = try #require(keras[cut])
      #expect(file.features.shape == expected.shape, "\(model) at \(cut)")
      #expect(file.attributes["cut_layer"] == cut)
      #expect(expected.relativeError(file.features) < tolerance, "\(model) at \(cut)")
    }
  }

  /// `--freeze all` on a file with a top is everything but its final classifier.
  @Test func freezeAllStopsBeforeTheFinalClassifier() throws {
    defer { try? FileManager.default.removeItem(at: root) }
    let (tolerance, keras) = try Self.kerasCuts("mini_vgg_top")
    let vgg = try cache(Self.model("mini_vgg_top.h5"), freeze: "all")
    #expect(vgg.attributes["cut_layer"] == "fc2")
    #expect(try #require(keras["fc2"]).relativeError(vgg.features) < tolerance)
    // Conv → GlobalAveragePooling2D → softmax: only the softmax is replaced.
    let gap = try cache(Self.model("gap_softmax.h5"), freeze: "all")
    #expect(gap.attributes["cut_layer"] == "pool")
  }

  @Test func poolingAFlatCutIsAnError() throws {
    defer { try? FileManager.default.removeItem(at: root) }
    #expect(throws: WorkflowError.self) {
      try cache(Self.model("mini_vgg_top.h5"), freeze: "fc2", pool: .avg)
    }
    let pooled = try cache(Self.model("mini_vgg_top.h5"), freeze: "block2_pool", pool: .avg)
    #expect(pooled.features.shape == [3, 4])
  }

  /// keras.applications.VGG16 with its top (32x32, 10 classes, the weight pattern): every
  /// cut is Keras's output of that layer, and `all` is fc2.
  @Test func vgg16WithTopCutsMatchKeras() throws {
    let (tolerance, keras) = try Self.kerasCuts("vgg16_top_pattern")
    let g = try ModelZoo.build("vgg16", ZooOptions(includeTop: true, height: 32, width: 32, classes: 10))
    WeightPattern.apply(to: g)
    #expect(try g.cutIndex(for: .all) == g.index(of: "fc2"))
    let pipeline = ImagePipeline(size: 32, channels: 3, preprocessing: .tf)
    let dataset = try ImageDataset(directory: Self.images, classes: nil)
    var x = try Image.batch(
      try dataset.samples.map(\.path).sorted().map {
        try pipeline.image(try Image.decode(file: $0), index: 0, variant: 0)
      })
    try Preprocessing.tf.apply(to: &x)
    for cut in ["block5_pool", "flatten", "fc2", "predictions"] {
      let y = try g.forward(x, mode: .inference, through: try g.cutIndex(for: .layer(cut)))
      let expected = try #require(keras[cut])
      #expect(y.shape == expected.shape, "\(cut)")
      #expect(expected.relativeError(y) < tolerance, "\(cut)")
    }
  }
}

/// Collects `message` lines.
final class RecordingProgress: TrainingProgress {
  var lines: [String] = []
  func batchDone(
    epoch: Int, epochs: Int, step: Int, steps: Int, loss: Float, accuracy: Float,
    imagesPerSecond: Double, etaSeconds: Double
  ) {}
  func epochDone(_ metrics: EpochMetrics, epochs: Int) {}
  func message(_ text: String) { lines.append(text) }
}
