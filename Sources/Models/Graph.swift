import Layers
import TensorCore

/// A handle to a node of a `Graph`, returned by `Graph.add` and used as a later input.
public struct NodeID: Hashable, Sendable {
  public let index: Int
}

/// A network as a DAG of layers in topological order (sequential chains, residual adds).
///
/// Node 0 is the `InputLayer`. Forward passes free each intermediate output as soon as its
/// last consumer has run; layers keep what their own backward needs only when asked to.
public final class Graph {
  public struct Node {
    public let layer: any Layer
    /// Indices of the nodes feeding this one.
    public let inputs: [Int]
    /// Output shape without the batch dimension.
    public let outputShape: [Int]
  }

  public var name: String
  public private(set) var nodes: [Node] = []
  /// For layers imported from a model nested in the model (Keras's Functional or Sequential
  /// used as a layer): the enclosing models' names, outermost first, joined by `/`. The
  /// layer keeps its own Keras name (weights load and `--freeze` by it).
  public var scopes: [String: String] = [:]
  /// A nested model's name -> the name of its output layer, so the model names a cut point
  /// (`--freeze mobilenetv2_1.00_224` freezes the whole nested base).
  public var nestedModelOutputs: [String: String] = [:]
  private var rng: SeededRNG
  /// The nodes the last recording pass's plan absorbed (`ExecutionPlan.absorbed`): backward
  /// hands their gradient through to that input instead of running their layer.
  var recordedHandThrough: [Int: Int] = [:]
  /// The last recording pass's fused steps that take their own derivative, by anchor.
  var recordedSteps: [Int: any RecordingPlanNode] = [:]

  /// `seed` drives the initial weights of every layer added (Keras initializers).
  public init(name: String, seed: UInt64 = 0) {
    self.name = name
    self.rng = SeededRNG(seed: seed)
  }

  /// Adds the input layer; must be the first node.
  @discardableResult
  public func input(_ name: String, shape: [Int]) throws -> NodeID {
    guard nodes.isEmpty else {
      throw GraphError.invalid("graph '\(self.name)': the input must be the first node")
    }
    return try add(InputLayer(name, shape: shape), inputs: [])
  }

  /// Adds `layer` fed by `inputs`, builds its weights and checks its shapes.
  @discardableResult
  public func add(_ layer: any Layer, _ inputs: NodeID...) throws -> NodeID {
    try add(layer, inputs: inputs)
  }

  @discardableResult
  public func add(_ layer: any Layer, inputs: [NodeID]) throws -> NodeID {
    if nodes.contains(where: { $0.layer.name == layer.name }) {
      throw GraphError.invalid("graph '\(name)': duplicate layer name '\(layer.name)'")
    }
    for i in inputs where i.index < 0 || i.index >= nodes.count {
      throw GraphError.invalid("graph '\(name)': layer '\(layer.name)' has an unknown input")
    }
    if !(layer is InputLayer) && inputs.isEmpty {
      throw GraphError.invalid("graph '\(name)': layer '\(layer.name)' has no input")
    }
    let shape = try layer.build(inputs.map { nodes[$0.index].outputShape }, rng: &rng)
    nodes.append(Node(layer: layer, inputs: inputs.map(\.index), outputShape: shape))
    return NodeID(index: nodes.count - 1)
  }

  public var layers: [any Layer] { nodes.map(\.layer) }
  public var inputShape: [Int] { nodes.first?.outputShape ?? [] }
  public var outputShape: [Int] { nodes.last?.outputShape ?? [] }

  /// The index of the node whose layer has this Keras name, or this `outer/inner` path.
  public func index(of layerName: String) -> Int? {
    if let i = nodes.firstIndex(where: { $0.layer.name == layerName }) { return i }
    if let output = nestedModelOutputs[layerName] { return index(of: output) }
    return nodes.indices.first { qualifiedName(of: $0) == layerName }
  }

  /// `outer/inner` for a layer of a nested model, else its own name.
  public func qualifiedName(of index: Int) -> String {
    let name = nodes[index].layer.name
    return scopes[name].map { "\($0)/\(name)" } ?? name
  }

  public func layer(named layerName: String) -> (any Layer)? {
    index(of: layerName).map { nodes[$0].layer }
  }

  /// Every parameter, in layer order then Keras weight order.
  public var parameters: [Parameter] { nodes.flatMap(\.layer.weights) }

  /// Each node's consumers (a node using one input twice is listed twice).
  func consumerLists() -> [[Int]] {
    var consumers = [[Int]](repeating: [], count: nodes.count)
    for (i, node) in nodes.enumerated() { for j in node.inputs { consumers[j].append(i) } }
    return consumers
  }

  /// Index of the first node with a trainable parameter; backward stops there.
  public var firstTrainableIndex: Int? {
    nodes.firstIndex { $0.layer.weights.contains(where: \.needsGradient) }
  }
}

public enum GraphError: Error, CustomStringConvertible {
  case invalid(String)
  case missingActivation(layer: String, needed: String)

  public var description: String {
    switch self {
    case .invalid(let message): return message
    case .missingActivation(let layer, let needed):
      return "layer '\(layer)' needs the output of '\(needed)', which lies before the cut:"
        + " cut the network at a layer that no later layer skips over"
    }
  }
}
