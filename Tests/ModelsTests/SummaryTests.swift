import Foundation
import Testing
@testable import Models

/// The rows and totals behind `ftune inspect`.
@Suite struct SummaryTests {
  @Test func totalsAreKerasModelSummaryCounts() throws {
    // keras.applications.ResNet50().summary(): 25,636,712 total, 53,120 non-trainable.
    let s = try ModelZoo.build("resnet50", ZooOptions(includeTop: true, size: 32)).summary()
    #expect(s.totalParameters == 25_636_712)
    #expect(s.nonTrainableParameters == 53_120)
    #expect(s.weightLayers == 54)
    #expect(s.layers.count == 177)
    let add = try #require(s.layers.first { $0.name == "conv2_block1_add" })
    #expect(add.inputs == ["conv2_block1_0_bn", "conv2_block1_3_bn"])
  }

  @Test func rowsFollowFreezing() throws {
    let g = try ModelZoo.build("mobilenet_v2", ZooOptions(size: 96))
    try g.freeze(.count(2))
    let s = g.summary()
    let states = Dictionary(uniqueKeysWithValues: s.layers.map { ($0.name, $0.state) })
    #expect(states["Conv1"] == "frozen")
    #expect(states["expanded_conv_depthwise_BN"] == "frozen")
    #expect(states["expanded_conv_depthwise_relu"] == "-")
    #expect(states["expanded_conv_project"] == "trainable")
    // MobileNetV2 1.0 without top: 2,257,984 parameters, 34,112 of them BN statistics.
    #expect(s.totalParameters == 2_257_984)
    let frozen = g.parameters.filter { $0.isFrozen && $0.isTrainable }
    #expect(s.nonTrainableParameters == 34_112 + frozen.reduce(0) { $0 + $1.value.count })
    #expect(ModelSummary.grouped(1_234_567) == "1,234,567" && ModelSummary.grouped(12) == "12")
    let decoded = try JSONDecoder().decode(ModelSummary.self, from: Data(try s.json().utf8))
    #expect(decoded == s)
  }
}
