import Archive
import Foundation
import HDF5

/// A Keras 3 `.keras` file: a zip of `config.json`, `metadata.json` and `model.weights.h5`,
/// read with the bounded reader of the `Archive` target (damaged zips throw, never trap).
enum KerasArchive {
  static func open(_ path: String) throws -> ZipArchive {
    guard FileManager.default.fileExists(atPath: path) else {
      throw HDF5Error.fileNotFound(file: path)
    }
    let bytes: [UInt8]
    do {
      bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    } catch {
      throw KerasIOError.badArchive(file: path, reason: "it cannot be read")
    }
    do throws(ZipError) {
      return try ZipArchive(bytes: bytes, file: path)
    } catch {
      throw badArchive(path, error)
    }
  }

  /// The bytes of one member of the archive, CRC-checked.
  static func member(_ name: String, of path: String) throws -> Data {
    let archive = try open(path)
    let found: ArraySlice<UInt8>?
    do throws(ZipError) {
      found = try archive.data(name)
    } catch {
      throw badArchive(path, error)
    }
    guard let found else {
      throw KerasIOError.badArchive(file: path, reason: "it has no '\(name)'")
    }
    return Data(found)
  }

  /// What a zip problem means for a `.keras` file, and what to do.
  static func badArchive(_ path: String, _ error: ZipError) -> KerasIOError {
    let reason: String
    switch error {
    case .notAZip:
      reason = "it is not a zip file, or it is cut short; save it again with model.save"
    case .malformed(_, let offset, let why):
      reason = "it is damaged at byte \(offset) (\(why)); save it again with model.save"
    case .truncated(_, let offset, let needed, let available):
      reason = "it is truncated (\(needed) bytes needed at byte \(offset), \(available) left);"
        + " save it again with model.save"
    case .compressed(_, let member, let method):
      reason = "its member \(member) is compressed (method \(method)); Keras stores members"
        + " uncompressed: save it again with model.save('model.keras')"
    }
    return .badArchive(file: path, reason: reason)
  }

  /// Extracts `model.weights.h5` to a temporary file, runs `body` on its path, deletes it.
  static func withWeightsFile<R>(of path: String, _ body: (String) throws -> R) throws -> R {
    let data = try member("model.weights.h5", of: path)
    let temp = FileManager.default.temporaryDirectory
      .appendingPathComponent("ftune-\(UUID().uuidString).weights.h5")
    try data.write(to: temp)
    defer { try? FileManager.default.removeItem(at: temp) }
    do {
      return try body(temp.path)
    } catch let error as HDF5Error {
      throw KerasIOError.badArchive(file: path, reason: "its model.weights.h5: \(error)")
    }
  }
}
