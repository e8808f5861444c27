import Foundation
import Layers
import Testing
@testable import Models

/// The zoo's names, weight files and costs against Keras's own source.
@Suite struct ZooCatalogTests {
  struct WeightsFixture: Decodable {
    struct Row: Decodable {
      struct Kwargs: Decodable {
        let include_top: Bool
        let alpha: Double?
        let input_shape: [Int]?
        let minimalistic: Bool?
      }
      let constructor: String
      let kwargs: Kwargs
      let fname: String
      let origin: String
      let file_hash: String?
    }
    let files: [Row]
  }

  /// Every (constructor, options) Keras's `get_file` was called with by
  /// `zoo_weights_table.py`: same file name, address and hash in ftune's table.
  @Test func weightFilesAreKerasSourceTable() throws {
    let url = ZooFixture.directory.appendingPathComponent("keras_weights_table.json")
    let fx = try JSONDecoder().decode(WeightsFixture.self, from: Data(contentsOf: url))
    #expect(fx.files.count >= 90)
    var covered = Set<String>()
    for row in fx.files {
      var o = ZooOptions(
        includeTop: row.kwargs.include_top, height: row.kwargs.input_shape?[0],
        width: row.kwargs.input_shape?[1], alpha: row.kwargs.alpha ?? 1)
      o.minimalistic = row.kwargs.minimalistic ?? false
      let ours = KerasWeightsTable.file(row.constructor, o)
      let keras = KerasWeightsFile(fileName: row.fname, origin: row.origin, fileHash: row.file_hash)
      #expect(ours == keras, "\(row.constructor) \(row.kwargs)")
      // A zoo entry built from that constructor finds the same file for the same options.
      if let entry = ModelZoo.entries.first(where: {
        $0.kerasConstructor == "keras.applications.\(row.constructor)"
      }) {
        #expect(entry.kerasWeights(o) == keras, "\(entry.name) \(row.kwargs)")
        covered.insert(entry.name)
      }
    }
    let fromKeras = ModelZoo.entries.filter { $0.kerasConstructor.hasPrefix("keras.") }
    #expect(covered == Set(fromKeras.map(\.name)))
  }

  @Test func mobileNetFilesFollowAlphaAndSize() {
    let e = MobileNet.entry
    #expect(e.kerasWeightsFileName(ZooOptions(size: 160, alpha: 0.25)) == "mobilenet_2_5_160_tf_no_top.h5")
    #expect(e.kerasWeightsFileName(ZooOptions(includeTop: true, size: 100, alpha: 0.75))
      == "mobilenet_7_5_224_tf.h5")
    var dm2 = ZooOptions()
    dm2.depthMultiplier = 2
    #expect(e.kerasWeightsFileName(dm2) == nil)
    #expect(e.kerasWeightsFileName(ZooOptions(alpha: 0.35)) == nil)
  }

  @Test func kerasConstructorSpellingsFindTheEntry() throws {
    let cases = [
      ("InceptionV3", "inception_v3"), ("ResNet50V2", "resnet50_v2"), ("resnet50v2", "resnet50_v2"),
      ("keras.applications.DenseNet121", "densenet121"), ("Xception", "xception"),
      ("MobileNet", "mobilenet"), ("MobileNetV2", "mobilenet_v2"), ("VGG16", "vgg16"),
      ("RESNET152", "resnet152"), ("mobilenet-v2-torch", "mobilenet_v2_torch"),
    ]
    for (typed, name) in cases {
      #expect(try ModelZoo.entry(named: typed).name == name, "\(typed)")
    }
  }

  @Test func typosSuggestTheNearestName() {
    func suggestion(_ typed: String) -> [String] {
      do {
        _ = try ModelZoo.entry(named: typed)
        return ["found"]
      } catch let ZooError.unknownBase(_, _, nearest) {
        return nearest
      } catch {
        return ["other error"]
      }
    }
    #expect(suggestion("resnet5") == ["resnet50"])
    #expect(suggestion("IncepshunV3") == ["inception_v3"])
    #expect(suggestion("densenet122") == ["densenet121"])
    #expect(suggestion("alexnet") == [])
    let message = ZooError.unknownBase("xcepton", known: ["xception"], nearest: ["xception"])
      .description
    #expect(message.contains("did you mean xception?"))
    #expect(ZooNames.editDistance("kitten", "sitting") == 3)
    #expect(ZooNames.editDistance("", "abc") == 3)
  }

  @Test func flopsCountEveryKernelOncePerOutputPosition() throws {
    let g = Graph(name: "t")
    var x = try g.input("in", shape: [8, 8, 3])
    x = try g.add(Conv2D("c", filters: 4, kernelSize: (3, 3), padding: .same), x)
    x = try g.add(DepthwiseConv2D("d", kernelSize: (3, 3), strides: (2, 2), padding: .same), x)
    x = try g.add(GlobalAveragePooling2D("p"), x)
    x = try g.add(Dense("f", units: 5), x)
    #expect(ZooCost.flops(of: g) == 2 * (64 * 3 * 3 * 3 * 4 + 16 * 3 * 3 * 4 + 4 * 5))
    // VGG16's trunk at 224: 15.35 G multiply-adds, the published figure without the top.
    let vgg = try ModelZoo.build("vgg16")
    #expect(abs(Double(ZooCost.flops(of: vgg)) / 2e9 - 15.35) < 0.01)
  }

  @Test func kerasOrderPutsBranchesByDepthThenDiscovery() {
    // 0 -> 1 -> 3, 0 -> 2 -> 3 (3 = concat of [1, 2]); 2 is longer: 2a -> 2b.
    // nodes: 0 in, 1 a, 2 b1, 3 b2, 4 concat(a, b2)
    let order = KerasLayerOrder.kerasOrder(inputs: [[], [0], [0], [2], [1, 3]])
    #expect(order == [0, 2, 1, 3, 4])
  }
}
