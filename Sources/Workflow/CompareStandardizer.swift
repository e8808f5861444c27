import TensorCore

/// Per-channel standardization of cached trunk features, fitted on the training fold only:
/// what `StandardScaler` does before a logistic regression.
///
/// Features are `[N, ..., C]`; the statistics are those of each sample's channel mean (the
/// global average pool the head starts with), so `pool((x - m) / s) == (pool(x) - m) / s`
/// and the head sees standardized pooled features. A channel constant over the fold keeps
/// scale 1. Without it a head on large unnormalized features (VGG16's block5 reaches
/// hundreds) takes Adam steps that are huge in logit space and lands below the regression.
struct CompareStandardizer: Equatable {
  var mean: [Float]
  var scale: [Float]

  /// Statistics of the pooled channels over every sample of `tensors` (e.g. a fold's
  /// training features, or all of its augmented variants).
  init(fitting tensors: [Tensor]) {
    let channels = tensors.first?.shape.last ?? 0
    var sum = [Double](repeating: 0, count: channels)
    var sumSquares = [Double](repeating: 0, count: channels)
    var n = 0
    for t in tensors where t.rank >= 2 && t.shape.last == channels && channels > 0 {
      let samples = t.shape[0]
      let positions = t.count / max(1, samples * channels)
      for i in 0..<samples {
        var pooled = [Double](repeating: 0, count: channels)
        let base = i * positions * channels
        for p in 0..<positions {
          for c in 0..<channels { pooled[c] += Double(t.scalars[base + p * channels + c]) }
        }
        for c in 0..<channels {
          let v = pooled[c] / Double(max(1, positions))
          sum[c] += v
          sumSquares[c] += v * v
        }
      }
      n += samples
    }
    let count = Double(max(1, n))
    mean = sum.map { Float($0 / count) }
    scale = zip(sum, sumSquares).map { s, q in
      let variance = max(0, q / count - (s / count) * (s / count))
      return variance > 1e-12 ? Float(variance.squareRoot()) : 1
    }
  }

  /// `(x - mean) / scale` per channel, at every position.
  func apply(_ t: Tensor) -> Tensor {
    let channels = mean.count
    guard channels > 0, t.shape.last == channels else { return t }
    var out = t
    for k in out.scalars.indices {
      let c = k % channels
      out.scalars[k] = (out.scalars[k] - mean[c]) / scale[c]
    }
    return out
  }
}
