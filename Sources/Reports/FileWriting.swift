import Foundation
import Runtime
import TensorCore

/// Writes `data` to `url` atomically (temporary file in the same directory, then rename),
/// through Runtime's `AtomicFile`, reporting failures as `ReportError.writeFailed`.
func writeAtomically(_ data: Data, to url: URL) throws {
  do {
    try AtomicFile.write(data, to: url.path)
  } catch AtomicFileError.writeFailed(_, let reason) {
    throw ReportError.writeFailed(path: url.path, reason: reason)
  } catch {
    throw ReportError.writeFailed(path: url.path, reason: "\(error)")
  }
}

extension MarkdownTable {
  /// Writes the table to `url` (UTF-8), atomically.
  public func write(to url: URL) throws { try writeAtomically(Data(render().utf8), to: url) }
}

extension ConsoleTable {
  /// Writes the table to `url` (UTF-8), atomically.
  public func write(to url: URL) throws { try writeAtomically(Data(render().utf8), to: url) }
}

extension CSVTable {
  /// Writes the table to `url` (UTF-8), atomically.
  public func write(to url: URL) throws { try writeAtomically(Data(render().utf8), to: url) }
}
