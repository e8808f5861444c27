import Foundation
import TestSupport
import Testing

/// Exit statuses after sysexits(3): 64 usage, 65 data, 74 cannot write; one message on
/// standard error, no stack trace (issue #8).
@Suite(.serialized) struct ExitStatusTests {
  let root: URL
  let data: URL

  init() throws {
    root = TinyImages.temporaryDirectory()
    data = root.appendingPathComponent("images")
    try TinyImages.make(at: data, perClass: 3)
  }

  func ftune(_ args: [String]) throws -> (status: Int32, out: String, err: String) {
    try FTuneProcess.run(args, home: root)
  }

  func train(_ extra: [String]) -> [String] {
    [
      "--base", "vgg16", "--weights", "random", "--size", "32", "--data", data.path,
      "--epochs", "1", "--quiet", "--out", root.appendingPathComponent("runs/x").path,
    ] + extra
  }

  /// One line starting `Error: ` naming what is wrong; nothing that looks like a crash.
  func expectOneMessage(_ err: String, naming: String, _ comment: Comment? = nil) {
    let lines = err.split(separator: "\n")
    #expect(lines.count <= 3, "\(err)")
    #expect(err.contains(naming), comment ?? "\(err)")
    #expect(!err.contains("Fatal error") && !err.contains("Stack dump"), "\(err)")
  }

  @Test func usageErrorsExit64() throws {
    defer { try? FileManager.default.removeItem(at: root) }
    let flag = try ftune(["--epochz", "3"])
    #expect(flag.status == 64, "\(flag.err)")
    expectOneMessage(flag.err, naming: "--epochz")

    let value = try ftune(train(["--epochs", "many"]))
    #expect(value.status == 64, "\(value.err)")
    expectOneMessage(value.err, naming: "--epochs many")

    let recipe = root.appendingPathComponent("r.yaml")
    try "base: vgg16\nlearning_rate: 0.1\n".write(to: recipe, atomically: true, encoding: .utf8)
    let key = try ftune(["--recipe", recipe.path])
    #expect(key.status == 64, "\(key.err)")
    expectOneMessage(key.err, naming: "unknown key 'learning_rate'")

    try "base: [vgg16\n".write(to: recipe, atomically: true, encoding: .utf8)
    let yaml = try ftune(["--recipe", recipe.path])
    #expect(yaml.status == 64, "\(yaml.err)")
    #expect(yaml.err.contains("is not valid YAML"), "\(yaml.err)")

    let freeze = try ftune(train(["--freeze", "99"]))
    #expect(freeze.status == 64, "\(freeze.err)")
    expectOneMessage(freeze.err, naming: "--freeze 99")

    let base = try ftune(train(["--base", "vgg61"]))
    #expect(base.status == 64, "\(base.err)")
    expectOneMessage(base.err, naming: "vgg61")

    let cache = try ftune(["cache", "--base", "vgg16"])
    #expect(cache.status == 64, "\(cache.err)")
    expectOneMessage(cache.err, naming: "--freeze is required")
  }

  @Test func dataErrorsExit65() throws {
    defer { try? FileManager.default.removeItem(at: root) }
    let missing = try ftune(train(["--data", root.appendingPathComponent("nope").path]))
    #expect(missing.status == 65, "\(missing.err)")
    expectOneMessage(missing.err, naming: "nope")

    let empty = root.appendingPathComponent("empty")
    try FileManager.default.createDirectory(
      at: empty.appendingPathComponent("cats"), withIntermediateDirectories: true)
    try FileManager.default.createDirectory(
      at: empty.appendingPathComponent("dogs"), withIntermediateDirectories: true)
    try "not an image".write(
      to: empty.appendingPathComponent("dogs/a.txt"), atomically: true, encoding: .utf8)
    let noImages = try ftune(train(["--data", empty.path]))
    #expect(noImages.status == 65, "\(noImages.err)")
    expectOneMessage(noImages.err, naming: "cats")

    let weights = root.appendingPathComponent("weights.h5")
    try Data("not HDF5 at all".utf8).write(to: weights)
    let badWeights = try ftune(train(["--weights", weights.path]))
    #expect(badWeights.status == 65, "\(badWeights.err)")
    expectOneMessage(badWeights.err, naming: weights.path)

    let absent = try ftune(train(["--weights", root.appendingPathComponent("none.h5").path]))
    #expect(absent.status == 65, "\(absent.err)")
    expectOneMessage(absent.err, naming: "none.h5: no such file")

    // A damaged checkpoint in the run directory --resume reads.
    let run = root.appendingPathComponent("runs/x")
    try FileManager.default.createDirectory(at: run, withIntermediateDirectories: true)
    let checkpoint = run.appendingPathComponent("checkpoint.ftck")
    try Data("FTCKPT1\ngarbage".utf8).write(to: checkpoint)
    let resumed = try ftune(train(["--freeze", "all", "--resume"]))
    #expect(resumed.status == 65, "\(resumed.err)")
    expectOneMessage(resumed.err, naming: checkpoint.path)

    let info = try ftune(["cache", "--info", weights.path])
    #expect(info.status == 65, "\(info.err)")
    expectOneMessage(info.err, naming: weights.path)

    let corrupt = data.appendingPathComponent("red/broken.png")
    try Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0]).write(to: corrupt)
    let image = try ftune([
      "cache", "--base", "vgg16", "--weights", "random", "--size", "32", "--freeze", "13",
      "--data", data.path, "--out", root.appendingPathComponent("f.h5").path,
    ])
    #expect(image.status == 65, "\(image.err)")
    expectOneMessage(image.err, naming: corrupt.path)
  }

  @Test func unwritableOutputsExit74() throws {
    defer { try? FileManager.default.removeItem(at: root) }
    // A regular file where a folder should be: nothing can be created below it.
    let blocker = root.appendingPathComponent("blocker")
    try Data("x".utf8).write(to: blocker)
    let run = try ftune(
      train(["--freeze", "all", "--out", blocker.appendingPathComponent("run").path]))
    #expect(run.status == 74, "\(run.err)")
    expectOneMessage(run.err, naming: blocker.path)

    let cache = try ftune([
      "cache", "--base", "vgg16", "--weights", "random", "--size", "32", "--freeze", "13",
      "--data", data.path, "--out", blocker.appendingPathComponent("f.h5").path,
    ])
    #expect(cache.status == 74, "\(cache.err)")
    expectOneMessage(cache.err, naming: blocker.appendingPathComponent("f.h5").path)
  }

  @Test func helpDocumentsTheStatuses() throws {
    defer { try? FileManager.default.removeItem(at: root) }
    let r = try ftune(["--help"])
    #expect(r.status == 0)
    let words = r.out.split(whereSeparator: { $0 == " " || $0 == "\n" }).joined(separator: " ")
    for text in ["64 usage error", "65 data error", "74 cannot write", "130/143 stopped"] {
      #expect(words.contains(text), "ftune --help lacks '\(text)'")
    }
  }
}
