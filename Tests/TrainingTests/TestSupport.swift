import Foundation
import Layers
import Models
import TensorCore
import Training

/// A dense layer for loop tests, independent of the Layers kernels: `[N, in] -> [N, out]`,
/// optional ReLU or softmax. Counts forward calls so tests can see which nodes ran.
final class TinyDense: Layer {
  let name: String
  var kerasClassName: String { "Dense" }
  let units: Int
  let activation: ActivationKind
  var kernel: Parameter?
  var bias: Parameter?
  var forwardCalls = 0
  private var input: Tensor?
  private var output: Tensor?
  var isFrozen = false {
    didSet { weights.forEach { $0.isFrozen = isFrozen } }
  }

  init(_ name: String, units: Int, activation: ActivationKind = .linear) {
    self.name = name
    self.units = units
    self.activation = activation
  }

  var weights: [Parameter] { [kernel, bias].compactMap { $0 } }

  func build(_ inputShapes: [[Int]], rng: inout SeededRNG) throws -> [Int] {
    if kernel == nil {
      kernel = Parameter(
        name: "kernel", value: Initializer.glorotUniform([inputShapes[0][0], units], rng: &rng))
      bias = Parameter(name: "bias", value: Tensor(zeros: [units]))
      weights.forEach { $0.isFrozen = isFrozen }
    }
    return [units]
  }

  func forward(_ inputs: [Tensor], mode: ForwardMode) throws -> Tensor {
    forwardCalls += 1
    let x = inputs[0]
    let (n, i, o) = (x.shape[0], x.shape[1], units)
    let w = kernel!.value.scalars
    let b = bias!.value.scalars
    var y = Tensor(zeros: [n, o])
    for r in 0..<n {
      for c in 0..<o {
        var s = b[c]
        for k in 0..<i { s += x.scalars[r * i + k] * w[k * o + c] }
        y.scalars[r * o + c] = s
      }
      switch activation {
      case .relu:
        for c in 0..<o { y.scalars[r * o + c] = max(0, y.scalars[r * o + c]) }
      case .softmax:
        let row = Array(y.scalars[(r * o)..<((r + 1) * o)])
        let m = row.max()!
        let e = row.map { exp($0 - m) }
        let s = e.reduce(0, +)
        for c in 0..<o { y.scalars[r * o + c] = e[c] / s }
      default: break
      }
    }
    if mode.recordForBackward {
      input = x
      output = y
    }
    return y
  }

  func backward(_ g: Tensor, needsInputGradient: Bool) throws -> [Tensor] {
    guard let x = input, let y = output else { throw LayerError.noRecordedForward(layer: name) }
    let (n, i, o) = (x.shape[0], x.shape[1], units)
    var dz = g
    for r in 0..<n {
      switch activation {
      case .relu:
        for c in 0..<o where y.scalars[r * o + c] <= 0 { dz.scalars[r * o + c] = 0 }
      case .softmax:
        var dot: Float = 0
        for c in 0..<o { dot += g.scalars[r * o + c] * y.scalars[r * o + c] }
        for c in 0..<o {
          dz.scalars[r * o + c] = y.scalars[r * o + c] * (g.scalars[r * o + c] - dot)
        }
      default: break
      }
    }
    if kernel!.needsGradient {
      var dw = Tensor(zeros: [i, o])
      var db = Tensor(zeros: [o])
      for r in 0..<n {
        for c in 0..<o {
          db.scalars[c] += dz.scalars[r * o + c]
          for k in 0..<i { dw.scalars[k * o + c] += x.scalars[r * i + k] * dz.scalars[r * o + c] }
        }
      }
      kernel!.accumulate(dw)
      bias!.accumulate(db)
    }
    guard needsInputGradient else { return [] }
    var dx = Tensor(zeros: [n, i])
    let w = kernel!.value.scalars
    for r in 0..<n {
      for k in 0..<i {
        var s: Float = 0
        for c in 0..<o { s += dz.scalars[r * o + c] * w[k * o + c] }
        dx.scalars[r * i + k] = s
      }
    }
    return [dx]
  }
}

/// SGD with momentum for loop tests; records which parameters it holds state for.
final class PlainSGD: TrainerOptimizer {
  let momentum: Float
  var velocity: [ObjectIdentifier: [Float]] = [:]

  init(momentum: Float = 0) { self.momentum = momentum }

  func update(_ parameters: [Parameter], learningRate: Float, multipliers: [Float]) throws {
    for (p, m) in zip(parameters, multipliers) where p.needsGradient {
      guard let g = p.grad else { continue }
      var v = velocity[ObjectIdentifier(p)] ?? [Float](repeating: 0, count: g.count)
      for j in 0..<v.count {
        v[j] = momentum * v[j] - learningRate * m * g.scalars[j]
        p.value.scalars[j] += v[j]
      }
      velocity[ObjectIdentifier(p)] = v
    }
  }

  func saveState(_ parameters: [Parameter]) -> [[Float]] {
    parameters.map { velocity[ObjectIdentifier($0)] ?? [] }
  }

  func restoreState(_ state: [[Float]], parameters: [Parameter]) throws {
    for (p, v) in zip(parameters, state) where !v.isEmpty { velocity[ObjectIdentifier(p)] = v }
  }
}

/// input[4] -> base (4->6, relu) -> head (6->3, softmax), weights from `seed`.
func tinyNet(seed: UInt64 = 7, freezeBase: Bool = true) throws -> (Graph, TinyDense, TinyDense) {
  let g = Graph(name: "tiny", seed: seed)
  let x = try g.input("input_1", shape: [4])
  let base = TinyDense("base", units: 6, activation: .relu)
  base.isFrozen = freezeBase
  let h = try g.add(base, x)
  let head = TinyDense("head", units: 3, activation: .softmax)
  try g.add(head, h)
  return (g, base, head)
}

/// A separable 3-class problem: class c has a positive bump on feature c.
func tinyData(count: Int, seed: UInt64 = 1, flipLabels: Bool = false) throws -> TensorBatches {
  var rng = SeededRNG(seed: seed)
  var xs: [Float] = []
  var labels: [Int] = []
  for i in 0..<count {
    let c = i % 3
    for f in 0..<4 { xs.append(rng.normal() * 0.3 + (f == c ? 2 : 0)) }
    labels.append(flipLabels ? (c + 1) % 3 : c)
  }
  return try TensorBatches(data: Tensor(shape: [count, 4], scalars: xs), labels: labels)
}

func snapshot(_ layer: any Layer) -> [[Float]] { layer.weights.map(\.value.scalars) }

func temporaryDirectory() -> URL {
  let url = FileManager.default.temporaryDirectory.appendingPathComponent(
    "ftune-tests-\(UUID().uuidString)")
  try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  return url
}

func fixture(_ name: String) throws -> [String: Any] {
  let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("Fixtures/\(name)")
  return try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
}

func floats(_ any: Any?) -> [Float] { (any as! [NSNumber]).map { $0.floatValue } }
