import CKernels
import Foundation
import TensorCore

/// The folded weights of one inverted-residual block (`InvertedResidualKernel`).
public struct InvertedResidualWeights: Sendable {
  /// 1×1 expand kernel `[1, 1, in, hidden]` (or `[in, hidden]`), bias `[hidden]` or nil;
  /// no kernel: the block has no expansion (hidden = in, MobileNetV2's first block).
  public var expand: Tensor?
  public var expandBias: Tensor?
  public var expandActivation: ActivationKind
  /// Depthwise kernel `[kH, kW, hidden, 1]`, bias `[hidden]` or nil.
  public var depthwise: Tensor
  public var depthwiseBias: Tensor?
  public var depthwiseActivation: ActivationKind
  /// 1×1 project kernel `[1, 1, hidden, out]` (or `[hidden, out]`), bias `[out]` or nil.
  public var project: Tensor
  public var projectBias: Tensor?

  public init(
    expand: Tensor?, expandBias: Tensor?, expandActivation: ActivationKind, depthwise: Tensor,
    depthwiseBias: Tensor?, depthwiseActivation: ActivationKind, project: Tensor,
    projectBias: Tensor?
  ) {
    self.expand = expand
    self.expandBias = expandBias
    self.expandActivation = expandActivation
    self.depthwise = depthwise
    self.depthwiseBias = depthwiseBias
    self.depthwiseActivation = depthwiseActivation
    self.project = project
    self.projectBias = projectBias
  }
}

/// MobileNetV2's inverted-residual block — expand 1×1 (+clamp) → depthwise (+clamp) →
/// project 1×1 (→ + input) — in one pass over bands of output rows
/// (`CKernels/invres.c`): the expanded and depthwise tensors live only in per-band
/// buffers that stay in L2, instead of going to memory and back (the expanded tensor is 6×
/// the block's input). Same arithmetic as the three kernels run one after the other.
public enum InvertedResidualKernel {
  /// Smallest expanded input per image (`inH·inW·hidden` floats, 512 KB) worth fusing.
  /// Below it the unfused kernels' intermediates mostly stay in cache, and they amortise the
  /// weights over the whole batch (the fused kernel re-reads them per image and band):
  /// measured with `FTUNE_FOLD_BLOCK=0/1` per block at batch 8, MobileNetV2's 14×14 and 7×7
  /// blocks ran ~2x slower fused, its 112×112-28×28 blocks 1.6-3x faster.
  public static let minExpandedPerImage = 1 << 17

  /// Whether fusing pays for a block with this depthwise window (over the expanded tensor).
  public static func pays(_ g: WindowGeometry) -> Bool {
    g.inH * g.inW * g.channels >= minExpandedPerImage
  }

  /// Whether the kernel serves this block: depthwise multiplier 1 (`depthwise` geometry over
  /// the expanded tensor), weights of matching sizes; a residual needs stride 1 and equal
  /// input/output shapes.
  public static func isApplicable(
    inputShape: [Int], weights w: InvertedResidualWeights, depthwise g: WindowGeometry,
    residual: Bool
  ) -> Bool {
    guard inputShape.count == 4, let cin = inputShape.last, let cout = w.project.shape.last
    else { return false }
    let hidden = w.expand.map { $0.shape.last ?? 0 } ?? cin
    guard cin > 0, hidden > 0, cout > 0, w.expandActivation.fusableInEpilogue,
      w.depthwiseActivation.fusableInEpilogue
    else { return false }
    let sizesMatch =
      (w.expand.map { $0.count == cin * hidden } ?? (w.expandBias == nil))
      && w.depthwise.count == g.kH * g.kW * hidden
      && w.project.count == hidden * cout && w.expandBias.map { $0.count == hidden } ?? true
      && w.depthwiseBias.map { $0.count == hidden } ?? true
      && w.projectBias.map { $0.count == cout } ?? true
    let geometryMatches =
      g.batch == inputShape[0] && g.inH == inputShape[1] && g.inW == inputShape[2]
      && g.channels == hidden && g.outH > 0 && g.outW > 0
    let residualFits =
      !residual || (cin == cout && g.outH == g.inH && g.outW == g.inW && g.strideH == 1
        && g.strideW == 1)
    return sizesMatch && geometryMatches && residualFits
  }

  /// The block's output `[N, outH, outW, out]` for x `[N, inH, inW, in]`; `g` is the
  /// depthwise window over the expanded tensor. Callers check `isApplicable` first (an
  /// inapplicable block returns zeros).
  public static func forward(
    _ x: Tensor, weights w: InvertedResidualWeights, depthwise g: WindowGeometry,
    residual: Bool
  ) -> Tensor {
    let cout = w.project.shape.last ?? 0
    let shape = [g.batch, g.outH, g.outW, cout]
    guard isApplicable(inputShape: x.shape, weights: w, depthwise: g, residual: residual) else {
      return Tensor(zeros: shape)
    }
    let cin = x.shape[3]
    let (e, d) = (w.expandActivation.cClamp, w.depthwiseActivation.cClamp)
    var cg = ck_block_geometry(
      inH: Int32(g.inH), inW: Int32(g.inW), inChannels: Int32(cin), hidden: Int32(g.channels),
      outChannels: Int32(cout), kH: Int32(g.kH), kW: Int32(g.kW), strideH: Int32(g.strideH),
      strideW: Int32(g.strideW), padTop: Int32(g.padTop), padLeft: Int32(g.padLeft),
      outH: Int32(g.outH), outW: Int32(g.outW), residual: residual ? 1 : 0,
      expandClamp: e.on, depthwiseClamp: d.on, expandLo: e.lower, expandHi: e.upper,
      depthwiseLo: d.lower, depthwiseHi: d.upper)
    let scratch = withUnsafePointer(to: &cg) { ck_inverted_residual_scratch($0) }
    // Whole images per task when the batch fills the cores; otherwise chunks of rows (each
    // chunk re-expands the few input rows it shares with the one above).
    let cores = ProcessInfo.processInfo.activeProcessorCount
    let chunks = max(1, min(g.outH, (2 * cores + g.batch - 1) / g.batch))
    var out = TensorPool.shared.tensor(shape: shape)
    let inImage = g.inH * g.inW * cin, outImage = g.outputPixels * cout
    out.withUnsafeMutableBufferPointer { o in
      let ob = o
      withPointers(w) { wp in
        x.withUnsafeBufferPointer { xp in
          withUnsafePointer(to: &cg) { gp in
            Parallel.forEach(g.batch * chunks) { task in
              let (n, chunk) = (task / chunks, task % chunks)
              guard let xb = xp.baseAddress, let obase = ob.baseAddress else { return }
              let buffer = UnsafeMutablePointer<Float>.allocate(capacity: max(1, scratch))
              defer { buffer.deallocate() }
              withUnsafePointer(to: wp) { wptr in
                ck_inverted_residual_forward(
                  xb + n * inImage, wptr, obase + n * outImage, gp,
                  Int32(chunk * g.outH / chunks), Int32((chunk + 1) * g.outH / chunks), buffer)
              }
            }
          }
        }
      }
    }
    return out
  }

  /// The weights' base addresses for the C call, valid inside `body`.
  private static func withPointers<R>(
    _ w: InvertedResidualWeights, _ body: (ck_block_weights) -> R
  ) -> R {
    withOptional(w.expand) { e in
      w.depthwise.withUnsafeBufferPointer { d in
        w.project.withUnsafeBufferPointer { p in
          withOptional(w.expandBias) { eb in
            withOptional(w.depthwiseBias) { db in
              withOptional(w.projectBias) { pb in
                body(
                  ck_block_weights(
                    expand: e, expandBias: eb, depthwise: d.baseAddress,
                    depthwiseBias: db, project: p.baseAddress, projectBias: pb))
              }
            }
          }
        }
      }
    }
  }

  private static func withOptional<R>(
    _ t: Tensor?, _ body: (UnsafePointer<Float>?) -> R
  ) -> R {
    guard let t else { return body(nil) }
    return t.withUnsafeBufferPointer { body($0.baseAddress) }
  }
}
