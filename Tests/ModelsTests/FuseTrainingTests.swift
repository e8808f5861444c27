import Layers
import TensorCore
import Testing
@testable import Models

/// BatchNorm → ReLU and ZeroPadding → DepthwiseConv fusion in recording passes
/// (Plan/Rules/NormActivation.swift, PaddedDepthwise.swift) against every layer run on its own (FoldTests.layerByLayer,
/// whose ReLUs and paddings record and back-propagate by themselves). Tolerance as
/// FoldTests: 1e-4·(1 + |reference|).
@Suite struct FuseTrainingTests {
  @Test func findsThePairs() throws {
    let g = try FoldTests.network()
    func plan(end: Int? = nil, _ recording: @escaping (Int) -> Bool) -> ExecutionPlan {
      ExecutionPlan(
        g, start: 0, end: end ?? g.nodes.count - 1, mode: .training, recording: recording)
    }
    func activations(_ p: ExecutionPlan) -> [Int] {
      p.nodes.values.compactMap { ($0 as? NormActivation)?.activation }.sorted()
    }
    func paddings(_ p: ExecutionPlan) -> [Int: Int] {
      var d: [Int: Int] = [:]
      for case let n as PaddedDepthwise in p.nodes.values { d[n.depthwise] = n.pad }
      return d
    }
    let all = plan { _ in true }
    // dw_bn → dw_relu (ReLU6), pw_bn → pw_relu (relu), add_bn → out_relu; c3_bn feeds Add.
    #expect(activations(all) == [4, 7, 12])
    // pad → dw: the padding becomes the depthwise window's.
    #expect(paddings(all) == [2: 1])
    #expect(Set(all.absorbed.keys) == [1, 4, 7, 12])
    let none = plan { $0 > 7 }
    #expect(activations(none) == [12])
    #expect(paddings(none).isEmpty)
    let cut = plan(end: 11) { _ in true }
    #expect(activations(cut) == [4, 7])
  }

  /// A full training step (nothing frozen): outputs, every gradient and the moving
  /// statistics match the unfused run.
  @Test func trainingStepMatchesLayerByLayer() throws {
    let g = try FoldTests.network()
    let h = try FoldTests.network()
    let x = FoldTests.input()
    for step in 0..<2 {
      let y = try g.forward(x, mode: .training)
      let r = try FoldTests.layerByLayer(h, x, mode: .training, firstRecording: 0)
      #expect(FoldTests.close(y, r), "step \(step)")
      let dy = Tensor(shape: y.shape) { Float($0 % 11) / 11 - 0.45 }
      try g.backward(dy)
      try h.backward(dy)
      for (p, q) in zip(g.parameters, h.parameters) {
        #expect((p.grad == nil) == (q.grad == nil), "\(p.name)")
        if let a = p.grad, let b = q.grad { #expect(FoldTests.close(a, b), "\(p.name)") }
        #expect(FoldTests.close(p.value, q.value), "\(p.name) (moving statistics)")
        p.zeroGrad()
        q.zeroGrad()
      }
    }
  }
}
