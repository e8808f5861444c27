import Foundation
import Layers
import TensorCore

/// Folded weights per convolution, rebuilt when a contributing parameter changes.
final class FoldCache: @unchecked Sendable {
  static let shared = FoldCache()

  struct Entry {
    weak var conv: AnyObject?
    var versions: [Int]
    var kernel: Tensor
    var bias: Tensor
  }

  private let lock = NSLock()
  private var entries: [ObjectIdentifier: Entry] = [:]

  /// `W·s` and `b·s + β − μ·s` for this convolution and BatchNorm (output channels last).
  func folded(
    conv: AnyObject, kernel: Parameter, bias: Parameter?, norm: BatchNormalization
  ) throws -> (kernel: Tensor, bias: Tensor) {
    let params = [kernel, bias].compactMap { $0 } + norm.weights
    let versions = params.map(\.version) + [params.count]
    let key = ObjectIdentifier(conv)
    lock.lock()
    defer { lock.unlock() }
    if let e = entries[key], e.conv === conv, e.versions == versions {
      return (e.kernel, e.bias)
    }
    let (k, b) = try Self.fold(kernel: kernel.value, bias: bias?.value, norm: norm)
    // Drop entries of layers that no longer exist, then remember this one.
    entries = entries.filter { $0.value.conv != nil }
    entries[key] = Entry(conv: conv, versions: versions, kernel: k, bias: b)
    return (k, b)
  }

  /// The fold itself, in Double per channel; `kernel`'s last two axes flatten to the
  /// output channel (Conv2D `[.., in, out]`, depthwise `[.., in, 1]`).
  static func fold(
    kernel: Tensor, bias: Tensor?, norm: BatchNormalization
  ) throws -> (Tensor, Tensor) {
    guard let mean = norm.movingMean?.value.scalars,
      let variance = norm.movingVariance?.value.scalars
    else { throw LayerError.noRecordedForward(layer: norm.name) }
    let c = mean.count
    let outC = kernel.shape.count == 4 ? kernel.shape[2] * kernel.shape[3] : -1
    let perChannel = kernel.shape.last == c ? c : (outC == c ? c : -1)
    guard perChannel == c, c > 0, kernel.count % c == 0 else {
      throw LayerError.badInputShape(
        layer: norm.name, shape: kernel.shape,
        reason: "cannot fold \(c) BatchNorm channels into this kernel")
    }
    let gamma = norm.gamma?.value.scalars
    let beta = norm.beta?.value.scalars
    var scale = [Float](repeating: 1, count: c)
    var shift = [Float](repeating: 0, count: c)
    for j in 0..<c {
      let s = Double(gamma?[j] ?? 1) / (Double(variance[j]) + Double(norm.epsilon)).squareRoot()
      let b = Double(bias?.scalars[j] ?? 0)
      scale[j] = Float(s)
      shift[j] = Float((b - Double(mean[j])) * s + Double(beta?[j] ?? 0))
    }
    var k = kernel
    k.withUnsafeMutableBufferPointer { p in
      for i in 0..<p.count { p[i] *= scale[i % c] }
    }
    return (k, try Tensor(shape: [c], scalars: shift))
  }
}
