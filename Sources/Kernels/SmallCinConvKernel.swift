import CKernels
import TensorCore

/// Direct NHWC convolution for inputs with few channels (RGB stems: MobileNetV2 `Conv1`,
/// ResNet50 `conv1_conv`, VGG16 `block1_conv1`), any window, stride and padding, with the
/// bias and a clamp applied as each output tile is stored (`CKernels/smallcin.c`, AVX-512
/// or AVX2 by CPU). With 3 input channels im2col would copy the input 9-49 times for a GEMM
/// whose inner dimension is too short to run well.
public enum SmallCinConvKernel {
  /// Input depths up to this run here.
  public static let maxInputChannels = 4

  /// Whether `g` is a window this kernel serves.
  public static func isApplicable(_ g: WindowGeometry) -> Bool {
    g.channels > 0 && g.channels <= maxInputChannels && g.outH > 0 && g.outW > 0
  }

  /// `act(conv(x, kernel) + bias)` for x `[N, inH, inW, C]`, kernel `[kH, kW, C, F]`, bias
  /// `[F]` or nil (`activation.fusableInEpilogue`); returns `[N, outH, outW, F]`.
  public static func forward(
    _ x: Tensor, kernel: Tensor, bias: Tensor?, geometry g: WindowGeometry,
    activation: ActivationKind
  ) -> Tensor {
    let f = kernel.shape.last ?? 0
    let shape = [g.batch, g.outH, g.outW, f]
    guard f > 0, kernel.count == g.patchSize * f, x.count == g.batch * g.inputImageSize,
      bias.map({ $0.count == f }) ?? true
    else {
      return Tensor(zeros: shape)
    }
    var out = TensorPool.shared.tensor(shape: shape)
    var cg = ck_conv_geometry(
      inH: Int32(g.inH), inW: Int32(g.inW), inChannels: Int32(g.channels), kH: Int32(g.kH),
      kW: Int32(g.kW), strideH: Int32(g.strideH), strideW: Int32(g.strideW),
      padTop: Int32(g.padTop), padLeft: Int32(g.padLeft), outH: Int32(g.outH),
      outW: Int32(g.outW), outChannels: Int32(f))
    let clamp = activation.cClamp
    withUnsafePointer(to: &cg) { gp in
      RowBands.forEach(x, kernel: kernel, bias: bias, into: &out, geometry: g, outChannels: f) {
        x, w, b, o, first, end in
        ck_smallcin_conv_forward(x, w, b, o, gp, first, end, clamp.on, clamp.lower, clamp.upper)
      }
    }
    return out
  }
}
