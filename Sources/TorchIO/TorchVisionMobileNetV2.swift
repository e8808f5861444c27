import TensorCore

/// torchvision's MobileNetV2 state-dict names mapped to the Keras MobileNetV2 layer names
/// that the zoo's `mobilenet_v2_torch` variant uses.
///
/// torchvision numbers modules (`features.<i>...`); Keras names them. The map is written
/// out by structure, not by position, so a checkpoint of another network fails loudly:
///
/// | torchvision                                  | Keras                                |
/// | -------------------------------------------- | ------------------------------------ |
/// | `features.0.0` conv, `features.0.1` BN       | `Conv1`, `bn_Conv1`                  |
/// | `features.1.conv.0.0` / `.0.1` (t = 1)       | `expanded_conv_depthwise` (+`_BN`)   |
/// | `features.1.conv.1` / `.2`                   | `expanded_conv_project` (+`_BN`)     |
/// | `features.<i>.conv.0.0` / `.0.1`, i = 2...17 | `block_<i-1>_expand` (+`_BN`)        |
/// | `features.<i>.conv.1.0` / `.1.1`             | `block_<i-1>_depthwise` (+`_BN`)     |
/// | `features.<i>.conv.2` / `.3`                 | `block_<i-1>_project` (+`_BN`)       |
/// | `features.18.0` conv, `features.18.1` BN     | `Conv_1`, `Conv_1_bn`                |
/// | `classifier.1` Linear (`classifier.0` is Dropout) | `predictions`                   |
///
/// BN's `weight`, `bias`, `running_mean`, `running_var` become `gamma`, `beta`,
/// `moving_mean`, `moving_variance`; `num_batches_tracked` is a training counter and is
/// dropped.
public enum TorchVisionMobileNetV2 {
  /// Where one torchvision weight goes.
  public struct Target: Sendable, Equatable {
    public let layer: String
    public let weight: String
    public let layout: KerasLayout
  }

  /// Inverted-residual blocks after the first: torchvision `features.2` ... `features.17`.
  static let expandedBlocks = 2...17
  /// torchvision's final 1x1 conv (Keras `Conv_1`).
  static let lastConv = 18

  /// The Keras target of a torchvision name, nil for `num_batches_tracked`; throws for a
  /// name that is not part of torchvision's MobileNetV2.
  public static func target(for name: String) throws -> Target? {
    let parts = name.split(separator: ".").map(String.init)
    guard let leaf = parts.last else { throw TorchImportError.unknownName(name) }
    if leaf == "num_batches_tracked" { return nil }
    let module = parts.dropLast().joined(separator: ".")
    guard let (layer, kind) = layer(for: module) else { throw TorchImportError.unknownName(name) }
    switch (kind, leaf) {
    case (.conv, "weight"): return Target(layer: layer, weight: "kernel", layout: .conv)
    case (.depthwise, "weight"):
      return Target(layer: layer, weight: "depthwise_kernel", layout: .depthwise)
    case (.dense, "weight"): return Target(layer: layer, weight: "kernel", layout: .dense)
    case (.dense, "bias"): return Target(layer: layer, weight: "bias", layout: .vector)
    case (.batchNorm, _):
      let names = [
        "weight": "gamma", "bias": "beta", "running_mean": "moving_mean",
        "running_var": "moving_variance",
      ]
      guard let weight = names[leaf] else { throw TorchImportError.unknownName(name) }
      return Target(layer: layer, weight: weight, layout: .vector)
    default:
      throw TorchImportError.unknownName(name)
    }
  }

  enum Kind { case conv, depthwise, batchNorm, dense }

  /// The Keras layer of a torchvision module path such as `features.3.conv.1.0`.
  static func layer(for module: String) -> (String, Kind)? {
    let parts = module.split(separator: ".").map(String.init)
    if parts == ["classifier", "1"] { return ("predictions", .dense) }
    guard parts.count >= 3, parts[0] == "features", let block = Int(parts[1]) else { return nil }
    let rest = Array(parts[2...])
    switch block {
    case 0:
      if rest == ["0"] { return ("Conv1", .conv) }
      if rest == ["1"] { return ("bn_Conv1", .batchNorm) }
    case 1:
      let prefix = "expanded_conv"
      switch rest {
      case ["conv", "0", "0"]: return ("\(prefix)_depthwise", .depthwise)
      case ["conv", "0", "1"]: return ("\(prefix)_depthwise_BN", .batchNorm)
      case ["conv", "1"]: return ("\(prefix)_project", .conv)
      case ["conv", "2"]: return ("\(prefix)_project_BN", .batchNorm)
      default: return nil
      }
    case expandedBlocks:
      let prefix = "block_\(block - 1)"
      switch rest {
      case ["conv", "0", "0"]: return ("\(prefix)_expand", .conv)
      case ["conv", "0", "1"]: return ("\(prefix)_expand_BN", .batchNorm)
      case ["conv", "1", "0"]: return ("\(prefix)_depthwise", .depthwise)
      case ["conv", "1", "1"]: return ("\(prefix)_depthwise_BN", .batchNorm)
      case ["conv", "2"]: return ("\(prefix)_project", .conv)
      case ["conv", "3"]: return ("\(prefix)_project_BN", .batchNorm)
      default: return nil
      }
    case lastConv:
      if rest == ["0"] { return ("Conv_1", .conv) }
      if rest == ["1"] { return ("Conv_1_bn", .batchNorm) }
    default:
      return nil
    }
    return nil
  }

  /// One tensor in its Keras layout, checking that its PyTorch shape fits the layout.
  public static func convert(_ tensor: TorchTensor, to target: Target) throws -> KerasWeight {
    let shape = tensor.shape
    guard shape.count == target.layout.rank,
      target.layout != .depthwise || shape[1] == 1
    else {
      throw TorchImportError.shape(
        name: tensor.name, shape: shape, layout: target.layout.rawValue)
    }
    return KerasWeight(
      layer: target.layer, name: target.weight,
      value: target.layout.apply(shape: shape, values: tensor.values))
  }

  /// Keras's order of the weights inside a layer.
  static let weightOrder = [
    "kernel", "depthwise_kernel", "bias", "gamma", "beta", "moving_mean", "moving_variance",
  ]

  /// Every weight of a torchvision MobileNetV2 state dict, grouped by Keras layer in network
  /// order. Strict: an unknown name, a missing BN statistic or a conv/BN without its partner
  /// is reported (all at once) instead of producing a half-loaded model.
  public static func convert(_ checkpoint: TorchCheckpoint) throws -> [KerasLayerWeights] {
    var layers: [KerasLayerWeights] = []
    var index: [String: Int] = [:]
    var unknown: [String] = []
    for tensor in checkpoint.tensors {
      let target: Target?
      do {
        target = try self.target(for: tensor.name)
      } catch {
        unknown.append(tensor.name)
        continue
      }
      guard let target else { continue }
      let weight = try convert(tensor, to: target)
      if let at = index[target.layer] {
        layers[at].weights.append(weight)
      } else {
        index[target.layer] = layers.count
        layers.append(KerasLayerWeights(layer: target.layer, weights: [weight]))
      }
    }
    guard unknown.isEmpty else { throw TorchImportError.unknownNames(unknown) }
    var missing: [String] = []
    for position in layers.indices {
      layers[position].weights.sort {
        (weightOrder.firstIndex(of: $0.name) ?? 0) < (weightOrder.firstIndex(of: $1.name) ?? 0)
      }
      let names = layers[position].weights.map(\.name)
      let expected = expectedWeights(layer: layers[position].layer)
      if names != expected {
        missing.append("\(layers[position].layer) has \(names), expects \(expected)")
      }
    }
    let expectedLayers = allLayers
    let absent = expectedLayers.filter { index[$0] == nil }
    missing += absent.map { "\($0) has no weights in the checkpoint" }
    guard missing.isEmpty else { throw TorchImportError.incomplete(missing) }
    return layers
  }

  static func expectedWeights(layer: String) -> [String] {
    if layer == "predictions" { return ["kernel", "bias"] }
    if layer.hasSuffix("_BN") || layer.hasSuffix("_bn") || layer == "bn_Conv1" {
      return ["gamma", "beta", "moving_mean", "moving_variance"]
    }
    return layer.hasSuffix("_depthwise") ? ["depthwise_kernel"] : ["kernel"]
  }

  /// The 105 Keras layers with weights, in network order.
  public static let allLayers: [String] = {
    var names = ["Conv1", "bn_Conv1"]
    names += ["depthwise", "depthwise_BN", "project", "project_BN"].map { "expanded_conv_\($0)" }
    for block in expandedBlocks {
      names += ["expand", "expand_BN", "depthwise", "depthwise_BN", "project", "project_BN"]
        .map { "block_\(block - 1)_\($0)" }
    }
    return names + ["Conv_1", "Conv_1_bn", "predictions"]
  }()
}

/// Why a PyTorch checkpoint could not be converted to a Keras network's weights.
public enum TorchImportError: Error, Equatable, CustomStringConvertible {
  case unknownName(String)
  case unknownNames([String])
  case shape(name: String, shape: [Int], layout: String)
  case incomplete([String])

  public var description: String {
    switch self {
    case .unknownName(let name):
      return "'\(name)' is not a weight of torchvision's MobileNetV2"
    case .unknownNames(let names):
      let shown = names.prefix(8).joined(separator: ", ")
      return "\(names.count) weights are not part of torchvision's MobileNetV2 (\(shown)"
        + "\(names.count > 8 ? ", ..." : "")); is this checkpoint torchvision.models."
        + "mobilenet_v2's state_dict()?"
    case .shape(let name, let shape, let layout):
      return "'\(name)' has shape \(shape), which is not a PyTorch \(layout) weight; "
        + "the checkpoint is not torchvision's MobileNetV2"
    case .incomplete(let problems):
      let shown = problems.prefix(8).joined(separator: "; ")
      return "the checkpoint is missing MobileNetV2 weights (\(problems.count) problems): \(shown)"
        + "\(problems.count > 8 ? "; ..." : "")"
    }
  }
}
