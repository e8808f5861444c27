import Layers
import Testing
@testable import Models

/// `--freeze`: which parameters end up frozen, and the cut it returns.
@Suite struct FreezeTests {
  static func frozenWeightLayers(_ g: Graph) -> [String] {
    g.nodes.filter { $0.layer.hasWeights && $0.layer.isFrozen }.map(\.layer.name)
  }

  @Test func vgg16Thirteen() throws {
    let g = try ModelZoo.build("vgg16", ZooOptions(includeTop: true, size: 32))
    let cut = try g.freeze(.count(13))
    // The whole convolutional trunk, through block5_pool and flatten; fc1 on is trainable.
    #expect(g.nodes[cut].layer.name == "flatten")
    #expect(Self.frozenWeightLayers(g).count == 13)
    #expect(Self.frozenWeightLayers(g).last == "block5_conv3")
    let trainable = g.parameters.filter(\.needsGradient).count
    #expect(trainable == 6)  // fc1, fc2, predictions: kernel + bias each
    #expect(g.layer(named: "fc1")?.isFrozen == false)
    #expect(g.layer(named: "block5_pool")?.isFrozen == true)
    #expect(g.firstTrainableIndex == g.index(of: "fc1"))
  }

  @Test func vgg16ByLayerName() throws {
    let g = try ModelZoo.build("vgg16", ZooOptions(size: 32))
    let cut = try g.freeze(.layer("block4_pool"))
    #expect(g.nodes[cut].layer.name == "block4_pool")
    #expect(Self.frozenWeightLayers(g) == [
      "block1_conv1", "block1_conv2", "block2_conv1", "block2_conv2", "block3_conv1",
      "block3_conv2", "block3_conv3", "block4_conv1", "block4_conv2", "block4_conv3",
    ])
    #expect(g.parameters.filter(\.isFrozen).count == 20)
    // Same frozen set as --freeze 10, whose cut also ends at block4_pool.
    let g2 = try ModelZoo.build("vgg16", ZooOptions(size: 32))
    #expect(try g2.freeze(FreezeSpec("10")) == cut)
    #expect(Self.frozenWeightLayers(g2) == Self.frozenWeightLayers(g))
  }

  @Test func zeroAllAndRefreezing() throws {
    let g = try ModelZoo.build("vgg16", ZooOptions(size: 32))
    #expect(try g.freeze(.all) == g.nodes.count - 1)
    #expect(g.parameters.allSatisfy { $0.isFrozen })
    #expect(g.firstTrainableIndex == nil)
    // A later freeze replaces the earlier one.
    #expect(try g.freeze(FreezeSpec("0")) == 0)
    #expect(g.parameters.allSatisfy { !$0.isFrozen })
    #expect(try g.freeze(.count(1)) == g.index(of: "block1_conv1"))
    #expect(Self.frozenWeightLayers(g) == ["block1_conv1"])
  }

  @Test func errorsListTheValidChoices() throws {
    let g = try ModelZoo.build("vgg16", ZooOptions(size: 32))
    #expect(throws: FreezeError.countOutOfRange(14, graph: "vgg16", weightLayers: 13)) {
      try g.freeze(.count(14))
    }
    #expect(throws: FreezeError.self) { try g.freeze(.count(-1)) }
    do {
      try g.freeze(FreezeSpec("block6_pool"))
      Issue.record("unknown layer must throw")
    } catch {
      let message = "\(error)"
      #expect(message.contains("block6_pool") && message.contains("block5_conv3, block5_pool"))
    }
    do {
      try g.freeze(.count(20))
    } catch {
      #expect("\(error)".contains("from 0 to 13"))
    }
  }

  @Test func specParsing() {
    #expect(FreezeSpec("ALL") == .all)
    #expect(FreezeSpec("13") == .count(13))
    #expect(FreezeSpec("block4_pool") == .layer("block4_pool"))
  }

  @Test func resnet50BatchNormGoesWithItsConv() throws {
    let g = try ModelZoo.build("resnet50", ZooOptions(size: 32))
    #expect(g.weightLayerIndices.count == 53)
    let cut1 = try g.freeze(.count(1))
    #expect(g.nodes[cut1].layer.name == "pool1_pool")
    #expect(Self.frozenWeightLayers(g) == ["conv1_conv", "conv1_bn"])

    // Keras lists conv2_block1_0_conv before _3_conv and _0_bn after it; the BN still goes
    // with its conv while _3_conv stays trainable.
    let cut = try g.freeze(.layer("conv2_block1_0_conv"))
    #expect(g.nodes[cut].layer.name == "conv2_block1_0_conv")
    #expect(g.layer(named: "conv2_block1_0_bn")?.isFrozen == true)
    #expect(g.layer(named: "conv2_block1_3_conv")?.isFrozen == false)
    #expect(g.layer(named: "conv2_block1_3_bn")?.isFrozen == false)
    #expect(g.freezeCounts[g.index(of: "conv2_block1_0_conv")!] == 4)
    #expect(try g.freeze(.count(4)) == cut)

    // Every BN's parameters, moving statistics included, are frozen with its conv.
    try g.freeze(.layer("conv3_block1_out"))
    let bns = g.layers.compactMap { $0 as? BatchNormalization }.filter(\.isFrozen)
    #expect(bns.count == 1 + 3 * 3 + 1 + 3 + 1)
    #expect(bns.allSatisfy { $0.weights.count == 4 && $0.weights.allSatisfy(\.isFrozen) })
  }

  @Test func mobileNetV2BatchNormGoesWithItsConv() throws {
    let g = try ModelZoo.build("mobilenet_v2", ZooOptions(size: 32))
    #expect(g.weightLayerIndices.count == 52)
    try g.freeze(.count(1))
    #expect(Self.frozenWeightLayers(g) == ["Conv1", "bn_Conv1"])
    #expect(g.layer(named: "Conv1_relu")?.isFrozen == true)
    #expect(g.layer(named: "expanded_conv_depthwise")?.isFrozen == false)
    try g.freeze(.count(4))
    #expect(Self.frozenWeightLayers(g) == [
      "Conv1", "bn_Conv1", "expanded_conv_depthwise", "expanded_conv_depthwise_BN",
      "expanded_conv_project", "expanded_conv_project_BN", "block_1_expand", "block_1_expand_BN",
    ])
    // The pad before block 1's stride-2 depthwise conv is frozen with the expand conv.
    #expect(g.layer(named: "block_1_pad")?.isFrozen == true)
    #expect(g.layer(named: "block_1_depthwise")?.isFrozen == false)
  }

  @Test func freezeCountsTableForVGG16() throws {
    let g = try ModelZoo.build("vgg16", ZooOptions(includeTop: true, size: 32))
    let counts = Dictionary(uniqueKeysWithValues: zip(g.nodes.map(\.layer.name), g.freezeCounts))
    #expect(counts["input_layer"] == 0)
    #expect(counts["block1_conv1"] == 1)
    #expect(counts["block1_pool"] == 2)
    #expect(counts["block4_pool"] == 10)
    #expect(counts["flatten"] == 13)
    #expect(counts["predictions"] == 16)
    // The N of each row really freezes up to that row.
    for (i, n) in g.freezeCounts.enumerated() {
      #expect(try g.cutIndex(for: .count(n)) >= i)
    }
  }
}
