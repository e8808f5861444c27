import Foundation
import TestSupport
import Testing

/// Runs the built `ftune` with a controlled environment (HOME and the cache in a temp dir).
enum FTuneProcess {
  static func binary() throws -> URL { try ProcessRun.builtProduct("ftune") }

  /// The environment every test run gets: HOME and the feature cache under `home`.
  static func environment(home: URL) -> [String: String] {
    var env = ProcessInfo.processInfo.environment
    env["HOME"] = home.path
    env["FTUNE_CACHE_DIR"] = home.appendingPathComponent("cache").path
    env.removeValue(forKey: "KERAS_HOME")
    // Weight downloads go to a closed loopback port: tests never reach outside.
    env["FTUNE_WEIGHTS_URL"] = "http://127.0.0.1:9/"
    return env
  }

  static func run(_ args: [String], home: URL, cwd: URL? = nil) throws
    -> (status: Int32, out: String, err: String)
  {
    let r = try ProcessRun.run(
      binary(), args, environment: environment(home: home), cwd: cwd)
    return (r.status, r.out, r.err)
  }
}

/// The training workflow end to end through the binary, on tiny generated images with
/// random VGG16 weights at 32x32 (seconds, not minutes).
@Suite(.serialized) struct TrainCommandTests {
  let root: URL
  let data: URL

  init() throws {
    root = TinyImages.temporaryDirectory()
    data = root.appendingPathComponent("images")
    try TinyImages.make(at: data)
  }

  func train(_ extra: [String], out: String) throws -> (status: Int32, out: String, err: String) {
    try FTuneProcess.run(
      [
        "--base", "vgg16", "--weights", "random", "--size", "32", "--data", data.path,
        "--epochs", "2", "--batch", "4", "--lr", "0.01", "--quiet",
        "--out", root.appendingPathComponent(out).path,
      ] + extra, home: root)
  }

  @Test func trainWritesEveryRunFileAndTheConfigReproducesIt() throws {
    defer { try? FileManager.default.removeItem(at: root) }
    let r = try train(["--freeze", "13", "--classes", "red,green,blue"], out: "runs/a")
    #expect(r.status == 0, "\(r.err)")
    let run = root.appendingPathComponent("runs/a")
    for file in [
      "model.h5", "config.yaml", "metrics.csv", "metrics.json", "confusion.csv",
      "confusion.png", "curves.png",
    ] {
      #expect(
        FileManager.default.fileExists(atPath: run.appendingPathComponent(file).path), "\(file)")
    }
    let metrics =
      try JSONSerialization.jsonObject(
        with: Data(contentsOf: run.appendingPathComponent("metrics.json"))) as! [String: Any]
    for key in ["train_loss", "train_accuracy", "val_loss", "val_accuracy", "seconds"] {
      #expect(metrics[key] is NSNumber, "metrics.json lacks \(key)")
    }
    let csv = try String(contentsOf: run.appendingPathComponent("metrics.csv"), encoding: .utf8)
    #expect(csv.split(separator: "\n").count == 3)
    #expect(csv.hasPrefix("epoch,train_loss,train_accuracy,val_loss,val_accuracy"))
    let confusion = try String(
      contentsOf: run.appendingPathComponent("confusion.csv"), encoding: .utf8)
    #expect(confusion.contains("red") && confusion.contains("blue"))
    let png = try Data(contentsOf: run.appendingPathComponent("curves.png"))
    #expect(png.prefix(4) == Data([0x89, 0x50, 0x4E, 0x47]))
    let h5 = try Data(contentsOf: run.appendingPathComponent("model.h5"))
    #expect(h5.prefix(4) == Data([0x89, 0x48, 0x44, 0x46]))

    // `ftune --recipe runs/a/config.yaml` reproduces the run: same losses, epoch by epoch.
    let again = try FTuneProcess.run(
      [
        "--recipe", run.appendingPathComponent("config.yaml").path, "--quiet",
        "--out", root.appendingPathComponent("runs/b").path,
      ], home: root)
    #expect(again.status == 0, "\(again.err)")
    let csvB = try String(
      contentsOf: root.appendingPathComponent("runs/b/metrics.csv"), encoding: .utf8)
    func losses(_ text: String) -> [String] {
      text.split(separator: "\n").dropFirst().map {
        $0.split(separator: ",")[1...4].joined(separator: ",")
      }
    }
    #expect(losses(csvB) == losses(csv))

    // predict: JSON with the top classes, most likely first.
    let p = try FTuneProcess.run(
      ["predict", run.path, data.appendingPathComponent("red").path, "--top", "2", "--json"],
      home: root)
    #expect(p.status == 0, "\(p.err)")
    let predictions = try JSONSerialization.jsonObject(with: Data(p.out.utf8)) as! [[String: Any]]
    #expect(predictions.count == 6)
    let first = predictions[0]["predictions"] as! [[String: Any]]
    #expect(first.count == 2)
    let probs = first.map { ($0["probability"] as! NSNumber).doubleValue }
    #expect(probs[0] >= probs[1] && probs[0] <= 1 && probs[1] >= 0)
    let tta = try FTuneProcess.run(
      [
        "predict", run.path, data.appendingPathComponent("red/0.png").path, "--tta", "10crop",
        "--ensemble", root.appendingPathComponent("runs/b").path,
      ], home: root)
    #expect(tta.status == 0, "\(tta.err)")
    #expect(tta.out.hasPrefix(data.appendingPathComponent("red/0.png").path + ": "))

    // export: a Keras full-model file.
    let exported = root.appendingPathComponent("exported.h5")
    let e = try FTuneProcess.run(["export", run.path, "--out", exported.path], home: root)
    #expect(e.status == 0, "\(e.err)")
    #expect(try Data(contentsOf: exported).prefix(4) == Data([0x89, 0x48, 0x44, 0x46]))
  }

  @Test func flagsOverrideTheRecipe() throws {
    defer { try? FileManager.default.removeItem(at: root) }
    let recipe = root.appendingPathComponent("r.yaml")
    try "base: vgg16\nepochs: 7\nlr: 0.05\nclasses: [a, b]\n".write(
      to: recipe, atomically: true, encoding: .utf8)
    let r = try FTuneProcess.run(
      ["--recipe", recipe.path, "--epochs", "3", "--print-config"], home: root)
    #expect(r.status == 0, "\(r.err)")
    #expect(r.out.contains("\nepochs: '3'\n"))
    #expect(r.out.contains("\nlr: '0.05'\n"))
    #expect(r.out.contains("\nclasses: 'a,b'\n"))
    #expect(r.out.contains("\noptimizer: adam\n"))

    try "base: vgg16\nepochz: 7\n".write(to: recipe, atomically: true, encoding: .utf8)
    let bad = try FTuneProcess.run(["--recipe", recipe.path], home: root)
    #expect(bad.status != 0)
    #expect(bad.err.contains("unknown key 'epochz'"))
  }

  @Test func missingWeightsSayWhereToPutThem() throws {
    defer { try? FileManager.default.removeItem(at: root) }
    let r = try FTuneProcess.run(
      [
        "--base", "vgg16", "--data", data.path, "--size", "32", "--out",
        root.appendingPathComponent("runs/x").path,
      ], home: root)
    #expect(r.status != 0)
    #expect(r.err.contains("vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5"))
    #expect(r.err.contains(".keras/models"))
    #expect(r.err.contains("data/fetch-weights.sh"))
    #expect(r.err.contains("--weights random"))
    let missing = try train(["--classes", "red,purple"], out: "runs/y")
    #expect(missing.status != 0)
    #expect(missing.err.contains("purple"))
  }

  @Test func cacheWritesAndDescribesAFeatureFile() throws {
    defer { try? FileManager.default.removeItem(at: root) }
    let out = root.appendingPathComponent("f.h5")
    let args = [
      "cache", "--base", "vgg16", "--weights", "random", "--size", "32", "--freeze",
      "block4_pool", "--data", data.path, "--out", out.path,
    ]
    let r = try FTuneProcess.run(args, home: root)
    #expect(r.status == 0, "\(r.err)")
    #expect(r.out.contains("18 images, features [18, 2, 2, 512] (0 reused, 18 computed)"))
    // The store is shared: a second run computes nothing.
    let again = try FTuneProcess.run(args, home: root)
    #expect(again.out.contains("(18 reused, 0 computed)"), "\(again.out)")
    let info = try FTuneProcess.run(["cache", "--info", out.path], home: root)
    #expect(info.status == 0, "\(info.err)")
    #expect(info.out.contains("cut_layer: block4_pool"))
    #expect(info.out.contains("blue (6), green (6), red (6)"))
  }

  @Test func helpListsTheWorkflowFlags() throws {
    defer { try? FileManager.default.removeItem(at: root) }
    let r = try FTuneProcess.run(["train", "--help"], home: root)
    #expect(r.status == 0)
    for flag in [
      "--base", "--freeze", "--classes", "--weights", "--recipe", "--resume", "--unfreeze-at",
      "--base-lr-mult", "--schedule", "--patience", "--class-weights", "--cache-variants",
    ] {
      #expect(r.out.contains(flag), "help lacks \(flag)")
    }
  }
}
