import Foundation
import Layers
import Models

/// Builds a `Graph` from Keras's model JSON (Keras 2 `model_config` or Keras 3
/// `config.json`): Sequential and Functional models, nested ones (any depth) flattened into
/// one graph whose layers keep their names and record their enclosing models in `scopes`.
struct ModelConfigImporter {
  let file: String
  /// Set from the config: whether tf_keras (Keras 2) wrote it.
  private(set) var keras2 = true
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
    var importer = self
    // tf_keras writes its version at the top; Keras 3's config.json does not.
    importer.keras2 = (top["keras_version"] as? String).map { !$0.hasPrefix("3.") } ?? false
    _ = try importer.addModel(className, config, input: nil, to: graph, scope: [])
    return graph
  }

  /// Adds a model's layers to `graph`, feeding its input from `input` (nil: the graph's
  /// own input), and returns the node of its output. `scope` names the enclosing nested
  /// models, outermost first (empty for the file's own model).
  private func addModel(
    _ className: String, _ config: [String: Any], input: NodeID?, to graph: Graph,
    scope: [String]
  ) throws -> NodeID {
    className == "Sequential"
      ? try addSequential(config, input: input, to: graph, scope: scope)
      : try addFunctional(config, input: input, to: graph, scope: scope)
  }

  /// The class a layer entry names, qualified by its module where Keras's own modules
  /// reuse a layer's name (Keras 3's `keras.src.ops.numpy.Add` for `x + 3` is no `Add`
  /// layer). A class from outside Keras (a user's own) is named with its module, so it is
  /// refused by that name.
  static func className(_ layer: [String: Any]) -> String {
    let name = layer["class_name"] as? String ?? "?"
    guard let module = layer["module"] as? String else { return name }
    if module.hasPrefix("keras.src.ops.") { return "\(module).\(name)" }
    let keras = ["keras", "tf_keras"].contains {
      module == $0 || module.hasPrefix("\($0).")
    }
    return keras ? name : "\(module).\(name)"
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

  private func addSequential(
    _ config: [String: Any], input: NodeID?, to graph: Graph, scope: [String]
  ) throws -> NodeID {
    var current = input
    for layer in try layerList(config) {
      let name = layerName(layer)
      let className = Self.className(layer)
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
      current = try addLayer(
        className, layerConfig, name: name, inputs: [previous], to: graph, scope: scope)
    }
    guard let output = current else {
      throw KerasIOError.badConfig(
        file: file, reason: "Sequential '\(config["name"] ?? "?")' has no layers")
    }
    return output
  }

  private func addLayer(
    _ className: String, _ config: [String: Any], name: String, inputs: [NodeID],
    call: LayerCall = LayerCall(), to graph: Graph, scope: [String]
  ) throws -> NodeID {
    let first = graph.nodes.count
    // Keras's `layer(x, training=False)`: that layer, or every layer of that model,
    // computes as at inference however it is trained.
    defer {
      if call.arguments["training"] as? Bool == false {
        for node in graph.nodes[first...] {
          (node.layer as? any InferenceOnlyCapable)?.inferenceOnly = true
        }
      }
    }
    if Self.modelClasses.contains(className) {
      guard inputs.count == 1 else {
        throw KerasIOError.unsupportedOption(
          file: file, layer: name, option: "inputs", value: "\(inputs.count) (a nested model"
            + " must take one input)")
      }
      let output = try addModel(
        className, config, input: inputs[0], to: graph, scope: scope + [name])
      graph.nestedModelOutputs[name] = graph.nodes[output.index].layer.name
      return output
    }
    let shapes = inputs.map { graph.nodes[$0.index].outputShape }
    let layer = try LayerCodecs.decode(
      className,
      JSONConfig(file: file, layer: name, values: config, keras2: keras2, call: call.arguments),
      inputShapes: shapes)
    // Keras's `trainable: false` is ftune's frozen (BatchNorm then runs on its statistics).
    if config["trainable"] as? Bool == false { layer.isFrozen = true }
    let total = Double(graph.parameters.reduce(0) { $0 + $1.value.count })
      + LayerCodecs.weightCount(layer, inputShapes: shapes)
    guard total <= Double(maxWeights) else {
      throw KerasIOError.badConfig(
        file: file,
        reason: "with layer '\(name)' the model holds more than \(maxWeights) weights;"
          + " this file cannot be a real model")
    }
    let id = try graph.add(layer, inputs: inputs)
    if !scope.isEmpty { graph.scopes[name] = scope.joined(separator: "/") }
    try checkElements(graph.nodes[id.index].outputShape, layer: name)
    return id
  }

  private func addFunctional(
    _ config: [String: Any], input: NodeID?, to graph: Graph, scope: [String]
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
      let className = Self.className(layer)
      let layerConfig = layer["config"] as? [String: Any] ?? [:]
      let id: NodeID
      if name == inputs[0] {
        id = try input ?? graph.input(name, shape: try inputShape(layerConfig, layer: name))
      } else {
        let calls = LayerCall.calls(layer["inbound_nodes"])
        guard calls.count == 1 else {
          throw KerasIOError.unsupportedOption(
            file: file, layer: name, option: "inbound_nodes",
            value: "\(calls.count) calls (ftune supports layers called exactly once)")
        }
        let inputIDs = try calls[0].inputs.map { try node($0) }
        id = try addLayer(
          className, layerConfig, name: name, inputs: inputIDs, call: calls[0], to: graph,
          scope: scope)
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
}
