/// A layer whose training behaviour Keras's `training=False` call argument switches off:
/// the transfer-learning guide's `base(x, training=False)` keeps the base's
/// BatchNormalization on its moving statistics even when the base is unfrozen.
public protocol InferenceOnlyCapable: AnyObject {
  /// Whether the layer computes as at inference in every mode (trainable or not).
  var inferenceOnly: Bool { get set }
}
