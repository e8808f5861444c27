import Foundation
import HDF5
import Layers
import Models

/// Whole Keras models: architecture and weights in one file.
public enum KerasModel {
  /// The Keras version written into exported files: the tf_keras whose layout they follow.
  public static let writtenKerasVersion = "2.21.0"

  /// Builds a `Graph` from a Keras 2 full-model `.h5` (`model_config` + `model_weights`)
  /// or a Keras 3 `.keras` archive, and loads its weights (strictly: they must all fit).
  /// A config declaring more than `maxWeights` weights is refused before they are allocated.
  public static func load(
    path: String, trust: HDF5Trust = .fileOnly, maxWeights: Int = 1 << 30
  ) throws -> Graph {
    var importer = ModelConfigImporter(file: path)
    importer.maxWeights = maxWeights
    if path.hasSuffix(".keras") {
      let graph = try importer.makeGraph(json: try KerasArchive.member("config.json", of: path))
      try KerasWeights.load(into: graph, from: path, trust: trust)
      return graph
    }
    let file = try HDF5File.openCheckingHeaps(path, trust: trust)
    let root = try file.root
    guard root.hasAttribute("model_config") else {
      if KerasWeights.hasKeras2LayerNames(root) { throw KerasIOError.noModelConfig(file: path) }
      throw KerasIOError.noKerasStructure(file: path)
    }
    let json = try root.stringAttribute("model_config")
    let graph = try importer.makeGraph(json: Data(json.utf8))
    _ = try KerasWeights.load(into: graph, file: file, label: path, strict: true)
    return graph
  }

  /// Builds a `Graph` with freshly initialised weights from Keras model JSON (a Keras 2
  /// `model_config` or a Keras 3 `config.json`); `file` names the source in errors. A config
  /// declaring more than `maxWeights` weights is refused before they are allocated.
  public static func graph(
    fromConfig json: Data, file: String, maxWeights: Int = 1 << 30
  ) throws -> Graph {
    var importer = ModelConfigImporter(file: file)
    importer.maxWeights = maxWeights
    return try importer.makeGraph(json: json)
  }

  /// The Keras layer classes ftune reads and writes, one Markdown list item per class with
  /// the other names it reads as the same layer: `ftune inspect --layers`, README's list.
  public static func supportedLayerList() -> String {
    let rows = LayerCodecs.all.map { codec in
      let names = codec.classNames.map { "`\($0)`" }
      return "- " + names[0] + (names.count > 1 ? " (also " + names.dropFirst().joined(
        separator: ", ") + ")" : "")
    }
    return (["- `Sequential`, `Functional` (also nested as a layer, any depth)"] + rows)
      .joined(separator: "\n") + "\n"
  }

  /// Writes `graph` as a Keras 2 full-model `.h5` that `tf_keras.models.load_model` opens:
  /// a Functional `model_config`, `model_weights/` and the version attributes. Atomic.
  public static func save(_ graph: Graph, to path: String) throws {
    let json = try modelConfigJSON(graph, file: path)
    try HDF5File.write(to: path) { root in
      try root.setStringAttribute("model_config", json)
      try root.setStringAttribute("keras_version", writtenKerasVersion)
      try root.setStringAttribute("backend", "tensorflow")
      try KerasWeights.writeKeras2(graph, into: try root.createGroup("model_weights"))
    }
  }

  /// The Keras 2 Functional config of `graph` as JSON text.
  static func modelConfigJSON(_ graph: Graph, file: String) throws -> String {
    var layers: [[String: Any]] = []
    for node in graph.nodes {
      let inbound = LayerCodecs.inboundNodes(
        node.layer, inputs: node.inputs.map { graph.nodes[$0].layer.name })
      layers.append([
        "class_name": node.layer.kerasClassName, "name": node.layer.name,
        "config": try LayerCodecs.encode(node.layer, file: file), "inbound_nodes": inbound,
      ])
    }
    guard let first = graph.nodes.first?.layer.name, let last = graph.nodes.last?.layer.name
    else { throw KerasIOError.cannotExport(file: file, layer: graph.name, reason: "is empty") }
    let model: [String: Any] = [
      "class_name": "Functional",
      "config": [
        "name": graph.name, "trainable": true, "layers": layers,
        "input_layers": [[first, 0, 0]], "output_layers": [[last, 0, 0]],
      ] as [String: Any],
      "keras_version": writtenKerasVersion, "backend": "tensorflow",
    ]
    let data = try JSONSerialization.data(withJSONObject: model, options: [.sortedKeys])
    return String(decoding: data, as: UTF8.self)
  }
}
