import Foundation
import TestSupport
import Testing

/// Files from strangers through the binary (issue 20): `--bad-images skip` trains on and
/// evaluates a folder with damaged photos, listing exactly those; a weights file reading outside itself
/// is refused until `--allow-external-hdf5`, which says so.
@Suite(.serialized) struct UntrustedInputTests {
  let root: URL
  let data: URL

  init() throws {
    root = TinyImages.temporaryDirectory()
    data = root.appendingPathComponent("images")
    try TinyImages.make(at: data, perClass: 4)
  }

  @Test func badImagesSkipTrainsAndEvaluatesWithoutExactlyTheDamagedPhotos() throws {
    defer { try? FileManager.default.removeItem(at: root) }
    let damaged = ["red/empty.png", "green/cut.png", "blue/text.jpg"].map {
      data.appendingPathComponent($0)
    }
    let whole = try Data(contentsOf: data.appendingPathComponent("green/0.png"))
    try Data().write(to: damaged[0])
    try whole.prefix(whole.count / 2).write(to: damaged[1])
    try Data("not a photo".utf8).write(to: damaged[2])
    let run = root.appendingPathComponent("runs/skip")
    func train(_ extra: [String]) throws -> (status: Int32, out: String, err: String) {
      try FTuneProcess.run(
        [
          "--base", "mobilenet_v2", "--weights", "random", "--size", "32", "--data", data.path,
          "--epochs", "1", "--batch", "4", "--out", run.path,
        ] + extra, home: root)
    }
    // The default stops at a damaged file, naming it.
    let stopped = try train([])
    #expect(stopped.status == 65, "\(stopped.err)")
    #expect(damaged.contains { stopped.err.contains($0.path) }, "\(stopped.err)")

    let r = try train(["--bad-images", "skip"])
    #expect(r.status == 0, "\(r.err)")
    let lines = (r.out + r.err).split(separator: "\n").map(String.init)
    let skipped = lines.filter { $0.hasPrefix("skipped: ") }
    #expect(skipped.count == 3, "\(lines)")
    for file in damaged.sorted(by: { $0.path < $1.path }) {
      #expect(skipped.contains { $0.contains(file.path) }, "\(file.path) not listed")
    }
    let csv = run.appendingPathComponent("skipped.csv")
    #expect(lines.contains("skipped 3 of 15 images: see \(csv.path)"), "\(lines)")
    let rows = try String(contentsOf: csv, encoding: .utf8).split(separator: "\n").dropFirst()
    #expect(Set(rows.map { $0.split(separator: ",")[0] }) == Set(damaged.map { "\"\($0.path)\"" }))
    #expect(try String(contentsOf: run.appendingPathComponent("config.yaml"), encoding: .utf8)
      .contains("bad-images: skip"))

    // `evaluate` on the same folder: the same default, the same lines, its own skipped.csv.
    let evalOut = root.appendingPathComponent("eval")
    let evalArgs = ["evaluate", run.path, data.path, "--out", evalOut.path]
    let evalStopped = try FTuneProcess.run(evalArgs, home: root)
    #expect(evalStopped.status == 65, "\(evalStopped.err)")
    #expect(damaged.contains { evalStopped.err.contains($0.path) }, "\(evalStopped.err)")
    let evaluated = try FTuneProcess.run(evalArgs + ["--bad-images", "skip"], home: root)
    #expect(evaluated.status == 0, "\(evaluated.err)")
    let evalLines = (evaluated.out + evaluated.err).split(separator: "\n").map(String.init)
    #expect(Set(evalLines.filter { $0.hasPrefix("skipped: ") }.map { line in
      damaged.first { line.contains($0.path) }?.path ?? line
    }) == Set(damaged.map(\.path)), "\(evalLines)")
    let evalCSV = evalOut.appendingPathComponent("skipped.csv")
    #expect(evalLines.contains("skipped 3 of 15 images: see \(evalCSV.path)"), "\(evalLines)")
    let predictions = try String(
      contentsOf: evalOut.appendingPathComponent("predictions.csv"), encoding: .utf8)
    #expect(predictions.split(separator: "\n").count { $0.contains(".png") } == 12)
    #expect(!damaged.contains { predictions.contains($0.lastPathComponent) })

    // A class whose every file is damaged is still an error, even with skip.
    for name in ["0.png", "1.png", "2.png", "3.png"] {
      try Data("not a photo".utf8).write(to: data.appendingPathComponent("blue/\(name)"))
    }
    let emptied = try train(["--bad-images", "skip"])
    #expect(emptied.status == 65, "\(emptied.err)")
    #expect(emptied.err.contains("class 'blue': all 5 images in"), "\(emptied.err)")
  }

  @Test func outsideDataNeedsTheOptIn() throws {
    defer { try? FileManager.default.removeItem(at: root) }
    let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("KerasIOTests/Fixtures")
    let config = fixtures.appendingPathComponent("k2_functional.h5").path
    let weights = fixtures.appendingPathComponent("hostile/external-storage.h5").path
    let refused = try FTuneProcess.run(["inspect", config, "--weights", weights], home: root)
    #expect(refused.status == 65, "\(refused.err)")
    #expect(refused.err.contains("'/head/head/kernel:0' keeps its values in the external file"))
    #expect(refused.err.contains("--allow-external-hdf5"))
    let allowed = try FTuneProcess.run(
      ["inspect", config, "--weights", weights, "--allow-external-hdf5"], home: root)
    #expect(allowed.status == 0, "\(allowed.err)")
    #expect(allowed.err.contains("--allow-external-hdf5: model files may read data stored outside"))
  }
}
