import Models
import TensorCore
import Training

/// The linear softmax head `compare` fits on cached features (standardized on the training
/// part, fitted for at least `CompareWorkflow.headOnlyMinimumSteps` steps), on rows of pooled
/// features: what every `ftune doctor` analysis trains, once per fold and subset.
struct DoctorHead {
  var classes: Int
  var settings: TrainSettings

  /// Class probabilities `[test row][class]` of a head fitted on `train` rows with `labels`.
  func probabilities(train: [[Float]], labels: [Int], test: [[Float]]) throws -> [[Double]] {
    let d = train.first?.count ?? 0
    func tensor(_ rows: [[Float]]) throws -> Tensor {
      try Tensor(shape: [rows.count, 1, 1, d], scalars: rows.flatMap { $0 })
    }
    let z = CompareStandardizer(fitting: [try tensor(train)])
    let trainBatches = try TensorBatches(data: z.apply(try tensor(train)), labels: labels)
    let testData = z.apply(try tensor(test))
    let trunk = Graph(name: "features", seed: settings.training.seed)
    _ = try trunk.input("features", shape: [1, 1, d])
    let (graph, headStart) = try HeadSwap.attach(
      HeadSpec(classes: classes, seed: settings.training.seed), to: trunk)
    _ = try CompareWorkflow.fitAndEvaluate(
      graph: graph, headStart: headStart, feedNode: 0, train: trainBatches,
      validation: try TensorBatches(data: testData, labels: [Int](repeating: 0, count: test.count)),
      settings: settings, classCounts: CompareWorkflow.counts(labels, classes: classes),
      minimumSteps: CompareWorkflow.headOnlyMinimumSteps)
    let y = try graph.forward(testData, mode: .inference)
    return (0..<test.count).map { i in
      (0..<classes).map { Double(y.scalars[i * classes + $0]) }
    }
  }
}

/// The most probable class of each row.
func argmax(_ row: [Double]) -> Int {
  row.indices.max { row[$0] < row[$1] } ?? 0
}
