import Testing

@testable import TensorCore

@Test func tensorRejectsWrongElementCount() {
  #expect(throws: TensorError.self) { try Tensor(shape: [2, 3], scalars: [1, 2]) }
}

@Test func seededRNGIsReproducibleAndUniform() {
  var a = SeededRNG(seed: 42)
  var b = SeededRNG(seed: 42)
  let xs = (0..<10_000).map { _ in a.uniform() }
  #expect(xs == (0..<10_000).map { _ in b.uniform() })
  let mean = xs.reduce(0, +) / Float(xs.count)
  #expect(abs(mean - 0.5) < 0.01)  // σ of the mean ≈ 0.0029
}
