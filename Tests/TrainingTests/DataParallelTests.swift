import Foundation
import Layers
import Models
import TensorCore
import Testing

@testable import Training

/// P "ranks" as threads of this process, with a sum all-reduce in rank order: the
/// Trainer's data-parallel hook tested without MPI (the MPI transport itself is covered by
/// WorkflowTests/MPITrainingTests under mpirun).
final class ThreadGroup: @unchecked Sendable {
  let size: Int
  private let condition = NSCondition()
  private var arrived = 0
  private var generation = 0
  fileprivate var slots: [[Float]]

  init(size: Int) {
    self.size = size
    slots = Array(repeating: [], count: size)
  }

  /// Returns when all `size` threads have called it.
  func sync() {
    condition.lock()
    let g = generation
    arrived += 1
    if arrived == size {
      arrived = 0
      generation += 1
      condition.broadcast()
    } else {
      while g == generation { condition.wait() }
    }
    condition.unlock()
  }
}

final class ThreadRank: Communicator {
  let group: ThreadGroup
  let rank: Int
  var size: Int { group.size }
  var reductions = 0

  init(_ group: ThreadGroup, rank: Int) {
    self.group = group
    self.rank = rank
  }

  func allreduceSum(_ values: inout [Float]) throws {
    group.slots[rank] = values
    group.sync()
    var sum = group.slots[0]
    for r in 1..<size {
      for i in sum.indices { sum[i] += group.slots[r][i] }
    }
    group.sync()
    values = sum
    reductions += 1
  }
  func barrier() throws { group.sync() }
  func gather(_ bytes: [UInt8], root: Int) throws -> [[UInt8]]? { nil }
  func broadcast(_ bytes: [UInt8], root: Int) throws -> [UInt8] { bytes }
  func abort(code: Int32) {}
  func finish() {}
}

@Suite struct DataParallelTests {
  /// conv → (BN) → pool → dense → softmax on 6×6 bars; the first conv frozen.
  func net(batchNorm: Bool) throws -> Graph {
    let g = Graph(name: "bars", seed: 1)
    let x = try g.input("input_1", shape: [6, 6, 1])
    let c0 = try g.add(
      Conv2D("frozen", filters: 3, kernelSize: (3, 3), padding: .same, activation: .relu), x)
    var c = try g.add(
      Conv2D("conv", filters: 4, kernelSize: (3, 3), padding: .same, activation: .relu), c0)
    if batchNorm { c = try g.add(BatchNormalization("bn"), c) }
    let p = try g.add(MaxPooling2D("pool"), c)
    let f = try g.add(Flatten("flat"), p)
    let d = try g.add(Dense("fc", units: 2), f)
    try g.add(Activation("softmax", .softmax), d)
    g.freeze(through: 1)
    return g
  }

  func data(count: Int) throws -> TensorBatches {
    var rng = SeededRNG(seed: 9)
    var xs = [Float]()
    var labels = [Int]()
    for i in 0..<count {
      let c = i % 2
      for y in 0..<6 {
        for x in 0..<6 { xs.append(((c == 0 ? x : y) == 2 ? 1 : 0) + 0.3 * rng.normal()) }
      }
      labels.append(c)
    }
    return try TensorBatches(data: Tensor(shape: [count, 6, 6, 1], scalars: xs), labels: labels)
  }

  /// Trains on `ranks` threads (one graph each) and returns each rank's graph and trainer.
  func train(
    ranks: Int, optimizer: String, batchNorm: Bool = false, bucketBytes: Int = 4 << 20
  ) throws -> [(Graph, ThreadRank?)] {
    var o = TrainingOptions()
    o.epochs = 2
    o.batchSize = 5  // 23 samples: batches 5 5 5 5 3, slices 2+3 / 1+2 on two ranks
    o.learningRate = optimizer == "sgd" ? 0.1 : 0.01
    o.seed = 3
    let options = o
    let train = try data(count: 23)
    let group = ThreadGroup(size: ranks)
    // One thread per rank (a thread pool might run them one after another and deadlock).
    final class Results: @unchecked Sendable {
      var out: [(Graph, ThreadRank?)?]
      var errors: [(any Error)?]
      let train: TensorBatches
      init(_ n: Int, _ train: TensorBatches) {
        out = Array(repeating: nil, count: n)
        errors = Array(repeating: nil, count: n)
        self.train = train
      }
    }
    let results = Results(ranks, train)
    let done = DispatchGroup()
    for r in 0..<ranks {
      done.enter()
      Thread {
        defer { done.leave() }
        do {
          let g = try net(batchNorm: batchNorm)
          let opt: any TrainerOptimizer =
            optimizer == "sgd"
            ? SGD(learningRate: options.learningRate, momentum: 0.9)
            : Adam(learningRate: options.learningRate)
          let t = Trainer(graph: g, optimizer: opt, options: options, headStart: 4)
          t.bucketBytes = bucketBytes
          let comm = ranks > 1 ? ThreadRank(group, rank: r) : nil
          if let comm { t.communicator = comm }
          _ = try t.fit(train: results.train, validation: nil)
          results.out[r] = (g, comm)
        } catch {
          results.errors[r] = error
        }
      }.start()
    }
    done.wait()
    if let e = results.errors.compactMap({ $0 }).first { throw e }
    return results.out.compactMap { $0 }
  }

  func weights(_ g: Graph) -> [Float] { g.parameters.flatMap(\.value.scalars) }

  /// Two ranks with slices of each batch end with the weights of one process that saw whole
  /// batches: max |Δw| ≤ 1e-5 (float32 sums in another order over 10 steps; weights ~0.1–1).
  /// The frozen conv is untouched and never reduced.
  @Test(arguments: ["sgd", "adam"])
  func twoRanksEqualOneProcess(optimizer: String) throws {
    let one = try train(ranks: 1, optimizer: optimizer)
    // Buckets of 400 bytes: the conv kernel (3·3·3·4 floats) alone, then the rest.
    let two = try train(ranks: 2, optimizer: optimizer, bucketBytes: 400)
    let w1 = weights(one[0].0)
    for (g, comm) in two {
      let w = weights(g)
      let d = zip(w, w1).map { abs($0 - $1) }.max() ?? 1
      #expect(d <= 1e-5, "rank \(comm?.rank ?? -1): max |Δw| \(d)")
      // 10 steps × 2 buckets + the moving-statistics pass (none: no BN) per epoch.
      #expect(comm?.reductions == 20)
    }
    let fresh = try net(batchNorm: false)
    #expect(
      one[0].0.nodes[1].layer.weights.map(\.value.scalars)
        == fresh.nodes[1].layer.weights.map(\.value.scalars))
    #expect(w1 != weights(fresh))
  }

  /// With a trainable BatchNormalization the ranks normalise with their own batch statistics
  /// (as Keras's MirroredStrategy) and end each epoch with the same, averaged moving ones,
  /// so every rank holds the same model.
  @Test func batchNormMovingStatisticsAreAveraged() throws {
    let two = try train(ranks: 2, optimizer: "sgd", batchNorm: true)
    let bn = two.map { g, _ in
      g.nodes.compactMap { $0.layer as? BatchNormalization }[0]
    }
    #expect(bn[0].movingMean!.value.scalars == bn[1].movingMean!.value.scalars)
    #expect(bn[0].movingVariance!.value.scalars == bn[1].movingVariance!.value.scalars)
    #expect(weights(two[0].0) == weights(two[1].0))
    #expect(bn[0].movingMean!.value.scalars.contains { $0 != 0 })
  }
}
