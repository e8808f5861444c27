import Foundation

/// A download's progress on standard error: a bar redrawn in place on a terminal, one line per
/// tenth of the file otherwise (so logs stay short).
final class ProgressBar {
  private let label: String
  private let handle: FileHandle
  private let live: Bool
  private var lastTenth = -1

  init(label: String, handle: FileHandle = .standardError) {
    self.label = label
    self.handle = handle
    self.live = isatty(handle.fileDescriptor) == 1
  }

  /// `done` bytes of `total` (nil when the server sent no length).
  func update(_ done: Int64, _ total: Int64?) {
    let mb = String(format: "%.1f MB", Double(done) / 1e6)
    guard let total, total > 0 else {
      if live { write("\r\u{1B}[2K\(label) \(mb)") }
      return
    }
    let fraction = min(1, Double(done) / Double(total))
    if live {
      let width = 30
      let filled = Int(fraction * Double(width))
      let bar = String(repeating: "#", count: filled)
        + String(repeating: ".", count: width - filled)
      write("\r\u{1B}[2K\(label) [\(bar)] \(Int(fraction * 100))% \(mb)")
    } else if Int(fraction * 10) > lastTenth {
      lastTenth = Int(fraction * 10)
      write("\(label): \(lastTenth * 10)% (\(mb))\n")
    }
  }

  func finish() {
    if live { write("\n") }
  }

  private func write(_ s: String) { handle.write(Data(s.utf8)) }
}
