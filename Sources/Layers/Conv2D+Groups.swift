import Kernels
import TensorCore

/// `Conv2D(groups=G)`: input channels and filters split into G groups, each convolved with
/// its own `[kh, kw, C/G, filters/G]` slice of the kernel `[kh, kw, C/G, filters]`.
/// G == C is a depthwise convolution (ConvNeXt), run by the depthwise kernel: the kernel
/// `[kh, kw, 1, C·m]` has the flat layout of a depthwise `[kh, kw, C, m]`.
enum GroupedConvolution {
  static func forward(
    _ x: Tensor, kernel k: Tensor, bias: Tensor?, groups: Int, geometry g: WindowGeometry
  ) throws -> Tensor {
    let (kh, kw, cinG, filters) = (k.shape[0], k.shape[1], k.shape[2], k.shape[3])
    if cinG == 1 {
      let m = filters / groups
      return DepthwiseConvKernel.forward(
        x, kernel: try k.reshaped([kh, kw, groups, m]), bias: bias, multiplier: m, geometry: g)
    }
    let coutG = filters / groups
    var gg = g
    gg.channels = cinG
    var y = Tensor(zeros: [g.batch, g.outH, g.outW, filters])
    for i in 0..<groups {
      let yi = Conv2DKernel.forward(
        x.lastAxis(from: i * cinG, count: cinG),
        kernel: k.lastAxis(from: i * coutG, count: coutG), filter: nil,
        bias: bias.map { $0.lastAxis(from: i * coutG, count: coutG) }, geometry: gg)
      y.placeLastAxis(yi, at: i * coutG)
    }
    return y
  }

  /// dx and dKernel (each when asked) from the gradient of the pre-activation output.
  static func backward(
    _ x: Tensor, kernel k: Tensor, outputGradient dz: Tensor, groups: Int,
    geometry g: WindowGeometry, needInput: Bool, needKernel: Bool
  ) throws -> (input: Tensor?, kernel: Tensor?) {
    let (kh, kw, cinG, filters) = (k.shape[0], k.shape[1], k.shape[2], k.shape[3])
    if cinG == 1 {
      let m = filters / groups
      let (dx, dw) = DepthwiseConvKernel.backward(
        x, kernel: try k.reshaped([kh, kw, groups, m]), outputGradient: dz, multiplier: m,
        geometry: g, needInput: needInput, needKernel: needKernel)
      return (dx, try dw?.reshaped(k.shape))
    }
    let coutG = filters / groups
    var gg = g
    gg.channels = cinG
    var dx = needInput ? Tensor(zeros: x.shape) : nil
    var dw = needKernel ? Tensor(zeros: k.shape) : nil
    for i in 0..<groups {
      let (dxi, dwi) = Conv2DKernel.backward(
        x.lastAxis(from: i * cinG, count: cinG),
        kernel: k.lastAxis(from: i * coutG, count: coutG),
        outputGradient: dz.lastAxis(from: i * coutG, count: coutG), geometry: gg,
        needInput: needInput, needKernel: needKernel)
      if let dxi { dx?.placeLastAxis(dxi, at: i * cinG) }
      if let dwi { dw?.placeLastAxis(dwi, at: i * coutG) }
    }
    return (dx, dw)
  }
}

extension Tensor {
  /// `self[..., from ..< from + count]`.
  fileprivate func lastAxis(from: Int, count: Int) -> Tensor {
    let c = shape.last ?? 1
    let rows = self.count / Swift.max(c, 1)
    var out = Tensor(zeros: shape.dropLast() + [count])
    out.withUnsafeMutableBufferPointer { o in
      withUnsafeBufferPointer { p in
        for r in 0..<rows {
          for j in 0..<count { o[r * count + j] = p[r * c + from + j] }
        }
      }
    }
    return out
  }

  /// Writes `part` into `self[..., at ..< at + part's last axis]`.
  fileprivate mutating func placeLastAxis(_ part: Tensor, at: Int) {
    let c = shape.last ?? 1
    let count = part.shape.last ?? 1
    let rows = part.count / Swift.max(count, 1)
    withUnsafeMutableBufferPointer { o in
      part.withUnsafeBufferPointer { p in
        for r in 0..<rows {
          for j in 0..<count { o[r * c + at + j] = p[r * count + j] }
        }
      }
    }
  }
}
