import Foundation

/// Reusable Float scratch buffers (im2col columns) shared by all layers, so a network of
/// many convolutions holds a few buffers in total instead of one per layer. Thread-safe:
/// each caller borrows its own buffer, so concurrent forward passes never share memory.
public final class ScratchPool: @unchecked Sendable {
  /// The pool the kernels use.
  public static let shared = ScratchPool()

  private let lock = NSLock()
  private var free: [[Float]] = []
  /// Buffers kept for reuse; more concurrent borrowers allocate and drop their own.
  public let capacity: Int

  /// A pool that keeps at most `capacity` idle buffers.
  public init(capacity: Int = 4) { self.capacity = capacity }

  /// Runs `body` with a buffer of at least `count` floats (contents unspecified).
  public func withBuffer<R>(
    count: Int, _ body: (UnsafeMutableBufferPointer<Float>) throws -> R
  ) rethrows -> R {
    var buffer = take(count)
    defer { give(buffer) }
    return try buffer.withUnsafeMutableBufferPointer { try body($0) }
  }

  /// Releases idle buffers of more than `count` floats: a forward pass ends with this, so the
  /// large scratch of its late layers (Winograd filters of 512x512 convolutions) is not held
  /// through the next pass's peak (its first, largest activations).
  public func trim(above count: Int) {
    lock.lock()
    free.removeAll { $0.count > count }
    lock.unlock()
  }

  private func take(_ count: Int) -> [Float] {
    guard count > 0 else { return [] }
    lock.lock()
    // Best fit: the smallest free buffer that is large enough, so callers holding two
    // buffers at once (Winograd's filter and tiles) keep two sizes instead of growing both;
    // if none fits, grow the largest (growing one is cheaper than keeping many).
    let fits = free.indices.filter { free[$0].count >= count }
    let pick = fits.min { free[$0].count < free[$1].count }
      ?? free.indices.max { free[$0].count < free[$1].count }
    var buffer = pick.map { free.remove(at: $0) } ?? []
    lock.unlock()
    if buffer.count < count {
      buffer = []  // release the old storage before allocating the larger one
      buffer = [Float](repeating: 0, count: count)
    }
    return buffer
  }

  private func give(_ buffer: [Float]) {
    guard !buffer.isEmpty else { return }
    lock.lock()
    if free.count < capacity { free.append(buffer) }
    lock.unlock()
  }
}
