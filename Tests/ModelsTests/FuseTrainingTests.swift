import Layers
import TensorCore
import Testing
@testable import Models

/// BatchNorm → ReLU and ZeroPadding → DepthwiseConv fusion in recording passes
/// (Graph+FuseTraining.swift) against every layer run on its own (FoldTests.layerByLayer,
/// whose ReLUs and paddings record and back-propagate by themselves). Tolerance as
/// FoldTests: 1e-4·(1 + |reference|).
@Suite struct FuseTrainingTests {
  @Test func findsThePairs() throws {
    let g = try FoldTests.network()
    let f = TrainingFusion(g, start: 0, end: g.nodes.count - 1, recording: { _ in true })
    // dw_bn → dw_relu (ReLU6), pw_bn → pw_relu (relu), add_bn → out_relu; c3_bn feeds Add.
    #expect(f.activations == [4, 7, 12])
    // pad → dw: the padding becomes the depthwise window's.
    #expect(f.paddedConvs == [2: 1])
    #expect(f.paddings == [1])
    let none = TrainingFusion(g, start: 0, end: g.nodes.count - 1, recording: { $0 > 7 })
    #expect(none.activations == [12])
    #expect(none.paddings.isEmpty)
    let cut = TrainingFusion(g, start: 0, end: 11, recording: { _ in true })
    #expect(cut.activations == [4, 7])
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
