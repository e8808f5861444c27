import CKernels
import Dispatch

/// Parallel loops over independent index ranges (batch items, channel blocks).
public enum Parallel {
  /// Runs `body(i)` for `i in 0..<count`, spread over the cores; serial for one item.
  ///
  /// `body` must write only to disjoint memory per index. Kernels capture raw pointers,
  /// which are not `Sendable`; the disjoint-writes contract is what makes this safe, so the
  /// closure is handed to Dispatch as `@Sendable` without copying.
  public static func forEach(_ count: Int, _ body: (Int) -> Void) {
    if count <= 1 {
      for i in 0..<count { body(i) }
      return
    }
    // A kernel ISA forced on this thread (tests of each SIMD path) holds in the workers too.
    let forced = ck_forced_isa()
    withoutActuallyEscaping(body) { escapable in
      let sendable = unsafeBitCast(escapable, to: (@Sendable (Int) -> Void).self)
      guard forced >= 0 else {
        DispatchQueue.concurrentPerform(iterations: count, execute: sendable)
        return
      }
      DispatchQueue.concurrentPerform(iterations: count) { i in
        let previous = ck_forced_isa()
        ck_force_isa(forced)
        sendable(i)
        ck_force_isa(previous)
      }
    }
  }
}
