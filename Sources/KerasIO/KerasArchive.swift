import Foundation
import ZIPFoundation

/// A Keras 3 `.keras` file: a zip of `config.json`, `metadata.json` and `model.weights.h5`.
enum KerasArchive {
  static func open(_ path: String) throws -> Archive {
    guard FileManager.default.fileExists(atPath: path) else {
      throw HDF5Error.fileNotFound(file: path)
    }
    do {
      return try Archive(url: URL(fileURLWithPath: path), accessMode: .read)
    } catch {
      throw KerasIOError.badArchive(file: path, reason: "it is not a zip file")
    }
  }

  /// The bytes of one member of the archive.
  static func member(_ name: String, of path: String) throws -> Data {
    let archive = try open(path)
    guard let entry = archive[name] else {
      throw KerasIOError.badArchive(file: path, reason: "it has no '\(name)'")
    }
    var data = Data()
    do {
      _ = try archive.extract(entry) { data.append($0) }
    } catch {
      throw KerasIOError.badArchive(file: path, reason: "'\(name)' cannot be extracted")
    }
    return data
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
