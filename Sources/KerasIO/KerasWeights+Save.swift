import HDF5
import Models

extension KerasWeights {
  /// Writes the weights of `graph` in the Keras 2 layout (`save_weights('x.h5')`), which
  /// Keras 2 and Keras 3 `load_weights` accept. Atomic.
  ///
  /// A path ending in `.weights.h5` gets the Keras 3 layout instead, because Keras 3's
  /// `load_weights` reads files of that name as its own format.
  public static func save(_ graph: Graph, to path: String) throws {
    try HDF5File.write(to: path) { root in
      if path.hasSuffix(".weights.h5") {
        try writeKeras3(graph, into: root)
      } else {
        try writeKeras2(graph, into: root)
      }
    }
  }

  /// Keras 3's `.weights.h5`: `layers/<snake_case class>[_N]/vars/<i>` for every layer in
  /// graph order (numbered per class, as Keras names them), each `vars` group carrying the
  /// layer's name as Keras 3.10+ does, and the model's own (empty) `vars`.
  static func writeKeras3(_ graph: Graph, into root: HDF5Group) throws {
    var used: [String: Int] = [:]
    for layer in graph.layers {
      let base = kerasSnakeCase(layer.kerasClassName)
      let key = used[base].map { "\(base)_\($0 + 1)" } ?? base
      used[base] = (used[base] ?? -1) + 1
      let vars = try root.createGroup("layers/\(key)/vars")
      try vars.setStringAttribute("name", layer.name)
      for (i, param) in layer.weights.enumerated() {
        try vars.writeDataset(String(i), param.value)
      }
    }
    try root.createGroup("vars").setStringAttribute("name", graph.name)
  }

  /// HDF5 keeps attributes in a 64 KiB object header; Keras splits longer name lists into
  /// `layer_names0`, `layer_names1`, … (a variable-length string takes 16 bytes there).
  static let namesPerAttributeChunk = 64512 / 16

  /// Fills `group` as tf_keras's `save_weights_to_hdf5_group` does: `layer_names` of every
  /// layer, each layer's `weight_names` (`conv1/kernel:0`) and the datasets under them.
  static func writeKeras2(
    _ graph: Graph, into group: HDF5Group, namesPerChunk: Int = namesPerAttributeChunk
  ) throws {
    let names = graph.layers.map(\.name)
    if names.count <= namesPerChunk {
      try group.setStringAttribute("layer_names", names)
    } else {
      for (i, start) in stride(from: 0, to: names.count, by: namesPerChunk).enumerated() {
        let chunk = Array(names[start..<min(start + namesPerChunk, names.count)])
        try group.setStringAttribute("layer_names\(i)", chunk)
      }
    }
    try group.setStringAttribute("backend", "tensorflow")
    try group.setStringAttribute("keras_version", KerasModel.writtenKerasVersion)
    for layer in graph.layers {
      let layerGroup = try group.createGroup(layer.name)
      let weightNames = layer.weights.map { "\(layer.name)/\($0.name):0" }
      try layerGroup.setStringAttribute("weight_names", weightNames)
      for (name, param) in zip(weightNames, layer.weights) {
        try layerGroup.writeDataset(name, param.value)
      }
    }
  }
}
