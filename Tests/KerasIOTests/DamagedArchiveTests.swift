import Foundation
import HDF5
import Testing

@testable import KerasIO

/// `.keras` archives damaged where ZIPFoundation used to trap (the central directory, the
/// end record, the local headers), cut at every length near the end, and CRC-checked data:
/// each load gives a typed error naming the file, or loads.
@Suite struct DamagedArchiveTests {
  @Test func damagedKerasArchivesGiveTypedErrors() throws {
    let data = try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("k3_sequential.keras")))
    let dir = try Fixtures.tempDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let n = data.count
    var mutants: [Data] = []
    for length in Array(stride(from: 0, to: n - 300, by: 1_499)) + Array(stride(
      from: n - 300, to: n, by: 3))
    {
      mutants.append(data.prefix(length))
    }
    // Headers and directory byte by byte (every 2nd byte), the data in a coarse stride.
    for offset in Array(stride(from: 0, to: 120, by: 2)) + Array(stride(from: n - 300, to: n, by: 2))
      + Array(stride(from: 120, to: n - 300, by: 997))
    {
      var flipped = data
      flipped[offset] ^= 0xFF
      mutants.append(flipped)
    }
    var typed = 0
    for (i, bytes) in mutants.enumerated() {
      let path = dir.appendingPathComponent("m\(i).keras").path
      try bytes.write(to: URL(fileURLWithPath: path))
      do {
        _ = try KerasModel.load(path: path)
      } catch let error as KerasIOError {
        typed += 1
        #expect("\(error)".contains(path), "\(error)")
      } catch let error as HDF5Error {
        typed += 1
        #expect("\(error)".contains(path), "\(error)")
      } catch {
        Issue.record("untyped error for mutant \(i): \(error)")
      }
      try? FileManager.default.removeItem(atPath: path)
    }
    #expect(mutants.count > 350)
    #expect(typed > mutants.count / 2)

    // The message for a cut file says what to do.
    let cut = dir.appendingPathComponent("cut.keras").path
    try data.prefix(n - 10).write(to: URL(fileURLWithPath: cut))
    let error = #expect(throws: KerasIOError.self) { try KerasModel.load(path: cut) }
    #expect(error?.description.contains("save it again with model.save") == true)
  }
}
