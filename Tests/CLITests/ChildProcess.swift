import Foundation
import Testing

/// A running `ftune` the test can signal: output goes to files (a pipe nobody reads could
/// block the child), the environment is the one `FTuneProcess` sets up.
final class ChildProcess {
  let process = Process()
  let stdoutURL: URL
  let stderrURL: URL

  init(_ args: [String], home: URL, logs: URL, name: String) throws {
    stdoutURL = logs.appendingPathComponent("\(name).out")
    stderrURL = logs.appendingPathComponent("\(name).err")
    _ = FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
    _ = FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
    process.executableURL = try FTuneProcess.binary()
    process.arguments = args
    process.environment = FTuneProcess.environment(home: home)
    process.standardOutput = try FileHandle(forWritingTo: stdoutURL)
    process.standardError = try FileHandle(forWritingTo: stderrURL)
    try process.run()
  }

  var pid: Int32 { process.processIdentifier }
  var err: String { (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? "" }
  var out: String { (try? String(contentsOf: stdoutURL, encoding: .utf8)) ?? "" }

  func send(_ signal: Int32) { kill(pid, signal) }

  /// Waits until standard error contains `text` (true) or the process ends (false).
  func waitFor(_ text: String, timeout: Double = 120) -> Bool {
    let end = Date().addingTimeInterval(timeout)
    while Date() < end {
      if err.contains(text) { return true }
      if !process.isRunning { return err.contains(text) }
      usleep(10_000)
    }
    return false
  }

  /// Waits for the exit; the status, or 128 + signal when a signal ended it.
  @discardableResult
  func wait() -> Int32 {
    process.waitUntilExit()
    return process.terminationReason == .uncaughtSignal
      ? 128 + process.terminationStatus : process.terminationStatus
  }
}
