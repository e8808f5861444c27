import Foundation
import TestSupport
import Testing

/// `ftune import-torch` run as a user runs it: exit status, messages, the file written.
@Suite struct ImportTorchCommandTests {
  static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()
  static let fixtures = repository.appendingPathComponent("Tests/TorchIOTests/Fixtures")
  static let realCheckpoint = repository.appendingPathComponent(
    "data/fetched/weights/mobilenet_v2-b0353104.pth")

  /// Exit status and everything printed (standard output, then standard error).
  static func ftune(_ args: [String]) throws -> (status: Int32, output: String) {
    let r = try ProcessRun.run(FTuneProcess.binary(), args)
    return (r.status, r.out + r.err)
  }

  static func temporaryFile(_ name: String) -> URL {
    FileManager.default.temporaryDirectory
      .appendingPathComponent("ftune-import-\(UUID().uuidString)-\(name)")
  }

  @Test func incompleteCheckpointFailsNamingWhatIsMissing() throws {
    let out = Self.temporaryFile("tiny.h5")
    let input = Self.fixtures.appendingPathComponent("tiny_legacy.pth").path
    let result = try Self.ftune(["import-torch", "mobilenet_v2", input, "--out", out.path])
    #expect(result.status != 0)
    #expect(result.output.contains("tiny_legacy.pth"))
    #expect(result.output.contains("missing MobileNetV2 weights (100 problems)"))
    #expect(result.output.contains("block_1_expand has no weights"))
    #expect(!FileManager.default.fileExists(atPath: out.path))
  }

  @Test func unknownArchitectureAndMissingFileAreUsageErrors() throws {
    let input = Self.fixtures.appendingPathComponent("tiny_zip.pth").path
    let unknown = try Self.ftune(["import-torch", "resnet50", input, "--out", "x.h5"])
    #expect(unknown.status != 0 && unknown.output.contains("supported: mobilenet_v2"))
    let missing = try Self.ftune(["import-torch", "mobilenet_v2", "/nonexistent.pth",
      "--out", "x.h5"])
    #expect(missing.status != 0 && missing.output.contains("data/fetch-weights.sh"))
  }

  /// Opt-in (data/fetch-weights.sh): the real checkpoint becomes an HDF5 file.
  @Test(.enabled(if: FileManager.default.fileExists(atPath: realCheckpoint.path)))
  func realCheckpointWritesKerasWeights() throws {
    let out = Self.temporaryFile("mobilenet_v2_torch.h5")
    defer { try? FileManager.default.removeItem(at: out) }
    let result = try Self.ftune(
      ["import-torch", "mobilenet_v2", Self.realCheckpoint.path, "--out", out.path])
    #expect(result.status == 0, "\(result.output)")
    #expect(result.output.contains("105 layers, 3538984 parameters, 1000 classes"))
    let magic = try FileHandle(forReadingFrom: out).readData(ofLength: 8)
    #expect(Array(magic) == [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A])
  }
}
