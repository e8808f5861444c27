import Foundation

/// Activation buffers handed back by a forward pass once their last consumer has run, so a
/// later layer of the same pass whose output has the same size writes into one of them
/// instead of allocating (and page-faulting) a fresh array. Exact sizes only: a `Tensor`'s
/// storage is exactly its element count.
///
/// Bounded (`capacity` floats in total) so that keeping a buffer never raises the pass's
/// peak memory much, and emptied by `Graph` at the end of each inference pass: kept across
/// passes, the large early activations would sit idle while the later, smaller ones are
/// allocated, and the peak would grow. Thread-safe.
public final class TensorPool: @unchecked Sendable {
  /// The pool the kernels and `Graph` use.
  public static let shared = TensorPool()

  private let lock = NSLock()
  private var free: [Int: [[Float]]] = [:]
  private var held = 0
  /// Most floats kept at once (default 16 Mi floats = 64 MB); more are released.
  public let capacity: Int

  public init(capacity: Int = 1 << 24) { self.capacity = capacity }

  /// A tensor of this shape with unspecified contents: a kept buffer of exactly this size,
  /// or a new one. Callers must overwrite every element.
  public func tensor(shape: [Int]) -> Tensor {
    let count = shape.reduce(1, *)
    guard count > 0 else { return Tensor(zeros: shape) }
    lock.lock()
    let reused = free[count]?.popLast()
    if reused != nil { held -= count }
    lock.unlock()
    // No zero fill for a new buffer: the caller overwrites every element (Float is trivial).
    let scalars = reused ?? [Float](unsafeUninitializedCapacity: count) { _, n in n = count }
    return (try? Tensor(shape: shape, scalars: scalars)) ?? Tensor(zeros: shape)
  }

  /// Keeps `t`'s storage for reuse (dropped when the pool is full). The caller must hold no
  /// other reference it means to read: a reused buffer is overwritten (copy-on-write keeps
  /// any still-shared `Tensor` intact, at the price of a copy).
  public func recycle(_ t: Tensor) {
    let count = t.count
    guard count > 0 else { return }
    lock.lock()
    if held + count <= capacity {
      free[count, default: []].append(t.scalars)
      held += count
    }
    lock.unlock()
  }

  /// Releases every kept buffer.
  public func removeAll() {
    lock.lock()
    free = [:]
    held = 0
    lock.unlock()
  }
}
