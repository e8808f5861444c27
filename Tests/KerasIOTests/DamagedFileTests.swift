import Foundation
import Testing

@testable import KerasIO

/// Damaged user files must end in an error that names them, never in a crash.
@Suite struct DamagedFileTests {
  func damagedCopies(of fixture: String) throws -> [String] {
    let data = try Data(contentsOf: URL(fileURLWithPath: Fixtures.path(fixture)))
    let dir = try Fixtures.tempDirectory()
    var paths: [String] = []
    let ext = (fixture as NSString).pathExtension
    for (i, cut) in [10, data.count / 3, data.count / 2, data.count - 100].enumerated() {
      let path = dir.appendingPathComponent("cut\(i).\(ext)").path
      try data.prefix(cut).write(to: URL(fileURLWithPath: path))
      paths.append(path)
    }
    for (i, offset) in stride(from: 0, to: data.count, by: max(1, data.count / 40)).enumerated() {
      var flipped = data
      flipped[offset] ^= 0xFF
      let path = dir.appendingPathComponent("flip\(i).\(ext)").path
      try flipped.write(to: URL(fileURLWithPath: path))
      paths.append(path)
    }
    return paths
  }

  @Test(arguments: ["k2_functional.h5", "k3_functional.keras"])
  func damagedFilesThrowOrLoad(_ fixture: String) throws {
    for path in try damagedCopies(of: fixture) {
      do {
        _ = try KerasModel.load(path: path)
      } catch {
        #expect("\(error)".contains(path), "\(error)")
      }
    }
  }
}
