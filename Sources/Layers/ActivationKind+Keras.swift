import TensorCore

extension ActivationKind {
  /// The kind a Keras config's activation string names. Keras 3 names and their aliases
  /// (`swish` → silu, `hard_swish` → hard_silu); `keras2` selects tf_keras's formula where
  /// the two share a name (`hard_sigmoid`). Nil for a name ftune does not implement.
  public init?(kerasName: String, keras2: Bool) {
    switch kerasName {
    case "swish": self = .silu
    case "hard_swish": self = .hardSilu
    case "hard_sigmoid": self = keras2 ? .hardSigmoidKeras2 : .hardSigmoid
    case ActivationKind.hardSigmoidKeras2.rawValue, ActivationKind.geluApproximate.rawValue:
      return nil  // ftune's own spellings, not Keras's
    default:
      guard let kind = ActivationKind(rawValue: kerasName) else { return nil }
      self = kind
    }
  }

  /// The activation string Keras reads back for this kind (Keras 2's spelling with
  /// `keras2`: `swish` for silu), or nil when that Keras has no such string: tf_keras has
  /// no hard_silu and Keras 3 no Keras 2 hard_sigmoid; tanh-approximated gelu is no string
  /// in either (it is `gelu(x, approximate=True)`, a function call).
  public func kerasName(keras2: Bool) -> String? {
    switch self {
    case .silu: return keras2 ? "swish" : "silu"
    case .hardSilu: return keras2 ? nil : "hard_silu"
    case .hardSigmoid: return keras2 ? nil : "hard_sigmoid"
    case .hardSigmoidKeras2: return keras2 ? "hard_sigmoid" : nil
    case .geluApproximate: return nil
    default: return rawValue
    }
  }
}
