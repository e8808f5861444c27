import Dispatch
import Foundation

/// A request to stop long work early (Ctrl-C, SIGTERM): set by the signal sources that
/// `install()` creates, polled by the training and caching loops between batches so they
/// stop at a clean point, save what they have, and throw `Interrupted`.
///
/// The handlers run on a dispatch queue, not in signal context, so they may lock and
/// allocate. A second signal while the first is being honoured exits at once.
public enum Interruption {
  private static let lock = NSLock()
  nonisolated(unsafe) private static var pending: Int32 = 0
  nonisolated(unsafe) private static var sources: [any DispatchSourceSignal] = []

  /// The signal that asked to stop (`SIGINT`, `SIGTERM`), or nil while none has.
  public static var requested: Int32? {
    lock.withLock { pending == 0 ? nil : pending }
  }

  /// Records a stop request; returns false when one was already pending.
  @discardableResult
  public static func request(_ signal: Int32) -> Bool {
    lock.withLock {
      guard pending == 0 else { return false }
      pending = signal
      return true
    }
  }

  /// Forgets a pending request (tests; a command that finished its work).
  public static func reset() {
    lock.withLock { pending = 0 }
  }

  /// The conventional exit status of a process stopped by `signal`: 128 + its number
  /// (130 for SIGINT, 143 for SIGTERM).
  public static func exitStatus(for signal: Int32) -> Int32 { 128 + signal }

  /// Routes SIGINT and SIGTERM to stop requests instead of killing the process. The first
  /// signal calls `notice` (say that the run is stopping); a second one exits at once.
  public static func install(notice: @escaping @Sendable (Int32) -> Void = { _ in }) {
    lock.withLock {
      guard sources.isEmpty else { return }
      for number in [SIGINT, SIGTERM] {
        // The default action would kill the process before a source could see the signal.
        signal(number, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
        source.setEventHandler {
          if request(number) {
            notice(number)
          } else {
            _exit(exitStatus(for: number))
          }
        }
        source.resume()
        sources.append(source)
      }
    }
  }
}

/// Thrown by a loop that stopped because of `Interruption`: what it saved lets a rerun
/// continue (`checkpoint` for training; the feature store for caching).
public struct Interrupted: Error, CustomStringConvertible {
  public var signal: Int32
  /// What was stopping, e.g. "training after epoch 2, batch 3 of 5".
  public var what: String
  /// The checkpoint written on the way out, if any.
  public var checkpoint: String?
  /// The run directory a resume must name (`--out`), when the loop knows it.
  public var runDirectory: String?

  public init(signal: Int32, what: String, checkpoint: String? = nil, runDirectory: String? = nil)
  {
    self.signal = signal
    self.what = what
    self.checkpoint = checkpoint
    self.runDirectory = runDirectory
  }

  public var description: String {
    "interrupted: stopped \(what)" + (checkpoint.map { "; checkpoint written to \($0)" } ?? "")
  }
}
