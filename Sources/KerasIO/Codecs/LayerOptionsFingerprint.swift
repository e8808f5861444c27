import Foundation
import Layers

/// A stable text of `layer`'s options: its class-specific Keras config as its codec writes it
/// (sorted keys; `name` and `trainable` left out, since neither changes what it computes).
/// The feature cache hashes it (`FeatureKey`), so two layers that differ only in an option
/// without a weight (a `Rescaling` scale, an activation, an epsilon) never share features.
/// A layer Keras cannot express gets its class and reason, which is all ftune knows of it.
public func kerasOptionsFingerprint(_ layer: any Layer) -> String {
  do {
    var config = try LayerCodecs.encode(layer, file: "")
    config["name"] = nil
    config["trainable"] = nil
    let data = try JSONSerialization.data(withJSONObject: config, options: [.sortedKeys])
    return String(decoding: data, as: UTF8.self)
  } catch {
    return "\(layer.kerasClassName): \(error)"
  }
}
