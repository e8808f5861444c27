/// Eigen-decomposition of a symmetric 3x3 matrix by cyclic Jacobi rotations: small, exact to
/// double precision in a handful of sweeps, no LAPACK needed.
public struct SymmetricEigen3: Sendable, Equatable {
  /// Eigenvalues, largest first.
  public let values: [Double]
  /// `vectors[j]` is the unit eigenvector of `values[j]` (sign: largest component positive
  /// is not enforced; only the direction matters).
  public let vectors: [[Double]]

  /// Decomposes `matrix` (row-major, 9 values; only the symmetric part is used).
  public init(_ matrix: [Double]) {
    var a = [[Double]](repeating: [0, 0, 0], count: 3)
    for i in 0..<3 {
      for j in 0..<3 { a[i][j] = 0.5 * (matrix[3 * i + j] + matrix[3 * j + i]) }
    }
    var v: [[Double]] = [[1, 0, 0], [0, 1, 0], [0, 0, 1]]
    for _ in 0..<50 {
      let off = a[0][1] * a[0][1] + a[0][2] * a[0][2] + a[1][2] * a[1][2]
      if off < 1e-30 { break }
      for (p, q) in [(0, 1), (0, 2), (1, 2)] where a[p][q] != 0 {
        // Rotation angle that zeroes a[p][q] (Numerical Recipes' stable form).
        let theta = (a[q][q] - a[p][p]) / (2 * a[p][q])
        let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
        let c = 1 / (t * t + 1).squareRoot(), s = t * c
        for k in 0..<3 {
          let akp = a[k][p], akq = a[k][q]
          a[k][p] = c * akp - s * akq
          a[k][q] = s * akp + c * akq
        }
        for k in 0..<3 {
          let apk = a[p][k], aqk = a[q][k]
          a[p][k] = c * apk - s * aqk
          a[q][k] = s * apk + c * aqk
        }
        for k in 0..<3 {
          let vkp = v[k][p], vkq = v[k][q]
          v[k][p] = c * vkp - s * vkq
          v[k][q] = s * vkp + c * vkq
        }
      }
    }
    let order = (0..<3).sorted { a[$0][$0] > a[$1][$1] }
    values = order.map { a[$0][$0] }
    vectors = order.map { j in (0..<3).map { v[$0][j] } }
  }
}
