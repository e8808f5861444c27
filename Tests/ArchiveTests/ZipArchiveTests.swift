import Archive
import Foundation
import Testing

/// The bounded zip reader on archives written by the real tools (Keras 3 `model.save`,
/// `torch.save`; the fixtures of KerasIOTests and TorchIOTests) and on every truncation
/// and byte flip of one: a typed `ZipError` or the right bytes, never a trap.
@Suite struct ZipArchiveTests {
  static func fixture(_ relative: String) throws -> [UInt8] {
    let tests = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent()
    return [UInt8](try Data(contentsOf: tests.appendingPathComponent(relative)))
  }

  static let keras = "KerasIOTests/Fixtures/k3_sequential.keras"

  @Test func readsTheMembersKerasWrote() throws {
    let zip = try ZipArchive(bytes: try Self.fixture(Self.keras), file: "k3.keras")
    // As Python's zipfile lists them: names and sizes.
    #expect(zip.members.map(\.path) == ["metadata.json", "config.json", "model.weights.h5"])
    #expect(zip.members.map(\.count) == [64, 7470, 34332])
    let config = try #require(try zip.data("config.json"))
    let json = try JSONSerialization.jsonObject(with: Data(config)) as? [String: Any]
    #expect(json?["class_name"] as? String == "Sequential")
    let h5 = try #require(try zip.data("model.weights.h5"))
    #expect(Array(h5.prefix(4)) == [0x89, 0x48, 0x44, 0x46])
    #expect(try zip.data("nothing") == nil)
  }

  @Test func readsTheMembersTorchWrote() throws {
    let bytes = try Self.fixture("TorchIOTests/Fixtures/tiny_zip.pth")
    let zip = try ZipArchive(bytes: bytes, file: "tiny.pth")
    let pickle = try #require(zip.members.first { $0.path.hasSuffix("/data.pkl") })
    let data = try zip.verified(pickle)
    #expect(bytes[data.start] == 0x80)  // pickle PROTO opcode
  }

  @Test func aCompressedMemberIsRefusedByName() throws {
    var bytes = try Self.fixture(Self.keras)
    // The end record (last "PK\u{5}\u{6}") gives the directory's offset at +16; the method
    // field of its first entry is at +10 (8 = deflate).
    var end = bytes.count - 22
    while end > 0, bytes[end..<(end + 4)] != [0x50, 0x4B, 5, 6] { end -= 1 }
    var first = 0
    for k in 0..<4 { first |= Int(bytes[end + 16 + k]) << (8 * k) }
    #expect(bytes[first..<(first + 4)] == [0x50, 0x4B, 1, 2])
    bytes[first + 10] = 8
    #expect(throws: ZipError.compressed(file: "k3.keras", member: "metadata.json", method: 8)) {
      try ZipArchive(bytes: bytes, file: "k3.keras")
    }
  }

  @Test func notAZipAndEmptyFiles() {
    #expect(throws: ZipError.self) { try ZipArchive(bytes: [], file: "empty") }
    #expect(throws: ZipError.self) {
      try ZipArchive(bytes: Array("just text, no zip".utf8), file: "text")
    }
  }

  /// Every prefix length near the end (where the directory lives) and a stride through the
  /// rest; every byte flip in the headers and directory, and a stride through the data.
  @Test func everyTruncationAndFlipThrowsOrReads() throws {
    let bytes = try Self.fixture(Self.keras)
    let n = bytes.count
    var outcomes = (read: 0, threw: 0)
    func attempt(_ mutated: [UInt8]) {
      do {
        let zip = try ZipArchive(bytes: mutated, file: "m.keras")
        for member in zip.members {
          _ = try zip.data(member.path)
        }
        outcomes.read += 1
      } catch {
        outcomes.threw += 1
      }
    }
    for length in Array(stride(from: 0, to: n - 400, by: 97)) + Array((n - 400)..<n) {
      attempt(Array(bytes.prefix(length)))
    }
    let headers = Array(0..<200) + Array((n - 400)..<n)
    for offset in headers + Array(stride(from: 200, to: n - 400, by: 61)) {
      var flipped = bytes
      flipped[offset] ^= 0xFF
      attempt(flipped)
    }
    // Truncations never read; a flip in a name, date or the data (CRC) may still parse.
    #expect(outcomes.threw > outcomes.read)
    #expect(outcomes.read + outcomes.threw > 1_000)
  }
}
