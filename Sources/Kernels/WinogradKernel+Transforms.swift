import TensorCore

/// The per-tile input and output transforms of `WinogradKernel`, a lane of channels at a time.
extension WinogradKernel {
  typealias Lane = Winograd.Lane

  /// Writes `V[p][t - first][0..<in]` for the tiles `tiles` (NHWC tile order: image, tile
  /// row, tile column). Pixels in the padding read from `zero`.
  static func inputTransform(
    _ x: UnsafePointer<Float>, _ g: WindowGeometry, _ plan: Plan, tiles: Range<Int>,
    first: Int, zero: UnsafePointer<Float>, into v: UnsafeMutablePointer<Float>
  ) {
    let c = g.channels
    let lane = Winograd.lane
    let perImage = plan.tilesH * plan.tilesW
    let stride = plan.chunk * c
    withUnsafeTemporaryAllocation(of: UnsafePointer<Float>.self, capacity: 72) { pb in
      withUnsafeTemporaryAllocation(of: Lane.self, capacity: 72 + 36) { lb in
        guard let ptrs = pb.baseAddress, let lanes = lb.baseAddress else { return }
        // Staging for a last partial lane of channels: 36 zero-padded lanes.
        let staging = UnsafeMutableRawPointer(lanes + 72).assumingMemoryBound(to: Float.self)
        let staged = ptrs + 36
        for k in 0..<36 { staged[k] = UnsafePointer(staging + k * lane) }
        let result = lanes + 36
        for t in tiles {
          let (img, r) = (t / perImage, t % perImage)
          let y0 = (r / plan.tilesW) * 4 - g.padTop
          let x0 = (r % plan.tilesW) * 4 - g.padLeft
          for i in 0..<6 {
            let iy = y0 + i
            for j in 0..<6 {
              let ix = x0 + j
              let inside = iy >= 0 && iy < g.inH && ix >= 0 && ix < g.inW
              ptrs[i * 6 + j] = inside ? x + ((img * g.inH + iy) * g.inW + ix) * c : zero
            }
          }
          let dst = v + (t - first) * c
          var ch = 0
          while ch + lane <= c {
            inputLane(ptrs, ch, lanes)
            for p in 0..<36 { Winograd.store(result[p], dst + p * stride + ch) }
            ch += lane
          }
          if ch < c {
            let n = c - ch
            staging.initialize(repeating: 0, count: 36 * lane)
            for k in 0..<36 {
              for j in 0..<n { staging[k * lane + j] = ptrs[k][ch + j] }
            }
            inputLane(staged, 0, lanes)
            for p in 0..<36 {
              for j in 0..<n { dst[p * stride + ch + j] = result[p][j] }
            }
          }
        }
      }
    }
  }

  /// `Bᵀ d B` for one lane of channels at offset `ch` of the 36 pixels `ptrs`; uses
  /// `work[0..<36]` and leaves the 36 points in `work[36..<72]`.
  @inline(__always)
  static func inputLane(
    _ ptrs: UnsafePointer<UnsafePointer<Float>>, _ ch: Int, _ work: UnsafeMutablePointer<Lane>
  ) {
    typealias W = Winograd
    for j in 0..<6 {
      let r = W.inputRows(
        W.load(ptrs[j] + ch), W.load(ptrs[6 + j] + ch), W.load(ptrs[12 + j] + ch),
        W.load(ptrs[18 + j] + ch), W.load(ptrs[24 + j] + ch), W.load(ptrs[30 + j] + ch))
      work[j] = r.0
      work[6 + j] = r.1
      work[12 + j] = r.2
      work[18 + j] = r.3
      work[24 + j] = r.4
      work[30 + j] = r.5
    }
    let out = work + 36
    for i in 0..<6 {
      let row = work + i * 6
      let r = W.inputRows(row[0], row[1], row[2], row[3], row[4], row[5])
      out[i * 6] = r.0
      out[i * 6 + 1] = r.1
      out[i * 6 + 2] = r.2
      out[i * 6 + 3] = r.3
      out[i * 6 + 4] = r.4
      out[i * 6 + 5] = r.5
    }
  }

  /// Reads `M[p][t - first][0..<channels.count]` of the tiles `tiles` and writes output
  /// channels `channels` of their 4×4 pixels (clipped at the image edge), adding `bias`
  /// (indexed by output channel) and applying `activation`.
  static func outputTransform(
    _ m: UnsafePointer<Float>, _ g: WindowGeometry, _ plan: Plan, tiles: Range<Int>,
    first: Int, channels: Range<Int>, filters: Int, bias: UnsafePointer<Float>,
    activation: ActivationKind, into out: UnsafeMutablePointer<Float>
  ) {
    let lane = Winograd.lane
    let kb = channels.count
    let perImage = plan.tilesH * plan.tilesW
    let stride = plan.chunk * kb
    withUnsafeTemporaryAllocation(of: Lane.self, capacity: 24 + 16 + 36 + 1) { lb in
      guard let lanes = lb.baseAddress else { return }
      let result = lanes + 24
      let staging = UnsafeMutableRawPointer(lanes + 40).assumingMemoryBound(to: Float.self)
      let biasStage = UnsafeMutableRawPointer(lanes + 76).assumingMemoryBound(to: Float.self)
      for t in tiles {
        let (img, r) = (t / perImage, t % perImage)
        let oy0 = (r / plan.tilesW) * 4
        let ox0 = (r % plan.tilesW) * 4
        let rows = min(4, g.outH - oy0)
        let cols = min(4, g.outW - ox0)
        let src = m + (t - first) * kb
        var ch = 0
        while ch < kb {
          let n = min(lane, kb - ch)
          let b: Lane
          if n == lane {
            outputLane(src + ch, stride, lanes)
            b = Winograd.load(bias + channels.lowerBound + ch)
          } else {
            for p in 0..<36 {
              for j in 0..<lane { staging[p * lane + j] = j < n ? src[p * stride + ch + j] : 0 }
            }
            for j in 0..<lane { biasStage[j] = j < n ? bias[channels.lowerBound + ch + j] : 0 }
            outputLane(staging, lane, lanes)
            b = Winograd.load(biasStage)
          }
          for py in 0..<rows {
            for px in 0..<cols {
              var y = result[py * 4 + px] + b
              switch activation {
              case .relu: y.replace(with: 0, where: y .< 0)
              case .relu6:
                y.replace(with: 0, where: y .< 0)
                y.replace(with: 6, where: y .> 6)
              default: break  // linear (callers fuse only `fusableInEpilogue` kinds)
              }
              let o = out + ((img * g.outH + oy0 + py) * g.outW + ox0 + px) * filters
                + channels.lowerBound + ch
              if n == lane {
                Winograd.store(y, o)
              } else {
                for j in 0..<n { o[j] = y[j] }
              }
            }
          }
          ch += n
        }
      }
    }
  }

  /// `Aᵀ m A` for one lane: the 36 points `stride` apart from `src`; uses `work[0..<24]`
  /// and leaves the 16 pixels (row-major) in `work[24..<40]`.
  @inline(__always)
  static func outputLane(
    _ src: UnsafePointer<Float>, _ stride: Int, _ work: UnsafeMutablePointer<Lane>
  ) {
    typealias W = Winograd
    for j in 0..<6 {
      let r = W.outputRows(
        W.load(src + j * stride), W.load(src + (6 + j) * stride),
        W.load(src + (12 + j) * stride), W.load(src + (18 + j) * stride),
        W.load(src + (24 + j) * stride), W.load(src + (30 + j) * stride))
      work[j] = r.0
      work[6 + j] = r.1
      work[12 + j] = r.2
      work[18 + j] = r.3
    }
    let out = work + 24
    for i in 0..<4 {
      let row = work + i * 6
      let r = W.outputRows(row[0], row[1], row[2], row[3], row[4], row[5])
      out[i * 4] = r.0
      out[i * 4 + 1] = r.1
      out[i * 4 + 2] = r.2
      out[i * 4 + 3] = r.3
    }
  }
}
