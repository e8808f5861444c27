import Layers
import Models
import TensorCore

/// The content key of a network cut: what makes two runs' features interchangeable.
///
/// It hashes every layer up to and including the cut (Keras name, class, options, output
/// shape and each weight's name, shape and bytes), the cut layer's name, the preprocessing
/// and the input size. Options matter for layers without weights or whose options leave the
/// shape alone (a `Rescaling` scale, an activation, an epsilon), so `layerOptions` must
/// describe all of them: ftune passes each layer's Keras config
/// (`KerasIO.kerasOptionsFingerprint`). A changed weight file, another cut or another preprocessing gives another key,
/// so stale features are never read. Image bytes and the augmentation variant key each entry
/// within it (`FeatureStore`).
public struct FeatureKey: Hashable, Sendable, CustomStringConvertible {
  /// 64 hex characters.
  public let hex: String

  public init(hex: String) { self.hex = hex }

  public init(
    graph: Graph, cut: Int, preprocessing: Preprocessing, size: Int,
    layerOptions: (any Layer) -> String
  ) throws {
    guard cut >= 0, cut < graph.nodes.count else {
      throw FeatureError.badCut(graph: graph.name, cut: cut, nodes: graph.nodes.count)
    }
    var h = SHA256()
    // v2: layer options hashed too (v1 keys are never reused; their entries are recomputed).
    h.update(field: "ftune-features-v2")
    for node in graph.nodes[0...cut] {
      h.update(field: node.layer.name)
      h.update(field: node.layer.kerasClassName)
      h.update(field: layerOptions(node.layer))
      h.update(field: "\(node.inputs)\(node.outputShape)")
      for p in node.layer.weights {
        h.update(field: "\(p.name)\(p.value.shape)")
        h.update(floats: p.value.scalars)
      }
    }
    h.update(field: "cut=\(graph.nodes[cut].layer.name)")
    h.update(field: "preprocess=\(preprocessing.rawValue)")
    h.update(field: "size=\(size)")
    hex = h.hexDigest()
  }

  public var description: String { String(hex.prefix(16)) }

  /// The key of augmented variants drawn as `identity` says (ops, seed, statistics, RNG
  /// derivation version): entries of another augmentation, or made before a change of
  /// derivation, live under another key and are never reused. Variant 0 (no augmentation)
  /// stays under `self`.
  public func augmented(_ identity: String) -> FeatureKey {
    var h = SHA256()
    h.update(field: "ftune-features-augmented")
    h.update(field: hex)
    h.update(field: identity)
    return FeatureKey(hex: h.hexDigest())
  }
}

/// Errors of the feature cache; each names the file or option and what to do.
public enum FeatureError: Error, CustomStringConvertible, Equatable {
  case badCut(graph: String, cut: Int, nodes: Int)
  case damagedEntry(path: String)
  case notAFeatureFile(path: String, missing: String)
  case countMismatch(what: String, expected: Int, got: Int)
  case unreadable(path: String, reason: String)
  case otherFormat(path: String, found: String, expected: String)

  public var description: String {
    switch self {
    case .badCut(let graph, let cut, let nodes):
      return "cannot cut '\(graph)' at node \(cut): it has nodes 0..<\(nodes)"
    case .damagedEntry(let path):
      return "feature cache entry \(path) is damaged; delete it (it will be recomputed)"
    case .notAFeatureFile(let path, let missing):
      return "\(path) is not an ftune feature file (no '\(missing)'); write one with ftune cache"
    case .countMismatch(let what, let expected, let got):
      return "\(what): expected \(expected) item(s), got \(got)"
    case .unreadable(let path, let reason):
      return "cannot read feature file \(path): \(reason); write one with ftune cache --out"
    case .otherFormat(let path, let found, let expected):
      return "\(path) was written by another ftune version (format '\(found)', this one"
        + " reads '\(expected)'); rerun the ftune cache command that made it to rewrite it"
    }
  }
}
