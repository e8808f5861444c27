import Foundation
import Layers
import Models

/// Builds a `Graph` from Keras's model JSON (Keras 2 `model_config` or Keras 3
/// `config.json`): Sequential and Functional models, nested ones flattened into one graph.
struct ModelConfigImporter {
  let file: String
  /// A config declaring more weights in total is refused before they are allocated.
  var maxWeights = ModelConfigImporter.defaultMaxWeights
  static let modelClasses: Set<String> = ["Sequential", "Functional", "Model"]
  /// 2^30 weights (4 GiB of Float): seven times VGG19, the largest network of the zoo.
  static let defaultMaxWeights = 1 << 30
  /// The most values one sample may have at any layer's output (input included); keeps
  /// the sizes layers multiply far from overflowing.
  static let maxElements = 1 << 31

  /// Parses `json` and builds the graph with freshly initialised weights.
  func makeGraph(json: Data) throws -> Graph {
    guard let top = try? JSONSerialization.jsonObject(with: json) as? [String: Any] else {
      throw KerasIOError.badConfig(file: file, reason: "it is not a JSON object")
    }
    let className = top["class_name"] as? String ?? "?"
    guard Self.modelClasses.contains(className), let config = top["config"] as? [String: Any]
    else {
      throw KerasIOError.badConfig(
        file: file, reason: "the top level is a '\(className)', not a Sequential or Functional")
    }
    let graph = Graph(name: config["name"] as? String ?? "model")
    _ = try addModel(className, config, input: nil, to: graph)
    return graph
  }

  /// Adds a model's layers to `graph`, feeding its input from `input` (nil: the graph's
  /// own input), and returns the node of its output.
  private func addModel(
    _ className: String, _ config: [String: Any], input: NodeID?, to graph: Graph
  ) throws -> NodeID {
    className == "Sequential"
      ? try addSequential(config, input: input, to: graph)
      : try addFunctional(config, input: input, to: graph)
  }

  private func layerList(_ config: [String: Any]) throws -> [[String: Any]] {
    guard let layers = config["layers"] as? [[String: Any]] else {
      throw KerasIOError.badConfig(
        file: file, reason: "model '\(config["name"] ?? "?")' has no 'layers' list")
    }
    return layers
  }

  private func layerName(_ layer: [String: Any]) -> String {
    (layer["config"] as? [String: Any])?["name"] as? String ?? layer["name"] as? String ?? "?"
  }

  /// Per-sample input shape from `batch_input_shape` (Keras 2), `batch_shape` (Keras 3),
  /// `shape`, or a Sequential's `build_input_shape`.
  private func inputShape(_ config: [String: Any], layer: String) throws -> [Int] {
    for key in ["batch_input_shape", "batch_shape", "build_input_shape"] {
      if let list = config[key] as? [Any], list.count >= 2 {
        let dims = list.dropFirst().compactMap { $0 as? Int }
        guard dims.count == list.count - 1 else {
          throw KerasIOError.unsupportedOption(
            file: file, layer: layer, option: key, value: "\(list) (every size must be fixed)")
        }
        return try checked(dims, input: layer, key: key)
      }
    }
    if let dims = config["shape"] as? [Int] { return try checked(dims, input: layer, key: "shape") }
    throw KerasIOError.badConfig(file: file, reason: "input '\(layer)' has no input shape")
  }

  /// An input shape whose sizes are positive and whose sample fits `maxElements`.
  private func checked(_ dims: [Int], input layer: String, key: String) throws -> [Int] {
    guard dims.allSatisfy({ (1...JSONConfig.maxSize).contains($0) }) else {
      throw KerasIOError.badConfig(
        file: file,
        reason: "input '\(layer)': \(key) \(dims) needs sizes from 1 to \(JSONConfig.maxSize)")
    }
    try checkElements(dims, layer: layer)
    return dims
  }

  /// Throws when one sample of `shape` has more than `maxElements` values.
  private func checkElements(_ shape: [Int], layer: String) throws {
    let count = shape.reduce(1.0) { $0 * Double($1) }
    guard count <= Double(Self.maxElements) else {
      throw KerasIOError.badConfig(
        file: file,
        reason: "layer '\(layer)' outputs \(shape): more than \(Self.maxElements) values"
          + " per sample; this file cannot be a real model")
    }
  }

  /// How many weights `layer` will allocate on its `inputShapes` (Double: no overflow).
  private func weightCount(_ layer: any Layer, inputShapes: [[Int]]) -> Double {
    let channels = Double(inputShapes.first?.last ?? 0)
    switch layer {
    case let l as Conv2D:
      return Double(l.kernelSize.0 * l.kernelSize.1) * channels * Double(l.filters)
        + Double(l.filters)
    case let l as DepthwiseConv2D:
      return Double(l.kernelSize.0 * l.kernelSize.1 + 1) * channels * Double(l.depthMultiplier)
    case let l as SeparableConv2D:
      let depth = channels * Double(l.depthMultiplier)
      return Double(l.kernelSize.0 * l.kernelSize.1) * depth
        + (depth + 1) * Double(l.filters)
    case let l as Dense:
      return (channels + 1) * Double(l.units)
    case is BatchNormalization:
      return 4 * channels
    default:
      return 0
    }
  }

  private func addSequential(
    _ config: [String: Any], input: NodeID?, to graph: Graph
  ) throws -> NodeID {
    var current = input
    for layer in try layerList(config) {
      let name = layerName(layer)
      let className = layer["class_name"] as? String ?? "?"
      let layerConfig = layer["config"] as? [String: Any] ?? [:]
      if className == "InputLayer" {
        if current == nil {
          current = try graph.input(name, shape: try inputShape(layerConfig, layer: name))
        }
        continue
      }
      if current == nil {
        // Older Sequential configs put the input shape on the first layer.
        let shape = try inputShape(
          layerConfig.merging(config) { first, _ in first }, layer: name)
        let model = config["name"] as? String ?? "sequential"
        current = try graph.input("\(model)_input", shape: shape)
      }
      guard let previous = current else { break }
      current = try addLayer(className, layerConfig, name: name, inputs: [previous], to: graph)
    }
    guard let output = current else {
      throw KerasIOError.badConfig(
        file: file, reason: "Sequential '\(config["name"] ?? "?")' has no layers")
    }
    return output
  }

  private func addLayer(
    _ className: String, _ config: [String: Any], name: String, inputs: [NodeID],
    to graph: Graph
  ) throws -> NodeID {
    if Self.modelClasses.contains(className) {
      guard inputs.count == 1 else {
        throw KerasIOError.unsupportedOption(
          file: file, layer: name, option: "inputs", value: "\(inputs.count) (a nested model"
            + " must take one input)")
      }
      return try addModel(className, config, input: inputs[0], to: graph)
    }
    let shapes = inputs.map { graph.nodes[$0.index].outputShape }
    let layer = try LayerConfig.make(
      className, JSONConfig(file: file, layer: name, values: config), inputShapes: shapes)
    // Keras's `trainable: false` is ftune's frozen (BatchNorm then runs on its statistics).
    if config["trainable"] as? Bool == false { layer.isFrozen = true }
    let total = Double(graph.parameters.reduce(0) { $0 + $1.value.count })
      + weightCount(layer, inputShapes: shapes)
    guard total <= Double(maxWeights) else {
      throw KerasIOError.badConfig(
        file: file,
        reason: "with layer '\(name)' the model holds more than \(maxWeights) weights;"
          + " this file cannot be a real model")
    }
    let id = try graph.add(layer, inputs: inputs)
    try checkElements(graph.nodes[id.index].outputShape, layer: name)
    return id
  }

  private func addFunctional(
    _ config: [String: Any], input: NodeID?, to graph: Graph
  ) throws -> NodeID {
    let modelName = config["name"] as? String ?? "?"
    let layers = try layerList(config)
    var byName: [String: [String: Any]] = [:]
    for layer in layers { byName[layerName(layer)] = layer }
    let inputs = tensorRefs(config["input_layers"])
    let outputs = tensorRefs(config["output_layers"])
    guard inputs.count == 1, outputs.count == 1 else {
      throw KerasIOError.unsupportedOption(
        file: file, layer: modelName, option: "inputs/outputs",
        value: "\(inputs.count)/\(outputs.count) (ftune builds one input, one output)")
    }
    var built: [String: NodeID] = [:]
    var visiting = Set<String>()
    // Depth first from the output: layers join the graph in an order where every input
    // comes first and the output comes last.
    func node(_ name: String) throws -> NodeID {
      if let id = built[name] { return id }
      guard let layer = byName[name], visiting.insert(name).inserted else {
        throw KerasIOError.badConfig(
          file: file, reason: "model '\(modelName)' refers to an unknown or cyclic layer '\(name)'")
      }
      let className = layer["class_name"] as? String ?? "?"
      let layerConfig = layer["config"] as? [String: Any] ?? [:]
      let id: NodeID
      if name == inputs[0] {
        id = try input ?? graph.input(name, shape: try inputShape(layerConfig, layer: name))
      } else {
        let nodes = inboundNodes(layer["inbound_nodes"])
        guard nodes.count == 1 else {
          throw KerasIOError.unsupportedOption(
            file: file, layer: name, option: "inbound_nodes",
            value: "\(nodes.count) calls (ftune supports layers called exactly once)")
        }
        let inputIDs = try nodes[0].map { try node($0) }
        id = try addLayer(className, layerConfig, name: name, inputs: inputIDs, to: graph)
      }
      built[name] = id
      return id
    }
    return try node(outputs[0])
  }

  /// `[["img", 0, 0]]` or `["img", 0, 0]` -> `["img"]`.
  private func tensorRefs(_ any: Any?) -> [String] {
    guard let list = any as? [Any] else { return [] }
    if let name = list.first as? String { return [name] }
    return list.compactMap { ($0 as? [Any])?.first as? String }
  }

  /// The producing layer names of each call of a layer, from Keras 2's
  /// `[[["name", node, tensor, {}], …]]` or Keras 3's `[{"args": […], "kwargs": {}}]`.
  private func inboundNodes(_ any: Any?) -> [[String]] {
    guard let calls = any as? [Any] else { return [] }
    return calls.map { call in
      if let keras3 = call as? [String: Any] {
        var names: [String] = []
        collectKerasTensors(keras3["args"], into: &names)
        return names
      }
      return (call as? [Any] ?? []).compactMap { ($0 as? [Any])?.first as? String }
    }
  }

  private func collectKerasTensors(_ any: Any?, into names: inout [String]) {
    if let dict = any as? [String: Any] {
      if dict["class_name"] as? String == "__keras_tensor__",
        let history = (dict["config"] as? [String: Any])?["keras_history"] as? [Any],
        let name = history.first as? String
      {
        names.append(name)
      }
    } else if let list = any as? [Any] {
      for item in list { collectKerasTensors(item, into: &names) }
    }
  }
}
