import Foundation
import Layers
import TensorCore

extension LayerConfig {
  /// Keras writes floats as shortest decimal; `Double(Float)` would print 1.0010000265e-05.
  static func number(_ x: Float) -> Double { Double("\(x)") ?? Double(x) }

  /// The tf_keras config of `layer`, which `tf_keras.layers.<class>.from_config` accepts.
  static func config(of layer: any Layer, file: String) throws -> [String: Any] {
    var c: [String: Any] = [
      "name": layer.name, "trainable": !layer.isFrozen, "dtype": "float32",
    ]
    func conv(_ k: (Int, Int), _ s: (Int, Int), _ p: Padding, _ bias: Bool, _ a: ActivationKind) {
      c["kernel_size"] = [k.0, k.1]
      c["strides"] = [s.0, s.1]
      c["padding"] = p.rawValue
      c["data_format"] = "channels_last"
      c["dilation_rate"] = [1, 1]
      c["use_bias"] = bias
      c["activation"] = a.rawValue
    }
    switch layer {
    case let l as InputLayer:
      c["batch_input_shape"] = [NSNull()] + l.shape.map { $0 as Any }
      c["sparse"] = false
      c["ragged"] = false
      c.removeValue(forKey: "trainable")
    case let l as Conv2D:
      conv(l.kernelSize, l.strides, l.padding, l.useBias, l.activation)
      c["filters"] = l.filters
      c["groups"] = 1
    case let l as DepthwiseConv2D:
      conv(l.kernelSize, l.strides, l.padding, l.useBias, l.activation)
      c["depth_multiplier"] = l.depthMultiplier
    case let l as SeparableConv2D:
      conv(l.kernelSize, l.strides, l.padding, l.useBias, l.activation)
      c["filters"] = l.filters
      c["depth_multiplier"] = l.depthMultiplier
    case let l as Dense:
      c["units"] = l.units
      c["use_bias"] = l.useBias
      c["activation"] = l.activation.rawValue
    case let l as BatchNormalization:
      c["axis"] = -1
      c["epsilon"] = number(l.epsilon)
      c["momentum"] = number(l.momentum)
      c["center"] = l.center
      c["scale"] = l.scale
    case let l as Activation:
      c["activation"] = l.kind.rawValue
    case let l as ReLU:
      c["max_value"] = l.maxValue.map { number($0) as Any } ?? NSNull()
      c["negative_slope"] = 0.0
      c["threshold"] = 0.0
    case let l as ZeroPadding2D:
      c["padding"] = [[l.top, l.bottom], [l.left, l.right]]
      c["data_format"] = "channels_last"
    case let l as MaxPooling2D:
      c["pool_size"] = [l.poolSize.0, l.poolSize.1]
      c["strides"] = [l.strides.0, l.strides.1]
      c["padding"] = l.padding.rawValue
      c["data_format"] = "channels_last"
    case let l as AveragePooling2D:
      c["pool_size"] = [l.poolSize.0, l.poolSize.1]
      c["strides"] = [l.strides.0, l.strides.1]
      c["padding"] = l.padding.rawValue
      c["data_format"] = "channels_last"
    case let l as GlobalAveragePooling2D:
      c["data_format"] = "channels_last"
      c["keepdims"] = l.keepDims
    case let l as GlobalMaxPooling2D:
      c["data_format"] = "channels_last"
      c["keepdims"] = l.keepDims
    case is Flatten:
      c["data_format"] = "channels_last"
    case let l as Dropout:
      c["rate"] = number(l.rate)
    case is Add:
      break
    case is Concatenate:
      c["axis"] = -1
    default:
      throw KerasIOError.cannotExport(
        file: file, layer: layer.name,
        reason: "is a \(layer.kerasClassName), which has no Keras export")
    }
    return c
  }
}
