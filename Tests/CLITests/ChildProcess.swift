import Foundation
import Testing

/// A running `ftune` the test can signal. Standard output goes to a file; standard error is
/// read as it comes by a thread of its own (so the pipe never fills and blocks the child),
/// and `waitFor` sleeps until that thread sees the text: no polling.
final class ChildProcess {
  let process = Process()
  let stdoutURL: URL
  private let stderr: StreamText

  init(_ args: [String], home: URL, logs: URL, name: String) throws {
    stdoutURL = logs.appendingPathComponent("\(name).out")
    _ = FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
    process.executableURL = try FTuneProcess.binary()
    process.arguments = args
    process.environment = FTuneProcess.environment(home: home)
    process.standardOutput = try FileHandle(forWritingTo: stdoutURL)
    let pipe = Pipe()
    process.standardError = pipe
    try process.run()
    stderr = StreamText(pipe.fileHandleForReading)
  }

  var pid: Int32 { process.processIdentifier }
  var err: String { stderr.text }
  var out: String { (try? String(contentsOf: stdoutURL, encoding: .utf8)) ?? "" }

  func send(_ signal: Int32) { kill(pid, signal) }

  /// Waits until standard error contains `text` (true) or the process closes it (false).
  func waitFor(_ text: String, timeout: Double = 120) -> Bool {
    stderr.wait(for: text, timeout: timeout)
  }

  /// Waits for the exit and the end of its standard error; the status, or 128 + signal when
  /// a signal ended it.
  @discardableResult
  func wait() -> Int32 {
    process.waitUntilExit()
    _ = stderr.wait(for: nil, timeout: 120)
    return process.terminationReason == .uncaughtSignal
      ? 128 + process.terminationStatus : process.terminationStatus
  }
}

/// What a child wrote to a pipe so far; waiters wake on every chunk and at the end.
private final class StreamText: @unchecked Sendable {
  private let condition = NSCondition()
  private var bytes = Data()
  private var ended = false

  init(_ handle: FileHandle) {
    Thread { [self] in
      while true {
        let chunk = handle.availableData  // blocks until data arrives; empty at the end
        condition.lock()
        if chunk.isEmpty { ended = true } else { bytes.append(chunk) }
        condition.broadcast()
        condition.unlock()
        if chunk.isEmpty { return }
      }
    }.start()
  }

  var text: String {
    condition.lock()
    defer { condition.unlock() }
    return String(decoding: bytes, as: UTF8.self)
  }

  /// Waits until the text contains `needle` (true), or the stream ended without it or the
  /// timeout passed (false). With `needle` nil, waits for the end.
  func wait(for needle: String?, timeout: Double) -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    condition.lock()
    defer { condition.unlock() }
    func found() -> Bool {
      needle.map { String(decoding: bytes, as: UTF8.self).contains($0) } ?? false
    }
    while !found() && !ended {
      if !condition.wait(until: deadline) { return found() }
    }
    return found() || needle == nil
  }
}
