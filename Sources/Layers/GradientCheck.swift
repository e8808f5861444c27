import TensorCore

/// Finite-difference check of a backward pass: the contract every `backward` is tested by.
///
/// The scalar probed is `L = Σ y ⊙ R` for a fixed random `R`, so `dL/dy = R`. Analytic
/// gradients come from one recording forward + backward; numeric ones from central
/// differences `(L(x + h) − L(x − h)) / 2h`, with `L` summed in Double. An entry's error is
/// `|numeric − analytic| / max(1, |numeric|, |analytic|)` (absolute for small gradients,
/// relative for large). Where the function has kinks (ReLU, max pooling), an entry whose
/// one-sided differences disagree sits on a kink and is skipped and counted instead.
public enum GradientCheck {
  /// The outcome: the worst error, where it was, and how many entries were compared.
  public struct Report: CustomStringConvertible, Sendable {
    public var maxError: Double = 0
    public var worst = ""
    public var checked = 0
    public var skippedAtKinks = 0
    /// Parameters without `needsGradient` that received a gradient anyway (must be empty).
    public var unexpectedGradients: [String] = []

    public var description: String {
      "max error \(maxError) at \(worst) over \(checked) entries"
        + " (\(skippedAtKinks) skipped at kinks)"
        + (unexpectedGradients.isEmpty ? "" : "; unexpected gradients: \(unexpectedGradients)")
    }
  }

  /// Checks input and parameter gradients.
  ///
  /// - `forward` runs a recording forward pass on the given inputs (reset any per-call
  ///   randomness inside it); `backward` takes dL/dy and returns dL/dInputs.
  /// - `parameters`: all weights involved; those with `needsGradient` are checked, the
  ///   others must receive no gradient.
  /// - `step`: h; `maxEntries`: entries probed per tensor (a seeded sample beyond that).
  public static func run(
    inputs: [Tensor], parameters: [Parameter], step h: Float = 1e-2,
    maxEntries: Int = 48, seed: UInt64 = 1, detectKinks: Bool = false,
    forward: ([Tensor]) throws -> Tensor,
    backward: (Tensor) throws -> [Tensor]
  ) throws -> Report {
    var rng = SeededRNG(seed: seed)
    parameters.forEach { $0.zeroGrad() }
    let y = try forward(inputs)
    let r = Tensor(shape: y.shape) { _ in rng.uniform(-1, 1) }
    let dInputs = try backward(r)
    var report = Report()
    report.unexpectedGradients = parameters.filter { !$0.needsGradient && $0.grad != nil }
      .map(\.name)
    func loss(_ xs: [Tensor]) throws -> Double {
      let out = try forward(xs)
      var s: Double = 0
      for i in 0..<out.count { s += Double(out.scalars[i]) * Double(r.scalars[i]) }
      return s
    }
    let base = detectKinks ? try loss(inputs) : 0
    func compare(_ analytic: Float, _ label: String, _ perturbed: (Float) throws -> Double)
      throws
    {
      let plus = try perturbed(h)
      let minus = try perturbed(-h)
      let numeric = (plus - minus) / (2 * Double(h))
      if detectKinks {
        let forwardSide = (plus - base) / Double(h)
        let backwardSide = (base - minus) / Double(h)
        let scale = max(1, abs(forwardSide), abs(backwardSide))
        if abs(forwardSide - backwardSide) / scale > 1e-2 {
          report.skippedAtKinks += 1
          return
        }
      }
      let a = Double(analytic)
      let err = abs(numeric - a) / max(1, abs(numeric), abs(a))
      report.checked += 1
      if err > report.maxError {
        report.maxError = err
        report.worst = "\(label) (numeric \(numeric), analytic \(a))"
      }
    }
    func sample(_ count: Int) -> [Int] {
      guard count > maxEntries else { return Array(0..<count) }
      var picked = Set<Int>()
      while picked.count < maxEntries { picked.insert(Int(rng.next() % UInt64(count))) }
      return picked.sorted()
    }
    for (k, x) in inputs.enumerated() {
      guard k < dInputs.count else {
        throw GradientCheckError.missingInputGradient(index: k, got: dInputs.count)
      }
      guard dInputs[k].shape == x.shape else {
        throw GradientCheckError.shapeMismatch(
          what: "input \(k) gradient", expected: x.shape, got: dInputs[k].shape)
      }
      for i in sample(x.count) {
        try compare(dInputs[k].scalars[i], "input \(k)[\(i)]") { d in
          var xs = inputs
          xs[k].scalars[i] += d
          return try loss(xs)
        }
      }
    }
    for p in parameters where p.needsGradient {
      guard let g = p.grad else {
        throw GradientCheckError.missingParameterGradient(name: p.name)
      }
      guard g.shape == p.value.shape else {
        throw GradientCheckError.shapeMismatch(
          what: "\(p.name) gradient", expected: p.value.shape, got: g.shape)
      }
      for i in sample(p.value.count) {
        try compare(g.scalars[i], "\(p.name)[\(i)]") { d in
          let saved = p.value.scalars[i]
          p.value.scalars[i] = saved + d
          defer { p.value.scalars[i] = saved }
          return try loss(inputs)
        }
      }
    }
    return report
  }

  /// Checks a layer: builds it for `shapes` (with the batch axis), draws inputs in
  /// [−1, 1] (plus `inputOffset`), and probes forward/backward in `mode`. `prepare` runs
  /// before every forward pass (e.g. to reseed Dropout).
  public static func run(
    layer: any Layer, inputShapes shapes: [[Int]], mode: ForwardMode = .training,
    step h: Float = 1e-2, seed: UInt64 = 1, detectKinks: Bool = false,
    prepare: () -> Void = {}
  ) throws -> Report {
    var rng = SeededRNG(seed: seed &+ 1000)
    _ = try layer.build(shapes.map { Array($0.dropFirst()) }, rng: &rng)
    // Glorot weights are small; widen them and the zero biases so every term matters.
    for p in layer.weights where p.isTrainable {
      p.value = Tensor(shape: p.value.shape) { _ in rng.uniform(-1, 1) }
    }
    let inputs = shapes.map { s in Tensor(shape: s) { _ in rng.uniform(-1, 1) } }
    return try run(
      inputs: inputs, parameters: layer.weights, step: h, seed: seed,
      detectKinks: detectKinks,
      forward: { xs in
        prepare()
        return try layer.forward(xs, mode: mode)
      },
      backward: { g in try layer.backward(g, needsInputGradient: true) })
  }
}

/// A backward pass returned the wrong number or shape of gradients.
public enum GradientCheckError: Error, CustomStringConvertible {
  case missingInputGradient(index: Int, got: Int)
  case missingParameterGradient(name: String)
  case shapeMismatch(what: String, expected: [Int], got: [Int])

  public var description: String {
    switch self {
    case .missingInputGradient(let i, let got):
      return "backward returned \(got) input gradient(s); input \(i) has none"
    case .missingParameterGradient(let name):
      return "parameter '\(name)' needs a gradient but backward gave it none"
    case .shapeMismatch(let what, let e, let g):
      return "\(what): expected shape \(e), got \(g)"
    }
  }
}
