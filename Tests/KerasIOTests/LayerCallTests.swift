import Foundation
import Testing

@testable import KerasIO

/// `inbound_nodes` as tf_keras and Keras 3 write them (spellings copied from
/// keras.applications configs).
@Suite struct LayerCallTests {
  static func calls(_ json: String) throws -> [LayerCall] {
    LayerCall.calls(try JSONSerialization.jsonObject(with: Data(json.utf8)))
  }

  @Test func keras2LayerWithTwoInputs() throws {
    let c = try Self.calls(#"[[["mixed_5b", 0, 0, {}], ["block35_1_conv", 0, 0, {}]]]"#)
    #expect(c.count == 1 && c[0].inputs == ["mixed_5b", "block35_1_conv"])
    #expect(c[0].arguments.isEmpty)
  }

  /// tf_keras writes a TFOpLambda's one call unwrapped, its operand `y` a constant or a
  /// tensor reference.
  @Test func keras2TFOpLambdaConstantAndTensorOperands() throws {
    let constant = try Self.calls(#"[["Conv/BatchNorm", 0, 0, {"y": 3.0, "name": null}]]"#)
    #expect(constant.count == 1 && constant[0].inputs == ["Conv/BatchNorm"])
    #expect(constant[0].arguments["y"] as? Double == 3.0)
    let tensor = try Self.calls(
      #"[["convnext_tiny_stem", 1, 0, {"y": ["block_0_identity", 0, 0], "name": null}]]"#)
    #expect(tensor[0].inputs == ["convnext_tiny_stem", "block_0_identity"])
    #expect(tensor[0].arguments["y"] == nil)
  }

  @Test func keras3ArgumentsKeepTheConstantsPlace() throws {
    let c = try Self.calls(
      #"""
      [{"args": [{"class_name": "__keras_tensor__", "config": {"shape": [null, 1, 1, 16],
        "dtype": "float32", "keras_history": ["se_conv_1", 0, 0]}}, 3.0], "kwargs": {}}]
      """#)
    #expect(c[0].inputs == ["se_conv_1"])
    let args = try #require(c[0].arguments["args"] as? [Any])
    #expect(args.count == 2 && args[0] as? String == LayerCall.tensorPlaceholder)
    #expect(args[1] as? Double == 3.0)
  }

  /// CustomScaleLayer's call: one positional list of two tensors.
  @Test func keras3NestedListOfTensors() throws {
    let c = try Self.calls(
      #"""
      [{"args": [[{"class_name": "__keras_tensor__", "config": {"keras_history": ["a", 0, 0]}},
        {"class_name": "__keras_tensor__", "config": {"keras_history": ["b", 0, 0]}}]],
        "kwargs": {}}]
      """#)
    #expect(c[0].inputs == ["a", "b"])
  }

  @Test func classNamesFromOutsideKerasKeepTheirModule() {
    #expect(ModelConfigImporter.className(["class_name": "Conv2D", "module": "keras.layers"])
      == "Conv2D")
    #expect(ModelConfigImporter.className(
      ["class_name": "LayerScale", "module": "tf_keras.src.applications.convnext"])
      == "LayerScale")
    #expect(ModelConfigImporter.className(["class_name": "Add", "module": "keras.src.ops.numpy"])
      == "keras.src.ops.numpy.Add")
    #expect(ModelConfigImporter.className(["class_name": "Dense", "module": "my_project.layers"])
      == "my_project.layers.Dense")
    #expect(ModelConfigImporter.className(["class_name": "Dense"]) == "Dense")
  }
}
