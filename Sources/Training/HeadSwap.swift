import Layers
import Models
import TensorCore

/// The new classifier put on a base: GlobalAveragePooling2D (on a spatial cut only) →
/// optional Dropout → optional hidden Dense(relu) → Dense(classes) → Activation(softmax), as
/// Keras's `include_top=False, pooling='avg'` followed by `Dense`. Weights are Glorot-uniform from
/// `seed`. The softmax is its own layer so training reads the logits before it (as Keras's
/// loss does for a softmax output): a saturated softmax still gets a gradient.
public struct HeadSpec: Sendable, Equatable {
  public var classes: Int
  /// Dropout rate before the classifier; nil or 0 adds none.
  public var dropout: Float?
  /// Units of a hidden ReLU layer; nil adds none.
  public var hidden: Int?
  public var seed: UInt64

  public init(classes: Int, dropout: Float? = nil, hidden: Int? = nil, seed: UInt64 = 0) {
    self.classes = classes
    self.dropout = dropout
    self.hidden = hidden
    self.seed = seed
  }

  /// Layer names of the new head (our own, so a base's old top never matches them).
  public static let poolName = "head_pool"
  public static let dropoutName = "head_dropout"
  public static let hiddenName = "head_dense"
  public static let predictionsName = "head_predictions"
  public static let softmaxName = "head_softmax"
}

/// Keeping a base up to a node and attaching a `HeadSpec` right after it.
public enum HeadSwap {
  /// The last base node kept under a head when `frozenThrough` is frozen: the base's
  /// `trunkEnd` (so the layers between the cut and its final classifier, such as VGG's
  /// `fc1`/`fc2`, stay and train), or the cut itself when it lies past that.
  public static func keptEnd(of base: Graph, frozenThrough cut: Int) -> Int {
    max(cut, base.trunkEnd)
  }

  /// Names of the base layers after `keptEnd`, which a head on it leaves unused.
  public static func unusedLayers(of base: Graph, keptEnd: Int) -> [String] {
    base.nodes.dropFirst(keptEnd + 1).map(\.layer.name)
  }

  /// A graph holding `base`'s nodes `0...cut` (the same layer objects: weights are shared,
  /// not copied) followed by the head: pooled first when the cut is spatial `[H, W, C]`,
  /// directly on a flat `[C]` cut. `cut` defaults to `base.trunkEnd`. Returns it with the
  /// index of the first head node.
  public static func attach(
    _ spec: HeadSpec, to base: Graph, cut: Int? = nil
  ) throws -> (graph: Graph, headStart: Int) {
    let cut = cut ?? base.trunkEnd
    guard spec.classes >= 2 else {
      throw TrainingError.badOption(
        option: "--classes", value: "\(spec.classes) class(es)", hint: "name at least two classes")
    }
    guard cut >= 0, cut < base.nodes.count else {
      throw GraphError.invalid("graph '\(base.name)': no node \(cut) to cut at")
    }
    let cutShape = base.nodes[cut].outputShape
    guard cutShape.count == 3 || cutShape.count == 1 else {
      throw TrainingError.badOption(
        option: "--freeze", value: base.nodes[cut].layer.name,
        hint: "its output \(cutShape) is neither [H, W, C] nor flat [C]; a head needs one:"
          + " freeze through a pooling, Flatten or Dense layer (see `ftune inspect`)")
    }
    let graph = Graph(name: base.name, seed: spec.seed)
    var ids: [NodeID] = []
    for node in base.nodes[0...cut] {
      ids.append(try graph.add(node.layer, inputs: node.inputs.map { ids[$0] }))
    }
    let headStart = ids.count
    var x = ids[cut]
    if cutShape.count == 3 {
      x = try graph.add(GlobalAveragePooling2D(HeadSpec.poolName), x)
    }
    if let rate = spec.dropout, rate > 0 {
      guard rate < 1 else {
        throw TrainingError.badOption(
          option: "--dropout", value: "\(rate)", hint: "use a rate in [0, 1)")
      }
      x = try graph.add(Dropout(HeadSpec.dropoutName, rate: rate, seed: spec.seed), x)
    }
    if let units = spec.hidden, units > 0 {
      x = try graph.add(Dense(HeadSpec.hiddenName, units: units, activation: .relu), x)
    }
    x = try graph.add(Dense(HeadSpec.predictionsName, units: spec.classes), x)
    try graph.add(Activation(HeadSpec.softmaxName, .softmax), x)
    return (graph, headStart)
  }
}
