import CKernels
import TensorCore

extension DepthwiseConvKernel {
  /// Forward: `[N, outH, outW, in·mult]`, with the bias and the activation's epilogue fused into the output pass:
  /// `act(depthwise(x, kernel) + bias)` (`activation.fusableInEpilogue`: the caller applies
  /// others). Multiplier 1 runs the SIMD kernel (AVX-512 or AVX2 by CPU); other multipliers
  /// the reference loop then one clamp pass.
  public static func forward(
    _ x: Tensor, kernel: Tensor, bias: Tensor?, multiplier mult: Int, geometry g: WindowGeometry,
    activation: ActivationKind = .linear
  ) -> Tensor {
    guard mult == 1 else {
      var y = reference(x, kernel: kernel, bias: bias, multiplier: mult, geometry: g)
      if activation.clampBounds != nil {
        ChannelAffine.apply(&y, channels: y.shape.last ?? 1, activation: activation)
      }
      return y
    }
    let clamp = activation.cClamp
    let c = g.channels
    var out = Tensor.uninitialized([g.batch, g.outH, g.outW, c])
    var cg = ck_depthwise_geometry(
      inH: Int32(g.inH), inW: Int32(g.inW), channels: Int32(c), kH: Int32(g.kH),
      kW: Int32(g.kW), strideH: Int32(g.strideH), strideW: Int32(g.strideW),
      padTop: Int32(g.padTop), padLeft: Int32(g.padLeft), outH: Int32(g.outH),
      outW: Int32(g.outW))
    withUnsafePointer(to: &cg) { gp in
      RowBands.forEach(x, kernel: kernel, bias: bias, into: &out, geometry: g, outChannels: c) {
        x, w, b, o, first, end in
        ck_depthwise_forward(x, w, b, o, gp, first, end, clamp.on, clamp.lower, clamp.upper)
      }
    }
    return out
  }
}
