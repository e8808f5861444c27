import Models
import Testing
@testable import Workflow

/// `compare --freeze auto` cuts each zoo family at its stage boundaries (Keras's names).
@Suite struct BlockEndsTests {
  func ends(_ base: String, size: Int) throws -> [String] {
    let g = try ModelZoo.build(base, ZooOptions(size: size))
    return CompareStrategy.blockEnds(g, trunkEnd: g.nodes.count - 1)
      .map { g.nodes[$0].layer.name }
  }

  @Test func everyFamilyCutsAtItsStages() throws {
    #expect(try ends("vgg16", size: 32) == ["block1_pool", "block2_pool", "block3_pool", "block4_pool"])
    #expect(try ends("resnet50", size: 64)
      == ["pool1_pool", "conv2_block3_out", "conv3_block4_out", "conv4_block6_out"])
    #expect(try ends("resnet101", size: 64)
      == ["pool1_pool", "conv2_block3_out", "conv3_block4_out", "conv4_block23_out"])
    #expect(try ends("resnet50_v2", size: 64)
      == ["pool1_pool", "conv2_block2_out", "conv3_block3_out", "conv4_block5_out"])
    #expect(try ends("densenet121", size: 64)
      == ["pool1", "pool2_pool", "pool3_pool", "pool4_pool"])
    #expect(try ends("inception_v3", size: 75)
      == ["max_pooling2d", "max_pooling2d_1", "mixed2", "mixed7"])
    #expect(try ends("xception", size: 71)
      == ["block1_conv2_act", "add", "add_1", "add_10"])
    #expect(try ends("mobilenet", size: 64)
      == ["conv_pw_1_relu", "conv_pw_3_relu", "conv_pw_5_relu", "conv_pw_11_relu"])
    #expect(try ends("mobilenet_v2", size: 64)
      == ["block_1_expand_relu", "block_2_add", "block_5_add", "block_12_add"])
    // In-network preprocessing before the stem is no stage of its own.
    #expect(try ends("mobilenet_v3_small", size: 64)
      == ["activation", "re_lu_2", "expanded_conv_2_add", "expanded_conv_7_add"])
    #expect(try ends("mobilenet_v3_large", size: 64)
      == ["expanded_conv_add", "expanded_conv_2_add", "expanded_conv_5_add", "expanded_conv_11_add"])
    #expect(try ends("efficientnet_b0", size: 64)
      == ["block2a_expand_activation", "block2b_add", "block3b_add", "block5c_add"])
    // ConvNeXt's stage ends just before each downsampling conv (its LayerNorm).
    #expect(try ends("convnext_tiny", size: 64)
      == ["convnext_tiny_downsampling_layernorm_0", "convnext_tiny_downsampling_layernorm_1",
          "convnext_tiny_downsampling_layernorm_2"])
    #expect(try ends("inception_resnet_v2", size: 75)
      == ["max_pooling2d", "max_pooling2d_1", "block35_10_ac", "block17_20_ac"])
    #expect(try ends("efficientnet_v2_b0", size: 64)
      == ["block1a_project_activation", "block2b_add", "block3b_add", "block5e_add"])
  }

  @Test func autoIsNothingEachStageAndAll() throws {
    let g = try ModelZoo.build("densenet121", ZooOptions(size: 32))
    let strategies = try CompareStrategy.expand(["auto"], graph: g, trunkEnd: g.nodes.count - 1)
    #expect(strategies.map(\.name)
      == ["0", "pool1", "pool2_pool", "pool3_pool", "pool4_pool", "all"])
  }
}
