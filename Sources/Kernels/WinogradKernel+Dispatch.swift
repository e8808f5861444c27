import Foundation

extension WinogradKernel {
  /// Output sides below this run as im2col + GEMM even where Winograd applies: with 4×4
  /// tiles a 7×7 output wastes 23 % of each tile, and its 36 GEMMs per chunk have only
  /// batch × 4 rows, far below OpenBLAS's efficient sizes, while im2col's one GEMM of
  /// batch × 49 rows × 9·C runs near peak. `FTUNE_WINOGRAD_MIN_SIDE` overrides it (to
  /// measure; 0 = Winograd wherever it applies).
  public static let minimumOutputSide: Int =
    ProcessInfo.processInfo.environment["FTUNE_WINOGRAD_MIN_SIDE"].flatMap { Int($0) } ?? 8

  /// Whether the convolution forward runs as Winograd: `isApplicable` and big enough.
  public static func isChosen(_ g: WindowGeometry) -> Bool {
    isApplicable(g) && min(g.outH, g.outW) >= minimumOutputSide
  }
}
