/// Output sizes and padding as Keras/TensorFlow compute them.
public enum ConvGeometry {
  /// Output length along one axis; throws when 'valid' leaves nothing.
  public static func outputSize(
    _ input: Int, _ kernel: Int, _ stride: Int, _ padding: Padding, layer: String
  ) throws -> Int {
    let out: Int
    switch padding {
    case .valid: out = (input - kernel) / stride + 1
    case .same: out = (input + stride - 1) / stride
    }
    guard out >= 1, input >= (padding == .valid ? kernel : 1) else {
      throw LayerError.badInputShape(
        layer: layer, shape: [input],
        reason: "a \(kernel)-wide window with stride \(stride) and '\(padding)' padding"
          + " leaves no output")
    }
    return out
  }

  /// Padding before (top/left) along one axis: TensorFlow puts the odd pixel after.
  public static func padBefore(
    _ input: Int, _ kernel: Int, _ stride: Int, _ padding: Padding
  ) -> Int {
    guard padding == .same else { return 0 }
    let out = (input + stride - 1) / stride
    let total = max((out - 1) * stride + kernel - input, 0)
    return total / 2
  }
}
