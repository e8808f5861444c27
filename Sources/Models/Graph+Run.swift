import Kernels
import Layers
import Runtime
import TensorCore

extension Graph {
  /// Runs the network on a batch and returns the output of node `end` (default: the last).
  ///
  /// In training mode, layers before the first trainable one run without recording
  /// anything for backward: a frozen prefix costs a forward pass only.
  public func forward(_ x: Tensor, mode: ForwardMode, through end: Int? = nil) throws -> Tensor {
    try forward(seeds: [0: x], mode: mode, through: end)
  }

  /// Runs from known activations (`seeds[i]` is node i's output, e.g. cached features at a
  /// cut) through node `end`; nodes at or before the latest seed are not recomputed.
  public func forward(
    seeds: [Int: Tensor], mode: ForwardMode, through end: Int? = nil
  ) throws -> Tensor {
    // Inference passes run Winograd through the C kernels (WinogradKernel+CKernels.swift).
    try WinogradKernel.withCKernels(!mode.recordForBackward) {
      try forwardNodes(seeds: seeds, mode: mode, through: end)
    }
  }

  private func forwardNodes(
    seeds: [Int: Tensor], mode: ForwardMode, through end: Int?
  ) throws -> Tensor {
    let end = end ?? nodes.count - 1
    guard end >= 0, end < nodes.count, let start = seeds.keys.max() else {
      throw GraphError.invalid("graph '\(name)': nothing to run")
    }
    let firstTrainable = mode.recordForBackward ? (firstTrainableIndex ?? nodes.count) : nodes.count
    // Count remaining consumers so each activation is freed after its last use.
    var remaining = [Int](repeating: 0, count: nodes.count)
    for i in (start + 1)...max(start + 1, end) where i <= end {
      for j in nodes[i].inputs { remaining[j] += 1 }
    }
    var values = seeds
    if start >= end, let v = values[end] { return v }
    // The fused steps of this pass (Plan/FusionRules.swift); times them when asked.
    AllocatorTuning.reuseFreedBuffers()
    let plan = ExecutionPlan(
      self, start: start, end: end, mode: mode,
      recording: { mode.recordForBackward && $0 >= firstTrainable })
    if mode.recordForBackward { (recordedHandThrough, recordedSteps) = (plan.absorbed, plan.steps) }
    // Inference hands each finished activation to TensorPool once its last consumer has run,
    // so a later layer's output of the same size reuses it; nothing kept is recycled (a
    // recording layer may hold its input), nor the caller's seeds.
    let recycle = !mode.recordForBackward
    defer {
      if recycle {
        TensorPool.shared.removeAll()
        // Keeps the bounded tile/column scratch; drops per-call filter transforms of big layers.
        ScratchPool.shared.trim(above: WinogradKernel.defaultMaxScratchElements * 5 / 4)
      }
    }
    for i in (start + 1)...end {
      let node = nodes[i]
      var inputs: [Tensor] = []
      inputs.reserveCapacity(node.inputs.count)
      var finished: [Int] = []
      for j in node.inputs {
        guard let v = values[j] else {
          throw GraphError.missingActivation(layer: node.layer.name, needed: nodes[j].layer.name)
        }
        inputs.append(v)
        remaining[j] -= 1
        if remaining[j] == 0 && j != end { finished.append(j) }
      }
      let nodeMode = ForwardMode(
        training: mode.training, recordForBackward: mode.recordForBackward && i >= firstTrainable)
      let y = try plan.forward(i, inputs, mode: nodeMode)
      values[i] = y
      inputs = []
      for j in finished {
        guard let v = values.removeValue(forKey: j) else { continue }
        // Folded and pass-through nodes return their input: shared storage stays live.
        if recycle && seeds[j] == nil && !Self.sharesStorage(v, y) {
          TensorPool.shared.recycle(v)
        }
      }
    }
    guard let out = values[end] else {
      throw GraphError.invalid("graph '\(name)': node \(end) produced nothing")
    }
    return out
  }

  /// Back-propagates dLoss/dOutput of node `end` (default: the last) through the nodes run
  /// by the last recording forward pass, accumulating parameter gradients; stops at the
  /// first trainable node.
  public func backward(_ outputGradient: Tensor, from end: Int? = nil) throws {
    let end = end ?? nodes.count - 1
    guard let stop = firstTrainableIndex, stop <= end else { return }
    var grads: [Int: Tensor] = [end: outputGradient]
    for i in stride(from: end, through: stop, by: -1) {
      guard let g = grads.removeValue(forKey: i) else { continue }
      let node = nodes[i]
      let needs = node.inputs.contains { $0 >= stop }
      // A node a fused step absorbed hands the gradient through (the step's anchor layer
      // takes its derivative).
      if let k = recordedHandThrough[i], k < node.inputs.count {
        if node.inputs[k] >= stop { accumulate(g, into: node.inputs[k], &grads) }
        continue
      }
      // A fused step of the pass takes its own derivative at its anchor.
      let step = recordedSteps[i]
      let label =
        step?.label(self) ?? (LayerProfile.byName ? node.layer.name : node.layer.kerasClassName)
      let inputGrads = try LayerProfile.measure("backward " + label) {
        if let step { return try step.backward(self, g, needsInputGradient: needs) }
        return try node.layer.backward(g, needsInputGradient: needs)
      }
      guard needs else { continue }
      for (j, gj) in zip(node.inputs, inputGrads) where j >= stop {
        accumulate(gj, into: j, &grads)
      }
    }
  }

  private func accumulate(_ g: Tensor, into j: Int, _ grads: inout [Int: Tensor]) {
    if var existing = grads[j] {
      existing.add(g.scalars)
      grads[j] = existing
    } else {
      grads[j] = g
    }
  }
}

extension Graph {
  /// Whether two tensors are views of one array (a layer returned its input).
  static func sharesStorage(_ a: Tensor, _ b: Tensor) -> Bool {
    let pa = a.withUnsafeBufferPointer { $0.baseAddress }
    return pa != nil && pa == b.withUnsafeBufferPointer { $0.baseAddress }
  }
}
