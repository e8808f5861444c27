import Foundation

/// Receives the loop's progress: per batch and per epoch.
public protocol TrainingProgress: AnyObject {
  func batchDone(
    epoch: Int, epochs: Int, step: Int, steps: Int, loss: Float, accuracy: Float,
    imagesPerSecond: Double, etaSeconds: Double)
  func epochDone(_ metrics: EpochMetrics, epochs: Int)
  func message(_ text: String)
}

/// Progress on a stream: a live bar redrawn in place on a terminal, plain lines otherwise
/// (one per epoch, so logs and CI output stay readable).
public final class ConsoleProgress: TrainingProgress {
  private let handle: FileHandle
  private let live: Bool
  private var lastDraw = Date.distantPast
  private var secondsSoFar = 0.0
  private var epochsSoFar = 0

  /// `live` defaults to whether standard error is a terminal.
  public init(handle: FileHandle = .standardError, live: Bool? = nil) {
    self.handle = handle
    self.live = live ?? (isatty(handle.fileDescriptor) == 1)
  }

  public func batchDone(
    epoch: Int, epochs: Int, step: Int, steps: Int, loss: Float, accuracy: Float,
    imagesPerSecond: Double, etaSeconds: Double
  ) {
    guard live else { return }
    // Redraw at most ~10 times a second, and always for the last batch.
    let now = Date()
    guard step == steps || now.timeIntervalSince(lastDraw) > 0.1 else { return }
    lastDraw = now
    let width = 24
    let filled = steps > 0 ? width * step / steps : width
    let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
    let line = "\r\u{1B}[2Kepoch \(epoch)/\(epochs) [\(bar)] \(step)/\(steps)"
      + " loss \(fixed(loss, 4)) acc \(fixed(accuracy, 3))"
      + " \(fixed(Float(imagesPerSecond), 1)) img/s ETA \(Self.clock(etaSeconds))"
    write(line)
  }

  public func epochDone(_ m: EpochMetrics, epochs: Int) {
    if live { write("\r\u{1B}[2K") }
    secondsSoFar += m.seconds
    epochsSoFar += 1
    let eta = secondsSoFar / Double(epochsSoFar) * Double(max(0, epochs - m.epoch))
    write(Self.epochLine(m, epochs: epochs) + " ETA \(Self.clock(eta))\n")
  }

  public func message(_ text: String) {
    if live { write("\r\u{1B}[2K") }
    write(text + "\n")
  }

  /// The plain per-epoch line: loss, accuracy, images/s and time.
  public static func epochLine(_ m: EpochMetrics, epochs: Int) -> String {
    var s = "epoch \(m.epoch)/\(epochs): loss \(fixed(m.trainLoss, 4))"
      + " acc \(fixed(m.trainAccuracy, 3))"
    if m.hasValidation {
      s += " val_loss \(fixed(m.valLoss, 4)) val_acc \(fixed(m.valAccuracy, 3))"
    }
    s += " lr \(m.learningRate) \(fixed(Float(m.imagesPerSecond), 1)) img/s"
      + " \(fixed(Float(m.seconds), 1))s"
    return s
  }

  /// `m:ss` or `h:mm:ss`.
  public static func clock(_ seconds: Double) -> String {
    guard seconds.isFinite, seconds >= 0 else { return "?" }
    let t = Int(seconds.rounded())
    let (h, m, s) = (t / 3600, (t / 60) % 60, t % 60)
    let two = { (v: Int) in v < 10 ? "0\(v)" : "\(v)" }
    return h > 0 ? "\(h):\(two(m)):\(two(s))" : "\(m):\(two(s))"
  }

  private func write(_ s: String) {
    handle.write(Data(s.utf8))
  }
}

/// Discards progress (tests, `--quiet`).
public final class SilentProgress: TrainingProgress {
  public init() {}
  public func batchDone(
    epoch: Int, epochs: Int, step: Int, steps: Int, loss: Float, accuracy: Float,
    imagesPerSecond: Double, etaSeconds: Double
  ) {}
  public func epochDone(_ metrics: EpochMetrics, epochs: Int) {}
  public func message(_ text: String) {}
}

/// `x` with `digits` decimals.
func fixed(_ x: Float, _ digits: Int) -> String {
  String(format: "%.\(digits)f", Double(x))
}
