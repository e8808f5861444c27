import Foundation
import Layers
import Testing
@testable import Models

/// The zoo against Keras's own layer lists (`zoo_fixtures.py`): names, classes, order,
/// output shapes and weight shapes must be identical.
@Suite struct ZooArchitectureTests {
  @Test(arguments: ZooFixture.allIDs)
  func layersMatchKeras(id: String) throws {
    let fx = try ZooFixture.load(id)
    let g = try fx.build()
    #expect(g.nodes.map(\.layer.name) == fx.layers.map(\.name))
    #expect(g.nodes.map(\.layer.kerasClassName) == fx.layers.map(\.class))
    if let modelName = fx.model_name { #expect(g.name == modelName) }
    for (node, ref) in zip(g.nodes, fx.layers) {
      #expect(node.outputShape == ref.output_shape, "\(ref.name)")
      let ours = node.layer.weights.map { ZooFixture.Weight(name: $0.name, shape: $0.value.shape) }
      #expect(ours == ref.weights, "\(ref.name)")
    }
  }

  @Test func fixturesCoverEveryKerasBase() throws {
    let ids = ZooFixture.allIDs
    #expect(ids.count >= 10)
    let covered = try Set(ids.map { try ModelZoo.entry(named: ZooFixture.load($0).base).name })
    #expect(covered == Set(ModelZoo.names))
  }

  @Test func makeDivisibleMatchesKeras() {
    // Values from Keras's _make_divisible: 32·α for each published α, and edge cases.
    #expect([0.35, 0.5, 0.75, 1.0, 1.3, 1.4].map { MobileNetV2.makeDivisible(32 * $0) }
      == [16, 16, 24, 32, 40, 48])
    #expect(MobileNetV2.makeDivisible(5) == 8)
    #expect(MobileNetV2.makeDivisible(1280 * 1.3) == 1664)
    #expect(MobileNetV2.makeDivisible(1280 * 1.4) == 1792)
    #expect(MobileNetV2.makeDivisible(11) == 16)  // 8 would be >10% below 11
  }

  @Test func correctPadFollowsParity() {
    func flat(_ h: Int, _ w: Int, _ k: Int = 3) -> [Int] {
      let p = CorrectPad.padding(height: h, width: w, kernel: k)
      return [p.0.0, p.0.1, p.1.0, p.1.1]
    }
    #expect(flat(112, 112) == [0, 1, 0, 1])
    #expect(flat(5, 6) == [1, 1, 0, 1])
    #expect(flat(16, 17, 5) == [1, 2, 2, 2])
  }

  @Test func torchVariantKeepsNamesAndChangesNumerics() throws {
    let keras = try ModelZoo.build("mobilenet_v2", ZooOptions(size: 64))
    let torch = try ModelZoo.build("mobilenet_v2_torch", ZooOptions(size: 64))
    let kerasNames = keras.nodes.map(\.layer.name)
    let torchNames = torch.nodes.map(\.layer.name)
    // Only the stem gains a pad layer; every weight layer keeps its Keras name and shape.
    #expect(torchNames.filter { !kerasNames.contains($0) } == ["Conv1_pad"])
    #expect(keras.parameters.map(\.value.shape) == torch.parameters.map(\.value.shape))
    let pad = try #require(torch.layer(named: "block_1_pad") as? ZeroPadding2D)
    let sides: [Int] = [pad.top, pad.bottom, pad.left, pad.right]
    #expect(sides == [1, 1, 1, 1])
    let kpad = try #require(keras.layer(named: "block_1_pad") as? ZeroPadding2D)
    let ksides: [Int] = [kpad.top, kpad.bottom, kpad.left, kpad.right]
    #expect(ksides == [0, 1, 0, 1])
    let bn = try #require(torch.layer(named: "bn_Conv1") as? BatchNormalization)
    #expect(bn.epsilon == 1e-5)
    let stem = try #require(torch.layer(named: "Conv1") as? Conv2D)
    #expect(stem.padding == .valid)
    #expect(try ModelZoo.entry(named: "mobilenet_v2_torch").preprocessing == .torch)
  }

  @Test func resnetQuirksAreKeras() throws {
    let g = try ModelZoo.build("resnet50", ZooOptions(size: 32))
    let bns = g.layers.compactMap { $0 as? BatchNormalization }
    #expect(bns.count == 53)
    #expect(bns.allSatisfy { $0.epsilon == 1.001e-5 && $0.momentum == 0.99 })
    let mbns = try ModelZoo.build("mobilenet_v2", ZooOptions(size: 32)).layers
      .compactMap { $0 as? BatchNormalization }
    #expect(mbns.allSatisfy { $0.epsilon == 1e-3 && $0.momentum == 0.999 })
    let relus = try ModelZoo.build("mobilenet_v2", ZooOptions(size: 32)).layers
      .compactMap { $0 as? ReLU }
    #expect(relus.count == 35 && relus.allSatisfy { $0.maxValue == 6 })
  }

  @Test func registryKnowsKerasFilesAndPreprocessing() throws {
    let vgg = try ModelZoo.entry(named: "VGG16")
    #expect(vgg.kerasWeightsFileName() == "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5")
    #expect(vgg.kerasWeightsFileName(ZooOptions(includeTop: true, size: 224))
      == "vgg16_weights_tf_dim_ordering_tf_kernels.h5")
    #expect(vgg.preprocessing == .caffe && vgg.defaultSize == 224)
    #expect(try ModelZoo.entry(named: "vgg19").kerasWeightsFileName()
      == "vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5")
    let resnet = try ModelZoo.entry(named: "resnet50")
    #expect(resnet.kerasWeightsFileName(ZooOptions(includeTop: true, size: 224))
      == "resnet50_weights_tf_dim_ordering_tf_kernels.h5")
    #expect(resnet.preprocessing == .caffe)
    let mnet = try ModelZoo.entry(named: "mobilenet_v2")
    #expect(mnet.preprocessing == .tf)
    #expect(mnet.kerasWeightsFileName()
      == "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5")
    #expect(mnet.kerasWeightsFileName(ZooOptions(includeTop: true, size: 160, alpha: 0.35))
      == "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.35_160.h5")
    // Keras loads the 224 weights for sizes it has none for.
    #expect(mnet.kerasWeightsFileName(ZooOptions(size: 100, alpha: 0.5))
      == "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.5_224_no_top.h5")
    #expect(mnet.kerasWeightsFileName(ZooOptions(alpha: 0.6)) == nil)
    #expect(try ModelZoo.entry(named: "mobilenet_v2_torch").kerasWeightsFileName() == nil)
  }

  @Test func userErrorsNameTheProblem() {
    #expect(throws: ZooError.self) { try ModelZoo.build("vgg17") }
    do {
      _ = try ModelZoo.build("vgg17")
    } catch {
      #expect("\(error)".contains("did you mean vgg16 or vgg19?"))
      #expect("\(error)".contains("vgg16, vgg19, resnet50, resnet101"))
    }
    do {
      _ = try ModelZoo.build("resnet50", ZooOptions(size: 31))
      Issue.record("a 31x31 input must be refused")
    } catch {
      #expect("\(error)" == "resnet50: input 31x31 is too small; --size must be at least 32")
    }
    #expect(throws: ZooError.self) { try ModelZoo.build("mobilenet_v2", ZooOptions(alpha: 0)) }
  }

  @Test func anySizeKerasAcceptsBuilds() throws {
    // Odd, non-square sizes go through every stride-2 stage (Keras: min 32 per side).
    for base in ["vgg16", "resnet50", "mobilenet_v2"] {
      let g = try ModelZoo.build(base, ZooOptions(height: 33, width: 97))
      #expect(g.outputShape.count == 3, "\(base)")
    }
    let m = try ModelZoo.build("mobilenet_v2", ZooOptions(height: 33, width: 97))
    #expect(m.outputShape == [2, 4, 1280])
  }
}

/// The newer entries (MobileNetV3, EfficientNet(V2), ConvNeXt, InceptionResNetV2): file names, and
/// `--freeze N|NAME|all` on each.
@Suite struct ZooNewFamiliesTests {
  @Test func mobileNetV3FilesFollowAlphaAndMinimalistic() throws {
    let small = try ModelZoo.entry(named: "MobileNetV3Small")
    #expect(small.kerasWeightsFileName()
      == "weights_mobilenet_v3_small_224_1.0_float_no_top_v2.h5")
    var o = ZooOptions(includeTop: true, size: 224)
    o.minimalistic = true
    #expect(try ModelZoo.entry(named: "mobilenet_v3_large").kerasWeightsFileName(o)
      == "weights_mobilenet_v3_large_minimalistic_224_1.0_float.h5")
    #expect(small.kerasWeightsFileName(ZooOptions(alpha: 0.75))
      == "weights_mobilenet_v3_small_224_0.75_float_no_top_v2.h5")
    #expect(small.kerasWeightsFileName(ZooOptions(alpha: 0.5)) == nil)
    o.alpha = 0.75
    #expect(small.kerasWeightsFileName(o) == nil)
    #expect(small.preprocessing == .none && small.defaultSize == 224)
  }

  @Test func efficientNetSizesAndFiles() throws {
    let sizes = try (0...7).map { try ModelZoo.entry(named: "EfficientNetB\($0)").defaultSize }
    #expect(sizes == [224, 240, 260, 300, 380, 456, 528, 600])
    let b3 = try ModelZoo.entry(named: "efficientnet_b3")
    #expect(b3.kerasWeightsFileName() == "efficientnetb3_notop.h5")
    #expect(b3.kerasWeightsFileName(ZooOptions(includeTop: true, size: 300)) == "efficientnetb3.h5")
    #expect(EfficientNet.roundFilters(32, width: 1.1) == 32)
    #expect(EfficientNet.roundFilters(1280, width: 2.0) == 2560)
    #expect(EfficientNet.roundRepeats(4, depth: 3.1) == 13)
  }

  static let freezeCases = [
    ("mobilenet_v3_small", "expanded_conv_1_project_bn", "predictions"),
    ("mobilenet_v3_large", "expanded_conv_1_project_bn", "predictions"),
    ("efficientnet_b0", "block2a_project_bn", "predictions"),
    ("efficientnet_v2_b0", "block2a_project_bn", "predictions"),
    ("convnext_tiny", "convnext_tiny_stage_1_block_0_layer_scale", "convnext_tiny_head_dense"),
    ("inception_resnet_v2", "block35_2_ac", "predictions"),
  ]

  @Test(arguments: freezeCases)
  func freezeByCountNameAndAll(base: String, name: String, classifier: String) throws {
    let size = try ModelZoo.entry(named: base).minSize
    let g = try ModelZoo.build(base, ZooOptions(includeTop: true, size: size))
    let cut = try g.freeze(.layer(name))
    #expect(g.nodes[cut].layer.name == name)
    let frozen = g.nodes[...cut].filter { $0.layer.isFrozen }.count
    #expect(frozen == cut + 1)
    let three = try g.freeze(.count(3))
    #expect(g.freezeCounts[three] == 3 && !g.nodes[three + 1].layer.isFrozen)
    let all = try g.freeze(.all)
    #expect(g.nodes[all + 1].layer.name == classifier)
    #expect(g.layers.last?.isFrozen == false)
  }
}
