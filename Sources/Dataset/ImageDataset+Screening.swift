import Foundation
import ImageIO
import Runtime
import TensorCore

/// A file `--bad-images skip` left out, and why (the decoder's message).
public struct SkippedImage: Sendable, Equatable {
  public let path: String
  public let reason: String

  public init(path: String, reason: String) {
    self.path = path
    self.reason = reason
  }
}

extension ImageDataset {
  /// The data set without the files that cannot be used — unreadable, empty, not an image,
  /// damaged, more than `options.maxPixels` — and those files, in sample order. Each file
  /// is decoded once here, so later passes (every epoch, every variant) see only good files
  /// and a run skips the same files however often it is resumed. A class left with no file
  /// is an error, as an empty folder is.
  public func screened(options: DecodeOptions = DecodeOptions()) throws
    -> (dataset: ImageDataset, skipped: [SkippedImage])
  {
    let (_, skipped) = Self.screened(paths: samples.map(\.path), options: options)
    let bad = Set(skipped.map(\.path))
    let kept = samples.filter { !bad.contains($0.path) }
    var counts = [Int](repeating: 0, count: classes.count)
    for sample in kept { counts[sample.label] += 1 }
    if let empty = counts.firstIndex(of: 0) {
      throw DatasetError.allSkipped(
        name: classes[empty], path: root + "/" + classes[empty],
        count: samples.count { $0.label == empty })
    }
    return (ImageDataset(root: root, classes: classes, samples: kept), skipped)
  }

  /// `paths` split into the files that decode and those that do not (with the reason), both
  /// in the given order; decoded on all cores. For commands given files, not a folder.
  public static func screened(paths: [String], options: DecodeOptions = DecodeOptions())
    -> (kept: [String], skipped: [SkippedImage])
  {
    var reasons = [String?](repeating: nil, count: paths.count)
    reasons.withUnsafeMutableBufferPointer { reasons in
      // Each iteration writes only its own slot.
      nonisolated(unsafe) let slots = reasons
      DispatchQueue.concurrentPerform(iterations: paths.count) { i in
        do {
          _ = try Image.decode(file: paths[i], options: options)
        } catch {
          slots[i] = "\(error)"
        }
      }
    }
    let skipped = zip(paths, reasons).compactMap { path, reason in
      reason.map { SkippedImage(path: path, reason: $0) }
    }
    return (zip(paths, reasons).filter { $0.1 == nil }.map(\.0), skipped)
  }
}

extension [SkippedImage] {
  /// `path,reason` lines under a header, quoted as CSV, written atomically.
  public func writeCSV(to url: URL) throws {
    func quoted(_ field: String) -> String {
      "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
    let lines = ["path,reason"] + map { quoted($0.path) + "," + quoted($0.reason) }
    try AtomicFile.write(Data((lines.joined(separator: "\n") + "\n").utf8), to: url.path)
  }

  /// One `skipped: REASON` line per file, the list written to `csv` (when given), then the
  /// summary; nothing when no file was skipped.
  public func report(of total: Int, csv: URL?, log: (String) -> Void) throws {
    guard !isEmpty else { return }
    for file in self { log("skipped: \(file.reason)") }
    if let csv {
      try AtomicFile.createFolder(for: csv.path)
      try writeCSV(to: csv)
    }
    log(summary(of: total, csv: csv?.path))
  }

  /// `skipped 3 of 1,204 images: see runs/x/skipped.csv` (without a file: `skipped 3 of 10
  /// images`).
  public func summary(of total: Int, csv: String?) -> String {
    "skipped \(grouped(count)) of \(grouped(total)) images" + (csv.map { ": see \($0)" } ?? "")
  }
}

/// 1204 -> "1,204" (not `formatted()`, whose separator follows the locale).
private func grouped(_ n: Int) -> String {
  let digits = Array(String(n))
  return String(digits.enumerated().flatMap { i, digit in
    i > 0 && (digits.count - i) % 3 == 0 ? [",", digit] : [digit]
  })
}

extension ImageDataset {
  /// `--bad-images`: with `.error` the data set as is (a bad file stops the run when it is
  /// read); with `.skip` the screened one, each skipped file logged on its own line, the
  /// list written to `csv` (when given) and summarised. The piece every command that reads
  /// an image folder uses (train, cache, compare, evaluate).
  public func applying(
    _ policy: BadImagePolicy, csv: URL?, options: DecodeOptions = DecodeOptions(),
    log: (String) -> Void
  ) throws -> ImageDataset {
    guard policy == .skip else { return self }
    let (kept, skipped) = try screened(options: options)
    try skipped.report(of: samples.count, csv: csv, log: log)
    return kept
  }
}
