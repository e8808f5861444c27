import CKernels
import TensorCore

extension DepthwiseConvKernel {
  /// Backward: dLoss/dInput (when `needInput`) and dLoss/dKernel (when `needKernel`).
  /// Multiplier 1 runs the SIMD kernel (`Sources/CKernels/depthwise_backward.c`, AVX-512 or
  /// AVX2 by CPU) over tasks of channel blocks (and of images when there are few channel
  /// blocks); the kernel gradient's per-task partials are summed in a fixed order, so the
  /// result does not depend on thread timing. Other multipliers run `referenceBackward`.
  public static func backward(
    _ x: Tensor, kernel: Tensor, outputGradient dy: Tensor, multiplier mult: Int,
    geometry g: WindowGeometry, needInput: Bool, needKernel: Bool
  ) -> (input: Tensor?, kernel: Tensor?) {
    guard mult == 1, needInput || needKernel else {
      return referenceBackward(
        x, kernel: kernel, outputGradient: dy, multiplier: mult, geometry: g,
        needInput: needInput, needKernel: needKernel)
    }
    let c = g.channels
    let lanes = Int(ck_depthwise_backward_block())
    let blocks = (c + lanes - 1) / lanes
    // About 8 channel tasks; images split too when that leaves fewer than 4 tasks.
    let perTask = max(1, blocks / 8)
    let channelTasks = (blocks + perTask - 1) / perTask
    let imageGroups = channelTasks < 4 ? min(g.batch, 4) : 1
    let kCount = kernel.count
    var dx = Tensor.uninitialized(needInput ? x.shape : [0])
    var partial = [Float](repeating: 0, count: needKernel ? imageGroups * kCount : 0)
    var cg = ck_depthwise_geometry(
      inH: Int32(g.inH), inW: Int32(g.inW), channels: Int32(c), kH: Int32(g.kH),
      kW: Int32(g.kW), strideH: Int32(g.strideH), strideW: Int32(g.strideW),
      padTop: Int32(g.padTop), padLeft: Int32(g.padLeft), outH: Int32(g.outH),
      outW: Int32(g.outW))
    dx.withUnsafeMutableBufferPointer { dxp in
      let dxb = dxp
      partial.withUnsafeMutableBufferPointer { pp in
        let pb = pp
        x.withUnsafeBufferPointer { xp in
          kernel.withUnsafeBufferPointer { wp in
            dy.withUnsafeBufferPointer { dp in
              withUnsafePointer(to: &cg) { gp in
                Parallel.forEach(channelTasks * imageGroups) { task in
                  let (ct, ig) = (task % channelTasks, task / channelTasks)
                  let c0 = ct * perTask * lanes, c1 = min(c, (ct + 1) * perTask * lanes)
                  let n0 = ig * g.batch / imageGroups, n1 = (ig + 1) * g.batch / imageGroups
                  guard let xb = xp.baseAddress, let wb = wp.baseAddress,
                    let db = dp.baseAddress
                  else { return }
                  ck_depthwise_backward(
                    xb, wb, db, needInput ? dxb.baseAddress : nil,
                    needKernel ? pb.baseAddress.map { $0 + ig * kCount } : nil, gp,
                    Int32(n0), Int32(n1), Int32(c0), Int32(c1))
                }
              }
            }
          }
        }
      }
    }
    var dw: Tensor? = nil
    if needKernel {
      var sum = Tensor(zeros: kernel.shape)
      sum.withUnsafeMutableBufferPointer { s in
        for grp in 0..<imageGroups {
          for i in 0..<kCount { s[i] += partial[grp * kCount + i] }
        }
      }
      dw = sum
    }
    return (needInput ? dx : nil, dw)
  }
}
