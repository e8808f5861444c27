import Models

extension KerasWeights {
  /// Writes the weights of `graph` in the Keras 2 layout (`save_weights('x.h5')`), which
  /// Keras 2 and Keras 3 `load_weights` accept. Atomic.
  public static func save(_ graph: Graph, to path: String) throws {
    try HDF5File.write(to: path) { root in try writeKeras2(graph, into: root) }
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
