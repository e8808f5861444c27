import Foundation
import Models
import Testing
@testable import Workflow

/// Weights on first use, against a loopback HTTP server the test starts: a good file, a
/// corrupt one, one that stops halfway (and resumes), a missing one, and no server at all.
@Suite(.serialized) struct WeightsDownloadTests {
  let root = FileManager.default.temporaryDirectory
    .appendingPathComponent("ftune-download-\(UUID().uuidString)")
  /// 300 kB of deterministic bytes: several reads on the client side.
  let payload = Data((0..<300_000).map { UInt8(truncatingIfNeeded: ($0 &* 2_654_435_761) >> 13) })

  func file(_ name: String, hash: String?) -> KerasWeightsFile {
    // Keras's address is never contacted: FTUNE_WEIGHTS_URL replaces its folder.
    KerasWeightsFile(
      fileName: name, origin: "https://storage.invalid/keras-applications/\(name)",
      fileHash: hash)
  }

  func environment(_ server: LoopbackHTTPServer) -> [String: String] {
    ["KERAS_HOME": root.path, WeightsDownload.baseURLVariable: server.baseURL]
  }

  var models: URL { root.appendingPathComponent("models") }

  func leftovers() -> [String] {
    (try? FileManager.default.contentsOfDirectory(atPath: models.path)) ?? []
  }

  @Test func hashesAreKerasAlgorithms() throws {
    try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: root) }
    let path = root.appendingPathComponent("abc").path
    try Data("abc".utf8).write(to: URL(fileURLWithPath: path))
    #expect(try FileHash.hex(of: path, algorithm: .sha256)
      == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    #expect(try FileHash.hex(of: path, algorithm: .md5) == "900150983cd24fb0d6963f7d28e17f72")
    #expect(FileHash.algorithm(for: String(repeating: "a", count: 64)) == .sha256)
    #expect(FileHash.algorithm(for: String(repeating: "a", count: 32)) == .md5)
  }

  @Test func downloadsOnFirstUseThenFindsTheFile() throws {
    defer { try? FileManager.default.removeItem(at: root) }
    try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    let reference = root.appendingPathComponent("reference")
    try payload.write(to: reference)
    let sha = try FileHash.hex(of: reference.path, algorithm: .sha256)
    let md5 = try FileHash.hex(of: reference.path, algorithm: .md5)
    let server = try LoopbackHTTPServer(routes: [
      "/good.h5": .init(body: payload), "/old.h5": .init(body: payload),
    ])
    defer { server.stop() }
    var lines: [String] = []
    for (name, hash) in [("good.h5", sha), ("old.h5", md5)] {
      let path = try BaseModel.resolveWeights(
        "", base: "net", file: file(name, hash: hash), environment: environment(server),
        log: { lines.append($0) })
      #expect(path == models.appendingPathComponent(name).path)
      #expect(try Data(contentsOf: URL(fileURLWithPath: try #require(path))) == payload)
    }
    #expect(server.requests.map(\.path) == ["/good.h5", "/old.h5"])
    #expect(lines.count == 2 && lines[0].contains("downloading"))
    // Present now: found without asking the server again.
    _ = try BaseModel.resolveWeights(
      "", base: "net", file: file("good.h5", hash: sha), environment: environment(server))
    #expect(server.requests.count == 2)
    #expect(leftovers().sorted() == ["good.h5", "old.h5"])
  }

  @Test func corruptFileIsDeletedAndNamed() throws {
    defer { try? FileManager.default.removeItem(at: root) }
    var damaged = payload
    damaged[1234] ^= 0xFF
    let server = try LoopbackHTTPServer(routes: ["/w.h5": .init(body: damaged)])
    defer { server.stop() }
    let expected = String(repeating: "0", count: 64)
    #expect {
      _ = try BaseModel.resolveWeights(
        "", base: "net", file: file("w.h5", hash: expected), environment: environment(server))
    } throws: { error in
      guard case WeightsDownloadError.hashMismatch(let name, _, let want, _) = error else {
        return false
      }
      return name == "w.h5" && want == expected && "\(error)".contains("run the command again")
    }
    #expect(leftovers() == [])
  }

  @Test func interruptedDownloadLeavesNoFileAndResumes() throws {
    defer { try? FileManager.default.removeItem(at: root) }
    try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    let reference = root.appendingPathComponent("reference")
    try payload.write(to: reference)
    let sha = try FileHash.hex(of: reference.path, algorithm: .sha256)
    let half = payload.count / 2
    let server = try LoopbackHTTPServer(routes: ["/w.h5": .init(body: payload, stopAfter: half)])
    defer { server.stop() }
    #expect {
      _ = try BaseModel.resolveWeights(
        "", base: "net", file: file("w.h5", hash: sha), environment: environment(server))
    } throws: { error in
      guard case WeightsDownloadError.interrupted(_, _, let got, let total) = error else {
        return false
      }
      return got == Int64(half) && total == Int64(payload.count)
    }
    // Only the hidden partial file, never a half file under Keras's name.
    #expect(leftovers() == [".w.h5.part"])
    server.setRoute("/w.h5", .init(body: payload))
    let path = try #require(
      try BaseModel.resolveWeights(
        "", base: "net", file: file("w.h5", hash: sha), environment: environment(server)))
    #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == payload)
    #expect(server.requests.last?.range == "bytes=\(half)-")
    #expect(leftovers() == ["w.h5"])
  }

  @Test func offlineAndMissingFilesSayWhatToDo() throws {
    defer { try? FileManager.default.removeItem(at: root) }
    let server = try LoopbackHTTPServer(routes: [:])
    let env = environment(server)
    let w = file("w.h5", hash: nil)
    #expect {
      _ = try BaseModel.resolveWeights("", base: "net", file: w, environment: env)
    } throws: { "\($0)".contains("HTTP 404") && "\($0)".contains("w.h5") }
    server.stop()
    #expect {
      _ = try BaseModel.resolveWeights("", base: "net", file: w, environment: env)
    } throws: { error in
      let text = "\(error)"
      guard case WeightsDownloadError.unreachable = error else { return false }
      return text.contains("cannot download w.h5 from \(server.baseURL)w.h5")
        && text.contains(models.appendingPathComponent("w.h5").path)
        && text.contains("--weights FILE") && text.contains("--weights random")
    }
    #expect(leftovers() == [])
  }
}
