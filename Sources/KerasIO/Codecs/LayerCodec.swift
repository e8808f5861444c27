import Layers
import TensorCore

/// Everything ftune knows about one Keras layer class: how its config reads (every Keras 2
/// and Keras 3 spelling), how many weights it will allocate, and how it is written back.
///
/// A new layer class is one conforming type plus its entry in `LayerCodecs.all`; a codec
/// without an `encode` does not compile, and `CodecRegistryTests` fails for a layer class
/// that has no codec.
protocol LayerCodec: SendableMetatype {
  associatedtype L: Layer
  /// Keras class names read as this layer; the first is the one ftune writes.
  static var classNames: [String] { get }
  /// Builds the layer named `c.layer` from its config; `inputShapes` are without batch.
  static func decode(_ c: JSONConfig, inputShapes: [[Int]]) throws -> L
  /// The class-specific options of the tf_keras config (`name`, `trainable` and `dtype`
  /// are written for every layer), which `tf_keras.layers.<class>.from_config` accepts;
  /// throws `ExportRefusal` for a layer tf_keras cannot express.
  static func encode(_ layer: L) throws -> [String: Any]
  /// The layer's `inbound_nodes` in a tf_keras Functional config, fed by `inputs`.
  static func inboundNodes(_ layer: L, inputs: [String]) -> [Any]
  /// How many weights the layer will allocate for inputs of `channels` last-axis values,
  /// before it allocates them (a damaged config is refused early).
  static func weightCount(_ layer: L, channels: Double) -> Double
  /// Complete tf_keras layer entries written in place of `layer` when tf_keras has no one
  /// class for it, the last named as the layer; nil (the default) writes the layer itself.
  static func tfKerasLayers(_ layer: L, inputs: [String]) -> [[String: Any]]?
  /// The class tf_keras reads the layer as (by default its own Keras class).
  static func tfKerasClassName(_ layer: L) -> String
}

extension LayerCodec {
  static func weightCount(_ layer: L, channels: Double) -> Double { 0 }
  static func tfKerasLayers(_ layer: L, inputs: [String]) -> [[String: Any]]? { nil }
  static func tfKerasClassName(_ layer: L) -> String { layer.kerasClassName }

  static func tfKerasClassNameAny(_ layer: any Layer) -> String {
    (layer as? L).map(tfKerasClassName) ?? layer.kerasClassName
  }

  static func tfKerasLayersAny(_ layer: any Layer, inputs: [String]) -> [[String: Any]]? {
    (layer as? L).flatMap { tfKerasLayers($0, inputs: inputs) }
  }

  /// One call taking `inputs` positionally: `[[["a", 0, 0, {}], ["b", 0, 0, {}]]]`.
  static func inboundNodes(_ layer: L, inputs: [String]) -> [Any] {
    inputs.isEmpty ? [] : [inputs.map { [$0, 0, 0, [String: Any]()] as [Any] }]
  }

  static func decodeAny(_ c: JSONConfig, inputShapes: [[Int]]) throws -> any Layer {
    try decode(c, inputShapes: inputShapes)
  }

  /// `encode` for a layer of this codec's class; nil for any other.
  static func encodeAny(_ layer: any Layer) throws -> [String: Any]? {
    guard let layer = layer as? L else { return nil }
    return try encode(layer)
  }

  static func inboundNodesAny(_ layer: any Layer, inputs: [String]) -> [Any] {
    guard let layer = layer as? L else { return [] }
    return inboundNodes(layer, inputs: inputs)
  }

  static func weightCountAny(_ layer: any Layer, channels: Double) -> Double {
    (layer as? L).map { weightCount($0, channels: channels) } ?? 0
  }
}

/// Options shared by several codecs.
extension LayerCodec {
  /// Keras writes floats as shortest decimal; `Double(Float)` would print 1.0010000265e-05.
  static func number(_ x: Float) -> Double { Double("\(x)") ?? Double(x) }

  /// The engine normalises and concatenates over the last (channel) axis only.
  static func requireLastAxis(_ c: JSONConfig, inputShapes: [[Int]]) throws {
    guard c.has("axis") else { return }
    let rank = (inputShapes.first?.count ?? 0) + 1
    let axes = c.ints(c.values["axis"]) ?? []
    guard axes.count == 1, axes[0] == -1 || axes[0] == rank - 1 else {
      throw KerasIOError.unsupportedOption(
        file: c.file, layer: c.layer, option: "axis", value: c.describe(c.values["axis"]))
    }
  }
}

/// Why a layer has no tf_keras form; `LayerCodecs.encode` names the file and layer.
struct ExportRefusal: Error {
  let reason: String
}

/// tf_keras's spelling of `kind` (it has no name for hard_silu or tanh-approximated gelu).
func tfKerasName(_ kind: ActivationKind) throws -> String {
  guard let name = kind.kerasName(keras2: true) else {
    throw ExportRefusal(reason: "uses activation \(kind.rawValue), which tf_keras cannot name")
  }
  return name
}
