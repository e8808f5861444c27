/// The element types of PyTorch storages, named as torch names them (`torch.FloatStorage`
/// holds `float32`). All are converted to `Float` on reading.
public enum TorchDType: String, Sendable, CaseIterable {
  case float32, float16, bfloat16, float64, int64, int32, int16, int8, uint8, bool

  /// The dtype of a legacy typed-storage class such as `FloatStorage`, or nil.
  init?(storageClass name: String) {
    switch name {
    case "FloatStorage": self = .float32
    case "HalfStorage": self = .float16
    case "BFloat16Storage": self = .bfloat16
    case "DoubleStorage": self = .float64
    case "LongStorage": self = .int64
    case "IntStorage": self = .int32
    case "ShortStorage": self = .int16
    case "CharStorage": self = .int8
    case "ByteStorage": self = .uint8
    case "BoolStorage": self = .bool
    default: return nil
    }
  }

  /// Bytes per element.
  public var size: Int {
    switch self {
    case .float64, .int64: return 8
    case .float32, .int32: return 4
    case .float16, .bfloat16, .int16: return 2
    case .int8, .uint8, .bool: return 1
    }
  }

  /// Whether the values are real-valued weights (integers such as BatchNorm's
  /// `num_batches_tracked` are counters, not weights).
  public var isFloatingPoint: Bool {
    switch self {
    case .float32, .float16, .bfloat16, .float64: return true
    default: return false
    }
  }

  /// Element `index` of little-endian `bytes` (the caller has checked the bounds).
  @inline(__always)
  func load(_ bytes: UnsafeRawBufferPointer, _ index: Int) -> Float {
    let at = index * size
    switch self {
    case .float32:
      return Float(bitPattern: UInt32(littleEndian: bytes.loadUnaligned(
        fromByteOffset: at, as: UInt32.self)))
    case .float16:
      return Self.halfToFloat(UInt16(littleEndian: bytes.loadUnaligned(
        fromByteOffset: at, as: UInt16.self)))
    case .bfloat16:
      let high = UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: UInt16.self))
      return Float(bitPattern: UInt32(high) << 16)
    case .float64:
      return Float(Double(bitPattern: UInt64(littleEndian: bytes.loadUnaligned(
        fromByteOffset: at, as: UInt64.self))))
    case .int64:
      return Float(Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: Int64.self)))
    case .int32:
      return Float(Int32(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: Int32.self)))
    case .int16:
      return Float(Int16(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: Int16.self)))
    case .int8:
      return Float(Int8(bitPattern: bytes[at]))
    case .uint8:
      return Float(bytes[at])
    case .bool:
      return bytes[at] == 0 ? 0 : 1
    }
  }

  /// IEEE half to single precision, including subnormals, infinities and NaN. Written out
  /// because `Float16` is not available on every platform Swift targets.
  static func halfToFloat(_ half: UInt16) -> Float {
    let sign = UInt32(half >> 15) << 31
    let exponent = Int((half >> 10) & 0x1F)
    let mantissa = UInt32(half & 0x3FF)
    if exponent == 0 {
      // Zero or subnormal: mantissa * 2^-24, exact in Float.
      let magnitude = Float(mantissa) * 0x1p-24
      return sign == 0 ? magnitude : -magnitude
    }
    if exponent == 0x1F {
      return Float(bitPattern: sign | 0x7F80_0000 | mantissa << 13)
    }
    return Float(bitPattern: sign | UInt32(exponent - 15 + 127) << 23 | mantissa << 13)
  }
}
