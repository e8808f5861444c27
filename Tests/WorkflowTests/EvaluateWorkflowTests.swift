import Foundation
import ImageIO
import KerasIO
import Layers
import Models
import Reports
import TensorCore
import TestSupport
import Testing
import Training

@testable import Workflow

/// `ftune evaluate` on a run whose answers are known: its model averages the colour
/// channels and scores class c by channel c (no training), and two red images are filed
/// under green, one much redder than the other.
@Suite struct EvaluateWorkflowTests {
  let root = TinyImages.temporaryDirectory()
  let classes = ["red", "green", "blue"]

  /// model.h5 (input 8x8x3, global average pool, softmax of 0.05·channel means) and
  /// config.yaml of a run that needs no training.
  func makeRun() throws -> URL {
    let run = root.appendingPathComponent("run")
    try FileManager.default.createDirectory(at: run, withIntermediateDirectories: true)
    let g = Graph(name: "colours", seed: 0)
    let x = try g.input("input", shape: [8, 8, 3])
    let pooled = try g.add(GlobalAveragePooling2D(HeadSpec.poolName), x)
    try g.add(Dense(HeadSpec.predictionsName, units: 3, activation: .softmax), pooled)
    let dense = try #require(g.layer(named: HeadSpec.predictionsName))
    dense.weights[0].value = try Tensor(shape: [3, 3], scalars: [0.05, 0, 0, 0, 0.05, 0, 0, 0, 0.05])
    try KerasModel.save(g, to: run.appendingPathComponent("model.h5").path)
    try """
      base: colours
      classes: red,green,blue
      size: 8
      preprocess: none
      freeze: all
      """.write(to: run.appendingPathComponent("config.yaml"), atomically: true, encoding: .utf8)
    return run
  }

  func solid(_ rgb: [UInt8], to path: URL) throws {
    let bytes = (0..<(40 * 36)).flatMap { _ in rgb }
    try Image(width: 40, height: 36, channels: 3, pixels: .rgb8(bytes)).writePNG(to: path.path)
  }

  @Test func confusionCountsAndTopLossesAreTheKnownOnes() throws {
    defer { try? FileManager.default.removeItem(at: root) }
    let data = root.appendingPathComponent("test")
    try TinyImages.make(at: data, classes: classes, perClass: 4)
    // Logits 0.05·(200, 40, 40) = (10, 2, 2): loss of "green" ≈ 8.0; (120, 40, 40): ≈ 4.0.
    try solid([200, 40, 40], to: data.appendingPathComponent("green/z_red.png"))
    try solid([120, 40, 40], to: data.appendingPathComponent("green/z_reddish.png"))
    var request = EvaluateWorkflow.Request(runs: [try makeRun().path], data: data.path)
    request.out = root.appendingPathComponent("eval").path
    request.topLosses = 3
    let result = try EvaluateWorkflow(request, progress: SilentProgress()).run()
    let m = result.report.metrics
    #expect(m.confusion.counts == [[4, 0, 0], [2, 4, 0], [0, 0, 4]])
    let top = m.topLosses(3).map { (result.report.paths[$0] as NSString).lastPathComponent }
    #expect(top.prefix(2) == ["z_red.png", "z_reddish.png"])
    #expect(abs(m.loss(m.topLosses(1)[0]) - 8.0007) < 1e-3)
    #expect(m.mostConfused() == [.init(trueClass: 1, predicted: 0, count: 2)])
    let csv = try String(
      contentsOf: result.out.appendingPathComponent("top_losses.csv"), encoding: .utf8)
    let firstRow = csv.split(separator: "\n")[1]
    #expect(firstRow.contains("z_red.png") && firstRow.contains(",green,red,"))

    // 10-crop of a solid or noisy colour image gives the same answers.
    request.tenCrop = true
    request.out = root.appendingPathComponent("eval-10crop").path
    let crops = try EvaluateWorkflow(request, progress: SilentProgress()).run()
    #expect(crops.report.metrics.confusion.counts == m.confusion.counts)
    #expect(crops.report.metrics.topLosses(2) == m.topLosses(2))

    // An ensemble of the run with itself averages to the same probabilities.
    request.tenCrop = false
    request.runs = [request.runs[0], request.runs[0]]
    request.out = root.appendingPathComponent("eval-ensemble").path
    let twice = try EvaluateWorkflow(request, progress: SilentProgress()).run()
    for (a, b) in zip(twice.report.metrics.probabilities, m.probabilities) {
      for (x, y) in zip(a, b) { #expect(abs(x - y) < 1e-6) }
    }
  }

  @Test func unknownAndMissingClassFoldersAreNamed() throws {
    defer { try? FileManager.default.removeItem(at: root) }
    let run = try makeRun()
    let data = root.appendingPathComponent("other")
    try TinyImages.make(at: data, classes: ["red", "green", "purple"], perClass: 1)
    let request = EvaluateWorkflow.Request(runs: [run.path], data: data.path)
    #expect(
      throws: WorkflowError.classFolders(
        data: data.path, unknown: ["purple"], missing: ["blue"], classes: classes)
    ) { try EvaluateWorkflow(request, progress: SilentProgress()).run() }
  }
}
