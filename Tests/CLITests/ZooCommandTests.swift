import Foundation
import TestSupport
import Testing

/// `ftune zoo` through the binary: every base listed with its costs, and whether its weights
/// are already where Keras keeps them.
@Suite struct ZooCommandTests {
  struct Row: Decodable {
    let name: String
    let kerasConstructor: String
    let defaultSize: Int
    let parameters: Int
    let flopsPerImage: Int
    let preprocessing: String
    let weightsFile: String?
    let weightsPresent: Bool
  }

  @Test func listsEveryBaseAndFindsKerasFiles() throws {
    let home = FileManager.default.temporaryDirectory
      .appendingPathComponent("ftune-zoo-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: home) }
    let models = home.appendingPathComponent(".keras/models")
    try FileManager.default.createDirectory(at: models, withIntermediateDirectories: true)
    try Data().write(to: models.appendingPathComponent("densenet121_weights_tf_dim_ordering_tf_kernels_notop.h5"))
    let r = try ProcessRun.run(
      FTuneProcess.binary(), ["zoo", "--json"], environment: FTuneProcess.environment(home: home))
    #expect(r.status == 0, "\(r.err)")
    let rows = try JSONDecoder().decode([Row].self, from: Data(r.out.utf8))
    let byName = Dictionary(uniqueKeysWithValues: rows.map { ($0.name, $0) })
    for name in [
      "xception", "vgg16", "vgg19", "resnet50", "resnet101", "resnet152", "resnet50_v2",
      "resnet101_v2", "resnet152_v2", "inception_v3", "densenet121", "densenet169",
      "densenet201", "mobilenet", "mobilenet_v2", "mobilenet_v2_torch",
    ] {
      #expect(byName[name] != nil, "\(name) missing")
    }
    // Keras's model.summary() without top: DenseNet121 7,037,504 parameters.
    #expect(byName["densenet121"]?.parameters == 7_037_504)
    #expect(byName["densenet121"]?.weightsPresent == true)
    #expect(byName["inception_v3"]?.defaultSize == 299)
    #expect(byName["inception_v3"]?.weightsPresent == false)
    #expect(byName["inception_v3"]?.weightsFile
      == "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5")
    #expect(byName["densenet121"]?.preprocessing == "torch")
    #expect(byName["mobilenet_v2_torch"]?.weightsFile == nil)
    #expect(rows.allSatisfy { $0.flopsPerImage > 0 })

    let table = try ProcessRun.run(
      FTuneProcess.binary(), ["zoo"], environment: FTuneProcess.environment(home: home))
    #expect(table.status == 0)
    let line = try #require(table.out.split(separator: "\n").first { $0.hasPrefix("densenet121 ") })
    #expect(line.contains("present") && line.contains("torch"))
  }

  @Test func typoNamesTheNearestBase() throws {
    let r = try ProcessRun.run(FTuneProcess.binary(), ["inspect", "IncepshunV3"])
    #expect(r.status == 64)
    #expect(r.err.contains("did you mean inception_v3?"))
    let keras = try ProcessRun.run(FTuneProcess.binary(), ["inspect", "InceptionV3", "--size", "75"])
    #expect(keras.status == 0, "\(keras.err)")
    #expect(keras.out.contains("mixed10"))
  }
}
